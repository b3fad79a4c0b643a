"""Runs through the run queue (the distributed profile): submit, wait, summarise.

:func:`run_many` is the one entry point for a batch of runs: in-process on the
local profile (:mod:`pipelines.runner`), queued here on the distributed one.

``fivestar stage`` and ``fivestar publish`` call this instead of running the
assets in-process when ``FIVESTAR_DAGSTER_PROFILE=distributed``. A run is
submitted by name through Dagster's GraphQL API (the webserver that
``catalogue/bin/dagster-up`` starts), tagged with what the queue limits
(``pipelines.workload``); the daemon launches it when the limits allow, its
steps run on Celery workers, and its events land in the shared PostgreSQL
instance, where this module reads them back.

Waiting follows Dagster's run retries: a run that failed because a worker died
is re-executed from the failed step as a new run (same root run id), and the
outcome is that of the last run in the chain, with the materialisations and
checks of every run in it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter
from dagster._core.storage.tags import (  # stable tag names, not exported at top level
    PARTITION_NAME_TAG,
    ROOT_RUN_ID_TAG,
    WILL_RETRY_TAG,
)

from pipelines import assets as asset_graph
from pipelines.errors import FivestarError
from pipelines.instance import distributed
from pipelines.jobs import publish_job_name, stage_job_name
from pipelines.runner import (
    PlannedRun,
    RunOutcome,
    default_partition,
    outcome_from_events,
    run_stages,
)
from pipelines.runs import RELEASE_TAG, TICKET_TAG
from pipelines.spec import DatasetSpec
from pipelines.workload import publication_tags, staging_tags

if TYPE_CHECKING:
    from pipelines.release.client import ReviewServiceClient

LOCATION = "fivestar"
FINISHED = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
#: How long a failed run may wait for the daemon to queue its retry.
RETRY_DECISION_SECONDS = 120


class SubmissionError(FivestarError):
    """The run queue refused a run or could not be reached."""


def webserver_url() -> tuple[str, int]:
    host = os.environ.get("FIVESTAR_DAGSTER_HOST", "127.0.0.1")
    from pipelines.ports import service_port

    return host, service_port("DAGSTER")


def client():
    from dagster_graphql import DagsterGraphQLClient

    host, port = webserver_url()
    return DagsterGraphQLClient(host, port_number=port, timeout=120)


@dataclass(frozen=True)
class Submitted:
    """A run in the queue: what it is for, so its outcome can be told."""

    spec: DatasetSpec
    stages: tuple[str, ...]
    partition: str | None
    run_id: str


def submit(spec: DatasetSpec, stages: Sequence[str], *, partition: str | None = None,
           tags: dict[str, str] | None = None, gql=None) -> Submitted:
    """Queue one run of ``stages`` of ``spec``; the daemon launches it within the limits."""
    from dagster_graphql import DagsterGraphQLClientError

    if partition is None and asset_graph.partitions_for(spec) is not None:
        partition = default_partition(spec)
    publishing = tuple(stages) == ("published",)
    job = publish_job_name(spec) if publishing else stage_job_name(spec)
    run_tags = {**(publication_tags(spec.id) if publishing else staging_tags(spec)), **(tags or {})}
    if partition:
        run_tags[PARTITION_NAME_TAG] = partition
    selection = None if publishing else [asset_graph.key(spec, s) for s in stages]
    release_id = run_tags.get(RELEASE_TAG)
    if publishing and release_id:
        # The publication sensor may already have queued this release: wait on that run.
        from pipelines.instance import get_instance

        instance = get_instance()
        active = [r for r in instance.get_runs(filters=RunsFilter(
            tags={RELEASE_TAG: release_id})) if r.status not in FINISHED]
        if active:  # (or its retry: wait on the chain from its root)
            return Submitted(spec=spec, stages=tuple(stages), partition=partition,
                             run_id=active[0].tags.get(ROOT_RUN_ID_TAG, active[0].run_id))
    try:
        run_id = (gql or client()).submit_job_execution(
            job, repository_location_name=LOCATION, tags=run_tags, asset_selection=selection)
    except DagsterGraphQLClientError as exc:
        raise SubmissionError(f"{spec.id}: the run queue refused the {job} run "
                              f"({exc.args[0] if exc.args else 'error'})") from None
    except OSError as exc:
        host, port = webserver_url()
        raise SubmissionError(f"the Dagster webserver at {host}:{port} is unreachable "
                              f"({type(exc).__name__}); start it with catalogue/bin/dagster-up"
                              ) from None
    return Submitted(spec=spec, stages=tuple(stages), partition=partition, run_id=run_id)


def run_chain(instance: DagsterInstance, root_run_id: str) -> list:
    """The root run and its retries, oldest first."""
    root = instance.get_run_by_id(root_run_id)
    retries = instance.get_runs(filters=RunsFilter(tags={ROOT_RUN_ID_TAG: root_run_id}))
    return [root, *sorted(retries, key=lambda r: int(r.tags.get("dagster/retry_number", 0)))]


def chains(runs: Iterable) -> dict[str, list]:
    """Runs grouped as :func:`run_chain` groups them, by root run id: one query's worth
    of runs (``instance.get_runs()``) instead of two queries per root."""
    out: dict[str, list] = {}
    retries = []
    for run in runs:
        if ROOT_RUN_ID_TAG in run.tags:
            retries.append(run)
        else:
            out[run.run_id] = [run]
    for run in sorted(retries, key=lambda r: int(r.tags.get("dagster/retry_number", 0))):
        if run.tags[ROOT_RUN_ID_TAG] in out:
            out[run.tags[ROOT_RUN_ID_TAG]].append(run)
    return out


def settled(chain: list, failed_since: dict[str, float]):
    """The chain's last run once nothing more will happen to it, else None."""
    last = chain[-1]
    if last.status not in FINISHED:
        return None
    if last.status is DagsterRunStatus.SUCCESS:
        return last
    will_retry = last.tags.get(WILL_RETRY_TAG)
    if will_retry == "false":
        return last
    # "true": the daemon is about to queue the retry; unset: it has not decided yet.
    # Either way, a retry that never appears (no daemon running) ends the wait.
    since = failed_since.setdefault(last.run_id, time.monotonic())
    if time.monotonic() - since > RETRY_DECISION_SECONDS:
        return last
    return None


