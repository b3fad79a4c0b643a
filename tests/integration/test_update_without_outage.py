"""Finding 6 on the real stack: an interrupted update never takes the previous release offline.

The real local CKAN (PostgreSQL, Solr, the fivestar plugin's switch action). A
first release is public; the publication of the next one is interrupted
while its files are uploading, and again after they are verified, just
before the switch. Each time the public (anonymous) still sees the previous
release whole: its metadata, its resources, every byte. A rerun completes the
update with exactly one resource per file and no staging copy left behind.

The interruption is a ``BaseException`` raised inside the publisher, so no
``except Exception`` cleanup runs: what is left in CKAN is what a killed
process leaves (a real SIGKILL is the subprocess test below).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time

import ckanapi
import pytest
import requests

from pipelines import publish as publishing
from tests.integration.test_publish_catalogue import ROWS_1, ROWS_2, _name, _public, _stage

pytestmark = pytest.mark.integration


class Killed(BaseException):
    """What a kill leaves: nothing after this point runs, no handler catches it."""


def _anonymous_view(base: str, name: str) -> dict:
    """The dataset as the public sees it, with the sha256 of every file it serves."""
    resp = _public(base, name)
    assert resp.status_code == 200, resp.text[:300]
    pkg = resp.json()["result"]
    files = {}
    for r in pkg["resources"]:
        got = requests.get(r["url"], timeout=60, headers={"Accept-Encoding": "identity"})
        assert got.status_code == 200, r["name"]
        files[r["name"]] = hashlib.sha256(got.content).hexdigest()
    return {"private": pkg["private"], "release_id": pkg["release_id"],
            "version": pkg.get("version"), "title": pkg["title"], "files": files,
            "resources": [r["name"] for r in pkg["resources"]]}


def _expected(staged) -> dict[str, str]:
    return {f["path"]: f["sha256"] for f in staged.manifest["files"]}


def _staging_gone(client, name: str) -> bool:
    try:
        client.action.package_show(id=publishing.staging_name(name))
    except ckanapi.NotFound:
        return True
    return False


@pytest.mark.parametrize("where", ["mid-upload", "before-switch"])
def test_attack_an_interrupted_update_leaves_the_previous_release_public(
        tmp_path, ckan_stack, monkeypatch, where):
    name = _name()
    base, client = ckan_stack["url"], ckan_stack["client"]
    _, first = _stage(tmp_path, name, ROWS_1, extra={"notes.txt": b"first release only\n"})
    publishing.publish_release(client, first.path, first.manifest, first.id)
    before = _anonymous_view(base, name)
    assert before["release_id"] == first.id and before["files"] == _expected(first)

    _, second = _stage(tmp_path, name, ROWS_2, tag="b")
    assert _expected(second) != _expected(first)
    real_upload = publishing._upload
    uploads = []

    def upload_then_die(*args, **kwargs):
        real_upload(*args, **kwargs)
        uploads.append(1)
        if where == "mid-upload":  # the first new file is in CKAN, not public
            raise Killed

    def die_at_the_switch(request):  # the review service's switch, never reached
        raise Killed

    monkeypatch.setattr(publishing, "_upload", upload_then_die)
    with pytest.raises(Killed):
        publishing.publish_release(
            client, second.path, second.manifest, second.id,
            switch=die_at_the_switch if where == "before-switch" else None)
    assert uploads, "the interruption came before anything was uploaded"

    # the public still sees the first release, whole and unchanged
    assert _anonymous_view(base, name) == before

    monkeypatch.setattr(publishing, "_upload", real_upload)
    result = publishing.publish_release(client, second.path, second.manifest, second.id)
    after = _anonymous_view(base, name)
    assert after["release_id"] == second.id and not after["private"]
    assert after["files"] == _expected(second)  # every byte, the old notes.txt gone
    assert len(after["resources"]) == len(set(after["resources"])) == len(_expected(second))
    assert set(result.resource_urls) == set(_expected(second))
    assert _staging_gone(client, name)
    again = publishing.publish_release(client, second.path, second.manifest, second.id)
    assert not again.changed


def test_attack_a_publisher_killed_with_sigkill_during_the_upload(tmp_path, ckan_stack):
    """The same with a real ``SIGKILL`` of a publishing process mid-upload."""
    name = _name()
    base, client = ckan_stack["url"], ckan_stack["client"]
    _, first = _stage(tmp_path, name, ROWS_1)
    publishing.publish_release(client, first.path, first.manifest, first.id)
    before = _anonymous_view(base, name)
    _, second = _stage(tmp_path, name, ROWS_2, tag="b",
                       extra={"big.bin": os.urandom(8 * 1024 * 1024)})
    marker = tmp_path / "uploading"
    script = textwrap.dedent(f"""
        import json, pathlib, time
        from pipelines import publish
        from pipelines.ckan_resource import connect
        real = publish._upload
        def slow(*args, **kwargs):
            real(*args, **kwargs)
            pathlib.Path({str(marker)!r}).write_text("1")
            time.sleep(600)  # killed here, with files of the new release uploaded
        publish._upload = slow
        manifest = json.loads(pathlib.Path({str(second.path / "manifest.json")!r}).read_text())
        publish.publish_release(connect(), pathlib.Path({str(second.path)!r}), manifest,
                                {second.id!r})
    """)
    # without a review service the publisher's own token switches (as the direct tests do)
    proc = subprocess.Popen([sys.executable, "-c", script],
                            env={**os.environ, "FIVESTAR_CKAN_TOKEN": ckan_stack["token"]})
    try:
        for _ in range(600):
            if marker.exists() or proc.poll() is not None:
                break
            time.sleep(0.2)
        assert marker.exists(), "the publisher never started uploading"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _anonymous_view(base, name) == before

    publishing.publish_release(client, second.path, second.manifest, second.id)
    after = _anonymous_view(base, name)
    assert after["release_id"] == second.id and after["files"] == _expected(second)
    assert len(after["resources"]) == len(set(after["resources"]))
    assert _staging_gone(client, name)
