"""The record of every access to a staged release, as the review app decides it.

Every view of a staged release, its preview, charts or reports, and every
refusal, is an entry of the keyed audit chain (``release_viewed`` or
``release_view_refused``, naming who, what, when and on what basis), so a
record of who saw a release early cannot be removed or edited undetected; a
release's state ignores them (``approvals.release_status``). The rule itself
is ``pipelines.prerelease.access``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from pipelines.prerelease.access import (
    PRODUCTION_ROLES,
    AccessDecision,
    access_list,
    decide,
    department_list,
)
from pipelines.release.approvals import PUBLISHED
from pipelines.release.audit import ACCESS_DECISIONS, Decision


class AccessLog:
    """Append and read access records: entries of the audit log (``AuditStore``)."""

    def __init__(self, store):
        self.store = store

    def record(self, *, user, dataset_id: str, release_id: str, what: str,
               decision: AccessDecision, at: datetime | None = None) -> None:
        role = next((r.value for r in sorted(user.roles, key=lambda r: r.value)
                     if r.value in PRODUCTION_ROLES), None) or \
            next((r.value for r in sorted(user.roles, key=lambda r: r.value)), "none")
        self.store.record(
            actor=user.username, role=role, dataset_id=dataset_id, release_id=release_id,
            decision=Decision.release_viewed if decision.allowed
            else Decision.release_view_refused,
            comment=decision.basis, at=at or datetime.now(UTC),
            detail={"what": what, "basis": decision.basis})

    def entries(self, release_id: str, limit: int = 500) -> list[dict]:
        """The release's access records, newest first."""
        out = []
        for e in self.store.entries(release_id=release_id, newest_first=True):
            if e.decision not in ACCESS_DECISIONS:
                continue
            out.append({"at": e.at, "actor": e.actor, "dataset_id": e.dataset_id,
                        "release_id": e.release_id, "what": str(e.detail.get("what", "")),
                        "allowed": e.decision == Decision.release_viewed,
                        "basis": str(e.detail.get("basis") or e.comment)})
            if len(out) >= limit:
                break
        return out


def guard(log: AccessLog, user, info, spec_for: Callable[[str], object | None], what: str,
          now: datetime) -> AccessDecision:
    """Decide and record one access by ``user`` to ``info`` (a ``ReleaseInfo``).

    ``spec_for(dataset_id)`` gives the dataset's current spec (for its list),
    or None if the dataset has no spec any more: then only the department-wide
    list applies.
    """
    spec = spec_for(info.dataset_id)
    entries = access_list(spec) if spec is not None else department_list()
    decision = decide(user, entries, published=info.status.state == PUBLISHED,
                      scheduled=info.scheduled, now=now)
    log.record(user=user, dataset_id=info.dataset_id, release_id=info.id, what=what,
               decision=decision, at=now)
    return decision
