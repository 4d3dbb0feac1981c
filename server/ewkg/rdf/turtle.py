"""The canonical Turtle writer: one deterministic text for one graph.

The order is documented in ``docs/curators.md`` and is the whole point of this module, so that a
curator's change shows up as the few lines it touches:

1. the file's leading ``#`` comment block, kept as written;
2. the ``@prefix`` lines, sorted by prefix, only those used, from
:data:`ewkg.rdf.namespaces.PREFIXES`;
3. the header subject(s): the ``owl:Ontology``, ``void:Dataset`` or ``dcat:Catalog`` of the file;
4. every other subject with an IRI, sorted by IRI (never rdflib's reference-count order);
5. top-level blank nodes (ontology axioms such as ``owl:AllDisjointClasses``) written inline as
   ``[ … ] .``, sorted by their text; blank nodes used more than once get a canonical ``_:`` label;
6. within a subject, predicates in one display order: ``rdf:type``, labels, definitions, scheme,
   ``ewkg:`` properties, the others (a shape's targets and path first; its query and message
   last), provenance last (:func:`predicate_key`);
7. one object per line, sorted: IRIs, then literals with ``@fr`` before ``@zh``, then blank nodes;
   numbers by value; literals with a newline triple-quoted.

>>> from rdflib import Graph
>>> g = Graph().parse(data='''
...     @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
...     <https://w3id.org/ewkg/id/region/fujian> skos:prefLabel "福建"@zh, "Fujian"@fr .''',
...     format="turtle")
>>> print(canonical_turtle(g), end="")
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<BLANKLINE>
<https://w3id.org/ewkg/id/region/fujian>
    skos:prefLabel "Fujian"@fr ,
        "福建"@zh ;
.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path

import rdflib
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD
from rdflib.term import Node

from ewkg.rdf.namespaces import EWKG, PREFIXES

__all__ = [
    "HEADER_TYPES",
    "canonical_turtle",
    "format_text",
    "leading_comments",
    "parse_turtle",
    "predicate_key",
    "term_text",
]

INDENT = "    "
#: Types that make a subject the file's header, written first.
HEADER_TYPES = (OWL.Ontology, VOID.Dataset, DCAT.Catalog, DCAT.Dataset)

#: The display order of predicates; a predicate not listed falls into its group's tail by IRI.
_GROUPS: tuple[tuple[URIRef, ...], ...] = (
    (RDF.type,),
    (SKOS.prefLabel, RDFS.label, SKOS.altLabel, SKOS.hiddenLabel, SKOS.notation),
    (SKOS.definition, RDFS.comment, DCTERMS.title, DCTERMS.description, SKOS.scopeNote,
     SKOS.example, SKOS.note),
    (SKOS.inScheme, SKOS.topConceptOf, SKOS.hasTopConcept),
    (),  # ewkg: properties, by IRI
    (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.path),
    (SH.prefixes, SH.select, SH.severity, SH.message),
    (RDFS.isDefinedBy, DCTERMS.source, PROV.wasDerivedFrom),
)
_OWN, _OTHERS, _PROVENANCE = 4, 5, 7
_RANK: dict[Node, tuple[int, int]] = {
    p: (g, i) for g, group in enumerate(_GROUPS) for i, p in enumerate(group)
}
_LANG_RANK = {"fr": 0, "zh": 1, "en": 2}
_NUMERIC = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.int, XSD.long,
            XSD.nonNegativeInteger, XSD.positiveInteger, XSD.gYear}
_PN_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_BARE = {
    XSD.integer: re.compile(r"^-?(0|[1-9][0-9]*)$"),
    XSD.decimal: re.compile(r"^[+-]?[0-9]*\.[0-9]+$"),
    XSD.boolean: re.compile(r"^(true|false)$"),
}
_QUOTE_IN_LONG = re.compile(r'"(?="|$)')
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
            "\f": "\\f"}


def predicate_key(p: Node) -> tuple[int, int, str]:
    """Sort key of a predicate in the display order.

    >>> from rdflib.namespace import RDF, SKOS, PROV
    >>> sorted([PROV.wasDerivedFrom, SKOS.prefLabel, RDF.type], key=predicate_key)[0] == RDF.type
    True
    """
    if p in _RANK:
        g, i = _RANK[p]
        return g, i, ""
    text = str(p)
    if text.startswith(str(EWKG)):
        return _OWN, 99, text
    if text.startswith(str(PROV)):
        return _PROVENANCE, 99, text
    return _OTHERS, 99, text


def _object_key(o: Node) -> tuple[object, ...]:
    if isinstance(o, URIRef):
        return (0, str(o))
    if isinstance(o, Literal):
        lang = o.language or ""
        rank = _LANG_RANK.get(lang.lower(), 3) if lang else -1
        datatype = str(o.datatype or "")
        number = Decimal(0)
        numeric = 1
        if o.datatype in _NUMERIC:
            with contextlib.suppress(InvalidOperation):
                number, numeric = Decimal(str(o).strip()), 0
        return (1, rank, lang.lower(), datatype, numeric, number, str(o))
    return (2, str(o))


def parse_turtle(text: str, *, source: str | None = None) -> Graph:
    """Parse Turtle into an rdflib graph without rdflib's default prefix bindings.

    Literals keep their lexical form (``"01"^^xsd:integer`` stays ``01``): formatting must not
    change a single RDF term.
    """
    graph = Graph(bind_namespaces="none")
    normalize = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        graph.parse(data=text, format="turtle", publicID=source)
    finally:
        rdflib.NORMALIZE_LITERALS = normalize
    return graph


def leading_comments(text: str) -> list[str]:
    """The ``#`` lines at the top of ``text`` (a file's header comment), blank lines dropped."""
    lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            lines.append(stripped)
        elif stripped:
            break
    return lines


