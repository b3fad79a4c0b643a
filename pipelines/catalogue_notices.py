"""What the catalogue says about a dataset's release state: withdrawn, or revised.

Withdrawal (Code of Practice for Statistics: people who cite a dataset must
find out what happened to it) leaves the dataset public and findable in CKAN
with ``withdrawn`` = ``true``, the date and the reason on its page (the
ckanext-fivestar plugin shows a notice; its DCAT gets ``adms:status``
WITHDRAWN), and removes every resource, so the files' download URLs answer
404. The caller records the decision in the audit log first. A later
publication restores the dataset: it clears the withdrawn state
(:func:`restored_fields`) and uploads the release's files again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

#: CKAN's value for "not withdrawn" (an empty value would be ignored by the schema).
NOT_WITHDRAWN = "false"


def notice_text(reason: str, when: str) -> str:
    return f"**Withdrawn on {when}:** {reason}"


def withdraw_with_notice(ckan: Any, dataset_id: str, reason: str,
                         now: datetime | None = None,
                         current: dict[str, Any] | None = None) -> dict[str, Any]:
    """Remove the files, then mark the dataset withdrawn (public, with the notice).

    ``current`` is the dataset as ``package_show`` returned it, if already fetched.
    """
    current = current or ckan.action.package_show(id=dataset_id)
    when = (now or datetime.now(UTC)).strftime("%Y-%m-%d")
    # the files first: stopping their distribution is the point of a withdrawal
    for resource in current.get("resources", []):
        ckan.action.resource_delete(id=resource["id"])
    notes = (current.get("notes") or "").rstrip()
    marker = notice_text(reason, when)
    if marker not in notes:  # withdrawing again (a retry) adds no second notice
        notes = f"{marker}\n\n{notes}" if notes else marker
    # the links to the removed RDF and CSVW distributions go too (they name the files)
    links = {k: "" for k in ("rdf_url", "csvw_url") if current.get(k)}
    return ckan.action.package_patch(
        id=dataset_id, private=False, withdrawn="true", withdrawn_date=when,
        withdrawn_reason=reason, notes=notes, **links)


def is_withdrawn(pkg: dict[str, Any]) -> bool:
    return str(pkg.get("withdrawn") or "").lower() == "true"


def restored_fields() -> dict[str, str]:
    """Dataset fields a publication sends so that a withdrawn dataset is live again."""
    return {"withdrawn": NOT_WITHDRAWN, "withdrawn_reason": "", "withdrawn_date": ""}
