"""The DataStore load the review service makes at the switch, and its check under the lock.

Only the catalogue's publisher account writes the DataStore (ckanext-fivestar's guard,
attacked on the real CKAN in ``tests/integration/test_staged_rows.py``); here the load's
own guarantees against a recording DataStore: the rows come from the bytes it hashed, a
table carries the approved file's sha256 label only once it holds every row, and the
check at the switch refuses any other table.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import ckanapi
import pytest

from pipelines.catalogue import datastore

CSV = b"area,count\nE01,3\nE02,5\nE03,7\n"


class FakeDataStore:
    """The DataStore actions ``datastore.load`` and ``check`` call, recorded."""

    def __init__(self) -> None:
        self.action = self
        self.tables: dict[str, dict] = {}
        self.views: list[str] = []

    def datastore_info(self, id):  # noqa: A002 - CKAN's argument name
        if id not in self.tables:
            raise ckanapi.NotFound("no table")
        return {"fields": self.tables[id]["fields"]}

    def datastore_create(self, resource_id, fields, force, records=(), primary_key=None):
        table = self.tables.setdefault(resource_id, {"rows": []})
        table["fields"] = [dict(f) for f in fields]
        table["rows"].extend(records)

    def datastore_upsert(self, resource_id, records, method, force):
        self.tables[resource_id]["rows"].extend(records)

    def datastore_delete(self, resource_id, force):
        if self.tables.pop(resource_id, None) is None:
            raise ckanapi.NotFound("no table")

    def datastore_search(self, resource_id, limit, include_total):
        return {"total": len(self.tables[resource_id]["rows"])}

    def resource_view_list(self, id):  # noqa: A002
        return [{"view_type": v} for v in self.views]

    def resource_view_create(self, resource_id, view_type, title):
        self.views.append(view_type)


def _release(tmp_path: Path, csv_bytes: bytes = CSV) -> tuple[Path, dict, dict]:
    schema = {"fields": [{"name": "area", "type": "string"},
                         {"name": "count", "type": "integer"}], "missingValues": ["[c]"]}
    package = json.dumps({"resources": [{"path": "t.csv", "schema": schema}]}).encode()
    (tmp_path / "t.csv").write_bytes(csv_bytes)
    (tmp_path / "datapackage.json").write_bytes(package)
    data = {"path": "t.csv", "role": "data", "media_type": "text/csv", "rows": 3,
            "sha256": hashlib.sha256(CSV).hexdigest()}
    manifest = {"files": [data, {"path": "datapackage.json", "role": "datapackage",
                                 "sha256": hashlib.sha256(package).hexdigest()}]}
    return tmp_path, manifest, data


def _label(store: FakeDataStore) -> str | None:
    return store.tables["r"]["fields"][0]["info"].get("fivestar_sha256")


def test_the_load_labels_a_complete_table_and_the_check_passes(tmp_path):
    folder, manifest, data = _release(tmp_path)
    store = FakeDataStore()
    assert datastore.load(store, {"id": "r"}, folder, manifest, data)
    assert len(store.tables["r"]["rows"]) == 3 and _label(store) == data["sha256"]
    assert store.views == ["datatables_view"]
    datastore.check(store, {"id": "r"}, folder, manifest, data)
    # loaded again: nothing is rewritten
    assert datastore.load(store, {"id": "r"}, folder, manifest, data)
    assert len(store.tables["r"]["rows"]) == 3 and store.views == ["datatables_view"]


def test_attack_a_file_swapped_after_the_check_is_never_loaded(tmp_path):
    """The CSV is replaced in the release folder after the gate re-hashed it: the load
    parses the bytes as it hashes them, refuses, and leaves no table behind."""
    folder, manifest, data = _release(tmp_path, b"area,count\nE01,999\nE02,5\nE03,7\n")
    store = FakeDataStore()
    with pytest.raises(datastore.DataStoreError) as caught:
        datastore.load(store, {"id": "r"}, folder, manifest, data)
    assert [p.code for p in caught.value.problems] == ["datastore-bytes-changed"]
    assert "r" not in store.tables


def test_attack_a_data_package_swapped_after_the_check_is_refused(tmp_path):
    folder, manifest, data = _release(tmp_path)
    (folder / "datapackage.json").write_bytes(b'{"resources": []}')
    with pytest.raises(datastore.DataStoreError, match="not the approved"):
        datastore.load(FakeDataStore(), {"id": "r"}, folder, manifest, data)


def test_an_interrupted_load_leaves_no_labelled_table(tmp_path):
    """A load cut off part-way (here the row count differs) drops its table: no table
    carries the label without every row, so the next attempt loads it again."""
    folder, manifest, data = _release(tmp_path)
    store = FakeDataStore()
    with pytest.raises(datastore.DataStoreError, match="rows"):
        datastore.load(store, {"id": "r"}, folder, manifest, {**data, "rows": 4})
    assert "r" not in store.tables


@pytest.mark.parametrize("tamper", ["row-deleted", "row-added", "label", "words", "no-table"])
def test_attack_a_table_that_is_not_the_publishers_load_is_refused_at_the_switch(
        tmp_path, tamper):
    folder, manifest, data = _release(tmp_path)
    store = FakeDataStore()
    datastore.load(store, {"id": "r"}, folder, manifest, data)
    table = store.tables["r"]
    if tamper == "row-deleted":
        table["rows"].pop()
    elif tamper == "row-added":
        table["rows"].append({"area": "E09", "count": 1})
    elif tamper == "label":
        table["fields"][0]["info"]["fivestar_sha256"] = "0" * 64
    elif tamper == "words":
        table["fields"][1]["info"]["label"] = "forged"
    else:
        del store.tables["r"]
    with pytest.raises(datastore.DataStoreError) as caught:
        datastore.check(store, {"id": "r"}, folder, manifest, data)
    assert caught.value.problems[0].code in ("datastore-rows", "datastore-differs")
