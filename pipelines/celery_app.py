"""The Celery side of the distributed profile: one app for the workers and the executor.

Workers start with ``celery -A pipelines.celery_worker worker`` (see
``catalogue/bin/dagster-up``); the run workers submit steps through the
``celery_executor`` configured by ``executor()``. Both read the same settings
from the environment, so a worker and the runs it serves can never disagree
about the broker or how tasks are acknowledged:

* ``FIVESTAR_CELERY_BROKER``: default Redis database 1 of the local stack's
  Redis (``FIVESTAR_REDIS_PORT``); CKAN's own queue uses database 0;
* ``FIVESTAR_CELERY_BACKEND``: where step results go, default Redis database 2;
* ``FIVESTAR_CELERY_VISIBILITY_TIMEOUT``: seconds before Redis hands an
  unacknowledged step to another worker (default 6 h: longer than any step).

Tasks are acknowledged late, after the step: a worker host that vanishes
mid-step leaves its task to be redelivered; a worker *process* killed mid-step
is reported by Celery as ``WorkerLostError``, the step fails, the run fails,
and Dagster's run retries re-execute it from the failed step. One task at a
time per worker process (prefetch 1), so an idle worker never waits behind a
busy one.
"""

from __future__ import annotations

import os
from typing import Any

BROKER_ENV = "FIVESTAR_CELERY_BROKER"
BACKEND_ENV = "FIVESTAR_CELERY_BACKEND"


def _local_redis(db: int) -> str:
    from pipelines.ports import service_port

    return f"redis://127.0.0.1:{service_port('REDIS')}/{db}"


def configure_environment() -> None:
    """Export the broker and backend URLs (defaults: the local Redis) for child processes.

    Dagster reads them by variable name (``env:`` config), so a URL holding a
    password is never part of a run's config, its snapshot or the UI.
    """
    os.environ.setdefault(BROKER_ENV, _local_redis(1))
    os.environ.setdefault(BACKEND_ENV, _local_redis(2))


def config_source() -> dict[str, Any]:
    """Celery settings shared by the executor and the workers."""
    visibility = int(os.environ.get("FIVESTAR_CELERY_VISIBILITY_TIMEOUT", str(6 * 3600)))
    return {
        "task_acks_late": True,
        "task_reject_on_worker_lost": False,
        "worker_prefetch_multiplier": 1,
        "result_expires": 24 * 3600,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {"visibility_timeout": visibility, "max_retries": 3,
                                     "interval_start": 0, "interval_step": 0.2,
                                     "interval_max": 0.5},
        "result_backend_transport_options": {"visibility_timeout": visibility},
    }


def executor():
    """The Dagster executor of the distributed profile: every step on a Celery worker."""
    from dagster_celery import celery_executor

    configure_environment()
    return celery_executor.configured({
        "broker": {"env": BROKER_ENV},
        "backend": {"env": BACKEND_ENV},
        "config_source": config_source(),
    })


def make_worker_app():
    """The Celery app the workers run: dagster-celery's step task, our settings."""
    from dagster_celery.executor import CeleryExecutor
    from dagster_celery.make_app import make_app

    configure_environment()
    settings = CeleryExecutor.for_cli(broker=os.environ[BROKER_ENV],
                                      backend=os.environ[BACKEND_ENV],
                                      config_source=config_source())
    return make_app(settings.app_args())
