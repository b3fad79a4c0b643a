"""A member of the public, in headless Chromium, finds a published dataset and downloads its CSV."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from pipelines import publish as publishing
from tests.integration.test_publish_catalogue import ROWS_1, _stage

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def test_anonymous_visitor_downloads_the_csv(tmp_path, ckan_stack, page):
    name = f"asylum-claims-{uuid.uuid4().hex[:10]}"
    spec, staged = _stage(tmp_path, name, ROWS_1)
    publishing.publish_release(ckan_stack["client"], staged.path, staged.manifest, staged.id)
    expected = next(f["sha256"] for f in staged.manifest["files"] if f["path"] == f"{name}.csv")

    page.goto(f"{ckan_stack['url']}/dataset/{name}")  # no login: the public's view
    assert spec.title in page.content()
    page.get_by_role("link", name=f"{name}.csv").first.click()
    with page.expect_download() as download_info:
        page.locator("a.resource-url-analytics, a:has-text('Download')").first.click()
    path = download_info.value.path()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == expected
