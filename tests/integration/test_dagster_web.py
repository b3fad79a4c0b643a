"""Finding 5: the Dagster UI accepted mutations on a cross-site GET.

Against a real Dagster webserver (``pipelines.dagster_web``) on a free port,
with the project's workspace: an image tag on another site must not launch,
terminate or reload anything, on the read-only UI or the operator's; the
read-only UI refuses mutations even same-site; the operator UI wants an
operator's password.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
import requests

from pipelines import paths
from tests.governance import free_port

pytestmark = pytest.mark.integration

RELOAD = ("mutation { reloadWorkspace { __typename ... on Workspace { "
          "locationEntries { name } } } }")
TERMINATE = ('mutation { terminateRun(runId: "00000000-0000-0000-0000-000000000000") '
             "{ __typename } }")
LAUNCH = ('mutation { launchPipelineExecution(executionParams: { selector: { '
          'repositoryLocationName: "fivestar", repositoryName: "__repository__", '
          'pipelineName: "__ASSET_JOB" } }) { __typename } }')
RUNS = "{ runsOrError { __typename ... on Runs { count } } }"


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """Both UIs, on free ports, against a throwaway Dagster instance."""
    home = tmp_path_factory.mktemp("dagster-home")
    env = {**os.environ, "DAGSTER_HOME": str(home), "FIVESTAR_STATE_DIR": str(home.parent)}
    procs, urls = [], {}
    for mode in ("viewer", "operator"):
        port = free_port()
        log = open(home / f"{mode}.log", "wb")  # noqa: SIM115 - closed below
        procs.append((subprocess.Popen(
            [sys.executable, "-m", "pipelines.dagster_web", "--mode", mode, "--port", str(port)],
            cwd=paths.ROOT, env=env, stdout=log, stderr=log, start_new_session=True), log))
        urls[mode] = f"http://127.0.0.1:{port}"
    try:
        for mode, url in urls.items():
            for _ in range(240):
                try:
                    r = requests.get(f"{url}/server_info", timeout=2,
                                     auth=("x", "y") if mode == "operator" else None)
                    if r.status_code in (200, 401):
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.5)
            else:
                pytest.fail((home / f"{mode}.log").read_text()[-3000:])
        yield urls
    finally:
        for proc, log in procs:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
            log.close()


def _cross_site_get(url: str, query: str) -> requests.Response:
    """What an <img src=…> on another site makes the browser send."""
    return requests.get(f"{url}/graphql?query={quote(query)}", timeout=30, headers={
        "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image",
        "Referer": "https://evil.example/"})


def _post(url, query, **kw):
    return requests.post(f"{url}/graphql", json={"query": query}, timeout=60, **kw)


@pytest.mark.parametrize("query", [LAUNCH, TERMINATE, RELOAD])
def test_attack_cross_site_get_mutations_are_refused(web, query):
    for mode, url in web.items():
        r = _cross_site_get(url, query)
        assert r.status_code in (401, 403, 405), (mode, r.status_code, r.text[:200])
        assert "data" not in r.text


def test_attack_a_plain_get_mutation_is_refused_even_without_fetch_metadata(web):
    r = requests.get(f"{web['viewer']}/graphql", params={"query": RELOAD}, timeout=30)
    assert r.status_code == 405


def test_attack_cross_site_form_post_is_refused(web):
    r = requests.post(f"{web['viewer']}/graphql", data={"query": RELOAD}, timeout=30,
                      headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    r = requests.post(f"{web['viewer']}/graphql", data={"query": RELOAD}, timeout=30)
    assert r.status_code == 415


def test_viewer_reads_but_cannot_mutate(web):
    url = web["viewer"]
    assert _post(url, RUNS).json()["data"]["runsOrError"]["__typename"] == "Runs"
    reload = _post(url, RELOAD, headers={"Origin": url}).json()
    assert reload["data"]["reloadWorkspace"]["__typename"] == "UnauthorizedError"
    launched = _post(url, LAUNCH, headers={"Origin": url}).json()
    assert launched["data"]["launchPipelineExecution"]["__typename"] == "UnauthorizedError"
    assert _post(url, RUNS).json()["data"]["runsOrError"]["count"] == 0


def test_operator_ui_needs_an_operator(web):
    url = web["operator"]
    r = _post(url, RUNS)
    assert r.status_code == 401 and "Basic" in r.headers["www-authenticate"]
    assert _post(url, RUNS, auth=("mallory", "not-an-operator")).status_code == 401


def test_an_operator_signs_in_and_may_reload_same_site_only(review_service, tmp_path):
    from fivestar_dev.demo_accounts import DEMO_USERS

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dh"),
           "FIVESTAR_REVIEW_URL": review_service.url}
    with open(tmp_path / "op.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "pipelines.dagster_web", "--mode",
                                 "operator", "--port", str(port)], cwd=paths.ROOT, env=env,
                                stdout=log, stderr=log, start_new_session=True)
    try:
        operator = ("ops.demo", DEMO_USERS["ops.demo"][2])
        for _ in range(240):
            try:
                if requests.get(f"{url}/server_info", auth=operator, timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        reload = _post(url, RELOAD, auth=operator, headers={"Origin": url}).json()
        assert reload["data"]["reloadWorkspace"]["__typename"] == "Workspace"
        assert _cross_site_get(url, RELOAD).status_code == 401  # no credentials cross-site
        r = requests.get(f"{url}/graphql", params={"query": RELOAD}, auth=operator, timeout=30,
                         headers={"Sec-Fetch-Site": "cross-site"})
        assert r.status_code == 405  # …and even with them, no GET mutation
        champion = ("champion.demo", DEMO_USERS["champion.demo"][2])
        assert _post(url, RUNS, auth=champion).status_code == 401  # not an operator
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
