"""The Dagster instance, from one of two profiles chosen by one setting.

``FIVESTAR_DAGSTER_PROFILE`` selects a profile file in ``deploy/dagster/``:

* ``local`` (default): SQLite under ``.fivestar/dagster``, runs start at once,
  every step runs in the process that started the run;
* ``distributed``: Dagster storage in PostgreSQL (``dagster-postgres``), the
  queued run coordinator with tag-based concurrency limits, run retries and
  run monitoring (the daemon), and every step executed on Celery workers.

The chosen file is copied to ``$DAGSTER_HOME/dagster.yaml`` with the limits
taken from the environment (see ``LIMITS``). Secrets stay out of the file: the
PostgreSQL URL is referenced by its variable name, ``DAGSTER_PG_URL``; when it
is unset, the distributed profile uses the local stack's PostgreSQL, whose
password ``catalogue/bin/dagster-up`` keeps in a file readable only by its owner.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from pipelines import paths
from pipelines.errors import FivestarError

PROFILE_ENV = "FIVESTAR_DAGSTER_PROFILE"
PROFILES_DIR = paths.ROOT / "deploy" / "dagster"


class Profile(StrEnum):
    local = "local"
    distributed = "distributed"


#: Environment overrides for the distributed profile: variable → where it goes.
LIMITS: dict[str, tuple[str, ...]] = {
    "FIVESTAR_MAX_CONCURRENT_RUNS": ("run_coordinator", "config", "max_concurrent_runs"),
    "FIVESTAR_RUN_RETRIES": ("run_retries", "max_retries"),
    "FIVESTAR_MAX_RUN_SECONDS": ("run_monitoring", "max_runtime_seconds"),
}
#: Tag concurrency limits overridable from the environment: variable → (tag key, value).
TAG_LIMITS: dict[str, tuple[str, str]] = {
    "FIVESTAR_MAX_CONCURRENT_PUBLICATIONS": ("fivestar/operation", "publish"),
    "FIVESTAR_MAX_CONCURRENT_LARGE": ("fivestar/size", "large"),
}


def profile() -> Profile:
    """The profile named by ``FIVESTAR_DAGSTER_PROFILE`` (``local`` when unset)."""
    name = (os.environ.get(PROFILE_ENV) or Profile.local.value).strip().lower()
    try:
        return Profile(name)
    except ValueError:
        raise FivestarError(f"{PROFILE_ENV}={name!r} is not a profile "
                            f"(one of: {', '.join(p.value for p in Profile)})") from None


def distributed() -> bool:
    return profile() is Profile.distributed


def _int_env(name: str) -> int | None:
    value = os.environ.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise FivestarError(f"{name}={value!r} is not a whole number") from None


def instance_config(home: Path, chosen: Profile | None = None) -> dict[str, Any]:
    """The dagster.yaml content for ``chosen`` (default: the configured profile)."""
    chosen = chosen or profile()
    text = (PROFILES_DIR / f"{chosen.value}.yaml").read_text(encoding="utf-8")
    config = yaml.safe_load(text.replace("{base_dir}", str(home / "storage")))
    if chosen is Profile.distributed:
        for var, where in LIMITS.items():
            value = _int_env(var)
            if value is not None:
                node = config
                for part in where[:-1]:
                    node = node[part]
                node[where[-1]] = value
        limits = config["run_coordinator"]["config"]["tag_concurrency_limits"]
        for var, (key, value) in TAG_LIMITS.items():
            limit = _int_env(var)
            if limit is not None:
                for entry in limits:
                    if entry["key"] == key and entry.get("value") == value:
                        entry["limit"] = limit
    return config


#: How ``tag_limits`` names a limit that applies to each value of a tag separately.
EACH_VALUE = "<each value>"


def tag_limits(config: dict[str, Any]) -> dict[tuple[str, str], int]:
    """The tag concurrency limits of an instance config, as ``{(key, value): limit}``."""
    coordinator = (config.get("run_coordinator") or {}).get("config") or {}
    return {(e["key"], e["value"] if isinstance(e.get("value"), str) else EACH_VALUE): e["limit"]
            for e in coordinator.get("tag_concurrency_limits") or []}


def local_pg_url() -> str:
    """The Dagster database on the local stack's PostgreSQL (see catalogue/bin/dagster-up)."""
    state = Path(os.environ.get("FIVESTAR_CATALOGUE_STATE")
                 or paths.ROOT / "catalogue" / ".state")
    database = os.environ.get("FIVESTAR_DAGSTER_DB", "dagster")
    try:
        password = (state / "dagster-pg-password").read_text(encoding="utf-8").strip()
    except OSError:
        raise FivestarError("the distributed profile needs DAGSTER_PG_URL, or the local stack's "
                            "PostgreSQL prepared by catalogue/bin/dagster-up") from None
    from pipelines.ports import service_port

    port = service_port("PG")
    return f"postgresql+psycopg2://dagster:{password}@127.0.0.1:{port}/{database}"


def dagster_home() -> Path:
    """Create (or refresh) DAGSTER_HOME and its dagster.yaml; export DAGSTER_HOME.

    In the distributed profile, also export ``DAGSTER_PG_URL`` (this process
    only) when it is unset, so the instance finds the local stack's database.
    """
    from pipelines import state

    state.secure()  # private umask before the instance writes anything
    home = Path(os.environ.get("DAGSTER_HOME") or paths.STATE_DIR / "dagster").resolve()
    home.mkdir(parents=True, exist_ok=True)
    wanted = yaml.safe_dump(instance_config(home), sort_keys=False)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text(encoding="utf-8") != wanted:
        tmp = config.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(wanted, encoding="utf-8")
        tmp.replace(config)  # atomic: other processes never read half a file
    if distributed() and not os.environ.get("DAGSTER_PG_URL"):
        os.environ["DAGSTER_PG_URL"] = local_pg_url()
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def get_instance():
    """The instance of DAGSTER_HOME, opened under a lock on that folder.

    Opening an instance creates its SQLite storages on first use; two
    processes starting together on a fresh home (the viewer and operator UIs,
    a test's webservers) would both create the schema and one would die with
    "table alembic_version already exists". The lock makes the first one
    create it and the others find it.
    """
    import fcntl

    from dagster import DagsterInstance

    home = dagster_home()
    with open(home / ".instance.lock", "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return DagsterInstance.get()
