"""The SPARQL 1.1 Protocol, case by case, through the Flask test client.

Each test is named after the protocol case it checks; every successful body is parsed with a real
parser of its format (json, ElementTree, csv, rdflib).
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID

from ewkg.config import Config
from ewkg.rdf.namespaces import SD
from ewkg.resources import dataset_files
from ewkg.web.app import create_app

SELECT = (
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label } LIMIT 5"
)
ASK = "ASK { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"
DESCRIBE = "DESCRIBE <https://w3id.org/ewkg/id/region/fujian>"
SRJ = "application/sparql-results+json"
SRX = "application/sparql-results+xml"
SRX_NS = "{http://www.w3.org/2005/sparql-results#}"
GRAPHS = Path(__file__).parent / "fixtures" / "protocol" / "graphs.trig"
TEST = "https://w3id.org/ewkg/test/"


def url(query: str, **params: str) -> str:
    extra = "".join(f"&{k.replace('_', '-')}={quote(v)}" for k, v in params.items())
    return f"/sparql?query={quote(query)}{extra}"


def json_rows(response) -> list[dict]:
    return json.loads(response.data)["results"]["bindings"]


def message(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture(scope="module")
def dataset_app() -> Iterator[Flask]:
    """The bundled data plus four named graphs (the protocol suite's data0..data3)."""
    app = create_app(Config(testing=True, data=(*dataset_files(), GRAPHS)))
    yield app
    app.extensions["ewkg.query.executor"].close()


@pytest.fixture()
def dclient(dataset_app: Flask) -> FlaskClient:
    return dataset_app.test_client()


# ------------------------------------------------------------------ query operation: the three ways


def test_get_select_json(client: FlaskClient) -> None:
    r = client.get(url(SELECT), headers={"Accept": SRJ})
    assert r.status_code == 200
    assert r.mimetype == SRJ
    body = json.loads(r.data)
    assert body["head"]["vars"] == ["s", "label"]
    assert 0 < len(body["results"]["bindings"]) <= 5


def test_get_select_xml(client: FlaskClient) -> None:
    r = client.get(url(SELECT), headers={"Accept": SRX})
    assert r.status_code == 200 and r.mimetype == SRX
    root = ET.fromstring(r.data)
    assert [v.get("name") for v in root.iter(f"{SRX_NS}variable")] == ["s", "label"]
    assert len(list(root.iter(f"{SRX_NS}result"))) > 0


def test_get_select_csv(client: FlaskClient) -> None:
    r = client.get(url(SELECT), headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0] == ["s", "label"] and len(rows) > 1


def test_get_select_tsv(client: FlaskClient) -> None:
    r = client.get(url(SELECT), headers={"Accept": "text/tab-separated-values"})
    assert r.status_code == 200 and r.mimetype == "text/tab-separated-values"
    lines = r.get_data(as_text=True).splitlines()
    assert lines[0].split("\t") == ["?s", "?label"]
    assert all(line.startswith("<https://") for line in lines[1:])


def test_get_ask_json(client: FlaskClient) -> None:
    r = client.get(url(ASK))
    assert r.status_code == 200 and r.mimetype == SRJ
    assert json.loads(r.data)["boolean"] is True


def test_get_ask_xml(client: FlaskClient) -> None:
    r = client.get(url("ASK { <urn:x> <urn:y> <urn:z> }"), headers={"Accept": SRX})
    assert r.status_code == 200
    assert ET.fromstring(r.data).find(f"{SRX_NS}boolean").text == "false"


def test_post_form(client: FlaskClient) -> None:
    r = client.post("/sparql", data={"query": SELECT}, headers={"Accept": SRJ})
    assert r.status_code == 200
    assert len(json_rows(r)) > 0


def test_post_form_with_charset(client: FlaskClient) -> None:
    body = "query=" + quote("ASK { ?s ?p \"东西部\" }")
    r = client.post(
        "/sparql", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
    )
    assert r.status_code == 200 and json.loads(r.data)["boolean"] in {True, False}


def test_post_direct(client: FlaskClient) -> None:
    r = client.post("/sparql", data=SELECT, content_type="application/sparql-query")
    assert r.status_code == 200 and r.mimetype == SRJ
    assert len(json_rows(r)) > 0


def test_post_direct_utf8_charset(client: FlaskClient) -> None:
    r = client.post(
        "/sparql",
        data='ASK { ?s ?p "宁夏回族自治区"@zh }'.encode(),
        content_type="application/sparql-query; charset=utf-8",
    )
    assert r.status_code == 200 and json.loads(r.data)["boolean"] is True


def test_head_has_headers_and_no_body(client: FlaskClient) -> None:
    r = client.head(url(ASK))
    assert r.status_code == 200 and r.mimetype == SRJ and r.data == b""


# ------------------------------------------------------------------ graphs: CONSTRUCT and DESCRIBE


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/trig", "trig"),
    ],
)
def test_construct_formats(client: FlaskClient, accept: str, rdflib_format: str) -> None:
    r = client.get(url(CONSTRUCT), headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == accept
    g = Graph().parse(data=r.data, format=rdflib_format)
    assert len(g) == 5


def test_describe_turtle(client: FlaskClient) -> None:
    r = client.get(url(DESCRIBE))
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    g = Graph().parse(data=r.data, format="turtle")
    fujian = URIRef("https://w3id.org/ewkg/id/region/fujian")
    assert (fujian, None, None) in g


def test_construct_default_is_turtle(client: FlaskClient) -> None:
    r = client.get(url(CONSTRUCT), headers={"Accept": "*/*"})
    assert r.mimetype == "text/turtle"


# ------------------------------------------------------------------ content negotiation


def test_get_accept_wildcard_gives_json(client: FlaskClient) -> None:
    assert client.get(url(SELECT), headers={"Accept": "*/*"}).mimetype == SRJ


def test_get_no_accept_gives_json(client: FlaskClient) -> None:
    r = client.get(url(SELECT), headers={"Accept": ""})
    assert r.status_code == 200 and r.mimetype == SRJ


def test_get_accept_substar(client: FlaskClient) -> None:
    assert client.get(url(SELECT), headers={"Accept": "text/*"}).mimetype == "text/csv"


def test_get_accept_q_values(client: FlaskClient) -> None:
    accept = "text/csv;q=0.5, text/tab-separated-values;q=0.9, application/sparql-results+xml;q=0.7"
    r = client.get(url(SELECT), headers={"Accept": accept})
    assert r.mimetype == "text/tab-separated-values"


def test_get_accept_q_zero_excludes(client: FlaskClient) -> None:
    r = client.get(url(SELECT), headers={"Accept": f"{SRJ};q=0, */*;q=0.1"})
    assert r.status_code == 200
    assert r.mimetype == SRX


def test_get_accept_specific_beats_wildcard_q_zero(client: FlaskClient) -> None:
    r = client.get(url(SELECT), headers={"Accept": "*/*;q=0, text/csv"})
    assert r.mimetype == "text/csv"


def test_get_accept_json_alias(client: FlaskClient) -> None:
    r = client.get(url(SELECT), headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.mimetype == SRJ


def test_get_accept_nothing_fits_is_406(client: FlaskClient) -> None:
    r = client.get(url(SELECT), headers={"Accept": "text/turtle"})
    assert r.status_code == 406
    for media_type in (SRJ, SRX, "text/csv", "text/tab-separated-values"):
        assert media_type in message(r)


def test_ask_as_csv_is_406(client: FlaskClient) -> None:
    r = client.get(url(ASK), headers={"Accept": "text/csv"})
    assert r.status_code == 406 and SRJ in message(r)


def test_construct_as_results_json_is_406(client: FlaskClient) -> None:
    r = client.get(url(CONSTRUCT), headers={"Accept": SRJ})
    assert r.status_code == 406 and "text/turtle" in message(r)


@pytest.mark.parametrize(
    ("name", "media_type", "query"),
    [
        ("json", SRJ, SELECT),
        ("xml", SRX, SELECT),
        ("csv", "text/csv", SELECT),
        ("tsv", "text/tab-separated-values", SELECT),
        ("ttl", "text/turtle", CONSTRUCT),
        ("nt", "application/n-triples", CONSTRUCT),
        ("jsonld", "application/ld+json", CONSTRUCT),
        ("rdf", "application/rdf+xml", CONSTRUCT),
    ],
)
def test_format_param_overrides_accept(
    client: FlaskClient, name: str, media_type: str, query: str
) -> None:
    r = client.get(url(query, format=name), headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.mimetype == media_type


def test_format_param_unknown_is_400(client: FlaskClient) -> None:
    r = client.get(url(SELECT, format="yaml"))
    assert r.status_code == 400 and "json" in message(r)


def test_format_param_wrong_form_is_406(client: FlaskClient) -> None:
    r = client.get(url(SELECT, format="ttl"))
    assert r.status_code == 406 and "csv" in message(r)


def test_vary_accept(client: FlaskClient) -> None:
    for r in (
        client.get(url(SELECT)),
        client.get(url(SELECT, format="csv")),
        client.get(url(CONSTRUCT), headers={"Accept": "application/n-triples"}),
        client.get("/sparql"),
        client.get(url(SELECT), headers={"Accept": "text/turtle"}),  # 406
        client.get(url("SELECT")),  # 400
    ):
        assert "Accept" in r.vary, r.status


def test_browser_get_with_query_gets_the_ui(client: FlaskClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = client.get(url(SELECT), headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "ewkg-initial-query" in message(r) and "prefLabel" in message(r)


# ------------------------------------------------------------------ the protocol's error cases


def test_two_query_params_is_400(client: FlaskClient) -> None:
    r = client.get(f"/sparql?query={quote(ASK)}&query={quote(SELECT)}")
    assert r.status_code == 400 and "one query" in message(r)


def test_query_in_url_and_form_is_400(client: FlaskClient) -> None:
    r = client.post(f"/sparql?query={quote(ASK)}", data={"query": ASK})
    assert r.status_code == 400


def test_query_in_url_and_direct_body_is_400(client: FlaskClient) -> None:
    r = client.post(
        f"/sparql?query={quote(ASK)}", data=ASK, content_type="application/sparql-query"
    )
    assert r.status_code == 400 and "twice" in message(r)


def test_post_form_missing_query_is_400(client: FlaskClient) -> None:
    r = client.post("/sparql", data={"default-graph-uri": TEST + "data1"})
    assert r.status_code == 400 and "missing query" in message(r)


def test_post_empty_direct_query_is_400(client: FlaskClient) -> None:
    r = client.post("/sparql", data=b"  ", content_type="application/sparql-query")
    assert r.status_code == 400 and "empty" in message(r)


def test_post_unknown_content_type_is_415(client: FlaskClient) -> None:
    r = client.post("/sparql", data=ASK, content_type="text/plain")
    assert r.status_code == 415
    assert "application/sparql-query" in message(r)


def test_post_missing_content_type_is_415(client: FlaskClient) -> None:
    r = client.post("/sparql", data=b"query=ASK%20%7B%7D")
    assert r.status_code == 415 and "Content-Type" in message(r)


def test_post_direct_non_utf8_charset_is_400(client: FlaskClient) -> None:
    r = client.post(
        "/sparql", data=ASK.encode("utf-16"),
        content_type="application/sparql-query; charset=UTF-16",
    )
    assert r.status_code == 400 and "UTF-8" in message(r)


def test_post_direct_invalid_utf8_is_400(client: FlaskClient) -> None:
    r = client.post(
        "/sparql", data=b'ASK { ?s ?p "\xff\xfe" }', content_type="application/sparql-query"
    )
    assert r.status_code == 400 and "UTF-8" in message(r)


def test_invalid_utf8_get_is_400(client: FlaskClient) -> None:
    r = client.get("/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D")
    assert r.status_code == 400 and "UTF-8" in message(r)


def test_invalid_utf8_form_body_is_400(client: FlaskClient) -> None:
    r = client.post(
        "/sparql", data=b"query=ASK%20%7B%22%C3%28%22%7D",
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 400 and "UTF-8" in message(r)


def test_malformed_query_is_400_with_position(client: FlaskClient) -> None:
    r = client.get(url("SELECT * WHERE {\n  ?s ?p \n}"))
    assert r.status_code == 400
    assert "3:" in message(r) or "line 3" in message(r)


def test_not_a_query_is_400(client: FlaskClient) -> None:
    r = client.get(url("hello world"))
    assert r.status_code == 400 and "SELECT" in message(r)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405_with_allow(client: FlaskClient, method: str) -> None:
    r = client.open(url(ASK), method=method)
    assert r.status_code == 405
    allowed = {m.strip() for m in r.headers["Allow"].split(",")}
    assert {"GET", "POST"} <= allowed
    assert method in message(r)


# ------------------------------------------------------------------ updates are refused (403)

INSERT = "INSERT DATA { <urn:ewkg:a> <urn:ewkg:b> <urn:ewkg:c> }"


def _unchanged(client: FlaskClient) -> bool:
    r = client.get(url("ASK { <urn:ewkg:a> ?p ?o }"))
    return json.loads(r.data)["boolean"] is False


def test_update_is_refused_by_get(client: FlaskClient) -> None:
    r = client.get(f"/sparql?update={quote(INSERT)}")
    assert r.status_code == 403 and "read-only" in message(r)
    assert _unchanged(client)


def test_update_is_refused_by_form(client: FlaskClient) -> None:
    r = client.post("/sparql", data={"update": INSERT})
    assert r.status_code == 403 and "read-only" in message(r)
    assert _unchanged(client)


def test_update_is_refused_by_direct_post(client: FlaskClient) -> None:
    r = client.post("/sparql", data=INSERT, content_type="application/sparql-update")
    assert r.status_code == 403 and "read-only" in message(r)
    assert _unchanged(client)


@pytest.mark.parametrize(
    "update",
    [
        INSERT,
        "PREFIX ex: <urn:ewkg:>\n# a comment\nDELETE WHERE { ?s ?p ?o }",
        "drop all",
        "CLEAR DEFAULT",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_update_is_refused_as_query(client: FlaskClient, update: str) -> None:
    r = client.post("/sparql", data={"query": update})
    assert r.status_code == 403 and "read-only" in message(r)
    assert client.get(url("ASK { ?s ?p ?o }")).data == b'{"head":{},"boolean":true}'


# ------------------------------------------------------------------ dataset parameters


def test_query_dataset_default_graph_uri(dclient: FlaskClient) -> None:
    q = "SELECT ?t WHERE { ?s <http://purl.org/dc/terms/title> ?t }"
    r = dclient.get(url(q, default_graph_uri=TEST + "data1"))
    assert [row["t"]["value"] for row in json_rows(r)] == ["data1"]


def test_query_dataset_default_graph_uris_post_form(dclient: FlaskClient) -> None:
    q = "SELECT ?t WHERE { ?s <http://purl.org/dc/terms/title> ?t } ORDER BY ?t"
    r = dclient.post(
        "/sparql",
        data={"query": q, "default-graph-uri": [TEST + "data1", TEST + "data2"]},
    )
    assert [row["t"]["value"] for row in json_rows(r)] == ["data1", "data2"]


def test_query_dataset_named_graph_uris(dclient: FlaskClient) -> None:
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    r = dclient.get(url(q, named_graph_uri=TEST + "data1") + "&named-graph-uri="
                    + quote(TEST + "data2"))
    assert [row["g"]["value"] for row in json_rows(r)] == [TEST + "data1", TEST + "data2"]


def test_query_dataset_overrides_from(dclient: FlaskClient) -> None:
    q = f"ASK FROM <{TEST}data1> {{ <{TEST}data1> ?p ?o }}"
    assert json.loads(dclient.get(url(q)).data)["boolean"] is True
    r = dclient.post(
        f"/sparql?default-graph-uri={quote(TEST + 'data2')}",
        data=q, content_type="application/sparql-query",
    )
    assert json.loads(r.data)["boolean"] is False


def test_default_graph_is_union_without_dataset(dclient: FlaskClient) -> None:
    q = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://purl.org/dc/terms/title> ?t ; "
        "a <http://xmlns.com/foaf/0.1/Document> }"
    )
    assert json_rows(dclient.get(url(q)))[0]["n"]["value"] == "4"


# ------------------------------------------------------------------ service description


def test_service_description_turtle(client: FlaskClient) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.mimetype == "text/turtle"
    g = Graph().parse(data=r.data, format="turtle")
    service = g.value(predicate=RDF.type, object=SD.Service)
    assert service is not None
    assert g.value(service, SD.endpoint) == URIRef("http://localhost/sparql")
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in g
    formats = set(g.objects(service, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    dataset = g.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in g
    assert (dataset, RDFS.seeAlso, URIRef("http://localhost/.well-known/void")) in g
    default_graph = g.value(dataset, SD.defaultGraph)
    assert int(g.value(default_graph, VOID.triples)) > 100
    titles = {o.language for o in g.objects(service, DCTERMS.title) if isinstance(o, Literal)}
    assert titles == {"fr", "zh"}
    text_match = URIRef("https://w3id.org/ewkg/ontology#textMatch")
    assert (service, SD.extensionFunction, text_match) in g
    assert (text_match, RDF.type, SD.Function) in g


def test_service_description_default_is_turtle(client: FlaskClient) -> None:
    r = client.get("/sparql", headers={"Accept": "*/*"})
    assert r.mimetype == "text/turtle"


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"),
     ("application/n-triples", "nt")],
)
def test_service_description_other_rdf(
    client: FlaskClient, accept: str, rdflib_format: str
) -> None:
    r = client.get("/sparql", headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == accept
    g = Graph().parse(data=r.data, format=rdflib_format)
    assert g.value(predicate=RDF.type, object=SD.Service) is not None


def test_service_description_html_for_a_browser(client: FlaskClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = client.get("/sparql", headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = message(r)
    assert "/static/yasgui/yasgui.min.js" in html and 'id="ewkg-yasgui"' in html
    assert "01-fujian-assists" in html and "福建省对口帮扶西部哪个地区" in html
    assert "cdn" not in html.lower()


def test_service_description_not_acceptable_is_406(client: FlaskClient) -> None:
    r = client.get("/sparql", headers={"Accept": "image/png"})
    assert r.status_code == 406 and "text/turtle" in message(r)


# ------------------------------------------------------------------ CORS and error bodies


def test_cors_on_results(client: FlaskClient) -> None:
    r = client.get(url(ASK), headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-Ewkg-Result-Capped" in r.headers["Access-Control-Expose-Headers"]


def test_cors_preflight(client: FlaskClient) -> None:
    r = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "content-type" in r.headers["Access-Control-Allow-Headers"].lower()


def test_error_body_is_json_for_json_clients(client: FlaskClient) -> None:
    r = client.get(url("SELECT * {"), headers={"Accept": SRJ})
    assert r.status_code == 400 and r.mimetype == "application/json"
    error = json.loads(r.data)["error"]
    assert error["status"] == 400 and "1:" in error["message"]


def test_error_body_is_html_for_browsers(client: FlaskClient) -> None:
    accept = "text/html, */*;q=0.1"
    r = client.post("/sparql", data={"query": "SELECT * {"}, headers={"Accept": accept})
    assert r.status_code == 400 and r.mimetype == "text/html"
    page = message(r)  # the site's error page, in the reader's language (both by default)
    assert "<h1>400 — " in page and "Requête invalide" in page and "请求无效" in page


def test_error_body_is_plain_text_by_default(client: FlaskClient) -> None:
    r = client.get(url("SELECT * {"), headers={"Accept": "*/*"})
    assert r.status_code == 400 and r.mimetype == "text/plain"
    assert message(r).startswith("400 Bad Request: ")


def test_result_headers(client: FlaskClient) -> None:
    r = client.get(url(SELECT))
    assert r.headers["X-Ewkg-Result-Capped"] == "false"
    assert int(r.headers["X-Ewkg-Result-Count"]) == len(json_rows(r))
    assert r.headers["X-Ewkg-Cache"] in {"hit", "miss"}


def test_relative_iris_resolve_against_the_public_endpoint(client: FlaskClient) -> None:
    r = client.get(url("ASK { <id/region/fujian> ?p ?o }"))
    assert r.status_code == 200 and json.loads(r.data)["boolean"] is True
    r = client.get(url("SELECT * WHERE {\n  <s> ?p \n}"))
    assert r.status_code == 400 and "3:" in message(r)


def test_query_base_wins_over_the_endpoint_base(client: FlaskClient) -> None:
    q = "BASE <https://w3id.org/ewkg/id/region/>\nASK { <fujian> ?p ?o }"
    assert json.loads(client.get(url(q)).data)["boolean"] is True


def test_syntax_error_position_is_in_the_clients_text(client: FlaskClient) -> None:
    """The endpoint prepends a BASE for relative IRIs; positions still point into the query."""
    import re

    q = "ASK { <s> ?p }"
    r = client.get(url(q))
    assert r.status_code == 400
    column = int(re.search(r"\b1:(\d+)", message(r)).group(1))
    assert 10 < column <= len(q) + 1


def test_query_shown_in_the_ui_is_escaped(client: FlaskClient) -> None:
    evil = 'ASK { ?s ?p "</script><script>alert(1)</script>" }'
    r = client.get(url(evil), headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "<script>alert(1)" not in message(r)
    assert "alert(1)" in message(r)  # the query is there, escaped


# ------------------------------------------------------------ chunked bodies (any WSGI server)


@pytest.fixture(scope="module")
def small_body_app() -> Iterator[Flask]:
    app = create_app(Config(testing=True, max_request_bytes=10_000))
    yield app
    app.extensions["ewkg.query.executor"].close()


FORM_TYPE = "application/x-www-form-urlencoded"


def post_chunked(app: Flask, body: bytes, content_type: str, *, terminated: bool = True):
    """POST ``body`` as a chunked request: no Content-Length, the server ends the stream."""
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Response

    environ = EnvironBuilder(
        path="/sparql", method="POST",
        headers={"Content-Type": content_type, "Transfer-Encoding": "chunked", "Accept": SRJ},
    ).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input"] = io.BytesIO(body)
    if terminated:
        environ["wsgi.input_terminated"] = True
    else:
        environ.pop("wsgi.input_terminated", None)
    return Response.from_app(app.wsgi_app, environ, buffered=True)


def test_post_chunked_body_over_the_limit_is_413(small_body_app: Flask) -> None:
    for content_type, body in (
        (FORM_TYPE, b"query=" + quote("ASK {} #" + "a" * 30_000).encode()),
        ("application/sparql-query", ("ASK {} #" + "a" * 30_000).encode()),
        (FORM_TYPE, b"x=" + b"a" * 30_000 + b"&query=ASK%7B%7D"),
    ):
        r = post_chunked(small_body_app, body, content_type)
        assert r.status_code == 413, content_type
        assert "larger than 10000 bytes" in message(r)
        # never judged on a cut body: not "the query is 9994 bytes", not "missing query"
        assert "the query is" not in message(r) and "missing query" not in message(r)


def test_post_over_the_limit_413_names_the_size(small_body_app: Flask) -> None:
    body = "ASK {} #" + "a" * 30_000
    r = small_body_app.test_client().post(
        "/sparql", data=body, content_type="application/sparql-query"
    )
    assert r.status_code == 413
    assert f"{len(body)} bytes" in message(r) and "at most 10000 bytes" in message(r)


def test_post_chunked_form_is_read_whole(small_body_app: Flask) -> None:
    # the query parameter comes last, past the point where a cut body would end
    body = b"x=" + b"a" * 9_000 + b"&query=" + quote(ASK).encode()
    r = post_chunked(small_body_app, body, FORM_TYPE)
    assert r.status_code == 200, message(r)
    assert json.loads(r.data)["boolean"] is True
    r = post_chunked(small_body_app, b"query=" + quote(ASK).encode(), FORM_TYPE)
    assert r.status_code == 200


def test_post_chunked_form_on_a_server_that_cannot_end_it_is_411(small_body_app: Flask) -> None:
    r = post_chunked(small_body_app, b"query=" + quote(ASK).encode(), FORM_TYPE, terminated=False)
    assert r.status_code == 411 and "missing query" not in message(r)
    assert "Content-Length" in message(r)

