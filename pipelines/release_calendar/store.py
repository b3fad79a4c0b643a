"""The published release calendar: what was announced when, and every change with its reason.

The schedule (``schedule.py``) says what the specs plan; this module records
what the public has been told. A date is *announced* the first time the
public calendar shows it (announcements are insert-only). Moving an announced
date is a decision: it needs a reason and a statistician or champion, it is
written to the audit log, and the calendar shows it as a change (from, to,
why, when). The embargo honours a moved date: a release approved for the
original time does not go out before the new one.

Announcements live in the audit log's database; date changes are audit entries
(``release_date_changed``, with the slot, both times and the reason), so they are
inside the keyed chain the gate verifies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

from pipelines.contracts.manifest import Manifest
from pipelines.errors import FivestarError, Location, Problem
from pipelines.release_calendar.schedule import DEFAULT_HORIZON, MIN_NOTICE, coming_releases
from pipelines.release_calendar.workdays import UK, bank_holiday, is_working_day
from pipelines.spec import DatasetSpec

MAX_REASON = 4000
#: Roles that may move a pre-announced date.
CHANGE_ROLES = ("statistician", "transparency_champion")

metadata = MetaData()
announcements = Table(
    "release_calendar_announcements", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataset_id", String(200), nullable=False),
    Column("slot", Date, nullable=False),
    Column("title", Text, nullable=False),
    Column("release_at", DateTime(timezone=True), nullable=False),
    Column("announced_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("dataset_id", "slot"),
)


_INSTALLED: set[Engine] = set()


class CalendarError(FivestarError):
    """A calendar change is not allowed (no reason, not permitted, not a working day…)."""


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class DateChange:
    dataset_id: str
    slot: date
    from_at: datetime
    to_at: datetime
    reason: str
    actor: str
    at: datetime


@dataclass
class CalendarEntry:
    """One coming release as the public calendar shows it."""

    dataset_id: str
    title: str
    slot: date
    release_at: datetime
    announced_at: datetime
    confirmed: bool
    changes: list[DateChange] = field(default_factory=list)
    #: The spec no longer schedules this announced date and no change explains it.
    unexplained: bool = False

    @property
    def uid(self) -> str:
        """Stable across changes (iCalendar UID): the dataset and its first date."""
        return f"{self.dataset_id}-{self.slot.isoformat()}@fivestar"

    @property
    def notice(self) -> timedelta:
        return self.release_at - self.announced_at

    @property
    def short_notice(self) -> bool:
        """Announced less than four weeks ahead (Code of Practice T3 asks for more)."""
        return self.notice < MIN_NOTICE

    @property
    def changed(self) -> bool:
        return bool(self.changes)


class ReleaseCalendar:
    """The calendar over one database (the audit log's engine)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        if engine not in _INSTALLED:  # one schema check per database per process
            metadata.create_all(engine)
            _INSTALLED.add(engine)

    # -- reading -----------------------------------------------------------
    def _changes(self, dataset_id: str | None = None) -> list[DateChange]:
        """Every date change, oldest first, from the audit log's own entries.

        The keyed chain is the only record of a change, so a moved date (which
        the embargo follows) cannot be edited without the gate seeing a break.
        """
        from pipelines.release.audit import Decision, read_entries

        out = []
        for e in read_entries(self.engine, dataset_id=dataset_id,
                              decision=Decision.release_date_changed):
            d = e.detail
            try:
                out.append(DateChange(
                    dataset_id=e.dataset_id, slot=date.fromisoformat(d["slot"]),
                    from_at=_utc(datetime.fromisoformat(d["from_at"])),
                    to_at=_utc(datetime.fromisoformat(d["to_at"])),
                    reason=str(d["reason"]), actor=e.actor, at=e.at))
            except (KeyError, TypeError, ValueError):
                continue  # not written by this module: the chain check reports it
        return out

    def _announced(self) -> dict[tuple[str, date], dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(announcements)).mappings().all()
        return {(r["dataset_id"], r["slot"]): dict(r) for r in rows}

    def moved_time(self, dataset_id: str, announced: datetime) -> datetime | None:
        """The new time of the release first announced for ``announced``, if it moved."""
        slot = announced.astimezone(UK).date()
        moved = [c for c in self._changes(dataset_id) if c.slot == slot]
        return moved[-1].to_at if moved else None

    def entries(self, specs: list[DatasetSpec], now: datetime,
                horizon: timedelta = DEFAULT_HORIZON, *, announce: bool = True,
                ) -> list[CalendarEntry]:
        """Every coming release, earliest first; new dates are announced as of ``now``."""
        by_id = {s.id: s for s in specs}
        computed = {(s.dataset_id, s.slot): s
                    for spec in specs for s in coming_releases(spec, now, horizon)}
        moves: dict[tuple[str, date], list[DateChange]] = {}
        for c in self._changes():
            moves.setdefault((c.dataset_id, c.slot), []).append(c)
        # A date the spec now computes, onto which an announced release was moved,
        # is that same release, not a new one.
        moved_onto = {(k[0], cs[-1].to_at.astimezone(UK).date()) for k, cs in moves.items()}
        fresh = {k: s for k, s in computed.items() if k in moves or k not in moved_onto}
        if announce:
            self._announce(fresh.values(), now)
        announced = self._announced()
        out: list[CalendarEntry] = []
        for key in set(fresh) | {k for k in announced if k[0] in by_id}:
            s, cs = fresh.get(key), moves.get(key, [])
            first = announced.get(key)
            if first is None:  # a read-only view (announce=False) of a date never shown
                first = {"release_at": s.release_at, "announced_at": now}
            at = cs[-1].to_at if cs else (s.release_at if s else _utc(first["release_at"]))
            if at < now:
                continue
            out.append(CalendarEntry(
                dataset_id=key[0], title=by_id[key[0]].title, slot=key[1],
                release_at=at.astimezone(UK), announced_at=_utc(first["announced_at"]),
                confirmed=bool(cs) or bool(s and s.confirmed), changes=cs,
                unexplained=s is None and not cs))
        return sorted(out, key=lambda e: (e.release_at, e.dataset_id))

    def _announce(self, slots, now: datetime) -> None:
        for s in slots:
            try:
                with self.engine.begin() as conn:
                    exists = conn.execute(select(announcements.c.id).where(
                        announcements.c.dataset_id == s.dataset_id,
                        announcements.c.slot == s.slot)).first()
                    if exists is None:
                        conn.execute(insert(announcements).values(
                            dataset_id=s.dataset_id, slot=s.slot, title=s.title,
                            release_at=_utc(s.release_at), announced_at=_utc(now)))
            except IntegrityError:  # announced concurrently: the first one stands
                continue

    # -- changing ------------------------------------------------------------
    def change(self, store, spec: DatasetSpec, slot: date, new_at: datetime, reason: str,
               user, *, now: datetime | None = None) -> CalendarEntry:
        """Move the release first announced for ``slot`` to ``new_at``, with a reason.

        ``store`` is the audit log (``AuditStore``); ``user`` a signed-in ``User``.
        Refused: no reason, a role that may not, an unknown date, a new time in
        the past or not on a working day.
        """
        from pipelines.release.audit import Decision

        now = now or datetime.now(UTC)
        text = (reason or "").strip()
        where = Location(file=f"{spec.id} {slot.isoformat()}")
        if not text:
            raise CalendarError(Problem("reason-required",
                                        "changing a pre-announced date needs a reason", where))
        if len(text) > MAX_REASON:
            raise CalendarError(Problem("reason-too-long",
                                        f"the reason is longer than {MAX_REASON} characters",
                                        where))
        role = next((r for r in CHANGE_ROLES if any(x.value == r for x in user.roles)), None)
        if role is None:
            raise CalendarError(Problem("not-permitted", "only a statistician or a Transparency "
                                        "Champion can change a release date", where))
        if new_at.tzinfo is None:
            raise CalendarError(Problem("naive-time", "the new time needs a timezone", where))
        if new_at <= now:
            raise CalendarError(Problem("in-the-past", "the new time has already passed", where))
        new_day = new_at.astimezone(UK).date()
        if not is_working_day(new_day, spec.release.holidays):
            name = bank_holiday(new_day, spec.release.holidays) or "a weekend"
            raise CalendarError(Problem("not-a-working-day",
                                        f"{new_day.isoformat()} is not a working day ({name})",
                                        where))
        current = {e.slot: e for e in self.entries([spec], now, announce=False)}
        entry = current.get(slot)
        if entry is None:
            raise CalendarError(Problem("not-scheduled",
                                        "no coming release of this dataset has that date", where))
        old = entry.release_at
        store.record(
            actor=user.username, role=role, dataset_id=spec.id, release_id=None,
            decision=Decision.release_date_changed, release_at=new_at, at=now,
            comment=f"release of {slot.isoformat()} moved from {old.isoformat()} to "
                    f"{new_at.astimezone(UK).isoformat()}: {text}",
            detail={"slot": slot.isoformat(), "from_at": _utc(old).isoformat(),
                    "to_at": _utc(new_at).isoformat(), "reason": text})
        return next(e for e in self.entries([spec], now, announce=False)
                    if e.slot == slot)


def moved_release_time(store, manifest: Manifest) -> datetime | None:
    """The calendar's new time for a manifest's pre-announced release date, if it moved.

    ``store`` is the audit log (``AuditStore``), whose database holds the calendar.
    """
    from pipelines.release.embargo import announced_time

    announced = announced_time(manifest)
    if announced is None:
        return None
    return ReleaseCalendar(store.engine).moved_time(manifest["dataset_id"], announced)
