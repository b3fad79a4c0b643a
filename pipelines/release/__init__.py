"""Release governance: staged releases, approval bound to the bytes, embargoed publication.

Two sides, because the pipeline host must not be able to decide anything:

* the **review service** (``authority`` and everything it uses: ``audit``,
  ``records``, ``keys``, ``signed``, ``users``, ``approvals``, ``gate``,
  ``locks``, ``home``) owns the users, the audit log and its keys, in a home
  folder only its own OS user can read, and takes every decision;
* the **pipeline host** (this module, ``stage``, ``manifest``, ``diff``) builds
  immutable release folders and talks to the service through ``client``:
  it registers a staging with the statistician's signed ticket, asks the
  service's gate before a publication and reports how it went.

``sensor`` and ``embargo`` are pure functions of the releases and the time.
This module exposes what the Dagster assets call: ``stage_and_register``
and ``publish_approved``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines import paths, publish
from pipelines.contracts.catalogue import PublishResult
from pipelines.contracts.conversion import ConversionResult
from pipelines.contracts.manifest import Manifest
from pipelines.errors import FivestarError, Location, Problem
from pipelines.release.client import PublicationRefused, ReviewServiceClient
from pipelines.release.manifest import (
    ManifestError,
    canonical_json,
    load_manifest,
    parse_manifest,
    verify_files,
)
from pipelines.release.stage import (
    StagedRelease,
    release_payload,
    stage_conversion,
    stage_release,
)


def published_release(spec: Any, client: ReviewServiceClient, *,
                      releases_root: Path | None = None) -> tuple[str, Path] | None:
    """The dataset's release the public sees now (the service says which), and its folder.

    None when nothing is published, or its folder is not on this host.
    """
    root = Path(releases_root) if releases_root else paths.releases_dir()
    published = client.last_published(spec.id)
    folder = root / spec.id / published if published else None
    if folder is None or not (folder / "manifest.json").is_file():
        return None
    return str(published), folder


def claim_ticket(spec: Any, client: ReviewServiceClient, ticket: str | None,
                 run_id: str) -> dict[str, Any] | None:
    """At a staging run's start: the service checks the ticket now (its 30 minutes) and
    binds it to this run, so the run's last step registers however long it took and no
    other run can use the ticket. None without a ticket (staging then fails at its end
    with ``no-ticket``: nothing is staged without one)."""
    return client.claim_ticket(ticket, run_id, spec.id) if ticket else None


def stage_and_register(spec: Any, result: ConversionResult, client: ReviewServiceClient,
                       ticket: str | None, *, releases_root: Path | None = None,
                       run_id: str | None = None) -> tuple[StagedRelease, str]:
    """Stage the conversion output and register it with the service under ``ticket``.

    Returns the staged release and the stager the service recorded. Without a
    ticket nothing is staged: the staging must carry an identity the service
    authenticated, never a name the run was given. ``run_id`` is the run that
    claimed the ticket at its start (:func:`claim_ticket`).
    """
    if not ticket:
        raise FivestarError(Problem(
            "no-ticket", "no staging ticket: stage with `fivestar stage` (it asks you to sign "
            "in), or launch from Dagster with the run tag fivestar/ticket set to the output "
            "of `fivestar ticket DATASET`", Location(field="fivestar/ticket")))
    root = Path(releases_root) if releases_root else paths.releases_dir()
    published = published_release(spec, client, releases_root=root)
    staged = stage_conversion(spec, result, baseline=published[1] if published else None,
                              releases_root=root)
    manifest_bytes, reports = release_payload(staged)
    entry = client.register_staging(ticket, manifest_bytes, reports, run_id)["entry"]
    return staged, str(entry["actor"])


def _codes(exc: Exception) -> list[str]:
    problems = getattr(exc, "problems", None) or []
    return sorted({p.code for p in problems}) or [type(exc).__name__]


def publish_approved(spec: Any, release_id: str, ckan: Any, client: ReviewServiceClient, *,
                     releases_root: Path | None = None) -> PublishResult:
    """Publish an approved release: the service's gate, upload, then the service records it.

    The service holds the approved manifest; the release folder here must
    match it byte for byte (a tampered manifest or file fails loudly and is
    recorded). A failure during upload is recorded as ``publication_failed``
    and raised, so the sensor retries it later. Returns ``{"dataset_url",
    "resource_urls"}`` for asset metadata.
    """
    plan = client.begin_publication(release_id)  # refusals are recorded by the service
    manifest, rid = parse_manifest(plan["manifest_bytes"])
    if rid != release_id or manifest.get("dataset_id") != spec.id:
        raise PublicationRefused("the service's release does not belong to this dataset")
    root = Path(releases_root) if releases_root else paths.releases_dir()
    release_dir = root / spec.id / rid
    try:
        local, local_id = load_manifest(release_dir)
        if canonical_json(local) != plan["manifest_bytes"] or local_id != rid:
            raise ManifestError(Problem("manifest-changed", "the release folder's manifest is "
                                        "not the approved one", Location(file=rid)))
        problems = verify_files(release_dir, manifest)
        if problems:
            raise PublicationRefused([Problem("files-changed", "files differ from the approved "
                                              "manifest; publication refused",
                                              Location(file=rid)), *problems])
    except (ManifestError, PublicationRefused) as exc:
        client.record_failure(rid, _codes(exc))
        raise PublicationRefused(exc.problems) from None
    try:
        nxt = plan.get("next_release")  # the series' next date, from the service's calendar
        result = publish.publish_release(
            ckan, release_dir, manifest, rid,
            next_release=datetime.fromisoformat(nxt) if nxt else announced_next(spec),
            superseded=superseded_release(release_dir, manifest),
            switch=lambda request: client.switch(rid, request))
    except PublicationRefused:
        raise  # refused at the switch: the service has recorded why
    except Exception as exc:
        client.record_failure(rid, _codes(exc))
        raise
    client.record_published(rid, result.dataset_url)
    return result


def superseded_release(release_dir: Path, manifest: Manifest
                       ) -> publish.Superseded | None:
    """For a correction: the release it corrects, whose files stay public as ``previous/…``.

    Read from that release's own folder beside this one and re-hashed against
    its manifest (it was approved and published before; nothing else rides along).
    """
    revision = manifest.get("revision") or {}
    old_id = revision.get("of_release")
    if not old_id:
        return None
    old_dir = Path(release_dir).parent / old_id
    old_manifest, _ = load_manifest(old_dir)
    problems = verify_files(old_dir, old_manifest)
    if problems:
        raise publish.PublicationError([Problem(
            "superseded-changed", "the corrected release's files no longer match its "
            "manifest", Location(file=old_id)), *problems])
    return publish.Superseded(old_dir, old_manifest,
                              revision.get("previous_version") or old_id[:12])


def announced_next(spec: Any, now: datetime | None = None) -> datetime | None:
    """The spec's next pre-announced release after ``now``, for a dataset whose spec
    the review service does not hold (its calendar then knows no moved date)."""
    from pipelines.release_calendar.schedule import coming_releases

    now = now or datetime.now(UTC)
    coming = [s.release_at for s in coming_releases(spec, now) if s.release_at > now]
    return coming[0] if coming else None


__all__ = ["StagedRelease", "announced_next", "claim_ticket", "publish_approved",
           "published_release",
           "stage_and_register", "stage_release", "superseded_release"]
