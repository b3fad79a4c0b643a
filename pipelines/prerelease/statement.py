"""The pre-release access statement published with each release (as GOV.UK releases do).

A small CSV beside the data: one row for the production team, then one per
person or role on the list. Account names (``user``) are never written.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pipelines.contracts.conversion import FileInfo, FileRole
from pipelines.spec import PreReleaseAccess

FILENAME = "pre-release-access.csv"
PRODUCTION = ("Production team: the statisticians who produced these statistics and the "
              "Transparency Champion who approved their release")


def statement_csv(entries: list[PreReleaseAccess]) -> bytes:
    """The statement's bytes: deterministic (the list's order), RFC 4180, UTF-8."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["role", "name", "access"])
    writer.writerow([PRODUCTION, "", "throughout production"])
    for e in entries:
        writer.writerow([e.role, e.name or "", "up to 24 hours before release"])
    return buf.getvalue().encode("utf-8")


def write_statement(entries: list[PreReleaseAccess], out_dir: Path) -> FileInfo:
    """Write the statement into a release's public files; return its description."""
    (Path(out_dir) / FILENAME).write_bytes(statement_csv(entries))
    return FileInfo(path=FILENAME, role=FileRole.documentation, media_type="text/csv",
                    format="CSV", title="Pre-release access list",
                    description="Who had access to these statistics before their release, "
                                "and for how long (Pre-release Access to Official Statistics "
                                "Order 2008).")
