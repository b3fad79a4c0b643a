"""The review service: the Transparency Champion's pages and the decisions' JSON API.

It runs as its own OS user (``fivestar-review``) with its home folder to
itself; see ``pipelines.release.home`` and ``pipelines.review.service``.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_PORT = 8765


def review_port() -> int:
    """``FIVESTAR_REVIEW_PORT``, else 8765 plus ``FIVESTAR_PORT_OFFSET``."""
    from pipelines.ports import service_port

    return service_port("REVIEW", DEFAULT_PORT)


def serve(home: Path, host: str = "127.0.0.1", port: int | None = None) -> None:
    """Run the service with uvicorn (loopback by default: put a TLS proxy in front to share it).

    Files the service creates (database, anchor log, locks) are private to its
    OS user: the umask is 077 before anything is opened.
    """
    import uvicorn

    from pipelines.release.authority import Authority
    from pipelines.review.app import create_app

    os.umask(0o077)
    app = create_app(Authority(Path(home)))
    uvicorn.run(app, host=host, port=port or review_port(), log_level="info",
                proxy_headers=False, server_header=False)
