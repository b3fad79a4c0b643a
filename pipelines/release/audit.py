"""The append-only audit log of release decisions: keyed, chained and anchored.

Every governance fact lives here: who staged a release (for separation of
duties), who approved or rejected it and when, withdrawals, publications and
refused or failed publications. The log *is* the approval record, so it must
be impossible to rewrite without being caught:

* **no rewrite API**: the Python API has no update or delete, and the
  database refuses them (SQLite ``BEFORE UPDATE/DELETE`` triggers; a
  PostgreSQL trigger on UPDATE, DELETE and TRUNCATE);
* **keyed chain**: entry ``n`` carries ``mac = HMAC-SHA256(key, n, mac[n-1],
  fields)``. The key is in the review service's home (see ``keys.py``), so a
  row inserted, edited or re-chained by anyone without it (a DBA, an operator
  who dropped the triggers, a copied database file) fails verification;
* **anchors outside the database**: after every append the new head (``n``,
  ``mac``) is appended to the service's own anchor log, a JSON-lines file
  whose lines are chained under the same key; every publication also carries
  the head into the catalogue's public metadata (see ``authority.py``). An
  anchored entry that has disappeared (the tail deleted, the table dropped
  and recreated, a database restored from an old backup) is detected even
  though the rows that remain verify.

SQLite in the service's home by default, or PostgreSQL (any SQLAlchemy URL
in the service's own configuration — never an environment variable of a
caller). The URL is never logged.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    insert,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError

from pipelines.release.database import AuditError, audit_log, engine_for, install, utc


class Decision(StrEnum):
    staged = "staged"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"
    published = "published"
    publication_refused = "publication_refused"
    publication_failed = "publication_failed"
    #: The gate passed under the dataset lock at the switch to public: the intent,
    #: written before the switch, so a publisher killed before ``published`` is
    #: reconciled with the catalogue at the next attempt.
    publishing = "publishing"
    #: A pre-announced release date moved (release calendar; the reason is the comment).
    release_date_changed = "release_date_changed"
    #: A newer, different candidate of the same dataset and period was staged.
    superseded = "superseded"
    #: Someone opened a staged release (pre-release access; ``detail``: what, basis).
    release_viewed = "release_viewed"
    #: Someone was refused a staged release (not on the list, or too early).
    release_view_refused = "release_view_refused"


#: Entries that record who looked, not what was decided: a release's state ignores them.
ACCESS_DECISIONS = frozenset({Decision.release_viewed, Decision.release_view_refused})


GENESIS = "0" * 64
_APPEND_ATTEMPTS = 5


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit log."""

    id: int
    at: datetime
    actor: str
    role: str
    dataset_id: str
    release_id: str | None
    #: A ``Decision``; a raw string only for a row nobody with the key wrote.
    decision: Decision | str
    comment: str
    release_at: datetime | None
    detail: dict[str, Any]
    prev_mac: str
    mac: str


@dataclass(frozen=True)
class Anchor:
    """A chain head recorded outside the database: entry ``seq`` had ``mac``."""

    seq: int
    mac: str
    source: str = "anchor log"


@dataclass(frozen=True)
class ChainBreak:
    """Where the log fails verification, and how."""

    seq: int | None
    code: str
    message: str

    def __str__(self) -> str:
        where = f"entry {self.seq}" if self.seq is not None else "log"
        return f"{where}: {self.message} [{self.code}]"


@dataclass
class ChainReport:
    """The outcome of verifying the whole log."""

    entries: int = 0
    head_seq: int = 0
    head_mac: str = GENESIS
    anchors_checked: int = 0
    breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "head_seq": self.head_seq,
                "head_mac": self.head_mac, "anchors_checked": self.anchors_checked,
                "breaks": [{"seq": b.seq, "code": b.code, "message": b.message}
                           for b in self.breaks]}


def _canonical(data: dict[str, Any]) -> bytes:
    def default(v: Any) -> str:
        if isinstance(v, datetime):
            return v.isoformat()
        raise TypeError(type(v).__name__)

    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=default).encode("utf-8")


def entry_mac(key: bytes, seq: int, prev_mac: str, fields: dict[str, Any]) -> str:
    """HMAC-SHA256 over the sequence number, the previous MAC and every field."""
    body = {**fields, "seq": seq, "prev": prev_mac}
    return hmac.new(key, _canonical(body), hashlib.sha256).hexdigest()


def _fields(e: AuditEntry) -> dict[str, Any]:
    return {"at": e.at, "actor": e.actor, "role": e.role, "dataset_id": e.dataset_id,
            "release_id": e.release_id, "decision": str(e.decision), "comment": e.comment,
            "release_at": e.release_at, "detail": e.detail}


