"""The review service's rules: identities, tickets, decisions, the gate, publication records.

Each ``test_attack_*`` is a finding of the adversarial review (issue 10),
replayed against the service's core: it must now fail.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import jwt
import pytest

from fivestar_dev.synthetic_release import make_authority, make_spec, register, stage_synthetic
from pipelines.release.approvals import (
    APPROVED,
    AWAITING,
    PUBLISHED,
    REJECTED,
    WITHDRAWN,
    ApprovalError,
    PermissionDenied,
    release_status,
)
from pipelines.release.audit import Decision
from pipelines.release.authority import NotAuthenticated, StagingRefused
from pipelines.release.embargo import default_release_time, is_due, scheduled_time
from pipelines.release.gate import PublicationRefused
from pipelines.release.keys import ServiceKeys
from pipelines.release.sensor import SWITCH_GRACE
from pipelines.release.signed import TICKET, sign
from pipelines.release.stage import release_payload
from pipelines.reports import ReportFile
from tests.unit.fake_ckan import FakeCKAN

UK = ZoneInfo("Europe/London")
# Spec with a pre-announced time: Thursday 30 January 2025, 09:30 UK (GMT).
ANNOUNCED = datetime(2025, 1, 30, 9, 30, tzinfo=UK)
BEFORE = datetime(2025, 1, 21, 10, tzinfo=UTC)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock(BEFORE)


@pytest.fixture
def ckan():
    return FakeCKAN()


@pytest.fixture(scope="module")
def both_hash():
    from pipelines.release.users import hash_password

    return hash_password("both-roles-password")  # argon2 is slow: once per module


@pytest.fixture
def authority(tmp_path, clock, ckan, both_hash):
    a = make_authority(tmp_path, clock=clock, ckan=lambda: ckan)
    directory = a.users()
    directory.records["both.roles"] = {"name": "", "password_hash": both_hash, "roles": [
        "admin", "statistician", "transparency_champion"]}
    directory.save()
    return a


@pytest.fixture
def staged(tmp_path, authority):
    return stage_synthetic(tmp_path, authority, spec=make_spec(next_release="2025-01-30"))


def u(authority, name):
    return authority.user(name)


def test_champion_approves_and_approval_binds_to_manifest_hash(authority, staged):
    entry = authority.approve(u(authority, "champion.demo"), staged.id[:10], "looks right")
    assert entry.release_id == staged.id and entry.decision == Decision.approved
    assert entry.role == "transparency_champion" and entry.actor == "champion.demo"
    assert entry.detail["reports"] == {n: r["sha256"]
                                       for n, r in staged.manifest["reports"].items()}
    assert authority.release(staged.id).status.state == APPROVED


@pytest.mark.parametrize("name", ["stats.demo", "admin.demo", "ops.demo", "fivestar-publisher"])
def test_only_a_champion_can_approve_or_reject(authority, staged, name):
    with pytest.raises(PermissionDenied):
        authority.approve(u(authority, name), staged.id, "ok")
    with pytest.raises(PermissionDenied):
        authority.reject(u(authority, name), staged.id, "no")
    assert authority.release(staged.id).status.state == AWAITING


def test_stager_is_recorded_with_their_actual_role(authority, staged):
    [entry] = authority.store.entries(decision=Decision.staged)
    assert (entry.actor, entry.role) == ("stats.demo", "statistician")
    assert entry.detail["ticket"] and set(entry.detail["reports"]) == {
        "diff", "redaction", "validation", "validation_html"}


def test_attack_champion_cannot_stage_at_all(authority):
    """Finding 2: the champion staged as someone else, then approved."""
    with pytest.raises(PermissionDenied, match="only a statistician"):
        authority.issue_ticket(u(authority, "champion.demo"), "asylum-claims")


def test_attack_stager_can_never_approve_whatever_roles(tmp_path, authority):
    staged = stage_synthetic(tmp_path, authority, user="both.roles")
    both = u(authority, "both.roles")
    with pytest.raises(PermissionDenied, match="separation of duties"):
        authority.approve(both, staged.id, "mine")
    # Restaging by someone else does not clear the first stager.
    stage_synthetic(tmp_path, authority, user="stats.demo", work="w2")
    with pytest.raises(PermissionDenied, match="separation of duties"):
        authority.approve(both, staged.id, "mine")
    authority.approve(u(authority, "champion.demo"), staged.id, "independent")


def staged_payload(tmp_path):
    """A synthetic staged release: its spec, manifest bytes and reports."""
    from fivestar_dev.synthetic_release import (
        STARS,
        converted_files,
        synthetic_reports,
        write_converted,
    )
    from pipelines.release.stage import stage_release

    spec = make_spec()
    converted = write_converted(tmp_path / "c", [("A", "2024-Q4", 1)])
    staged = stage_release(spec, converted, converted_files(), synthetic_reports(),
                           extract_sha256="b" * 64, period="2024-Q4", stars=STARS,
                           releases_root=tmp_path / "releases", pipeline_version="t")
    manifest, reports = release_payload(staged)
    return spec, manifest, reports


def test_attack_forged_expired_reused_or_misdirected_tickets_are_refused(tmp_path, authority,
                                                                         clock):
    spec, manifest, reports = staged_payload(tmp_path)
    stats = u(authority, "stats.demo")

    other_keys = ServiceKeys.create(tmp_path / "attacker-keys")
    forged = sign(other_keys, TICKET, {"sub": "stats.demo", "role": "statistician",
                                       "dataset": spec.id, "period": None}, timedelta(hours=1))
    with pytest.raises(NotAuthenticated, match="key this service does not hold"):
        authority.register_staging(forged, manifest, reports)

    genuine, _ = authority.issue_ticket(stats, spec.id)
    claims = jwt.decode(genuine, options={"verify_signature": False})
    tampered = jwt.encode({**claims, "sub": "both.roles"}, "k" * 32, algorithm="HS256",
                          headers={"kid": authority.keys.kid})
    with pytest.raises(NotAuthenticated, match="forged"):
        authority.register_staging(tampered, manifest, reports)

    elsewhere, _ = authority.issue_ticket(stats, "visas")
    with pytest.raises(StagingRefused, match="another dataset"):
        authority.register_staging(elsewhere, manifest, reports)

    old, _ = authority.issue_ticket(stats, spec.id)
    clock.now = BEFORE + timedelta(hours=2)
    with pytest.raises(NotAuthenticated, match="expired"):
        authority.register_staging(old, manifest, reports)

    fresh, _ = authority.issue_ticket(stats, spec.id)
    authority.register_staging(fresh, manifest, reports)
    with pytest.raises(NotAuthenticated, match="already been used"):
        authority.register_staging(fresh, manifest, reports)
    assert [e.actor for e in authority.store.entries(decision=Decision.staged)] == ["stats.demo"]


def test_a_ticket_is_checked_when_the_run_starts_and_binds_it_to_that_run(tmp_path,
                                                                        authority, clock):
    """Issue 10: the 30 minutes were checked only when the last step registered, so a long
    run failed there, and a stolen ticket staged from any run until it was spent."""
    from pipelines.release.authority import CLAIMED_TTL

    spec, manifest, reports = staged_payload(tmp_path)
    stats = u(authority, "stats.demo")
    start = clock.now

    # expired before the run started: refused at the start, not at the end
    late, _ = authority.issue_ticket(stats, spec.id)
    clock.now = start + timedelta(minutes=31)
    with pytest.raises(NotAuthenticated, match="expired"):
        authority.claim_ticket(late, "run-late", spec.id)
    clock.now = start

    ticket, _ = authority.issue_ticket(stats, spec.id)
    with pytest.raises(StagingRefused, match="another dataset"):
        authority.claim_ticket(ticket, "run-1", "visas")
    authority.claim_ticket(ticket, "run-1", spec.id)
    authority.claim_ticket(ticket, "run-1", spec.id)  # a retried first step: the same claim
    # stolen after the run started: no other run can claim it or stage with it
    with pytest.raises(NotAuthenticated, match="claimed by another run"):
        authority.claim_ticket(ticket, "run-thief", spec.id)
    with pytest.raises(NotAuthenticated, match="claimed by another run"):
        authority.register_staging(ticket, manifest, reports, "run-thief")
    with pytest.raises(NotAuthenticated, match="claimed by another run"):
        authority.register_staging(ticket, manifest, reports)
    # a long run: three hours after the ticket's 30 minutes, its own last step registers
    clock.now = start + timedelta(hours=3)
    entry = authority.register_staging(ticket, manifest, reports, "run-1")
    assert (entry.actor, entry.decision) == ("stats.demo", Decision.staged)
    # one use, still
    with pytest.raises(NotAuthenticated, match="already been used"):
        authority.register_staging(ticket, manifest, reports, "run-1")
    clock.now = start
    with pytest.raises(NotAuthenticated, match="already been used"):
        authority.claim_ticket(ticket, "run-1", spec.id)
    # a claim is bounded: a run that outlives it must stage again
    other, _ = authority.issue_ticket(stats, spec.id)
    authority.claim_ticket(other, "run-2", spec.id)
    clock.now = start + CLAIMED_TTL + timedelta(minutes=1)
    with pytest.raises(NotAuthenticated, match="lapsed"):
        authority.register_staging(other, manifest, reports, "run-2")


def test_a_ticket_claimed_as_its_run_was_queued_still_starts_the_run_after_its_ticket_expired(
        tmp_path, authority, clock):
    """`fivestar stage` on the distributed profile claims each ticket as its run enters the
    queue; the run's first step claims it again when a worker starts it, maybe after the
    ticket's 30 minutes (a long queue): that is the same claim, not a fresh ticket."""
    from pipelines.release.signed import TICKET_TTL

    spec, manifest, reports = staged_payload(tmp_path)
    stats = u(authority, "stats.demo")
    start = clock.now
    ticket, _ = authority.issue_ticket(stats, spec.id)
    queued = authority.claim_ticket(ticket, "run-1", spec.id)
    clock.now = start + TICKET_TTL + timedelta(minutes=20)  # it waited in the queue
    assert authority.claim_ticket(ticket, "run-1", spec.id) == queued
    with pytest.raises(NotAuthenticated, match="claimed by another run"):
        authority.claim_ticket(ticket, "run-thief", spec.id)
    entry = authority.register_staging(ticket, manifest, reports, "run-1")
    assert (entry.actor, entry.decision) == ("stats.demo", Decision.staged)
    # never claimed while valid: the expired ticket starts nothing
    unclaimed, _ = authority.issue_ticket(stats, spec.id)
    clock.now += TICKET_TTL + timedelta(minutes=1)
    with pytest.raises(NotAuthenticated, match="expired"):
        authority.claim_ticket(unclaimed, "run-2", spec.id)


