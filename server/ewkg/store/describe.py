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

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from ewkg.query.evaluation import written
from ewkg.rdf import jsonld
from ewkg.rdf.formats import Format
from ewkg.rdf.jsonld import jsonld_bytes
from ewkg.rdf.namespaces import EWKG, PREFIXES, new_graph
from ewkg.store.embedded import (
    Store,
    oxigraph_predicate,
    oxigraph_subject,
    oxigraph_term,
    to_rdflib,
)
from ewkg.store.entailment import query_triples
from ewkg.store.labels import LABEL_PROPERTIES, memo

_T = TypeVar("_T")

#: Characters an IRI may not hold in a SPARQL IRI reference (RFC 3987 / SPARQL ``IRIREF``).
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')

_LABEL_VALUES = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)


def safe_iri(iri: str) -> bool:
    """Whether ``iri`` is an absolute IRI that can be written as ``<iri>`` in a query.

    The one check of every IRI that comes from a client (a path, ``?iri=``…) before it is used
    as a term: no spaces, quotes or brackets, and valid by RFC 3987 as pyoxigraph reads it (so
    a query built with it never fails to parse).

    >>> safe_iri("https://w3id.org/ewkg/id/region/fujian"), safe_iri("x> } DROP ALL {")
    (True, False)
    >>> safe_iri("https://w3id.org/ewkg/id/region/a#b#c"), safe_iri("https://x/a%zz")
    (False, False)
    >>> safe_iri("region/fujian"), safe_iri("https://x/" + chr(0xD800))
    (False, False)
    """
    if not iri or _BAD_IRI.search(iri):
        return False
    try:
        ox.NamedNode(iri)
    except (ValueError, UnicodeError):
        return False
    return True


def exists(store: Store, iri: str) -> bool:
    """Whether ``iri`` occurs in the data as a subject or as an object."""
    if not safe_iri(iri):
        return False
    return store.ask(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}")


def is_subject(store: Store, iri: str) -> bool:
    """Whether ``iri`` has statements of its own."""
    return safe_iri(iri) and store.ask(f"ASK {{ <{iri}> ?p ?o }}")


def _iri_statements_closed(
    triples: Iterable[_T],
    ends: Callable[[_T], tuple[object, object]],
    is_iri: Callable[[object], bool],
    is_blank: Callable[[object], bool],
) -> list[_T]:
    """The triples whose subject is an IRI, and those reachable from them through blank nodes;
    the others go. ``ends`` gives a triple's subject and object, ``is_iri`` and ``is_blank``
    tell its terms apart (pyoxigraph's triples or rdflib's)."""
    by_subject: dict[object, list[_T]] = {}
    kept: list[_T] = []
    for t in triples:
        subject = ends(t)[0]
        by_subject.setdefault(subject, []).append(t)
        if is_iri(subject):
            kept.append(t)
    todo = [o for o in (ends(t)[1] for t in kept) if is_blank(o)]
    seen: set[object] = set()
    while todo:
        blank = todo.pop()
        if blank in seen:
            continue
        seen.add(blank)
        for t in by_subject.get(blank, ()):
            kept.append(t)
            if is_blank(ends(t)[1]):
                todo.append(ends(t)[1])
    return kept


def _describe_query(iri: str, incoming: bool) -> str:
    """The CONSTRUCT of :func:`describe`: CBD candidates, labels of objects, incoming links."""
    incoming_part = (
        f"""UNION {{ ?in ?ip <{iri}> FILTER(isIRI(?in))
                     OPTIONAL {{ VALUES ?inlp {{ {_LABEL_VALUES} }} ?in ?inlp ?inl }} }}"""
        if incoming
        else ""
    )
    return f"""
    CONSTRUCT {{ <{iri}> ?p ?o . ?o ?lp ?l . ?in ?ip <{iri}> . ?in ?inlp ?inl . ?b ?bp ?bo }}
    WHERE {{
      {{ <{iri}> ?p ?o
         OPTIONAL {{ VALUES ?lp {{ {_LABEL_VALUES} }} ?o ?lp ?l FILTER(isIRI(?o)) }} }}
      UNION {{ <{iri}> ?p0 ?b0 FILTER(isBlank(?b0))
               ?b0 (<urn:ewkg:any>|!<urn:ewkg:any>)* ?b FILTER(isBlank(?b)) ?b ?bp ?bo }}
      {incoming_part}
    }}"""


def describe(store: Store, iri: str, *, incoming: bool = True) -> Graph:
    """The description of ``iri``: CBD, labels of what it links to, and incoming links (the
    rdflib graph of :func:`describe_triples`, for the pages).

    Raises:
        ValueError: ``iri`` cannot be written in a query.
    """
    out = new_graph()
    for t in describe_triples(store, iri, incoming=incoming):
        out.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return out


def describe_triples(store: Store, iri: str, *, incoming: bool = True) -> list[ox.Triple]:
    """The description of ``iri`` as pyoxigraph triples in reading order (``iri``'s statements
    first): its CBD, the labels of what it links to, and incoming links.

    On the embedded store it goes from pyoxigraph to the writers without an rdflib graph in
    between (a graph format's bytes come straight from :func:`serialize_triples`).

    Raises:
        ValueError: ``iri`` cannot be written in a query.
    """
    if not safe_iri(iri):
        raise ValueError(f"not a usable IRI: {iri!r}")
    query = _describe_query(iri, incoming)
    native = store.oxigraph
    found = (dict.fromkeys(query_triples(native.query(query, use_default_graph_as_union=True)))
             if native is not None else ox_triples(store.construct(query)))
    kept = _iri_statements_closed(
        found, lambda t: (t.subject, t.object),
        lambda term: isinstance(term, ox.NamedNode), lambda term: isinstance(term, ox.BlankNode)
    )
    return sorted(kept, key=lambda t: _sort_key(t, iri))


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
    out = new_graph()
    for triple in _iri_statements_closed(
        store.construct(query), lambda t: (t[0], t[2]),
        lambda term: isinstance(term, URIRef), lambda term: isinstance(term, BNode)
    ):
        out.add(triple)
    return out


