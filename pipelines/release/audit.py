"""The append-only audit log of release decisions.

Every governance fact lives here: who staged a release (for separation of
duties), who approved or rejected it and when, withdrawals, publications and
refused publications. Nothing else stores state about approvals, so the log
*is* the approval record, and it must never be rewritten:

* the Python API has no update or delete;
* the database refuses them too: SQLite ``BEFORE UPDATE/DELETE`` triggers that
  ``RAISE(ABORT)``, and in PostgreSQL a trigger function that raises on
  UPDATE, DELETE and TRUNCATE;
* each entry carries ``entry_hash`` = sha256(previous entry's hash + this
  entry's fields), so a row altered behind the database's back (e.g. the
  SQLite file edited with triggers dropped) is detected by ``verify_chain``.

SQLite at ``STATE_DIR/audit.sqlite`` by default; PostgreSQL (or any
SQLAlchemy URL) via ``FIVESTAR_AUDIT_DB_URL``. The URL is never logged.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError

from pipelines import paths
from pipelines.errors import FivestarError

AUDIT_DB_ENV = "FIVESTAR_AUDIT_DB_URL"


class Decision(StrEnum):
    staged = "staged"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"
    published = "published"
    publication_refused = "publication_refused"
    #: A pre-announced release date moved (release calendar; the reason is the comment).
    release_date_changed = "release_date_changed"
    #: A newer, different candidate of the same dataset and period was staged.
    superseded = "superseded"


class AuditError(FivestarError):
    """The audit log cannot be written or read, or its hash chain is broken."""


metadata = MetaData()
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("role", String(64), nullable=False),
    Column("dataset_id", String(200), nullable=False, index=True),
    Column("release_id", String(64), nullable=True, index=True),
    Column("decision", String(32), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    #: For approvals: a release time chosen by the champion (used only when
    #: the manifest has no pre-announced release date).
    Column("release_at", DateTime(timezone=True), nullable=True),
    #: Unique: two writers racing to append after the same entry cannot both
    #: succeed, so the chain stays a single line (the loser retries).
    Column("prev_hash", String(64), nullable=False, unique=True),
    Column("entry_hash", String(64), nullable=False),
)

_SQLITE_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END""",
)

_PG_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION fivestar_audit_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
    """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
       FOR EACH ROW EXECUTE FUNCTION fivestar_audit_append_only()""",
    "DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
       FOR EACH STATEMENT EXECUTE FUNCTION fivestar_audit_append_only()""",
)

GENESIS = "0" * 64
_ENGINES: dict[str, Engine] = {}
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
    decision: Decision
    comment: str
    release_at: datetime | None
    prev_hash: str
    entry_hash: str


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite returns naive datetimes; we store UTC.
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _entry_hash(prev_hash: str, fields: dict) -> str:
    body = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in fields.items()}
    data = prev_hash + json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def default_url() -> str:
    """``FIVESTAR_AUDIT_DB_URL``, or SQLite under the state folder."""
    url = os.environ.get(AUDIT_DB_ENV)
    if url:
        return url
    return f"sqlite:///{paths.STATE_DIR / 'audit.sqlite'}"


class AuditStore:
    """Append and read audit entries. There is deliberately no update or delete."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None):
        url = url or default_url()
        if engine is None:
            # One engine (pool) and one schema check per database per process:
            # the sensor opens a store on every tick.
            cached = _ENGINES.get(url)
            if cached is not None:
                self.engine = cached
                return
            if url.startswith("sqlite:///"):
                Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, future=True)
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            self.engine = engine
            self._install()
            _ENGINES[url] = engine
            return
        self.engine = engine
        self._install()

    def _install(self) -> None:
        try:
            metadata.create_all(self.engine)
            with self.engine.begin() as conn:
                if self.engine.dialect.name == "sqlite":
                    for stmt in _SQLITE_TRIGGERS:
                        conn.execute(text(stmt))
                elif self.engine.dialect.name == "postgresql":
                    for stmt in _PG_TRIGGERS:
                        conn.execute(text(stmt))
        except Exception as exc:  # noqa: BLE001 - report without the URL (may hold a password)
            raise AuditError(f"cannot open the audit log ({type(exc).__name__})") from None

    # -- writing -----------------------------------------------------------
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
    ) -> AuditEntry:
        """Append one entry (chained to the previous one) and return it."""
        decision = Decision(decision)
        fields = {
            "at": _utc(at or datetime.now(UTC)),
            "actor": actor,
            "role": role,
            "dataset_id": dataset_id,
            "release_id": release_id,
            "decision": decision.value,
            "comment": comment or "",
            "release_at": _utc(release_at),
        }
        for attempt in range(_APPEND_ATTEMPTS):
            try:
                with self.engine.begin() as conn:
                    if self.engine.dialect.name == "postgresql":
                        # Serialise appends so the hash chain has one order.
                        conn.execute(text("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"))
                    last = conn.execute(
                        select(audit_log.c.entry_hash).order_by(audit_log.c.id.desc()).limit(1)
                    ).scalar()
                    prev = last or GENESIS
                    entry_hash = _entry_hash(prev, fields)
                    new_id = conn.execute(
                        insert(audit_log).values(**fields, prev_hash=prev,
                                                 entry_hash=entry_hash)
                    ).inserted_primary_key[0]
                break
            except IntegrityError:
                if attempt == _APPEND_ATTEMPTS - 1:
                    raise AuditError("could not append to the audit log (contention)") from None
        return AuditEntry(id=new_id, prev_hash=prev, entry_hash=entry_hash,
                          **{**fields, "decision": decision})

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
        with self.engine.connect() as conn:
            rows = conn.execute(q).mappings().all()
        return [_row(r) for r in rows]

    def release_ids(self) -> list[str]:
        """Every release id that appears in the log, in order of first appearance."""
        seen: dict[str, None] = {}
        for e in self.entries():
            if e.release_id:
                seen.setdefault(e.release_id, None)
        return list(seen)

    def verify_chain(self) -> list[int]:
        """Ids of entries whose hash chain does not hold (empty when intact)."""
        broken: list[int] = []
        prev = GENESIS
        for e in self.entries():
            fields = {"at": e.at, "actor": e.actor, "role": e.role, "dataset_id": e.dataset_id,
                      "release_id": e.release_id, "decision": e.decision.value,
                      "comment": e.comment, "release_at": e.release_at}
            if e.prev_hash != prev or _entry_hash(prev, fields) != e.entry_hash:
                broken.append(e.id)
            prev = e.entry_hash
        return broken


def _row(r) -> AuditEntry:
    return AuditEntry(
        id=r["id"], at=_utc(r["at"]), actor=r["actor"], role=r["role"],
        dataset_id=r["dataset_id"], release_id=r["release_id"],
        decision=Decision(r["decision"]), comment=r["comment"] or "",
        release_at=_utc(r["release_at"]), prev_hash=r["prev_hash"], entry_hash=r["entry_hash"],
    )


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout = 10000")
    cur.close()
