"""The RDF Patch body a first release goes live with (pipelines/linkeddata/store.py)."""

import pytest

from pipelines.linkeddata.store import StoreError, has_blank_nodes, patch_add

G = "https://x/graph/d/r1"


def test_every_triple_becomes_one_add_row_in_the_graph_whatever_the_chunking():
    text = (b'<https://x/a> <https://x/p> "a . \\" _:not-a-node" .\n'
            b"# a comment\n\n"
            b"<https://x/a> <https://x/q> <https://x/b> .\n")
    whole = b"".join(patch_add(G, [text]))
    split = b"".join(patch_add(G, [text[i:i + 7] for i in range(0, len(text), 7)], batch=10))
    assert whole == split == (
        b'A <https://x/a> <https://x/p> "a . \\" _:not-a-node" <https://x/graph/d/r1> .\n'
        b"A <https://x/a> <https://x/q> <https://x/b> <https://x/graph/d/r1> .\n")


@pytest.mark.parametrize("line", [b"_:b1 <https://x/p> <https://x/o> .",
                                  b"<https://x/s> <https://x/p> _:b1 ."])
def test_blank_nodes_are_refused_and_detected(line):
    with pytest.raises(StoreError, match="blank node"):
        b"".join(patch_add(G, [line + b"\n"]))
    assert has_blank_nodes(line + b"\n")
    assert not has_blank_nodes(b'<https://x/s> <https://x/p> "_:b1 in text" .\n')


def test_a_line_that_is_not_n_triples_is_refused():
    with pytest.raises(StoreError, match="N-Triples"):
        b"".join(patch_add(G, [b"<https://x/s> <https://x/p> <https://x/o>\n"]))
