"""The Transparency Champion's review app (FastAPI, server-rendered Jinja2, no JavaScript).

Security, because this app is the door between staged data and the public:

* **Authentication**: local accounts (argon2id hashes, see
  ``pipelines.release.users``) via a login form, or a trusted SSO proxy header
  when ``FIVESTAR_TRUSTED_USER_HEADER`` is set (only behind a proxy that sets
  or strips it). Failed logins are rate-limited per user name.
* **Sessions**: a signed cookie (itsdangerous via Starlette), ``HttpOnly``,
  ``SameSite=Strict``, ``Secure`` when ``FIVESTAR_REVIEW_SECURE_COOKIES=1``
  (set it whenever the app is served over https), 8-hour lifetime; the
  session is cleared and the CSRF token rotated at login.
* **CSRF**: every form carries the session's token; every POST is refused
  (403) unless the token matches, and when a browser sends ``Origin`` it must
  be this app's origin.
* **Authorisation**: every decision goes through ``pipelines.release.approvals``
  (403 for a statistician approving, or a stager approving their own release).
* **Output**: Jinja2 autoescape on every template; a CSP that allows no
  scripts at all; no framing; no referrer outside the app.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import ckanapi
import requests
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.middleware.sessions import SessionMiddleware

from pipelines import paths
from pipelines.charts.release import chart_svg, release_pictures
from pipelines.errors import FivestarError
from pipelines.prerelease.access import AccessLog
from pipelines.prerelease.review import guard
from pipelines.release import approvals
from pipelines.release.approvals import (
    APPROVED,
    AWAITING,
    PUBLISHED,
    PermissionDenied,
    ReleaseInfo,
    ReleaseNotFound,
)
from pipelines.release.audit import AuditStore
from pipelines.release.embargo import Clock, announced_time, default_release_time, system_clock
from pipelines.release.manifest import ManifestError, data_file, is_release_id
from pipelines.release.users import Role, User, UserDirectory, trusted_header, user_from_headers
from pipelines.spec import load_all

UK = ZoneInfo("Europe/London")
TEMPLATES = Path(__file__).parent / "templates"
SESSION_COOKIE = "fivestar_review"
SESSION_MAX_AGE = 8 * 3600
PREVIEW_ROWS = 20
REPORT_CHARS = 20_000
MAX_FAILED_LOGINS = 5
LOCKOUT_SECONDS = 300

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


def _secret_key() -> str:
    """``FIVESTAR_REVIEW_SECRET``, or a random key kept (0600) under the state folder."""
    value = os.environ.get("FIVESTAR_REVIEW_SECRET")
    if value:
        return value
    path = paths.STATE_DIR / "review-secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def uk_time(value: datetime | None) -> str:
    """A time as people in the department read it: UK local time, named zone."""
    if value is None:
        return "-"
    return value.astimezone(UK).strftime("%A %-d %B %Y, %H:%M:%S %Z")


def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html",), default=True,
                                     default_for_string=True),
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["uk_time"] = uk_time
    return env


class _Users:
    """The users file, reloaded when it changes (so `users add` needs no restart)."""

    def __init__(self, source: UserDirectory | Path | None):
        self._fixed = source if isinstance(source, UserDirectory) else None
        self._path = None if self._fixed else (Path(source) if source else None)
        self._cache: tuple[float, UserDirectory] | None = None

    def get(self) -> UserDirectory:
        if self._fixed is not None:
            return self._fixed
        directory = UserDirectory.load(self._path)
        try:
            mtime = directory.path.stat().st_mtime
        except OSError:
            return directory
        if self._cache and self._cache[0] == mtime:
            return self._cache[1]
        self._cache = (mtime, directory)
        return directory


class _Throttle:
    """Failed logins per user name: after 5, refuse for 5 minutes (slows guessing)."""

    def __init__(self) -> None:
        self.failures: dict[str, list[float]] = {}

    def locked(self, username: str) -> bool:
        recent = [t for t in self.failures.get(username, []) if time.monotonic() - t
                  < LOCKOUT_SECONDS]
        self.failures[username] = recent
        return len(recent) >= MAX_FAILED_LOGINS

    def fail(self, username: str) -> None:
        self.failures.setdefault(username, []).append(time.monotonic())

    def clear(self, username: str) -> None:
        self.failures.pop(username, None)


def create_app(
    *,
    store: AuditStore | None = None,
    users: UserDirectory | Path | None = None,
    releases_root: Path | None = None,
    clock: Clock = system_clock,
    secret_key: str | None = None,
    secure_cookies: bool | None = None,
    ckan: Callable[[], Any] | None = None,
    specs: Callable[[], list[Any]] | None = None,
) -> FastAPI:
    """Build the review app. Every dependency is injectable for tests.

    ``ckan`` makes the catalogue client used by withdrawals (default: the
    configured CKAN, :func:`pipelines.ckan_resource.connect`), called only
    when a withdrawal needs it.
    """
    app = FastAPI(title="fivestar review", docs_url=None, redoc_url=None, openapi_url=None)
    store = store or AuditStore()
    load_specs = specs or (lambda: load_all(paths.DATASETS_DIR)[0])
    _mount_public_pages(app, store, load_specs, clock)
    access_log = AccessLog(store.engine)
    user_source = _Users(users)
    env = _templates()
    throttle = _Throttle()
    #: Pictures of immutable releases, keyed by (release, baseline, spec hash).
    picture_cache: dict[tuple, Any] = {}
    #: Behind a TLS-terminating proxy the browser's Origin is the proxy's
    #: (https://…), not what uvicorn sees: declare it.
    public_origin = (os.environ.get("FIVESTAR_REVIEW_PUBLIC_ORIGIN") or "").rstrip("/") or None
    secure = _env_flag("FIVESTAR_REVIEW_SECURE_COOKIES") if secure_cookies is None \
        else secure_cookies
    app.add_middleware(SessionMiddleware, secret_key=secret_key or _secret_key(),
                       session_cookie=SESSION_COOKIE, max_age=SESSION_MAX_AGE,
                       same_site="strict", https_only=secure)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        # same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null`
        # on our own form posts, which the Origin check (rightly) refuses.
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cache-Control"] = "no-store"
        return response

    # -- helpers -------------------------------------------------------------
    def csrf_token(request: Request) -> str:
        token = request.session.get("csrf")
        if not token:
            token = secrets.token_urlsafe(32)
            request.session["csrf"] = token
        return token

    def current_user(request: Request) -> User | None:
        directory = user_source.get()
        if trusted_header():
            return user_from_headers(request.headers, directory)
        username = request.session.get("user")
        if not username:
            return None
        user = directory.get(username)
        if user is None or not user.roles:  # removed or stripped of roles since login
            request.session.clear()
            return None
        return user

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(
            user=context.pop("user", None) or current_user(request),
            csrf_token=csrf_token(request), sso=bool(trusted_header()), **context)
        return HTMLResponse(html, status_code=status)

    def error(request: Request, status: int, title: str, message: str) -> HTMLResponse:
        return render(request, "error.html", status=status, title=title, message=message)

    async def checked_form(request: Request):
        """The POSTed form, or None when the CSRF token or the Origin is wrong."""
        origin = request.headers.get("origin")
        own = public_origin or f"{request.url.scheme}://{request.url.netloc}"
        if origin is not None and origin != own:
            return None
        form = await request.form()
        sent = form.get("csrf_token")
        expected = request.session.get("csrf")
        if not isinstance(sent, str) or not expected or not secrets.compare_digest(
                sent.encode(), expected.encode()):
            return None
        return form

    def forbidden_csrf(request: Request) -> HTMLResponse:
        return error(request, 403, "Request refused",
                     "This form was not sent from this app (missing or wrong CSRF token). "
                     "Reload the page and try again.")

    def login_redirect() -> RedirectResponse:
        return RedirectResponse("/login", status_code=303)

    def load(rid: str) -> ReleaseInfo:
        if not is_release_id(rid):
            raise ReleaseNotFound("not a release id")
        return approvals.load_release(approvals.find_release(rid, releases_root), store)

    def spec_for(dataset_id: str) -> Any:
        return next((s for s in load_specs() if s.id == dataset_id), None)

    def pre_release(request: Request, user: User, info: ReleaseInfo,
                    what: str) -> HTMLResponse | None:
        """Record this access; a refusal page when the pre-release rule says no."""
        decision = guard(access_log, user, info, spec_for, what, clock())
        if decision.allowed:
            return None
        return error(request, 403, "Not on the pre-release access list",
                     f"Access refused and recorded: {decision.basis}.")

    # -- routes --------------------------------------------------------------
    @app.get("/static/style.css", include_in_schema=False)
    def style() -> Response:
        return Response((TEMPLATES / "style.css").read_text(encoding="utf-8"),
                        media_type="text/css")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request):
        if trusted_header() or current_user(request):
            return RedirectResponse("/", status_code=303)
        return render(request, "login.html")

    @app.post("/login")
    async def login(request: Request):
        form = await checked_form(request)
        if form is None:
            return forbidden_csrf(request)
        username = str(form.get("username") or "").strip()
        password = str(form.get("password") or "")
        if throttle.locked(username):
            return render(request, "login.html", status=429,
                          error="Too many failed attempts. Wait five minutes and try again.")
        user = user_source.get().authenticate(username, password) if username else None
        if user is None or not user.roles:
            throttle.fail(username)
            return render(request, "login.html", status=401,
                          error="Wrong user name or password.")
        throttle.clear(username)
        request.session.clear()  # no session fixation: fresh session, fresh CSRF token
        request.session["user"] = user.username
        request.session["csrf"] = secrets.token_urlsafe(32)
        return RedirectResponse("/", status_code=303)

    @app.post("/logout")
    async def logout(request: Request):
        form = await checked_form(request)
        if form is None:
            return forbidden_csrf(request)
        request.session.clear()
        return login_redirect()

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request):
        user = current_user(request)
        if user is None:
            return login_redirect()
        releases = approvals.list_releases(store, releases_root)
        awaiting = [r for r in releases if r.status.state == AWAITING]
        scheduled = [r for r in releases if r.status.state == APPROVED]
        others = [r for r in releases if r.status.state not in (AWAITING, APPROVED)][:50]
        return render(request, "index.html", user=user, awaiting=awaiting,
                      scheduled=scheduled, others=others)

    @app.get("/releases/{rid}", response_class=HTMLResponse)
    def release_page(request: Request, rid: str):
        user = current_user(request)
        if user is None:
            return login_redirect()
        try:
            info = load(rid)
        except (ReleaseNotFound, ManifestError):
            return error(request, 404, "Not found", "No staged release has this id.")
        refused = pre_release(request, user, info, "page")
        if refused is not None:
            return refused
        return render(request, "release.html", user=user, r=info,
                      pictures=pictures_of(info, spec_for(info.dataset_id)),
                      accesses=access_log.entries(info.id, limit=100),
                      **_release_view(info, user, clock()))

    @app.get("/releases/{rid}/charts/{index}.svg")
    def release_chart(request: Request, rid: str, index: int):
        user = current_user(request)
        if user is None:
            return login_redirect()
        try:
            info = load(rid)
        except (ReleaseNotFound, ManifestError):
            return error(request, 404, "Not found", "No staged release has this id.")
        refused = pre_release(request, user, info, "chart")
        if refused is not None:
            return refused
        pictures = pictures_of(info, spec_for(info.dataset_id))
        svg = chart_svg(pictures, index) if pictures else None
        if svg is None:
            return error(request, 404, "Not found", "This release has no such chart.")
        return Response(svg, media_type="image/svg+xml")

    def pictures_of(info: ReleaseInfo, spec: Any):
        """Charts against the last published release and the suppression grid (cached)."""
        if spec is None:
            return None
        diff = _read_json(info.path / str((info.manifest.get("reports") or {}).get(
            "diff", "reports/diff.json"))) or {}
        baseline = (diff.get("baseline") or {}).get("release_id")
        base_dir = approvals.releases_root(releases_root) / info.dataset_id / baseline \
            if baseline and is_release_id(baseline) else None
        key = (info.id, baseline, spec.spec_sha256)
        if key not in picture_cache:
            if len(picture_cache) > 32:
                picture_cache.clear()
            picture_cache[key] = release_pictures(spec, info.path, info.manifest, base_dir)
        return picture_cache[key]

    async def decide(request: Request, rid: str, verb: str):
        """Approve, reject or withdraw: CSRF and sign-in checked, the rules in ``approvals``."""
        form = await checked_form(request)
        if form is None:
            return forbidden_csrf(request)
        user = current_user(request)
        if user is None:
            return error(request, 401, "Not signed in", "Sign in first.")
        try:
            info = load(rid)
            if verb == "approve":
                # a correction (no pre-announced date) may go out at once
                now_ = clock()
                at_once = bool(form.get("immediately")) and bool(info.manifest.get("revision"))
                approvals.approve(store, info.path, user, str(form.get("comment") or ""),
                                  now=now_, release_at=now_ if at_once else None)
            elif verb == "reject":
                approvals.reject(store, info.path, user, str(form.get("comment") or ""),
                                 now=clock())
            else:
                withdrawal = approvals.withdraw(store, info.dataset_id, user,
                                                str(form.get("reason") or ""), now=clock())
        except PermissionDenied as exc:
            return error(request, 403, "Not allowed", str(exc.problems[0].message))
        except (ReleaseNotFound, ManifestError):
            return error(request, 404, "Not found", "No staged release has this id.")
        except FivestarError as exc:
            return error(request, 409, "Not possible", str(exc))
        if verb == "withdraw" and withdrawal.was_published:
            # recorded first; now take it out of public view
            try:
                approvals.withdraw_from_catalogue(
                    (ckan or _default_ckan)(), info.dataset_id,
                    withdrawal.entries[-1].comment or "",
                    os.environ.get("FIVESTAR_WITHDRAW_MODE", "notice"))
            except ckanapi.NotFound:
                pass  # not in the catalogue: nothing to withdraw there
            except (ckanapi.CKANAPIError, requests.RequestException) as exc:
                return error(request, 502, "Catalogue not updated",
                             "The withdrawal is recorded in the audit log, but the "
                             f"catalogue could not be updated ({type(exc).__name__}). "
                             "Withdraw again to retry, or use `fivestar withdraw`.")
        return RedirectResponse(f"/releases/{rid}", status_code=303)

    @app.post("/releases/{rid}/approve")
    async def approve(request: Request, rid: str):
        return await decide(request, rid, "approve")

    @app.post("/releases/{rid}/reject")
    async def reject(request: Request, rid: str):
        return await decide(request, rid, "reject")

    @app.post("/releases/{rid}/withdraw")
    async def withdraw(request: Request, rid: str):
        """Withdraw the release's dataset: recorded first, then hidden in CKAN."""
        return await decide(request, rid, "withdraw")

    @app.get("/audit", response_class=HTMLResponse)
    def audit(request: Request):
        user = current_user(request)
        if user is None:
            return login_redirect()
        entries = store.entries(newest_first=True, limit=500)
        return render(request, "audit.html", user=user, entries=entries,
                      broken=store.verify_chain())

    @app.exception_handler(FivestarError)
    async def fivestar_error(request: Request, exc: FivestarError):
        return error(request, 500, "Something went wrong", str(exc))

    return app


