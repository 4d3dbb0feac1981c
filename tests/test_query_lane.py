"""The query lane answers SPARQL requests exactly as the Flask view does, without Flask: both
call the one answer function (:meth:`ewkg.web.protocol.Endpoint.answer`); the lane passes on only
what needs Flask (HTML pages, a ``lang`` choice, other methods)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.test import Client

from ewkg.config import Config
from ewkg.web.app import create_app
from ewkg.web.query_lane import QueryLane
from ewkg.web.services import flask_wsgi

PAIRINGS = "SELECT ?p WHERE { ?p a <https://w3id.org/ewkg/ontology#Pairing> } ORDER BY ?p"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
PREF_LABEL = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
LABELS = f"SELECT ?s ?l WHERE {{ ?s {RDFS_LABEL} ?l }} ORDER BY ?s ?l"
ZH = f'SELECT ?s WHERE {{ ?s {PREF_LABEL} "福建省"@zh }}'
RELATIVE = f"SELECT ?l WHERE {{ <id/region/fujian> {PREF_LABEL} ?l }} ORDER BY ?l"
CONSTRUCT = "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 3"
DESCRIBE = "DESCRIBE <https://w3id.org/ewkg/id/region/fujian>"
SPARQLWRAPPER_JSON = (
    "application/sparql-results+json,application/json,text/javascript,application/javascript"
)
FORM = "application/x-www-form-urlencoded"
SRJ = {"Accept": "application/sparql-results+json"}


def get(query: str, **params: str) -> str:
    extra = [f"{k.replace('_', '-')}={quote(v)}" for k, v in params.items()]
    parts = [f"query={quote(query)}", *extra]
    return "/sparql?" + "&".join(parts)


#: (id, method, url, headers, body, answered by the lane?)
CASES: list[tuple[str, str, str, dict[str, str], bytes | None, bool]] = [
    ("select-json", "GET", get(PAIRINGS), SRJ, None, True),
    ("select-no-accept", "GET", get(PAIRINGS), {}, None, True),
    ("select-csv-q", "GET", get(PAIRINGS),
     {"Accept": "text/csv;q=0.9, application/sparql-results+json;q=0.1"}, None, True),
    ("select-format-tsv", "GET", get(PAIRINGS, format="tsv"), {}, None, True),
    ("select-xml", "GET", get(PAIRINGS), {"Accept": "application/sparql-results+xml"}, None, True),
    ("sparqlwrapper", "GET", get(PAIRINGS), {"Accept": SPARQLWRAPPER_JSON}, None, True),
    ("gzip", "GET", get(LABELS), {"Accept": "text/csv", "Accept-Encoding": "gzip"}, None, True),
    ("gzip-refused", "GET", get(LABELS), {"Accept": "text/csv", "Accept-Encoding": "gzip;q=0"},
     None, True),
    ("capped", "GET", get(LABELS), SRJ, None, True),
    ("ask", "GET", get("ASK { ?s ?p ?o }"), {}, None, True),
    ("chinese", "GET", get(ZH), {"Accept": "text/tab-separated-values"}, None, True),
    ("relative-iri", "GET", get(RELATIVE), {}, None, True),
    ("construct", "GET", get(CONSTRUCT), {"Accept": "text/turtle"}, None, True),
    ("describe-jsonld", "GET", get(DESCRIBE), {"Accept": "application/ld+json"}, None, True),
    ("local-graph", "GET", get(PAIRINGS, default_graph_uri="https://w3id.org/ewkg/graph/x"), {},
     None, True),
    ("from-this-host", "GET", get("SELECT * FROM <http://localhost/g> WHERE { ?s ?p ?o }"), {},
     None, True),
    ("from-other-host", "GET", get("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }"),
     {}, None, True),
    ("post-form", "POST", "/sparql", {"Content-Type": FORM, "Accept": "text/csv"},
     f"query={quote(PAIRINGS)}".encode(), True),
    ("post-direct", "POST", "/sparql",
     {"Content-Type": "application/sparql-query; charset=utf-8"}, ZH.encode(), True),
    ("post-gzip", "POST", "/sparql",
     {"Content-Type": FORM, "Accept": "text/csv", "Accept-Encoding": "gzip, br"},
     f"query={quote(LABELS)}".encode(), True),
    # refused by the checks or the negotiation: the lane writes the same error answer
    ("syntax-error", "GET", get("SELECT ?s WHERE { ?s ?p }"), {}, None, True),
    ("syntax-error-json", "GET", get("SELECT ?s WHERE { ?s ?p }"), SRJ, None, True),
    ("select-as-turtle", "GET", get(PAIRINGS), {"Accept": "text/turtle"}, None, True),
    ("service", "GET", get("SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"), {},
     None, True),
    ("remote-graph", "GET", get(PAIRINGS, default_graph_uri="http://example.org/g"), {}, None,
     True),
    ("two-queries", "GET", get(PAIRINGS) + "&query=ASK%7B%7D", {}, None, True),
    ("empty", "GET", "/sparql?query=%20", {}, None, True),
    ("post-update", "POST", "/sparql", {"Content-Type": FORM}, b"update=CLEAR%20ALL", True),
    ("post-415", "POST", "/sparql", {"Content-Type": "text/plain"}, b"ASK {}", True),
    ("post-not-utf8", "POST", "/sparql", {"Content-Type": FORM}, b"query=%FF", True),
    ("post-no-type", "POST", "/sparql", {}, b"query=ASK%7B%7D", True),
    # validators, HEAD, the service description, a preflight, a cookie: the same function
    ("conditional", "GET", get(PAIRINGS), {"If-None-Match": '"x"'}, None, True),
    ("head", "HEAD", get(PAIRINGS), {}, None, True),
    ("no-query", "GET", "/sparql", {"Accept": "text/turtle"}, None, True),
    ("options", "OPTIONS", "/sparql", {"Origin": "https://example.org"}, None, True),
    ("cookie", "GET", get(PAIRINGS), {"Cookie": "ewkg_lang=zh"}, None, True),
    # what needs Flask: HTML pages, a language choice, another method
    ("browser", "GET", get(PAIRINGS), {"Accept": "text/html,*/*;q=0.8"}, None, False),
    ("browser-error", "POST", "/sparql", {"Content-Type": FORM, "Accept": "text/html"},
     b"query=ASK", False),
    ("lang", "GET", get(PAIRINGS, lang="zh"), {}, None, False),
    ("put", "PUT", "/sparql", {}, b"ASK {}", False),
]


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    flask_app = create_app(Config(testing=True, result_cache=False, max_results=40))
    yield flask_app
    flask_app.extensions["ewkg.query.executor"].close()


def answer(wsgi: Any, method: str, url: str, headers: dict[str, str], body: bytes | None) -> Any:
    response = Client(wsgi).open(url, method=method, headers=headers, data=body, buffered=True)
    seen = [(k, "(date)" if k == "Date" else v) for k, v in response.headers.items()]
    return response.status, seen, response.get_data()


@pytest.mark.parametrize(
    ("method", "url", "headers", "body", "in_lane"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_same_answer_as_flask(
    app: Flask, method: str, url: str, headers: dict[str, str], body: bytes | None, in_lane: bool
) -> None:
    lane = QueryLane(app)
    expected = answer(flask_wsgi(app), method, url, headers, body)  # Flask alone
    got = answer(lane, method, url, headers, body)
    assert got == expected
    assert (lane.answered, lane.passed) == ((1, 0) if in_lane else (0, 1))


def test_the_lane_really_answers(app: Flask) -> None:
    """Not a replay of Flask: the answer is right, gzip is real, the cap is reported."""
    lane = QueryLane(app)
    status, headers, body = answer(
        lane, "GET", get(LABELS), {"Accept": "text/csv", "Accept-Encoding": "gzip"}, None
    )
    assert status == "200 OK"
    seen = dict(headers)
    assert seen["Content-Encoding"] == "gzip"
    assert seen["X-Ewkg-Result-Capped"] == "true" and seen["X-Ewkg-Result-Count"] == "40"
    rows = gzip.decompress(body).decode().splitlines()
    assert rows[0] == "s,l" and len(rows) == 41
    status, headers, body = answer(lane, "GET", get(ZH), {"Accept": "text/csv"}, None)
    assert body.decode().splitlines() == ["s", "https://w3id.org/ewkg/id/region/fujian"]
    status, headers, body = answer(lane, "GET", get(RELATIVE), {"Accept": "text/csv"}, None)
    assert "福建省" in body.decode()  # resolved against the endpoint's public IRI
    assert lane.answered == 3 and lane.passed == 0


@pytest.mark.parametrize(
    ("method", "accept", "in_lane"),
    [
        ("GET", "application/sparql-results+json", True),
        ("POST", "text/html, application/sparql-results+json;q=0.5", False),
    ],
)
def test_a_failed_query_runs_once(app: Flask, method: str, accept: str, in_lane: bool) -> None:
    """A failed query runs once, whichever front writes its error (the lane, or Flask for an
    HTML error page: the lane passes such a request on before running anything)."""
    executor = app.extensions["ewkg.query.executor"]
    calls: list[str] = []
    real = executor.execute

    def counting(request: Any) -> Any:
        calls.append(request.query)
        return real(request)

    executor.execute = counting
    lane = QueryLane(app)
    bad = "SELECT ?s WHERE { ?s ?p }"
    url, body = (get(bad), None) if method == "GET" else ("/sparql", f"query={quote(bad)}".encode())
    headers = {"Accept": accept, "Content-Type": FORM}
    try:
        status, _, answered = answer(lane, method, url, headers, body)
    finally:
        del executor.execute
    assert status.startswith("400")
    assert b"syntax" in answered.lower()
    assert answered.startswith(b"<!doctype html>") == (not in_lane)
    assert len(calls) == 1
    assert (lane.answered, lane.passed) == ((1, 0) if in_lane else (0, 1))


def test_timeout_is_a_503_from_the_lane() -> None:
    flask_app = create_app(Config(testing=True, result_cache=False, query_timeout=0.5))
    try:
        lane = QueryLane(flask_app)
        cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        status, headers, body = answer(lane, "GET", get(cross), {}, None)
        assert status.startswith("503")
        assert b"timeout" in body.lower()
        assert dict(headers)["Cache-Control"] == "no-store"
        assert lane.answered == 1
        status, _, _ = answer(lane, "GET", get("ASK {}"), {}, None)
        assert status == "200 OK" and (lane.answered, lane.passed) == (2, 0)
    finally:
        flask_app.extensions["ewkg.query.executor"].close()


def test_result_cache_hits_through_the_lane() -> None:
    flask_app = create_app(Config(testing=True, result_cache=True))
    try:
        lane = QueryLane(flask_app)
        first = dict(answer(lane, "GET", get(PAIRINGS), {}, None)[1])
        second = dict(answer(lane, "GET", get(PAIRINGS), {}, None)[1])
        assert (first["X-Ewkg-Cache"], second["X-Ewkg-Cache"]) == ("miss", "hit")
        assert first["ETag"] == second["ETag"]
    finally:
        flask_app.extensions["ewkg.query.executor"].close()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"If-None-Match": "*"}, "304 NOT MODIFIED"),
        ({"If-Match": '"not-this-one"'}, "412 PRECONDITION FAILED"),
        ({"If-Modified-Since": "Thu, 01 Jan 2099 00:00:00 GMT"}, "304 NOT MODIFIED"),
        ({"If-Modified-Since": "Thu, 01 Jan 1998 00:00:00 GMT"}, "200 OK"),
    ],
)
def test_conditional_requests_are_answered_alike(
    app: Flask, headers: dict[str, str], status: str
) -> None:
    """Validators are the answer function's: the lane and Flask alone give the same status."""
    lane = QueryLane(app)
    got = answer(lane, "GET", get(PAIRINGS), headers, None)
    assert got == answer(flask_wsgi(app), "GET", get(PAIRINGS), headers, None)
    assert got[0] == status and (lane.answered, lane.passed) == (1, 0)
