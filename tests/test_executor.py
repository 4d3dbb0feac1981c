"""The query engine: answers per format on edge cases, caps, datasets, errors, killed timeouts,
the result cache, and the executor's life across fork and inside the app."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from _waiting import wait_until
from ewkg.config import Config
from ewkg.lru import ResultCache
from ewkg.query.executor import (
    GRAPH_MEDIA_TYPES,
    ProcessExecutor,
    QueryBusy,
    QueryError,
    QueryFormatError,
    QueryRequest,
    QueryResponse,
    QueryServerError,
    QuerySyntaxError,
    QueryTimeout,
    evaluate,
)
from ewkg.query.query_worker import FdPipe
from ewkg.store.embedded import DATA_GRAPH, ONTOLOGY_GRAPH, EmbeddedStore
from ewkg.web.app import create_app
from ewkg.web.engine import get_executor, post_fork

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
RESULT_TYPES = [JSON, XML, CSV, TSV]
PARSEABLE = {
    JSON: ox.QueryResultsFormat.JSON,
    XML: ox.QueryResultsFormat.XML,
    TSV: ox.QueryResultsFormat.TSV,
}
MAX = 10
#: A query that runs for minutes on any store of a few hundred triples.
HEAVY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

DATA = f"""@prefix ex: <{EX}> .
@prefix xsd: <{XSD}> .
ex:fujian ex:label "Fujian"@fr, "福建"@zh ;
    ex:since "1996"^^xsd:gYear ;
    ex:count 9 ;
    ex:share 0.5 ;
    ex:note "tab\\there, newline\\nthere, \\"quoted\\", comma, semi;colon" ;
    ex:partner [ ex:label "anonyme"@fr ] .
