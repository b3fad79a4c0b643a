"""The suppression grid of an aggregate table: which cells are published, which withheld.

Disclosure control marks each published cell with an SDMX confidentiality
status in the public CSV's ``conf_status`` column: ``F`` free, ``C`` primary
suppression (the cell itself is disclosive), ``D`` secondary suppression
(withheld so that a primary cell cannot be recovered from the totals). The
grid lays the table out by two of its dimensions (the one with most values
down the side, the next across), one grid per period, latest first, so the
champion sees at a glance where the gaps are and whether a margin gives a
cell away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipelines.charts.tables import dimensions, read_columns
from pipelines.spec import DatasetSpec

STATUS_COLUMN = "conf_status"
#: The grids shown (latest periods first); the counts cover every period.
MAX_GRIDS = 4
MAX_ROWS = 400
MAX_COLS = 60
LABELS = {"F": "published", "C": "primary suppression", "D": "secondary suppression"}


@dataclass
class Grid:
    """One period's cells: ``cells[(row, col)]`` is F, C, D, or missing (no such cell)."""

    period: str | None
    row_dim: str
    col_dim: str
    rows: list[str]
    cols: list[str]
    cells: dict[tuple[str, str], str]
    #: Further dimensions folded into the columns, if the table has more than two.
    folded: list[str] = field(default_factory=list)
    truncated: bool = False

    def status(self, row: str, col: str) -> str:
        return self.cells.get((row, col), "")


@dataclass
class SuppressionView:
    counts: dict[str, int]
    grids: list[Grid]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def suppression_view(spec: DatasetSpec, csv_path: Path) -> SuppressionView | None:
    """The grid(s) of a release's public CSV, or None when it carries no cell statuses."""
    dims = dimensions(spec)
    period = spec.release.period_field if spec.release.period_field in dims else None
    table = read_columns(Path(csv_path), [*dims, STATUS_COLUMN])
    if STATUS_COLUMN not in table.column_names or spec.kind != "aggregate":
        return None
    others = [d for d in dims if d != period and d in table.column_names]
    if not others:
        return None
    columns = {name: table.column(name).to_pylist() for name in table.column_names}
    status = columns[STATUS_COLUMN]
    counts = {k: 0 for k in LABELS}
    for s in status:
        counts[s] = counts.get(s, 0) + 1
    distinct = {d: len(set(columns[d])) for d in others}
    row_dim = max(others, key=lambda d: (distinct[d], -others.index(d)))
    rest = [d for d in others if d != row_dim]
    n = len(status)
    col_keys = [" · ".join(columns[d][i] for d in rest) if rest else "value"
                for i in range(n)]
    periods = sorted(set(columns[period])) if period else [None]
    grids: list[Grid] = []
    for p in reversed(periods[-MAX_GRIDS:]):
        cells: dict[tuple[str, str], str] = {}
        for i in range(n):
            if p is None or columns[period][i] == p:
                cells[(columns[row_dim][i], col_keys[i])] = status[i]
        rows = sorted({r for r, _ in cells})
        cols = sorted({c for _, c in cells})
        grids.append(Grid(period=p, row_dim=row_dim, col_dim=" · ".join(rest) or "",
                          rows=rows[:MAX_ROWS], cols=cols[:MAX_COLS], cells=cells,
                          folded=rest[1:],
                          truncated=len(rows) > MAX_ROWS or len(cols) > MAX_COLS))
    return SuppressionView(counts=counts, grids=grids)
