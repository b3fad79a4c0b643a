"""Errors that point at a place, never at a value.

Every user-facing failure in fivestar names *where* the problem is (file, row,
field) so a statistician can fix it, and never echoes the cell's content, which
may be personal data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Location:
    """A place in an input: file, 1-based data row (header excluded), field name."""

    file: str | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field `{self.field}`")
        return ", ".join(parts) if parts else "(no location)"


@dataclass
class Problem:
    """One finding: a code for machines, a message for people, and where it is."""

    code: str
    message: str
    location: Location = field(default_factory=Location)

    def __str__(self) -> str:
        return f"{self.location}: {self.message} [{self.code}]"

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "file": self.location.file,
            "row": self.location.row,
            "field": self.location.field,
        }


class FivestarError(Exception):
    """Base class: carries one or more located problems."""

    def __init__(self, problems: list[Problem] | Problem | str, *, file: str | Path | None = None):
        if isinstance(problems, str):
            problems = [Problem("error", problems, Location(file=str(file) if file else None))]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = problems
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        shown = "\n".join(f"  - {p}" for p in self.problems[:20])
        more = len(self.problems) - 20
        tail = f"\n  … and {more} more" if more > 0 else ""
        return f"{len(self.problems)} problems:\n{shown}{tail}"


class SpecError(FivestarError):
    """A dataset.yaml is malformed."""


class ExtractError(FivestarError):
    """An extract cannot be read or does not match its Table Schema."""


class ValidationFailed(FivestarError):
    """Blocking expectations failed."""
