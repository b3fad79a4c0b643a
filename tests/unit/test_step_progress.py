"""`fivestar stage` reports each step as it starts, read from the run's own events."""

from __future__ import annotations

from dagster import DagsterInstance, MaterializeResult, asset, materialize

from pipelines.step_progress import StepWatcher, step_label


@asset
def first() -> int:
    return 1


@asset
def second(first: int) -> int:
    return first + 1


def test_every_step_is_reported_once_in_order():
    instance = DagsterInstance.ephemeral()
    shown: list[str] = []
    with StepWatcher(instance, shown.append, interval=0.05) as watcher:
        result = materialize([first, second], instance=instance, tags=watcher.tags())
    assert result.success
    assert shown == ["first", "second"] == watcher.seen


@asset
def counted() -> MaterializeResult:
    return MaterializeResult(metadata={"rows": 1_000_000, "columns": 3})


@asset(deps=[counted])
def uncounted() -> MaterializeResult:
    return MaterializeResult(metadata={"rows": "many"})


def test_the_rows_each_step_handed_on_are_reported_once():
    instance = DagsterInstance.ephemeral()
    said: list[str] = []
    with StepWatcher(instance, said.append, interval=10,
                     on_rows=lambda step, n: said.append(f"{step}: {n}")) as watcher:
        result = materialize([counted, uncounted], instance=instance, tags=watcher.tags())
    assert result.success
    # read once, after the run: still in the order it happened
    assert said == ["counted", "counted: 1000000", "uncounted"]
    assert watcher.counted == {"counted": 1_000_000}


def test_a_run_without_the_tag_is_not_reported():
    instance = DagsterInstance.ephemeral()
    shown: list[str] = []
    with StepWatcher(instance, shown.append, interval=0.05):
        materialize([first], instance=instance)
    assert shown == []


def test_step_label_is_the_stage_name():
    assert step_label("modern_slavery_referrals__redaction_verified") == "redaction_verified"
    assert step_label("extract") == "extract"
