"""Linked data: every entity IRI dereferences, by content negotiation or by suffix.

Two datasets: the bundled one (whatever the data files hold: every subject must dereference), and
a small fixture (``fixtures/linkeddata/mini.ttl``) whose exact content the assertions can name.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ewkg.config import Config
from ewkg.rdf.formats import graph_formats
from ewkg.rdf.namespaces import EWKG, ID_BASE
from ewkg.web.app import create_app, get_store

MINI = Path(__file__).parent / "fixtures" / "linkeddata" / "mini.ttl"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

#: media type -> rdflib parser name
PARSERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
}
SUFFIX_TYPES = {f.extension: f.media_type for f in graph_formats()}

#: One entity of each kind of the fixture, plus the ontology document.
MINI_PATHS = [
    "/id/region/fujian",
    "/id/pairing/fujian-ningxia",
    "/id/passage/fr-1",
    "/id/source/seed",
    "/id/dataset/ewkg",
]


@pytest.fixture(scope="module")
def mini_app() -> Flask:
    return create_app(Config(testing=True, data=(MINI,)))


@pytest.fixture()
def mini(mini_app: Flask) -> FlaskClient:
    return mini_app.test_client()


def parse(body: bytes, media_type: str) -> Graph:
    g = Graph()
    g.parse(data=body, format=PARSERS[media_type])
    return g


def mimetype(resp) -> str:
    return resp.headers["Content-Type"].split(";")[0].strip()


# --- the negotiation matrix -------------------------------------------------------------------

@pytest.mark.parametrize("path", MINI_PATHS)
@pytest.mark.parametrize("media_type", list(PARSERS))
def test_accept_each_rdf_type_for_each_kind(mini: FlaskClient, path: str, media_type: str) -> None:
    resp = mini.get(path, headers={"Accept": media_type})
    assert resp.status_code == 200
    assert mimetype(resp) == media_type
    assert "Accept" in resp.headers["Vary"]
    g = parse(resp.data, media_type)
    iri = URIRef("https://w3id.org/ewkg" + path)
    assert (iri, None, None) in g


@pytest.mark.parametrize("path", MINI_PATHS)
@pytest.mark.parametrize("ext", sorted(SUFFIX_TYPES))
def test_suffix_picks_the_format(mini: FlaskClient, path: str, ext: str) -> None:
    resp = mini.get(f"{path}.{ext}", headers={"Accept": "text/html"})
    assert resp.status_code == 200
    assert mimetype(resp) == SUFFIX_TYPES[ext]
    g = parse(resp.data, SUFFIX_TYPES[ext])
    assert (URIRef("https://w3id.org/ewkg" + path), None, None) in g


@pytest.mark.parametrize("path", MINI_PATHS)
def test_browser_gets_html_and_html_suffix(mini: FlaskClient, path: str) -> None:
    for resp in (mini.get(path, headers={"Accept": BROWSER}), mini.get(path + ".html")):
        assert resp.status_code == 200
        assert mimetype(resp) == "text/html"
        assert b'lang="fr"' in resp.data and b'lang="zh"' in resp.data


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("*/*", "text/turtle"),
        ("", "text/turtle"),
        ("text/*", "text/turtle"),
        ("application/ld+json, text/turtle;q=0.5", "application/ld+json"),
        ("text/turtle;q=0.2, application/n-triples;q=0.9", "application/n-triples"),
        ("text/turtle;q=0, */*;q=0.5", "application/n-triples"),
        ("application/json", "application/ld+json"),
        ("application/x-turtle", "text/turtle"),
        ("text/plain", "application/n-triples"),
        (BROWSER, "text/html"),
    ],
)
def test_q_values_wildcards_and_q0(mini: FlaskClient, accept: str, expected: str) -> None:
    resp = mini.get("/id/region/fujian", headers={"Accept": accept} if accept else {})
    assert resp.status_code == 200
    assert mimetype(resp) == expected


def test_negotiated_response_names_its_specific_location(mini: FlaskClient) -> None:
    resp = mini.get("/id/region/fujian", headers={"Accept": "application/n-triples"})
    assert resp.headers["Content-Location"] == "/id/region/fujian.nt"


def test_unsupported_type_is_406_naming_the_available_ones(mini: FlaskClient) -> None:
    resp = mini.get("/id/region/fujian", headers={"Accept": "image/png"})
    assert resp.status_code == 406
    text = resp.get_data(as_text=True)
    for media_type in ("text/turtle", "application/ld+json", "application/n-triples",
                       "application/rdf+xml", "text/html"):
        assert media_type in text
    assert "Accept" in resp.headers["Vary"]


def test_vary_accept_on_every_negotiated_resource(mini: FlaskClient) -> None:
    for path in [*MINI_PATHS, "/ontology", "/id/region/", "/.well-known/void", "/dataset"]:
        resp = mini.get(path)
        assert resp.status_code == 200, path
        assert "Accept" in resp.headers.get("Vary", ""), path


# --- what the description holds -----------------------------------------------------------------

def test_description_is_cbd_plus_labels_and_incoming_links(mini: FlaskClient) -> None:
    g = parse(mini.get("/id/region/ningxia.ttl").data, "text/turtle")
    ningxia = URIRef(ID_BASE + "region/ningxia")
    fujian = URIRef(ID_BASE + "region/fujian")
    pairing = URIRef(ID_BASE + "pairing/fujian-ningxia")
    assert (ningxia, RDF.type, EWKG.Region) in g
    # incoming links, with the linking entity's labels
    assert (fujian, EWKG.assists, ningxia) in g
    assert (pairing, EWKG.assistedParty, ningxia) in g
    assert Literal("福建—宁夏", lang="zh") in set(g.objects(pairing, None))
    # labels of what it links to (the passages, the class)
    assert g.value(URIRef(ID_BASE + "passage/zh-1"), URIRef(str(RDF.type)), None) is None
    assert Literal("第1段（中文）", lang="zh") in set(g.objects(URIRef(ID_BASE + "passage/zh-1")))
    assert Literal("région", lang="fr") in set(g.objects(EWKG.Region))
    # but not the linked resources' other statements
    assert (fujian, RDF.type, EWKG.Region) not in g


def test_blank_nodes_are_closed_in_the_description(mini: FlaskClient) -> None:
    g = parse(mini.get("/ontology.ttl").data, "text/turtle")
    chain = g.value(EWKG.assists, OWL.propertyChainAxiom)
    assert chain is not None
    items = list(g.items(chain))
    assert items[1] == EWKG.assistedParty
    assert g.value(items[0], OWL.inverseOf) == EWKG.assistingParty
    restriction = next(o for o in g.objects(EWKG.Region, RDFS.subClassOf))
    assert g.value(restriction, OWL.onProperty) == EWKG.parentRegion


def test_jsonld_context_is_local_and_compact(mini: FlaskClient) -> None:
    resp = mini.get("/id/region/fujian", headers={"Accept": "application/ld+json"})
    doc = json.loads(resp.data)
    context = doc["@context"]
    assert isinstance(context, dict)
    assert context["ewkg"] == str(EWKG)
    assert context["skos"] == "http://www.w3.org/2004/02/skos/core#"
    assert "ewkg:assists" in resp.get_data(as_text=True)


def test_ontology_rdf_is_the_whole_ontology_and_no_entity(mini: FlaskClient) -> None:
    g = parse(mini.get("/ontology", headers={"Accept": "text/turtle"}).data, "text/turtle")
    assert (EWKG.Region, RDF.type, OWL.Class) in g
    assert (URIRef("https://w3id.org/ewkg/ontology"), RDF.type, OWL.Ontology) in g
    assert not any(str(s).startswith(ID_BASE) for s in g.subjects())


# --- 404 ------------------------------------------------------------------------------------

def test_unknown_iri_is_a_bilingual_404_page(mini: FlaskClient) -> None:
    resp = mini.get("/id/region/fujan", headers={"Accept": BROWSER})
    assert resp.status_code == 404
    assert mimetype(resp) == "text/html"
    html = resp.get_data(as_text=True)
    assert 'lang="fr">Ressource inconnue' in html and 'lang="zh">未找到该资源' in html
    assert 'href="/id/region/"' in html  # the kind's listing
    assert 'href="/id/region/fujian"' in html  # a near match
    assert 'action="/search"' in html


def test_unknown_iri_is_plain_text_for_other_clients(mini: FlaskClient) -> None:
    resp = mini.get("/id/region/nowhere", headers={"Accept": "text/turtle"})
    assert resp.status_code == 404
    text = resp.get_data(as_text=True)
    assert mimetype(resp) == "text/plain"
    assert "Aucune entité" in text and "图谱中没有" in text
    assert "/id/region/" in text and "/search?q=nowhere" in text


def test_kind_without_slash_redirects_to_its_listing(mini: FlaskClient) -> None:
    resp = mini.get("/id/region")
    assert resp.status_code in {301, 308} and resp.headers["Location"].endswith("/id/region/")


@pytest.mark.parametrize("path", ["/id/nokind/x", "/id/region/a%3Eb", "/id/nokind/",
                                  "/ontology.exe", "/dataset.html"])
def test_other_unknown_paths_are_404(mini: FlaskClient, path: str) -> None:
    assert mini.get(path).status_code == 404


# --- HTML pages -----------------------------------------------------------------------------

def test_entity_page_shows_labels_quotes_and_links(mini: FlaskClient) -> None:
    html = mini.get("/id/region/fujian?lang=fr", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert '<html lang="fr">' in html
    title = '<h1><span lang="fr">Fujian</span> <span class="other" lang="zh">福建省</span></h1>'
    assert title in html
    # every linked entity and property by its label, never the raw IRI as text
    assert ">Ningxia</span></a>" in html
    assert ">dérivé de</span>" in html
    assert ">https://w3id.org/ewkg/id/region/ningxia<" not in html
    # provenance quoted in both languages
    assert '<blockquote lang="fr"' in html and '<blockquote lang="zh"' in html
    assert "Il s’agit de l’aide jumelée" in html
    assert "东西部扶贫协作是东部发达省市" in html
    # RDF forms and a SPARQL DESCRIBE
    for ext in SUFFIX_TYPES:
        assert f'href="/id/region/fujian.{ext}"' in html
    describe = "DESCRIBE+%3Chttps%3A%2F%2Fw3id.org%2Fewkg%2Fid%2Fregion%2Ffujian%3E"
    assert f"/sparql?query={describe}" in html


@pytest.mark.parametrize(
    ("query", "headers", "lang"),
    [
        ("?lang=zh", {}, "zh"),
        ("?lang=fr", {"Accept-Language": "zh-CN"}, "fr"),
        ("", {"Accept-Language": "zh-CN,zh;q=0.9"}, "zh"),
        ("", {"Accept-Language": "fr-FR"}, "fr"),
        ("", {"Accept-Language": "en-US"}, None),
        ("?lang=both", {"Accept-Language": "zh"}, None),
    ],
)
def test_page_language(mini: FlaskClient, query: str, headers: dict, lang: str | None) -> None:
    resp = mini.get("/id/region/fujian" + query, headers={"Accept": BROWSER, **headers})
    html = resp.get_data(as_text=True)
    nav = html[html.index("<nav"):html.index("</nav>")]
    if lang == "zh":
        assert '<html lang="zh">' in html and "首页" in nav and "Accueil" not in nav
    elif lang == "fr":
        assert '<html lang="fr">' in html and "Accueil" in nav and "首页" not in nav
    else:
        assert "Accueil" in nav and "首页" in nav
    assert 'href="/id/region/fujian?lang=zh"' in html  # the switch is on every page
    if not query:
        assert "Accept-Language" in resp.headers["Vary"]


def test_listing_page_and_rdf(mini: FlaskClient) -> None:
    html = mini.get("/id/region/", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert "Fujian" in html and "宁夏回族自治区" in html and "(2)" in html
    g = parse(mini.get("/id/region/", headers={"Accept": "text/turtle"}).data, "text/turtle")
    listing = URIRef(ID_BASE + "region/")
    assert set(g.objects(listing, RDFS.member)) == {
        URIRef(ID_BASE + "region/fujian"), URIRef(ID_BASE + "region/ningxia")}
    kinds = mini.get("/id/", headers={"Accept": BROWSER}).get_data(as_text=True)
    for kind in ("region", "pairing", "passage", "source", "dataset"):
        assert f'href="/id/{kind}/' in kinds


def test_ontology_page_documents_every_term(mini: FlaskClient) -> None:
    html = mini.get("/ontology", headers={"Accept": BROWSER}).get_data(as_text=True)
    for anchor in ("Region", "Pairing", "Passage", "assists", "assistingParty", "startYear"):
        assert f'id="{anchor}"' in html
    assert "Division administrative." in html and "行政区划。" in html
    region = html[html.index('id="Region"'):html.index('id="assists"')] if (
        html.index('id="Region"') < html.index('id="assists"')) else ""
    assert "2" in region  # two instances


def test_home_page_links_everything(mini: FlaskClient) -> None:
    html = mini.get("/", headers={"Accept": BROWSER}).get_data(as_text=True)
    for href in ('href="/sparql', 'href="/ontology', 'href="/.well-known/void"',
                 'href="/dataset.ttl"', 'href="/dataset.jsonld"', 'href="/id/region/'):
        assert href in html
    assert "Jeu de test" in html and "测试数据集" in html


def test_search_finds_labels(mini: FlaskClient) -> None:
    html = mini.get("/search?q=ningxia", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert 'href="/id/region/ningxia"' in html and 'href="/id/pairing/fujian-ningxia"' in html


# --- other bases ----------------------------------------------------------------------------

def test_the_servers_own_base_and_arbitrary_iris(tmp_path: Path) -> None:
    data = tmp_path / "local.ttl"
    data.write_text(
        """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <http://localhost/id/thing/one> skos:prefLabel "un"@fr, "一"@zh ;
            skos:related <http://example.org/other> .
        <http://example.org/other> skos:prefLabel "autre"@fr, "其他"@zh .
        """,
        encoding="utf-8",
    )
    client = create_app(Config(testing=True, data=(data,))).test_client()
    resp = client.get("/id/thing/one", headers={"Accept": "text/turtle"})
    assert resp.status_code == 200
    assert (URIRef("http://localhost/id/thing/one"), None, None) in parse(resp.data, "text/turtle")
    html = client.get("/id/thing/one", headers={"Accept": BROWSER}).get_data(as_text=True)
    assert 'href="/resource?iri=http%3A%2F%2Fexample.org%2Fother"' in html
    other = client.get("/resource?iri=http://example.org/other", headers={"Accept": BROWSER})
    assert other.status_code == 200 and "其他" in other.get_data(as_text=True)
    assert client.get("/resource?iri=http://example.org/none").status_code == 404


# --- the bundled dataset: every subject dereferences -------------------------------------------

def test_every_subject_of_the_data_dereferences(app: Flask, client: FlaskClient) -> None:
    rows = get_store(app).select(
        f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ID_BASE}")) }}'
    )
    subjects = sorted(str(r["s"]) for r in rows)
    for iri in subjects:
        path = "/" + iri[len("https://w3id.org/ewkg/"):]
        resp = client.get(path, headers={"Accept": "text/turtle"})
        assert resp.status_code == 200, path
        # pyoxigraph parses fast; the subject must be described
        triples = list(ox.parse(resp.data, format=ox.RdfFormat.TURTLE))
        assert any(t.subject == ox.NamedNode(iri) for t in triples), path
    # and the same through the suffix and in HTML, for the first entity of each kind
    seen: set[str] = set()
    for iri in subjects:
        kind = iri[len(ID_BASE):].split("/", 1)[0]
        if kind in seen:
            continue
        seen.add(kind)
        path = "/" + iri[len("https://w3id.org/ewkg/"):]
        assert client.get(path + ".jsonld").status_code == 200, path
        page = client.get(path, headers={"Accept": BROWSER})
        assert page.status_code == 200, path
        assert b">https://w3id.org/ewkg/ontology#" not in page.data, path
