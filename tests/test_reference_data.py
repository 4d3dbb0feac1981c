"""The reference facts beyond the source document (``tests/fixtures/reference/``) in the graph.

Every ``verified…`` row is data, each fact with its own source; no ``inferred``,
``pattern-unverified`` or ``candidate`` row is stated as a fact; disagreements between sources are
kept on both sides and can be asked for; the pairing history answers "who assisted whom in which
year"; codes, points and Wikidata matches are consistent.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from ewkg.rdf.namespaces import EWKG, FOAF, GEO, ID, SCHEMA, WD, sparql_prologue
from ewkg.resources import bundle_dir, turtle_files
from ewkg.store.embedded import EmbeddedStore

REF = Path(__file__).parent / "fixtures" / "reference"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from typography import normalise  # noqa: E402

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CJK = re.compile(r"[\u4e00-\u9fff]")
URL = re.compile(r"https?://[^\s;]+")
REF_FILES = sorted(bundle_dir("data").glob("ref-*.ttl"))
#: The properties whose every triple in the reference files is a fact backed by a claim.
FACT_PROPERTIES = (
    EWKG.gbCode,
    GEO.lat,
    GEO.long,
    SKOS.exactMatch,
    EWKG.parentRegion,
    EWKG.startYear,
    EWKG.endYear,
    EWKG.startDate,
    EWKG.includesPairing,
    EWKG.easternPartyCount,
    EWKG.westernPartyCount,
    EWKG.meetingNumber,
)


def rows(name: str) -> list[dict[str, str]]:
    with (REF / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def region(slug: str) -> URIRef:
    return ID[f"region/{slug}"]


def pairing(slug: str) -> URIRef:
    return ID[f"pairing/{slug}"]


@pytest.fixture(scope="module")
def ref() -> Graph:
    """The reference files alone."""
    graph = Graph()
    for path in REF_FILES:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def graph() -> Graph:
    """The whole bundled dataset with its ontology."""
    graph = Graph()
    for path in turtle_files("ontology") + turtle_files("data"):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return EmbeddedStore().oxigraph


def select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    results = store.query(sparql_prologue() + query, use_default_graph_as_union=True)
    names = [v.value for v in results.variables]
    return [tuple(s[n].value if s[n] is not None else "" for n in names) for s in results]


def by_code(graph: Graph) -> dict[str, URIRef]:
    return {str(code): r for r, code in graph.subject_objects(EWKG.gbCode)}


def claims_for(graph: Graph, subject: URIRef, prop: URIRef, value: object) -> list[URIRef]:
    return [
        c
        for c in graph.subjects(EWKG.claimSubject, subject)
        if (c, EWKG.claimProperty, prop) in graph and (c, EWKG.claimValue, value) in graph
    ]


def sources_of(graph: Graph, node: URIRef) -> set[URIRef]:
    return set(graph.objects(node, PROV.wasDerivedFrom))


def pages(graph: Graph, node: URIRef) -> set[str]:
    return {str(graph.value(s, FOAF.page)) for s in sources_of(graph, node)}


# --- the files ------------------------------------------------------------------------------


def test_reference_files_exist_and_hold_their_kind(ref: Graph) -> None:
    kinds = {p.stem.removeprefix("ref-") for p in REF_FILES}
    assert {"region", "pairing", "source", "claim", "dispute", "event", "question"} <= kinds
    for path in REF_FILES:
        kind = path.stem.removeprefix("ref-")
        subjects = set(Graph().parse(path, format="turtle").subjects())
        assert all(str(s).startswith(f"{ID}{kind}/") for s in subjects), path.name


def test_no_blank_nodes_and_readable_slugs(ref: Graph) -> None:
    assert [t for t in ref if any(isinstance(x, BNode) for x in t)] == []
    for s in set(ref.subjects()):
        slug = str(s).removeprefix(str(ID)).split("/", 1)[1]
        assert SLUG.match(slug), s


def test_every_entity_we_add_has_one_label_per_language_and_a_source(ref: Graph) -> None:
    for entity in set(ref.subjects(RDF.type, None)):
        labels = sorted(lbl.language for lbl in ref.objects(entity, SKOS.prefLabel))
        assert labels == ["fr", "zh"], entity
        zh = next(lbl for lbl in ref.objects(entity, SKOS.prefLabel) if lbl.language == "zh")
        assert CJK.search(zh), entity
        if (entity, RDF.type, EWKG.SourceDocument) not in ref:
            assert sources_of(ref, entity), f"{entity} has no source"


def test_editorial_notes_and_notes_are_bilingual_once(ref: Graph) -> None:
    for prop in (SKOS.editorialNote, SKOS.note, DCTERMS.title):
        for s in set(ref.subjects(prop, None)):
            assert sorted(o.language for o in ref.objects(s, prop)) == ["fr", "zh"], (s, prop)


def test_the_ontology_module_defines_every_term_it_uses(graph: Graph) -> None:
    module = Graph().parse(bundle_dir("ontology") / "ewkg-reference.ttl", format="turtle")
    terms = {s for s in module.subjects(RDFS.isDefinedBy, None)}
    assert EWKG.Claim in terms and EWKG.Dispute in terms and EWKG.endedPairing in terms
    for term in terms:
        for prop in (RDFS.label, SKOS.prefLabel, SKOS.definition):
            assert sorted(o.language for o in module.objects(term, prop)) == ["fr", "zh"], term
    used: set[URIRef] = set()
    for path in REF_FILES:
        g = Graph().parse(path, format="turtle")
        used |= {p for p in g.predicates() if str(p).startswith(str(EWKG))}
        used |= {o for o in g.objects(None, RDF.type) if str(o).startswith(str(EWKG))}
    undefined = [
        t for t in used if str(t).startswith(str(EWKG)) and (t, RDF.type, None) not in graph
    ]
    assert undefined == []


# --- regions: every verified row, codes, points, Wikidata -----------------------------------


def test_every_region_row_is_in_the_graph_with_its_code_point_and_qid(graph: Graph) -> None:
    codes = by_code(graph)
    for row in rows("regions.csv"):
        if row["gbt2260_code"]:
            r = codes[row["gbt2260_code"]]
        else:  # Minning: no code in the datasets read
            r = next(graph.subjects(SKOS.prefLabel, Literal(row["zh_name"], lang="zh")))
        lat, long = graph.value(r, GEO.lat), graph.value(r, GEO.long)
        assert (float(lat), float(long)) == (float(row["lat"]), float(row["lon"])), r
        assert lat.datatype == XSD.decimal
        qids = set(graph.objects(r, SKOS.exactMatch))
        assert qids == ({WD[row["wikidata_qid"]]} if row["wikidata_qid"] else set()), r
        facts = [(GEO.lat, lat), (GEO.long, long)] + [(SKOS.exactMatch, q) for q in qids]
        if row["gbt2260_code"]:
            facts.append((EWKG.gbCode, Literal(row["gbt2260_code"])))
        for prop, value in facts:
            found = claims_for(graph, r, prop, value)
            assert found and all(sources_of(graph, c) for c in found), (r, prop)


def test_province_points_agree_with_regions(graph: Graph) -> None:
    codes = by_code(graph)
    for row in rows("province_coords.csv"):
        r = codes[row["gbt2260_code"]]
        assert float(graph.value(r, GEO.lat)) == float(row["lat"])
        assert float(graph.value(r, GEO.long)) == float(row["lon"])
        assert pages(graph, claims_for(graph, r, GEO.lat, graph.value(r, GEO.lat))[0]) == {
            "https://pypi.org/project/cpca/0.5.5/"
        }


def test_codes_are_six_digits_and_agree_with_their_parent(graph: Graph) -> None:
    codes = by_code(graph)
    assert len(codes) == sum(1 for r in rows("regions.csv") if r["gbt2260_code"])
    for code, r in codes.items():
        assert re.fullmatch(r"\d{6}", code), code
        parent = graph.value(r, EWKG.parentRegion)
        parent_code = graph.value(parent, EWKG.gbCode) if parent is not None else None
        if parent_code is not None:
            prefix = re.sub(r"(00)+$", "", str(parent_code))
            assert code.startswith(prefix) and code != str(parent_code), (code, parent_code)


def test_points_are_in_china(graph: Graph) -> None:
    for r, lat in graph.subject_objects(GEO.lat):
        assert 18 < float(lat) < 54 and 73 < float(graph.value(r, GEO.long)) < 135, r


def test_wikidata_matches_only_where_the_reference_gives_a_qid(graph: Graph) -> None:
    given = {WD[r["wikidata_qid"]] for r in rows("regions.csv") if r["wikidata_qid"]}
    stated = {o for o in graph.objects(None, SKOS.exactMatch) if str(o).startswith(str(WD))}
    stated |= {o for o in graph.objects(None, OWL.sameAs) if str(o).startswith(str(WD))}
    assert stated == given


def test_verified_french_names_are_claimed_with_their_source(graph: Graph) -> None:
    codes = by_code(graph)
    for row in rows("regions.csv"):
        status = row["fr_name_status"]
        if not (status.startswith("verified") or status.startswith("name-verified")):
            continue
        r = codes[row["gbt2260_code"]]
        name = Literal(row["fr_name"], lang="fr")  # the full form is an altLabel (one style)
        found = [c for p in (SKOS.prefLabel, SKOS.altLabel) for c in claims_for(graph, r, p, name)]
        assert found, r
        first_url = URL.search(row["fr_source"])
        if first_url:
            assert first_url.group(0) in pages(graph, found[0]), r


def test_unverified_french_names_are_provisional_pinyin(ref: Graph, graph: Graph) -> None:
    codes = by_code(graph)
    for row in rows("regions.csv"):
        status = row["fr_name_status"]
        if status.startswith(("verified", "name-verified")):
            continue
        r = codes.get(row["gbt2260_code"]) or next(
            graph.subjects(SKOS.prefLabel, Literal(row["zh_name"], lang="zh"))
        )
        fr = [lbl for lbl in graph.objects(r, SKOS.prefLabel) if lbl.language == "fr"]
        assert len(fr) == 1 and not CJK.search(fr[0]), r
        if row["fr_name"] and status.startswith("pattern-unverified"):
            assert fr[0] != Literal(row["fr_name"], lang="fr") or " du " not in row["fr_name"], r
        notes = {n.language: str(n) for n in ref.objects(r, SKOS.editorialNote)}
        assert "provisoire" in notes["fr"] and "暂用" in notes["zh"], r


# --- pairings, their history and their sources -----------------------------------------------


EXPECTED_TABLE_2001_2010 = {
    "beijing-neimenggu", "tianjin-gansu", "liaoning-qinghai", "shanghai-yunnan",
    "jiangsu-shaanxi", "zhejiang-sichuan", "fujian-ningxia", "shandong-xinjiang",
    "guangdong-guangxi", "zhuhai-chongqing", "xiamen-chongqing", "dalian-guizhou",
    "ningbo-guizhou", "qingdao-guizhou", "shenzhen-guizhou",
}  # fmt: skip
EXPECTED_2016 = {
    "beijing-neimenggu", "beijing-zhangjiakou", "beijing-baoding", "tianjin-gansu",
    "tianjin-chengde", "dalian-liupanshui", "shanghai-yunnan", "shanghai-zunyi",
    "jiangsu-shaanxi", "jiangsu-xining", "jiangsu-haidong", "suzhou-tongren", "zhejiang-sichuan",
    "hangzhou-enshi", "hangzhou-qiandongnan", "ningbo-yanbian", "ningbo-qianxinan",
}  # fmt: skip


def included(graph: Graph, arrangement: str) -> set[str]:
    return {
        str(p).rsplit("/", 1)[1]
        for p in graph.objects(ID[f"arrangement/{arrangement}"], EWKG.includesPairing)
    }


def test_arrangements_list_the_pairings_of_their_sources(graph: Graph) -> None:
    assert included(graph, "2001-2010") == EXPECTED_TABLE_2001_2010
    assert included(graph, "2016") == EXPECTED_2016
    assert included(graph, "2021") == {"guangdong-guangxi", "guangdong-guizhou"}
    assert graph.value(ID["arrangement/2001-2010"], EWKG.untilYear) == Literal(
        "2010", datatype=XSD.gYear
    )


def test_every_pairing_is_a_complete_node(graph: Graph, ref: Graph) -> None:
    for p in set(ref.subjects(RDF.type, EWKG.Pairing)):
        a, b = graph.value(p, EWKG.assistingParty), graph.value(p, EWKG.assistedParty)
        slug = str(p).rsplit("/", 1)[1]
        assert slug == f"{str(a).rsplit('/', 1)[1]}-{str(b).rsplit('/', 1)[1]}"
        assert (a, EWKG.assists, b) in graph
        assert graph.value(p, EWKG.level) in {ID["level/province"], ID["level/prefecture"],
                                              ID["level/county"]}  # fmt: skip
        assert (a, RDF.type, EWKG.EasternRegion) in graph


def test_shandong_cities_and_chongqing_counties(graph: Graph) -> None:
    by_zh = {
        str(lbl): r for r, lbl in graph.subject_objects(SKOS.prefLabel) if lbl.language == "zh"
    }
    for row in rows("shandong_chongqing.csv"):
        city = by_zh[row["shandong_city_zh"]]
        county_zh = {
            "武隆县 (武隆区 since 2016)": "武隆区",
            "开县 (开州区 since 2016)": "开州区",
        }.get(row["chongqing_county_zh"], row["chongqing_county_zh"])
        county = by_zh[county_zh]
        p = pairing(f"{str(city).rsplit('/', 1)[1]}-{str(county).rsplit('/', 1)[1]}")
        if row["pairing_status"].startswith("verified"):
            assert (p, EWKG.subPairingOf, pairing("shandong-chongqing")) in graph
            assert URL.search(row["source"]).group(0) in pages(graph, p)
        else:  # inferred from list order only: not a fact, an open question
            assert (p, None, None) not in graph
            assert (city, EWKG.assists, county) not in graph
            q = ID["question/dongying-youyang"]
            assert {city, county} <= set(graph.objects(q, EWKG.questionAbout))


def test_dated_statements_of_fujian_ningxia_and_beijing_neimenggu(graph: Graph) -> None:
    for name, prefix in (
        ("fujian_ningxia.csv", "fujian-ningxia-statement"),
        ("beijing_inner_mongolia.csv", "beijing-neimenggu-statement"),
    ):
        for i, row in enumerate(rows(name), 1):
            c = ID[f"claim/{prefix}-{i:02d}"]
            quote = normalise(row["quote_or_paraphrase_zh"], "zh")  # full-width punctuation
            assert str(graph.value(c, EWKG.quotation)) == quote
            assert str(graph.value(c, EWKG.referenceDate)) == row["date"]
            assert URL.search(row["source"]).group(0).rstrip(")") in pages(graph, c), c


def test_every_fact_has_a_source(ref: Graph, graph: Graph) -> None:
    """Each fact triple we state is backed by a claim that names a source we describe."""
    known = set(graph.subjects(RDF.type, EWKG.SourceDocument)) | set(
        graph.subjects(RDF.type, EWKG.Passage)
    )
    for prop in FACT_PROPERTIES:
        for s, o in ref.subject_objects(prop):
            found = claims_for(graph, s, prop, o)
            assert found, f"no claim for {s} {prop} {o}"
            assert all(sources_of(graph, c) and sources_of(graph, c) <= known for c in found)
    for c in graph.subjects(RDF.type, EWKG.Claim):
        assert sources_of(graph, c) and sources_of(graph, c) <= known, c
    # events start and end pairings in the year a claimed start or end gives
    for prop, year_prop in (
        (EWKG.startedPairing, EWKG.startYear),
        (EWKG.endedPairing, EWKG.endYear),
    ):
        for event, p in graph.subject_objects(prop):
            year = graph.value(event, EWKG.year)
            assert claims_for(graph, p, year_prop, year), (event, p)


def test_sources_are_described(graph: Graph, ref: Graph) -> None:
    sources = set(ref.subjects(RDF.type, EWKG.SourceDocument))
    assert len(sources) >= 40
    for s in sources:
        assert str(s).startswith(f"{ID}source/")
        assert sorted(t.language for t in ref.objects(s, DCTERMS.title)) == ["fr", "zh"]
        assert ref.value(s, DCTERMS.publisher)
        page = ref.value(s, FOAF.page)
        assert isinstance(page, URIRef) and str(page).startswith(("http://", "https://"))
        assert ref.value(s, SCHEMA.url) == page
    cited = {
        o for o in graph.objects(None, PROV.wasDerivedFrom) if str(o).startswith(f"{ID}source/")
    }
    assert cited - {ID["source/seed"]} <= sources
    # every URL the reference cites is a source
    urls = set()
    for name in ("pairings.csv", "fujian_ningxia.csv", "beijing_inner_mongolia.csv",
                 "shandong_chongqing.csv"):  # fmt: skip
        for row in rows(name):
            urls |= {u.rstrip(")") for u in URL.findall(row["source"])}
    assert urls <= {str(ref.value(s, FOAF.page)) for s in sources}


def test_nothing_unverified_is_stated_as_a_fact(graph: Graph) -> None:
    # the source document's "9 + 5 + 4" partners are not named: no large city is enumerated
    assert list(graph.subjects(RDF.type, EWKG.LargeCity)) == []
    # a pattern-only French form is never a label
    for row in rows("regions.csv"):
        if row["fr_name_status"].startswith("pattern-unverified") and " du " in row["fr_name"]:
            assert (None, SKOS.prefLabel, Literal(row["fr_name"], lang="fr")) not in graph
    # evidence of a Changping–Hexigten link is only an open question
    assert (ID["question/changping-hexigten"], RDF.type, EWKG.OpenQuestion) in graph
    assert not [s for s in graph.subjects(SKOS.prefLabel, None) if "changping" in str(s)
                and (s, RDF.type, EWKG.Pairing) in graph]  # fmt: skip
    # the open questions are not data: they carry no fact property
    for q in graph.subjects(RDF.type, EWKG.OpenQuestion):
        assert not [p for p in FACT_PROPERTIES if (q, p, None) in graph]


# --- disputes ----------------------------------------------------------------------------------

KNOWN_DISPUTES = {
    "number-of-parties",  # README 1
    "shandong-chongqing-start-month",  # README 2
    "fujian-ningxia-joint-meetings",  # README 3
    "beijing-neimenggu-start",  # README 4
    "seed-fr-zh-chongqing-units",  # README 5, first case
    "seed-fr-zh-banner-count",  # README 5, second case
    "fujian-ningxia-start",  # found in the tables too: 1996 (Guangming Daily) vs 1997
}


def test_the_disputed_facts_query_returns_the_known_disagreements(store: ox.Store) -> None:
    text = (bundle_dir("queries") / "51-disputed-facts.rq").read_text(encoding="utf-8")
    results = store.query(text, use_default_graph_as_union=True)
    found = {}
    for s in results:
        slug = s["dispute"].value.rsplit("/", 1)[1]
        found.setdefault(slug, set()).add(
            (s["property"].value, s["value"].value, s["source"].value)
        )
    assert set(found) == KNOWN_DISPUTES
    for slug, claims in found.items():
        assert len({v for _, v, _ in claims}) >= 2 or slug == "fujian-ningxia-joint-meetings", slug
        assert len({src for _, _, src in claims}) >= 2, slug


def test_disputed_values(graph: Graph) -> None:
    def values(dispute: str, prop: URIRef) -> set[str]:
        return {
            str(graph.value(c, EWKG.claimValue))
            for c in graph.objects(ID[f"dispute/{dispute}"], EWKG.disputedClaim)
            if graph.value(c, EWKG.claimProperty) == prop
        }

    assert values("beijing-neimenggu-start", EWKG.startYear) == {"1996", "1997"}
    assert values("shandong-chongqing-start-month", EWKG.startDate) == {"2010-06", "2010-07"}
    assert values("number-of-parties", EWKG.easternPartyCount) == {"13", "15", "18", "22"}
    assert values("number-of-parties", EWKG.westernPartyCount) == {"10", "11"}
    assert values("seed-fr-zh-banner-count", EWKG.assistedUnitCount) == {"8", "16"}
    assert values("fujian-ningxia-joint-meetings", EWKG.meetingNumber) == {"16", "20", "26"}
    # both start years are on the pairing, each with its own source
    starts = {str(y) for y in graph.objects(pairing("beijing-neimenggu"), EWKG.startYear)}
    assert starts == {"1996", "1997"}


def test_a_disputed_thing_links_to_its_dispute(graph: Graph) -> None:
    """Pages of the things concerned show the dispute (an incoming link)."""
    subjects = {
        d: set(graph.objects(d, EWKG.disputedSubject))
        for d in graph.subjects(RDF.type, EWKG.Dispute)
    }
    assert pairing("beijing-neimenggu") in subjects[ID["dispute/beijing-neimenggu-start"]]
    assert pairing("shandong-chongqing") in subjects[ID["dispute/shandong-chongqing-start-month"]]
    for d, found in subjects.items():
        claimed = {graph.value(c, EWKG.claimSubject) for c in graph.objects(d, EWKG.disputedClaim)}
        assert found == claimed, d


def test_contradictions_are_symmetric_and_inside_one_dispute(graph: Graph) -> None:
    pairs = set(graph.subject_objects(EWKG.contradicts))
    assert pairs and all((b, a) in pairs for a, b in pairs)
    for a, b in pairs:
        disputes_a = set(graph.subjects(EWKG.disputedClaim, a))
        assert disputes_a & set(graph.subjects(EWKG.disputedClaim, b))


# --- history -----------------------------------------------------------------------------------

IN_FORCE = """
SELECT DISTINCT ?assisting WHERE {{
  ?pairing ewkg:assistedParty <{assisted}> ; ewkg:assistingParty ?assisting .
  {{ ?pairing ewkg:startYear ?s . BIND (xsd:integer(STR(?s)) AS ?from) }}
  UNION
  {{ ?a ewkg:includesPairing ?pairing ; ewkg:fromYear ?f .
     OPTIONAL {{ ?a ewkg:untilYear ?u }}
     BIND (xsd:integer(STR(?f)) AS ?from) BIND (xsd:integer(STR(?u)) AS ?until) }}
  FILTER (?from <= {year} && (!BOUND(?until) || {year} <= ?until))
  FILTER NOT EXISTS {{ ?pairing ewkg:endYear ?e FILTER (xsd:integer(STR(?e)) < {year}) }}
}}
"""


def assisted_by(store: ox.Store, slug: str, year: int) -> set[str]:
    found = select(store, IN_FORCE.format(assisted=region(slug), year=year))
    return {row[0].rsplit("/", 1)[1] for row in found}


def test_who_assisted_chongqing_in_2005_and_2015(store: ox.Store) -> None:
    text = (bundle_dir("queries") / "50-who-assisted-chongqing-2005-2015.rq").read_text("utf-8")
    answer = {(s["year"].value, s["assisting"].value.rsplit("/", 1)[1])
              for s in store.query(text, use_default_graph_as_union=True)}  # fmt: skip
    assert answer == {("2005", "xiamen"), ("2005", "zhuhai"), ("2015", "shandong")}
    assert assisted_by(store, "chongqing", 2005) == {"xiamen", "zhuhai"}
    assert assisted_by(store, "chongqing", 2015) == {"shandong"}
    assert assisted_by(store, "chongqing", 2001) == {"xiamen", "zhuhai"}


@pytest.mark.parametrize(
    ("slug", "year", "expected"),
    [
        ("guizhou", 1996, {"dalian", "qingdao", "ningbo", "shenzhen"}),
        (
            "guizhou",
            2013,
            {
                "dalian",
                "qingdao",
                "ningbo",
                "shenzhen",
                "shanghai",
                "suzhou",
                "hangzhou",
                "guangzhou",
            },
        ),  # fmt: skip
        ("xinjiang", 2005, {"shandong"}),
        ("xinjiang", 2015, set()),
        ("ningxia", 2015, {"fujian"}),
        ("neimenggu", 1996, {"beijing"}),
        ("linxia", 2012, {"xiamen"}),
        ("liangshan", 2009, set()),
        ("wushan", 2005, {"zhuhai"}),
        ("wushan", 2011, set()),
        ("gansu", 2005, {"tianjin"}),
        ("gansu", 2018, {"tianjin"}),
        ("guangxi", 2022, {"guangdong"}),
    ],
)
def test_pairings_in_force(store: ox.Store, slug: str, year: int, expected: set[str]) -> None:
    assert assisted_by(store, slug, year) == expected


def test_adjustments_start_and_end_pairings(graph: Graph) -> None:
    def changed(event: str, prop: URIRef) -> set[str]:
        return {str(p).rsplit("/", 1)[1] for p in graph.objects(ID[f"event/{event}"], prop)}

    assert changed("adjustment-2010", EWKG.endedPairing) == {
        "shandong-xinjiang", "xiamen-chongqing", "zhuhai-chongqing",
        "zhuhai-wushan", "zhuhai-wuxi", "zhuhai-fengjie",
    }  # fmt: skip
    assert {"shandong-chongqing", "xiamen-linxia", "zhuhai-liangshan"} <= changed(
        "adjustment-2010", EWKG.startedPairing
    )
    assert changed("adjustment-2002", EWKG.startedPairing) == {
        "zhuhai-chongqing", "zhuhai-wushan", "zhuhai-wuxi", "zhuhai-fengjie"
    }  # fmt: skip
    assert changed("adjustment-2021", EWKG.startedPairing) == {"guangdong-guizhou"}
    years = {int(str(graph.value(e, EWKG.year))) for e in graph.subjects(EWKG.startedPairing, None)}
    assert years == {1996, 2002, 2010, 2013, 2016, 2021}
