"""The review service's core: the one authority over what may be published.

Everything that decides publication happens here, in the service process,
which alone can read its home (users, audit database, MAC and signing keys):

* **identity** — passwords (argon2id), per-user bearer tokens for the CLI and
  service accounts, server-side review-app sessions;
* **staging** — a statistician's signed, single-use ticket is the only way a
  ``staged`` entry is written, under the ticket's user and actual role; the
  service keeps its own copy of the manifest and reports;
* **decisions** — approve, reject, withdraw, under the dataset's lock, with
  the rules in ``approvals``;
* **publication** — the gate (chain verified, approval standing, embargo
  passed, bytes re-hashed) before a publication starts, and again under the
  dataset lock when it is recorded; a withdrawal or rejection that arrived in
  between wins and the dataset is hidden again;
* **the log** — every act is an entry MAC-chained under the key and anchored
  in the anchor log; ``verify`` checks all of it.

Plain Python with injectable clock and catalogue client, so the rules are
tested without HTTP; ``pipelines.review`` serves it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pipelines import paths
from pipelines.catalogue_notices import is_withdrawn
from pipelines.contracts import Contract, RedactionReport, ValidationReport
from pipelines.contracts.diff import ReleaseDiff
from pipelines.contracts.manifest import Manifest
from pipelines.errors import FivestarError, Location, Problem
from pipelines.release.approvals import (
    APPROVED,
    AWAITING,
    MAX_COMMENT,
    PUBLISH_ROLES,
    PUBLISHED,
    WITHDRAW_MODES,
    WITHDRAW_ROLES,
    ApprovalError,
    PermissionDenied,
    ReleaseInfo,
    ReleaseNotFound,
    acting_role,
    comment_text,
    release_status,
    withdraw_from_catalogue,
)
from pipelines.release.audit import (
    AnchorLog,
    AuditEntry,
    AuditStore,
    ChainBreak,
    ChainReport,
    Decision,
)
from pipelines.release.embargo import Clock, system_clock
from pipelines.release.gate import PublicationRefused, check_decisions, check_folder
from pipelines.release.home import ServiceHome
from pipelines.release.keys import ServiceKeys
from pipelines.release.locks import DatasetLocks
from pipelines.release.manifest import ManifestError, is_release_id, parse_manifest, verify_files
from pipelines.release.records import ServiceRecords
from pipelines.release.sensor import SWITCH_GRACE, DuePublication, due_publications
from pipelines.release.signed import TICKET, TICKET_TTL, SignatureRefused, sign, verify
from pipelines.release.users import Role, User, UserDirectory

log = logging.getLogger("fivestar.review")

#: The reports a release carries that the service reads, by manifest name.
REPORT_CONTRACTS: dict[str, type[Contract]] = {
    "validation": ValidationReport, "redaction": RedactionReport, "diff": ReleaseDiff}

TOKEN_TTL = timedelta(hours=12)
#: How long a staging run may take after it claimed its ticket at its start.
CLAIMED_TTL = timedelta(hours=24)
SERVICE_TOKEN_TTL = timedelta(days=366)
MAX_REPORT_BYTES = 20 * 1024 * 1024


class NotAuthenticated(FivestarError):
    """No valid credential (HTTP 401)."""


class StagingRefused(FivestarError):
    """A staging registration was refused (HTTP 403/409)."""


@dataclass
class Withdrawal:
    """What a withdrawal did: audit entries written, and the catalogue's outcome."""

    entries: list[AuditEntry]
    was_published: bool
    #: None when the catalogue was updated (or not asked); else the error class.
    catalogue_error: str | None = None


@dataclass
class PublicationPlan:
    """What the publisher needs to upload: the approved manifest, as the service holds it."""

    release_id: str
    dataset_id: str
    manifest: Manifest
    manifest_bytes: bytes
    approval_id: int


@dataclass
class _UsersCache:
    path: Path
    mtime: float | None = None
    directory: UserDirectory | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self) -> UserDirectory:
        with self.lock:
            try:
                mtime = self.path.stat().st_mtime
            except OSError:
                mtime = None
            if self.directory is None or mtime != self.mtime:
                self.directory, self.mtime = UserDirectory.load(self.path), mtime
            return self.directory


def _default_ckan(url: str | None, token: str | None) -> Callable[[], Any]:
    def connect() -> Any:
        from pipelines.ckan_resource import connect as ckan_connect

        if not url or not token:
            raise FivestarError("the review service has no catalogue configured "
                                "(service.yaml ckan_url and the ckan-token file)")
        return ckan_connect(url, token)

    return connect


