"""``fivestar calendar``: show the coming releases; move a pre-announced date with a reason."""

from __future__ import annotations

from datetime import date, datetime

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipelines import paths
from pipelines.release_calendar.workdays import UK

commands = typer.Typer(no_args_is_help=True, add_completion=False)
calendar_app = typer.Typer(help="The pre-announced release calendar (Code of Practice T3).",
                           invoke_without_command=True)
commands.add_typer(calendar_app, name="calendar")
console = Console()
err = Console(stderr=True)


def _when(value: datetime) -> str:
    return value.astimezone(UK).strftime("%a %Y-%m-%d %H:%M %Z")


def _specs():
    from pipelines.spec import load_all

    return load_all(paths.DATASETS_DIR)[0]


USER_OPTION = typer.Option(None, "--user", envvar="FIVESTAR_USER",
                           help="Sign in with this user's password (else your login token).")


@calendar_app.callback()
def show(ctx: typer.Context,
         dataset: str | None = typer.Option(None, help="Only this dataset."),
         user: str | None = USER_OPTION) -> None:
    """List the coming releases (as the public calendar shows them; from the review service)."""
    from pipelines.release.cli import signed_in

    if ctx.invoked_subcommand is not None:
        return
    with signed_in(user) as client:
        entries = client.calendar()
    table = Table(title="Release calendar")
    for col in ("release (UK)", "dataset", "date id", "status", "announced", "changes"):
        table.add_column(col, overflow="fold")
    for e in entries:
        if dataset and e["dataset_id"] != dataset:
            continue
        status = "confirmed" if e["confirmed"] else "provisional"
        if e["short_notice"]:
            status += " (short notice)"
        changes = "; ".join(f"from {_when(datetime.fromisoformat(c['from_at']))}: "
                            f"{escape(c['reason'])}" for c in e["changes"])
        table.add_row(_when(datetime.fromisoformat(e["release_at"])), e["dataset_id"],
                      e["slot"], status, _when(datetime.fromisoformat(e["announced_at"])),
                      changes or "-")
    console.print(table)


@calendar_app.command("change")
def change(
    dataset: str = typer.Argument(..., help="Dataset id."),
    slot: str = typer.Argument(..., help="The release's date id (first announced date, "
                               "YYYY-MM-DD; see `fivestar calendar`)."),
    to: str = typer.Option(..., "--to", help="New release time (ISO 8601; a bare date means "
                           "the spec's release time, UK time)."),
    reason: str = typer.Option(..., "--reason", help="Why (published on the calendar)."),
    user: str | None = USER_OPTION,
) -> None:
    """Move a pre-announced release date (statistician or champion; recorded and shown)."""
    from pipelines.release.cli import signed_in
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
    with signed_in(user) as client:
        entry = client.calendar_change(dataset, slot_day.isoformat(), new_at, reason)
    console.print(f"{dataset}: release of {slot} moved to "
                  f"{_when(datetime.fromisoformat(entry['release_at']))}; "
                  "recorded in the audit log and shown on the calendar")
    if entry.get("catalogue_error"):
        err.print(f"the catalogue's next release date was not updated "
                  f"({entry['catalogue_error']}); it is set at the next publication")
    elif entry.get("catalogue_next_release"):
        console.print(f"{dataset}: next release date in the catalogue: "
                      f"{_when(datetime.fromisoformat(entry['catalogue_next_release']))}")
