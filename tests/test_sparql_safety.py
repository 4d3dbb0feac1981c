"""Safe by default: what the endpoint refuses before execution, and the limits it keeps.

Outbound requests are checked with a real canary HTTP server on 127.0.0.1: Python audit hooks do
not see sockets opened by pyoxigraph's Rust HTTP client, so the canary must receive nothing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph

from ewkg.config import Config
from ewkg.query.safety import MAX_DEPTH, MAX_OPERATORS, UnsafeQueryError, check, scan
from ewkg.web.app import create_app


class Canary:
    """An HTTP server that records every request it receives (and answers with SPARQL JSON)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        canary = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                canary.requests.append(f"{self.command} {self.path}")
                body = b'{"head":{"vars":["x"]},"results":{"bindings":[]}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer  # noqa: N815 - http.server's naming

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    c = Canary()
    yield c
    c.close()


def url(query: str, **params: str) -> str:
    extra = "".join(f"&{k.replace('_', '-')}={quote(v)}" for k, v in params.items())
    return f"/sparql?query={quote(query)}{extra}"


def text(response) -> str:
    return response.get_data(as_text=True)


def ask_still_answers(client: FlaskClient) -> None:
    r = client.get(url("ASK {}"))
    assert r.status_code == 200 and json.loads(r.data)["boolean"] is True


# ------------------------------------------------------------------ the scanner


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT"),
        ("select * { ?s ?p ?o }", "SELECT"),
        ("PREFIX insert: <urn:x#>\nBASE <http://example.org/>\nASK { insert:a ?p ?o }", "ASK"),
        ("# DELETE everything\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("DESCRIBE <urn:delete>", "DESCRIBE"),
        ("  INSERT DATA { <a> <b> 'SELECT' }", "UPDATE"),
        ("PREFIX : <urn:>\nDELETE WHERE { ?s :select ?o }", "UPDATE"),
        ("", None),
    ],
)
def test_scan_finds_the_query_form(query: str, form: str | None) -> None:
    assert scan(query).form == form


def test_check_reads_codepoint_escapes_both_ways() -> None:
    assert scan("\\u0053ELECT * {}").form is None  # Oxigraph's reading: not a keyword
    assert check("\\u0053ELECT * {}").form == "SELECT"  # the grammar's reading
    with pytest.raises(UnsafeQueryError, match="SERVICE"):
        check("SELECT * { \\u0053ERVICE <http://127.0.0.1:9/> {} }")


def test_scan_skips_strings_iris_and_comments() -> None:
    q = """PREFIX ex: <http://example.org/SERVICE/>
    SELECT ?service WHERE {
      ?service ex:p "SERVICE <http://x/> {", 'LOAD', '''DROP
      ALL''', \"\"\"{{{{\"\"\" .  # SERVICE { {
      FILTER(?service < 3 && ex:SERVICE > 2)
      ?x ex:p "x"@load
    }"""
    info = scan(q)
    assert info.form == "SELECT" and not info.services and "LOAD" not in info.keywords
    assert info.depth == 2
    check(q)


def test_scan_resolves_from_graphs() -> None:
    info = scan(
        "BASE <http://base.example/dir/>\nPREFIX g: <http://g.example/>\n"
        "SELECT * FROM g:one FROM NAMED <two> FROM NAMED <http://abs.example/3> { ?s ?p ?o }"
    )
    assert info.from_graphs == ("http://g.example/one",)
    assert info.from_named_graphs == ("http://base.example/dir/two", "http://abs.example/3")


def test_check_raises_with_a_position() -> None:
    with pytest.raises(UnsafeQueryError) as caught:
        check("SELECT * {\n  SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }\n}")
    assert caught.value.position == (2, 3) and "line 2, column 3" in caught.value.message


# ------------------------------------------------------------------ nesting bound


@pytest.mark.parametrize("bracket", ["{", "("])
def test_deep_nesting_is_400_before_the_parser(client: FlaskClient, bracket: str) -> None:
    closing = {"{": "}", "(": ")"}[bracket]
    if bracket == "{":
        q = "SELECT * WHERE " + "{" * 1000 + "?s ?p ?o" + "}" * 1000
    else:
        q = "SELECT * WHERE { FILTER(" + "(" * 1000 + "1" + ")" * 1000 + ") }"
    assert len(q) < 5000
    r = client.post("/sparql", data={"query": q})
    assert r.status_code == 400
    assert f"more than {MAX_DEPTH} deep" in text(r) and closing not in text(r)[:20]
    ask_still_answers(client)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o " + "MINUS { ?s ?p ?o } " * 3_000 + "}",
        "SELECT * WHERE { ?s ?p ?o " + " ".join(f"BIND(1 AS ?v{i})" for i in range(3_000)) + "}",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o = " + " + ".join(["1"] * 10_000) + ") }",
    ],
    ids=["minus-chain", "bind-chain", "sum-chain"],
)
def test_long_operator_chains_are_400_before_the_parser(client: FlaskClient, query: str) -> None:
    """Flat chains overflow Oxigraph's stack too: each of these (under 60 KB) makes a bare
    pyoxigraph process die of a segmentation fault."""
    r = client.post("/sparql", data={"query": query})
    assert r.status_code == 400
    assert f"more than {MAX_OPERATORS} operators" in text(r) and "line 1" in text(r)
    ask_still_answers(client)


