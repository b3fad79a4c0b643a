"""The release calendar: working days, the schedule, announcements, changes, the iCal feed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from pipelines.errors import SpecError
from pipelines.release.audit import AuditStore, Decision
from pipelines.release.embargo import default_release_time
from pipelines.release.users import Role, User
from pipelines.release_calendar.ical import to_ical
from pipelines.release_calendar.schedule import coming_releases
from pipelines.release_calendar.store import CalendarError, ReleaseCalendar
from pipelines.release_calendar.workdays import first_release_time, is_working_day
from pipelines.spec import DatasetSpec

UK = ZoneInfo("Europe/London")
STATS = User("stats.demo", frozenset({Role.statistician}))
ADMIN = User("admin.demo", frozenset({Role.admin}))
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def spec(release: dict, dataset_id: str = "crime") -> DatasetSpec:
    return DatasetSpec.model_validate({
        "id": dataset_id, "title": f"Title of {dataset_id}", "description": "d",
        "theme": "government",
        "publisher": {"contact_name": "Team", "contact_email": "team@example.org"},
        "iar": {"asset_id": "A", "information_asset_owner": "O",
                "protective_marking": "OFFICIAL", "retention": "r"},
        "source": {"format": "csv", "path": "x.csv"},
        "schema": {"fields": [{"name": "a", "type": "string"}]},
        "release": release,
    })


QUARTERLY = {"frequency": "quarterly", "start": "2024-01-01", "next_release": "2027-01-28"}


@pytest.fixture
def store(tmp_path):
    import secrets

    return AuditStore(f"sqlite:///{tmp_path / 'audit.sqlite'}", secrets.token_bytes(32))


# -- working days ---------------------------------------------------------------

def test_bank_holidays_are_not_working_days():
    assert not is_working_day(date(2027, 5, 31))            # Spring bank holiday
    assert not is_working_day(date(2027, 12, 28))           # Boxing Day (substitute)
    assert is_working_day(date(2027, 1, 4))                 # England and Wales: a working day
    assert not is_working_day(date(2027, 1, 4), "scotland")  # Scotland: 2 January substitute


def test_default_release_time_skips_weekends_and_bank_holidays():
    # Thursday before Easter, after 09:30: Good Friday and Easter Monday are holidays.
    after = datetime(2027, 3, 25, 10, 0, tzinfo=UK)
    assert default_release_time(after) == datetime(2027, 3, 30, 9, 30, tzinfo=UK)
    assert default_release_time(after).utcoffset() == timedelta(hours=1)  # BST by then
    # Before 09:30 on a working day: that same morning.
    morning = datetime(2027, 1, 28, 8, 0, tzinfo=UK)
    assert first_release_time(morning) == datetime(2027, 1, 28, 9, 30, tzinfo=UK)


def test_a_pre_announced_date_on_a_bank_holiday_is_a_spec_error():
    with pytest.raises(ValueError, match="bank holiday .Spring Bank Holiday"):
        spec({"next_release": "2027-05-31"})
    with pytest.raises(ValueError, match="Saturday"):
        spec({"next_release": "2027-06-05"})
    spec({"next_release": "2027-01-04"})  # fine in England and Wales …
    with pytest.raises(ValueError, match="Scotland"):
        spec({"next_release": "2027-01-04", "holidays": "scotland"})


def test_spec_errors_name_the_field(tmp_path):
    from pipelines.spec import load_spec

    folder = tmp_path / "crime"
    folder.mkdir()
    s = spec(QUARTERLY).model_dump(mode="json", by_alias=True, exclude={"folder", "spec_sha256"})
    s["release"]["next_release"] = "2027-05-31"
    import yaml
    (folder / "dataset.yaml").write_text(yaml.safe_dump(s))
    with pytest.raises(SpecError) as exc:
        load_spec(folder / "dataset.yaml")
    assert exc.value.problems[0].location.field == "release"


# -- schedule -------------------------------------------------------------------

def test_quarterly_releases_keep_the_weekday_of_the_month():
    slots = coming_releases(spec(QUARTERLY), NOW)
    assert [s.release_at for s in slots] == [
        datetime(2027, 1, 28, 9, 30, tzinfo=UK), datetime(2027, 4, 22, 9, 30, tzinfo=UK),
        datetime(2027, 7, 22, 9, 30, tzinfo=UK), datetime(2027, 10, 28, 9, 30, tzinfo=UK)]
    assert [s.confirmed for s in slots] == [True, False, False, False]
    assert slots[1].release_at.utcoffset() == timedelta(hours=1)


def test_a_computed_date_on_a_bank_holiday_moves_to_the_next_working_day():
    monthly = spec({"frequency": "monthly", "start": "2024-01-01",
                    "next_release": "2027-04-30", "repeat": "same_day", "time": "07:00"})
    slots = coming_releases(monthly, NOW)
    # 30 May 2027 is a Sunday, 31 May the Spring bank holiday.
    assert slots[1].release_at == datetime(2027, 6, 1, 7, 0, tzinfo=UK)
    assert slots[0].release_at == datetime(2027, 4, 30, 7, 0, tzinfo=UK)


def test_a_passed_next_release_rolls_forward_and_adhoc_has_one_date():
    late = coming_releases(spec(QUARTERLY), datetime(2027, 2, 1, tzinfo=UTC))
    assert late[0].release_at == datetime(2027, 4, 22, 9, 30, tzinfo=UK)
    assert not late[0].confirmed
    adhoc = coming_releases(spec({"next_release": "2027-01-28"}), NOW)
    assert len(adhoc) == 1


# -- announcements and changes --------------------------------------------------

def test_dates_are_announced_once_and_short_notice_is_flagged(store):
    cal = ReleaseCalendar(store.engine)
    near = spec({"next_release": "2026-12-10"}, "near")
    first = cal.entries([spec(QUARTERLY), near], NOW)
    later = cal.entries([spec(QUARTERLY), near], NOW + timedelta(days=3))
    assert {e.announced_at for e in later} == {NOW}
    assert [e.dataset_id for e in first][:2] == ["near", "crime"]
    assert first[0].short_notice and not first[1].short_notice


def test_changing_a_date_needs_a_reason_and_a_permitted_role(store):
    cal = ReleaseCalendar(store.engine)
    s = spec(QUARTERLY)
    cal.entries([s], NOW)
    new = datetime(2027, 2, 4, 9, 30, tzinfo=UK)
    with pytest.raises(CalendarError, match="needs a reason"):
        cal.change(store, s, date(2027, 1, 28), new, "  ", STATS, now=NOW)
    with pytest.raises(CalendarError, match="only a statistician"):
        cal.change(store, s, date(2027, 1, 28), new, "why", ADMIN, now=NOW)
    with pytest.raises(CalendarError, match="not a working day .Spring"):
        cal.change(store, s, date(2027, 1, 28), datetime(2027, 5, 31, 9, 30, tzinfo=UK), "x",
                   STATS, now=NOW)
    with pytest.raises(CalendarError, match="no coming release"):
        cal.change(store, s, date(2027, 1, 29), new, "x", STATS, now=NOW)
    assert store.entries() == []


def test_a_change_is_audited_and_shown(store):
    cal = ReleaseCalendar(store.engine)
    s = spec(QUARTERLY)
    cal.entries([s], NOW)
    new = datetime(2027, 2, 4, 9, 30, tzinfo=UK)
    entry = cal.change(store, s, date(2027, 1, 28), new, "Late data from two forces", STATS,
                       now=NOW + timedelta(days=1))
    assert entry.release_at == new and entry.changed and entry.confirmed
    [audit] = store.entries()
    assert audit.decision == Decision.release_date_changed and audit.actor == "stats.demo"
    assert "Late data from two forces" in audit.comment and audit.release_at == new
    assert store.verify().ok
    shown = cal.entries([s], NOW + timedelta(days=2))
    assert shown[0].release_at == new and shown[0].changes[0].reason == \
        "Late data from two forces"
    # the spec later catches up (next_release: 2027-02-04): still one release, not two;
    # but its new anchor (a 1st Thursday) moves the provisional dates after it, and the
    # calendar says that the April date it announced was dropped without a reason
    caught_up = spec({**QUARTERLY, "next_release": "2027-02-04"})
    later = cal.entries([caught_up], NOW + timedelta(days=3))
    assert [(e.release_at, e.unexplained) for e in later][:3] == [
        (new, False), (datetime(2027, 4, 22, 9, 30, tzinfo=UK), True),
        (datetime(2027, 5, 6, 9, 30, tzinfo=UK), False)]


def test_an_unexplained_spec_edit_shows_on_the_calendar(store):
    cal = ReleaseCalendar(store.engine)
    cal.entries([spec(QUARTERLY)], NOW)
    edited = spec({**QUARTERLY, "next_release": "2027-02-11"})
    by_slot = {e.slot: e for e in cal.entries([edited], NOW + timedelta(days=1))}
    assert by_slot[date(2027, 1, 28)].unexplained
    assert by_slot[date(2027, 2, 11)].short_notice is False


# -- the feed -------------------------------------------------------------------

def test_ical_feed_parses_and_holds_uk_release_times(store):
    cal = ReleaseCalendar(store.engine)
    s = spec(QUARTERLY)
    cal.entries([s], NOW)
    cal.change(store, s, date(2027, 4, 22), datetime(2027, 4, 29, 9, 30, tzinfo=UK),
               "Aligned with the ONS release", STATS, now=NOW)
    feed = to_ical(cal.entries([s], NOW), page_url="https://example.org/calendar", now=NOW)
    parsed = Calendar.from_ical(feed)
    events = parsed.walk("VEVENT")
    starts = [e.decoded("dtstart") for e in events]
    assert starts == [datetime(2027, 1, 28, 9, 30, tzinfo=UTC),
                      datetime(2027, 4, 29, 8, 30, tzinfo=UTC),  # 09:30 BST
                      datetime(2027, 7, 22, 8, 30, tzinfo=UTC),
                      datetime(2027, 10, 28, 8, 30, tzinfo=UTC)]
    for e in events:
        local = e.decoded("dtstart").astimezone(UK)
        assert (local.hour, local.minute) == (9, 30) and is_working_day(local.date())
    moved = events[1]
    assert str(moved["uid"]) == "crime-2027-04-22@fivestar"
    assert moved["sequence"] == 1 and str(moved["summary"]).startswith("Date changed")
    assert "Aligned with the ONS release" in str(moved["description"])
    # a date someone moved, with a reason, is a confirmed date
    assert [str(e["status"]) for e in events] == ["CONFIRMED", "CONFIRMED", "TENTATIVE",
                                                  "TENTATIVE"]


def test_calendar_page_and_feed_are_public(tmp_path):
    from fivestar_dev.synthetic_release import make_authority
    from pipelines.review.app import create_app

    s = spec(QUARTERLY)
    authority = make_authority(tmp_path, clock=lambda: NOW)
    store = authority.store
    app = create_app(authority, specs=lambda: [s])
    client = TestClient(app)
    page = client.get("/calendar", follow_redirects=False)
    assert page.status_code == 200 and "Title of crime" in page.text
    assert "Thursday 28 January 2027, 09:30 GMT" in page.text
    assert "Thursday 22 April 2027, 09:30 BST" in page.text
    feed = client.get("/calendar.ics")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert len(Calendar.from_ical(feed.content).walk("VEVENT")) == 4
    ReleaseCalendar(store.engine).change(store, s, date(2027, 1, 28),
                                         datetime(2027, 2, 4, 9, 30, tzinfo=UK),
                                         "A <b>late</b> return", STATS, now=NOW)
    page = client.get("/calendar")
    assert "Date changed" in page.text and "A &lt;b&gt;late&lt;/b&gt; return" in page.text


def test_embargo_follows_a_moved_date(tmp_path):
    from fivestar_dev.synthetic_release import make_authority, make_spec, stage_synthetic
    from pipelines.release.gate import PublicationRefused

    clock = {"now": NOW}
    authority = make_authority(tmp_path, clock=lambda: clock["now"])
    s = make_spec(next_release="2027-01-28")
    staged = stage_synthetic(tmp_path, authority, spec=s)
    authority.approve(authority.user("champion.demo"), staged.id, "ok")
    ReleaseCalendar(authority.store.engine).change(
        authority.store, s, date(2027, 1, 28), datetime(2027, 2, 4, 9, 30, tzinfo=UK),
        "Postponed: a supplier's late return", STATS, now=NOW)
    assert authority.release(staged.id).scheduled == datetime(2027, 2, 4, 9, 30, tzinfo=UK)
    publisher = authority.user("fivestar-publisher")
    clock["now"] = datetime(2027, 1, 28, 9, 30, tzinfo=UK)
    with pytest.raises(PublicationRefused, match="embargoed until 2027-02-04T09:30"):
        authority.begin_publication(publisher, staged.id)
    clock["now"] = datetime(2027, 2, 4, 9, 30, tzinfo=UK)
    authority.begin_publication(publisher, staged.id)
    assert authority.verify().ok  # the date change is a keyed audit entry too


def test_attack_moving_a_date_behind_the_service_stops_publication(tmp_path):
    """The change's only record is its keyed audit entry: editing it breaks the chain."""
    import sqlite3

    from fivestar_dev.synthetic_release import make_authority, make_spec, stage_synthetic
    from pipelines.release.gate import PublicationRefused

    clock = {"now": NOW}
    authority = make_authority(tmp_path, clock=lambda: clock["now"])
    s = make_spec(next_release="2027-01-28")
    staged = stage_synthetic(tmp_path, authority, spec=s)
    authority.approve(authority.user("champion.demo"), staged.id, "ok")
    ReleaseCalendar(authority.store.engine).change(
        authority.store, s, date(2027, 1, 28), datetime(2027, 2, 4, 9, 30, tzinfo=UK),
        "Postponed", STATS, now=NOW)
    [entry] = authority.store.entries(decision=Decision.release_date_changed)
    assert entry.detail["to_at"] == "2027-02-04T09:30:00+00:00"
    # someone with the database but not the key moves the release a week earlier
    con = sqlite3.connect(tmp_path / "review" / "audit.sqlite", isolation_level=None)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET detail = replace(detail, '2027-02-04', '2027-01-21') "
                "WHERE decision = 'release_date_changed'")
    con.close()
    clock["now"] = datetime(2027, 1, 21, 9, 31, tzinfo=UK)
    with pytest.raises(PublicationRefused, match="audit log does not verify"):
        authority.begin_publication(authority.user("fivestar-publisher"), staged.id)


