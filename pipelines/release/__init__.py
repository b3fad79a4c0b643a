"""Release governance: staged releases, approval bound to the bytes, embargoed publication.

The modules are plain functions over plain values (testable without Dagster):

* ``manifest`` — canonical manifest JSON; release id = its sha256; re-hashing;
* ``stage``    — immutable ``releases/<dataset>/<release-id>/`` folders;
* ``diff``     — changes against the last published release;
* ``audit``    — the append-only decision log (SQLite or PostgreSQL);
* ``users``    — local argon2 accounts or a trusted SSO proxy header;
* ``approvals``— approve / reject / withdraw and their rules;
* ``embargo``  — when an approved release may go out;
* ``gate``     — the last check before upload;
* ``sensor``   — which approved releases are due now.

This module exposes what the Dagster assets call: ``stage_conversion``
and ``publish_approved``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pipelines import publish
from pipelines.contracts.catalogue import PublishResult
from pipelines.errors import FivestarError
from pipelines.release.approvals import find_release
from pipelines.release.audit import AuditStore, Decision
from pipelines.release.embargo import Clock, system_clock
from pipelines.release.gate import PublicationRefused, check_publishable
from pipelines.release.stage import StagedRelease, stage_conversion, stage_release

#: The audit log's actor for publication runs started by the sensor.
SYSTEM_ACTOR = "fivestar-publisher"


def publish_approved(spec: Any, release_id: str, ckan: Any, actor: str | None = None, *,
                     store: AuditStore | None = None, clock: Clock = system_clock,
                     releases_root: Path | None = None) -> PublishResult:
    """Publish an approved release: gate, upload via ``pipelines.publish``, record.

    The gate runs immediately before the upload; a refusal is recorded in the
    audit log (codes only, no values) and raised.
    """
    store = store or AuditStore()
    actor = actor or SYSTEM_ACTOR
    try:
        release_dir = find_release(release_id, releases_root)
    except FivestarError:
        store.record(actor=actor, role="system", dataset_id=spec.id, release_id=release_id,
                     decision=Decision.publication_refused, comment="release folder not found")
        raise
    if release_dir.name != release_id or release_dir.parent.name != spec.id:
        raise PublicationRefused("release id does not belong to this dataset")
    now: datetime = clock()
    try:
        manifest = check_publishable(release_dir, store, now)
    except PublicationRefused as exc:
        codes = sorted({p.code for p in exc.problems})
        store.record(actor=actor, role="system", dataset_id=spec.id, release_id=release_id,
                     decision=Decision.publication_refused, comment=", ".join(codes))
        raise
    from pipelines.release_calendar.store import ReleaseCalendar

    coming = [e.release_at for e in ReleaseCalendar(store.engine).entries(
        [spec], now, announce=False) if e.release_at > now]
    result = publish.publish_release(ckan, release_dir, manifest, release_id,
                                     next_release=coming[0] if coming else None)
    store.record(actor=actor, role="system", dataset_id=spec.id, release_id=release_id,
                 decision=Decision.published, comment=result.dataset_url)
    return result


__all__ = ["AuditStore", "PublicationRefused", "StagedRelease", "check_publishable",
           "publish_approved", "stage_conversion", "stage_release"]