def test_operators_within_the_bound_run(client: FlaskClient) -> None:
    q = "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o } " * 100 + "} LIMIT 1"
    assert client.post("/sparql", data={"query": q}).status_code == 200


def test_nesting_within_the_bound_runs(client: FlaskClient) -> None:
    depth = 20
    q = "SELECT * WHERE " + "{" * depth + "?s ?p ?o" + "}" * depth + " LIMIT 1"
    assert client.post("/sparql", data={"query": q}).status_code == 200


# ------------------------------------------------------------------ no outbound request


def service_queries(target: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{target}sparql> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{target}sparql> {{ ?s ?p ?o }} }}",
        f"PREFIX c: <{target}>\nSELECT * WHERE {{ SERVICE c:sparql {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ <{target}sparql> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{target}sparql> {{ ?s ?p ?o }} }}",
        f"ASK {{ {{ SERVICE <{target}x> {{ }} }} UNION {{ }} }}",
    ]


def test_the_canary_hears_the_engine() -> None:
    """Without the protocol layer's check, pyoxigraph would call a SERVICE: the canary hears it.

    This is what makes the canary tests below meaningful.
    """
    import pyoxigraph

    own = Canary()
    try:
        q = f"SELECT * WHERE {{ SERVICE <{own.url}sparql> {{ ?s ?p ?o }} }}"
        list(pyoxigraph.Store().query(q))
        assert own.requests == ["POST /sparql"]
    finally:
        own.close()


def test_service_is_refused_and_the_canary_hears_nothing(
    client: FlaskClient, canary: Canary
) -> None:
    for q in service_queries(canary.url):
        r = client.post("/sparql", data={"query": q})
        assert r.status_code == 400, q
        assert "SERVICE is refused" in text(r)
    assert canary.requests == []


ESCAPED_SERVICE = [
    # Oxigraph reads \u0027 / \u0022 as an escape inside the string; a scan that unescapes first
    # sees a quote that closes it. Either way the SERVICE after it must be seen.
    "SELECT * WHERE { ?s ?p '''a\\u0027''' . SERVICE <TARGET> { ?a ?b 'c' } }",
    'SELECT * WHERE { ?s ?p "a\\u0022" . SERVICE <TARGET> { ?a ?b "c" } }',
    "SELECT * WHERE { ?s ?p 'a\\u0027' . SERVICE <TARGET> { ?a ?b 'c' } }",
]


def test_escapes_cannot_hide_a_service_from_the_check(
    client: FlaskClient, canary: Canary
) -> None:
    for q in ESCAPED_SERVICE:
        q = q.replace("TARGET", canary.url + "sparql")
        r = client.post("/sparql", data={"query": q})
        assert r.status_code == 400, q
        assert "SERVICE is refused" in text(r)
    assert canary.requests == []


def test_from_remote_is_refused(client: FlaskClient, canary: Canary) -> None:
    for q in (
        f"SELECT * FROM <{canary.url}data.ttl> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{canary.url}data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"PREFIX c: <{canary.url}>\nASK FROM c:data.ttl {{ ?s ?p ?o }}",
        f"BASE <{canary.url}>\nASK FROM <data.ttl> {{ ?s ?p ?o }}",
        f"CONSTRUCT {{ ?s ?p ?o }} FROM <{canary.url}g> WHERE {{ ?s ?p ?o }}",
    ):
        r = client.get(url(q))
        assert r.status_code == 400, q
        assert "only this dataset" in text(r)
    assert canary.requests == []


def test_dataset_parameters_naming_a_remote_graph_are_refused(
    client: FlaskClient, canary: Canary
) -> None:
    for param in ("default_graph_uri", "named_graph_uri"):
        r = client.get(url("ASK { ?s ?p ?o }", **{param: canary.url + "data.ttl"}))
        assert r.status_code == 400
        assert param.replace("_", "-") in text(r)
    assert canary.requests == []


