"""Dataset specs: ``datasets/<id>/dataset.yaml`` loaded into typed models.

A dataset is data, not code: everything the pipeline needs to know about a
dataset lives in its spec. Loading is strict (unknown keys are errors, so a
typo cannot silently switch a rule off) and every error names the file and
the field path, e.g. ``datasets/foi/dataset.yaml: release.next_release: …``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from pipelines.errors import Location, Problem, SpecError
from pipelines.paths import ROOT
from pipelines.spec.linked_data import LinkedDataMapping
from pipelines.spec.redaction import RedactionRules

UK = ZoneInfo("Europe/London")
#: A wall-clock time (an alias, so a spec field can be called ``time``).
TimeOfDay = time
SPEC_FILENAME = "dataset.yaml"

OGL_V3 = "OGL-UK-3.0"
#: Licences fivestar recognises as open, with their canonical URLs.
OPEN_LICENCES: dict[str, tuple[str, str]] = {
    OGL_V3: (
        "Open Government Licence v3.0",
        "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    ),
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": ("CC0 1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"),
}

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Frequency(StrEnum):
    monthly = "monthly"
    quarterly = "quarterly"
    annual = "annual"
    adhoc = "adhoc"


class ProtectiveMarking(StrEnum):
    official = "OFFICIAL"
    official_sensitive = "OFFICIAL-SENSITIVE"


class Publisher(_Strict):
    name: str = "Home Office"
    uri: str = "https://www.gov.uk/government/organisations/home-office"
    #: A team's functional mailbox, never a named person's.
    contact_name: str
    contact_email: str

    @field_validator("contact_email")
    @classmethod
    def _email(cls, v: str) -> str:
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v):
            raise ValueError("must be an email address (a team mailbox)")
        return v


class PreReleaseAccess(_Strict):
    """Someone who may see a release before it is published (published with the release).

    ``role`` (a job title) is always published; ``name`` only if given. ``user``
    is the review-app account, used to allow access and never published.
    """

    role: str = Field(min_length=1)
    name: str | None = None
    user: str | None = None


class Release(_Strict):
    """When and how often the dataset is published (Code of Practice T3)."""

    frequency: Frequency = Frequency.adhoc
    #: Pre-announced date and time of the next release; a bare date means ``time`` UK time.
    next_release: datetime | None = None
    #: Time of day releases go out, UK time (the department's standard 09:30 by default).
    time: TimeOfDay = time(9, 30)
    #: Whose bank holidays are not working days (UK bank holidays differ by nation).
    holidays: Literal["england-and-wales", "scotland", "northern-ireland"] = "england-and-wales"
    #: How later releases follow ``next_release`` on the calendar: the same weekday of
    #: the month (4th Thursday …), the same day of the month, or not at all.
    repeat: Literal["same_weekday", "same_day", "none"] = "same_weekday"
    #: Who may see a release before publication, beyond the department-wide list.
    pre_release_access: list[PreReleaseAccess] = Field(default_factory=list)
    #: The extract column that holds the period a row belongs to, if any.
    period_field: str | None = None
    #: First release period, e.g. ``2024-01-01``; partitions start here.
    start: date | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_time(cls, data: Any) -> Any:
        """A bare ``next_release`` date means the release ``time`` (09:30) UK time."""
        if not isinstance(data, dict):
            return data
        v = data.get("next_release")
        day = None
        if isinstance(v, date) and not isinstance(v, datetime):
            day = v
        elif isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            day = date.fromisoformat(v)
        if day is None:
            return data
        at = data.get("time", time(9, 30))
        if isinstance(at, str):
            try:
                at = time.fromisoformat(at)
            except ValueError:
                return data  # reported by the `time` field's own validation
        if not isinstance(at, time):
            return data
        return {**data, "next_release": datetime.combine(day, at, tzinfo=UK)}

    @field_validator("next_release")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            v = v.replace(tzinfo=UK)
        return v

    @model_validator(mode="after")
    def _start_needed(self) -> Release:
        if self.frequency != Frequency.adhoc and self.start is None:
            raise ValueError("a dataset with a release frequency needs `start` (first period)")
        return self

    @model_validator(mode="after")
    def _working_day(self) -> Release:
        """Official statistics are not released on weekends or bank holidays."""
        from pipelines.release_calendar.workdays import NAMES, bank_holiday

        if self.next_release is None:
            return self
        day = self.next_release.astimezone(UK).date()
        if day.weekday() >= 5:
            raise ValueError(f"next_release {day.isoformat()} is a {day:%A}, not a working day")
        name = bank_holiday(day, self.holidays)
        if name:
            raise ValueError(f"next_release {day.isoformat()} is a bank holiday ({name}) in "
                             f"{NAMES[self.holidays]}")
        return self


class InformationAsset(_Strict):
    """Information Asset Register entry. Internal only: never published."""

    asset_id: str
    information_asset_owner: str
    protective_marking: ProtectiveMarking
    retention: str
    #: Days fivestar keeps working copies of this dataset's runs (run folders,
    #: asset outputs) before `fivestar purge` deletes them; default: the
    #: FIVESTAR_WORK_RETENTION_DAYS setting (30).
    working_copy_days: int | None = Field(None, ge=0)
    notes: str | None = None


class SourceFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    parquet = "parquet"
    sql = "sql"


class Source(_Strict):
    """Where the internal extract comes from."""

    format: SourceFormat
    #: File path or glob, relative to the dataset folder (csv, xlsx, parquet).
    path: str | None = None
    encoding: str = "utf-8"
    delimiter: str = ","
    sheet: str | int | None = None
    #: SQL query (format ``sql``); the connection URL comes from this env variable.
    query: str | None = None
    connection_env: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Source:
        if self.format == SourceFormat.sql:
            if not self.query or not self.connection_env:
                raise ValueError("format `sql` needs `query` and `connection_env`")
        elif not self.path:
            raise ValueError(f"format `{self.format}` needs `path`")
        return self


class TableSchema(BaseModel):
    """A Frictionless Table Schema (kept as the standard's own JSON shape)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    fields: list[dict[str, Any]]
    primaryKey: list[str] | str | None = None  # noqa: N815 - the standard's name
    missingValues: list[str] = Field(default_factory=lambda: [""])  # noqa: N815

    @field_validator("fields")
    @classmethod
    def _fields_named(cls, v: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen: set[str] = set()
        for i, f in enumerate(v):
            name = f.get("name")
            if not name:
                raise ValueError(f"field {i} has no `name`")
            if name in seen:
                raise ValueError(f"field `{name}` is declared twice")
            seen.add(name)
        return v

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    @property
    def primary_key(self) -> list[str]:
        pk = self.primaryKey
        if pk is None:
            return []
        return [pk] if isinstance(pk, str) else list(pk)

    def descriptor(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True, by_alias=True)


class Expectations(_Strict):
    #: Suite file, relative to the repository's ``expectations/`` folder.
    suite: str | None = None


class DatasetSpec(_Strict):
    id: str
    title: str
    description: str
    keywords: list[str] = Field(default_factory=list)
    #: A data.gov.uk theme, e.g. ``crime-and-justice``.
    theme: str
    kind: Literal["aggregate", "record"] = "aggregate"
    publisher: Publisher
    licence: str = OGL_V3
    release: Release = Field(default_factory=Release)
    iar: InformationAsset
    source: Source
    table_schema: TableSchema = Field(alias="schema")
    expectations: Expectations = Field(default_factory=Expectations)
    #: Redaction and disclosure-control rules (:mod:`pipelines.spec.redaction`).
    redaction: RedactionRules = Field(default_factory=RedactionRules)
    #: Linked-data mapping (:mod:`pipelines.spec.linked_data`).
    linked_data: LinkedDataMapping = Field(default_factory=LinkedDataMapping)

    #: Set by the loader: the folder holding dataset.yaml, and the file's sha256.
    folder: Path = Field(default=Path("."), exclude=True)
    spec_sha256: str = Field(default="", exclude=True)

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not _SLUG.fullmatch(v):
            raise ValueError("must be a lowercase slug (letters, digits, single hyphens)")
        return v

    @field_validator("licence")
    @classmethod
    def _known_licence(cls, v: str) -> str:
        if v not in OPEN_LICENCES:
            raise ValueError(f"unknown licence; use one of {sorted(OPEN_LICENCES)}")
        return v

    @model_validator(mode="after")
    def _fields_exist(self) -> DatasetSpec:
        names = set(self.table_schema.field_names)
        for pk in self.table_schema.primary_key:
            if pk not in names:
                raise ValueError(f"schema.primaryKey names `{pk}`, which is not a field")
        pf = self.release.period_field
        if pf and pf not in names:
            raise ValueError(f"release.period_field names `{pf}`, which is not a field")
        return self

    @model_validator(mode="after")
    def _sections_agree(self) -> DatasetSpec:
        """Redaction and linked-data sections name only schema fields, and agree."""
        schema = {f["name"]: f for f in self.table_schema.fields}
        found = [*self.redaction.references(set(schema)),
                 *self.linked_data.references(schema, self.kind, self.redaction.dropped())]
        if found:
            path, detail = found[0]
            raise PydanticCustomError("reference", "{path}: {detail}",
                                      {"path": path, "detail": detail})
        return self

    # -- derived -----------------------------------------------------------
    @property
    def asset_key_prefix(self) -> str:
        """Dagster asset keys cannot contain hyphens."""
        return self.id.replace("-", "_")

    @property
    def licence_title(self) -> str:
        return OPEN_LICENCES[self.licence][0]

    @property
    def licence_url(self) -> str:
        return OPEN_LICENCES[self.licence][1]

    def suite_path(self, expectations_dir: Path) -> Path:
        return expectations_dir / (self.expectations.suite or f"{self.id}.json")

    def source_paths(self) -> list[Path]:
        """Files matched by ``source.path`` (sorted, so globs are deterministic)."""
        if self.source.path is None:
            return []
        pattern = self.source.path
        if any(ch in pattern for ch in "*?["):
            return sorted(self.folder.glob(pattern))
        return [self.folder / pattern]

    def public_dict(self) -> dict[str, Any]:
        """The spec without its internal-only parts (IAR, source location)."""
        return self.model_dump(
            mode="json", by_alias=True, exclude={"iar", "source", "redaction"}
        )


def _loc(err: Any) -> str:
    parts = [str(p) for p in err.get("loc", ()) if p not in ("__root__",)]
    path = (err.get("ctx") or {}).get("path")
    if path:  # a cross-section check names its own field path
        parts.append(str(path))
    return ".".join(parts) or "(top level)"


def load_spec(path: Path) -> DatasetSpec:
    """Load one dataset.yaml, raising SpecError naming the file and field path."""
    path = Path(path)
    shown = _display(path)
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise SpecError(Problem("unreadable", f"cannot read spec: {exc.strerror}",
                                Location(file=shown))) from None
    try:
        data = yaml.safe_load(raw_bytes.decode("utf-8"))
    except UnicodeDecodeError:
        raise SpecError(
            Problem("encoding", "spec is not valid UTF-8", Location(file=shown))
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "malformed YAML"
        raise SpecError(Problem("yaml", f"{problem}{where}", Location(file=shown))) from None
    if not isinstance(data, dict):
        raise SpecError(Problem("yaml", "spec must be a YAML mapping", Location(file=shown)))
    try:
        spec = DatasetSpec.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem("spec", e["msg"] if e["type"] == "reference" else f"{_loc(e)}: {e['msg']}",
                    Location(file=shown, field=_loc(e)))
            for e in exc.errors(include_input=False)
        ]
        raise SpecError(problems) from None
    if spec.id != path.parent.name:
        raise SpecError(Problem(
            "spec", f"id: `{spec.id}` must match the folder name `{path.parent.name}`",
            Location(file=shown, field="id")))
    spec.folder = path.parent.resolve()
    spec.spec_sha256 = hashlib.sha256(raw_bytes).hexdigest()
    return spec


def load_all(datasets_dir: Path) -> tuple[list[DatasetSpec], list[SpecError]]:
    """Load every ``*/dataset.yaml``; a broken spec is reported, never fatal to the rest."""
    specs: list[DatasetSpec] = []
    errors: list[SpecError] = []
    for path in sorted(Path(datasets_dir).glob(f"*/{SPEC_FILENAME}")):
        try:
            specs.append(load_spec(path))
        except SpecError as exc:
            errors.append(exc)
    return specs, errors


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
