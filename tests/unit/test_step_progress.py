"""`fivestar stage` reports each step as it starts, read from the run's own events."""

from __future__ import annotations

from dagster import DagsterInstance, asset, materialize

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


def test_a_run_without_the_tag_is_not_reported():
    instance = DagsterInstance.ephemeral()
    shown: list[str] = []
    with StepWatcher(instance, shown.append, interval=0.05):
        materialize([first], instance=instance)
    assert shown == []


def test_step_label_is_the_stage_name():
    assert step_label("modern_slavery_referrals__redaction_verified") == "redaction_verified"
    assert step_label("extract") == "extract"
