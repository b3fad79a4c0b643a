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
        assert kwargs["tags"]["fivestar/revision_notes"] == "n"  # the run's own tags kept
        self.events.append(("queued", job, kwargs["tags"][TICKET_TAG], run_id))
        return run_id


class FakeReview:
    """The review service as `fivestar stage` uses it: tickets issued, then claimed."""

    def __init__(self, events: list):
        self.events = events

    def ticket(self, dataset_id, period=None):
        ticket = f"ticket-{len(self.events)}"
        self.events.append(("issued", dataset_id, period, ticket))
        return {"ticket": ticket}

    def claim_ticket(self, ticket, run_id, dataset_id):
        self.events.append(("claimed", ticket, run_id, dataset_id))
        return {"run_id": run_id}


def test_each_ticket_is_issued_and_claimed_for_its_own_run_as_it_enters_the_queue(monkeypatch):
    """`fivestar stage` and the release-day benchmark queue staging runs the same way:
    a ticket claimed only when the runs started expired in a long queue (session 7)."""
    specs, _ = load_all(paths.DATASETS_DIR)
    events: list = []
    monkeypatch.setattr(submit, "client", lambda: FakeQueue(events))
    monkeypatch.setattr(submit, "default_partition", lambda s: None)
    runs = [PlannedRun(spec, ("extract",), "p", {"fivestar/revision_notes": "n"})
            for spec in specs[:3]]

    subs = submit.queue_staging(FakeReview(events), runs)

    assert [s.run_id for s in subs] == ["run-1", "run-4", "run-7"]
    assert [e[0] for e in events] == ["issued", "queued", "claimed"] * 3
    triples = [events[i:i + 3] for i in range(0, len(events), 3)]
    for spec, (issued, queued, claim) in zip(specs[:3], triples, strict=True):
        assert issued[1:3] == (spec.id, "p")
        assert queued[2] == issued[3]  # the run carries its own ticket
        assert claim[1:] == (issued[3], queued[3], spec.id)  # claimed for that very run


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
