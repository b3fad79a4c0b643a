"""A release day on the distributed profile: many datasets staged and published at once.

``make bench-release-day`` (or ``python -m benchmarks.release_day``) builds
copies of the bundled specs with generated extracts of mixed sizes, then for
each worker count (default 1 and 2) starts a private site (tests/distributed_site.py:
PostgreSQL instance, queued run coordinator, daemon, N Celery workers, its
review service) and runs a whole day on it: every staging run queued at once;
each release approved by the Transparency Champion as soon as it is staged
(as on a real release day), so the publication sensor publishes it to the
local CKAN while later releases are still staging. It measures:

* wall time of the staging, of the publications and of the whole day;
* each Celery worker's utilisation (time spent executing steps / the day's wall time);
* the concurrency the queue allowed: runs in flight, large runs in flight
  (``fivestar/size=large``), publication runs in flight, against the limits;
* staged / failed / unfinished, published / failed / unfinished, runs retried,
  and releases with more than one approval or ``published`` audit entry;
* where each run's time went (``benchmarks/release_day_costs.py``).

The day ends when every staging run and every approved release's publication
has settled. ``--budget MINUTES`` (default 150) is a safety net: what has not
settled by then is reported as unfinished. Figures go to the console and to
``benchmarks/results/release-day-*.json`` (or ``--results PATH``), written
after each day; run again with the same ``--results`` to resume (worker
counts already measured are not re-run, the table is printed again).

Default size is modest (8 datasets, up to 20 000 rows: the machine is shared);
``--full`` is the issue's release day (50 datasets, up to 250 000 rows).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "release-day"
RESULTS = HERE / "results"
console = Console(width=150)

#: Datasets the generator can make at any size, and the bundled one it cannot.
GENERATED = ("police-recorded-crime", "foi-requests", "spend-over-25k")
BUNDLED_ONLY = ("entry-clearance-visas",)
#: The site's review service accounts (demo accounts of tests/governance.py).
STAGER = "stats.demo"
CHAMPION = "champion.demo"


@dataclass(frozen=True)
class Scale:
    datasets: int
    sizes: tuple[int | None, ...]  # None: the bundled extract
    large_rows: int
    max_large: int
    max_publications: int


MODEST = Scale(datasets=8, sizes=(None, 5_000, 20_000), large_rows=20_000, max_large=1,
               max_publications=2)
FULL = Scale(datasets=50, sizes=(None, 20_000, 100_000, 250_000), large_rows=100_000,
             max_large=1, max_publications=2)


def plan(scale: Scale) -> list[tuple[str, int | None]]:
    """(source dataset, rows) for each copy: every size, every dataset, in turn."""
    out = []
    kinds = [*GENERATED, *BUNDLED_ONLY]
    for i in range(scale.datasets):
        source = kinds[i % len(kinds)]
        rows = None if source in BUNDLED_ONLY else scale.sizes[(i // len(kinds)) % len(
            scale.sizes)]
        out.append((source, rows))
    return out


def extract_for(source: str, rows: int | None) -> Path | None:
    """A generated extract (cached), in the bundled extract's format; None = bundled."""
    if rows is None:
        return None
    from fivestar_dev import generate

    suffix = ".parquet" if source == "spend-over-25k" else ".csv"
    path = DATA / f"{source}-{rows}{suffix}"
    if not path.exists():
        with console.status(f"generating {rows:,} rows of {source}"):
            generate.write_large(source, rows, path)
    return path


def max_in_flight(spans: list[tuple[float, float]]) -> int:
    """The most intervals open at any instant (an end at t closes before a start at t)."""
    points = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans],
                    key=lambda p: (p[0], p[1]))
    peak = now = 0
    for _, delta in points:
        now += delta
        peak = max(peak, now)
    return peak


def run_spans(instance, run_ids: list[str], tag: tuple[str, str] | None = None):
    """(start, end) of every run in the chains of ``run_ids`` (optionally with a tag)."""
    from pipelines.submit import run_chain

    spans = []
    for root in run_ids:
        for run in run_chain(instance, root):
            if tag and run.tags.get(tag[0]) != tag[1]:
                continue
            record = instance.get_run_record_by_id(run.run_id)
            if record.start_time and record.end_time:
                spans.append((record.start_time, record.end_time))
    return spans


