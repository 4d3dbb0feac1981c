"""SHACL on pyoxigraph: every constraint of the shapes compiled to one SPARQL query.

pySHACL evaluates each constraint once per focus node on rdflib, which takes seconds on the
whole dataset (and minutes for SPARQL-based constraints). Here each constraint becomes one query
that finds all its violations at once: the shape's targets bind ``?this``, the query returns the
offending ``?this`` / ``?value`` / ``?path`` rows. The results are the same as pySHACL's for the
components ewkg's shapes use (``tests/test_shapes.py`` checks both engines agree on every
fixture); a shape using another component is refused (:class:`UnsupportedShapeError`), never
ignored.

Supported: targets ``sh:targetClass`` / ``targetNode`` / ``targetSubjectsOf`` / ``targetObjectsOf``;
paths: an IRI, ``sh:inversePath``, ``sh:alternativePath``; components ``minCount``, ``maxCount``,
``datatype``, ``nodeKind``, ``pattern`` (+ ``flags``), ``languageIn``, ``uniqueLang``,
``minLength``, ``maxLength``, ``class``, ``in``, ``hasValue``, ``minInclusive``,
``maxInclusive``, ``minExclusive``, ``maxExclusive``, and SPARQL-based constraints
(``sh:sparql`` with ``sh:select``; ``$this`` is bound by a join with the targets instead of a
pre-binding, so a query must have a ``WHERE {`` clause).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from ewkg.rdf.namespaces import new_graph
from ewkg.store.embedded import oxigraph_predicate, oxigraph_subject, oxigraph_term, to_rdflib
from ewkg.store.entailment import query_solutions

__all__ = ["CompiledShapes", "UnsupportedShapeError", "compile_shapes", "to_oxigraph"]

_TARGETS = {
    SH.targetClass: "?this <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/"
                    "<http://www.w3.org/2000/01/rdf-schema#subClassOf>* {} .",
    SH.targetNode: "VALUES ?this {{ {} }}",
    SH.targetSubjectsOf: "?this {} ?targetObject .",
    SH.targetObjectsOf: "?targetSubject {} ?this .",
}
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_INSTANCE = ("?value <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/"
             "<http://www.w3.org/2000/01/rdf-schema#subClassOf>* {} .")
#: Components that are not constraints of their own (parameters of another).
_PARAMETERS = {SH.flags}
_IGNORED = {
    RDF.type, SH.path, SH.property, SH.sparql, SH.message, SH.severity, SH.deactivated,
    SH.name, SH.description, SH.order, SH.group, SH.targetClass, SH.targetNode,
    SH.targetSubjectsOf, SH.targetObjectsOf, SH.declare, SH.prefixes, SH.select,
}


class UnsupportedShapeError(ValueError):
    """A shape uses a SHACL feature this compiler does not translate."""


def to_oxigraph(graph: Graph) -> ox.Store:
    """A pyoxigraph store holding ``graph``'s triples."""
    store = ox.Store()
    store.extend([ox.Quad(oxigraph_subject(s), oxigraph_predicate(p), oxigraph_term(o))
                  for s, p, o in graph])
    return store


def _rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    return to_rdflib(term)


def _integer(shape: Node, value: Node) -> int:
    """The integer a shape's count or length constraint gives."""
    if not isinstance(value, Literal) or not isinstance(value.toPython(), int):
        raise UnsupportedShapeError(f"{shape}: {value!r} is not an integer")
    return int(value.toPython())


def _sparql(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise UnsupportedShapeError(f"cannot write {node!r} in a query")


@dataclass(frozen=True)
class Check:
    """One compiled constraint: the query and what its results are reported as."""

    shape: URIRef
    component: URIRef
    query: str
    severity: URIRef
    path: Node | None = None
    constraint: Node | None = None


def _path(shapes: Graph, path: Node) -> str:
    if isinstance(path, URIRef):
        return f"<{path}>"
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{_path(shapes, inverse)}"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path(shapes, p) for p in Collection(shapes, alternatives)) + ")"
    raise UnsupportedShapeError(f"unsupported property path {path!r}")


def _targets(shapes: Graph, shape: Node) -> str | None:
    found = [
        "{ " + pattern.format(_sparql(target)) + " }"
        for predicate, pattern in _TARGETS.items()
        for target in shapes.objects(shape, predicate)
    ]
    return " UNION ".join(found) if found else None


