"""The data: one file per kind, bilingual labels, provenance to the source's passages (whose text is
the seed's, verbatim), quotations that are really in the passages they cite, stated counts that
agree with what is enumerated, and no blank nodes."""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, RDFS, SKOS, VOID, XSD

from ewkg.rdf.namespaces import EWKG, ID
from ewkg.resources import turtle_files

SEED = Path(__file__).parent / "fixtures" / "seed.txt"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from typography import normalise  # noqa: E402

CJK = re.compile(r"[\u4e00-\u9fff]")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
#: Kinds that are the provenance itself, not facts drawn from it.
UNSOURCED_KINDS = {"dataset", "source", "passage"}
#: Kinds that record what one text says, in that text's language (the reference layer's claims):
#: exempt from the two-language rules, not from having a source.
ONE_TEXT_KINDS = {"claim"}
#: Literal-valued properties that quote the source: each value must be in a cited passage.
QUOTING = (SKOS.definition, DCTERMS.description, EWKG.statedWording, EWKG.reason)
#: (property, kind) that are in one language by nature: a passage's text, the source's own title.
ONE_LANGUAGE = {(RDF.value, "passage"), (DCTERMS.title, "source")}
#: ``dcat:version`` (DCAT 3; rdflib's closed DCAT namespace predates it).
DCAT_VERSION = URIRef(str(DCAT) + "version")


def _kind(iri: URIRef) -> str:
    return str(iri).removeprefix(str(ID)).split("/")[0]


def _file_kind(stem: str) -> str:
    """``region`` for ``data/region.ttl`` and for an enrichment layer's ``data/ref-region.ttl``."""
    return stem.rsplit("-", 1)[-1]


@pytest.fixture(scope="module")
def files() -> dict[str, Graph]:
    graphs = {}
    for path in turtle_files("data"):
        graphs[path.stem] = Graph().parse(path, format="turtle")
    return graphs


@pytest.fixture(scope="module")
def data(files: dict[str, Graph]) -> Graph:
    graph = Graph()
    for g in files.values():
        graph += g
    return graph


@pytest.fixture(scope="module")
def full(data: Graph) -> Graph:
    """Data plus ontology (for subclass lookups)."""
    graph = Graph() + data
    for path in turtle_files("ontology"):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def entities(data: Graph) -> list[URIRef]:
    return sorted({s for s in data.subjects() if isinstance(s, URIRef)})


