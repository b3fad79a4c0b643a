"""The real local catalogue (PostgreSQL, Redis, Solr, CKAN), started by the project's script."""

from __future__ import annotations

import subprocess

import pytest

from pipelines import paths
from pipelines.ckan_resource import ckan_url, connect, read_token


@pytest.fixture(scope="session")
def ckan_stack():
    """Bring the stack up (idempotent; seconds when it already runs) and connect."""
    up = subprocess.run([str(paths.ROOT / "catalogue" / "bin" / "up")], capture_output=True,
                        text=True, timeout=900)
    assert up.returncode == 0, f"catalogue/bin/up failed:\n{up.stdout[-3000:]}{up.stderr[-3000:]}"
    return {"url": ckan_url(), "token": read_token(), "client": connect()}


def stop_ckan() -> None:
    subprocess.run([str(paths.ROOT / "catalogue" / "bin" / "down"), "ckan"], check=True,
                   capture_output=True, timeout=120)


def start_ckan() -> None:
    subprocess.run([str(paths.ROOT / "catalogue" / "bin" / "up")], check=True,
                   capture_output=True, timeout=900)
