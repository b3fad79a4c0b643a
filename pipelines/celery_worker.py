"""What ``celery -A pipelines.celery_worker worker`` loads: the app and dagster-celery's step task.

Kept apart from ``pipelines.celery_app`` so that loading the code location
(which only needs the executor) never builds a worker app.
"""

from dagster_celery.tasks import create_task

from pipelines.celery_app import make_worker_app

app = make_worker_app()
execute_plan = create_task(app)