def _settled(instance: DagsterInstance, root_run_id: str, failed_since: dict[str, float]):
    """The last run of the chain once nothing more will happen to it, else None."""
    return settled(run_chain(instance, root_run_id), failed_since)


def wait(submitted: Iterable[Submitted], *, instance: DagsterInstance | None = None,
         timeout: float | None = None, poll: float = 1.0) -> list[RunOutcome]:
    """Wait until every run (and its retries) has finished; their outcomes, in order."""
    from pipelines.instance import get_instance

    instance = instance or get_instance()
    pending = {s.run_id: s for s in submitted}
    order = list(pending)
    done: dict[str, RunOutcome] = {}
    failed_since: dict[str, float] = {}
    deadline = None if timeout is None else time.monotonic() + timeout
    while pending:
        for root_id, sub in list(pending.items()):
            last = _settled(instance, root_id, failed_since)
            if last is not None:
                done[root_id] = outcome(instance, sub)
                del pending[root_id]
        if pending:
            if deadline is not None and time.monotonic() > deadline:
                raise SubmissionError(f"{len(pending)} run(s) still unfinished after "
                                      f"{timeout:.0f} s: {', '.join(sorted(pending))}")
            time.sleep(poll)
    return [done[r] for r in order]


def outcome(instance: DagsterInstance, sub: Submitted) -> RunOutcome:
    """What the chain of runs did, as the in-process runner would report it."""
    chain = run_chain(instance, sub.run_id)
    last = chain[-1]
    events = []
    for run in chain:
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is None:
                continue
            # Failures of earlier runs in the chain were retried away.
            if run is not last and event.event_type == DagsterEventType.STEP_FAILURE:
                continue
            events.append(event)
    result = outcome_from_events(sub.spec, sub.partition, last.run_id,
                                 last.status is DagsterRunStatus.SUCCESS, events)
    if last.status is not DagsterRunStatus.SUCCESS and not result.failures:
        result.failures.append(_run_failure_text(instance, last.run_id))
    return result


def _run_failure_text(instance: DagsterInstance, run_id: str) -> str:
    """The run's own failure message (a worker lost, a run worker that never started)."""
    for entry in reversed(instance.all_logs(run_id, of_type=DagsterEventType.RUN_FAILURE)):
        if entry.dagster_event and entry.dagster_event.message:
            return entry.dagster_event.message.split("\n")[0]
    return f"run {run_id} did not succeed"


def queue_staging(review: ReviewServiceClient, runs: Iterable[PlannedRun]) -> list[Submitted]:
    """Queue staging runs as `fivestar stage` does on the distributed profile.

    A queued run executes on a Celery worker, not in this process, so its
    single-use ticket travels as a run tag (it names the dataset and period, is
    spent by the first registration and expires; see pipelines/release/README.md).
    Each ticket is issued just before its run is submitted and claimed for that
    run as it enters the queue: the 30 minutes are then spent, so a run that waits
    in the queue longer still starts (its first step's claim is the same claim),
    and nobody who reads the tag can use the ticket for another run.
    """
    gql = client()
    subs = []
    for r in runs:
        ticket = review.ticket(r.spec.id, r.partition)["ticket"]
        sub = submit(r.spec, r.stages, partition=r.partition,
                     tags={**r.tags, TICKET_TAG: ticket}, gql=gql)
        review.claim_ticket(ticket, sub.run_id, r.spec.id)
        subs.append(sub)
    return subs


def run_remote(runs: Iterable[PlannedRun], *, timeout: float | None = None) -> list[RunOutcome]:
    """Submit every run first (so the queue can run them side by side), then wait."""
    gql = client()
    subs = [submit(r.spec, r.stages, partition=r.partition, tags=r.tags, gql=gql) for r in runs]
    return wait(subs, timeout=timeout)


def run_many(runs: list[PlannedRun]) -> list[RunOutcome]:
    """Make every run: one after another in-process (profile ``local``), or all
    queued at once on the distributed profile's run queue, then waited for."""
    if not distributed():
        return [run_stages(r.spec, r.stages, partition=r.partition, tags=r.tags) for r in runs]
    return run_remote(runs)
