"""The error-code registry, and a failing `fivestar stage` that prints its problems once."""

from __future__ import annotations

import csv
import io
import re
import shutil

import pytest
from typer.testing import CliRunner

from pipelines import error_codes, paths
from pipelines.cli import app
from pipelines.errors import Location, Problem

#: The ways the package names a literal code when it makes a problem.
_MAKERS = re.compile(
    r"""(?:\bProblem\(|\b_p\(|\b_?problem\(|\bout\.(?:add|rows)\(|\bcollector\.(?:add|rows)\("""
    r"""|\bChainBreak\([^,()]*,)"""
    r"""\s*["']([A-Za-z][A-Za-z0-9_-]*)["']""")


def _codes_in_package() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((paths.ROOT / "pipelines").rglob("*.py")):
        for code in _MAKERS.findall(path.read_text(encoding="utf-8")):
            found.setdefault(code, str(path.relative_to(paths.ROOT)))
    return found


def test_the_scan_finds_codes():
    codes = _codes_in_package()
    # one from each stage at least, so a broken pattern cannot pass vacuously
    assert {"spec", "ragged-row", "suite-missing", "sdc-spec", "rdf-parse",
            "sha256-mismatch", "mac-mismatch"} <= set(codes)


def test_every_code_the_package_raises_is_registered():
    unregistered = {c: where for c, where in _codes_in_package().items()
                    if error_codes.kind(c) is None}
    assert not unregistered, f"add these to pipelines/error_codes.py: {unregistered}"


#: One style for every code, frictionless's: lower-case words joined by hyphens.
_CODE_STYLE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


def test_every_code_has_one_style():
    # Great Expectations' own expectation types (expect_…) are GX's names, kept as GX
    # spells them; they all share the registered kind "expectation".
    off_style = sorted(c for c in [*error_codes.REGISTRY, *_codes_in_package()]
                       if not _CODE_STYLE.fullmatch(c))
    assert not off_style, f"codes are kebab-case (ragged-row): {off_style}"


def test_every_registered_code_has_a_title_and_help():
    assert len(error_codes.REGISTRY) == len(error_codes._ALL), "a code is registered twice"
    for k in error_codes.REGISTRY.values():
        assert k.title.strip() and k.help.strip(), k.code
        assert k.help.rstrip().endswith((".", ")")), k.code


def test_a_problem_knows_its_help_and_keeps_its_json_form():
    p = Problem("ragged-row", "has 1 cells, expected 4", Location("x.csv", 3, None))
    assert p.kind is error_codes.REGISTRY["ragged-row"]
    assert "delimiter" in p.help
    assert p.to_dict() == {"code": "ragged-row", "message": "has 1 cells, expected 4",
                           "file": "x.csv", "row": 3, "field": None, "line": None}
    assert Problem("expect_column_values_to_not_be_null", "fails").kind.code == "expectation"
    assert Problem("not-a-code", "x").help == ""


@pytest.fixture
def stager(monkeypatch, tmp_path, service):
    """`fivestar stage` signed in to the test's review service as stats.demo."""
    monkeypatch.delenv("FIVESTAR_LOG_LEVEL", raising=False)
    monkeypatch.setenv("FIVESTAR_PSEUDONYMISATION_KEY", "test-key-0123456789abcdef")
    monkeypatch.setenv("FIVESTAR_PASSWORD", "stats-demo-password")
    datasets = tmp_path / "datasets"
    shutil.copytree(paths.DATASETS_DIR / "foi-requests", datasets / "foi-requests")
    monkeypatch.setattr(paths, "DATASETS_DIR", datasets)
    return datasets


def test_a_bad_row_is_one_located_line_with_help_and_no_value(stager):
    extract = stager / "foi-requests" / "foi-requests.csv"
    rows = list(csv.reader(io.StringIO(extract.read_text(encoding="utf-8"))))
    col = rows[0].index("received_date")
    rows[7][col] = "31/02/2024-SECRET-VALUE"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    extract.write_text(out.getvalue(), encoding="utf-8")

    result = CliRunner().invoke(app, ["stage", "foi-requests", "--user", "stats.demo"],
                                terminal_width=200)
    assert result.exit_code == 1, result.output
    line = "foi-requests.csv, row 7, field `received_date`: expected date (ISO 8601) [type]"
    assert result.output.count(line) == 1, result.output
    assert "help [type]" in result.output
    assert "SECRET-VALUE" not in result.output  # never the cell's value
    for noise in ("Traceback", "Stack Trace", "dagster - ERROR", "STEP_FAILURE"):
        assert noise not in result.output, noise


def test_a_wrong_delimiter_is_one_line_that_names_it(stager):
    extract = stager / "foi-requests" / "foi-requests.csv"
    rows = list(csv.reader(io.StringIO(extract.read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
    extract.write_text(out.getvalue(), encoding="utf-8")

    result = CliRunner().invoke(app, ["stage", "foi-requests", "--user", "stats.demo"],
                                terminal_width=200)
    assert result.exit_code == 1, result.output
    lines = [ln for ln in result.output.splitlines() if ln.rstrip().endswith("[delimiter]")]
    assert len(lines) == 1, result.output
    assert "foi-requests.csv" in lines[0] and "is the delimiter `;`?" in lines[0]
    assert "[ragged-row]" not in result.output and "Traceback" not in result.output


def test_a_broken_spec_is_one_located_line_with_help(stager):
    spec = stager / "foi-requests" / "dataset.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("frequency: monthly",
                                                             "frequency: fortnightly"))
    result = CliRunner().invoke(app, ["stage", "foi-requests", "--user", "stats.demo"],
                                terminal_width=200)
    assert result.exit_code == 2, result.output
    lines = [ln for ln in result.output.splitlines() if "field `release.frequency`" in ln]
    assert len(lines) == 1, result.output
    assert "foi-requests/dataset.yaml" in lines[0] and lines[0].endswith("[spec]")
    assert "release.frequency:" not in lines[0]  # the key path is said once, as the field
    assert "help [spec]" in result.output and "Traceback" not in result.output


def test_datasets_warns_about_unsafe_notations_and_undefined_terms(tmp_path, monkeypatch):
    from pipelines import codelists

    clean = CliRunner().invoke(app, ["datasets"], terminal_width=200)  # the bundled specs
    assert clean.exit_code == 0 and "warning" not in clean.output, clean.output
    datasets = tmp_path / "datasets"
    shutil.copytree(paths.DATASETS_DIR / "police-recorded-crime",
                    datasets / "police-recorded-crime")
    spec_file = datasets / "police-recorded-crime" / "dataset.yaml"
    text = spec_file.read_text(encoding="utf-8")
    spec_file.write_text(text.replace('property: "fivestar:offenceGroup"',
                                      'property: "fivestar:offenceKind"'), encoding="utf-8")
    vocab = tmp_path / "vocabularies"
    shutil.copytree(paths.VOCABULARIES_DIR, vocab)
    ttl = vocab / "offence-groups.ttl"
    ttl.write_text(re.sub(r'skos:notation "([a-z-]+)"', r'skos:notation "\1 x"',
                          ttl.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    monkeypatch.setattr(paths, "VOCABULARIES_DIR", vocab)
    codelists._load.cache_clear()
    result = CliRunner().invoke(app, ["datasets", "--datasets-dir", str(datasets)],
                                terminal_width=200)
    codelists._load.cache_clear()
    assert result.exit_code == 0, result.output  # warnings, not errors
    assert "[notation-not-url-safe]" in result.output
    assert "field `linked_data.fields.offence_group.property`" in result.output
    assert "`fivestar:offenceKind` is not defined" in result.output
