"""Benchmark runner: `make bench` (or `uv run python -m benchmarks.run`).

Two parts, in one run so their figures compare:

1. **end to end** (:mod:`benchmarks.staging`): ``fivestar stage`` on generated
   FOI (record) and crime (aggregate) extracts, every gate included, with
   seconds and peak memory per step, the naive rdflib reference on 100 k rows
   and the ratio, and how time and memory grow with the rows;
2. **stage functions**: each stage's function on its own (extract,
   validation, redaction, conversion), as before.

Sizes: ``--rows 100k 1M`` (the default), or ``--up-to 10M`` for every decade
from 100 k up to 10 M (``make bench ROWS=10M``). Extracts are generated on
demand and cached under benchmarks/data/ (gitignored); results go to
benchmarks/results/ as JSON. Targets are reported, not asserted: speed
belongs here, not in unit tests.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.extracts import label, large_extract, parse_rows
from benchmarks.measure import measure

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results"
DEFAULT_SIZES = [100_000, 1_000_000]
console = Console(width=150)


def bench_extract_validate(rows: int, workdir: Path) -> list[dict]:
    """Extract (typed read) and GX validation of the FOI log at ``rows`` rows."""
    from pipelines import extract, paths, validate
    from pipelines.spec import load_spec

    spec = load_spec(paths.DATASETS_DIR / "foi-requests" / "dataset.yaml")
    source = spec.source.model_copy(update={"path": str(large_extract(spec.id, rows)),
                                            "format": "parquet"})
    spec = spec.model_copy(update={"source": source})
    read = measure(lambda: extract.read_extract(spec))
    df = read.result
    checked = measure(lambda: validate.validate(df, spec))
    return [
        _row("extract", rows, read),
        _row("validation", rows, checked, passed=checked.result.passed),
    ]


def _row(stage: str, rows: int, m, **extra) -> dict:
    return {"stage": stage, "rows": rows, "seconds": round(m.seconds, 3),
            "rows_per_s": round(rows / m.seconds) if m.seconds else None,
            "peak_mb": round(m.peak_mb, 1), **extra}


def stage_plugins() -> list:
    import benchmarks.stages as pkg

    return [importlib.import_module(f"benchmarks.stages.{m.name}")
            for m in pkgutil.iter_modules(pkg.__path__)]


def sizes_from(args: argparse.Namespace) -> list[int]:
    if args.up_to:
        top = parse_rows(args.up_to)
        sizes, n = [], 100_000
        while n < top:
            sizes.append(n)
            n *= 10
        return [*sizes, top]
    return sorted({parse_rows(r) for r in args.rows}) if args.rows else DEFAULT_SIZES


def main(argv: list[str] | None = None) -> int:
    from benchmarks import staging

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", nargs="+", help="sizes, e.g. 100k 1M (default: 100k 1M)")
    parser.add_argument("--up-to", help="every decade from 100k up to this size, e.g. 10M")
    parser.add_argument("--only", help="stage functions: run only those whose name contains "
                        "this (end to end: the dataset ids containing it)")
    parser.add_argument("--part", choices=["all", "e2e", "stages"], default="all",
                        help="end to end, stage functions, or both (default)")
    parser.add_argument("--stage-rows", nargs="+",
                        help="sizes for the stage functions (default: the sizes up to 1M)")
    parser.add_argument("--no-naive", action="store_true",
                        help="skip the naive rdflib reference (no ratio is reported)")
    args = parser.parse_args(argv)
    sizes = sizes_from(args)
    results: list[dict] = []
    e2e = None
    if args.part in ("all", "e2e"):
        datasets = tuple(d for d in staging.DATASETS if not args.only or args.only in d) \
            or staging.DATASETS
        e2e = staging.run_all(sizes, datasets, status=console.status, naive=not args.no_naive)
        _print_e2e(e2e)
    if args.part in ("all", "stages"):
        stage_sizes = ([parse_rows(r) for r in args.stage_rows] if args.stage_rows
                       else [n for n in sizes if n <= 1_000_000] or sizes[:1])
        workdir = DATA / "work"
        workdir.mkdir(parents=True, exist_ok=True)
        runners = [("extract+validation", bench_extract_validate)]
        runners += [(m.__name__.rsplit(".", 1)[-1], m.run) for m in stage_plugins()]
        for rows in stage_sizes:
            for name, run in runners:
                if args.only and args.part == "stages" and args.only not in name:
                    continue
                with console.status(f"{name} at {rows:,} rows"):
                    results.extend(run(rows, workdir))
        _print(results)
    if args.part in ("all", "stages"):
        from benchmarks.names import evaluate

        with console.status("person-name evaluation (make eval)"):
            names = evaluate.evaluate(2400, 1200)
        evaluate.show(names)
        results.append({"stage": "eval:names", "name_token_recall": names["name_token_recall"],
                        "over_redaction": names["over_redaction"],
                        "typed_recall": names["typed_recall"]})
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps({"machine": _machine(), "end_to_end": e2e, "results": results},
                              indent=2))
    console.print(f"results written to {out}")
    return 0


def _machine() -> dict:
    import os

    import psutil

    return {"python": sys.version.split()[0], "platform": platform.platform(),
            "cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()]}


def _print_e2e(e2e: dict) -> None:
    runs = e2e["runs"]
    steps = list(dict.fromkeys(s["step"] for r in runs for s in r["steps"]))
    table = Table(title="fivestar stage, end to end (seconds per step from Dagster's event log)")
    for c in ["dataset", "rows", *map(_short, steps), "other", "total s", "peak MB", "copies",
              "target", "met"]:
        table.add_column(c, justify="left" if c in ("dataset", "target") else "right")
    for r in runs:
        by = {s["step"]: s for s in r["steps"]}
        met = [r.get(k) for k in ("meets_time", "meets_memory", "meets_ratio") if k in r]
        ok = r["exit_code"] == 0
        table.add_row(r["dataset"].split("-")[0], label(r["rows"]),
                      *[_fmt(by[s]["seconds"]) if s in by else "-" for s in steps],
                      _fmt(r["other_seconds"]),
                      _fmt(r["seconds"]) + ("" if ok else " [red](failed)[/]"),
                      _fmt(r["peak_mb"]), _fmt(r["copies"]), r.get("target", "-"),
                      _fmt(all(met)) if met else "-")
    console.print(table)
    console.print("other: interpreter start, definitions and Dagster's run machinery outside "
                  "the steps; copies: bytes left in the state folder (each inode once) over "
                  "the bytes of the staged release's public files")
    for title, key_, total in (("CPU seconds per step (process and its workers)",
                                "cpu_seconds", "cpu_seconds"),
                               ("peak memory per step (MB, process and its workers)",
                                "peak_mb", "peak_mb")):
        sub = Table(title=title)
        for c in ["dataset", "rows", *map(_short, steps), "whole run"]:
            sub.add_column(c, justify="left" if c == "dataset" else "right")
        for r in runs:
            by = {s["step"]: s for s in r["steps"]}
            sub.add_row(r["dataset"].split("-")[0], label(r["rows"]),
                        *[_fmt(by[s].get(key_)) if s in by else "-" for s in steps],
                        _fmt(r.get(total)))
        console.print(sub)
    naive = e2e.get("naive")
    if naive:
        console.print(f"naive rdflib Graph + N-Triples serialise, {naive['rows']:,} crime rows "
                      f"({naive['triples']:,} triples): {naive['seconds']:.1f} s, "
                      f"{naive['peak_mb']:,.0f} MB")
        for r in runs:
            if "ratio_to_naive" in r:
                console.print(f"  {r['dataset']} at {label(r['rows'])}: whole stage is "
                              f"{r['ratio_to_naive']:.2f}x naive rdflib's time for a tenth of "
                              f"the rows (target <= {staging_ratio()}): "
                              f"{_fmt(r['meets_ratio'])}")
    for g in e2e["growth"]:
        console.print(f"growth {g['dataset']} {label(g['from'])} -> {label(g['to'])}: rows "
                      f"x{g['rows_factor']:g}, time x{_fmt(g['time_factor'])} (exponent "
                      f"{_fmt(g['time_exponent'])}; 1 = linear), peak memory "
                      f"x{_fmt(g['memory_factor'])}")
    for r in runs:
        if r["exit_code"] != 0:
            console.print(f"[red]{r['dataset']} at {label(r['rows'])} failed[/]: see {r['log']}")


_SHORT = {"expectations": "gx", "validated": "valid", "redacted": "redact",
          "redaction_verified": "redact ✓", "converted": "convert",
          "conversion_verified": "convert ✓", "staged_release": "release"}


def _short(step: str) -> str:
    """Step names short enough for a table column (the JSON keeps the full names)."""
    return _SHORT.get(step, step)


def staging_ratio() -> float:
    from benchmarks.staging import RATIO_TARGET

    return RATIO_TARGET


def _print(results: list[dict]) -> None:
    table = Table(title="fivestar benchmarks")
    cols = ["stage", "rows", "seconds", "rows_per_s", "triples_per_s", "peak_mb", "target",
            "meets_target"]
    for c in cols:
        table.add_column(c, justify="right" if c not in ("stage", "target") else "left")
    for r in results:
        table.add_row(*[_fmt(r.get(c)) for c in cols])
    console.print(table)
    extras = [r for r in results if r.get("note")]
    for r in extras:
        console.print(f"{r['stage']}: {r['note']}")


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "[green]yes[/]" if v else "[red]no[/]"
    if isinstance(v, int | float) and not isinstance(v, bool):
        return f"{v:,}" if isinstance(v, int) else f"{v:,.2f}"
    return str(v)


if __name__ == "__main__":
    raise SystemExit(main())
