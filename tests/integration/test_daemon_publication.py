"""Finding 5: with no daemon, the publication sensor never ran.

The real ``dagster-daemon`` (as ``make demo`` starts it) against the real
review service and CKAN: an approved release becomes public at its release
time with nobody running ``fivestar publish``, and not before.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from pipelines import paths
from tests.integration.test_journey import _unique_spec, stage

pytestmark = pytest.mark.integration

LEAD = timedelta(seconds=90)


def test_the_daemon_publishes_at_the_release_time_and_not_before(
        tmp_path, review_service, ckan_stack, monkeypatch, dagster_instance):
    from fivestar_dev.demo import ensure_demo_key
    from pipelines.instance import dagster_home

    ensure_demo_key()
    release_at = datetime.now(UTC).replace(microsecond=0) + LEAD
    spec = _unique_spec(tmp_path, "police-recorded-crime", release_at)
    staged = stage(spec, review_service.client("stats.demo"), monkeypatch, dagster_instance)
    assert staged.ok, staged.failures
    rid = staged.outputs["staged_release"].release_id
    review_service.client("champion.demo").approve(rid, "ok")

    (paths.STATE_DIR / "publisher.token").write_text(review_service.publisher_token())
    home = dagster_home()
    env = {**os.environ, "DAGSTER_HOME": str(home),
           "FIVESTAR_DATASETS_DIR": str(tmp_path / "datasets"),
           "FIVESTAR_SENSOR_INTERVAL": "5", "FIVESTAR_REVIEW_URL": review_service.url}
    bindir = Path(sys.executable).parent
    with open(tmp_path / "daemon.log", "wb") as log:
        daemon = subprocess.Popen([str(bindir / "dagster-daemon"), "run", "-w",
                                   str(paths.ROOT / "workspace.yaml")], cwd=paths.ROOT,
                                  env=env, stdout=log, stderr=log, start_new_session=True)
    base = ckan_stack["url"]
    admin = review_service.client("admin.demo")
    public_at, history = None, []
    try:
        deadline = release_at + timedelta(minutes=10)
        while datetime.now(UTC) < deadline:
            if public_at is None:
                r = requests.get(f"{base}/api/3/action/package_show", params={"id": spec.id},
                                 timeout=30)
                if r.status_code == 200 and not r.json()["result"]["private"]:
                    public_at = datetime.now(UTC)
            if public_at is not None:
                # the run records the publication right after the switch: keep the
                # daemon (and the run it launched) alive until it has
                history = admin.release(rid)["history"]
                if history[-1]["decision"] == "published":
                    break
            assert daemon.poll() is None, (tmp_path / "daemon.log").read_text()[-3000:]
            time.sleep(3)
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=60)
    assert public_at is not None, (tmp_path / "daemon.log").read_text()[-3000:]
    assert public_at >= release_at  # never a second early
    assert [(e["decision"], e["actor"]) for e in history][-1] == ("published",
                                                                 "fivestar-publisher")
