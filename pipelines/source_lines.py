"""The physical line where each record of a CSV extract starts, for locating problems.

"Row 17" is the 17th data record of its file. In a CSV whose quoted values
hold line breaks, records span lines and row 17 is not line 18, yet an editor
shows lines. The extract notes whether a file has one line per record
(``lines_exact``); for a file that does not, this reads it once
more, only when a problem is being located, with Python's ``csv`` module (it
counts lines; the data the stages use is the extract's own Arrow read).
"""

from __future__ import annotations

import csv
import functools
import os
from array import array

from pipelines.errors import Problem


def record_line(path: str, row: int, *, lines_exact: bool, delimiter: str,
                encoding: str) -> int | None:
    """The 1-based line of the CSV at ``path`` where data row ``row`` starts (None
    if unknown). For a file with one line per record that is ``row + 1``."""
    if lines_exact:
        return row + 1
    if not path or not os.path.isfile(path):
        return None
    stat = os.stat(path)
    try:
        starts = _record_starts(path, stat.st_size, stat.st_mtime_ns, delimiter, encoding)
    except (OSError, UnicodeDecodeError, LookupError, csv.Error):
        return None  # the extract read it; a line number is a courtesy, not a gate
    return int(starts[row - 1]) if 1 <= row <= len(starts) else None


def with_lines(problems: list[Problem], path: str, *, lines_exact: bool, delimiter: str,
               encoding: str) -> list[Problem]:
    """``problems`` about the CSV at ``path``, each located row given its line."""
    out = []
    for p in problems:
        loc = p.location
        if loc.row is not None and loc.line is None:
            line = record_line(path, loc.row, lines_exact=lines_exact, delimiter=delimiter,
                               encoding=encoding)
            p = p.model_copy(update={"location": loc.model_copy(update={"line": line})})
        out.append(p)
    return out


@functools.lru_cache(maxsize=2)
def _record_starts(path: str, size: int, mtime_ns: int, delimiter: str,
                   encoding: str) -> array:
    """Start line of every data record (blank lines skipped, as the extract skips
    them); ``size`` and ``mtime_ns`` key the cache to this version of the file."""
    del size, mtime_ns
    utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf8")
    starts = array("q")
    with open(path, encoding="utf-8-sig" if utf8 else encoding, newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        header_seen = False
        before = 0
        for record in reader:
            if record:
                if header_seen:
                    starts.append(before + 1)
                header_seen = True
            before = reader.line_num
    return starts
