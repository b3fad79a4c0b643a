"""Where a run's time goes on the distributed profile, read from Dagster's event log.

A run on the distributed profile passes through the queue, a run worker
process (started by the code server, it loads the code location), and for
each step a Celery task (the worker loads the job and builds the step's plan,
then executes it); the run worker polls Celery for each result. The event log
timestamps every hand-over, so the release day can say which of these is
work and which is fixed cost:

* ``queued``: submitted until the daemon launched it (the limits; not a cost);
* ``launch``: launched until the run worker began the run (process start,
  imports, loading the definitions);
* ``celery_wait``: a step submitted until a worker picked it up (no idle worker);
* ``task_setup``: picked up until the step began (the task loading the job,
  building the plan, initialising resources);
* ``step``: the step's own work (``STEP_START`` to its end);
* ``hand_over``: a step ended until the run worker submitted the next, or
  ended the run (result pickup, the executor's poll);
* ``teardown``: the last event until the run's end.

The module is plain: :func:`phases` takes ``(event type, step key, time)``
triples, so it is tested without Dagster.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from statistics import median

PHASES = ("queued", "launch", "celery_wait", "task_setup", "step", "hand_over", "teardown")

#: Event types by name (``DagsterEventType.name``), and the two engine events of dagster-celery.
SUBMITTED = "CELERY_SUBMITTED"
PICKED_UP = "CELERY_PICKED_UP"


def phases(events: Sequence[tuple[str, str | None, float]]) -> dict[str, float]:
    """Seconds one run spent in each phase (see the module docstring).

    ``events`` are ``(type, step_key, timestamp)`` in log order, with the
    dagster-celery engine events named :data:`SUBMITTED` / :data:`PICKED_UP`.
    Phases whose marks are missing (a run that failed to start) count zero.
    """
    out = dict.fromkeys(PHASES, 0.0)
    first: dict[str, float] = {}
    submitted: dict[str, float] = {}
    picked: dict[str, float] = {}
    started: dict[str, float] = {}
    last_end: float | None = None
    for kind, step, t in events:
        first.setdefault(kind, t)
        if kind == SUBMITTED and step:
            submitted[step] = t
            if last_end is not None:
                out["hand_over"] += max(0.0, t - last_end)
                last_end = None
        elif kind == PICKED_UP and step in submitted:
            picked[step] = t
            out["celery_wait"] += t - submitted[step]
        elif kind == "STEP_START" and step in picked:
            started[step] = t
            out["task_setup"] += t - picked[step]
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE") and step in started:
            out["step"] += t - started.pop(step)
            last_end = t
        elif kind in ("RUN_SUCCESS", "RUN_FAILURE") and last_end is not None:
            out["hand_over"] += t - last_end
            last_end = None
    if "RUN_ENQUEUED" in first and "RUN_STARTING" in first:
        out["queued"] = first["RUN_STARTING"] - first["RUN_ENQUEUED"]
    if "RUN_STARTING" in first and "RUN_START" in first:
        out["launch"] = first["RUN_START"] - first["RUN_STARTING"]
    end = first.get("RUN_SUCCESS", first.get("RUN_FAILURE"))
    if end is not None and events:
        out["teardown"] = max(0.0, events[-1][2] - end)
    return {k: round(v, 2) for k, v in out.items()}


def summarise(per_run: Iterable[dict[str, float]]) -> dict[str, dict[str, float]]:
    """Median and total seconds per phase over runs, and the per-run fixed cost.

    The fixed cost is everything but ``queued`` (waiting for a limit) and
    ``step`` (the work): what each run pays whatever its size.
    """
    cols: dict[str, list[float]] = defaultdict(list)
    for p in per_run:
        for k in PHASES:
            cols[k].append(p[k])
        cols["fixed"].append(sum(p[k] for k in PHASES if k not in ("queued", "step")))
    return {k: {"median": round(median(v), 1), "total": round(sum(v), 1)}
            for k, v in cols.items() if v}


def run_events(instance, run_id: str) -> list[tuple[str, str | None, float]]:
    """One run's event log as :func:`phases` reads it."""
    from dagster import DagsterEventType

    out = []
    for entry in instance.all_logs(run_id):
        ev = entry.dagster_event
        if ev is None:
            continue
        kind = ev.event_type.name
        if ev.event_type == DagsterEventType.ENGINE_EVENT:
            meta = getattr(ev.event_specific_data, "metadata", None) or {}
            if "Celery worker" in meta:
                kind = PICKED_UP
            elif (ev.message or "").startswith("Submitting celery task"):
                kind = SUBMITTED
        out.append((kind, ev.step_key, entry.timestamp))
    return out