def ontology_graph(store: Store, id_bases: tuple[str, ...]) -> Graph:
    """The ontology: everything said about non-entities (cached per dataset version)."""
    return memo(store, "ontology", lambda: non_entity_subjects_graph(store, id_bases),
                variant=id_bases)


def entity_subjects(store: Store, id_bases: tuple[str, ...]) -> list[str]:
    """Sorted subject IRIs under any of ``id_bases``."""

    def build() -> list[str]:
        filters = " || ".join(f'STRSTARTS(STR(?s), "{b}")' for b in id_bases) or "false"
        rows = store.select(
            f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && ({filters})) }}"
        )
        return sorted(str(r["s"]) for r in rows)

    return memo(store, "subjects", build, variant=id_bases)


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

    return memo(store, "kinds", build, variant=id_bases)


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

    return memo(store, "kind-classes", build, variant=id_bases)


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


_RDF_TYPE = str(RDF.type)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _sort_key(t: ox.Triple, first: str | None) -> tuple[object, ...]:
    s = t.subject
    value = s.value if not isinstance(s, ox.Triple) else str(s)
    return (value != first, isinstance(s, ox.BlankNode), value,
            t.predicate.value != _RDF_TYPE, t.predicate.value, str(t.object))


def ox_triples(graph: Graph, *, first: str | None = None) -> list[ox.Triple]:
    """``graph`` as pyoxigraph triples in reading order (``first``'s statements leading)."""
    triples = [ox.Triple(oxigraph_subject(s), oxigraph_predicate(p), oxigraph_term(o))
               for s, p, o in graph]
    return sorted(triples, key=lambda t: _sort_key(t, first))


def store_triples(store: Store) -> list[ox.Triple]:
    """Every distinct triple of the store, sorted; straight from pyoxigraph when embedded."""
    native = store.oxigraph
    if native is not None:
        triples = list({ox.Triple(q.subject, q.predicate, q.object) for q in native})
        return sorted(triples, key=lambda t: _sort_key(t, None))
    return ox_triples(store.graph())


def used_prefixes(triples: Iterable[ox.Triple]) -> dict[str, str]:
    """The prefixes of the prefix table that ``triples`` use (for a short Turtle header)."""
    namespaces = {str(ns): p for p, ns in PREFIXES.items()}
    seen: set[str] = set()
    for t in triples:
        for term in (t.subject, t.predicate, t.object):
            if isinstance(term, ox.Literal):
                term = term.datatype
            if isinstance(term, ox.NamedNode):
                iri = term.value
                cut = max(iri.rfind("#"), iri.rfind("/")) + 1
                if iri[:cut] in namespaces:
                    seen.add(iri[:cut])
    return {namespaces[ns]: ns for ns in sorted(seen, key=namespaces.__getitem__)}


def serialize_triples(triples: list[ox.Triple], fmt: Format) -> bytes:
    """Sorted pyoxigraph triples in ``fmt``: pyoxigraph's writers (fast), our compact JSON-LD.

    Turtle and TriG declare only the prefixes they use; TriG puts every triple in the default
    graph.
    """
    if fmt.kind != "graph":
        raise ValueError(f"{fmt.name} is not an RDF graph format")
    ox_format = fmt.rdf
    if ox_format == ox.RdfFormat.JSON_LD:
        return jsonld_bytes(triples)
    if ox_format == ox.RdfFormat.N_TRIPLES:
        return written(ox.serialize(triples, format=ox_format))
    prefixes = used_prefixes(triples) if ox_format != ox.RdfFormat.RDF_XML else jsonld.context()
    if ox_format == ox.RdfFormat.TRIG:
        quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
        return written(ox.serialize(quads, format=ox_format, prefixes=prefixes))
    return written(ox.serialize(triples, format=ox_format, prefixes=prefixes))


def dataset_bytes(store: Store, fmt: Format) -> bytes:
    """The whole dataset in ``fmt``; TriG keeps each triple in its named graph (the source it
    comes from, see :func:`ewkg.store.embedded.graph_for`) when the store is embedded."""
    native = store.oxigraph
    if fmt.ox != ox.RdfFormat.TRIG or native is None:
        return serialize_triples(store_triples(store), fmt)
    quads = sorted(native, key=lambda q: (str(q.graph_name), _sort_key(q.triple, None)))
    prefixes = used_prefixes([q.triple for q in quads])
    return written(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes))


def serialize(graph: Graph, fmt: Format, *, first: str | None = None) -> bytes:
    """``graph`` in ``fmt`` as UTF-8 bytes, ``first``'s statements leading (see
    :func:`serialize_triples`). JSON-LD is compacted with a local ``@context`` built from the
    prefix table, never a remote one."""
    return serialize_triples(ox_triples(graph, first=first), fmt)


__all__ = [
    "describe",
    "describe_triples",
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
