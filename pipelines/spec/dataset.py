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
from typing import Annotated, Any, Literal, Required
from zoneinfo import ZoneInfo

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict

from pipelines.errors import Location, Problem, SpecError
from pipelines.paths import ROOT
from pipelines.spec.linked_data import LinkedDataMapping
from pipelines.spec.redaction import RedactionRules

UK = ZoneInfo("Europe/London")
#: A wall-clock time (an alias, so a spec field can be called ``time``).
TimeOfDay = time
SPEC_FILENAME = "dataset.yaml"

#: The version of the spec this fivestar reads, and the ``$schema`` that names it
#: (like csvcubed's ``qube-config`` URLs): a spec without ``$schema`` is read as
#: this version, one naming another version is refused.
SPEC_VERSION = 1
SPEC_SCHEMA_ID = f"https://data.homeoffice.gov.uk/def/fivestar/dataset-spec/v{SPEC_VERSION}"
#: Keys the loader sets itself: never taken from the file.
_LOADER_KEYS = ("folder", "spec_sha256")

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

#: data.gov.uk themes a spec may name, each with its EU data-theme authority code
#: (DCAT-AP's dcat:theme, which the catalogue metadata's SHACL shapes require).
THEMES: dict[str, str] = {
    "crime-and-justice": "JUST", "government": "GOVE", "government-spending": "GOVE",
    "society": "SOCI", "health": "HEAL", "environment": "ENVI", "transport": "TRAN",
    "education": "EDUC", "economy": "ECON", "business-and-economy": "ECON",
    "defence": "GOVE", "towns-and-cities": "REGI", "mapping": "REGI",
    "population": "SOCI", "international": "INTR",
}

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True,
                              use_attribute_docstrings=True)


class Frequency(StrEnum):
    """How often the dataset is released (``adhoc``: no regular periods)."""

    monthly = "monthly"
    quarterly = "quarterly"
    annual = "annual"
    adhoc = "adhoc"


class ProtectiveMarking(StrEnum):
    """Government Security Classifications marking of the internal extract."""

    official = "OFFICIAL"
    official_sensitive = "OFFICIAL-SENSITIVE"


class Publisher(_Strict):
    """Who publishes the dataset, and whom the public contacts about it (published)."""

    name: str = "Home Office"
    """The publishing organisation's name."""
    uri: str = "https://www.gov.uk/government/organisations/home-office"
    """The organisation's URI (its GOV.UK page)."""
    contact_name: str
    """A team's name (the contact point), never a named person's."""
    contact_email: str
    """A team's functional mailbox, never a named person's."""

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
    """Job title (always published), e.g. ``Home Secretary``."""
    name: str | None = None
    """The person's name, published only if given."""
    user: str | None = None
    """Their review-app account, which lets them see the release early (never published)."""


