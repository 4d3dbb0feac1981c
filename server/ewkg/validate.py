"""Validation: syntax of every input, SHACL shapes, and (optionally) an OWL 2 RL consistency check.

:func:`validate` returns a :class:`~ewkg.report.Report` of located violations: the file and line
where the focus node is defined, its French and Chinese labels, the path, the offending value,
the shape, the severity and the shape's message in French, Chinese and English — taken from the
shapes graph by ``sh:sourceShape`` (pySHACL drops the language tag of messages that come from
SPARQL constraints).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from .locate import (
    ParsedSource,
    RdfSyntaxError,
    SyntaxProblem,
    defining_source,
    parse_files,
    parse_source,
)
from .namespaces import new_graph
from .report import LANGS, Report, Violation
from .resources import dataset_files, shapes_files, turtle_files
from .store import to_rdflib
from .turtle import term_text

__all__ = [
    "Report",
    "Violation",
    "bundled_context",
    "labels",
    "load_shapes",
    "owl_rl_violations",
    "validate",
    "validate_sources",
    "validate_text",
]

_PLACEHOLDER = re.compile(r"\{[$?](this|value|path|focusNode)\}")


def _key(paths: Iterable[Path]) -> tuple[tuple[str, float], ...]:
    return tuple((str(p.resolve()), p.stat().st_mtime) for p in paths)


@lru_cache(maxsize=4)
def _shapes(key: tuple[tuple[str, float], ...]) -> Graph:
    parsed, problems = parse_files([Path(name) for name, _ in key])
    if problems:
        raise RdfSyntaxError(problems[0])
    graph = new_graph()
    for source in parsed:
        graph += source.graph
    return graph


def load_shapes(paths: Sequence[Path] | None = None) -> Graph:
    """The shapes graph (cached while the files are unchanged)."""
    return _shapes(_key(shapes_files() if paths is None else paths))


@lru_cache(maxsize=4)
def _context(key: tuple[tuple[str, float], ...]) -> tuple[ParsedSource, ...]:
    parsed, problems = parse_files([Path(name) for name, _ in key])
    if problems:
        raise RdfSyntaxError(problems[0])
    return tuple(parsed)


def bundled_context(
    *, exclude: Iterable[Path] = (), data: bool = True
) -> list[ParsedSource]:
    """The bundled ontology (and data) parsed, minus ``exclude`` (same path or same file name)."""
    excluded = {p.resolve() for p in exclude}
    names = {p.name for p in exclude}
    files = [
        p for p in (dataset_files() if data else turtle_files("ontology"))
        if p.resolve() not in excluded and not (p.parent.name == "data" and p.name in names)
    ]
    return list(_context(_key(files)))


def labels(node: Node, graph: Graph) -> dict[str, str]:
    """``{lang: label}`` of ``node`` (``skos:prefLabel``, else ``rdfs:label``)."""
    found: dict[str, str] = {}
    for predicate in (SKOS.prefLabel, RDFS.label):
        for value in graph.objects(node, predicate):
            if isinstance(value, Literal) and value.language:
                found.setdefault(value.language.lower(), str(value))
    return found


def _path_text(path: Node | None, graph: Graph) -> str | None:
    if path is None:
        return None
    if isinstance(path, BNode):
        inverse = graph.value(path, SH.inversePath)
        if inverse is not None:
            return "^" + (_path_text(inverse, graph) or "?")
        return "(complex path)"
    return term_text(path)


def _messages(result: Node, report: Graph, shapes: Graph) -> dict[str, str]:
    """The result's message per language, from its constraint or shape in the shapes graph."""
    found: dict[str, str] = {}
    for origin in (report.value(result, SH.sourceConstraint), report.value(result, SH.sourceShape)):
        if origin is None:
            continue
        for message in shapes.objects(origin, SH.message):
            if isinstance(message, Literal):
                found.setdefault((message.language or "en").lower(), str(message))
    if not found:
        for message in report.objects(result, SH.resultMessage):
            found.setdefault("en", str(message))
    return found


def _fill(message: str, *, focus: str, value: str | None, path: str | None) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in {"this", "focusNode"}:
            return focus
        if name == "value":
            return value if value is not None else ""
        return path or ""

    return _PLACEHOLDER.sub(replace, message)


def _display(node: Node, graph: Graph) -> str:
    """A node for a message: its label in each language, else its Turtle text."""
    return term_text(node)