def worker_busy(instance, run_ids: list[str]) -> dict[str, float]:
    """Seconds each Celery worker spent executing steps of these runs (and their retries)."""
    from dagster import DagsterEventType

    from pipelines.submit import run_chain

    busy: dict[str, float] = defaultdict(float)
    ends = (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE)
    for root in run_ids:
        for run in run_chain(instance, root):
            began: dict[str, tuple[str, float]] = {}
            for entry in instance.all_logs(run.run_id):
                ev = entry.dagster_event
                if ev is None:
                    continue
                meta = getattr(ev.event_specific_data, "metadata", None) or {}
                if ev.event_type == DagsterEventType.ENGINE_EVENT and "Celery worker" in meta:
                    began[ev.step_key] = (meta["Celery worker"].value, entry.timestamp)
                elif ev.event_type in ends and ev.step_key in began:
                    host, t0 = began.pop(ev.step_key)
                    busy[host] += entry.timestamp - t0
    return dict(busy)


class Phase:
    """A day's clock and budget, and the machine's load sampled meanwhile."""

    def __init__(self, budget_s: float | None) -> None:
        self.t0 = time.time()
        self.deadline = None if budget_s is None else time.monotonic() + budget_s
        self.loads: list[float] = []

    def load(self) -> dict[str, float]:
        loads = self.loads or [os.getloadavg()[0]]
        return {"mean": round(sum(loads) / len(loads), 1), "max": round(max(loads), 1)}


