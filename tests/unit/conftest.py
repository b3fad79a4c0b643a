"""Unit-test fixtures for the governance tests: a review service on loopback."""

from __future__ import annotations

import pytest

from fivestar_dev.synthetic_release import make_authority
from pipelines.review.app import create_app
from tests.governance import serving
from tests.unit.fake_ckan import FakeCKAN


@pytest.fixture
def ckan_fake():
    return FakeCKAN()


@pytest.fixture
def service(tmp_path, monkeypatch, ckan_fake):
    """The review service (in this process, as this user) over real HTTP on loopback.

    ``FIVESTAR_REVIEW_URL`` points the CLI and the Dagster resource at it; the
    tests' own identity comes from passwords or tokens, as for a real user.
    """
    from pipelines import paths

    # The service checks the pipeline's own release folders (service.yaml's
    # releases_root): the state folder is this test's folder, so staging through
    # the asset graph and the synthetic helpers land in the same place.
    monkeypatch.setattr(paths, "STATE_DIR", tmp_path)
    monkeypatch.setenv("FIVESTAR_STATE_DIR", str(tmp_path))
    authority = make_authority(tmp_path, ckan=lambda: ckan_fake,
                               releases_root=paths.releases_dir())
    with serving(create_app(authority, failure_seconds=0.05)) as url:
        monkeypatch.setenv("FIVESTAR_REVIEW_URL", url)
        for var in ("FIVESTAR_USER", "FIVESTAR_PASSWORD", "FIVESTAR_REVIEW_TOKEN"):
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("FIVESTAR_REVIEW_TOKEN_FILE", str(tmp_path / "cli-token"))
        yield authority, url
