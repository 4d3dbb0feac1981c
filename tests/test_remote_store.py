"""The remote backend against a real ``oxigraph serve`` loaded with the bundled data."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from ewkg.config import Config
from ewkg.lru import ResultCache
from ewkg.query.evaluation import result_cache_key
from ewkg.query.executor import (
    ProcessExecutor,
    QueryFormatError,
    QueryRequest,
    QueryResponse,
    QuerySyntaxError,
    QueryTimeout,
)
from ewkg.store.backends import open_store
from ewkg.store.embedded import ONTOLOGY_GRAPH, EmbeddedStore
from ewkg.store.remote import RemoteExecutor, RemoteStore, upstream_accept
from ewkg.web.app import create_app
from ewkg.web.engine import get_executor

JSON = "application/sparql-results+json"
TSV = "text/tab-separated-values"
MAX = 10
HEAVY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LABELS = "SELECT ?s ?l { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } ORDER BY ?s ?l"


def oxigraph_cli() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    assert found, "the oxigraph CLI (pip install oxigraph) is needed to test the remote store"
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server on a free loopback port, with the bundle in the same graphs."""
    cli = oxigraph_cli()
    location = tmp_path_factory.mktemp("oxigraph") / "db"
    # the bundle, in the graphs the embedded store uses, as one N-Quads file: one load
    quads = location.parent / "bundle.nq"
    EmbeddedStore().oxigraph.dump(str(quads), format=ox.RdfFormat.N_QUADS)
    subprocess.run(
        [cli, "load", "--location", str(location), "--file", str(quads)],
        check=True,
        capture_output=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [
            cli,
            "serve-read-only",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                assert server.poll() is None, "oxigraph serve exited"
                assert time.monotonic() < deadline, "oxigraph serve did not start"
                time.sleep(0.1)
        yield url
    finally:
        server.kill()
        server.wait(10)


@pytest.fixture(scope="module")
def remote(endpoint: str) -> RemoteStore:
    return RemoteStore(endpoint, timeout=10)


@pytest.fixture(scope="module")
def local() -> EmbeddedStore:
    return EmbeddedStore()


@pytest.fixture(scope="module")
def executor(remote: RemoteStore) -> RemoteExecutor:
    return RemoteExecutor(remote, timeout=5.0, max_results=MAX)


@pytest.fixture(scope="module")
def local_executor(local: EmbeddedStore) -> Iterator[ProcessExecutor]:
    ex = ProcessExecutor(local, timeout=5.0, max_results=MAX, workers=1)
    yield ex
    ex.close()


def run(ex: object, query: str, media_type: str = JSON, **kw: object) -> object:
    return ex.execute(QueryRequest(query, media_type, **kw))  # type: ignore[attr-defined]


# -- the trusted Store API ------------------------------------------------------------------


def test_remote_holds_the_same_dataset(remote: RemoteStore, local: EmbeddedStore) -> None:
    assert len(remote) == len(local) > 0
    assert remote.version.startswith("remote-")


def test_trusted_select_matches_the_embedded_store(
    remote: RemoteStore, local: EmbeddedStore
) -> None:
    assert remote.select(LABELS) == local.select(LABELS)


def test_trusted_ask(remote: RemoteStore) -> None:
    assert remote.ask("ASK {}") is True
    assert remote.ask("ASK { FILTER(false) }") is False


def test_trusted_construct_and_graph(remote: RemoteStore, local: EmbeddedStore) -> None:
    q = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c FILTER(isIRI(?s)) }"  # unions are blank nodes
    assert set(remote.construct(q)) == set(local.construct(q))
    assert len(remote.graph()) == len(local)


def test_open_store_gives_a_remote_store(endpoint: str) -> None:
    store = open_store(Config(store=endpoint))
    assert isinstance(store, RemoteStore) and len(store) > 0


def test_unreachable_endpoint_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="does not answer"):
        RemoteStore(f"http://127.0.0.1:{free_port()}/sparql", timeout=2)


def test_not_an_http_url_is_refused() -> None:
    with pytest.raises(ValueError, match="not an http"):
        RemoteStore("file:///etc/passwd")


# -- client queries forwarded ---------------------------------------------------------------


@pytest.mark.parametrize(
    "media_type",
    [JSON, TSV, "application/sparql-results+xml", "text/csv"],
)
def test_select_answers_like_the_embedded_engine(
    executor: RemoteExecutor, local_executor: ProcessExecutor, media_type: str
) -> None:
    remote_answer = run(executor, LABELS, media_type)
    local_answer = run(local_executor, LABELS, media_type)
    assert remote_answer.body == local_answer.body  # type: ignore[attr-defined]
    assert remote_answer.capped and remote_answer.count == MAX  # type: ignore[attr-defined]