ex:ningxia ex:label "Ningxia"@fr .
"""
ONTO = f'<{EX}Region> <{EX}label> "Région"@fr .\n'


def _files(root: Path) -> list[Path]:
    (root / "ontology").mkdir()
    (root / "data").mkdir()
    (root / "ontology" / "onto.ttl").write_text(ONTO, encoding="utf-8")
    (root / "data" / "region.ttl").write_text(DATA, encoding="utf-8")
    extra = "".join(f'<{EX}n{i}> <{EX}label> "n{i}" .\n' for i in range(300))
    (root / "data" / "many.ttl").write_text(extra, encoding="utf-8")
    data = root / "data"
    return [root / "ontology" / "onto.ttl", data / "region.ttl", data / "many.ttl"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    """In memory: its workers are forks of this process."""
    return EmbeddedStore(_files(tmp_path_factory.mktemp("engine")))


@pytest.fixture(scope="module")
def disk_store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    """The same data on disk: its workers are started afresh (``python -m
    ewkg.query.query_worker``)."""
    root = tmp_path_factory.mktemp("engine-disk")
    return EmbeddedStore(_files(root), path=str(root / "db"))


@pytest.fixture(scope="module", params=["memory", "disk"])
def any_store(request: pytest.FixtureRequest) -> EmbeddedStore:
    """Each layout in turn: forked workers, then freshly started ones."""
    return request.getfixturevalue("store" if request.param == "memory" else "disk_store")


@pytest.fixture(scope="module")
def executor(any_store: EmbeddedStore) -> Iterator[ProcessExecutor]:
    ex = ProcessExecutor(any_store, timeout=5.0, max_results=MAX, workers=2, cache=None)
    assert ex.fresh == (any_store.location is not None)
    yield ex
    ex.close()


@contextlib.contextmanager
def frozen(ex: ProcessExecutor) -> Iterator[list[int]]:
    """Stop (``SIGSTOP``) every worker of ``ex`` meanwhile: a query sent to one cannot answer
    before its deadline, however fast the machine. ``SIGKILL`` still ends a stopped process."""
    ex.start()
    pids = ex.worker_pids
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield pids
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def run(ex: ProcessExecutor, query: str, media_type: str = JSON, **kw: object) -> QueryResponse:
    return ex.execute(QueryRequest(query, media_type, **kw))  # type: ignore[arg-type]


def rows(response: QueryResponse) -> list[dict[str, str]]:
    """Parse a SELECT answer back (JSON, XML, TSV) into {var: N-Triples term}."""
    parsed = ox.parse_query_results(response.body, format=PARSEABLE[response.media_type])
    names = [v.value for v in parsed.variables]
    return [{n: str(s[n]) for n in names if s[n] is not None} for s in parsed]


# -- SELECT, per format ---------------------------------------------------------------------


@pytest.mark.parametrize("media_type", [JSON, XML, TSV])
def test_select_terms_round_trip_in_every_parseable_format(
    executor: ProcessExecutor, media_type: str
) -> None:
    answer = run(
        executor,
        f"SELECT ?p ?o {{ <{EX}fujian> ?p ?o FILTER(!isBlank(?o)) }} ORDER BY ?p ?o",
        media_type,
    )
    assert answer.media_type == media_type and not answer.capped and answer.count == 6
    got = {(r["p"], r["o"]) for r in rows(answer)}
    assert (f"<{EX}label>", '"Fujian"@fr') in got
    assert (f"<{EX}label>", '"福建"@zh') in got
    assert (f"<{EX}since>", f'"1996"^^<{XSD}gYear>') in got
    assert (f"<{EX}count>", f'"9"^^<{XSD}integer>') in got
    assert (f"<{EX}share>", f'"0.5"^^<{XSD}decimal>') in got
    note = '"tab\\there, newline\\nthere, \\"quoted\\", comma, semi;colon"'
    assert (f"<{EX}note>", note) in got


def test_select_json_shape_language_datatype_bnode_unbound(executor: ProcessExecutor) -> None:
    answer = run(
        executor,
        f"SELECT ?b ?l ?missing {{ <{EX}fujian> <{EX}partner> ?b . ?b <{EX}label> ?l "
        f"OPTIONAL {{ ?b <{EX}nothing> ?missing }} }}",
    )
    doc = json.loads(answer.body)
    assert doc["head"]["vars"] == ["b", "l", "missing"]
    (binding,) = doc["results"]["bindings"]
    assert binding["b"]["type"] == "bnode"
    assert binding["l"] == {"type": "literal", "value": "anonyme", "xml:lang": "fr"}
    assert "missing" not in binding  # unbound: absent, not empty


def test_select_csv_writes_plain_values_and_quotes(executor: ProcessExecutor) -> None:
    answer = run(executor, f"SELECT ?o ?x {{ <{EX}fujian> <{EX}note> ?o }}", CSV)
    text = answer.body.decode()
    assert text.startswith("o,x\r\n")
    assert '"tab\there, newline\nthere, ""quoted"", comma, semi;colon",\r\n' in text
    assert answer.count == 1


@pytest.mark.parametrize("media_type", RESULT_TYPES)
def test_empty_select_keeps_its_header(executor: ProcessExecutor, media_type: str) -> None:
    answer = run(executor, f"SELECT ?s ?o {{ ?s <{EX}nowhere> ?o }}", media_type)
    assert answer.count == 0 and not answer.capped
    if media_type == CSV:
        assert answer.body == b"s,o\r\n"
    else:
        assert rows(answer) == []
        if media_type == JSON:
            assert json.loads(answer.body)["head"]["vars"] == ["s", "o"]


def test_select_star_on_empty_pattern_is_one_empty_row(executor: ProcessExecutor) -> None:
    doc = json.loads(run(executor, "SELECT * {}").body)
    assert doc["results"]["bindings"] == [{}]


# -- ASK, per format ------------------------------------------------------------------------


@pytest.mark.parametrize("media_type", RESULT_TYPES)
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ASK { FILTER(false) }", False),  # rdflib 7.6 answers true here
        ("ASK {}", True),
        (f'ASK {{ <{EX}fujian> <{EX}label> "福建"@zh }}', True),
        (f'ASK {{ <{EX}fujian> <{EX}label> "福建" }}', False),  # the language tag matters
        (f"ASK {{ <{EX}fujian> <{EX}count> 9 }}", True),
    ],
)
def test_ask_answers_in_every_format(
    executor: ProcessExecutor, media_type: str, query: str, expected: bool
) -> None:
    answer = run(executor, query, media_type)
    assert answer.count == 1 and not answer.capped
    if media_type == JSON:
        assert json.loads(answer.body)["boolean"] is expected
    elif media_type == XML:
        assert f"<boolean>{str(expected).lower()}</boolean>".encode() in answer.body
    else:
        assert answer.body.strip() == str(expected).lower().encode()


# -- CONSTRUCT / DESCRIBE, per format -------------------------------------------------------

RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


def expected_fujian() -> Graph:
    g = Graph()
    s = URIRef(f"{EX}fujian")
    b = BNode()
    g.add((s, URIRef(f"{EX}label"), Literal("Fujian", lang="fr")))
    g.add((s, URIRef(f"{EX}label"), Literal("福建", lang="zh")))
    g.add((s, URIRef(f"{EX}since"), Literal("1996", datatype=URIRef(f"{XSD}gYear"))))
    g.add((s, URIRef(f"{EX}count"), Literal("9", datatype=URIRef(f"{XSD}integer"))))
    g.add((s, URIRef(f"{EX}share"), Literal("0.5", datatype=URIRef(f"{XSD}decimal"))))
    note = 'tab\there, newline\nthere, "quoted", comma, semi;colon'
    g.add((s, URIRef(f"{EX}note"), Literal(note)))
    g.add((s, URIRef(f"{EX}partner"), b))
    g.add((b, URIRef(f"{EX}label"), Literal("anonyme", lang="fr")))
    return g


@pytest.mark.parametrize("media_type", sorted(RDFLIB_FORMATS))
def test_construct_graph_is_isomorphic_in_every_format(
    store: EmbeddedStore, media_type: str
) -> None:
    answer = evaluate(
        store.oxigraph,
        QueryRequest(
            f"CONSTRUCT {{ ?s ?p ?o . ?o ?q ?r }} WHERE {{ BIND(<{EX}fujian> AS ?s) ?s ?p ?o "
            f"OPTIONAL {{ ?o ?q ?r FILTER isBlank(?o) }} }}",
            media_type,
        ),
        max_results=100,
    )
    assert answer.count == 8 and not answer.capped
    got = Graph()
    if RDFLIB_FORMATS[media_type] in {"trig", "nquads"}:
        from rdflib import Dataset

        ds = Dataset()
        ds.parse(data=answer.body, format=RDFLIB_FORMATS[media_type])
        for s, p, o, _ in ds.quads():
            got.add((s, p, o))
    else:
        got.parse(data=answer.body, format=RDFLIB_FORMATS[media_type])
    assert isomorphic(got, expected_fujian())


def test_jsonld_uses_a_local_compact_context(executor: ProcessExecutor) -> None:
    answer = run(
        executor,
        "CONSTRUCT { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } "
        f"WHERE {{ ?s <{EX}label> ?l }} LIMIT 2",
        "application/ld+json",
    )
    doc = json.loads(answer.body)
    assert isinstance(doc["@context"], dict)  # inline, never a remote context document
    assert doc["@context"]["skos"] == "http://www.w3.org/2004/02/skos/core#"
    assert "skos:prefLabel" in json.dumps(doc)


def test_empty_construct_is_an_empty_graph(executor: ProcessExecutor) -> None:
    answer = run(executor, f"CONSTRUCT WHERE {{ ?s <{EX}nowhere> ?o }}", "text/turtle")
    assert answer.count == 0 and not answer.capped
    assert len(Graph().parse(data=answer.body, format="turtle")) == 0


def test_describe_answers_a_graph(executor: ProcessExecutor) -> None:
    answer = run(executor, f"DESCRIBE <{EX}ningxia>", "application/n-triples")
    assert answer.count == 1
    assert answer.body == f'<{EX}ningxia> <{EX}label> "Ningxia"@fr .\n'.encode()


# -- caps -----------------------------------------------------------------------------------


@pytest.mark.parametrize("media_type", RESULT_TYPES)
def test_select_is_capped_at_max_results_and_says_so(
    executor: ProcessExecutor, media_type: str
) -> None:
    answer = run(executor, f"SELECT ?s {{ ?s <{EX}label> ?l }} ORDER BY ?s", media_type)
    assert answer.capped and answer.count == MAX
    if media_type == CSV:
        assert answer.body.count(b"\r\n") == MAX + 1
    else:
        assert len(rows(answer)) == MAX


def test_result_of_exactly_max_rows_is_not_capped(executor: ProcessExecutor) -> None:
    answer = run(executor, f"SELECT ?s {{ ?s <{EX}label> ?l }} LIMIT {MAX}")
    assert not answer.capped and answer.count == MAX
    answer = run(executor, f"SELECT ?s {{ ?s <{EX}label> ?l }} LIMIT {MAX + 1}")
    assert answer.capped and answer.count == MAX


@pytest.mark.parametrize("media_type", sorted(GRAPH_MEDIA_TYPES))
def test_construct_is_capped_at_max_results(executor: ProcessExecutor, media_type: str) -> None:
    answer = run(executor, f"CONSTRUCT WHERE {{ ?s <{EX}label> ?l }}", media_type)
    assert answer.capped and answer.count == MAX
    if media_type == "application/n-triples":
        assert answer.body.count(b"\n") == MAX


def test_capped_select_keeps_the_order(executor: ProcessExecutor) -> None:
    answer = run(executor, f"SELECT ?l {{ ?s <{EX}label> ?l }} ORDER BY DESC(?l)", TSV)
    assert rows(answer)[0]["l"] == '"福建"@zh'  # the largest code point sorts first


# -- datasets -------------------------------------------------------------------------------


def test_default_graph_is_the_union_of_all_graphs(executor: ProcessExecutor) -> None:
    doc = json.loads(run(executor, f"SELECT (COUNT(*) AS ?n) {{ ?s <{EX}label> ?o }}").body)
    assert doc["results"]["bindings"][0]["n"]["value"] == "305"


def test_default_graph_uri_restricts_the_default_graph(executor: ProcessExecutor) -> None:
    q = f"SELECT ?s {{ ?s <{EX}label> ?o }}"
    answer = run(executor, q, default_graph_uris=(ONTOLOGY_GRAPH,))
    assert rows(answer) == [{"s": f"<{EX}Region>"}]


def test_named_graph_uri_alone_leaves_the_default_graph_empty(executor: ProcessExecutor) -> None:
    q = (
        f"SELECT ?g (COUNT(*) AS ?n) {{ {{ ?s ?p ?o }} UNION "
        f"{{ GRAPH ?g {{ ?s <{EX}label> ?o }} }} }} GROUP BY ?g"
    )
    answer = run(executor, q, named_graph_uris=(ONTOLOGY_GRAPH,))
    assert rows(answer) == [{"g": f"<{ONTOLOGY_GRAPH}>", "n": f'"1"^^<{XSD}integer>'}]


def test_from_in_the_query_names_a_local_graph(executor: ProcessExecutor) -> None:
    q = f"SELECT ?s FROM <{ONTOLOGY_GRAPH}> {{ ?s <{EX}label> ?o }}"
    assert rows(run(executor, q)) == [{"s": f"<{EX}Region>"}]
    q = f"SELECT (COUNT(*) AS ?n) FROM <{DATA_GRAPH}> {{ ?s <{EX}label> ?o }}"
    assert rows(run(executor, q)) == [{"n": f'"304"^^<{XSD}integer>'}]


def test_graph_uri_that_does_not_parse_is_a_clear_error(executor: ProcessExecutor) -> None:
    with pytest.raises(QueryError, match="invalid graph IRI"):
        run(executor, "ASK {}", default_graph_uris=("not an iri",))


# -- errors ---------------------------------------------------------------------------------


def test_syntax_error_gives_line_and_column(executor: ProcessExecutor) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        run(executor, "SELECT *\nWHERE { ?s ?p }")
    assert "2:" in caught.value.message
    assert len(caught.value.message) < 400


@pytest.mark.parametrize(
    ("query", "media_type"),
    [
        ("SELECT * {}", "text/turtle"),
        ("ASK {}", "application/ld+json"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", JSON),
        ("DESCRIBE <http://example.org/x>", CSV),
        ("SELECT * {}", "image/png"),
    ],
)
def test_media_type_that_does_not_fit_the_form_is_a_format_error(
    executor: ProcessExecutor, query: str, media_type: str
) -> None:
    with pytest.raises(QueryFormatError, match="ask for one of"):
        run(executor, query, media_type)


def test_media_type_parameters_are_ignored(executor: ProcessExecutor) -> None:
    answer = run(executor, "ASK {}", "application/sparql-results+json; charset=utf-8")
    assert json.loads(answer.body)["boolean"] is True


def test_an_error_leaves_the_worker_usable(executor: ProcessExecutor) -> None:
    executor.start()
    pids = executor.worker_pids
    for _ in range(3):
        with pytest.raises(QuerySyntaxError):
            run(executor, "SELEKT")
    assert executor.worker_pids == pids
    assert run(executor, "ASK {}").count == 1


# -- timeouts: the work is killed -----------------------------------------------------------


def test_runaway_query_is_killed_and_its_worker_replaced(any_store: EmbeddedStore) -> None:
    store = any_store
    ex = ProcessExecutor(store, timeout=1.0, max_results=MAX, workers=1)
    try:
        ex.start()
        (before,) = ex.worker_pids
        started = time.monotonic()
        with pytest.raises(QueryTimeout, match="stopped after 1 s"):
            run(ex, HEAVY)
        assert time.monotonic() - started < 30  # stopped at its limit; HEAVY alone takes minutes
        assert ex.kills == 1
        assert ex.settle()  # reaped and replaced in the background
        with pytest.raises(ProcessLookupError):
            os.kill(before, 0)  # the process is gone, not just abandoned
        (after,) = ex.worker_pids
        assert after != before
        assert json.loads(run(ex, "ASK {}").body)["boolean"] is True
    finally:
        ex.close()


def test_request_timeout_can_only_lower_the_configured_one(store: EmbeddedStore) -> None:
    ex = ProcessExecutor(store, timeout=60.0, max_results=MAX, workers=1)
    try:
        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            run(ex, HEAVY, timeout=0.5)
        assert time.monotonic() - started < 30  # the request's 0.5 s, not the server's 60 s
        assert ex.kills == 1
    finally:
        ex.close()


def test_other_queries_keep_running_while_one_runs_away(store: EmbeddedStore) -> None:
    ex = ProcessExecutor(store, timeout=8.0, max_results=MAX, workers=2)
    try:
        ex.start()
        outcome: list[BaseException] = []

        def runaway() -> None:
            try:
                run(ex, HEAVY)
            except QueryTimeout as error:
                outcome.append(error)

        thread = threading.Thread(target=runaway)
        thread.start()
        wait_until(lambda: ex._idle.qsize() == 1, "the runaway holds one worker")
        for _ in range(5):  # answered by the other worker while the first one computes
            assert json.loads(run(ex, "ASK {}").body)["boolean"] is True
        assert thread.is_alive()
        thread.join(timeout=60)
        assert len(outcome) == 1 and isinstance(outcome[0], QueryTimeout)
    finally:
        ex.close()


def start_runaways(ex: ProcessExecutor, n: int) -> list[threading.Thread]:
    """``n`` threads each running :data:`HEAVY` until its timeout, started one after the other
    once the previous one counts as long (past ``demote_after``)."""
    threads = []
    for i in range(n):
        thread = threading.Thread(target=lambda: pytest.raises(QueryTimeout, run, ex, HEAVY))
        thread.start()
        threads.append(thread)
        wait_until(lambda i=i: ex._long == i + 1, f"runaway {i + 1} runs long")
    return threads


def test_busy_pool_answers_with_a_timeout_not_a_hang(store: EmbeddedStore) -> None:
    ex = ProcessExecutor(store, timeout=6.0, max_results=MAX, workers=1, max_long=2)
    try:
        ex.start()
        # two long queries: the pool of one grows to its bound of two, then is full
        threads = start_runaways(ex, 2)
        assert len(ex.worker_pids) == 2
        with pytest.raises(QueryTimeout, match="busy"):
            run(ex, "ASK {}", timeout=0.5)
        for thread in threads:
            thread.join(timeout=60)
        assert run(ex, "ASK {}").count == 1
    finally:
        ex.close()


def test_long_queries_make_the_pool_grow_for_short_ones(store: EmbeddedStore) -> None:
    """Two runaways on a pool of two: short queries get fresh workers instead of waiting."""
    ex = ProcessExecutor(store, timeout=8.0, max_results=MAX, workers=2)
    try:
        ex.start()
        threads = start_runaways(ex, 2)  # both are past demote_after: long
        for _ in range(5):
            assert json.loads(run(ex, "ASK {}", timeout=4.0).body)["boolean"] is True
        assert ex._long == 2  # answered while both still ran
        assert ex.grown >= 1 and len(ex.worker_pids) <= 4
        for thread in threads:
            thread.join(timeout=60)
        assert ex.settle()
        ex.surplus_idle = 0.0
        assert run(ex, "ASK {}").count == 1  # each query sweeps: idle extra workers are stopped
        assert len(ex.worker_pids) == 2  # back to its size once the long queries ended
    finally:
        ex.close()


def test_worker_killed_from_outside_is_replaced(executor: ProcessExecutor) -> None:
    executor.start()
    victim = executor.worker_pids[0]
    os.kill(victim, signal.SIGKILL)
    (dead,) = [w for w in executor._workers if w.process.pid == victim]
    wait_until(lambda: not dead.process.is_alive(), "the killed worker is gone")
    assert run(executor, "ASK {}").count == 1  # noticed and replaced before the query
    assert victim not in executor.worker_pids
    assert len(executor.worker_pids) == 2


def test_closed_executor_stops_its_workers(any_store: EmbeddedStore) -> None:
    store = any_store
    ex = ProcessExecutor(store, timeout=5.0, max_results=MAX, workers=2)
    ex.start()
    pids = ex.worker_pids
    ex.close()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with pytest.raises(QueryError, match="closed"):
        run(ex, "ASK {}")


def _count_pipe_closes(
    monkeypatch: pytest.MonkeyPatch, pause_first: threading.Event | None = None
) -> dict[object, int]:
    """Count the real closes of every ``Connection`` from now on (the dictionary keeps each
    one alive, so that no two share an identity). With ``pause_first``, the first close waits
    for it (so that a second closer, if any, closes meanwhile)."""
    from multiprocessing.connection import Connection

    counts: dict[Connection, int] = {}
    real = Connection._close

    def counted(conn: Connection, *args: object) -> None:
        counts[conn] = counts.get(conn, 0) + 1
        if pause_first is not None and sum(counts.values()) == 1:
            pause_first.wait(2)
        real(conn, *args)

    monkeypatch.setattr(Connection, "_close", counted)
    return counts


def test_a_worker_pipe_is_closed_once_when_its_replacement_and_close_race(
    store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A timed-out worker is stopped in the background while the executor is closed: its pipe
    is closed by one of them only. A second ``close`` of the same number would close whatever
    file or socket another thread had been given that number meanwhile."""
    ex = ProcessExecutor(store, timeout=5.0, max_results=MAX, workers=1)
    ex.start()
    (worker,) = ex._workers
    second_closer = threading.Event()
    counts = _count_pipe_closes(monkeypatch, pause_first=second_closer)
    ex._retire(worker, wait=False)  # the background replacement starts stopping it
    wait_until(lambda: sum(counts.values()) >= 1, "the replacement closes the pipe")
    closer = threading.Thread(target=ex.close)  # and the executor is closed meanwhile
    closer.start()
    closer.join(60)
    second_closer.set()
    assert ex.settle(60)
    assert counts.get(worker.conn) == 1
    assert worker.closed and not ex.worker_pids


