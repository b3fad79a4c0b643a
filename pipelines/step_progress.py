"""Which step of an in-process run is running, for the person waiting on `fivestar stage`.

Why a watcher: the CLI runs the asset graph with Dagster's ``materialize``,
which returns only when the run is over; a stage of a large extract is
minutes of silence. A thread reads the run's STEP_START events from the
Dagster instance (the same records the UI shows) and reports each new step,
and its ASSET_MATERIALIZATION events for the rows each step handed on (the
``rows`` metadata the assets record for the UI). It is best effort: a failed
read is skipped, never the run's failure, and it reports step names and row
counts only (never data).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

#: The run tag the watcher finds its run by.
PROGRESS_TAG = "fivestar/progress"


class StepWatcher:
    """Reports each step of the run tagged ``tags()`` once, as it starts."""

    def __init__(self, instance, on_step: Callable[[str], None], interval: float = 0.5,
                 on_rows: Callable[[str, int], None] | None = None) -> None:
        """``on_rows(step, rows)``: called once per step that records how many rows it
        handed on, when it has."""
        self._instance = instance
        self._on_step = on_step
        self._on_rows = on_rows
        self.counted: dict[str, int] = {}
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
            done = self._instance.get_records_for_run(
                runs[0].run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION).records \
                if self._on_rows else []
        except Exception:  # noqa: BLE001 - progress is best effort, never the run's failure
            return
        # in the order they were recorded: a step's rows before the next step's start
        for record in sorted([*records, *done], key=lambda r: r.storage_id):
            step = step_label(record.event_log_entry.step_key or "")
            if not step:
                continue
            materialization = record.event_log_entry.asset_materialization
            if materialization is None:
                if step not in self.seen:
                    self.seen.append(step)
                    self._on_step(step)
            elif (rows := _rows(materialization)) is not None and step not in self.counted:
                self.counted[step] = rows
                self._on_rows(step, rows)


def _rows(materialization) -> int | None:
    """The ``rows`` an asset recorded in its metadata, if it recorded a whole number."""
    value = getattr((materialization.metadata or {}).get("rows"), "value", None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def step_label(step_key: str) -> str:
    """``modern_slavery_referrals__redaction_verified`` → ``redaction_verified``."""
    return step_key.rsplit("__", 1)[-1]