@pytest.fixture(scope="module")
def seed_lines() -> dict[str, str]:
    """The seed's lines by passage slug: fr-1..fr-7, then zh-0 (the title) and zh-1..zh-6."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 14
    passages = {f"fr-{n}": normalise(lines[n - 1], "fr") for n in range(1, 8)}
    passages.update({f"zh-{n}": normalise(lines[7 + n], "zh") for n in range(7)})
    return passages  # verbatim but for the native typography (tools/typography.py)


def test_every_kind_of_the_seed_is_present(files: dict[str, Graph]) -> None:
    expected = {
        "dataset", "source", "passage", "programme", "strategy", "assessment", "region",
        "pairing", "level", "model", "component", "lesson", "mechanism", "event", "count",
    }  # fmt: skip
    assert expected <= set(files)


def test_each_file_holds_exactly_its_kind(files: dict[str, Graph]) -> None:
    wrong = [
        (kind, str(s))
        for kind, graph in files.items()
        for s in set(graph.subjects())
        if not str(s).startswith(f"{ID}{_file_kind(kind)}/")
    ]
    assert wrong == []


def test_no_blank_nodes(data: Graph) -> None:
    assert [t for t in data if any(isinstance(x, BNode) for x in t)] == []


def test_slugs_are_readable(entities: list[URIRef]) -> None:
    bad = [str(e) for e in entities if not SLUG.match(str(e).removeprefix(f"{ID}{_kind(e)}/"))]
    assert bad == []


def test_every_entity_has_one_label_per_language(data: Graph, entities: list[URIRef]) -> None:
    problems = []
    for entity in entities:
        labels = list(data.objects(entity, SKOS.prefLabel))
        if sorted(label.language for label in labels) != ["fr", "zh"]:
            problems.append(f"{entity}: {labels}")
        problems += [
            f"{entity}: zh label without Chinese: {label}"
            for label in labels
            if label.language == "zh" and not CJK.search(label)
        ]
    assert problems == []


def test_every_entity_is_typed(data: Graph, entities: list[URIRef]) -> None:
    assert [str(e) for e in entities if (e, RDF.type, None) not in data] == []


def test_bilingual_completeness(data: Graph, entities: list[URIRef]) -> None:
    """Every language-tagged property is given in French and in Chinese, once each."""
    problems = []
    for entity in entities:
        if _kind(entity) in ONE_TEXT_KINDS:
            continue
        by_property: dict[URIRef, list[str]] = defaultdict(list)
        for p, o in data.predicate_objects(entity):
            if isinstance(o, Literal) and o.language:
                by_property[p].append(o.language)
        for p, languages in by_property.items():
            if p in (SKOS.altLabel, DCAT.keyword) or (p, _kind(entity)) in ONE_LANGUAGE:
                ok = set(languages) <= {"fr", "zh"}
            else:
                ok = sorted(languages) == ["fr", "zh"]
            if not ok:
                problems.append(f"{entity} {p} {languages}")
    assert problems == []


def test_every_entity_is_derived_from_passages_in_both_languages(
    data: Graph, entities: list[URIRef]
) -> None:
    """Each fact cites the seed's passages in French and Chinese; a fact that later enrichment
    adds from another public source cites that source document instead."""
    passages = set(data.subjects(RDF.type, EWKG.Passage))
    documents = set(data.subjects(RDF.type, EWKG.SourceDocument))
    problems = []
    for entity in entities:
        if _kind(entity) in UNSOURCED_KINDS:
            continue
        sources = set(data.objects(entity, PROV.wasDerivedFrom))
        if not sources:
            problems.append(f"{entity}: no prov:wasDerivedFrom")
        if not sources <= passages | documents:
            problems.append(f"{entity}: cites something that is neither a passage nor a source")
        languages = {str(data.value(p, DCTERMS.language)) for p in sources & passages}
        if languages and languages != {"fr", "zh"} and _kind(entity) not in ONE_TEXT_KINDS:
            problems.append(f"{entity}: derived from passages in {sorted(languages)}")
    assert problems == []


def test_the_seed_facts_cite_the_seed(data: Graph) -> None:
    seed_passages = set(data.subjects(DCTERMS.isPartOf, ID["source/seed"]))
    for slug in ("programme/east-west-cooperation", "pairing/fujian-ningxia", "count/large-cities",
                 "event/beijing-neimenggu-adjustment-2010", "lesson/talent-exchange"):  # fmt: skip
        assert set(data.objects(ID[slug], PROV.wasDerivedFrom)) & seed_passages, slug


def test_passages_are_the_seed_verbatim(data: Graph, seed_lines: dict[str, str]) -> None:
    source = ID["source/seed"]
    found = {}
    for passage in data.subjects(RDF.type, EWKG.Passage):
        slug = str(passage).removeprefix(f"{ID}passage/")
        value = data.value(passage, RDF.value)
        language = str(data.value(passage, DCTERMS.language))
        assert value.language == language == slug.split("-")[0]
        assert data.value(passage, EWKG.paragraphNumber) == Literal(
            int(slug.split("-")[1]), datatype=XSD.integer
        )
        assert (passage, DCTERMS.isPartOf, source) in data
        assert (source, DCTERMS.hasPart, passage) in data
        found[slug] = str(value)
    assert found == seed_lines


def test_every_passage_is_cited(data: Graph) -> None:
    passages = set(data.subjects(RDF.type, EWKG.Passage))
    cited = set(data.objects(None, PROV.wasDerivedFrom))
    assert sorted(passages - cited) == []


def test_quotations_are_in_the_cited_passages(data: Graph, entities: list[URIRef]) -> None:
    """Definitions, descriptions, wordings and reasons are the source's own words."""
    problems = []
    for entity in entities:
        if _kind(entity) in UNSOURCED_KINDS:
            continue
        texts = {
            str(data.value(p, DCTERMS.language)): []
            for p in data.objects(entity, PROV.wasDerivedFrom)
        }
        for p in data.objects(entity, PROV.wasDerivedFrom):
            texts[str(data.value(p, DCTERMS.language))].append(str(data.value(p, RDF.value)))
        other_sources = any(
            (p, RDF.type, EWKG.Passage) not in data
            for p in data.objects(entity, PROV.wasDerivedFrom)
        )
        for predicate in QUOTING:
            for quote in data.objects(entity, predicate):
                quoted = any(str(quote) in text for text in texts.get(quote.language, []))
                if not quoted and not other_sources:
                    problems.append(f"{entity} {predicate}: {quote}")
    assert problems == []