def test_start_stop_and_kill_paths_never_close_another_threads_file(
    store: EmbeddedStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The executor's start, kill-and-replace and close paths, run many times while another
    thread opens, writes, reads back and closes files: no descriptor of that thread is closed
    under it (``EBADF``) or swapped (wrong content), and every pipe is closed exactly once."""
    counts = _count_pipe_closes(monkeypatch)
    stop = threading.Event()
    problems: list[str] = []

    def use_files() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            path = tmp_path / f"f{n % 8}"
            try:
                with open(path, "wb") as f:
                    f.write(b"%d" % n * 64)
                    f.flush()
                    os.fsync(f.fileno())
                with open(path, "rb") as f:
                    if f.read() != b"%d" % n * 64:
                        problems.append(f"{path}: content swapped")
            except OSError as error:
                problems.append(repr(error))

    user = threading.Thread(target=use_files)
    user.start()
    try:
        for _ in range(15):
            ex = ProcessExecutor(store, timeout=5.0, max_results=MAX, workers=2)
            ex.start()
            assert run(ex, "ASK {}", CSV).body.strip() == b"true"
            for worker in list(ex._workers):
                ex._retire(worker, wait=False)  # kill and replace in the background
            ex.close()  # while the replacements run
            assert ex.settle(60)
    finally:
        stop.set()
        user.join(60)
    assert not problems
    assert counts and set(counts.values()) == {1}


# -- cache ----------------------------------------------------------------------------------


def test_results_are_cached_per_query_and_media_type(store: EmbeddedStore) -> None:
    cache: ResultCache[QueryResponse] = ResultCache(max_bytes=1 << 20)
    ex = ProcessExecutor(store, timeout=5.0, max_results=MAX, workers=1, cache=cache)
    try:
        q = f"SELECT ?l {{ <{EX}fujian> <{EX}label> ?l }} ORDER BY ?l"
        first = run(ex, q)
        second = run(ex, q)
        assert not first.cached and second.cached and second.body == first.body
        assert not run(ex, q, TSV).cached
        assert not run(ex, q, default_graph_uris=(DATA_GRAPH,)).cached
        assert cache.stats().hits == 1
    finally:
        ex.close()


#: About half a second on the test store: long enough for other clients to send it meanwhile.
MEDIUM = (
    f"SELECT (COUNT(*) AS ?n) {{ ?a ?b ?c . ?d ?e ?f . ?g <{EX}label> ?l "
    f"FILTER(?l IN ({', '.join(f'{chr(34)}n{i}{chr(34)}' for i in range(30))})) }}"
)


def _at_once(ex: ProcessExecutor, requests: list[QueryRequest]) -> list[object]:
    """Send ``requests`` from as many threads at the same moment; answers or errors, in order."""
    outcomes: list[object] = [None] * len(requests)
    start = threading.Barrier(len(requests))

    def send(i: int) -> None:
        start.wait()
        try:
            outcomes[i] = ex.execute(requests[i])
        except QueryError as error:
            outcomes[i] = error

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_identical_queries_in_flight_together_run_once(store: EmbeddedStore) -> None:
    """A cold cache and many clients sending the same query: one evaluation, shared."""
    cache: ResultCache[QueryResponse] = ResultCache(max_bytes=1 << 20)
    ex = ProcessExecutor(  # not demoted: the shared run must not wait for idle CPU
        store, timeout=20.0, max_results=MAX, workers=2, cache=cache, demote_after=None
    )
    try:
        ex.start()
        answers = _at_once(ex, [QueryRequest(MEDIUM, JSON) for _ in range(6)])
        assert all(isinstance(a, QueryResponse) for a in answers)
        bodies = {a.body for a in answers}  # type: ignore[union-attr]
        assert len(bodies) == 1 and rows(answers[0]) == [  # type: ignore[arg-type]
            {"n": f'"{len(store) ** 2 * 30}"^^<{XSD}integer>'}
        ]
        assert ex.coalesced == 5
        assert sorted(a.cached for a in answers) == [False] + [True] * 5  # type: ignore[union-attr]
        other = _at_once(ex, [QueryRequest(MEDIUM, TSV), QueryRequest(MEDIUM, CSV)])
        assert [a.media_type for a in other] == [TSV, CSV]  # type: ignore[union-attr]
        assert ex.coalesced == 5  # another format is another query
    finally:
        ex.close()


def test_without_the_cache_every_query_runs(store: EmbeddedStore) -> None:
    ex = ProcessExecutor(store, timeout=20.0, max_results=MAX, workers=2, cache=None)
    try:
        ex.start()
        answers = _at_once(ex, [QueryRequest(SLOWISH, JSON) for _ in range(3)])
        assert all(isinstance(a, QueryResponse) and not a.cached for a in answers)
        assert ex.coalesced == 0
    finally:
        ex.close()


def test_a_shared_query_that_times_out_is_retried_by_a_client_with_more_time(
    store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client's own lower time limit does not cut the others' shorter: they run it again.

    The only worker is stopped (``SIGSTOP``) while the hurried client leads, so its query times
    out whatever the machine's speed; the patient client joins that flight, sees the hurried
    one's timeout, and runs the query itself on the replacement worker.
    """
    from ewkg.query import single_flight

    joined = threading.Event()
    wait = single_flight._Flight.wait

    def spy(flight: single_flight._Flight[object], deadline: float) -> bool:
        joined.set()  # only waiters (not the leader) wait on a flight
        return wait(flight, deadline)

    monkeypatch.setattr(single_flight._Flight, "wait", spy)
    cache: ResultCache[QueryResponse] = ResultCache(max_bytes=1 << 20)
    ex = ProcessExecutor(  # not demoted: the patient client's run must not wait for idle CPU
        store, timeout=60.0, max_results=MAX, workers=1, cache=cache, max_long=2,
        demote_after=None,
    )
    try:
        hurried: list[object] = []

        def lead() -> None:
            try:
                hurried.append(run(ex, MEDIUM, timeout=5.0))
            except QueryError as error:
                hurried.append(error)

        patient: list[object] = []
        with frozen(ex):
            leader = threading.Thread(target=lead)
            leader.start()
            wait_until(lambda: ex._flights.in_flight() == 1, "the hurried client leads")
            follower = threading.Thread(target=lambda: patient.append(run(ex, MEDIUM)))
            follower.start()
            assert joined.wait(60)  # the patient client waits on the hurried one's flight
            leader.join(60)
        follower.join(60)
        assert isinstance(hurried[0], QueryTimeout)
        assert rows(patient[0]) == [{"n": f'"{len(store) ** 2 * 30}"^^<{XSD}integer>'}]  # type: ignore[arg-type]
        assert not patient[0].cached and ex.kills == 1  # type: ignore[attr-defined]
    finally:
        ex.close()


def test_errors_are_not_cached(store: EmbeddedStore) -> None:
    cache: ResultCache[QueryResponse] = ResultCache(max_bytes=1 << 20)
    ex = ProcessExecutor(store, timeout=5.0, max_results=MAX, workers=1, cache=cache)
    try:
        for _ in range(2):
            with pytest.raises(QuerySyntaxError):
                run(ex, "SELEKT")
        assert len(cache) == 0
    finally:
        ex.close()


def test_cache_evicts_least_recently_used_by_bytes() -> None:
    cache: ResultCache[bytes] = ResultCache(max_bytes=4096)
    for key in "abcd":
        assert cache.put(key, key.encode() * 600, size=600)
    assert cache.get("a") is not None  # a is now the most recent
    assert cache.put("e", b"e" * 600, size=600)
    assert cache.get("b") is None and cache.get("a") is not None
    assert cache.stats().bytes <= 4096 and len(cache) == 4
    assert not cache.put("huge", b"x", size=1024)  # larger than a quarter of the cache


def test_cache_entries_expire_with_a_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from ewkg import lru as cache_module

    now = [1000.0]
    monkeypatch.setattr(cache_module, "time", SimpleNamespace(monotonic=lambda: now[0]))
    cache: ResultCache[bytes] = ResultCache(max_bytes=1 << 20, ttl=5.0)
    cache.put("k", b"v", size=1)
    now[0] += 4.9
    assert cache.get("k") == b"v"
    now[0] += 0.2
    assert cache.get("k") is None and len(cache) == 0


# -- the app and fork -----------------------------------------------------------------------


def _query_in_child(ex: ProcessExecutor, conn: object) -> None:
    try:
        answer = run(ex, "ASK {}")
        conn.send((json.loads(answer.body)["boolean"], ex.worker_pids))  # type: ignore[attr-defined]
    except BaseException as error:  # noqa: BLE001
        conn.send((repr(error), []))  # type: ignore[attr-defined]


def test_executor_inherited_across_fork_starts_its_own_workers(
    executor: ProcessExecutor,
) -> None:
    executor.start()
    parent_pids = executor.worker_pids
    assert len(parent_pids) == 2
    ctx = multiprocessing.get_context("fork")
    here, there = ctx.Pipe()
    child = ctx.Process(target=_query_in_child, args=(executor, there))
    child.start()
    assert here.poll(20)
    answer, child_pids = here.recv()
    child.join(10)
    assert answer is True
    assert len(child_pids) == 2 and not set(child_pids) & set(parent_pids)
    assert executor.worker_pids == parent_pids  # the parent's pool is untouched
    assert run(executor, "ASK {}").count == 1


def test_app_has_a_lazy_process_executor(tmp_path: Path) -> None:
    data = tmp_path / "a.ttl"
    data.write_text(DATA, encoding="utf-8")
    app = create_app(Config(testing=True, data=(data,), query_workers=1))
    ex = get_executor(app)
    assert isinstance(ex, ProcessExecutor)
    assert ex.worker_pids == [] and ex.size == 1  # nothing forked until needed
    post_fork(app)
    assert len(ex.worker_pids) == 1
    answer = ex.execute(QueryRequest(f"ASK {{ <{EX}fujian> ?p ?o }}", JSON))
    assert json.loads(answer.body)["boolean"] is True
    assert ex.cache is not None  # Config.result_cache defaults to on
    ex.close()


def test_app_without_result_cache(tmp_path: Path) -> None:
    data = tmp_path / "a.ttl"
    data.write_text(DATA, encoding="utf-8")
    app = create_app(Config(testing=True, data=(data,), result_cache=False))
    assert get_executor(app).cache is None  # type: ignore[attr-defined]


def test_memory_hungry_query_is_stopped_and_the_worker_replaced(any_store: EmbeddedStore) -> None:
    store = any_store
    ex = ProcessExecutor(
        store, timeout=30.0, max_results=MAX, workers=1, memory_headroom=200 * 1024**2,
        demote_after=None,  # not demoted: the query allocates at once, whatever else runs
    )
    try:
        ex.start()
        (before,) = ex.worker_pids
        hungry = "SELECT * { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z } ORDER BY ?a ?b ?c ?x ?y ?z"
        with pytest.raises(QueryError, match="more memory than a query may use"):
            run(ex, hungry, CSV)
        assert ex.settle()
        assert ex.worker_pids != [before]
        assert run(ex, "ASK {}", CSV).body.strip() == b"true"
    finally:
        ex.close()


def test_on_disk_store_is_queried_by_workers(tmp_path: Path) -> None:
    data = tmp_path / "a.ttl"
    many = "".join(f'<{EX}n{i}> <{EX}label> "n{i}" .\n' for i in range(300))
    data.write_text(DATA + many, encoding="utf-8")
    store = EmbeddedStore([data], path=str(tmp_path / "db"))
    ex = ProcessExecutor(store, timeout=5.0, max_results=MAX, workers=2)
    try:
        answer = run(ex, f"SELECT ?l {{ <{EX}fujian> <{EX}label> ?l }} ORDER BY ?l", TSV)
        assert rows(answer) == [{"l": '"Fujian"@fr'}, {"l": '"福建"@zh'}]
        with pytest.raises(QueryTimeout):  # killing a worker leaves the on-disk store intact
            run(ex, HEAVY, timeout=0.5)
        assert run(ex, f"ASK {{ <{EX}ningxia> ?p ?o }}", CSV).body.strip() == b"true"
    finally:
        ex.close()
    reopened = EmbeddedStore([data], path=str(tmp_path / "db"))
    assert not reopened.loaded and len(reopened) == len(store)


def test_compact_jsonld_expands_back_to_the_same_graph(store: EmbeddedStore) -> None:
    turtle = f"""@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    <{EX}a> a skos:Concept, <{EX}Local>, _:anonymous ; skos:prefLabel "a"@fr ;
        skos:related skos: , <{EX}b> ; <{EX}n> 3 .
    <{EX}b> a skos:Concept .
    """
    expected = Graph().parse(data=turtle, format="turtle")
    local = ox.Store()
    local.load(turtle.encode(), format=ox.RdfFormat.TURTLE)
    answer = evaluate(
        local, QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }", "application/ld+json"), 100
    )
    doc = json.loads(answer.body)
    nodes = {n["@id"]: n for n in doc["@graph"]}
    assert nodes[f"{EX}b"]["@type"] == ["skos:Concept"]
    assert "rdf:type" in nodes[f"{EX}a"]  # a blank-node type keeps rdf:type as a property
    assert "skos:prefLabel" in nodes[f"{EX}a"]
    assert isomorphic(Graph().parse(data=answer.body, format="json-ld"), expected)


