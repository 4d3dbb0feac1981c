"""``ewkg serve`` as a real process: real clients (SPARQLWrapper, rdflib's SPARQLStore, raw HTTP),
the W3C SPARQL 1.1 Protocol query test cases, and the command's start / stop / error behaviour.

The W3C cases (``query_*`` and ``bad_*`` of the protocol test suite) use the suite's named graphs
``data0``..``data3``, renamed under this dataset's IRI base (tests/fixtures/protocol/graphs.trig):
the endpoint refuses graphs that are not its own.
"""

from __future__ import annotations

import csv
import gzip
import http.client
import io
import json
import signal
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, POST, RDFXML, TURTLE, XML, SPARQLWrapper

from _live import LiveServer
from ewkg.resources import dataset_files

GRAPHS = Path(__file__).parent / "fixtures" / "protocol" / "graphs.trig"
TEST = "https://w3id.org/ewkg/test/"
D1, D2, D3 = TEST + "data1", TEST + "data2", TEST + "data3"
SRX_NS = "{http://www.w3.org/2005/sparql-results#}"
RESULT_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
GRAPH_TYPES = {"text/turtle", "application/n-triples", "application/rdf+xml",
               "application/ld+json", "application/trig"}
EWKG = [sys.executable, "-m", "ewkg"]


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    args: list[str] = ["--workers", "1", "--threads", "4"]
    for path in (*dataset_files(), GRAPHS):
        args += ["--data", str(path)]
    server = LiveServer(args)
    yield server
    server.stop()


