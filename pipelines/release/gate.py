"""The publication gate: the last check before anything reaches the public.

The review service runs it immediately before a publication starts and again
under the dataset lock at the switch to public. It trusts nothing staged
earlier: the audit chain must verify (keys and anchors), the service's copy
of the manifest must hash to the release id, the log must show an approval
by a champion who did not stage it and nothing since that revokes it, the
embargo must have passed on the service's own clock, and every file and
report in the pipeline host's release folder must match the manifest. Any
doubt is a refusal (fail closed).
"""

from __future__ import annotations

from datetime import datetime

from pipelines.errors import FivestarError, Location, Problem
from pipelines.release.approvals import APPROVED, PUBLISHED, ReleaseInfo
from pipelines.release.audit import ChainReport, Decision
from pipelines.release.embargo import is_due, scheduled_time
from pipelines.release.manifest import verify_files
from pipelines.release.users import Role

_REASONS = {
    "rejected": "it was rejected", "withdrawn": "it was withdrawn",
    "superseded": "a newer candidate of the same dataset and period replaced it",
    "awaiting_approval": "it has not been approved",
    "not_staged": "it has no audit record (not staged through fivestar)",
}


class PublicationRefused(FivestarError):
    """The release may not be published (now, or in its current bytes)."""


def check_decisions(info: ReleaseInfo, chain: ChainReport, now: datetime,
                    newer_published: bool = False) -> None:
    """Raise ``PublicationRefused`` unless the log allows publishing ``info`` now."""
    where = Location(file=info.id)
    if not chain.ok:
        raise PublicationRefused([Problem(
            "audit-chain-broken", "the audit log does not verify; nothing is published until "
            "it is investigated", where), *(Problem(b.code, str(b), where)
                                           for b in chain.breaks[:20])])
    status = info.status
    if status.state not in (APPROVED, PUBLISHED) or status.approval is None:
        reason = _REASONS.get(status.state, f"its state is {status.state}")
        raise PublicationRefused(Problem("not-approved", f"refused: {reason}", where))
    approval = status.approval
    if approval.decision != Decision.approved or approval.release_id != info.id or \
            approval.role != Role.transparency_champion.value:
        raise PublicationRefused(Problem("not-approved", "approval does not cover this release",
                                         where))
    if approval.actor in status.stagers:
        raise PublicationRefused(Problem(
            "separation-of-duties", "the approver also staged this release", where))
    if status.dataset_id != info.manifest.get("dataset_id"):
        raise PublicationRefused(Problem("dataset-mismatch",
                                         "audit log and manifest disagree on the dataset", where))
    if status.state == PUBLISHED and newer_published:
        # Re-publishing the same release is idempotent; re-publishing an older one
        # after a newer went out would silently roll the public data back.
        raise PublicationRefused(Problem(
            "superseded", "a newer release of this dataset has been published since", where))
    due = scheduled_time(info.manifest, approval.at, approval.release_at, info.moved_to)
    if not is_due(due, now):
        raise PublicationRefused(Problem(
            "embargoed", f"embargoed until {due.isoformat()}; no release before that", where))


def check_folder(info: ReleaseInfo) -> None:
    """Raise unless the release folder holds exactly the approved bytes."""
    problems = verify_files(info.path, info.manifest)
    if problems:
        raise PublicationRefused([Problem(
            "files-changed", "files differ from the approved manifest; publication refused",
            Location(file=info.id)), *problems])
