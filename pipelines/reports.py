"""Report files for people and for releases: the typed reports as JSON and HTML.

The reports themselves are contracts (:mod:`pipelines.contracts`) that travel
as asset values; this module only renders them. The same bytes go into the
run's ``reports/`` folder (for the statistician) and into a staged release
(for the Transparency Champion), so what was read is what was approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipelines.contracts.redaction import RedactionReport
from pipelines.contracts.validation import ValidationReport


@dataclass(frozen=True)
class ReportFile:
    """One report file: its name inside ``reports/`` and its bytes."""

    filename: str
    content: bytes

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / self.filename
        path.write_bytes(self.content)
        return path


@cache
def _templates():
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(loader=PackageLoader("pipelines", "templates"),
                       autoescape=select_autoescape(["html", "j2"]))


def validation_html(report: ValidationReport) -> str:
    """A self-contained HTML page of the validation report."""
    return _templates().get_template("validation.html.j2").render(
        report=report.model_dump(mode="json"))


def validation_files(report: ValidationReport) -> dict[str, ReportFile]:
    """``validation`` (JSON, the record) and ``validation_html`` (for reading)."""
    return {"validation": ReportFile("validation.json", report.to_json().encode("utf-8")),
            "validation_html": ReportFile("validation.html",
                                          validation_html(report).encode("utf-8"))}


def redaction_files(report: RedactionReport) -> dict[str, ReportFile]:
    return {"redaction": ReportFile("redaction.json", report.to_json().encode("utf-8"))}


def write_validation(report: ValidationReport, folder: Path) -> dict[str, Path]:
    """``validation.json`` and ``validation.html`` for people to read."""
    files = validation_files(report)
    return {"json": files["validation"].write(folder),
            "html": files["validation_html"].write(folder)}


def write_redaction(report: RedactionReport, folder: Path) -> Path:
    return redaction_files(report)["redaction"].write(folder)
