"""The review service's other tables: its copy of each release, sessions, tokens, tickets.

They share the audit log's database but are not part of the chain, because
they are either content-addressed or disposable:

* ``release_records`` / ``release_reports`` — the manifest bytes and the
  reports the statistician staged, as the service received them. The service
  shows the champion *these* copies, so changing the release folder on the
  pipeline host afterwards changes nothing the champion reads. Each read is
  re-checked: the manifest must hash to its release id, and each report to
  the hash in the (MAC-protected) ``staged`` audit entry.
* ``sessions`` — server-side review-app sessions: the browser holds only a
  random id; logout deletes the row, so a replayed cookie is worthless.
* ``api_tokens`` — per-user bearer tokens for the CLI and service accounts,
  stored as sha256 only.
* ``used_tickets`` — staging tickets already spent (each works once);
* ``claimed_tickets`` — the run each ticket was claimed by when it started.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Engine,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from pipelines.release.database import (
    api_tokens,
    claimed_tickets,
    release_records,
    release_reports,
    sessions,
    used_tickets,
    utc,
)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Session:
    username: str
    csrf: str
    created_at: datetime
    last_seen: datetime


@dataclass(frozen=True)
class TokenInfo:
    username: str
    label: str
    expires_at: datetime


class ServiceRecords:
    """Reads and writes of the non-chained tables (see the module docstring)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    # -- releases ------------------------------------------------------------
    def put_release(self, release_id: str, dataset_id: str, manifest: bytes,
                    reports: dict[str, bytes]) -> None:
        """Store a release's manifest and reports once (identical restaging is a no-op)."""
        with self.engine.begin() as conn:
            have = conn.execute(select(release_records.c.release_id).where(
                release_records.c.release_id == release_id)).first()
            if have:
                return
            conn.execute(insert(release_records).values(
                release_id=release_id, dataset_id=dataset_id, manifest=manifest,
                received_at=datetime.now(UTC)))
            for name, content in sorted(reports.items()):
                conn.execute(insert(release_reports).values(
                    release_id=release_id, name=name, content=content,
                    sha256=hashlib.sha256(content).hexdigest()))

    def manifest_bytes(self, release_id: str) -> bytes | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(release_records.c.manifest).where(
                release_records.c.release_id == release_id)).first()
        return bytes(row.manifest) if row else None

    def release_ids(self, dataset_id: str | None = None) -> list[str]:
        q = select(release_records.c.release_id).order_by(release_records.c.received_at)
        if dataset_id is not None:
            q = q.where(release_records.c.dataset_id == dataset_id)
        with self.engine.connect() as conn:
            return [r.release_id for r in conn.execute(q)]

    def report(self, release_id: str, name: str) -> bytes | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(release_reports.c.content).where(
                release_reports.c.release_id == release_id,
                release_reports.c.name == name)).first()
        return bytes(row.content) if row else None

    # -- sessions ------------------------------------------------------------
    def new_session(self, username: str) -> tuple[str, str]:
        """A fresh session for ``username``: (cookie value, CSRF token)."""
        sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(insert(sessions).values(id_hash=_digest(sid), username=username,
                                                 csrf=csrf, created_at=now, last_seen=now))
        return sid, csrf

    def session(self, sid: str, *, max_age: timedelta, idle: timedelta) -> Session | None:
        """The live session for a cookie value, touching it; expired ones are deleted."""
        if not sid or len(sid) > 200:
            return None
        key = _digest(sid)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            row = conn.execute(select(sessions).where(sessions.c.id_hash == key)).first()
            if row is None:
                return None
            created, seen = utc(row.created_at), utc(row.last_seen)
            if now - created > max_age or now - seen > idle:
                conn.execute(delete(sessions).where(sessions.c.id_hash == key))
                return None
            conn.execute(update(sessions).where(sessions.c.id_hash == key)
                         .values(last_seen=now))
        return Session(username=row.username, csrf=row.csrf, created_at=created, last_seen=now)

    def end_session(self, sid: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.id_hash == _digest(sid)))

    def end_sessions_of(self, username: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.username == username))

    # -- API tokens ----------------------------------------------------------
    def new_token(self, username: str, label: str, ttl: timedelta) -> tuple[str, datetime]:
        token = "fst_" + secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(insert(api_tokens).values(id_hash=_digest(token), username=username,
                                                   label=label[:200], created_at=now,
                                                   expires_at=now + ttl))
        return token, now + ttl

    def token(self, token: str) -> TokenInfo | None:
        if not token or len(token) > 200:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(api_tokens).where(
                api_tokens.c.id_hash == _digest(token))).first()
        if row is None or utc(row.expires_at) <= datetime.now(UTC):
            return None
        return TokenInfo(username=row.username, label=row.label,
                         expires_at=utc(row.expires_at))

    def revoke_token(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(api_tokens).where(api_tokens.c.id_hash == _digest(token)))

    # -- tickets -------------------------------------------------------------
    def claim_ticket(self, jti: str, username: str, run_id: str,
                     at: datetime) -> datetime | None:
        """Bind a ticket to the run that started with it; when it was claimed, or None if
        another run holds it (claiming again from the same run is the same claim)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(claimed_tickets).values(
                    jti=jti, username=username, run_id=run_id[:200], claimed_at=at))
        except IntegrityError:
            claim = self.ticket_claim(jti)
            return claim[1] if claim and claim[0] == run_id[:200] else None
        return at

    def ticket_claim(self, jti: str) -> tuple[str, datetime] | None:
        """The run a ticket was claimed by, and when; None if never claimed."""
        with self.engine.connect() as conn:
            row = conn.execute(select(claimed_tickets).where(
                claimed_tickets.c.jti == jti)).first()
        return (row.run_id, utc(row.claimed_at)) if row else None

    def ticket_spent(self, jti: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(used_tickets.c.jti).where(
                used_tickets.c.jti == jti)).first() is not None

    def spend_ticket(self, jti: str, username: str) -> bool:
        """Mark a ticket used; False if it already was (each ticket works once)."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(used_tickets).values(jti=jti, username=username,
                                                         used_at=datetime.now(UTC)))
        except IntegrityError:
            return False
        return True