class _Writer:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.used: set[str] = set()
        self.refs: Counter[Node] = Counter(
            o for _, _, o in graph if isinstance(o, BNode)
        )
        subjects = set(graph.subjects())
        self.lists: dict[Node, list[Node]] = {}
        self.tails: set[BNode] = set()
        for node in subjects:
            if isinstance(node, BNode) and self.refs[node] == 1:
                items = self._list_items(node)
                if items is not None:
                    self.lists[node] = items
        # Nodes inside a list (the rdf:rest chain) belong to the list's head.
        for head in self.lists:
            current = self.graph.value(head, RDF.rest)
            while isinstance(current, BNode):
                self.tails.add(current)
                current = self.graph.value(current, RDF.rest)
        for tail in self.tails:
            self.lists.pop(tail, None)
        # Blank nodes written inline: used once as an object, reached from an IRI or a root.
        self.inline: set[BNode] = set()
        roots = [s for s in subjects if not isinstance(s, BNode) or self.refs[s] == 0]
        self.inline |= self.tails
        stack = list(roots)
        seen: set[Node] = set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            for o in self._children(node):
                if isinstance(o, BNode) and self.refs[o] == 1 and o not in self.inline:
                    self.inline.add(o)
                    stack.append(o)
        self.labelled = {
            n for n in set(self.refs) | subjects
            if isinstance(n, BNode) and n not in self.inline and self.refs[n] > 0
        }

    def _children(self, node: Node) -> Iterable[Node]:
        if node in self.lists:
            yield from self.lists[node]
            return
        for _, o in self.graph.predicate_objects(node):
            yield o

    def _list_items(self, node: BNode) -> list[Node] | None:
        """Items of the well-formed RDF list starting at ``node`` (None if it is not one)."""
        items: list[Node] = []
        seen: set[Node] = set()
        current: Node = node
        while current != RDF.nil:
            if not isinstance(current, BNode) or current in seen:
                return None
            seen.add(current)
            pairs = list(self.graph.predicate_objects(current))
            preds = sorted(str(p) for p, _ in pairs)
            if preds != [str(RDF.first), str(RDF.rest)]:
                return None
            if current is not node and self.refs[current] != 1:
                return None
            first = self.graph.value(current, RDF.first)
            rest = self.graph.value(current, RDF.rest)
            assert first is not None and rest is not None
            items.append(first)
            current = rest
        return items

    # -- terms ---------------------------------------------------------------------------------
    def predicate(self, iri: Node) -> str:
        return "a" if iri == RDF.type else self.iri(iri)

    def iri(self, iri: Node) -> str:
        text = str(iri)
        best: tuple[str, str] | None = None
        for prefix, namespace in PREFIXES.items():
            ns = str(namespace)
            if text.startswith(ns) and (best is None or len(ns) > len(str(PREFIXES[best[0]]))):
                local = text[len(ns):]
                if local == "" or _PN_LOCAL.match(local):
                    best = (prefix, local)
        if best is not None:
            self.used.add(best[0])
            return f"{best[0]}:{best[1]}"
        escaped = "".join(f"\\u{ord(c):04X}" if c in '<>"{}|^`\\ ' else c for c in text)
        return f"<{escaped}>"

    def literal(self, lit: Literal) -> str:
        text = str(lit)
        datatype = lit.datatype
        pattern = _BARE.get(datatype) if datatype is not None else None
        if pattern is not None and pattern.match(text):
            return text
        if "\n" in text:
            body = _QUOTE_IN_LONG.sub('\\\\"', text.replace("\\", "\\\\").replace("\r", "\\r"))
            quoted = f'"""{body}"""'
        else:
            quoted = '"' + "".join(_ESCAPES.get(c, c) for c in text) + '"'
        if lit.language:
            return f"{quoted}@{lit.language}"
        if datatype is not None and datatype != XSD.string:
            return f"{quoted}^^{self.iri(datatype)}"
        return quoted

    def term(self, node: Node, level: int) -> str:
        if isinstance(node, URIRef):
            return self.iri(node)
        if isinstance(node, Literal):
            return self.literal(node)
        if isinstance(node, BNode):
            if node in self.inline:
                return self.inline_bnode(node, level)
            return f"_:{node}"
        raise TypeError(f"cannot write {node!r}")

    def inline_bnode(self, node: BNode, level: int) -> str:
        if node in self.lists:
            items = [self.term(i, level + 1) for i in self.lists[node]]
            one_line = "( " + " ".join(items) + " )"
            if not items:
                return "()"
            if "\n" not in one_line and len(one_line) <= 80:
                return one_line
            inner = "\n".join(INDENT * (level + 1) + i for i in items)
            return "(\n" + inner + "\n" + INDENT * level + ")"
        preds = sorted(set(self.graph.predicates(node)), key=predicate_key)
        if not preds:
            return "[]"
        if len(preds) == 1:
            objs = list(self.graph.objects(node, preds[0]))
            if len(objs) == 1:
                text = f"[ {self.predicate(preds[0])} {self.term(objs[0], level)} ]"
                if "\n" not in text and len(text) <= 80:
                    return text
        body = "\n".join(self.po_lines(node, level + 1))
        return "[\n" + body + "\n" + INDENT * level + "]"

    def po_lines(self, node: Node, level: int) -> list[str]:
        lines: list[str] = []
        for p in sorted(set(self.graph.predicates(node)), key=predicate_key):
            objects = sorted(self.graph.objects(node, p), key=_object_key)
            text = INDENT * level + self.predicate(p) + " " + self.term(objects[0], level)
            for o in objects[1:]:
                text += " ,\n" + INDENT * (level + 1) + self.term(o, level + 1)
            lines.append(text + " ;")
        return lines

    def block(self, node: Node) -> str:
        if isinstance(node, BNode) and node not in self.labelled:
            body = "\n".join(self.po_lines(node, 1))
            return "[\n" + body + "\n] ."
        return self.term(node, 0) + "\n" + "\n".join(self.po_lines(node, 1)) + "\n."


