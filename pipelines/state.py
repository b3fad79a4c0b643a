"""The state folder is private, and its working copies do not outlive their use.

Everything fivestar writes lives under :data:`pipelines.paths.STATE_DIR`
(Dagster's instance and storage, run working folders, staged releases, the
audit database, the review app's key). Two promises:

* **Private.** :func:`secure` sets the process umask to ``077`` (files
  ``0600``, folders ``0700``) and makes the state folder ``0700``; every entry
  point calls it first (the CLI, the Dagster code location, the review app),
  and child processes (Dagster's webserver and daemon started by
  ``make demo``) inherit the umask. Because the top folder is ``0700``, no
  other user can reach anything under it even if a file inside was created
  by a tool with looser modes. One exception, by group: when the review
  service's OS group exists (``fivestar-review``, scripts/setup.sh), the state
  folder is ``0710`` and the staged releases (``releases/``, redacted and
  bound for publication) ``0750``/``0440``, group ``fivestar-review``: the
  service, the one authority over approvals, re-hashes and shows them (see
  pipelines/release/README.md); nobody else can reach them.
* **Not kept.** :func:`purge` deletes run working folders (``work/<dataset>/…``)
  and Dagster asset outputs (``storage/<dataset>/…``) older than the dataset's
  retention for working copies: ``iar.working_copy_days`` in its spec, else
  ``FIVESTAR_WORK_RETENTION_DAYS`` (default 30). Staged releases and the audit
  database are records and are never purged here. ``fivestar purge`` runs it
  by hand; the ``purge_working_copies`` sensor runs it hourly.
"""

from __future__ import annotations

import grp
import os
import shutil
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipelines import paths

UMASK = 0o077
DEFAULT_RETENTION_DAYS = 30


#: The review service's OS group: it reads the staged releases (and nothing else here).
SERVICE_GROUP = "fivestar-review"


def service_group() -> int | None:
    """The review service's group id, if the group exists on this host."""
    try:
        return grp.getgrnam(SERVICE_GROUP).gr_gid
    except KeyError:
        return None


def _sharing_gid() -> int | None:
    """The service's group when this process may hand files to it (root or a member)."""
    gid = service_group()
    if gid is None or not (os.geteuid() == 0 or gid in os.getgroups()):
        return None
    return gid


def _share(path: Path, gid: int, mode: int) -> bool:
    try:
        os.chown(path, -1, gid)
        os.chmod(path, mode)
    except OSError:
        return False
    return True


def secure() -> Path:
    """Private umask for this process, and the state folder created ``0700``
    (``0710``, traversable by the review service's group, when it exists)."""
    os.umask(UMASK)
    state = paths.STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    gid = _sharing_gid()
    if gid is None or not _share(state, gid, 0o710):
        try:
            os.chmod(state, 0o700)
        except PermissionError:
            if state.stat().st_uid == os.geteuid():
                raise
            # another account's state folder (it cannot write there anyway): its
            # owner's modes stand
    return state


def share_release(release: Path) -> None:
    """Let the review service read one staged release (and reach it): group
    ``fivestar-review``, folders ``0750``, files ``0440``. No-op without the group."""
    gid = _sharing_gid()
    if gid is None:
        return
    state = paths.STATE_DIR.resolve()
    chain = [p for p in [release.resolve(), *release.resolve().parents]
             if p.is_relative_to(state) and p != state]
    if release.resolve().is_relative_to(state):
        _share(state, gid, 0o710)
    for folder in chain:
        _share(folder, gid, 0o750)
    for p in release.rglob("*"):
        if p.is_symlink():
            continue
        _share(p, gid, 0o750 if p.is_dir() else 0o440)


def retention_days(spec: object | None = None) -> int:
    """Days a working copy of ``spec``'s data is kept (spec first, then the setting)."""
    days = getattr(getattr(spec, "iar", None), "working_copy_days", None)
    if days is not None:
        return int(days)
    value = os.environ.get("FIVESTAR_WORK_RETENTION_DAYS")
    return int(value) if value else DEFAULT_RETENTION_DAYS


@dataclass
class Purged:
    path: Path
    age_days: float


def _age_days(path: Path, now: float) -> float:
    newest = path.stat().st_mtime
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                newest = max(newest, os.stat(os.path.join(root, f)).st_mtime)
            except FileNotFoundError:
                continue
    return (now - newest) / 86400


def _dataset_folders(dataset_id: str, prefix: str | None) -> Iterable[Path]:
    """The working folders of one dataset: run folders and Dagster outputs."""
    work = paths.STATE_DIR / "work" / dataset_id
    if work.is_dir():
        yield from (p for p in work.iterdir() if p.is_dir())
    if prefix:
        storage = paths.STATE_DIR / "storage" / prefix
        if storage.is_dir():
            yield from (p for p in storage.iterdir())


def purge(specs: Iterable[object], *, now: float | None = None,
          dry_run: bool = False) -> list[Purged]:
    """Delete working copies older than each dataset's retention; return what went."""
    now = time.time() if now is None else now
    gone: list[Purged] = []
    for spec in specs:
        keep = retention_days(spec)
        for path in _dataset_folders(spec.id, getattr(spec, "asset_key_prefix", None)):
            age = _age_days(path, now)
            if age <= keep:
                continue
            gone.append(Purged(path, age))
            if not dry_run:
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
    return gone


def readable_by_others(root: Path | None = None) -> list[Path]:
    """Files and folders under ``root`` (the state folder) that group or others can read.

    Staged releases readable by the review service's group only are not counted
    (see :func:`share_release`).
    """
    root = root or paths.STATE_DIR
    service = service_group()
    releases = root / "releases"
    found = []
    for base, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            p = Path(base) / name
            try:
                mode = p.lstat().st_mode
            except FileNotFoundError:
                continue
            if stat.S_ISLNK(mode):
                continue
            bits = stat.S_IRGRP | stat.S_IROTH | stat.S_IWGRP | stat.S_IWOTH
            if service is not None and p.lstat().st_gid == service and \
                    p.is_relative_to(releases):
                bits = stat.S_IROTH | stat.S_IWGRP | stat.S_IWOTH
            if mode & bits:
                found.append(p)
    return found
