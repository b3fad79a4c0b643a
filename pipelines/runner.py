"""Materialise a dataset's assets in-process and summarise what happened.

Used by the CLI (`fivestar stage`, `fivestar publish`), the demo and the tests,
so all of them run exactly the asset graph that `dagster dev` shows, with the
same checks and gates, recorded in the same Dagster instance.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from dagster import AssetSelection, DagsterEventType, materialize

from pipelines import assets as asset_graph
from pipelines import handles, paths
from pipelines.contracts import PublishResult
from pipelines.definitions import build_definitions
from pipelines.errors import Problem
from pipelines.handles import StagedReleaseRef
from pipelines.instance import get_instance
from pipelines.spec import DatasetSpec


@dataclass
class CheckOutcome:
    name: str
    passed: bool
    severity: str
    metadata: dict[str, Any]

    @property
    def problems(self) -> list[Problem]:
        """The check's located findings (its ``problems`` metadata)."""
        return _problems(self.metadata.get("problems"))


@dataclass(frozen=True)
class StepFailure:
    """A failed step: which stage, in one line, and its located problems."""

    stage: str
    message: str
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


@dataclass
class RunOutcome:
    """What one run did for one dataset, in words a statistician can act on."""

    dataset: str
    partition: str | None
    run_id: str
    success: bool
    materialized: list[str] = field(default_factory=list)
    checks: list[CheckOutcome] = field(default_factory=list)
    #: The failed steps, each with its located problems (file, row, field; never a value).
    steps_failed: list[StepFailure] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def failures(self) -> list[str]:
        """One line per failed step: ``<stage> failed: <first problem>``, no stack trace."""
        return [f.message for f in self.steps_failed]

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.steps_failed for p in f.problems]

    @property
    def blocked(self) -> list[CheckOutcome]:
        return [c for c in self.checks if not c.passed and c.severity == "ERROR"]

    @property
    def ok(self) -> bool:
        return self.success and not self.blocked


def default_partition(spec: DatasetSpec) -> str | None:
    """The release period to stage when none is given: the latest with data."""
    parts = asset_graph.partitions_for(spec)
    if parts is None:
        return None
    keys = parts.get_partition_keys()
    if spec.release.period_field:
        from pipelines.errors import FivestarError
        from pipelines.extract import typed_batches

        field = spec.release.period_field
        present: set[str] = set()
        try:  # the period column only, a batch at a time
            for frame in typed_batches(spec, columns=[field]):
                present.update(frame[field].dropna().astype(str).unique())
        except FivestarError:
            return keys[-1]  # the run itself will report what is wrong with the extract
        candidates = [k for k in keys if k in present]
        if candidates:
            return candidates[-1]
    return keys[-1]


def run_stages(
    spec: DatasetSpec,
    stages: tuple[str, ...] = asset_graph.STAGING_STAGES,
    *,
    partition: str | None = None,
    tags: dict[str, str] | None = None,
    resources: dict[str, Any] | None = None,
    instance=None,
) -> RunOutcome:
    """Materialise ``stages`` of one dataset (and their checks) in one run."""
    defs = build_definitions([spec])
    graph = [*defs.assets, *defs.asset_checks]
    all_resources = dict(defs.resources or {})
    all_resources.update(resources or {})
    if asset_graph.partitions_for(spec) is not None and partition is None:
        partition = default_partition(spec)
    present = {k for a in defs.assets for k in a.keys}
    wanted = [asset_graph.key(spec, s) for s in stages if asset_graph.key(spec, s) in present]
    level = os.environ.get("FIVESTAR_LOG_LEVEL", "WARNING").upper()
    result = materialize(
        graph,
        run_config={"loggers": {"console": {"config": {"log_level": level}}}},
        selection=AssetSelection.assets(*wanted),
        partition_key=partition,
        instance=instance or get_instance(),
        resources=all_resources,
        tags=tags or {},
        raise_on_error=False,
    )
    outcome = outcome_from_events(spec, partition, result.run_id, result.success,
                                  result.all_events)
    for stage in stages:
        k = asset_graph.key(spec, stage)
        if stage in outcome.materialized:
            outcome.outputs[stage] = result.output_for_node(_node_name(k))
    handles.release_memory()  # the run is over: give back what Arrow's allocator holds
    return outcome


def outcome_from_events(spec: DatasetSpec, partition: str | None, run_id: str, success: bool,
                        events) -> RunOutcome:
    """Summarise a run's Dagster events (in-process, or read back from the instance).

    ``outputs`` holds what the staging and publication assets record as
    metadata (release id and folder; dataset URL and resources), so a run
    executed elsewhere reports the same as one executed here.
    """
    outcome = RunOutcome(dataset=spec.id, partition=partition, run_id=run_id, success=success)
    for event in events:
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            stage = event.asset_key.path[-1]
            outcome.materialized.append(stage)
            meta = {k: getattr(v, "value", v)
                    for k, v in event.event_specific_data.materialization.metadata.items()}
            if stage == "staged_release" and "release_id" in meta:
                outcome.outputs[stage] = StagedReleaseRef(
                    release_id=meta["release_id"],
                    path=str(paths.releases_dir() / spec.id / meta["release_id"]),
                    stars=meta.get("stars"), staged_by=meta.get("staged_by"))
            elif stage == "published" and "dataset_url" in meta:
                outcome.outputs[stage] = PublishResult(
                    dataset_url=meta["dataset_url"], resource_urls=meta.get("resources") or {})
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            ev = event.event_specific_data
            outcome.checks.append(CheckOutcome(
                name=ev.check_name, passed=ev.passed, severity=ev.severity.value,
                metadata={k: getattr(v, "value", v) for k, v in ev.metadata.items()}))
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            outcome.steps_failed.append(_step_failure(event))
    return outcome


def _step_failure(event) -> StepFailure:
    """A failed step in a statistician's words: a stage's Failure brings its located
    problems; anything else is one line naming the exception, never a stack trace."""
    data = event.event_specific_data
    stage = event.step_key.rsplit("__", 1)[-1] if event.step_key else "step"
    user = getattr(data, "user_failure_data", None)
    if user is None:
        return StepFailure(stage, f"{stage} failed: {_failure_text(data.error)}")
    meta = {k: getattr(v, "value", v) for k, v in (user.metadata or {}).items()}
    problems = _problems(meta.get("problems"))
    stage = str(meta.get("stage") or stage)
    if not problems:
        return StepFailure(stage, (user.description or f"{stage} failed").splitlines()[0])
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return StepFailure(stage, f"{stage} failed: {problems[0]}{more}", problems)


def _problems(value: Any) -> list[Problem]:
    """Problems from their JSON form in Dagster metadata (a list of flat dicts)."""
    if not isinstance(value, list):
        return []
    return [Problem.model_validate(p) for p in value if isinstance(p, dict)]


@dataclass(frozen=True)
class PlannedRun:
    """One run to make: which stages of which dataset, for which period, tagged how."""

    spec: DatasetSpec
    stages: tuple[str, ...] = asset_graph.STAGING_STAGES
    partition: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


def _node_name(key) -> str:
    return "__".join(key.path)


def _failure_text(err) -> str:
    """One line for an unexpected step failure: the exception's class and message, no
    stack trace (``fivestar --debug`` shows Dagster's full report)."""
    if err is None:
        return "failed"
    message = (err.message or "").strip().split("\n\nStack Trace")[0].strip()
    return message.splitlines()[0] if message else (err.cls_name or "failed")
