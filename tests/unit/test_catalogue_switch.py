"""The review service's check of a switch request against the approved manifest.

The catalogue side (the guard, the stored bytes' hashes) is attacked on the real
CKAN in ``tests/integration/test_catalogue_credential.py``; here the pure checks.
"""

from __future__ import annotations

import pytest

from pipelines.release.catalogue_switch import (
    SwitchRefused,
    approved_fields,
    check_resources,
    check_unapproved_fields,
    going_public,
)

EXPECTED = {"a.csv": {"name": "a.csv", "hash": "1" * 64, "description": "the table"},
            "a.ttl": {"name": "a.ttl", "hash": "2" * 64, "description": "the RDF"}}


def res(rid: str, name: str, sha: str, description: str = "") -> dict:
    return {"id": rid, "name": name, "hash": sha, "description": description,
            "url": f"http://ckan/dataset/d/resource/{rid}/download/{name}"}


def test_the_approved_files_pass():
    pkg = {"resources": [res("k", "previous/v1/a.csv", "9" * 64)]}
    staging = {"resources": [res("s1", "a.csv", "1" * 64, "the table"),
                             res("s2", "a.ttl", "2" * 64, "the RDF")]}
    check_resources(pkg, staging, ["s1", "s2", "k"], EXPECTED)


@pytest.mark.parametrize(("resources", "code"), [
    ([res("s1", "a.csv", "1" * 64, "the table"), res("s2", "a.ttl", "3" * 64, "the RDF")],
     "switch-file-differs"),
    ([res("s1", "a.csv", "1" * 64, "forged"), res("s2", "a.ttl", "2" * 64, "the RDF")],
     "switch-file-differs"),
    ([res("s1", "a.csv", "1" * 64, "the table")], "switch-missing-file"),
    ([res("s1", "a.csv", "1" * 64, "the table"), res("s2", "a.ttl", "2" * 64, "the RDF"),
      res("s3", "evil.csv", "4" * 64)], "switch-unapproved-file"),
    ([res("s1", "a.csv", "1" * 64, "the table"), res("s2", "a.ttl", "2" * 64, "the RDF"),
      res("s3", "previous/v9/evil.csv", "4" * 64)], "switch-unapproved-file"),
])
def test_attack_a_switch_that_is_not_the_approved_release_is_refused(resources, code):
    staging = {"resources": resources}
    with pytest.raises(SwitchRefused) as caught:
        check_resources({"resources": []}, staging, [r["id"] for r in resources], EXPECTED)
    assert [p.code for p in caught.value.problems] == [code]


def test_attack_a_resource_of_another_dataset_is_refused():
    with pytest.raises(SwitchRefused, match="neither"):
        check_resources({"resources": []}, {"resources": []}, ["elsewhere"], EXPECTED)


MANIFEST = {"catalogue": {
    "name": "d", "title": "The title", "notes": "The notes", "theme": "crime-and-justice",
    "license_id": "uk-ogl", "publisher_name": "Home Office",
    "publisher_uri": "https://www.gov.uk/government/organisations/home-office",
    "contact_name": "Statistics", "contact_email": "stats@example.gov.uk",
    "frequency": "quarterly", "tags": ["crime"]}}


def test_the_record_is_the_approved_one_whatever_the_pipeline_sends():
    asked = {"title": "forged", "notes": "forged", "rdf_url": "http://x/a.ttl",
             "next_release_date": "2027-01-30T09:30:00"}
    fields = approved_fields(MANIFEST, "r" * 64, asked, {"http://x/a.ttl"}, "series-id")
    assert (fields["title"], fields["notes"]) == ("The title", "The notes")
    assert fields["release_id"] == "r" * 64 and fields["rdf_url"] == "http://x/a.ttl"
    assert fields["private"] is False and fields["in_series"] == ["series-id"]
    assert "name" not in fields and "owner_org" not in fields


@pytest.mark.parametrize(("asked", "code"), [
    ({"maintainer": "forged"}, "switch-unapproved-field"),
    ({"rdf_url": "https://example.org/forged.ttl"}, "switch-unapproved-link"),
    ({"withdrawn": "true"}, "switch-unapproved-field"),
])
def test_attack_unapproved_metadata_is_refused(asked, code):
    with pytest.raises(SwitchRefused) as caught:
        approved_fields(MANIFEST, "r" * 64, asked, {"http://x/a.ttl"}, None)
    assert [p.code for p in caught.value.problems] == [code]


def test_long_dataset_names_never_share_a_staging_copy():
    from pipelines.publish import staging_name

    assert staging_name("crime") == "crime--next"
    near = "x" * 94
    assert staging_name(near) == near + "--next"
    a, b = "y" * 95 + "a", "y" * 95 + "b"
    assert staging_name(a) != staging_name(b)
    assert all(len(staging_name(n)) <= 100 and staging_name(n).endswith("--next")
               for n in (a, b, "z" * 100))


def test_fields_of_the_pipelines_own_on_a_private_dataset_are_refused():
    """The pipeline's token writes a private dataset freely; the switch sets the approved
    record's fields over it, and whatever else it carries would go public with it."""
    fields = approved_fields(MANIFEST, "r" * 64, {}, set(), None)
    staged = res("s1", "a.csv", "1" * 64, "the table")
    clean = {"id": "p", "name": "d", "private": True, "author": None, "extras": [],
             "groups": [], "tags": [{"name": "crime"}], "resources": []}
    check_unapproved_fields(clean, [staged], fields, EXPECTED)
    for forged, where in (({"author": "Mallory"}, "author"),
                          ({"extras": [{"key": "x", "value": "y"}]}, "extras"),
                          ({"groups": [{"name": "g"}]}, "groups"),
                          ({"tags": [{"name": "crime"}, {"name": "forged"}]}, "tags")):
        with pytest.raises(SwitchRefused) as caught:
            check_unapproved_fields({**clean, **forged}, [staged], fields, EXPECTED)
        assert [(p.code, p.location.file) for p in caught.value.problems] == \
            [("switch-unapproved-field", where)]
    with pytest.raises(SwitchRefused, match="resource going public"):
        check_unapproved_fields(clean, [{**staged, "notice": "forged"}], fields, EXPECTED)
    # a public dataset's own fields are not the pipeline's to write (the guard): not read
    check_unapproved_fields({**clean, "private": False, "author": "kept"}, [staged], fields,
                            EXPECTED)


def test_what_goes_public_is_the_staging_copy_and_all_of_a_private_dataset():
    own = [res("k1", "a.csv", "1" * 64)]
    staged = [res("s1", "a.ttl", "2" * 64)]
    assert [r["id"] for r in going_public({"private": False, "resources": own},
                                          {"resources": staged}, ["s1", "k1"])] == ["s1"]
    assert [r["id"] for r in going_public({"private": True, "resources": own},
                                          {"resources": staged}, ["s1", "k1"])] == ["s1", "k1"]