class AnchorLog:
    """The service's own append-only record of chain heads (one JSON line each).

    Each line carries ``lmac`` = HMAC(key, previous line's lmac + the line),
    so lines cannot be edited, dropped from the middle or forged without the
    key; appends take an exclusive ``flock`` so concurrent writers never
    interleave.
    """

    def __init__(self, path: Path, key: bytes):
        self.path = Path(path)
        self.key = key

    def _lmac(self, prev: str, seq: int, mac: str, at: str) -> str:
        body = _canonical({"prev": prev, "seq": seq, "mac": mac, "at": at})
        return hmac.new(self.key, b"anchor:" + body, hashlib.sha256).hexdigest()

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Exclusive lock for append (held across the database insert too)."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _lines(self) -> list[dict[str, Any]]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        out = []
        for line in raw.splitlines():
            if line.strip():
                try:
                    out.append(json.loads(line))
                except ValueError:
                    out.append({})
        return out

    def append(self, seq: int, mac: str) -> None:
        """Append one head (call inside ``locked()``); fsync before returning."""
        lines = self._lines()
        prev = str(lines[-1].get("lmac", GENESIS)) if lines else GENESIS
        at = datetime.now(UTC).isoformat()
        record = {"seq": seq, "mac": mac, "at": at, "lmac": self._lmac(prev, seq, mac, at)}
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, _canonical(record) + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)

    def read(self) -> tuple[list[Anchor], list[ChainBreak]]:
        """The anchors, and a break for every line that does not verify."""
        anchors: list[Anchor] = []
        breaks: list[ChainBreak] = []
        prev = GENESIS
        for n, rec in enumerate(self._lines(), start=1):
            try:
                seq, mac, at, lmac = int(rec["seq"]), str(rec["mac"]), str(rec["at"]), \
                    str(rec["lmac"])
            except (KeyError, TypeError, ValueError):
                breaks.append(ChainBreak(None, "anchor-log-malformed",
                                         f"anchor log line {n} is malformed"))
                continue
            if not hmac.compare_digest(lmac, self._lmac(prev, seq, mac, at)):
                breaks.append(ChainBreak(seq, "anchor-log-tampered",
                                         f"anchor log line {n} does not verify under the key"))
            prev = lmac
            anchors.append(Anchor(seq=seq, mac=mac))
        return anchors, breaks