def _value_checks(shapes: Graph, shape: Node) -> Iterator[tuple[URIRef, str]]:
    """``(component, FILTER expression true for a bad ?value)`` for per-value components."""
    for predicate, value in shapes.predicate_objects(shape):
        if predicate in _IGNORED or predicate in _PARAMETERS:
            continue
        if predicate in (SH.minCount, SH.maxCount, SH.uniqueLang):
            continue  # per focus node, compiled elsewhere
        if predicate == SH.datatype:
            yield SH.DatatypeConstraintComponent, (
                f"!isLiteral(?value) || DATATYPE(?value) != {_sparql(value)}"
            )
        elif predicate == SH.nodeKind:
            kinds = {
                SH.IRI: "isIRI(?value)", SH.BlankNode: "isBlank(?value)",
                SH.Literal: "isLiteral(?value)",
                SH.BlankNodeOrIRI: "!isLiteral(?value)", SH.IRIOrLiteral: "!isBlank(?value)",
                SH.BlankNodeOrLiteral: "!isIRI(?value)",
            }
            yield SH.NodeKindConstraintComponent, f"!({kinds[value]})"  # type: ignore[index]
        elif predicate == SH.pattern:
            flags = shapes.value(shape, SH.flags)
            args = f"{_sparql(Literal(str(value)))}"
            if flags is not None:
                args += f", {_sparql(Literal(str(flags)))}"
            yield SH.PatternConstraintComponent, (
                f"isBlank(?value) || !REGEX(STR(?value), {args})"
            )
        elif predicate == SH.languageIn:
            ranges = [str(x) for x in Collection(shapes, value)]
            matches = " || ".join(
                f"LANGMATCHES(LANG(?value), {_sparql(Literal(r))})" for r in ranges
            ) or "false"
            yield SH.LanguageInConstraintComponent, (
                f"!isLiteral(?value) || LANG(?value) = \"\" || !({matches})"
            )
        elif predicate in (SH.minLength, SH.maxLength):
            op = "<" if predicate == SH.minLength else ">"
            component = (SH.MinLengthConstraintComponent if predicate == SH.minLength
                         else SH.MaxLengthConstraintComponent)
            length = _integer(shape, value)
            yield component, f"isBlank(?value) || STRLEN(STR(?value)) {op} {length}"
        elif predicate == SH["class"]:
            yield SH.ClassConstraintComponent, (
                "NOT EXISTS { " + _INSTANCE.format(_sparql(value)) + " }"
            )
        elif predicate == SH["in"]:
            members = ", ".join(_sparql(x) for x in Collection(shapes, value))
            yield SH.InConstraintComponent, f"!(?value IN ({members}))"
        elif predicate in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
            bounds: dict[Node, str] = {SH.minInclusive: ">=", SH.maxInclusive: "<=",
                                       SH.minExclusive: ">", SH.maxExclusive: "<"}
            op = bounds[predicate]
            name = str(predicate).rsplit("#", 1)[1]
            component = SH[name[0].upper() + name[1:] + "ConstraintComponent"]
            yield component, f"!COALESCE(?value {op} {_sparql(value)}, false)"
        elif predicate == SH.hasValue:
            continue  # per focus node, compiled elsewhere
        else:
            raise UnsupportedShapeError(f"{shape}: {predicate} is not supported by the fast engine")


def _severity(shapes: Graph, shape: Node) -> URIRef:
    severity = shapes.value(shape, SH.severity)
    return severity if isinstance(severity, URIRef) else SH.Violation


def _compile_shape(shapes: Graph, shape: URIRef, targets: str,
                   path: Node | None) -> Iterator[Check]:
    severity = _severity(shapes, shape)
    values = "BIND(?this AS ?value)" if path is None else f"?this {_path(shapes, path)} ?value ."
    for component, bad in _value_checks(shapes, shape):
        query = f"SELECT DISTINCT ?this ?value WHERE {{ {targets} {values} FILTER({bad}) }}"
        yield Check(shape, component, query, severity, path)
    if path is None:
        return
    p = _path(shapes, path)
    min_count = shapes.value(shape, SH.minCount)
    if min_count is not None and _integer(shape, min_count) > 0:
        query = (f"SELECT ?this WHERE {{ {targets} OPTIONAL {{ ?this {p} ?v }} }} "
                 f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {_integer(shape, min_count)})")
        yield Check(shape, SH.MinCountConstraintComponent, query, severity, path)
    max_count = shapes.value(shape, SH.maxCount)
    if max_count is not None:
        query = (f"SELECT ?this WHERE {{ {targets} ?this {p} ?v }} "
                 f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {_integer(shape, max_count)})")
        yield Check(shape, SH.MaxCountConstraintComponent, query, severity, path)
    if (shape, SH.uniqueLang, Literal(True)) in shapes:
        query = (f"SELECT DISTINCT ?this WHERE {{ {targets} ?this {p} ?a, ?b . "
                 "FILTER(?a != ?b && LANG(?a) != \"\" && LANG(?a) = LANG(?b)) }")
        yield Check(shape, SH.UniqueLangConstraintComponent, query, severity, path)
    for value in shapes.objects(shape, SH.hasValue):
        query = (f"SELECT ?this WHERE {{ {targets} "
                 f"FILTER NOT EXISTS {{ ?this {p} {_sparql(value)} }} }}")
        yield Check(shape, SH.HasValueConstraintComponent, query, severity, path)


