"""The publication gate: the last check before anything reaches the public.

Called immediately before upload. It trusts nothing staged earlier: it
re-reads the manifest, recomputes the release id from its bytes, replays the
audit log, re-hashes every file, and checks the embargo against the clock it
is given. Any doubt is a refusal (fail closed).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pipelines.errors import FivestarError, Location, Problem
from pipelines.release.approvals import APPROVED, PUBLISHED, release_status
from pipelines.release.audit import AuditStore, Decision
from pipelines.release.embargo import is_due, scheduled_time
from pipelines.release.manifest import Manifest, ManifestError, load_manifest, verify_files
from pipelines.release.users import Role
from pipelines.release_calendar.store import moved_release_time


class PublicationRefused(FivestarError):
    """The release may not be published (now, or in its current bytes)."""


def check_publishable(release_dir: Path, store: AuditStore, now: datetime) -> Manifest:
    """Return the approved manifest, or raise ``PublicationRefused`` saying why."""
    release_dir = Path(release_dir)
    where = Location(file=release_dir.name)
    try:
        manifest, rid = load_manifest(release_dir)
    except ManifestError as exc:
        raise PublicationRefused(exc.problems) from None
    if release_dir.name != rid:
        raise PublicationRefused(Problem(
            "manifest_changed", "manifest.json no longer hashes to this release id "
            "(changed after staging)", where))
    status = release_status(store, rid)
    if status.state not in (APPROVED, PUBLISHED) or status.approval is None:
        reason = {
            "rejected": "it was rejected", "withdrawn": "it was withdrawn",
            "superseded": "a newer candidate of the same dataset and period replaced it",
            "awaiting_approval": "it has not been approved",
            "not_staged": "it has no audit record (not staged through fivestar)",
        }.get(status.state, f"its state is {status.state}")
        raise PublicationRefused(Problem("not_approved", f"refused: {reason}", where))
    approval = status.approval
    if approval.release_id != rid or approval.role != Role.transparency_champion.value:
        raise PublicationRefused(Problem("not_approved", "approval does not cover this release",
                                         where))
    if approval.actor in status.stagers:
        raise PublicationRefused(Problem(
            "separation_of_duties", "the approver also staged this release", where))
    if status.dataset_id != manifest.get("dataset_id"):
        raise PublicationRefused(Problem("dataset_mismatch",
                                         "audit log and manifest disagree on the dataset", where))
    if status.state == PUBLISHED:
        # Re-publishing the same release is idempotent; re-publishing an older one
        # after a newer went out would silently roll the public data back.
        newer = [e for e in store.entries(dataset_id=status.dataset_id,
                                          decision=Decision.published)
                 if e.release_id != rid and e.id > (status.last.id if status.last else 0)]
        if newer:
            raise PublicationRefused(Problem(
                "superseded", "a newer release of this dataset has been published since",
                where))
    due = scheduled_time(manifest, approval.at, approval.release_at,
                         moved_to=moved_release_time(store, manifest))
    if not is_due(due, now):
        raise PublicationRefused(Problem(
            "embargoed", f"embargoed until {due.isoformat()}; no release before that", where))
    problems = verify_files(release_dir, manifest)
    if problems:
        raise PublicationRefused([Problem(
            "files_changed", "files differ from the approved manifest; publication refused",
            where), *problems])
    return manifest
