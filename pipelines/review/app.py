"""The review service over HTTP: the champion's pages and the JSON API (``api.py``).

Server-rendered Jinja2, no JavaScript. This app is the door between staged
data and the public, so:

* **Authentication**: local accounts (argon2id, verified in a worker thread
  so a burst of failed logins never stalls other pages) or a trusted SSO
  proxy header when ``FIVESTAR_TRUSTED_USER_HEADER`` is set (only behind a
  proxy that sets or strips it). Throttled per user and client address with
  bounded memory and device cookies (``throttle.py``); every failure takes
  the same time, whatever the reason.
* **Sessions**: server-side. The cookie holds only a random id (``HttpOnly``,
  ``SameSite=Strict``, ``Secure`` with ``FIVESTAR_REVIEW_SECURE_COOKIES=1``);
  the row holds the user and the CSRF token. Logout deletes the row, so a
  replayed cookie is signed out; 8 h at most, 1 h idle.
* **CSRF**: every form carries the session's token; every POST is refused
  (403) unless it matches, and when a browser sends ``Origin`` it must be
  this app's origin. The JSON API takes bearer tokens only, never cookies,
  so it cannot be driven cross-site.
* **Authorisation**: every decision is taken by ``Authority`` (403 for a
  statistician approving, or a stager approving their own release).
* **Output**: Jinja2 autoescape on every template; a CSP that allows no
  scripts at all; no framing; no referrer outside the app.
"""

from __future__ import annotations

import asyncio
import csv
import json
import os
import secrets
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from pipelines import paths
from pipelines.charts.release import chart_svg, release_pictures
from pipelines.contracts import Contract
from pipelines.contracts.diff import ReleaseDiff
from pipelines.errors import FivestarError
from pipelines.release import approvals
from pipelines.release.approvals import (
    APPROVED,
    AWAITING,
    PUBLISHED,
    PermissionDenied,
    ReleaseInfo,
    ReleaseNotFound,
)
from pipelines.release.authority import Authority
from pipelines.release.embargo import Clock, announced_time, default_release_time
from pipelines.release.manifest import ManifestError, data_file, is_release_id
from pipelines.release.signed import DEVICE, DEVICE_TTL, SignatureRefused, sign, verify
from pipelines.release.users import Role, User, trusted_header, user_from_headers
from pipelines.review.access_log import AccessLog, guard
from pipelines.review.throttle import LoginThrottle

UK = ZoneInfo("Europe/London")
TEMPLATES = Path(__file__).parent / "templates"
SESSION_COOKIE = "fivestar_review"
LOGIN_CSRF_COOKIE = "fivestar_login_csrf"
DEVICE_COOKIE = "fivestar_device"
SESSION_MAX_AGE = timedelta(hours=8)
SESSION_IDLE = timedelta(hours=1)
PREVIEW_ROWS = 20
REPORT_CHARS = 20_000
#: Every failed sign-in takes at least this long (wrong password, unknown user,
#: throttled alike), so timing tells an attacker nothing.
FAILURE_SECONDS = 0.4
#: At most this many argon2 verifications at once (each uses 64 MiB).
HASHING_THREADS = 2
MAX_BODY = 64 * 1024 * 1024

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def uk_time(value: datetime | None) -> str:
    """A time as people in the department read it: UK local time, named zone."""
    if value is None:
        return "-"
    return value.astimezone(UK).strftime("%A %-d %B %Y, %H:%M:%S %Z")


#: How a state or a decision reads in the app (the audit's own words stay in the log).
LABELS = {
    "publishing": "switching to public",
    "publication_refused": "publication refused",
    "publication_failed": "publication failed",
    "awaiting_approval": "awaiting approval",
    "not_staged": "not staged",
    "release_date_changed": "release date changed",
    "release_viewed": "viewed before release",
    "release_view_refused": "viewing refused",
}


def label(value: object) -> str:
    """A state or decision as people read it: ``publishing`` -> "switching to public"."""
    text = str(value)
    return LABELS.get(text, text.replace("_", " "))


