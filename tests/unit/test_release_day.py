"""The release day's bookkeeping: runs in flight, what counts as a whole day done, and
where the local CKAN is (the publication runs reach it by the same setting)."""

from __future__ import annotations

from benchmarks.release_day import FULL, _complete, max_in_flight, plan
from pipelines.ckan_resource import ckan_url


def test_runs_in_flight_count_overlaps_and_an_end_closes_before_a_start():
    assert max_in_flight([(0, 10), (5, 15), (9, 12)]) == 3
    assert max_in_flight([(0, 5), (5, 10)]) == 1
    assert max_in_flight([]) == 0


def test_the_full_day_is_fifty_copies_of_every_size():
    day = plan(FULL)
    assert len(day) == 50
    assert {rows for _, rows in day} == {None, *FULL.sizes}


def _day(**publication):
    pub = {"approved": 3, "published": 3, "duplicates": {}, **publication}
    return {"ok": 3, "failed": [], "unfinished": [], "publication": pub}


def test_a_day_is_complete_only_when_every_staged_release_is_published_once():
    assert _complete(_day())
    assert not _complete(_day(published=2))
    assert not _complete(_day(approved=2, published=2))  # one staged release not approved
    assert not _complete(_day(duplicates={"r1": {"published": 2}}))
    assert not _complete({**_day(), "unfinished": ["d1"]})
    assert _complete({"ok": 3, "failed": [], "unfinished": []})  # --no-publish


def test_ckan_url_follows_the_port_the_catalogue_was_started_on(monkeypatch):
    monkeypatch.delenv("FIVESTAR_CKAN_URL", raising=False)
    monkeypatch.delenv("FIVESTAR_CKAN_PORT", raising=False)
    monkeypatch.delenv("FIVESTAR_PORT_OFFSET", raising=False)
    assert ckan_url() == "http://127.0.0.1:5055"
    monkeypatch.setenv("FIVESTAR_PORT_OFFSET", "600")  # a worktree's env file sets only this
    assert ckan_url() == "http://127.0.0.1:5655"
    monkeypatch.setenv("FIVESTAR_CKAN_PORT", "5555")
    assert ckan_url() == "http://127.0.0.1:5555"
    monkeypatch.setenv("FIVESTAR_CKAN_URL", "https://ckan.example/")
    assert ckan_url() == "https://ckan.example"


def test_chains_group_retries_under_their_root_in_retry_order():
    from types import SimpleNamespace

    from pipelines.submit import chains

    def run(run_id, **tags):
        return SimpleNamespace(run_id=run_id, tags=tags)

    listed = [run("c", **{"dagster/root_run_id": "a", "dagster/retry_number": "2"}),
              run("b", **{"dagster/root_run_id": "a", "dagster/retry_number": "1"}),
              run("z"), run("a"),
              run("orphan", **{"dagster/root_run_id": "gone", "dagster/retry_number": "1"})]
    got = {root: [r.run_id for r in chain] for root, chain in chains(listed).items()}
    assert got == {"z": ["z"], "a": ["a", "b", "c"]}
    assert list(got) == ["z", "a"]  # roots keep the listing's order (newest first)
