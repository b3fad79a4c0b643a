"""The state folder is private and working copies are purged after their retention."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipelines import paths, state


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "state"
    monkeypatch.setattr(paths, "STATE_DIR", root)
    old = os.umask(0o022)
    yield root
    os.umask(old)


def _spec(dataset: str, days: int | None = None) -> SimpleNamespace:
    return SimpleNamespace(id=dataset, asset_key_prefix=dataset.replace("-", "_"),
                           iar=SimpleNamespace(working_copy_days=days))


def _old(path: Path, days: float) -> None:
    when = time.time() - days * 86400
    for p in [path, *path.rglob("*")]:
        os.utime(p, (when, when))


def test_secure_makes_the_folder_private_and_new_files_owner_only(state_dir: Path):
    state.secure()
    assert stat.S_IMODE(state_dir.stat().st_mode) == _private_mode()
    (state_dir / "work").mkdir()
    (state_dir / "work" / "report.json").write_text("{}")
    assert stat.S_IMODE((state_dir / "work").stat().st_mode) == 0o700
    assert stat.S_IMODE((state_dir / "work" / "report.json").stat().st_mode) == 0o600
    assert state.readable_by_others(state_dir) == []


def _private_mode() -> int:
    """0700, or 0710 when the review service's group (only) may traverse to the releases."""
    return 0o700 if state.service_group() is None else 0o710


def test_a_staged_release_is_shared_with_the_review_service_only(state_dir: Path):
    """The authority re-hashes and shows staged releases: its group reads them, nobody
    else; a loose file elsewhere is still found."""
    state.secure()
    release = state_dir / "releases" / "foi" / "r1"
    (release / "data").mkdir(parents=True)
    (release / "data" / "foi.csv").write_text("x")
    state.share_release(release)
    assert state.readable_by_others(state_dir) == []
    gid = state.service_group()
    if gid is None:
        pytest.skip("no fivestar-review group on this host (scripts/setup.sh makes it as root)")
    csv = release / "data" / "foi.csv"
    assert (csv.stat().st_gid, stat.S_IMODE(csv.stat().st_mode)) == (gid, 0o440)
    for folder in (state_dir / "releases", state_dir / "releases" / "foi", release):
        assert (folder.stat().st_gid, stat.S_IMODE(folder.stat().st_mode)) == (gid, 0o750)
    work = state_dir / "work"
    work.mkdir()
    os.chown(work, -1, gid)
    work.chmod(0o750)  # the service's group, but not a release: still a leak
    assert state.readable_by_others(state_dir) == [work]


def test_readable_by_others_finds_loose_files(state_dir: Path):
    state.secure()
    loose = state_dir / "loose.txt"
    loose.write_text("x")
    loose.chmod(0o644)
    assert state.readable_by_others(state_dir) == [loose]


def test_purge_deletes_only_working_copies_past_retention(state_dir: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("FIVESTAR_WORK_RETENTION_DAYS", raising=False)
    state.secure()
    old_run = state_dir / "work" / "foi" / "2024-Q1"
    new_run = state_dir / "work" / "foi" / "2024-Q2"
    old_output = state_dir / "storage" / "foi" / "extract"
    release = state_dir / "releases" / "foi" / "r1"
    for p in (old_run, new_run, old_output, release):
        p.mkdir(parents=True)
        (p / "f").write_text("x")
    _old(old_run, 40)
    _old(old_output, 31)
    _old(release, 400)
    gone = state.purge([_spec("foi")])
    assert {g.path for g in gone} == {old_run, old_output}
    assert not old_run.exists() and not old_output.exists()
    assert new_run.exists() and release.exists()  # releases are records: never purged here


def test_retention_from_the_iar_entry_then_the_setting(state_dir: Path,
                                                       monkeypatch: pytest.MonkeyPatch):
    run = state_dir / "work" / "foi" / "2024-Q1"
    run.mkdir(parents=True)
    _old(run, 10)
    assert state.purge([_spec("foi", days=30)], dry_run=True) == []
    assert [g.path for g in state.purge([_spec("foi", days=7)], dry_run=True)] == [run]
    monkeypatch.setenv("FIVESTAR_WORK_RETENTION_DAYS", "5")
    assert state.retention_days(_spec("foi")) == 5
    assert run.exists()  # dry runs delete nothing
    assert len(state.purge([_spec("foi")])) == 1 and not run.exists()




def _files_holding(root: Path, needles: list[bytes]) -> list[Path]:
    found = []
    for p in root.rglob("*"):
        if p.is_file() and not p.is_symlink():
            data = p.read_bytes()
            if any(n in data for n in needles):
                found.append(p)
    return found


@pytest.fixture
def staged_foi(monkeypatch, service):
    """`fivestar stage foi-requests` into the test's own state folder (signed in to
    the test's review service, whose home is in that folder too)."""
    from typer.testing import CliRunner

    from pipelines import extract
    from pipelines.cli import app
    from pipelines.spec import load_spec

    monkeypatch.setenv("FIVESTAR_PSEUDONYMISATION_KEY", "test-key-0123456789abcdef")
    monkeypatch.setenv("FIVESTAR_PASSWORD", "stats-demo-password")
    spec = load_spec(paths.DATASETS_DIR / "foi-requests" / "dataset.yaml")
    raw = extract.read_extract(spec)
    result = CliRunner().invoke(app, ["stage", "foi-requests", "--user", "stats.demo"])
    assert result.exit_code == 0, result.output
    emails = sorted(set(raw["requester_email"].dropna().astype(str)))
    assert emails
    return spec, [e.encode() for e in emails]


def test_after_stage_nothing_under_the_state_folder_is_readable_by_others(staged_foi):
    assert stat.S_IMODE(paths.STATE_DIR.stat().st_mode) == _private_mode()
    assert state.readable_by_others(paths.STATE_DIR) == []


def test_after_stage_personal_values_only_where_the_readme_says(staged_foi):
    """The planted requester emails: nowhere under the state folder (releases, reports,
    logs, Dagster's storage, working folders). The README says the source extract is
    the one place they are at rest; asset values are handles to it, never copies."""
    _spec, emails = staged_foi
    assert _files_holding(paths.STATE_DIR, emails) == []