@pytest.mark.parametrize("media_type", [JSON, TSV, "text/csv", "application/sparql-results+xml"])
@pytest.mark.parametrize("query", ["ASK {}", "ASK { FILTER(false) }"])
def test_ask_is_forwarded(
    executor: RemoteExecutor, local_executor: ProcessExecutor, query: str, media_type: str
) -> None:
    answer = run(executor, query, media_type)
    assert answer.body == run(local_executor, query, media_type).body  # type: ignore[attr-defined]
    if media_type == JSON:
        assert json.loads(answer.body)["boolean"] is (query == "ASK {}")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "media_type", ["text/turtle", "application/n-triples", "application/ld+json"]
)
def test_construct_is_forwarded_and_capped(executor: RemoteExecutor, media_type: str) -> None:
    answer = run(executor, "CONSTRUCT WHERE { ?s a ?c }", media_type)
    assert answer.capped and answer.count == MAX  # type: ignore[attr-defined]
    if media_type == "application/ld+json":
        assert isinstance(json.loads(answer.body)["@context"], dict)  # type: ignore[attr-defined]
    else:
        triples = list(ox.parse(answer.body, format=ox.RdfFormat.from_media_type(media_type)))  # type: ignore[attr-defined]
        assert len(triples) == MAX


def test_small_construct_is_not_capped(executor: RemoteExecutor, local: EmbeddedStore) -> None:
    pattern = "?s a <http://www.w3.org/2002/07/owl#Ontology>"
    q = f"CONSTRUCT {{ {pattern} }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ {pattern} }} }}"
    answer = run(executor, q, "application/n-triples")
    assert not answer.capped and answer.count == 1  # type: ignore[attr-defined]


def test_default_graph_uri_is_forwarded(executor: RemoteExecutor, local: EmbeddedStore) -> None:
    q = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"
    answer = run(executor, q, TSV, default_graph_uris=(ONTOLOGY_GRAPH,))
    (count,) = local.select(
        f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"
    )
    assert answer.body.split(b"\n")[1].decode() == str(count["n"])  # type: ignore[attr-defined]


def test_syntax_error_is_reported(executor: RemoteExecutor) -> None:
    with pytest.raises(QuerySyntaxError, match="refused the query"):
        run(executor, "SELECT * WHERE { ?s ?p }")


def test_form_mismatch_is_a_format_error(executor: RemoteExecutor) -> None:
    with pytest.raises(QueryFormatError):
        run(executor, "SELECT * { ?s ?p ?o } LIMIT 1", "text/turtle")


def test_runaway_remote_query_times_out(remote: RemoteStore) -> None:
    ex = RemoteExecutor(remote, timeout=1.0, max_results=MAX)
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        run(ex, HEAVY)
    assert time.monotonic() - started < 30  # stopped at its limit; HEAVY alone takes minutes


def test_upstream_accept_asks_for_what_can_be_parsed_back() -> None:
    assert upstream_accept(TSV).startswith(TSV + ",")
    assert upstream_accept("text/csv").startswith("application/sparql-results+json,")
    assert upstream_accept("application/ld+json").startswith("application/n-triples,")


def test_app_on_a_remote_store_uses_the_remote_executor(endpoint: str) -> None:
    app = create_app(Config(testing=True, store=endpoint))
    executor = get_executor(app)
    assert isinstance(executor, RemoteExecutor) and executor.cache is not None
    first = executor.execute(QueryRequest("ASK {}", JSON))
    second = executor.execute(QueryRequest("ASK {}", JSON))
    assert not first.cached and second.cached


# -- the result cache and coalescing, shared with the embedded executor ----------------------


def test_identical_remote_queries_in_flight_share_one_remote_evaluation(endpoint: str) -> None:
    """Clients sending the same query while the store is still answering it share that answer:
    one request reaches the store (the layer of ewkg.query.result_reuse, as for the embedded
    pool)."""
    store = RemoteStore(endpoint, timeout=10)
    cache: ResultCache[QueryResponse] = ResultCache(max_bytes=1 << 20)
    ex = RemoteExecutor(store, timeout=30.0, max_results=MAX, cache=cache)
    sent: list[str] = []
    release = threading.Event()
    real_post = store.post

    def held_post(query: str, **kw: Any) -> Any:
        sent.append(query)
        assert release.wait(30), "the test never released the store"
        return real_post(query, **kw)

    store.post = held_post  # type: ignore[method-assign]
    request = QueryRequest(LABELS, JSON)
    key = result_cache_key(request, store.version, MAX)
    answers: list[QueryResponse] = []
    threads = [
        threading.Thread(target=lambda: answers.append(ex.execute(request))) for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while ex.reuse.flights.joined(key) < 4:  # one leads (held at the store), four wait on it
        assert time.monotonic() < deadline, "the clients never joined one flight"
        time.sleep(0.005)
    release.set()
    for thread in threads:
        thread.join(60)
    assert len(sent) == 1
    assert len(answers) == 5 and len({a.body for a in answers}) == 1
    assert sorted(a.cached for a in answers) == [False] + [True] * 4
    assert ex.reuse.coalesced == 4
    again = ex.execute(request)  # now from the cache: still one request sent
    assert again.cached and len(sent) == 1


def test_without_a_cache_each_remote_query_is_sent(endpoint: str) -> None:
    store = RemoteStore(endpoint, timeout=10)
    ex = RemoteExecutor(store, timeout=30.0, max_results=MAX, cache=None)
    sent: list[str] = []
    real_post = store.post

    def counting_post(query: str, **kw: Any) -> Any:
        sent.append(query)
        return real_post(query, **kw)

    store.post = counting_post  # type: ignore[method-assign]
    first = run(ex, LABELS)
    second = run(ex, LABELS)
    assert len(sent) == 2 and not first.cached and not second.cached  # type: ignore[attr-defined]
