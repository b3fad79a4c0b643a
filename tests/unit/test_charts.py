"""The champion's pictures: change charts against the last release, the suppression grid."""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from pipelines.charts.changes import compare, render_svg
from pipelines.charts.suppression import suppression_view
from pipelines.spec import DatasetSpec


def cube(**release) -> DatasetSpec:
    return DatasetSpec.model_validate({
        "id": "crime", "title": "Crime", "description": "d", "theme": "health",
        "kind": "aggregate",
        "publisher": {"contact_name": "Team", "contact_email": "team@example.org"},
        "iar": {"asset_id": "A", "information_asset_owner": "O",
                "protective_marking": "OFFICIAL", "retention": "r"},
        "source": {"format": "csv", "path": "x.csv"},
        "schema": {"fields": [{"name": "period", "type": "string"},
                              {"name": "area", "type": "string"},
                              {"name": "offence", "type": "string", "codelist": "offences"},
                              {"name": "count", "type": "integer"}],
                   "primaryKey": ["period", "area", "offence"]},
        "release": {"frequency": "quarterly", "start": "2024-01-01", "period_field": "period",
                    **release},
    })


def write(path: Path, rows: list[tuple]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_NONNUMERIC)
        w.writerow(["period", "area", "offence", "count", "conf_status"])
        w.writerows(rows)
    return path


OLD = [("2024-Q1", "A1", "theft", "10", "F"), ("2024-Q1", "A1", "fraud", "[c]", "C"),
       ("2024-Q1", "A2", "theft", "7", "F"), ("2024-Q1", "A2", "fraud", "[c]", "D")]
NEW = OLD + [("2024-Q2", "A1", "theft", "12", "F"), ("2024-Q2", "A1", "fraud", "3", "F"),
             ("2024-Q2", "A2", "theft", "[c]", "C"), ("2024-Q2", "A2", "fraud", "[c]", "D"),
             ("2024-Q2", "A3", "theft", "40", "F")]


def test_compare_per_period_and_category(tmp_path):
    spec = cube()
    charts = compare(spec, write(tmp_path / "new.csv", NEW), write(tmp_path / "old.csv", OLD))
    by_period, by_offence = charts
    assert by_period.column == "period" and by_period.labels == ["2024-Q1", "2024-Q2"]
    assert by_period.before == [17.0, None] and by_period.after == [17.0, 55.0]
    assert by_offence.column == "offence" and by_offence.labels == ["fraud", "theft"]
    # per category, the latest period of each release: 2024-Q2 against 2024-Q1
    assert by_offence.before == [None, 17.0] and by_offence.after == [3.0, 52.0]
    assert by_offence.title.endswith("latest period: 2024-Q2 against 2024-Q1")
    assert "left out" in by_period.note
    first = compare(spec, tmp_path / "new.csv", None)
    assert first[0].before == [None, None]


def test_chart_is_self_contained_svg(tmp_path):
    spec = cube()
    [chart, _] = compare(spec, write(tmp_path / "new.csv", NEW), write(tmp_path / "o.csv", OLD))
    svg = render_svg(chart, before_label="last release (2024-Q1)", after_label="this release")
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input
    assert root.tag.endswith("svg")
    text = svg.decode()
    assert "last release (2024-Q1)" in text and "2024-Q2" in text
    external = [u for u in re.findall(r'(?:href|src)="([^"]+)"', text)
                if not u.startswith("#")]
    assert external == []  # no CDN, no script or font fetched from anywhere


def test_record_tables_are_counted_by_month(tmp_path):
    spec = DatasetSpec.model_validate({
        "id": "spend", "title": "Spend", "description": "d", "theme": "health",
        "kind": "record",
        "publisher": {"contact_name": "Team", "contact_email": "team@example.org"},
        "iar": {"asset_id": "A", "information_asset_owner": "O",
                "protective_marking": "OFFICIAL", "retention": "r"},
        "source": {"format": "csv", "path": "x.csv"},
        "schema": {"fields": [{"name": "id", "type": "string"},
                              {"name": "paid", "type": "date"},
                              {"name": "entity", "type": "string"},
                              {"name": "amount", "type": "number"}], "primaryKey": ["id"]}})
    path = tmp_path / "spend.csv"
    path.write_text('"id","paid","entity","amount"\n"1","2024-01-03","HMPO",5\n'
                    '"2","2024-01-09","UKVI",6\n"3","2024-02-01","UKVI",7\n')
    [by_month, by_entity] = compare(spec, path, None)
    assert by_month.labels == ["2024-01", "2024-02"] and by_month.after == [2.0, 1.0]
    assert by_entity.labels == ["HMPO", "UKVI"] and by_entity.after == [1.0, 2.0]


def test_suppression_grid(tmp_path):
    view = suppression_view(cube(), write(tmp_path / "new.csv", NEW))
    assert view.counts == {"F": 5, "C": 2, "D": 2} and view.total == 9
    latest, earlier = view.grids
    assert latest.period == "2024-Q2" and earlier.period == "2024-Q1"
    assert latest.row_dim == "area" and latest.col_dim == "offence"
    assert latest.rows == ["A1", "A2", "A3"] and latest.cols == ["fraud", "theft"]
    assert latest.status("A2", "theft") == "C" and latest.status("A2", "fraud") == "D"
    assert latest.status("A3", "fraud") == ""  # no such cell
    no_status = tmp_path / "plain.csv"
    no_status.write_text('"period","area","offence","count"\n"2024-Q1","A1","theft",1\n')
    assert suppression_view(cube(), no_status) is None
