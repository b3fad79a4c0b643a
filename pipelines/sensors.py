"""The publication sensor: approved releases become publication runs at their time.

The sensor holds no rules of its own: the review service answers which
releases are due (``pipelines.release.sensor.due_publications``: approval,
embargo, backoff after failures), and the ``published`` asset goes through
the service's gate again before uploading. So a sensor tick that comes early
can only be refused, never leak a release.

Each due release yields one ``RunRequest`` for that dataset's ``published``
asset (in the release's period partition), tagged with the release id. The
run key names the approval and the number of failed attempts, so Dagster
never starts the same attempt twice, and a failed publication (recorded by
the service) is requested again once its backoff has passed. The sensor runs
in ``dagster-daemon``, which ``make demo`` starts.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

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
from pipelines.release.sensor import DuePublication
from pipelines.runs import RELEASE_TAG
from pipelines.spec import DatasetSpec
from pipelines.workload import publication_tags

log = logging.getLogger("fivestar")


def _service_client() -> Any:
    from pipelines.resources import ReviewService

    return ReviewService().client()


def sensor_interval() -> int:
    """Seconds between ticks: ``FIVESTAR_SENSOR_INTERVAL`` or 30."""
    return int(os.environ.get("FIVESTAR_SENSOR_INTERVAL") or 30)


def build_publication_sensor(
    targets: dict[str, AssetKey],
    *,
    partitioned: set[str] | None = None,
    client_factory: Callable[[], Any] = _service_client,
    name: str = "publication_sensor",
    minimum_interval_seconds: int | None = None,
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
        minimum_interval_seconds=minimum_interval_seconds or sensor_interval(),
        default_status=default_status,
        description="Starts the publication run of each approved release at its scheduled "
                    "release time (embargo), never earlier.",
    )
    def publication_sensor(context: SensorEvaluationContext):
        from pipelines.release.client import ServiceError

        try:
            due_list = client_factory().due()
        except ServiceError as exc:  # the next tick tries again
            return SkipReason(f"the review service did not answer: {exc}")
        requests = []
        for due in (DuePublication.from_dict(d) for d in due_list):
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
                tags={RELEASE_TAG: due.release_id, "dataset": due.dataset_id,
                      **publication_tags(due.dataset_id)},
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