def _locate(node: Node, sources: list[ParsedSource]) -> tuple[str | None, int | None]:
    source = defining_source(node, sources)
    if source is None:
        return None, None
    return source.name, source.line_of(node)


def _to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
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


def _from_ox(term: object) -> Node:
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    value = to_rdflib(term)  # type: ignore[arg-type]
    assert value is not None
    return value


_TARGETS = {
    SH.targetClass: "?this rdf:type/rdfs:subClassOf* {} .",
    SH.targetNode: "VALUES ?this {{ {} }}",
    SH.targetSubjectsOf: "?this {} ?targetObject .",
    SH.targetObjectsOf: "?targetSubject {} ?this .",
}
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


@dataclass(frozen=True)
class SparqlConstraint:
    """One ``sh:sparql`` constraint of a node shape, ready to run over the whole data at once."""

    shape: URIRef
    constraint: URIRef | BNode
    query: str
    severity: URIRef


def sparql_constraints(shapes: Graph) -> list[SparqlConstraint]:
    """The SPARQL-based constraints of ``shapes``, each rewritten to run once over all its focus
    nodes: ``$this`` becomes ``?this``, bound by the shape's targets at the start of the WHERE
    clause (the pre-binding of SHACL-SPARQL, done by a join instead of one query per node)."""
    found = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        if (constraint, SH.deactivated, Literal(True)) in shapes:
            continue
        select = shapes.value(constraint, SH.select)
        if select is None or not isinstance(shape, URIRef):
            continue
        targets = []
        for predicate, pattern in _TARGETS.items():
            for target in shapes.objects(shape, predicate):
                targets.append("{ " + pattern.format(term_text_sparql(target)) + " }")
        if not targets:
            continue
        prologue = "".join(
            f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
            for prefixes in shapes.objects(constraint, SH.prefixes)
            for d in shapes.objects(prefixes, SH.declare)
        )
        prologue += (
            "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        )
        text = str(select).replace("$this", "?this")
        match = _WHERE.search(text)
        if match is None:
            raise ValueError(f"{constraint}: sh:select has no WHERE clause")
        text = (text[: match.end()] + "\n  " + " UNION ".join(targets) + "\n"
                + text[match.end():])
        severity = shapes.value(shape, SH.severity) or SH.Violation
        found.append(SparqlConstraint(shape, constraint, prologue + text, severity))  # type: ignore[arg-type]
    return sorted(found, key=lambda c: (str(c.shape), str(c.constraint)))


def term_text_sparql(node: Node) -> str:
    """A term in SPARQL syntax (full IRIs)."""
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise TypeError(f"cannot target {node!r}")


def _run_sparql(store: ox.Store, constraints: list[SparqlConstraint]) -> Graph:
    """Run the constraints; the results as a ``sh:ValidationReport`` graph (like pySHACL's)."""
    report = new_graph()
    for c in constraints:
        seen = set()
        for row in store.query(c.query):
            this = row["this"]
            if this is None:
                continue
            path = _get(row, "path")
            value = _get(row, "value")
            key = (this, path, value)
            if key in seen:
                continue
            seen.add(key)
            result = BNode()
            report.add((result, RDF.type, SH.ValidationResult))
            report.add((result, SH.focusNode, _from_ox(this)))
            if path is not None:
                report.add((result, SH.resultPath, _from_ox(path)))
            if value is not None:
                report.add((result, SH.value, _from_ox(value)))
            report.add((result, SH.sourceShape, c.shape))
            report.add((result, SH.sourceConstraint, c.constraint))
            report.add((result, SH.sourceConstraintComponent, SH.SPARQLConstraintComponent))
            report.add((result, SH.resultSeverity, c.severity))
    return report


def _get(row: ox.QuerySolution, name: str) -> object | None:
    try:
        return row[name]
    except (KeyError, IndexError):
        return None


@lru_cache(maxsize=4)
def _split(shapes_id: int, shapes: Graph) -> tuple[Graph, tuple[SparqlConstraint, ...]]:
    core = new_graph()
    for triple in shapes:
        if triple[1] != SH.sparql:
            core.add(triple)
    return core, tuple(sparql_constraints(shapes))


def _shacl(data: Graph, shapes: Graph) -> Graph:
    """Validate: SHACL core by pySHACL, the SPARQL-based constraints by pyoxigraph.

    pySHACL runs a SPARQL constraint once per focus node through rdflib's SPARQL engine, which
    takes minutes on the whole dataset; pyoxigraph runs each once over all focus nodes.
    """
    from pyshacl import validate as shacl_validate

    core, constraints = _split(id(shapes), shapes)
    _, report, _ = shacl_validate(
        data,
        shacl_graph=core,
        inference="none",
        inplace=True,
        allow_infos=True,
        allow_warnings=True,
    )
    if not isinstance(report, Graph):  # pragma: no cover - pySHACL refused the shapes
        raise ValueError(f"the shapes are not valid SHACL: {report}")
    store = ox.Store()
    store.extend([ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o)) for s, p, o in data])
    report += _run_sparql(store, list(constraints))
    return report


