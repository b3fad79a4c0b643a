"""Which step of an in-process run is running, for the person waiting on `fivestar stage`.

Why a watcher: the CLI runs the asset graph with Dagster's ``materialize``,
which returns only when the run is over; a stage of a large extract is
minutes of silence. A thread reads the run's STEP_START events from the
Dagster instance (the same records the UI shows) and reports each new step.
It is best effort: a failed read is skipped, never the run's failure, and it
reports step names only (never data).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

#: The run tag the watcher finds its run by.
PROGRESS_TAG = "fivestar/progress"


class StepWatcher:
    """Reports each step of the run tagged ``tags()`` once, as it starts."""

    def __init__(self, instance, on_step: Callable[[str], None], interval: float = 0.5) -> None:
        self._instance = instance
        self._on_step = on_step
        self._interval = interval
        self._token = uuid.uuid4().hex
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="fivestar-steps", daemon=True)
        self.seen: list[str] = []

    @property
    def instance(self):
        """The Dagster instance watched: the run must be recorded in this one."""
        return self._instance

    def tags(self) -> dict[str, str]:
        """The tag to give the run, so the watcher finds it."""
        return {PROGRESS_TAG: self._token}

    def __enter__(self) -> StepWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._poll()  # the last steps, read after the run ended

    def _watch(self) -> None:
        while not self._stop.wait(self._interval):
            self._poll()

    def _poll(self) -> None:
        from dagster import DagsterEventType, RunsFilter

        try:
            runs = self._instance.get_runs(filters=RunsFilter(tags=self.tags()), limit=1)
            if not runs:
                return
            records = self._instance.get_records_for_run(
                runs[0].run_id, of_type=DagsterEventType.STEP_START).records
        except Exception:  # noqa: BLE001 - progress is best effort, never the run's failure
            return
        for record in records:
            step = step_label(record.event_log_entry.step_key or "")
            if step and step not in self.seen:
                self.seen.append(step)
                self._on_step(step)


def step_label(step_key: str) -> str:
    """``modern_slavery_referrals__redaction_verified`` → ``redaction_verified``."""
    return step_key.rsplit("__", 1)[-1]