class Release(_Strict):
    """When and how often the dataset is published (Code of Practice T3)."""

    frequency: Frequency = Frequency.adhoc
    """How often the dataset is released; any but ``adhoc`` needs ``start``."""
    next_release: Annotated[datetime | None, WithJsonSchema({"anyOf": [
        {"type": "string", "format": "date-time"}, {"type": "string", "format": "date"},
        {"type": "null"}]})] = None
    """Pre-announced date and time of the next release; a bare date means ``time`` UK time."""
    time: TimeOfDay = time(9, 30)
    """Time of day releases go out, UK time (the department's standard 09:30 by default);
    write it in quotes (``"09:30"``): YAML reads a bare 9:30 as a number.
    """
    holidays: Literal["england-and-wales", "scotland", "northern-ireland"] = "england-and-wales"
    """Whose bank holidays are not working days (UK bank holidays differ by nation)."""
    repeat: Literal["same_weekday", "same_day", "none"] = "same_weekday"
    """How later releases follow ``next_release`` on the calendar: the same weekday of the
    month (4th Thursday …), the same day of the month, or not at all.
    """
    pre_release_access: list[PreReleaseAccess] = Field(default_factory=list)
    """Who may see a release before publication, beyond the department-wide list."""
    period_field: str | None = None
    """The extract column that holds the period a row belongs to, if any."""
    start: date | None = None
    """First release period, e.g. ``2024-01-01``; partitions start here."""

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

    @field_validator("time", mode="before")
    @classmethod
    def _time_text(cls, v: Any) -> Any:
        """YAML 1.1 reads an unquoted ``9:30`` as 570 (base 60): refuse it, never 00:09:30."""
        if isinstance(v, int | float) and not isinstance(v, bool):
            raise ValueError('write the time in quotes, e.g. "09:30" (YAML reads a bare 9:30 '
                             "as a number)")
        return v

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
    """The asset's id in the Information Asset Register."""
    information_asset_owner: str
    """The Information Asset Owner (a role, e.g. ``Head of Crime Statistics``)."""
    protective_marking: ProtectiveMarking
    """The internal extract's marking (the published data is OFFICIAL, public)."""
    retention: str
    """The retention rule for the internal data, as the register states it."""
    working_copy_days: int | None = Field(None, ge=0)
    """Days fivestar keeps working copies of this dataset's runs (run folders, asset outputs)
    before `fivestar purge` deletes them; default: the FIVESTAR_WORK_RETENTION_DAYS
    setting (30).
    """
    notes: str | None = None
    """Anything else the register records (what personal data the extract holds, say)."""


class SourceFormat(StrEnum):
    """How the extract is stored."""

    csv = "csv"
    xlsx = "xlsx"
    parquet = "parquet"
    sql = "sql"


class Source(_Strict):
    """Where the internal extract comes from."""

    format: SourceFormat
    """The extract's format; ``sql`` reads the result of ``query``."""
    path: str | None = None
    """File path or glob, relative to the dataset folder (csv, xlsx, parquet); a glob
    reads every matching file, in name order, as one extract."""
    encoding: str = "utf-8"
    """Text encoding of a CSV (a UTF-8 byte-order mark is accepted)."""
    delimiter: str = ","
    """Cell delimiter of a CSV (``;`` and a tab are common in exports)."""
    sheet: str | int | None = None
    """XLSX: the sheet's name, or its 0-based position; default the first sheet."""
    query: str | None = None
    """SQL query (format ``sql``)."""
    connection_env: str | None = None
    """Format ``sql``: the environment variable holding the database URL (never the URL
    itself, which may hold a password)."""

    @model_validator(mode="after")
    def _consistent(self) -> Source:
        if self.format == SourceFormat.sql:
            if not self.query or not self.connection_env:
                raise ValueError("format `sql` needs `query` and `connection_env`")
        elif not self.path:
            raise ValueError(f"format `{self.format}` needs `path`")
        return self


class Constraints(TypedDict, total=False):
    """Frictionless field constraints fivestar checks on every row of the extract."""

    __pydantic_config__ = ConfigDict(extra="allow", use_attribute_docstrings=True)  # type: ignore[misc]

    required: bool
    """An empty cell (or a ``missingValues`` marker) is an error."""
    unique: bool
    """No value may occur twice."""
    minimum: Any
    """Smallest allowed value (numbers, dates)."""
    maximum: Any
    """Largest allowed value (numbers, dates)."""
    minLength: int  # noqa: N815 - the standard's name
    """Shortest allowed text."""
    maxLength: int  # noqa: N815 - the standard's name
    """Longest allowed text."""
    pattern: str
    """A regular expression every value must match in full."""
    enum: list[Any]
    """The only values allowed."""


