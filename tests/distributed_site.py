"""A private Dagster deployment on loopback, for the distributed tests and the release day.

A *site* is what a department would run, scaled down: the distributed profile
(``deploy/dagster/distributed.yaml``) with its own PostgreSQL database on the
local stack, its own Redis databases for Celery, its own state, datasets and
expectations folders, and the services ``catalogue/bin/dagster-up`` starts
(code server, webserver, daemon, N Celery workers), and its review service
(the authority over approvals, as its own OS user: :meth:`Site.authority`). Tests and
``benchmarks/release_day.py`` build one, point this process at it and tear
it down, so they never touch a developer's ``.fivestar/`` or each other.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from pipelines import paths

UP = paths.ROOT / "catalogue" / "bin" / "dagster-up"
DOWN = paths.ROOT / "catalogue" / "bin" / "dagster-down"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_dataset(source_id: str, new_id: str, datasets: Path, expectations: Path, *,
                 next_release: datetime | None = None, extract: Path | None = None) -> Path:
    """Copy a bundled dataset under a new id (spec, suite, and extract or a given one).

    ``next_release`` rewrites the pre-announced release time (so a test can
    approve and publish at once); ``extract`` replaces the bundled extract by
    a generated one of the same shape.
    """
    src = paths.ROOT / "datasets" / source_id
    dest = datasets / new_id
    dest.mkdir(parents=True)
    spec = yaml.safe_load((src / "dataset.yaml").read_text(encoding="utf-8"))
    spec["id"] = new_id
    spec["title"] = f"{spec['title']} ({new_id})"
    if next_release is not None:
        spec["release"]["next_release"] = next_release.isoformat()
    source = Path(spec["source"]["path"])
    if extract is not None:
        source = Path(f"{new_id}{extract.suffix}")
        if _same_device(extract, dest):
            os.link(extract, dest / source)  # generated extracts can be large
        else:
            shutil.copyfile(extract, dest / source)
        spec["source"]["path"] = source.name
    else:
        shutil.copyfile(src / source, dest / source)
    (dest / "dataset.yaml").write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True),
                                       encoding="utf-8")
    suite = json.loads((paths.EXPECTATIONS_DIR / f"{source_id}.json").read_text(encoding="utf-8"))
    if "name" in suite:
        suite["name"] = new_id
    expectations.mkdir(parents=True, exist_ok=True)
    (expectations / f"{new_id}.json").write_text(json.dumps(suite, indent=2), encoding="utf-8")
    return dest


def _same_device(a: Path, b: Path) -> bool:
    return a.stat().st_dev == b.stat().st_dev


@dataclass
class Site:
    """One private deployment of the distributed profile under ``root``."""

    root: Path
    name: str
    workers: int = 2
    broker_db: int = 3
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        redis = os.environ.get("FIVESTAR_REDIS_PORT", "63799")
        self.state = self.root / "state"
        self.datasets = self.root / "datasets"
        self.expectations = self.root / "expectations"
        for d in (self.state, self.datasets, self.expectations):
            d.mkdir(parents=True, exist_ok=True)
        self.env = {
            "FIVESTAR_DAGSTER_PROFILE": "distributed",
            "FIVESTAR_STATE_DIR": str(self.state),
            "DAGSTER_HOME": str(self.state / "dagster"),
            "FIVESTAR_DATASETS_DIR": str(self.datasets),
            "FIVESTAR_EXPECTATIONS_DIR": str(self.expectations),
            "FIVESTAR_DAGSTER_SERVICES_DIR": str(self.root / "services"),
            "FIVESTAR_DAGSTER_PORT": str(free_port()),
            "FIVESTAR_DAGSTER_GRPC_PORT": str(free_port()),
            "FIVESTAR_DAGSTER_DB": f"dagster_{self.name}",
            "FIVESTAR_DAGSTER_DB_RESET": "1",
            "FIVESTAR_CELERY_BROKER": f"redis://127.0.0.1:{redis}/{self.broker_db}",
            "FIVESTAR_CELERY_BACKEND": f"redis://127.0.0.1:{redis}/{self.broker_db + 1}",
            "FIVESTAR_CELERY_NAME": f"fivestar-{self.name}",
            "FIVESTAR_PSEUDONYMISATION_KEY": "distributed-site-key-0123456789",
            **self.env,
        }

    def _run(self, script: Path, **extra: str) -> None:
        env = {**os.environ, **self.env, **extra}
        env.pop("DAGSTER_PG_URL", None)  # the site's own database, from its name
        done = subprocess.run([str(script)], env=env, capture_output=True, text=True,
                              timeout=900)
        if done.returncode != 0:
            raise RuntimeError(f"{script.name} failed:\n{done.stdout[-3000:]}"
                               f"{done.stderr[-3000:]}")

    def up(self, workers: int | None = None) -> None:
        """Start (or resize to ``workers`` Celery workers) the site's services."""
        if workers is not None:
            self.workers = workers
        self._run(UP, FIVESTAR_CELERY_WORKERS=str(self.workers))
        self.env["FIVESTAR_DAGSTER_DB_RESET"] = "0"  # later resizes keep the history

    @contextmanager
    def authority(self) -> Iterator[object]:
        """The site's review service (tests/governance.py), checking the site's releases.

        Start it before :meth:`up`: the daemon's sensor and the workers' steps
        reach it through ``FIVESTAR_REVIEW_URL`` and act as the site's publisher
        account (``<state>/publisher.token``), staging with the tickets
        ``fivestar stage`` puts on its runs.
        """
        from tests.governance import running_review_service

        self.root.chmod(0o755)  # the service's OS user reaches its home and the releases
        with running_review_service(self.root, self.state) as handle:
            self.env["FIVESTAR_REVIEW_URL"] = handle.url
            self.review = handle
            yield handle

    def down(self) -> None:
        self._run(DOWN)

    def worker_pids(self) -> dict[str, int]:
        """Celery worker (main process) PIDs by service name."""
        run = self.root / "services" / "run"
        return {p.stem: int(p.read_text().split()[0]) for p in run.glob("celery-worker-*.pid")}

    @contextmanager
    def applied(self) -> Iterator[None]:
        """Point this process at the site (environment and fivestar's paths)."""
        saved_env = {k: os.environ.get(k) for k in [*self.env, "DAGSTER_PG_URL"]}
        saved = (paths.STATE_DIR, paths.DATASETS_DIR, paths.EXPECTATIONS_DIR)
        os.environ.update(self.env)
        os.environ.pop("DAGSTER_PG_URL", None)
        paths.STATE_DIR, paths.DATASETS_DIR, paths.EXPECTATIONS_DIR = (
            self.state, self.datasets, self.expectations)
        try:
            yield
        finally:
            paths.STATE_DIR, paths.DATASETS_DIR, paths.EXPECTATIONS_DIR = saved
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