def _violations_from_report(
    report: Graph, data: Graph, shapes: Graph, sources: list[ParsedSource]
) -> list[Violation]:
    violations = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        if focus is None:
            continue
        value = report.value(result, SH.value)
        path = _path_text(report.value(result, SH.resultPath), report)
        shape = report.value(result, SH.sourceShape)
        constraint = report.value(result, SH.sourceConstraint)
        component = report.value(result, SH.sourceConstraintComponent)
        severity = report.value(result, SH.resultSeverity) or SH.Violation
        focus_text = term_text(focus)
        value_text = term_text(value) if value is not None else None
        file, line = _locate(focus, sources)
        messages = {
            lang: _fill(text, focus=focus_text, value=value_text, path=path)
            for lang, text in _messages(result, report, shapes).items()
        }
        shape_text = term_text(shape) if isinstance(shape, URIRef) else None
        if isinstance(constraint, URIRef) and component == SH.SPARQLConstraintComponent:
            constraint_text = term_text(constraint)
        else:
            constraint_text = None
        violations.append(Violation(
            file=file,
            line=line,
            focus=focus_text,
            focus_labels=labels(focus, data),
            path=path,
            value=value_text,
            value_labels=labels(value, data) if isinstance(value, URIRef) else {},
            shape=shape_text or "(anonymous shape)",
            constraint=constraint_text,
            component=term_text(component) if component is not None else None,
            severity=str(severity).rsplit("#", 1)[-1],
            messages=messages,
        ))
    return violations


# -- OWL 2 RL -----------------------------------------------------------------------------------

_DISJOINT = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?x ?c1 ?c2 WHERE {
  ?x a ?c1, ?c2 .
  FILTER(isIRI(?x) && STR(?c1) < STR(?c2))
  { ?c1 owl:disjointWith ?c2 } UNION { ?c2 owl:disjointWith ?c1 }
  UNION { ?d a owl:AllDisjointClasses ; owl:members ?l .
          ?l rdf:rest*/rdf:first ?c1 . ?l rdf:rest*/rdf:first ?c2 . }
}"""
_FUNCTIONAL = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT DISTINCT ?x ?p ?a ?b WHERE {
  ?p a owl:FunctionalProperty .
  ?x ?p ?a, ?b .
  FILTER(isIRI(?x) && STR(?a) < STR(?b))
}"""


def _closure(graph: Graph) -> Graph:
    import owlrl

    closure = Graph(bind_namespaces="none")
    closure += graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, improved_datatypes=False).expand(closure)
    return closure


def owl_rl_violations(data: Graph, sources: list[ParsedSource]) -> list[Violation]:
    """Contradictions of the OWL 2 RL closure: an entity in two disjoint classes, a functional
    property with two different values (the data's IRIs name different things)."""
    closure = _closure(data)
    found: list[Violation] = []

    def add(focus: Node, path: str | None, value: Node | None, rule: str,
            messages: dict[str, str]) -> None:
        file, line = _locate(focus, sources)
        found.append(Violation(
            file=file, line=line, focus=term_text(focus), focus_labels=labels(focus, data),
            path=path, value=term_text(value) if value is not None else None,
            value_labels=labels(value, data) if isinstance(value, URIRef) else {},
            shape=rule, constraint=None, component="OWL 2 RL", severity="Violation",
            messages=messages,
        ))

    for row in closure.query(_DISJOINT):
        x, c1, c2 = row  # type: ignore[misc]
        a, b = labels(c1, data), labels(c2, data)
        add(x, "rdf:type", c2, "owl:disjointWith", {
            "fr": f"Contradiction : l'entité est à la fois {a.get('fr', term_text(c1))} et "
                  f"{b.get('fr', term_text(c2))}, deux classes disjointes.",
            "zh": f"矛盾：该实体同时属于互斥的类 {a.get('zh', term_text(c1))} 和 "
                  f"{b.get('zh', term_text(c2))}。",
            "en": f"Contradiction: the entity is both {term_text(c1)} and {term_text(c2)}, "
                  "which are disjoint classes.",
        })
    for row in closure.query(_FUNCTIONAL):
        x, p, a, b = row  # type: ignore[misc]
        if (a, OWL.sameAs, b) in data or (b, OWL.sameAs, a) in data:
            continue
        add(x, term_text(p), b, "owl:FunctionalProperty", {
            "fr": f"Contradiction : la propriété fonctionnelle {term_text(p)} a deux valeurs, "
                  f"{term_text(a)} et {term_text(b)}.",
            "zh": f"矛盾：函数型属性 {term_text(p)} 有两个不同的值：{term_text(a)} 和 "
                  f"{term_text(b)}。",
            "en": f"Contradiction: the functional property {term_text(p)} has two values, "
                  f"{term_text(a)} and {term_text(b)}.",
        })
    return found


