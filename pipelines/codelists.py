"""SKOS code lists: the one loader validation, disclosure control and conversion share.

A Table Schema field carrying ``"codelist": "<stem>"`` names ``<stem>.ttl`` in
the user's vocabularies folder (``FIVESTAR_VOCABULARIES_DIR``, default
``vocabularies/``), a file holding exactly one ``skos:ConceptScheme``. A value
is valid when it equals a concept's ``skos:notation``; its URI is read from the
file, never constructed, so the data links to exactly the concepts published
beside it. ``skos:broader`` / ``skos:narrower`` give the hierarchy disclosure
control adds up along.

The redaction verifier keeps its own deliberately independent reader
(:mod:`pipelines.redaction.verify`), so one bug here cannot both build and pass
a wrong hierarchy.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import RDF, SKOS, Graph, URIRef

from pipelines import paths
from pipelines.errors import CodeListError, Location, Problem


@dataclass(frozen=True)
class CodeList:
    stem: str
    path: Path
    scheme: str
    #: notation → concept URI
    concepts: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    #: every (child, parent) notation pair the file states, by ``skos:broader`` or the
    #: inverse ``skos:narrower``, sorted; kept as pairs, not a mapping, so a code with two
    #: parents stays visible to whoever needs a tree (disclosure control refuses it)
    broader: tuple[tuple[str, str], ...] = ()

    def template(self) -> str | None:
        """A ``{value}`` URI template when every concept URI is ``prefix + notation``."""
        prefixes = {uri[: -len(n)] for n, uri in self.concepts.items() if uri.endswith(n)}
        if len(prefixes) == 1 and all(uri.endswith(n) for n, uri in self.concepts.items()):
            return prefixes.pop() + "{value}"
        return None


def codelist_path(stem: str, vocab_dir: Path | None = None) -> Path:
    return (vocab_dir or paths.VOCABULARIES_DIR) / f"{stem}.ttl"


@lru_cache(maxsize=32)
def _load(path: Path, mtime: float) -> CodeList:
    g = Graph()
    g.parse(path, format="turtle")
    schemes = sorted(str(s) for s in g.subjects(RDF.type, SKOS.ConceptScheme))
    if len(schemes) != 1:
        raise CodeListError(Problem("codelist", "a code list must hold exactly one "
                                    "skos:ConceptScheme", Location(file=path.name)))
    concepts: dict[str, str] = {}
    labels: dict[str, str] = {}
    for concept in g.subjects(RDF.type, SKOS.Concept):
        if not isinstance(concept, URIRef):
            continue
        for notation in g.objects(concept, SKOS.notation):
            concepts[str(notation)] = str(concept)
            label = g.value(concept, SKOS.prefLabel)
            if label is not None:
                labels[str(notation)] = str(label)
    notation = {s: str(o) for s, o in g.subject_objects(SKOS.notation)}
    links = {(notation[c], notation[p]) for c, p in g.subject_objects(SKOS.broader)
             if c in notation and p in notation}
    links |= {(notation[c], notation[p]) for p, c in g.subject_objects(SKOS.narrower)
              if c in notation and p in notation}
    return CodeList(stem=path.stem, path=path, scheme=schemes[0], concepts=concepts,
                    labels=labels, broader=tuple(sorted(links)))


def shown_path(stem: str, vocab_dir: Path | None = None) -> str:
    """Where ``<stem>.ttl`` is looked for, as a message shows it: relative to the
    checkout when inside it (``vocabularies/x.ttl``), else in full, so a code list
    under ``FIVESTAR_VOCABULARIES_DIR`` is named where it really is."""
    from pipelines.paths import ROOT

    path = codelist_path(stem, vocab_dir).resolve()
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def load_codelist(stem: str, vocab_dir: Path | None = None) -> CodeList:
    """Load ``<stem>.ttl`` (cached while the file is unchanged)."""
    path = codelist_path(stem, vocab_dir).resolve()
    if not path.is_file():
        raise CodeListError(Problem("codelist-missing", f"code list `{stem}` not found",
                                    Location(file=shown_path(stem, vocab_dir))))
    return _load(path, path.stat().st_mtime)


def copy_codelists(stems: list[str], out_dir: Path, vocab_dir: Path | None = None) -> list[Path]:
    """Publish the code lists a dataset uses next to it (``<stem>.ttl``)."""
    out = []
    for stem in sorted(set(stems)):
        dest = out_dir / f"{stem}.ttl"
        shutil.copyfile(load_codelist(stem, vocab_dir).path, dest)
        out.append(dest)
    return out
