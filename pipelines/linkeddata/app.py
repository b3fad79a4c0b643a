"""The linked-data front: fivestar's URIs answered as "Designing URI sets for the UK public
sector" asks (FastAPI, its own process, started by ``catalogue/bin/up``).

* ``/id/{path}`` — a thing (an observation, a record, a dataset): **303 See Other** to
  ``/doc/{path}``, the document about it (404 if the store knows nothing of it);
* ``/doc/{path}`` — that document, by content negotiation (``Accept``, or ``?_format=``):
  Turtle, N-Triples, JSON-LD, RDF/XML, or an HTML page a person can read (labels, an
  observation's dimensions, measures and attributes, links onward, the dataset it belongs
  to). A ``/doc/{dataset}/{file}`` that names a published file redirects to its download
  in the catalogue (the DCAT metadata's download URLs);
* ``/def/{path}`` — vocabularies and code lists (a scheme with its concepts), the same way.

Everything is read from the *live* store through its public, read-only SPARQL endpoint,
so only published releases are ever shown. URIs are looked up under ``FIVESTAR_BASE_URI``
(locally the front's own address) and under the department's default base, so data
converted with either resolves; links under a served base are shown as local links.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from rdflib import RDF, RDFS, Graph, Literal, URIRef

from pipelines.ckan_resource import ckan_url
from pipelines.linkeddata.store import FusekiStore, StoreError, service_port
from pipelines.spec.linked_data import DEFAULT_BASE_URI

TEMPLATES = Path(__file__).parent / "templates"
QB = "http://purl.org/linked-data/cube#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
LABELS = (f"{SKOS}prefLabel", str(RDFS.label), f"{DCT}title", "http://xmlns.com/foaf/0.1/name")
#: media type -> (rdflib format, file suffix)
FORMATS = {
    "text/turtle": ("turtle", "ttl"),
    "application/n-triples": ("nt", "nt"),
    "application/ld+json": ("json-ld", "jsonld"),
    "application/rdf+xml": ("xml", "rdf"),
    "text/html": ("html", "html"),
}
BY_SUFFIX = {suffix: mt for mt, (_, suffix) in FORMATS.items()}
ROLES = ((f"{QB}DimensionProperty", "Dimensions"), (f"{QB}MeasureProperty", "Measures"),
         (f"{QB}AttributeProperty", "Attributes"))
#: Members shown with a scheme or vocabulary (/def/), at most this many.
MAX_MEMBERS = 2000


def negotiate(accept: str | None, requested: str | None) -> str | None:
    """The media type to answer with, or None if nothing acceptable is offered.

    ``?_format=ttl`` wins; otherwise the Accept header's highest q-value we offer
    (HTML for browsers and for ``*/*``)."""
    if requested:
        return BY_SUFFIX.get(requested.lower().lstrip("."))
    if not accept:
        return "text/html"
    best, best_q = None, 0.0
    for order, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        mt, q = fields[0].lower(), 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if mt in ("application/xhtml+xml",):
            mt = "text/html"
        if mt in ("*/*", "text/*"):
            mt = "text/html" if mt == "*/*" else "text/turtle"
            q -= 0.0001  # an explicit type at the same q wins
        if mt in FORMATS and (q > best_q or (q == best_q and best is None)):
            best, best_q = mt, q - order * 1e-9
    return best


class Front:
    """What the routes need: the store, the bases served, where the catalogue is."""

    def __init__(self, store: FusekiStore, bases: list[str], ckan_url: str,
                 sparql_url: str) -> None:
        self.store, self.bases = store, bases
        self.ckan_url, self.sparql_url = ckan_url.rstrip("/"), sparql_url

    def find(self, path: str) -> str | None:
        """The first served base under which ``path`` names something the store describes."""
        for base in self.bases:
            uri = base + path
            rows = self.store.select(f"ASK {{ <{uri}> ?p ?o }}".replace("ASK", "SELECT ?p WHERE",
                                                                       1) + " LIMIT 1")
            if rows:
                return uri
        return None

    def describe(self, uri: str, members: bool) -> Graph:
        """The resource's own triples, the labels of what it links to, and (for /def/) its
        members with their labels."""
        q = f"""
        CONSTRUCT {{ <{uri}> ?p ?o . ?o ?lp ?label . ?p ?plp ?plabel . ?p a ?ptype . }}
        WHERE {{
          <{uri}> ?p ?o .
          OPTIONAL {{ ?o ?lp ?label . VALUES ?lp {{ {' '.join(f'<{x}>' for x in LABELS)} }} }}
          OPTIONAL {{ ?p ?plp ?plabel . VALUES ?plp {{ <{RDFS.label}> <{SKOS}prefLabel> }} }}
          OPTIONAL {{ ?p a ?ptype . }}
        }}"""
        g = Graph()
        g.parse(data=self.store.construct(q), format="nt")
        if members:
            mq = f"""
            CONSTRUCT {{ ?m ?rel <{uri}> . ?m ?lp ?label . ?m <{SKOS}notation> ?n . }}
            WHERE {{ {{ SELECT DISTINCT ?m ?rel WHERE {{
                       ?m ?rel <{uri}> .
                       VALUES ?rel {{ <{SKOS}inScheme> <{RDFS.isDefinedBy}> <{SKOS}topConceptOf> }}
                     }} LIMIT {MAX_MEMBERS} }}
                     OPTIONAL {{ ?m ?lp ?label .
                                 VALUES ?lp {{ <{SKOS}prefLabel> <{RDFS.label}> }} }}
                     OPTIONAL {{ ?m <{SKOS}notation> ?n }} }}"""
            g.parse(data=self.store.construct(mq), format="nt")
        for prefix, ns in (("qb", QB), ("skos", SKOS), ("dcterms", DCT), ("rdfs", str(RDFS)),
                           ("sdmx-attribute", "http://purl.org/linked-data/sdmx/2009/attribute#"),
                           ("dcat", "http://www.w3.org/ns/dcat#")):
            g.bind(prefix, ns)
        return g

    def local(self, iri: str) -> str:
        """An IRI under a served base as a link to this front; others unchanged."""
        for base in self.bases:
            if iri.startswith(base + "/"):
                return iri[len(base):]
        return iri

    def download(self, path: str) -> str | None:
        """``dataset/file`` -> the catalogue's download URL of that published file."""
        dataset, _, name = path.partition("/")
        if not name or "/" in name:
            return None
        try:
            resp = requests.get(f"{self.ckan_url}/api/3/action/package_show",
                                params={"id": dataset}, timeout=30)
        except requests.RequestException:
            return None
        if resp.status_code != 200:
            return None
        for res in resp.json()["result"].get("resources", []):
            if res.get("name") == name:
                return res.get("url")
        return None


def _label(g: Graph, node: Any) -> str | None:
    """The node's label: English (or untagged) first, then any."""
    found = [o for p in LABELS for o in g.objects(node, URIRef(p)) if isinstance(o, Literal)]
    found.sort(key=lambda o: o.language not in (None, "en"))
    return str(found[0]) if found else None


def _page(front: Front, g: Graph, uri: str, kind: str) -> dict[str, Any]:
    """What the HTML template shows: grouped property rows, links, dataset, members."""
    subject = URIRef(uri)

    def term(o: Any) -> dict[str, Any]:
        if isinstance(o, URIRef):
            return {"href": front.local(str(o)), "text": _label(g, o) or str(o), "iri": str(o)}
        return {"text": str(o), "datatype": str(o.datatype).rsplit("#", 1)[-1]
                if isinstance(o, Literal) and o.datatype else None,
                "lang": o.language if isinstance(o, Literal) else None}

    groups: dict[str, list[dict[str, Any]]] = {name: [] for _, name in ROLES}
    groups["Properties"] = []
    for p in sorted(set(g.predicates(subject)), key=str):
        if p == RDF.type:
            continue
        types = {str(t) for t in g.objects(p, RDF.type)}
        group = next((name for cls, name in ROLES if cls in types), "Properties")
        groups[group].append({"property": term(p) | {"text": _label(g, p) or _curie(g, p)},
                              "objects": [term(o) for o in sorted(g.objects(subject, p), key=str)]})
    dataset = next((o for p in (URIRef(f"{QB}dataSet"), URIRef(f"{DCT}isPartOf"))
                    for o in g.objects(subject, p)), None)
    members = sorted((term(m) | {"notation": str(next(g.objects(m, URIRef(f"{SKOS}notation")),
                                                      ""))}
                      for m in set(g.subjects(None, subject)) if m != subject),
                     key=lambda t: t["text"])
    label = _label(g, subject)
    if label is None and groups["Dimensions"]:  # an observation: named by where it sits
        label = ", ".join(row["objects"][0]["text"] for row in groups["Dimensions"]
                          if row["objects"])
    return {
        "uri": uri, "kind": kind, "label": label or uri.rsplit("/", 1)[-1],
        "types": [term(t) | {"text": _label(g, t) or _curie(g, t)}
                  for t in sorted(g.objects(subject, RDF.type), key=str)],
        "groups": [(name, rows) for name, rows in groups.items() if rows],
        "dataset": term(dataset) if dataset is not None else None,
        "members": members, "sparql": front.sparql_url,
        "formats": [(mt, suffix) for mt, (_, suffix) in FORMATS.items() if suffix != "html"],
    }


def _curie(g: Graph, iri: Any) -> str:
    try:
        return g.namespace_manager.normalizeUri(iri)
    except ValueError:  # pragma: no cover - rdflib refuses some IRIs
        return str(iri)


def create_app(front: Front | None = None) -> FastAPI:
    """The app (``uvicorn --factory pipelines.linkeddata.app:create_app``)."""
    if front is None:
        own = f"http://127.0.0.1:{service_port('LINKEDDATA', 8090)}"
        base = (os.environ.get("FIVESTAR_BASE_URI") or own).rstrip("/")
        store = FusekiStore(password="")
        front = Front(store, list(dict.fromkeys([base, DEFAULT_BASE_URI])),
                      ckan_url(),
                      f"{store.url}/fivestar/sparql")
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())
    app = FastAPI(title="fivestar linked data", docs_url=None, redoc_url=None,
                  openapi_url=None)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        try:
            front.store.select("SELECT * WHERE { } LIMIT 1")
        except StoreError as exc:
            return JSONResponse({"status": "store unreachable", "detail": str(exc)}, 503)
        return JSONResponse({"status": "ok"})

    @app.get("/id/{path:path}")
    def thing(path: str) -> Response:
        if front.find(f"/id/{path}") is None:
            return _not_found(env, f"/id/{path}")
        return RedirectResponse(f"/doc/{quote(path, safe='/%')}", status_code=303,
                                headers={"Vary": "Accept"})

    @app.get("/doc/{path:path}")
    def document(path: str, request: Request) -> Response:
        uri = front.find(f"/id/{path}")
        if uri is None:
            url = front.download(path)
            if url:
                return RedirectResponse(url, status_code=302)
            return _not_found(env, f"/doc/{path}")
        return _answer(env, front, request, uri, "thing", members=False)

    @app.get("/def/{path:path}")
    def definition(path: str, request: Request) -> Response:
        uri = front.find(f"/def/{path}")
        if uri is None:
            return _not_found(env, f"/def/{path}")
        return _answer(env, front, request, uri, "definition", members=True)

    return app


def _answer(env: Environment, front: Front, request: Request, uri: str, kind: str,
            members: bool) -> Response:
    mt = negotiate(request.headers.get("accept"), request.query_params.get("_format"))
    if mt is None:
        return Response("Not Acceptable: offered text/html, text/turtle, application/n-triples,"
                        " application/ld+json, application/rdf+xml\n", 406,
                        media_type="text/plain")
    g = front.describe(uri, members)
    headers = {"Vary": "Accept", "Access-Control-Allow-Origin": "*"}
    if mt == "text/html":
        html = env.get_template("resource.html").render(**_page(front, g, uri, kind))
        return Response(html, media_type="text/html; charset=utf-8", headers=headers)
    fmt = FORMATS[mt][0]
    kwargs: dict[str, Any] = {"auto_compact": True} if fmt == "json-ld" else {}
    body = g.serialize(format=fmt, encoding="utf-8", **kwargs)
    media = mt if fmt != "turtle" else "text/turtle; charset=utf-8"
    return Response(body, media_type=media, headers=headers)


def _not_found(env: Environment, path: str) -> Response:
    return Response(env.get_template("not_found.html").render(path=path), 404,
                    media_type="text/html; charset=utf-8")
