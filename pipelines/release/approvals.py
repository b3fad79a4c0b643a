"""Approve, reject, withdraw: the decisions, their rules, and a release's status.

Rules (enforced here, so the review app and the CLI cannot differ):

* only a ``transparency_champion`` approves or rejects;
* separation of duties: whoever staged a release (any ``staged`` entry for its
  id) can never approve or reject it, whatever roles they hold; a release
  with no identified stager cannot be approved at all (we could not check);
* an approval binds to the manifest hash: the files are re-hashed against the
  manifest before approving, and the gate re-hashes again before upload;
* a statistician or champion can withdraw a dataset's pending request or its
  published release; the decision is recorded before CKAN is touched, so a
  pending publication is stopped even if CKAN is unreachable.

A release's status is derived from the audit log alone (``release_status``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ckanapi

from pipelines import paths
from pipelines.errors import FivestarError, Location, Problem
from pipelines.release.audit import AuditEntry, AuditStore, Decision
from pipelines.release.embargo import scheduled_time
from pipelines.release.manifest import (
    MANIFEST_NAME,
    Manifest,
    ManifestError,
    is_release_id,
    load_manifest,
    verify_files,
)
from pipelines.release.users import Role, User

MAX_COMMENT = 4000
#: Stager names that identify nobody: such a release cannot be approved.
ANONYMOUS = {"", "unknown", "anonymous"}
WITHDRAW_ROLES = (Role.statistician, Role.transparency_champion)


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
    approval: AuditEntry | None = None
    last: AuditEntry | None = None
    refusals: int = 0
    entries: list[AuditEntry] = field(default_factory=list)

    @property
    def publishable_state(self) -> bool:
        return self.state in (APPROVED, PUBLISHED) and self.approval is not None


def release_status(store: AuditStore, release_id: str) -> ReleaseStatus:
    """Replay the audit entries of one release into its current state."""
    status = ReleaseStatus(release_id=release_id)
    for e in store.entries(release_id=release_id):
        status.entries.append(e)
        status.dataset_id = e.dataset_id
        status.last = e
        if e.decision == Decision.staged:
            status.stagers.add(e.actor)
            if status.state in (UNKNOWN, REJECTED, WITHDRAWN, SUPERSEDED):
                status.state = AWAITING
        elif e.decision == Decision.approved:
            status.state, status.approval = APPROVED, e
        elif e.decision in (Decision.rejected, Decision.withdrawn):
            status.state, status.approval = (
                REJECTED if e.decision == Decision.rejected else WITHDRAWN), None
        elif e.decision == Decision.superseded:
            status.state, status.approval = SUPERSEDED, None
        elif e.decision == Decision.published:
            status.state = PUBLISHED
        elif e.decision == Decision.publication_refused:
            status.refusals += 1
    return status


# -- finding releases --------------------------------------------------------


def releases_root(root: Path | None = None) -> Path:
    return Path(root) if root else paths.releases_dir()


def find_release(ref: str, root: Path | None = None) -> Path:
    """The folder of a release by full id or unique prefix (at least 8 hex digits)."""
    root = releases_root(root)
    ref = ref.strip().lower()
    if len(ref) < 8 or not all(c in "0123456789abcdef" for c in ref):
        raise ReleaseNotFound("give a release id (at least its first 8 hex digits)")
    matches = sorted(p for p in root.glob(f"*/{ref}*") if (p / MANIFEST_NAME).is_file()
                     and is_release_id(p.name))
    if not matches:
        raise ReleaseNotFound(f"no staged release {ref}")
    if len({p.name for p in matches}) > 1:
        raise ReleaseNotFound(f"release prefix {ref} is ambiguous; give more digits")
    return matches[0]


@dataclass
class ReleaseInfo:
    """A staged release folder with its manifest and audit status."""

    id: str
    path: Path
    manifest: Manifest
    status: ReleaseStatus
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


def load_release(path: Path, store: AuditStore) -> ReleaseInfo:
    from pipelines.release_calendar.store import moved_release_time

    manifest, rid = load_manifest(path)
    return ReleaseInfo(id=rid, path=path, manifest=manifest, status=release_status(store, rid),
                       moved_to=moved_release_time(store, manifest))


def list_releases(store: AuditStore, root: Path | None = None,
                  states: set[str] | None = None) -> list[ReleaseInfo]:
    """Every staged release folder (skipping unreadable ones), newest activity first."""
    out: list[ReleaseInfo] = []
    for path in sorted(releases_root(root).glob(f"*/*/{MANIFEST_NAME}")):
        if not is_release_id(path.parent.name):
            continue
        try:
            info = load_release(path.parent, store)
        except ManifestError:
            continue
        if states is None or info.status.state in states:
            out.append(info)
    epoch = datetime.min.replace(tzinfo=UTC)
    out.sort(key=lambda r: r.status.last.at if r.status.last else epoch, reverse=True)
    return out


# -- decisions ---------------------------------------------------------------


def _comment(comment: str | None, required: bool, what: str) -> str:
    text = (comment or "").strip()
    if required and not text:
        raise ApprovalError(f"{what} needs a comment")
    if len(text) > MAX_COMMENT:
        raise ApprovalError(f"comment is longer than {MAX_COMMENT} characters")
    return text


def record_staged(store: AuditStore, manifest: Manifest, release_id: str, user: str,
                  *, now: datetime | None = None, comment: str = "") -> AuditEntry:
    """Record who staged a release (the basis of separation of duties)."""
    return store.record(actor=user or "unknown", role=Role.statistician.value,
                        dataset_id=str(manifest["dataset_id"]), release_id=release_id,
                        decision=Decision.staged, comment=comment, at=now)


def supersede_older(store: AuditStore, manifest: Manifest, release_id: str, user: str,
                    root: Path | None = None, *, now: datetime | None = None
                    ) -> list[AuditEntry]:
    """Retire the other open candidates (awaiting, or approved and not yet out) of the
    same dataset and period, so the champion sees one candidate, the newest."""
    out = []
    for info in list_releases(store, root, states={AWAITING, APPROVED}):
        if info.id == release_id or info.dataset_id != manifest.get("dataset_id") \
                or info.manifest.get("period") != manifest.get("period"):
            continue
        out.append(store.record(actor=user, role=Role.statistician.value,
                                dataset_id=info.dataset_id, release_id=info.id,
                                decision=Decision.superseded, at=now,
                                comment=f"superseded by release {release_id}"))
    return out


def _open_for_decision(release_dir: Path, store: AuditStore, user: User,
                       verb: str) -> tuple[Manifest, str, ReleaseStatus]:
    if not user.has(Role.transparency_champion):
        raise PermissionDenied(f"only a Transparency Champion can {verb} a release")
    manifest, rid = load_manifest(release_dir)
    if Path(release_dir).name != rid:
        raise ApprovalError(Problem("id_mismatch", "release folder name is not its manifest hash",
                                    Location(file=str(release_dir))))
    status = release_status(store, rid)
    if user.username in status.stagers:
        raise PermissionDenied(
            f"separation of duties: you staged this release, so you cannot {verb} it")
    return manifest, rid, status


def approve(store: AuditStore, release_dir: Path, user: User, comment: str | None = None,
            *, now: datetime | None = None, release_at: datetime | None = None) -> AuditEntry:
    """Approve exactly this manifest hash for publication at its scheduled time."""
    manifest, rid, status = _open_for_decision(release_dir, store, user, "approve")
    if status.state != AWAITING:
        raise ApprovalError(f"release is {status.state.replace('_', ' ')}, not awaiting approval")
    if not (status.stagers - ANONYMOUS):
        raise ApprovalError("nobody identifiable staged this release, so separation of duties "
                            "cannot be checked; restage it with FIVESTAR_USER set")
    problems = verify_files(release_dir, manifest)
    if problems:
        raise ApprovalError([Problem("release_changed",
                                     "release files no longer match the manifest"), *problems])
    if release_at is not None and release_at.tzinfo is None:
        raise ApprovalError("release time must include a timezone")
    return store.record(actor=user.username, role=Role.transparency_champion.value,
                        dataset_id=str(manifest["dataset_id"]), release_id=rid,
                        decision=Decision.approved,
                        comment=_comment(comment, False, "an approval"),
                        release_at=release_at, at=now)


def reject(store: AuditStore, release_dir: Path, user: User, comment: str | None,
           *, now: datetime | None = None) -> AuditEntry:
    """Reject a release awaiting approval, or revoke an approval not yet published."""
    manifest, rid, status = _open_for_decision(release_dir, store, user, "reject")
    if status.state not in (AWAITING, APPROVED):
        raise ApprovalError(f"release is {status.state.replace('_', ' ')}; cannot reject it")
    return store.record(actor=user.username, role=Role.transparency_champion.value,
                        dataset_id=str(manifest["dataset_id"]), release_id=rid,
                        decision=Decision.rejected, comment=_comment(comment, True, "a rejection"),
                        at=now)


@dataclass
class Withdrawal:
    """What a withdrawal did: audit entries written, and whether CKAN needs updating."""

    entries: list[AuditEntry]
    was_published: bool


def withdraw(store: AuditStore, dataset_id: str, user: User, reason: str,
             *, now: datetime | None = None) -> Withdrawal:
    """Withdraw every pending, approved or published release of a dataset.

    Records the decision only; the caller then calls
    ``withdraw_from_catalogue`` if ``was_published`` (or always, to be sure).
    """
    role = next((r for r in WITHDRAW_ROLES if user.has(r)), None)
    if role is None:
        raise PermissionDenied("only a statistician or a Transparency Champion can withdraw")
    reason = _comment(reason, True, "a withdrawal")
    entries: list[AuditEntry] = []
    was_published = False
    seen: set[str] = set()
    for e in store.entries(dataset_id=dataset_id):
        if not e.release_id or e.release_id in seen:
            continue
        seen.add(e.release_id)
        status = release_status(store, e.release_id)
        if status.state in (AWAITING, APPROVED, PUBLISHED):
            was_published |= status.state == PUBLISHED
            entries.append(store.record(actor=user.username, role=role.value,
                                        dataset_id=dataset_id, release_id=e.release_id,
                                        decision=Decision.withdrawn, comment=reason, at=now))
    if not entries:
        # Still record the decision: the dataset may be public from before.
        entries.append(store.record(actor=user.username, role=role.value, dataset_id=dataset_id,
                                    release_id=None, decision=Decision.withdrawn,
                                    comment=reason, at=now))
    return Withdrawal(entries=entries, was_published=was_published)


def last_published(store: AuditStore, dataset_id: str,
                   root: Path | None = None) -> tuple[str, Path] | None:
    """The dataset's most recent release that was published and is still public."""
    for e in store.entries(dataset_id=dataset_id, decision=Decision.published,
                           newest_first=True):
        if not e.release_id or release_status(store, e.release_id).state != PUBLISHED:
            continue
        path = releases_root(root) / dataset_id / e.release_id
        if (path / MANIFEST_NAME).is_file():
            return e.release_id, path
    return None


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
        patch: dict[str, Any] = {"id": dataset_id, "private": True,
                                 "notes": f"{notes}\n\n{marker}" if notes else marker}
        try:
            ckan.action.package_patch(**patch, withdrawn_reason=reason)
        except ckanapi.ValidationError:  # a schema without that field: retry without it
            ckan.action.package_patch(**patch)
    from pipelines.catalogue import content  # the release's linked data goes too (h15)

    content.withdraw(current.get("uri"), dataset_id)
    if mode == "delete":
        ckan.action.package_delete(id=dataset_id)
