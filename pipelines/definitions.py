"""The Dagster code location: every dataset spec becomes an asset group.

`dagster dev -w workspace.yaml` loads this module's ``defs``. A malformed
dataset.yaml is logged with its file and field and skipped, so one bad spec never
hides the others.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from dagster import Definitions, definitions

from pipelines import paths, state
from pipelines.assets import build_dataset_assets
from pipelines.ckan_resource import CKANResource
from pipelines.instance import distributed
from pipelines.io_manager import ContractIOManager
from pipelines.jobs import dataset_jobs
from pipelines.resources import RedactionKey, ReviewService
from pipelines.sensors import build_sensors
from pipelines.spec import DatasetSpec, load_all
from pipelines.state_sensor import state_sensor

log = logging.getLogger("fivestar")


def build_definitions(specs: list[DatasetSpec] | None = None) -> Definitions:
    state.secure()  # the code location's processes write under the state folder
    if specs is None:
        specs, errors = load_all(paths.DATASETS_DIR)
        for err in errors:
            log.error("skipping dataset: %s", err)
    assets, checks = [], []
    for spec in specs:
        a, c = build_dataset_assets(spec)
        assets.extend(a)
        checks.extend(c)
    resources: dict[str, object] = {
        "io_manager": ContractIOManager(base_dir=str(paths.STATE_DIR / "storage")),
        "redaction_key": RedactionKey(),
        "ckan": CKANResource(),
        "review": ReviewService(),
    }
    present = {k for a in assets for k in a.keys}
    jobs = [job for spec in specs for job in dataset_jobs(spec, present)]
    # The distributed profile runs every step on a Celery worker (pipelines/celery_app.py).
    executor = None
    if distributed():
        from pipelines.celery_app import executor as celery_executor

        executor = celery_executor()
    return Definitions(assets=assets, asset_checks=checks, resources=resources,
                       sensors=[*build_sensors(specs), state_sensor(specs)], jobs=jobs,
                       executor=executor)


def _folder_state(folder: Path) -> tuple:
    """Every file under ``folder`` with its size and modification time (cheap: stat only)."""
    out = []
    for dirpath, _, files in os.walk(folder):
        for name in files:
            try:
                st = os.stat(os.path.join(dirpath, name))
            except FileNotFoundError:  # removed while we walked: the next load sees it
                continue
            out.append((dirpath, name, st.st_size, st.st_mtime_ns))
    return tuple(sorted(out))


def _inputs() -> tuple:
    """What the code location is built from: the folders, their files, the profile."""
    return (str(paths.DATASETS_DIR), str(paths.EXPECTATIONS_DIR), str(paths.STATE_DIR),
            distributed(), os.environ.get("FIVESTAR_CELERY_BROKER"),
            os.environ.get("FIVESTAR_CELERY_BACKEND"), _folder_state(paths.DATASETS_DIR),
            _folder_state(paths.EXPECTATIONS_DIR))


_built: tuple[tuple, Definitions] | None = None


@definitions
def defs() -> Definitions:
    """The code location, built when Dagster loads it (``dagster dev``, the code server,
    a Celery worker), not when a module imports ``build_definitions``: the CLI and the
    runner build the graph for the datasets they run, and report spec errors themselves.

    Built once per process while the dataset folders are unchanged. A Celery
    worker loads the code location for every step it runs, and Dagster keeps
    only the last job it loaded: with runs of fifty datasets interleaved, each
    step rebuilt all fifty datasets' assets (about a second each on a quiet
    machine; minutes per run under load). A spec, suite or code list changed
    on disk changes the files' sizes or times, and the next load rebuilds.
    """
    global _built
    key = _inputs()
    if _built is None or _built[0] != key:
        _built = (key, build_definitions())
    return _built[1]
