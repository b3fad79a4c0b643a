"""Which approved releases are due for publication: the logic behind the Dagster sensor.

A pure function of the audit log, the release folders and the time, so the
embargo rule is tested with an injected clock; ``pipelines/sensors.py`` only
turns its answer into run requests. The gate re-checks everything at upload
time, so a wrong answer here can delay a release but never leak one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipelines.release.approvals import APPROVED, list_releases
from pipelines.release.audit import AuditStore
from pipelines.release.embargo import is_due


@dataclass(frozen=True)
class DuePublication:
    """An approved release whose scheduled time has come."""

    dataset_id: str
    release_id: str
    period: str | None
    scheduled_at: datetime
    release_dir: Path
    #: The audit entry id of the approval being acted on.
    approval_id: int

    @property
    def run_key(self) -> str:
        """One publication run per approval (a re-approval after rejection is a new key)."""
        return f"publish-{self.release_id}-{self.approval_id}"


def scheduled_publications(store: AuditStore, root: Path | None = None) -> list[DuePublication]:
    """Every approved, not yet published release with its scheduled time, earliest first."""
    out = []
    for info in list_releases(store, root, states={APPROVED}):
        when = info.scheduled
        if when is None or info.status.approval is None:
            continue
        out.append(DuePublication(dataset_id=info.dataset_id, release_id=info.id,
                                  period=info.manifest.get("period"), scheduled_at=when,
                                  release_dir=info.path, approval_id=info.status.approval.id))
    return sorted(out, key=lambda d: (d.scheduled_at, d.dataset_id))


def due_publications(store: AuditStore, now: datetime,
                     root: Path | None = None) -> list[DuePublication]:
    """Approved releases due at ``now`` (never one second before their time)."""
    return [d for d in scheduled_publications(store, root) if is_due(d.scheduled_at, now)]