def test_attack_a_ticket_is_not_a_publication_authorisation(authority, staged):
    from pipelines.release.signed import AUTHORISATION, SignatureRefused, verify

    ticket, _ = authority.issue_ticket(u(authority, "stats.demo"), staged.manifest["dataset_id"])
    with pytest.raises(SignatureRefused, match="not a publication"):
        verify(authority.keys.public_key, ticket, AUTHORISATION, now=BEFORE)


def test_staging_refuses_reports_that_differ_from_the_manifest(tmp_path, authority):
    staged = stage_synthetic(tmp_path, None, spec=make_spec())
    manifest, reports = release_payload(staged)
    ticket, _ = authority.issue_ticket(u(authority, "stats.demo"), staged.manifest["dataset_id"])
    with pytest.raises(StagingRefused, match="report does not match"):
        authority.register_staging(ticket, manifest, {**reports, "diff": b'{"forged":1}'})
    with pytest.raises(StagingRefused, match="not the ones the manifest lists"):
        authority.register_staging(ticket, manifest, {"diff": reports["diff"]})


def test_approve_refuses_changed_files(authority, staged):
    path = staged.path / "asylum-claims.csv"
    path.chmod(0o644)
    path.write_bytes(path.read_bytes().replace(b"120", b"999"))
    with pytest.raises(ApprovalError, match="no longer match"):
        authority.approve(u(authority, "champion.demo"), staged.id, "ok")


