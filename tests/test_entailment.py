"""Entailment a reader can rely on: asked by any class or super-property of the ontology, the
served store answers every instance; no individual is put in a class it does not belong to;
each triple lives in exactly one source graph, or in the inferred one."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ewkg.rdf.namespaces import EWKG, ID
from ewkg.resources import bundle_dir, turtle_files
from ewkg.store.embedded import ONTOLOGY_GRAPH, REFERENCE_GRAPH, SEED_GRAPH, EmbeddedStore
from ewkg.store.entailment import INFERRED_GRAPH, domain_range_violations, materialise
from ewkg.store.provenance import SOURCE_GRAPH_BASE
from ewkg.validation.validate import owl_rl_violations, validate


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return EmbeddedStore().oxigraph


@pytest.fixture(scope="module")
def files() -> Graph:
    """What the curated files state (ontology and data), nothing entailed."""
    graph = Graph()
    for folder in ("ontology", "data"):
        for path in turtle_files(folder):
            graph.parse(path, format="turtle")
    return graph


def _below(graph: Graph, top: URIRef, relation: URIRef) -> set[URIRef]:
    """``top`` and everything under it by ``relation`` (sub-class or sub-property), transitively."""
    found, todo = {top}, [top]
    while todo:
        for sub in graph.subjects(relation, todo.pop()):
            if isinstance(sub, URIRef) and sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def _ewkg_terms(graph: Graph, kind: URIRef) -> list[URIRef]:
    return sorted(t for t in graph.subjects(RDF.type, kind) if str(t).startswith(str(EWKG)))


def test_asked_by_any_class_the_store_returns_every_instance_of_its_subclasses(
    store: ox.Store, files: Graph
) -> None:
    short = {}
    classes = _ewkg_terms(files, OWL.Class)
    assert len(classes) >= 40
    for cls in classes:
        expected = {
            str(x) for sub in _below(files, cls, RDFS.subClassOf)
            for x in files.subjects(RDF.type, sub)
        }
        answered = {r["x"].value for r in store.query(f"SELECT ?x {{ ?x a <{cls}> }}",
                                                      use_default_graph_as_union=True)}
        if answered != expected:
            short[str(cls)] = (len(answered), len(expected))
    assert short == {}


def test_the_seed_entities_answer_by_their_general_classes(store: ox.Store) -> None:
    """The questions that came back empty: regions, mechanisms, events of the source itself."""
    def instances(cls: URIRef) -> set[str]:
        return {r["x"].value for r in store.query(f"SELECT ?x {{ ?x a <{cls}> }}",
                                                  use_default_graph_as_union=True)}

    seed_regions = {str(ID[f"region/{s}"]) for s in (
        "beijing", "fujian", "shandong", "ningxia", "chongqing", "neimenggu", "wulanchabu",
        "chifeng")}
    assert seed_regions <= instances(EWKG.Region)
    assert str(ID["region/fujian"]) in instances(EWKG.ProvinceLevelDivision)
    assert str(ID["region/chifeng"]) in instances(EWKG.PrefectureLevelDivision)
    assert str(ID["mechanism/fujian-ningxia-joint-meeting"]) in instances(EWKG.Mechanism)
    assert {str(ID["event/launch-1996"]),
            str(ID["event/beijing-neimenggu-adjustment-2010"])} <= instances(EWKG.Event)


def test_asked_by_any_super_property_the_store_returns_its_sub_properties_values(
    store: ox.Store, files: Graph
) -> None:
    props = [p for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
             for p in _ewkg_terms(files, kind)]
    short = {}
    for prop in props:
        subs = _below(files, prop, RDFS.subPropertyOf)
        expected = {(str(s), str(o)) for sub in subs for s, o in files.subject_objects(sub)}
        answered = {(r["s"].value, r["o"].value) for r in store.query(
            f"SELECT ?s ?o {{ ?s <{prop}> ?o }}", use_default_graph_as_union=True)}
        if answered != expected:
            short[str(prop)] = (len(answered), len(expected))
    assert short == {}
    served = store.query(f"ASK {{ ?p <{EWKG.serves}> <{ID['strategy/common-prosperity']}> }}",
                         use_default_graph_as_union=True)
    assert bool(served)  # stated with ewkg:aimsAt, a sub-property of ewkg:serves


def test_no_subject_outside_its_domain_and_no_object_outside_its_range(store: ox.Store) -> None:
    assert domain_range_violations(store) == []


def test_the_eastern_units_pairings_assist_are_not_made_western(store: ox.Store) -> None:
    """Beijing → Baoding, Zhangjiakou; Tianjin → Chengde; Hangzhou → Enshi; Ningbo → Yanbian."""
    def ask(query: str) -> bool:
        return bool(store.query(query, use_default_graph_as_union=True))

    for east, assisted in (("beijing", "baoding"), ("beijing", "zhangjiakou"),
                           ("tianjin", "chengde"), ("hangzhou", "enshi"), ("ningbo", "yanbian")):
        east_iri, assisted_iri = ID[f"region/{east}"], ID[f"region/{assisted}"]
        assert ask(f"ASK {{ <{east_iri}> <{EWKG.assists}> <{assisted_iri}> }}")
        assert not ask(f"ASK {{ <{assisted_iri}> a <{EWKG.WesternRegion}> }}")


def test_validate_with_reasoning_finds_no_misplaced_individual() -> None:
    report = validate(reasoning=True)
    assert [v for v in report.violations if v.severity == "Violation"] == []


def test_a_range_too_strong_is_caught_by_the_reasoning_check(files: Graph) -> None:
    """With the old range of ewkg:assists (ewkg:WesternRegion), OWL 2 RL makes Baoding western:
    both the range check and the entailed-class check say so."""
    broken = Graph()
    broken += files
    broken.remove((EWKG.assists, RDFS.range, None))
    broken.add((EWKG.assists, RDFS.range, EWKG.WesternRegion))
    found = owl_rl_violations(broken, [])
    baoding = str(ID["region/baoding"]).join("<>")
    assert {(v.shape, v.value) for v in found if v.value == baoding or v.focus == baoding} >= {
        ("rdfs:range", baoding), ("owl:entailedClass", "ewkg:WesternRegion")}
    assert len([v for v in found if v.shape == "rdfs:range"]) == 5


def test_each_triple_is_in_exactly_one_graph(store: ox.Store) -> None:
    shared = list(store.query(
        "SELECT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } GROUP BY ?s ?p ?o HAVING (COUNT(?g) > 1)"))
    assert shared == []
    graphs = {r["g"].value for r in store.query("SELECT DISTINCT ?g { GRAPH ?g {} }")}
    sources = {g for g in graphs if g.startswith(SOURCE_GRAPH_BASE)}
    assert graphs - sources == {ONTOLOGY_GRAPH, SEED_GRAPH, REFERENCE_GRAPH, INFERRED_GRAPH}
    assert len(sources) > 50  # one per cited public source


def test_graph_says_where_a_triple_comes_from(store: ox.Store) -> None:
    def graphs(s: str, p: URIRef, o: str) -> set[str]:
        q = f"SELECT ?g {{ GRAPH ?g {{ <{s}> <{p}> <{o}> }} }}"
        return {r["g"].value for r in store.query(q)}

    beijing = str(ID["region/beijing"])
    assert graphs(beijing, EWKG.assists, str(ID["region/neimenggu"])) == {SEED_GRAPH}
    assert graphs(beijing, EWKG.assists, str(ID["region/baoding"])) == {REFERENCE_GRAPH}
    assert graphs(str(ID["region/baoding"]), EWKG.parentRegion, str(ID["region/hebei"])) == {
        SOURCE_GRAPH_BASE + "ningbo-daily-2016-12-08"}  # of three copies, the earliest first
    assert graphs(beijing, RDF.type, str(EWKG.Region)) == {SEED_GRAPH}
    assert graphs(beijing, RDF.type, str(EWKG.ProvinceLevelDivision)) == {INFERRED_GRAPH}
    assert graphs(str(EWKG.Region), RDF.type, str(OWL.Class)) == {ONTOLOGY_GRAPH}


def test_materialise_is_idempotent_and_never_writes_the_files(store: ox.Store) -> None:
    copy = ox.Store()
    copy.extend(store)
    assert materialise(copy) == 0
    for path in turtle_files("data"):
        text = path.read_text(encoding="utf-8")
        assert INFERRED_GRAPH not in text
    assert (bundle_dir("data") / "region.ttl").is_file()


def test_trig_dump_keeps_the_graphs() -> None:
    from ewkg.rdf.formats import by_name
    from ewkg.store.describe import dataset_bytes

    store = EmbeddedStore()
    quads = list(ox.parse(dataset_bytes(store, by_name("trig")), format=ox.RdfFormat.TRIG))
    assert len(quads) == len(store)
    assert {q.graph_name.value for q in quads} == {
        r["g"].value for r in store.oxigraph.query("SELECT DISTINCT ?g { GRAPH ?g {} }")}
    assert {ONTOLOGY_GRAPH, SEED_GRAPH, REFERENCE_GRAPH, INFERRED_GRAPH,
            SOURCE_GRAPH_BASE + "white-paper-2011-table-2"} <= {q.graph_name.value for q in quads}
