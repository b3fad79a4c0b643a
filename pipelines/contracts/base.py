"""The base of every contract: strict pydantic models with one stable JSON form.

Contracts are what crosses a seam between stages (and between Dagster steps,
possibly in different processes): they are validated when made and when read
back, unknown keys are errors, and ``to_json`` / ``from_json`` round-trip.
Derived values are ``computed_field``s: they appear in the JSON for readers,
and are recomputed (not trusted) when the JSON is read back.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict, model_validator


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_computed(cls, data: Any) -> Any:
        """Computed fields are written for readers but never read back."""
        computed = cls.model_computed_fields
        if isinstance(data, dict) and computed and any(k in data for k in computed):
            return {k: v for k, v in data.items() if k not in computed}
        return data

    def to_json(self, *, indent: int | None = 2) -> str:
        """The stable JSON form (keys in declaration order, under their aliases: a field
        whose JSON name is a Python keyword or a pydantic name, e.g. ``from``)."""
        return self.model_dump_json(indent=indent, by_alias=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> Self:
        return cls.model_validate_json(text)
