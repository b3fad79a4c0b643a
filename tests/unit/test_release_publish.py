"""What the Dagster assets call: staging a conversion result, publishing behind the gate,
and the CKAN side of a withdrawal."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import ckanapi
import pytest

from pipelines.contracts import (
    ConversionResult,
    Provenance,
    PublishResult,
    RedactionReport,
    Stars,
    ValidationReport,
)
from pipelines.release import publish_approved, stage_conversion
from pipelines.release.approvals import approve, release_status, withdraw_from_catalogue
from pipelines.release.audit import AuditStore, Decision
from pipelines.release.gate import PublicationRefused
from pipelines.release.stage import StagingError, stage_release
from pipelines.release.testing import (
    STARS,
    converted_files,
    make_spec,
    stage_synthetic,
    write_converted,
)
from pipelines.release.users import Role, User

CHAMPION = User("champion.demo", frozenset({Role.transparency_champion}))
ANNOUNCED = datetime(2025, 1, 30, 9, 30, tzinfo=UTC)  # GMT in January


@pytest.fixture
def store(tmp_path):
    return AuditStore(f"sqlite:///{tmp_path / 'audit.sqlite'}")


def test_stage_conversion_stages_what_conversion_describes(tmp_path, store):
    spec = make_spec(next_release="2025-01-30")
    out = write_converted(tmp_path / "work" / "converted", [("A", "2024-Q4", 1)])
    validation = ValidationReport(dataset=spec.id, suite="asylum-claims.json", rows=3)
    provenance = Provenance.for_inputs(
        dataset_id=spec.id, extract_sha256="c" * 64, spec_sha256=spec.spec_sha256,
        pipeline_version="0.1.0+test", partition="2024-Q4", validation=validation,
        redaction=RedactionReport(dataset=spec.id, rows_in=3, rows_out=3))
    files = converted_files()
    files[2] = files[2].model_copy(update={"title": "Data cube (Turtle)"})
    result = ConversionResult(
        out_dir=out, files=files, dataset_uri="https://example.org/id/asylum-claims",
        stars=Stars(rating=4, evidence={"4": "URIs"}, passed={"4": True}),
        rows_published=1, provenance=provenance)
    staged = stage_conversion(spec, result, user="stats.demo", store=store,
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
    assert release_status(store, staged.id).stagers == {"stats.demo"}


def test_a_file_conversion_did_not_describe_is_refused(tmp_path, store):
    spec = make_spec()
    out = write_converted(tmp_path / "converted", [("A", "2024-Q4", 1)])
    (out / "stray.bin").write_bytes(b"?")
    with pytest.raises(StagingError, match="not described"):
        stage_release(spec, out, converted_files(), {}, extract_sha256="b" * 64,
                      period=None, stars=STARS, releases_root=tmp_path / "r", store=store,
                      user="stats.demo")


@pytest.fixture
def fake_publisher(monkeypatch):
    """Stands in for pipelines.publish (another stage) and records what it was given."""
    calls = []

    def publish_release(ckan, release_dir, manifest, release_id, next_release=None):
        calls.append((release_id, Path(release_dir).name, manifest["dataset_id"]))
        return PublishResult(dataset_url="http://ckan/dataset/asylum-claims",
                             resource_urls={"a.csv": "http://x"})

    # Patch the attribute on the real module: replacing the sys.modules entry is
    # order-dependent, as ``from pipelines import publish`` prefers the package attribute.
    from pipelines import publish

    monkeypatch.setattr(publish, "publish_release", publish_release)
    return calls


def test_publish_approved_uploads_after_the_gate_and_records(tmp_path, store, fake_publisher):
    spec = make_spec(next_release="2025-01-30")
    staged = stage_synthetic(tmp_path, store, spec=spec)
    approve(store, staged.path, CHAMPION, "ok", now=ANNOUNCED - timedelta(days=2))
    out = publish_approved(spec, staged.id, ckan=object(), store=store,
                           clock=lambda: ANNOUNCED, releases_root=tmp_path / "releases")
    assert out == PublishResult(dataset_url="http://ckan/dataset/asylum-claims",
                                resource_urls={"a.csv": "http://x"})
    assert fake_publisher == [(staged.id, staged.id, "asylum-claims")]
    assert release_status(store, staged.id).state == "published"


def test_publish_refused_never_uploads_and_is_audited(tmp_path, store, fake_publisher):
    spec = make_spec(next_release="2025-01-30")
    staged = stage_synthetic(tmp_path, store, spec=spec)
    approve(store, staged.path, CHAMPION, "ok", now=ANNOUNCED - timedelta(days=2))
    with pytest.raises(PublicationRefused, match="embargoed"):
        publish_approved(spec, staged.id, ckan=object(), store=store,
                         clock=lambda: ANNOUNCED - timedelta(seconds=1),
                         releases_root=tmp_path / "releases")
    csv_path = staged.path / "asylum-claims.csv"
    csv_path.chmod(0o644)
    csv_path.write_bytes(csv_path.read_bytes() + b"X,2024-Q4,1\r\n")
    with pytest.raises(PublicationRefused, match="differ from the approved manifest"):
        publish_approved(spec, staged.id, ckan=object(), store=store,
                         clock=lambda: ANNOUNCED, releases_root=tmp_path / "releases")
    assert fake_publisher == []
    refusals = [e.comment for e in store.entries(decision=Decision.publication_refused)]
    assert refusals == ["embargoed", "files_changed, size_mismatch"]
    assert release_status(store, staged.id).state == "approved"


class RecordingCKAN:
    """Records action calls; raises ckanapi's ValidationError for an unknown field."""

    def __init__(self, accepts_withdrawn_reason: bool):
        self.calls = []
        self.accepts = accepts_withdrawn_reason
        self.action = self

    def __getattr__(self, name):
        def call(**kwargs):
            self.calls.append((name, kwargs))
            if name == "package_show":
                return {"name": kwargs["id"], "notes": "Quarterly claims."}
            if name == "package_patch" and "withdrawn_reason" in kwargs and not self.accepts:
                raise ckanapi.ValidationError({"withdrawn_reason": ["unknown field"]})
            return {}
        return call


@pytest.mark.parametrize("accepts", [True, False])
def test_withdraw_from_catalogue_patches_private_with_reason(accepts):
    ckan = RecordingCKAN(accepts)
    withdraw_from_catalogue(ckan, "asylum-claims", "source data recalled", "private")
    names = [n for n, _ in ckan.calls]
    assert "package_update" not in names and names[-1] == "package_patch"
    patch = ckan.calls[-1][1]
    assert patch["private"] is True
    assert patch["notes"].startswith("Quarterly claims.\n\n**Withdrawn on ")
    assert patch["notes"].endswith("source data recalled")
    assert ("withdrawn_reason" in patch) == accepts


def test_withdraw_from_catalogue_delete_mode_patches_then_deletes():
    ckan = RecordingCKAN(True)
    withdraw_from_catalogue(ckan, "asylum-claims", "duplicate", "delete")
    assert [n for n, _ in ckan.calls] == ["package_show", "package_patch", "package_delete"]
    with pytest.raises(ValueError):
        withdraw_from_catalogue(ckan, "asylum-claims", "x", "purge")
