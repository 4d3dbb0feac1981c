"""View models of the HTML pages: plain data the templates render, built from graphs and labels.

Nothing here knows a particular entity or kind: rows, values, provenance and ontology terms are
read from the description graph and the store.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from ewkg.rdf.namespaces import EWKG, ONTOLOGY_IRI
from ewkg.store.embedded import Store
from ewkg.store.labels import Labels, qname
from ewkg.strings import LANGS

#: ``href(iri) -> URL`` used for links (local path where the IRI is served here).
Href = Callable[[str], str]

#: Display order of predicates: type, labels, definitions, own properties, others, provenance.
_FIRST = [RDF.type, SKOS.prefLabel, RDFS.label, SKOS.altLabel, SKOS.definition, RDFS.comment,
          DCTERMS.title, DCTERMS.description, SKOS.inScheme, SKOS.broader, SKOS.narrower]
_LAST = [RDF.value, DCTERMS.isPartOf, DCTERMS.source, PROV.wasDerivedFrom, RDFS.isDefinedBy]


def predicate_rank(p: Node) -> tuple[int, int, str]:
    """Sort key of a predicate in the display order."""
    if isinstance(p, URIRef) and p in _FIRST:
        return (0, _FIRST.index(p), "")
    if isinstance(p, URIRef) and p in _LAST:
        return (3, _LAST.index(p), "")
    return (1 if str(p).startswith(str(EWKG)) else 2, 0, str(p))


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def guess_lang(text: str) -> str:
    """``zh`` for untagged text holding Chinese characters (so it gets a CJK font), else ``""``.

    >>> guess_lang("宁波日报 2016-12-08"), guess_lang("1996")
    ('zh', '')
    """
    return "zh" if _CJK.search(text) else ""


@dataclass
class Value:
    """One object of a statement, ready to render."""

    kind: str  # "iri" | "literal" | "bnode"
    text: str = ""
    lang: str = ""
    href: str = ""
    labels: list[tuple[str, str]] = field(default_factory=list)
    datatype: str = ""
    children: list[Row] = field(default_factory=list)
    secondary: bool = False

    @property
    def display_lang(self) -> str:
        """The ``lang`` attribute: the literal's tag, else a guess from its script."""
        return self.lang or guess_lang(self.text)


@dataclass
class Row:
    """A predicate and its values."""

    href: str
    labels: list[tuple[str, str]]
    values: list[Value]
    iri: str = ""


@dataclass
class Quote:
    """A source passage quoted as provenance."""

    href: str
    text: str
    lang: str
    labels: list[tuple[str, str]]
    number: str = ""
    source_labels: list[tuple[str, str]] = field(default_factory=list)
    source_href: str = ""


def _value(graph: Graph, o: object, labels: Labels, href: Href, shown: tuple[str, ...],
           depth: int = 0) -> Value:
    if isinstance(o, Literal):
        lang = o.language or ""
        datatype = qname(str(o.datatype)) if o.datatype else ""
        return Value("literal", text=str(o), lang=lang, datatype=datatype,
                     secondary=bool(lang) and lang not in shown)
    if isinstance(o, BNode):
        children = rows_for(graph, o, labels, href, shown, depth + 1) if depth < 4 else []
        return Value("bnode", children=children)
    iri = str(o)
    return Value("iri", text=iri, href=href(iri), labels=labels.shown(iri, shown))


def _value_key(v: Value, shown: tuple[str, ...]) -> tuple[object, ...]:
    order = {x: i for i, x in enumerate(shown)}
    if v.kind == "literal":
        return (0, order.get(v.lang, len(order) + 1), v.lang, v.text)
    if v.kind == "iri":
        return (1, 0, "", v.labels[0][1] if v.labels else v.text)
    return (2, 0, "", "")


def rows_for(graph: Graph, subject: URIRef | BNode, labels: Labels, href: Href,
             shown: tuple[str, ...], depth: int = 0) -> list[Row]:
    """The statements of ``subject`` in ``graph``, grouped by predicate, in display order."""
    grouped: dict[Node, list[Value]] = {}
    if isinstance(subject, BNode) and (subject, RDF.first, None) in graph:
        items = list(graph.items(subject))
        return [Row(href="", labels=[("", "( … )")], iri="",
                    values=[_value(graph, i, labels, href, shown, depth) for i in items])]
    for p, o in graph.predicate_objects(subject):
        grouped.setdefault(p, []).append(_value(graph, o, labels, href, shown, depth))
    rows = []
    for p in sorted(grouped, key=predicate_rank):
        values = sorted(grouped[p], key=lambda v: _value_key(v, shown))
        rows.append(Row(href=href(str(p)), labels=labels.shown(str(p), shown), values=values,
                        iri=str(p)))
    return rows


