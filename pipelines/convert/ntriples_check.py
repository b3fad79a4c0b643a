"""The N-Triples distribution checked completely, in parallel, in bounded memory.

Why this shape: a million-row release is ~7-11 M triples (1.5-2 GB of
N-Triples). An in-memory store of it costs gigabytes, and one Python loop over
pyoxigraph's triples takes tens of seconds. So the file (plain or gzip, as
published) is read once as a stream, cut into line-aligned chunks of about
8 MB that never split a subject's run of lines, and each chunk is handled in
a worker process:

1. **parsed by pyoxigraph** (every triple; a syntax error is reported with its
   line) and re-serialised by it as *canonical* N-Triples. Everything below is
   computed on that canonical text, so a term is equal to another exactly when
   their strings are equal, and a line is ``<s> <p> <o> .`` with single spaces:
   vectorised string kernels (Arrow) can then split and compare millions of
   lines without a Python object per triple. Whether the file itself was
   already canonical is reported too (fivestar's writer produces it).
2. **facts for the star rating** counted: triples, resources typed with the
   row class, how many of those are HTTP(S) IRIs, links to external
   authorities.
3. for a **Data Cube**, the observation-level integrity constraints computed
   per observation over every observation (see :class:`CubeStructure`):
   IC-1 (one data set), IC-11 (every dimension), IC-12 (no two observations
   with the same dimension values: 64-bit hashes collected from all chunks;
   a hash collision could only report a duplicate that is not there, never
   hide one), IC-13 (required attributes, after pushing down data-set level
   attachments), IC-14 with fivestar's suppression exemption and its
   companion "a suppressed cell has no value", IC-19 (values in the code
   list) and IC-20/21 (values reachable in a hierarchical code list).
   Observation subjects are hashed too, so an observation whose lines are
   scattered across the file (which would hide part of it from its chunk) is
   caught rather than half-checked.

The structure (data sets, structure definitions, components, code lists) is
small: the triples that are not about observations are gathered from the
first chunk, loaded with the published code lists into a pyoxigraph store,
and the SPARQL form of *every* constraint (:mod:`pipelines.convert.ics`) runs
on that structure plus the first :data:`SLICE_OBSERVATIONS` observations, a
bounded slice that cross-checks the vectorised computation against the
standard's own queries. Structure found after the first chunk is refused
(fail closed): the vectorised checks would have run without it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyoxigraph as ox
from isal import igzip

from pipelines.convert.workers import Workers, serve

#: Bytes per chunk handed to a worker (about 50 k lines).
CHUNK_BYTES = 8 << 20
#: Chunks queued per worker beyond the one it is checking (each is memory in the parent).
IN_FLIGHT = 1
#: Observations of the first chunk also checked by the SPARQL constraints.
SLICE_OBSERVATIONS = 1_000
#: Line numbers kept per finding (the count is always exact).
MAX_LINES = 5

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
QB = "http://purl.org/linked-data/cube#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
CONF_STATUS = "http://purl.org/linked-data/sdmx/2009/attribute#confStatus"
SUPPRESSED = ("http://purl.org/linked-data/sdmx/2009/code#confStatus-C",
              "http://purl.org/linked-data/sdmx/2009/code#confStatus-D")


def _t(iri: str) -> str:
    """An IRI as its canonical N-Triples term."""
    return f"<{iri}>"


@dataclass(frozen=True)
class StructureDef:
    """One qb:DataStructureDefinition, as the per-observation checks need it."""

    dimensions: tuple[str, ...]
    measures: tuple[str, ...]
    #: Required attributes an observation must carry itself (not pushed down).
    required_attributes: tuple[str, ...]
    #: dimension term → [(constraint name, allowed value terms)]
    allowed: dict[str, list[tuple[str, frozenset[str]]]] = field(default_factory=dict)


@dataclass(frozen=True)
class CubeStructure:
    """Data sets → structure, read from the file's own triples and the code lists."""

    #: data-set term → structure-definition term
    datasets: dict[str, str]
    structures: dict[str, StructureDef]

    @property
    def component_terms(self) -> frozenset[str]:
        out: set[str] = {_t(QB + "dataSet")}
        for s in self.structures.values():
            out.update(s.dimensions, s.measures, s.required_attributes)
        return frozenset(out)