def _mount_public_pages(app: FastAPI, store: AuditStore, specs: Callable[[], list[Any]],
                        clock: Clock) -> None:
    """The public release calendar (no sign-in), served by this app's server."""
    from pipelines.release_calendar.routes import calendar_router
    from pipelines.release_calendar.store import ReleaseCalendar

    app.include_router(calendar_router(lambda: ReleaseCalendar(store.engine), specs, clock))


# -- the release page's content ------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _pretty(data: Any) -> str:
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    if len(text) > REPORT_CHARS:
        text = text[:REPORT_CHARS] + "\n… (truncated; the full report is in the release folder)"
    return text


def _problems(value: Any) -> list[dict[str, Any]] | None:
    if isinstance(value, list):
        return [v if isinstance(v, dict) else {"message": str(v)} for v in value]
    return None


def _validation_summary(report: Any) -> dict[str, Any] | None:
    if not isinstance(report, dict):
        return None
    errors, warnings = _problems(report.get("errors")), _problems(report.get("warnings"))
    return {
        "passed": report.get("passed"),
        "errors": errors, "warnings": warnings,
        "n_errors": len(errors) if errors is not None else report.get("errors"),
        "n_warnings": len(warnings) if warnings is not None else report.get("warnings"),
    }


def _preview(info: ReleaseInfo) -> dict[str, Any] | None:
    entry = data_file(info.manifest)
    if entry is None:
        return None
    path = info.path / entry["path"]
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            rows = [row for _, row in zip(range(PREVIEW_ROWS), reader, strict=False)]
    except (OSError, UnicodeDecodeError, csv.Error):
        return {"path": entry["path"], "header": [], "rows": [], "error": True}
    return {"path": entry["path"], "header": header, "rows": rows, "error": False,
            "total": entry.get("rows")}


