"""For each value on an entity page, the sources that state it, read from the named graphs.

One query per page (:func:`value_sources`): the graph each statement of the entity is in
(:mod:`ewkg.store.provenance`: the source document's, a cited source's, or the reference tables'
own), the claims that give the same value with their sources (a fact several sources state is
in one graph; its claims name them all), and the passages the entity is derived from (the
source document's facts are traced to their passages). Values the ontology entails are not
listed: no source states them; nor are those of ``prov:wasDerivedFrom``: the value is the source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Literal
from rdflib.term import Identifier

from ewkg.store.embedded import ONTOLOGY_GRAPH, Store
from ewkg.store.entailment import INFERRED_GRAPH
from ewkg.store.labels import Labels
from ewkg.store.provenance import REFERENCE_GRAPH, graph_source, source_graph
from ewkg.strings import SUMMARY

#: Where a value comes from, when no single cited source states it.
CURATION = SUMMARY["curation"]

_PASSAGE = "https://w3id.org/ewkg/id/passage/"
_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"

_QUERY = """
PREFIX ewkg: <https://w3id.org/ewkg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?p ?o ?g ?src ?passage WHERE {
  { GRAPH ?g { <IRI> ?p ?o } FILTER (?g NOT IN (<INFERRED>, <ONTOLOGY>)) }
  UNION
  { ?claim ewkg:claimSubject <IRI> ; ewkg:claimProperty ?p ; ewkg:claimValue ?o ;
           prov:wasDerivedFrom ?src . }
  UNION
  { <IRI> prov:wasDerivedFrom ?passage FILTER (STRSTARTS(STR(?passage), "PASSAGE")) }
}"""


@dataclass(frozen=True)
class SourceLink:
    """One source of a value: a link (``href`` empty for the reference tables' curation)."""

    href: str
    labels: tuple[tuple[str, str], ...]


def value_key(p: str, o: Identifier) -> tuple[str, str, str]:
    """The key of a value on the page: property, text, language (the page's ``Value``)."""
    return (p, str(o), (o.language or "") if isinstance(o, Literal) else "")


def value_sources(
    store: Store, iri: str, labels: Labels, href: Callable[[str], str], langs: tuple[str, ...]
) -> dict[tuple[str, str, str], list[SourceLink]]:
    """``{(property, text, lang): [source links]}`` for the statements of ``iri``."""
    query = (_QUERY.replace("IRI", iri).replace("INFERRED", INFERRED_GRAPH)
             .replace("ONTOLOGY", ONTOLOGY_GRAPH).replace("PASSAGE", _PASSAGE))
    rows = store.select(query)
    passages = sorted(str(r["passage"]) for r in rows if "passage" in r)

    def link(source: str) -> SourceLink:
        return SourceLink(href(source), tuple(labels.shown(source, langs)))

    def links(graph: str) -> list[SourceLink]:
        if graph == REFERENCE_GRAPH:
            return [SourceLink("", tuple((x, CURATION[x]) for x in langs if x in CURATION))]
        source = graph_source(graph)
        if source is None:
            return []
        if source_graph(source) == source_graph(_PASSAGE) and passages:
            return [link(p) for p in passages]  # the source document: its passages
        return [link(source)]

    found: dict[tuple[str, str, str], list[SourceLink]] = {}
    for row in rows:
        if "p" not in row or "o" not in row or str(row["p"]) == _DERIVED:
            continue
        key = value_key(str(row["p"]), row["o"])
        if "g" in row:
            new = links(str(row["g"]))
        elif "src" in row and source_graph(str(row["src"])) is not None:
            new = [link(str(row["src"]))]  # a claim's source, or its passage
        else:
            new = []
        have = found.setdefault(key, [])
        have.extend(n for n in new if n not in have)
    return found