@dataclass
class ChunkResult:
    """What a worker found in one chunk (small: no triples, only counts and hashes)."""

    index: int
    first_line: int
    triples: int = 0
    canonical: bool = True
    syntax_error: int | None = None  # file line (or chunk start) of the first error
    things: int = 0
    http_things: int = 0
    external: dict[str, int] = field(default_factory=dict)
    #: canonical lines about subjects that are not observations (structure discovery only)
    rest: bytes = b""
    #: how many lines are about subjects that are not observations (cube only)
    rest_lines: int = 0
    #: canonical lines of the first SLICE_OBSERVATIONS observations (chunk 0 only)
    slice: bytes = b""
    observations: int = 0
    subject_hash: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint64))
    key_hash: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint64))
    key_line: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    #: constraint name → (count, first few file lines)
    violations: dict[str, tuple[int, list[int]]] = field(default_factory=dict)


@dataclass
class NTriplesReport:
    """The outcome over the whole file."""

    triples: int = 0
    things: int = 0
    http_things: int = 0
    external: dict[str, int] = field(default_factory=dict)
    canonical: bool = True
    observations: int = 0
    syntax_errors: list[int | None] = field(default_factory=list)
    #: constraint name → (count, first few file lines)
    violations: dict[str, tuple[int, list[int]]] = field(default_factory=dict)
    #: constraints violated by the SPARQL queries on structure + slice
    sparql_violations: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def facts(self) -> dict[str, Any]:
        """The counts :func:`pipelines.convert.stars.rate` needs."""
        return {"triples": self.triples, "things": self.things,
                "http_things": self.http_things, "external": dict(self.external),
                "parser": "pyoxigraph"}


# -- reading: a stream of subject-aligned chunks ------------------------------


def open_stream(path: Path) -> IO[bytes]:
    """The file as published: gzip is decompressed on the fly (``.gz``).

    By ISA-L (``isal``), not zlib: it inflates ~3.5 times faster (0.14 against
    0.5 CPU s per 400 MB of N-Triples), and the gate then reads the gzip stream
    with another library than the one the writer compressed it with.
    """
    if path.suffix == ".gz":
        return igzip.open(path, "rb")  # noqa: SIM115 (closed by the caller)
    return open(path, "rb", buffering=1 << 20)  # noqa: SIM115


def _subject(buf: bytes | bytearray, start: int) -> bytes:
    """The first term of the line starting at ``start`` (up to a space or tab)."""
    end = len(buf)
    for sep in (b" ", b"\t", b"\n"):
        i = buf.find(sep, start, end)
        if i != -1:
            end = i
    return bytes(buf[start:end])


def aligned_cut(buf: bytes | bytearray) -> int:
    """Where to end a chunk in ``buf`` so no subject's run of lines is split.

    The run of lines sharing the last complete line's subject is carried over
    to the next chunk (it may continue there). 0 means "no cut possible yet".
    """
    cut = buf.rfind(b"\n") + 1
    if cut == 0:
        return 0
    last = buf.rfind(b"\n", 0, cut - 1) + 1
    subj = _subject(buf, last)
    group = last
    while group > 0:
        prev = buf.rfind(b"\n", 0, group - 1) + 1
        if _subject(buf, prev) != subj:
            break
        group = prev
    return group if group > 0 else cut


def chunks(stream: IO[bytes], size: int = CHUNK_BYTES,
           first_size: int | None = None) -> Iterator[tuple[int, bytes]]:
    """``(first line number, bytes)`` for each subject-aligned chunk of ``stream``."""
    carry = b""
    line = 1
    want = first_size or size
    while True:
        need = want - len(carry)
        block = stream.read(need if need > 0 else want)
        buf = carry + block
        if not block:
            if buf:
                yield line, buf
            return
        cut = aligned_cut(buf)
        if cut == 0:
            carry = buf
            continue
        piece = buf[:cut]
        carry = buf[cut:]
        yield line, piece
        line += piece.count(b"\n")
        want = size


# -- the per-chunk work (runs in a worker process) ---------------------------