def incoming_rows(graph: Graph, node: URIRef, labels: Labels, href: Href,
                  shown: tuple[str, ...]) -> list[Row]:
    """Incoming links of ``node``: one row per predicate, the linking subjects as values."""
    grouped: dict[Node, list[Value]] = {}
    for s, p in graph.subject_predicates(node):
        if isinstance(s, URIRef) and s != node:
            grouped.setdefault(p, []).append(
                Value("iri", text=str(s), href=href(str(s)), labels=labels.shown(str(s), shown))
            )
    return [
        Row(href=href(str(p)), labels=labels.shown(str(p), shown), iri=str(p),
            values=sorted(grouped[p], key=lambda v: _value_key(v, shown)))
        for p in sorted(grouped, key=predicate_rank)
    ]


@dataclass
class Citation:
    """A cited source without quotable text: its labels, its page on the web, its citation."""

    href: str
    labels: list[tuple[str, str]]
    url: str = ""
    citation: str = ""
    date: str = ""

    @property
    def citation_lang(self) -> str:
        return guess_lang(self.citation)


def provenance(store: Store, graph: Graph, node: URIRef, labels: Labels, href: Href,
               shown: tuple[str, ...]) -> tuple[list[Quote], list[Citation]]:
    """What ``node`` is derived from: passages quoted (``rdf:value``, the page language first)
    and the other sources cited (title, web page, bibliographic citation)."""
    sources = [o for o in graph.objects(node, PROV.wasDerivedFrom) if isinstance(o, URIRef)]
    passages = list(sources)
    if (node, RDF.value, None) in graph:
        passages.insert(0, node)
    if not passages:
        return [], []
    values = " ".join(f"<{p}>" for p in passages)
    rows = store.select(
        f"""SELECT ?p ?text ?n ?src WHERE {{ VALUES ?p {{ {values} }} ?p <{RDF.value}> ?text
              OPTIONAL {{ ?p <{EWKG.paragraphNumber}> ?n }}
              OPTIONAL {{ ?p <{DCTERMS.isPartOf}> ?src }} }}"""
    )
    quotes = []
    for r in rows:
        text = r["text"]
        lang = text.language if isinstance(text, Literal) and text.language else ""
        src = str(r["src"]) if "src" in r else ""
        quotes.append(Quote(
            href=href(str(r["p"])), text=str(text), lang=lang,
            labels=labels.shown(str(r["p"]), shown), number=str(r.get("n", "")),
            source_labels=labels.shown(src, shown) if src else [],
            source_href=href(src) if src else "",
        ))
    order: dict[str, int] = {}
    for x in (*shown, *LANGS):
        order.setdefault(x, len(order))
    quotes.sort(key=lambda q: (order.get(q.lang, 9), q.number.zfill(6), q.href))
    quoted = {str(r["p"]) for r in rows}
    cited = [str(s) for s in sources if str(s) not in quoted]
    citations = []
    if cited:
        values = " ".join(f"<{c}>" for c in cited)
        found = store.select(
            f"""SELECT ?s ?url ?cit ?date WHERE {{ VALUES ?s {{ {values} }}
                  OPTIONAL {{ ?s <http://xmlns.com/foaf/0.1/page>|<https://schema.org/url> ?url }}
                  OPTIONAL {{ ?s <{DCTERMS.bibliographicCitation}> ?cit }}
                  OPTIONAL {{ ?s <{DCTERMS.date}>|<{DCTERMS.issued}> ?date }} }}"""
        )
        info: dict[str, dict[str, str]] = {}
        for r in found:
            entry = info.setdefault(str(r["s"]), {})
            for key in ("url", "cit", "date"):
                if key in r:
                    entry.setdefault(key, str(r[key]))
        for c in cited:
            entry = info.get(c, {})
            citations.append(Citation(href=href(c), labels=labels.shown(c, shown),
                                      url=entry.get("url", ""), citation=entry.get("cit", ""),
                                      date=entry.get("date", "")))
    return quotes, citations


