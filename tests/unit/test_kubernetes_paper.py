"""deploy/k8s is on paper (no cluster here); it must not drift from what is tested locally.

The local stack's Solr refuses anonymous requests and CKAN signs in to it;
the cluster's must do the same. The pipeline's pods (code server and run
pods, Celery workers) run the same code with the same settings, and reach the
same services as the tested site's workers: the review service, CKAN, Fuseki.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
from urllib.parse import urlsplit

import yaml

from pipelines import paths

K8S = paths.ROOT / "deploy" / "k8s"
#: CKAN's own environment names for its ini keys (ckan/config/environment.py).
CKAN_ENV = {"solr_url": "CKAN_SOLR_URL", "solr_user": "CKAN_SOLR_USER",
            "solr_password": "CKAN_SOLR_PASSWORD"}


def _docs(name: str) -> dict[tuple[str, str], dict]:
    return {(d["kind"], d["metadata"]["name"]): d
            for d in yaml.safe_load_all((K8S / name).read_text(encoding="utf-8"))}


def _container(doc: dict) -> dict:
    return doc["spec"]["template"]["spec"]["containers"][0]


def _env(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container.get("env", [])}


def test_cluster_ckan_signs_in_to_a_solr_that_refuses_anonymous_requests():
    local_ini = (paths.ROOT / "catalogue" / "ckan" / "ckan-settings.ini.in").read_text()
    local_keys = set(re.findall(r"^(solr_\w+)\s*=", local_ini, flags=re.MULTILINE))
    assert {"solr_user", "solr_password"} <= local_keys
    docs = _docs("ckan.yaml")
    ckan_env = _env(_container(docs[("Deployment", "ckan")]))
    assert {CKAN_ENV[k] for k in local_keys} <= set(ckan_env)
    login = {ckan_env[CKAN_ENV[k]]["valueFrom"]["secretKeyRef"]["name"]
             for k in ("solr_user", "solr_password")}
    solr = docs[("StatefulSet", "solr")]["spec"]["template"]["spec"]
    mounts = {m["mountPath"]: m for m in solr["containers"][0]["volumeMounts"]}
    security = mounts["/var/solr/data/security.json"]
    secret = next(v["secret"]["secretName"] for v in solr["volumes"]
                  if v["name"] == security["name"])
    assert secret == "solr-security" and login == {"solr-login"}
    probe = " ".join(solr["containers"][0]["readinessProbe"]["exec"]["command"])
    assert "$SOLR_USER:$SOLR_PASSWORD" in probe  # the ping needs the login too


def test_the_security_json_script_makes_a_login_solr_accepts(tmp_path):
    """Solr's BasicAuthPlugin hash: base64(sha256(sha256(salt + password))) and the salt."""
    (tmp_path / "pw").write_text("correct horse\n")
    out = subprocess.run([sys.executable, str(paths.ROOT / "catalogue/solr/security_json.py"),
                          "ckan", str(tmp_path / "pw")], capture_output=True, text=True,
                         check=True).stdout
    auth = json.loads(out)["authentication"]
    assert auth["class"] == "solr.BasicAuthPlugin" and auth["blockUnknown"] is True
    digest, salt = (base64.b64decode(p) for p in auth["credentials"]["ckan"].split())
    assert digest == hashlib.sha256(hashlib.sha256(salt + b"correct horse").digest()).digest()
    assert digest != hashlib.sha256(hashlib.sha256(salt + b"wrong").digest()).digest()


def test_pipeline_pods_share_one_environment_and_reach_the_tested_services():
    values = yaml.safe_load((K8S / "dagster-values.yaml").read_text(encoding="utf-8"))
    location = values["dagster-user-deployments"]["deployments"][0]
    location_env = {e["name"]: e.get("value") for e in location["env"]}
    worker = _container(_docs("celery-workers.yaml")[("Deployment", "fivestar-celery-worker")])
    worker_env = {n: e.get("value") for n, e in _env(worker).items()
                  if n.startswith("FIVESTAR_")}
    assert worker_env == location_env  # the same code, the same settings
    assert [s["secretRef"]["name"] for s in worker["envFrom"]] == \
        [s["name"] for s in location["envSecrets"]] == ["fivestar-secrets"]
    services = {**_docs("review.yaml"), **_docs("ckan.yaml")}
    for var in ("FIVESTAR_REVIEW_URL", "FIVESTAR_FUSEKI_URL"):
        url = urlsplit(location_env[var])
        name, _, namespace = url.hostname.partition(".")
        service = services[("Service", name)]
        assert service["metadata"]["namespace"] == (namespace or "fivestar"), var
        assert url.port in [p["port"] for p in service["spec"]["ports"]], var
    assert location_env["FIVESTAR_DAGSTER_PROFILE"] == "distributed"