def _split(out: bytes) -> tuple[pa.Array, pa.Array, pa.Array, np.ndarray]:
    """Subject, predicate and object terms of canonical N-Triples lines, and line starts."""
    arr = np.frombuffer(out, dtype=np.uint8)
    ends = np.flatnonzero(arr == 10)
    n = len(ends)
    offsets = np.empty(n + 1, dtype=np.int32 if len(out) < 2**31 else np.int64)
    offsets[0] = 0
    offsets[1:] = ends + 1
    cls = pa.StringArray if offsets.dtype == np.int32 else pa.LargeStringArray
    lines = cls.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(out))
    flat = pc.split_pattern(lines, " ", max_splits=2).flatten()
    if len(flat) != 3 * n:  # cannot happen for canonical N-Triples
        raise ValueError("canonical N-Triples line without three terms")
    s = flat.take(pa.array(np.arange(0, 3 * n, 3)))
    p = flat.take(pa.array(np.arange(1, 3 * n, 3)))
    o = pc.utf8_slice_codeunits(flat.take(pa.array(np.arange(2, 3 * n, 3))), 0, -3)
    return s, p, o, offsets[:-1]


def _count(mask: pa.Array) -> int:
    return int(pc.sum(pc.cast(mask, pa.int64())).as_py() or 0)


def _facts(res: ChunkResult, s: pa.Array, p: pa.Array, o: pa.Array, row_class: str,
           authorities: list[str]) -> None:
    typed = pc.and_(pc.equal(p, _t(RDF_TYPE)), pc.equal(o, _t(row_class)))
    res.things = _count(typed)
    if res.things:
        subj = pc.filter(s, typed)
        res.http_things = _count(pc.or_(pc.starts_with(subj, "<http://"),
                                        pc.starts_with(subj, "<https://")))
    for prefix in authorities:
        found = _count(pc.starts_with(o, "<" + prefix))
        if found:
            res.external[prefix] = found


def _violation(res: ChunkResult, name: str, where: np.ndarray, lines: np.ndarray) -> None:
    """Record observations (positions in ``lines``) failing ``name``."""
    bad = np.flatnonzero(where)
    if len(bad) == 0:
        return
    count, first = res.violations.get(name, (0, []))
    first = first + [int(x) for x in lines[bad[:MAX_LINES]]]
    res.violations[name] = (count + len(bad), first[:MAX_LINES])


def _hash(strings: pa.Array) -> np.ndarray:
    """64-bit hashes of strings, equal across the workers (Python's SipHash, fixed seed).

    Workers run with ``PYTHONHASHSEED=0`` (:data:`WORKER_ENV`, checked in
    :func:`worker_main`), so the same string hashes alike in every one of them.
    """
    return np.fromiter(map(hash, strings.to_pylist()), dtype=np.int64,
                       count=len(strings)).view(np.uint64)


