"""The five-star rating, computed by inspecting the published files.

Nothing is declared: each star is awarded only if the evidence is found in
the outputs themselves, and the evidence sentence says what was found.

1. open licence: the datapackage and CSVW metadata name a licence URL that
   fivestar recognises as open (OGL v3, CC BY 4.0, CC0);
2. structured, machine-readable data: the CSV parses with a header and rows;
3. non-proprietary format: the data files are CSV / RDF media types;
4. URIs for things: the N-Triples file parses (pyoxigraph, not the writer)
   and every observation/record it describes is an HTTP(S) IRI;
5. links to other data: the RDF (data and code lists) links to IRIs of at
   least one external authority (ONS geography, EU country authority, UK
   reference time intervals, OS postcode districts…).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyoxigraph as ox

from pipelines.contracts.conversion import Stars
from pipelines.spec import OPEN_LICENCES

OPEN_LICENCE_URLS = {url for _, url in OPEN_LICENCES.values()}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: External authorities whose URI sets count as "other data" for star 5.
AUTHORITIES = {
    "http://statistics.data.gov.uk/id/": "ONS statistical geography",
    "http://publications.europa.eu/resource/authority/country/": "EU country authority",
    "http://reference.data.gov.uk/id/": "UK reference time intervals",
    "http://data.ordnancesurvey.co.uk/id/": "Ordnance Survey",
    "http://purl.org/linked-data/sdmx/2009/code#": "SDMX code lists",
}
#: Star 5 needs a link to one of these (SDMX codes describe status, not data).
DATA_AUTHORITIES = [k for k in AUTHORITIES if "sdmx" not in k]
OPEN_FORMATS = {".csv": "text/csv (RFC 4180)", ".nt": "application/n-triples",
                ".ttl": "text/turtle"}


def open_format(name: str) -> str | None:
    """The open format a data file is in (gzip compression named too), or None."""
    gz = name.endswith(".gz")
    stem = name[:-3] if gz else name
    fmt = OPEN_FORMATS.get(Path(stem).suffix)
    return f"{fmt}, gzip" if fmt and gz else fmt


def _licences(out_dir: Path) -> list[str]:
    found = []
    pkg = out_dir / "datapackage.json"
    if pkg.is_file():
        for lic in json.loads(pkg.read_text(encoding="utf-8")).get("licenses", []):
            if lic.get("path"):
                found.append(lic["path"])
    for meta in out_dir.glob("*.csv-metadata.json"):
        lic = json.loads(meta.read_text(encoding="utf-8")).get("dc:license")
        if isinstance(lic, dict) and lic.get("@id"):
            found.append(lic["@id"])
    return found


def _csv_shape(path: Path) -> tuple[int, int]:
    """Columns and data rows of a CSV, parsed by Arrow's CSV reader (ragged rows fail)."""
    with open(path, newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh), [])
    if not header:
        return 0, 0
    reader = pacsv.open_csv(
        path, parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string())))
    return len(header), sum(batch.num_rows for batch in reader)


def _words(block: bytes | bytearray) -> np.ndarray:
    """Every 8-byte little-endian word of ``block``, one starting at each byte offset.

    A strided view (no copy): ``words[i]`` reads bytes ``i..i+7``, so a line's
    last or first 8 bytes are compared in one integer comparison.
    """
    n = max(len(block) - 7, 0)
    return np.ndarray(shape=(n,), dtype="<u8", buffer=block, strides=(1,))


def _word(text: bytes) -> int:
    return int.from_bytes(text[:8].ljust(8, b"\0"), "little")


