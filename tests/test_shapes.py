"""The shapes: the shipped data conforms, and every shape is tripped by its own fixture.

``tests/fixtures/shapes/<ShapeLocalName>/<case>.ttl`` holds one defect each. All fixtures are
validated in one batch with the ontology and ``_context.ttl`` (a valid source, passages,
programme…); each violation is attributed to the fixture file that defines its focus node. A
result is named by its SPARQL constraint (``sh:sourceConstraint``) when it comes from one, else
by its ``sh:sourceShape``.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, SH

from ewkg.rdf.namespaces import EWKGSH, new_graph
from ewkg.resources import turtle_files
from ewkg.validation.locate import parse_files, parse_source
from ewkg.validation.validate import Violation, load_shapes, validate, validate_sources

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
CONTEXT = FIXTURES / "_context.ttl"
CASES = sorted(FIXTURES.glob("*/*.ttl"))
SHAPE_TYPES = (SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint)


def local(text: str) -> str:
    return text.removeprefix("ewkgsh:").removeprefix("<").removeprefix(str(EWKGSH)).rstrip(">")


def result_id(v: Violation) -> str:
    """The name a fixture directory uses for a result."""
    return local(v.constraint or v.shape)


def shape_names(shapes: Graph) -> set[str]:
    return {
        str(s).removeprefix(str(EWKGSH))
        for kind in SHAPE_TYPES
        for s in shapes.subjects(RDF.type, kind)
    }


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture(scope="module")
def tripped() -> dict[str, set[str]]:
    """``{fixture file: {shape names}}`` from one validation of every fixture together."""
    graph = new_graph()
    ontology, problems = parse_files(turtle_files("ontology"), into=graph)
    assert not problems
    sources = []
    for path in [CONTEXT, *CASES]:
        name = str(path.relative_to(FIXTURES))
        sources.append(parse_source(path.read_bytes(), name=name, into=graph))
    report = validate_sources(sources + ontology)
    found: dict[str, set[str]] = defaultdict(set)
    for v in report.violations:
        found[v.file or "?"].add(result_id(v))
    return found


def test_shipped_data_conforms() -> None:
    report = validate()
    assert report.syntax_errors == []
    errors = [v for v in report.violations if v.severity == "Violation"]
    assert errors == [], report.to_text("en")
    assert report.conforms and report.exit_code == 0
    # Warnings name data to improve; they never fail (see the report's summary line).
    assert {v.severity for v in report.violations} <= {"Warning", "Info"}


def test_every_shape_has_a_fixture(shapes: Graph) -> None:
    names = shape_names(shapes)
    with_fixture = {p.parent.name for p in CASES}
    assert names - with_fixture == set(), "shapes without a fixture"
    assert with_fixture - names == set(), "fixtures for shapes that do not exist"


def test_fixtures_collected_at_least_one_per_shape(shapes: Graph) -> None:
    assert len(shape_names(shapes)) >= 100
    assert len(CASES) >= len(shape_names(shapes))


def test_context_trips_nothing(tripped: dict[str, set[str]]) -> None:
    assert tripped.get("_context.ttl", set()) == set()
    assert tripped.get("?", set()) == set()


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture_trips_exactly_its_shape(case: Path, tripped: dict[str, set[str]]) -> None:
    name = str(case.relative_to(FIXTURES))
    assert tripped.get(name) == {case.parent.name}


def test_every_shape_is_named_never_a_blank_node(shapes: Graph) -> None:
    for kind in SHAPE_TYPES:
        for shape in shapes.subjects(RDF.type, kind):
            assert isinstance(shape, URIRef) and str(shape).startswith(str(EWKGSH)), shape
    for predicate in (SH.property, SH.sparql):
        for value in shapes.objects(None, predicate):
            assert not isinstance(value, BNode), predicate
    for node_shape in shapes.subjects(RDF.type, SH.NodeShape):
        assert str(node_shape).endswith("Shape"), node_shape
    for kind in (SH.PropertyShape, SH.SPARQLConstraint):
        for shape in shapes.subjects(RDF.type, kind):
            owner, _, rule = local(str(shape)).partition("-")
            assert owner and rule, shape  # {Class}-{rule}, e.g. Region-parentRegion


def test_every_shape_has_a_message_in_french_chinese_and_english(shapes: Graph) -> None:
    for kind in SHAPE_TYPES:
        for shape in shapes.subjects(RDF.type, kind):
            languages = sorted(m.language for m in shapes.objects(shape, SH.message))
            assert languages == ["en", "fr", "zh"], shape


def test_every_constraint_is_used_by_a_node_shape(shapes: Graph) -> None:
    used = set(shapes.objects(None, SH.property)) | set(shapes.objects(None, SH.sparql))
    for kind in (SH.PropertyShape, SH.SPARQLConstraint):
        for shape in shapes.subjects(RDF.type, kind):
            assert shape in used, shape


def _batch() -> tuple[Graph, list]:
    graph = new_graph()
    sources, problems = parse_files(turtle_files("ontology"), into=graph)
    assert not problems
    for path in [CONTEXT, *CASES]:
        sources.append(parse_source(path.read_bytes(), name=path.name, into=graph))
    return graph, sources


def _pairs(report: Graph) -> set[tuple[str, str]]:
    return {
        (str(report.value(r, SH.focusNode)),
         local(str(report.value(r, SH.sourceConstraint) or report.value(r, SH.sourceShape))))
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }


def test_pyshacl_agrees_with_the_compiled_engine_on_every_core_fixture(shapes: Graph) -> None:
    """The default engine compiles each shape to one SPARQL query on pyoxigraph; pySHACL, the
    reference, finds the same (focus node, shape) results on all the fixtures."""
    graph, sources = _batch()
    core = new_graph()
    for triple in shapes:
        if triple[1] != SH.sparql:
            core.add(triple)
    ours = validate_sources(sources, shapes=core)
    _, report, _ = pyshacl_validate(graph, shacl_graph=core, inference="none")
    mine = {(v.focus.strip("<>"), result_id(v)) for v in ours.violations}
    assert mine == _pairs(report)
    assert len(mine) > 60


@pytest.mark.parametrize(
    ("case", "node_shape"),
    [("Pairing-direction/western-assisting", "PairingShape"),
     ("StatedCount-enumeration/complete-but-short", "StatedCountShape")],
)
def test_pyshacl_agrees_with_the_compiled_sparql_constraints(
    case: str, node_shape: str, shapes: Graph
) -> None:
    """SPARQL constraints run once over all focus nodes here; pySHACL runs them one focus node at
    a time (too slow for the whole batch). Both find the same results on these fixtures."""
    graph = new_graph()
    sources = [
        parse_source(path.read_bytes(), name=path.name, into=graph)
        for path in [*turtle_files("ontology"), CONTEXT, FIXTURES / f"{case}.ttl"]
    ]
    ours = validate_sources(sources)
    _, report, _ = pyshacl_validate(
        graph, shacl_graph=shapes, inference="none", use_shapes=[EWKGSH[node_shape]]
    )
    mine = {(v.focus.strip("<>"), result_id(v)) for v in ours.violations}
    assert mine == _pairs(report)
    assert mine


def test_every_entity_of_the_data_is_checked_by_a_node_shape(shapes: Graph) -> None:
    """A new kind of entity gets its node shape: every typed /id/ subject is a target."""
    graph = new_graph()
    _, problems = parse_files(turtle_files("ontology") + turtle_files("data"), into=graph)
    assert not problems
    targets = {str(c) for c in shapes.objects(None, SH.targetClass)}
    query = """
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?s ?class WHERE {
          ?s a ?type . ?type rdfs:subClassOf* ?class .
          FILTER(STRSTARTS(STR(?s), "https://w3id.org/ewkg/id/"))
        }"""
    covered: dict[str, bool] = {}
    for s, cls in graph.query(query):  # type: ignore[misc]
        covered[str(s)] = covered.get(str(s), False) or str(cls) in targets
    assert covered and [s for s, ok in covered.items() if not ok] == []
