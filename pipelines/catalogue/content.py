"""The public's side of a publication, called from :mod:`pipelines.publish` by two hooks.

``prepare`` runs once every file is in CKAN and verified, while the dataset is still
private: it loads the release into the triple store's *draft* store with the pipeline's
login, verifying it, and (only when the caller is the catalogue's publisher) the CSV's rows
into the DataStore, typed by the Table Schema. With a review service the service loads the
DataStore at its switch, from the approved files (``load_tables``): the catalogue refuses
DataStore writes by any other account. Any failure raises, so the dataset stays private
(fail closed). The switch to public puts the resources in reading order.

The linked data goes live by the **publisher's** login only (the pipeline's is refused on
the live store): ``checked_linked_data`` compares the draft graph with the approved RDF
(:mod:`pipelines.linkeddata.release`), before the switch, and ``go_live`` puts the
approved copy live in one transaction after it, then replaces the series' description in
its own live graph (:mod:`pipelines.catalogue.series`, read from CKAN then). With a review
service the service does both around its own switch (``Authority.switch``); without one
the caller is the catalogue's publisher and :mod:`pipelines.publish` calls them.
``withdraw`` removes the release's graphs from the store (the series stays, as in CKAN);
``remove_series`` removes a series' graph; both need the publisher's login too.

Set ``FIVESTAR_LINKED_DATA=off`` only where no triple store exists (the publication then
has no resolving URIs; it is logged), and the same for the pipeline and the review
service: a release the pipeline did not draft is refused by a service that puts linked
data live (``linked-not-drafted``, saying so).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ckanapi

from pipelines.catalogue import datastore, series
from pipelines.contracts.manifest import Manifest
from pipelines.linkeddata import load as linked
from pipelines.linkeddata import release as linked_release
from pipelines.linkeddata.store import LIVE, FusekiStore, publisher_store

log = logging.getLogger("fivestar.publish")


@dataclass(frozen=True)
class Prepared:
    """What ``prepare`` left ready for the switch."""

    drafted: linked.DraftRelease | None


def linked_data_store(*, publisher: bool = False) -> FusekiStore | None:
    """The triple store with the pipeline's login (drafts), or the publisher's (live)."""
    if os.environ.get("FIVESTAR_LINKED_DATA", "on").lower() in ("off", "0", "false", "no"):
        log.warning("FIVESTAR_LINKED_DATA=off (%s): the release goes public without linked "
                    "data (no triple store is written or checked). The pipeline and the "
                    "review service must agree: with it off on one side only, the service "
                    "refuses the switch (linked-not-drafted) or a drafted release never goes "
                    "live; set it the same on both", "review service" if publisher
                    else "pipeline")
        return None
    return publisher_store() if publisher else FusekiStore()


def load_tables(client: ckanapi.RemoteCKAN, resources: list[dict], release_dir: Path,
                manifest: Manifest) -> tuple[str, ...]:
    """Every CSV of the release among ``resources`` loaded into its DataStore table (by the
    catalogue's publisher account: nobody else may write the DataStore); their paths."""
    return tuple(f["path"] for r, f in datastore.tables(manifest, resources)
                 if datastore.load(client, r, release_dir, manifest, f))


def prepare(client: ckanapi.RemoteCKAN, pkg: dict, release_dir: Path,
            manifest: Manifest, release_id: str,
            store: FusekiStore | None = None, *, tables: bool = True) -> Prepared:
    """The DataStore loaded (``tables``: ``client`` is the catalogue's publisher; with a
    review service the service loads them at its switch) and the linked data drafted."""
    if tables:
        load_tables(client, pkg.get("resources", []), release_dir, manifest)
    drafted = linked.draft(store, release_dir, manifest, release_id) if store else None
    return Prepared(drafted)


@contextlib.contextmanager
def checked_linked_data(store: FusekiStore | None, release_dir: Path,
                        manifest: Manifest, release_id: str
                        ) -> Iterator[linked_release.Approved | None]:
    """The release's draft graph compared with its approved RDF (refused if it differs);
    what ``go_live`` makes live, inside the ``with`` block."""
    if store is None:
        yield None
        return
    with linked_release.checked(store, release_dir, manifest, release_id) as approved:
        yield approved


def go_live(approved: linked_release.Approved | None, store: FusekiStore | None,
            client: ckanapi.RemoteCKAN, manifest: Manifest) -> None:
    """After the switch: the approved graph live, then the series' description."""
    if store is None:
        return
    if approved is not None:
        linked_release.make_live(store, approved)
    cat = manifest["catalogue"]
    if series.is_periodic(cat) and cat.get("uri"):
        store.put_graph(series.series_graph(linked.base_of(cat["uri"]), cat["name"]),
                        series.description(client, cat), LIVE)


def withdraw(dataset_uri: str | None, dataset_id: str, store: FusekiStore | None = None) -> None:
    """Take the dataset's linked data out of the live store (withdrawal)."""
    store = store if store is not None else linked_data_store(publisher=True)
    if store is None or not dataset_uri:
        return
    dropped = linked.withdraw(store, dataset_uri, dataset_id)
    log.info("linked data: %s withdrawn (%d graph(s) dropped)", dataset_id, len(dropped))


def remove_series(series_uri: str | None, dataset_id: str,
                  store: FusekiStore | None = None) -> None:
    """Take a series' description out of the live store (its record is being deleted)."""
    store = store if store is not None else linked_data_store(publisher=True)
    if store is None or not series_uri:
        return
    base = linked.base_of(series_uri.removesuffix("/series"))
    store.drop([series.series_graph(base, dataset_id)], LIVE)