class Raw:
    """One raw HTTP exchange with the live server."""

    def __init__(self, live: LiveServer) -> None:
        self.live = live

    def __call__(
        self, method: str, path: str, body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.live.port, timeout=30)
        try:
            if isinstance(body, str):
                body = body.encode("utf-8")
            # skip_accept_encoding: only what the test says is sent
            conn.putrequest(method, path, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            response = conn.getresponse()
            headers_ = {k.lower(): v for k, v in response.getheaders()}
            return response.status, headers_, response.read()
        finally:
            conn.close()


@pytest.fixture()
def raw(live: LiveServer) -> Raw:
    return Raw(live)


def boolean(body: bytes, content_type: str) -> bool:
    if "json" in content_type:
        return json.loads(body)["boolean"]
    return ET.fromstring(body).find(f"{SRX_NS}boolean").text == "true"


# ------------------------------------------------------------------ real clients


def test_sparqlwrapper_select_json(live: LiveServer) -> None:
    sparql = SPARQLWrapper(live.endpoint)
    sparql.setQuery(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?label WHERE { <https://w3id.org/ewkg/id/region/fujian> skos:prefLabel ?label }"
    )
    sparql.setReturnFormat(JSON)
    result = sparql.queryAndConvert()
    labels = {(b["label"]["xml:lang"], b["label"]["value"]) for b in result["results"]["bindings"]}
    assert ("zh", "福建省") in labels and any(lang == "fr" for lang, _ in labels)


def test_sparqlwrapper_select_xml_by_post(live: LiveServer) -> None:
    sparql = SPARQLWrapper(live.endpoint)
    sparql.setMethod(POST)
    sparql.setQuery("SELECT ?s WHERE { ?s a ?c } LIMIT 3")
    sparql.setReturnFormat(XML)
    document = sparql.queryAndConvert()
    assert len(document.getElementsByTagName("result")) == 3


def test_sparqlwrapper_select_csv(live: LiveServer) -> None:
    sparql = SPARQLWrapper(live.endpoint)
    sparql.setQuery("SELECT ?s WHERE { ?s a ?c } LIMIT 3")
    sparql.setReturnFormat(CSV)
    rows = list(csv.reader(io.StringIO(sparql.queryAndConvert().decode("utf-8"))))
    assert rows[0] == ["s"] and len(rows) == 4


def test_sparqlwrapper_ask(live: LiveServer) -> None:
    sparql = SPARQLWrapper(live.endpoint)
    sparql.setQuery("ASK { <https://w3id.org/ewkg/id/region/fujian> ?p ?o }")
    sparql.setReturnFormat(JSON)
    assert sparql.queryAndConvert()["boolean"] is True


@pytest.mark.parametrize("fmt", [TURTLE, RDFXML, JSONLD])
# SPARQLWrapper parses RDF/XML into an rdflib ConjunctiveGraph, which rdflib 7 deprecates
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_sparqlwrapper_construct(live: LiveServer, fmt: str) -> None:
    sparql = SPARQLWrapper(live.endpoint)
    sparql.setQuery(
        "CONSTRUCT { <https://w3id.org/ewkg/id/region/fujian> ?p ?o } "
        "WHERE { <https://w3id.org/ewkg/id/region/fujian> ?p ?o }"
    )
    sparql.setReturnFormat(fmt)
    result = sparql.queryAndConvert()
    graph = result if isinstance(result, Graph) else Graph().parse(
        data=result, format={TURTLE: "turtle", JSONLD: "json-ld"}[fmt]
    )
    assert len(graph) > 3
    assert set(graph.subjects()) == {URIRef("https://w3id.org/ewkg/id/region/fujian")}


def test_sparqlwrapper_syntax_error(live: LiveServer) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    sparql = SPARQLWrapper(live.endpoint)
    sparql.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed) as caught:
        sparql.queryAndConvert()
    assert "1:" in str(caught.value)


def test_rdflib_sparqlstore(live: LiveServer) -> None:
    graph = Graph(store=SPARQLStore(query_endpoint=live.endpoint))
    rows = list(
        graph.query(
            "SELECT ?region WHERE { <https://w3id.org/ewkg/id/region/fujian> "
            "<https://w3id.org/ewkg/ontology#assists> ?region }"
        )
    )
    assert [str(r[0]) for r in rows] == ["https://w3id.org/ewkg/id/region/ningxia"]
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True
    constructed = graph.query(
        "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 4"
    ).graph
    assert len(constructed) == 4
    assert (URIRef("https://w3id.org/ewkg/id/region/fujian"), None, None) in graph


def test_keep_alive_serves_several_requests_on_one_connection(live: LiveServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
    try:
        for _ in range(3):
            conn.request("GET", "/sparql?query=" + quote("ASK {}"))
            response = conn.getresponse()
            assert response.status == 200 and json.loads(response.read())["boolean"] is True
            assert response.getheader("Connection", "keep-alive").lower() != "close"
    finally:
        conn.close()


def test_gzip_when_asked(raw: Raw) -> None:
    query = quote("SELECT * WHERE { ?s ?p ?o } LIMIT 200")
    status, headers, body = raw(
        "GET", f"/sparql?query={query}", headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200 and headers.get("content-encoding") == "gzip"
    assert "Accept-Encoding" in headers["vary"]
    assert len(json.loads(gzip.decompress(body))["results"]["bindings"]) == 200
    status, headers, plain = raw("GET", f"/sparql?query={query}")
    assert "content-encoding" not in headers
    assert json.loads(plain) == json.loads(gzip.decompress(body))


def test_cors_preflight_live(raw: Raw) -> None:
    status, headers, _ = raw(
        "OPTIONS", "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert status == 204 and headers["access-control-allow-origin"] == "*"


# ------------------------------------------------------------------ W3C SPARQL 1.1 Protocol: query


def test_query_get(raw: Raw) -> None:
    status, headers, body = raw("GET", "/sparql?query=ASK%20%7B%7D")
    assert status == 200 and boolean(body, headers["content-type"]) is True


def test_query_post_form(raw: Raw) -> None:
    status, headers, body = raw(
        "POST", "/sparql", "query=ASK%20%7B%7D",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200 and boolean(body, headers["content-type"]) is True


def test_query_post_direct(raw: Raw) -> None:
    status, headers, body = raw(
        "POST", "/sparql", "ASK {}", {"Content-Type": "application/sparql-query"}
    )
    assert status == 200 and boolean(body, headers["content-type"]) is True


def test_query_dataset_default_graphs_get(raw: Raw) -> None:
    q = f"ASK {{ <{D1}> ?p ?o . <{D2}> ?p ?o }}"
    path = "/sparql?" + urlencode(
        [("query", q), ("default-graph-uri", D1), ("default-graph-uri", D2)]
    )
    status, headers, body = raw("GET", path, headers={"Accept": "application/sparql-results+xml"})
    assert status == 200 and boolean(body, headers["content-type"]) is True


def test_query_dataset_default_graphs_post(raw: Raw) -> None:
    q = f"ASK {{ <{D1}> ?p ?o . <{D2}> ?p ?o }}"
    form = urlencode([("query", q), ("default-graph-uri", D1), ("default-graph-uri", D2)])
    status, headers, body = raw(
        "POST", "/sparql", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 200 and boolean(body, headers["content-type"]) is True


def _graphs(body: bytes) -> set[str]:
    return {b["g"]["value"] for b in json.loads(body)["results"]["bindings"]}


def test_query_dataset_named_graphs_post(raw: Raw) -> None:
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    form = urlencode([("query", q), ("named-graph-uri", D1), ("named-graph-uri", D2)])
    status, _, body = raw(
        "POST", "/sparql", form, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 200 and _graphs(body) == {D1, D2}


def test_query_dataset_named_graphs_get(raw: Raw) -> None:
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    path = "/sparql?" + urlencode([("query", q), ("named-graph-uri", D1), ("named-graph-uri", D2)])
    status, _, body = raw("GET", path)
    assert status == 200 and _graphs(body) == {D1, D2}


def test_query_dataset_full(raw: Raw) -> None:
    q = "SELECT ?g ?x ?s WHERE { ?x ?y ?o GRAPH ?g { ?s ?p ?o } }"
    path = "/sparql?" + urlencode(
        [("default-graph-uri", D3), ("named-graph-uri", D1), ("named-graph-uri", D2)]
    )
    status, _, body = raw("POST", path, q, {"Content-Type": "application/sparql-query"})
    assert status == 200
    rows = json.loads(body)["results"]["bindings"]
    assert {r["g"]["value"] for r in rows} == {D1, D2}
    assert {r["x"]["value"] for r in rows} == {D3}
    assert {(r["g"]["value"], r["s"]["value"]) for r in rows} == {(D1, D1), (D2, D2)}


def test_query_multiple_dataset(raw: Raw) -> None:
    """The protocol's dataset wins over the query's FROM."""
    q = f"ASK FROM <{D1}> {{ <{D1}> ?p ?o }}"
    status, headers, body = raw(
        "POST", "/sparql?" + urlencode({"default-graph-uri": D2}), q,
        {"Content-Type": "application/sparql-query"},
    )
    assert status == 200 and boolean(body, headers["content-type"]) is False
    status, headers, body = raw("POST", "/sparql", q, {"Content-Type": "application/sparql-query"})
    assert status == 200 and boolean(body, headers["content-type"]) is True


def test_query_content_type_select(raw: Raw) -> None:
    status, headers, body = raw(
        "POST", "/sparql", "SELECT (1 AS ?value) {}", {"Content-Type": "application/sparql-query"}
    )
    assert status == 200
    assert headers["content-type"].split(";")[0] in RESULT_TYPES
    assert json.loads(body)["results"]["bindings"][0]["value"]["value"] == "1"


def test_query_content_type_ask(raw: Raw) -> None:
    status, headers, _ = raw(
        "POST", "/sparql", "ASK {}", {"Content-Type": "application/sparql-query"}
    )
    assert status == 200
    assert headers["content-type"].split(";")[0] in {
        "application/sparql-results+json", "application/sparql-results+xml"
    }


def test_query_content_type_describe(raw: Raw) -> None:
    status, headers, body = raw(
        "POST", "/sparql", "DESCRIBE <http://example.org/>",
        {"Content-Type": "application/sparql-query"},
    )
    assert status == 200 and headers["content-type"].split(";")[0] in GRAPH_TYPES
    Graph().parse(data=body, format="turtle")


def test_query_content_type_construct(raw: Raw) -> None:
    status, headers, body = raw(
        "POST", "/sparql", "CONSTRUCT { <s> <p> 1 } WHERE {}",
        {"Content-Type": "application/sparql-query"},
    )
    assert status == 200 and headers["content-type"].split(";")[0] in GRAPH_TYPES
    assert len(Graph().parse(data=body, format="turtle")) == 1


def test_bad_query_method(raw: Raw) -> None:
    status, headers, _ = raw("PUT", "/sparql?query=ASK%20%7B%7D", b"")
    assert status == 405 and "POST" in headers["allow"]


def test_bad_multiple_queries(raw: Raw) -> None:
    status, _, _ = raw("GET", "/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D")
    assert status == 400


def test_bad_query_wrong_media_type(raw: Raw) -> None:
    status, _, _ = raw("POST", "/sparql", "ASK {}", {"Content-Type": "text/plain"})
    assert status == 415


def test_bad_query_missing_form_type(raw: Raw) -> None:
    status, _, body = raw("POST", "/sparql", "query=ASK%20%7B%7D")
    assert status == 415 and b"Content-Type" in body


def test_bad_query_missing_direct_type(raw: Raw) -> None:
    status, _, _ = raw("POST", "/sparql", "ASK {}")
    assert status == 415


def test_bad_query_non_utf8(raw: Raw) -> None:
    status, _, body = raw(
        "POST", "/sparql", "ASK {}".encode("utf-16"),
        {"Content-Type": "application/sparql-query; charset=UTF-16"},
    )
    assert status == 400 and b"UTF-8" in body


def test_bad_query_syntax(raw: Raw) -> None:
    status, _, body = raw("GET", "/sparql?query=ASK%20%7B")
    assert status == 400 and b"1:" in body


def test_bad_update_get(raw: Raw) -> None:
    status, _, _ = raw("GET", "/sparql?update=CLEAR%20ALL")
    assert status == 403


def test_bad_update_direct(raw: Raw) -> None:
    status, _, _ = raw(
        "POST", "/sparql", "CLEAR ALL", {"Content-Type": "application/sparql-update"}
    )
    assert status == 403
    status, headers, body = raw("GET", "/sparql?query=ASK%20%7B%3Fs%20%3Fp%20%3Fo%7D")
    assert boolean(body, headers["content-type"]) is True


def test_service_description_live(raw: Raw, live: LiveServer) -> None:
    status, headers, body = raw("GET", "/sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=body, format="turtle")
    assert URIRef(live.endpoint) in set(g.objects())


# ------------------------------------------------------------------ the command itself


def test_sigterm_stops_with_exit_0() -> None:
    server = LiveServer(["--workers", "1", "--data", str(GRAPHS)])
    assert server.stop(signal.SIGTERM) == 0


def test_ctrl_c_stops_with_exit_0() -> None:
    server = LiveServer(["--workers", "1", "--data", str(GRAPHS)])
    assert server.stop(signal.SIGINT) == 0


def run_ewkg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EWKG, *args], capture_output=True, text=True, timeout=60)


def test_port_in_use_exits_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run_ewkg("serve", "--port", str(port), "--data", str(GRAPHS))
    assert result.returncode == 2
    assert f"port {port}" in result.stderr and "already in use" in result.stderr


def test_missing_data_file_exits_2(tmp_path: Path) -> None:
    result = run_ewkg("serve", "--port", "0", "--data", str(tmp_path / "missing.ttl"))
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_broken_turtle_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e ;; ex:f .\n", "utf-8"
    )
    result = run_ewkg("serve", "--port", "0", "--data", str(broken))
    assert result.returncode == 2
    assert "cannot load the data" in result.stderr and "broken.ttl" in result.stderr
    assert "line 3" in result.stderr and "Usage:" not in result.stderr


def test_console_script_serve_help() -> None:
    script = Path(sys.executable).parent / "ewkg"
    result = subprocess.run([str(script), "serve", "--help"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and "--workers" in result.stdout and "--data" in result.stdout


def test_sigterm_drains_a_running_query() -> None:
    """A query running when SIGTERM arrives still gets its answer; then the server exits 0."""
    import threading
    import time

    server = LiveServer(["--workers", "1", "--query-timeout", "2", "--data", str(GRAPHS)])
    answer: dict[str, object] = {}

    def slow_request() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        # 8 triples to the power 10: far longer than the 2 s limit
        patterns = " . ".join(f"?s{i} ?p{i} ?o{i}" for i in range(10))
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ {patterns} }}"
        try:
            conn.request("GET", "/sparql?query=" + quote(q))
            response = conn.getresponse()
            answer["status"], answer["body"] = response.status, response.read()
        finally:
            conn.close()

    client = threading.Thread(target=slow_request)
    client.start()
    time.sleep(1.0)  # let the worker pick the request up (the query needs 2 s to time out)
    assert server.stop(signal.SIGTERM) == 0
    client.join(timeout=60)
    assert answer.get("status") == 503, answer
    assert b"query timeout" in answer["body"]


def test_wsgi_make_app_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from ewkg.web.wsgi import make_app

    monkeypatch.setenv("EWKG_DATA", str(GRAPHS))
    monkeypatch.setenv("EWKG_QUERY_TIMEOUT", "3")
    app = make_app()
    try:
        assert app.config["EWKG"].query_timeout == 3
        assert len(app.extensions["ewkg.store.embedded"]) == 8
        r = app.test_client().get("/sparql?query=" + quote("ASK { GRAPH ?g { ?s ?p ?o } }"))
        assert json.loads(r.data)["boolean"] is True
    finally:
        app.extensions["ewkg.query.executor"].close()


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_query_workers_sets_the_pool_size() -> None:
    server = LiveServer(["--workers", "1", "--query-workers", "3"])
    try:
        status, _, _ = Raw(server)("GET", "/sparql?query=ASK%7B%7D")
        assert status == 200
        (http_worker,) = _children(server.proc.pid)
        assert len(_children(http_worker)) == 3
    finally:
        server.stop()


def test_workers_on_an_on_disk_store_stop_cleanly(tmp_path: Path) -> None:
    """RocksDB handles inherited across fork must not abort the workers at exit."""
    store = f"oxigraph:{tmp_path / 'store'}"
    data = ["--data", str(dataset_files()[0])]
    server = LiveServer(["--workers", "2", "--store", store, *data])
    for i in range(6):  # reach both workers and their query processes
        status, _, _ = Raw(server)("GET", f"/sparql?query=ASK%7B%7D&n={i}")
        assert status == 200
    server.stderr.flush()
    stderr_before = server.errors()
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=60) == 0
    log = server.errors()
    assert "terminate called" not in log and "was sent SIG" not in log, log[len(stderr_before):]
    server.stop()
