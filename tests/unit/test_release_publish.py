"""What the Dagster assets call: staging a conversion result, publishing behind the gate,
and the CKAN side of a withdrawal."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fivestar_dev.synthetic_release import (
    STARS,
    converted_files,
    make_spec,
    stage_synthetic,
    write_converted,
)
from pipelines.contracts import (
    ConversionResult,
    Provenance,
    PublishResult,
    RedactionReport,
    Stars,
    ValidationReport,
)
from pipelines.release import publish_approved, stage_and_register
from pipelines.release.audit import Decision
from pipelines.release.client import PublicationRefused, ReviewServiceClient
from pipelines.release.stage import StagingError, stage_conversion, stage_release

ANNOUNCED = datetime(2025, 1, 30, 9, 30, tzinfo=UTC)  # GMT in January


def _conversion(tmp_path, spec):
    out = write_converted(tmp_path / "work" / "converted", [("A", "2024-Q4", 1)])
    validation = ValidationReport(dataset=spec.id, suite="asylum-claims.json", rows=3)
    provenance = Provenance.for_inputs(
        dataset_id=spec.id, extract_sha256="c" * 64, spec_sha256=spec.spec_sha256,
        pipeline_version="0.1.0+test", partition="2024-Q4", validation=validation,
        redaction=RedactionReport(dataset=spec.id, rows_in=3, rows_out=3))
    files = converted_files()
    files[2] = files[2].model_copy(update={"title": "Data cube (Turtle)"})
    return ConversionResult(
        out_dir=out, files=files, dataset_uri="https://example.org/id/asylum-claims",
        stars=Stars(rating=4, evidence={"4": "URIs"}, passed={"4": True}),
        rows_published=1, provenance=provenance)


def test_stage_conversion_stages_what_conversion_describes(tmp_path):
    spec = make_spec(next_release="2025-01-30")
    staged = stage_conversion(spec, _conversion(tmp_path, spec),
                              releases_root=tmp_path / "releases")
    ttl = next(f for f in staged.manifest["files"] if f["path"] == "asylum-claims.ttl")
    assert ttl["title"] == "Data cube (Turtle)" and ttl["role"] == "rdf"
    assert staged.manifest["extract_sha256"] == "c" * 64
    assert staged.manifest["period"] == "2024-Q4"
    assert staged.manifest["row_counts"] == {"extract": 3, "published": 1}
    assert staged.manifest["catalogue"]["release_date"] == "2025-01-30T09:30:00+00:00"
    assert staged.manifest["catalogue"]["uri"] == "https://example.org/id/asylum-claims"
    assert set(staged.manifest["reports"]) == {"validation", "validation_html", "redaction",
                                               "diff"}
    stored = ValidationReport.from_json((staged.path / "reports/validation.json").read_bytes())
    assert stored.rows == 3 and stored.passed


def test_a_file_conversion_did_not_describe_is_refused(tmp_path):
    spec = make_spec()
    out = write_converted(tmp_path / "converted", [("A", "2024-Q4", 1)])
    (out / "stray.bin").write_bytes(b"?")
    with pytest.raises(StagingError, match="not described"):
        stage_release(spec, out, converted_files(), {}, extract_sha256="b" * 64,
                      period=None, stars=STARS, releases_root=tmp_path / "r")


def test_stage_and_register_records_the_ticket_holder(tmp_path, service):
    authority, url = service
    spec = make_spec(next_release="2025-01-30")
    result = _conversion(tmp_path, spec)
    stats = ReviewServiceClient(url)
    stats.login("stats.demo", "stats-demo-password")
    staged, stager = stage_and_register(spec, result, ReviewServiceClient(url),
                                        stats.ticket(spec.id)["ticket"],
                                        releases_root=tmp_path / "releases")
    assert stager == "stats.demo"
    assert authority.release(staged.id).status.stagers == {"stats.demo"}


def test_attack_staging_without_a_ticket_records_nothing(tmp_path, service):
    """Finding 2: a free run tag (or FIVESTAR_USER) named the stager."""
    authority, url = service
    result = _conversion(tmp_path, make_spec())
    with pytest.raises(Exception, match="no staging ticket"):
        stage_and_register(make_spec(), result, ReviewServiceClient(url), None,
                           releases_root=tmp_path / "releases")
    assert authority.store.entries() == []


@pytest.fixture
def fake_publisher(monkeypatch):
    """Stands in for pipelines.publish (another stage) and records what it was given."""
    calls = []

    def publish_release(ckan, release_dir, manifest, release_id, next_release=None,
                        superseded=None, switch=None):
        calls.append((release_id, Path(release_dir).name, manifest["dataset_id"]))
        if ckan == "down":
            raise ConnectionError("catalogue down")
        if switch is not None:  # the service's last word and its switch
            switch({"dataset": manifest["dataset_id"], "staging": None, "resources": [],
                    "fields": {}})
        return PublishResult(dataset_url="http://ckan/dataset/asylum-claims",
                             resource_urls={"a.csv": "http://x"})

    # Patch the attribute on the real module: replacing the sys.modules entry is
    # order-dependent, as ``from pipelines import publish`` prefers the package attribute.
    from pipelines import publish

    monkeypatch.setattr(publish, "publish_release", publish_release)
    # the service's catalogue side of the switch (tested against a real CKAN in
    # tests/integration/test_governance_attacks.py): recorded here
    from pipelines.release import catalogue_switch

    def switch(client, manifest, release_id, request, **kw):
        calls.append(("switch", release_id, request["dataset"]))
        return {}

    def load_tables(client, release_dir, manifest, request):
        calls.append(("tables", release_dir.name, request["dataset"]))
        return ()

    monkeypatch.setattr(catalogue_switch, "switch", switch)
    monkeypatch.setattr(catalogue_switch, "load_tables", load_tables)
    return calls


@pytest.fixture
def approved(tmp_path, service):
    authority, url = service
    spec = make_spec(next_release="2025-01-30")
    staged = stage_synthetic(tmp_path, authority, spec=spec)
    authority.clock = lambda: ANNOUNCED - timedelta(days=2)
    authority.approve(authority.user("champion.demo"), staged.id, "ok")
    authority.clock = lambda: ANNOUNCED
    ops = ReviewServiceClient(url)
    ops.login("ops.demo", "ops-demo-password")
    return authority, spec, staged, ops


def test_publish_approved_uploads_after_the_gate_and_records(tmp_path, approved,
                                                             fake_publisher):
    authority, spec, staged, ops = approved
    out = publish_approved(spec, staged.id, ckan=object(), client=ops,
                           releases_root=tmp_path / "releases")
    assert out == PublishResult(dataset_url="http://ckan/dataset/asylum-claims",
                                resource_urls={"a.csv": "http://x"})
    assert fake_publisher == [(staged.id, staged.id, "asylum-claims"),
                              ("tables", staged.id, "asylum-claims"),  # by the service,
                              ("switch", staged.id, "asylum-claims")]  # then its switch
    [entry] = authority.store.entries(decision=Decision.published)
    assert (entry.actor, entry.role) == ("ops.demo", "operator")  # finding 10: not "unknown"


def test_publish_refused_never_uploads_and_is_audited(tmp_path, approved, fake_publisher):
    authority, spec, staged, ops = approved
    authority.clock = lambda: ANNOUNCED - timedelta(seconds=1)
    with pytest.raises(PublicationRefused, match="embargoed"):
        publish_approved(spec, staged.id, ckan=object(), client=ops,
                         releases_root=tmp_path / "releases")
    authority.clock = lambda: ANNOUNCED
    csv_path = staged.path / "asylum-claims.csv"
    csv_path.chmod(0o644)
    csv_path.write_bytes(csv_path.read_bytes() + b"X,2024-Q4,1\r\n")
    with pytest.raises(PublicationRefused, match="differ from the approved manifest"):
        publish_approved(spec, staged.id, ckan=object(), client=ops,
                         releases_root=tmp_path / "releases")
    assert fake_publisher == []
    refusals = [e.comment for e in authority.store.entries(decision=Decision.publication_refused)]
    assert refusals == ["embargoed", "files-changed, size-mismatch"]
    assert authority.release(staged.id).status.state == "approved"


def test_attack_tampered_manifest_fails_loudly_and_is_audited(tmp_path, approved,
                                                              fake_publisher):
    """Finding 10: a tampered manifest made `fivestar publish` exit 0, unrecorded."""
    authority, spec, staged, ops = approved
    path = staged.path / "manifest.json"
    path.chmod(0o644)
    path.write_bytes(path.read_bytes().replace(b'"rating":5', b'"rating":4'))
    with pytest.raises(PublicationRefused, match="manifest"):
        publish_approved(spec, staged.id, ckan=object(), client=ops,
                         releases_root=tmp_path / "releases")
    assert fake_publisher == []
    [e] = authority.store.entries(decision=Decision.publication_failed)
    assert e.actor == "ops.demo" and "manifest" in e.comment


def test_a_failed_upload_is_audited(tmp_path, approved, fake_publisher):
    authority, spec, staged, ops = approved
    with pytest.raises(ConnectionError):
        publish_approved(spec, staged.id, ckan="down", client=ops,
                         releases_root=tmp_path / "releases")
    [e] = authority.store.entries(decision=Decision.publication_failed)
    assert (e.actor, e.comment) == ("ops.demo", "ConnectionError")
    assert authority.release(staged.id).status.failures_since_approval == 1


