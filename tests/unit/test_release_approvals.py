"""Approval rules, the publication gate, embargo and due publications."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pipelines.release.approvals import (
    APPROVED,
    AWAITING,
    REJECTED,
    WITHDRAWN,
    ApprovalError,
    PermissionDenied,
    approve,
    find_release,
    last_published,
    reject,
    release_status,
    withdraw,
)
from pipelines.release.audit import AuditStore, Decision
from pipelines.release.embargo import default_release_time, is_due, scheduled_time
from pipelines.release.gate import PublicationRefused, check_publishable
from pipelines.release.sensor import due_publications
from pipelines.release.stage import StagingError
from pipelines.release.testing import make_spec, stage_synthetic
from pipelines.release.users import Role, User

UK = ZoneInfo("Europe/London")
STATS = User("stats.demo", frozenset({Role.statistician}))
CHAMPION = User("champion.demo", frozenset({Role.transparency_champion}))
BOTH = User("both", frozenset({Role.statistician, Role.transparency_champion, Role.admin}))
ADMIN = User("admin", frozenset({Role.admin}))
# Spec with a pre-announced time: Thursday 30 January 2025, 09:30 UK (GMT).
ANNOUNCED = datetime(2025, 1, 30, 9, 30, tzinfo=UK)


@pytest.fixture
def store(tmp_path):
    return AuditStore(f"sqlite:///{tmp_path / 'audit.sqlite'}")


@pytest.fixture
def staged(tmp_path, store):
    spec = make_spec(next_release="2025-01-30")
    return stage_synthetic(tmp_path, store, spec=spec, user="stats.demo",
                           now=datetime(2025, 1, 20, tzinfo=UTC))


def test_champion_approves_and_approval_binds_to_manifest_hash(store, staged):
    entry = approve(store, staged.path, CHAMPION, "looks right",
                    now=datetime(2025, 1, 21, tzinfo=UTC))
    assert entry.release_id == staged.id and entry.decision == Decision.approved
    assert entry.role == "transparency_champion" and entry.actor == "champion.demo"
    assert release_status(store, staged.id).state == APPROVED


@pytest.mark.parametrize("user", [STATS, ADMIN])
def test_only_a_champion_can_approve_or_reject(store, staged, user):
    with pytest.raises(PermissionDenied):
        approve(store, staged.path, user, "ok")
    with pytest.raises(PermissionDenied):
        reject(store, staged.path, user, "no")
    assert release_status(store, staged.id).state == AWAITING


def test_stager_can_never_approve_whatever_roles(tmp_path, store):
    staged = stage_synthetic(tmp_path, store, user="both")
    with pytest.raises(PermissionDenied, match="separation of duties"):
        approve(store, staged.path, BOTH, "mine")
    # Restaging by someone else does not clear the first stager.
    stage_synthetic(tmp_path, store, user="stats.demo", work="w2")
    with pytest.raises(PermissionDenied, match="separation of duties"):
        approve(store, staged.path, BOTH, "mine")
    approve(store, staged.path, CHAMPION, "independent")


@pytest.mark.parametrize("nobody", ["unknown", "", "anonymous"])
def test_anonymous_staging_is_refused(tmp_path, store, nobody):
    with pytest.raises(StagingError, match="nobody is named as the stager"):
        stage_synthetic(tmp_path, store, user=nobody)
    assert store.entries() == []


def test_approve_refuses_changed_files(store, staged):
    path = staged.path / "asylum-claims.csv"
    path.chmod(0o644)
    path.write_bytes(path.read_bytes().replace(b"120", b"999"))
    with pytest.raises(ApprovalError, match="no longer match"):
        approve(store, staged.path, CHAMPION, "ok")


def test_reject_needs_comment_and_revokes(store, staged):
    with pytest.raises(ApprovalError, match="comment"):
        reject(store, staged.path, CHAMPION, "  ")
    approve(store, staged.path, CHAMPION, "ok")
    with pytest.raises(ApprovalError, match="not awaiting"):
        approve(store, staged.path, CHAMPION, "twice")
    reject(store, staged.path, CHAMPION, "wrong quarter")
    assert release_status(store, staged.id).state == REJECTED
    with pytest.raises(ApprovalError):
        approve(store, staged.path, CHAMPION, "changed my mind")


def test_find_release_by_prefix(tmp_path, store, staged):
    assert find_release(staged.id[:10], tmp_path / "releases") == staged.path
    with pytest.raises(Exception, match="no staged release"):
        find_release("deadbeef00", tmp_path / "releases")


# -- gate --------------------------------------------------------------------

def test_gate_passes_an_approved_intact_release_after_embargo(store, staged):
    approve(store, staged.path, CHAMPION, "ok", now=datetime(2025, 1, 21, tzinfo=UTC))
    manifest = check_publishable(staged.path, store, ANNOUNCED)
    assert manifest["dataset_id"] == "asylum-claims"


def test_gate_refuses_unapproved(store, staged):
    with pytest.raises(PublicationRefused, match="not been approved"):
        check_publishable(staged.path, store, ANNOUNCED + timedelta(days=1))


def test_file_changed_after_approval_refuses_publication(store, staged):
    approve(store, staged.path, CHAMPION, "ok", now=datetime(2025, 1, 21, tzinfo=UTC))
    path = staged.path / "asylum-claims.csv"
    path.chmod(0o644)
    path.write_bytes(path.read_bytes().replace(b"87", b"88"))
    with pytest.raises(PublicationRefused) as exc:
        check_publishable(staged.path, store, ANNOUNCED)
    codes = [p.code for p in exc.value.problems]
    assert codes == ["files_changed", "hash_mismatch"]
    assert "88" not in str(exc.value)  # names the file, never the value


def test_added_file_after_approval_refuses_publication(store, staged):
    approve(store, staged.path, CHAMPION, "ok", now=datetime(2025, 1, 21, tzinfo=UTC))
    staged.path.chmod(0o755)
    (staged.path / "smuggled.csv").write_text("x\n")
    with pytest.raises(PublicationRefused, match="not in the manifest"):
        check_publishable(staged.path, store, ANNOUNCED)


def test_manifest_edited_after_approval_refuses(store, staged):
    approve(store, staged.path, CHAMPION, "ok", now=datetime(2025, 1, 21, tzinfo=UTC))
    path = staged.path / "manifest.json"
    path.chmod(0o644)
    path.write_bytes(path.read_bytes().replace(b'"rating":5', b'"rating":4'))
    with pytest.raises(PublicationRefused, match="manifest"):
        check_publishable(staged.path, store, ANNOUNCED)


@pytest.mark.parametrize("decision", ["reject", "withdraw"])
def test_rejection_or_withdrawal_after_approval_refuses(store, staged, decision):
    approve(store, staged.path, CHAMPION, "ok", now=datetime(2025, 1, 21, tzinfo=UTC))
    if decision == "reject":
        reject(store, staged.path, CHAMPION, "spotted an error")
    else:
        withdraw(store, "asylum-claims", STATS, "source data recalled")
    with pytest.raises(PublicationRefused, match="rejected|withdrawn"):
        check_publishable(staged.path, store, ANNOUNCED)


def test_embargo_not_one_second_early(store, staged):
    approve(store, staged.path, CHAMPION, "ok", now=datetime(2025, 1, 21, tzinfo=UTC))
    with pytest.raises(PublicationRefused, match="embargoed until 2025-01-30T09:30:00"):
        check_publishable(staged.path, store, ANNOUNCED - timedelta(seconds=1))
    check_publishable(staged.path, store, ANNOUNCED)
    assert due_publications(store, ANNOUNCED - timedelta(seconds=1),
                            staged.path.parent.parent) == []
    [due] = due_publications(store, ANNOUNCED, staged.path.parent.parent)
    assert due.release_id == staged.id and due.scheduled_at == ANNOUNCED
    assert due.period == "2024-Q4"


def test_approved_after_its_time_is_due_at_once(store, staged):
    late = ANNOUNCED + timedelta(days=3)
    approve(store, staged.path, CHAMPION, "late", now=late)
    [due] = due_publications(store, late, staged.path.parent.parent)
    assert due.release_id == staged.id
    check_publishable(staged.path, store, late)


def test_published_and_withdrawn_releases_are_not_due(store, staged):
    root = staged.path.parent.parent
    approve(store, staged.path, CHAMPION, "ok", now=datetime(2025, 1, 21, tzinfo=UTC))
    store.record(actor="fivestar-publisher", role="system", dataset_id="asylum-claims",
                 release_id=staged.id, decision=Decision.published)
    assert due_publications(store, ANNOUNCED, root) == []
    assert last_published(store, "asylum-claims", root) == (staged.id, staged.path)
    result = withdraw(store, "asylum-claims", STATS, "error in source")
    assert result.was_published
    assert release_status(store, staged.id).state == WITHDRAWN
    assert last_published(store, "asylum-claims", root) is None


def test_withdraw_needs_a_role_and_a_reason(store, staged):
    with pytest.raises(PermissionDenied):
        withdraw(store, "asylum-claims", ADMIN, "x")
    with pytest.raises(ApprovalError):
        withdraw(store, "asylum-claims", STATS, "")


def test_default_release_time_is_next_weekday_0930_uk():
    # Friday 10:00 UK → Monday 09:30 UK.
    fri = datetime(2025, 1, 31, 10, 0, tzinfo=UK)
    assert default_release_time(fri) == datetime(2025, 2, 3, 9, 30, tzinfo=UK)
    # Before 09:30 on a weekday → the same day.
    tue = datetime(2025, 7, 1, 7, 0, tzinfo=UTC)  # 08:00 BST
    assert default_release_time(tue) == datetime(2025, 7, 1, 9, 30, tzinfo=UK)
    assert default_release_time(tue).astimezone(UTC).hour == 8  # BST offset honoured
    # Exactly 09:30 counts.
    at = datetime(2025, 7, 1, 9, 30, tzinfo=UK)
    assert default_release_time(at) == at


def test_scheduled_time_precedence():
    approved = datetime(2025, 1, 31, 10, 0, tzinfo=UK)
    chosen = datetime(2025, 2, 5, 9, 30, tzinfo=UK)
    announced = {"catalogue": {"release_date": "2025-02-06T09:30:00+00:00"}}
    assert scheduled_time(announced, approved, chosen) == datetime(2025, 2, 6, 9, 30,
                                                                   tzinfo=UTC)
    assert scheduled_time({}, approved, chosen) == chosen
    assert scheduled_time({}, approved) == datetime(2025, 2, 3, 9, 30, tzinfo=UK)
    assert not is_due(chosen, chosen - timedelta(microseconds=1))
    assert is_due(chosen, chosen)


def test_unannounced_release_waits_for_next_weekday_0930(tmp_path, store):
    staged = stage_synthetic(tmp_path, store, spec=make_spec())
    sat = datetime(2025, 2, 1, 12, 0, tzinfo=UK)
    approve(store, staged.path, CHAMPION, "ok", now=sat)
    monday = datetime(2025, 2, 3, 9, 30, tzinfo=UK)
    with pytest.raises(PublicationRefused, match="embargoed"):
        check_publishable(staged.path, store, monday - timedelta(seconds=1))
    check_publishable(staged.path, store, monday)


def test_republishing_an_older_release_after_a_newer_one_is_refused(tmp_path, store, staged):
    approve(store, staged.path, CHAMPION, "ok", now=datetime(2025, 1, 21, tzinfo=UTC))
    store.record(actor="p", role="system", dataset_id="asylum-claims", release_id=staged.id,
                 decision=Decision.published)
    check_publishable(staged.path, store, ANNOUNCED)  # same release again: idempotent
    newer = stage_synthetic(tmp_path, store, spec=make_spec(next_release="2025-01-30"),
                            rows=[("A", "2024-Q4", 1)], work="w2")
    approve(store, newer.path, CHAMPION, "ok", now=datetime(2025, 1, 21, tzinfo=UTC))
    store.record(actor="p", role="system", dataset_id="asylum-claims", release_id=newer.id,
                 decision=Decision.published)
    with pytest.raises(PublicationRefused, match="newer release"):
        check_publishable(staged.path, store, ANNOUNCED)
