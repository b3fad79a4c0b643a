"""The audit log is append-only: no API for changes, and the database refuses them."""

import sqlite3

import pytest
from sqlalchemy import delete, text, update

from pipelines.release.audit import AuditStore, Decision, audit_log


@pytest.fixture
def store(tmp_path):
    return AuditStore(f"sqlite:///{tmp_path / 'audit.sqlite'}")


def _fill(store):
    store.record(actor="stats.demo", role="statistician", dataset_id="d", release_id="a" * 64,
                 decision=Decision.staged)
    store.record(actor="champion.demo", role="transparency_champion", dataset_id="d",
                 release_id="a" * 64, decision="approved", comment="fine")


def test_entries_record_who_role_when_release_decision_comment(store):
    _fill(store)
    first, second = store.entries()
    assert (second.actor, second.role, second.release_id, second.decision, second.comment) == (
        "champion.demo", "transparency_champion", "a" * 64, Decision.approved, "fine")
    assert second.at.tzinfo is not None and second.at >= first.at
    assert second.prev_hash == first.entry_hash


def test_the_api_offers_no_update_or_delete(store):
    public = {n for n in dir(store) if not n.startswith("_")}
    assert public == {"engine", "record", "entries", "release_ids", "verify_chain"}


def test_unknown_decision_is_refused(store):
    with pytest.raises(ValueError):
        store.record(actor="x", role="y", dataset_id="d", release_id=None, decision="erased")


@pytest.mark.parametrize("statement", [
    update(audit_log).values(decision="rejected"),
    delete(audit_log),
])
def test_database_refuses_update_and_delete(store, statement):
    _fill(store)
    with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:
        conn.execute(statement)
    assert [e.decision for e in store.entries()] == [Decision.staged, Decision.approved]


def test_refused_through_a_raw_sqlite_connection_too(tmp_path, store):
    _fill(store)
    con = sqlite3.connect(tmp_path / "audit.sqlite")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("UPDATE audit_log SET comment = 'edited'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("DELETE FROM audit_log")
    con.close()


def test_reopening_keeps_the_triggers_and_the_chain(tmp_path, store):
    _fill(store)
    again = AuditStore(f"sqlite:///{tmp_path / 'audit.sqlite'}")
    again.record(actor="p", role="system", dataset_id="d", release_id="a" * 64,
                 decision=Decision.published)
    assert again.verify_chain() == []
    assert len(again.entries()) == 3


def test_hash_chain_detects_an_edit_behind_the_database(tmp_path, store):
    _fill(store)
    with store.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("UPDATE audit_log SET actor = 'someone.else' WHERE id = 2"))
    assert store.verify_chain() == [2]


def test_concurrent_appends_keep_one_chain(tmp_path):
    import threading

    url = f"sqlite:///{tmp_path / 'audit.sqlite'}"
    stores = [AuditStore(url) for _ in range(4)]
    errors = []

    def append(store, n):
        try:
            for i in range(10):
                store.record(actor=f"user{n}", role="statistician", dataset_id="d",
                             release_id=None, decision=Decision.staged, comment=str(i))
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(s, n)) for n, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(stores[0].entries()) == 40
    assert stores[0].verify_chain() == []
