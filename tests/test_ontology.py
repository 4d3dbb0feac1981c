"""The ontology: it parses, every term is documented in French and Chinese, the reused external
terms carry labels, and ontology + data are consistent under OWL 2 RL, which also entails the
``ewkg:assists`` shortcut from the pairings."""

from __future__ import annotations

import re

import owlrl
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from ewkg.rdf.namespaces import EWKG, ID, ONTOLOGY_IRI
from ewkg.resources import bundle_dir, turtle_files

ONTOLOGY = URIRef(ONTOLOGY_IRI)
CJK = re.compile(r"[\u4e00-\u9fff]")
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def _load(*folders: str) -> Graph:
    graph = Graph()
    for folder in folders:
        for path in turtle_files(folder):
            graph.parse(path, format="turtle")
    return graph


def _closure(graph: Graph) -> Graph:
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def _languages(graph: Graph, subject: URIRef, predicate: URIRef) -> list[str | None]:
    return sorted(
        (o.language or "") for o in graph.objects(subject, predicate) if isinstance(o, Literal)
    )


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return _load("ontology")


@pytest.fixture(scope="module")
def data() -> Graph:
    return _load("data")


@pytest.fixture(scope="module")
def closure(ontology: Graph, data: Graph) -> Graph:
    """The OWL 2 RL closure of ontology + data *without* the materialised ``ewkg:assists``
    triples, so that one (slow) closure serves both the consistency and the entailment tests."""
    stripped = ontology + data
    stripped.remove((None, EWKG.assists, None))
    assert set(stripped.subject_objects(EWKG.assists)) == set()
    return _closure(stripped)


def _terms(ontology: Graph) -> list[URIRef]:
    return sorted(
        {s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(str(EWKG))}
    )