def test_every_number_of_the_source_is_in_the_data(data: Graph, seed_lines: dict[str, str]) -> None:
    """Each year the Chinese text gives is a year in the data; each other number is a count."""
    numbers = {int(n) for key, line in seed_lines.items() if key.startswith("zh") for n in
               re.findall(r"\d+", line)}  # fmt: skip
    years = {n for n in numbers if n > 1900}
    assert years == {1996, 2010, 2019}
    data_years = {
        int(str(o)) for o in data.objects() if isinstance(o, Literal) and o.datatype == XSD.gYear
    }
    assert years <= data_years
    counts = {int(o) for o in data.objects(None, EWKG.countValue)}
    assert numbers - years <= counts


def test_years_are_gyears_and_ordered(data: Graph) -> None:
    for predicate in (EWKG.startYear, EWKG.endYear, EWKG.year):
        for year in data.objects(None, predicate):
            assert year.datatype == XSD.gYear
    for s in set(data.subjects(EWKG.endYear, None)):
        starts = [int(str(y)) for y in data.objects(s, EWKG.startYear)]
        ends = [int(str(y)) for y in data.objects(s, EWKG.endYear)]
        assert not starts or min(starts) <= max(ends), s


def test_pairings_are_complete_n_ary_nodes(data: Graph) -> None:
    pairings = sorted(data.subjects(RDF.type, EWKG.Pairing))
    assert {_slug(p) for p in pairings} >= {"fujian-ningxia", "shandong-chongqing",
                                             "beijing-neimenggu"}  # fmt: skip
    for pairing in pairings:
        for predicate in (EWKG.assistingParty, EWKG.assistedParty):
            assert len(list(data.objects(pairing, predicate))) == 1, (pairing, predicate)
        assert len(list(data.objects(pairing, EWKG.level))) <= 1, pairing
    for slug in ("fujian-ningxia", "shandong-chongqing", "beijing-neimenggu"):
        for predicate in (EWKG.level, EWKG.model):
            assert data.value(ID[f"pairing/{slug}"], predicate) is not None, (slug, predicate)
        assert (data.value(pairing, EWKG.assistingParty), RDF.type, EWKG.EasternRegion) in data
        assert (data.value(pairing, EWKG.assistedParty), RDF.type, EWKG.WesternRegion) in data


def _slug(iri: URIRef) -> str:
    return str(iri).rsplit("/", 1)[1]


def test_assists_is_materialised_exactly(data: Graph) -> None:
    expected = {
        (data.value(p, EWKG.assistingParty), data.value(p, EWKG.assistedParty))
        for p in data.subjects(RDF.type, EWKG.Pairing)
    }
    assert set(data.subject_objects(EWKG.assists)) == expected


def _is_a(graph: Graph, entity: URIRef, cls: URIRef) -> bool:
    return bool(
        graph.query(
            "ASK { ?e a/rdfs:subClassOf* ?c }",
            initBindings={"e": entity, "c": cls},
            initNs={"rdfs": RDFS},
        ).askAnswer
    )


def test_stated_counts_agree_with_enumerations(full: Graph, data: Graph) -> None:
    counts = sorted(data.subjects(RDF.type, EWKG.StatedCount))
    assert len(counts) >= 10
    problems = []
    for count in counts:
        values = list(data.objects(count, EWKG.countValue))
        assert len(values) == 1 and values[0].datatype == XSD.integer, count
        value = int(values[0])
        members = set(data.objects(count, EWKG.enumeratedMember))
        complete = data.value(count, EWKG.enumerationComplete)
        assert complete is not None and complete.datatype == XSD.boolean, count
        if len(members) > value or (complete.toPython() and len(members) != value):
            problems.append(f"{count}: {len(members)} members for {value} (complete={complete})")
        cls = data.value(count, EWKG.countedClass)
        role = data.value(count, EWKG.countedRole)
        within = data.value(count, EWKG.countedWithin)
        for member in members:
            if not _is_a(full, member, cls) or (role is not None and not _is_a(full, member, role)):
                problems.append(f"{count}: {member} is not a {cls} / {role}")
            if within is not None and (member, EWKG.parentRegion, within) not in data:
                problems.append(f"{count}: {member} is not within {within}")
    assert problems == []


