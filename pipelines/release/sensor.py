"""Which approved releases are due for publication, and when to try again.

A pure function of the releases the review service holds and the time, so
the embargo rule and the retry schedule are tested with an injected clock;
``pipelines/sensors.py`` only turns its answer into run requests. The service
re-checks everything at the switch to public, so a wrong answer here can
delay a release but never leak one.

A publication that fails is recorded (``publication_failed`` or
``publication_refused``), which changes its run key, so Dagster requests a
new run; the next attempt waits ``RETRY_BASE * 2**(failures-1)`` (capped at
``RETRY_CAP``) after the last failure, so a catalogue that is down is not
hammered and a release still goes out once it is back.

A publisher killed at the switch to public records nothing after its
``publishing`` intent; once that intent is older than ``SWITCH_GRACE`` the
run key names it too, so a new run is requested, and the service reconciles
the intent with the catalogue before that run goes on
(``Authority.begin_publication``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pipelines.release.approvals import APPROVED, ReleaseInfo
from pipelines.release.embargo import is_due

RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=1)
#: How long a switch to public may take after its ``publishing`` intent (the switch,
#: the staging copy's removal, the linked data going live) before it counts as
#: interrupted.
SWITCH_GRACE = timedelta(minutes=15)


@dataclass(frozen=True)
class DuePublication:
    """An approved release whose scheduled time has come (or is scheduled)."""

    dataset_id: str
    release_id: str
    period: str | None
    scheduled_at: datetime
    #: The audit entry id of the approval being acted on.
    approval_id: int
    #: Failed attempts since that approval.
    failures: int = 0
    #: Not before this time (backoff after a failure).
    not_before: datetime | None = None
    #: The audit id of a ``publishing`` intent left by an interrupted attempt.
    interrupted: int | None = None

    @property
    def run_key(self) -> str:
        """One run per approval and attempt: a recorded failure, or an attempt
        interrupted at the switch, makes a new key."""
        key = f"publish-{self.release_id}-{self.approval_id}-{self.failures}"
        return f"{key}-i{self.interrupted}" if self.interrupted else key

    def to_dict(self) -> dict[str, Any]:
        return {"dataset_id": self.dataset_id, "release_id": self.release_id,
                "period": self.period, "scheduled_at": self.scheduled_at.isoformat(),
                "approval_id": self.approval_id, "failures": self.failures,
                "not_before": self.not_before.isoformat() if self.not_before else None,
                "interrupted": self.interrupted, "run_key": self.run_key}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DuePublication:
        return cls(dataset_id=d["dataset_id"], release_id=d["release_id"], period=d["period"],
                   scheduled_at=datetime.fromisoformat(d["scheduled_at"]),
                   approval_id=int(d["approval_id"]), failures=int(d["failures"]),
                   not_before=datetime.fromisoformat(d["not_before"])
                   if d.get("not_before") else None,
                   interrupted=int(d["interrupted"]) if d.get("interrupted") else None)


def backoff(failures: int) -> timedelta:
    if failures <= 0:
        return timedelta(0)
    return min(RETRY_BASE * 2 ** min(failures - 1, 20), RETRY_CAP)


def scheduled_publications(releases: Iterable[ReleaseInfo],
                           now: datetime | None = None) -> list[DuePublication]:
    """Every approved, not yet published release with its schedule, earliest first
    (with ``now``, an intent older than ``SWITCH_GRACE`` marks it interrupted)."""
    out = []
    for info in releases:
        status = info.status
        when = info.scheduled
        if status.state != APPROVED or when is None or status.approval is None:
            continue
        last = status.last_failure
        intent = status.pending_switch
        out.append(DuePublication(
            dataset_id=info.dataset_id, release_id=info.id, period=info.manifest.get("period"),
            scheduled_at=when, approval_id=status.approval.id,
            failures=status.failures_since_approval,
            not_before=(last.at + backoff(status.failures_since_approval)) if last else None,
            interrupted=intent.id if intent is not None and now is not None
            and now - intent.at >= SWITCH_GRACE else None))
    return sorted(out, key=lambda d: (d.scheduled_at, d.dataset_id))


def due_publications(releases: Iterable[ReleaseInfo], now: datetime) -> list[DuePublication]:
    """Approved releases due at ``now``: never before their time, nor during a backoff."""
    return [d for d in scheduled_publications(releases, now)
            if is_due(d.scheduled_at, now) and (d.not_before is None or now >= d.not_before)]
