"""Bar charts of what changed against the last published release, per period and category.

An aggregate table is summed over its published cells (suppressed cells are
not numbers and are left out, which the chart's note says); a record table
is counted in rows. Per period, every period of both releases is shown (so a
revised earlier period stands out); per category, the latest period of each
release is compared (this quarter against the last one). The grouping
columns are chosen from the spec, never from the bundled data: the release
period (or a date field, by month), and the coded or low-cardinality text
column with the fewest values.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pygal
from pygal.style import Style

from pipelines.charts.tables import measure_field, read_columns
from pipelines.spec import DatasetSpec

MAX_CATEGORIES = 40
STYLE = Style(background="white", plot_background="white", foreground="#0b0c0c",
              foreground_strong="#0b0c0c", foreground_subtle="#505a5f",
              colors=("#b1b4b6", "#1d70b8"), font_family="system-ui, sans-serif",
              title_font_size=15, label_font_size=11, legend_font_size=12)


@dataclass(frozen=True)
class Comparison:
    """One grouping's values in the baseline and in the new release."""

    column: str
    title: str
    labels: list[str]
    before: list[float | None]
    after: list[float | None]
    note: str


def _grouping_columns(spec: DatasetSpec, header: list[str]) -> list[tuple[str, bool]]:
    """(column, is_date) pairs: the period (or first date field), then one category."""
    fields = {f["name"]: f for f in spec.table_schema.fields if f["name"] in header}
    out: list[tuple[str, bool]] = []
    period = spec.release.period_field
    if period in fields:
        out.append((period, False))
    else:
        date = next((n for n, f in fields.items() if f.get("type") in ("date", "datetime")),
                    None)
        if date:
            out.append((date, True))
    measure = measure_field(spec) if spec.kind == "aggregate" else None
    cats = [n for n, f in fields.items() if n not in {c for c, _ in out} and n != measure
            and f.get("type", "string") == "string"
            and (f.get("codelist") or n in spec.table_schema.primary_key or spec.kind == "record")]
    out.extend((c, False) for c in cats)  # the one with fewest values is chosen in `compare`
    return out


def _group(table: pa.Table, column: str, is_date: bool, measure: str | None) -> dict[str, float]:
    keys = table.column(column)
    if is_date:
        keys = pc.utf8_slice_codeunits(keys, 0, 7)  # YYYY-MM
    if measure is None:
        grouped = pa.table({"k": keys}).group_by("k").aggregate([("k", "count")])
        return dict(zip(grouped["k"].to_pylist(), map(float, grouped["k_count"].to_pylist()),
                        strict=True))
    values = pc.cast(pc.if_else(pc.match_substring_regex(table.column(measure),
                                                         r"^-?[0-9]+(\.[0-9]+)?$"),
                                table.column(measure), None), pa.float64())
    grouped = pa.table({"k": keys, "v": values}).group_by("k").aggregate([("v", "sum")])
    return dict(zip(grouped["k"].to_pylist(), grouped["v_sum"].to_pylist(), strict=True))


def _latest(table: pa.Table, period: str | None) -> tuple[pa.Table, str | None]:
    """The rows of the table's latest period (the whole table when it has no period)."""
    if period is None or period not in table.column_names or not len(table):
        return table, None
    last = max(table.column(period).to_pylist())
    return table.filter(pc.equal(table.column(period), last)), last


def compact(value: float) -> str:
    """Axis numbers short enough not to collide: 950, 12.5k, 3.2M."""
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"


def compare(spec: DatasetSpec, new_csv: Path, old_csv: Path | None) -> list[Comparison]:
    """The comparisons worth drawing (at most one per period and one per category)."""
    import pyarrow.csv as pacsv

    header = pacsv.open_csv(new_csv).schema.names
    measure = measure_field(spec) if spec.kind == "aggregate" else None
    if spec.kind == "aggregate" and measure is None:
        return []
    groupings = _grouping_columns(spec, header)
    columns = sorted({c for c, _ in groupings} | ({measure} if measure else set()))
    new = read_columns(new_csv, columns)
    old = read_columns(old_csv, columns) if old_csv is not None else None
    what = f"sum of `{measure}` over published cells" if measure else "number of rows"
    note = ("suppressed cells are not numbers and are left out" if measure else
            "one row per record")
    period = spec.release.period_field if spec.release.period_field in header else None
    latest_new = _latest(new, period)
    latest_old = _latest(old, period) if old is not None else None
    by = {}
    for column, is_date in groupings:
        per_period = column == period or is_date
        a_table, b_table = (new, old) if per_period else (latest_new[0], latest_old and
                                                           latest_old[0])
        after = _group(a_table, column, is_date, measure)
        before = _group(b_table, column, is_date, measure) if b_table is not None \
            and column in b_table.column_names else {}
        by[column] = (is_date, before, after, sorted(set(after) | set(before)))
    periods = [c for c, (is_date, *_rest) in by.items()
               if is_date or c == spec.release.period_field]
    categories = sorted((c for c in by if c not in periods
                         and 2 <= len(by[c][3]) <= MAX_CATEGORIES),
                        key=lambda c: len(by[c][3]))
    out: list[Comparison] = []
    for column in periods[:1] + categories[:1]:
        is_date, before, after, labels = by[column]
        labels = labels[-MAX_CATEGORIES:]
        name = f"{column} (month)" if is_date else column
        if column not in periods and latest_new[1]:
            then = f" against {latest_old[1]}" if latest_old and latest_old[1] else ""
            name += f", latest period: {latest_new[1]}{then}"
        out.append(Comparison(
            column=column, title=f"{what.capitalize()} by {name}", labels=labels,
            before=[before.get(k) for k in labels], after=[after.get(k) for k in labels],
            note=note))
    return out


def render_svg(c: Comparison, *, before_label: str, after_label: str) -> bytes:
    """The comparison as a grouped bar chart (SVG bytes; its script is inert in an <img>)."""
    horizontal = len(c.labels) > 12
    chart_cls = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = chart_cls(js=[], style=STYLE, width=900, height=max(360, 22 * len(c.labels) + 120)
                      if horizontal else 420, legend_at_bottom=True, x_label_rotation=0
                      if horizontal else 30, print_values=False, show_y_guides=True,
                      truncate_label=40, value_formatter=compact)
    chart.title = c.title
    chart.x_labels = c.labels
    chart.add(before_label, c.before)
    chart.add(after_label, c.after)
    return chart.render()