def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html",), default=True,
                                     default_for_string=True),
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["uk_time"] = uk_time
    env.filters["label"] = label
    return env


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class SignIn:
    """Password checks off the event loop, throttled, failures padded to one duration."""

    def __init__(self, authority: Authority, throttle: LoginThrottle,
                 failure_seconds: float = FAILURE_SECONDS):
        self.authority = authority
        self.throttle = throttle
        self.failure_seconds = failure_seconds
        self.limiter = anyio.CapacityLimiter(HASHING_THREADS)

    def trusted_device(self, request: Request, username: str) -> bool:
        cookie = request.cookies.get(DEVICE_COOKIE)
        if not cookie:
            return False
        try:
            claims = verify(self.authority.keys.public_key, cookie, DEVICE)
        except SignatureRefused:
            return False
        return claims.get("sub") == username

    def device_cookie(self, username: str) -> str:
        return sign(self.authority.keys, DEVICE, {"sub": username}, DEVICE_TTL)

    async def check(self, request: Request, username: str,
                    password: str) -> tuple[User | None, bool]:
        """(user or None, throttled?). A failure returns no sooner than the floor."""
        started = time.monotonic()
        client = client_address(request)
        trusted = self.trusted_device(request, username)
        user, throttled = None, False
        if not self.throttle.allowed(username, client, trusted):
            throttled = True
        else:
            user = await anyio.to_thread.run_sync(self.authority.authenticate, username,
                                                  password, limiter=self.limiter)
            if user is None:
                self.throttle.failed(username, client, trusted)
            else:
                self.throttle.succeeded(username, client)
        if user is None:
            await asyncio.sleep(max(0.0, self.failure_seconds - (time.monotonic() - started)))
        return user, throttled


