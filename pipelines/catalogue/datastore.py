"""CKAN's DataStore loaded from the published CSV with the Table Schema's types.

The types come from the release's Frictionless Table Schema (``datapackage.json``, the
same schema the CSVW metadata is built from): nothing is guessed, unlike CKAN's
xloader/datapusher, which guess a type from the first rows and so turn codes such as
``01`` into numbers or give up and make every column text. The schema's
``missingValues`` (the disclosure-control marker, e.g. ``[c]``) load as NULL: a
suppressed cell stays suppressed, with its ``conf_status`` (C primary, D secondary) in
its own column and the marker named in the column's data-dictionary notes. Each
column's title and description become CKAN's data dictionary.

The table is rebuilt whenever the resource's bytes change (the CSV's sha256 is kept in
the table's ``fivestar_sha256`` data-dictionary entry of the first column), so a
republished release never keeps another release's rows; an unchanged CSV is not
reloaded. ``datatables_view`` then shows the rows on the dataset page and
``datastore_search`` / ``datastore_search_sql`` serve them.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import ckanapi

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


def table_schema(release_dir: Path, manifest: dict[str, Any], csv_path: str) -> dict | None:
    """The Table Schema of ``csv_path`` from the release's data package, if it has one."""
    for f in manifest["files"]:
        if f.get("role") != "datapackage":
            continue
        package = json.loads((Path(release_dir) / f["path"]).read_text(encoding="utf-8"))
        for res in package.get("resources", []):
            if res.get("path") == csv_path and isinstance(res.get("schema"), dict):
                return res["schema"]
    return None


def datastore_fields(schema: dict) -> list[dict[str, Any]]:
    markers = [m for m in schema.get("missingValues", [""]) if m]
    out = []
    for field in schema["fields"]:
        kind = TYPES.get(field.get("type", "string"), "text")
        notes = field.get("description", "")
        if markers and kind != "text":
            notes = (notes + " " if notes else "") + (
                f"Cells marked {', '.join(markers)} in the CSV (suppressed for disclosure "
                "control, or missing) are empty here.")
        out.append({"id": field["name"], "type": kind,
                    "info": {"label": field.get("title", ""), "notes": notes}})
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


def _records(path: Path, fields: list[dict], schema: dict) -> Iterator[list[dict]]:
    markers = set(schema.get("missingValues", [""]))
    names = [f["id"] for f in fields]
    convs = [_converter(f["type"], markers,
                        lambda row, n=f["id"]: Location(file=path.name, row=row, field=n))
             for f in fields]
    batch: list[dict] = []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
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


def _loaded_sha(client: ckanapi.RemoteCKAN, resource_id: str) -> str | None:
    try:
        info = client.action.datastore_info(id=resource_id)
    except (ckanapi.NotFound, ckanapi.CKANAPIError):
        return None
    fields = info.get("fields") or []
    return (fields[0].get("info") or {}).get("fivestar_sha256") if fields else None


def load(client: ckanapi.RemoteCKAN, resource: dict, release_dir: Path,
         manifest: dict[str, Any], file: dict[str, Any]) -> bool:
    """Make the resource's DataStore table hold exactly the CSV's rows, typed by its schema.

    Returns False (and loads nothing) for a CSV without a Table Schema: its types would
    have to be guessed. True when the table holds the rows (loaded now or already)."""
    schema = table_schema(release_dir, manifest, file["path"])
    if schema is None:
        log.warning("%s: no Table Schema in the release; no DataStore table", file["path"])
        return False
    if _loaded_sha(client, resource["id"]) == file["sha256"]:
        return True
    fields = datastore_fields(schema)
    fields[0]["info"]["fivestar_sha256"] = file["sha256"]
    with contextlib.suppress(ckanapi.NotFound):  # no table yet
        client.action.datastore_delete(resource_id=resource["id"], force=True)
    create: dict[str, Any] = {"resource_id": resource["id"], "fields": fields, "force": True,
                              "records": []}
    if schema.get("primaryKey"):
        keys = schema["primaryKey"]
        create["primary_key"] = keys if isinstance(keys, list) else [keys]
    client.action.datastore_create(**create)
    rows = 0
    for batch in _records(Path(release_dir) / file["path"], fields, schema):
        client.action.datastore_upsert(resource_id=resource["id"], records=batch,
                                       method="insert", force=True)
        rows += len(batch)
        log.info("%s: %d rows in the DataStore", file["path"], rows)
    total = client.action.datastore_search(resource_id=resource["id"], limit=0)["total"]
    if file.get("rows") is not None and total != int(file["rows"]):
        raise DataStoreError(Problem("datastore-rows", f"the DataStore holds {total} rows, the "
                                     f"CSV {file['rows']}", Location(file=file["path"])))
    _ensure_table_view(client, resource["id"])
    return True


def _ensure_table_view(client: ckanapi.RemoteCKAN, resource_id: str) -> None:
    views = client.action.resource_view_list(id=resource_id)
    if not any(v.get("view_type") == "datatables_view" for v in views):
        client.action.resource_view_create(resource_id=resource_id, view_type="datatables_view",
                                           title="Table preview")