def canonical_turtle(graph: Graph, *, comments: Iterable[str] = ()) -> str:
    """Write ``graph`` as canonical Turtle (see the module docstring for the order).

    ``comments`` are ``#`` lines written above the prefixes (a file's header comment).
    """
    writer = _Writer(graph)
    if writer.labelled:
        # Shared or cyclic blank nodes need labels: take them from the canonical graph so that
        # the same graph always gets the same labels.
        canonical = Graph(bind_namespaces="none")
        canonical += to_canonical_graph(graph)
        writer = _Writer(canonical)
        graph = canonical
    subjects = set(graph.subjects())
    headers = sorted(
        (s for s in subjects if not isinstance(s, BNode)
         and any((s, RDF.type, t) in graph for t in HEADER_TYPES)),
        key=str,
    )
    named = sorted((s for s in subjects if isinstance(s, URIRef) and s not in headers), key=str)
    blocks = [writer.block(s) for s in headers + named]
    labelled = sorted((s for s in subjects if s in writer.labelled), key=str)
    roots = sorted(
        writer.block(s) for s in subjects
        if isinstance(s, BNode) and s not in writer.inline and s not in writer.labelled
    )
    blocks += roots + [writer.block(s) for s in labelled]
    prefixes = "".join(
        f"@prefix {p}: <{PREFIXES[p]}> .\n" for p in sorted(writer.used)
    )
    parts = []
    if comments:
        parts.append("\n".join(comments) + "\n")
    if prefixes:
        parts.append(prefixes)
    parts.extend(b + "\n" for b in blocks)
    return "\n".join(parts)


def format_text(text: str, *, source: str | Path | None = None) -> str:
    """Canonical form of a Turtle text (keeps its leading comment block).

    Raises:
        SyntaxError: the text is not valid Turtle.
    """
    try:
        graph = parse_turtle(text, source=str(source) if source else None)
    except Exception as exc:  # rdflib raises several parser exception types
        raise SyntaxError(f"{source or '<text>'}: {exc}") from exc
    return canonical_turtle(graph, comments=leading_comments(text))


def term_text(node: Node) -> str:
    """One term as Turtle, with the project prefixes (blank nodes as ``_:id``).

    >>> from rdflib.namespace import SKOS
    >>> term_text(SKOS.prefLabel), term_text(Literal("福建", lang="zh"))
    ('skos:prefLabel', '"福建"@zh')
    """
    writer = _Writer(Graph(bind_namespaces="none"))
    if isinstance(node, BNode):
        return f"_:{node}"
    return writer.term(node, 0)
