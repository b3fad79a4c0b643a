"""The review service's JSON API, for the CLI, Dagster and other services.

Bearer tokens only (``Authorization: Bearer …``): no cookie is ever read
here, so a page on another site cannot make a browser call it. The one call
without a token is staging registration, whose credential is the signed,
single-use ticket in its body; the one call that takes a password is
``POST /tokens``, throttled exactly like the sign-in form.

Errors are ``{"error": {"type": <exception class>, "message", "problems"}}``
with the matching status; ``pipelines.release.client`` raises the class of
the same name. Handlers are plain ``def``: FastAPI runs them in worker
threads, so hashing files or waiting for a dataset lock never stalls the
event loop.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from pipelines.errors import FivestarError
from pipelines.release.approvals import (
    APPROVED,
    AWAITING,
    ApprovalError,
    PermissionDenied,
    ReleaseNotFound,
)
from pipelines.release.audit import AuditEntry
from pipelines.release.authority import (
    SERVICE_TOKEN_TTL,
    Authority,
    NotAuthenticated,
    StagingRefused,
)
from pipelines.release.gate import PublicationRefused
from pipelines.release.manifest import ManifestError
from pipelines.release.users import Role, User, UsersError

_STATUS: list[tuple[type[Exception], int]] = [
    (NotAuthenticated, 401), (PermissionDenied, 403), (ReleaseNotFound, 404),
    (ApprovalError, 409), (StagingRefused, 409), (ManifestError, 409), (UsersError, 409),
    (PublicationRefused, 422),
]


def entry_dict(e: AuditEntry) -> dict[str, Any]:
    return {"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "role": e.role,
            "dataset_id": e.dataset_id, "release_id": e.release_id,
            "decision": str(e.decision), "comment": e.comment,
            "release_at": e.release_at.isoformat() if e.release_at else None,
            "detail": e.detail, "mac": e.mac}


def error_response(exc: Exception, status: int) -> JSONResponse:
    problems = [p.to_dict() for p in getattr(exc, "problems", [])[:200]]
    return JSONResponse({"error": {"type": type(exc).__name__, "message": str(exc),
                                   "problems": problems}}, status_code=status)


class TokenRequest(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1024)
    label: str = Field("cli", max_length=200)


class TicketRequest(BaseModel):
    dataset_id: str = Field(max_length=200)
    period: str | None = Field(None, max_length=50)


class StagingRequest(BaseModel):
    ticket: str = Field(max_length=65536)
    manifest: str
    reports: dict[str, str] = {}
    run_id: str | None = Field(None, max_length=200)


class ClaimRequest(BaseModel):
    ticket: str = Field(max_length=65536)
    run_id: str = Field(max_length=200)
    dataset_id: str = Field(max_length=200)


class Decision(BaseModel):
    comment: str = Field("", max_length=8000)
    release_at: datetime | None = None


class WithdrawRequest(BaseModel):
    reason: str = Field(max_length=8000)
    mode: str = "notice"
    catalogue: bool = True


class PublishedRequest(BaseModel):
    dataset_url: str = Field("", max_length=2000)


class SwitchRequest(BaseModel):
    """What the pipeline prepared for the switch (checked against the approved manifest)."""

    dataset: str = Field(max_length=200)
    staging: str | None = Field(None, max_length=200)
    resources: list[str] = Field(max_length=2000)
    fields: dict[str, Any] = Field(default_factory=dict)


class FailureRequest(BaseModel):
    codes: list[str] = Field(default_factory=list, max_length=50)


class UserRequest(BaseModel):
    username: str = Field(max_length=200)
    roles: list[Role]
    password: str | None = Field(None, max_length=1024)
    name: str = Field("", max_length=200)


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise StagingRefused(f"{what} is not base64") from None


class CalendarChange(BaseModel):
    dataset_id: str = Field(max_length=200)
    slot: date
    to: datetime
    reason: str = Field(max_length=8000)


def _calendar_entry(e) -> dict[str, Any]:
    return {"dataset_id": e.dataset_id, "title": e.title, "slot": e.slot.isoformat(),
            "release_at": e.release_at.isoformat(), "announced_at": e.announced_at.isoformat(),
            "confirmed": e.confirmed, "short_notice": e.short_notice,
            "changes": [{"from_at": c.from_at.isoformat(), "to_at": c.to_at.isoformat(),
                         "reason": c.reason, "actor": c.actor, "at": c.at.isoformat()}
                        for c in e.changes]}


def build_api(authority: Authority, signin, specs: Callable[[], list[Any]]) -> APIRouter:
    from pipelines.release_calendar.store import CalendarError, ReleaseCalendar

    router = APIRouter(prefix="/api/v1")

    def bearer(request: Request) -> str:
        value = request.headers.get("authorization") or ""
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthenticated("send a bearer token (fivestar login)")
        return token.strip()

    def caller(request: Request) -> User:
        user = authority.user_for_token(bearer(request))
        if user is None:
            raise NotAuthenticated("the token is unknown, expired or revoked")
        return user

    def admin(user: User = Depends(caller)) -> User:  # noqa: B008 - FastAPI dependency
        if not user.has(Role.admin):
            raise PermissionDenied("only an admin can manage users")
        return user

    # -- identity --------------------------------------------------------------
    @router.post("/tokens")
    async def tokens(request: Request, body: TokenRequest):
        user, throttled = await signin.check(request, body.username.strip(), body.password)
        if user is None:
            if throttled:
                return error_response(FivestarError("too many failed attempts; wait and "
                                                    "try again"), 429)
            raise NotAuthenticated("wrong user name or password")
        token, expires = authority.issue_token(user, body.label)
        return {"token": token, "expires_at": expires.isoformat(), "username": user.username}

    @router.delete("/tokens/current")
    def revoke(request: Request):
        authority.revoke_token(bearer(request))
        return {"revoked": True}

    @router.get("/me")
    def me(user: User = Depends(caller)):  # noqa: B008
        return {"username": user.username, "name": user.name,
                "roles": sorted(r.value for r in user.roles)}

    @router.get("/public-key")
    def public_key():
        return {"pem": authority.keys.public_pem.decode("ascii"), "kid": authority.keys.kid}

    # -- staging ---------------------------------------------------------------
    @router.post("/tickets")
    def tickets(body: TicketRequest, user: User = Depends(caller)):  # noqa: B008
        ticket, expires = authority.issue_ticket(user, body.dataset_id.strip(), body.period)
        return {"ticket": ticket, "expires_at": expires.isoformat()}

    @router.post("/tickets/claim")
    def claim(body: ClaimRequest):
        """A staging run's start: the ticket is the credential (checked and bound here)."""
        return authority.claim_ticket(body.ticket, body.run_id, body.dataset_id)

    @router.post("/releases")
    def register(body: StagingRequest):
        reports = {name: _b64(value, f"report {name}") for name, value in body.reports.items()}
        entry = authority.register_staging(body.ticket, _b64(body.manifest, "manifest"),
                                           reports, body.run_id)
        return {"release_id": entry.release_id, "entry": entry_dict(entry)}

    # -- reading ---------------------------------------------------------------
    @router.get("/releases")
    def releases(request: Request, dataset_id: str | None = None,
                 user: User = Depends(caller)):  # noqa: B008
        states = None if request.query_params.get("all") == "1" else {AWAITING, APPROVED}
        return {"releases": [r.summary() for r in authority.releases(states, dataset_id)]}

    @router.get("/releases/{ref}")
    def release(ref: str, user: User = Depends(caller)):  # noqa: B008
        info = authority.release(ref)
        return {**info.summary(), "manifest": info.manifest,
                "history": [entry_dict(e) for e in info.status.entries]}

    @router.get("/datasets/{dataset_id}/published")
    def published_release(dataset_id: str):
        """Public knowledge (the catalogue shows it): staging needs it for the diff."""
        return {"release_id": authority.last_published(dataset_id)}

    @router.get("/audit")
    def audit(dataset_id: str | None = None, limit: int = 50,
              user: User = Depends(caller)):  # noqa: B008
        limit = max(1, min(limit, 10_000))
        return {"entries": [entry_dict(e) for e in authority.audit(dataset_id, limit)]}

    @router.get("/audit/verify")
    def verify(user: User = Depends(caller)):  # noqa: B008
        """The keyed chain and its anchors, then the catalogue and the live triple store
        against the log."""
        out = authority.verify().to_dict()
        checked, breaks = authority.verify_catalogue()
        out["catalogue_checked"] = checked
        out["linked_checked"], linked = authority.verify_linked_data()
        breaks += linked
        if breaks:
            out["ok"] = False
            out["breaks"] += [{"seq": b.seq, "code": b.code, "message": b.message}
                              for b in breaks]
        return out

    # -- decisions -------------------------------------------------------------
    @router.post("/releases/{ref}/approve")
    def approve(ref: str, body: Decision, user: User = Depends(caller)):  # noqa: B008
        return entry_dict(authority.approve(user, ref, body.comment, body.release_at))

    @router.post("/releases/{ref}/reject")
    def reject(ref: str, body: Decision, user: User = Depends(caller)):  # noqa: B008
        return entry_dict(authority.reject(user, ref, body.comment))

    @router.post("/datasets/{dataset_id}/withdraw")
    def withdraw(dataset_id: str, body: WithdrawRequest,
                 user: User = Depends(caller)):  # noqa: B008
        result = authority.withdraw(user, dataset_id, body.reason, mode=body.mode,
                                    catalogue=body.catalogue)
        return {"entries": [entry_dict(e) for e in result.entries],
                "was_published": result.was_published,
                "catalogue_error": result.catalogue_error}

    # -- publication -----------------------------------------------------------
    @router.get("/publications/due")
    def due(user: User = Depends(caller)):  # noqa: B008
        return {"due": [d.to_dict() for d in authority.due()]}

    @router.post("/releases/{ref}/publication")
    def begin(ref: str, user: User = Depends(caller)):  # noqa: B008
        plan = authority.begin_publication(user, ref)
        spec = next((s for s in specs() if s.id == plan.dataset_id), None)
        nxt = authority.next_release(spec) if spec is not None else None
        return {"release_id": plan.release_id, "dataset_id": plan.dataset_id,
                "approval_id": plan.approval_id,
                "next_release": nxt.isoformat() if nxt else None,
                "manifest": base64.b64encode(plan.manifest_bytes).decode("ascii")}

    @router.post("/releases/{ref}/switch")
    def switch(ref: str, body: SwitchRequest, user: User = Depends(caller)):  # noqa: B008
        info = authority.release(ref)
        spec = next((s for s in specs() if s.id == info.dataset_id), None)
        nxt = authority.next_release(spec) if spec is not None else None
        return entry_dict(authority.switch(user, info.id, body.model_dump(), nxt))

    @router.post("/releases/{ref}/published")
    def published(ref: str, body: PublishedRequest, user: User = Depends(caller)):  # noqa: B008
        return entry_dict(authority.record_published(user, ref, body.dataset_url))

    @router.post("/releases/{ref}/failures")
    def failure(ref: str, body: FailureRequest, user: User = Depends(caller)):  # noqa: B008
        return entry_dict(authority.record_failure(user, ref, body.codes))

    # -- the release calendar ----------------------------------------------------
    @router.get("/calendar")
    def calendar(user: User = Depends(caller)):  # noqa: B008
        """As the public calendar shows it, without announcing anything new."""
        entries = ReleaseCalendar(authority.store.engine).entries(
            specs(), authority.clock(), announce=False)
        return {"entries": [_calendar_entry(e) for e in entries]}

    @router.post("/calendar/change")
    def calendar_change(body: CalendarChange, user: User = Depends(caller)):  # noqa: B008
        """Move a pre-announced date: a decision, recorded in the audit log with its reason."""
        spec = next((s for s in specs() if s.id == body.dataset_id), None)
        if spec is None:
            raise ReleaseNotFound(f"no dataset {body.dataset_id}")
        with authority.locks.hold(spec.id):
            try:
                entry = ReleaseCalendar(authority.store.engine).change(
                    authority.store, spec, body.slot, body.to, body.reason, user,
                    now=authority.clock())
            except CalendarError as exc:
                if any(p.code == "not-permitted" for p in exc.problems):
                    raise PermissionDenied(exc.problems) from None
                raise ApprovalError(exc.problems) from None
            shown, error = authority.show_next_release(spec)
        return {**_calendar_entry(entry),
                "catalogue_next_release": shown.isoformat() if shown else None,
                "catalogue_error": error}

    # -- users -----------------------------------------------------------------
    @router.get("/users")
    def users(user: User = Depends(admin)):  # noqa: B008
        directory = authority.users()
        return {"users": [{"username": u.username, "name": u.name,
                           "roles": sorted(r.value for r in u.roles),
                           "password": bool(directory.records[u.username].get("password_hash"))}
                          for u in directory.list()]}

    @router.post("/users")
    def add_user(body: UserRequest, user: User = Depends(admin)):  # noqa: B008
        added = authority.add_user(user, body.username, body.roles, body.password, body.name)
        return {"username": added.username, "roles": sorted(r.value for r in added.roles)}

    return router


def api_error(exc: Exception) -> JSONResponse:
    """The JSON error for one of the service's exceptions (status by class)."""
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return error_response(exc, status)
    return error_response(exc, 500)


__all__ = ["SERVICE_TOKEN_TTL", "api_error", "build_api", "entry_dict"]