def test_a_date_change_goes_through_the_service(service, ckan_fake):
    """`fivestar calendar change` is a client: the decision is the service's, signed in."""
    from typer.testing import CliRunner

    from pipelines.release_calendar.cli import commands

    authority, _ = service
    service_ckan = ckan_fake
    env = {"FIVESTAR_USER": "admin.demo", "FIVESTAR_PASSWORD": "admin-demo-password"}
    args = ["calendar", "change", "police-recorded-crime", "2027-01-28", "--to", "2027-02-04",
            "--reason", "late return"]
    result = CliRunner().invoke(commands, args, env=env)
    assert result.exit_code == 3, result.output  # an admin may not move a date
    assert authority.store.entries() == []
    listing = CliRunner().invoke(commands, ["calendar"], env={**env, "COLUMNS": "250"})
    assert listing.exit_code == 0 and "police-recorded-crime" in listing.output

    stats = {"FIVESTAR_USER": "stats.demo", "FIVESTAR_PASSWORD": "stats-demo-password",
             "COLUMNS": "250"}
    refused = CliRunner().invoke(commands, [*args[:-1], " "], env=stats)
    assert refused.exit_code == 1 and "needs a reason" in refused.output
    moved = CliRunner().invoke(commands, args, env=stats)
    assert moved.exit_code == 0, moved.output
    assert "Thu 2027-02-04 09:30 GMT" in moved.output
    [entry] = authority.store.entries()
    assert (entry.decision, entry.actor, entry.role) == (
        Decision.release_date_changed, "stats.demo", "statistician")
    # the service shows the series' next release date in the catalogue
    # on the dataset's page and on its series record (pipelines/catalogue/series.py)
    from pipelines.catalogue.series import series_name

    patches = service_ckan.patches()
    assert [p["id"] for p in patches] == ["police-recorded-crime",
                                          series_name("police-recorded-crime")]
    assert all(p["next_release_date"].startswith("2027-02-04T09:30") for p in patches)
    assert "next release date in the catalogue" in moved.output