# -- entry points -------------------------------------------------------------------------------

def validate_sources(
    inputs: list[ParsedSource],
    *,
    context: Sequence[ParsedSource] = (),
    shapes: Graph | None = None,
    reasoning: bool = False,
    syntax_errors: Sequence[SyntaxProblem] = (),
) -> Report:
    """Validate parsed ``inputs`` merged with ``context``.

    A subject described in ``inputs`` replaces its description in ``context`` (so a curator's
    edited copy of a file is not merged with the bundled original).
    """
    started = time.perf_counter()
    if syntax_errors:
        return Report(
            violations=[], syntax_errors=list(syntax_errors),
            files=[s.name for s in inputs], triples=0,
            seconds=time.perf_counter() - started,
        )
    shapes = load_shapes() if shapes is None else shapes
    graphs = {id(s.graph): s.graph for s in inputs}
    if len(graphs) == 1 and not context:
        data = next(iter(graphs.values()))  # parsed into one graph already: no copy
    else:
        data = new_graph()
        for graph in graphs.values():
            data += graph
    described: set[Node] = set()
    for source in inputs:
        described.update(s for s in source.subjects if isinstance(s, URIRef))
    for source in context:
        if described:
            for triple in source.graph:
                if triple[0] not in described:
                    data.add(triple)
        else:
            data += source.graph
    triples = len(data)
    sources = list(inputs) + list(context)
    report_graph = _shacl(data, shapes)
    violations = _violations_from_report(report_graph, data, shapes, sources)
    if reasoning:
        violations += owl_rl_violations(data, sources)
    order = {name: i for i, name in enumerate(s.name for s in sources)}
    violations.sort(key=lambda v: (order.get(v.file or "", len(order)), v.line or 0, v.focus,
                                   v.shape, v.path or "", v.value or ""))
    return Report(
        violations=violations,
        syntax_errors=[],
        files=[s.name for s in inputs],
        triples=triples,
        seconds=time.perf_counter() - started,
        labels_graph=data,
    )


def validate(
    paths: Sequence[Path] | None = None,
    *,
    alone: bool = False,
    reasoning: bool = False,
    shapes: Sequence[Path] | None = None,
) -> Report:
    """Validate Turtle files (default: the bundled ontology and data) against the shapes.

    With ``paths``, they are validated together with the bundled ontology and, unless ``alone``,
    the rest of the bundled data (a bundled file given in ``paths``, or one of the same name in
    ``data/``, is replaced by it).
    """
    bundled = paths is None
    files = list(dataset_files() if paths is None else paths)
    inputs, problems = parse_files(files, into=new_graph())
    context: list[ParsedSource] = []
    if not bundled and not problems:
        given = {s.name for s in inputs}
        context = [
            c for c in bundled_context(exclude=files, data=not alone) if c.name not in given
        ]
    return validate_sources(
        inputs, context=context, reasoning=reasoning, syntax_errors=problems,
        shapes=load_shapes(shapes) if shapes is not None else None,
    )


def validate_text(
    text: str | bytes,
    *,
    rdf_format: ox.RdfFormat = ox.RdfFormat.TURTLE,
    name: str = "input",
    alone: bool = False,
    reasoning: bool = False,
) -> Report:
    """Validate one document (e.g. a POST body) with the bundled ontology and data as context."""
    try:
        source = parse_source(text, name=name, rdf_format=rdf_format)
    except RdfSyntaxError as exc:
        return validate_sources([], syntax_errors=[exc.problem])
    return validate_sources(
        [source], context=bundled_context(data=not alone), reasoning=reasoning
    )


__all__ += ["LANGS"]
