"""The audit log: append-only, keyed, anchored, and every forgery of finding 4 detected.

Each attack here is one the review found to pass before (an approval row
inserted with a correctly computed hash, the newest rows deleted, the chain
re-computed after an edit, the table dropped and recreated): the attacker
has the database, but not the service's MAC key.
"""

import hashlib
import json
import secrets
import sqlite3
import threading

import pytest
from sqlalchemy import delete, text, update

from pipelines.release.audit import (
    AnchorLog,
    AuditStore,
    Decision,
    _canonical,
    audit_log,
    entry_mac,
)

KEY = secrets.token_bytes(32)


@pytest.fixture
def db(tmp_path):
    return tmp_path / "audit.sqlite"


@pytest.fixture
def store(tmp_path, db):
    return AuditStore(f"sqlite:///{db}", KEY, AnchorLog(tmp_path / "anchors.jsonl", KEY))


def _fill(store):
    store.record(actor="stats.demo", role="statistician", dataset_id="d", release_id="a" * 64,
                 decision=Decision.staged, detail={"reports": {"diff": "1" * 64}})
    store.record(actor="champion.demo", role="transparency_champion", dataset_id="d",
                 release_id="a" * 64, decision="approved", comment="fine")
    store.record(actor="fivestar-publisher", role="publisher", dataset_id="d",
                 release_id="a" * 64, decision=Decision.published)


def _codes(store):
    return {b.code for b in store.verify().breaks}


def _raw(db):
    """The attacker's view: a plain SQLite connection with the triggers dropped."""
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    return con


def test_entries_record_who_role_when_release_decision_comment(store):
    _fill(store)
    first, second, _ = store.entries()
    assert (second.actor, second.role, second.release_id, second.decision, second.comment) == (
        "champion.demo", "transparency_champion", "a" * 64, Decision.approved, "fine")
    assert second.at.tzinfo is not None and second.at >= first.at
    assert second.prev_mac == first.mac and [e.id for e in store.entries()] == [1, 2, 3]
    assert first.detail == {"reports": {"diff": "1" * 64}}
    report = store.verify()
    assert report.ok and report.entries == 3 and report.anchors_checked == 3


def test_the_api_offers_no_update_or_delete(store):
    public = {n for n in dir(store) if not n.startswith("_")}
    assert public == {"anchors", "engine", "entries", "head", "record", "repair_anchors",
                      "verify"}


def test_unknown_decision_is_refused(store):
    with pytest.raises(ValueError):
        store.record(actor="x", role="y", dataset_id="d", release_id=None, decision="erased")


def test_a_short_key_is_refused(db):
    with pytest.raises(Exception, match="32 bytes"):
        AuditStore(f"sqlite:///{db}", b"short")


@pytest.mark.parametrize("statement", [update(audit_log).values(decision="rejected"),
                                       delete(audit_log)])
def test_database_refuses_update_and_delete(store, statement):
    _fill(store)
    with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:
        conn.execute(statement)
    assert len(store.entries()) == 3


def test_database_file_is_private(store, db):
    _fill(store)
    assert db.stat().st_mode & 0o077 == 0


def test_attack_insert_an_approval_with_a_correct_unkeyed_hash(store, db):
    """Finding 4: a row whose sha256 chain hash is right (the old scheme) is caught."""
    store.record(actor="stats.demo", role="statistician", dataset_id="d", release_id="b" * 64,
                 decision=Decision.staged)
    head = store.head()
    fields = {"at": "2025-01-21T10:00:00+00:00", "actor": "champion.demo",
              "role": "transparency_champion", "dataset_id": "d", "release_id": "b" * 64,
              "decision": "approved", "comment": "", "release_at": None, "detail": {}}
    forged = hashlib.sha256((head.mac + json.dumps(fields, sort_keys=True)).encode()).hexdigest()
    con = _raw(db)
    con.execute("INSERT INTO audit_log (id, at, actor, role, dataset_id, release_id, decision, "
                "comment, detail, prev_mac, mac) VALUES (?, ?, ?, ?, ?, ?, ?, '', '{}', ?, ?)",
                (head.seq + 1, "2025-01-21 10:00:00.000000", "champion.demo",
                 "transparency_champion", "d", "b" * 64, "approved", head.mac, forged))
    con.close()
    assert {"mac-mismatch", "unanchored"} <= _codes(store)


