"""The `fivestar` command: what statisticians and the Transparency Champion type.

Every command exits non-zero on failure so scripts and CI can rely on it.
Messages name datasets, files, rows and fields, never cell values.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines import paths
from pipelines.assets import STAGING_STAGES
from pipelines.errors import Problem, SpecError
from pipelines.release.cli import commands as release_commands
from pipelines.release_calendar.cli import commands as calendar_commands
from pipelines.review.admin import service_app
from pipelines.runs import REVISION_TAG, TICKET_ENV
from pipelines.spec import load_all

app = typer.Typer(
    help="fivestar: internal extracts to five-star open data on a CKAN catalogue.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err = Console(stderr=True)


@app.callback()
def _private_state(
    debug: bool = typer.Option(False, "--debug",
                               help="Show Dagster's log, with the stack trace of a failed step."),
) -> None:
    """Every command runs with a private umask and a 0700 state folder.

    A failed run prints its located problems once; Dagster's own log (ERROR
    lines, stack traces) only with ``--debug`` or FIVESTAR_LOG_LEVEL.
    """
    prepare_process(debug=debug)


def prepare_process(*, debug: bool) -> None:
    """A private umask and 0700 state folder; Dagster's log quiet unless ``debug``.

    Shared with ``python -m fivestar_dev`` so the development tools run under
    the same rules as every ``fivestar`` command.
    """
    from pipelines import state

    state.secure()
    if debug:
        os.environ["FIVESTAR_LOG_LEVEL"] = "DEBUG"
    else:
        os.environ.setdefault("FIVESTAR_LOG_LEVEL", "CRITICAL")


#: Problems listed per failure before the rest are counted (the reports hold them all).
SHOWN_PROBLEMS = 20


def _say(text: str) -> None:
    """One line to stderr, exactly as written: no markup (``[code]`` stays), no wrapping."""
    err.print(text, markup=False, highlight=False, soft_wrap=True)


def print_problems(subject: str, headline: str, problems: list[Problem]) -> None:
    """``subject: headline``, each located problem once, then each code's help once."""
    _say(f"{subject}: {headline}")
    for p in problems[:SHOWN_PROBLEMS]:
        _say(f"  {p}")
    if len(problems) > SHOWN_PROBLEMS:
        _say(f"  … and {len(problems) - SHOWN_PROBLEMS} more")
    helped: set[str] = set()
    for p in problems[:SHOWN_PROBLEMS]:
        if p.help and p.code not in helped:
            helped.add(p.code)
            _say(f"  help [{p.code}] {p.help}")


def _print_spec_errors(errors: list[SpecError]) -> None:
    for e in errors:
        print_problems("error", "dataset spec does not load", e.problems)


@app.command()
def datasets(
    datasets_dir: Path = typer.Option(paths.DATASETS_DIR, help="Folder of dataset folders."),
) -> None:
    """List every dataset spec and check it loads; exit 1 if any is broken.

    A spec that loads may still draw warnings (a code-list notation that is not
    URL-safe, a fivestar: term the vocabulary does not define); they do not fail.
    """
    from pipelines.spec.advice import spec_warnings

    specs, errors = load_all(datasets_dir)
    advice = {spec.id: spec_warnings(spec) for spec in specs}
    table = Table(title=f"Datasets in {datasets_dir}")
    table.add_column("id", no_wrap=True)  # the name people type: never truncated
    for col in ("title", "kind", "frequency", "next release", "source", "status"):
        table.add_column(col)
    for spec in specs:
        nxt = spec.release.next_release
        table.add_row(spec.id, spec.title, spec.kind, spec.release.frequency.value,
                      nxt.isoformat(timespec="minutes") if nxt else "-",
                      spec.source.format.value,
                      f"[yellow]ok, {len(advice[spec.id])} warning(s)[/]" if advice[spec.id]
                      else "[green]ok[/]")
    console.print(table)
    for spec_id, found in advice.items():
        if found:
            print_problems(spec_id, f"{len(found)} warning(s)", found)
    _print_spec_errors(errors)
    if errors:
        raise typer.Exit(1)