class FieldDescriptor(TypedDict, total=False):
    """One column: a Frictionless Table Schema field, plus fivestar's ``codelist``."""

    __pydantic_config__ = ConfigDict(extra="allow", use_attribute_docstrings=True)  # type: ignore[misc]

    name: Required[str]
    """The column's name in the extract's header (and in the published CSV)."""
    type: Literal["string", "number", "integer", "boolean", "date", "datetime", "time",
                  "year", "yearmonth", "duration", "object", "array", "geopoint", "geojson",
                  "any"]
    """The Table Schema type values are read as (default ``string``)."""
    format: str
    """Type format, e.g. a date pattern like ``%d/%m/%Y`` (default ISO 8601), or
    ``email`` for a string."""
    title: str
    """Human-readable column name (published)."""
    description: str
    """What the column holds (published)."""
    constraints: Constraints
    """Rules every value must follow."""
    codelist: str
    """fivestar: the stem of a SKOS code list in the vocabularies folder; each value
    must be a concept's ``skos:notation`` and links to that concept."""
    trueValues: list[str]  # noqa: N815 - the standard's name
    """Booleans: the texts read as true."""
    falseValues: list[str]  # noqa: N815 - the standard's name
    """Booleans: the texts read as false."""


def _descriptors(v: Any) -> list[dict[str, Any]]:
    """Field descriptors kept exactly as written (the standard's own JSON shape)."""
    if not isinstance(v, list) or not all(isinstance(f, dict) for f in v):
        raise ValueError("must be a list of field descriptors (mappings with a `name`)")
    return [dict(f) for f in v]


