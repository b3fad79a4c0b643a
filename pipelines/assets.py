"""The asset factory: one group of assets per dataset spec.

This module is the thin Dagster shell. It holds no business logic: every
asset and check calls a plain stage function (see docs/ARCHITECTURE.md) and
records what it did as metadata. Gates are blocking asset checks, so a
failure stops everything downstream in the same run:

    extract ─[expectations]→ validated → redacted ─[redaction_verified]→
    converted ─[conversion_verified]→ staged_release → published

``published`` runs only from an approval (the publication sensor or
``fivestar publish``), never as part of staging.
"""


import hashlib
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Failure,
    MetadataValue,
    Output,
    PartitionsDefinition,
    StaticPartitionsDefinition,
    asset,
    multi_asset_check,
)

from pipelines import paths
from pipelines.contracts import ConversionResult, Provenance, RedactionReport, ValidationReport
from pipelines.errors import FivestarError, Problem
from pipelines.periods import release_periods
from pipelines.spec import DatasetSpec
from pipelines.version import pipeline_version

# Partitioned asset checks are a Dagster preview feature; we rely on it on
# purpose (a release period's checks must run on that period's data).
warnings.filterwarnings("ignore", message=".*partitions_def on an AssetCheckSpec.*")

#: The stages, in order; asset keys are ``[<dataset prefix>, <stage>]``.
STAGES = ("extract", "validated", "redacted", "converted", "staged_release", "published")
#: The stages `fivestar stage` materialises (publication needs an approval).
STAGING_STAGES = STAGES[:-1]

#: Run tag naming who started a run (the audit log's "who" for staging).
USER_TAG = "fivestar/user"
#: Run tag naming the approved release a publication run must publish.
RELEASE_TAG = "fivestar/release_id"
#: Run tag holding a correction's revision notes (the run stages a correction).
REVISION_TAG = "fivestar/revision_notes"


def key(spec: DatasetSpec, stage: str) -> AssetKey:
    return AssetKey([spec.asset_key_prefix, stage])


def partitions_for(spec: DatasetSpec) -> PartitionsDefinition | None:
    """Release periods as static partitions (keys like ``2024-Q3``)."""
    periods = release_periods(spec)
    return StaticPartitionsDefinition(periods) if periods else None


@dataclass
class StageContext:
    """What a stage needs to know about the run, independent of Dagster."""

    spec: DatasetSpec
    partition: str | None
    run_id: str
    user: str
    #: Revision notes when the run stages a correction of the published release.
    revision_notes: str | None = None

    @property
    def work_dir(self) -> Path:
        return paths.run_dir(self.spec.id, self.partition)

    @property
    def reports_dir(self) -> Path:
        path = self.work_dir / "reports"
        path.mkdir(parents=True, exist_ok=True)
        return path


def _stage_context(spec: DatasetSpec, context: AssetExecutionContext | AssetCheckExecutionContext):
    partition = context.partition_key if context.has_partition_key else None
    run = context.run
    # No "unknown" default: staging refuses a run that names nobody.
    user = (run.tags or {}).get(USER_TAG) or os.environ.get("FIVESTAR_USER", "")
    return StageContext(spec=spec, partition=partition, run_id=run.run_id, user=user,
                        revision_notes=(run.tags or {}).get(REVISION_TAG))


def _fail(stage: str, exc: FivestarError) -> Failure:
    """A Dagster failure that lists located problems, never values."""
    return Failure(
        description=f"{stage} failed: {exc}",
        metadata={"problems": MetadataValue.json([p.to_dict() for p in exc.problems[:200]])},
    )