def test_the_stated_counts_of_the_source(data: Graph) -> None:
    value = {_slug(c): int(v) for c, v in data.subject_objects(EWKG.countValue)}
    assert value.items() >= {
        "eastern-provinces": 9, "separately-planned-cities": 5, "large-cities": 4,
        "western-provinces": 10, "shandong-prefecture-cities": 14, "chongqing-key-counties": 14,
        "neimenggu-leagues-before-2010": 8, "wulanchabu-banners": 8, "chifeng-banners": 8,
        "lagging-municipalities": 2,
    }.items()  # fmt: skip
    # the French and Chinese wordings that disagree are both kept, with a note saying so
    for slug in ("chongqing-key-counties", "wulanchabu-banners", "chifeng-banners"):
        notes = list(data.objects(ID[f"count/{slug}"], EWKG.wordingDifference))
        assert sorted(n.language for n in notes) == ["fr", "zh"]
    # no source names the members of the 9 eastern and 10 western provinces (-level units)
    for slug in ("eastern-provinces", "western-provinces"):
        assert list(data.objects(ID[f"count/{slug}"], EWKG.enumeratedMember)) == []


def test_meaning_changing_differences_between_the_texts_are_flagged(data: Graph) -> None:
    """Each difference of meaning between the French and Chinese texts has a bilingual note
    quoting both wordings."""
    flagged = {
        "pairing/shandong-chongqing": ("aide gouvernementale", "争取政府援助"),
        "mechanism/fujian-ningxia-joint-meeting": ("efficacité", "时效性"),
        "model/scheme": ("dont", "具体有"),
        "count/chongqing-key-counties": ("districts démunis", "国家扶贫开发工作重点县"),
        "purpose/principles-and-direction": ("fixer", "确保"),
        "purpose/information": ("informations nécessaires", "及时"),
    }
    for slug, (fr_words, zh_words) in flagged.items():
        notes = {n.language: str(n) for n in data.objects(ID[slug], EWKG.wordingDifference)}
        assert set(notes) == {"fr", "zh"}, slug
        assert fr_words in notes["fr"] and zh_words in notes["fr"] + notes["zh"], slug


def test_no_inferred_start_year_for_the_seed_s_current_arrangement(data: Graph) -> None:
    """The source says "actuellement" / "目前": no year it does not give."""
    assert list(data.objects(ID["arrangement/seed-current"], EWKG.fromYear)) == []
    chongqing = ID["count/chongqing-key-counties"]
    wordings = {str(w) for w in data.objects(chongqing, EWKG.statedWording)}
    assert wordings == {"14 districts démunis de Chongqing", "重庆市的14个国家扶贫开发工作重点县"}


def test_concept_schemes_are_consistent(data: Graph) -> None:
    schemes = set(data.subjects(RDF.type, SKOS.ConceptScheme))
    assert {_kind(s) for s in schemes} == {
        "model", "component", "lesson", "level", "purpose", "actor"}
    for scheme in schemes:
        concepts = set(data.subjects(SKOS.inScheme, scheme))
        assert concepts == set(data.objects(scheme, SKOS.hasTopConcept))
        assert concepts == set(data.subjects(SKOS.topConceptOf, scheme))
        ordinals = sorted(int(data.value(c, EWKG.ordinal)) for c in concepts)
        assert ordinals == list(range(1, len(concepts) + 1)), scheme
    sizes = {_kind(s): len(set(data.subjects(SKOS.inScheme, s))) for s in schemes}
    assert sizes == {"model": 3, "component": 4, "lesson": 3, "level": 3, "purpose": 3,
                     "actor": 1}