@app.command()
def stage(
    dataset: str | None = typer.Argument(None, help="Dataset id (folder name)."),
    all_: bool = typer.Option(False, "--all", help="Stage every dataset."),
    period: str | None = typer.Option(None, help="Release period (partition), e.g. 2024-Q4."),
    user: str = typer.Option(None, envvar="FIVESTAR_USER",
                             help="Sign in with this user's password (else your login token)."),
    correction: str | None = typer.Option(
        None, "--correction", metavar="NOTES",
        help="Stage a correction of the published release, with these revision notes."),
) -> None:
    """Run the pipeline for a dataset up to its staged release.

    You sign in to the review service first; it signs a single-use ticket
    per dataset (statisticians only), and the staging is recorded under your
    name only when the service accepts that ticket.
    """
    from pipelines.instance import distributed
    from pipelines.release.cli import signed_in
    from pipelines.runner import PlannedRun, run_stages
    from pipelines.submit import queue_staging, wait

    specs = _select(dataset, all_)
    base_tags = {REVISION_TAG: correction} if correction is not None else {}
    if distributed():  # every run queued at once; the daemon runs them within the limits
        # each run's ticket as a run tag, claimed as the run enters the queue (queue_staging)
        with signed_in(user) as client:
            console.print(f"queueing {len(specs)} staging run(s) on the distributed profile")
            outcomes = wait(queue_staging(client, [
                PlannedRun(s, STAGING_STAGES, period, base_tags) for s in specs]))
        _print_outcomes(outcomes)
        if not all(o.ok for o in outcomes):
            raise typer.Exit(1)
        return
    outcomes = []
    with signed_in(user) as client, _progress() as progress:
        task = progress.add_task("staging", total=len(specs))
        for spec in specs:
            progress.update(task, description=f"staging {spec.id}")
            with _env(TICKET_ENV, client.ticket(spec.id, period)["ticket"]), \
                    _steps(spec.id, progress, task) as steps:
                outcomes.append(run_stages(spec, STAGING_STAGES, partition=period,
                                           tags={**base_tags, **steps.tags()},
                                           instance=steps.instance))
            progress.advance(task)
    _print_outcomes(outcomes)
    if not all(o.ok for o in outcomes):
        raise typer.Exit(1)


@contextmanager
def _env(name: str, value: str | None):
    """Hand a secret to in-process runs through the environment, never a run tag."""
    old = os.environ.get(name)
    if value:
        os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


def _select(dataset: str | None, all_: bool):
    specs, errors = load_all(paths.DATASETS_DIR)
    _print_spec_errors(errors)
    if all_:
        if errors:
            raise typer.Exit(1)
        return specs
    if not dataset:
        err.print("name a dataset or pass --all")
        raise typer.Exit(2)
    chosen = [s for s in specs if s.id == dataset]
    if not chosen:
        err.print(f"no dataset `{dataset}` in {paths.DATASETS_DIR}")
        raise typer.Exit(2)
    return chosen


@contextmanager
def _steps(dataset: str, progress: Progress, task):
    """Each step of the dataset's run as it starts: in the progress line on a terminal,
    a line on stderr otherwise (a CI log, a pipe)."""
    from pipelines.instance import get_instance
    from pipelines.step_progress import StepWatcher

    last: list[str] = []  # the last step done and its rows, shown beside the running one

    def show(step: str) -> None:
        if console.is_terminal:
            done = f" ({last[0]})" if last else ""
            progress.update(task, description=f"staging {dataset}: {step}{done}")
        else:
            err.print(f"{dataset}: {step} …", markup=False, highlight=False)

    def rows(step: str, n: int) -> None:
        last[:] = [f"{step}: {n:,} rows"]
        if not console.is_terminal:
            err.print(f"{dataset}: {step} done, {n:,} rows", markup=False, highlight=False)

    with StepWatcher(get_instance(), show, on_rows=rows) as watcher:
        yield watcher


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                    console=console, transient=True)


def _counted(headline: str, problems: list[Problem]) -> str:
    n = len(problems)
    return f"{headline}, {n} problem{'s' if n != 1 else ''}" if n else headline


def _print_outcomes(outcomes) -> None:
    table = Table(title="Runs")
    table.add_column("dataset", no_wrap=True)
    for col in ("period", "reached", "checks", "result"):
        table.add_column(col)
    for o in outcomes:
        checks = ", ".join(
            f"{'[green]✓' if c.passed else '[red]✗' if c.severity == 'ERROR' else '[yellow]!'}"
            f" {c.name}[/]" for c in o.checks)
        reached = o.materialized[-1] if o.materialized else "-"
        table.add_row(o.dataset, o.partition or "-", reached, checks,
                      "[green]ok[/]" if o.ok else "[red]failed[/]")
    console.print(table)
    for o in outcomes:
        for f in o.steps_failed:
            if f.problems:
                print_problems(o.dataset, _counted(f"{f.stage} failed", f.problems), f.problems)
            else:
                _say(f"{o.dataset}: {f.message}")
                if os.environ.get("FIVESTAR_LOG_LEVEL") != "DEBUG":
                    _say("  (fivestar --debug shows Dagster's log and the stack trace)")
        for c in o.blocked:
            print_problems(o.dataset, _counted(f"check {c.name} failed", c.problems), c.problems)
        staged = o.outputs.get("staged_release")
        if staged:
            console.print(f"{o.dataset}: staged release [bold]{staged.release_id}[/] "
                          f"at {staged.path}")
        run_dir = paths.run_dir(o.dataset, o.partition) / "reports"
        if run_dir.exists():
            console.print(f"{o.dataset}: reports in {run_dir}")


