"""What a change of Turtle adds and removes, grouped by subject and shown with labels.

Blank nodes are compared by canonicalising both graphs (:func:`rdflib.compare.graph_diff`), so
rewriting an ontology axiom with fresh blank-node labels is no change.

>>> from rdflib import Graph
>>> old = Graph().parse(data='<http://x/a> <http://x/p> "1" .', format="turtle")
>>> new = Graph().parse(data='<http://x/a> <http://x/p> "2" .', format="turtle")
>>> d = diff_graphs(old, new)
>>> [(str(c.subject), len(c.added), len(c.removed)) for c in d.changes]
[('http://x/a', 1, 1)]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Node

from ewkg.rdf.turtle import predicate_key

__all__ = ["GraphDiff", "SubjectChange", "diff_graphs", "labels_of"]

Triple = tuple[Node, Node, Node]


def labels_of(node: Node, graphs: Iterable[Graph]) -> dict[str, str]:
    """``{lang: label}`` of ``node`` from the first graph that labels it (prefLabel, then label)."""
    for graph in graphs:
        labels: dict[str, str] = {}
        for predicate in (SKOS.prefLabel, RDFS.label):
            for value in graph.objects(node, predicate):
                if isinstance(value, Literal):
                    labels.setdefault(value.language or "", str(value))
        if labels:
            return labels
    return {}


@dataclass
class SubjectChange:
    """The triples of one subject that a change adds and removes."""

    subject: Node
    labels: dict[str, str]
    added: list[Triple] = field(default_factory=list)
    removed: list[Triple] = field(default_factory=list)


@dataclass
class GraphDiff:
    """A whole change, subject by subject (sorted by IRI; blank nodes last)."""

    changes: list[SubjectChange]
    #: Labels of every IRI mentioned by a changed triple (predicates and objects too).
    labels: dict[Node, dict[str, str]]

    @property
    def added(self) -> int:
        return sum(len(c.added) for c in self.changes)

    @property
    def removed(self) -> int:
        return sum(len(c.removed) for c in self.changes)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: ``{"added": n, "removed": n, "subjects": […]}``."""
        def term(node: Node) -> dict[str, Any]:
            if isinstance(node, Literal):
                out: dict[str, Any] = {"type": "literal", "value": str(node)}
                if node.language:
                    out["lang"] = node.language
                elif node.datatype:
                    out["datatype"] = str(node.datatype)
                return out
            kind = "bnode" if isinstance(node, BNode) else "uri"
            out = {"type": kind, "value": str(node)}
            if node in self.labels:
                out["labels"] = self.labels[node]
            return out

        return {
            "added": self.added,
            "removed": self.removed,
            "subjects": [
                {
                    "subject": term(c.subject),
                    "labels": c.labels,
                    "added": [[term(p), term(o)] for _, p, o in c.added],
                    "removed": [[term(p), term(o)] for _, p, o in c.removed],
                }
                for c in self.changes
            ],
        }


def _triple_key(t: Triple) -> tuple[object, ...]:
    s, p, o = t
    return (predicate_key(p), isinstance(o, Literal), str(o), getattr(o, "language", "") or "")


def diff_graphs(old: Graph, new: Graph, *, context: Graph | None = None) -> GraphDiff:
    """The triples ``new`` adds to ``old`` and removes from it, grouped by subject.

    Labels come from ``new``, else ``old``, else ``context`` (e.g. the bundled data).
    """
    _, only_old, only_new = graph_diff(to_isomorphic(old), to_isomorphic(new))
    by_subject: dict[Node, SubjectChange] = {}
    graphs = [g for g in (new, old, context) if g is not None]

    def change(subject: Node) -> SubjectChange:
        if subject not in by_subject:
            by_subject[subject] = SubjectChange(subject, labels_of(subject, graphs))
        return by_subject[subject]

    for triple in only_new:
        change(triple[0]).added.append(triple)
    for triple in only_old:
        change(triple[0]).removed.append(triple)
    mentioned: dict[Node, dict[str, str]] = {}
    for c in by_subject.values():
        c.added.sort(key=_triple_key)
        c.removed.sort(key=_triple_key)
        for _, p, o in c.added + c.removed:
            for node in (p, o):
                if isinstance(node, URIRef) and node not in mentioned:
                    labels = labels_of(node, graphs)
                    if labels:
                        mentioned[node] = labels
        if c.labels:
            mentioned[c.subject] = c.labels
    changes = sorted(
        by_subject.values(), key=lambda c: (isinstance(c.subject, BNode), str(c.subject))
    )
    return GraphDiff(changes, mentioned)