def create_app(authority: Authority, *, secure_cookies: bool | None = None,
               throttle: LoginThrottle | None = None,
               failure_seconds: float = FAILURE_SECONDS,
               specs: Callable[[], list[Any]] | None = None) -> FastAPI:
    """Build the service's web app around ``authority`` (its state and rules).

    ``specs`` gives the current dataset specs (the release calendar, the
    pre-release access lists, the charts); default: the datasets folder.
    """
    from pipelines.review.api import api_error, build_api, error_response
    from pipelines.spec import load_all

    app = FastAPI(title="fivestar review service", docs_url=None, redoc_url=None,
                  openapi_url=None)
    load_specs = specs or (lambda: load_all(paths.DATASETS_DIR)[0])
    _mount_public_pages(app, authority, load_specs, authority.clock)
    access_log = AccessLog(authority.store)
    #: Pictures of immutable releases, keyed by (release, baseline, spec hash).
    picture_cache: dict[tuple, Any] = {}
    env = _templates()
    signin = SignIn(authority, throttle or LoginThrottle(), failure_seconds)
    #: Behind a TLS-terminating proxy the browser's Origin is the proxy's
    #: (https://…), not what uvicorn sees: declare it.
    public_origin = (authority.public_origin or os.environ.get(
        "FIVESTAR_REVIEW_PUBLIC_ORIGIN") or "").rstrip("/") or None
    secure = _env_flag("FIVESTAR_REVIEW_SECURE_COOKIES") if secure_cookies is None \
        else secure_cookies
    app.state.authority = authority
    app.state.signin = signin
    app.include_router(build_api(authority, signin, load_specs))

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        length = request.headers.get("content-length")
        if length and (not length.isdigit() or int(length) > MAX_BODY):
            return PlainTextResponse("request too large", status_code=413)
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        # same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null`
        # on our own form posts, which the Origin check (rightly) refuses.
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cache-Control"] = "no-store"
        return response

    # -- sessions --------------------------------------------------------------
    def session_of(request: Request):
        """The request's live server-side session (looked up once per request)."""
        if "session" not in request.state._state:
            sid = request.cookies.get(SESSION_COOKIE)
            request.state.session = authority.records.session(
                sid, max_age=SESSION_MAX_AGE, idle=SESSION_IDLE) if sid else None
        return request.state.session

    def current_user(request: Request) -> User | None:
        if trusted_header():
            return user_from_headers(request.headers, authority.users())
        session = session_of(request)
        if session is None:
            return None
        return authority.user(session.username)  # None once removed or stripped of roles

    def csrf_token(request: Request) -> str:
        if not trusted_header():
            session = session_of(request)
            if session is not None:
                return session.csrf
        token = request.cookies.get(LOGIN_CSRF_COOKIE)
        if not token or len(token) > 100:
            token = secrets.token_urlsafe(32)
        request.state.login_csrf = token
        return token

    def set_cookie(response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                            secure=secure, path="/")

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        user = context.pop("user", None) or current_user(request)
        html = env.get_template(name).render(user=user, csrf_token=csrf_token(request),
                                             sso=bool(trusted_header()), **context)
        response = HTMLResponse(html, status_code=status)
        login_csrf = getattr(request.state, "login_csrf", None)
        if login_csrf:
            set_cookie(response, LOGIN_CSRF_COOKIE, login_csrf, 3600)
        return response

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
        session = None if trusted_header() else session_of(request)
        expected = session.csrf if session else request.cookies.get(LOGIN_CSRF_COOKIE)
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
        return authority.release(rid)

    def spec_for(dataset_id: str) -> Any:
        return next((s for s in load_specs() if s.id == dataset_id), None)

    def pre_release(request: Request, user: User, info: ReleaseInfo,
                    what: str) -> HTMLResponse | None:
        """Record this access; a refusal page when the pre-release rule says no."""
        decision = guard(access_log, user, info, spec_for, what, authority.clock())
        if decision.allowed:
            return None
        return error(request, 403, "Not on the pre-release access list",
                     f"Access refused and recorded: {decision.basis}.")

    def pictures_of(info: ReleaseInfo, spec: Any):
        """Charts against the last published release and the suppression grid (cached)."""
        if spec is None:
            return None
        diff = authority.report(info, "diff")
        baseline = diff.baseline.release_id \
            if isinstance(diff, ReleaseDiff) and diff.baseline else None
        base_dir = authority.releases_root / info.dataset_id / baseline \
            if baseline and is_release_id(baseline) else None
        key = (info.id, baseline, spec.spec_sha256)
        if key not in picture_cache:
            if len(picture_cache) > 32:
                picture_cache.clear()
            picture_cache[key] = release_pictures(spec, info.path, info.manifest, base_dir)
        return picture_cache[key]

    async def in_thread(fn, *args, **kwargs):
        """Decisions re-hash release files and wait for dataset locks: not on the loop."""
        return await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs))

    # -- routes ------------------------------------------------------------------
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
        username = str(form.get("username") or "").strip()[:200]
        password = str(form.get("password") or "")
        user, throttled = await signin.check(request, username, password)
        if user is None:
            if throttled:
                return render(request, "login.html", status=429,
                              error="Too many failed attempts from here. Wait a few minutes "
                                    "and try again.")
            return render(request, "login.html", status=401,
                          error="Wrong user name or password.")
        old = request.cookies.get(SESSION_COOKIE)
        if old:
            authority.records.end_session(old)  # no session fixation: always a fresh one
        sid, _ = authority.records.new_session(user.username)
        response = RedirectResponse("/", status_code=303)
        set_cookie(response, SESSION_COOKIE, sid, int(SESSION_MAX_AGE.total_seconds()))
        set_cookie(response, DEVICE_COOKIE, signin.device_cookie(user.username),
                   int(DEVICE_TTL.total_seconds()))
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
        return response

    @app.post("/logout")
    async def logout(request: Request):
        form = await checked_form(request)
        if form is None:
            return forbidden_csrf(request)
        sid = request.cookies.get(SESSION_COOKIE)
        if sid:
            authority.records.end_session(sid)
        response = login_redirect()
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request):
        user = current_user(request)
        if user is None:
            return login_redirect()
        releases = authority.releases()
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
                      **_release_view(authority, info, user, authority.clock()))

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

    async def decide(request: Request, rid: str, verb: str):
        """Approve, reject or withdraw: CSRF and sign-in checked, the rules in ``Authority``."""
        form = await checked_form(request)
        if form is None:
            return forbidden_csrf(request)
        user = current_user(request)
        if user is None:
            return error(request, 401, "Not signed in", "Sign in first.")
        text = str(form.get("reason" if verb == "withdraw" else "comment") or "")
        try:
            info = load(rid)
            if verb == "approve":
                # a correction (no pre-announced date) may go out at once
                at_once = bool(form.get("immediately")) and bool(info.manifest.get("revision"))
                await in_thread(authority.approve, user, info.id, text,
                                authority.clock() if at_once else None)
            elif verb == "reject":
                await in_thread(authority.reject, user, info.id, text)
            else:
                result = await in_thread(authority.withdraw, user, info.dataset_id, text,
                                         mode=os.environ.get("FIVESTAR_WITHDRAW_MODE",
                                                             "notice"))
                if result.catalogue_error:
                    return error(request, 502, "Catalogue not updated",
                                 "The withdrawal is recorded in the audit log, but the "
                                 f"catalogue could not be updated ({result.catalogue_error}). "
                                 "Withdraw again to retry, or use `fivestar withdraw`.")
        except PermissionDenied as exc:
            return error(request, 403, "Not allowed", str(exc.problems[0].message))
        except (ReleaseNotFound, ManifestError):
            return error(request, 404, "Not found", "No staged release has this id.")
        except FivestarError as exc:
            return error(request, 409, "Not possible", str(exc))
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
    async def audit(request: Request):
        user = current_user(request)
        if user is None:
            return login_redirect()
        entries = authority.audit(limit=500)
        report = await in_thread(authority.verify)
        return render(request, "audit.html", user=user, entries=entries, report=report)

    @app.get("/tokens", response_class=HTMLResponse)
    def tokens_page(request: Request):
        user = current_user(request)
        if user is None:
            return login_redirect()
        return render(request, "tokens.html", user=user)

    @app.post("/tokens")
    async def tokens_create(request: Request):
        """A CLI token or a staging ticket, shown once (for SSO users and Dagster launches)."""
        form = await checked_form(request)
        if form is None:
            return forbidden_csrf(request)
        user = current_user(request)
        if user is None:
            return error(request, 401, "Not signed in", "Sign in first.")
        kind = str(form.get("kind") or "token")
        try:
            if kind == "ticket":
                secret, expires = authority.issue_ticket(
                    user, str(form.get("dataset_id") or "").strip(),
                    str(form.get("period") or "").strip() or None)
            else:
                secret, expires = authority.issue_token(user, "review app")
        except PermissionDenied as exc:
            return error(request, 403, "Not allowed", str(exc.problems[0].message))
        except FivestarError as exc:
            return error(request, 409, "Not possible", str(exc))
        return render(request, "tokens.html", user=user, kind=kind, secret=secret,
                      expires=expires)

    @app.exception_handler(FivestarError)
    async def fivestar_error(request: Request, exc: FivestarError):
        if request.url.path.startswith("/api/"):
            return api_error(exc)
        return error(request, 500, "Something went wrong", str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        where = "; ".join(".".join(str(p) for p in e.get("loc", ())) for e in exc.errors()[:10])
        return error_response(FivestarError(f"malformed request ({where})"), 400)

    return app


def _mount_public_pages(app: FastAPI, authority: Authority, specs: Callable[[], list[Any]],
                        clock: Clock) -> None:
    """The public release calendar (no sign-in), served by this app's server."""
    from pipelines.release_calendar.routes import calendar_router
    from pipelines.release_calendar.store import ReleaseCalendar

    app.include_router(calendar_router(lambda: ReleaseCalendar(authority.store.engine), specs,
                                       lambda: authority.clock()))


# -- the release page's content ------------------------------------------------


def _pretty(data: Any) -> str:
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    if len(text) > REPORT_CHARS:
        text = text[:REPORT_CHARS] + "\n… (truncated; the full report is in the release folder)"
    return text


def _as_json(report: Contract | None) -> dict[str, Any] | None:
    """A report as the page shows it: its stored JSON form (the templates read keys)."""
    return report.model_dump(mode="json", by_alias=True) if report is not None else None


def _validation_summary(report: dict[str, Any] | None) -> dict[str, Any] | None:
    """The validation verdict and its located problems (a ``ValidationReport``'s JSON)."""
    if report is None:
        return None
    return {"passed": report["passed"], "errors": report["errors"],
            "warnings": report["warnings"], "n_errors": len(report["errors"]),
            "n_warnings": len(report["warnings"])}


def _preview(info: ReleaseInfo) -> dict[str, Any] | None:
    entry = data_file(info.manifest)
    if entry is None:
        return None
    path = info.path / entry["path"]
    try:
        if path.is_symlink():
            raise OSError("symlink")
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            rows = [row for _, row in zip(range(PREVIEW_ROWS), reader, strict=False)]
    except (OSError, UnicodeDecodeError, csv.Error):
        return {"path": entry["path"], "header": [], "rows": [], "error": True}
    return {"path": entry["path"], "header": header, "rows": rows, "error": False,
            "total": entry.get("rows")}


def _release_view(authority: Authority, info: ReleaseInfo, user: User,
                  now: datetime) -> dict[str, Any]:
    listed = info.manifest["reports"]
    reports = {name: _as_json(authority.report(info, name)) for name in listed}
    validation, redaction, diff = (reports.get("validation"), reports.get("redaction"),
                                   reports.get("diff"))
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
        "redaction": redaction,
        "redaction_json": _pretty(redaction) if redaction is not None else None,
        "diff": diff,
        "reports_missing": sorted(n for n in listed if reports.get(n) is None
                                  and not listed[n]["path"].endswith(".html")),
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
