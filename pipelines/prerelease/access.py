"""The pre-release access rule: who may open a staged release, and when.

Who may open a staged (not yet public) release in the review app:

* the production team: statisticians and Transparency Champions (they make
  and approve it; the published statement names them as a group);
* people on the pre-release access list (the spec's
  ``release.pre_release_access`` and the department-wide list in
  ``FIVESTAR_PRE_RELEASE_ACCESS_FILE``, default ``<state>/pre-release-access.yaml``),
  by their review-app account, and only in the 24 hours before the release's
  scheduled time, once it is approved;
* nobody else (an admin account included): refused, and the refusal recorded.

Once published, a release is public and the rule no longer applies. The
review app records every access it decides (``pipelines.review.access_log``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from pipelines import paths
from pipelines.errors import FivestarError, Location, Problem
from pipelines.spec import PreReleaseAccess

ACCESS_FILE_ENV = "FIVESTAR_PRE_RELEASE_ACCESS_FILE"
#: Pre-release access opens this long before the scheduled release time.
WINDOW = timedelta(hours=24)
PRODUCTION_ROLES = ("statistician", "transparency_champion")

class AccessListError(FivestarError):
    """The department-wide pre-release access file is malformed."""


class _ListFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    access: list[PreReleaseAccess] = []


def access_file() -> Path:
    value = os.environ.get(ACCESS_FILE_ENV)
    return Path(value) if value else paths.STATE_DIR / "pre-release-access.yaml"


def department_list(path: Path | None = None) -> list[PreReleaseAccess]:
    """The department-wide list (empty when there is no file)."""
    path = Path(path) if path else access_file()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return []
    except (OSError, yaml.YAMLError):
        raise AccessListError(Problem("unreadable", "cannot read the pre-release access list",
                                      Location(file=path.name))) from None
    try:
        return _ListFile.model_validate(data).access
    except ValidationError as exc:
        raise AccessListError([Problem("access-list", e["msg"], Location(
            file=path.name, field=".".join(str(p) for p in e["loc"])))
            for e in exc.errors(include_input=False)]) from None


def access_list(spec, path: Path | None = None) -> list[PreReleaseAccess]:
    """The spec's list and the department's, in that order, without repeats."""
    out: list[PreReleaseAccess] = []
    for entry in [*spec.release.pre_release_access, *department_list(path)]:
        if entry not in out:
            out.append(entry)
    return out


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    basis: str


def decide(user, entries: list[PreReleaseAccess], *, published: bool,
           scheduled: datetime | None, now: datetime) -> AccessDecision:
    """May ``user`` (a signed-in ``User``) open this release now? See the module docstring."""
    if published:
        return AccessDecision(True, "published: public")
    if any(r.value in PRODUCTION_ROLES for r in user.roles):
        return AccessDecision(True, "production team")
    listed = [e for e in entries if e.user and e.user == user.username]
    if not listed:
        return AccessDecision(False, "not on the pre-release access list")
    if scheduled is None:
        return AccessDecision(False, "on the list, but the release is not approved and "
                                     "scheduled yet")
    if now < scheduled - WINDOW:
        return AccessDecision(False, "on the list, but pre-release access opens 24 hours "
                                     "before the release")
    return AccessDecision(True, f"pre-release access list: {listed[0].role}")