def _inconsistencies(graph: Graph) -> list[str]:
    messages = [str(m) for m in graph.objects(None, ERRNS.error)]
    messages += [f"{s} is an owl:Nothing" for s in graph.subjects(RDF.type, OWL.Nothing)]
    return messages


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ontology
    for predicate in (DCTERMS.title, RDFS.label, SKOS.prefLabel, DCTERMS.description):
        assert _languages(ontology, ONTOLOGY, predicate) == ["fr", "zh"], predicate
    assert ontology.value(ONTOLOGY, OWL.versionInfo) == Literal("0.1.0")
    assert ontology.value(ONTOLOGY, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert ontology.value(ONTOLOGY, DCTERMS.creator) is not None


def test_ontology_has_the_core_terms(ontology: Graph) -> None:
    expected_classes = {
        "Programme", "Region", "Province", "AutonomousRegion", "Municipality",
        "SeparatelyPlannedCity", "LargeCity", "PrefectureLevelCity", "League", "Banner", "County",
        "NationalKeyPovertyCounty", "EasternRegion", "WesternRegion", "Pairing", "PairingLevel",
        "AssistanceModel", "FrameworkComponent", "Mechanism", "AnnualJointMeeting", "Event",
        "Launch", "Adjustment", "Lesson", "Strategy", "StatedCount", "SourceDocument", "Passage",
    }  # fmt: skip
    classes = {str(c).removeprefix(str(EWKG)) for c in ontology.subjects(RDF.type, OWL.Class)}
    assert expected_classes <= classes
    assert (EWKG.assists, OWL.propertyChainAxiom, None) in ontology
    assert (EWKG.EasternRegion, OWL.disjointWith, EWKG.WesternRegion) in ontology


@pytest.mark.parametrize("kind", ["class", "property"])
def test_every_term_has_bilingual_label_and_definition(ontology: Graph, kind: str) -> None:
    wanted = (OWL.Class,) if kind == "class" else (OWL.ObjectProperty, OWL.DatatypeProperty)
    terms = [t for t in _terms(ontology) if any((t, RDF.type, w) in ontology for w in wanted)]
    assert len(terms) > 10
    problems = []
    for term in terms:
        for predicate in (RDFS.label, SKOS.prefLabel, SKOS.definition):
            if _languages(ontology, term, predicate) != ["fr", "zh"]:
                problems.append(f"{term} {predicate}")
        zh = [o for o in ontology.objects(term, RDFS.label) if o.language == "zh"]
        if not zh or not CJK.search(zh[0]):
            problems.append(f"{term} rdfs:label@zh has no Chinese character")
        if (term, RDFS.isDefinedBy, ONTOLOGY) not in ontology:
            problems.append(f"{term} rdfs:isDefinedBy")
    assert problems == []


def test_every_ewkg_subject_is_a_declared_term(ontology: Graph) -> None:
    undeclared = [
        t for t in _terms(ontology) if not any((t, RDF.type, k) in ontology for k in TERM_TYPES)
    ]
    assert undeclared == []


def test_every_ewkg_term_the_data_uses_is_declared(ontology: Graph, data: Graph) -> None:
    used = {p for p in data.predicates() if p.startswith(str(EWKG))}
    used |= {o for o in data.objects() if isinstance(o, URIRef) and o.startswith(str(EWKG))}
    used.discard(EWKG[""])  # the namespace itself, as void:vocabulary
    declared = set(_terms(ontology))
    assert sorted(used - declared) == []


def test_reused_terms_have_french_and_chinese_labels(ontology: Graph, data: Graph) -> None:
    """Every predicate and class the data and the ontology use can be shown with a label."""
    graph = ontology + data
    shown = set(graph.predicates()) | set(graph.objects(None, RDF.type))
    shown |= {o for o in graph.objects(None, RDFS.subClassOf) if isinstance(o, URIRef)}
    missing = [
        str(t)
        for t in sorted(shown)
        if isinstance(t, URIRef) and _languages(graph, t, RDFS.label) != ["fr", "zh"]
    ]
    assert missing == []


def test_ontology_and_data_are_consistent_under_owl_rl(closure: Graph) -> None:
    assert _inconsistencies(closure) == []


def _core_ontology() -> Graph:
    return Graph().parse(bundle_dir("ontology") / "ewkg.ttl", format="turtle")


def test_owl_rl_check_does_detect_an_inconsistency() -> None:
    """The consistency test above can fail: a region both eastern and western is caught."""
    broken = _core_ontology()
    broken.add((ID["region/fujian"], RDF.type, EWKG.EasternRegion))
    broken.add((ID["region/fujian"], RDF.type, EWKG.WesternRegion))
    assert _inconsistencies(_closure(broken)) != []


def test_owl_rl_check_catches_a_pairing_used_as_a_region() -> None:
    broken = _core_ontology()
    broken.add((ID["pairing/fujian-ningxia"], EWKG.assistingParty, ID["pairing/fujian-ningxia"]))
    assert _inconsistencies(_closure(broken)) != []


def _pairs_from_pairings(graph: Graph) -> set[tuple[URIRef, URIRef]]:
    return {
        (graph.value(p, EWKG.assistingParty), graph.value(p, EWKG.assistedParty))
        for p in graph.subjects(RDF.type, EWKG.Pairing)
    }


def test_assists_is_entailed_from_the_pairings(data: Graph, closure: Graph) -> None:
    """Even with the materialised triples removed, OWL 2 RL entails them from the pairings."""
    materialised = set(data.subject_objects(EWKG.assists))
    entailed = set(closure.subject_objects(EWKG.assists))
    expected = _pairs_from_pairings(data)
    assert (ID["region/fujian"], ID["region/ningxia"]) in expected
    assert entailed == expected == materialised


def test_closure_types_follow_domains_and_ranges(closure: Graph) -> None:
    assert (ID["region/fujian"], RDF.type, EWKG.EasternRegion) in closure
    assert (ID["region/wulanchabu"], RDF.type, EWKG.Region) in closure
    assert (ID["pairing/fujian-ningxia"], RDF.type, EWKG.Pairing) in closure
    pairings = set(closure.subjects(RDF.type, EWKG.Pairing))
    regions = set(closure.subjects(RDF.type, EWKG.Region))
    assert pairings and regions and not pairings & regions


# -- OWL 2 DL, checked by a real OWL tool (the OWL API and Pellet shipped in owlready2) ---------

def _owl_tool():  # type: ignore[no-untyped-def]
    import sys

    sys.path.insert(0, str(bundle_dir("ontology").parent / "tools"))
    import owl_dl_check

    if not owl_dl_check.available():
        pytest.fail("the OWL 2 DL check needs java and owlready2 (installed by .ci/run)")
    return owl_dl_check


def test_ontology_is_in_owl2_dl_and_consistent_with_the_data() -> None:
    tool = _owl_tool()
    ontology = tool.check(tool.ontology_files())
    assert ontology.violations == []
    assert ontology.in_dl and ontology.consistent
    whole = tool.check(tool.ontology_files() + turtle_files("data"))
    assert whole.consistent
    # the data is in OWL 2 DL too, but for the passages' rdf:value (reserved vocabulary)
    assert [v for v in whole.violations if "rdf:value" not in v] == []


def test_owl2_dl_check_catches_reserved_vocabulary(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A claim value declared a sub-property of rdf:object (as it once was) is outside OWL 2 DL."""
    tool = _owl_tool()
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        f"<{EWKG.claimValue}> rdfs:subPropertyOf rdf:object .\n", encoding="utf-8")
    report = tool.check([*tool.ontology_files(), extra])
    assert not report.in_dl
    assert any("rdf:object" in v for v in report.violations)


def test_every_property_has_a_domain_and_a_range(ontology: Graph) -> None:
    props = [p for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
             for p in ontology.subjects(RDF.type, kind) if str(p).startswith(str(EWKG))]
    assert len(props) >= 55
    lacking = sorted(str(p) for p in props
                     if ontology.value(p, RDFS.domain) is None
                     or ontology.value(p, RDFS.range) is None)
    assert lacking == []


def test_the_ontology_labels_no_other_vocabulary_s_term() -> None:
    for name in ("ewkg.ttl", "ewkg-reference.ttl"):
        graph = Graph().parse(bundle_dir("ontology") / name, format="turtle")
        labelled = sorted(
            str(s) for p in (RDFS.label, SKOS.prefLabel) for s in graph.subjects(p, None)
            if isinstance(s, URIRef) and not str(s).startswith(str(EWKG)) and s != ONTOLOGY)
        assert labelled == [], name


def test_no_two_terms_differ_only_by_case(ontology: Graph) -> None:
    terms = {str(t) for t in ontology.subjects() if str(t).startswith(str(EWKG))}
    folded: dict[str, set[str]] = {}
    for t in terms:
        folded.setdefault(t.lower(), set()).add(t)
    assert [sorted(v) for v in folded.values() if len(v) > 1] == []


def test_regions_are_aligned_to_geographic_vocabularies(ontology: Graph) -> None:
    supers = set(ontology.objects(EWKG.Region, RDFS.subClassOf))
    assert URIRef("http://www.opengis.net/ont/geosparql#Feature") in supers
    assert URIRef("https://schema.org/AdministrativeArea") in supers
