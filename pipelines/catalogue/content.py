"""The public's side of a publication, called from :mod:`pipelines.publish` by two hooks.

``prepare`` runs once every file is in CKAN and verified, while the dataset is still
private: it loads the CSV's rows into the DataStore (typed by the Table Schema) and loads
the release into the triple store's *draft* store, verifying both. Any failure raises, so
the dataset stays private (fail closed). The switch to public puts the resources in
reading order. ``go_live`` runs after CKAN has made the dataset public and switches the
release's graph live in one transaction, then replaces the series' description in its
own live graph (:mod:`pipelines.catalogue.series`; read from CKAN then: the review
service makes or updates the series record at the switch). ``withdraw`` removes the
release's graphs from the store (the series stays, as in CKAN); ``remove_series`` removes a
series' graph.

Set ``FIVESTAR_LINKED_DATA=off`` only where no triple store exists (the publication then
has no resolving URIs; it is logged).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ckanapi

from pipelines.catalogue import datastore, series
from pipelines.linkeddata import load as linked
from pipelines.linkeddata.store import LIVE, FusekiStore

log = logging.getLogger("fivestar.publish")


@dataclass(frozen=True)
class Prepared:
    """What ``prepare`` left ready for ``go_live``."""

    drafted: linked.DraftRelease | None
    datastore_loaded: tuple[str, ...] = ()
    #: the series' live graph, for a periodic dataset (its description is read at go-live)
    series_graph: str | None = None


def linked_data_store() -> FusekiStore | None:
    if os.environ.get("FIVESTAR_LINKED_DATA", "on").lower() in ("off", "0", "false", "no"):
        log.warning("FIVESTAR_LINKED_DATA=off: the release is not loaded into the triple store")
        return None
    return FusekiStore()


def prepare(client: ckanapi.RemoteCKAN, pkg: dict, release_dir: Path,
            manifest: dict[str, Any], release_id: str,
            store: FusekiStore | None = None) -> Prepared:
    by_name = {r["name"]: r for r in pkg.get("resources", [])}
    loaded = []
    for f in manifest["files"]:
        if f.get("role") == "data" and f.get("media_type") == "text/csv" \
                and f["path"] in by_name \
                and datastore.load(client, by_name[f["path"]], release_dir, manifest, f):
            loaded.append(f["path"])
    drafted = linked.draft(store, release_dir, manifest, release_id) if store else None
    cat = manifest["catalogue"]
    if store is None or not series.is_periodic(cat):
        return Prepared(drafted, tuple(loaded))
    return Prepared(drafted, tuple(loaded),
                    series.series_graph(linked.base_of(cat["uri"]), cat["name"]))


def go_live(prepared: Prepared, store: FusekiStore | None, client: ckanapi.RemoteCKAN,
            manifest: dict[str, Any]) -> None:
    if store is None:
        return
    if prepared.drafted is not None:
        linked.go_live(store, prepared.drafted)
    if prepared.series_graph:
        store.put_graph(prepared.series_graph,
                        series.description(client, manifest["catalogue"]), LIVE)


def withdraw(dataset_uri: str | None, dataset_id: str, store: FusekiStore | None = None) -> None:
    """Take the dataset's linked data out of the live store (withdrawal)."""
    store = store if store is not None else linked_data_store()
    if store is None or not dataset_uri:
        return
    dropped = linked.withdraw(store, dataset_uri, dataset_id)
    log.info("linked data: %s withdrawn (%d graph(s) dropped)", dataset_id, len(dropped))


def remove_series(series_uri: str | None, dataset_id: str,
                  store: FusekiStore | None = None) -> None:
    """Take a series' description out of the live store (its record is being deleted)."""
    store = store if store is not None else linked_data_store()
    if store is None or not series_uri:
        return
    base = linked.base_of(series_uri.removesuffix("/series"))
    store.drop([series.series_graph(base, dataset_id)], LIVE)
