"""The ``linked_data:`` section: strict, located errors, and the bundled mappings."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fivestar_dev.synthetic_conversion import cube_spec, records_spec
from pipelines import paths
from pipelines.errors import SpecError
from pipelines.spec import DatasetSpec, load_all, load_spec
from pipelines.spec.linked_data import LinkedDataMapping, camel, expand

BUNDLED = ["entry-clearance-visas", "foi-requests", "police-recorded-crime", "spend-over-25k"]


def test_bundled_specs_have_valid_mappings():
    specs, errors = load_all(paths.DATASETS_DIR)
    assert not errors
    by_id = {s.id: s for s in specs}
    for name in BUNDLED:
        mapping = by_id[name].linked_data
        assert mapping.fields, name


@pytest.mark.parametrize("section, where", [
    ({"fields": {"count": {"role": "measure", "propery": "fivestar:count"}}},
     "linked_data.fields.count.propery"),
    ({"fields": {"nope": {"role": "dimension"}}}, "linked_data"),
    ({"base_uri": "ftp://x"}, "linked_data.base_uri"),
    ({"fields": {"count": {"role": "measure", "property": "madeup:count"}}},
     "linked_data.fields.count.property"),
    ({"fields": {"period": {"role": "dimension", "values": "template"}}},
     "linked_data.fields.period"),
])
def test_mistakes_are_spec_errors_naming_the_field(tmp_path: Path, section, where):
    src = paths.DATASETS_DIR / "police-recorded-crime" / "dataset.yaml"
    data = yaml.safe_load(src.read_text())
    data["linked_data"] = section
    folder = tmp_path / "police-recorded-crime"
    folder.mkdir()
    (folder / "dataset.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(SpecError) as err:
        load_spec(folder / "dataset.yaml")
    fields = [p.location.field for p in err.value.problems]
    assert any(f and f.startswith(where) for f in fields), fields


def _with_mapping(spec: DatasetSpec, mapping: dict) -> DatasetSpec:
    """The spec with its ``linked_data:`` section replaced, validated as a whole."""
    data = spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    return DatasetSpec.model_validate({**data, "linked_data": mapping})


def test_cube_needs_a_dimension_and_a_measure():
    with pytest.raises(ValueError, match="needs at least one"):
        _with_mapping(cube_spec(), {"fields": {"count": {"role": "measure"}}})


def test_link_is_only_for_records():
    spec = records_spec()
    ok = {"fields": {"payment_date": {"link": {"property": "fivestar:paymentInterval"}}}}
    assert _with_mapping(spec, ok).linked_data.fields["payment_date"].link
    with pytest.raises(ValueError, match="`role` is for aggregate"):
        _with_mapping(spec, {"fields": {"amount": {"role": "measure"}}})


def test_terms():
    assert expand("fivestar:count") == "https://data.homeoffice.gov.uk/def/fivestar/count"
    assert expand("https://example.org/x") == "https://example.org/x"
    assert camel("police_force_area") == "policeForceArea"
    with pytest.raises(ValueError):
        expand("not a term")


def test_base_uri_precedence(monkeypatch):
    monkeypatch.delenv("FIVESTAR_BASE_URI", raising=False)
    assert LinkedDataMapping().base() == "https://data.homeoffice.gov.uk"
    monkeypatch.setenv("FIVESTAR_BASE_URI", "https://env.example/")
    assert LinkedDataMapping().base() == "https://env.example"
    assert LinkedDataMapping(base_uri="https://spec.example").base() == "https://spec.example"
