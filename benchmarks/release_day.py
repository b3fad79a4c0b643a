"""A release day on the distributed profile: many datasets staged and published at once.

``make bench-release-day`` (or ``python -m benchmarks.release_day``) builds
copies of the bundled specs with generated extracts of mixed sizes, then for
each worker count (default 1 and 2) starts a private site (tests/distributed_site.py:
PostgreSQL instance, queued run coordinator, daemon, N Celery workers),
queues every staging run at once and measures:

* wall time from the first submission to the last run finishing;
* each Celery worker's utilisation (time spent executing steps / wall time);
* the concurrency the queue allowed: runs in flight, large runs in flight
  (``fivestar/size=large``), against the configured limits;

and, on the last worker count, approves every staged release and lets the
publication sensor publish them to the local CKAN, measuring publication runs
in flight against the publication limit. Figures go to the console and to
``benchmarks/results/release-day-*.json``.

Default size is modest (8 datasets, up to 20 000 rows: the machine is shared);
``--full`` is the issue's release day (50 datasets, up to 250 000 rows).
"""

from __future__ import annotations

import argparse
import json
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


def stage_all(site, specs) -> tuple[dict, list]:
    from pipelines.assets import STAGING_STAGES
    from pipelines.instance import get_instance
    from pipelines.runs import TICKET_TAG
    from pipelines.submit import client, submit, wait

    instance = get_instance()
    gql = client()
    stager = site.review.client(STAGER)
    t0 = time.time()
    # each run carries the review service's single-use ticket, as `fivestar stage` queues it
    subs = [submit(s, STAGING_STAGES, tags={TICKET_TAG: stager.ticket(s.id)["ticket"]},
                   gql=gql) for s in specs]
    outcomes = wait(subs, timeout=6 * 3600, poll=2)
    wall = time.time() - t0
    roots = [s.run_id for s in subs]
    busy = worker_busy(instance, roots)
    large = [s.run_id for s in subs if instance.get_run_by_id(s.run_id).tags.get(
        "fivestar/size") == "large"]
    result = {
        "workers": site.workers,
        "datasets": len(specs),
        "wall_seconds": round(wall, 1),
        "ok": sum(o.ok for o in outcomes),
        "failed": [o.dataset for o in outcomes if not o.ok],
        "retried_runs": sum(len(_chain(instance, r)) - 1 for r in roots),
        "utilisation": {h: round(b / wall, 3) for h, b in sorted(busy.items())},
        "busy_seconds": {h: round(b, 1) for h, b in sorted(busy.items())},
        "runs_in_flight_max": max_in_flight(run_spans(instance, roots)),
        "large_runs": len(large),
        "large_in_flight_max": max_in_flight(run_spans(instance, large)),
    }
    return result, outcomes


def _chain(instance, root):
    from pipelines.submit import run_chain

    return run_chain(instance, root)


def publish_all(site, outcomes) -> dict:
    """Approve every staged release; the sensor queues their publication runs."""
    from dagster import RunsFilter
    from dagster._core.storage.tags import ROOT_RUN_ID_TAG

    from pipelines.instance import get_instance
    from pipelines.runs import RELEASE_TAG

    instance = get_instance()
    champion = site.review.client(CHAMPION)
    staged = [o for o in outcomes if o.ok and o.outputs.get("staged_release")]
    t0 = time.time()
    for o in staged:
        champion.approve(o.outputs["staged_release"].release_id, "release day benchmark")
    roots: dict[str, str] = {}
    deadline = time.monotonic() + 600
    while len(roots) < len(staged) and time.monotonic() < deadline:
        for o in staged:
            rid = o.outputs["staged_release"].release_id
            if rid in roots:
                continue
            runs = [r for r in instance.get_runs(filters=RunsFilter(tags={RELEASE_TAG: rid}))
                    if ROOT_RUN_ID_TAG not in r.tags]
            if runs:
                roots[rid] = runs[0].run_id
        time.sleep(2)
    publication_runs = list(roots.values())
    _wait_runs(instance, publication_runs)
    wall = time.time() - t0
    published = sum(1 for r in publication_runs
                    if _chain(instance, r)[-1].status.value == "SUCCESS")
    return {
        "approved": len(staged),
        "publication_runs": len(publication_runs),
        "published": published,
        "wall_seconds": round(wall, 1),
        "publications_in_flight_max": max_in_flight(run_spans(instance, publication_runs)),
    }


