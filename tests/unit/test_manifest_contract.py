"""The manifest's declared type agrees with the contracts it carries, and is enforced on read."""

import json

import pytest

from fivestar_dev.synthetic_release import stage_synthetic
from pipelines.contracts.catalogue import CatalogueRecord
from pipelines.contracts.conversion import FileInfo, Stars
from pipelines.contracts.manifest import (
    Manifest,
    ManifestCatalogue,
    ManifestFile,
    ManifestRevision,
    ManifestStars,
    manifest_shape_errors,
)
from pipelines.contracts.provenance import Revision
from pipelines.release.manifest import ManifestError, canonical_json, parse_manifest


@pytest.mark.parametrize(("typed", "model"), [
    (ManifestFile, FileInfo), (ManifestCatalogue, CatalogueRecord),
    (ManifestStars, Stars), (ManifestRevision, Revision)])
def test_each_part_has_exactly_its_contracts_fields(typed, model):
    assert set(typed.__annotations__) == set(model.model_fields)


def test_every_optional_contract_field_is_optional_in_the_manifest():
    """A field the writer may leave unset (``exclude_none``) must not be required; only
    a file's size and hash, which staging always measures, are."""
    measured = {"bytes", "sha256"}
    for typed, model in ((ManifestFile, FileInfo), (ManifestCatalogue, CatalogueRecord)):
        optional = {n for n, f in model.model_fields.items() if not f.is_required()}
        assert optional - measured <= typed.__optional_keys__, typed.__name__
    assert measured <= ManifestFile.__required_keys__


def test_the_documented_top_level_keys():
    assert Manifest.__required_keys__ == {
        "manifest_version", "dataset_id", "period", "spec_sha256", "extract_sha256",
        "pipeline_version", "files", "catalogue", "stars", "reports", "row_counts"}
    assert Manifest.__optional_keys__ == {"revision"}


@pytest.fixture
def staged(tmp_path):
    return stage_synthetic(tmp_path)


def test_a_staged_manifest_has_the_declared_shape(staged):
    assert manifest_shape_errors(staged.manifest) == []
    manifest, rid = parse_manifest(canonical_json(staged.manifest))
    assert rid == staged.id and manifest == staged.manifest


def _reparsed(manifest) -> list[tuple[str | None, str]]:
    with pytest.raises(ManifestError) as caught:
        parse_manifest(canonical_json(manifest))
    assert {p.code for p in caught.value.problems} == {"manifest-shape"}
    return [(p.location.field, p.message) for p in caught.value.problems]


def test_a_missing_key_is_refused_with_its_name(staged):
    manifest = json.loads(canonical_json(staged.manifest))
    del manifest["files"][0]["sha256"]
    assert [f for f, _ in _reparsed(manifest)] == ["files.0.sha256"]


def test_an_unknown_key_is_refused(staged):
    manifest = json.loads(canonical_json(staged.manifest))
    manifest["catalogue"]["private"] = False
    assert [f for f, _ in _reparsed(manifest)] == ["catalogue.private"]


def test_a_value_of_the_wrong_type_is_refused_not_coerced(staged):
    manifest = json.loads(canonical_json(staged.manifest))
    manifest["files"][0]["bytes"] = str(manifest["files"][0]["bytes"])
    manifest["row_counts"]["published"] = 1.0
    assert sorted(f for f, _ in _reparsed(manifest)) == ["files.0.bytes",
                                                         "row_counts.published"]


def test_the_refusal_shows_no_value_from_the_manifest(staged):
    manifest = json.loads(canonical_json(staged.manifest))
    manifest["catalogue"]["title"] = ["a value nobody should see"]
    assert all("nobody" not in message for _, message in _reparsed(manifest))
