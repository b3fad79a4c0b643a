"""A tiny client for the Fuseki triple store (ckanapi style: typed errors, ``session=``).

The store has two TDB2 datasets (catalogue/fuseki/config.ttl.in): ``fivestar``, the live
one the public queries (read-only for them), and ``fivestar-draft``, where a release is
loaded and verified before anyone can see it. Two logins, checked by Fuseki itself:

* the pipeline's (``FIVESTAR_FUSEKI_USER``, default ``fivestar``; the password in
  ``FIVESTAR_FUSEKI_PASSWORD_FILE``, default ``catalogue/.state/fuseki-password``) reads
  and writes the draft store only;
* the publisher's (:func:`publisher_store`: ``fivestar-publisher``, the password in
  ``FIVESTAR_FUSEKI_PUBLISHER_PASSWORD_FILE``, default
  ``catalogue/.state/fuseki-publisher-password``, owned by ``fivestar-review``) is the only
  one that writes the live store; the review service holds it in its home.

``catalogue/bin/up`` writes both.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import requests

from pipelines.errors import FivestarError
from pipelines.paths import ROOT

LIVE = "fivestar"
DRAFT = "fivestar-draft"
DEFAULT_URL = "http://127.0.0.1:3330"
PIPELINE_USER = "fivestar"
PUBLISHER_USER = "fivestar-publisher"


class StoreError(FivestarError):
    """The triple store refused a request or could not be reached."""


from pipelines.ports import service_port  # noqa: E402  (re-exported: the old home)


def store_url() -> str:
    return os.environ.get("FIVESTAR_FUSEKI_URL") or \
        f"http://127.0.0.1:{service_port('FUSEKI', 3330)}"


def read_password() -> str | None:
    """The pipeline's password (drafts only)."""
    if os.environ.get("FIVESTAR_FUSEKI_PASSWORD"):
        return os.environ["FIVESTAR_FUSEKI_PASSWORD"].strip()
    return _read(os.environ.get("FIVESTAR_FUSEKI_PASSWORD_FILE")
                 or ROOT / "catalogue" / ".state" / "fuseki-password")


def read_publisher_password() -> str | None:
    """The publisher's password (the live store's writer), from the review service's home
    or as ``catalogue/bin/up`` hands it over; never from a plain environment variable."""
    return _read(os.environ.get("FIVESTAR_FUSEKI_PUBLISHER_PASSWORD_FILE")
                 or ROOT / "catalogue" / ".state" / "fuseki-publisher-password")


def _read(path: str | Path) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def publisher_store(**kwargs: Any) -> FusekiStore:
    """The store with the publisher's login: what makes graphs live or takes them down."""
    return FusekiStore(user=os.environ.get("FIVESTAR_FUSEKI_PUBLISHER_USER", PUBLISHER_USER),
                       password=read_publisher_password() or "", **kwargs)


