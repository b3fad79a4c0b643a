"""Every error code fivestar reports, with a title and a help text: the taxonomy.

A :class:`pipelines.errors.Problem` carries a short machine code (``ragged-row``)
and a located message; this registry says, once per code, what kind of problem
it is and what to do about it, the way frictionless's ``errors/`` classes do.
The CLI prints the help under the problem, the review app and the JSON reports
can show the title, and a test keeps every code the package raises registered
here, so no code is a free string nobody can look up.

A help text says what to check or change, never what the data held: codes and
help are about places, not values (personal data stays where it was).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    """Where in the pipeline a problem is found."""

    spec = "spec"
    extract = "extract"
    validation = "validation"
    redaction = "redaction"
    disclosure = "disclosure control"
    conversion = "conversion"
    state = "working state"
    release = "release"
    approval = "approval"
    publication = "publication"
    calendar = "release calendar"


@dataclass(frozen=True)
class ErrorKind:
    """One code: its stage, a title for lists, and what to do about it."""

    code: str
    stage: Stage
    title: str
    help: str


def _kinds(stage: Stage, *rows: tuple[str, str, str]) -> list[ErrorKind]:
    return [ErrorKind(code, stage, title, help_) for code, title, help_ in rows]


_ALL: list[ErrorKind] = [
    *_kinds(
        Stage.spec,
        ("spec", "Invalid dataset spec",
         "Correct the key named; docs/dataset-spec.md lists every key, its type and default."),
        ("yaml", "Malformed YAML",
         "The file is not valid YAML at the line given: check indentation, colons and quotes."),
        ("encoding", "Unreadable text encoding",
         "Save the file as UTF-8, or set source.encoding to the extract's encoding."),
        ("unreadable", "File cannot be read",
         "Check that the file exists and that fivestar's user may read it."),
        ("error", "Error", "See the message."),
        ("notation-not-url-safe", "Code-list notation not URL-safe (warning)",
         "Use notations of letters, digits, `-`, `_`, `.` and `~` only, so the CSVW can give "
         "the column a URI template; otherwise CSV readers get plain strings."),
        ("term-undefined", "Term not in the project vocabulary (warning)",
         "Define the fivestar: term (label, comment, range) in the project's own "
         "vocabularies/fivestar.ttl, in fivestar's checkout (FIVESTAR_VOCABULARIES_DIR holds "
         "code lists only, and a fivestar.ttl there is not read), or map the field to an "
         "existing property (dcterms:subject, dcterms:spatial, dcterms:description, ...)."),
    ),
    *_kinds(
        Stage.extract,
        ("missing-file", "Extract file missing",
         "source.path (relative to the dataset folder) names no file: check the path or glob."),
        ("no-files", "No extract files",
         "source.path matched nothing: check the glob and that the extract was delivered."),
        ("empty-file", "Empty extract",
         "The extract has no header or no data rows: re-export it."),
        ("csv-parse", "Not parseable as CSV",
         "Check source.delimiter, quoting and source.encoding against the file."),
        ("delimiter", "Wrong delimiter",
         "Every row has one cell: the file uses another delimiter. Set source.delimiter "
         "(for example `;` or a tab)."),
        ("ragged-row", "Row with the wrong number of cells",
         "A row has more or fewer cells than the header: look for an unquoted delimiter or "
         "line break in a text cell, or a wrong source.delimiter."),
        ("missing-column", "Column missing",
         "The header lacks a field of schema.fields: rename the column, or fix the schema."),
        ("extra-column", "Column not in the schema",
         "The header has a column the Table Schema does not declare: add it to schema.fields "
         "(with a redaction rule if it is personal) or leave it out of the extract."),
        ("duplicate-column", "Column repeated",
         "Two header cells have the same name: each column needs a unique name."),
        ("xlsx-unreadable", "Not a readable workbook",
         "Save the file again as .xlsx (not encrypted, not .xls or .xlsb)."),
        ("xlsx-sheet", "Sheet not found", "Set source.sheet to one of the sheets listed."),
        ("parquet-unreadable", "Not a readable Parquet file", "Re-export the Parquet file."),
        ("sql-connection", "No database connection",
         "Set the environment variable named by source.connection_env to the database URL."),
        ("sql-error", "Query failed",
         "Run source.query against the database yourself; check the table and column names."),
        ("schema", "Invalid Table Schema",
         "The spec's schema is not a valid Frictionless Table Schema: see the message."),
        ("type", "Value of the wrong type",
         "The cell does not read as the field's type: dates are ISO 8601 (YYYY-MM-DD) unless "
         "the field has a `format`; numbers use `.` as the decimal point."),
        ("required", "Required value missing",
         "The field is `required` but the cell is empty (or a missingValues marker)."),
        ("minimum", "Below the minimum", "The value is below the field's `minimum` constraint."),
        ("maximum", "Above the maximum", "The value is above the field's `maximum` constraint."),
        ("pattern", "Does not match the pattern",
         "The value does not match the field's `pattern` constraint (a regular expression)."),
        ("enum", "Not an allowed value", "The value is not in the field's `enum` constraint."),
        ("length", "Wrong length",
         "The text is shorter than `minLength` or longer than `maxLength`."),
        ("unique", "Repeated value", "The field is `unique` but the value occurs more than once."),
        ("primary-key", "Repeated primary key",
         "Two rows have the same schema.primaryKey values: remove the duplicate row."),
    ),
    *_kinds(
        Stage.validation,
        ("suite-missing", "No expectation suite",
         "Add expectations/<id>.json (GX Core's JSON), or name it in expectations.suite."),
        ("suite-invalid", "Expectation suite does not load",
         "The suite file is not a valid Great Expectations 1.x suite."),
        ("codelist", "Not in the code list",
         "The value is not the skos:notation of any concept in the field's code list: fix "
         "the value, or add the concept to the code list."),
        ("codelist-missing", "Code list missing",
         "The field's `codelist` names no vocabularies/<stem>.ttl in FIVESTAR_VOCABULARIES_DIR."),
        ("report-unbound", "Validation report for other data",
         "The report does not belong to this extract: stage the dataset again."),
        ("validation-failed", "Blocking expectations failed",
         "Read the validation report; fix the extract or the suite, then stage again."),
        ("expectation", "Expectation failed",
         "A Great Expectations expectation of the suite failed on these rows: read the "
         "validation report."),
    ),
    *_kinds(
        Stage.redaction,
        ("redaction-field", "Redaction rule cannot apply",
         "The rule does not fit the field's values or type: see the message and the rule."),
        ("not-dropped", "Dropped field still present",
         "A field with `rule: drop` is still in the output: fivestar stops rather than "
         "publish it (report this as a bug)."),
        ("not-replaced", "Value not replaced",
         "A `replace` rule left an original value in place: the run stops."),
        ("personal-data-name", "Possible personal name left",
         "The verifier found what looks like a person's name in free text: add a `scrub` "
         "rule or `names_from`, or list a proper noun in redaction.allow_terms."),
        ("personal-data", "Personal data left in free text",
         "The independent verifier found typed personal data (the placeholder kinds named) "
         "after redaction: add or widen the field's `scrub` rule."),
        ("unruled-personal-field", "Personal-looking field without a rule",
         "The field's name suggests personal data and no redaction rule names it: give it a "
         "rule, or `rule: keep` with a `reason` if it is safe to publish."),
        ("redaction-key", "No pseudonymisation key",
         "A field is to be pseudonymised: set FIVESTAR_PSEUDONYMISATION_KEY (from the "
         "secret store)."),
        ("wordlist-missing", "English word list missing",
         "Run `make setup` (it installs Debian's wbritish-large), or point FIVESTAR_WORDLIST "
         "at a SCOWL word list."),
        ("ner-model-missing", "Verifier's name model missing",
         "Run `make setup`: it trains the verifier's person-name model once (about two "
         "minutes of CPU); the gate never trains it and stops until it is there."),
        ("gx", "Personal data pattern left",
         "The independent verifier found an email, phone number, postcode or similar after "
         "redaction: add or widen a `scrub` rule for the field."),
    ),
    *_kinds(
        Stage.disclosure,
        ("sdc-spec", "Disclosure-control rules inconsistent",
         "Check redaction.sdc against the extract: dimensions, totals and hierarchy."),
        ("sdc-extra-field", "Field outside the table",
         "A table with margins holds only its dimensions and the measure: drop the field "
         "with a redaction rule, or make it an sdc dimension."),
        ("sdc-field", "Disclosure-control field unusable",
         "An sdc dimension or measure is missing or has empty or non-count values."),
        ("sdc-missing-code", "Code outside the hierarchy",
         "A dimension's value is not in its declared hierarchy or code list."),
        ("sdc-too-large", "Table too large to protect",
         "The table has more cells than secondary suppression can handle: split it with "
         "redaction.sdc.tables, or use rounding or perturbation."),
        ("sdc-total-mismatch", "Total does not add up",
         "A total row differs from the sum of its parts: correct the extract (with "
         "`totals: supplied` every total must be exact)."),
        ("sdc-total-missing", "Total row missing",
         "With `totals: supplied` the extract must hold every total row; add it, or use "
         "`totals: computed`."),
        ("sdc-unprotectable", "Cell cannot be protected",
         "No suppression pattern protects the sensitive cell to the declared interval (the "
         "message says whether that is proved, or the search found none): publish a coarser "
         "table (merge the category with a neighbour, or a dimension left out), declare "
         "`zero: suppress` (absent cells are then unknowns too), or relax "
         "redaction.sdc.protection."),
        ("sdc-rounding-unprotected", "Rounding leaves a cell unprotected",
         "Rounding alone lets the rounded totals narrow this cell: use `method: suppression` "
         "(with `rounding:` if wanted)."),
        ("sdc-duplicate", "Cell repeated", "Two rows describe the same cell of the table."),
        ("sdc-missing", "Protected cell missing",
         "A cell of the table is missing after protection."),
        ("sdc-output", "Disclosure control output inconsistent",
         "The protected table does not match the input's shape: the run stops."),
        ("sdc-protection", "Suppressed cell recoverable",
         "A suppressed cell can be narrowed below its protection interval from the published "
         "cells: the run stops."),
        ("sdc-unknown-cell", "Unexpected cell", "The output has a cell the input table lacks."),
        ("sdc-wrong-value", "Published value changed",
         "A published cell differs from the true value beyond what the method allows."),
        ("below-threshold", "Small count published",
         "A count below the threshold would be published: the run stops."),
        ("zero-published", "Zero published against the rules",
         "redaction.sdc.zero is `suppress` but a zero would be published."),
        ("not-rounded", "Count not rounded", "A published count is not a multiple of the base."),
        ("status-mismatch", "Status code inconsistent",
         "A cell's conf_status does not match whether its value is shown."),
        ("ptable", "Perturbation table invalid",
         "Each row of the ptable needs i, j, p with probabilities summing to 1 per i."),
        ("perturbation", "Perturbation inconsistent",
         "A perturbed count does not follow the perturbation table."),
    ),
    *_kinds(
        Stage.conversion,
        ("mapping", "Linked-data mapping unusable",
         "linked_data names something the data cannot provide: see the field named."),
        ("period", "Not a period",
         "A `values: period` column or the release.period_field holds a value that is not a "
         "period (2024, 2024-Q1, 2024-01, an ISO date, or a financial year 2023-24)."),
        ("csv-unreadable", "Published CSV unreadable",
         "The CSV written does not parse: the run stops."),
        ("csv-header", "Published CSV header wrong",
         "The written CSV's header differs from the CSVW column titles: the run stops."),
        ("not-in-codelist", "Value outside its code list",
         "A value is not a notation of the column's code list (validation should have "
         "stopped it): check the code list and the suite."),
        ("csv-ragged", "Published CSV ragged", "A row of the written CSV has the wrong width."),
        ("csvw", "CSVW check failed", "The CSV does not match its CSVW metadata."),
        ("csvw-datatype", "CSVW datatype mismatch", "A cell does not match its CSVW datatype."),
        ("csvw-required", "CSVW required cell empty", "A required column has an empty cell."),
        ("csvw-primary-key", "CSVW primary key repeated", "Two rows share a primary key."),
        ("csvw-network", "CSVW needs the network",
         "The CSVW metadata refers to something outside the release folder."),
        ("byte-size", "File size wrong", "A file's size differs from what the metadata says."),
        ("checksum", "File hash wrong", "A file's hash differs from what the metadata says."),
        ("data-cube", "Data Cube constraint broken",
         "The RDF breaks an integrity constraint of the RDF Data Cube (IC-1 to IC-21)."),
        ("dcat-ap", "DCAT-AP shape broken", "The catalogue metadata fails its SHACL shapes."),
        ("distribution-missing", "Distribution missing",
         "A public file is not described as a DCAT distribution."),
        ("frictionless", "Data package invalid", "datapackage.json fails frictionless validation."),
        ("missing", "Expected file missing", "A public file the release needs was not written."),
        ("rdf-equivalence", "RDF forms disagree",
         "The Turtle and N-Triples hold different graphs."),
        ("rdf-parse", "RDF does not parse", "An RDF file written does not parse: the run stops."),
        ("schemas-disagree", "Schemas disagree",
         "The Table Schema, the CSVW metadata and the data package describe different columns."),
        ("stars", "Five-star evidence missing", "A star claimed has no evidence in the files."),
    ),
    *_kinds(
        Stage.state,
        ("extract-changed", "Extract changed during the run",
         "The extract's bytes changed after it was read: stage again once it is stable."),
        ("spec-changed", "Spec changed during the run",
         "dataset.yaml changed after the run started: stage again."),
        ("table-changed", "Working table changed",
         "A working file's hash no longer matches: it was altered; stage again."),
        ("table-missing", "Working table missing",
         "A working file is gone (purged or deleted): stage again."),
    ),
    *_kinds(
        Stage.release,
        ("manifest-missing", "Release has no manifest", "The release folder is incomplete."),
        ("manifest-malformed", "Manifest malformed", "manifest.json is not valid JSON."),
        ("manifest-not-canonical", "Manifest altered",
         "manifest.json is not in canonical form: it was edited after staging."),
        ("manifest-version", "Unknown manifest version",
         "The release was made by another fivestar."),
        ("manifest-shape", "Manifest incomplete or mistyped",
         "manifest.json lacks a key, has an unknown one, or a value of the wrong type: "
         "it was not written by fivestar's staging; stage again."),
        ("file-missing", "Release file missing", "A file listed in the manifest is missing."),
        ("file-unlisted", "File not in the manifest",
         "The release folder holds a file the manifest does not list."),
        ("file-undescribed", "File without a description", "A public file has no role or title."),
        ("sha256-mismatch", "File altered", "A file's sha256 differs from the manifest's."),
        ("size-mismatch", "File size altered", "A file's size differs from the manifest's."),
        ("bad-path", "Unsafe file path", "A manifest path leaves the release folder."),
        ("symlink", "Symbolic link in a release", "Releases hold plain files only."),
        ("changed-during-staging", "Files changed while staging", "Stage again."),
        ("access-list", "Pre-release access list invalid",
         "Check the department-wide pre-release access list and release.pre_release_access."),
        ("other-period", "Correction for another period",
         "A correction must be for the same period as the release it corrects."),
        ("stager-unknown", "No stager named",
         "Sign in to stage (fivestar stage --user NAME) so separation of duties can be checked."),
        ("release-tampered", "Existing release altered",
         "A release folder with this id no longer matches its manifest: investigate before "
         "staging again."),
        ("notes-required", "Revision notes needed",
         "A correction needs revision notes saying what changed and why."),
        ("notes-too-long", "Revision notes too long", "Shorten the revision notes."),
        ("nothing-published", "Nothing to correct", "A correction needs a published release."),
    ),
    *_kinds(
        Stage.approval,
        ("not-approved", "Not approved",
         "The Transparency Champion has not approved this exact release."),
        ("id-mismatch", "Approval for another release",
         "The approval names a different release id: approve the release being published."),
        ("release-changed", "Release changed since approval",
         "The release's bytes differ from what was approved: stage and approve again."),
        ("dataset-mismatch", "Approval for another dataset",
         "The approval names a different dataset."),
        ("manifest-changed", "Manifest changed since staging",
         "manifest.json no longer hashes to the release id: stage and approve again."),
        ("separation-of-duties", "Approver staged it",
         "The person who staged a release may not approve it: another champion must."),
        ("superseded", "Release superseded",
         "A newer candidate of the same dataset and period replaced it: approve that one."),
        ("embargoed", "Under embargo",
         "The release's announced time has not come: it publishes then, not before."),
        ("files-changed", "Files changed since approval",
         "The release's files differ from the approved manifest: publication is refused."),
        ("audit-chain-broken", "Audit log does not verify",
         "An audit entry or anchor was changed, removed or added outside the review service: "
         "nothing publishes until an admin investigates (`fivestar audit --verify`)."),
        # what `fivestar audit --verify` finds, entry by entry (each makes the chain broken)
        ("seq-gap", "Audit entries missing",
         "Entries between two kept ones were deleted from the audit database: restore them "
         "from a backup; the anchors say which heads were there."),
        ("chain-broken", "Audit entry out of chain",
         "The entry does not follow the one before it (reordered or re-inserted): restore the "
         "log from a backup."),
        ("mac-mismatch", "Audit entry altered",
         "The entry's MAC does not verify under the audit key: it was inserted, edited or "
         "re-chained outside the review service."),
        ("unanchored", "Audit entries not anchored",
         "The newest entries are not in the anchor log: entries added outside the review "
         "service, or a crash between its database and anchor writes (it repairs those)."),
        ("anchor-missing", "Anchored entry gone",
         "An entry an anchor recorded is no longer in the database (deleted or truncated): "
         "restore the log from a backup."),
        ("anchor-mismatch", "Anchored entry differs",
         "The database's entry differs from the head an anchor recorded: the log was "
         "rewritten; restore it from a backup."),
        ("anchor-log-malformed", "Anchor log line unreadable",
         "A line of the anchor log is not a valid anchor record: it was edited by hand."),
        ("catalogue-unpublished", "Public without a publication",
         "The catalogue shows a dataset public with a release the audit log never "
         "published: someone made it public around the review service. Hide it and "
         "investigate who holds the catalogue publisher's token."),
        ("anchor-log-tampered", "Anchor log line altered",
         "A line of the anchor log does not verify under the key: it was edited."),
        ("no-ticket", "No staging ticket",
         "Stage through `fivestar stage` (it signs you in), or tag a Dagster run with a ticket "
         "from `fivestar ticket`."),
        ("report-mismatch", "Report differs from the manifest",
         "A report sent at registration is not the one the manifest lists: stage again."),
        ("record-tampered", "Service copy altered",
         "The review service's copy of a manifest no longer hashes to its release id: an admin "
         "must investigate its database."),
        ("published-changed", "Published release changed",
         "The published release a correction is based on no longer matches its manifest: "
         "investigate before staging the correction."),
        ("publication-in-progress", "Publication under way",
         "Another attempt is switching this release to public: the next attempt settles it."),
    ),
    *_kinds(
        Stage.publication,
        ("hash-mismatch", "Uploaded file differs",
         "A file re-downloaded from the catalogue differs from the approved manifest."),
        ("download-failed", "Download failed",
         "A public file could not be downloaded back from the catalogue."),
        ("missing-resource", "Resource missing", "The catalogue lacks a resource the release has."),
        ("staging-name-taken", "Staging copy name taken",
         "The catalogue has a record under the name of the dataset's staging copy "
         "(`<name>--next`) that is not its private staging copy: rename or remove it."),
        ("switch-mismatch", "Switch left other files",
         "After the switch the dataset does not hold the release's files where expected: "
         "publish again (the rerun completes it)."),
        ("switch-unknown-resource", "Switch names a foreign resource",
         "The switch asked for a resource that is neither the dataset's nor its staging "
         "copy's: publish again (the rerun stages it afresh)."),
        ("switch-duplicate", "Switch names a file twice",
         "Two resources of the switch carry the same file name: publish again."),
        ("switch-unapproved-file", "Switch adds an unapproved file",
         "The switch asked the review service to make public a file the approved manifest "
         "does not list: nothing was switched; investigate who changed the staging copy."),
        ("switch-file-differs", "Switch file is not the approved one",
         "A resource of the switch has another sha256 or description than the approved "
         "manifest: nothing was switched; publish again, and investigate if it repeats."),
        ("switch-missing-file", "Switch lacks an approved file",
         "A file of the approved release is not in the switch: publish again."),
        ("switch-unapproved-field", "Switch sets unapproved metadata",
         "The switch asked for a dataset field the approved record does not set: nothing "
         "was switched."),
        ("switch-unapproved-link", "Switch links elsewhere",
         "The RDF or CSVW link of the switch is not a file of this release: nothing was "
         "switched."),
        ("switch-wrong-dataset", "Switch of another dataset",
         "The switch named another dataset than the approved release's."),
        ("switch-wrong-staging", "Switch from a foreign copy",
         "The switch's staging copy is not the dataset's private `<name>--next`."),
        ("switch-refused-by-catalogue", "Catalogue refused the switch",
         "CKAN refused the review service's switch (bytes differ from their sha256, or the "
         "service's catalogue token is not the publisher's): see the catalogue's log."),
        ("ckan-validation", "Catalogue refused the record",
         "CKAN rejected a field of the dataset record: see the field named."),
        ("series-name-taken", "Series name taken",
         "The catalogue already has a record of another type under the series' name: rename "
         "one of them."),
        ("series-dcat", "Series DCAT unavailable",
         "The catalogue did not serve the series' DCAT: check CKAN and ckanext-dcat."),
        ("superseded-changed", "Superseded version changed",
         "The previous version's files on the catalogue differ from what was published."),
        ("datastore-header", "DataStore columns differ",
         "The DataStore table's columns differ from the CSV's."),
        ("datastore-rows", "DataStore rows differ", "The DataStore holds a different row count."),
        ("datastore-type", "DataStore type differs", "A DataStore column has the wrong type."),
        ("datastore-bytes-changed", "File changed while loading",
         "A file the DataStore was loaded from (the CSV or its data package) is not the "
         "approved bytes: it changed after the check. Nothing was switched and the partial "
         "table was dropped; investigate who wrote the release folder."),
        ("datastore-differs", "DataStore table is not the approved load",
         "At the switch, a DataStore table of a resource going public is not the publisher's "
         "complete load of the approved file (columns, types, words or its sha256 label "
         "differ): nothing was switched; publish again, and investigate if it repeats."),
        ("store-rows", "SPARQL store rows differ", "The triple store holds a different row count."),
        ("store-triples", "SPARQL store triples differ",
         "The triple store holds a different number of triples."),
        ("linked-draft-differs", "Draft graph is not the approved RDF",
         "The release's draft graph differs from its approved N-Triples, code lists and "
         "metadata (a triple added, removed or changed after the approval): nothing went "
         "live; publish again (the pipeline drafts it afresh), and investigate who wrote "
         "the draft store if it repeats."),
        ("linked-not-drafted", "Linked data not drafted",
         "The draft store holds nothing of the release: the pipeline published with "
         "FIVESTAR_LINKED_DATA=off (or into another triple store) while the review service "
         "puts linked data live. Set FIVESTAR_LINKED_DATA (and FIVESTAR_FUSEKI_URL) the same "
         "for the pipeline and the service, then publish again: nothing went public."),
        ("linked-file-changed", "Approved RDF file changed",
         "An RDF file of the release differs from the approved manifest: nothing went "
         "live; restore the approved release or stage again."),
        ("linked-file-missing", "Approved RDF file missing",
         "An RDF file of the release is missing or not a regular file: restore it."),
        ("linked-too-many-blank-nodes", "Too many blank nodes",
         "The release's RDF has more triples with blank nodes than can be compared: give "
         "the things URIs (the data's own RDF uses URIs throughout)."),
        ("linked-live-failed", "Linked data did not go live",
         "The catalogue switched but the triple store did not take the release's graph: "
         "publish again (it is drafted and checked again, then made live)."),
    ),
    *_kinds(
        Stage.calendar,
        ("in-the-past", "Date in the past", "Choose a future release date."),
        ("naive-time", "Time without a zone", "Give the time with its UK time zone."),
        ("not-a-working-day", "Not a working day",
         "Releases go out on working days: not weekends or bank holidays of release.holidays."),
        ("not-permitted", "Not permitted", "Your role may not change the release calendar."),
        ("not-scheduled", "Not scheduled", "The dataset has no announced release to change."),
        ("reason-required", "Reason needed", "A change to an announced date needs a reason."),
        ("reason-too-long", "Reason too long", "Shorten the reason."),
    ),
]

REGISTRY: dict[str, ErrorKind] = {k.code: k for k in _ALL}


def kind(code: str) -> ErrorKind | None:
    """The registered kind of ``code``; Great Expectations' own expectation types
    (``expect_…``), which the validation report uses as codes, share one kind."""
    if code in REGISTRY:
        return REGISTRY[code]
    if code.startswith("expect_"):
        return REGISTRY["expectation"]
    return None
