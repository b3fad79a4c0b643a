"""The audit log on the local stack's PostgreSQL: same guarantees as SQLite.

A throwaway database in the catalogue's PostgreSQL 15. The attacker here is
stronger than on SQLite: a database superuser, who can disable the triggers,
rewrite rows and truncate the table. Without the service's MAC key and its
anchor log, every such change is still detected.
"""

from __future__ import annotations

import secrets
import uuid

import pytest
from sqlalchemy import create_engine, text

from pipelines import paths
from pipelines.release.audit import Anchor, AnchorLog, AuditStore, Decision

pytestmark = pytest.mark.integration

KEY = secrets.token_bytes(32)


def _superuser_url(db: str) -> str:
    import os

    sock = paths.ROOT / "catalogue" / ".state" / "run" / "pgsock"
    port = os.environ.get("FIVESTAR_PG_PORT", "54329")
    return f"postgresql+psycopg2://postgres@/{db}?host={sock}&port={port}"


@pytest.fixture(scope="module")
def pg_url(ckan_stack):
    name = f"fivestar_audit_{uuid.uuid4().hex[:10]}"
    admin = create_engine(_superuser_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield _superuser_url(name)
    finally:
        from pipelines.release import database

        for url in [u for u in database._ENGINES if name in u]:
            database._ENGINES.pop(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def store(pg_url, tmp_path):
    s = AuditStore(pg_url, KEY, AnchorLog(tmp_path / "anchors.jsonl", KEY))
    with s.engine.begin() as conn:  # each test starts from an empty log
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER ALL"))
        conn.execute(text("TRUNCATE audit_log"))
        conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER ALL"))
    return s


def _fill(store):
    for actor, role, decision in (("stats.demo", "statistician", Decision.staged),
                                  ("champion.demo", "transparency_champion", Decision.approved),
                                  ("fivestar-publisher", "publisher", Decision.published)):
        store.record(actor=actor, role=role, dataset_id="d", release_id="a" * 64,
                     decision=decision)


def _as_superuser(store, *statements):
    with store.engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER ALL"))
        for s in statements:
            conn.execute(text(s))
        conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER ALL"))


def _codes(store, external=()):
    return {b.code for b in store.verify(external).breaks}


def test_postgres_refuses_update_delete_truncate(store):
    _fill(store)
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log",
                      "TRUNCATE audit_log"):
        with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(statement))
    assert [e.decision for e in store.entries()] == [Decision.staged, Decision.approved,
                                                     Decision.published]
    assert store.verify().ok


def test_superuser_edit_is_detected(store):
    _fill(store)
    _as_superuser(store, "UPDATE audit_log SET decision = 'rejected' WHERE id = 2")
    assert "mac-mismatch" in _codes(store)


def test_superuser_inserted_approval_is_detected(store):
    store.record(actor="stats.demo", role="statistician", dataset_id="d", release_id="b" * 64,
                 decision=Decision.staged)
    head = store.head()
    _as_superuser(store, "INSERT INTO audit_log (id, at, actor, role, dataset_id, release_id, "
                  "decision, comment, detail, prev_mac, mac) VALUES "
                  f"({head.seq + 1}, now(), 'champion.demo', 'transparency_champion', 'd', "
                  f"'{'b' * 64}', 'approved', '', '{{}}', '{head.mac}', '{'e' * 64}')")
    assert {"mac-mismatch", "unanchored"} <= _codes(store)


def test_superuser_truncated_tail_is_detected(store):
    _fill(store)
    _as_superuser(store, "DELETE FROM audit_log WHERE id = 3")
    assert _codes(store) == {"anchor-missing"}


def test_superuser_replaced_table_is_detected_by_a_published_anchor(store, tmp_path):
    _fill(store)
    published = store.head()
    _as_superuser(store, "TRUNCATE audit_log")
    (tmp_path / "anchors.jsonl").unlink()  # even with the anchor log gone too
    assert _codes(store, [Anchor(published.seq, published.mac, "catalogue")]) == {
        "anchor-missing"}


def test_concurrent_appends_on_postgres_keep_one_chain(store, pg_url, tmp_path):
    import threading

    anchors = store.anchors
    stores = [AuditStore(pg_url, KEY, anchors) for _ in range(3)]
    errors = []

    def append(s, n):
        try:
            for i in range(5):
                s.record(actor=f"u{n}", role="statistician", dataset_id="d", release_id=None,
                         decision=Decision.staged, comment=str(i))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(s, n)) for n, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and store.verify().ok and store.verify().entries == 15