def test_attack_forged_report_in_the_release_folder(authority, staged, clock):
    """Finding 8: a forged diff shown to the champion; the approval still passed."""
    diff = staged.path / "reports" / "diff.json"
    diff.chmod(0o644)
    diff.write_text('{"first_release": true, "rows": {"removed": 0}}')
    info = authority.release(staged.id)
    shown = authority.report(info, "diff")  # the service's own copy, as staged
    assert shown.first_release is True and shown.rows is None
    with pytest.raises(ApprovalError) as exc:
        authority.approve(u(authority, "champion.demo"), staged.id, "ok")
    assert "reports/diff.json" in str(exc.value)


def test_attack_report_forged_after_approval_refuses_publication(authority, staged, clock):
    authority.approve(u(authority, "champion.demo"), staged.id, "ok")
    red = staged.path / "reports" / "redaction.json"
    red.chmod(0o644)
    red.write_text('{"suppressed_primary": 0}')
    clock.now = ANNOUNCED
    with pytest.raises(PublicationRefused, match="differ from the approved manifest"):
        authority.begin_publication(u(authority, "fivestar-publisher"), staged.id)
    [refusal] = authority.store.entries(decision=Decision.publication_refused)
    assert "size-mismatch" in refusal.comment and refusal.actor == "fivestar-publisher"