def test_concurrent_queries_from_many_threads_get_their_own_answers(
    executor: ProcessExecutor,
) -> None:
    errors: list[str] = []

    def client(n: int) -> None:
        for i in range(10):
            k = (n * 10 + i) % 300
            answer = run(executor, f'ASK {{ <{EX}n{k}> <{EX}label> "n{k}" }}', TSV)
            wrong = run(executor, f'ASK {{ <{EX}n{k}> <{EX}label> "n{k + 1}" }}', TSV)
            if answer.body.strip() != b"true" or wrong.body.strip() != b"false":
                errors.append(f"thread {n} query {i}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert len(executor.worker_pids) == 2


def test_plain_fork_like_gunicorn_leaves_the_parent_workers_alone(
    executor: ProcessExecutor,
) -> None:
    """A gunicorn worker is an ``os.fork`` of the master: at its exit, multiprocessing's own
    exit handler must not terminate the master's query workers it inherited the records of."""
    import warnings

    executor.start()
    parent_pids = executor.worker_pids
    assert len(parent_pids) == 2
    read_end, write_end = os.pipe()
    with warnings.catch_warnings(), executor._lock:  # as if another thread held it at fork time
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the "gunicorn worker"
        status = 1
        try:
            os.close(read_end)
            answer = run(executor, "ASK {}", CSV)
            own = executor.worker_pids
            ok = answer.body.strip() == b"true" and not set(own) & set(parent_pids)
            executor.close()
            multiprocessing.util._exit_function()  # type: ignore[attr-defined] # what atexit runs
            status = 0 if ok else 1
        finally:
            os.write(write_end, bytes([status]))
            os._exit(status)
    os.close(write_end)
    try:
        import select

        ready, _, _ = select.select([read_end], [], [], 30)
        if not ready:  # the child hangs (on a lock it inherited held): fail, do not hang
            os.kill(pid, signal.SIGKILL)
        assert ready and os.read(read_end, 1) == b"\x00"
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    for worker_pid in parent_pids:
        os.kill(worker_pid, 0)  # still alive
    assert executor.worker_pids == parent_pids
    assert run(executor, "ASK {}", CSV).body.strip() == b"true"


def test_workers_stop_when_the_app_is_garbage_collected(tmp_path: Path) -> None:
    import gc

    data = tmp_path / "a.ttl"
    data.write_text(DATA, encoding="utf-8")
    app = create_app(Config(testing=True, data=(data,), query_workers=1))
    post_fork(app)
    pids = get_executor(app).worker_pids  # type: ignore[attr-defined]
    assert len(pids) == 1
    del app
    gc.collect()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_from_inside_a_name_is_not_a_dataset_clause(executor: ProcessExecutor) -> None:
    q = f"PREFIX from: <{EX}> SELECT (COUNT(*) AS ?n) {{ ?s from:label ?o }}"
    assert rows(run(executor, q)) == [{"n": f'"305"^^<{XSD}integer>'}]


def _executor_then_die(store: EmbeddedStore, conn: object, busy: bool) -> None:
    ex = ProcessExecutor(store, timeout=0.5, max_results=MAX, workers=2)
    ex.start()
    conn.send(ex.worker_pids)  # type: ignore[attr-defined]
    if busy:  # one worker computes a runaway query when this process is killed
        threading.Thread(target=lambda: pytest.raises(QueryTimeout, run, ex, HEAVY)).start()
    time.sleep(60)  # killed long before


@pytest.mark.parametrize("busy", [False, True], ids=["idle", "busy"])
def test_workers_exit_when_their_parent_is_killed(any_store: EmbeddedStore, busy: bool) -> None:
    """No orphans: a server process killed outright (SIGKILL, no exit handlers) takes its
    workers with it: the kernel sends each its parent-death signal (and idle ones see
    end-of-file on their pipe); see also tests/test_executor_faults.py, with a long deadline."""
    ctx = multiprocessing.get_context("fork")
    here, there = ctx.Pipe()
    parent = ctx.Process(target=_executor_then_die, args=(any_store, there, busy))
    parent.start()
    assert here.poll(20)
    pids = here.recv()
    assert len(pids) == 2
    time.sleep(0.2)
    parent.kill()
    parent.join(10)
    deadline = time.monotonic() + 10
    alive = set(pids)
    while alive and time.monotonic() < deadline:
        for pid in list(alive):
            try:
                os.kill(pid, 0)
                with open(f"/proc/{pid}/stat") as stat:  # a zombie waiting for init is gone
                    if stat.read().split(") ")[1].startswith("Z"):
                        alive.discard(pid)
            except (ProcessLookupError, FileNotFoundError):
                alive.discard(pid)
        time.sleep(0.05)
    for pid in alive:  # do not leave them behind if the test fails
        os.kill(pid, signal.SIGKILL)
    assert not alive


# -- long queries give way to short ones -----------------------------------------------------

SLOWISH = (
    f"SELECT (COUNT(*) AS ?n) {{ ?a ?b ?c . ?d ?e ?f . ?g <{EX}label> ?l "
    'FILTER(?l IN ("n1", "n2", "n3")) }'
)


def _run_demoted(ex: ProcessExecutor, query: str) -> QueryResponse:
    """Run ``query`` with the workers stopped until it has been demoted: it then counts as long
    however fast the machine computes it."""
    answers: list[QueryResponse] = []
    with frozen(ex):
        thread = threading.Thread(target=lambda: answers.append(run(ex, query)))
        thread.start()
        wait_until(lambda: ex.demotions == 1, "the query is demoted")
    thread.join(60)
    return answers[0]


def test_a_long_query_is_demoted_then_gets_its_priority_back(store: EmbeddedStore) -> None:
    ex = ProcessExecutor(store, timeout=20.0, max_results=MAX, workers=2, demote_after=0.01)
    seen: list[int] = []
    restore = ProcessExecutor._restore

    def spy(worker):  # the worker's niceness and policy at the moment its query ended
        pid = worker.process.pid
        seen.append((os.getpriority(os.PRIO_PROCESS, pid), os.sched_getscheduler(pid)))
        return restore(worker)

    try:
        ex._restore = spy  # type: ignore[method-assign]
        answer = rows(_run_demoted(ex, SLOWISH))
        assert int(answer[0]["n"].split('"')[1]) == len(store) ** 2 * 3
        assert ex.demotions == 1 and seen == [(10, os.SCHED_IDLE)]
        assert ex.settle()
        assert len(ex.worker_pids) == 2  # nothing waited: the pool did not grow
        assert all(os.getpriority(os.PRIO_PROCESS, pid) == 0 for pid in ex.worker_pids)
        assert all(os.sched_getscheduler(pid) == os.SCHED_OTHER for pid in ex.worker_pids)
        assert json.loads(run(ex, "ASK {}").body)["boolean"] is True
    finally:
        ex.close()


def test_a_demoted_worker_that_cannot_be_restored_is_replaced(store: EmbeddedStore) -> None:
    ex = ProcessExecutor(store, timeout=20.0, max_results=MAX, workers=2, demote_after=0.01)
    try:
        ex._restore = lambda worker: False  # type: ignore[method-assign]  # as without privileges
        ex.start()
        before = set(ex.worker_pids)
        _run_demoted(ex, SLOWISH)
        assert ex.demotions == 1
        assert ex.settle()
        after = set(ex.worker_pids)
        assert len(after) == 2 and len(before - after) == 1  # the demoted one was replaced
        assert all(os.getpriority(os.PRIO_PROCESS, pid) == 0 for pid in after)
    finally:
        ex.close()


def test_short_queries_are_never_demoted(store: EmbeddedStore) -> None:
    ex = ProcessExecutor(store, timeout=5.0, max_results=MAX, workers=2, demote_after=2.0)
    try:
        ex.start()
        pids = set(ex.worker_pids)
        for _ in range(5):
            assert json.loads(run(ex, "ASK {}").body)["boolean"] is True
        assert ex.demotions == 0 and set(ex.worker_pids) == pids
    finally:
        ex.close()


def test_messages_to_and_from_workers_pickle_every_field() -> None:
    import pickle

    request = QueryRequest("ASK {}", JSON, ("urn:g",), ("urn:n",), 1.5)
    response = QueryResponse(b"x", JSON, capped=True, count=3, cached=True)
    for message in (request, response):
        assert pickle.loads(pickle.dumps(message, pickle.HIGHEST_PROTOCOL)) == message


def test_requests_and_responses_are_immutable_values() -> None:
    request = QueryRequest("ASK {}", JSON, ("urn:g",))
    assert request == QueryRequest("ASK {}", JSON, ("urn:g",), (), None)
    assert request != QueryRequest("ASK {}", JSON)
    assert hash(request) == hash(QueryRequest("ASK {}", JSON, ("urn:g",)))
    assert repr(request).startswith("QueryRequest(query='ASK {}', media_type=")
    with pytest.raises(AttributeError, match="immutable"):
        request.query = "SELECT * {}"  # type: ignore[misc]
    response = QueryResponse(b"x", JSON, capped=True, count=3)
    again = response.from_cache(TSV)
    assert (again.body, again.media_type, again.capped, again.count, again.cached) == (
        b"x", TSV, True, 3, True
    )
    assert response.cached is False and response != again
    with pytest.raises(TypeError):
        QueryResponse(b"x")  # type: ignore[call-arg]


@pytest.mark.parametrize("keyword", ["FROM", "from", "FrOm"])
def test_a_from_clause_in_any_case_names_the_dataset(keyword: str) -> None:
    from ewkg.query.executor import dataset_arguments

    assert dataset_arguments((), (), query=f"SELECT * {keyword} <{EX}g> {{ ?s ?p ?o }}") == {}
    assert dataset_arguments((), (), query="SELECT * { ?s ?p ?o }") == {
        "use_default_graph_as_union": True
    }


# -- fresh workers for an on-disk store ------------------------------------------------------


def command_line(pid: int) -> list[bytes]:
    """The arguments of process ``pid`` (empty for a moment while it is being exec'd)."""
    deadline = time.monotonic() + 5
    while True:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            argv = cmdline.read().split(b"\0")
        if argv != [b""] or time.monotonic() > deadline:
            return argv
        time.sleep(0.01)


def test_on_disk_workers_are_started_afresh_not_forked(disk_store: EmbeddedStore) -> None:
    ex = ProcessExecutor(disk_store, timeout=5.0, max_results=MAX, workers=2)
    try:
        ex.start()
        for pid in ex.worker_pids:
            argv = command_line(pid)
            assert b"ewkg.query.query_worker" in argv
            assert str(disk_store.location).encode() in argv
        answer = run(ex, f"SELECT ?l {{ <{EX}fujian> <{EX}label> ?l }} ORDER BY ?l", TSV)
        assert rows(answer) == [{"l": '"Fujian"@fr'}, {"l": '"福建"@zh'}]
    finally:
        ex.close()


def test_a_fresh_worker_imports_neither_rdflib_nor_flask() -> None:
    """What keeps it small: only the standard library and pyoxigraph (and ewkg's two modules)."""
    code = (
        "import sys, ewkg.query.query_worker\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    assert {"ewkg", "pyoxigraph"} <= loaded
    heavy = {"rdflib", "flask", "werkzeug", "jinja2", "pyshacl", "click"}
    slow_to_import = {"multiprocessing", "typing", "dataclasses", "json", "argparse"}
    assert not loaded & (heavy | slow_to_import)


@pytest.mark.parametrize("size", [0, 1, 65_535, 65_536, 3 * 1024**2 + 7])
def test_a_bare_pipe_speaks_the_framing_of_multiprocessing(size: int) -> None:
    """A started worker's :class:`~ewkg.query.query_worker.FdPipe` and the server's ``Connection``
    understand each other both ways, small and large messages alike."""
    server, worker = multiprocessing.Pipe(duplex=True)
    bare = FdPipe(worker.fileno())
    payload = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    sender = threading.Thread(target=server.send_bytes, args=(payload,))
    sender.start()
    assert bare.recv_bytes() == payload
    sender.join()
    replier = threading.Thread(target=bare.send_bytes, args=(payload[::-1],))
    replier.start()
    assert server.recv_bytes() == payload[::-1]
    replier.join()
    server.close()
    with pytest.raises(EOFError):
        bare.recv_bytes()
    worker.close()


def test_only_an_on_disk_store_can_have_fresh_workers(
    store: EmbeddedStore, disk_store: EmbeddedStore
) -> None:
    assert ProcessExecutor(store).fresh is False
    assert ProcessExecutor(disk_store).fresh is True
    assert ProcessExecutor(disk_store, fresh=False).fresh is False
    with pytest.raises(ValueError, match="on-disk"):
        ProcessExecutor(store, fresh=True)


def test_forked_workers_still_serve_an_on_disk_store(disk_store: EmbeddedStore) -> None:
    ex = ProcessExecutor(disk_store, timeout=5.0, max_results=MAX, workers=1, fresh=False)
    try:
        ex.start()
        (pid,) = ex.worker_pids
        assert b"ewkg.query.query_worker" not in command_line(pid)
        assert run(ex, f"ASK {{ <{EX}ningxia> ?p ?o }}", CSV).body.strip() == b"true"
    finally:
        ex.close()


def test_the_worker_module_run_by_hand_says_what_it_is_for() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ewkg.query.query_worker"], capture_output=True, text=True,
        timeout=30
    )
    assert done.returncode == 1
    assert "usage: python -m ewkg.query.query_worker FD LOCATION" in done.stderr
    assert "ewkg serve" in done.stderr


def test_a_query_process_that_cannot_start_is_a_server_error_not_the_clients(
    disk_store: EmbeddedStore, tmp_path: Path
) -> None:
    """A started worker that fails on its own (here: its store is gone) is reported as what it
    is, with its exit status, not as the client's query needing too much memory."""
    ex = ProcessExecutor(disk_store, timeout=5.0, max_results=MAX, workers=1)
    ex.store = type("Moved", (), {"location": tmp_path / "gone", "version": "x"})()  # type: ignore[assignment]
    try:
        with pytest.raises(QueryServerError, match=r"exit status 1\b.*server's log"):
            run(ex, "ASK {}")
    finally:
        ex.close()


def test_a_failed_query_process_is_a_500_over_http(tmp_path: Path) -> None:
    data = tmp_path / "a.ttl"
    data.write_text(DATA, encoding="utf-8")
    app = create_app(
        Config(testing=True, data=(data,), store=f"oxigraph:{tmp_path / 'db'}", result_cache=False)
    )
    executor = get_executor(app)
    assert isinstance(executor, ProcessExecutor) and executor.fresh
    executor.store = type("Moved", (), {"location": tmp_path / "gone", "version": "x"})()  # type: ignore[assignment]
    try:
        response = app.test_client().get(
            "/sparql", query_string={"query": "ASK {}"}, headers={"Accept": JSON}
        )
        assert response.status_code == 500
        assert "query process" in response.get_json()["error"]["message"]
    finally:
        executor.close()


# -- long queries: at most max_long at once per server process -------------------------------


def test_one_long_query_too_many_is_stopped_at_once_and_told_busy(store: EmbeddedStore) -> None:
    """Long queries hold request threads: past ``max_long`` of them, one more is stopped as soon
    as it counts as long (not at its time limit), so short queries always find a thread."""
    ex = ProcessExecutor(store, timeout=60.0, max_results=MAX, workers=2, max_long=1)
    outcomes: list[object] = []

    def send(query: str) -> None:
        try:
            outcomes.append(run(ex, query))
        except QueryError as error:
            outcomes.append(error)

    try:
        with frozen(ex):  # stopped workers: both queries run long whatever the machine
            first = threading.Thread(target=send, args=(HEAVY,))
            first.start()
            wait_until(lambda: ex._long == 1, "the first query runs long")
            second = threading.Thread(target=send, args=(HEAVY + " # another text",))
            second.start()
            second.join(60)  # stopped at demote_after, long before the 60 s limit
            assert not second.is_alive() and first.is_alive()
            (busy,) = outcomes
            assert isinstance(busy, QueryBusy) and "busy" in busy.message
            assert ex.shed == 1 and ex._long == 1
        ex.close()  # ends the first one too
        first.join(60)
    finally:
        ex.close()


def test_clients_sharing_a_long_query_are_bounded_too(store: EmbeddedStore) -> None:
    """Each client waiting on a shared evaluation holds a thread: once it has waited long, a
    waiter beyond ``max_long_waiters`` is told busy instead of waiting for its time limit."""
    cache: ResultCache[QueryResponse] = ResultCache(max_bytes=1 << 20)
    ex = ProcessExecutor(
        store, timeout=60.0, max_results=MAX, workers=2, cache=cache, max_long=1,
        max_long_waiters=0,
    )
    outcomes: list[object] = []

    def send() -> None:
        try:
            outcomes.append(run(ex, HEAVY))
        except QueryError as error:
            outcomes.append(error)

    try:
        with frozen(ex):
            leader = threading.Thread(target=send)
            leader.start()
            wait_until(lambda: ex._long == 1, "the shared evaluation runs long")
            waiter = threading.Thread(target=send)
            waiter.start()
            waiter.join(60)
            assert not waiter.is_alive() and leader.is_alive()
            (busy,) = outcomes
            assert isinstance(busy, QueryBusy) and ex.coalesced == 0
        ex.close()
        leader.join(60)
    finally:
        ex.close()


def test_a_waiter_does_not_rerun_a_query_that_timed_out_at_its_own_limit(
    store: EmbeddedStore,
) -> None:
    """The same query sent by two clients with the same limit times out once, for both."""
    cache: ResultCache[QueryResponse] = ResultCache(max_bytes=1 << 20)
    ex = ProcessExecutor(store, timeout=3.0, max_results=MAX, workers=2, cache=cache, max_long=4)
    try:
        with frozen(ex):
            outcomes = _at_once(ex, [QueryRequest(HEAVY, JSON) for _ in range(2)])
        assert all(isinstance(o, QueryTimeout) for o in outcomes), outcomes
        assert ex.kills == 1  # one evaluation, stopped once: the waiter did not run it again
    finally:
        ex.close()


def test_the_default_leaves_short_queries_a_process(store: EmbeddedStore) -> None:
    assert ProcessExecutor(store, workers=2).max_long == 2  # the pool grows by as many
    assert ProcessExecutor(store, workers=2, grow=False).max_long == 1
    assert ProcessExecutor(store, workers=1, grow=False).max_long == 1


def test_a_server_leaves_a_request_thread_to_short_queries(tmp_path: Path) -> None:
    data = tmp_path / "a.ttl"
    data.write_text(DATA, encoding="utf-8")
    config = Config(testing=True, data=(data,), query_workers=2, http_threads=16)
    app = create_app(config)
    executor = get_executor(app)
    assert isinstance(executor, ProcessExecutor)
    assert (executor.max_long, executor.max_long_waiters) == (2, 16 - 2 - 1)
    executor.close()
