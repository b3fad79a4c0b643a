"""Publishing against the real local CKAN (PostgreSQL, Redis, Solr): no mocks."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

import pytest
import rdflib
import requests

from fivestar_dev.synthetic_release import (
    STARS,
    converted_files,
    make_spec,
    synthetic_reports,
    write_converted,
)
from pipelines import publish as publishing
from pipelines.ckan_resource import connect, retrying_session
from pipelines.release.approvals import withdraw_from_catalogue
from pipelines.release.stage import stage_release
from tests.integration.conftest import start_ckan, stop_ckan

pytestmark = pytest.mark.integration

DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")


def _name() -> str:
    return f"asylum-claims-{uuid.uuid4().hex[:10]}"


def _stage(tmp_path: Path, name: str, rows, *, extra: dict[str, bytes] | None = None,
           tag: str = "a"):
    """A staged release with the given CSV rows and any extra public files."""
    spec = make_spec(name, title=f"Asylum claims journey {name[-10:]}")
    work = tmp_path / f"work-{tag}"
    converted = write_converted(work / "converted", rows, dataset_id=name)
    for fname, content in (extra or {}).items():
        (converted / fname).write_bytes(content)
    files = converted_files(name, spec.title, extra=list(extra or {}))
    staged = stage_release(spec, converted, files, synthetic_reports(),
                           extract_sha256=tag * 64, period="2024-Q4",
                           stars=STARS, releases_root=tmp_path / "releases",
                           pipeline_version="0.1.0+test")
    return spec, staged


ROWS_1 = [("E23000001", "2024-Q4", 120), ("E23000002", "2024-Q4", "[c]")]
ROWS_2 = [("E23000001", "2024-Q4", 125), ("W15000001", "2024-Q4", 87)]


def _public(base: str, name: str) -> requests.Response:
    return requests.get(f"{base}/api/3/action/package_show", params={"id": name}, timeout=30)


def _sha(url: str) -> str:
    return hashlib.sha256(requests.get(url, timeout=60).content).hexdigest()


def test_publish_then_republish_changes_nothing(tmp_path, ckan_stack):
    name = _name()
    spec, staged = _stage(tmp_path, name, ROWS_1)
    client = ckan_stack["client"]
    first = publishing.publish_release(client, staged.path, staged.manifest, staged.id)
    assert first.changed

    public = _public(ckan_stack["url"], name)
    assert public.status_code == 200
    pkg = public.json()["result"]
    assert not pkg["private"]
    assert pkg["release_id"] == staged.id and pkg["five_star_rating"] == "5"
    assert sorted(r["name"] for r in pkg["resources"]) == sorted(
        f["path"] for f in staged.manifest["files"])
    for f in staged.manifest["files"]:
        res = next(r for r in pkg["resources"] if r["name"] == f["path"])
        assert res["hash"] == f["sha256"] and int(res["size"]) == f["bytes"]
        assert _sha(res["url"]) == f["sha256"]  # anonymous download, byte for byte

    again = publishing.publish_release(client, staged.path, staged.manifest, staged.id)
    assert not again.changed
    after = _public(ckan_stack["url"], name).json()["result"]
    assert [r["id"] for r in after["resources"]] == [r["id"] for r in pkg["resources"]]


def test_new_release_replaces_resources_without_duplicates(tmp_path, ckan_stack):
    name = _name()
    client = ckan_stack["client"]
    spec, first = _stage(tmp_path, name, ROWS_1, extra={"notes.txt": b"first release only\n"})
    publishing.publish_release(client, first.path, first.manifest, first.id)
    spec, second = _stage(tmp_path, name, ROWS_2, tag="b")
    result = publishing.publish_release(client, second.path, second.manifest, second.id)
    assert result.changed
    pkg = _public(ckan_stack["url"], name).json()["result"]
    names = [r["name"] for r in pkg["resources"]]
    assert "notes.txt" not in names
    assert sorted(names) == sorted(f["path"] for f in second.manifest["files"])
    assert len(names) == len(set(names))
    assert pkg["release_id"] == second.id
    csv = next(r for r in pkg["resources"] if r["name"] == f"{name}.csv")
    assert _sha(csv["url"]) == next(f["sha256"] for f in second.manifest["files"]
                                    if f["path"] == f"{name}.csv")


def test_bytes_altered_before_verification_keep_the_dataset_private(tmp_path, ckan_stack):
    name = _name()
    spec, staged = _stage(tmp_path, name, ROWS_1)
    tampered = tmp_path / f"{name}.csv"
    tampered.write_bytes(b"area,quarter,claims\r\nE23000001,2024-Q4,999\r\n")

    def tamper(client, pkg):
        res = next(r for r in pkg["resources"] if r["name"] == f"{name}.csv")
        with tampered.open("rb") as fh:  # replace the stored bytes, keep the claimed hash
            client.action.resource_patch(id=res["id"], upload=fh, hash=res["hash"])

    with pytest.raises(publishing.PublicationError) as exc:
        publishing.publish_release(ckan_stack["client"], staged.path, staged.manifest,
                                   staged.id,
                                   verify_hook=tamper)
    assert f"{name}.csv" in str(exc.value)
    assert _public(ckan_stack["url"], name).status_code in (403, 404)
    assert ckan_stack["client"].action.package_show(id=name)["private"] is True


def test_ckan_stopped_mid_publication_then_rerun_completes(tmp_path, ckan_stack, monkeypatch):
    name = _name()
    spec, staged = _stage(tmp_path, name, ROWS_1)
    client = connect(session=retrying_session(attempts=2))
    real_upload = publishing._upload
    calls = []

    def upload_then_stop(*args, **kwargs):
        real_upload(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            stop_ckan()

    monkeypatch.setattr(publishing, "_upload", upload_then_stop)
    try:
        with pytest.raises(publishing.PublicationError, match="unreachable"):
            publishing.publish_release(client, staged.path, staged.manifest, staged.id)
    finally:
        start_ckan()
    monkeypatch.setattr(publishing, "_upload", real_upload)

    result = publishing.publish_release(ckan_stack["client"], staged.path, staged.manifest,
                                        staged.id)
    pkg = _public(ckan_stack["url"], name).json()["result"]
    names = [r["name"] for r in pkg["resources"]]
    assert sorted(names) == sorted(f["path"] for f in staged.manifest["files"])
    assert len(set(names)) == len(names)
    assert result.resource_urls and not pkg["private"]


def test_dcat_endpoint_and_search(tmp_path, ckan_stack):
    name = _name()
    spec, staged = _stage(tmp_path, name, ROWS_1)
    publishing.publish_release(ckan_stack["client"], staged.path, staged.manifest, staged.id)
    ttl = requests.get(f"{ckan_stack['url']}/dataset/{name}.ttl", timeout=30)
    assert ttl.status_code == 200
    graph = rdflib.Graph().parse(data=ttl.text, format="turtle")
    datasets = list(graph.subjects(rdflib.RDF.type, DCAT.Dataset))
    assert len(datasets) == 1
    distributions = list(graph.objects(datasets[0], DCAT.distribution))
    assert len(distributions) == len(staged.manifest["files"])

    word = spec.title.split()[-1]  # a word of the title unique to this dataset
    found = requests.get(f"{ckan_stack['url']}/api/3/action/package_search",
                         params={"q": word}, timeout=30).json()["result"]
    assert name in [r["name"] for r in found["results"]]


def test_upload_larger_than_ckans_default_limit(tmp_path, ckan_stack):
    name = _name()
    big = os.urandom(12 * 1024 * 1024)  # above CKAN's default 10 MB
    spec, staged = _stage(tmp_path, name, ROWS_1, extra={"big.bin": big})
    result = publishing.publish_release(ckan_stack["client"], staged.path, staged.manifest,
                                        staged.id)
    assert _sha(result.resource_urls["big.bin"]) == hashlib.sha256(big).hexdigest()


def test_withdrawal_hides_the_dataset_with_its_reason(tmp_path, ckan_stack):
    name = _name()
    spec, staged = _stage(tmp_path, name, ROWS_1)
    client = ckan_stack["client"]
    publishing.publish_release(client, staged.path, staged.manifest, staged.id)
    assert _public(ckan_stack["url"], name).status_code == 200
    withdraw_from_catalogue(client, name, "Error found in Q4 figures", "private")
    assert _public(ckan_stack["url"], name).status_code in (403, 404)
    pkg = client.action.package_show(id=name)
    assert "Error found in Q4 figures" in (pkg.get("notes") or "") + (
        pkg.get("withdrawn_reason") or "")
