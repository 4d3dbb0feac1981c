"""Dumps of the whole graph, and the VoID + DCAT description whose counts must be the real ones."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID

from ewkg.config import Config
from ewkg.rdf.formats import graph_formats
from ewkg.rdf.namespaces import ID_BASE
from ewkg.store.embedded import oxigraph_term
from ewkg.store.void import void_graph
from ewkg.web.app import create_app, get_store

MINI = Path(__file__).parent / "fixtures" / "linkeddata" / "mini.ttl"
PARSERS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml", "trig": "trig"}


@pytest.fixture(scope="module", params=["bundled", "mini"])
def any_app(request: pytest.FixtureRequest, app: Flask) -> Flask:
    if request.param == "bundled":
        return app
    return create_app(Config(testing=True, data=(MINI,)))


def parse_dump(body: bytes, ext: str) -> Graph:
    if ext == "trig":
        ds = Dataset()
        ds.parse(data=body, format="trig")
        g = Graph()
        for s, p, o, _ in ds.quads((None, None, None, None)):
            g.add((s, p, o))
        return g
    g = Graph()
    g.parse(data=body, format=PARSERS[ext])
    return g


OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
              "jsonld": ox.RdfFormat.JSON_LD, "rdf": ox.RdfFormat.RDF_XML,
              "trig": ox.RdfFormat.TRIG}


def canonical(quads: Iterable[ox.Quad]) -> set[ox.Quad]:
    """The quads with blank nodes canonically renamed (RDFC-1.0): equal sets = isomorphic."""
    ds = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(ds)


@pytest.mark.parametrize("ext", [f.extension for f in graph_formats()])
def test_dump_round_trips_to_the_store_graph(any_app: Flask, ext: str) -> None:
    client = any_app.test_client()
    resp = client.get(f"/dataset.{ext}")
    assert resp.status_code == 200
    expected = {f.extension: f.media_type for f in graph_formats()}[ext]
    assert resp.headers["Content-Type"].split(";")[0] == expected
    dumped = list(ox.parse(resp.data, format=OX_FORMATS[ext]))
    whole = get_store(any_app).graph()
    assert len(set(dumped)) == len(whole)
    store_quads = [ox.Quad(*(oxigraph_term(t) for t in triple)) for triple in whole]
    assert canonical(dumped) == canonical(store_quads)  # isomorphic


def test_rdflib_reads_the_dumps_too() -> None:
    client = create_app(Config(testing=True, data=(MINI,))).test_client()
    whole = get_store(client.application).graph()
    for ext in OX_FORMATS:
        assert isomorphic(parse_dump(client.get(f"/dataset.{ext}").data, ext), whole), ext


def test_dump_includes_the_ontology(client: FlaskClient) -> None:
    g = parse_dump(client.get("/dataset.nt").data, "nt")
    assert (URIRef("https://w3id.org/ewkg/ontology"), None, None) in g


def test_dump_is_computed_once_per_version(app: Flask, client: FlaskClient) -> None:
    first = client.get("/dataset.ttl").data
    from ewkg.rdf.formats import by_name
    from ewkg.web.linkeddata import dump_bytes

    with app.app_context():
        a = dump_bytes(get_store(app), by_name("ttl"))
        b = dump_bytes(get_store(app), by_name("ttl"))
    assert a is b and a == first


def test_jsonld_dump_has_a_local_context(client: FlaskClient) -> None:
    doc = json.loads(client.get("/dataset.jsonld").data)
    assert isinstance(doc["@context"], dict)
    assert all(v.startswith("http") for v in doc["@context"].values())


def test_dataset_without_suffix_is_negotiated(client: FlaskClient) -> None:
    resp = client.get("/dataset", headers={"Accept": "application/n-triples"})
    assert resp.headers["Content-Type"].startswith("application/n-triples")
    assert "Accept" in resp.headers["Vary"]
    assert client.get("/dataset", headers={"Accept": "text/html"}).status_code == 406


# --- VoID -------------------------------------------------------------------------------------

def void_of(client: FlaskClient, accept: str = "text/turtle") -> Graph:
    resp = client.get("/.well-known/void", headers={"Accept": accept})
    assert resp.status_code == 200
    g = Graph()
    g.parse(data=resp.data, format={"text/turtle": "turtle",
                                    "application/ld+json": "json-ld"}[accept])
    return g


def dataset_node(g: Graph) -> URIRef:
    nodes = [s for s in g.subjects(RDF.type, VOID.Dataset)
             if (s, VOID.triples, None) in g and (None, VOID.subset, s) not in g]  # not a graph
    assert len(nodes) == 1
    return nodes[0]  # type: ignore[return-value]


def test_void_counts_are_the_real_counts(any_app: Flask) -> None:
    client = any_app.test_client()
    g = void_of(client)
    ds = dataset_node(g)
    whole = get_store(any_app).graph()

    def count(prop: URIRef) -> int:
        return int(g.value(ds, prop))

    assert count(VOID.triples) == len(whole)
    subjects = {s for s in whole.subjects() if isinstance(s, URIRef) and str(s).startswith(ID_BASE)}
    assert count(VOID.entities) == len(subjects)
    assert count(VOID.classes) == len(set(whole.objects(None, RDF.type)))
    assert count(VOID.properties) == len(set(whole.predicates()))
    assert count(VOID.distinctSubjects) == len(set(whole.subjects()))
    assert count(VOID.distinctObjects) == len(set(whole.objects()))
    per_class = Counter(o for s, o in set(whole.subject_objects(RDF.type)))
    partitions = {g.value(p, VOID["class"]): int(g.value(p, VOID.entities))
                  for p in g.objects(ds, VOID.classPartition)}
    assert partitions == {c: n for c, n in per_class.items() if isinstance(c, URIRef)}


def test_void_describes_endpoint_dumps_licence_titles(client: FlaskClient) -> None:
    g = void_of(client)
    ds = dataset_node(g)
    assert g.value(ds, VOID.sparqlEndpoint) == URIRef("http://localhost/sparql")
    assert g.value(ds, DCTERMS.license) is not None
    titles = {o.language for o in g.objects(ds, DCTERMS.title) if isinstance(o, Literal)}
    descriptions = {o.language for o in g.objects(ds, DCTERMS.description)
                    if isinstance(o, Literal)}
    assert {"fr", "zh"} <= titles and {"fr", "zh"} <= descriptions
    assert g.value(ds, URIRef(str(DCAT) + "version")) or g.value(
        ds, URIRef("http://www.w3.org/2002/07/owl#versionInfo"))
    dumps = set(g.objects(ds, VOID.dataDump))
    assert {URIRef(f"http://localhost/dataset.{f.extension}") for f in graph_formats()} == dumps
    for dump in dumps:
        assert client.get(str(dump).removeprefix("http://localhost")).status_code == 200
    media = {g.value(d, DCAT.mediaType) for d in g.objects(ds, DCAT.distribution)}
    assert URIRef("https://www.iana.org/assignments/media-types/text/turtle") in media
    examples = list(g.objects(ds, VOID.exampleResource))
    assert examples
    for example in examples:
        path = str(example).removeprefix("https://w3id.org/ewkg")
        assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 200


def test_void_uses_the_data_dataset_resource(mini_client: FlaskClient) -> None:
    g = void_of(mini_client)
    ds = dataset_node(g)
    assert ds == URIRef(ID_BASE + "dataset/ewkg")
    assert Literal("Jeu de test", lang="fr") in set(g.objects(ds, DCTERMS.title))


def test_void_is_negotiable(client: FlaskClient) -> None:
    g = void_of(client, "application/ld+json")
    assert any(True for _ in g.subjects(RDF.type, VOID.Dataset))
    html = client.get("/.well-known/void", headers={"Accept": "text/html"})
    assert html.headers["Content-Type"].startswith("text/html")
    assert client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406


def test_void_graph_function(app: Flask) -> None:
    g = void_graph(get_store(app), "http://example.org/ewkg/")
    ds = dataset_node(g)
    assert g.value(ds, VOID.sparqlEndpoint) == URIRef("http://example.org/ewkg/sparql")
    assert not any(isinstance(s, BNode) and (s, VOID["class"], None) not in g
                   for s in g.subjects())


@pytest.fixture()
def mini_client() -> FlaskClient:
    return create_app(Config(testing=True, data=(MINI,))).test_client()
