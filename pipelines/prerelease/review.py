"""The pre-release rule as the review app applies it to one staged release."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pipelines.prerelease.access import (
    AccessDecision,
    AccessLog,
    access_list,
    decide,
    department_list,
)


def guard(log: AccessLog, user, info, spec_for: Callable[[str], object | None], what: str,
          now: datetime) -> AccessDecision:
    """Decide and record one access by ``user`` to ``info`` (a ``ReleaseInfo``).

    ``spec_for(dataset_id)`` gives the dataset's current spec (for its list),
    or None if the dataset has no spec any more: then only the department-wide
    list applies.
    """
    from pipelines.release.approvals import PUBLISHED

    spec = spec_for(info.dataset_id)
    entries = access_list(spec) if spec is not None else department_list()
    decision = decide(user, entries, published=info.status.state == PUBLISHED,
                      scheduled=info.scheduled, now=now)
    log.record(user=user, dataset_id=info.dataset_id, release_id=info.id, what=what,
               decision=decision, at=now)
    return decision
