"""Each published release into its own named graph: drafted, verified, then live at once.

As PublishMyData's Drafter does, nothing the public can query changes until a release
has been checked:

1. **draft** — the release's RDF (its N-Triples, code lists and DCAT metadata) is put into
   the graph ``{base}/graph/{dataset}/{release}`` of the *draft* store, which only the
   publisher can read, in requests of at most :data:`CHUNK_TRIPLES` triples (each one
   bounded, each logged with the triples sent so far; the draft is private, so its chunks
   need not be one transaction);
2. **verify** — in the draft: the graph holds every triple of the N-Triples file, and the
   dataset has exactly one observation/record per CSV row;
3. **live** — not here: the pipeline's login cannot write the live store. Whoever holds
   the publisher's (the review service) compares the draft with the approved RDF and
   makes the approved copy live in one request, one TDB2 write transaction
   (:mod:`pipelines.linkeddata.release`: a SPARQL Update that drops the dataset's earlier
   graphs and inserts the new one, or, when there is nothing to replace, an RDF Patch of
   the additions, which RIOT's tokenizer reads about 2.4 times as fast as ``INSERT DATA``).

Withdrawal drops every graph of the dataset from both stores (the publisher's login).

So a release's triples reach Fuseki twice (draft, then live): the price of verifying them
in a store nobody reads before the one transaction that makes them public. Neither request
is held in memory on either side: the file is streamed, and Fuseki writes a TDB2
transaction of millions of triples in a small, constant heap (catalogue/README.md gives
the measured figures).
"""

from __future__ import annotations

import gzip
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from rdflib import Graph

from pipelines.contracts.manifest import Manifest
from pipelines.errors import FivestarError, Location, Problem
from pipelines.linkeddata.store import DRAFT, LIVE, FusekiStore
from pipelines.paths import PROJECT_VOCABULARY_DIR

log = logging.getLogger("fivestar.linkeddata")

QB = "http://purl.org/linked-data/cube#"
DCT = "http://purl.org/dc/terms/"
#: The shared vocabulary (fivestar.ttl: the /def/fivestar/ terms), kept live for every dataset.
SHARED = ("fivestar.ttl",)
#: N-Triples lines per request into the draft store (~30 MB at fivestar's line lengths).
CHUNK_TRIPLES = 250_000


class LinkedDataError(FivestarError):
    """A release could not be made live in the triple store as published."""


@dataclass(frozen=True)
class DraftRelease:
    """A release loaded and verified in the draft store, not yet live."""

    dataset: str
    base: str
    graph: str
    triples: int
    rows: int
    ntriples: Path
    extra: tuple[Path, ...]


def dataset_graphs_prefix(base: str, dataset: str) -> str:
    return f"{base}/graph/{dataset}/"


def dataset_graphs(dataset: str) -> str:
    """What every graph of the dataset's releases has in its name, whatever base it was
    minted under (a base moved between releases must not leave the old graphs live)."""
    return f"/graph/{dataset}/"


def release_graph(base: str, dataset: str, release_id: str) -> str:
    return f"{dataset_graphs_prefix(base, dataset)}{release_id}"


def base_of(dataset_uri: str) -> str:
    """``https://x/id/crime`` -> ``https://x``: the base the dataset's URIs were minted under."""
    if "/id/" not in dataset_uri:
        raise LinkedDataError(f"dataset URI {dataset_uri!r} is not an /id/ URI")
    return dataset_uri.rsplit("/id/", 1)[0]


def _rdf_files(release_dir: Path, manifest: Manifest) -> tuple[Path | None, list[Path]]:
    ntriples, extra = None, []
    for f in manifest["files"]:
        path = release_dir / f["path"]
        if f.get("media_type") == "application/n-triples" and f.get("role") == "rdf":
            ntriples = path
        elif f.get("role") in ("codelist", "metadata") and f.get("media_type") == "text/turtle":
            extra.append(path)
    return ntriples, extra


def _csv_rows(manifest: Manifest) -> int | None:
    for f in manifest["files"]:
        if f.get("role") == "data" and f.get("media_type") == "text/csv" and "rows" in f:
            return int(f["rows"])
    return None


def _open(path: Path) -> IO[bytes]:
    """The N-Triples as published, decompressed on the fly if it is gzip (``.nt.gz``)."""
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")


def _lines(path: Path) -> Iterator[bytes]:
    with _open(path) as fh:
        yield from iter(lambda: fh.read(1 << 20), b"")


