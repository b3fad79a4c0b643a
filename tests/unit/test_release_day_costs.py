"""The release day's breakdown of a run's time, from event-log marks (no Dagster)."""

from benchmarks.release_day_costs import PICKED_UP, SUBMITTED, phases, summarise


def _run(t0: float, steps: list[tuple[str, float, float, float, float]]) -> list:
    """Events of one run: enqueued at t0, launched at t0+1, started at t0+3, then the steps
    ``(key, submitted, picked up, started, ended)`` and the run's end 0.5 s after the last."""
    events = [("RUN_ENQUEUED", None, t0), ("RUN_STARTING", None, t0 + 1.0),
              ("ENGINE_EVENT", None, t0 + 2.0), ("RUN_START", None, t0 + 3.0)]
    for key, sub, pick, start, end in steps:
        events += [(SUBMITTED, key, sub), (PICKED_UP, key, pick),
                   ("RESOURCE_INIT_STARTED", key, pick + 0.01), ("STEP_START", key, start),
                   ("STEP_OUTPUT", key, end - 0.1), ("STEP_SUCCESS", key, end)]
    last = steps[-1][4]
    events += [("RUN_SUCCESS", None, last + 0.5), ("ENGINE_EVENT", None, last + 0.7)]
    return events


def test_each_hand_over_is_counted_once():
    events = _run(100.0, [("a", 104.0, 106.0, 106.5, 110.0),
                          ("b", 111.0, 111.5, 112.0, 120.0)])
    p = phases(events)
    assert p["queued"] == 1.0
    assert p["launch"] == 2.0
    assert p["celery_wait"] == 2.5          # 2.0 for a, 0.5 for b
    assert p["task_setup"] == 1.0           # 0.5 + 0.5
    assert p["step"] == 11.5                # 3.5 + 8.0
    assert p["hand_over"] == 1.5            # a's end to b's submission, b's end to the run's end
    assert p["teardown"] == 0.2


def test_a_run_that_never_started_costs_nothing_but_its_queue():
    p = phases([("RUN_ENQUEUED", None, 1.0), ("RUN_STARTING", None, 4.0),
                ("RUN_FAILURE", None, 9.0)])
    assert p["queued"] == 3.0
    assert p["launch"] == p["step"] == p["celery_wait"] == 0.0


def test_fixed_cost_leaves_out_the_queue_and_the_work():
    a = phases(_run(0.0, [("a", 4.0, 5.0, 5.5, 15.0)]))
    b = phases(_run(0.0, [("a", 4.0, 7.0, 8.0, 9.0)]))
    s = summarise([a, b])
    assert s["step"]["total"] == 10.5
    fixed_a = a["launch"] + a["celery_wait"] + a["task_setup"] + a["hand_over"] + a["teardown"]
    fixed_b = b["launch"] + b["celery_wait"] + b["task_setup"] + b["hand_over"] + b["teardown"]
    assert s["fixed"]["total"] == round(fixed_a + fixed_b, 1)
    assert s["queued"]["median"] == 1.0
