"""``fivestar calendar``: show the coming releases; move a pre-announced date with a reason."""

from __future__ import annotations

from datetime import UTC, date, datetime

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipelines import paths
from pipelines.errors import FivestarError
from pipelines.release_calendar.store import ReleaseCalendar
from pipelines.release_calendar.workdays import UK

commands = typer.Typer(no_args_is_help=True, add_completion=False)
calendar_app = typer.Typer(help="The pre-announced release calendar (Code of Practice T3).",
                           invoke_without_command=True)
commands.add_typer(calendar_app, name="calendar")
console = Console()
err = Console(stderr=True)


def _when(value: datetime) -> str:
    return value.astimezone(UK).strftime("%a %Y-%m-%d %H:%M %Z")


def _calendar():
    from pipelines.release.audit import AuditStore

    store = AuditStore()
    return store, ReleaseCalendar(store.engine)


def _specs():
    from pipelines.spec import load_all

    return load_all(paths.DATASETS_DIR)[0]


@calendar_app.callback()
def show(ctx: typer.Context,
         dataset: str | None = typer.Option(None, help="Only this dataset.")) -> None:
    """List the coming releases (as the public calendar shows them)."""
    if ctx.invoked_subcommand is not None:
        return
    _, cal = _calendar()
    table = Table(title="Release calendar")
    for col in ("release (UK)", "dataset", "date id", "status", "announced", "changes"):
        table.add_column(col, overflow="fold")
    for e in cal.entries(_specs(), datetime.now(UTC), announce=False):
        if dataset and e.dataset_id != dataset:
            continue
        status = "confirmed" if e.confirmed else "provisional"
        if e.short_notice:
            status += " (short notice)"
        changes = "; ".join(f"from {_when(c.from_at)}: {escape(c.reason)}" for c in e.changes)
        table.add_row(_when(e.release_at), e.dataset_id, e.slot.isoformat(), status,
                      _when(e.announced_at), changes or "-")
    console.print(table)


@calendar_app.command("change")
def change(
    dataset: str = typer.Argument(..., help="Dataset id."),
    slot: str = typer.Argument(..., help="The release's date id (first announced date, "
                               "YYYY-MM-DD; see `fivestar calendar`)."),
    to: str = typer.Option(..., "--to", help="New release time (ISO 8601; a bare date means "
                           "the spec's release time, UK time)."),
    reason: str = typer.Option(..., "--reason", help="Why (published on the calendar)."),
    user: str | None = typer.Option(None, "--user", envvar="FIVESTAR_USER",
                                    help="Acting user (or FIVESTAR_USER)."),
) -> None:
    """Move a pre-announced release date (statistician or champion; recorded and shown)."""
    from pipelines.release.cli import _authenticate
    from pipelines.release_calendar.workdays import release_time_on

    specs = {s.id: s for s in _specs()}
    spec = specs.get(dataset)
    if spec is None:
        err.print(f"no dataset `{dataset}`")
        raise typer.Exit(2)
    try:
        slot_day = date.fromisoformat(slot)
        new_at = (release_time_on(date.fromisoformat(to), spec.release.time) if len(to) == 10
                  else datetime.fromisoformat(to))
    except ValueError:
        err.print("dates are ISO 8601: YYYY-MM-DD or YYYY-MM-DDTHH:MM±HH:MM")
        raise typer.Exit(2) from None
    if new_at.tzinfo is None:
        new_at = new_at.replace(tzinfo=UK)
    actor = _authenticate(user)
    store, cal = _calendar()
    try:
        entry = cal.change(store, spec, slot_day, new_at, reason, actor)
    except FivestarError as exc:
        err.print(f"[red]refused[/]: {escape(str(exc))}")
        raise typer.Exit(1) from None
    console.print(f"{dataset}: release of {slot} moved to {_when(entry.release_at)}; "
                  "recorded in the audit log and shown on the calendar")
    _update_catalogue(cal, spec)


def _update_catalogue(cal: ReleaseCalendar, spec) -> None:
    """Show the series' new next release date on its CKAN page, if it is published."""
    from pipelines.catalogue import series
    from pipelines.ckan_resource import connect
    from pipelines.contracts.catalogue import solr_date

    now = datetime.now(UTC)
    coming = [e.release_at for e in cal.entries([spec], now, announce=False)
              if e.release_at > now]
    if not coming:
        return
    try:
        client = connect()
        client.action.package_patch(id=spec.id,
                                    next_release_date=solr_date(coming[0].isoformat()))
        series.set_next_release(client, spec.id, coming[0])  # and on its series record
    except Exception as exc:  # noqa: BLE001 - ckanapi raises many types; no secrets in them
        if type(exc).__name__ != "NotFound":
            err.print(f"the catalogue's next release date was not updated "
                      f"({type(exc).__name__}); it is set at the next publication")
        return
    console.print(f"{spec.id}: next release date in the catalogue: {_when(coming[0])}")
