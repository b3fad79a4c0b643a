"""The release diff: what changes for the public, as the champion reads it.

Made by staging (:func:`pipelines.release.diff.diff_releases`), stored as the
release's ``reports/diff.json`` (bound to the release id by its hash), read by
the review service, which validates it against this contract before showing it.
Its JSON keeps the names the review page uses (``stars.from``, ``schema``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipelines.contracts.base import Contract


class Baseline(Contract):
    """The published release compared with."""

    release_id: str
    period: str | None


class StarsChange(Contract):
    from_: int | None = Field(alias="from")
    to: int
    changed: bool


class FilesChange(Contract):
    """Public files by path; ``changed`` are those whose sha256 differs."""

    added: list[str]
    removed: list[str]
    changed: list[str]


class SchemaChange(Contract):
    columns_added: list[str]
    columns_removed: list[str]
    order_changed: bool


class RowExamples(Contract):
    """A few primary keys of each kind (public data: they come from the public CSV)."""

    added: list[list[str]]
    removed: list[list[str]]
    changed: list[list[str]]


class RowsChange(Contract):
    """Rows of the public CSV, by primary key, or as whole rows when no key identifies them."""

    compared_by: Literal["primary key", "whole rows"]
    key: list[str]
    before: int
    after: int
    added: int
    removed: int
    #: None when compared as whole rows (a changed row is one removed and one added).
    changed: int | None
    unchanged: int
    examples: RowExamples | None


class ReleaseDiff(Contract):
    """A release against the dataset's last published one (none: a first release)."""

    baseline: Baseline | None
    first_release: bool
    stars: StarsChange
    #: None for a first release, or when either release has no data CSV.
    rows: RowsChange | None = None
    schema_: SchemaChange | None = Field(default=None, alias="schema")
    files: FilesChange | None = None