@app.command()
def publish(
    dataset: str | None = typer.Argument(None, help="Only this dataset."),
    user: str = typer.Option(None, envvar="FIVESTAR_USER",
                             help="Sign in with this user's password (else your login token)."),
) -> None:
    """Publish every approved release whose scheduled time has come (what the sensor does).

    You sign in to the review service; it decides what is due, gates each
    publication and records it under your name.
    """
    from pipelines.instance import distributed
    from pipelines.release.cli import signed_in
    from pipelines.release.client import TOKEN_ENV
    from pipelines.runner import PlannedRun, run_stages
    from pipelines.runs import RELEASE_TAG
    from pipelines.submit import run_many

    specs = {s.id: s for s in load_all(paths.DATASETS_DIR)[0]}
    with signed_in(user) as client:
        due = [d for d in client.due() if dataset in (None, d["dataset_id"])]
        unknown = [d for d in due if d["dataset_id"] not in specs]
        for d in unknown:
            err.print(f"[red]{d['dataset_id']}[/]: approved and due, but no such dataset spec "
                      f"in {paths.DATASETS_DIR}")
        due = [d for d in due if d["dataset_id"] in specs]
        if not due:
            console.print("nothing is approved and due")
            if unknown:
                raise typer.Exit(1)
            return
        # one run per release, its tag naming the release to publish
        planned = [PlannedRun(specs[d["dataset_id"]], ("published",), d["period"],
                              {RELEASE_TAG: d["release_id"]}) for d in due]
        if distributed():
            # Queued runs execute on the workers as the site's publisher account
            # (<state>/publisher.token), exactly as the sensor's do.
            outcomes = run_many(planned)
        else:
            with _env(TOKEN_ENV, client.token):
                outcomes = [run_stages(r.spec, r.stages, partition=r.partition, tags=r.tags)
                            for r in planned]
    _print_outcomes(outcomes)
    for o in outcomes:
        if o.outputs.get("published"):
            console.print(f"{o.dataset}: {o.outputs['published'].dataset_url}")
    if not all(o.ok for o in outcomes):
        raise typer.Exit(1)


# Release governance (login, releases, approve, reject, withdraw, audit, users), the
# release calendar (calendar) and the review service's own host commands (service).
app.registered_commands.extend(release_commands.registered_commands)
app.registered_groups.extend(release_commands.registered_groups)
app.registered_commands.extend(calendar_commands.registered_commands)
app.registered_groups.extend(calendar_commands.registered_groups)
app.add_typer(service_app, name="service")


spec_app = typer.Typer(help="The dataset.yaml reference: its JSON Schema and docs.",
                       no_args_is_help=True)
app.add_typer(spec_app, name="spec")


@spec_app.command("schema")
def spec_schema() -> None:
    """Print the JSON Schema of dataset.yaml (the committed pipelines/spec/dataset.schema.json)."""
    from pipelines.spec import schema

    typer.echo(schema.render_schema(), nl=False)


@spec_app.command("write")
def spec_write() -> None:
    """Regenerate pipelines/spec/dataset.schema.json and docs/dataset-spec.md's reference."""
    from pipelines.spec import schema

    changed = schema.write()
    for path in changed:
        console.print(f"rewrote {path.relative_to(paths.ROOT)}")
    if not changed:
        console.print("schema and reference are current")


@app.command()
def purge(
    dry_run: bool = typer.Option(False, "--dry-run", help="List what would go; delete nothing."),
) -> None:
    """Delete working copies of old runs past each dataset's retention (IAR or setting)."""
    from pipelines import state

    specs, errors = load_all(paths.DATASETS_DIR)
    _print_spec_errors(errors)
    gone = state.purge(specs, dry_run=dry_run)
    for p in gone:
        console.print(f"{'would delete' if dry_run else 'deleted'} "
                      f"{p.path.relative_to(paths.STATE_DIR)} ({p.age_days:.0f} days old)")
    console.print(f"{len(gone)} working folder(s) {'past retention' if dry_run else 'purged'}")
    if errors:
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover - console entry point
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.umask(0o077)  # before anything writes (see pipelines.state)
    app()
