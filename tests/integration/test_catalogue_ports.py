"""`catalogue/bin/up` knows its own servers from another checkout's on the same port.

Several checkouts (worktrees, CI jobs) run stacks on one machine. This
checkout's running PostgreSQL and Redis play "the other checkout"; a second
checkout is a fresh state folder (``FIVESTAR_CATALOGUE_STATE``) given the same
ports. It must not take them for its own ("already up", then fail on a socket
or a database it does not have), nor start anything: it stops, saying the
port is taken by something else.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from pipelines import paths

pytestmark = pytest.mark.integration

BIN = paths.ROOT / "catalogue" / "bin"


def _as_other_checkout(tmp_path, *cmd: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "FIVESTAR_CATALOGUE_STATE": str(tmp_path / "state")}
    return subprocess.run([str(BIN / cmd[0]), *cmd[1:]], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize(("service", "what"), [("postgres", "PostgreSQL"), ("redis", "Redis")])
def test_a_port_held_by_another_checkouts_server_is_not_taken_for_ours(ckan_stack, tmp_path,
                                                                       service, what):
    up = _as_other_checkout(tmp_path, "up", service)
    assert up.returncode != 0
    assert f"is taken by another {what}, not this checkout's" in up.stderr
    assert "already up" not in up.stdout + up.stderr
    assert not (tmp_path / "state" / "pg").exists()  # nothing initialised, nothing started
    assert not (tmp_path / "state" / "run" / "redis.pid").exists()

    status = _as_other_checkout(tmp_path, "status")
    line = next(ln for ln in status.stdout.splitlines() if ln.startswith(service))
    assert "TAKEN" in line and "not as this checkout's" in line
    assert status.returncode != 0


def test_this_checkouts_own_servers_are_still_up(ckan_stack):
    status = subprocess.run([str(BIN / "status")], capture_output=True, text=True, timeout=60)
    lines = {ln.split()[0]: ln.split()[1] for ln in status.stdout.splitlines() if ln.strip()
             and not ln.startswith("API")}
    assert lines["postgres"] == "up" and lines["redis"] == "up"


def test_every_service_listens_where_pipelines_ports_says(ckan_stack):
    """The stack `up` started is on the ports the pipeline computes (each default plus
    FIVESTAR_PORT_OFFSET): a checkout whose env file sets only the offset talks to its
    own CKAN, PostgreSQL, Redis, Solr, Fuseki and linked-data front, never another's."""
    import socket

    import httpx

    from pipelines.ckan_resource import ckan_url
    from pipelines.ports import service_port

    for name in ("PG", "REDIS", "SOLR", "CKAN", "FUSEKI", "LINKEDDATA"):
        with socket.create_connection(("127.0.0.1", service_port(name)), timeout=5):
            pass
    assert ckan_url().endswith(f":{service_port('CKAN')}")
    status = httpx.get(f"{ckan_url()}/api/3/action/status_show", timeout=30).json()
    assert status["success"] is True
