"""POST /validate: a curator's Turtle in, the validation report out; the served data untouched."""

from __future__ import annotations

import io
import json
from urllib.parse import urlencode

from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph
from rdflib.namespace import RDF, SH

from ewkg.resources import bundle_dir

PREFIXES = """@prefix ewkg: <https://w3id.org/ewkg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""
#: A new region without its Chinese label: one violation, on line 4.
MISSING_ZH = PREFIXES + """<https://w3id.org/ewkg/id/region/fx-http>
    a ewkg:Province, ewkg:EasternRegion ;
    skos:prefLabel "Région d’essai"@fr ;
    prov:wasDerivedFrom <https://w3id.org/ewkg/id/passage/fr-1>,
        <https://w3id.org/ewkg/id/passage/zh-1> .
"""
VALID = MISSING_ZH.replace('"Région d’essai"@fr ;', '"Région d’essai"@fr, "测试地区"@zh ;')
BROKEN = PREFIXES + '<https://w3id.org/ewkg/id/region/fx-http> skos:prefLabel "unclosed ;\n'


def post(client: FlaskClient, body: str | bytes, content_type: str = "text/turtle",
         accept: str = "application/json"):
    return client.post("/validate", data=body, headers={"Content-Type": content_type,
                                                        "Accept": accept})


def test_get_shows_the_form(client: FlaskClient) -> None:
    response = client.get("/validate?lang=fr")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<textarea id="data" name="data"' in page
    assert 'name="file"' in page and 'name="format"' in page
    assert "Valider du Turtle" in page


def test_post_turtle_that_conforms(client: FlaskClient) -> None:
    response = post(client, VALID)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    report = response.get_json()
    assert report["conforms"] is True and report["violations"] == []


def test_post_a_bundled_file_conforms(client: FlaskClient) -> None:
    body = (bundle_dir("data") / "strategy.ttl").read_bytes()
    assert post(client, body).get_json()["conforms"] is True


def test_post_violation_is_located_with_bilingual_messages(client: FlaskClient) -> None:
    report = post(client, MISSING_ZH).get_json()
    assert report["conforms"] is False
    [violation] = report["violations"]
    assert violation["file"] == "input" and violation["line"] == 4
    assert violation["constraint"] == "ewkgsh:Entity-prefLabelZh"
    assert violation["focus_labels"] == {"fr": "Région d’essai"}
    assert "chinois" in violation["messages"]["fr"]
    assert "中文" in violation["messages"]["zh"]


def test_post_accept_turtle_returns_a_validation_report(client: FlaskClient) -> None:
    response = post(client, MISSING_ZH, accept="text/turtle")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    [report] = graph.subjects(RDF.type, SH.ValidationReport)
    assert len(list(graph.objects(report, SH.result))) == 1
    languages = {m.language for m in graph.objects(None, SH.resultMessage)}
    assert {"fr", "zh"} <= languages


def test_post_unparseable_is_400_with_line_and_column(client: FlaskClient) -> None:
    response = post(client, BROKEN)
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    assert message.startswith("input:4:")
    assert "never closed" in message


def test_post_too_large_is_413(client: FlaskClient, app: Flask) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    response = post(client, b"#" * (limit + 1))
    assert response.status_code == 413
    assert str(limit) in response.get_json()["error"]["message"]


def test_post_unknown_content_type_is_415(client: FlaskClient) -> None:
    response = post(client, "<a> <b> <c> .", content_type="application/x-yaml")
    assert response.status_code == 415
    assert "text/turtle" in response.get_json()["error"]["message"]


def test_post_ntriples(client: FlaskClient) -> None:
    body = ('<https://w3id.org/ewkg/id/strategy/fx> '
            '<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
            '<https://w3id.org/ewkg/ontology#Strategy> .\n')
    report = post(client, body, content_type="application/n-triples").get_json()
    assert report["conforms"] is False
    assert {v["constraint"] for v in report["violations"]} >= {"ewkgsh:Entity-prefLabelFr"}


def test_jsonld_remote_context_is_refused(client: FlaskClient) -> None:
    body = json.dumps({"@context": "https://schema.org/", "@id": "https://w3id.org/ewkg/id/x",
                       "name": "x"})
    response = post(client, body, content_type="application/ld+json")
    assert response.status_code == 400
    assert "remote JSON-LD context refused" in response.get_json()["error"]["message"]


def test_jsonld_inline_context_is_validated(client: FlaskClient) -> None:
    body = json.dumps({
        "@context": {"skos": "http://www.w3.org/2004/02/skos/core#"},
        "@id": "https://w3id.org/ewkg/id/strategy/fx-jsonld",
        "@type": "https://w3id.org/ewkg/ontology#Strategy",
        "skos:prefLabel": {"@value": "Stratégie", "@language": "fr"},
    })
    report = post(client, body, content_type="application/ld+json").get_json()
    constraints = {v["constraint"] for v in report["violations"]}
    assert "ewkgsh:Entity-prefLabelZh" in constraints


def test_the_served_dataset_is_never_changed(client: FlaskClient, app: Flask) -> None:
    store = app.extensions["ewkg.store.embedded"]
    before = (len(store), store.version)
    post(client, MISSING_ZH)
    post(client, VALID)
    post(client, BROKEN)
    client.post("/validate", data={"data": VALID, "format": "turtle"})
    assert (len(store), store.version) == before


def test_form_post_shows_the_violations_in_a_table(client: FlaskClient) -> None:
    response = client.post("/validate?lang=zh", data={"data": MISSING_ZH, "format": "turtle"},
                           headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<table class="violations">' in page
    assert "缺少中文首选标签" in page
    assert "input:4" in page


def test_form_file_upload(client: FlaskClient) -> None:
    data = {"file": (io.BytesIO(VALID.encode()), "region.ttl"), "format": "turtle"}
    response = client.post("/validate", data=data, content_type="multipart/form-data",
                           headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert 'class="conforms"' in response.get_data(as_text=True)


def test_form_syntax_error_is_shown_with_its_line(client: FlaskClient) -> None:
    response = client.post("/validate", data={"data": BROKEN, "format": "turtle"},
                           headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert "input:4:" in response.get_data(as_text=True)


def test_unacceptable_accept_is_406(client: FlaskClient) -> None:
    response = post(client, VALID, accept="image/png")
    assert response.status_code == 406
    assert "application/json" in response.get_data(as_text=True)


def test_page_in_both_languages_by_default(client: FlaskClient) -> None:
    response = client.post("/validate", data={"data": MISSING_ZH, "format": "turtle"},
                           headers={"Accept": "text/html", "Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert '<p lang="fr">Le libellé préférentiel en chinois' in page
    assert '<p lang="zh">缺少中文首选标签' in page


def test_jsonld_scoped_remote_context_is_refused(client: FlaskClient) -> None:
    body = json.dumps({
        "@context": {"knows": {"@id": "http://xmlns.com/foaf/0.1/knows",
                               "@context": "https://example.org/remote.jsonld"}},
        "@id": "https://w3id.org/ewkg/id/x",
    })
    response = post(client, body, content_type="application/ld+json")
    assert response.status_code == 400
    assert "remote JSON-LD context refused" in response.get_json()["error"]["message"]


# -- hostile input: nesting, streamed bodies -----------------------------------------------------

def test_jsonld_nested_arrays_are_a_400_not_a_crash(client: FlaskClient) -> None:
    response = post(client, "[" * 2000 + "]" * 2000, content_type="application/ld+json")
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    assert message.startswith("input:1:101:") and "nested more than 100 levels" in message


def test_jsonld_nested_objects_are_a_400_not_a_crash(client: FlaskClient) -> None:
    body = '{"a": ' * 25_000 + "1" + "}" * 25_000
    response = post(client, body, content_type="application/ld+json")
    assert response.status_code == 400
    assert "nested more than 100 levels" in response.get_json()["error"]["message"]


def test_jsonld_brackets_inside_strings_do_not_count_as_nesting(client: FlaskClient) -> None:
    body = json.dumps({
        "@context": {"skos": "http://www.w3.org/2004/02/skos/core#"},
        "@id": "https://w3id.org/ewkg/id/strategy/fx-brackets",
        "skos:note": "[" * 500 + "{" * 500,
    })
    assert post(client, body, content_type="application/ld+json").status_code == 200


def _chunked(client: FlaskClient, body: bytes, content_type: str = "text/turtle", **kw):
    """POST ``body`` without a length, as gunicorn hands a chunked body to the app."""
    return client.post("/validate", input_stream=io.BytesIO(body), headers={
        "Content-Type": content_type, "Accept": "application/json",
        "Transfer-Encoding": "chunked"}, environ_overrides={"wsgi.input_terminated": True}, **kw)


def test_chunked_body_over_the_limit_is_413_not_cut(client: FlaskClient, app: Flask) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    filler = b"# a comment line, valid Turtle\n" * (3 * limit // 31)
    response = _chunked(client, VALID.encode() + filler + b"this tail is not Turtle\n")
    assert response.status_code == 413
    assert f"larger than {limit} bytes" in response.get_json()["error"]["message"]


def test_chunked_body_within_the_limit_is_validated_whole(client: FlaskClient) -> None:
    response = _chunked(client, MISSING_ZH.encode())
    assert response.status_code == 200
    assert response.get_json()["violations"][0]["line"] == 4
    assert _chunked(client, BROKEN.encode()).status_code == 400


def test_chunked_form_is_read_as_a_form(client: FlaskClient) -> None:
    body = urlencode({"data": MISSING_ZH, "format": "turtle"}).encode()
    response = _chunked(client, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert response.get_json()["violations"][0]["constraint"] == "ewkgsh:Entity-prefLabelZh"


# -- syntax errors in the page's language ---------------------------------------------------------

def test_syntax_error_in_french_keeps_its_location(client: FlaskClient) -> None:
    response = client.post("/validate?lang=fr", data=BROKEN, headers={
        "Content-Type": "text/turtle", "Accept": "application/json"})
    assert response.status_code == 400
    message = response.get_json()["error"]["message"]
    assert message.startswith("input:4:")
    assert "erreur de syntaxe à la ligne 4, colonne" in message
    assert "n’est jamais fermée" in message


def test_syntax_error_in_chinese_by_accept_language(client: FlaskClient) -> None:
    response = client.post("/validate", data={"data": BROKEN, "format": "turtle"},
                           headers={"Accept": "text/html", "Accept-Language": "zh-CN"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "input:4:" in page and "语法错误（第 4 行" in page and "没有闭合" in page


def test_chunked_body_over_the_limit_is_read_to_its_end_within_a_bound(
    client: FlaskClient, app: Flask
) -> None:
    """So that the client, still sending, reads the 413 instead of a reset connection."""
    limit = app.config["MAX_CONTENT_LENGTH"]
    stream = io.BytesIO(b"#" * (3 * limit))
    response = client.post("/validate", input_stream=stream, headers={
        "Content-Type": "text/turtle", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413 and stream.tell() == 3 * limit
    endless = io.BytesIO(b"#" * (20 * limit))
    response = client.post("/validate", input_stream=endless, headers={
        "Content-Type": "text/turtle", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413 and endless.tell() < 20 * limit
