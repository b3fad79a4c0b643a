"""A release's graph goes live only as the approved RDF, and only by the publisher's login.

The pipeline loads a release into the *draft* store with its own login, which Fuseki
refuses on every live endpoint (catalogue/fuseki/config.ttl.in). Whoever holds the
publisher's login (the review service, in its home) makes it live:

1. :func:`checked` copies the approved RDF files (the release's N-Triples, its code
   lists and metadata) into a private temporary folder, re-hashing each against the
   approved manifest, and computes their :class:`Fingerprint`; it then streams the draft
   graph out of the store and fingerprints it the same way. Anything but the same
   fingerprint is refused (``linked-draft-differs``): a triple added, removed or changed
   in the draft after the approval, by anyone with the pipeline's password;
2. :func:`make_live` replaces the dataset's live graphs in one request (one TDB2 write
   transaction, so readers see the old release or the new one: a SPARQL Update, or an
   RDF Patch when nothing is replaced: about twice as fast) whose triples come
   from the private copies, never from the draft or the pipeline's folder, so nothing
   changed after step 1 reaches the public either; then counts the live graph.

A :class:`Fingerprint` is the number of triples and an order-independent digest: the
sum, modulo 2**256, of the SHA-256 of each triple in canonical N-Triples (terms as
pyoxigraph writes them: language tags lower-cased, as RDF compares them; numbers,
booleans and fractional seconds in one form per value, as the store keeps them). Equal sums of
hashes of distinct triples mean equal sets with overwhelming probability, and both
sides stream: memory does not grow with the graph. Triples with blank nodes (whose
labels the store renames) are compared apart, by graph isomorphism (rdflib), and kept
to :data:`MAX_BLANK_TRIPLES`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pyoxigraph
from rdflib import Graph
from rdflib.compare import isomorphic

from pipelines.contracts.manifest import Manifest
from pipelines.errors import Location, Problem
from pipelines.linkeddata import load
from pipelines.linkeddata.store import (
    DRAFT,
    LIVE,
    FusekiStore,
    StoreError,
    insert_data,
    patch_add,
)

log = logging.getLogger("fivestar.linkeddata")

#: Triples with a blank node compared by isomorphism (in memory); more is refused.
MAX_BLANK_TRIPLES = 100_000
_MOD = 1 << 256


class LinkedDataRefused(load.LinkedDataError):
    """The draft graph is not the approved RDF: it does not go live."""


@dataclass(frozen=True)
class Fingerprint:
    """How many triples, and an order-independent digest of them (module docstring)."""

    triples: int
    digest: str
    blank: tuple[str, ...] = ()

    def same_as(self, other: Fingerprint) -> bool:
        if (self.triples, self.digest) != (other.triples, other.digest):
            return False
        if len(self.blank) != len(other.blank):
            return False
        return not self.blank or isomorphic(_graph(self.blank), _graph(other.blank))


class _Accumulator:
    def __init__(self) -> None:
        self.total = 0
        self.count = 0
        self.blank: list[str] = []

    def add(self, triple: Any) -> None:
        text = _canonical(triple)
        if isinstance(triple.subject, pyoxigraph.BlankNode) or \
                isinstance(triple.object, pyoxigraph.BlankNode):
            if len(self.blank) >= MAX_BLANK_TRIPLES:
                raise LinkedDataRefused(Problem(
                    "linked-too-many-blank-nodes", f"more than {MAX_BLANK_TRIPLES} triples "
                    "with blank nodes: give the things URIs"))
            self.blank.append(text)
            return
        self.total = (self.total + int.from_bytes(hashlib.sha256(text.encode()).digest(),
                                                  "big")) % _MOD
        self.count += 1

    def result(self) -> Fingerprint:
        return Fingerprint(self.count + len(self.blank), f"{self.total:064x}",
                           tuple(self.blank))


def _canonical(triple: Any) -> str:
    obj = triple.object
    if isinstance(obj, pyoxigraph.Literal) and obj.datatype.value in _VALUE_FORMS:
        obj = _value_form(obj)
    return f"{triple.subject} {triple.predicate} {obj} ."


XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
             "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedLong",
             "unsignedInt", "unsignedShort", "unsignedByte")


def _integer(lex: str) -> str:
    return str(int(lex))


def _decimal(lex: str) -> str:
    value = Decimal(lex)
    return "0" if value == 0 else format(value.normalize(), "f")


def _double(lex: str) -> str:
    return repr(float(lex))


def _boolean(lex: str) -> str:
    return {"1": "true", "0": "false"}.get(lex.strip(), lex.strip())


def _seconds(lex: str) -> str:
    """Fractional seconds without trailing zeros (``10:00:00.500Z`` -> ``10:00:00.5Z``)."""
    return re.sub(r"(:\d\d)\.(\d*?)0*(?=$|Z|[+-]\d\d:\d\d$)",
                  lambda m: f"{m.group(1)}.{m.group(2)}" if m.group(2) else m.group(1), lex)


#: Typed literals the store keeps by value, not by lexical form (TDB2 inlines them:
#: ``"01"^^xsd:integer`` comes back as ``"1"``): both sides are compared in one form.
_VALUE_FORMS = {**{f"{XSD}{t}": _integer for t in _INTEGERS},
                f"{XSD}decimal": _decimal, f"{XSD}double": _double, f"{XSD}float": _double,
                f"{XSD}boolean": _boolean, f"{XSD}dateTime": _seconds,
                f"{XSD}dateTimeStamp": _seconds, f"{XSD}time": _seconds}


def _value_form(literal: Any) -> Any:
    try:
        value = _VALUE_FORMS[literal.datatype.value](literal.value)
    except (ValueError, ArithmeticError):
        return literal  # ill-typed: the store keeps it as written
    return pyoxigraph.Literal(value, datatype=literal.datatype)


def _fingerprint(ntriples: bytes) -> Fingerprint:
    acc = _Accumulator()
    for triple in _parse(ntriples):
        acc.add(triple)
    return acc.result()


def _graph(lines: Iterable[str]) -> Graph:
    return Graph().parse(data="\n".join(lines), format="nt")


def _parse(source: IO[bytes] | bytes) -> Iterator[Any]:
    return pyoxigraph.parse(source, format=pyoxigraph.RdfFormat.N_TRIPLES)


def fingerprint_graph(store: FusekiStore, graph: str, dataset: str) -> Fingerprint:
    """The named graph's fingerprint, streamed out of the store (an absent graph: empty)."""
    acc = _Accumulator()
    try:
        with store.open_graph(graph, dataset) as stream:
            for triple in _parse(stream):
                acc.add(triple)
    except StoreError as exc:
        if "HTTP 404" not in str(exc):
            raise
    return acc.result()