def test_dataset_description(data: Graph) -> None:
    dataset = ID["dataset/ewkg"]
    assert (dataset, RDF.type, VOID.Dataset) in data
    assert (dataset, RDF.type, DCAT.Dataset) in data
    for predicate in (DCTERMS.title, DCTERMS.description):
        assert sorted(o.language for o in data.objects(dataset, predicate)) == ["fr", "zh"]
    assert data.value(dataset, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert data.value(dataset, DCAT_VERSION) == Literal("0.1.0")
    assert data.value(dataset, DCTERMS.source) == ID["source/seed"]
    assert (dataset, VOID.triples, None) not in data


def test_a_lookup_by_each_official_chinese_name_finds_its_region() -> None:
    """Every region's Chinese prefLabel is its full official name (北京市, not 北京)."""
    import csv

    from ewkg.store.embedded import EmbeddedStore

    store = EmbeddedStore()
    table = Path(__file__).parent / "fixtures" / "reference" / "regions.csv"
    with open(table, encoding="utf-8") as handle:
        names = [row["zh_name"] for row in csv.DictReader(handle)]
    assert "北京市" in names and len(names) >= 60
    missing = [n for n in names if not store.ask(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        f'ASK {{ ?r a <{EWKG.Region}> ; skos:prefLabel "{n}"@zh }}')]
    assert missing == []


FRENCH_ENGLISH = re.compile(
    r"(^|[^.\w])(since|copy|news|abstract|the|and|with|feature|daily|helps|years|online)"
    r"([^.\w]|$)", re.IGNORECASE)
CHINESE_HALF_WIDTH = re.compile(r"[\u3400-\u9fff\uff01-\uff5e][,():;!?]|[,():;!?][\u3400-\u9fff]")


def test_no_english_in_french_and_no_half_width_punctuation_in_chinese() -> None:
    """The shapes check the entities; this checks every literal of the data and the ontology."""
    graph = Graph()
    for folder in ("ontology", "data"):
        for path in turtle_files(folder):
            graph.parse(path, format="turtle")
    english = [str(o) for o in graph.objects() if isinstance(o, Literal) and o.language == "fr"
               and FRENCH_ENGLISH.search(str(o))]
    half = [str(o) for o in graph.objects() if isinstance(o, Literal) and o.language == "zh"
            and CHINESE_HALF_WIDTH.search(str(o))]
    unaccented = [str(o) for o in graph.objects() if isinstance(o, Literal) and o.language == "fr"
                  and normalise(str(o), "fr") != str(o)]
    assert (english, half, unaccented) == ([], [], [])


def test_the_quoted_only_facts_are_structure_with_their_passages(full: Graph) -> None:
    """« différentes formes », the participation of social forces, the three purposes of the
    Fujian–Ningxia joint meeting and its links at every level are triples of declared terms,
    each on an entity derived from the passage that says it, in both languages."""
    programme, sd, fn = (ID["programme/east-west-cooperation"], ID["pairing/shandong-chongqing"],
                         ID["pairing/fujian-ningxia"])
    meeting = ID["mechanism/fujian-ningxia-joint-meeting"]
    assert (programme, EWKG.variousForms, Literal(True)) in full
    assert set(full.objects(sd, EWKG.promotesParticipationOf)) == {ID["actor/social-forces"]}
    purposes = sorted(full.objects(meeting, EWKG.hasPurpose),
                      key=lambda p: int(full.value(p, EWKG.ordinal)))
    assert [_slug(p) for p in purposes] == [
        "principles-and-direction", "information", "management-concepts"]
    assert set(full.objects(fn, EWKG.linkedAtLevel)) == {
        ID["level/province"], ID["level/prefecture"], ID["level/county"]}
    facts = [(programme, 1), (sd, 3), (ID["actor/social-forces"], 3), (fn, 4), (meeting, 4),
             *((p, 4) for p in purposes)]  # the passage of each, the same number in fr and zh
    for node, n in facts:
        cited = set(full.objects(node, PROV.wasDerivedFrom))
        assert {ID[f"passage/fr-{n}"], ID[f"passage/zh-{n}"]} <= cited, node
    for term in (EWKG.variousForms, EWKG.promotesParticipationOf, EWKG.hasPurpose,
                 EWKG.linkedAtLevel):
        assert (term, RDFS.domain, None) in full and (term, RDFS.range, None) in full, term
