"""`make demo`: the whole journey on the bundled datasets, against the local CKAN.

0. the review service (the authority over approvals) is set up in
   ``.fivestar/review`` and started as its own OS user, ``fivestar-review``;
1. a statistician (``stats.demo``) signs in to it and stages every bundled
   dataset with the single-use tickets it signs;
2. the Transparency Champion (``champion.demo``, a different person) signs in
   and approves each release, binding the approval to its manifest hash;
3. the publication service account asks the service what is due (demo
   releases are scheduled for "now") and runs ``published`` for each, which
   passes the service's gate, re-hashes every file against the approved
   manifest and verifies every upload before the dataset goes public;
4. every public download is fetched anonymously and compared, byte for byte
   (sha256), with the approved manifest;
5. a correction of one dataset (one figure revised, with revision notes) is
   staged, approved for immediate release and published as a new version,
   the superseded files kept in the catalogue;
6. the Dagster daemon (so the sensor publishes later releases at their time),
   the Dagster UI and the review app (with the public release calendar) are
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
from pipelines.ports import offset, service_port
from pipelines.release.home import ServiceHome
from pipelines.runs import RELEASE_TAG, TICKET_ENV
from pipelines.spec import DatasetSpec, load_all

STATISTICIAN = "stats.demo"
CHAMPION = "champion.demo"
DAGSTER_PORT = service_port("DAGSTER")
OPERATOR_PORT = service_port("DAGSTER_OPERATOR", DAGSTER_PORT - offset() + 1)
REVIEW_PORT = service_port("REVIEW")


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


def review_home() -> Path:
    return paths.STATE_DIR / "review"


def review_url() -> str:
    return f"http://127.0.0.1:{REVIEW_PORT}"


def ensure_review_service(log=print) -> str:
    """Set up the demo's service home and start the service (as fivestar-review)."""
    from fivestar_dev.demo_accounts import demo_setup
    from pipelines.ckan_resource import catalogue_publisher_token, ckan_url
    from pipelines.review.service import port_open, separated, start, wait_ready

    demo_setup(ServiceHome(review_home()), ckan_url=ckan_url(),
               ckan_token=catalogue_publisher_token(),
               publisher_token_file=paths.STATE_DIR / "publisher.token")
    url = review_url()
    if not port_open(REVIEW_PORT):
        proc = start(review_home(), REVIEW_PORT, paths.STATE_DIR / "logs" / "review.log")
        (paths.STATE_DIR / "review.pid").write_text(str(proc.pid))
        if not wait_ready(url, proc):
            raise FivestarError(f"the review service did not start; see "
                                f"{paths.STATE_DIR / 'logs' / 'review.log'}")
        who = "fivestar-review" if separated() else "this user (not root: no OS separation)"
        log(f"review service started at {url} as {who}")
    return url


def run_demo(log=print) -> DemoResult:
    from fivestar_dev.demo_accounts import DEMO_USERS
    from pipelines.release.client import TOKEN_ENV, ReviewServiceClient
    from pipelines.runner import run_stages

    ensure_demo_key()
    url = ensure_review_service(log)
    stats, champion = ReviewServiceClient(url), ReviewServiceClient(url)
    stats.login(STATISTICIAN, DEMO_USERS[STATISTICIAN][2], label="demo")
    champion.login(CHAMPION, DEMO_USERS[CHAMPION][2], label="demo")
    publisher_token = (paths.STATE_DIR / "publisher.token").read_text().strip()
    result = DemoResult()
    specs, errors = load_all(paths.DATASETS_DIR)
    for e in errors:
        result.failures.append(str(e))
    now = datetime.now(UTC).replace(microsecond=0)
    by_id = {s.id: scheduled_now(s, now) for s in specs}

    for spec in by_id.values():
        log(f"staging {spec.id} as {STATISTICIAN} …")
        os.environ[TICKET_ENV] = stats.ticket(spec.id)["ticket"]
        try:
            outcome = run_stages(spec, STAGING_STAGES)
        finally:
            os.environ.pop(TICKET_ENV, None)
        staged = outcome.outputs.get("staged_release")
        if not outcome.ok or not staged:
            detail = outcome.failures + [f"check {c.name} failed" for c in outcome.blocked]
            result.failures.append(f"{spec.id}: staging failed: {'; '.join(detail)}")
            continue
        result.staged[spec.id] = staged.release_id
        log(f"approving {spec.id} release {staged.release_id[:12]} as {CHAMPION} …")
        champion.approve(staged.release_id, "Demo: checked the preview, reports and diff.")

    publisher = ReviewServiceClient(url, token=publisher_token)
    os.environ[TOKEN_ENV] = publisher_token
    try:
        for due in publisher.due():
            if due["dataset_id"] not in result.staged:
                continue
            spec = by_id[due["dataset_id"]]
            log(f"publishing {spec.id} (scheduled {due['scheduled_at']}) …")
            outcome = run_stages(spec, ("published",), partition=due["period"],
                                 tags={RELEASE_TAG: due["release_id"]})
            published = outcome.outputs.get("published")
            if not outcome.ok or not published:
                result.failures.append(
                    f"{spec.id}: publication failed: {'; '.join(outcome.failures)}")
                continue
            result.published[spec.id] = published.dataset_url
            release_dir = paths.releases_dir() / spec.id / due["release_id"]
            try:
                result.verified[spec.id] = verify_public(spec.id, release_dir)
            except FivestarError as exc:
                result.failures.append(f"{spec.id}: public copy does not match: {exc}")
            try:
                from pipelines.catalogue import public_check
                from pipelines.ckan_resource import ckan_url
                from pipelines.release.manifest import load_manifest

                result.public_side[spec.id] = public_check.check(
                    load_manifest(release_dir)[0],
                    ckan_url())
            except (FivestarError, requests.RequestException, KeyError, StopIteration) as exc:
                result.failures.append(f"{spec.id}: linked data / SPARQL / DataStore: {exc}")
        if CORRECTED in result.published:
            _publish_correction(by_id[CORRECTED], stats, champion, result, log)
    finally:
        os.environ.pop(TOKEN_ENV, None)
    for client in (stats, champion):
        client.logout()
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


