"""What the Dagster assets call: staging a conversion result, publishing behind the gate,
and the CKAN side of a withdrawal."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipelines.release import publish_approved, stage_from_conversion
from pipelines.release.approvals import approve, release_status, withdraw_from_catalogue
from pipelines.release.audit import AuditStore, Decision
from pipelines.release.gate import PublicationRefused
from pipelines.release.testing import make_spec, stage_synthetic, write_converted, write_reports
from pipelines.release.users import Role, User

CHAMPION = User("champion.demo", frozenset({Role.transparency_champion}))
ANNOUNCED = datetime(2025, 1, 30, 9, 30, tzinfo=UTC)  # GMT in January


@pytest.fixture
def store(tmp_path):
    return AuditStore(f"sqlite:///{tmp_path / 'audit.sqlite'}")


@dataclass
class FakeStageContext:
    work_dir: Path
    partition: str | None = "2024-Q4"
    user: str = "stats.demo"

    @property
    def reports_dir(self) -> Path:
        return self.work_dir / "reports"


@dataclass
class FileInfo:
    path: Path
    title: str
    role: str


@dataclass
class ConversionResult:
    files: list
    stars: dict
    provenance: dict = field(default_factory=dict)


def test_stage_from_conversion_uses_what_conversion_offers(tmp_path, store):
    spec = make_spec(next_release="2025-01-30")
    sc = FakeStageContext(tmp_path / "work")
    out = write_converted(sc.work_dir / "converted", [("A", "2024-Q4", 1)])
    write_reports(sc.reports_dir)
    result = ConversionResult(
        files=[FileInfo(out / "asylum-claims.ttl", "Data cube (Turtle)", "rdf")],
        stars={"rating": 4, "evidence": {"4": "URIs"}},
        provenance={"extract_sha256": "c" * 64})
    staged = stage_from_conversion(spec, result, sc, store=store,
                                   releases_root=tmp_path / "releases")
    ttl = next(f for f in staged.manifest["files"] if f["path"] == "asylum-claims.ttl")
    assert ttl["title"] == "Data cube (Turtle)"
    assert staged.manifest["extract_sha256"] == "c" * 64
    assert staged.manifest["period"] == "2024-Q4"
    assert staged.manifest["row_counts"] == {"extract": 3, "published": 1}
    assert staged.manifest["catalogue"]["release_date"] == "2025-01-30T09:30:00+00:00"
    assert release_status(store, staged.id).stagers == {"stats.demo"}


@pytest.fixture
def fake_publisher(monkeypatch):
    """Stands in for pipelines.publish (another stage) and records what it was given."""
    calls = []

    @dataclass
    class PublishResult:
        dataset_url: str
        resource_urls: dict

    def publish_release(ckan, spec, release_dir, manifest):
        calls.append((spec.id, Path(release_dir).name, manifest["dataset_id"]))
        return PublishResult("http://ckan/dataset/asylum-claims", {"a.csv": "http://x"})

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
    assert out == {"dataset_url": "http://ckan/dataset/asylum-claims",
                   "resource_urls": {"a.csv": "http://x"}}
    assert fake_publisher == [("asylum-claims", staged.id, "asylum-claims")]
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
    """Records action calls; raises a CKAN-like ValidationError for unknown fields."""

    class ValidationError(Exception):
        pass

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
                raise RecordingCKAN.ValidationError("withdrawn_reason")
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