@dataclass(frozen=True)
class Approved:
    """A release's approved RDF, copied where only this process reads it, and checked."""

    dataset: str
    graph: str
    #: the private copy of the N-Triples, and its path in the release
    ntriples: Path
    source: str
    extra: bytes
    fingerprint: Fingerprint
    #: True when exactly this graph, with exactly this content, is already the live one.
    already_live: bool = False


def _copy_checked(source: Path, entry: dict[str, Any], into: Path) -> Path:
    """``source`` copied into ``into``, its sha256 compared with the manifest's."""
    if source.is_symlink() or not source.is_file():
        raise LinkedDataRefused(Problem("linked-file-missing", "not a regular file",
                                        Location(file=entry["path"])))
    target = into / f"{len(list(into.iterdir()))}-{source.name}"
    digest = hashlib.sha256()
    with source.open("rb") as src, target.open("wb") as out:
        for block in iter(lambda: src.read(1 << 20), b""):
            digest.update(block)
            out.write(block)
    if digest.hexdigest() != entry["sha256"]:
        raise LinkedDataRefused(Problem("linked-file-changed", "differs from the approved "
                                        "manifest", Location(file=entry["path"])))
    return target


def _approved_fingerprint(ntriples: Path, extra: bytes) -> Fingerprint:
    """The graph the release makes live: its N-Triples and its code lists and metadata,
    as a set (a triple in both counts once)."""
    others = {_canonical(t): t for t in _parse(extra)} if extra else {}
    acc = _Accumulator()
    with load._open(ntriples) as fh:
        for triple in _parse(fh):
            others.pop(_canonical(triple), None)
            acc.add(triple)
    for triple in others.values():
        acc.add(triple)
    return acc.result()


