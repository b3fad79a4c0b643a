"""`make demo`: the whole journey on the bundled datasets, against the local CKAN.

1. a statistician (``stats.demo``) stages every bundled dataset;
2. the Transparency Champion (``champion.demo``, a different person) approves
   each release, binding the approval to its manifest hash;
3. the publication logic the Dagster sensor uses finds the approved releases
   that are due (demo releases are scheduled for "now") and runs ``published``
   for each, which re-hashes every file against the approved manifest and
   verifies every upload before making the dataset public;
4. every public download is fetched anonymously and compared, byte for byte
   (sha256), with the approved manifest;
5. a correction of one dataset (one figure revised, with revision notes) is
   staged, approved for immediate release and published as a new version,
   the superseded files kept in the catalogue;
6. the Dagster UI and the review app (with the public release calendar) are
   started in the background.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests

from pipelines import paths
from pipelines.assets import STAGING_STAGES
from pipelines.errors import FivestarError
from pipelines.runs import RELEASE_TAG, USER_TAG
from pipelines.spec import DatasetSpec, load_all

STATISTICIAN = "stats.demo"
CHAMPION = "champion.demo"
DAGSTER_PORT = int(os.environ.get("FIVESTAR_DAGSTER_PORT", "3000"))
REVIEW_PORT = int(os.environ.get("FIVESTAR_REVIEW_PORT", "8765"))


#: The demo's correction: one bundled dataset, one figure revised (with its totals).
CORRECTED = "police-recorded-crime"
CORRECTION_NOTES = ("Burglary in police force area E23000001 in the latest quarter revised "
                    "up by 12 after a late return from the force; the force's all-offences "
                    "total and the England and Wales totals are revised to match. "
                    "No other figure changed.")


@dataclass
class DemoResult:
    staged: dict[str, str] = field(default_factory=dict)
    published: dict[str, str] = field(default_factory=dict)
    verified: dict[str, int] = field(default_factory=dict)
    #: dataset -> its linked-data page, SPARQL and DataStore row counts (catalogue.public_check)
    public_side: dict[str, object] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    #: dataset -> (version, revision notes) of a published correction
    corrected: dict[str, tuple[str, str]] = field(default_factory=dict)


def ensure_demo_key() -> None:
    """A stable pseudonymisation key for the demo, kept in the state folder.

    Production sets FIVESTAR_PSEUDONYMISATION_KEY from a secret store; the demo
    makes one once (random, never committed) so pseudonyms stay stable.
    """
    if os.environ.get("FIVESTAR_PSEUDONYMISATION_KEY"):
        return
    path = paths.STATE_DIR / "demo-pseudonymisation.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    os.environ["FIVESTAR_PSEUDONYMISATION_KEY"] = path.read_text().strip()


def scheduled_now(spec: DatasetSpec, now: datetime) -> DatasetSpec:
    """The spec with its next release pre-announced for ``now`` (demo only)."""
    return spec.model_copy(update={"release": spec.release.model_copy(
        update={"next_release": now})})


def run_demo(log=print) -> DemoResult:
    from pipelines.release import approvals
    from pipelines.release.audit import AuditStore
    from pipelines.release.sensor import due_publications
    from pipelines.release.users import UserDirectory, create_demo_users
    from pipelines.runner import run_stages

    ensure_demo_key()
    create_demo_users()
    users = UserDirectory.load()
    champion = users.get(CHAMPION)
    store = AuditStore()
    result = DemoResult()
    specs, errors = load_all(paths.DATASETS_DIR)
    for e in errors:
        result.failures.append(str(e))
    now = datetime.now(UTC).replace(microsecond=0)
    by_id = {s.id: scheduled_now(s, now) for s in specs}

    for spec in by_id.values():
        log(f"staging {spec.id} as {STATISTICIAN} …")
        outcome = run_stages(spec, STAGING_STAGES, tags={USER_TAG: STATISTICIAN})
        staged = outcome.outputs.get("staged_release")
        if not outcome.ok or not staged:
            detail = outcome.failures + [f"check {c.name} failed" for c in outcome.blocked]
            result.failures.append(f"{spec.id}: staging failed: {'; '.join(detail)}")
            continue
        result.staged[spec.id] = staged.release_id
        log(f"approving {spec.id} release {staged.release_id[:12]} as {CHAMPION} …")
        approvals.approve(store, Path(staged.path), champion,
                          comment="Demo: checked the preview, reports and diff.")

    for due in due_publications(store, datetime.now(UTC)):
        if due.dataset_id not in result.staged:
            continue
        spec = by_id[due.dataset_id]
        log(f"publishing {spec.id} (scheduled {due.scheduled_at:%Y-%m-%d %H:%M:%S %Z}) …")
        outcome = run_stages(spec, ("published",), partition=due.period,
                             tags={RELEASE_TAG: due.release_id, USER_TAG: "fivestar-publisher"})
        published = outcome.outputs.get("published")
        if not outcome.ok or not published:
            result.failures.append(f"{spec.id}: publication failed: {'; '.join(outcome.failures)}")
            continue
        result.published[spec.id] = published.dataset_url
        try:
            result.verified[spec.id] = verify_public(spec.id, due.release_dir)
        except FivestarError as exc:
            result.failures.append(f"{spec.id}: public copy does not match: {exc}")
        try:
            from pipelines.catalogue import public_check
            from pipelines.release.manifest import load_manifest

            result.public_side[spec.id] = public_check.check(
                load_manifest(due.release_dir)[0],
                os.environ.get("FIVESTAR_CKAN_URL", "http://127.0.0.1:5055"))
        except (FivestarError, requests.RequestException, KeyError, StopIteration) as exc:
            result.failures.append(f"{spec.id}: linked data / SPARQL / DataStore: {exc}")
    if CORRECTED in result.published:
        _publish_correction(by_id[CORRECTED], store, champion, result, log)
    return result


def corrected_copy(spec: DatasetSpec, period: str) -> DatasetSpec:
    """The dataset folder copied under the state folder with one figure revised.

    The revision keeps the table additive: the cell, its area's all-offences
    total, and the England and Wales totals all move by the same amount.
    """
    import csv
    import shutil

    from pipelines.spec import load_spec

    folder = paths.STATE_DIR / "demo-correction" / spec.id
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(spec.folder, folder)
    extract = folder / str(spec.source.path)
    with extract.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    cells = {("E23000001", "burglary"), ("E23000001", "all-offences"),
             ("K04000001", "burglary"), ("K04000001", "all-offences")}
    for row in rows[1:]:
        if row[0] == period and (row[1], row[2]) in cells:
            row[3] = str(int(row[3]) + 12)
    with extract.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return load_spec(folder / "dataset.yaml").model_copy(update={"release": spec.release})


def _publish_correction(spec: DatasetSpec, store, champion, result: DemoResult, log) -> None:
    """Stage, approve (for immediate release) and publish a correction of one dataset."""
    from pipelines.release import approvals
    from pipelines.release.manifest import load_manifest
    from pipelines.runner import run_stages
    from pipelines.runs import REVISION_TAG

    period = load_manifest(approvals.find_release(result.staged[spec.id]))[0].get("period")
    corrected = corrected_copy(spec, period)
    log(f"staging a correction of {spec.id} ({period}) as {STATISTICIAN} …")
    outcome = run_stages(corrected, STAGING_STAGES, partition=period,
                         tags={USER_TAG: STATISTICIAN, REVISION_TAG: CORRECTION_NOTES})
    staged = outcome.outputs.get("staged_release")
    if not outcome.ok or not staged:
        result.failures.append(f"{spec.id}: correction failed: {'; '.join(outcome.failures)}")
        return
    now = datetime.now(UTC)
    log(f"approving the correction {staged.release_id[:12]} for immediate release as "
        f"{CHAMPION} …")
    approvals.approve(store, Path(staged.path), champion, release_at=now,
                      comment="Demo: checked the revision notes and the diff.")
    published = run_stages(corrected, ("published",), partition=period,
                           tags={RELEASE_TAG: staged.release_id,
                                 USER_TAG: "fivestar-publisher"})
    if not published.ok:
        result.failures.append(f"{spec.id}: correction not published: "
                               f"{'; '.join(published.failures)}")
        return
    manifest, _ = load_manifest(Path(staged.path))
    result.staged[spec.id] = staged.release_id
    result.verified[spec.id] = verify_public(spec.id, Path(staged.path))
    result.corrected[spec.id] = (manifest["catalogue"]["version"], CORRECTION_NOTES)


def verify_public(dataset_id: str, release_dir: Path) -> int:
    """Download every resource anonymously; compare sha256 with the approved manifest.

    Returns the number of files checked. Anonymous on purpose: this is what the
    public gets, not what an administrator can see.
    """
    from pipelines.release.manifest import load_manifest

    manifest, _ = load_manifest(release_dir)
    base = os.environ.get("FIVESTAR_CKAN_URL", "http://127.0.0.1:5055").rstrip("/")
    resp = requests.get(f"{base}/api/3/action/package_show", params={"id": dataset_id},
                        timeout=30)
    if resp.status_code != 200:
        raise FivestarError(f"dataset `{dataset_id}` is not public (HTTP {resp.status_code})")
    resources = {r["name"]: r for r in resp.json()["result"]["resources"]}
    problems = []
    for entry in manifest["files"]:
        res = resources.get(entry["path"])
        if res is None:
            problems.append(f"{entry['path']}: missing from the catalogue")
            continue
        digest = hashlib.sha256()
        # the bytes as served, never content-decoded (a .gz comes with Content-Encoding)
        with requests.get(res["url"], stream=True, timeout=60,
                          headers={"Accept-Encoding": "identity"}) as dl:
            dl.raise_for_status()
            for chunk in dl.raw.stream(1 << 16, decode_content=False):
                digest.update(chunk)
        if digest.hexdigest() != entry["sha256"]:
            problems.append(f"{entry['path']}: sha256 differs from the approved manifest")
    if problems:
        raise FivestarError("; ".join(problems))
    return len(manifest["files"])


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def start_background_services(log=print) -> dict[str, str]:
    """Start the Dagster UI and the review app (if not already up); return their URLs."""
    from pipelines.instance import dagster_home

    logs = paths.STATE_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home())}
    bindir = Path(sys.executable).parent
    services = {
        "Dagster UI": (DAGSTER_PORT, [str(bindir / "dagster-webserver"), "-w", "workspace.yaml",
                                      "-h", "127.0.0.1", "-p", str(DAGSTER_PORT)]),
        "review app": (REVIEW_PORT, [str(bindir / "fivestar"), "review"]),
    }
    urls = {}
    for name, (port, cmd) in services.items():
        if not _port_open(port):
            slug = name.split()[0].lower()
            with open(logs / f"{slug}.log", "ab") as out:
                proc = subprocess.Popen(cmd, cwd=paths.ROOT, env={**env, "FIVESTAR_REVIEW_PORT":
                                        str(REVIEW_PORT)}, stdout=out, stderr=out,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
            (paths.STATE_DIR / f"{slug}.pid").write_text(str(proc.pid))
            for _ in range(120):
                if _port_open(port) or proc.poll() is not None:
                    break
                time.sleep(0.5)
            if not _port_open(port):
                log(f"{name} did not start; see {logs / f'{slug}.log'}")
                continue
        urls[name] = f"http://127.0.0.1:{port}"
    if "review app" in urls:
        urls["release calendar (public)"] = f"{urls['review app']}/calendar"
        urls["release calendar (iCalendar)"] = f"{urls['review app']}/calendar.ics"
    return urls
