"""Finding 9: a withdrawn dataset's earlier metadata stayed public in CKAN's activity stream.

Against the real local CKAN: a release is published, then withdrawn (with the
notice, or made private). Before, anyone could read the whole published
dataset, resources and download URLs included, from the activity stream;
after, none of the activity endpoints gives the public anything of it.
"""

from __future__ import annotations

import json
import uuid

import pytest
import requests

from fivestar_dev.synthetic_release import (
    STARS,
    converted_files,
    make_spec,
    synthetic_reports,
    write_converted,
)
from pipelines import publish as publishing
from pipelines.release.approvals import withdraw_from_catalogue
from pipelines.release.stage import stage_release

pytestmark = pytest.mark.integration


def _anonymous(base: str, action: str, **params) -> requests.Response:
    return requests.get(f"{base}/api/3/action/{action}", params=params, timeout=30)


def _public_activity_text(base: str, name: str, activity_ids: list[str]) -> str:
    """Everything the public can read about ``name`` through the activity endpoints."""
    seen = []
    recent = _anonymous(base, "recently_changed_packages_activity_list", limit=100)
    seen.append(recent.text)
    listed = _anonymous(base, "package_activity_list", id=name, limit=100)
    if listed.status_code == 200:
        seen.append(listed.text)
    for aid in activity_ids:
        for action in ("activity_show", "activity_data_show"):
            r = _anonymous(base, action, id=aid, include_data="true")
            if r.status_code == 200:
                seen.append(r.text)
    return "\n".join(seen)


@pytest.mark.parametrize("mode", ["notice", "private"])
def test_attack_a_withdrawn_release_is_not_readable_from_the_activity_stream(
        tmp_path, ckan_stack, mode):
    name = f"asylum-claims-{uuid.uuid4().hex[:10]}"
    spec = make_spec(name, title=f"Asylum claims withdrawn {name[-10:]}")
    converted = write_converted(tmp_path / "converted",
                                [("E23000001", "2024-Q4", 120), ("E23000002", "2024-Q4", 7)],
                                dataset_id=name)
    staged = stage_release(spec, converted, converted_files(name, spec.title),
                           synthetic_reports(), extract_sha256="a" * 64, period="2024-Q4",
                           stars=STARS, releases_root=tmp_path / "releases",
                           pipeline_version="0.1.0+test")
    client, base = ckan_stack["client"], ckan_stack["url"]
    publishing.publish_release(client, staged.path, staged.manifest, staged.id)
    pkg = client.action.package_show(id=name)
    secrets_of_release = [r["url"] for r in pkg["resources"]] + [r["id"] for r in pkg["resources"]]
    activities = client.action.package_activity_list(id=pkg["id"], limit=100)
    ids = [a["id"] for a in activities]
    # the premise: while published, the public stream serves the release's resources
    before = _public_activity_text(base, name, ids)
    assert any(s in before for s in secrets_of_release)

    withdraw_from_catalogue(client, name, "Error found in the published figures", mode)
    after = _public_activity_text(base, name, ids)
    leaked = [s for s in secrets_of_release if s in after]
    assert leaked == [], f"{len(leaked)} resource URLs or ids still public after withdrawal"
    # the department still sees its own history (org members, sysadmins)
    assert len(client.action.package_activity_list(id=pkg["id"], limit=100)) > len(ids)
    if mode == "notice":  # the tombstone stays public and says why
        page = _anonymous(base, "package_show", id=name).json()["result"]
        assert page["withdrawn"] == "true" and page["resources"] == []
        assert "Error found in the published figures" in json.dumps(
            _anonymous(base, "package_activity_list", id=name).json())
