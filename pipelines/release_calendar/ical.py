"""The release calendar as an iCalendar feed (RFC 5545), written with ``icalendar``.

One VEVENT per coming release, with a UID that survives a change of date (so
calendar apps move the event rather than adding a second one) and a SEQUENCE
that counts the changes. Times are written in UTC (``…Z``): unambiguous for
every client, and the description states the UK time. A changed date says so
in the summary and the description, with the reason, as the public page does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from pipelines.release_calendar.store import CalendarEntry
from pipelines.release_calendar.workdays import UK

#: A release is an instant; calendars show it as a short event.
EVENT_LENGTH = timedelta(minutes=30)


def _uk(value: datetime) -> str:
    return value.astimezone(UK).strftime("%A %-d %B %Y, %H:%M %Z")


def to_ical(entries: list[CalendarEntry], *, page_url: str, now: datetime,
            publisher: str = "Home Office") -> bytes:
    """The feed for ``entries`` (``page_url``: the public calendar page, for links)."""
    cal = Calendar()
    cal.add("prodid", f"-//{publisher}//fivestar release calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{publisher} statistics release calendar")
    cal.add("x-wr-timezone", "Europe/London")
    stamp = now.astimezone(UTC).replace(microsecond=0)
    for e in entries:
        ev = Event()
        ev.add("uid", e.uid)
        ev.add("dtstamp", stamp)
        start = e.release_at.astimezone(UTC)
        ev.add("dtstart", start)
        ev.add("dtend", start + EVENT_LENGTH)
        status = "confirmed" if e.confirmed else "provisional"
        prefix = "Date changed: " if e.changed else ""
        ev.add("summary", f"{prefix}{e.title} ({status})")
        lines = [f"{e.title}: released at {_uk(e.release_at)} ({status} date).",
                 f"Announced {_uk(e.announced_at)}."]
        for c in e.changes:
            lines.append(f"Date changed on {_uk(c.at)} from {_uk(c.from_at)} to "
                         f"{_uk(c.to_at)}. Reason: {c.reason}")
        ev.add("description", "\n".join(lines))
        ev.add("status", "CONFIRMED" if e.confirmed else "TENTATIVE")
        ev.add("sequence", len(e.changes))
        ev.add("transp", "TRANSPARENT")
        ev.add("categories", ["Official statistics"])
        ev.add("url", f"{page_url}#{e.uid}")
        cal.add_component(ev)
    return cal.to_ical()
