"""A release's state, read from the audit log, and the rules decisions follow.

The review service (``authority.py``) is the only caller: the CLI and the
review app reach these rules through it, so they can never differ.

* only a ``transparency_champion`` approves or rejects;
* separation of duties: whoever staged a release (any ``staged`` entry for its
  id) can never approve or reject it, whatever roles they hold;
* a statistician or champion can withdraw a dataset's pending request or its
  published release; a withdrawal is final for the releases it covers (only
  restaging, and a new approval, brings the dataset back).

A release's status is derived from the audit log alone (``release_status``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ckanapi

from pipelines.errors import FivestarError
from pipelines.release.audit import ACCESS_DECISIONS, AuditEntry, AuditStore, Decision
from pipelines.release.embargo import scheduled_time
from pipelines.release.manifest import Manifest
from pipelines.release.users import Role

MAX_COMMENT = 4000
WITHDRAW_ROLES = (Role.statistician, Role.transparency_champion)
#: Who may ask the service to carry out a due publication (the gate decides).
PUBLISH_ROLES = (Role.publisher, Role.operator, Role.statistician,
                 Role.transparency_champion, Role.admin)


class PermissionDenied(FivestarError):
    """The acting user may not take this decision (HTTP 403)."""


class ApprovalError(FivestarError):
    """The decision is not possible in the release's current state (HTTP 409)."""


class ReleaseNotFound(FivestarError):
    """No staged release has this id (HTTP 404)."""


# -- status ------------------------------------------------------------------

AWAITING = "awaiting_approval"
APPROVED = "approved"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
#: A newer candidate of the same dataset and period replaced it before publication.
SUPERSEDED = "superseded"
PUBLISHED = "published"
UNKNOWN = "not_staged"


@dataclass
class ReleaseStatus:
    """What the audit log says about one release id."""

    release_id: str
    dataset_id: str | None = None
    state: str = UNKNOWN
    stagers: set[str] = field(default_factory=set)
    #: The ``staged`` entries' evidence (report hashes), newest last.
    staged: list[AuditEntry] = field(default_factory=list)
    approval: AuditEntry | None = None
    last: AuditEntry | None = None
    refusals: int = 0
    #: Failed or refused publication attempts since the current approval.
    failures_since_approval: int = 0
    last_failure: AuditEntry | None = None
    #: A ``publishing`` intent no outcome has followed yet (switch under way, or interrupted).
    pending_switch: AuditEntry | None = None
    entries: list[AuditEntry] = field(default_factory=list)


def release_status(store: AuditStore, release_id: str) -> ReleaseStatus:
    """Replay the audit entries of one release into its current state."""
    status = ReleaseStatus(release_id=release_id)
    for e in store.entries(release_id=release_id):
        if e.decision in ACCESS_DECISIONS:  # who looked (pre-release access), not a decision
            continue
        status.entries.append(e)
        status.dataset_id = e.dataset_id
        status.last = e
        status.pending_switch = e if e.decision == Decision.publishing else None
        if e.decision == Decision.staged:
            status.stagers.add(e.actor)
            status.staged.append(e)
            if status.state in (UNKNOWN, REJECTED, WITHDRAWN, SUPERSEDED):
                status.state = AWAITING
        elif e.decision == Decision.approved:
            status.state, status.approval = APPROVED, e
            status.failures_since_approval, status.last_failure = 0, None
        elif e.decision in (Decision.rejected, Decision.withdrawn):
            status.state, status.approval = (
                REJECTED if e.decision == Decision.rejected else WITHDRAWN), None
        elif e.decision == Decision.superseded:
            status.state, status.approval = SUPERSEDED, None
        elif e.decision == Decision.published:
            status.state = PUBLISHED
        elif e.decision in (Decision.publication_refused, Decision.publication_failed):
            status.refusals += 1
            if status.state == APPROVED:
                status.failures_since_approval += 1
                status.last_failure = e
    return status


@dataclass
class ReleaseInfo:
    """A staged release as the service holds it: manifest, audit status, folder."""

    id: str
    manifest: Manifest
    status: ReleaseStatus
    #: Where the pipeline host keeps its files (checked, never trusted).
    path: Path
    #: The release calendar's new time for the pre-announced date, if it was moved.
    moved_to: datetime | None = None

    @property
    def dataset_id(self) -> str:
        return str(self.manifest.get("dataset_id"))

    @property
    def title(self) -> str:
        return str((self.manifest.get("catalogue") or {}).get("title") or self.dataset_id)

    @property
    def scheduled(self) -> datetime | None:
        if self.status.approval is None:
            return None
        a = self.status.approval
        return scheduled_time(self.manifest, a.at, a.release_at, self.moved_to)

    def summary(self) -> dict[str, Any]:
        """What the API returns about a release (no file contents)."""
        s = self.status
        return {
            "release_id": self.id, "dataset_id": self.dataset_id, "title": self.title,
            "period": self.manifest.get("period"), "state": s.state,
            "stars": (self.manifest.get("stars") or {}).get("rating"),
            "stagers": sorted(s.stagers),
            "approved_by": s.approval.actor if s.approval else None,
            "scheduled": self.scheduled.isoformat() if self.scheduled else None,
            "last_activity": s.last.at.isoformat() if s.last else None,
        }


def comment_text(comment: str | None, required: bool, what: str) -> str:
    text = (comment or "").strip()
    if required and not text:
        raise ApprovalError(f"{what} needs a comment")
    if len(text) > MAX_COMMENT:
        raise ApprovalError(f"comment is longer than {MAX_COMMENT} characters")
    return text


def acting_role(user, roles: tuple[Role, ...]) -> Role | None:
    """The first of ``roles`` the user holds: the role recorded for the act."""
    return next((r for r in roles if user.has(r)), None)


#: How a withdrawal shows in CKAN: ``notice`` (findable, withdrawn notice, no files) is
#: the default; ``private`` hides it; ``delete`` soft-deletes it.
WITHDRAW_MODES = ("notice", "private", "delete")


def withdraw_from_catalogue(ckan: Any, dataset_id: str, reason: str,
                            mode: str = "notice") -> None:
    """Withdraw a dataset in CKAN, recording the reason on it.

    ``mode`` ``notice`` (see :mod:`pipelines.catalogue_notices`) keeps the
    page public with a withdrawn notice and removes its files; ``private``
    hides it; ``delete`` is CKAN's soft delete, after the notes are patched.
    Uses ``package_patch`` only: ``package_update`` would drop resources.
    """
    if mode not in WITHDRAW_MODES:
        raise ValueError(f"mode must be one of {', '.join(WITHDRAW_MODES)}")
    current = ckan.action.package_show(id=dataset_id)
    if mode == "notice":
        from pipelines.catalogue_notices import withdraw_with_notice

        withdraw_with_notice(ckan, dataset_id, reason, current=current)
    else:
        when = datetime.now(UTC).strftime("%Y-%m-%d")
        notes = (current.get("notes") or "").rstrip()
        marker = f"**Withdrawn on {when}:** {reason}"
        patch: dict[str, Any] = {"id": dataset_id, "private": True}
        if marker not in notes:  # withdrawing again (a retry) adds no second notice
            patch["notes"] = f"{notes}\n\n{marker}" if notes else marker
        try:
            ckan.action.package_patch(**patch, withdrawn_reason=reason)
        except ckanapi.ValidationError:  # a schema without that field: retry without it
            ckan.action.package_patch(**patch)
    from pipelines.catalogue import content  # the release's linked data goes too (h15)

    content.withdraw(current.get("uri"), dataset_id)
    if mode == "delete":
        ckan.action.package_delete(id=dataset_id)