def _approved(release_dir: Path, manifest: Manifest, release_id: str,
              tmp: Path) -> Approved | None:
    """The release's approved RDF copied into ``tmp`` and fingerprinted (None: no RDF)."""
    cat = manifest.get("catalogue") or {}
    ntriples, extra = load._rdf_files(release_dir, manifest)
    if ntriples is None or not cat.get("uri"):
        return None
    dataset, base = cat["name"], load.base_of(cat["uri"])
    entries = {f["path"]: f for f in manifest["files"]}

    def copy(p: Path) -> Path:
        return _copy_checked(p, entries[p.relative_to(release_dir).as_posix()], tmp)

    nt_copy = copy(ntriples)
    extra_copies = [copy(p) for p in extra]
    extra_nt = load._as_ntriples(extra_copies) if extra_copies else b""
    return Approved(dataset, load.release_graph(base, dataset, release_id), nt_copy,
                    ntriples.relative_to(release_dir).as_posix(), extra_nt,
                    _approved_fingerprint(nt_copy, extra_nt))


@contextlib.contextmanager
def _private_folder() -> Iterator[Path]:
    tmp = Path(tempfile.mkdtemp(prefix="fivestar-linked-"))  # 0700, this user's
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def checked(store: FusekiStore, release_dir: Path, manifest: Manifest,
            release_id: str) -> Iterator[Approved | None]:
    """Step 1 (module docstring); None for a release without linked data. The private
    copies last as long as the ``with`` block: call :func:`make_live` inside it."""
    release_dir = Path(release_dir)
    with _private_folder() as tmp:
        started = time.monotonic()
        want = _approved(release_dir, manifest, release_id, tmp)
        if want is None:
            yield None
            return
        live = store.graphs(load.dataset_graphs(want.dataset), LIVE)
        if live == [want.graph] and \
                fingerprint_graph(store, want.graph, LIVE).same_as(want.fingerprint):
            yield dataclasses.replace(want, already_live=True)
            return
        got = fingerprint_graph(store, want.graph, DRAFT)
        log.info("linked data: %s draft compared with the approved RDF (%d triples, "
                 "%.0f s)", want.graph, want.fingerprint.triples, time.monotonic() - started)
        if got.triples == 0:
            raise LinkedDataRefused(Problem(
                "linked-not-drafted", "the draft store holds nothing of this release, so it "
                "does not go live: the pipeline did not draft its linked data (it ran with "
                "FIVESTAR_LINKED_DATA=off, or drafted into another triple store) while the "
                "review service puts linked data live. Give the pipeline and the service "
                "the same FIVESTAR_LINKED_DATA (on, with the same FIVESTAR_FUSEKI_URL; off "
                "on both only where no triple store exists), then publish again",
                Location(file=want.source)))
        if not got.same_as(want.fingerprint):
            raise LinkedDataRefused(Problem(
                "linked-draft-differs", f"the draft graph holds {got.triples} triples and "
                f"is not the approved RDF ({want.fingerprint.triples} triples); it does "
                "not go live", Location(file=want.source)))
        yield want


