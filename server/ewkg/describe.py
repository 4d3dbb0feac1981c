"""What the linked-data layer says about one IRI, a kind of entity, the ontology, the dataset.

* :func:`describe` — the concise bounded description of an IRI (its outgoing triples, blank nodes
  closed), the labels of everything it links to, and its incoming links (with their subjects'
  labels).
* :func:`ontology_graph` — every triple whose subject is not an entity (``…/id/…``): the ontology,
  its axioms, and the labels it gives to reused external terms.
* :func:`kinds` / :func:`members` — the kinds of entity (``/id/{kind}/…``) and their members.
* :func:`serialize` — a graph in one format of the format table (JSON-LD with a local
  ``@context`` built from the prefix table, never a remote one).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Identifier

from .formats import Format
from .labels import LABEL_PROPERTIES, memo
from .namespaces import EWKG, PREFIXES, new_graph
from .store import Store

#: Characters an IRI may not hold in a SPARQL IRI reference (RFC 3987 / SPARQL ``IRIREF``).
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')

_LABEL_VALUES = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)


def safe_iri(iri: str) -> bool:
    """Whether ``iri`` can be written as ``<iri>`` in a query (no spaces, quotes, brackets).

    >>> safe_iri("https://w3id.org/ewkg/id/region/fujian"), safe_iri("x> } DROP ALL {")
    (True, False)
    """
    return bool(iri) and not _BAD_IRI.search(iri)


def exists(store: Store, iri: str) -> bool:
    """Whether ``iri`` occurs in the data as a subject or as an object."""
    if not safe_iri(iri):
        return False
    return store.ask(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}")


def is_subject(store: Store, iri: str) -> bool:
    """Whether ``iri`` has statements of its own."""
    return safe_iri(iri) and store.ask(f"ASK {{ <{iri}> ?p ?o }}")


def _close_blank_nodes(candidates: Graph, roots: Iterable[BNode], out: Graph) -> None:
    """Copy to ``out`` the triples of ``candidates`` reachable from ``roots`` via blank nodes."""
    todo = list(roots)
    seen: set[BNode] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in candidates.predicate_objects(node):
            out.add((node, p, o))
            if isinstance(o, BNode):
                todo.append(o)


def describe(store: Store, iri: str, *, incoming: bool = True) -> Graph:
    """The description of ``iri``: CBD, labels of what it links to, and incoming links.

    Raises:
        ValueError: ``iri`` cannot be written in a query.
    """
    if not safe_iri(iri):
        raise ValueError(f"not a usable IRI: {iri!r}")
    node = URIRef(iri)
    incoming_part = (
        f"""UNION {{ ?in ?ip <{iri}> FILTER(isIRI(?in))
                     OPTIONAL {{ VALUES ?inlp {{ {_LABEL_VALUES} }} ?in ?inlp ?inl }} }}"""
        if incoming
        else ""
    )
    query = f"""
    CONSTRUCT {{ <{iri}> ?p ?o . ?o ?lp ?l . ?in ?ip <{iri}> . ?in ?inlp ?inl . ?b ?bp ?bo }}
    WHERE {{
      {{ <{iri}> ?p ?o
         OPTIONAL {{ VALUES ?lp {{ {_LABEL_VALUES} }} ?o ?lp ?l FILTER(isIRI(?o)) }} }}
      UNION {{ <{iri}> ?p0 ?b0 FILTER(isBlank(?b0))
               ?b0 (<urn:ewkg:any>|!<urn:ewkg:any>)* ?b FILTER(isBlank(?b)) ?b ?bp ?bo }}
      {incoming_part}
    }}"""
    found = store.construct(query)
    out = new_graph()
    roots: list[BNode] = []
    for p, o in found.predicate_objects(node):
        out.add((node, p, o))
        if isinstance(o, BNode):
            roots.append(o)
    _close_blank_nodes(found, roots, out)
    for s, p, o in found:
        if isinstance(s, URIRef) and s != node:
            out.add((s, p, o))
    return out


def non_entity_subjects_graph(store: Store, id_bases: Iterable[str]) -> Graph:
    """Every triple whose subject is not under one of ``id_bases``, blank nodes closed."""
    filters = " && ".join(f'!STRSTARTS(STR(?s), "{b}")' for b in id_bases) or "true"
    query = f"""
    CONSTRUCT {{ ?s ?p ?o . ?b ?bp ?bo }}
    WHERE {{
      {{ ?s ?p ?o FILTER(isIRI(?s) && {filters}) }}
      UNION {{ ?s ?p0 ?b0 FILTER(isIRI(?s) && isBlank(?b0) && {filters})
               ?b0 (<urn:ewkg:any>|!<urn:ewkg:any>)* ?b FILTER(isBlank(?b)) ?b ?bp ?bo }}
    }}"""
    found = store.construct(query)
    out = new_graph()
    roots: list[BNode] = []
    for s, p, o in found:
        if isinstance(s, URIRef):
            out.add((s, p, o))
            if isinstance(o, BNode):
                roots.append(o)
    _close_blank_nodes(found, roots, out)
    return out


def ontology_graph(store: Store, id_bases: tuple[str, ...]) -> Graph:
    """The ontology: everything said about non-entities (cached per dataset version)."""
    return memo(store, f"ontology:{'|'.join(id_bases)}",
                lambda: non_entity_subjects_graph(store, id_bases))


def entity_subjects(store: Store, id_bases: tuple[str, ...]) -> list[str]:
    """Sorted subject IRIs under any of ``id_bases``."""

    def build() -> list[str]:
        filters = " || ".join(f'STRSTARTS(STR(?s), "{b}")' for b in id_bases) or "false"
        rows = store.select(
            f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && ({filters})) }}"
        )
        return sorted(str(r["s"]) for r in rows)

    return memo(store, f"subjects:{'|'.join(id_bases)}", build)


def kind_of(iri: str, id_bases: Iterable[str]) -> str | None:
    """The ``{kind}`` of ``…/id/{kind}/{slug}``, or ``None``."""
    for base in id_bases:
        if iri.startswith(base):
            rest = iri[len(base):]
            if "/" in rest and rest.split("/", 1)[1]:
                return rest.split("/", 1)[0]
    return None


def kinds(store: Store, id_bases: tuple[str, ...]) -> dict[str, list[str]]:
    """``{kind: [member IRIs]}`` for every kind of entity, kinds sorted by name."""

    def build() -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = defaultdict(list)
        for iri in entity_subjects(store, id_bases):
            kind = kind_of(iri, id_bases)
            if kind:
                grouped[kind].append(iri)
        return dict(sorted(grouped.items()))

    return memo(store, f"kinds:{'|'.join(id_bases)}", build)


def kind_classes(store: Store, id_bases: tuple[str, ...]) -> dict[str, str | None]:
    """``{kind: class}``: the class that covers most members of the kind.

    Types count with their super-classes (``rdfs:subClassOf+``), so a kind of provinces and
    prefecture-level cities is named by their common class; among classes covering as many
    members, the ontology's own and then the most specific (most super-classes) wins.
    """

    def build() -> dict[str, str | None]:
        rows = store.select("SELECT ?s ?c WHERE { ?s a ?c FILTER(isIRI(?s) && isIRI(?c)) }")
        types: dict[str, set[str]] = defaultdict(set)
        for r in rows:
            types[str(r["s"])].add(str(r["c"]))
        supers: dict[str, set[str]] = defaultdict(set)
        for r in store.select(
            f"""SELECT DISTINCT ?c ?sup WHERE {{ ?c <{RDFS.subClassOf}>+ ?sup
                FILTER(isIRI(?c) && isIRI(?sup) && ?c != ?sup) }}"""
        ):
            supers[str(r["c"])].add(str(r["sup"]))
        result: dict[str, str | None] = {}
        for kind, iris in kinds(store, id_bases).items():
            counter: Counter[str] = Counter()
            for i in iris:
                closed = set(types.get(i, ()))
                for c in list(closed):
                    closed |= supers.get(c, set())
                counter.update(closed)
            if not counter:
                result[kind] = None
                continue
            result[kind] = min(
                counter,
                key=lambda c: (-counter[c], not c.startswith(str(EWKG)), -len(supers[c]), c),
            )
        return result

    return memo(store, f"kind-classes:{'|'.join(id_bases)}", build)


def members(store: Store, id_bases: tuple[str, ...], kind: str) -> list[str]:
    """The member IRIs of ``kind`` (empty for an unknown kind)."""
    return kinds(store, id_bases).get(kind, [])


def listing_graph(store: Store, listing_iri: str, iris: list[str]) -> Graph:
    """An RDF listing: ``<listing> a void:Dataset; rdfs:member <x>…`` with the members' labels."""
    from rdflib.namespace import VOID, XSD

    g = new_graph()
    listing = URIRef(listing_iri)
    g.add((listing, RDF.type, VOID.Dataset))
    g.add((listing, VOID.uriSpace, Literal(listing_iri)))
    g.add((listing, VOID.entities, Literal(len(iris), datatype=XSD.integer)))
    for iri in iris:
        g.add((listing, RDFS.member, URIRef(iri)))
    if iris:
        values = " ".join(f"<{i}>" for i in iris if safe_iri(i))
        labels = store.construct(
            f"""CONSTRUCT {{ ?s ?p ?l }} WHERE {{ VALUES ?s {{ {values} }}
                VALUES ?p {{ {_LABEL_VALUES} <{RDF.type}> }} ?s ?p ?l }}"""
        )
        for t in labels:
            g.add(t)
    return g