def test_attack_symlinks_inside_a_release_are_refused(authority, staged, clock):
    authority.approve(u(authority, "champion.demo"), staged.id, "ok")
    csv_path = staged.path / "asylum-claims.csv"
    content = csv_path.read_bytes()
    outside = staged.path.parent.parent / "outside.csv"
    outside.write_bytes(content)  # same bytes: only the link itself is wrong
    csv_path.chmod(0o644)
    csv_path.unlink()
    csv_path.symlink_to(outside)
    clock.now = ANNOUNCED
    with pytest.raises(PublicationRefused) as exc:
        authority.begin_publication(u(authority, "fivestar-publisher"), staged.id)
    assert "symlink" in {p.code for p in exc.value.problems}


def test_reject_needs_comment_and_revokes(authority, staged):
    champion = u(authority, "champion.demo")
    with pytest.raises(ApprovalError, match="comment"):
        authority.reject(champion, staged.id, "  ")
    authority.approve(champion, staged.id, "ok")
    with pytest.raises(ApprovalError, match="not awaiting"):
        authority.approve(champion, staged.id, "twice")
    authority.reject(champion, staged.id, "wrong quarter")
    assert authority.release(staged.id).status.state == REJECTED
    with pytest.raises(ApprovalError):
        authority.approve(champion, staged.id, "changed my mind")


def test_resolve_by_prefix(authority, staged):
    assert authority.resolve(staged.id[:10]) == staged.id
    with pytest.raises(Exception, match="no staged release"):
        authority.resolve("deadbeef00")


# -- the gate ------------------------------------------------------------------


def _approve(authority, staged, now=BEFORE):
    authority.clock = Clock(now)
    return authority.approve(u(authority, "champion.demo"), staged.id, "ok")


def _begin(authority, staged, now=ANNOUNCED):
    authority.clock = Clock(now)
    return authority.begin_publication(u(authority, "fivestar-publisher"), staged.id)


def test_gate_passes_an_approved_intact_release_after_embargo(authority, staged):
    _approve(authority, staged)
    plan = _begin(authority, staged)
    assert plan.dataset_id == "asylum-claims" and plan.release_id == staged.id


def test_gate_refuses_unapproved_and_records_it(authority, staged):
    with pytest.raises(PublicationRefused, match="not been approved"):
        _begin(authority, staged)
    [e] = authority.store.entries(decision=Decision.publication_refused)
    assert (e.actor, e.role, e.comment) == ("fivestar-publisher", "publisher", "not-approved")


def test_embargo_not_one_second_early(authority, staged):
    _approve(authority, staged)
    with pytest.raises(PublicationRefused, match="embargoed until 2025-01-30T09:30:00"):
        _begin(authority, staged, ANNOUNCED - timedelta(seconds=1))
    _begin(authority, staged, ANNOUNCED)
    assert authority.due(ANNOUNCED - timedelta(seconds=1)) == []


@pytest.mark.parametrize("decision", ["reject", "withdraw"])
def test_rejection_or_withdrawal_after_approval_refuses(authority, staged, decision):
    _approve(authority, staged)
    if decision == "reject":
        authority.reject(u(authority, "champion.demo"), staged.id, "spotted an error")
    else:
        authority.withdraw(u(authority, "stats.demo"), "asylum-claims", "source data recalled")
    with pytest.raises(PublicationRefused, match="rejected|withdrawn"):
        _begin(authority, staged)


