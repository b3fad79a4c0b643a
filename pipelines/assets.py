"""The asset factory: one group of assets per dataset spec.

This module is the thin Dagster shell: it only wires. Every asset and check
calls plain functions (the stages, :mod:`pipelines.gates`,
:mod:`pipelines.handles`) and records what they did as metadata. Asset values
are small typed handles and reports (:mod:`pipelines.io_manager` stores them as
JSON). Gates are blocking asset checks, so a failure stops everything
downstream in the same run:

    extract → validated ─[expectations]→ redacted ─[redaction_verified]→
    converted ─[conversion_verified]→ staged_release → published

``published`` runs only from an approval (the publication sensor or
``fivestar publish``), never as part of staging.
"""


import shutil
import warnings
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetIn,
    AssetKey,
    AssetsDefinition,
    Backoff,
    Failure,
    Jitter,
    MetadataValue,
    Output,
    PartitionsDefinition,
    RetryPolicy,
    StaticPartitionsDefinition,
    asset,
    multi_asset_check,
)
from dagster._core.storage.tags import ROOT_RUN_ID_TAG  # stable tag name, not exported at top level

from pipelines import convert, gates, handles, release, reports
from pipelines.contracts import ConversionResult, Provenance, PublishResult
from pipelines.corrections import plan_revision
from pipelines.errors import FivestarError, Problem
from pipelines.handles import RedactedTable, SourceTable, StagedReleaseRef, ValidatedExtract
from pipelines.periods import release_periods
from pipelines.runs import RELEASE_TAG, REVISION_TAG, RunContext, staging_ticket
from pipelines.spec import DatasetSpec
from pipelines.version import pipeline_version

# Partitioned asset checks are a Dagster preview feature; we rely on it on
# purpose (a release period's checks must run on that period's data).
warnings.filterwarnings("ignore", message=".*partitions_def on an AssetCheckSpec.*")

#: The stages, in order; asset keys are ``[<dataset prefix>, <stage>]``.
STAGES = ("extract", "validated", "redacted", "converted", "staged_release", "published")
#: The stages `fivestar stage` materialises (publication needs an approval).
STAGING_STAGES = STAGES[:-1]


def key(spec: DatasetSpec, stage: str) -> AssetKey:
    return AssetKey([spec.asset_key_prefix, stage])


def partitions_for(spec: DatasetSpec) -> PartitionsDefinition | None:
    """Release periods as static partitions (keys like ``2024-Q3``)."""
    periods = release_periods(spec)
    return StaticPartitionsDefinition(periods) if periods else None


def _run(spec: DatasetSpec, context: AssetExecutionContext | AssetCheckExecutionContext):
    partition = context.partition_key if context.has_partition_key else None
    tags = context.run.tags or {}
    return RunContext(spec=spec, partition=partition, run_id=context.run.run_id,
                      root_run_id=tags.get(ROOT_RUN_ID_TAG) or context.run.run_id,
                      ticket=staging_ticket(tags), revision_notes=tags.get(REVISION_TAG))


def _fail(stage: str, exc: FivestarError, *, allow_retries: bool = True) -> Failure:
    """A Dagster failure that lists located problems, never values."""
    return Failure(
        description=f"{stage} failed: {exc}",
        allow_retries=allow_retries,
        metadata={"stage": stage, "problems": _problems_json(exc.problems)},
    )


def _problems_json(problems: list[Problem], limit: int = 200) -> MetadataValue:
    """Located problems in their stable JSON form, for the CLI and the Dagster UI."""
    return MetadataValue.json([p.to_dict() for p in problems[:limit]])


