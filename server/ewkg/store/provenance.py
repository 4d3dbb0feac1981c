"""One named graph per cited source: which source states each reference triple.

The reference files (``data/ref-{kind}.ttl``) are loaded into one staging graph, the reference
tables' own (:data:`REFERENCE_GRAPH`); :func:`split_by_source` then moves each triple that a
cited source states into that source's graph, named from the source's identifier in the data:
``…/id/source/{slug}`` → ``…/graph/source/{slug}`` (:func:`source_graph`), and a passage of the
source document (``…/id/passage/…``) or ``…/id/source/seed`` → :data:`SEED_GRAPH`.

Which source states a triple is read from the data itself:

* ``?x prov:wasDerivedFrom ?source`` is in ``?source``'s graph;
* the statements of an ``ewkg:Claim`` (its label, subject, property, value, quotation…) are in
  the graph of the source it is derived from;
* a fact a claim states (``?s ?p ?o`` with ``claimSubject ?s``, ``claimProperty ?p``,
  ``claimValue ?o``) is in the graph of the source of that claim;
* the other structural facts (``rdf:type`` and the ``ewkg:`` properties) of a region, pairing,
  event or arrangement are in the graph of a source the entity is ``prov:wasDerivedFrom`` in
  the reference files: the table row that made it cites that source.

Where several sources state the same triple (copies of one article, or two independent sources),
the triple goes to one of them, so each triple is in exactly one graph: the source document
first, then the earliest ``dcterms:date`` (undated sources last), then the smallest IRI. The
claims keep every source (each ``prov:wasDerivedFrom`` in its source's graph), so a page or a
query can still list them all. What no cited source states (the names the curators gave,
editorial notes, disputes, open questions, the list of sources, links the tables imply without
a row of their own) stays in :data:`REFERENCE_GRAPH`.
"""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from ewkg.store.entailment import query_solutions

#: All the dataset's named graphs are under this namespace.
GRAPH_BASE = "https://w3id.org/ewkg/graph/"
#: Named graph of the source document's facts: the files ``data/{kind}.ttl``, and the reference
#: facts whose claims cite the source document's passages.
SEED_GRAPH = GRAPH_BASE + "seed"
#: Named graph of the reference tables' own curation (see the module docstring).
REFERENCE_GRAPH = GRAPH_BASE + "reference"
#: Prefix of the graph of each cited public source: ``…/graph/source/{slug}``.
SOURCE_GRAPH_BASE = GRAPH_BASE + "source/"

_ID = "https://w3id.org/ewkg/id/"
_SOURCE = _ID + "source/"
_PASSAGE = _ID + "passage/"
_SEED_SOURCE = _SOURCE + "seed"

_SOURCES = """
PREFIX ewkg: <https://w3id.org/ewkg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?claim ?source ?date ?s ?p ?o WHERE {
  GRAPH <%s> { ?claim a ewkg:Claim }
  ?claim prov:wasDerivedFrom ?source .
  OPTIONAL { ?source dcterms:date ?date }
  OPTIONAL { ?claim ewkg:claimSubject ?s ; ewkg:claimProperty ?p ; ewkg:claimValue ?o }
}"""

#: The entities of the reference files whose own sources state their structural facts.
_ENTITY_SOURCES = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?x ?source ?date WHERE {
  GRAPH <%s> { ?x prov:wasDerivedFrom ?source }
  OPTIONAL { ?source dcterms:date ?date }
  FILTER(REGEX(STR(?x), "^https://w3id.org/ewkg/id/(region|pairing|event|arrangement)/"))
}"""
_EWKG = "https://w3id.org/ewkg/ontology#"
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def source_graph(source: str) -> str | None:
    """The named graph of the facts ``source`` (a source or passage IRI) states, or ``None``.

    >>> source_graph("https://w3id.org/ewkg/id/source/white-paper-2011-table-2")
    'https://w3id.org/ewkg/graph/source/white-paper-2011-table-2'
    >>> source_graph("https://w3id.org/ewkg/id/passage/fr-4") == SEED_GRAPH
    True
    >>> source_graph("https://w3id.org/ewkg/id/region/fujian") is None
    True
    """
    if source == _SEED_SOURCE or source.startswith(_PASSAGE):
        return SEED_GRAPH
    if source.startswith(_SOURCE) and "/" not in source.removeprefix(_SOURCE):
        return SOURCE_GRAPH_BASE + source.removeprefix(_SOURCE)
    return None


def graph_source(graph: str) -> str | None:
    """The source a graph holds the statements of (the inverse of :func:`source_graph`).

    >>> graph_source("https://w3id.org/ewkg/graph/source/cpca-0-5-5")
    'https://w3id.org/ewkg/id/source/cpca-0-5-5'
    >>> graph_source(SEED_GRAPH)
    'https://w3id.org/ewkg/id/source/seed'
    """
    if graph == SEED_GRAPH:
        return _SEED_SOURCE
    if graph.startswith(SOURCE_GRAPH_BASE):
        return _SOURCE + graph.removeprefix(SOURCE_GRAPH_BASE)
    return None


def _rank(graph: str, date: str) -> tuple[int, str, str]:
    """Order of preference between graphs stating one triple (see the module docstring)."""
    return (0 if graph == SEED_GRAPH else 1, date or "~", graph)


def split_by_source(store: ox.Store) -> int:
    """Move each triple of :data:`REFERENCE_GRAPH` a cited source states into its source's
    graph; returns the number of triples moved. Running it twice moves nothing."""
    staging = ox.NamedNode(REFERENCE_GRAPH)
    claim_graphs: dict[object, list[tuple[int, str, str]]] = defaultdict(list)
    fact_graphs: dict[tuple[object, object, object], list[tuple[int, str, str]]] = defaultdict(
        list
    )
    rows = query_solutions(store.query(_SOURCES % REFERENCE_GRAPH, use_default_graph_as_union=True))
    for row in rows:
        graph = source_graph(row["source"].value)
        if graph is None:
            continue
        date = row["date"].value if row["date"] is not None else ""
        rank = _rank(graph, date)
        claim_graphs[row["claim"]].append(rank)
        if row["s"] is not None:
            fact_graphs[(row["s"], row["p"], row["o"])].append(rank)
    entity_graphs: dict[object, list[tuple[int, str, str]]] = defaultdict(
        list
    )
    entity_rows = store.query(_ENTITY_SOURCES % REFERENCE_GRAPH, use_default_graph_as_union=True)
    for row in query_solutions(entity_rows):
        graph = source_graph(row["source"].value)
        if graph is not None:
            date = row["date"].value if row["date"] is not None else ""
            entity_graphs[row["x"]].append(_rank(graph, date))
    derived = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
    moves: list[tuple[ox.Quad, str]] = []
    for quad in store.quads_for_pattern(None, None, None, staging):
        graph = None
        if quad.predicate == derived and isinstance(quad.object, ox.NamedNode):
            graph = source_graph(quad.object.value)
        if graph is None and quad.subject in claim_graphs:
            graph = min(claim_graphs[quad.subject])[2]
        if graph is None:
            ranks = fact_graphs.get((quad.subject, quad.predicate, quad.object))
            graph = min(ranks)[2] if ranks else None
        structural = quad.predicate.value == _TYPE or quad.predicate.value.startswith(_EWKG)
        if graph is None and structural and quad.subject in entity_graphs:
            graph = min(entity_graphs[quad.subject])[2]
        if graph is not None:
            moves.append((quad, graph))
    for quad, graph in moves:
        store.remove(quad)
        store.add(ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(graph)))
    return len(moves)
