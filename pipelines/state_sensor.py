"""The ``purge_working_copies`` sensor: working copies deleted when their retention ends.

Thin on purpose: :func:`pipelines.state.purge` decides and deletes; the
sensor only runs it once an hour and says, without any value, what went.
"""

from __future__ import annotations

from dagster import DefaultSensorStatus, SensorDefinition, SensorEvaluationContext, SkipReason
from dagster import sensor as dagster_sensor

from pipelines import paths, state
from pipelines.spec import DatasetSpec


def state_sensor(specs: list[DatasetSpec]) -> SensorDefinition:
    """A sensor that purges old working folders of ``specs`` (hourly, on by default)."""

    @dagster_sensor(name="purge_working_copies", minimum_interval_seconds=3600,
                    default_status=DefaultSensorStatus.RUNNING,
                    description="Deletes run working folders and asset outputs older than "
                                "each dataset's retention (iar.working_copy_days, or "
                                "FIVESTAR_WORK_RETENTION_DAYS).")
    def purge_working_copies(context: SensorEvaluationContext):
        gone = state.purge(specs)
        for p in gone:
            context.log.info("purged %s (%.0f days old)", p.path.relative_to(paths.STATE_DIR),
                             p.age_days)
        return SkipReason(f"purged {len(gone)} working folder(s) past retention")

    return purge_working_copies
