"""The distributed profile against real services on loopback.

A private site (tests/distributed_site.py): Dagster storage in the local
stack's PostgreSQL, the queued run coordinator, the daemon, and two Celery
workers on the local Redis, all started by ``catalogue/bin/dagster-up``.
Runs go through the queue exactly as ``fivestar stage`` sends them there,
and under the site's review service (the authority): a staging run carries
the service's single-use ticket, the sensor and the workers act as the
site's publisher account, and every decision is the service's.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
import pytest
from dagster import DagsterEventType, DagsterRunStatus, RunsFilter
from dagster._core.storage.tags import ROOT_RUN_ID_TAG

from pipelines import paths
from pipelines.assets import STAGING_STAGES
from pipelines.instance import get_instance
from pipelines.runner import PlannedRun
from pipelines.runs import RELEASE_TAG, TICKET_TAG
from pipelines.spec import load_spec
from pipelines.submit import Submitted, run_chain, submit, wait
from pipelines.workload import SIZE_TAG
from tests.distributed_site import Site, copy_dataset

pytestmark = pytest.mark.integration

STATISTICIAN = "stats.demo"


@pytest.fixture(scope="module")
def site(ckan_stack):
    """The site's services, up for this module (two workers), down afterwards."""
    root = Path(tempfile.mkdtemp(prefix="fivestar-site-"))
    s = Site(root, name="test", workers=2,
             env={"FIVESTAR_MAX_CONCURRENT_LARGE": "1",
                  "FIVESTAR_MAX_CONCURRENT_PUBLICATIONS": "1"})
    suffix = uuid.uuid4().hex[:6]
    s.ids = {}
    due = datetime.now(UTC) - timedelta(minutes=5)
    for source in ("police-recorded-crime", "foi-requests", "spend-over-25k"):
        new = f"{source}-d{suffix}"
        copy_dataset(source, new, s.datasets, s.expectations, next_release=due)
        s.ids[source] = new
    with s.authority():
        s.up()
        try:
            yield s
        finally:
            s.down()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def at_site(site, isolated_state):
    with site.applied():
        yield site


def spec_of(site: Site, source: str):
    return load_spec(site.datasets / site.ids[source] / "dataset.yaml")


def _events(instance, run_id, *types):
    return [e.dagster_event for e in instance.all_logs(run_id)
            if e.dagster_event and e.dagster_event.event_type in types]


def _ticket(site: Site, spec) -> dict[str, str]:
    """What `fivestar stage` puts on a queued run: the service's ticket for the stager."""
    return {TICKET_TAG: site.review.client(STATISTICIAN).ticket(spec.id)["ticket"]}


def test_staging_steps_execute_on_celery_workers(at_site):
    spec = spec_of(at_site, "police-recorded-crime")
    sub = submit(spec, STAGING_STAGES, tags=_ticket(at_site, spec))
    [outcome] = wait([sub], timeout=600)
    assert outcome.ok, outcome.failures
    assert outcome.materialized[-1] == "staged_release"
    assert Path(outcome.outputs["staged_release"].path).is_dir()
    # recorded by the service under the ticket's user, with the actual role
    history = at_site.review.client("admin.demo").release(
        outcome.outputs["staged_release"].release_id)["history"]
    assert [(e["decision"], e["actor"], e["role"]) for e in history] == [
        ("staged", STATISTICIAN, "statistician")]

    instance = get_instance()
    [run_start] = _events(instance, sub.run_id, DagsterEventType.RUN_START)
    steps = _events(instance, sub.run_id, DagsterEventType.STEP_START)
    assert {e.step_key.split("__")[-1] for e in steps} >= {"extract", "redacted", "converted",
                                                           "staged_release"}
    step_pids = {e.pid for e in steps}
    # Not in this process, not in the run worker that orchestrated the run: on Celery.
    assert os.getpid() not in step_pids
    assert run_start.pid not in step_pids
    worker_mains = set(at_site.worker_pids().values())
    for pid in step_pids:
        assert psutil.Process(pid).ppid() in worker_mains, "a step ran outside the workers"
    hosts = {e.event_specific_data.metadata["Celery worker"].value
             for e in _events(instance, sub.run_id, DagsterEventType.ENGINE_EVENT)
             if "Celery worker" in (e.event_specific_data.metadata or {})}
    assert hosts and all(h.startswith(f"fivestar-{at_site.name}-w") for h in hosts)