def test_attack_insert_with_a_mac_under_a_guessed_key(store, db):
    _fill(store)
    head = store.head()
    wrong = secrets.token_bytes(32)
    fields = {"at": store.entries()[-1].at, "actor": "champion.demo",
              "role": "transparency_champion", "dataset_id": "d", "release_id": "c" * 64,
              "decision": "approved", "comment": "", "release_at": None, "detail": {}}
    mac = entry_mac(wrong, head.seq + 1, head.mac, fields)
    con = _raw(db)
    con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, '', NULL, '{}', ?, ?)",
                (head.seq + 1, fields["at"].replace(tzinfo=None).isoformat(sep=" "),
                 "champion.demo", "transparency_champion", "d", "c" * 64, "approved",
                 head.mac, mac))
    con.close()
    assert "mac-mismatch" in _codes(store)


def test_attack_edit_a_row_behind_the_database(store, db):
    _fill(store)
    con = _raw(db)
    con.execute("UPDATE audit_log SET actor = 'someone.else' WHERE id = 2")
    con.close()
    [b] = [b for b in store.verify().breaks if b.code == "mac-mismatch"]
    assert b.seq == 2


def test_attack_re_chain_after_an_edit_without_the_key(store, db):
    """Recomputing every MAC under any other key still fails, and so do the anchors."""
    _fill(store)
    other = secrets.token_bytes(32)
    rows = sqlite3.connect(db).execute("SELECT id, at, actor, role, dataset_id, release_id, "
                                       "decision, comment, release_at, detail FROM audit_log "
                                       "ORDER BY id").fetchall()
    con = _raw(db)
    prev = "0" * 64
    for (seq, at, actor, role, ds, rid, decision, comment, rel_at, detail) in rows:
        if seq == 2:
            decision, comment = "rejected", "re-chained"
        fields = {"at": at, "actor": actor, "role": role, "dataset_id": ds, "release_id": rid,
                  "decision": decision, "comment": comment, "release_at": rel_at,
                  "detail": json.loads(detail)}
        mac = entry_mac(other, seq, prev, fields)
        con.execute("UPDATE audit_log SET decision=?, comment=?, prev_mac=?, mac=? WHERE id=?",
                    (decision, comment, "x" * 63 + str(seq), mac, seq))
        con.execute("UPDATE audit_log SET prev_mac=? WHERE id=?", (prev, seq))
        prev = mac
    con.close()
    codes = _codes(store)
    assert {"mac-mismatch", "anchor-mismatch"} <= codes


def test_attack_delete_the_newest_rows(store, db):
    """Finding 4: deleting the tail leaves a chain that verifies, but not its anchors."""
    _fill(store)
    con = _raw(db)
    con.execute("DELETE FROM audit_log WHERE id = 3")
    con.close()
    report = store.verify()
    assert [b.code for b in report.breaks] == ["anchor-missing"] and report.breaks[0].seq == 3


def test_attack_drop_the_table_and_recreate_it_empty(tmp_path, store, db):
    _fill(store)
    con = _raw(db)
    con.execute("DROP TABLE audit_log")
    con.close()
    reopened = AuditStore(f"sqlite:///{db}", KEY, AnchorLog(tmp_path / "anchors.jsonl", KEY),
                          engine=__import__("sqlalchemy").create_engine(f"sqlite:///{db}"))
    report = reopened.verify()
    assert report.entries == 0 and {b.code for b in report.breaks} == {"anchor-missing"}
    assert len(report.breaks) == 3