def _publish_correction(spec: DatasetSpec, stats, champion, result: DemoResult, log) -> None:
    """Stage, approve (for immediate release) and publish a correction of one dataset.

    ``stats`` and ``champion`` are signed-in review-service clients; the
    publication runs with the publisher's token (already in the environment).
    """
    from pipelines.release.manifest import load_manifest
    from pipelines.runner import run_stages
    from pipelines.runs import REVISION_TAG

    first = paths.releases_dir() / spec.id / result.staged[spec.id]
    period = load_manifest(first)[0].get("period")
    corrected = corrected_copy(spec, period)
    log(f"staging a correction of {spec.id} ({period}) as {STATISTICIAN} …")
    os.environ[TICKET_ENV] = stats.ticket(spec.id, period)["ticket"]
    try:
        outcome = run_stages(corrected, STAGING_STAGES, partition=period,
                             tags={REVISION_TAG: CORRECTION_NOTES})
    finally:
        os.environ.pop(TICKET_ENV, None)
    staged = outcome.outputs.get("staged_release")
    if not outcome.ok or not staged:
        detail = outcome.failures + [f"check {c.name} failed" for c in outcome.blocked]
        result.failures.append(f"{spec.id}: correction failed: {'; '.join(detail)}")
        return
    log(f"approving the correction {staged.release_id[:12]} for immediate release as "
        f"{CHAMPION} …")
    champion.approve(staged.release_id, "Demo: checked the revision notes and the diff.",
                     release_at=datetime.now(UTC))
    published = run_stages(corrected, ("published",), partition=period,
                           tags={RELEASE_TAG: staged.release_id})
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
    from pipelines.ckan_resource import ckan_url
    from pipelines.release.manifest import load_manifest

    manifest, _ = load_manifest(release_dir)
    base = ckan_url()
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
    """Start the Dagster daemon and UIs (if not already up); return their URLs.

    The daemon runs the publication sensor, so an approved release goes out at
    its release time with nobody at a keyboard. The UI everyone opens is
    read-only; the operator UI asks for an operator's review-service password.
    Neither accepts a mutation from another site (``pipelines.dagster_web``).
    """
    from pipelines.instance import dagster_home

    logs = paths.STATE_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home()),
           "FIVESTAR_REVIEW_URL": review_url()}
    env.pop("FIVESTAR_REVIEW_TOKEN", None)
    bindir = Path(sys.executable).parent
    web = [sys.executable, "-m", "pipelines.dagster_web", "--host", "127.0.0.1"]
    services = {
        "Dagster daemon": (None, [str(bindir / "dagster-daemon"), "run", "-w",
                                  "workspace.yaml"]),
        "Dagster UI (read-only)": (DAGSTER_PORT, [*web, "--mode", "viewer", "--port",
                                                  str(DAGSTER_PORT)]),
        "Dagster operator UI": (OPERATOR_PORT, [*web, "--mode", "operator", "--port",
                                                str(OPERATOR_PORT)]),
    }
    urls = {"review service": review_url()}
    for name, (port, cmd) in services.items():
        slug = name.split(" (")[0].lower().replace(" ", "-")
        pidfile = paths.STATE_DIR / f"{slug}.pid"
        if port is None and pidfile.exists() and _alive(int(pidfile.read_text() or 0)):
            urls[name] = "running"
            continue
        if port is not None and _port_open(port):
            urls[name] = f"http://127.0.0.1:{port}"
            continue
        with open(logs / f"{slug}.log", "ab") as out:
            proc = subprocess.Popen(cmd, cwd=paths.ROOT, env=env, stdout=out, stderr=out,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        pidfile.write_text(str(proc.pid))
        if port is None:
            time.sleep(1)
            if proc.poll() is not None:
                log(f"{name} did not start; see {logs / f'{slug}.log'}")
                continue
            urls[name] = f"running (pid {proc.pid}; log {logs / f'{slug}.log'})"
            continue
        for _ in range(120):
            if _port_open(port) or proc.poll() is not None:
                break
            time.sleep(0.5)
        if not _port_open(port):
            log(f"{name} did not start; see {logs / f'{slug}.log'}")
            continue
        urls[name] = f"http://127.0.0.1:{port}"
    urls["release calendar (public)"] = f"{review_url()}/calendar"
    urls["release calendar (iCalendar)"] = f"{review_url()}/calendar.ics"
    return urls


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True