def _problems_md(problems: list[Problem], limit: int = 50) -> str:
    lines = [f"- {p}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"- … and {len(problems) - limit} more")
    return "\n".join(lines) or "none"


def _in(spec: DatasetSpec, stage: str) -> AssetIn:
    return AssetIn(key=key(spec, stage))


def build_dataset_assets(
    spec: DatasetSpec,
) -> tuple[list[AssetsDefinition], list[AssetChecksDefinition]]:
    """Build the asset group and its checks for one dataset spec."""
    parts = partitions_for(spec)
    common: dict[str, Any] = {"group_name": spec.asset_key_prefix, "partitions_def": parts,
                              "tags": {"dataset": spec.id, "kind": spec.kind}}

    @asset(key=key(spec, "extract"), kinds={"csv"}, required_resource_keys={"review"},
           **common,
           description=f"The internal extract for {spec.title}, read and typed by its Table "
                       "Schema; a handle to the source, never a copy of it.")
    def extract(context: AssetExecutionContext) -> Output[SourceTable]:
        run = _run(spec, context)
        try:
            # a staging run's start: the service checks its ticket now and binds it to
            # this run (the last step then registers however long the run took)
            release.claim_ticket(spec, context.resources.review.client(), run.ticket,
                                 run.root_run_id)
            source = handles.open_source(spec, run.partition)
        except FivestarError as exc:
            raise _fail("extract", exc) from None
        return Output(source, metadata={
            "rows": source.rows, "columns": MetadataValue.json([c.name for c in source.columns]),
            "extract_sha256": source.extract_sha256, "source_format": spec.source.format.value})

    @asset(key=key(spec, "validated"), ins={"source": _in(spec, "extract")}, kinds={"pandas"},
           **common,
           description="The extract with its Great Expectations and code-list report; the "
                       "blocking `expectations` check stops the run on any ERROR.")
    def validated(context: AssetExecutionContext, source: SourceTable) -> Output[ValidatedExtract]:
        run = _run(spec, context)
        report = gates.validate_source(source, spec)
        files = reports.write_validation(report, run.reports_dir)
        handles.release_memory()
        return Output(ValidatedExtract(source=source, report=report), metadata={
            "rows": report.rows, "errors": len(report.errors), "warnings": len(report.warnings),
            "validation_report": MetadataValue.path(str(files["html"]))})

    @multi_asset_check(
        name=f"{spec.asset_key_prefix}__expectations",
        specs=[AssetCheckSpec("expectations", asset=key(spec, "validated"), blocking=True,
                              partitions_def=parts,
                              description="ERROR-severity Great Expectations results "
                                          "(blocking)."),
               AssetCheckSpec("expectations_warnings", asset=key(spec, "validated"),
                              blocking=False, partitions_def=parts,
                              description="WARN-severity Great Expectations results "
                                          "(recorded, not blocking).")],
        ins={"value": key(spec, "validated")},
    )
    def expectations(context: AssetCheckExecutionContext, value: ValidatedExtract):
        report = value.report
        yield AssetCheckResult(
            check_name="expectations", passed=report.passed, severity=AssetCheckSeverity.ERROR,
            metadata={"errors": len(report.errors),
                      "failures": MetadataValue.md(_problems_md(report.errors)),
                      "problems": _problems_json(report.errors)})
        yield AssetCheckResult(
            check_name="expectations_warnings", passed=not report.warnings,
            severity=AssetCheckSeverity.WARN,
            metadata={"warnings": len(report.warnings),
                      "warnings_detail": MetadataValue.md(_problems_md(report.warnings))})

    @asset(key=key(spec, "redacted"), ins={"value": _in(spec, "validated")}, kinds={"arrow"},
           required_resource_keys={"redaction_key"}, **common,
           description="Personal data removed and small cells protected, per the spec's rules "
                       "(an Arrow file in the run's folder, 0600).")
    def redacted(context: AssetExecutionContext, value: ValidatedExtract) -> Output[RedactedTable]:
        run = _run(spec, context)
        try:
            table, report, certificate = gates.redact_to_table(
                value, spec, context.resources.redaction_key.key(), run.work_dir)
        except FivestarError as exc:
            raise _fail("redaction", exc) from None
        path = reports.write_redaction(report, run.reports_dir)
        handles.release_memory()
        return Output(RedactedTable(table=table, source=value.source, validation=value.report,
                                    report=report, certificate=certificate), metadata={
            "rows": table.rows, "columns": MetadataValue.json(table.columns),
            "redaction_report": MetadataValue.path(str(path)),
            "summary": MetadataValue.json(report.summary())})

    redaction_verified = _gate(
        spec, parts, "redacted", "redaction_verified",
        "Independent scan: no personal data, no disclosive or recoverable cells (blocking).",
        lambda value: gates.redaction_findings(value, spec))

    @asset(key=key(spec, "converted"), ins={"value": _in(spec, "redacted")},
           kinds={"rdf", "csv"}, **common,
           # a correction asks the review service which release it corrects
           required_resource_keys={"review"},
           description="Every public file: CSV, CSVW, RDF (Turtle, N-Triples), DCAT/PROV/DQV "
                       "metadata, datapackage.json and code lists, with a computed star "
                       "rating.")
    def converted(context: AssetExecutionContext, value: RedactedTable):
        run = _run(spec, context)
        out_dir = run.work_dir / "converted"
        shutil.rmtree(out_dir, ignore_errors=True)
        provenance = Provenance.for_inputs(
            dataset_id=spec.id, extract_sha256=value.source.extract_sha256,
            spec_sha256=spec.spec_sha256, pipeline_version=pipeline_version(),
            partition=run.partition, validation=value.validation, redaction=value.report)
        try:
            if run.revision_notes is not None:  # a correction: which version it supersedes
                from pipelines.release import published_release

                published = published_release(spec, context.resources.review.client())
                provenance = provenance.model_copy(update={"revision": plan_revision(
                    spec, run.partition, run.revision_notes, published)})
            # streamed: a pass over the stored table per file, a batch in memory at a time
            result = convert.convert(value.table.frames, spec, out_dir, provenance)
        except FivestarError as exc:
            raise _fail("conversion", exc) from None
        finally:
            handles.release_memory()
        return Output(result, metadata={
            "files": MetadataValue.json(sorted(f.path for f in result.files)),
            "stars": result.stars.rating, "triples": result.triples,
            "out_dir": MetadataValue.path(str(out_dir))})

    conversion_verified = _gate(
        spec, parts, "converted", "conversion_verified",
        "Independent parsers and validators over every public file (blocking).",
        lambda result: convert.verify(result.out_dir, spec))

    @asset(key=key(spec, "staged_release"), ins={"result": _in(spec, "converted")},
           kinds={"file"}, required_resource_keys={"review"}, **common,
           description="An immutable release candidate: public files, manifest (its sha256 is "
                       "the release id), validation and redaction reports, and the diff "
                       "against the last published release. Awaits the Transparency Champion.")
    def staged_release(context: AssetExecutionContext, result: ConversionResult):
        try:
            run = _run(spec, context)
            staged, stager = release.stage_and_register(
                spec, result, context.resources.review.client(), run.ticket,
                run_id=run.root_run_id)
        except FivestarError as exc:
            raise _fail("staging", exc) from None
        ref = StagedReleaseRef(release_id=staged.id, path=str(staged.path),
                               created=staged.created, stars=result.stars.rating,
                               staged_by=stager)
        return Output(ref, metadata={"release_id": staged.id, "stars": ref.stars,
                                     "staged_by": stager,
                                     "path": MetadataValue.path(str(staged.path))})

    @asset(key=key(spec, "published"), ins={"staged": _in(spec, "staged_release")},
           kinds={"ckan"}, required_resource_keys={"ckan", "review"}, **common,
           # Transient failures (catalogue down) retry within the run; the sensor also
           # re-requests a failed publication with backoff (pipelines.release.sensor).
           retry_policy=RetryPolicy(max_retries=2, delay=15, backoff=Backoff.EXPONENTIAL,
                                    jitter=Jitter.PLUS_MINUS),
           description="The approved release, public on the CKAN catalogue after every file is "
                       "re-hashed against the approved manifest and verified after upload.")
    def published(context: AssetExecutionContext, staged: StagedReleaseRef):
        from pipelines.release.client import NotAuthenticated, PermissionDenied
        from pipelines.release.client import PublicationRefused as Refused

        release_id = (context.run.tags or {}).get(RELEASE_TAG) or staged.release_id
        try:
            outcome: PublishResult = release.publish_approved(
                spec, release_id, context.resources.ckan, context.resources.review.client())
        except (Refused, NotAuthenticated, PermissionDenied) as exc:
            # A decision, not a fault: retrying in this run changes nothing.
            raise _fail("publication", exc, allow_retries=False) from None
        except FivestarError as exc:
            raise _fail("publication", exc) from None
        return Output(outcome, metadata={
            "release_id": release_id, "dataset_url": MetadataValue.url(outcome.dataset_url),
            "resources": MetadataValue.json(outcome.resource_urls)})

    return ([extract, validated, redacted, converted, staged_release, published],
            [expectations, redaction_verified, conversion_verified])


def _gate(spec: DatasetSpec, parts: PartitionsDefinition | None, stage: str, name: str,
          description: str, find_problems) -> AssetChecksDefinition:
    """A blocking check on ``stage`` whose findings are located problems."""

    @multi_asset_check(
        name=f"{spec.asset_key_prefix}__{name}",
        specs=[AssetCheckSpec(name, asset=key(spec, stage), blocking=True,
                              partitions_def=parts, description=description)],
        ins={"value": key(spec, stage)},
    )
    def gate(context: AssetCheckExecutionContext, value: Any):
        problems = find_problems(value)
        handles.release_memory()
        yield AssetCheckResult(
            check_name=name, passed=not problems, severity=AssetCheckSeverity.ERROR,
            metadata={"findings": len(problems),
                      "detail": MetadataValue.md(_problems_md(problems)),
                      "problems": _problems_json(problems)})

    return gate
