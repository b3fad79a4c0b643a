"""A small client for the review service's JSON API (what the CLI and Dagster call).

Everything that reads or records a decision goes through the service: the
caller never opens the users file or the audit database, so no environment
variable of a caller can swap them. The caller proves who it is with a
bearer token: ``fivestar login`` stores one per OS user, a service account's
token sits in a file the service's admin issued, or the password flow
(``FIVESTAR_USER`` + ``FIVESTAR_PASSWORD`` or a prompt) fetches a short one.

Errors mirror the server's (ckanapi style): the service names the exception
class in the JSON error body and the client raises the class of that name
here, with the same located problems. ``session=`` takes any
``requests.Session`` (tests, proxies, retries).
"""

from __future__ import annotations

import base64
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from pipelines.errors import FivestarError, Location, Problem

URL_ENV = "FIVESTAR_REVIEW_URL"
PORT_ENV = "FIVESTAR_REVIEW_PORT"
TOKEN_ENV = "FIVESTAR_REVIEW_TOKEN"  # noqa: S105 - a variable name
TOKEN_FILE_ENV = "FIVESTAR_REVIEW_TOKEN_FILE"  # noqa: S105
DEFAULT_PORT = 8765
TIMEOUT = 120
#: The switch hashes every file that moves in: minutes for a large release.
SWITCH_TIMEOUT = 1800


class ServiceError(FivestarError):
    """The review service refused or failed a request."""

    status = 500


class NotAuthenticated(ServiceError):
    status = 401


class PermissionDenied(ServiceError):
    status = 403


class ReleaseNotFound(ServiceError):
    status = 404


class ApprovalError(ServiceError):
    status = 409


class StagingRefused(ServiceError):
    status = 409


class PublicationRefused(ServiceError):
    status = 422


class TooManyRequests(ServiceError):
    status = 429


class ServiceUnavailable(ServiceError):
    """The service could not be reached."""

    status = 503


_BY_NAME = {c.__name__: c for c in (NotAuthenticated, PermissionDenied, ReleaseNotFound,
                                    ApprovalError, StagingRefused, PublicationRefused,
                                    TooManyRequests, ServiceUnavailable, ServiceError)}
_BY_STATUS = {401: NotAuthenticated, 403: PermissionDenied, 404: ReleaseNotFound,
              409: ApprovalError, 422: PublicationRefused, 429: TooManyRequests}


def service_url() -> str:
    url = os.environ.get(URL_ENV)
    if url:
        return url.rstrip("/")
    from pipelines.ports import service_port

    return f"http://127.0.0.1:{service_port('REVIEW', DEFAULT_PORT)}"


