"""W3C RDF Data Cube integrity constraints IC-1 … IC-21 as SPARQL ASK queries.

From "The RDF Data Cube Vocabulary", section 11.1 (well-formed cubes). Each
query asks whether a *violation* exists, so a well-formed cube answers false
to all of them. They run on the normalised graph (section 11.2 normalisation
algorithm, :data:`NORMALISE`, applied first).

Two adaptations, both stated here so nobody mistakes them for the standard:

* IC-12 (no duplicate observations) is written as a GROUP BY over the
  dimension values instead of the spec's pairwise comparison, which is
  quadratic; it is generated per structure definition from the dimensions
  the graph declares (:func:`ic12_queries`). Given IC-11 (every dimension
  present) and single-valued dimensions, the two forms flag the same cubes.
* IC-14 (all measures present): a cell withheld by statistical disclosure
  control has no value to publish. Following SDMX (OBS_CONF with a missing
  OBS_VALUE), such an observation carries ``sdmx-attribute:confStatus``
  ``confStatus-C`` or ``-D`` and no measure, so IC-14 exempts exactly those
  observations; :data:`SUPPRESSION_CHECKS` then requires that every
  observation without a measure is marked C/D *and* that no C/D observation
  has a measure value (a suppressed value must never leak).

IC-20/IC-21 are templates instantiated for each qb:parentChildProperty of a
qb:HierarchicalCodeList in the graph (:func:`hierarchy_queries`).
"""

from __future__ import annotations

PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
PREFIX sdmx-code: <http://purl.org/linked-data/sdmx/2009/code#>
"""

#: Section 11.2 normalisation (phase 1: type and property closure; phase 2:
#: push down attachment levels), as SPARQL updates.
NORMALISE = [
    # Phase 1
    """INSERT { ?o rdf:type qb:Observation . } WHERE {
        [] qb:observation ?o . }""",
    """INSERT { ?o rdf:type qb:Observation . } WHERE { ?o qb:dataSet [] . }""",
    """INSERT { ?s rdf:type qb:Slice . } WHERE { [] qb:slice ?s . }""",
    """INSERT { ?cs qb:componentProperty ?p . ?p rdf:type qb:DimensionProperty . }
       WHERE { ?cs qb:dimension ?p . }""",
    """INSERT { ?cs qb:componentProperty ?p . ?p rdf:type qb:MeasureProperty . }
       WHERE { ?cs qb:measure ?p . }""",
    """INSERT { ?cs qb:componentProperty ?p . ?p rdf:type qb:AttributeProperty . }
       WHERE { ?cs qb:attribute ?p . }""",
    # Phase 2
    """INSERT { ?obs ?comp ?value } WHERE {
        ?spec qb:componentProperty ?comp ; qb:componentAttachment qb:DataSet .
        ?dataset qb:structure [qb:component ?spec] ; ?comp ?value .
        ?obs qb:dataSet ?dataset . }""",
    """INSERT { ?obs ?comp ?value } WHERE {
        ?spec qb:componentProperty ?comp ; qb:componentAttachment qb:Slice .
        ?dataset qb:structure [qb:component ?spec] ; qb:slice ?slice .
        ?slice ?comp ?value . ?slice qb:observation ?obs . }""",
    """INSERT { ?obs ?comp ?value } WHERE {
        ?spec qb:componentProperty ?comp ; qb:componentAttachment qb:MeasureProperty .
        ?dataset qb:structure [qb:component ?spec] .
        ?comp a qb:AttributeProperty .
        ?measure a qb:MeasureProperty ; ?comp ?value .
        ?obs qb:dataSet ?dataset ; ?measure [] . }""",
]

_SUPPRESSED = "sdmx-code:confStatus-C sdmx-code:confStatus-D"

#: IC-1 … IC-21 (IC-12 generated, IC-20/21 templated: see the module docstring).
ICS: dict[str, str] = {
    "IC-1": """ASK {
      { ?obs a qb:Observation . FILTER NOT EXISTS { ?obs qb:dataSet ?dataset1 . } }
      UNION
      { ?obs a qb:Observation ; qb:dataSet ?dataset1, ?dataset2 .
        FILTER (?dataset1 != ?dataset2) } }""",
    "IC-2": """ASK {
      { ?dataset a qb:DataSet . FILTER NOT EXISTS { ?dataset qb:structure ?dsd . } }
      UNION
      { ?dataset a qb:DataSet ; qb:structure ?dsd1, ?dsd2 . FILTER (?dsd1 != ?dsd2) } }""",
    "IC-3": """ASK {
      ?dsd a qb:DataStructureDefinition .
      FILTER NOT EXISTS { ?dsd qb:component [qb:componentProperty [a qb:MeasureProperty]] } }""",
    "IC-4": """ASK {
      ?dim a qb:DimensionProperty . FILTER NOT EXISTS { ?dim rdfs:range [] } }""",
    "IC-5": """ASK {
      ?dim a qb:DimensionProperty ; rdfs:range skos:Concept .
      FILTER NOT EXISTS { ?dim qb:codeList [] } }""",
    "IC-6": """ASK {
      ?dsd qb:component ?componentSpec .
      ?componentSpec qb:componentRequired "false"^^xsd:boolean ;
                     qb:componentProperty ?component .
      FILTER NOT EXISTS { ?component a qb:AttributeProperty } }""",
    "IC-7": """ASK {
      ?sliceKey a qb:SliceKey .
      FILTER NOT EXISTS { [a qb:DataStructureDefinition] qb:sliceKey ?sliceKey } }""",
    "IC-8": """ASK {
      ?slicekey a qb:SliceKey ; qb:componentProperty ?prop .
      ?dsd qb:sliceKey ?slicekey .
      FILTER NOT EXISTS { ?dsd qb:component [qb:componentProperty ?prop] } }""",
    "IC-9": """ASK {
      { ?slice a qb:Slice . FILTER NOT EXISTS { ?slice qb:sliceStructure ?key } }
      UNION
      { ?slice a qb:Slice ; qb:sliceStructure ?key1, ?key2 . FILTER (?key1 != ?key2) } }""",
    "IC-10": """ASK {
      ?slice qb:sliceStructure [qb:componentProperty ?dim] .
      FILTER NOT EXISTS { ?slice ?dim [] } }""",
    "IC-11": """ASK {
      ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
      ?dim a qb:DimensionProperty .
      FILTER NOT EXISTS { ?obs ?dim [] } }""",
    "IC-13": """ASK {
      ?obs qb:dataSet/qb:structure/qb:component ?component .
      ?component qb:componentRequired "true"^^xsd:boolean ; qb:componentProperty ?attr .
      FILTER NOT EXISTS { ?obs ?attr [] } }""",
    "IC-14": f"""ASK {{
      ?obs qb:dataSet/qb:structure ?dsd .
      FILTER NOT EXISTS {{ ?dsd qb:component/qb:componentProperty qb:measureType }}
      ?dsd qb:component/qb:componentProperty ?measure .
      ?measure a qb:MeasureProperty .
      FILTER NOT EXISTS {{ ?obs ?measure [] }}
      FILTER NOT EXISTS {{ ?obs sdmx-attribute:confStatus ?status .
                          VALUES ?status {{ {_SUPPRESSED} }} }} }}""",
    "IC-15": """ASK {
      ?obs qb:dataSet/qb:structure ?dsd ; qb:measureType ?measure .
      ?dsd qb:component/qb:componentProperty qb:measureType .
      FILTER NOT EXISTS { ?obs ?measure [] } }""",
    "IC-16": """ASK {
      ?obs qb:dataSet/qb:structure ?dsd ; qb:measureType ?measure ; ?omeasure [] .
      ?dsd qb:component/qb:componentProperty qb:measureType ;
           qb:component/qb:componentProperty ?omeasure .
      ?omeasure a qb:MeasureProperty .
      FILTER (?omeasure != ?measure) }""",
    "IC-17": """ASK {
      { SELECT ?numMeasures (COUNT(?obs2) AS ?count) WHERE {
          { SELECT ?dsd (COUNT(?m) AS ?numMeasures) WHERE {
              ?dsd qb:component/qb:componentProperty ?m . ?m a qb:MeasureProperty .
            } GROUP BY ?dsd }
          ?obs1 qb:dataSet/qb:structure ?dsd ; qb:dataSet ?dataset ; qb:measureType ?m1 .
          ?obs2 qb:dataSet ?dataset ; qb:measureType ?m2 .
          FILTER NOT EXISTS {
            ?dsd qb:component/qb:componentProperty ?dim .
            FILTER (?dim != qb:measureType)
            ?dim a qb:DimensionProperty .
            ?obs1 ?dim ?v1 . ?obs2 ?dim ?v2 . FILTER (?v1 != ?v2) }
        } GROUP BY ?obs1 ?numMeasures HAVING (?count != ?numMeasures) } }""",
    "IC-18": """ASK {
      ?dataset qb:slice ?slice . ?slice qb:observation ?obs .
      FILTER NOT EXISTS { ?obs qb:dataSet ?dataset . } }""",
    "IC-19a": """ASK {
      ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
      ?dim a qb:DimensionProperty ; qb:codeList ?list .
      ?list a skos:ConceptScheme .
      ?obs ?dim ?v .
      FILTER NOT EXISTS { ?v a skos:Concept ; skos:inScheme ?list } }""",
    "IC-19b": """ASK {
      ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
      ?dim a qb:DimensionProperty ; qb:codeList ?list .
      ?list a skos:Collection .
      ?obs ?dim ?v .
      FILTER NOT EXISTS { ?v a skos:Concept . ?list skos:member+ ?v } }""",
}

#: fivestar's companion to the IC-14 exemption (see the module docstring).
SUPPRESSION_CHECKS: dict[str, str] = {
    "suppressed-has-no-value": f"""ASK {{
      ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?measure ;
           sdmx-attribute:confStatus ?status .
      VALUES ?status {{ {_SUPPRESSED} }}
      ?measure a qb:MeasureProperty .
      ?obs ?measure [] . }}""",
}

_DIMENSIONS = """SELECT DISTINCT ?dsd ?dim WHERE {
  ?dsd a qb:DataStructureDefinition ; qb:component/qb:componentProperty ?dim .
  ?dim a qb:DimensionProperty . } ORDER BY ?dsd ?dim"""

_HIERARCHIES = {
    "IC-20": ("""SELECT DISTINCT ?p WHERE { ?hierarchy a qb:HierarchicalCodeList ;
                 qb:parentChildProperty ?p . FILTER (isIRI(?p)) }""",
              """ASK {{
      ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
      ?dim a qb:DimensionProperty ; qb:codeList ?list .
      ?list a qb:HierarchicalCodeList .
      ?obs ?dim ?v .
      FILTER NOT EXISTS {{ ?list qb:hierarchyRoot/<{p}>* ?v }} }}"""),
    "IC-21": ("""SELECT DISTINCT ?p WHERE { ?hierarchy a qb:HierarchicalCodeList ;
                 qb:parentChildProperty ?pcp . FILTER (isBlank(?pcp))
                 ?pcp owl:inverseOf ?p . FILTER (isIRI(?p)) }""",
              """ASK {{
      ?obs qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
      ?dim a qb:DimensionProperty ; qb:codeList ?list .
      ?list a qb:HierarchicalCodeList .
      ?obs ?dim ?v .
      FILTER NOT EXISTS {{ ?list qb:hierarchyRoot/(^<{p}>)* ?v }} }}"""),
}


def _select(store, query: str) -> list:
    return list(store.query(PREFIXES + query))


def ic12_queries(store) -> list[str]:
    """IC-12 per structure definition: any two observations sharing every dimension value."""
    dims: dict[str, list[str]] = {}
    for row in _select(store, _DIMENSIONS):
        dims.setdefault(row["dsd"].value, []).append(row["dim"].value)
    queries = []
    for dsd, props in sorted(dims.items()):
        vars_ = [f"?d{i}" for i in range(len(props))]
        patterns = " ".join(f"<{p}> {v} ;" for p, v in zip(props, vars_, strict=True))
        queries.append(f"""ASK {{ {{ SELECT ?dataset {' '.join(vars_)} (COUNT(?obs) AS ?n)
          WHERE {{ ?dataset qb:structure <{dsd}> . ?obs {patterns} qb:dataSet ?dataset . }}
          GROUP BY ?dataset {' '.join(vars_)} HAVING (COUNT(?obs) > 1) }} }}""")
    return queries


def hierarchy_queries(store) -> dict[str, list[str]]:
    """IC-20 / IC-21 instantiated for each parent-child property in the graph."""
    out: dict[str, list[str]] = {}
    for name, (select, template) in _HIERARCHIES.items():
        out[name] = [template.format(p=row["p"].value) for row in _select(store, select)]
    return out


def normalise(store) -> None:
    """Apply the Data Cube normalisation algorithm (section 11.2) in place."""
    for update in NORMALISE:
        store.update(PREFIXES + update)


def check(store) -> list[str]:
    """Names of the violated constraints (empty for a well-formed cube). Normalises first."""
    normalise(store)
    queries: list[tuple[str, str]] = list(ICS.items())
    queries += [("IC-12", q) for q in ic12_queries(store)]
    for name, qs in hierarchy_queries(store).items():
        queries += [(name, q) for q in qs]
    queries += list(SUPPRESSION_CHECKS.items())
    failed = []
    for name, query in sorted(queries, key=lambda nq: _order(nq[0])):
        if bool(store.query(PREFIXES + query)) and name not in failed:
            failed.append(name)
    return failed


def _order(name: str) -> tuple[int, str]:
    digits = "".join(ch for ch in name.split("-")[1] if ch.isdigit()) if "-" in name else ""
    return (int(digits) if digits and name.startswith("IC") else 99, name)