def jsonld_context() -> dict[str, str]:
    """The compact, local JSON-LD ``@context``: the prefix table."""
    return {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def _to_ox(term: Identifier) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term: {term!r}")


#: Formats written by pyoxigraph: only N-Triples, where rdflib's prettier layouts do not matter.
_OX_FORMATS = {"nt": ox.RdfFormat.N_TRIPLES}


def _display_order(graph: Graph, first: str | None) -> list[tuple[Identifier, ...]]:
    """Triples sorted for reading: ``first``'s own statements, then subjects by IRI (blank
    nodes last), ``rdf:type`` first within a subject."""

    def key(t: tuple[Identifier, ...]) -> tuple:
        s, p, o = t
        return (str(s) != first, isinstance(s, BNode), str(s), p != RDF.type, str(p), str(o))

    return sorted(graph, key=key)


def serialize(graph: Graph, fmt: Format, *, first: str | None = None) -> bytes:
    """``graph`` in ``fmt`` (a graph format of the format table), as UTF-8 bytes.

    N-Triples is written by pyoxigraph (fast), in reading order with ``first``'s statements
    leading; Turtle, RDF/XML and TriG (a Turtle document: every triple in the default graph) by
    rdflib; JSON-LD by rdflib, compacted with a local ``@context`` built from the prefix table
    (never a remote one).
    """
    if fmt.rdflib_name is None:
        raise ValueError(f"{fmt.name} is not an RDF graph format")
    if fmt.rdflib_name == "json-ld":
        text = graph.serialize(format="json-ld", context=jsonld_context(), auto_compact=True)
        return json.dumps(json.loads(text), ensure_ascii=False, indent=2).encode("utf-8")
    if fmt.rdflib_name == "trig":
        return graph.serialize(format="turtle", encoding="utf-8")
    ox_format = _OX_FORMATS.get(fmt.rdflib_name)
    if ox_format is None:
        return graph.serialize(format=fmt.rdflib_name, encoding="utf-8")
    items = [ox.Triple(_to_ox(s), _to_ox(p), _to_ox(o)) for s, p, o in _display_order(graph, first)]
    return ox.serialize(items, format=ox_format)


__all__ = [
    "describe",
    "exists",
    "is_subject",
    "kinds",
    "kind_classes",
    "listing_graph",
    "members",
    "ontology_graph",
    "safe_iri",
    "serialize",
]
