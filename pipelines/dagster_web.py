"""The Dagster UI, served so that nobody can drive it from another site.

Stock ``dagster-webserver`` executes GraphQL mutations sent as a GET
(``/graphql?query=mutation{…}``), so an image tag on any web page can
launch, terminate or reload runs in a browser that can reach it. Here the
same Dagster app is wrapped in ``CrossSiteGuard``:

* GraphQL over GET is refused (the UI itself only POSTs); websocket
  subscriptions must come from this origin;
* every POST must be ``application/json`` (a cross-site form cannot send that
  without a CORS preflight, which is never granted) and, when the browser
  says where it comes from (``Origin``, ``Sec-Fetch-Site``), from this origin.

Three modes, one per port:

* **viewer** (``FIVESTAR_DAGSTER_PORT``, what ``make demo`` opens): Dagster's
  own read-only mode: nobody can launch, terminate, reload or wipe anything;
* **operator** (``FIVESTAR_DAGSTER_OPERATOR_PORT``): full permissions, but
  every request needs HTTP Basic credentials of a review-service account
  with the ``operator`` role, checked by the service (cached 5 minutes);
* **queue** (the distributed profile's run queue, ``catalogue/bin/dagster-up``
  on loopback): full permissions for programs on the host (``fivestar stage``
  submits its runs here), still never cross-site. Launching a run gives no
  power over publication: the review service gates every step that records
  or publishes (pipelines/release/README.md).

Built on Dagster's ``WorkspaceProcessContext`` and app factory (the same
calls ``dagster-webserver`` makes), pinned by ``uv.lock``.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from starlette.types import ASGIApp, Receive, Scope, Send

VIEWER_PORT_ENV = "FIVESTAR_DAGSTER_PORT"
OPERATOR_PORT_ENV = "FIVESTAR_DAGSTER_OPERATOR_PORT"
CROSS_SITE = {"cross-site", "same-site"}


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _own_origins(scope: Scope, headers: dict[str, str]) -> set[str]:
    host = headers.get("host", "")
    scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
    return {f"{scheme}://{host}"}


async def _deny(send: Send, status: int, message: str, extra: list | None = None) -> None:
    body = message.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"cache-control", b"no-store"), *(extra or [])]})
    await send({"type": "http.response.body", "body": body})


class OperatorCheck:
    """Basic credentials → is this a review-service operator? (bounded positive cache)"""

    def __init__(self, verify: Callable[[str, str], bool], ttl: float = 300,
                 max_entries: int = 256):
        self.verify, self.ttl, self.max_entries = verify, ttl, max_entries
        self._ok: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, username: str, password: str) -> bool:
        key = hashlib.sha256(f"{username}\x00{password}".encode()).hexdigest()
        now = time.monotonic()
        with self._lock:
            seen = self._ok.get(key)
            if seen is not None and now - seen < self.ttl:
                return True
        if not self.verify(username, password):
            return False
        with self._lock:
            self._ok[key] = now
            while len(self._ok) > self.max_entries:
                self._ok.popitem(last=False)
        return True


def review_service_operator(username: str, password: str) -> bool:
    """Ask the review service: right password, and the operator role?"""
    from pipelines.release.client import ReviewServiceClient, ServiceError

    client = ReviewServiceClient()
    try:
        client.login(username, password, label="dagster operator UI")
        roles = client.me()["roles"]
        client.logout()
    except ServiceError:
        return False
    return "operator" in roles


class CrossSiteGuard:
    """ASGI middleware: see the module docstring."""

    def __init__(self, app: ASGIApp, *, operator: OperatorCheck | None = None):
        self.app = app
        self.operator = operator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        origin = headers.get("origin")
        foreign = (origin is not None and origin not in _own_origins(scope, headers)) or \
            headers.get("sec-fetch-site", "") in CROSS_SITE
        if scope["type"] == "websocket":
            if foreign or (self.operator and not await self._authorised(headers)):
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        path = scope["path"].rstrip("/")
        if self.operator is not None and not await self._authorised(headers):
            await _deny(send, 401, "operator sign-in required",
                        [(b"www-authenticate", b'Basic realm="fivestar dagster operator"')])
            return
        if method in ("GET", "HEAD"):
            if path.endswith("/graphql") and b"query=" in scope.get("query_string", b""):
                await _deny(send, 405, "GraphQL over GET is refused: use POST with JSON")
                return
        else:
            content_type = headers.get("content-type", "").split(";")[0].strip().lower()
            if foreign:
                await _deny(send, 403, "cross-site request refused")
                return
            if content_type != "application/json":
                await _deny(send, 415, "only application/json is accepted")
                return
        await self.app(scope, receive, send)

    async def _authorised(self, headers: dict[str, str]) -> bool:
        import anyio

        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic" or not value:
            return False
        try:
            username, _, password = base64.b64decode(value).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        assert self.operator is not None
        return await anyio.to_thread.run_sync(self.operator, username, password)


@contextmanager
def serving(*, read_only: bool, workspace: str = "workspace.yaml",
            operator: OperatorCheck | None = None,
            authenticate: bool = True) -> Iterator[ASGIApp]:
    """The guarded ASGI app for the fivestar code location (workspace open meanwhile).

    A writable app asks for an operator's credentials unless ``authenticate``
    is false (the loopback run queue).
    """
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import WorkspaceFileTarget
    from dagster_webserver.app import create_app_from_workspace_process_context
    from dagster_webserver.version import __version__

    from pipelines.instance import get_instance

    if not read_only and operator is None and authenticate:
        operator = OperatorCheck(review_service_operator)
    with get_instance() as instance, WorkspaceProcessContext(
            instance, WorkspaceFileTarget(paths=[workspace]), version=__version__,
            read_only=read_only) as context:
        app = create_app_from_workspace_process_context(context)
        yield CrossSiteGuard(app, operator=None if read_only or not authenticate else operator)


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - process entry point
    import argparse

    import uvicorn

    parser = argparse.ArgumentParser(prog="pipelines.dagster_web")
    parser.add_argument("--mode", choices=("viewer", "operator", "queue"), default="viewer")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int)
    parser.add_argument("--workspace", default="workspace.yaml")
    args = parser.parse_args(argv)
    from pipelines.ports import service_port

    port = args.port or service_port("DAGSTER_OPERATOR" if args.mode == "operator"
                                     else "DAGSTER")
    with serving(read_only=args.mode == "viewer", workspace=args.workspace,
                 authenticate=args.mode != "queue") as app:
        uvicorn.run(app, host=args.host, port=port, log_level="warning")


if __name__ == "__main__":  # pragma: no cover
    main()
