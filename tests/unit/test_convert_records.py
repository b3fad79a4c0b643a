"""Record-level datasets as typed resources; the CSV's formula neutralisation and escaping."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from fivestar_dev import synthetic_conversion as T
from pipelines import paths
from pipelines.convert import convert, verify
from pipelines.convert.csv_out import neutralise

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FS = "https://data.homeoffice.gov.uk/def/fivestar/"
DCT = "http://purl.org/dc/terms/"


@pytest.fixture
def vocab(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "vocab"
    d.mkdir()
    monkeypatch.setattr(paths, "VOCABULARIES_DIR", d)
    return d


@pytest.fixture
def records(vocab, tmp_path):
    spec, df = T.records_spec(), T.records_frame(40)
    out = tmp_path / "out"
    result = convert(df, spec, out, T.PROVENANCE)
    return spec, df, out, result


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_records_pass_every_check_and_earn_five_stars(records):
    spec, _, out, result = records
    assert verify(out, spec) == []
    assert result.stars.rating == 5
    assert "Ordnance Survey" in result.stars.evidence["5"]


def test_each_record_is_a_typed_resource_with_literals_round_tripping(records):
    _, df, out, _ = records
    store = ox.Store()
    store.bulk_load(gzip.decompress((out / "test-spend.nt.gz").read_bytes()),
                    format=ox.RdfFormat.N_TRIPLES)
    payments = list(store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE),
                                            ox.NamedNode(FS + "Payment"), None))
    assert len(payments) == len(df)
    for i in (0, 1, 3, 7):  # quotes, formula, newline, backslash
        s = ox.NamedNode(f"https://data.homeoffice.gov.uk/id/test-spend/payment/T{i:07d}")
        desc = next(iter(store.quads_for_pattern(s, ox.NamedNode(DCT + "description"), None,
                                                 None))).object
        assert desc.value == df.loc[i, "description"]  # RDF keeps the exact text
        date = next(iter(store.quads_for_pattern(s, ox.NamedNode(DCT + "date"), None,
                                                 None))).object
        assert date.datatype.value.endswith("#date")
        assert date.value == df.loc[i, "payment_date"].date().isoformat()
        link = next(iter(store.quads_for_pattern(s, ox.NamedNode(FS + "supplierPostcode"),
                                                 None, None))).object
        assert link.value.startswith("http://data.ordnancesurvey.co.uk/id/postcodedistrict/")


def test_csv_is_rfc4180_with_iso_dates_and_no_formulas(records):
    _, df, out, _ = records
    raw = (out / "test-spend.csv").read_bytes()
    assert raw.count(b"\r\n") >= len(df) + 1  # CRLF records (one cell has an embedded LF)
    rows = _rows(out / "test-spend.csv")
    header, data = rows[0], rows[1:]
    assert header == list(df.columns) and len(data) == len(df)
    desc = header.index("description")
    by_text = {r[desc] for r in data}
    assert "'=HYPERLINK(\"http://x\")" in by_text and "'@SUM(A1)" in by_text
    assert "'+44 20" in by_text
    assert "-5" in by_text  # a number stays a number
    assert "Line one\nline two" in by_text and 'Office chairs, "ergonomic"' in by_text
    assert all(len(r[header.index("payment_date")]) == 10 for r in data)


@pytest.mark.parametrize("cell, expected", [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@x", "'@x"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("-5", "-5"), ("+3.25", "+3.25"), ("-1e3", "-1e3"),
    ("plain", "plain"), ("a=b", "a=b"),
])
def test_neutralise(cell, expected):
    import pyarrow as pa

    assert neutralise(pa.array([cell])).to_pylist() == [expected]


def test_suppressed_cells_carry_the_marker(vocab, tmp_path):
    T.write_codelists(vocab)
    df = T.cube_frame(200)
    spec = T.cube_spec()
    convert(df, spec, tmp_path / "o", T.PROVENANCE)
    rows = _rows(tmp_path / "o" / "test-crime.csv")
    header = rows[0]
    status = {(r[header.index("conf_status")], r[header.index("count")]) for r in rows[1:]}
    assert all(v == "[c]" for s, v in status if s in ("C", "D"))
    assert all(v.isdigit() for s, v in status if s == "F")


def test_rows_without_a_key_get_numbered_uris(vocab, tmp_path):
    spec = T.records_spec()
    spec.table_schema.primaryKey = None
    df = T.records_frame(5)
    convert(df, spec, tmp_path / "o", T.PROVENANCE)
    text = gzip.decompress((tmp_path / "o" / "test-spend.nt.gz").read_bytes()).decode()
    assert "<https://data.homeoffice.gov.uk/id/test-spend/payment/5>" in text
    meta = (tmp_path / "o" / "test-spend.csv-metadata.json").read_text()
    assert "payment/{_row}" in meta
    assert verify(tmp_path / "o", spec) == []


def test_csv_reads_back_with_pandas(records):
    import pandas as pd

    _, df, out, _ = records
    back = pd.read_csv(io.BytesIO((out / "test-spend.csv").read_bytes()))
    assert list(back["transaction_id"]) == list(df["transaction_id"])
    assert back["amount"].round(2).tolist() == df["amount"].round(2).tolist()
