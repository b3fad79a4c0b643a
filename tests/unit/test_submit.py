"""The run queue's submitter without a queue: the ticket claim as runs are queued, and
the run chain's root as the id a ticket is claimed for."""

from __future__ import annotations

from types import SimpleNamespace

from dagster._core.storage.tags import ROOT_RUN_ID_TAG

from pipelines import assets, paths, submit
from pipelines.runner import PlannedRun
from pipelines.runs import TICKET_TAG
from pipelines.spec import load_all


class FakeQueue:
    """Dagster's GraphQL client as the submitter uses it: a run id per submission."""

    def __init__(self, events: list):
        self.events = events

    def submit_job_execution(self, job, **kwargs):
        run_id = f"run-{len(self.events)}"
        self.events.append(("queued", job, kwargs["tags"][TICKET_TAG], run_id))
        return run_id


def test_each_ticket_is_claimed_as_its_run_enters_the_queue(monkeypatch):
    specs, _ = load_all(paths.DATASETS_DIR)
    spec = specs[0]
    events: list = []
    monkeypatch.setattr(submit, "client", lambda: FakeQueue(events))
    monkeypatch.setattr(submit, "default_partition", lambda s: None)
    monkeypatch.setattr(submit, "wait", lambda subs, timeout=None: [s.run_id for s in subs])
    runs = [PlannedRun(spec, ("extract",), "p", {TICKET_TAG: f"ticket-{i}"}) for i in range(3)]

    def claimed(run, run_id):
        events.append(("claimed", run.tags[TICKET_TAG], run_id))

    assert submit.run_remote(runs, on_queued=claimed) == ["run-0", "run-2", "run-4"]
    assert [e[0] for e in events] == ["queued", "claimed"] * 3
    for queued, claim in zip(events[::2], events[1::2], strict=True):
        assert claim[1:] == (queued[2], queued[3])  # each ticket for its own run, at once


def _context(run_id: str, tags: dict[str, str]):
    return SimpleNamespace(has_partition_key=False,
                           run=SimpleNamespace(run_id=run_id, tags=tags))


def test_a_retry_claims_and_registers_for_the_root_of_its_chain():
    """Dagster re-executes a killed run as a new run: the ticket stays the root's."""
    specs, _ = load_all(paths.DATASETS_DIR)
    first = assets._run(specs[0], _context("root-1", {TICKET_TAG: "t"}))
    retry = assets._run(specs[0], _context("retry-2", {TICKET_TAG: "t",
                                                       ROOT_RUN_ID_TAG: "root-1"}))
    assert (first.run_id, first.root_run_id) == ("root-1", "root-1")
    assert (retry.run_id, retry.root_run_id) == ("retry-2", "root-1")
