"""Validation: syntax of every input, SHACL shapes, and (optionally) an OWL 2 RL consistency check.

:func:`validate` returns a :class:`~ewkg.validation.report.Report` of located violations: the file
and line
where the focus node is defined, its French and Chinese labels, the path, the offending value,
the shape, the severity and the shape's message in French, Chinese and English — taken from the
shapes graph by ``sh:sourceShape`` (pySHACL drops the language tag of messages that come from
SPARQL constraints).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

from ewkg import strings
from ewkg.rdf.namespaces import new_graph
from ewkg.rdf.turtle import term_text
from ewkg.resources import dataset_files, shapes_files, turtle_files
from ewkg.strings import VALIDATION, filled, quoted
from ewkg.validation.locate import (
    ParsedSource,
    RdfSyntaxError,
    SyntaxProblem,
    defining_source,
    localize,
    parse_files,
    parse_source,
)
from ewkg.validation.report import LANGS, Report, Violation
from ewkg.validation.shacl_sparql import CompiledShapes, compile_shapes, to_oxigraph

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
        raise RdfSyntaxError(*problems)
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
        raise RdfSyntaxError(*problems)
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


class _Overlay:
    """Labels of the subjects an input describes come from the input only (not the bundle)."""

    def __init__(self, front: Graph, back: Graph, replaced: set[Node]) -> None:
        self.front, self.back, self.replaced = front, back, replaced

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        graph = self.front if subject in self.replaced else self.back
        return graph.objects(subject, predicate)


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


class _Labels:
    """:func:`labels` of each node looked up once (a report names the same nodes many times,
    and a lookup over an aggregate of graphs visits each of them)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.found: dict[Node, dict[str, str]] = {}

    def __call__(self, node: Node) -> dict[str, str]:
        found = self.found.get(node)
        if found is None:
            found = self.found[node] = labels(node, self.graph)
        return dict(found)


