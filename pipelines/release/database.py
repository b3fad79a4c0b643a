"""The review service's database: one schema, one engine per URL.

The audit log (see ``audit.py``) and the service's other tables (see
``records.py``) share a database and so one SQLAlchemy ``MetaData``; both
modules build on this one, and neither needs the other to install the schema.
The append-only triggers are installed with it. The URL is never logged.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    text,
)

from pipelines.errors import FivestarError


class AuditError(FivestarError):
    """The audit log cannot be written or read."""


metadata = MetaData()
audit_log = Table(
    "audit_log",
    metadata,
    #: The sequence number: 1, 2, 3, … with no gaps (it is inside the MAC).
    Column("id", Integer, primary_key=True, autoincrement=False),
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
    #: Canonical JSON with the act's evidence (report hashes, ticket id, …).
    Column("detail", Text, nullable=False, default="{}"),
    #: Unique: two writers racing to append after the same entry cannot both
    #: succeed, so the chain stays a single line.
    Column("prev_mac", String(64), nullable=False, unique=True),
    Column("mac", String(64), nullable=False),
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

release_records = Table(
    "release_records", metadata,
    Column("release_id", String(64), primary_key=True),
    Column("dataset_id", String(200), nullable=False, index=True),
    Column("manifest", LargeBinary, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)
release_reports = Table(
    "release_reports", metadata,
    Column("release_id", String(64), primary_key=True),
    Column("name", String(100), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
)
sessions = Table(
    "sessions", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("username", String(200), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)
api_tokens = Table(
    "api_tokens", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("username", String(200), nullable=False, index=True),
    Column("label", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)
used_tickets = Table(
    "used_tickets", metadata,
    Column("jti", String(64), primary_key=True),
    Column("username", String(200), nullable=False),
    Column("used_at", DateTime(timezone=True), nullable=False),
)

claimed_tickets = Table(
    "claimed_tickets", metadata,
    Column("jti", String(64), primary_key=True),
    Column("username", String(200), nullable=False),
    Column("run_id", String(200), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
)


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite returns naive datetimes; we store UTC.
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def engine_for(url: str) -> Engine:
    """One engine (pool) per database URL per process, schema installed once."""
    with _ENGINES_LOCK:
        cached = _ENGINES.get(url)
        if cached is not None:
            return cached
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, future=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        install(engine)
        if url.startswith("sqlite:///"):
            db = Path(url.removeprefix("sqlite:///"))
            if db.exists():
                db.chmod(0o600)
        _ENGINES[url] = engine
        return engine


def install(engine: Engine) -> None:
    """Create what is missing (tables, the append-only triggers); idempotent."""
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                for stmt in _SQLITE_TRIGGERS:
                    conn.execute(text(stmt))
            elif engine.dialect.name == "postgresql":
                for stmt in _PG_TRIGGERS:
                    conn.execute(text(stmt))
    except Exception as exc:  # noqa: BLE001 - report without the URL (may hold a password)
        raise AuditError(f"cannot open the audit log ({type(exc).__name__})") from None


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout = 10000")
    cur.close()