def _prologue(shapes: Graph, constraint: Node) -> str:
    return "".join(
        f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
        for prefixes in shapes.objects(constraint, SH.prefixes)
        for d in shapes.objects(prefixes, SH.declare)
    )


def _compile_sparql(shapes: Graph, shape: URIRef, targets: str,
                    constraint: Node) -> Check:
    select = shapes.value(constraint, SH.select)
    if select is None:
        raise UnsupportedShapeError(f"{constraint}: only sh:select SPARQL constraints work")
    text = str(select).replace("$this", "?this")
    match = _WHERE.search(text)
    if match is None:
        raise UnsupportedShapeError(f"{constraint}: sh:select has no WHERE clause")
    query = (_prologue(shapes, constraint) + text[: match.end()] + "\n  " + targets + "\n"
             + text[match.end():])
    return Check(shape, SH.SPARQLConstraintComponent, query, _severity(shapes, shape),
                 None, constraint)


@dataclass(frozen=True)
class CompiledShapes:
    """Every constraint of a shapes graph as a query; :meth:`run` returns the report graph."""

    checks: tuple[Check, ...]

    def run(self, store: ox.Store) -> Graph:
        """Run every check on ``store``: a ``sh:ValidationReport``-like graph of results."""
        report = new_graph()
        for check in self.checks:
            seen: set[tuple[object, object, object]] = set()
            for row in query_solutions(store.query(check.query)):
                this = row["this"]
                if this is None:
                    continue
                value = row["value"]
                path = row["path"] if check.constraint is not None else None
                key = (this, value, path)
                if key in seen:
                    continue
                seen.add(key)
                result = BNode()
                report.add((result, RDF.type, SH.ValidationResult))
                report.add((result, SH.focusNode, _rdflib(this)))
                if value is not None:
                    report.add((result, SH.value, _rdflib(value)))
                result_path = _rdflib(path) if path is not None else check.path
                if result_path is not None:
                    report.add((result, SH.resultPath, result_path))
                report.add((result, SH.sourceShape, check.shape))
                if check.constraint is not None:
                    report.add((result, SH.sourceConstraint, check.constraint))
                report.add((result, SH.sourceConstraintComponent, check.component))
                report.add((result, SH.resultSeverity, check.severity))
        return report


def _node_shapes(shapes: Graph) -> Iterable[URIRef]:
    found = set(shapes.subjects(RDF.type, SH.NodeShape))
    for predicate in _TARGETS:
        found.update(shapes.subjects(predicate, None))
    return sorted((s for s in found if isinstance(s, URIRef)), key=str)


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Compile every targeted node shape, its property shapes and its SPARQL constraints.

    Raises:
        UnsupportedShapeError: a shape uses a feature the compiler does not translate.
    """
    checks: list[Check] = []
    for shape in _node_shapes(shapes):
        if (shape, SH.deactivated, Literal(True)) in shapes:
            continue
        targets = _targets(shapes, shape)
        if targets is None:
            continue
        if shapes.value(shape, SH.path) is not None:
            checks.extend(_compile_shape(shapes, shape, targets, shapes.value(shape, SH.path)))
            continue
        checks.extend(_compile_shape(shapes, shape, targets, None))
        for prop in sorted(shapes.objects(shape, SH.property), key=str):
            if (prop, SH.deactivated, Literal(True)) in shapes:
                continue
            path = shapes.value(prop, SH.path)
            if path is None:
                raise UnsupportedShapeError(f"{prop}: a property shape needs sh:path")
            if not isinstance(prop, URIRef):
                raise UnsupportedShapeError(f"{shape}: property shapes must be IRIs")
            checks.extend(_compile_shape(shapes, prop, targets, path))
        for constraint in sorted(shapes.objects(shape, SH.sparql), key=str):
            if (constraint, SH.deactivated, Literal(True)) in shapes:
                continue
            checks.append(_compile_sparql(shapes, shape, targets, constraint))
    return CompiledShapes(tuple(checks))