def test_attack_broken_chain_refuses_publication(authority, staged, tmp_path):
    """Finding 4: the gate passed on a tampered log; now it refuses."""
    import sqlite3

    _approve(authority, staged)
    con = sqlite3.connect(tmp_path / "review" / "audit.sqlite", isolation_level=None)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET comment = 'edited' WHERE id = 1")
    con.close()
    with pytest.raises(PublicationRefused, match="audit log does not verify"):
        _begin(authority, staged)


def test_attack_withdrawal_during_publication_wins(authority, staged, ckan):
    """Finding 1, at the service: a withdrawal recorded while the upload ran must win."""
    _approve(authority, staged)
    publisher = u(authority, "fivestar-publisher")
    _begin(authority, staged)
    authority.withdraw(u(authority, "stats.demo"), "asylum-claims", "recalled", catalogue=False)
    with pytest.raises(PublicationRefused, match="withdrawn"):
        authority.record_published(publisher, staged.id, "http://ckan/dataset/asylum-claims")
    # the withdrawal wins in the catalogue too: its notice, the files removed again
    last = ckan.patches()[-1]
    assert last["private"] is False and last["withdrawn"] == "true"
    assert last["withdrawn_reason"] == "recalled"
    assert ckan.calls[-2] == ("resource_delete", {"id": "r1"})
    decisions = [e.decision for e in authority.store.entries(release_id=staged.id)]
    assert Decision.published not in decisions
    assert decisions.index(Decision.withdrawn) < decisions.index(Decision.publication_refused)
    assert authority.release(staged.id).status.state == WITHDRAWN


def test_rejection_during_publication_wins_too(authority, staged, ckan):
    _approve(authority, staged)
    _begin(authority, staged)
    authority.reject(u(authority, "champion.demo"), staged.id, "wrong figures")
    with pytest.raises(PublicationRefused, match="rejected"):
        authority.record_published(u(authority, "fivestar-publisher"), staged.id, "x")
    assert ckan.patches()[-1]["private"] is True


def test_publication_is_recorded_with_the_real_user_and_role(authority, staged):
    _approve(authority, staged)
    _begin(authority, staged)
    entry = authority.record_published(u(authority, "ops.demo"), staged.id, "http://ckan/x")
    assert (entry.actor, entry.role) == ("ops.demo", "operator")
    assert authority.release(staged.id).status.state == PUBLISHED
    assert authority.last_published("asylum-claims") == staged.id


def test_failures_are_recorded_and_back_off_then_a_new_run_key(authority, staged):
    _approve(authority, staged)
    [first] = authority.due(ANNOUNCED)
    authority.clock = Clock(ANNOUNCED)
    authority.record_failure(u(authority, "fivestar-publisher"), staged.id, ["CKANAPIError"])
    assert authority.due(ANNOUNCED + timedelta(seconds=59)) == []  # backing off
    [again] = authority.due(ANNOUNCED + timedelta(seconds=60))
    assert again.failures == 1 and again.run_key != first.run_key
    [e] = authority.store.entries(decision=Decision.publication_failed)
    assert (e.actor, e.comment) == ("fivestar-publisher", "CKANAPIError")


def test_a_statistician_or_champion_may_trigger_but_not_anyone(authority, staged):
    _approve(authority, staged)
    from pipelines.release.users import User

    nobody = User("viewer", frozenset())  # an account with no role at all
    with pytest.raises(PermissionDenied):
        authority.record_failure(nobody, staged.id, ["x"])


def test_republishing_an_older_release_after_a_newer_one_is_refused(tmp_path, authority,
                                                                    staged):
    publisher = u(authority, "fivestar-publisher")
    _approve(authority, staged)
    _begin(authority, staged)
    authority.record_published(publisher, staged.id, "x")
    _begin(authority, staged)  # the same release again: idempotent
    newer = stage_synthetic(tmp_path, authority, spec=make_spec(next_release="2025-01-30"),
                            rows=[("A", "2024-Q4", 1)], work="w2")
    _approve(authority, newer)
    _begin(authority, newer)
    authority.record_published(publisher, newer.id, "x")
    with pytest.raises(PublicationRefused, match="newer release"):
        _begin(authority, staged)


