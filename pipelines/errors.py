"""Errors that point at a place, never at a value.

Every user-facing failure in fivestar names *where* the problem is (file, row,
field) so a statistician can fix it, and never echoes the cell's content, which
may be personal data. Each problem's code is registered, with a title and a
help text, in :mod:`pipelines.error_codes`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, model_serializer, model_validator

from pipelines.error_codes import ErrorKind
from pipelines.error_codes import kind as error_kind


class Location(BaseModel):
    """A place in an input: file, 1-based data row (header excluded), field name.

    ``line`` is the physical line of the file where that record starts, when the
    file has lines (a CSV; not Parquet or a database query): with line breaks
    inside quoted values the two differ, and an editor shows lines. Printed only
    then ("row 17 (line 23)"); otherwise line = row + 1 and "row 17" says it.

    A pydantic model (frozen, positional arguments allowed) so problems travel
    inside typed reports and have one stable JSON form.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str | None = None
    row: int | None = None
    field: str | None = None
    line: int | None = None

    def __init__(self, *args: Any, **data: Any) -> None:
        data.update(zip(("file", "row", "field"), args, strict=False))
        super().__init__(**data)

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.row is not None:
            # the line only where it says more than the row: a record spanning lines
            moved = self.line is not None and self.line != self.row + 1
            parts.append(f"row {self.row}" + (f" (line {self.line})" if moved else ""))
        if self.field:
            parts.append(f"field `{self.field}`")
        return ", ".join(parts) if parts else "(no location)"


class Problem(BaseModel):
    """One finding: a code for machines, a message for people, and where it is.

    Its JSON form is flat: ``{"code", "message", "file", "row", "field", "line"}``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    message: str
    location: Location = Location()

    def __init__(self, *args: Any, **data: Any) -> None:
        data.update(zip(("code", "message", "location"), args, strict=False))
        super().__init__(**data)

    @model_validator(mode="before")
    @classmethod
    def _from_flat(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("location") is None:
            data = {k: v for k, v in data.items() if k != "location"}
            flat = {k: data.pop(k) for k in ("file", "row", "field", "line") if k in data}
            if flat:
                data["location"] = flat
        return data

    @model_serializer
    def _flat(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "file": self.location.file,
                "row": self.location.row, "field": self.location.field,
                "line": self.location.line}

    def __str__(self) -> str:
        return f"{self.location}: {self.message} [{self.code}]"

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @property
    def kind(self) -> ErrorKind | None:
        """What this code means, from the registry (:mod:`pipelines.error_codes`)."""
        return error_kind(self.code)

    @property
    def help(self) -> str:
        """What to do about it (empty for an unregistered code)."""
        found = self.kind
        return found.help if found else ""


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


class CodeListError(FivestarError):
    """A SKOS code list is missing or malformed."""


class ConversionError(FivestarError):
    """The conversion stage cannot produce a correct public file."""
