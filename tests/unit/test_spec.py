"""Spec loading: good specs load typed; bad ones name the file and field path."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import yaml

from pipelines.errors import SpecError
from pipelines.spec import OGL_V3, UK, load_all, load_spec

GOOD = {
    "id": "widgets",
    "title": "Widgets issued",
    "description": "Counts of widgets.",
    "keywords": ["widgets"],
    "theme": "government",
    "publisher": {"contact_name": "Widget Statistics", "contact_email": "widgets@example.gov.uk"},
    "release": {"frequency": "quarterly", "next_release": "2027-01-28", "start": "2024-01-01",
                "period_field": "period"},
    "iar": {"asset_id": "IAR-1", "information_asset_owner": "Director of Widgets",
            "protective_marking": "OFFICIAL", "retention": "7 years"},
    "source": {"format": "csv", "path": "extract.csv"},
    "schema": {"fields": [{"name": "period", "type": "string"},
                          {"name": "count", "type": "integer"}],
               "primaryKey": ["period"]},
}


def write(tmp_path: Path, data: dict | str, folder: str = "widgets") -> Path:
    d = tmp_path / folder
    d.mkdir(parents=True, exist_ok=True)
    p = d / "dataset.yaml"
    p.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return p


def test_good_spec_loads_with_defaults(tmp_path):
    spec = load_spec(write(tmp_path, GOOD))
    assert spec.id == "widgets"
    assert spec.licence == OGL_V3
    assert spec.publisher.name == "Home Office"
    # a bare date means 09:30 UK time (Code of Practice orderly release)
    assert spec.release.next_release == datetime(2027, 1, 28, 9, 30, tzinfo=UK)
    assert spec.table_schema.primary_key == ["period"]
    assert spec.asset_key_prefix == "widgets"
    assert len(spec.spec_sha256) == 64
    assert spec.source_paths() == [spec.folder / "extract.csv"]


def test_internal_fields_are_not_public(tmp_path):
    public = load_spec(write(tmp_path, GOOD)).public_dict()
    assert "iar" not in public and "source" not in public and "redaction" not in public
    assert public["title"] == "Widgets issued"


@pytest.mark.parametrize(
    ("mutate", "field_path"),
    [
        (lambda d: d.pop("title"), "title"),
        (lambda d: d["publisher"].update(contact_email="not-an-email"), "publisher.contact_email"),
        (lambda d: d["iar"].update(protective_marking="SECRET"), "iar.protective_marking"),
        (lambda d: d.update(licence="all-rights-reserved"), "licence"),
        (lambda d: d.update(colour="blue"), "colour"),
        (lambda d: d["source"].pop("path"), "source"),
        (lambda d: d["schema"].update(primaryKey=["missing"]), "schema.primaryKey"),
        (lambda d: d["release"].pop("start"), "release"),
        (lambda d: d.update(id="Bad_Id"), "id"),
    ],
)
def test_bad_spec_names_file_and_field(tmp_path, mutate, field_path):
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    mutate(data)
    with pytest.raises(SpecError) as exc:
        load_spec(write(tmp_path, data))
    message = str(exc.value)
    assert "widgets/dataset.yaml" in message
    assert any(p.location.field == field_path for p in exc.value.problems), message


def test_malformed_yaml_reports_line(tmp_path):
    with pytest.raises(SpecError) as exc:
        load_spec(write(tmp_path, "id: widgets\ntitle: [unclosed\n"))
    assert "line" in str(exc.value) and "dataset.yaml" in str(exc.value)


def test_id_must_match_folder(tmp_path):
    with pytest.raises(SpecError) as exc:
        load_spec(write(tmp_path, GOOD, folder="gadgets"))
    assert exc.value.problems[0].location.field == "id"


def test_one_broken_spec_does_not_stop_the_others(tmp_path):
    write(tmp_path, GOOD)
    bad = dict(GOOD, id="broken")
    bad.pop("schema")
    write(tmp_path, bad, folder="broken")
    specs, errors = load_all(tmp_path)
    assert [s.id for s in specs] == ["widgets"]
    assert len(errors) == 1 and "broken/dataset.yaml" in str(errors[0])


def test_errors_do_not_echo_values(tmp_path):
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    data["publisher"]["contact_email"] = "jane.doe.private"
    with pytest.raises(SpecError) as exc:
        load_spec(write(tmp_path, data))
    assert "jane.doe.private" not in str(exc.value)
