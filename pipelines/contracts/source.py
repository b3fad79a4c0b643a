"""The source extract as the stages describe it: its files, their hashes and row counts.

The source is the one place personal data may be on disk; these descriptions
hold paths, hashes and counts only.
"""

from __future__ import annotations

from pipelines.contracts.base import Contract


class SourceFile(Contract):
    """One file of the extract, as matched by ``source.path``."""

    #: Absolute path (read where the step runs: the state volume is shared).
    path: str
    #: What people are told (relative to the repository when inside it).
    shown: str
    #: Data rows in this file (header excluded), before any partition filter.
    rows: int
    #: True when file line = data row + 1 (a CSV without line breaks inside values).
    lines_exact: bool = False


class Column(Contract):
    """A typed column of the extract."""

    name: str
    #: The Table Schema type (``integer``, ``number``, ``string``, ``date``…).
    type: str = "string"
