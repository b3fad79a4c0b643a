"""Corrections: a published release superseded by a corrected one, as a new version.

A correction goes through everything a release does (staging, four-eyes
approval, the embargo) and carries revision notes written by the
statistician. It must be for the same period as the release it corrects (the
dataset's last published release). It is not the pre-announced release, so it
has no calendar date: the champion may approve it for immediate release.

Versions are labelled by period and revision number (``2024-Q4``, then
``2024-Q4-r1``, ``2024-Q4-r2`` …), derived from the review service's record of what is
published and the superseded release's manifest, so restaging the same correction gives the
same bytes and the same release id. The DCAT metadata names each version
(``dcat:version``, ``dcat:isVersionOf``, ``dcat:previousVersion``,
``adms:versionNotes``); publishing keeps the superseded files retrievable in
the catalogue under ``previous/<version>/`` (``pipelines.publish.PREVIOUS_PREFIX``).
"""

from __future__ import annotations

from pathlib import Path

from pipelines.contracts.provenance import Revision
from pipelines.errors import FivestarError, Location, Problem

MAX_NOTES = 4000


class CorrectionError(FivestarError):
    """A correction cannot be staged (nothing published, another period, no notes)."""


def version_label(period: str | None, number: int = 0) -> str:
    base = period or "release"
    return f"{base}-r{number}" if number else base


def plan_revision(spec, period: str | None, notes: str,
                  published: tuple[str, Path] | None) -> Revision:
    """The revision a correction of ``spec`` for ``period`` would be (see the docstring).

    ``published`` is the dataset's release the public sees now (its id, as the
    review service records it, and its folder), or None.
    """
    from pipelines.release.manifest import load_manifest

    text = (notes or "").strip()
    where = Location(file=spec.id, field="revision notes")
    if not text:
        raise CorrectionError(Problem("notes-required",
                                      "a correction needs revision notes (what changed, why)",
                                      where))
    if len(text) > MAX_NOTES:
        raise CorrectionError(Problem("notes-too-long",
                                      f"revision notes are longer than {MAX_NOTES} characters",
                                      where))
    last = published
    if last is None:
        raise CorrectionError(Problem("nothing-published", "nothing of this dataset is "
                                      "published, so there is nothing to correct", where))
    manifest, actual = load_manifest(last[1])
    if actual != last[0]:
        raise CorrectionError(Problem("published-changed", "the published release's folder "
                                      "no longer matches its manifest", where))
    if manifest["period"] != period:
        published = manifest["period"] or "no period"
        raise CorrectionError(Problem(
            "other-period", f"the published release is for {published}; a correction must "
            "be for the same period", where))
    previous = (manifest.get("revision") or {})
    number = int(previous.get("number") or 0) + 1
    return Revision(notes=text, number=number, of_release=last[0],
                    version=version_label(period, number),
                    previous_version=manifest["catalogue"].get("version")
                    or version_label(period, number - 1))