class Authority:
    """The service's state and every act it records (see the module docstring)."""

    def __init__(self, home: ServiceHome | Path, *, clock: Clock = system_clock,
                 ckan: Callable[[], Any] | None = None, keys: ServiceKeys | None = None,
                 releases_root: Path | None = None):
        self.home = home if isinstance(home, ServiceHome) else ServiceHome(Path(home))
        config = self.home.config()
        self.keys = keys or self.home.keys()
        self.store = AuditStore(self.home.db_url(), self.keys.mac_key,
                                AnchorLog(self.home.anchors_path, self.keys.mac_key))
        self.records = ServiceRecords(self.store.engine)
        self.locks = DatasetLocks(self.home.locks_dir)
        self._users = _UsersCache(self.home.users_path)
        self.releases_root = Path(releases_root or config.releases_root or paths.releases_dir())
        self.public_origin = config.public_origin
        self.clock = clock
        self.ckan = ckan or _default_ckan(config.ckan_url, self.home.ckan_token())
        repaired = self.store.repair_anchors()
        if repaired:
            log.warning("anchored %d audit entries written before an interrupted anchor write",
                        repaired)

    # -- identity ------------------------------------------------------------
    def users(self) -> UserDirectory:
        return self._users.get()

    def user(self, username: str) -> User | None:
        user = self.users().get(username)
        return user if user and user.roles else None

    def authenticate(self, username: str, password: str) -> User | None:
        """Check a password (slow by design: call it off the event loop)."""
        if not username or len(password) > 1024:
            return None
        user = self.users().authenticate(username, password)
        return user if user and user.roles else None

    def issue_token(self, user: User, label: str = "cli",
                    ttl: timedelta = TOKEN_TTL) -> tuple[str, datetime]:
        return self.records.new_token(user.username, label, ttl)

    def user_for_token(self, token: str) -> User | None:
        info = self.records.token(token)
        return self.user(info.username) if info else None

    def revoke_token(self, token: str) -> None:
        self.records.revoke_token(token)

    def add_user(self, actor: User | None, username: str, roles: list[Role],
                 password: str | None, name: str = "") -> User:
        """Add or replace an account (an admin must act once an admin exists)."""
        directory = self.users()
        if directory.has_admin() and (actor is None or not actor.has(Role.admin)):
            raise PermissionDenied("only an admin can manage users")
        added = directory.add(username, roles, password, name=name)
        self.records.end_sessions_of(username)  # roles or password changed: sign in again
        return added

    # -- staging -------------------------------------------------------------
    def issue_ticket(self, user: User, dataset_id: str,
                     period: str | None = None) -> tuple[str, datetime]:
        """A signed, single-use permission for ``user`` to stage ``dataset_id``."""
        if not user.has(Role.statistician):
            raise PermissionDenied("only a statistician can stage a release")
        if not dataset_id or len(dataset_id) > 200:
            raise ApprovalError("name the dataset to stage")
        now = self.clock()
        claims = {"sub": user.username, "role": Role.statistician.value,
                  "dataset": dataset_id, "period": period}
        return sign(self.keys, TICKET, claims, TICKET_TTL, now=now), now + TICKET_TTL

    def claim_ticket(self, ticket: str, run_id: str, dataset_id: str) -> dict[str, Any]:
        """A staging run's first step: check the ticket now and bind it to this run.

        The 30 minutes are checked here, when the run starts, not when its last
        step registers the release (a long run no longer fails there); from now
        on the ticket stages only from this run (``register_staging`` with the
        same ``run_id``), for at most ``CLAIMED_TTL``. Claiming again from the same
        run is the same claim, even after the 30 minutes: `fivestar stage` claims
        each ticket as its run enters the queue, and the run's first step claims it
        again when a worker starts it (or a retried step does); from another run it
        is refused.
        """
        if not run_id or len(run_id) > 200:
            raise StagingRefused("name the run that stages")
        now = self.clock()
        claims = self._ticket_claims(ticket, run_id)
        if claims.get("dataset") != dataset_id:
            raise StagingRefused("this ticket is for another dataset")
        user = self.user(str(claims.get("sub")))
        if user is None or not user.has(Role.statistician):
            raise PermissionDenied("the ticket's user is no longer a statistician")
        claimed = self.records.claim_ticket(str(claims["jti"]), user.username, run_id, now)
        if claimed is None:
            raise NotAuthenticated("staging refused: this ticket was claimed by another run")
        return {"user": user.username, "dataset": dataset_id, "run_id": run_id,
                "claimed_at": claimed.isoformat(),
                "valid_until": (claimed + CLAIMED_TTL).isoformat()}

    def _ticket_claims(self, ticket: str, run_id: str | None) -> dict[str, Any]:
        """A ticket's claims at a claim or a registration: unused, and unexpired or claimed
        by this very run within ``CLAIMED_TTL``; refused if another run claimed it.

        A used ticket is refused as used before anything else is said about it, so a
        replay (from whichever run) reads "already been used"."""
        now = self.clock()
        try:
            claims = verify(self.keys.public_key, ticket, TICKET, now=now, expiry=False)
        except SignatureRefused as exc:
            raise NotAuthenticated(f"staging refused: {exc.problems[0].message}") from None
        if self.records.ticket_spent(str(claims["jti"])):
            raise NotAuthenticated("staging refused: this ticket has already been used")
        claim = self.records.ticket_claim(str(claims["jti"]))
        if claim is not None:
            if run_id != claim[0]:
                raise NotAuthenticated("staging refused: this ticket was claimed by another "
                                       "run")
            if now > claim[1] + CLAIMED_TTL:
                raise NotAuthenticated("staging refused: the run's claim on its ticket has "
                                       "lapsed (stage again)")
            return claims
        if claims["exp"] <= int(now.timestamp()):
            raise NotAuthenticated("staging refused: the signed token has expired")
        return claims

    def register_staging(self, ticket: str, manifest_bytes: bytes,
                         reports: dict[str, bytes], run_id: str | None = None) -> AuditEntry:
        """Record a staging under the ticket's user: the only way a ``staged`` entry is made.

        ``run_id`` is the run that claimed the ticket when it started
        (:meth:`claim_ticket`); a ticket never claimed must still be unexpired.
        """
        claims = self._ticket_claims(ticket, run_id)
        try:
            manifest, rid = parse_manifest(manifest_bytes)
        except ManifestError as exc:
            raise StagingRefused(exc.problems) from None
        dataset_id = str(manifest.get("dataset_id") or "")
        if claims.get("dataset") != dataset_id:
            raise StagingRefused("this ticket is for another dataset")
        if claims.get("period") and claims["period"] != manifest.get("period"):
            raise StagingRefused("this ticket is for another period")
        user = self.user(str(claims.get("sub")))
        if user is None or not user.has(Role.statistician):
            raise PermissionDenied("the ticket's user is no longer a statistician")
        listed = manifest.get("reports") or {}
        if set(reports) != set(listed):
            raise StagingRefused("the reports sent are not the ones the manifest lists")
        for name, content in reports.items():
            entry = listed[name]
            if len(content) > MAX_REPORT_BYTES or not isinstance(entry, dict) or \
                    hashlib.sha256(content).hexdigest() != entry.get("sha256"):
                raise StagingRefused(Problem("report-mismatch", "report does not match the "
                                             "manifest", Location(file=str(name))))
        with self.locks.hold(dataset_id):
            if not self.records.spend_ticket(str(claims["jti"]), user.username):
                raise NotAuthenticated("staging refused: this ticket has already been used")
            self.records.put_release(rid, dataset_id, manifest_bytes, reports)
            restaged = release_status(self.store, rid).stagers
            entry = self.store.record(
                actor=user.username, role=Role.statistician.value, dataset_id=dataset_id,
                release_id=rid, decision=Decision.staged, at=self.clock(),
                comment="restaged: identical release" if restaged else "",
                detail={"ticket": claims["jti"],
                        "reports": {n: listed[n]["sha256"] for n in sorted(listed)}})
            self._supersede_others(user, dataset_id, manifest.get("period"), rid)
            return entry

    def _supersede_others(self, user: User, dataset_id: str, period: Any, rid: str
                          ) -> list[AuditEntry]:
        """One open candidate per dataset and period, the newest: retire the others.

        Awaiting or approved-but-not-out candidates of the same dataset and
        period get a ``superseded`` entry (the gate refuses them); restaging one
        of them brings it back and retires this one. Called under the dataset lock.
        """
        out = []
        for other in self.releases(states={AWAITING, APPROVED}, dataset_id=dataset_id):
            if other.id == rid or other.manifest.get("period") != period:
                continue
            out.append(self.store.record(
                actor=user.username, role=Role.statistician.value, dataset_id=dataset_id,
                release_id=other.id, decision=Decision.superseded, at=self.clock(),
                comment=f"superseded by release {rid}", detail={"by": rid}))
        return out

    # -- reading -------------------------------------------------------------
    def resolve(self, ref: str) -> str:
        """A full release id from an id or a unique prefix (8+ hex digits)."""
        ref = (ref or "").strip().lower()
        if len(ref) < 8 or not all(c in "0123456789abcdef" for c in ref):
            raise ReleaseNotFound("give a release id (at least its first 8 hex digits)")
        if is_release_id(ref):
            return ref
        matches = [r for r in self.records.release_ids() if r.startswith(ref)]
        if not matches:
            raise ReleaseNotFound(f"no staged release {ref}")
        if len(matches) > 1:
            raise ReleaseNotFound(f"release prefix {ref} is ambiguous; give more digits")
        return matches[0]

    def release(self, ref: str) -> ReleaseInfo:
        """The service's copy of a release (manifest re-hashed on every read)."""
        rid = self.resolve(ref)
        data = self.records.manifest_bytes(rid)
        if data is None:
            raise ReleaseNotFound(f"no staged release {rid[:16]}")
        manifest, actual = parse_manifest(data)
        if actual != rid:
            raise ManifestError(Problem("record-tampered", "the service's copy of this "
                                        "manifest no longer hashes to its id",
                                        Location(file=rid)))
        from pipelines.release_calendar.store import moved_release_time

        path = self.releases_root / str(manifest.get("dataset_id")) / rid
        return ReleaseInfo(id=rid, manifest=manifest, status=release_status(self.store, rid),
                           path=path, moved_to=moved_release_time(self.store, manifest))

    def releases(self, states: set[str] | None = None,
                 dataset_id: str | None = None) -> list[ReleaseInfo]:
        """Every release the service holds, newest activity first."""
        out = []
        for rid in self.records.release_ids(dataset_id):
            try:
                info = self.release(rid)
            except (ManifestError, ReleaseNotFound):
                continue
            if states is None or info.status.state in states:
                out.append(info)
        epoch = datetime.min.replace(tzinfo=UTC)
        out.sort(key=lambda r: r.status.last.at if r.status.last else epoch, reverse=True)
        return out

    def report(self, info: ReleaseInfo, name: str) -> Contract | None:
        """A report as staged, read as its contract; None if absent, altered or malformed.

        Only the reports in :data:`REPORT_CONTRACTS` are read (the HTML copy of the
        validation report is served as bytes, not interpreted): what the champion
        is shown has the shape the stage wrote, or is shown as missing.
        """
        entry = info.manifest["reports"].get(name)
        contract = REPORT_CONTRACTS.get(name)
        content = self.records.report(info.id, name)
        if entry is None or contract is None or content is None or \
                hashlib.sha256(content).hexdigest() != entry["sha256"]:
            return None
        try:
            return contract.model_validate_json(content)
        except ValidationError:
            return None

    def last_published(self, dataset_id: str) -> str | None:
        """The dataset's most recent release that was published and is still public."""
        for e in self.store.entries(dataset_id=dataset_id, decision=Decision.published,
                                    newest_first=True):
            if e.release_id and release_status(self.store, e.release_id).state == PUBLISHED:
                return e.release_id
        return None

    def audit(self, dataset_id: str | None = None, limit: int | None = 500) -> list[AuditEntry]:
        return self.store.entries(dataset_id=dataset_id, newest_first=True, limit=limit)

    def verify(self) -> ChainReport:
        return self.store.verify()

    def verify_catalogue(self) -> tuple[int | None, list[ChainBreak]]:
        """Compare the catalogue with the log: every public dataset of this service's
        releases (by dataset name or release id) must show a release the log published.

        A withdrawal's notice (public, withdrawn, no files) shows no release's
        data and is not one. Returns how many public datasets were checked
        (None: the catalogue could not be asked) and one break per dataset public
        without a ``published`` entry for the release it shows: someone made it
        public around the service.
        """
        published = {e.release_id for e in self.store.entries(decision=Decision.published)}
        datasets = {e.dataset_id for e in self.store.entries()}
        releases = set(self.records.release_ids())
        breaks: list[ChainBreak] = []
        checked = 0
        try:
            ckan = self.ckan()
            start = 0
            while True:
                page = ckan.action.package_search(q="*:*", rows=500, start=start,
                                                  include_private=False)
                for pkg in page["results"]:
                    rid = pkg.get("release_id")
                    if pkg.get("private") or (pkg.get("name") not in datasets
                                              and rid not in releases):
                        continue
                    if is_withdrawn(pkg) and not pkg.get("resources"):
                        continue  # a withdrawal's notice: public, but no data of any release
                    checked += 1
                    if not rid or rid not in published:
                        breaks.append(ChainBreak(None, "catalogue-unpublished", (
                            f"dataset {pkg.get('name')} is public in the catalogue with "
                            f"release {str(rid or '(none)')[:16]}, which the log never "
                            "published")))
                start += len(page["results"])
                if not page["results"] or start >= page["count"]:
                    break
        except Exception as exc:  # noqa: BLE001 - reported: the log itself is verified apart
            log.warning("could not compare the catalogue with the log (%s)",
                        type(exc).__name__)
            return None, []
        return checked, breaks

    def verify_linked_data(self) -> tuple[int | None, list[ChainBreak]]:
        """Compare the live triple store with the log, as :meth:`verify_catalogue` does
        the catalogue: every live graph must be of a release the log published and still
        shows published, holding exactly its approved RDF
        (:func:`pipelines.linkeddata.release.audit_live`). Returns how many live graphs
        were checked (None: the store could not be asked) and one break per graph put
        in or changed around the service. Only the graphs of this service's datasets and
        releases, unless ``service.yaml`` sets ``audit_every_graph: true`` (one service
        per store, as in production: then every live graph must be explained)."""
        from pipelines.catalogue import content
        from pipelines.linkeddata.release import audit_live

        store = content.linked_data_store(publisher=True)
        if store is None:
            return None, []
        entries = self.store.entries(decision=Decision.published)
        published = {e.release_id for e in entries if e.release_id and
                     release_status(self.store, e.release_id).state == PUBLISHED}

        def release(rid: str) -> tuple[Path, dict] | None:
            try:
                info = self.release(rid)
            except FivestarError:
                return None
            return info.path, info.manifest

        every = self.store.entries()
        ours = {e.dataset_id for e in every} | {e.release_id for e in every if e.release_id}
        strict = bool(self.home.config().extra.get("audit_every_graph"))
        try:
            checked, found = audit_live(store, release, published,
                                        {e.dataset_id for e in entries},
                                        None if strict else ours.__contains__)
        except Exception as exc:  # noqa: BLE001 - reported: the log itself is verified apart
            log.warning("could not compare the triple store with the log (%s)",
                        type(exc).__name__)
            return None, []
        return checked, [ChainBreak(None, code, message) for code, message in found]

    # -- decisions -----------------------------------------------------------
    def _open(self, user: User, ref: str, verb: str) -> ReleaseInfo:
        if not user.has(Role.transparency_champion):
            raise PermissionDenied(f"only a Transparency Champion can {verb} a release")
        info = self.release(ref)
        if user.username in info.status.stagers:
            raise PermissionDenied(
                f"separation of duties: you staged this release, so you cannot {verb} it")
        return info

    def approve(self, user: User, ref: str, comment: str | None = None,
                release_at: datetime | None = None) -> AuditEntry:
        """Approve exactly this manifest hash for publication at its scheduled time."""
        info = self._open(user, ref, "approve")
        text = comment_text(comment, False, "an approval")
        if release_at is not None and release_at.tzinfo is None:
            raise ApprovalError("release time must include a timezone")
        with self.locks.hold(info.dataset_id):
            info = self._open(user, info.id, "approve")  # re-read under the lock
            if info.status.state != AWAITING:
                raise ApprovalError(f"release is {info.status.state.replace('_', ' ')}, "
                                    "not awaiting approval")
            problems = verify_files(info.path, info.manifest)
            if problems:
                raise ApprovalError([Problem("release-changed", "release files no longer "
                                             "match the manifest"), *problems])
            return self.store.record(
                actor=user.username, role=Role.transparency_champion.value,
                dataset_id=info.dataset_id, release_id=info.id, decision=Decision.approved,
                comment=text, release_at=release_at, at=self.clock(),
                detail={"reports": {n: r.get("sha256") for n, r in sorted(
                    (info.manifest.get("reports") or {}).items())}})

    def reject(self, user: User, ref: str, comment: str | None) -> AuditEntry:
        """Reject a release awaiting approval, or revoke an approval not yet published."""
        info = self._open(user, ref, "reject")
        text = comment_text(comment, True, "a rejection")
        with self.locks.hold(info.dataset_id):
            info = self._open(user, info.id, "reject")
            if info.status.state not in (AWAITING, APPROVED):
                raise ApprovalError(f"release is {info.status.state.replace('_', ' ')}; "
                                    "cannot reject it")
            return self.store.record(
                actor=user.username, role=Role.transparency_champion.value,
                dataset_id=info.dataset_id, release_id=info.id, decision=Decision.rejected,
                comment=text, at=self.clock())

    def withdraw(self, user: User, dataset_id: str, reason: str, *, mode: str = "notice",
                 catalogue: bool = True) -> Withdrawal:
        """Withdraw every pending, approved or published release of a dataset.

        Recorded first, under the dataset lock, then the dataset is hidden in
        the catalogue (still under the lock, so no publication can slip in
        between). If the catalogue cannot be reached the decision stands and
        ``catalogue_error`` says so: withdrawing again retries.
        """
        role = acting_role(user, WITHDRAW_ROLES)
        if role is None:
            raise PermissionDenied("only a statistician or a Transparency Champion can withdraw")
        reason = comment_text(reason, True, "a withdrawal")
        if mode not in WITHDRAW_MODES:
            raise ApprovalError("mode must be 'notice', 'private' or 'delete'")
        with self.locks.hold(dataset_id):
            entries: list[AuditEntry] = []
            was_published = False
            for rid in dict.fromkeys(e.release_id for e in
                                     self.store.entries(dataset_id=dataset_id) if e.release_id):
                status = release_status(self.store, rid)
                if status.state in (AWAITING, APPROVED, PUBLISHED):
                    was_published |= status.state == PUBLISHED
                    entries.append(self.store.record(
                        actor=user.username, role=role.value, dataset_id=dataset_id,
                        release_id=rid, decision=Decision.withdrawn, comment=reason,
                        at=self.clock(), detail={"mode": mode}))
            if not entries:
                # Still record the decision: the dataset may be public from before.
                entries.append(self.store.record(
                    actor=user.username, role=role.value, dataset_id=dataset_id,
                    release_id=None, decision=Decision.withdrawn, comment=reason,
                    at=self.clock(), detail={"mode": mode}))
            result = Withdrawal(entries=entries, was_published=was_published)
            if catalogue:
                result.catalogue_error = self._hide(dataset_id, reason, mode)
            return result

    def _hide(self, dataset_id: str, reason: str, mode: str) -> str | None:
        """Take the dataset out of public view; the error class name if that failed."""
        import ckanapi

        try:
            withdraw_from_catalogue(self.ckan(), dataset_id, reason, mode)
        except ckanapi.NotFound:
            return None  # never reached the catalogue: nothing to hide
        except Exception as exc:  # noqa: BLE001 - reported, never raised: the decision stands
            log.warning("withdrawal of %s recorded but the catalogue was not updated (%s)",
                        dataset_id, type(exc).__name__)
            return type(exc).__name__
        return None

    # -- publication ---------------------------------------------------------
    def next_release(self, spec: Any) -> datetime | None:
        """The series' next release time on the calendar, as the public sees it."""
        from pipelines.release_calendar.store import ReleaseCalendar

        now = self.clock()
        coming = [e.release_at for e in ReleaseCalendar(self.store.engine).entries(
            [spec], now, announce=False) if e.release_at > now]
        return coming[0] if coming else None

    def show_next_release(self, spec: Any) -> tuple[datetime | None, str | None]:
        """Set the next release date on the dataset's CKAN page and its series record
        (after a calendar change).

        Best effort: returns the date and None, or the error class name (the
        date is set again at the next publication). A dataset not in the
        catalogue yet is not an error.
        """
        import ckanapi

        from pipelines.contracts.catalogue import solr_date

        nxt = self.next_release(spec)
        if nxt is None:
            return None, None
        from pipelines.catalogue import series

        try:
            ckan = self.ckan()
            ckan.action.package_patch(id=spec.id, next_release_date=solr_date(nxt.isoformat()))
            series.set_next_release(ckan, spec.id, nxt)  # and on its series record
        except ckanapi.NotFound:
            return None, None
        except Exception as exc:  # noqa: BLE001 - reported: the decision stands
            return nxt, type(exc).__name__
        return nxt, None

    def due(self, now: datetime | None = None) -> list[DuePublication]:
        return due_publications(self.releases(states={APPROVED}), now or self.clock())

    def _publisher_role(self, user: User) -> Role:
        role = acting_role(user, PUBLISH_ROLES)
        if role is None:
            raise PermissionDenied("this account may not carry out publications")
        return role

    def _newer_published(self, info: ReleaseInfo) -> bool:
        last = info.status.last.id if info.status.last else 0
        return any(e.release_id != info.id and e.id > last for e in self.store.entries(
            dataset_id=info.dataset_id, decision=Decision.published))

    def _gate(self, info: ReleaseInfo) -> None:
        check_decisions(info, self.verify(), self.clock(), self._newer_published(info))

    def _refuse(self, user: User, role: Role, info: ReleaseInfo | None, rid: str,
                exc: FivestarError, decision: Decision = Decision.publication_refused,
                ) -> None:
        codes = sorted({p.code for p in exc.problems})
        self.store.record(actor=user.username, role=role.value,
                          dataset_id=info.dataset_id if info else "-", release_id=rid,
                          decision=decision, comment=", ".join(codes)[:MAX_COMMENT],
                          at=self.clock(), detail={"codes": codes})

    def begin_publication(self, user: User, ref: str) -> PublicationPlan:
        """The gate before upload: refused (and recorded) unless publishable now.

        An earlier attempt's ``publishing`` intent with no outcome is settled
        first (:meth:`_reconcile`).
        """
        role = self._publisher_role(user)
        rid = self.resolve(ref)
        info = None
        try:
            info = self.release(rid)
            if info.status.pending_switch is not None:
                info = self._reconcile(user, role, info)
            self._gate(info)
            check_folder(info)
        except (PublicationRefused, ManifestError, ReleaseNotFound) as exc:
            if info is not None and not _in_progress(exc):
                self._refuse(user, role, info, rid, exc)
            raise PublicationRefused(exc.problems) from None
        return PublicationPlan(release_id=info.id, dataset_id=info.dataset_id,
                               manifest=info.manifest,
                               manifest_bytes=self.records.manifest_bytes(info.id) or b"",
                               approval_id=info.status.approval.id)  # type: ignore[union-attr]

    def _reconcile(self, user: User, role: Role, info: ReleaseInfo) -> ReleaseInfo:
        """Settle an intent no outcome followed: the publisher was killed at the switch.

        Under the dataset lock, the service asks the catalogue itself: if the
        dataset is public holding this release, the switch happened and the
        publication is recorded (``published``, marked reconciled). If not, an
        intent younger than ``SWITCH_GRACE`` may be an attempt still switching:
        refused, unrecorded; an older one is recorded as failed
        (``interrupted``) and this attempt goes on. A catalogue that cannot be
        asked leaves the intent as it is.
        """
        with self.locks.hold(info.dataset_id):
            info = self.release(info.id)
            intent = info.status.pending_switch
            if intent is None:
                return info
            public = self._catalogue_holds(info)
            if public is None:
                return info
            if public:
                self.store.record(
                    actor=user.username, role=role.value, dataset_id=info.dataset_id,
                    release_id=info.id, decision=Decision.published,
                    comment="reconciled: public in the catalogue after an interrupted "
                    "publication", at=self.clock(),
                    detail={"approval": info.status.approval.id,  # type: ignore[union-attr]
                            "reconciled": intent.id})
            elif self.clock() - intent.at < SWITCH_GRACE:
                raise PublicationRefused(Problem(
                    "publication-in-progress", "another attempt is switching this release "
                    "to public; try again later", Location(file=info.id)))
            else:
                self.store.record(
                    actor=user.username, role=role.value, dataset_id=info.dataset_id,
                    release_id=info.id, decision=Decision.publication_failed,
                    comment="interrupted", at=self.clock(),
                    detail={"codes": ["interrupted"], "reconciled": intent.id})
            return self.release(info.id)

    def _catalogue_holds(self, info: ReleaseInfo) -> bool | None:
        """Whether the catalogue shows this release public; None if it cannot be asked."""
        import ckanapi

        name = str((info.manifest.get("catalogue") or {}).get("name") or info.dataset_id)
        try:
            pkg = self.ckan().action.package_show(id=name)
        except ckanapi.NotFound:
            return False
        except Exception as exc:  # noqa: BLE001 - reported: the intent stays to settle later
            log.warning("could not ask the catalogue about %s (%s)", info.dataset_id,
                        type(exc).__name__)
            return None
        return not pkg.get("private") and pkg.get("release_id") == info.id

    def authorise_switch(self, user: User, ref: str) -> AuditEntry:
        """The last check, immediately before the switch to public, and the intent.

        Under the dataset lock (shared with approve, reject and withdraw): the
        gate again, then a ``publishing`` entry, so a publisher killed between
        the switch and :meth:`record_published` leaves a trace the next attempt
        reconciles. A refusal is recorded and raised: the switch must not happen.
        Call it with the dataset lock held (:meth:`switch` does).
        """
        role = self._publisher_role(user)
        info = self.release(ref)
        try:
            self._gate(info)
        except PublicationRefused as exc:
            self._refuse(user, role, info, info.id, exc)
            raise
        return self.store.record(
            actor=user.username, role=role.value, dataset_id=info.dataset_id,
            release_id=info.id, decision=Decision.publishing, at=self.clock(),
            comment="switching to public",
            detail={"approval": info.status.approval.id})  # type: ignore[union-attr]

    def switch(self, user: User, ref: str, request: dict[str, Any],
               next_release: datetime | None = None) -> AuditEntry:
        """The switch to public, by the service itself, with the catalogue publisher's token.

        Under the dataset lock: the gate again and the ``publishing`` intent
        (:meth:`authorise_switch`), then the pipeline's request is checked
        against the approved manifest and CKAN switches
        (:mod:`pipelines.release.catalogue_switch`). Only this token can make a
        dataset public; the pipeline's cannot (ckanext-fivestar's guard). A
        request that is not the approved release, or that the catalogue
        refuses, is recorded as refused; a catalogue that did not answer
        leaves the intent, which the next attempt settles (:meth:`_reconcile`).

        The DataStore: before the lock, this service loads the table of every CSV going
        public from the approved file (:meth:`_load_tables`); under it, the tables are
        checked again (the catalogue lets no other account write them).

        The linked data likewise: before CKAN is asked, the release's draft graph
        is compared with the approved RDF (refused, and recorded, if it differs:
        nothing becomes public); after the switch the service puts its private
        copy of the approved RDF live with the triple store publisher's login,
        which only this home holds (:mod:`pipelines.linkeddata.release`).
        """
        import ckanapi

        from pipelines.catalogue import content
        from pipelines.linkeddata.release import LinkedDataRefused
        from pipelines.release import catalogue_switch

        role = self._publisher_role(user)
        info = self.release(ref)
        self._load_tables(user, role, info, request)
        with self.locks.hold(info.dataset_id):
            info = self.release(info.id)
            intent = self.authorise_switch(user, info.id)
            old_id, _label = catalogue_switch.superseded_label(info.manifest)
            old_bytes = self.records.manifest_bytes(old_id) if old_id else None
            if next_release is None:
                asked = (request.get("fields") or {}).get("next_release_date")
                next_release = _utc(asked) if asked else None
            store = content.linked_data_store(publisher=True)
            try:
                with content.checked_linked_data(store, info.path, info.manifest,
                                                 info.id) as approved:
                    client = self.ckan()
                    catalogue_switch.switch(
                        client, info.manifest, info.id, request, release_dir=info.path,
                        superseded=parse_manifest(old_bytes)[0] if old_bytes else None,
                        next_release=next_release)
                    self._linked_live(user, info, store, approved, client)
            except (catalogue_switch.SwitchRefused, ManifestError, LinkedDataRefused) as exc:
                self._refuse(user, role, info, info.id, exc)
                raise PublicationRefused(exc.problems) from None
            except (ckanapi.ValidationError, ckanapi.NotAuthorized, ckanapi.NotFound,
                    ValueError) as exc:
                refused = PublicationRefused(Problem(
                    "switch-refused-by-catalogue", f"the catalogue refused the switch "
                    f"({type(exc).__name__})", Location(file=info.id)))
                self._refuse(user, role, info, info.id, refused)
                raise refused from None
            return intent

    def _load_tables(self, user: User, role: Role, info: ReleaseInfo,
                     request: dict[str, Any]) -> None:
        """Before the switch's lock: the gate, then the DataStore of what goes public loaded
        by this service from the approved files (only the catalogue's publisher account,
        whose token is in this home, may write the DataStore; :meth:`switch` checks the
        tables again under the lock). Minutes for large tables, so outside the lock: a
        withdrawal meanwhile is not kept waiting, and wins at the switch."""
        import ckanapi

        from pipelines.catalogue.datastore import DataStoreError
        from pipelines.release import catalogue_switch

        try:
            self._gate(info)
            catalogue_switch.load_tables(self.ckan(), info.path, info.manifest, request)
        except PublicationRefused as exc:
            self._refuse(user, role, info, info.id, exc)
            raise
        except (catalogue_switch.SwitchRefused, DataStoreError) as exc:
            self._refuse(user, role, info, info.id, exc)
            raise PublicationRefused(exc.problems) from None
        except (ckanapi.ValidationError, ckanapi.NotAuthorized, ckanapi.NotFound) as exc:
            refused = PublicationRefused(Problem(
                "switch-refused-by-catalogue", f"the catalogue refused the DataStore load "
                f"({type(exc).__name__})", Location(file=info.id)))
            self._refuse(user, role, info, info.id, refused)
            raise refused from None

    def _linked_live(self, user: User, info: ReleaseInfo, store: Any, approved: Any,
                     client: Any) -> None:
        """After the catalogue's switch: the checked linked data live (the publisher's
        login, held here). A store that fails now is recorded as a failed publication
        (the catalogue already shows the release; the next attempt drafts and checks
        again), so no ``publishing`` intent is left for :meth:`_reconcile` to settle as
        published with the graph missing."""
        from pipelines.catalogue import content
        from pipelines.linkeddata.load import LinkedDataError
        from pipelines.linkeddata.store import StoreError

        try:
            content.go_live(approved, store, client, info.manifest)
        except (StoreError, LinkedDataError) as exc:
            log.warning("linked data of %s did not go live (%s)", info.id,
                        type(exc).__name__)
            self.record_failure(user, info.id, ["linked-live-failed"])
            raise PublicationRefused(Problem(
                "linked-live-failed", "the catalogue switched but the linked data did not "
                "go live; publish again", Location(file=info.id))) from None

    def record_published(self, user: User, ref: str, dataset_url: str) -> AuditEntry:
        """Record a publication, re-reading the decisions under the dataset lock.

        If the release was withdrawn or rejected while it was uploading, the
        decision wins: the dataset is hidden again, the refusal is recorded
        after the withdrawal, and ``PublicationRefused`` is raised.
        """
        role = self._publisher_role(user)
        info = self.release(ref)
        with self.locks.hold(info.dataset_id):
            info = self.release(info.id)
            try:
                self._gate(info)
            except PublicationRefused as exc:
                # Fail closed: whatever was decided meanwhile wins in the catalogue too.
                # A withdrawal shows as it was asked for (by default the notice, files
                # removed); anything else leaves the dataset private.
                last = info.status.last
                mode = "private"
                if last is not None and last.decision == Decision.withdrawn and \
                        last.detail.get("mode", "notice") in WITHDRAW_MODES:
                    mode = str(last.detail.get("mode", "notice"))
                reason = last.comment if last else ""
                self._hide(info.dataset_id, reason or "publication refused", mode)
                self._refuse(user, role, info, info.id, exc)
                raise
            last = info.status.last
            if last is not None and last.decision == Decision.published and \
                    last.detail.get("approval") == info.status.approval.id:  # type: ignore
                return last  # already recorded (a reconciled or repeated publication)
            return self.store.record(
                actor=user.username, role=role.value, dataset_id=info.dataset_id,
                release_id=info.id, decision=Decision.published, comment=dataset_url[:500],
                at=self.clock(), detail={"approval": info.status.approval.id})  # type: ignore

    def record_failure(self, user: User, ref: str, codes: list[str]) -> AuditEntry:
        """Record a publication that failed on the publisher's side (codes only)."""
        role = self._publisher_role(user)
        info = self.release(ref)
        clean = sorted({str(c)[:64] for c in codes if c})[:20] or ["failed"]
        return self.store.record(actor=user.username, role=role.value,
                                 dataset_id=info.dataset_id, release_id=info.id,
                                 decision=Decision.publication_failed,
                                 comment=", ".join(clean), at=self.clock(),
                                 detail={"codes": clean})


def _utc(value: Any) -> datetime:
    """A catalogue date (UTC, written without an offset) as an aware time."""
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _in_progress(exc: Exception) -> bool:
    """A concurrent attempt, not a decision: nothing to record."""
    return any(p.code == "publication-in-progress" for p in getattr(exc, "problems", []))