class TableSchema(BaseModel):
    """A Frictionless Table Schema: the extract's columns, their types and constraints.

    Kept as the standard's own JSON shape (published as the data package's schema).
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True,
                              use_attribute_docstrings=True)

    fields: Annotated[list[dict[str, Any]], PlainValidator(
        _descriptors, json_schema_input_type=list[FieldDescriptor])]
    """Every column of the extract, in order; the header must hold exactly these names."""
    primaryKey: list[str] | str | None = None  # noqa: N815 - the standard's name
    """The field(s) whose values identify a row: no two rows may repeat them."""
    missingValues: list[str] = Field(default_factory=lambda: [""])  # noqa: N815
    """Cell texts that mean "no value" (default: the empty cell)."""

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
    """Which Great Expectations suite validates the extract."""

    suite: str | None = None
    """Suite file (GX Core JSON), relative to the expectations folder
    (``FIVESTAR_EXPECTATIONS_DIR``, default ``expectations/``); default ``<id>.json``."""


class DatasetSpec(_Strict):
    """A dataset: ``datasets/<id>/dataset.yaml``, everything fivestar needs to publish it."""

    spec_schema: str | None = Field(None, alias="$schema", exclude=True, description=(
        f"The spec version this file is written to, `{SPEC_SCHEMA_ID}`; default the "
        "current version. Any other value is refused."))
    id: str
    """The dataset's id: a lowercase slug, equal to its folder's name (the CKAN name)."""
    title: str
    """The public title."""
    description: str
    """The public description: what the data is, its coverage, its caveats."""
    keywords: list[str] = Field(default_factory=list)
    """Public keywords (CKAN tags)."""
    theme: Annotated[str, WithJsonSchema({"type": "string", "enum": list(THEMES)})]
    """A data.gov.uk theme, e.g. ``crime-and-justice`` (mapped to the EU data theme)."""
    kind: Literal["aggregate", "record"] = "aggregate"
    """``aggregate``: a table of counts (an RDF Data Cube, disclosure control);
    ``record``: one row per thing (typed RDF resources)."""
    publisher: Publisher
    """Who publishes it (published)."""
    licence: Annotated[str, WithJsonSchema({"type": "string", "enum": list(OPEN_LICENCES)})] = (
        OGL_V3)
    """The open licence (OGL v3.0 unless stated)."""
    release: Release = Field(default_factory=Release)
    """The release calendar: frequency, periods, next date, pre-release access."""
    iar: InformationAsset
    """The Information Asset Register entry (internal, never published)."""
    source: Source
    """Where the extract is and how to read it (internal, never published)."""
    table_schema: TableSchema = Field(alias="schema")
    """The extract's columns as a Frictionless Table Schema."""
    expectations: Expectations = Field(default_factory=Expectations)
    """The Great Expectations suite that validates the extract."""
    redaction: RedactionRules = Field(default_factory=RedactionRules)
    """Redaction and disclosure-control rules (internal, never published)."""
    linked_data: LinkedDataMapping = Field(default_factory=LinkedDataMapping)
    """How the columns become RDF: Data Cube roles or record properties, and links."""

    folder: SkipJsonSchema[Path] = Field(default=Path("."), exclude=True)
    """Set by the loader, never read from the file: the folder holding dataset.yaml."""
    spec_sha256: SkipJsonSchema[str] = Field(default="", exclude=True)
    """Set by the loader, never read from the file: the sha256 of dataset.yaml's bytes."""

    @model_validator(mode="before")
    @classmethod
    def _not_from_the_file(cls, data: Any) -> Any:
        """``folder`` and ``spec_sha256`` are facts about the file, not things it may claim."""
        if isinstance(data, dict):
            for k in _LOADER_KEYS:
                if k in data:
                    raise PydanticCustomError("reference", "{path}: {detail}", {
                        "path": k, "detail": "set by fivestar from the file itself; remove it"})
        return data

    @field_validator("spec_schema")
    @classmethod
    def _known_version(cls, v: str | None) -> str | None:
        if v is not None and v != SPEC_SCHEMA_ID:
            raise ValueError(f"names a spec version this fivestar does not read; it reads "
                             f"version {SPEC_VERSION}: {SPEC_SCHEMA_ID}")
        return v

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not _SLUG.fullmatch(v):
            raise ValueError("must be a lowercase slug (letters, digits, single hyphens)")
        return v

    @field_validator("theme")
    @classmethod
    def _known_theme(cls, v: str) -> str:
        if v not in THEMES:
            raise ValueError(f"unknown theme; use one of {sorted(THEMES)}")
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
                raise PydanticCustomError("reference", "{path}: {detail}", {
                    "path": "schema.primaryKey", "detail": f"`{pk}` is not a field"})
        pf = self.release.period_field
        if pf and pf not in names:
            raise PydanticCustomError("reference", "{path}: {detail}", {
                "path": "release.period_field", "detail": f"`{pf}` is not a field"})
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
    def counted_measure(self) -> str | None:
        """The measure fivestar counts from records (``redaction.sdc.from_records``).

        It is declared in the Table Schema, which describes the *published*
        table too (its type, title and description go into CSVW and the Data
        Cube), but the extract cannot hold it: its rows are the records counted.
        """
        sdc = self.redaction.sdc
        return sdc.measure if sdc is not None and sdc.from_records else None

    @property
    def extract_fields(self) -> list[dict[str, Any]]:
        """The Table Schema's fields the extract holds: all but a counted measure."""
        return [f for f in self.table_schema.fields if f["name"] != self.counted_measure]

    @property
    def extract_field_names(self) -> list[str]:
        return [f["name"] for f in self.extract_fields]

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


def _message(err: Any) -> str:
    """The error in words, without the key path (the location names it) or the input."""
    if err["type"] == "reference":
        return str(err["ctx"]["detail"])
    key = err["loc"][-1] if err["loc"] else ""
    if err["type"] == "extra_forbidden" and isinstance(key, str) and " " in key.strip():
        # no spec key has a space: this is the tail of a value cut at a comma inside
        # `{...}` (`reason: a reference, not a person`), which YAML reads as a new key
        return ("not a key: the text after a comma in a `{...}` mapping; "
                "put a value that holds a comma in quotes")
    return str(err["msg"]).removeprefix("Value error, ")


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
        problems = [Problem("spec", _message(e), Location(file=shown, field=_loc(e)))
                    for e in exc.errors(include_input=False)]
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