def _cube(res: ChunkResult, s: pa.Array, p: pa.Array, o: pa.Array, line_no: np.ndarray,
          lines_bytes: list[bytes] | None, structure: CubeStructure | None,
          want_slice: bool) -> None:
    """Split observations from the rest and check every observation (module docstring)."""
    is_type = pc.equal(p, _t(RDF_TYPE))
    marks = pc.or_(pc.and_(is_type, pc.equal(o, _t(QB + "Observation"))),
                   pc.equal(p, _t(QB + "dataSet")))
    obs_subjects = pc.unique(pc.filter(s, marks))
    in_obs = pc.is_in(s, value_set=obs_subjects)
    in_obs_np = in_obs.to_numpy(zero_copy_only=False)
    res.rest_lines = int(np.count_nonzero(~in_obs_np))
    if structure is None:
        assert lines_bytes is not None
        res.rest = b"".join(lines_bytes[i] for i in np.flatnonzero(~in_obs_np))
        if want_slice and len(obs_subjects):
            first = obs_subjects.slice(0, SLICE_OBSERVATIONS)
            keep = np.flatnonzero(pc.is_in(s, value_set=first).to_numpy(zero_copy_only=False))
            res.slice = b"".join(lines_bytes[i] for i in keep)
        return
    # component values on resources that are not observations in this chunk
    stray = (~in_obs_np) & pc.is_in(p, value_set=pa.array(
        sorted(structure.component_terms))).to_numpy(zero_copy_only=False)
    _violation(res, "component-outside-observation", stray, line_no)
    sel = np.flatnonzero(in_obs_np)
    if len(sel) == 0:
        return
    idx_sel = pa.array(sel)
    so, po, oo = s.take(idx_sel), p.take(idx_sel), o.take(idx_sel)
    lo = line_no[sel]
    enc = pc.dictionary_encode(so)
    subj_idx = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    subjects = enc.dictionary
    m = len(subjects)
    res.observations = m
    res.subject_hash = _hash(subjects)
    first_pos = np.full(m, len(subj_idx), dtype=np.int64)
    np.minimum.at(first_pos, subj_idx, np.arange(len(subj_idx)))
    obs_line = lo[first_pos]
    penc = pc.dictionary_encode(po)
    pred_idx = penc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    preds = {v: i for i, v in enumerate(penc.dictionary.to_pylist())}
    n_pred = len(preds)
    counts = np.bincount(subj_idx * n_pred + pred_idx, minlength=m * n_pred).reshape(m, n_pred)

    def count_of(term: str) -> np.ndarray:
        j = preds.get(term)
        return counts[:, j] if j is not None else np.zeros(m, dtype=np.int64)

    def value_of(term: str) -> pa.Array:
        """The (first) object of ``term`` per observation; null where absent."""
        j = preds.get(term)
        pos = np.full(m, -1, dtype=np.int64)
        if j is not None:
            rows = np.flatnonzero(pred_idx == j)
            pos[subj_idx[rows][::-1]] = rows[::-1]  # first occurrence wins
        return oo.take(pa.array(pos, mask=pos < 0))

    ds_count = count_of(_t(QB + "dataSet"))
    _violation(res, "IC-1", ds_count != 1, obs_line)
    dataset = value_of(_t(QB + "dataSet"))
    ds_np = dataset.to_numpy(zero_copy_only=False)
    known = np.zeros(m, dtype=bool)
    keys = np.zeros(m, dtype=np.uint64)
    has_key = np.zeros(m, dtype=bool)
    for ds_term, dsd_term in structure.datasets.items():
        mine = ds_np == ds_term
        if not mine.any():
            continue
        known |= mine
        st = structure.structures.get(dsd_term)
        if st is None:
            continue
        dim_counts = [count_of(d) for d in st.dimensions]
        missing = np.zeros(m, dtype=bool)
        multi = np.zeros(m, dtype=bool)
        for c in dim_counts:
            missing |= c < 1
            multi |= c > 1
        _violation(res, "IC-11", mine & missing, obs_line)
        _violation(res, "dimension-single-valued", mine & multi, obs_line)
        values = {d: value_of(d) for d in st.dimensions}
        for d, checks in st.allowed.items():
            v = values.get(d)
            if v is None:
                continue
            present = pc.is_valid(v).to_numpy(zero_copy_only=False)
            for name, allowed in checks:
                ok = pc.is_in(v, value_set=pa.array(sorted(allowed), pa.string()))
                ok_np = pc.fill_null(ok, True).to_numpy(zero_copy_only=False)
                _violation(res, name, mine & present & ~ok_np, obs_line)
        for a in st.required_attributes:
            _violation(res, "IC-13", mine & (count_of(a) < 1), obs_line)
        conf = value_of(_t(CONF_STATUS)).to_numpy(zero_copy_only=False)
        suppressed = np.isin(conf, [_t(x) for x in SUPPRESSED])
        for meas in st.measures:
            present = count_of(meas) >= 1
            _violation(res, "IC-14", mine & ~present & ~suppressed, obs_line)
            _violation(res, "suppressed-has-no-value", mine & present & suppressed, obs_line)
        complete = mine & ~missing & ~multi
        if complete.any() and st.dimensions:
            joined = pc.binary_join_element_wise(
                dataset, *[values[d] for d in st.dimensions], "\x1f")
            h = _hash(pc.fill_null(joined, ""))
            keys[complete] = h[complete]
            has_key |= complete
    _violation(res, "observation-without-structure", ~known & (ds_count == 1), obs_line)
    res.key_hash = keys[has_key]
    res.key_line = obs_line[has_key]


