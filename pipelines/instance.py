"""The Dagster instance: SQLite under the state folder, or PostgreSQL by URL.

Set ``DAGSTER_PG_URL`` (e.g. ``postgresql://user:pw@host:5432/dagster``) to keep
run and event storage in PostgreSQL; otherwise everything stays in SQLite files
under ``.fivestar/dagster``. The URL is referenced by name in dagster.yaml, so
the password is never written to disk.
"""

from __future__ import annotations

import os
from pathlib import Path

from pipelines import paths

_SQLITE = """\
telemetry:
  enabled: false
storage:
  sqlite:
    base_dir: {base}
"""

_POSTGRES = """\
telemetry:
  enabled: false
storage:
  postgres:
    postgres_url:
      env: DAGSTER_PG_URL
"""


def dagster_home() -> Path:
    """Create (or refresh) DAGSTER_HOME and its dagster.yaml; export DAGSTER_HOME."""
    from pipelines import state

    state.secure()  # private umask before the instance writes anything
    home = Path(os.environ.get("DAGSTER_HOME") or paths.STATE_DIR / "dagster").resolve()
    home.mkdir(parents=True, exist_ok=True)
    wanted = _POSTGRES if os.environ.get("DAGSTER_PG_URL") else _SQLITE.format(
        base=home / "storage")
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text() != wanted:
        config.write_text(wanted)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def get_instance():
    from dagster import DagsterInstance

    dagster_home()
    return DagsterInstance.get()