def audit_live(store: FusekiStore, release: Callable[[str], tuple[Path, dict] | None],
               published: set[str], series_of: set[str],
               known: Callable[[str], bool] | None = None
               ) -> tuple[int, list[tuple[str, str]]]:
    """Every live graph against the log: ``(graphs checked, [(code, message)])``.

    A release's graph must be of a release the log shows published (and not withdrawn
    since: ``published``) and hold exactly its approved RDF (``release(id)`` gives its
    folder and approved manifest); a series graph must be of a dataset the log has
    published (``series_of``; its content, the catalogue's public record of the series,
    is not compared: see the release README); the shared vocabulary's graph must hold
    exactly the project's vocabulary (``linked-differs`` otherwise). Anything else was
    put in around the service: ``linked-unpublished``. With ``known`` only the graphs
    whose dataset or release it knows are checked (several services sharing one store,
    each auditing its own); without it, every live graph.
    """
    from pipelines.catalogue.series import series_graph

    shared, vocabulary = load.shared_vocabulary()
    graphs = sorted(r["g"] for r in store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }"))
    breaks: list[tuple[str, str]] = []
    checked = 0
    for graph in graphs:
        if graph == shared:
            checked += 1
            if not fingerprint_graph(store, graph, LIVE).same_as(_fingerprint(vocabulary)):
                breaks.append(("linked-differs", f"live graph {graph} is not the project's "
                               "shared vocabulary (changed around the service, or the "
                               "service's vocabulary changed since the last publication, "
                               "which puts it live again)"))
            continue
        last = graph.rpartition("/")[2]
        if known is not None and not (known(last) or known(_dataset_of(graph))):
            continue
        checked += 1
        rid = last if last in published else None
        found = release(rid) if rid else None
        if found is not None:
            with _private_folder() as tmp:
                want = _approved(found[0], found[1], rid, tmp)  # type: ignore[arg-type]
                if want is not None and want.graph == graph:
                    if not fingerprint_graph(store, graph, LIVE).same_as(want.fingerprint):
                        breaks.append(("linked-differs", f"live graph {graph} is not the "
                                       "RDF its release was approved with"))
                    continue
        base, _, name = graph.rpartition("/graph/")
        if name.endswith("-series") and name.removesuffix("-series") in series_of and \
                series_graph(base, name.removesuffix("-series")) == graph and "/" not in name:
            continue
        breaks.append(("linked-unpublished", f"live graph {graph} is in the triple store but "
                       "is not a release the log shows published"))
    return checked, breaks


def _dataset_of(graph: str) -> str:
    """``{base}/graph/{dataset}/{release}`` or ``{base}/graph/{dataset}-series`` ->
    the dataset ('' for a graph named otherwise)."""
    name = graph.rpartition("/graph/")[2]
    return name.split("/", 1)[0].removesuffix("-series") if name != graph else ""


def make_live(store: FusekiStore, approved: Approved) -> None:
    """Step 2 (module docstring): the approved copy replaces the dataset's live graphs."""
    if approved.already_live:
        log.info("linked data: %s already live", approved.graph)
        return
    old = store.graphs(load.dataset_graphs(approved.dataset), LIVE)
    drops = "".join(f"DROP SILENT GRAPH <{g}> ;\n" for g in old)
    started = time.monotonic()
    if not old and not approved.fingerprint.blank:
        # nothing to replace: an RDF Patch of the additions (one transaction, RIOT's parser)
        store.patch(_then(patch_add(approved.graph, load._lines(approved.ntriples)),
                          patch_add(approved.graph, [approved.extra])), LIVE)
    else:
        # the drops and the insert in one SPARQL Update request (one transaction)
        store.update(_then(insert_data(approved.graph, load._lines(approved.ntriples),
                                       prefix=drops),
                           [b";\n", *insert_data(approved.graph, [approved.extra])]
                           if approved.extra else []), LIVE)
    log.info("linked data: %s committed live in %.0f s", approved.graph,
             time.monotonic() - started)
    live = store.count(approved.graph, LIVE)
    if live != approved.fingerprint.triples:
        raise load.LinkedDataError(f"live graph {approved.graph} holds {live} triples, the "
                                   f"approved RDF {approved.fingerprint.triples}")
    store.drop([approved.graph], DRAFT)
    load.ensure_shared_vocabularies(store)
    log.info("linked data: %s live (replaced %d graph(s))", approved.graph, len(old))


def _then(*parts: Iterable[bytes]) -> Iterator[bytes]:
    """One request body from its parts: the release's N-Triples, then its code lists and
    metadata."""
    for part in parts:
        yield from part
