"""What a member of the public gets besides the files, checked as they would get it
(anonymously): the dataset's URI resolves through the linked-data front, SPARQL counts
one observation/record per CSV row, and the DataStore API serves every row. ``make demo``
ends with this for every bundled dataset."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from pipelines.errors import FivestarError
from pipelines.linkeddata.store import FusekiStore, service_port


@dataclass(frozen=True)
class PublicSide:
    linked_data: str
    sparql_rows: int
    datastore_rows: int


def front_url() -> str:
    return f"http://127.0.0.1:{service_port('LINKEDDATA', 8090)}"


def check(manifest: dict[str, Any], ckan_url: str, front: str | None = None,
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
    if problems:
        raise FivestarError(f"{name}: " + "; ".join(problems))
    return PublicSide(doc, sparql, total)