class Day:
    """One release day in progress: staging runs queued, releases approved as they stage.

    The Transparency Champion approves each staged release as soon as it is
    staged (as on a real release day, rather than after the last one), so the
    publication sensor's runs overlap the staging queue's tail: the large
    runs, one at a time, leave a worker free for publications. Every poll
    reads only the runs still pending.
    """

    POLL_SECONDS = 5

    def __init__(self, site, specs, budget_s: float | None, publish: bool) -> None:
        from pipelines.instance import get_instance

        self.site, self.specs, self.publish = site, specs, publish
        self.instance = get_instance()
        self.phase = Phase(budget_s)
        self.champion = site.review.client(CHAMPION) if publish else None
        self.subs: list = []
        self.staged: dict[str, object] = {}  # staging root run id -> outcome
        self.staging_end = self.phase.t0
        self.approved: dict[str, float] = {}  # release id -> approval time
        self.publication_roots: dict[str, str] = {}  # release id -> first publication run
        self.published_end: dict[str, float] = {}  # release id -> its publication's end

    def queue_staging(self) -> None:
        from pipelines.runner import PlannedRun
        from pipelines.submit import queue_staging

        # as `fivestar stage` queues them: each run's single-use ticket claimed for it as it
        # enters the queue (a run that waits longer than the ticket's 30 minutes still starts)
        self.subs = queue_staging(self.site.review.client(STAGER),
                                  [PlannedRun(s) for s in self.specs])

    def run(self) -> bool:
        """Poll until every staging run settled and every approved release's publication
        did (True), or the budget ran out (False). Each poll is one query: the site's
        runs (``pipelines.submit.chains``), never two per run."""
        from pipelines.runs import RELEASE_TAG
        from pipelines.submit import chains, outcome, settled
        from pipelines.workload import OPERATION_TAG

        failed_since: dict[str, float] = {}
        pending = {s.run_id: s for s in self.subs}
        while True:
            self.phase.loads.append(os.getloadavg()[0])
            by_root = chains(self.instance.get_runs())
            for root, sub in list(pending.items()):
                if root not in by_root or settled(by_root[root], failed_since) is None:
                    continue
                del pending[root]
                self.staging_end = time.time()
                self.staged[root] = result = outcome(self.instance, sub)
                ref = result.outputs.get("staged_release") if result.ok else None
                if self.publish and ref is not None:
                    self.champion.approve(ref.release_id, "release day benchmark")
                    self.approved[ref.release_id] = time.time()
            # the sensor's first publication run of each approved release (get_runs lists
            # the newest first)
            for root, chain in reversed(list(by_root.items())):
                rid = chain[0].tags.get(RELEASE_TAG)
                if rid in self.approved and rid not in self.publication_roots \
                        and chain[0].tags.get(OPERATION_TAG) == "publish":
                    self.publication_roots[rid] = root
            for rid, root in self.publication_roots.items():
                if rid not in self.published_end and settled(by_root[root], failed_since):
                    self.published_end[rid] = time.time()
            if not pending and len(self.published_end) == len(self.approved):
                return True
            if self.phase.deadline is not None and time.monotonic() > self.phase.deadline:
                return False
            time.sleep(self.POLL_SECONDS)

    def staging_figures(self) -> dict:
        instance, roots = self.instance, [s.run_id for s in self.subs]
        wall = self.staging_end - self.phase.t0
        outcomes = list(self.staged.values())
        large = [r for r in roots
                 if instance.get_run_by_id(r).tags.get("fivestar/size") == "large"]
        return {
            "workers": self.site.workers,
            "datasets": len(self.specs),
            "wall_seconds": round(wall, 1),
            "load_average": self.phase.load(),
            "ok": sum(o.ok for o in outcomes),
            "failed": [o.dataset for o in outcomes if not o.ok],
            "unfinished": [s.spec.id for s in self.subs if s.run_id not in self.staged],
            "retried_runs": sum(len(_chain(instance, r)) - 1 for r in roots),
            "runs_in_flight_max": max_in_flight(run_spans(instance, roots)),
            "large_runs": len(large),
            "large_in_flight_max": max_in_flight(run_spans(instance, large)),
            "costs": run_costs(instance, roots),
        }

    def publication_figures(self) -> dict:
        instance = self.instance
        runs = list(self.publication_roots.values())
        first = min(self.approved.values(), default=self.phase.t0)
        last = max(self.published_end.values(), default=first)
        published = sum(1 for r in runs if _chain(instance, r)[-1].status.value == "SUCCESS")
        return {
            "approved": len(self.approved),
            "publication_runs": len(runs),
            "published": published,
            "failed": len(self.published_end) - published,
            "unfinished": len(self.approved) - len(self.published_end),
            "wall_seconds": round(last - first, 1),
            "retried_runs": sum(len(_chain(instance, r)) - 1 for r in runs),
            "publications_in_flight_max": max_in_flight(run_spans(instance, runs)),
            "costs": run_costs(instance, runs),
        }

    def duplicates(self) -> dict[str, dict[str, int]]:
        """Releases the audit log holds more than one approval or ``published`` entry for
        (none expected: retries and reruns add nothing), by release id."""
        out: dict[str, dict[str, int]] = {}
        for spec in self.specs:
            counts: dict[tuple[str, str], int] = defaultdict(int)
            for e in self.champion.audit(spec.id, limit=500):
                if e["decision"] in ("approved", "published") and e["release_id"]:
                    counts[(e["release_id"], e["decision"])] += 1
            for (rid, decision), n in counts.items():
                if n > 1:
                    out.setdefault(rid, {})[decision] = n
        return out

    def day_figures(self) -> dict:
        """The whole day: wall time, each worker's utilisation over it, the runs in flight."""
        roots = [s.run_id for s in self.subs] + list(self.publication_roots.values())
        end = max([self.staging_end, *self.published_end.values()])
        wall = end - self.phase.t0
        busy = worker_busy(self.instance, roots)
        return {
            "wall_seconds": round(wall, 1),
            "load_average": self.phase.load(),
            "utilisation": {h: round(b / wall, 3) for h, b in sorted(busy.items())},
            "busy_seconds": {h: round(b, 1) for h, b in sorted(busy.items())},
            "runs_in_flight_max": max_in_flight(run_spans(self.instance, roots)),
        }


def run_costs(instance, run_ids: list[str]) -> dict:
    """Median and total seconds per phase of these runs and their retries (release_day_costs).

    Only runs that ended count: a run still queued or running when the phase's budget ran
    out has no step or launch marks yet, and would pull every median to zero. ``runs``
    says how many the figures cover.
    """
    from benchmarks.release_day_costs import phases, run_events, summarise

    ended = [run for root in run_ids for run in _chain(instance, root) if run.is_finished]
    costs = summarise(phases(run_events(instance, run.run_id)) for run in ended)
    costs["runs"] = {"median": len(ended), "total": len(ended)}
    return costs