def test_republishing_the_same_release_records_it_once(authority, staged):
    publisher = u(authority, "fivestar-publisher")
    _approve(authority, staged)
    _begin(authority, staged)
    first = authority.record_published(publisher, staged.id, "http://ckan/x")
    _begin(authority, staged)  # a rerun of the publication
    assert authority.record_published(publisher, staged.id, "http://ckan/x").id == first.id
    decisions = [e.decision for e in authority.store.entries(release_id=staged.id)]
    assert decisions.count(Decision.published) == 1
    assert authority.verify().ok


# -- withdrawal ----------------------------------------------------------------


def test_published_then_withdrawn_leaves_a_notice_in_the_catalogue(authority, staged, ckan):
    _approve(authority, staged)
    _begin(authority, staged)
    authority.record_published(u(authority, "fivestar-publisher"), staged.id, "x")
    result = authority.withdraw(u(authority, "champion.demo"), "asylum-claims",
                                "Error found in the published figures")
    assert result.was_published and result.catalogue_error is None
    # recorded first; then the files go, then the page says withdrawn (still public)
    assert [n for n, _ in ckan.calls] == ["package_show", "resource_delete", "package_patch"]
    [patch] = ckan.patches()
    assert patch["private"] is False and patch["withdrawn"] == "true"
    assert patch["withdrawn_reason"] == "Error found in the published figures"
    assert "Error found in the published figures" in patch["notes"]
    [entry] = authority.store.entries(decision=Decision.withdrawn)
    assert entry.detail == {"mode": "notice"}
    assert authority.last_published("asylum-claims") is None
    assert authority.due(ANNOUNCED) == []


def test_withdraw_needs_a_role_and_a_reason(authority, staged):
    with pytest.raises(PermissionDenied):
        authority.withdraw(u(authority, "admin.demo"), "asylum-claims", "x")
    with pytest.raises(ApprovalError):
        authority.withdraw(u(authority, "stats.demo"), "asylum-claims", "")


def test_catalogue_failure_keeps_the_decision(tmp_path, clock, staged):
    class Down:
        @property
        def action(self):
            raise ConnectionError("down")

    authority = make_authority(tmp_path, clock=clock, ckan=lambda: Down())
    result = authority.withdraw(authority.user("stats.demo"), "asylum-claims", "recalled")
    assert result.catalogue_error == "ConnectionError"
    assert authority.release(staged.id).status.state == WITHDRAWN


@pytest.mark.parametrize("accepts", [True, False])
def test_withdraw_from_catalogue_patches_private_with_reason(accepts):
    from pipelines.release.approvals import withdraw_from_catalogue

    ckan = FakeCKAN(accepts)
    withdraw_from_catalogue(ckan, "asylum-claims", "source data recalled", "private")
    names = [n for n, _ in ckan.calls]
    assert "package_update" not in names and names[-1] == "package_patch"
    patch = ckan.calls[-1][1]
    assert patch["private"] is True
    assert patch["notes"].startswith("Quarterly claims.\n\n**Withdrawn on ")
    assert patch["notes"].endswith("source data recalled")
    assert ("withdrawn_reason" in patch) == accepts


def test_withdraw_from_catalogue_delete_mode_patches_then_deletes():
    from pipelines.release.approvals import withdraw_from_catalogue

    ckan = FakeCKAN()
    withdraw_from_catalogue(ckan, "asylum-claims", "duplicate", "delete")
    assert [n for n, _ in ckan.calls] == ["package_show", "package_patch", "package_delete"]
    with pytest.raises(ValueError):
        withdraw_from_catalogue(ckan, "asylum-claims", "x", "purge")


# -- embargo rules ---------------------------------------------------------------


def test_default_release_time_is_next_weekday_0930_uk():
    fri = datetime(2025, 1, 31, 10, 0, tzinfo=UK)
    assert default_release_time(fri) == datetime(2025, 2, 3, 9, 30, tzinfo=UK)
    tue = datetime(2025, 7, 1, 7, 0, tzinfo=UTC)  # 08:00 BST
    assert default_release_time(tue) == datetime(2025, 7, 1, 9, 30, tzinfo=UK)
    assert default_release_time(tue).astimezone(UTC).hour == 8  # BST offset honoured
    at = datetime(2025, 7, 1, 9, 30, tzinfo=UK)
    assert default_release_time(at) == at