class FusekiStore:
    """Query the live store anonymously; write with the login given (the pipeline's by
    default: drafts only; :func:`publisher_store` for the live store)."""

    def __init__(self, url: str | None = None, *, user: str | None = None,
                 password: str | None = None, session: requests.Session | None = None,
                 timeout: float = 600) -> None:
        self.url = (url or store_url()).rstrip("/")
        self.session = session or requests.Session()
        self.auth = None
        password = password if password is not None else read_password()
        if password:
            self.auth = (user or os.environ.get("FIVESTAR_FUSEKI_USER", PIPELINE_USER),
                         password)
        self.timeout = timeout

    # ---------------------------------------------------------------- reads
    def select(self, query: str, dataset: str = LIVE) -> list[dict[str, str]]:
        """SPARQL SELECT -> rows of {variable: value} (values as plain strings)."""
        body = self._post(f"{dataset}/sparql", data={"query": query},
                          headers={"Accept": "application/sparql-results+json"},
                          auth=self.auth if dataset != LIVE else None).json()
        return [{k: v["value"] for k, v in b.items()} for b in body["results"]["bindings"]]

    def construct(self, query: str, accept: str = "application/n-triples",
                  dataset: str = LIVE) -> bytes:
        return self._post(f"{dataset}/sparql", data={"query": query},
                          headers={"Accept": accept},
                          auth=self.auth if dataset != LIVE else None).content

    def count(self, graph: str, dataset: str = LIVE, pattern: str = "?s ?p ?o") -> int:
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ {pattern} }} }}",
                           dataset)
        return int(rows[0]["n"])

    def graphs(self, fragment: str, dataset: str = LIVE) -> list[str]:
        """The named graphs whose name contains ``fragment``."""
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } "
                           f"FILTER(CONTAINS(STR(?g), \"{_escape(fragment)}\")) }}", dataset)
        return sorted(r["g"] for r in rows)

    @contextlib.contextmanager
    def open_graph(self, graph: str, dataset: str = DRAFT) -> Iterator[IO[bytes]]:
        """One named graph as N-Triples, a stream to read (Graph Store Protocol GET),
        never held whole in memory."""
        path = f"{dataset}/data" if dataset != LIVE else f"{dataset}/get"
        resp = self._request("GET", path, params={"graph": graph}, stream=True,
                             headers={"Accept": "application/n-triples"},
                             auth=self.auth if dataset != LIVE else None)
        with resp:
            resp.raw.decode_content = True
            yield resp.raw

    # --------------------------------------------------------------- writes
    def put_graph(self, graph: str, data: Iterable[bytes] | bytes, dataset: str = DRAFT,
                  media_type: str = "application/n-triples") -> None:
        """Replace one named graph (Graph Store Protocol PUT: one transaction)."""
        self._send("PUT", f"{dataset}/data", params={"graph": graph}, data=data,
                   headers={"Content-Type": media_type})

    def add_to_graph(self, graph: str, data: bytes, dataset: str = DRAFT,
                     media_type: str = "application/n-triples") -> None:
        """Add triples to one named graph (Graph Store Protocol POST)."""
        self._send("POST", f"{dataset}/data", params={"graph": graph}, data=data,
                   headers={"Content-Type": media_type})

    def update(self, update: str | Iterable[bytes], dataset: str = LIVE) -> None:
        """One SPARQL Update request: Fuseki runs it as one TDB2 write transaction."""
        self._send("POST", f"{dataset}/update", data=update,
                   headers={"Content-Type": "application/sparql-update"})

    def patch(self, patch: bytes | Iterable[bytes], dataset: str = LIVE) -> None:
        """One RDF Patch request (``A``/``D`` quad rows): Fuseki applies the whole body in
        one TDB2 write transaction, parsing it with RIOT's tokenizer (measured about twice
        as fast as the same triples in a SPARQL ``INSERT DATA``)."""
        self._send("POST", f"{dataset}/patch", data=patch,
                   headers={"Content-Type": "application/rdf-patch"})

    def drop(self, graphs: Iterable[str], dataset: str = LIVE) -> None:
        ops = [f"DROP SILENT GRAPH <{g}>" for g in graphs]
        if ops:
            self.update(" ;\n".join(ops), dataset)

    # ------------------------------------------------------------- plumbing
    def _post(self, path: str, *, auth: Any = None, **kwargs: Any) -> requests.Response:
        return self._request("POST", path, auth=auth, **kwargs)

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        if self.auth is None:
            raise StoreError("no password for the triple store: set FIVESTAR_FUSEKI_PASSWORD "
                             "or FIVESTAR_FUSEKI_PASSWORD_FILE (catalogue/bin/up writes one)")
        return self._request(method, path, auth=self.auth, **kwargs)

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            resp = self.session.request(method, f"{self.url}/{path}", timeout=self.timeout,
                                        **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise StoreError(f"triple store unreachable at {self.url} "
                             f"({type(exc).__name__})") from None
        if resp.status_code >= 400:
            # Fuseki (Jetty) drops the connection after refusing a request whose body it
            # did not read, without saying `Connection: close`; reused, that connection
            # fails the next request as "unreachable" (about one in twenty after a 403,
            # measured). So a refusal retires the pooled connections with it.
            resp.close()
            self.session.close()
            raise StoreError(f"triple store refused {method} /{path}: HTTP {resp.status_code} "
                             f"{resp.text[:300].strip()}")
        return resp


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def insert_data(graph: str, ntriples: Iterable[bytes], prefix: str = "") -> Iterator[bytes]:
    """A SPARQL Update body ``prefix INSERT DATA { GRAPH <g> { ...N-Triples... } }``, streamed.

    N-Triples lines are valid SPARQL quad data as they are, so a release file is sent
    without being parsed or held in memory.
    """
    yield f"{prefix}INSERT DATA {{ GRAPH <{graph}> {{\n".encode()
    yield from ntriples
    yield b"\n} }\n"


def patch_add(graph: str, ntriples: Iterable[bytes], batch: int = 1 << 20) -> Iterator[bytes]:
    """An RDF Patch adding N-Triples to ``graph``, ``A s p o <graph> .`` a line, streamed in
    blocks of about ``batch`` bytes (each line's final `` .`` becomes the graph and `` .``;
    nothing is parsed, nothing held).

    Blank nodes are refused: a patch names a blank node by its label, so ``_:b1`` in two
    releases would be one node (``INSERT DATA``, which makes fresh ones, is the path for
    them). fivestar's converter writes none.
    """
    tail = f" <{graph}> .\n".encode()
    out: list[bytes] = []
    size = 0
    for line in _complete_lines(ntriples):
        s = line.strip()
        if not s or s.startswith(b"#"):
            continue
        if not s.endswith(b"."):
            raise StoreError(f"not an N-Triples line (no final '.'): {s[:80]!r}")
        q = s.find(b'"')
        if s.startswith(b"_:") or b" _:" in (s if q < 0 else s[:q]):
            raise StoreError("a blank node in N-Triples sent as an RDF Patch")
        out.append(b"A " + s[:-1].rstrip() + tail)
        size += len(s)
        if size >= batch:
            yield b"".join(out)
            out, size = [], 0
    if out:
        yield b"".join(out)


def has_blank_nodes(ntriples: bytes) -> bool:
    """Whether an N-Triples text (one line a triple) names a blank node."""
    for line in ntriples.splitlines():
        q = line.find(b'"')
        if line.startswith(b"_:") or b" _:" in (line if q < 0 else line[:q]):
            return True
    return False


def _complete_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Lines from byte chunks that may split a line anywhere."""
    rest = b""
    for chunk in chunks:
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        yield from lines
    if rest:
        yield rest
