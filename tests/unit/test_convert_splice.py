"""The writer's building blocks: the Arrow ``take`` splicer and the N-Triples line scan."""

import io

import numpy as np
import pyarrow as pa
import pytest

from pipelines.convert.splice import Splicer, text_bytes, write_text
from pipelines.convert.stars import rdf_facts, scan_ntriples

TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OBS = "http://purl.org/linked-data/cube#Observation"
BASE = "https://data.example.gov.uk"


def test_gather_interleaves_constants_columns_and_lookups_row_by_row():
    s = Splicer(3)
    s.column(pa.array(["a", "b", "c"]))
    s.const("=")
    s.lookup(["x", "y"], np.array([1, 0, 1]))
    s.const(";")
    assert b"".join([text_bytes(s.gather())]) == b"a=y;b=x;c=y;"


def test_masked_slots_are_left_out_of_their_rows_only():
    s = Splicer(3)
    s.column(pa.array(["s1", "s2", "s3"]))
    present = np.array([True, False, True])
    s.const("(", present)
    s.column(pa.array(["1", None, "3"]), present)
    s.const(")", present)
    s.const("\n")
    assert bytes(text_bytes(s.gather())) == b"s1(1)\ns2\ns3(3)\n"


def test_per_row_joins_each_rows_slots_into_one_string():
    s = Splicer(2)
    s.const("<")
    s.lookup(["p", "q"], np.array([0, 1]))
    s.const("/")
    s.column(pa.array(["1", "2"]))
    s.const(">")
    assert s.per_row().to_pylist() == ["<p/1>", "<q/2>"]


def test_per_row_refuses_masks():
    s = Splicer(1)
    s.const("x", np.array([False]))
    with pytest.raises(ValueError, match="every slot"):
        s.per_row()


def test_write_text_writes_a_sliced_array_without_its_neighbours():
    arr = pa.array(["aa", "bb", "cc", "dd"]).slice(1, 2)
    buf = io.BytesIO()
    write_text(buf, arr)
    assert buf.getvalue() == b"bbcc"


def _nt(tmp_path, text: str):
    path = tmp_path / "x.nt"
    path.write_bytes(text.encode())
    return path


def test_scan_counts_like_pyoxigraph_on_awkward_files(tmp_path):
    lines = [
        "# a comment line",
        "",
        f"<{BASE}/id/o/1> <{TYPE}> <{OBS}> .",
        f"<http://other.example/o/2> <{TYPE}> <{OBS}> .",
        f"_:b0 <{TYPE}> <{OBS}> .",
        f"<{BASE}/id/o/1> <http://ex/p> <http://statistics.data.gov.uk/id/E23000001> .",
        f'<{BASE}/id/o/1> <http://ex/label> "{"long " * 3000}" .',
        f"<{BASE}/id/o/3> <{TYPE}> <{OBS}> .",  # last line without a newline
    ]
    path = _nt(tmp_path, "\n".join(lines))
    scanned = scan_ntriples(path, OBS, BASE, block_size=256)  # lines longer than a block
    parsed = rdf_facts(path, OBS, BASE)
    for key in ("triples", "things", "http_things", "external"):
        assert scanned[key] == parsed[key], key
    assert (scanned["things"], scanned["http_things"]) == (4, 3)


def test_scan_of_an_empty_file(tmp_path):
    facts = scan_ntriples(_nt(tmp_path, ""), OBS, BASE)
    assert (facts["triples"], facts["things"], facts["external"]) == (0, 0, {})
