"""CKAN's DataStore loaded from the published CSV with the Table Schema's types.

The types come from the release's Frictionless Table Schema (``datapackage.json``, the
same schema the CSVW metadata is built from): nothing is guessed, unlike CKAN's
xloader/datapusher, which guess a type from the first rows and so turn codes such as
``01`` into numbers or give up and make every column text. The schema's
``missingValues`` (the disclosure-control marker, e.g. ``[c]``) load as NULL: a
suppressed cell stays suppressed, with its ``conf_status`` (C primary, D secondary) in
its own column (labelled "Confidentiality status", its codes spelled out), and the marker
and what it means in each typed column's data-dictionary notes, which the table preview
shows behind each column header's info mark. Each column's title and description become
CKAN's data dictionary (labels in the preview's headers).

The table is rebuilt whenever the resource's bytes change (the CSV's sha256 is kept in
the table's ``fivestar_sha256`` data-dictionary entry of the first column, written only
once every row of those bytes is in), so a republished release never keeps another
release's rows; an unchanged CSV is not reloaded. ``datatables_view`` then shows the rows
on the dataset page and ``datastore_search`` / ``datastore_search_sql`` serve them.

Who loads it: the catalogue's publisher account only (ckanext-fivestar's guard refuses
every DataStore and view write by anyone else, private datasets included), so with a
review service the service loads the tables of what goes public, from the approved files,
hashing the bytes as it parses them (:func:`load`), and checks them again at the switch
(:func:`check`). The pipeline's account, readable on the pipeline host, cannot put rows
the champion did not approve beside the approved files.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ckanapi

from pipelines.contracts.manifest import Manifest, ManifestFile
from pipelines.convert.terms import CONF_COLUMN
from pipelines.errors import FivestarError, Location, Problem

log = logging.getLogger("fivestar.datastore")

#: Table Schema type -> DataStore (PostgreSQL) column type.
TYPES = {
    "integer": "int8", "number": "numeric", "boolean": "bool", "date": "date",
    "datetime": "timestamp", "time": "time", "year": "int4", "string": "text",
    "yearmonth": "text", "duration": "interval", "object": "json", "array": "json",
    "geopoint": "text", "geojson": "json", "any": "text",
}
TRUE = {"true", "True", "TRUE", "1", "yes"}
FALSE = {"false", "False", "FALSE", "0", "no"}
BATCH = 10_000


class DataStoreError(FivestarError):
    """The rows could not be loaded into the DataStore exactly as published."""


def tables(manifest: Manifest, resources: list[dict]) -> list[tuple[dict, ManifestFile]]:
    """(resource, manifest entry) of every CSV of the release among ``resources`` that gets
    a DataStore table."""
    by_name = {r["name"]: r for r in resources}
    return [(by_name[f["path"]], f) for f in manifest["files"]
            if f.get("role") == "data" and f.get("media_type") == "text/csv"
            and f["path"] in by_name]


def _changed(name: str) -> DataStoreError:
    return DataStoreError(Problem("datastore-bytes-changed", "the file's bytes are not the "
                                  "approved ones (changed after the check)",
                                  Location(file=name)))


def table_schema(release_dir: Path, manifest: Manifest, csv_path: str) -> dict | None:
    """The Table Schema of ``csv_path`` from the release's data package, if it has one
    (the data package's bytes checked against the manifest's sha256 as they are read)."""
    for f in manifest["files"]:
        if f.get("role") != "datapackage":
            continue
        raw = (Path(release_dir) / f["path"]).read_bytes()
        if hashlib.sha256(raw).hexdigest() != f.get("sha256"):
            raise _changed(f["path"])
        package = json.loads(raw.decode("utf-8"))
        for res in package.get("resources", []):
            if res.get("path") == csv_path and isinstance(res.get("schema"), dict):
                return res["schema"]
    return None


#: Words for the column that says why a cell is empty (the SDMX confidentiality status).
STATUS_LABEL = "Confidentiality status"


def datastore_fields(schema: dict) -> list[dict[str, Any]]:
    """The DataStore columns: the Table Schema's names and types, and a data dictionary a
    person can read in the table preview (each column's label in its header, its notes
    behind the header's info mark and on the resource page).

    A typed column cannot hold the suppression marker (``[c]`` is not a number), so a
    suppressed cell is NULL there: the column's notes say that an empty cell is the marked
    one and why, and point at the status column, whose label and notes spell out its codes.
    """
    markers = [m for m in schema.get("missingValues", [""]) if m]
    names = [f["name"] for f in schema["fields"]]
    status = CONF_COLUMN if CONF_COLUMN in names else None
    out = []
    for field in schema["fields"]:
        kind = TYPES.get(field.get("type", "string"), "text")
        notes = field.get("description", "")
        label = field.get("title", "")
        if field["name"] == status:
            label = label or STATUS_LABEL
            codes = (field.get("constraints") or {}).get("enum") or []
            notes = notes or f"Why a value is shown or withheld: {', '.join(codes)}"
        elif markers and kind != "text":
            why = (f" The column {status} ({STATUS_LABEL.lower()}) says why: C primary, "
                   "D secondary suppression.") if status else ""
            notes = (notes + " " if notes else "") + (
                f"An empty cell is shown as {' or '.join(markers)} in the CSV: the value is "
                f"withheld (suppressed for disclosure control) or missing.{why}")
        out.append({"id": field["name"], "type": kind,
                    "info": {"label": label, "notes": notes}})
    return out


def _converter(kind: str, markers: set[str], where: Callable[[int], Location]
               ) -> Callable[[str, int], Any]:
    def convert(value: str, row: int) -> Any:
        if value in markers:
            return None
        if kind in ("int8", "int4"):
            try:
                return int(value)
            except ValueError:
                raise DataStoreError(Problem("datastore-type", f"{value!r} is not an integer",
                                             where(row))) from None
        if kind == "bool":
            if value in TRUE:
                return True
            if value in FALSE:
                return False
            raise DataStoreError(Problem("datastore-type", "not a boolean", where(row)))
        return value  # numeric, dates and text: PostgreSQL parses and checks them
    return convert


def _hashed_lines(path: Path, sha256: str | None) -> Iterator[str]:
    """The file's lines (line ends kept, for ``csv``), its bytes hashed as they are read:
    at the end, bytes that are not ``sha256``'s raise, so the rows parsed are the rows of
    the bytes checked (a file swapped after its check is never loaded)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for line in fh:
            digest.update(line)
            yield line.decode("utf-8")
    if sha256 is not None and digest.hexdigest() != sha256:
        raise _changed(path.name)


def _records(path: Path, fields: list[dict], schema: dict,
             sha256: str | None = None) -> Iterator[list[dict]]:
    markers = set(schema.get("missingValues", [""]))
    names = [f["id"] for f in fields]
    convs = [_converter(f["type"], markers,
                        lambda row, n=f["id"]: Location(file=path.name, row=row, field=n))
             for f in fields]
    batch: list[dict] = []
    reader = csv.reader(_hashed_lines(path, sha256))
    header = next(reader)
    if header != names:
        raise DataStoreError(Problem("datastore-header", f"CSV header {header} differs from "
                                     f"the Table Schema {names}", Location(file=path.name)))
    for i, row in enumerate(reader, start=2):
        batch.append({n: c(v, i) for n, c, v in zip(names, convs, row, strict=True)})
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _loaded(client: ckanapi.RemoteCKAN, resource_id: str) -> list[dict[str, Any]]:
    """The table's columns as the DataStore has them (none if there is no table)."""
    try:
        info = client.action.datastore_info(id=resource_id)
    except (ckanapi.NotFound, ckanapi.CKANAPIError):
        return []
    return info.get("fields") or []


def _loaded_sha(fields: list[dict[str, Any]]) -> str | None:
    return (fields[0].get("info") or {}).get("fivestar_sha256") if fields else None


def _dictionary(fields: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    return [(f["id"], f.get("type", ""), (f.get("info") or {}).get("label", ""),
             (f.get("info") or {}).get("notes", "")) for f in fields]


def _count(client: ckanapi.RemoteCKAN, resource_id: str) -> int:
    return int(client.action.datastore_search(resource_id=resource_id, limit=0,
                                              include_total=True)["total"])


def _labelled(fields: list[dict[str, Any]], sha256: str) -> list[dict[str, Any]]:
    """``fields`` with the loaded bytes' sha256 in the first column's data dictionary."""
    first = {**fields[0], "info": {**fields[0]["info"], "fivestar_sha256": sha256}}
    return [first, *fields[1:]]


def _rows_differ(client: ckanapi.RemoteCKAN, resource_id: str, file: ManifestFile) -> bool:
    return file.get("rows") is not None and _count(client, resource_id) != int(file["rows"])


def load(client: ckanapi.RemoteCKAN, resource: dict, release_dir: Path,
         manifest: Manifest, file: ManifestFile) -> bool:
    """Make the resource's DataStore table hold exactly the CSV's rows, typed by its schema.

    The rows are parsed from the bytes as they are hashed; the sha256 label goes on the
    table last, once every row is in and the bytes were the approved ones, so a table
    with the label holds a complete load (an interrupted or refused load leaves none: its
    table is dropped). Returns False (and loads nothing) for a CSV without a Table Schema:
    its types would have to be guessed. True when the table holds the rows."""
    schema = table_schema(release_dir, manifest, file["path"])
    if schema is None:
        log.warning("%s: no Table Schema in the release; no DataStore table", file["path"])
        return False
    fields = datastore_fields(schema)
    labelled = _labelled(fields, file["sha256"])
    have = _loaded(client, resource["id"])
    if _loaded_sha(have) == file["sha256"] and not _rows_differ(client, resource["id"], file):
        if _dictionary(have) != _dictionary(labelled):  # the same rows, newer words for them
            client.action.datastore_create(resource_id=resource["id"], fields=labelled,
                                           force=True)
        _ensure_table_view(client, resource["id"])
        return True
    with contextlib.suppress(ckanapi.NotFound):  # no table yet
        client.action.datastore_delete(resource_id=resource["id"], force=True)
    create: dict[str, Any] = {"resource_id": resource["id"], "fields": fields, "force": True,
                              "records": []}
    if schema.get("primaryKey"):
        keys = schema["primaryKey"]
        create["primary_key"] = keys if isinstance(keys, list) else [keys]
    client.action.datastore_create(**create)
    try:
        rows = 0
        for batch in _records(Path(release_dir) / file["path"], fields, schema,
                              file["sha256"]):
            client.action.datastore_upsert(resource_id=resource["id"], records=batch,
                                           method="insert", force=True)
            rows += len(batch)
            log.info("%s: %d rows in the DataStore", file["path"], rows)
        total = _count(client, resource["id"])
        if file.get("rows") is not None and total != int(file["rows"]):
            raise DataStoreError(Problem("datastore-rows", f"the DataStore holds {total} rows, "
                                         f"the CSV {file['rows']}", Location(file=file["path"])))
    except Exception:
        with contextlib.suppress(ckanapi.CKANAPIError):  # no partial table left behind
            client.action.datastore_delete(resource_id=resource["id"], force=True)
        raise
    client.action.datastore_create(resource_id=resource["id"], fields=labelled, force=True)
    _ensure_table_view(client, resource["id"])
    return True


def check(client: ckanapi.RemoteCKAN, resource: dict, release_dir: Path,
          manifest: Manifest, file: ManifestFile) -> None:
    """At the switch: the resource's table is a complete load of the approved bytes (their
    sha256 label, the schema's columns, types and words, the manifest's row count), or
    ``DataStoreError``. Only the publisher account writes the DataStore, and it labels a
    table only after a complete load of bytes it hashed (:func:`load`)."""
    schema = table_schema(release_dir, manifest, file["path"])
    if schema is None:
        return
    want = _labelled(datastore_fields(schema), file["sha256"])
    have = _loaded(client, resource["id"])
    if _dictionary(have) != _dictionary(want) or _loaded_sha(have) != file["sha256"]:
        raise DataStoreError(Problem("datastore-differs", "the DataStore table is not the "
                                     "publisher's load of the approved file",
                                     Location(file=file["path"])))
    if _rows_differ(client, resource["id"], file):
        raise DataStoreError(Problem("datastore-rows", "the DataStore holds another row count "
                                     "than the approved file", Location(file=file["path"])))


def _ensure_table_view(client: ckanapi.RemoteCKAN, resource_id: str) -> None:
    views = client.action.resource_view_list(id=resource_id)
    if not any(v.get("view_type") == "datatables_view" for v in views):
        client.action.resource_view_create(resource_id=resource_id, view_type="datatables_view",
                                           title="Table preview")
