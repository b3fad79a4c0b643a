"""Extracts as finance and case systems export them: Windows code page, semicolons, CRLF,
day-first dates, thousands separators, null markers, padded values. Either read right or
one located error per row and field, never the value."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from pipelines.errors import ExtractError
from pipelines.extract import read_extract
from pipelines.spec import load_spec

SECRET = "Zoë Ní Bhriain"  # a planted personal value: never in an error


def _spec(tmp_path, content: bytes, fields: list[dict], **source):
    folder = tmp_path / "grants"
    folder.mkdir(exist_ok=True)
    (folder / "grants.csv").write_bytes(content)
    spec = {
        "id": "grants", "title": "Grants", "description": "Test.", "theme": "government",
        "kind": "record",
        "publisher": {"contact_name": "Team", "contact_email": "team@example.gov.uk"},
        "iar": {"asset_id": "IAR-1", "information_asset_owner": "Owner",
                "protective_marking": "OFFICIAL", "retention": "3 years"},
        "source": {"format": "csv", "path": "grants.csv", **source},
        "schema": {"fields": fields, "missingValues": ["", "..", "-", "N/A", "x", "[c]"]},
    }
    (folder / "dataset.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    return load_spec(folder / "dataset.yaml")


FIELDS = [
    {"name": "ref", "type": "string"},
    {"name": "contact", "type": "string"},
    {"name": "awarded", "type": "date", "format": "%d/%m/%Y"},
    {"name": "amount", "type": "number", "groupChar": ","},
    {"name": "people", "type": "integer", "groupChar": ","},
    {"name": "status", "type": "string", "constraints": {"enum": ["paid", "approved"]}},
]


def _export(rows: list[str]) -> bytes:
    return ("\r\n".join(["ref;contact;awarded;amount;people;status", *rows]) + "\r\n\r\n"
            ).encode("cp1252")


def test_a_cp1252_semicolon_export_reads_right(tmp_path):
    spec = _spec(tmp_path, _export([
        f"G-1;{SECRET};05/04/2024;1,250.50;1,234;paid",
        "G-2;Café Néo – Hub;31/12/2024;1,500,000.00;[c];approved",
        "G-3;..;01/01/2025;-;x;paid",
    ]), FIELDS, encoding="cp1252", delimiter=";")
    df = read_extract(spec)
    assert df["contact"].tolist()[:2] == [SECRET, "Café Néo – Hub"]
    assert df["awarded"].dt.strftime("%Y-%m-%d").tolist() == ["2024-04-05", "2024-12-31",
                                                              "2025-01-01"]
    assert df["amount"].tolist()[:2] == [1250.5, 1_500_000.0]
    assert pd.isna(df["amount"].iloc[2])
    assert df["people"].tolist()[0] == 1234 and df["people"].isna().tolist() == [False, True,
                                                                                 True]


def test_decimal_comma_and_numbers_with_text_around_them(tmp_path):
    fields = [{"name": "ref", "type": "string"},
              {"name": "amount", "type": "number", "groupChar": ".", "decimalChar": ","},
              {"name": "share", "type": "number", "bareNumber": False}]
    spec = _spec(tmp_path, b"ref;amount;share\nA;1.234,5;95%\nB;7;\xa312\n", fields,
                 encoding="cp1252", delimiter=";")
    df = read_extract(spec)
    assert df["amount"].tolist() == [1234.5, 7.0]
    assert df["share"].tolist() == [95.0, 12.0]


def test_without_group_char_a_separated_number_is_a_located_error(tmp_path):
    fields = [{"name": "ref", "type": "string"}, {"name": "amount", "type": "number"}]
    spec = _spec(tmp_path, b'ref,amount\nA,"1,250"\n', fields)
    with pytest.raises(ExtractError) as exc:
        read_extract(spec)
    (p,) = exc.value.problems
    assert (p.code, p.location.row, p.location.field) == ("type", 1, "amount")


def test_padded_values_say_so_without_the_value(tmp_path):
    spec = _spec(tmp_path, _export([
        "G-1;A;05/04/2024;1;1;paid ",
        "G-2;B;05/04/2024;1;1;refused",
    ]), FIELDS, encoding="cp1252", delimiter=";")
    with pytest.raises(ExtractError) as exc:
        read_extract(spec)
    by_row = {p.location.row: p.message for p in exc.value.problems}
    assert "spaces before or after" in by_row[1]
    assert "spaces" not in by_row[2]
    assert "paid" not in str(exc.value) and "refused" not in str(exc.value)


def test_a_day_first_date_that_does_not_fit_names_the_format(tmp_path):
    spec = _spec(tmp_path, _export(["G-1;A;2024-04-05;1;1;paid"]), FIELDS,
                 encoding="cp1252", delimiter=";")
    with pytest.raises(ExtractError) as exc:
        read_extract(spec)
    (p,) = exc.value.problems
    assert p.location.field == "awarded" and "format `%d/%m/%Y`" in p.message
    assert "ISO" not in p.message