def test_scheduled_time_precedence():
    approved = datetime(2025, 1, 31, 10, 0, tzinfo=UK)
    chosen = datetime(2025, 2, 5, 9, 30, tzinfo=UK)
    announced = {"catalogue": {"release_date": "2025-02-06T09:30:00+00:00"}}
    assert scheduled_time(announced, approved, chosen) == datetime(2025, 2, 6, 9, 30,
                                                                   tzinfo=UTC)
    assert scheduled_time({"catalogue": {}}, approved, chosen) == chosen
    assert scheduled_time({"catalogue": {}}, approved) == datetime(2025, 2, 3, 9, 30, tzinfo=UK)
    assert not is_due(chosen, chosen - timedelta(microseconds=1))
    assert is_due(chosen, chosen)


def test_unannounced_release_waits_for_next_weekday_0930(tmp_path, authority):
    staged = stage_synthetic(tmp_path, authority, spec=make_spec())
    sat = datetime(2025, 2, 1, 12, 0, tzinfo=UK)
    _approve(authority, staged, sat)
    monday = datetime(2025, 2, 3, 9, 30, tzinfo=UK)
    with pytest.raises(PublicationRefused, match="embargoed"):
        _begin(authority, staged, monday - timedelta(seconds=1))
    _begin(authority, staged, monday)


def test_champion_chosen_time(authority, tmp_path):
    staged = stage_synthetic(tmp_path, authority, spec=make_spec())
    chosen = datetime(2025, 1, 22, 7, 0, tzinfo=UTC)
    authority.approve(u(authority, "champion.demo"), staged.id, "ok", release_at=chosen)
    assert [d.scheduled_at for d in authority.due(chosen)] == [chosen]
    with pytest.raises(ApprovalError, match="timezone"):
        authority.approve(u(authority, "champion.demo"),
                          stage_synthetic(tmp_path, authority, spec=make_spec(),
                                          rows=[("B", "2024-Q4", 2)], work="w3").id,
                          "ok", release_at=datetime(2025, 1, 22, 7, 0))


def test_status_replays_the_log(authority, staged):
    status = release_status(authority.store, staged.id)
    assert status.state == AWAITING and status.stagers == {"stats.demo"}


def test_register_helper_needs_a_known_user(authority, staged):
    with pytest.raises(ValueError):
        register(authority, staged, "nobody.at.all")


# -- finding 10 (follow-up): a publisher killed at the switch --------------------


class CatalogueShowing(FakeCKAN):
    """A catalogue whose dataset shows ``release_id`` public (or ``private``)."""

    def __init__(self, release_id=None, private=False):
        super().__init__()
        self.release_id, self.private = release_id, private

    def __getattr__(self, name):
        if name == "package_show":
            return lambda **kw: {"name": kw["id"], "private": self.private,
                                 "release_id": self.release_id, "resources": []}
        return super().__getattr__(name)


def _killed_at_the_switch(authority, staged):
    """Approve, begin, pass the last check (the intent), then die: no outcome recorded."""
    _approve(authority, staged)
    _begin(authority, staged)
    intent = authority.authorise_switch(u(authority, "fivestar-publisher"), staged.id)
    assert intent.decision == Decision.publishing
    return intent


def test_attack_a_publisher_killed_after_the_switch_is_reconciled_and_audited(
        tmp_path, clock, staged):
    """Killed between making the dataset public and recording it: the audit log showed
    nothing; now the next attempt finds the intent, sees the release public in the
    catalogue and records the publication, once."""
    ckan = CatalogueShowing(release_id="0" * 64)  # the previous release is public
    authority = make_authority(tmp_path, clock=clock, ckan=lambda: ckan)
    intent = _killed_at_the_switch(authority, staged)
    assert authority.release(staged.id).status.pending_switch == intent
    with pytest.raises(PublicationRefused, match="another attempt is switching"):
        _begin(authority, staged, intent.at + timedelta(minutes=1))  # may still be switching
    assert [e.decision for e in authority.store.entries(release_id=staged.id)][-1] == \
        Decision.publishing  # a concurrent attempt is not recorded

    ckan.release_id = staged.id  # the switch had happened before the kill
    _begin(authority, staged, intent.at + timedelta(minutes=1))
    published = authority.store.entries(release_id=staged.id, decision=Decision.published)
    assert len(published) == 1 and published[0].detail["reconciled"] == intent.id
    assert published[0].actor == "fivestar-publisher"
    assert authority.release(staged.id).status.state == PUBLISHED
    assert authority.due(intent.at + SWITCH_GRACE) == []
    # the rerun's own record is the same entry, not a second publication
    again = authority.record_published(u(authority, "fivestar-publisher"), staged.id, "x")
    assert again.id == published[0].id
    assert authority.verify().ok