def test_large_run_limit_holds_under_a_burst(at_site):
    """Three runs tagged large, limit 1: the queue never lets two run at once."""
    specs = [spec_of(at_site, s) for s in ("police-recorded-crime", "foi-requests",
                                           "spend-over-25k")]
    subs = [submit(s, ("extract",), tags={SIZE_TAG: "large"}) for s in specs]
    outcomes = wait(subs, timeout=900)
    assert all(o.ok for o in outcomes), [o.failures for o in outcomes]
    instance = get_instance()
    spans = []
    for sub in subs:
        record = instance.get_run_record_by_id(sub.run_id)
        assert record.start_time and record.end_time
        spans.append((record.start_time, record.end_time))
    spans.sort()
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert start >= end - 0.5, f"two large runs overlapped: {spans}"


def _kill_step_when_started(instance, run_id: str, stage: str, timeout: float = 300) -> int:
    """SIGKILL the Celery process executing ``stage`` of ``run_id`` once it has started."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for e in _events(instance, run_id, DagsterEventType.STEP_START):
            if e.step_key.endswith(f"__{stage}"):
                os.kill(e.pid, signal.SIGKILL)
                return e.pid
        time.sleep(0.1)
    raise AssertionError(f"step {stage} of run {run_id} never started")


def _sensor_run(instance, release_id: str, timeout: float = 300) -> str:
    """The root run the publication sensor queued for ``release_id``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        roots = [r for r in instance.get_runs(filters=RunsFilter(tags={RELEASE_TAG: release_id}))
                 if ROOT_RUN_ID_TAG not in r.tags]
        if roots:
            assert len(roots) == 1, "the sensor queued the same publication twice"
            return roots[0].run_id
        time.sleep(1)
    raise AssertionError("the publication sensor never queued the approved release")


def _approve(site: Site, release_id: str) -> None:
    site.review.client("champion.demo").approve(release_id, "distributed test")


def test_killed_worker_is_retried_without_duplicates(at_site, ckan_stack):
    """Kill the worker process mid-step in staging and in publication: the run fails,
    Dagster's run retries re-execute it from the failed step, and the result is one
    release, one approval, one `published` entry and one CKAN resource per file."""
    spec = spec_of(at_site, "foi-requests")
    instance = get_instance()
    sub = submit(spec, STAGING_STAGES, tags=_ticket(at_site, spec))
    _kill_step_when_started(instance, sub.run_id, "expectations")
    [staged] = wait([sub], timeout=900)
    chain = run_chain(instance, sub.run_id)
    assert chain[0].status is DagsterRunStatus.FAILURE
    assert len(chain) >= 2 and chain[-1].status is DagsterRunStatus.SUCCESS
    assert staged.ok, staged.failures
    release = staged.outputs["staged_release"]
    folders = [p for p in (paths.releases_dir() / spec.id).iterdir()
               if not p.name.startswith(".")]
    assert [p.name for p in folders] == [release.release_id]

    # Approved and due: the publication sensor (in the daemon) queues the run.
    _approve(at_site, release.release_id)
    root = _sensor_run(instance, release.release_id)
    killed = _kill_step_when_started(instance, root, "published")
    pub = Submitted(spec=spec, stages=("published",), partition=staged.partition, run_id=root)
    [published] = wait([pub], timeout=900)
    assert not psutil.pid_exists(killed) or psutil.Process(killed).status() == "zombie"
    assert published.ok, published.failures
    assert run_chain(instance, pub.run_id)[0].status is DagsterRunStatus.FAILURE

    history = at_site.review.client("admin.demo").release(release.release_id)["history"]
    decisions = [e["decision"] for e in history]
    assert decisions.count("staged") == 1 and decisions.count("approved") == 1
    assert decisions.count("published") == 1
    assert [e["actor"] for e in history if e["decision"] == "published"] == [
        "fivestar-publisher"]
    assert at_site.review.client("admin.demo").verify()["ok"]
    pkg = ckan_stack["client"].action.package_show(id=spec.id)
    names = [r["name"] for r in pkg["resources"]]
    assert len(names) == len(set(names))
    from pipelines.release.manifest import load_manifest

    manifest, _ = load_manifest(Path(release.path))
    assert sorted(names) == sorted(f["path"] for f in manifest["files"])
    assert not pkg["private"]