def check_chunk(index: int, first_line: int, data: bytes, row_class: str,
                authorities: list[str], cube: bool,
                structure: CubeStructure | None) -> ChunkResult:
    """Parse one chunk with pyoxigraph and compute its facts and checks (module docstring)."""
    res = ChunkResult(index=index, first_line=first_line)
    try:
        out = ox.serialize(ox.parse(data, format=ox.RdfFormat.N_TRIPLES),
                           format=ox.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:
        lineno = getattr(exc, "lineno", None)
        res.syntax_error = first_line + lineno - 1 if isinstance(lineno, int) else first_line
        return res
    assert out is not None
    res.canonical = out == data
    if not out:
        return res
    s, p, o, starts = _split(out)
    res.triples = len(s)
    # file line numbers are exact when the chunk was canonical; else the chunk start
    line_no = (np.arange(first_line, first_line + len(s)) if res.canonical
               else np.full(len(s), first_line))
    _facts(res, s, p, o, row_class, authorities)
    if cube:
        lines_bytes = None
        if structure is None:
            ends = np.append(starts[1:], len(out))
            lines_bytes = [out[a:b] for a, b in zip(starts, ends, strict=True)]
        _cube(res, s, p, o, line_no, lines_bytes, structure, want_slice=index == 0)
    return res


# -- the structure, from the first chunk's non-observation triples -----------


def _select(store: ox.Store, query: str) -> list[Any]:
    from pipelines.convert.ics import PREFIXES

    return list(store.query(PREFIXES + query))


def _ask(store: ox.Store, query: str) -> bool:
    from pipelines.convert.ics import PREFIXES

    return bool(store.query(PREFIXES + query))


def read_structure(store: ox.Store) -> tuple[CubeStructure, list[str]]:
    """The structure the per-observation checks need, and what they cannot judge."""
    unsupported: list[str] = []
    datasets = {_t(r["ds"].value): _t(r["dsd"].value) for r in _select(
        store, "SELECT ?ds ?dsd WHERE { ?ds qb:structure ?dsd . FILTER(isIRI(?dsd)) }")}
    rows = _select(store, """SELECT ?dsd ?prop ?kind ?required ?attach WHERE {
        ?dsd a qb:DataStructureDefinition ; qb:component ?cs .
        ?cs qb:componentProperty ?prop .
        OPTIONAL { ?prop a ?kind .
                   VALUES ?kind { qb:DimensionProperty qb:MeasureProperty qb:AttributeProperty } }
        OPTIONAL { ?cs qb:componentRequired ?required }
        OPTIONAL { ?cs qb:componentAttachment ?attach } }""")
    parts: dict[str, dict[str, list[str]]] = {}
    for r in rows:
        dsd = _t(r["dsd"].value)
        prop = r["prop"].value
        kind = r["kind"].value.rsplit("#", 1)[-1] if r["kind"] else ""
        bucket = parts.setdefault(dsd, {"dims": [], "measures": [], "attrs": []})
        if prop == QB + "measureType":
            unsupported.append("qb:measureType (multi-measure observations)")
        if kind == "DimensionProperty":
            bucket["dims"].append(_t(prop))
        elif kind == "MeasureProperty":
            bucket["measures"].append(_t(prop))
        elif kind == "AttributeProperty":
            required = r["required"] is not None and r["required"].value == "true"
            attach = r["attach"].value if r["attach"] else None
            if attach == QB + "Slice":
                unsupported.append("attributes attached to slices")
            if required and attach != QB + "DataSet":
                bucket["attrs"].append(_t(prop))
            elif required:  # pushed down from the data set: every data set must carry it
                for ds, d in datasets.items():
                    if d == dsd and not _ask(store, f"ASK {{ {ds} <{prop}> ?v }}"):
                        bucket["attrs"].append(_t(prop))
    if _select(store, "SELECT ?x WHERE { { ?x qb:slice ?y } UNION { ?x qb:observation ?y } "
                      "UNION { ?x a qb:Slice } } LIMIT 1"):
        unsupported.append("slices (qb:slice, qb:observation)")
    structures = {}
    for dsd, b in parts.items():
        allowed: dict[str, list[tuple[str, frozenset[str]]]] = {}
        for dim in b["dims"]:
            checks = _allowed_values(store, dim[1:-1])
            if checks:
                allowed[dim] = checks
        structures[dsd] = StructureDef(tuple(sorted(set(b["dims"]))),
                                       tuple(sorted(set(b["measures"]))),
                                       tuple(sorted(set(b["attrs"]))), allowed)
    return CubeStructure(datasets=datasets, structures=structures), sorted(set(unsupported))


def _allowed_values(store: ox.Store, dim: str) -> list[tuple[str, frozenset[str]]]:
    """IC-19 / IC-20 / IC-21 as value sets for one dimension (empty: unconstrained)."""
    checks: list[tuple[str, frozenset[str]]] = []
    for r in _select(store, f"SELECT ?list WHERE {{ <{dim}> qb:codeList ?list }}"):
        lst = r["list"]
        if not isinstance(lst, ox.NamedNode):
            continue
        lt = f"<{lst.value}>"
        if _ask(store, f"ASK {{ {lt} a skos:ConceptScheme }}"):
            vals = _select(store, f"SELECT DISTINCT ?v WHERE {{ ?v a skos:Concept ; "
                                  f"skos:inScheme {lt} }}")
            checks.append(("IC-19a", frozenset(_t(v["v"].value) for v in vals
                                              if isinstance(v["v"], ox.NamedNode))))
        if _ask(store, f"ASK {{ {lt} a skos:Collection }}"):
            vals = _select(store, f"SELECT DISTINCT ?v WHERE {{ ?v a skos:Concept . "
                                  f"{lt} skos:member+ ?v }}")
            checks.append(("IC-19b", frozenset(_t(v["v"].value) for v in vals
                                              if isinstance(v["v"], ox.NamedNode))))
        if _ask(store, f"ASK {{ {lt} a qb:HierarchicalCodeList }}"):
            for r2 in _select(store, f"SELECT ?p WHERE {{ {lt} qb:parentChildProperty ?p }}"):
                pcp = r2["p"]
                if isinstance(pcp, ox.NamedNode):
                    path = f"<{pcp.value}>*"
                    name = "IC-20"
                else:
                    inv = _select(store, f"SELECT ?q WHERE {{ {pcp} owl:inverseOf ?q }}")
                    if not inv:
                        continue
                    path = f"(^<{inv[0]['q'].value}>)*"
                    name = "IC-21"
                vals = _select(store, f"SELECT DISTINCT ?v WHERE {{ {lt} "
                                      f"qb:hierarchyRoot/{path} ?v }}")
                checks.append((name, frozenset(_t(v["v"].value) for v in vals
                                               if isinstance(v["v"], ox.NamedNode))))
    return checks


# -- orchestration -------------------------------------------------------------


def workers() -> int:
    """Worker processes: ``FIVESTAR_VERIFY_WORKERS`` or one per CPU."""
    env = os.environ.get("FIVESTAR_VERIFY_WORKERS")
    return max(1, int(env)) if env and env.isdigit() else max(1, os.cpu_count() or 1)


def _merge(report: NTriplesReport, res: ChunkResult) -> None:
    report.triples += res.triples
    report.things += res.things
    report.http_things += res.http_things
    report.canonical &= res.canonical
    report.observations += res.observations
    for k, v in res.external.items():
        report.external[k] = report.external.get(k, 0) + v
    if res.syntax_error is not None:
        report.syntax_errors.append(res.syntax_error)
    for name, (count, lines) in res.violations.items():
        c0, l0 = report.violations.get(name, (0, []))
        report.violations[name] = (c0 + count, (l0 + lines)[:MAX_LINES])


def _duplicates(hashes: list[np.ndarray], lines: list[np.ndarray] | None) -> tuple[int, list[int]]:
    """How many entries repeat an earlier one, and the lines of the first few repeats."""
    if not hashes:
        return 0, []
    h = np.concatenate(hashes)
    order = np.argsort(h, kind="stable")
    hs = h[order]
    dup = np.flatnonzero(hs[1:] == hs[:-1]) + 1
    if not len(dup):
        return 0, []
    at: list[int] = []
    if lines is not None:
        ln = np.concatenate(lines)[order]
        at = sorted(int(x) for x in ln[dup])[:MAX_LINES]
    return len(dup), at


def check_ntriples(path: Path, row_class: str, base: str, authorities: list[str],
                   cube: bool = False, codelists: list[Path] | None = None,
                   n_workers: int | None = None, chunk_bytes: int = CHUNK_BYTES,
                   extra: list[tuple[str, Path]] | None = None,
                   progress: Any = None) -> tuple[NTriplesReport, list[Any]]:
    """Check the whole N-Triples file (see the module docstring).

    ``extra`` names other RDF files (``(format, path)``) to parse completely in
    the same workers while the chunks stream; their results come back as the
    second value. ``progress(triples)`` is called as chunks are queued.
    """
    report = NTriplesReport()
    structure: CubeStructure | None = None
    queued = 0
    with Workers(__name__, n_workers or workers(), in_flight=IN_FLIGHT, env=WORKER_ENV,
                 block=WORKER_BLOCK) as pool, \
            open_stream(path) as stream:
        started = False
        source = chunks(stream, chunk_bytes, first_size=min(chunk_bytes, 4 << 20))
        for index, (first_line, data) in enumerate(source):
            if not started:
                if cube:
                    head = check_chunk(0, first_line, data, row_class, authorities, True, None)
                    if head.syntax_error is None:
                        structure, sparql, unsupported = _structure(head, codelists or [])
                        report.sparql_violations = sparql
                        report.notes += [f"not supported by the streaming check: {u}"
                                         for u in unsupported]
                        for u in unsupported:
                            report.violations[f"unsupported: {u}"] = (1, [])
                pool.setup({"row_class": row_class, "authorities": authorities,
                            "cube": cube, "structure": structure})
                for fmt, other in extra or []:
                    pool.submit(("file", fmt, str(other)))
                started = True
            pool.submit(("nt", index, first_line, data))
            if progress is not None:
                queued += data.count(b"\n")
                progress(queued)
        if not started:  # an empty file
            pool.setup({"row_class": row_class, "authorities": authorities, "cube": cube,
                        "structure": None})
            for fmt, other in extra or []:
                pool.submit(("file", fmt, str(other)))
        results = pool.finish()
    chunk_results = sorted((r for r in results if isinstance(r, ChunkResult)),
                           key=lambda r: r.index)
    others = [r for r in results if not isinstance(r, ChunkResult)]
    late_rest = 0
    for res in chunk_results:
        _merge(report, res)
        if res.index > 0:
            late_rest += res.rest_lines
    if cube:
        n, at = _duplicates([r.subject_hash for r in chunk_results], None)
        if n:
            report.violations["observation-scattered"] = (n, at)
        n, at = _duplicates([r.key_hash for r in chunk_results],
                            [r.key_line for r in chunk_results])
        if n:
            report.violations["IC-12"] = (n, at)
        if late_rest:
            report.violations["structure-not-first"] = (late_rest, [])
        if structure is None and not report.syntax_errors:
            report.violations["no-structure"] = (1, [])
    return report, others


@dataclass
class FileParse:
    """An extra RDF file parsed completely by a worker."""

    path: str
    triples: int = 0
    error_line: int | None = None
    error: bool = False


def parse_file(fmt: str, path: str) -> FileParse:
    """Parse a whole RDF file with pyoxigraph, counting its triples."""
    res = FileParse(path=path)
    try:
        with open_stream(Path(path)) as fh:
            for _ in ox.parse(fh, format=ox.RdfFormat.from_extension(fmt)):
                res.triples += 1
    except SyntaxError as exc:
        res.error = True
        lineno = getattr(exc, "lineno", None)
        res.error_line = lineno if isinstance(lineno, int) else None
    return res


def _handle(setup: dict[str, Any], task: tuple[Any, ...]) -> Any:
    if task[0] == "file":
        return parse_file(task[1], task[2])
    _, index, first_line, data = task
    return check_chunk(index, first_line, data, setup["row_class"], setup["authorities"],
                       setup["cube"], setup["structure"])


#: The environment workers run in: a fixed hash seed, so hashes compare across them.
WORKER_ENV = {"PYTHONHASHSEED": "0"}
#: Never imported by a worker: pyarrow would load pandas (a second per worker) only to
#: ask whether its inputs are pandas objects; without it, pyarrow works on alone.
WORKER_BLOCK = ("pandas",)


def worker_main() -> None:
    """Entry point of a worker process (see :mod:`pipelines.convert.workers`)."""
    if os.environ.get("PYTHONHASHSEED") != WORKER_ENV["PYTHONHASHSEED"]:
        raise SystemExit("ntriples_check workers need PYTHONHASHSEED=0")
    pa.set_cpu_count(1)  # the parallelism is the processes: one Arrow thread each
    serve(_handle)


def _structure(head: ChunkResult,
               codelists: list[Path]) -> tuple[CubeStructure, list[str], list[str]]:
    """Load the first chunk's structure and slice with the code lists; SPARQL ICs on it."""
    from pipelines.convert import ics

    store = ox.Store()
    if head.rest:
        store.bulk_load(head.rest, format=ox.RdfFormat.N_TRIPLES)
    for cl in codelists:
        store.bulk_load(path=str(cl), format=ox.RdfFormat.TURTLE)
    structure, unsupported = read_structure(store)
    if head.slice:
        store.bulk_load(head.slice, format=ox.RdfFormat.N_TRIPLES)
    return structure, ics.check(store), unsupported

