"""The real local catalogue (PostgreSQL, Redis, Solr, CKAN), started by the project's script."""

from __future__ import annotations

import subprocess

import pytest

from pipelines import paths
from pipelines.ckan_resource import catalogue_publisher_token, ckan_url, connect, read_token


@pytest.fixture(scope="session")
def ckan_stack():
    """Bring the stack up (idempotent; seconds when it already runs) and connect."""
    up = subprocess.run([str(paths.ROOT / "catalogue" / "bin" / "up")], capture_output=True,
                        text=True, timeout=900)
    assert up.returncode == 0, f"catalogue/bin/up failed:\n{up.stdout[-3000:]}{up.stderr[-3000:]}"
    publisher = catalogue_publisher_token()
    return {"url": ckan_url(), "token": publisher, "client": connect(token=publisher),
            "pipeline_token": read_token(), "pipeline": connect()}


def stop_ckan() -> None:
    subprocess.run([str(paths.ROOT / "catalogue" / "bin" / "down"), "ckan"], check=True,
                   capture_output=True, timeout=120)


def start_ckan() -> None:
    subprocess.run([str(paths.ROOT / "catalogue" / "bin" / "up")], check=True,
                   capture_output=True, timeout=900)


@pytest.fixture(scope="session", autouse=True)
def test_organisation(ckan_stack):
    """Every integration test publishes into its own organisation, never the demo's.

    ``FIVESTAR_CKAN_ORG`` points the publisher there for the whole session; at the end
    every dataset in it (with its linked data) and the organisation itself are purged,
    so after ``make test`` the demo organisation shows only the bundled datasets."""
    import os
    import uuid

    org = f"fivestar-tests-{uuid.uuid4().hex[:8]}"
    previous = os.environ.get("FIVESTAR_CKAN_ORG")
    os.environ["FIVESTAR_CKAN_ORG"] = org
    client = ckan_stack["client"]
    client.action.organization_create(name=org, title="fivestar integration tests",
                                      description="Created and purged by the test suite.")
    # the pipeline's account fills private datasets there, as in the demo's organisation
    client.action.organization_member_create(id=org, username="fivestar-pipeline",
                                             role="editor")
    yield org
    if previous is None:
        os.environ.pop("FIVESTAR_CKAN_ORG", None)
    else:
        os.environ["FIVESTAR_CKAN_ORG"] = previous
    purge_organisation(client, org)


def purge_organisation(client, org: str) -> None:
    from pipelines.catalogue import content, series

    found = client.action.package_search(fq=f"organization:{org}", include_private=True,
                                         include_drafts=True, include_deleted=True,
                                         rows=1000)["results"]
    for pkg in found:
        if pkg.get("type") == series.SERIES_TYPE:
            content.remove_series(pkg.get("uri"), pkg["name"].removesuffix("-series"))
        else:
            content.withdraw(pkg.get("uri"), pkg["name"])
        client.action.dataset_purge(id=pkg["id"])
    client.action.organization_purge(id=org)


@pytest.fixture
def review_service(ckan_stack, monkeypatch):
    """The review service as `make demo` runs it: `fivestar-review`, its home 0700.

    The pipeline's state folder is this test's own (under a folder the
    service can traverse), so the service reads the release folders it checks.
    """
    import shutil
    import tempfile
    from pathlib import Path

    from tests.governance import running_review_service

    base = Path(tempfile.mkdtemp(prefix="fivestar-it-"))
    base.chmod(0o755)
    state = base / "state"
    monkeypatch.setattr(paths, "STATE_DIR", state)
    monkeypatch.setenv("FIVESTAR_STATE_DIR", str(state))
    monkeypatch.setenv("DAGSTER_HOME", str(state / "dagster"))
    for var in ("FIVESTAR_REVIEW_TOKEN", "FIVESTAR_USER", "FIVESTAR_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    try:
        with running_review_service(base, state) as handle:
            monkeypatch.setenv("FIVESTAR_REVIEW_URL", handle.url)
            yield handle
    finally:
        shutil.rmtree(base, ignore_errors=True)
