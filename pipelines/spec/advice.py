"""Warnings about a spec that loads but will publish something weaker than it could.

Not errors (the pipeline runs and nothing wrong is published), but what a
reviewer would point out before the first release:

* a code-list notation that is not URL-safe (a space, a slash…): the CSVW can
  then declare no URI template for the column, so the CSV's readers get plain
  strings while the RDF links to concepts;
* a ``fivestar:`` term the mapping uses (explicitly, or by the default
  ``fivestar:<camelCaseName>``) that ``vocabularies/fivestar.ttl`` does not
  define: the RDF would use a term nobody can look up.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rdflib import Graph, URIRef

from pipelines import paths
from pipelines.errors import FivestarError, Location, Problem
from pipelines.spec.dataset import DatasetSpec
from pipelines.spec.linked_data import FIVESTAR_NS, expand

#: Characters a notation may have to become a URI path segment unescaped (RFC 3986 unreserved).
_URL_SAFE = re.compile(r"^[A-Za-z0-9._~-]+$")


@lru_cache(maxsize=1)
def _defined_terms() -> frozenset[str]:
    g = Graph().parse(paths.PROJECT_VOCABULARY_DIR / "fivestar.ttl", format="turtle")
    return frozenset(str(s) for s in g.subjects() if isinstance(s, URIRef))


def spec_warnings(spec: DatasetSpec) -> list[Problem]:
    """What to improve in ``spec`` (located problems, never data values)."""
    from pipelines.codelists import load_codelist, shown_path

    out: list[Problem] = []
    where = f"{spec.id}/dataset.yaml"
    for f in spec.table_schema.fields:
        stem = f.get("codelist")
        if not stem:
            continue
        try:
            codes = load_codelist(stem)
        except FivestarError as exc:
            out += exc.problems
            continue
        unsafe = sorted(n for n in codes.concepts if not _URL_SAFE.match(n))
        if unsafe:
            out.append(Problem(
                "notation-not-url-safe",
                f"{len(unsafe)} notation(s) of code list `{stem}` are not URL-safe "
                f"(e.g. `{unsafe[0]}`)", Location(file=shown_path(stem),
                                                  field=f["name"])))
    mapping = spec.linked_data
    terms: list[tuple[str, str]] = []
    if mapping.class_:
        terms.append(("linked_data.class", expand(mapping.class_)))
    dropped = spec.redaction.dropped()
    for name in spec.table_schema.field_names:  # every published column gets a property
        if name in dropped:
            continue
        fm = mapping.field(name)
        terms.append((f"linked_data.fields.{name}.property", fm.property_uri(name)))
        if fm.link is not None:
            terms.append((f"linked_data.fields.{name}.link.property", expand(fm.link.property)))
    defined = _defined_terms()
    for key, uri in terms:
        if uri.startswith(FIVESTAR_NS) and uri not in defined:
            out.append(Problem(
                "term-undefined",
                f"`fivestar:{uri[len(FIVESTAR_NS):]}` is not defined in vocabularies/fivestar.ttl",
                Location(file=where, field=key)))
    return out