def _problems_md(problems: list[Problem], limit: int = 50) -> str:
    lines = [f"- {p}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"- … and {len(problems) - limit} more")
    return "\n".join(lines) or "none"


def fingerprint(df: pd.DataFrame) -> str:
    """A cheap content hash of a DataFrame, binding a report to the data it judged."""
    hashed = pd.util.hash_pandas_object(df, index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes() + ",".join(map(str, df.columns)).encode()).hexdigest()


def build_dataset_assets(
    spec: DatasetSpec,
) -> tuple[list[AssetsDefinition], list[AssetChecksDefinition]]:
    """Build the asset group and its checks for one dataset spec."""
    from pipelines import extract as extract_stage
    from pipelines import validate as validate_stage

    group = spec.asset_key_prefix
    parts = partitions_for(spec)
    common: dict[str, Any] = {"group_name": group, "partitions_def": parts}
    tags = {"dataset": spec.id, "kind": spec.kind}

    @asset(
        key=key(spec, "extract"),
        description=f"The internal extract for {spec.title}, typed by its Table Schema.",
        kinds={"pandas"},
        tags=tags,
        **common,
    )
    def extract(context: AssetExecutionContext) -> Output[pd.DataFrame]:
        sc = _stage_context(spec, context)
        try:
            df = extract_stage.read_extract(spec, sc.partition)
            sha = extract_stage.extract_sha256(spec)
        except FivestarError as exc:
            raise _fail("extract", exc) from None
        return Output(
            df,
            metadata={
                "rows": len(df),
                "columns": MetadataValue.json(list(df.columns)),
                "extract_sha256": sha,
                "source_format": spec.source.format.value,
                "fingerprint": fingerprint(df),
            },
        )

    expectations_spec = AssetCheckSpec(
        "expectations", asset=key(spec, "extract"), blocking=True, partitions_def=parts,
        description="ERROR-severity Great Expectations results (blocking).",
    )
    warnings_spec = AssetCheckSpec(
        "expectations_warnings", asset=key(spec, "extract"), blocking=False,
        partitions_def=parts,
        description="WARN-severity Great Expectations results (recorded, not blocking).",
    )

    @multi_asset_check(
        name=f"{group}__expectations",
        specs=[expectations_spec, warnings_spec],
        ins={"df": key(spec, "extract")},
    )
    def expectations(context: AssetCheckExecutionContext, df: pd.DataFrame):
        sc = _stage_context(spec, context)
        result = validate_stage.validate(df, spec)
        result.subject = fingerprint(df)
        files = validate_stage.write_report(result, sc.reports_dir)
        meta = {"report": MetadataValue.path(str(files.get("html", ""))),
                "errors": len(result.errors), "warnings": len(result.warnings)}
        yield AssetCheckResult(
            check_name="expectations", passed=result.passed, severity=AssetCheckSeverity.ERROR,
            metadata={**meta, "failures": MetadataValue.md(_problems_md(result.errors))},
        )
        yield AssetCheckResult(
            check_name="expectations_warnings", passed=not result.warnings,
            severity=AssetCheckSeverity.WARN,
            metadata={**meta, "warnings_detail": MetadataValue.md(_problems_md(result.warnings))},
        )

    @asset(
        key=key(spec, "validated"),
        ins={"df": _in(spec, "extract")},
        description="The extract once its blocking expectations have passed.",
        kinds={"pandas"},
        tags=tags,
        **common,
    )
    def validated(context: AssetExecutionContext, df: pd.DataFrame) -> Output[pd.DataFrame]:
        # Fail closed: refuse unless a passing report judged exactly these rows.
        sc = _stage_context(spec, context)
        report = _read_report(ValidationReport, sc.reports_dir / "validation.json")
        if report is None or report.subject != fingerprint(df):
            report = validate_stage.validate(df, spec)
            report.subject = fingerprint(df)
            validate_stage.write_report(report, sc.reports_dir)
        if not report.passed:
            raise Failure(
                description="blocking expectations failed; see the validation report",
                metadata={"report": MetadataValue.path(str(sc.reports_dir / "validation.html"))},
            )
        return Output(df, metadata={"rows": len(df), "validation_report": MetadataValue.path(
            str(sc.reports_dir / "validation.html"))})

    assets: list[AssetsDefinition] = [extract, validated]
    checks: list[AssetChecksDefinition] = [expectations]
    for builder in (_redaction_assets, _conversion_assets, _release_assets):
        stage_assets, stage_checks = builder(spec, common, tags)
        assets.extend(stage_assets)
        checks.extend(stage_checks)
    return assets, checks


def _in(spec: DatasetSpec, stage: str):
    from dagster import AssetIn

    return AssetIn(key=key(spec, stage))


def _read_report(model, path: Path):
    try:
        return model.from_json(path.read_bytes())
    except (OSError, ValueError):
        return None


# -- later stages ------------------------------------------------------------


def _gate_check(spec: DatasetSpec, common: dict[str, Any], stage: str, name: str,
                description: str, find_problems,
                source: str | None = None) -> AssetChecksDefinition:
    """A blocking check on ``stage`` whose findings are located problems.

    ``source``: an upstream stage also given to ``find_problems`` (the
    redaction gate re-derives the true table from the validated extract).
    """
    parts = common["partitions_def"]
    ins = {"value": key(spec, stage)}
    if source is not None:
        ins["source"] = key(spec, source)

    check = multi_asset_check(
        name=f"{spec.asset_key_prefix}__{name}",
        specs=[AssetCheckSpec(name, asset=key(spec, stage), blocking=True,
                              partitions_def=parts, description=description,
                              additional_deps=[ins["source"]] if source else None)],
        ins=ins,
    )

    def result(problems: list[Problem]):
        yield AssetCheckResult(
            check_name=name, passed=not problems, severity=AssetCheckSeverity.ERROR,
            metadata={"findings": len(problems),
                      "detail": MetadataValue.md(_problems_md(problems))},
        )

    if source is None:
        @check
        def gate(context: AssetCheckExecutionContext, value: Any):
            yield from result(find_problems(_stage_context(spec, context), value))
    else:
        @check
        def gate(context: AssetCheckExecutionContext, value: Any, source: Any):
            yield from result(find_problems(_stage_context(spec, context), value, source))

    return gate


def _redaction_assets(spec: DatasetSpec, common: dict[str, Any], tags: dict[str, str]):
    from pipelines import redaction

    @asset(
        key=key(spec, "redacted"),
        ins={"df": _in(spec, "validated")},
        description="Personal data removed and small cells protected, per the spec's rules.",
        kinds={"pandas"},
        tags=tags,
        required_resource_keys={"redaction_key"},
        **common,
    )
    def redacted(context: AssetExecutionContext, df: pd.DataFrame) -> Output[pd.DataFrame]:
        sc = _stage_context(spec, context)
        try:
            result = redaction.redact(df, spec, context.resources.redaction_key.key())
        except FivestarError as exc:
            raise _fail("redaction", exc) from None
        report_path = sc.reports_dir / "redaction.json"
        report_path.write_text(result.report.to_json(), encoding="utf-8")
        return Output(result.df, metadata={
            "rows": len(result.df),
            "columns": MetadataValue.json(list(result.df.columns)),
            "redaction_report": MetadataValue.path(str(report_path)),
            "summary": MetadataValue.json(result.report.summary()),
        })

    redaction_verified = _gate_check(
        spec, common, "redacted", "redaction_verified",
        "Independent scan: no personal data; every primary cell's feasible interval proved "
        "to meet the declared protection against the published table (blocking).",
        lambda sc, df, source: redaction.verify(df, spec, source),
        source="validated",
    )

    return [redacted], [redaction_verified]


def _conversion_assets(spec: DatasetSpec, common: dict[str, Any], tags: dict[str, str]):
    from pipelines import convert
    from pipelines import extract as extract_stage

    @asset(
        key=key(spec, "converted"),
        ins={"df": _in(spec, "redacted")},
        description="Every public file: CSV, CSVW, RDF (Turtle, N-Triples), DCAT/PROV/DQV "
                    "metadata, datapackage.json and code lists, with a computed star rating.",
        kinds={"rdf", "csv"},
        tags=tags,
        **common,
    )
    def converted(context: AssetExecutionContext, df: pd.DataFrame):
        sc = _stage_context(spec, context)
        out_dir = sc.work_dir / "converted"
        if out_dir.exists():
            import shutil

            shutil.rmtree(out_dir)
        out_dir.mkdir(parents=True)
        validation = _read_report(ValidationReport, sc.reports_dir / "validation.json")
        redaction_report = _read_report(RedactionReport, sc.reports_dir / "redaction.json")
        provenance = Provenance.for_inputs(
            dataset_id=spec.id, extract_sha256=extract_stage.extract_sha256(spec),
            spec_sha256=spec.spec_sha256, pipeline_version=pipeline_version(),
            partition=sc.partition, validation=validation, redaction=redaction_report)
        try:
            if sc.revision_notes is not None:  # a correction: which version it supersedes
                from pipelines.corrections import plan_revision
                from pipelines.release.audit import AuditStore

                provenance = provenance.model_copy(update={"revision": plan_revision(
                    AuditStore(), spec, sc.partition, sc.revision_notes)})
            result = convert.convert(df, spec, out_dir, provenance)
        except FivestarError as exc:
            raise _fail("conversion", exc) from None
        return Output(result, metadata={
            "files": MetadataValue.json(sorted(p.name for p in out_dir.iterdir())),
            "stars": result.stars.rating,
            "out_dir": MetadataValue.path(str(out_dir)),
        })

    conversion_verified = _gate_check(
        spec, common, "converted", "conversion_verified",
        "Independent parsers and validators over every public file (blocking).",
        lambda sc, result: convert.verify(sc.work_dir / "converted", spec),
    )

    return [converted], [conversion_verified]


def _release_assets(spec: DatasetSpec, common: dict[str, Any], tags: dict[str, str]):
    from pipelines import release

    @asset(
        key=key(spec, "staged_release"),
        ins={"result": _in(spec, "converted")},
        description="An immutable release candidate: public files, manifest (its sha256 is the "
                    "release id), validation and redaction reports, and the diff against the "
                    "last published release. Awaits the Transparency Champion.",
        kinds={"file"},
        tags=tags,
        **common,
    )
    def staged_release(context: AssetExecutionContext, result: ConversionResult):
        sc = _stage_context(spec, context)
        try:
            staged = release.stage_conversion(spec, result, user=sc.user)
        except FivestarError as exc:
            raise _fail("staging", exc) from None
        return Output(
            {"release_id": staged.id, "path": str(staged.path)},
            metadata={"release_id": staged.id, "path": MetadataValue.path(str(staged.path)),
                      "stars": staged.manifest.get("stars", {}).get("rating")},
        )

    @asset(
        key=key(spec, "published"),
        ins={"staged": _in(spec, "staged_release")},
        description="The approved release, public on the CKAN catalogue after every file is "
                    "re-hashed against the approved manifest and verified after upload.",
        kinds={"ckan"},
        tags=tags,
        required_resource_keys={"ckan"},
        **common,
    )
    def published(context: AssetExecutionContext, staged: dict):
        sc = _stage_context(spec, context)
        release_id = (context.run.tags or {}).get(RELEASE_TAG) or staged["release_id"]
        try:
            outcome = release.publish_approved(spec, release_id, context.resources.ckan,
                                               sc.user)
        except FivestarError as exc:
            raise _fail("publication", exc) from None
        return Output(outcome, metadata={
            "release_id": release_id,
            "dataset_url": MetadataValue.url(outcome.dataset_url),
            "resources": MetadataValue.json(outcome.resource_urls),
        })

    return [staged_release, published], []