def test_load_is_refused(client: FlaskClient, canary: Canary) -> None:
    r = client.post("/sparql", data={"query": f"LOAD <{canary.url}data.ttl>"})
    assert r.status_code == 403
    r = client.post(
        "/sparql", data=f"LOAD <{canary.url}x>", content_type="application/sparql-update"
    )
    assert r.status_code == 403
    assert canary.requests == []


def test_engine_does_not_fetch_graph_iris(client: FlaskClient, canary: Canary) -> None:
    """A GRAPH pattern naming a remote IRI only matches local graphs: nothing is fetched."""
    r = client.get(url(f"ASK {{ GRAPH <{canary.url}g> {{ ?s ?p ?o }} }}"))
    assert r.status_code == 200 and json.loads(r.data)["boolean"] is False
    assert canary.requests == []


def test_local_graphs_are_allowed(client: FlaskClient) -> None:
    q = "ASK FROM <https://w3id.org/ewkg/graph/none> { ?s ?p ?o }"
    assert client.get(url(q)).status_code == 200
    q = "ASK FROM <http://localhost/graph/x> { ?s ?p ?o }"
    assert client.get(url(q)).status_code == 200


# ------------------------------------------------------------------ size limits


@pytest.fixture(scope="module")
def small_app() -> Iterator[Flask]:
    app = create_app(
        Config(testing=True, max_results=5, max_query_bytes=2_000, max_request_bytes=10_000)
    )
    yield app
    app.extensions["ewkg.query.executor"].close()


def test_request_too_large_is_413(small_app: Flask) -> None:
    client = small_app.test_client()
    body = "ASK {} #" + "x" * 20_000
    r = client.post("/sparql", data=body, content_type="application/sparql-query")
    assert r.status_code == 413
    assert "10000 bytes" in text(r)
    r = client.post("/sparql", data={"query": body})
    assert r.status_code == 413


def test_query_too_long_is_413(small_app: Flask) -> None:
    client = small_app.test_client()
    r = client.get(url("ASK {} #" + "x" * 3_000))
    assert r.status_code == 413 and "at most 2000" in text(r)


def test_capped_select_is_flagged(small_app: Flask) -> None:
    client = small_app.test_client()
    r = client.get(url("SELECT ?s ?p ?o WHERE { ?s ?p ?o }"))
    assert r.status_code == 200
    assert r.headers["X-Ewkg-Result-Capped"] == "true"
    assert r.headers["X-Ewkg-Result-Count"] == "5"
    body = json.loads(r.data)
    assert len(body["results"]["bindings"]) == 5
    assert body["ewkg"]["capped"] is True and "capped" in body["ewkg"]["message"]


def test_capped_select_csv_is_flagged_by_header(small_app: Flask) -> None:
    r = small_app.test_client().get(url("SELECT * WHERE { ?s ?p ?o }", format="csv"))
    assert r.headers["X-Ewkg-Result-Capped"] == "true"
    assert len(text(r).strip().splitlines()) == 6


def test_capped_construct_says_so_in_turtle(small_app: Flask) -> None:
    r = small_app.test_client().get(url("CONSTRUCT WHERE { ?s ?p ?o }"))
    assert r.headers["X-Ewkg-Result-Capped"] == "true"
    assert text(r).startswith("# ewkg: result capped at 5")
    assert len(Graph().parse(data=r.data, format="turtle")) == 5


def test_capped_select_xml_still_parses(small_app: Flask) -> None:
    import xml.etree.ElementTree as ET

    r = small_app.test_client().get(url("SELECT * WHERE { ?s ?p ?o }", format="xml"))
    assert "result capped" in text(r)
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert len(list(ET.fromstring(r.data).iter(f"{ns}result"))) == 5


def test_uncapped_result_is_not_flagged(small_app: Flask) -> None:
    r = small_app.test_client().get(url("SELECT * WHERE { ?s ?p ?o } LIMIT 3"))
    assert r.headers["X-Ewkg-Result-Capped"] == "false"
    assert "ewkg" not in json.loads(r.data)


# ------------------------------------------------------------------ time limit


@pytest.fixture(scope="module")
def slow_app() -> Iterator[Flask]:
    app = create_app(Config(testing=True, query_timeout=1, result_cache=False))
    yield app
    app.extensions["ewkg.query.executor"].close()


def test_cross_join_is_stopped_and_the_server_answers_next(slow_app: Flask) -> None:
    client = slow_app.test_client()
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    r = client.get(url(q))
    assert r.status_code == 503
    assert "query timeout" in text(r) and "1 s" in text(r)
    ask_still_answers(client)