def token_file() -> Path:
    """Where ``fivestar login`` keeps this OS user's token."""
    explicit = os.environ.get(TOKEN_FILE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "fivestar" / "review-token"


def stored_token() -> str | None:
    """``FIVESTAR_REVIEW_TOKEN``, or the token file's content."""
    token = os.environ.get(TOKEN_ENV)
    if token:
        return token.strip()
    try:
        return token_file().read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def save_token(token: str) -> Path:
    path = token_file()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(token + "\n")
    os.replace(tmp, path)
    return path


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class ReviewServiceClient:
    """The review service's API. ``token`` is the caller's bearer token."""

    def __init__(self, url: str | None = None, token: str | None = None, *,
                 session: requests.Session | None = None):
        self.url = (url or service_url()).rstrip("/")
        self.token = token
        self.session = session or requests.Session()

    # -- plumbing --------------------------------------------------------------
    def _call(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> Any:
        headers = {"Accept": "application/json"}
        if auth:
            if not self.token:
                raise NotAuthenticated("not signed in to the review service: run "
                                       "`fivestar login`, or set FIVESTAR_USER (and "
                                       "FIVESTAR_PASSWORD)")
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            kwargs.setdefault("timeout", TIMEOUT)
            resp = self.session.request(method, f"{self.url}/api/v1{path}", headers=headers,
                                        **kwargs)
        except requests.RequestException as exc:
            raise ServiceUnavailable(f"the review service at {self.url} cannot be reached "
                                     f"({type(exc).__name__})") from None
        try:
            body = resp.json()
        except ValueError:
            body = None
        if resp.status_code >= 400:
            err = (body or {}).get("error") if isinstance(body, dict) else None
            cls = _BY_NAME.get((err or {}).get("type", "")) or \
                _BY_STATUS.get(resp.status_code, ServiceError)
            problems = [Problem(str(p.get("code") or "error"), str(p.get("message") or ""),
                                Location(file=p.get("file"), row=p.get("row"),
                                         field=p.get("field")))
                        for p in (err or {}).get("problems") or [] if isinstance(p, dict)]
            raise cls(problems or f"review service: HTTP {resp.status_code}")
        return body

    # -- identity --------------------------------------------------------------
    def login(self, username: str, password: str, label: str = "cli") -> dict[str, Any]:
        """Exchange a password for a token (kept on this client)."""
        out = self._call("POST", "/tokens", auth=False,
                         json={"username": username, "password": password, "label": label})
        self.token = out["token"]
        return out

    def logout(self) -> None:
        self._call("DELETE", "/tokens/current")
        self.token = None

    def me(self) -> dict[str, Any]:
        return self._call("GET", "/me")

    def public_key(self) -> str:
        return self._call("GET", "/public-key", auth=False)["pem"]

    # -- staging -----------------------------------------------------------------
    def ticket(self, dataset_id: str, period: str | None = None) -> dict[str, Any]:
        return self._call("POST", "/tickets", json={"dataset_id": dataset_id, "period": period})

    def claim_ticket(self, ticket: str, run_id: str, dataset_id: str) -> dict[str, Any]:
        """At a staging run's start: the service checks the ticket and binds it to the run."""
        return self._call("POST", "/tickets/claim", auth=False, json={
            "ticket": ticket, "run_id": run_id, "dataset_id": dataset_id})

    def register_staging(self, ticket: str, manifest_bytes: bytes,
                         reports: dict[str, bytes], run_id: str | None = None
                         ) -> dict[str, Any]:
        """Hand a staged release to the service; the ticket is the credential."""
        return self._call("POST", "/releases", auth=False, json={
            "ticket": ticket, "manifest": _b64(manifest_bytes), "run_id": run_id,
            "reports": {n: _b64(c) for n, c in reports.items()}})

    # -- reading -----------------------------------------------------------------
    def releases(self, *, all_states: bool = False,
                 dataset_id: str | None = None) -> list[dict[str, Any]]:
        params = {"all": "1" if all_states else "0"}
        if dataset_id:
            params["dataset_id"] = dataset_id
        return self._call("GET", "/releases", params=params)["releases"]

    def release(self, ref: str) -> dict[str, Any]:
        return self._call("GET", f"/releases/{ref}")

    def last_published(self, dataset_id: str) -> str | None:
        return self._call("GET", f"/datasets/{dataset_id}/published",
                          auth=False)["release_id"]

    def audit(self, dataset_id: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"limit": limit}
        if dataset_id:
            params["dataset_id"] = dataset_id
        return self._call("GET", "/audit", params=params)["entries"]

    def verify(self) -> dict[str, Any]:
        return self._call("GET", "/audit/verify")

    # -- decisions -----------------------------------------------------------------
    def approve(self, ref: str, comment: str = "",
                release_at: datetime | None = None) -> dict[str, Any]:
        return self._call("POST", f"/releases/{ref}/approve", json={
            "comment": comment, "release_at": release_at.isoformat() if release_at else None})

    def reject(self, ref: str, comment: str) -> dict[str, Any]:
        return self._call("POST", f"/releases/{ref}/reject", json={"comment": comment})

    def withdraw(self, dataset_id: str, reason: str, *, mode: str = "notice",
                 catalogue: bool = True) -> dict[str, Any]:
        return self._call("POST", f"/datasets/{dataset_id}/withdraw", json={
            "reason": reason, "mode": mode, "catalogue": catalogue})

    # -- publication ---------------------------------------------------------------
    def due(self) -> list[dict[str, Any]]:
        return self._call("GET", "/publications/due")["due"]

    def begin_publication(self, ref: str) -> dict[str, Any]:
        out = self._call("POST", f"/releases/{ref}/publication")
        out["manifest_bytes"] = base64.b64decode(out.pop("manifest"))
        return out

    def switch(self, ref: str, request: dict[str, Any]) -> dict[str, Any]:
        """The service's last check, then its switch to public (raises if refused)."""
        return self._call("POST", f"/releases/{ref}/switch", json=request,
                          timeout=SWITCH_TIMEOUT)

    def record_published(self, ref: str, dataset_url: str) -> dict[str, Any]:
        return self._call("POST", f"/releases/{ref}/published", json={"dataset_url": dataset_url})

    def record_failure(self, ref: str, codes: list[str]) -> dict[str, Any]:
        return self._call("POST", f"/releases/{ref}/failures", json={"codes": codes})

    # -- the release calendar --------------------------------------------------------
    def calendar(self) -> list[dict[str, Any]]:
        return self._call("GET", "/calendar")["entries"]

    def calendar_change(self, dataset_id: str, slot: str, to: datetime,
                        reason: str) -> dict[str, Any]:
        return self._call("POST", "/calendar/change", json={
            "dataset_id": dataset_id, "slot": slot, "to": to.isoformat(), "reason": reason})

    # -- users ---------------------------------------------------------------------
    def users(self) -> list[dict[str, Any]]:
        return self._call("GET", "/users")["users"]

    def add_user(self, username: str, roles: list[str], password: str | None,
                 name: str = "") -> dict[str, Any]:
        return self._call("POST", "/users", json={"username": username, "roles": roles,
                                                  "password": password, "name": name})