class NTriplesScanner:
    """Star-rating counts over N-Triples text, fed a whole number of lines at a time.

    Counts triples, things typed with the row class, how many of those are
    HTTP(S) IRIs, and links to external authorities, vectorised with numpy:
    newline positions, then each candidate line's tail compared with the
    ``rdf:type`` suffix eight bytes at a time (a strided view of the block as
    64-bit words), and each typed line's head with ``<http://`` / ``<https://``.
    No Python object is made per triple: at 7 M triples this takes about a
    second where a pyoxigraph iteration from Python takes tens. Syntax is not
    judged here: the ``conversion_verified`` gate parses every triple with
    pyoxigraph and recomputes the rating from what the parser saw.
    """

    def __init__(self, row_class: str, base: str) -> None:
        self.suffix = f" <{RDF_TYPE}> <{row_class}> .\n".encode()
        n = len(self.suffix)
        # the suffix as 8-byte words, aligned to its end (the last word first)
        self.tail_words = [(n - 8 * (k + 1), _word(self.suffix[n - 8 * (k + 1):]))
                           for k in range(n // 8)]
        self.rest = n % 8
        self.http, self.https = _word(b"<http://"), _word(b"<https:/")
        self.authorities = [(p, (" <" + p).encode()) for p in AUTHORITIES
                            if not p.startswith(base)]
        self.triples = self.things = self.http_things = 0
        self.external: dict[str, int] = {}

    def feed(self, buf: bytearray, cut: int) -> None:
        """Count the complete lines in ``buf[:cut]`` (``buf`` has 8 spare bytes after ``cut``)."""
        if not cut:
            return
        suffix = self.suffix
        arr = np.frombuffer(buf, dtype=np.uint8, count=cut)
        ends = np.flatnonzero(arr == 10)
        if not len(ends):
            return
        starts = np.empty_like(ends)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        nonblank = ends > starts
        self.triples += int(np.count_nonzero(
            nonblank & (arr[np.minimum(starts, ends)] != ord("#"))))
        words = _words(buf)
        # the suffix ends at the line's "\n": compare it word by word from its end
        cand = np.flatnonzero(ends + 1 - starts >= len(suffix) + 2)
        for back, word in self.tail_words:
            if not len(cand):
                break
            at = ends[cand] + 1 - len(suffix) + back
            cand = cand[words[at] == word]
        for i in range(self.rest):
            if not len(cand):
                break
            cand = cand[arr[ends[cand] + 1 - len(suffix) + i] == suffix[i]]
        self.things += len(cand)
        if len(cand):
            first = words[starts[cand]]
            self.http_things += int(np.count_nonzero(
                (first == self.http) | ((first == self.https) & (arr[starts[cand] + 8] == 47))))
        for prefix, needle in self.authorities:
            found = buf.count(needle, 0, cut)
            if found:
                self.external[prefix] = self.external.get(prefix, 0) + found
        del arr, words  # release the buffer's exports before it is modified

    def facts(self) -> dict[str, Any]:
        return {"triples": self.triples, "things": self.things,
                "http_things": self.http_things, "external": dict(self.external),
                "parser": "line scan"}


def open_rdf(path: Path) -> Any:
    """A published RDF file for reading, decompressed if it is gzip (``.gz``)."""
    import gzip

    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb", buffering=0)  # noqa: SIM115


def scan_ntriples(nt_path: Path, row_class: str, base: str,
                  block_size: int = 1 << 23) -> dict[str, Any]:
    """:class:`NTriplesScanner` over a whole file (plain or gzip), block by block."""
    scanner = NTriplesScanner(row_class, base)
    # One reusable buffer (fresh 8 MB allocations page-fault, which cost more
    # than the scan): the unfinished last line is moved to the front, and 8
    # spare bytes at the end let a word be read at any line start.
    buf = bytearray(block_size + 8)
    fill = 0
    with open_rdf(Path(nt_path)) as fh:
        while True:
            n = fh.readinto(memoryview(buf)[fill:len(buf) - 8])
            total = fill + n
            if not n and total and buf[total - 1] != 10:
                buf[total] = 10  # a last line without a newline
                total += 1
            cut = buf.rfind(b"\n", 0, total) + 1
            if n and cut == 0 and total == len(buf) - 8:  # one line longer than the buffer
                buf.extend(bytes(len(buf)))
                fill = total
                continue
            scanner.feed(buf, cut)
            buf[:total - cut] = buf[cut:total]
            fill = total - cut
            if not n:
                break
    return scanner.facts()


def rdf_facts(nt_path: Path, row_class: str, base: str) -> dict[str, Any]:
    """Parse the N-Triples with pyoxigraph; count described things and external links."""
    things = http_things = triples = 0
    external: dict[str, int] = {}
    with open_rdf(Path(nt_path)) as fh:
        for t in ox.parse(fh, format=ox.RdfFormat.N_TRIPLES):
            triples += 1
            if t.predicate.value == RDF_TYPE and t.object.value == row_class:
                things += 1
                if isinstance(t.subject, ox.NamedNode) and \
                        t.subject.value.startswith(("http://", "https://")):
                    http_things += 1
            obj = t.object
            if isinstance(obj, ox.NamedNode) and not obj.value.startswith(base):
                for prefix in AUTHORITIES:
                    if obj.value.startswith(prefix):
                        external[prefix] = external.get(prefix, 0) + 1
    return {"triples": triples, "things": things, "http_things": http_things,
            "external": external, "parser": "pyoxigraph"}


def codelist_links(paths: list[Path]) -> dict[str, int]:
    """External-authority IRIs linked from the published code lists (skos:exactMatch…)."""
    out: dict[str, int] = {}
    for path in paths:
        with open(path, "rb") as fh:
            for t in ox.parse(fh, format=ox.RdfFormat.TURTLE):
                if isinstance(t.object, ox.NamedNode):
                    for prefix in DATA_AUTHORITIES:
                        if t.object.value.startswith(prefix):
                            out[prefix] = out.get(prefix, 0) + 1
    return out


def rate(out_dir: Path, dataset_id: str, row_class: str, base: str,
         facts: dict[str, Any] | None = None,
         csv_shape: tuple[int, int] | None = None) -> Stars:
    """The rating, what earned (or missed) each star, and which stars passed.

    Stars are cumulative: a star counts only if every lower star is earned.
    ``facts`` lets a caller that already parsed the N-Triples (``verify``, with
    pyoxigraph) pass its counts; otherwise the file is scanned (:func:`scan_ntriples`).
    ``csv_shape`` (columns, rows) likewise, from a caller that already read the CSV
    with Arrow's reader.
    """
    evidence: dict[str, str] = {}
    passed: dict[str, bool] = {}

    lic = _licences(out_dir)
    open_lic = sorted({u for u in lic if u in OPEN_LICENCE_URLS})
    passed["1"] = bool(open_lic)
    evidence["1"] = (f"open licence {open_lic[0]} declared in datapackage.json and the CSVW "
                     "metadata" if open_lic else "no recognised open licence in the metadata")

    csv_path = out_dir / f"{dataset_id}.csv"
    cols = rows = 0
    if csv_shape is not None and csv_path.is_file():
        cols, rows = csv_shape
    elif csv_path.is_file():
        try:
            cols, rows = _csv_shape(csv_path)
        except (UnicodeDecodeError, csv.Error, ValueError):  # ArrowInvalid is a ValueError
            cols = rows = 0
    passed["2"] = cols > 0 and rows > 0
    evidence["2"] = (f"{csv_path.name} parses as a table: {cols} columns, {rows} rows"
                     if passed["2"] else "no parseable machine-readable table")

    data_files = [p for p in out_dir.iterdir() if p.name.startswith(dataset_id)
                  and open_format(p.name)]
    passed["3"] = passed["2"] and bool(data_files)
    evidence["3"] = ("data in open, non-proprietary formats: " + ", ".join(
        sorted(f"{p.name} ({open_format(p.name)})" for p in data_files))
        if passed["3"] else "no data in a non-proprietary format")

    nt_path = next((out_dir / n for n in (f"{dataset_id}.nt.gz", f"{dataset_id}.nt")
                    if (out_dir / n).is_file()), out_dir / f"{dataset_id}.nt.gz")
    if facts is None and nt_path.is_file():
        try:
            facts = scan_ntriples(nt_path, row_class, base)
        except (SyntaxError, ValueError, OSError) as exc:
            facts = {"error": str(exc)}
    facts = facts or {}
    ok4 = (not facts.get("error") and facts.get("things", 0) > 0
           and facts.get("http_things") == facts.get("things") and facts["things"] == rows)
    passed["4"] = ok4
    how = ("parsed by pyoxigraph" if facts.get("parser") == "pyoxigraph"
           else "scanned; every RDF file is re-parsed by pyoxigraph before release")
    evidence["4"] = (f"{nt_path.name} holds {facts.get('triples')} triples ({how}); all "
                     f"{facts.get('things')} rows are resources with HTTP(S) URIs under {base}"
                     if ok4 else "RDF missing, unparseable, or rows without HTTP(S) URIs "
                     f"({facts.get('http_things', 0)} of {rows} rows)")

    links = {k: v for k, v in (facts.get("external") or {}).items() if k in DATA_AUTHORITIES}
    codelist_files = [p for p in out_dir.glob("*.ttl")
                      if not p.name.startswith(dataset_id)]
    cl_links = codelist_links(codelist_files) if codelist_files else {}
    all_links = {k: links.get(k, 0) + cl_links.get(k, 0) for k in {*links, *cl_links}}
    passed["5"] = bool(all_links)
    evidence["5"] = ("links to external authorities: " + "; ".join(
        f"{AUTHORITIES[k]} ({n} links)" for k, n in sorted(all_links.items()))
        if all_links else "no links to an external authority's URIs")

    rating = 0
    for star in "12345":
        if not passed[star]:
            break
        rating += 1
    return Stars(rating=rating, evidence=evidence, passed=passed)
