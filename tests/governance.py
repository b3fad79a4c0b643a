"""Test helpers for the review service: serve it on loopback, run the real service."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(app) -> Iterator[str]:
    """Run an ASGI app under uvicorn in a thread; yield its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class ReviewServiceHandle:
    """The real review service, running as its own OS user, and ways to talk to it."""

    def __init__(self, url, home, base, proc):
        self.url, self.home, self.base, self.proc = url, home, base, proc

    def client(self, username=None):
        from fivestar_dev.demo_accounts import DEMO_USERS
        from pipelines.release.client import ReviewServiceClient

        client = ReviewServiceClient(self.url)
        if username:
            client.login(username, DEMO_USERS[username][2], label="test")
        return client

    def publisher_token(self) -> str:
        return (self.base / "publisher.token").read_text().strip()


@contextmanager
def running_review_service(base: Path, state: Path) -> Iterator[ReviewServiceHandle]:
    """The review service as `make demo` runs it (as `fivestar-review`, its home
    ``base/review`` 0700), checking the releases under ``state``; the publication
    sensor's token is written to ``base/publisher.token`` and ``state/publisher.token``.

    ``base`` must be traversable by the service's OS user (0755).
    """
    from fivestar_dev.demo_accounts import demo_setup
    from pipelines.ckan_resource import catalogue_publisher_token, ckan_url
    from pipelines.release.home import ServiceHome
    from pipelines.review.service import separated, start, wait_ready

    assert separated(), ("the review service must run as its own OS user: run the tests "
                         "as root after scripts/setup.sh created fivestar-review")
    (state / "releases").mkdir(parents=True, exist_ok=True)
    home = ServiceHome(base / "review")
    demo_setup(home, ckan_url=ckan_url(), ckan_token=catalogue_publisher_token(),
               publisher_token_file=base / "publisher.token",
               releases_root=state / "releases")
    (state / "publisher.token").write_text((base / "publisher.token").read_text())
    (state / "publisher.token").chmod(0o600)
    port = free_port()
    proc = start(home.path, port, base / "review.log")
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_ready(url, proc), (base / "review.log").read_text()[-3000:]
        yield ReviewServiceHandle(url, home, base, proc)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