def _chain(instance, root):
    from pipelines.submit import run_chain

    return run_chain(instance, root)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.release_day",
                                 description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--full", action="store_true",
                    help="the issue's release day: 50 datasets, up to 250 000 rows")
    ap.add_argument("--datasets", type=int, help="how many dataset copies (overrides the scale)")
    ap.add_argument("--workers", default="1,2", help="worker counts to compare (default 1,2)")
    ap.add_argument("--no-publish", action="store_true", help="stage only")
    ap.add_argument("--results", type=Path,
                    help="results JSON, written after every phase; if it exists, the day is "
                         "resumed: worker counts it holds are not run again")
    ap.add_argument("--budget", type=float, default=150, metavar="MINUTES",
                    help="a safety net: stop waiting for a day after this long (what did not "
                         "finish is reported as unfinished; default 150)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the sites' state and service logs (printed at the end)")
    args = ap.parse_args(argv)
    scale = FULL if args.full else MODEST
    if args.datasets:
        scale = Scale(args.datasets, scale.sizes, scale.large_rows, scale.max_large,
                      scale.max_publications)
    worker_counts = [int(w) for w in args.workers.split(",")]
    budget_s = args.budget * 60
    out = args.results or RESULTS / f"release-day-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    day = {"scale": scale.__dict__, "runs": []}
    if out.exists():
        day = json.loads(out.read_text(encoding="utf-8"))
        if day["scale"] != json.loads(json.dumps(scale.__dict__)):
            console.print(f"[red]{out} holds a day of another scale[/]: {day['scale']}")
            return 2
        console.print(f"resuming {out}: worker counts measured "
                      f"{[r['workers'] for r in day['runs']]}")

    def save() -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(day, indent=2, default=str), encoding="utf-8")

    def record(result: dict) -> None:
        if result not in day["runs"]:
            day["runs"].append(result)
        save()

    root = Path(DATA.parent / f"site-{uuid.uuid4().hex[:8]}")
    due = datetime.now(UTC) - timedelta(minutes=1)
    measured = {r["workers"] for r in day["runs"]}
    try:
        for n_workers in worker_counts:
            if n_workers in measured:
                continue
            publish = not args.no_publish
            _one_day(n_workers, scale, root / f"w{n_workers}", due, budget_s, publish, record)
    finally:
        if args.keep:
            console.print(f"sites kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)  # the sites' state (CKAN keeps its copies)
    _report(day["runs"], scale)
    console.print(f"results: {out}")
    return 0 if all(_complete(r) for r in day["runs"]) else 1


def _complete(r: dict) -> bool:
    """The whole day done: every dataset staged, every approved release published once."""
    pub = r.get("publication")
    return not r["failed"] and not r["unfinished"] and (pub is None or (
        pub["published"] == pub["approved"] == r["ok"] and not pub["duplicates"]))


def _one_day(n_workers: int, scale: Scale, root: Path, due: datetime, budget_s: float,
             publish: bool, record) -> None:
    """Stage every dataset on a fresh site of ``n_workers`` workers, publishing each
    release once approved; ``record`` is given the day's figures."""
    from pipelines.instance import instance_config, tag_limits
    from pipelines.spec import load_spec
    from tests.distributed_site import Site, copy_dataset

    site = Site(root, name=f"releaseday{n_workers}", workers=n_workers,
                broker_db=5, env={
                    "FIVESTAR_LARGE_EXTRACT_ROWS": str(scale.large_rows),
                    "FIVESTAR_MAX_CONCURRENT_LARGE": str(scale.max_large),
                    "FIVESTAR_MAX_CONCURRENT_PUBLICATIONS": str(scale.max_publications)})
    suffix = uuid.uuid4().hex[:5]
    for i, (source, rows) in enumerate(plan(scale)):
        copy_dataset(source, f"rd{suffix}-{i:02d}-{source}", site.datasets, site.expectations,
                     next_release=due, extract=extract_for(source, rows))
    with site.authority(), site.applied():
        console.print(f"[bold]{scale.datasets} datasets, {n_workers} Celery worker(s)[/]: "
                      "starting the site")
        site.up()
        try:
            config = instance_config(Path(site.env["DAGSTER_HOME"]))
            limits = tag_limits(config)
            specs = [load_spec(p) for p in sorted(site.datasets.glob("*/dataset.yaml"))]
            console.print(f"queueing {len(specs)} staging runs"
                          + ("; each release approved as it is staged, the publication "
                             "sensor publishes it to CKAN" if publish else ""))
            day = Day(site, specs, budget_s, publish)
            day.queue_staging()
            finished = day.run()
            result = day.staging_figures()
            result["limits"] = {f"{k}={v}": n for (k, v), n in limits.items()}
            result["max_concurrent_runs"] = config["run_coordinator"]["config"][
                "max_concurrent_runs"]
            if publish:
                result["publication"] = day.publication_figures()
                result["publication"]["duplicates"] = day.duplicates()
            result["day"] = day_figures = day.day_figures()
            result["finished_within_budget"] = finished
            # the day's utilisation is the workers' (staging and publication steps)
            result["utilisation"] = day_figures["utilisation"]
            result["busy_seconds"] = day_figures["busy_seconds"]
            record(result)
            console.print(f"staged {result['ok']} of {len(specs)} in "
                          f"{result['wall_seconds']:.0f} s; the day took "
                          f"{day_figures['wall_seconds']:.0f} s "
                          f"(load {day_figures['load_average']})")
        finally:
            site.down()


def _report(runs: list[dict], scale: Scale) -> None:
    """The day's table: one row per figure, one column per worker count (it stays legible
    at any terminal width)."""
    table = Table(title="Release day on the distributed profile (figures under shared load)")
    table.add_column("")
    for r in runs:
        table.add_column(f"{r['workers']} worker(s)")
    rows: dict[str, list[str]] = defaultdict(list)
    for r in runs:
        day = r.get("day") or {"wall_seconds": r["wall_seconds"],
                               "load_average": r["load_average"]}
        pub = r.get("publication")
        load = day["load_average"]
        for label, value in (
            ("datasets", str(r["datasets"])),
            ("staged ok / failed / unfinished",
             f"{r['ok']} / {len(r['failed'])} / {len(r['unfinished'])}"),
            ("staging wall s (first queued to last staged)", f"{r['wall_seconds']:.0f}"),
            ("published / failed / unfinished (of approved)",
             f"{pub['published']} / {pub['failed']} / {pub['unfinished']} (of {pub['approved']})"
             if pub else "not published"),
            ("publication wall s (first approval to last published)",
             f"{pub['wall_seconds']:.0f}" if pub else "-"),
            ("day wall s", f"{day['wall_seconds']:.0f}"),
            ("load average (mean, max)", f"{load['mean']}, {load['max']}"),
            ("worker utilisation over the day (step time / wall)",
             ", ".join(f"{h.split('@')[0]} {u:.0%}" for h, u in r["utilisation"].items())),
            ("runs retried (staging, publication)",
             f"{r['retried_runs']}, {pub['retried_runs']}" if pub else str(r["retried_runs"])),
            ("runs in flight, max (limit from the profile)",
             f"{day.get('runs_in_flight_max', r['runs_in_flight_max'])}"
             f" ({r.get('max_concurrent_runs', 8)})"),
            (f"large runs in flight, max (limit {scale.max_large})",
             f"{r['large_in_flight_max']} ({r['large_runs']} large runs)"),
            (f"publications in flight, max (limit {scale.max_publications})",
             f"{pub['publications_in_flight_max']} ({pub['publication_runs']} runs)"
             if pub else "-"),
            ("releases with a duplicate approval or publication",
             str(len(pub["duplicates"])) if pub else "-"),
        ):
            rows[label].append(value)
    for label, values in rows.items():
        table.add_row(label, *values)
    console.print(table)
    _report_costs(runs)
    for r in runs:
        for ds in r["failed"]:
            console.print(f"[red]staging failed[/]: {ds}")
        for ds in r["unfinished"]:
            console.print(f"[yellow]staging unfinished within the budget[/]: {ds}")
        for rid, counts in ((r.get("publication") or {}).get("duplicates") or {}).items():
            console.print(f"[red]duplicate audit entries[/] for release {rid}: {counts}")


def _report_costs(runs: list[dict]) -> None:
    """Where each run's time went (median seconds per run; benchmarks/release_day_costs.py)."""
    from benchmarks.release_day_costs import PHASES

    table = Table(title="Per-run time by phase, median seconds (from Dagster's event log)")
    table.add_column("runs")
    for col in (*PHASES, "fixed"):
        table.add_column(col)
    for r in runs:
        for label, costs in ((f"staging, {r['workers']} worker(s)", r.get("costs")),
                             ("publication", (r.get("publication") or {}).get("costs"))):
            if costs and costs.get("fixed"):
                if "runs" in costs:
                    label = f"{label} ({int(costs['runs']['total'])} ended)"
                table.add_row(label, *(f"{costs[k]['median']:.1f}" for k in (*PHASES, "fixed")))
    console.print(table)


if __name__ == "__main__":
    raise SystemExit(main())
