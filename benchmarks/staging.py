"""End-to-end benchmark: ``fivestar stage`` as a statistician runs it.

Each run is the real command in its own process (``fivestar stage <id>``),
against a fresh state folder, on a generated extract (see
:mod:`benchmarks.extracts`): every asset, every blocking gate, the IO manager
between assets and the release staging. Measured:

* wall-clock seconds of the whole command (process start to exit);
* seconds per step (asset or check) from Dagster's own event log (step start
  to step success or failure), and what is left over (interpreter start,
  definitions, Dagster's run machinery);
* peak resident memory of the process tree, sampled every 20 ms with
  timestamps so each step's own peak is known too, and the kernel's
  ``ru_maxrss`` of the process as a cross-check;
* the bytes the run left in the state folder (each inode counted once, so a
  hard link is not double-counted) against the bytes of the staged release,
  which shows how many copies of the public files exist.

Targets (issue 12; reported, never asserted): 1 M rows ≤ 30 s and ≤ 1.5 GiB,
10 M rows ≤ 300 s and ≤ 2 GiB, and the 1 M-row run no slower than 1.5 × naive
rdflib on 100 k rows (measured in the same run: :func:`naive_reference`).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from benchmarks.extracts import DATA, bench_dataset, label, large_extract

#: Datasets staged end to end: one record dataset, one aggregate with margins.
DATASETS = ("foi-requests", "police-recorded-crime")
TARGETS = {1_000_000: (30.0, 1.5 * 1024), 10_000_000: (300.0, 2 * 1024)}
NAIVE_ROWS = 100_000
RATIO_TARGET = 1.5


class _Sampler:
    """RSS and CPU seconds of a process and its children, with timestamps, on a thread.

    CPU seconds (user + system, the process's own, its live children's and its
    finished children's) are what a step cost whatever else the machine was doing;
    on a shared machine they compare across runs better than wall-clock seconds.
    """

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, int, float]] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            proc = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._done.is_set():
            try:
                rss = proc.memory_info().rss
                c = proc.cpu_times()
                cpu = c.user + c.system + c.children_user + c.children_system
                for child in proc.children(recursive=True):
                    with contextlib.suppress(psutil.NoSuchProcess):
                        rss += child.memory_info().rss
                        cc = child.cpu_times()
                        cpu += cc.user + cc.system
            except psutil.NoSuchProcess:
                return
            self.samples.append((time.time(), rss, cpu))
            time.sleep(self.interval)

    def peak_mb(self, start: float | None = None, end: float | None = None) -> float | None:
        vals = [r for t, r, _ in self.samples
                if (start is None or t >= start) and (end is None or t <= end)]
        return round(max(vals) / 2**20, 1) if vals else None

    def cpu_seconds(self, start: float, end: float) -> float | None:
        """CPU seconds spent between two moments (nearest samples)."""
        inside = [c for t, _, c in self.samples if start <= t <= end]
        before = [c for t, _, c in self.samples if t <= start]
        after = [c for t, _, c in self.samples if t >= end]
        lo = before[-1] if before else (inside[0] if inside else None)
        hi = after[0] if after else (inside[-1] if inside else None)
        return round(hi - lo, 2) if lo is not None and hi is not None else None


def _step_name(step_key: str, prefix: str) -> str:
    name = step_key.split(".")[-1]
    return name[len(prefix) + 2:] if name.startswith(prefix + "__") else name


def step_times(state_dir: Path, prefix: str) -> tuple[str | None, list[dict[str, Any]]]:
    """(run status, [{step, start, end, seconds, status}]) from the run's event log."""
    from dagster import DagsterEventType, DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    home = state_dir / "dagster"
    instance = DagsterInstance.from_ref(InstanceRef.from_dir(str(home)))
    try:
        runs = instance.get_runs(limit=1)
        if not runs:
            return None, []
        run = runs[0]
        steps: dict[str, dict[str, Any]] = {}
        for entry in instance.all_logs(run.run_id):
            ev = entry.dagster_event
            if ev is None or not entry.step_key:
                continue
            s = steps.setdefault(entry.step_key, {"step": _step_name(entry.step_key, prefix)})
            if ev.event_type == DagsterEventType.STEP_START:
                s["start"] = entry.timestamp
            elif ev.event_type in (DagsterEventType.STEP_SUCCESS,
                                   DagsterEventType.STEP_FAILURE):
                s["end"] = entry.timestamp
                s["status"] = "ok" if ev.event_type == DagsterEventType.STEP_SUCCESS else "failed"
            elif ev.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
                data = ev.event_specific_data
                if not data.passed and data.severity.value == "ERROR":
                    s["status"] = f"check {data.check_name} failed"
        out = []
        for s in steps.values():
            if "start" in s and "end" in s:
                s["seconds"] = round(s["end"] - s["start"], 2)
                out.append(s)
        return run.status.value, sorted(out, key=lambda s: s["start"])
    finally:
        instance.dispose()


def _disk_bytes(root: Path) -> int:
    """Bytes under ``root``, each inode once (hard links are one copy)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            try:
                st = os.lstat(os.path.join(dirpath, f))
            except OSError:
                continue
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return total


def _release_bytes(state_dir: Path) -> tuple[int, dict[str, int]]:
    releases = state_dir / "releases"
    files: dict[str, int] = {}
    for manifest in releases.rglob("manifest.json"):
        for f in json.loads(manifest.read_text(encoding="utf-8")).get("files", []):
            files[f["path"]] = f["bytes"]
    return sum(files.values()), files


def _fivestar() -> str:
    """The ``fivestar`` command of this environment (what a statistician types)."""
    beside = Path(sys.executable).with_name("fivestar")
    return str(beside) if beside.exists() else (shutil.which("fivestar") or "fivestar")


def stage_once(dataset_id: str, rows: int) -> dict[str, Any]:
    """Run ``fivestar stage`` once on a generated extract; the figures of that run."""
    root = DATA / "e2e" / f"{dataset_id}-{label(rows)}"
    datasets_dir, expectations_dir = bench_dataset(dataset_id, rows, root / "spec")
    state = root / "state"
    shutil.rmtree(state, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "DAGSTER_PG_URL")}
    # The statistician signs in to a review service (in this process, on loopback, with
    # the demo accounts), which registers the staging, as for real.
    from fivestar_dev.demo_accounts import DEMO_USERS
    from fivestar_dev.synthetic_release import make_authority
    from pipelines.review.app import create_app
    from tests.governance import serving

    state.mkdir(parents=True)
    authority = make_authority(root / "service", releases_root=state / "releases")
    env.update({"FIVESTAR_DATASETS_DIR": str(datasets_dir),
                "FIVESTAR_EXPECTATIONS_DIR": str(expectations_dir),
                "FIVESTAR_STATE_DIR": str(state), "FIVESTAR_USER": "stats.demo",
                "FIVESTAR_PASSWORD": DEMO_USERS["stats.demo"][2], "COLUMNS": "150"})
    log = root / "stage.log"
    cmd = [_fivestar(), "stage", dataset_id]
    with serving(create_app(authority, failure_seconds=0)) as url, open(log, "wb") as out:
        env["FIVESTAR_REVIEW_URL"] = url
        start = time.time()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        with _Sampler(proc.pid) as sampler:
            _, code, usage = os.wait4(proc.pid, 0)
        seconds = time.time() - start
    proc.returncode = os.waitstatus_to_exitcode(code)
    from pipelines.spec import load_spec

    prefix = load_spec(datasets_dir / dataset_id / "dataset.yaml").asset_key_prefix
    run_status, steps = step_times(state, prefix)
    for s in steps:
        s["peak_mb"] = sampler.peak_mb(s["start"], s["end"])
        s["cpu_seconds"] = sampler.cpu_seconds(s["start"], s["end"])
    published, files = _release_bytes(state)
    on_disk = _disk_bytes(state)
    return {
        "dataset": dataset_id, "rows": rows, "seconds": round(seconds, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_mb": sampler.peak_mb(), "maxrss_mb": round(usage.ru_maxrss / 1024, 1),
        "exit_code": proc.returncode, "run_status": run_status,
        "steps": [{k: v for k, v in s.items() if k not in ("start", "end")} for s in steps],
        "other_seconds": round(seconds - sum(s["seconds"] for s in steps), 2),
        "release_bytes": published, "state_bytes": on_disk,
        "copies": round(on_disk / published, 2) if published else None,
        "largest_files": dict(sorted(files.items(), key=lambda kv: -kv[1])[:3]),
        "log": str(log),
    }


def naive_reference(rows: int = NAIVE_ROWS) -> dict[str, Any]:
    """The peer path: an rdflib Graph of the crime cube's triples, serialised as N-Triples."""
    from benchmarks.measure import measure
    from benchmarks.stages.conversion import _spec, crime_frame, naive_rdflib

    work = DATA / "e2e" / "naive"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    df = crime_frame(rows)
    spec = _spec()
    m = measure(lambda: naive_rdflib(df, spec, work / "naive.nt"))
    shutil.rmtree(work, ignore_errors=True)
    return {"rows": rows, "seconds": round(m.seconds, 2), "triples": m.result,
            "peak_mb": round(m.peak_mb, 1)}


def verdict(run: dict[str, Any], naive: dict[str, Any] | None) -> dict[str, Any]:
    """The targets that apply at this size, and whether this run met them."""
    out: dict[str, Any] = {}
    target = TARGETS.get(run["rows"])
    if target:
        secs, mb = target
        out["target"] = f"<= {secs:.0f} s, <= {mb / 1024:.1f} GiB"
        out["meets_time"] = run["seconds"] <= secs and run["exit_code"] == 0
        out["meets_memory"] = (run["peak_mb"] or 0) <= mb
    if naive and run["rows"] == 1_000_000:
        out["ratio_to_naive"] = round(run["seconds"] / naive["seconds"], 2)
        out["meets_ratio"] = out["ratio_to_naive"] <= RATIO_TARGET
    return out


def growth(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Time and memory factors between consecutive sizes of each dataset.

    ``time_exponent`` is log(time factor) / log(rows factor): 1.0 is linear,
    2.0 quadratic; memory flat in the rows shows as a factor near 1.
    """
    out = []
    for ds in dict.fromkeys(r["dataset"] for r in runs):
        mine = sorted((r for r in runs if r["dataset"] == ds), key=lambda r: r["rows"])
        for a, b in zip(mine, mine[1:], strict=False):
            k = b["rows"] / a["rows"]
            t = b["seconds"] / a["seconds"] if a["seconds"] else None
            m = (b["peak_mb"] or 0) / a["peak_mb"] if a["peak_mb"] else None
            out.append({"dataset": ds, "from": a["rows"], "to": b["rows"],
                        "rows_factor": round(k, 1),
                        "time_factor": round(t, 2) if t else None,
                        "time_exponent": round(math.log(t) / math.log(k), 2) if t else None,
                        "memory_factor": round(m, 2) if m else None})
    return out


def run_all(sizes: list[int], datasets: tuple[str, ...] = DATASETS, status=None,
            naive: bool = True) -> dict[str, Any]:
    """Every dataset at every size, the naive reference, growth and verdicts."""
    reference = None
    if naive:
        if status is not None:
            with status(f"naive rdflib reference at {NAIVE_ROWS:,} rows"):
                reference = naive_reference()
        else:
            reference = naive_reference()
    runs = []
    for rows in sizes:
        for ds in datasets:
            large_extract(ds, rows, status)  # generated (once) before the clock starts
            if status is not None:
                with status(f"fivestar stage {ds} at {rows:,} rows"):
                    run = stage_once(ds, rows)
            else:
                run = stage_once(ds, rows)
            run.update(verdict(run, reference))
            runs.append(run)
    return {"naive": reference, "runs": runs, "growth": growth(runs)}
