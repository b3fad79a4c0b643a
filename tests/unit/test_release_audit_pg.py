"""The audit log on PostgreSQL: a throwaway private cluster, triggers refuse changes."""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text

from pipelines.release.audit import AuditStore, Decision

INITDB = shutil.which("initdb")
PG_CTL = shutil.which("pg_ctl")


def _as_postgres(cmd: list[str]) -> list[str]:
    """initdb refuses to run as root: run the cluster as the postgres user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def pg_url():
    # scripts/setup.sh installs PostgreSQL: its absence is a broken machine, not a skip.
    assert INITDB and PG_CTL, "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    base = Path(tempfile.mkdtemp(prefix="fivestar-audit-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    data, port = base / "data", _free_port()
    subprocess.run(_as_postgres([INITDB, "-D", str(data), "-A", "trust", "-U", "postgres"]),
                   check=True, capture_output=True, timeout=120)
    # -l: the server must not inherit our pipes, or waiting for pg_ctl never ends.
    subprocess.run(_as_postgres([PG_CTL, "-D", str(data), "-w", "-l", str(base / "pg.log"),
                                 "-o", f"-p {port} -k {base} -c listen_addresses=''",
                                 "start"]),
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=60)
    try:
        yield f"postgresql+psycopg2://postgres@/postgres?host={base}&port={port}"
    finally:
        subprocess.run(_as_postgres([PG_CTL, "-D", str(data), "-m", "immediate", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


def test_postgres_refuses_update_delete_truncate(pg_url):
    store = AuditStore(pg_url)
    store.record(actor="stats.demo", role="statistician", dataset_id="d",
                 release_id="a" * 64, decision=Decision.staged)
    store.record(actor="champion.demo", role="transparency_champion", dataset_id="d",
                 release_id="a" * 64, decision=Decision.approved, comment="ok")
    for statement in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log",
                      "TRUNCATE audit_log"):
        with pytest.raises(Exception, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(statement))
    reopened = AuditStore(pg_url)
    assert [e.decision for e in reopened.entries()] == [Decision.staged, Decision.approved]
    assert reopened.verify_chain() == []
