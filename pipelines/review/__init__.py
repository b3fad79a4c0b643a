"""The Transparency Champion's review app: see ``pipelines.review.app``."""

from __future__ import annotations

import os

DEFAULT_PORT = 8765


def review_port() -> int:
    """``FIVESTAR_REVIEW_PORT`` or 8765."""
    return int(os.environ.get("FIVESTAR_REVIEW_PORT") or DEFAULT_PORT)


def serve(host: str = "127.0.0.1", port: int | None = None) -> None:
    """Run the app with uvicorn (loopback by default: put a TLS proxy in front to share it)."""
    import uvicorn

    from pipelines.review.app import create_app

    uvicorn.run(create_app(), host=host, port=port or review_port(), log_level="info",
                proxy_headers=False, server_header=False)
