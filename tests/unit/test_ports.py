"""Every local service's port follows FIVESTAR_PORT_OFFSET, in Python and in the shell
scripts alike: checkouts sharing a host never start on, or talk to, each other's services."""

from __future__ import annotations

import subprocess

from pipelines import ports
from pipelines.paths import ROOT

#: catalogue/bin's variable for each service of pipelines.ports.DEFAULTS it starts.
SHELL = {"PG": "PG_PORT", "REDIS": "REDIS_PORT", "SOLR": "SOLR_PORT", "CKAN": "CKAN_PORT",
         "FUSEKI": "FUSEKI_PORT", "LINKEDDATA": "LD_PORT", "DAGSTER": "WEB_PORT",
         "DAGSTER_GRPC": "GRPC_PORT"}


def _shell_ports(env: dict[str, str]) -> dict[str, int]:
    script = (f"source {ROOT}/catalogue/bin/_common.sh; source {ROOT}/catalogue/bin/_dagster.sh; "
              + "; ".join(f'echo {name}=${var}' for name, var in SHELL.items()))
    out = subprocess.run(["bash", "-c", script], env={"PATH": "/usr/bin:/bin", **env},
                         capture_output=True, text=True, check=True).stdout
    return {k: int(v) for k, v in (line.split("=") for line in out.split())}


def test_every_port_is_its_default_plus_the_offset(monkeypatch):
    for name in ports.DEFAULTS:
        monkeypatch.delenv(f"FIVESTAR_{name}_PORT", raising=False)
    monkeypatch.setenv("FIVESTAR_PORT_OFFSET", "600")
    assert {n: ports.service_port(n) for n in ports.DEFAULTS} == \
        {n: p + 600 for n, p in ports.DEFAULTS.items()}
    monkeypatch.setenv("FIVESTAR_CKAN_PORT", "5999")  # an explicit port wins
    assert ports.service_port("CKAN") == 5999


def test_shell_scripts_compute_the_same_ports():
    assert _shell_ports({"FIVESTAR_PORT_OFFSET": "600"}) == \
        {n: ports.DEFAULTS[n] + 600 for n in SHELL}
    assert _shell_ports({}) == {n: ports.DEFAULTS[n] for n in SHELL}
    assert _shell_ports({"FIVESTAR_PORT_OFFSET": "600", "FIVESTAR_PG_PORT": "5999"})["PG"] == 5999


def test_the_review_service_and_its_client_agree(monkeypatch):
    from pipelines.release.client import service_url
    from pipelines.review import review_port

    monkeypatch.delenv("FIVESTAR_REVIEW_PORT", raising=False)
    monkeypatch.delenv("FIVESTAR_REVIEW_URL", raising=False)
    monkeypatch.setenv("FIVESTAR_PORT_OFFSET", "600")
    assert review_port() == 9365
    assert service_url().endswith(":9365")
