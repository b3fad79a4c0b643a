"""What a member of the public gets besides the files, checked as they would get it
(anonymously): every URI the dataset publishes resolves through the linked-data front
(the dataset, its series, code lists and their concepts, /def/ terms, published files, a
sample of its observations/records; and none of them, members included, is left
undescribed in the live store), SPARQL counts one observation/record per CSV row, and the
DataStore API serves every row. ``make demo`` ends with this for every bundled dataset."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from pipelines.contracts.manifest import Manifest
from pipelines.errors import FivestarError
from pipelines.linkeddata.store import FusekiStore, service_port
from pipelines.spec.linked_data import DEFAULT_BASE_URI


@dataclass(frozen=True)
class PublicSide:
    linked_data: str
    sparql_rows: int
    datastore_rows: int
    #: how many of its URIs were dereferenced on the front (all resolved)
    uris_resolved: int = 0


def front_url() -> str:
    return f"http://127.0.0.1:{service_port('LINKEDDATA', 8090)}"


def check(manifest: Manifest, ckan_url: str, front: str | None = None,
          store: FusekiStore | None = None) -> PublicSide:
    cat = manifest["catalogue"]
    uri, name = cat["uri"], cat["name"]
    front = (front or front_url()).rstrip("/")
    rows = next(int(f["rows"]) for f in manifest["files"]
                if f.get("role") == "data" and "rows" in f)
    problems = []
    path = "/id/" + uri.split("/id/", 1)[1]
    first = requests.get(front + path, allow_redirects=False, timeout=30)
    doc = front + first.headers.get("location", "")
    if first.status_code != 303 or requests.get(
            doc, headers={"Accept": "text/turtle"}, timeout=30).status_code != 200:
        problems.append(f"{path} does not resolve (HTTP {first.status_code})")
    store = store or FusekiStore(password="")
    got = store.select("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { "
                       f"{{ ?s <http://purl.org/linked-data/cube#dataSet> <{uri}> }} UNION "
                       f"{{ ?s <http://purl.org/dc/terms/isPartOf> <{uri}> }} }}")
    sparql = int(got[0]["n"])
    if sparql != rows:
        problems.append(f"SPARQL finds {sparql} observations/records for {rows} CSV rows")
    api = f"{ckan_url.rstrip('/')}/api/3/action"
    pkg = requests.get(f"{api}/package_show", params={"id": name}, timeout=30).json()["result"]
    csv = next(r for r in pkg["resources"] if r.get("datastore_active"))
    total = requests.get(f"{api}/datastore_search", params={"resource_id": csv["id"],
                                                            "limit": 0},
                         timeout=30).json()["result"]["total"]
    if total != rows:
        problems.append(f"the DataStore serves {total} rows for {rows} CSV rows")
    checked, broken = unresolved(store, name, uri, front)
    problems.extend(broken[:10])
    if problems:
        raise FivestarError(f"{name}: " + "; ".join(problems))
    return PublicSide(doc, sparql, total, checked)


#: Observations/records dereferenced over HTTP per dataset (every one is checked by SPARQL).
MEMBER_SAMPLE = 25


def bases_of(dataset_uri: str) -> list[str]:
    """The bases the front serves that the dataset's URIs can be under: its own, and the
    department's default (code lists are the user's Turtle, with the URIs written in it)."""
    return list(dict.fromkeys([dataset_uri.rsplit("/id/", 1)[0], DEFAULT_BASE_URI]))


def _under(bases: list[str], kinds: tuple[str, ...] = ("id", "def", "doc")) -> str:
    return "(" + " || ".join(f'STRSTARTS(STR(?u), "{b}/{k}/")'
                             for b in bases for k in kinds) + ")"


def published_uris(store: FusekiStore, dataset: str, dataset_uri: str,
                   sample: int = MEMBER_SAMPLE) -> tuple[list[str], list[str]]:
    """The URIs under a served base (:func:`bases_of`) that the dataset's live graphs (its
    release and its series) use, as subject, predicate or object: every one but the
    observations/records, and a spread sample of those. Returns (uris, undescribed):
    ``undescribed`` are the /id/ and /def/ URIs that nothing in the live store describes
    (checked for all of them, members included, by one query), so they cannot resolve."""
    bases = bases_of(dataset_uri)
    base = bases[0]
    graphs = (f'FILTER(CONTAINS(STR(?g), "/graph/{dataset}/") '
              f'|| STR(?g) = "{base}/graph/{dataset}-series")')
    member = (f"{{ ?u <http://purl.org/linked-data/cube#dataSet> <{dataset_uri}> }} UNION "
              f"{{ ?u <http://purl.org/dc/terms/isPartOf> <{dataset_uri}> }}")
    used = (f"GRAPH ?g {{ {{ ?u ?p ?o }} UNION {{ ?s ?u ?o }} UNION {{ ?s ?p ?u }} }} {graphs} "
            f"FILTER(isIRI(?u) && {_under(bases)})")
    others = store.select(f"SELECT DISTINCT ?u WHERE {{ {used} FILTER NOT EXISTS {{ {member} }} }}")
    members = store.select(f"SELECT ?u WHERE {{ {{ SELECT DISTINCT ?u WHERE {{ {member} }} }} }} "
                           f"ORDER BY MD5(STR(?u)) LIMIT {int(sample)}")
    undescribed = store.select(
        f"SELECT DISTINCT ?u WHERE {{ {used} FILTER({_under(bases, ('id', 'def'))}) "
        "FILTER NOT EXISTS { ?u ?anyp ?anyo } } LIMIT 100")
    uris = sorted({r["u"].split("#", 1)[0] for r in others + members})
    return uris, sorted(r["u"] for r in undescribed)


def unresolved(store: FusekiStore, dataset: str, dataset_uri: str, front: str | None = None,
               sample: int = MEMBER_SAMPLE,
               session: requests.Session | None = None) -> tuple[int, list[str]]:
    """How many of the dataset's URIs were dereferenced, and every one that does not
    resolve on the linked-data front, with why: ``/id/`` must answer 303 then 200 (a
    Turtle document), ``/def/`` 200, ``/doc/`` (a published file) a redirect to a download
    that answers 200."""
    front = (front or front_url()).rstrip("/")
    bases = bases_of(dataset_uri)
    http = session or requests.Session()
    uris, undescribed = published_uris(store, dataset, dataset_uri, sample)
    problems = [f"{u}: nothing in the live store describes it" for u in undescribed]
    for uri in uris:
        if uri in undescribed:
            continue
        path = uri[len(next(b for b in bases if uri.startswith(b + "/"))):]
        first = http.get(front + path, headers={"Accept": "text/turtle"},
                         allow_redirects=False, timeout=30)
        if path.startswith("/id/"):
            if first.status_code != 303:
                problems.append(f"{uri}: {path} answered {first.status_code}, not 303")
                continue
            first = http.get(front + first.headers["location"],
                             headers={"Accept": "text/turtle"}, timeout=30)
        elif path.startswith("/doc/"):
            if first.status_code not in (301, 302, 303, 307, 308):
                problems.append(f"{uri}: {path} answered {first.status_code}, not a redirect "
                                "to its download")
                continue
            first = http.head(first.headers["location"], allow_redirects=True, timeout=60)
            if first.status_code != 200:
                problems.append(f"{uri}: its download answered {first.status_code}")
            continue
        if first.status_code != 200:
            problems.append(f"{uri}: {path} document answered {first.status_code}")
        elif len(first.content) == 0:
            problems.append(f"{uri}: {path} document is empty")
    return len(uris), problems