def test_attack_edit_or_drop_an_anchor_line(tmp_path, store):
    _fill(store)
    path = tmp_path / "anchors.jsonl"
    lines = path.read_text().splitlines()
    edited = json.loads(lines[1])
    edited["mac"] = "f" * 64
    path.write_text("\n".join([lines[0], json.dumps(edited), lines[2]]) + "\n")
    assert "anchor-log-tampered" in _codes(store)
    path.write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert "anchor-log-tampered" in _codes(store)


def test_external_anchor_catches_truncation_of_both_database_and_anchor_log(tmp_path, store,
                                                                              db):
    """An anchor published elsewhere (the catalogue) outlives the service's own files."""
    from pipelines.release.audit import Anchor

    _fill(store)
    published = store.head()
    con = _raw(db)
    con.execute("DELETE FROM audit_log WHERE id = 3")
    con.close()
    lines = (tmp_path / "anchors.jsonl").read_text().splitlines()
    (tmp_path / "anchors.jsonl").write_text("\n".join(lines[:2]) + "\n")
    assert store.verify().ok  # the service's own evidence was rewritten consistently…
    report = store.verify([Anchor(published.seq, published.mac, "catalogue")])
    assert [b.code for b in report.breaks] == ["anchor-missing"]  # …but not the catalogue's


def test_a_crash_before_the_anchor_is_written_is_repaired_at_start(tmp_path, db):
    bare = AuditStore(f"sqlite:///{db}", KEY)  # no anchor log: as if we crashed after commit
    bare.record(actor="a", role="statistician", dataset_id="d", release_id=None,
                decision=Decision.staged)
    store = AuditStore(f"sqlite:///{db}", KEY, AnchorLog(tmp_path / "anchors.jsonl", KEY))
    assert "unanchored" in _codes(store)
    assert store.repair_anchors() == 1 and store.verify().ok


def test_repair_never_anchors_a_forged_row(tmp_path, store, db):
    _fill(store)
    con = _raw(db)
    con.execute("INSERT INTO audit_log VALUES (4, '2025-01-01 00:00:00', 'x', 'y', 'd', NULL, "
                "'approved', '', NULL, '{}', ?, ?)", (store.head().mac, "e" * 64))
    con.close()
    assert store.repair_anchors() == 0
    assert {"mac-mismatch", "unanchored"} <= _codes(store)


def test_concurrent_appends_keep_one_chain(tmp_path, db):
    anchors = AnchorLog(tmp_path / "anchors.jsonl", KEY)
    stores = [AuditStore(f"sqlite:///{db}", KEY, anchors) for _ in range(4)]
    errors = []

    def append(s, n):
        try:
            for i in range(10):
                s.record(actor=f"user{n}", role="statistician", dataset_id="d",
                         release_id=None, decision=Decision.staged, comment=str(i))
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(s, n)) for n, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = stores[0].verify()
    assert report.ok and report.entries == 40 and report.anchors_checked == 40


def test_mac_covers_every_field():
    fields = {"at": "t", "actor": "a", "role": "r", "dataset_id": "d", "release_id": None,
              "decision": "staged", "comment": "", "release_at": None, "detail": {}}
    base = entry_mac(KEY, 1, "0" * 64, fields)
    for k in fields:
        changed = {**fields, k: "changed"}
        assert entry_mac(KEY, 1, "0" * 64, changed) != base, k
    assert entry_mac(KEY, 2, "0" * 64, fields) != base
    assert _canonical({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()


def test_reopening_keeps_triggers_and_chain(tmp_path, store, db):
    _fill(store)
    again = AuditStore(f"sqlite:///{db}", KEY, AnchorLog(tmp_path / "anchors.jsonl", KEY))
    again.record(actor="p", role="publisher", dataset_id="d", release_id="a" * 64,
                 decision=Decision.published)
    assert again.verify().ok and len(again.entries()) == 4
    with pytest.raises(Exception, match="append-only"), again.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))
