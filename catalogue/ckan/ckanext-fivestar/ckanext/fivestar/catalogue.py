"""How the catalogue reads for the public (plugin ``fivestar_catalogue``).

* The release date is shown in UK time with its zone ("30 January 2026, 09:30 GMT"):
  CKAN stores it in UTC without an offset (its Solr date field rejects offsets), so a
  bare value would read as an unzoned time.
* Controlled-vocabulary values (stored as IRIs for DCAT) are shown as words, linked to
  their IRI.
* The organisation's image is served from this plugin's public folder.
"""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import ckan.plugins as p
import ckan.plugins.toolkit as toolkit

UK = ZoneInfo("Europe/London")


#: Words for the EU authority codes the catalogue shows (the rest show their code).
_WORDS = {"language/ENG": "English", "access-right/PUBLIC": "Public",
          "frequency/MONTHLY": "Monthly", "frequency/QUARTERLY": "Quarterly",
          "frequency/ANNUAL": "Annual", "frequency/IRREG": "Irregular",
          "frequency/WEEKLY": "Weekly", "frequency/DAILY": "Daily",
          "file-type/CSV": "CSV", "file-type/RDF_TURTLE": "Turtle",
          "file-type/RDF_N_TRIPLES": "N-Triples", "file-type/JSON_LD": "JSON-LD",
          "file-type/JSON": "JSON", "file-type/RDF_XML": "RDF/XML"}


def vocabulary_terms(value: object) -> list[tuple[str, str]]:
    """An IRI, or a JSON list of IRIs, as (iri, words) pairs for the dataset page."""
    from ckanext.fivestar.dcat_profile import CONCEPT_LABELS, EU

    if isinstance(value, str) and value.startswith("["):
        with contextlib.suppress(ValueError):  # not JSON: shown as it is
            value = json.loads(value)
    iris = value if isinstance(value, list) else [value] if value else []
    out = []
    for iri in iris:
        code = str(iri)[len(EU):] if str(iri).startswith(EU) else str(iri)
        out.append((str(iri), CONCEPT_LABELS.get(code) or _WORDS.get(code) or code))
    return out


def release_time(value: str | None) -> str:
    """``2026-01-30T09:30:00`` (UTC) -> ``30 January 2026, 09:30 GMT``; '' if unparseable."""
    if not value:
        return ""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return ""
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    local = parsed.astimezone(UK)
    return f"{local.day} {local:%B %Y, %H:%M} {local.tzname()}"


class FivestarCataloguePlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IConfigDeclaration)
    p.implements(p.ITemplateHelpers)

    def declare_config_options(self, declaration, key):
        """The catalogue's own publisher, as the DCAT profile states it (declared, so CKAN
        does not log them as undeclared)."""
        declaration.annotate("ckanext-fivestar catalogue")
        catalog = key.ckanext.fivestar.catalog
        declaration.declare(catalog.publisher_uri, "").set_description(
            "URI of the catalogue's dct:publisher")
        declaration.declare(catalog.publisher_name, "").set_description(
            "foaf:name of the catalogue's publisher")

    def update_config(self, config):
        toolkit.add_template_directory(config, "templates")
        toolkit.add_public_directory(config, "public")

    def get_helpers(self):
        return {"fivestar_release_time": release_time,
                "fivestar_vocabulary_terms": vocabulary_terms}