def literals(graph: Graph, node: URIRef, props: tuple[URIRef, ...]) -> dict[str, str]:
    """``{lang: text}`` of the first of ``props`` that ``node`` has, per language."""
    found: dict[str, str] = {}
    for p in props:
        for o in graph.objects(node, p):
            if isinstance(o, Literal):
                found.setdefault(o.language or "", str(o))
    return found


# --- the ontology documentation --------------------------------------------------------------

_CLASS_TYPES = (OWL.Class, RDFS.Class)
_PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
                   RDF.Property, OWL.FunctionalProperty, OWL.TransitiveProperty,
                   OWL.SymmetricProperty, OWL.InverseFunctionalProperty)


@dataclass
class Term:
    """One ontology term for the documentation page."""

    iri: str
    anchor: str
    labels: list[tuple[str, str]]
    definitions: list[tuple[str, str]]
    types: list[Value]
    sections: list[tuple[str, list[Value]]]
    count: int | None = None
    other_rows: list[Row] = field(default_factory=list)


def _anchor(iri: str) -> str:
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rstrip("/").rsplit("/", 1)[-1]


def is_own_term(graph: Graph, s: URIRef) -> bool:
    """Whether ``s`` is defined by the ontology (or lives in its namespace)."""
    return str(s).startswith(str(EWKG)) or (s, RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI)) in graph


def ontology_terms(graph: Graph, store: Store, labels: Labels, href: Href,
                   shown: tuple[str, ...]) -> dict[str, list[Term]]:
    """``{"classes": […], "properties": […], "others": […]}`` of the ontology's own terms."""
    class_counts = {str(r["c"]): int(r["n"]) for r in store.select(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")}
    prop_counts = {str(r["p"]): int(r["n"]) for r in store.select(
        "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")}
    subjects = sorted({s for s in graph.subjects() if isinstance(s, URIRef)
                       and is_own_term(graph, s) and str(s) != ONTOLOGY_IRI}, key=_anchor)

    def vals(objs: list[Any]) -> list[Value]:
        return [_value(graph, o, labels, href, shown) for o in objs if isinstance(o, URIRef)]

    groups: dict[str, list[Term]] = {"classes": [], "properties": [], "others": []}
    for s in subjects:
        types = set(graph.objects(s, RDF.type))
        found = literals(graph, s, (SKOS.definition,)) or literals(graph, s, (RDFS.comment,))
        definitions = sorted(found.items(), key=lambda x: _lang_order(x[0], shown))
        if types & set(_CLASS_TYPES):
            group = "classes"
            sections = [
                ("superclasses", vals(list(graph.objects(s, RDFS.subClassOf)))),
                ("subclasses", vals(sorted(graph.subjects(RDFS.subClassOf, s)))),
            ]
            count = class_counts.get(str(s), 0)
        elif types & set(_PROPERTY_TYPES):
            group = "properties"
            sections = [
                ("domain", vals(list(graph.objects(s, RDFS.domain)))),
                ("range", vals(list(graph.objects(s, RDFS.range)))),
                ("superproperties", vals(list(graph.objects(s, RDFS.subPropertyOf)))),
                ("inverse", vals(list(graph.objects(s, OWL.inverseOf)))),
            ]
            count = prop_counts.get(str(s), 0)
        else:
            group = "others"
            sections = []
            count = None
        skip = {RDF.type, RDFS.label, SKOS.prefLabel, SKOS.definition, RDFS.comment,
                RDFS.subClassOf, RDFS.domain, RDFS.range, RDFS.subPropertyOf, OWL.inverseOf,
                RDFS.isDefinedBy}
        other_rows = [r for r in rows_for(graph, s, labels, href, shown)
                      if URIRef(r.iri) not in skip]
        groups[group].append(Term(
            iri=str(s), anchor=_anchor(str(s)),
            labels=labels.shown(str(s), shown),
            definitions=definitions, types=vals(sorted(types)),
            sections=[(k, v) for k, v in sections if v], count=count, other_rows=other_rows,
        ))
    return groups


def _lang_order(lang: str, shown: tuple[str, ...] = LANGS) -> int:
    """The page language(s) first, then the others."""
    order = [*shown, *(x for x in LANGS if x not in shown)]
    return order.index(lang) if lang in order else len(order)
