"""The public release calendar's pages, as a router the review app's server mounts.

``GET /calendar`` (a readable page) and ``GET /calendar.ics`` (the iCalendar
feed) need no sign-in: the calendar is public by design (Code of Practice T3).
Showing a date is what announces it, so both routes record first
announcements; neither shows anything about a release's content.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from pipelines.release_calendar.ical import to_ical
from pipelines.release_calendar.store import ReleaseCalendar
from pipelines.release_calendar.workdays import UK
from pipelines.spec import DatasetSpec

TEMPLATES = Path(__file__).parent / "templates"


def uk_time(value: datetime | None) -> str:
    return value.astimezone(UK).strftime("%A %-d %B %Y, %H:%M %Z") if value else "-"


def calendar_router(calendar: Callable[[], ReleaseCalendar],
                    specs: Callable[[], list[DatasetSpec]],
                    clock: Callable[[], datetime]) -> APIRouter:
    """The routes; every dependency is a callable so tests inject their own."""
    router = APIRouter()
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["uk_time"] = uk_time

    @router.get("/calendar", response_class=HTMLResponse)
    def calendar_page(request: Request) -> HTMLResponse:
        now = clock()
        entries = calendar().entries(specs(), now)
        html = env.get_template("calendar.html").render(
            entries=entries, now=now, feed_url=str(request.url_for("calendar_feed")))
        return HTMLResponse(html)

    @router.get("/calendar.ics", name="calendar_feed")
    def calendar_feed(request: Request) -> Response:
        now = clock()
        body = to_ical(calendar().entries(specs(), now), now=now,
                       page_url=str(request.url_for("calendar_page")))
        return Response(body, media_type="text/calendar; charset=utf-8",
                        headers={"Content-Disposition": 'inline; filename="releases.ics"'})

    return router