def _default_ckan() -> Any:
    from pipelines.ckan_resource import connect

    return connect()


def _release_view(info: ReleaseInfo, user: User, now: datetime) -> dict[str, Any]:
    reports = info.manifest.get("reports") or {}

    def report(name: str) -> Any:
        rel = reports.get(name)
        return _read_json(info.path / rel) if rel else None

    validation = report("validation")
    redaction = report("redaction")
    diff = report("diff")
    status = info.status
    is_champion = user.has(Role.transparency_champion)
    is_stager = user.username in status.stagers
    can_approve = is_champion and not is_stager and status.state == AWAITING
    can_reject = is_champion and not is_stager and status.state in (AWAITING, APPROVED)
    can_withdraw = any(user.has(r) for r in approvals.WITHDRAW_ROLES) and \
        status.state in (AWAITING, APPROVED, PUBLISHED)
    why_not = None
    if not is_champion:
        why_not = "Only a Transparency Champion can approve or reject releases."
    elif is_stager:
        why_not = "You staged this release, so you cannot approve or reject it " \
                  "(separation of duties)."
    announced = announced_time(info.manifest)
    return {
        "catalogue": info.manifest.get("catalogue") or {},
        "stars": info.manifest.get("stars") or {},
        "validation": _validation_summary(validation),
        "validation_json": _pretty(validation) if validation is not None else None,
        "redaction": redaction if isinstance(redaction, dict) else None,
        "redaction_json": _pretty(redaction) if redaction is not None else None,
        "diff": diff if isinstance(diff, dict) else None,
        "preview": _preview(info),
        "announced": announced,
        "scheduled": info.scheduled,
        "if_approved_now": announced or default_release_time(now),
        "due_now": info.scheduled is not None and now >= info.scheduled,
        "can_approve": can_approve,
        "can_reject": can_reject,
        "can_withdraw": can_withdraw,
        "why_not": why_not,
        "history": status.entries,
    }
