"""Entailment a reader of the ontology can rely on, and the checks that keep it sound.

The served dataset is closed under the ontology's ``rdfs:subClassOf`` and
``rdfs:subPropertyOf`` axioms: :func:`materialise` adds, into their own named graph
(:data:`INFERRED_GRAPH`), every ``?x a ?super`` and ``?s ?super ?o`` they entail that no file
states. So ``?x a ewkg:Region`` finds the provinces, cities and counties, and
``?p ewkg:serves ?s`` finds what ``ewkg:aimsAt`` states. The curated files are never touched.

``rdfs:domain`` / ``rdfs:range`` are *checked*, not inferred (:func:`domain_range_violations`):
when the data is right they entail nothing new, and when it is wrong they would silently move
an individual into a class it does not belong to (a range of ``ewkg:WesternRegion`` on
``ewkg:assists`` once made five eastern units "western"). ``ewkg validate --reasoning`` runs the
check.

Only the axioms present in the store are used, so data loaded without the ontology is left as
it is. Everything is plain SPARQL on pyoxigraph: the whole bundle closes in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

#: Named graph of the entailed triples (never written to a file).
INFERRED_GRAPH = "https://w3id.org/ewkg/graph/inferred"

_PREFIXES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

#: Super-properties: the subproperty axioms' reflexive-transitive closure, applied to the data.
_SUPER_PROPERTIES = _PREFIXES + """
CONSTRUCT { ?s ?super ?o } WHERE {
  ?p rdfs:subPropertyOf+ ?super .
  FILTER(isIRI(?p) && isIRI(?super) && ?p != ?super)
  ?s ?p ?o .
  FILTER NOT EXISTS { ?s ?super ?o }
}"""

#: Super-classes of every typed individual (after the super-properties, so ``rdf:type``
#: sub-properties, if any, count too).
_SUPER_CLASSES = _PREFIXES + """
CONSTRUCT { ?x a ?super } WHERE {
  ?c rdfs:subClassOf+ ?super .
  FILTER(isIRI(?c) && isIRI(?super) && ?c != ?super)
  ?x a ?c .
  FILTER NOT EXISTS { ?x a ?super }
}"""


_HAS_AXIOMS = _PREFIXES + "ASK { ?a rdfs:subClassOf|rdfs:subPropertyOf ?b }"


def query_solutions(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
) -> ox.QuerySolutions:
    """A SELECT result, checked.

    Raises:
        TypeError: ``result`` is not a SELECT result.
    """
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"a SELECT result was expected, not {type(result).__name__}")
    return result


def query_triples(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
) -> ox.QueryTriples:
    """A CONSTRUCT / DESCRIBE result, checked.

    Raises:
        TypeError: ``result`` is not a graph result.
    """
    if not isinstance(result, ox.QueryTriples):
        raise TypeError(f"a CONSTRUCT result was expected, not {type(result).__name__}")
    return result


def materialise(store: ox.Store) -> int:
    """Add the subclass and subproperty closure of ``store`` to :data:`INFERRED_GRAPH`.

    The queries read the union of all graphs; an entailed triple that some graph already states
    is not added, so each triple lives in exactly one source graph or in the inferred one.
    Running it twice adds nothing. Returns the number of triples added.
    """
    graph = ox.NamedNode(INFERRED_GRAPH)
    added = 0
    if not store.query(_HAS_AXIOMS, use_default_graph_as_union=True):
        return 0  # no ontology loaded: nothing to entail (and no query over a large dataset)
    for query in (_SUPER_PROPERTIES, _SUPER_CLASSES):
        triples = list(query_triples(store.query(query, use_default_graph_as_union=True)))
        store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        added += len(triples)
    return added


@dataclass(frozen=True, slots=True)
class Misplaced:
    """A subject outside its property's domain, or an object outside its range."""

    #: ``"domain"`` or ``"range"``.
    side: str
    #: The property (IRI).
    prop: str
    #: The subject or object that is not an instance of the declared class.
    node: str
    #: The declared class (IRI), or ``None`` for a union (see ``allowed``).
    declared: str | None
    #: The classes any one of which would do (the union's members, or the class itself).
    allowed: tuple[str, ...]
    #: The triple's subject (for locating the fact).
    subject: str


