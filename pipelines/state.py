"""The state folder is private, and its working copies do not outlive their use.

Everything fivestar writes lives under :data:`pipelines.paths.STATE_DIR`
(Dagster's instance and storage, run working folders, staged releases, the
audit database, the review app's key). Two promises:

* **Private.** :func:`secure` sets the process umask to ``077`` (files
  ``0600``, folders ``0700``) and makes the state folder ``0700``; every entry
  point calls it first (the CLI, the Dagster code location, the review app),
  and child processes (Dagster's webserver and daemon started by
  ``fivestar demo``) inherit the umask. Because the top folder is ``0700``, no
  other user can reach anything under it even if a file inside was created
  by a tool with looser modes.
* **Not kept.** :func:`purge` deletes run working folders (``work/<dataset>/…``)
  and Dagster asset outputs (``storage/<dataset>/…``) older than the dataset's
  retention for working copies: ``iar.working_copy_days`` in its spec, else
  ``FIVESTAR_WORK_RETENTION_DAYS`` (default 30). Staged releases and the audit
  database are records and are never purged here. ``fivestar purge`` runs it
  by hand; the ``purge_working_copies`` sensor runs it hourly.
"""

from __future__ import annotations

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


def secure() -> Path:
    """Private umask for this process, and the state folder created ``0700``."""
    os.umask(UMASK)
    state = paths.STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o700)
    return state


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
    """Files and folders under ``root`` (the state folder) that group or others can read."""
    root = root or paths.STATE_DIR
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
            if mode & (stat.S_IRGRP | stat.S_IROTH | stat.S_IWGRP | stat.S_IWOTH):
                found.append(p)
    return found