def test_restaging_and_republishing_add_nothing(at_site, ckan_stack):
    """A rerun of what already succeeded: the same extract staged again, the published
    release published again (an operator re-executing the run): still one release
    folder, one approval, one `published` entry, the same CKAN resources."""
    from pipelines.release.manifest import load_manifest

    spec = spec_of(at_site, "spend-over-25k")
    instance = get_instance()
    outcomes = []
    for _ in range(2):
        [outcome] = wait([submit(spec, STAGING_STAGES, tags=_ticket(at_site, spec))],
                         timeout=900)
        assert outcome.ok, outcome.failures
        outcomes.append(outcome)
    release, again_staged = (o.outputs["staged_release"] for o in outcomes)
    assert again_staged.release_id == release.release_id  # content-addressed: the same bytes
    folders = [p.name for p in (paths.releases_dir() / spec.id).iterdir()
               if not p.name.startswith(".")]
    assert folders == [release.release_id]

    _approve(at_site, release.release_id)
    root = _sensor_run(instance, release.release_id)
    pub = Submitted(spec=spec, stages=("published",), partition=outcomes[0].partition,
                    run_id=root)
    [first] = wait([pub], timeout=900)
    assert first.ok, first.failures
    client = ckan_stack["client"]
    before = {r["name"]: r["id"] for r in client.action.package_show(id=spec.id)["resources"]}

    again = submit(spec, ("published",), tags={RELEASE_TAG: release.release_id})
    [second] = wait([again], timeout=900)
    assert second.ok, second.failures

    history = at_site.review.client("admin.demo").release(release.release_id)["history"]
    decisions = [e["decision"] for e in history]
    assert decisions.count("approved") == 1
    assert decisions.count("published") == 1, decisions
    assert at_site.review.client("admin.demo").verify()["ok"]
    resources = client.action.package_show(id=spec.id)["resources"]
    names = [r["name"] for r in resources]
    assert len(names) == len(set(names))
    manifest, _ = load_manifest(Path(release.path))
    assert sorted(names) == sorted(f["path"] for f in manifest["files"])
    assert {r["name"]: r["id"] for r in resources} == before  # nothing re-created


def test_cli_plan_runs_through_the_queue(at_site):
    """``run_many`` (what `fivestar stage --all` calls) queues every run at once."""
    from pipelines.submit import run_many

    spec = spec_of(at_site, "spend-over-25k")
    [outcome] = run_many([PlannedRun(spec, ("extract", "validated"))])
    assert outcome.ok, outcome.failures
    run = get_instance().get_run_by_id(outcome.run_id)
    assert run.tags["fivestar/operation"] == "stage"
    assert run.tags[SIZE_TAG] == "regular"


def test_the_run_queue_refuses_cross_site_mutations(at_site):
    """Finding 5 on the distributed profile: the webserver `fivestar stage` submits to
    (pipelines.dagster_web, queue mode) takes no mutation from a page on another site."""
    import requests

    url = f"http://127.0.0.1:{at_site.env['FIVESTAR_DAGSTER_PORT']}/graphql"
    reload = "mutation { reloadWorkspace { __typename } }"
    assert requests.get(url, params={"query": reload}, timeout=30).status_code == 405
    assert requests.post(url, data={"query": reload}, timeout=30).status_code == 415
    foreign = requests.post(url, json={"query": reload}, timeout=30,
                            headers={"Origin": "http://attacker.example"})
    assert foreign.status_code == 403