#: The object or subject is an instance neither of the declared class nor of a union member.
_OUTSIDE = """
  FILTER NOT EXISTS { ?node a ?declared }
  FILTER NOT EXISTS { ?declared owl:unionOf/rdf:rest*/rdf:first ?member . ?node a ?member }
"""
#: Meta-level ranges (classes and properties as values, punning): not individuals' classes.
_META = """
  FILTER(?declared NOT IN (rdfs:Literal, rdf:langString, rdf:PlainLiteral, rdfs:Resource,
                           owl:Thing, owl:Class, rdfs:Class,
                           rdf:Property, owl:ObjectProperty, owl:DatatypeProperty))
  FILTER(!STRSTARTS(STR(?declared), "http://www.w3.org/2001/XMLSchema#"))
  FILTER NOT EXISTS { ?declared a rdfs:Datatype }
"""

_RANGE = _PREFIXES + """
SELECT DISTINCT ?p ?s ?node ?declared WHERE {
  ?p rdfs:range ?declared .""" + _META + """
  ?q rdfs:subPropertyOf* ?p .
  ?s ?q ?node .
  FILTER(!isLiteral(?node))""" + _OUTSIDE + """}"""

_DOMAIN = _PREFIXES + """
SELECT DISTINCT ?p ?s ?node ?declared WHERE {
  ?p rdfs:domain ?declared .""" + _META + """
  ?q rdfs:subPropertyOf* ?p .
  ?s ?q ?o .
  BIND(?s AS ?node)""" + _OUTSIDE + """}"""

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_UNION_OF = ox.NamedNode("http://www.w3.org/2002/07/owl#unionOf")
_FIRST, _REST, _NIL = (ox.NamedNode(_RDF + n) for n in ("first", "rest", "nil"))


def _union_members(store: ox.Store, node: ox.BlankNode) -> tuple[str, ...]:
    """The named classes of an ``owl:unionOf`` list (a blank node: SPARQL cannot name it)."""
    members: list[str] = []

    def objects(subject: ox.BlankNode | ox.NamedNode, predicate: ox.NamedNode) -> list[object]:
        return [q.object for q in store.quads_for_pattern(subject, predicate, None)]

    for head in objects(node, _UNION_OF):
        seen = 0
        while isinstance(head, ox.BlankNode) and seen < 1000:  # bounded: a cyclic list stops
            members += [m.value for m in objects(head, _FIRST) if isinstance(m, ox.NamedNode)]
            rest = objects(head, _REST)
            head = rest[0] if rest else _NIL
            seen += 1
    return tuple(sorted(members))


def domain_range_violations(store: ox.Store) -> list[Misplaced]:
    """Every subject outside its property's domain and every object outside its range.

    Reads the union of the store's graphs, which should already hold the subclass closure
    (:func:`materialise`): a county is then a ``ewkg:Region`` as the range of
    ``ewkg:parentRegion`` asks. Literal values and datatype ranges are SHACL's business.
    """
    found: list[Misplaced] = []
    for side, query in (("domain", _DOMAIN), ("range", _RANGE)):
        for row in query_solutions(store.query(query, use_default_graph_as_union=True)):
            declared = row["declared"]
            if isinstance(declared, ox.NamedNode):
                allowed: tuple[str, ...] = (declared.value,)
            else:
                allowed = _union_members(store, declared)
            found.append(Misplaced(
                side=side, prop=row["p"].value, node=row["node"].value,
                declared=declared.value if isinstance(declared, ox.NamedNode) else None,
                allowed=allowed, subject=row["s"].value,
            ))
    found.sort(key=lambda m: (m.side, m.prop, m.subject, m.node))
    return found