def _display(node: Node | None, graph: Graph | _Labels, lang: str) -> str | None:
    """A node for a message in ``lang``: its quoted label if it has one, else its Turtle text."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        found = graph(node) if isinstance(graph, _Labels) else labels(node, graph)
        label = found.get(lang) or found.get("fr") or found.get("zh")
        if label:
            return quoted(label, lang)
    return term_text(node)


def _locate(node: Node, sources: list[ParsedSource]) -> tuple[str | None, int | None]:
    source = defining_source(node, sources)
    if source is None:
        return None, None
    return source.name, source.line_of(node)


#: Validation engines: ``oxigraph`` compiles every shape to SPARQL (fast, the default);
#: ``pyshacl`` runs pySHACL on everything (the reference, slow on the whole dataset).
ENGINES = ("oxigraph", "pyshacl")


@lru_cache(maxsize=4)
def _compiled(shapes: Graph) -> CompiledShapes:
    return compile_shapes(shapes)


def _shacl(
    data: Graph, shapes: Graph, *, engine: str = "oxigraph", store: ox.Store | None = None
) -> Graph:
    """The SHACL results (a report graph) of ``data`` against ``shapes``.

    ``store`` is ``data`` already loaded in pyoxigraph, if the caller has it.
    """
    if engine == "pyshacl":
        from pyshacl import validate as shacl_validate

        _, report, _ = shacl_validate(
            data, shacl_graph=shapes, inference="none", inplace=True,
            allow_infos=True, allow_warnings=True,
        )
        if not isinstance(report, Graph):  # pragma: no cover - pySHACL refused the shapes
            raise ValueError(f"the shapes are not valid SHACL: {report}")
        return report
    if engine != "oxigraph":
        raise ValueError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    return _compiled(shapes).run(store if store is not None else to_oxigraph(data))


def _violations_from_report(
    report: Graph, data: Graph, shapes: Graph, sources: list[ParsedSource]
) -> list[Violation]:
    violations = []
    labels_of = _Labels(data)
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
            lang: _fill(text, focus=_display(focus, labels_of, lang) or focus_text,
                        value=_display(value, labels_of, lang), path=path)
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
            focus_labels=labels_of(focus),
            path=path,
            value=value_text,
            value_labels=labels_of(value) if isinstance(value, URIRef) else {},
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


def _misplaced(data: Graph, closure: Graph, add: Callable[..., None]) -> None:
    """Individuals the ontology would put in a class the data does not give them.

    Two checks on the data closed under subclass and subproperty axioms (what the server
    serves, :mod:`ewkg.store.entailment`): every subject is in its property's domain and every
    object in its range; and the OWL 2 RL closure types no named individual with a class of the
    ontology that the served data does not (a wrong domain, range or chain would).
    """
    from ewkg.store.entailment import domain_range_violations, materialise

    store = to_oxigraph(data)
    materialise(store)
    for m in domain_range_violations(store):
        node, prop = URIRef(m.node), URIRef(m.prop)
        expected = " | ".join(term_text(URIRef(c)) for c in m.allowed) or "?"
        side = VALIDATION[f"side_{m.side}"]
        add(URIRef(m.subject), term_text(prop), node, f"rdfs:{m.side}", {
            lang: text.format(side=side[lang], prop=term_text(prop), expected=expected,
                              axiom=m.side)
            for lang, text in VALIDATION["outside_domain_or_range"].items()
        })
    ontology_classes = {c for c in data.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    served = {(t.subject.value, t.object.value) for t in store.quads_for_pattern(
        None, ox.NamedNode(str(RDF.type)), None)
        if isinstance(t.subject, ox.NamedNode | ox.BlankNode)
        and isinstance(t.object, ox.NamedNode)}
    for x, c in closure.subject_objects(RDF.type):
        if (isinstance(x, URIRef) and c in ontology_classes and (x, None, None) in data
                and (str(x), str(c)) not in served and (x, RDF.type, OWL.Class) not in data
                and not any((x, RDF.type, k) in data for k in (
                    OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
                    OWL.Ontology, OWL.NamedIndividual))):
            add(x, "rdf:type", c, "owl:entailedClass",
                filled(VALIDATION["entailed_class"], cls=term_text(c)))


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
        # named by their labels in French and Chinese, by their IRIs in English
        add(x, "rdf:type", c2, "owl:disjointWith", {
            lang: text.format(
                first=a.get(lang, term_text(c1)) if lang in strings.LANGS else term_text(c1),
                second=b.get(lang, term_text(c2)) if lang in strings.LANGS else term_text(c2))
            for lang, text in VALIDATION["disjoint"].items()
        })
    for row in closure.query(_FUNCTIONAL):
        x, p, one, other = row  # type: ignore[misc]
        if (one, OWL.sameAs, other) in data or (other, OWL.sameAs, one) in data:
            continue
        add(x, term_text(p), other, "owl:FunctionalProperty", filled(
            VALIDATION["functional"], prop=term_text(p), one=term_text(one),
            other=term_text(other)))
    _misplaced(data, closure, add)
    error_type = URIRef("http://www.daml.org/2002/03/agents/agent-ont#ErrorMessage")
    error_text = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")
    for node in closure.subjects(RDF.type, error_type):
        for text in closure.objects(node, error_text):
            found.append(Violation(
                file=None, line=None, focus=term_text(node), focus_labels={}, path=None,
                value=None, value_labels={}, shape="owlrl", constraint=None,
                component="OWL 2 RL", severity="Violation",
                messages=filled(VALIDATION["inconsistent"], text=text),
            ))
    return found


# -- entry points -------------------------------------------------------------------------------

def validate_sources(
    inputs: list[ParsedSource],
    *,
    context: Sequence[ParsedSource] = (),
    shapes: Graph | None = None,
    reasoning: bool = False,
    syntax_errors: Sequence[SyntaxProblem] = (),
    engine: str = "oxigraph",
    replace_subjects: bool = False,
) -> Report:
    """Validate parsed ``inputs`` merged with ``context``.

    With ``replace_subjects``, a subject described in ``inputs`` replaces its description in
    ``context``; by default the inputs are merged with the context (``validate`` replaces whole
    files instead: a file given replaces the bundled file of the same name).
    """
    started = time.perf_counter()
    if syntax_errors:
        return Report(
            violations=[], syntax_errors=list(syntax_errors),
            files=[s.name for s in inputs], triples=0,
            seconds=time.perf_counter() - started,
        )
    shapes = load_shapes() if shapes is None else shapes
    described: set[Node] = set()
    if replace_subjects:
        for source in inputs:
            described.update(s for s in source.subjects if isinstance(s, URIRef))
    replaced = {ox.NamedNode(str(s)) for s in described}
    store = ox.Store()
    for source in inputs:
        store.extend(source.quads)
    for source in context:
        store.extend(q for q in source.quads if q.subject not in replaced)
    triples = len(store)
    graphs = list({id(s.graph): s.graph for s in [*inputs, *context]}.values())
    if len(graphs) == 1:
        data = graphs[0]  # parsed into one graph already: no copy
    elif engine == "pyshacl" or reasoning:
        data = new_graph()
        for graph in graphs[: len({id(s.graph) for s in inputs})]:
            data += graph
        for source in context:
            for triple in source.graph:
                if triple[0] not in described:
                    data.add(triple)
    else:
        # Only read for labels: a view over the graphs, the inputs first.
        data = ReadOnlyGraphAggregate(graphs)
    sources = list(inputs) + list(context)
    report_graph = _shacl(data, shapes, engine=engine, store=store)
    shown = data
    if described and context:
        front = [g for g in graphs if any(g is s.graph for s in inputs)]
        shown = _Overlay(front[0] if len(front) == 1 else ReadOnlyGraphAggregate(front),
                         data, described)  # type: ignore[assignment]
    violations = _violations_from_report(report_graph, shown, shapes, sources)
    if reasoning:
        violations += owl_rl_violations(data, sources)
    if context:
        # Warnings of the context are known, not the inputs' doing: show those of the inputs.
        names = {s.name for s in inputs}
        violations = [v for v in violations if v.severity == "Violation" or v.file in names]
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
    engine: str = "oxigraph",
) -> Report:
    """Validate Turtle files (default: the bundled ontology and data) against the shapes.

    With ``paths``, they are validated together with the bundled ontology and, unless ``alone``,
    the rest of the bundled data (a bundled file given in ``paths``, or one of the same name in
    ``data/``, is replaced by it).
    """
    started = time.perf_counter()
    bundled = paths is None
    files = list(dataset_files() if paths is None else paths)
    inputs, problems = parse_files(files, into=new_graph())
    context: list[ParsedSource] = []
    shapes_graph = None
    try:
        if not bundled and not problems:
            given = {s.name for s in inputs}
            context = [
                c for c in bundled_context(exclude=files, data=not alone) if c.name not in given
            ]
        shapes_graph = load_shapes(shapes)
    except RdfSyntaxError as exc:  # a broken bundled file or shapes file
        problems = [*problems, *exc.problems]
    report = validate_sources(
        inputs, context=context, reasoning=reasoning, syntax_errors=problems,
        shapes=shapes_graph, engine=engine,
    )
    report.seconds = time.perf_counter() - started  # parsing included
    return report


def validate_text(
    text: str | bytes,
    *,
    rdf_format: ox.RdfFormat = ox.RdfFormat.TURTLE,
    name: str = "input",
    alone: bool = False,
    reasoning: bool = False,
    context_files: Sequence[Path] | None = None,
    lang: str | None = None,
) -> Report:
    """Validate one document (e.g. a POST body) with the bundled ontology and data as context
    (or ``context_files``, e.g. the files a server was started with); a syntax error is told
    in ``lang`` (``fr``, ``zh``; default: the parser's English)."""
    try:
        source = parse_source(text, name=name, rdf_format=rdf_format)
    except RdfSyntaxError as exc:
        return validate_sources([], syntax_errors=[localize(exc.problem, lang)])
    try:
        if context_files:
            context = list(_context(_key(context_files)))
        else:
            context = bundled_context(data=not alone)
        shapes = load_shapes()
    except RdfSyntaxError as exc:  # pragma: no cover - the bundle is checked by CI
        return validate_sources([], syntax_errors=exc.problems)
    return validate_sources([source], context=context, reasoning=reasoning, shapes=shapes)


def warm_caches(context_files: Sequence[Path] | None = None) -> None:
    """Parse the context and the shapes and compile the shapes now, as :func:`validate_text`
    would: a process forked afterwards finds them ready."""
    from ewkg.rdf import turtle  # noqa: F401 - rendering a report imports it

    if context_files:
        _context(_key(context_files))
    else:
        bundled_context(data=True)
    _compiled(load_shapes())


__all__ += ["LANGS", "warm_caches"]