def _wait_runs(instance, roots: list[str]) -> None:
    from pipelines.submit import _settled

    pending = set(roots)
    failed_since: dict[str, float] = {}
    while pending:
        pending = {r for r in pending if _settled(instance, r, failed_since) is None}
        time.sleep(2)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.release_day",
                                 description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--full", action="store_true",
                    help="the issue's release day: 50 datasets, up to 250 000 rows")
    ap.add_argument("--datasets", type=int, help="how many dataset copies (overrides the scale)")
    ap.add_argument("--workers", default="1,2", help="worker counts to compare (default 1,2)")
    ap.add_argument("--no-publish", action="store_true", help="stage only")
    args = ap.parse_args(argv)
    scale = FULL if args.full else MODEST
    if args.datasets:
        scale = Scale(args.datasets, scale.sizes, scale.large_rows, scale.max_large,
                      scale.max_publications)
    worker_counts = [int(w) for w in args.workers.split(",")]

    from pipelines.instance import instance_config, tag_limits
    from pipelines.spec import load_spec
    from tests.distributed_site import Site, copy_dataset

    root = Path(DATA.parent / f"site-{uuid.uuid4().hex[:8]}")
    due = datetime.now(UTC) - timedelta(minutes=1)
    runs = []
    for n_workers in worker_counts:
        site = Site(root / f"w{n_workers}", name=f"releaseday{n_workers}", workers=n_workers,
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
                limits = tag_limits(instance_config(Path(site.env["DAGSTER_HOME"])))
                specs = [load_spec(p) for p in sorted(site.datasets.glob("*/dataset.yaml"))]
                console.print(f"queueing {len(specs)} staging runs")
                staged, outcomes = stage_all(site, specs)
                staged["limits"] = {f"{k}={v}": n for (k, v), n in limits.items()}
                if not args.no_publish and n_workers == worker_counts[-1]:
                    console.print("approving; the publication sensor publishes to CKAN")
                    staged["publication"] = publish_all(site, outcomes)
                runs.append(staged)
            finally:
                site.down()
    shutil.rmtree(root, ignore_errors=True)  # the sites' state (the catalogue keeps its copies)
    _report(runs, scale)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"release-day-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps({"scale": scale.__dict__, "runs": runs}, indent=2, default=str),
                   encoding="utf-8")
    console.print(f"results: {out}")
    return 0 if all(not r["failed"] for r in runs) else 1


def _report(runs: list[dict], scale: Scale) -> None:
    table = Table(title="Release day on the distributed profile (figures under shared load)")
    for col in ("workers", "datasets", "ok", "wall s", "worker utilisation", "retried",
                "runs in flight (max)", f"large in flight (max / limit {scale.max_large})"):
        table.add_column(col)
    for r in runs:
        util = ", ".join(f"{h.split('@')[0]} {u:.0%}" for h, u in r["utilisation"].items())
        table.add_row(str(r["workers"]), str(r["datasets"]), str(r["ok"]),
                      f"{r['wall_seconds']:.0f}", util, str(r["retried_runs"]),
                      str(r["runs_in_flight_max"]),
                      f"{r['large_in_flight_max']} of {r['large_runs']} large runs")
    console.print(table)
    for r in runs:
        pub = r.get("publication")
        if pub:
            console.print(
                f"publication ({r['workers']} workers): {pub['published']} of {pub['approved']} "
                f"approved releases published in {pub['wall_seconds']:.0f} s; publication runs "
                f"in flight at most {pub['publications_in_flight_max']} "
                f"(limit {scale.max_publications})")
        for ds in r["failed"]:
            console.print(f"[red]failed[/]: {ds}")


if __name__ == "__main__":
    raise SystemExit(main())
