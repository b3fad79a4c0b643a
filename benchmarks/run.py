"""Benchmark runner: `make bench` (or `uv run python -m benchmarks.run`).

Generates large synthetic extracts on demand (cached under benchmarks/data/,
gitignored), times every stage at each size, prints a table and writes the
figures as JSON to benchmarks/results/. Targets are reported, not asserted:
speed belongs here, not in unit tests.
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

from benchmarks.measure import measure

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results"
console = Console(width=150)


def large_extract(dataset_id: str, rows: int) -> Path:
    """A large version of a bundled extract, generated once and cached."""
    from pipelines import generate

    path = DATA / f"{dataset_id}-{rows}.parquet"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        with console.status(f"generating {rows:,} rows of {dataset_id}"):
            generate.write_large(dataset_id, rows, path)
    return path


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--only", help="run only stages whose name contains this")
    args = parser.parse_args(argv)
    workdir = DATA / "work"
    workdir.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    runners = [("extract+validation", bench_extract_validate)]
    runners += [(m.__name__.rsplit(".", 1)[-1], m.run) for m in stage_plugins()]
    for rows in args.rows:
        for name, run in runners:
            if args.only and args.only not in name:
                continue
            with console.status(f"{name} at {rows:,} rows"):
                results.extend(run(rows, workdir))
    _print(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps({"machine": {"python": sys.version.split()[0],
                                           "platform": platform.platform(),
                                           "cpus": __import__("os").cpu_count()},
                               "results": results}, indent=2))
    console.print(f"results written to {out}")
    return 0


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
