"""The publication sensor: approved releases become publication runs at their time.

The sensor holds no rules of its own: ``pipelines.release.sensor.due_publications``
decides what is due (approval + embargo, with the clock injected), and the
``published`` asset re-checks everything through the gate before uploading.
So a sensor tick that comes early can only be refused, never leak a release.

Each due release yields one ``RunRequest`` for that dataset's ``published``
asset (in the release's period partition), tagged with the release id, with
a run key per approval so Dagster never starts the same publication twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from dagster import (
    AssetKey,
    AssetSelection,
    DefaultSensorStatus,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from pipelines.assets import key, partitions_for
from pipelines.release.audit import AuditStore
from pipelines.release.embargo import Clock, system_clock
from pipelines.release.sensor import due_publications
from pipelines.runs import RELEASE_TAG, USER_TAG
from pipelines.spec import DatasetSpec
from pipelines.workload import publication_tags

log = logging.getLogger("fivestar")

#: The run's "who" for publications the sensor starts.
PUBLISHER = "fivestar-publisher"


def build_publication_sensor(
    targets: dict[str, AssetKey],
    *,
    partitioned: set[str] | None = None,
    store_factory: Callable[[], AuditStore] = AuditStore,
    clock: Clock = system_clock,
    releases_root: Path | None = None,
    name: str = "publication_sensor",
    minimum_interval_seconds: int = 30,
    default_status: DefaultSensorStatus = DefaultSensorStatus.RUNNING,
) -> SensorDefinition:
    """A sensor requesting a run of ``targets[dataset_id]`` for each due release.

    ``targets`` maps dataset id → its ``published`` asset key (the selection
    the sensor may launch); ``partitioned`` names datasets whose asset is
    partitioned by release period.
    """
    partitioned = partitioned or set()

    @sensor(
        name=name,
        asset_selection=AssetSelection.assets(*targets.values()),
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=default_status,
        description="Starts the publication run of each approved release at its scheduled "
                    "release time (embargo), never earlier.",
    )
    def publication_sensor(context: SensorEvaluationContext):
        requests = []
        for due in due_publications(store_factory(), clock(), releases_root):
            key = targets.get(due.dataset_id)
            if key is None:
                context.log.warning(f"approved release for unknown dataset {due.dataset_id}")
                continue
            if due.dataset_id in partitioned and not due.period:
                context.log.warning(f"{due.dataset_id}: release has no period; not published")
                continue
            requests.append(RunRequest(
                run_key=due.run_key,
                asset_selection=[key],
                partition_key=due.period if due.dataset_id in partitioned else None,
                tags={RELEASE_TAG: due.release_id, USER_TAG: PUBLISHER,
                      "dataset": due.dataset_id, **publication_tags(due.dataset_id)},
            ))
        return requests or SkipReason("no approved release is due")

    return publication_sensor


def build_sensors(specs: list[DatasetSpec]) -> list[SensorDefinition]:
    """What ``pipelines.definitions`` registers: the publication sensor for these specs."""
    targets = {s.id: key(s, "published") for s in specs}
    if not targets:
        return []
    partitioned = {s.id for s in specs if partitions_for(s) is not None}
    return [build_publication_sensor(targets, partitioned=partitioned)]