class AuditStore:
    """Append, read and verify audit entries. There is no update or delete."""

    def __init__(self, url: str, mac_key: bytes, anchors: AnchorLog | None = None, *,
                 engine: Engine | None = None):
        if len(mac_key) < 32:
            raise AuditError("the audit MAC key must be at least 32 bytes")
        self.engine = engine or engine_for(url)
        if engine is not None:
            install(engine)
        self._key = mac_key
        self.anchors = anchors
        self._lock = threading.Lock()

    # -- writing -----------------------------------------------------------
    @contextmanager
    def _append_lock(self) -> Iterator[None]:
        with self._lock:
            if self.anchors is None:
                yield
            else:
                with self.anchors.locked():
                    yield

    def record(
        self,
        *,
        actor: str,
        role: str,
        dataset_id: str,
        release_id: str | None,
        decision: Decision | str,
        comment: str = "",
        release_at: datetime | None = None,
        at: datetime | None = None,
        detail: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Append one entry (MAC-chained to the previous one), anchor it, return it."""
        decision = Decision(decision)
        fields = {
            "at": utc(at or datetime.now(UTC)),
            "actor": actor,
            "role": role,
            "dataset_id": dataset_id,
            "release_id": release_id,
            "decision": decision.value,
            "comment": comment or "",
            "release_at": utc(release_at),
            "detail": json.loads(_canonical(detail or {})),
        }
        with self._append_lock():
            for attempt in range(_APPEND_ATTEMPTS):
                try:
                    with self.engine.begin() as conn:
                        if self.engine.dialect.name == "postgresql":
                            conn.execute(text("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"))
                        last = conn.execute(select(audit_log.c.id, audit_log.c.mac)
                                            .order_by(audit_log.c.id.desc()).limit(1)).first()
                        seq = (last.id + 1) if last else 1
                        prev = last.mac if last else GENESIS
                        mac = entry_mac(self._key, seq, prev, fields)
                        conn.execute(insert(audit_log).values(
                            id=seq, **{**fields, "detail": _canonical(fields["detail"]).decode()},
                            prev_mac=prev, mac=mac))
                    break
                except IntegrityError:
                    if attempt == _APPEND_ATTEMPTS - 1:
                        raise AuditError("could not append to the audit log (contention)") \
                            from None
            if self.anchors is not None:
                self.anchors.append(seq, mac)
        return AuditEntry(id=seq, prev_mac=prev, mac=mac,
                          **{**fields, "decision": decision})

    def repair_anchors(self) -> int:
        """Anchor verified entries appended after the last anchor (a crash between
        the database commit and the anchor write). Returns how many were anchored;
        entries that do not verify are left for ``verify`` to report."""
        if self.anchors is None:
            return 0
        with self._append_lock():
            anchors, _ = self.anchors.read()
            last = max((a.seq for a in anchors), default=0)
            prev, added = GENESIS, 0
            for e in self.entries():
                ok = e.prev_mac == prev and hmac.compare_digest(
                    e.mac, entry_mac(self._key, e.id, prev, _fields(e)))
                prev = e.mac
                if e.id > last:
                    if not ok:
                        break
                    self.anchors.append(e.id, e.mac)
                    added += 1
            return added

    # -- reading -----------------------------------------------------------
    def entries(
        self,
        *,
        dataset_id: str | None = None,
        release_id: str | None = None,
        decision: Decision | str | None = None,
        newest_first: bool = False,
        limit: int | None = None,
    ) -> list[AuditEntry]:
        """Entries in append order (or newest first), optionally filtered."""
        return read_entries(self.engine, dataset_id=dataset_id, release_id=release_id,
                            decision=decision, newest_first=newest_first, limit=limit)

    def head(self) -> Anchor:
        """The newest entry's sequence number and MAC (0 and the genesis when empty)."""
        with self.engine.connect() as conn:
            last = conn.execute(select(audit_log.c.id, audit_log.c.mac)
                                .order_by(audit_log.c.id.desc()).limit(1)).first()
        return Anchor(seq=last.id, mac=last.mac) if last else Anchor(seq=0, mac=GENESIS)

    def verify(self, external: Iterable[Anchor] = ()) -> ChainReport:
        """Check every MAC, the chain's order, the anchor log and ``external`` anchors."""
        report = ChainReport()
        prev, expected_seq = GENESIS, 1
        macs: dict[int, str] = {}
        for e in self.entries():
            report.entries += 1
            if e.id != expected_seq:
                report.breaks.append(ChainBreak(e.id, "seq-gap", f"entries "
                                                f"{expected_seq}..{e.id - 1} are missing"))
            if e.prev_mac != prev:
                report.breaks.append(ChainBreak(e.id, "chain-broken",
                                                "does not follow the entry before it"))
            if not hmac.compare_digest(e.mac, entry_mac(self._key, e.id, e.prev_mac,
                                                        _fields(e))):
                report.breaks.append(ChainBreak(e.id, "mac-mismatch",
                                                "its MAC does not verify under the key "
                                                "(inserted, edited or re-chained)"))
            macs[e.id] = e.mac
            prev, expected_seq = e.mac, e.id + 1
            report.head_seq, report.head_mac = e.id, e.mac
        anchors: list[Anchor] = []
        if self.anchors is not None:
            own, breaks = self.anchors.read()
            report.breaks.extend(breaks)
            anchors.extend(own)
            last = max((a.seq for a in own), default=0)
            if report.head_seq > last:
                report.breaks.append(ChainBreak(
                    report.head_seq, "unanchored",
                    f"entries {last + 1}..{report.head_seq} are not in the anchor log"))
        anchors.extend(external)
        for a in anchors:
            report.anchors_checked += 1
            have = macs.get(a.seq)
            if have is None:
                report.breaks.append(ChainBreak(a.seq, "anchor-missing", f"anchored by the "
                                                f"{a.source} but no longer in the database "
                                                "(deleted or truncated)"))
            elif not hmac.compare_digest(have, a.mac):
                report.breaks.append(ChainBreak(a.seq, "anchor-mismatch", f"differs from the "
                                                f"head recorded in the {a.source}"))
        return report


_DECISIONS = {d.value for d in Decision}


def read_entries(engine: Engine, *, dataset_id: str | None = None,
                 release_id: str | None = None, decision: Decision | str | None = None,
                 newest_first: bool = False, limit: int | None = None) -> list[AuditEntry]:
    """Entries as stored, without checking MACs (``AuditStore.verify`` does that).

    For readers that share the log's database but not its key (the release
    calendar's view of date changes); the gate verifies the whole chain
    before anything they derive decides a publication.
    """
    q = select(audit_log)
    if dataset_id is not None:
        q = q.where(audit_log.c.dataset_id == dataset_id)
    if release_id is not None:
        q = q.where(audit_log.c.release_id == release_id)
    if decision is not None:
        q = q.where(audit_log.c.decision == Decision(decision).value)
    q = q.order_by(audit_log.c.id.desc() if newest_first else audit_log.c.id)
    if limit is not None:
        q = q.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return [_row(r) for r in rows]


def _row(r) -> AuditEntry:
    try:
        detail = json.loads(r["detail"] or "{}")
    except ValueError:
        detail = {"unreadable": True}
    return AuditEntry(
        id=r["id"], at=utc(r["at"]), actor=r["actor"], role=r["role"],
        dataset_id=r["dataset_id"], release_id=r["release_id"],
        decision=Decision(r["decision"]) if r["decision"] in _DECISIONS else r["decision"],
        comment=r["comment"] or "",
        release_at=utc(r["release_at"]), detail=detail if isinstance(detail, dict) else {},
        prev_mac=r["prev_mac"], mac=r["mac"],
    )