def test_the_sensor_asks_again_once_an_intent_outlives_the_switch(tmp_path, clock, staged):
    authority = make_authority(tmp_path, clock=clock, ckan=lambda: CatalogueShowing())
    intent = _killed_at_the_switch(authority, staged)
    [due] = authority.due(intent.at + timedelta(minutes=1))
    assert due.interrupted is None  # the same run key: that attempt may still be switching
    [due] = authority.due(intent.at + SWITCH_GRACE)
    assert due.interrupted == intent.id and due.run_key.endswith(f"-i{intent.id}")


def test_a_publisher_killed_before_the_switch_is_recorded_as_interrupted(
        tmp_path, clock, staged):
    ckan = CatalogueShowing(release_id="0" * 64)  # the previous release is still public
    authority = make_authority(tmp_path, clock=clock, ckan=lambda: ckan)
    intent = _killed_at_the_switch(authority, staged)
    plan = _begin(authority, staged, intent.at + SWITCH_GRACE)
    assert plan.release_id == staged.id  # this attempt goes on
    [failed] = authority.store.entries(release_id=staged.id,
                                       decision=Decision.publication_failed)
    assert failed.detail == {"codes": ["interrupted"], "reconciled": intent.id}
    assert authority.release(staged.id).status.pending_switch is None
    assert not authority.store.entries(release_id=staged.id, decision=Decision.published)


def test_attack_a_withdrawal_before_the_switch_stops_it(authority, staged):
    """Finding 1, before the switch: the last check under the lock refuses, recorded."""
    _approve(authority, staged)
    _begin(authority, staged)
    authority.withdraw(u(authority, "stats.demo"), "asylum-claims", "recalled", catalogue=False)
    with pytest.raises(PublicationRefused, match="withdrawn"):
        authority.authorise_switch(u(authority, "fivestar-publisher"), staged.id)
    decisions = [e.decision for e in authority.store.entries(release_id=staged.id)]
    assert Decision.publishing not in decisions
    assert decisions[-2:] == [Decision.withdrawn, Decision.publication_refused]


def test_a_report_that_is_not_its_contract_is_shown_as_missing(authority, tmp_path):
    """A report bound by hash but not of its contract's shape is never interpreted."""
    staged = stage_synthetic(tmp_path / "odd", authority, reports={
        "redaction": ReportFile("redaction.json", b'{"suppressed_primary": 0}')})
    info = authority.release(staged.id)
    assert authority.report(info, "redaction") is None
    assert authority.report(info, "validation_html") is None  # HTML is served, not read
    assert authority.report(info, "diff").first_release is True


def test_audit_every_graph_in_service_yaml_checks_every_live_graph(authority, monkeypatch):
    """By default the audit reads only the live graphs of this service's datasets (several
    services may share a store); ``audit_every_graph: true`` in ``service.yaml`` (one
    service per store) makes every live graph one the log must explain."""
    from pipelines.catalogue import content
    from pipelines.linkeddata.store import LIVE
    from tests.unit.test_linked_release import GraphStore

    store = GraphStore()
    stranger = "https://x.example/graph/never-recorded/" + "a" * 64
    store.held[(LIVE, stranger)] = b"<http://a> <http://b> <http://c> .\n"
    monkeypatch.setattr(content, "linked_data_store", lambda publisher=False: store)
    assert authority.verify_linked_data() == (0, [])
    config = authority.home.config_path
    config.write_text(config.read_text(encoding="utf-8") + "audit_every_graph: true\n",
                      encoding="utf-8")
    checked, breaks = authority.verify_linked_data()
    assert checked == 1 and [(b.code, stranger in b.message) for b in breaks] == \
        [("linked-unpublished", True)]