def _chunks(path: Path, size: int = CHUNK_TRIPLES) -> Iterator[tuple[bytes, int]]:
    """The file's triples, ``size`` lines at a time (blank and comment lines left out),
    with how many each chunk holds."""
    lines: list[bytes] = []
    with _open(path) as fh:
        for line in fh:
            s = line.strip()
            if not s or s.startswith(b"#"):
                continue
            lines.append(s + b"\n")
            if len(lines) == size:
                yield b"".join(lines), len(lines)
                lines = []
    if lines:
        yield b"".join(lines), len(lines)


def _add_in_chunks(store: FusekiStore, graph: str, ntriples: Path) -> int:
    """The file into the (dropped, so empty) draft graph, chunk by chunk; returns the
    triples sent."""
    sent, started = 0, time.monotonic()
    for chunk, n in _chunks(ntriples):
        store.add_to_graph(graph, chunk, DRAFT)
        sent += n
        log.info("linked data: %s draft: %d triples sent (%.0f s)", graph, sent,
                 time.monotonic() - started)
    return sent


def _as_ntriples(paths: tuple[Path, ...] | list[Path]) -> bytes:
    g = Graph()
    for p in paths:
        g.parse(p, format="turtle")
    return g.serialize(format="nt", encoding="utf-8")


def draft(store: FusekiStore, release_dir: Path, manifest: Manifest,
          release_id: str) -> DraftRelease | None:
    """Load the release into the draft store and verify it there (steps 1-2).

    None when the release has no N-Triples distribution (nothing to serve as linked data)
    or when exactly this release is already the dataset's only live graph.
    """
    release_dir = Path(release_dir)
    cat = manifest.get("catalogue") or {}
    ntriples, extra = _rdf_files(release_dir, manifest)
    if ntriples is None or not cat.get("uri"):
        return None
    dataset, base = cat["name"], base_of(cat["uri"])
    graph = release_graph(base, dataset, release_id)
    rows = _csv_rows(manifest)
    if store.graphs(dataset_graphs(dataset), LIVE) == [graph] \
            and (rows is None or _members(store, graph, cat["uri"], LIVE) == rows):
        log.info("linked data: %s already live", graph)  # publishing twice changes nothing
        return None
    store.drop(store.graphs(dataset_graphs(dataset), DRAFT), DRAFT)
    expected = _add_in_chunks(store, graph, ntriples)
    problems = []
    got = store.count(graph, DRAFT)
    if got != expected:
        problems.append(Problem("store-triples", f"the draft graph holds {got} triples, the "
                                f"file {expected}", Location(file=ntriples.name)))
    members = _members(store, graph, cat["uri"], DRAFT)
    if rows is not None and members != rows:
        problems.append(Problem("store-rows", f"{members} observations/records in the draft "
                                f"graph for {rows} CSV rows", Location(file=ntriples.name)))
    if extra:
        store.add_to_graph(graph, _as_ntriples(extra), DRAFT)
    if problems:
        store.drop([graph], DRAFT)
        raise LinkedDataError(problems)
    total = store.count(graph, DRAFT)
    log.info("linked data: %s drafted (%d triples, %d rows)", graph, total, members)
    return DraftRelease(dataset, base, graph, total, members, ntriples, tuple(extra))


def _members(store: FusekiStore, graph: str, dataset_uri: str, dataset: str) -> int:
    rows = store.select(
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{graph}> {{ "
        f"{{ ?s <{QB}dataSet> <{dataset_uri}> }} UNION {{ ?s <{DCT}isPartOf> <{dataset_uri}> }}"
        " } }", dataset)
    return int(rows[0]["n"])


def shared_vocabulary() -> tuple[str, bytes]:
    """The shared /def/fivestar/ vocabulary's live graph and its triples (N-Triples).

    The project's own vocabulary, never the user's code-list folder
    (FIVESTAR_VOCABULARIES_DIR), which need not hold it.
    """
    from pipelines.spec.linked_data import FIVESTAR_NS

    graph = FIVESTAR_NS.rstrip("/").replace("/def/", "/graph/def/")
    return graph, _as_ntriples([PROJECT_VOCABULARY_DIR / name for name in SHARED])


def ensure_shared_vocabularies(store: FusekiStore) -> None:
    """The shared vocabulary (:func:`shared_vocabulary`) in its own live graph, replaced
    whole."""
    graph, triples = shared_vocabulary()
    store.put_graph(graph, triples, LIVE)


def withdraw(store: FusekiStore, dataset_uri: str, dataset: str) -> list[str]:
    """Drop every graph of the dataset, live and draft; returns the live graphs dropped."""
    base_of(dataset_uri)  # refuses a URI that is not an /id/ URI
    live = store.graphs(dataset_graphs(dataset), LIVE)
    store.drop(live, LIVE)
    store.drop(store.graphs(dataset_graphs(dataset), DRAFT), DRAFT)
    return live
