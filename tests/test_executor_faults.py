"""Faults of query processes: they die at once with the server process that started them
(whichever of its threads started them), and a query process killed from outside is reported
as what it is — not as the client's query needing too much memory."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from _waiting import wait_until
from ewkg.config import Config
from ewkg.query.executor import (
    ProcessExecutor,
    QueryError,
    QueryProcessKilledError,
    QueryRequest,
    QueryTimeout,
)
from ewkg.store.embedded import EmbeddedStore
from ewkg.web.app import create_app
from ewkg.web.engine import get_executor

EX = "http://example.org/"
JSON = "application/sparql-results+json"
DATA = "".join(f'<{EX}n{i}> <{EX}label> "n{i}" .\n' for i in range(300))
#: Runs for minutes on 300 triples.
HEAVY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    path = tmp_path_factory.mktemp("faults") / "many.nt"
    path.write_text(DATA, encoding="utf-8")
    return [path]


@pytest.fixture(scope="module", params=["memory", "disk"])
def any_store(
    request: pytest.FixtureRequest, files: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> EmbeddedStore:
    """Forked workers (in memory), then started ones (on disk)."""
    if request.param == "memory":
        return EmbeddedStore(files)
    return EmbeddedStore(files, path=str(tmp_path_factory.mktemp("faults-db") / "db"))


def gone(pid: int) -> bool:
    """Whether ``pid`` has ended (a zombie waiting to be reaped by init counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(") ", 1)[1].startswith("Z")
    except FileNotFoundError:
        return True


def run(ex: ProcessExecutor, query: str) -> object:
    return ex.execute(QueryRequest(query, JSON))


def test_a_worker_started_by_a_thread_that_ends_lives_on(any_store: EmbeddedStore) -> None:
    """Linux sends a parent-death signal when the *thread* that forked a process exits: the
    replacement of a timed-out worker is started from a background thread that ends at once,
    yet the replacement lives on and answers."""
    ex = ProcessExecutor(any_store, timeout=10.0, workers=1, cache=None)
    try:
        ex.start()
        (worker,) = ex._workers
        ex._retire(worker, wait=False)  # replaced from an "ewkg-worker-replace" thread
        assert ex.settle(60)
        for thread in threading.enumerate():
            if thread.name == "ewkg-worker-replace":
                thread.join(60)
        (replacement,) = ex._workers
        assert replacement is not worker
        assert replacement.process.is_alive()
        assert run(ex, "ASK {}").count == 1  # type: ignore[attr-defined]
        assert ex._workers == {replacement}  # the same one: it was never found dead
    finally:
        ex.close()


def test_every_worker_is_started_by_the_one_long_lived_starter_thread(
    any_store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first workers (started by the caller's thread) and a replacement (a background
    thread that ends at once) alike: a parent-death signal then means the process died."""
    import ewkg.query.executor

    starters: list[str] = []
    real = ewkg.query.executor._start_process

    def spy(job: Callable[[], object]) -> object:
        return real(lambda: (starters.append(threading.current_thread().name), job())[1])

    monkeypatch.setattr(ewkg.query.executor, "_start_process", spy)
    ex = ProcessExecutor(any_store, timeout=10.0, workers=2, cache=None)
    try:
        ex.start()
        ex._retire(next(iter(ex._workers)), wait=False)
        assert ex.settle(60)
        assert starters == ["ewkg-worker-starter"] * 3
    finally:
        ex.close()


def _executor_then_die(store: EmbeddedStore, conn: object) -> None:
    """In a child process: start a pool with a long deadline, send its pids, run a runaway
    query in a request thread, then wait to be killed."""
    ex = ProcessExecutor(store, timeout=60.0, workers=2, cache=None, demote_after=0.05)
    ex.start()
    conn.send(ex.worker_pids)  # type: ignore[attr-defined]
    threading.Thread(target=lambda: pytest.raises(QueryTimeout, run, ex, HEAVY)).start()
    while ex.demotions == 0:  # the runaway is running
        time.sleep(0.01)
    conn.send("busy")  # type: ignore[attr-defined]
    time.sleep(600)  # killed long before


def test_workers_die_at_once_with_their_server_process_even_mid_query(
    any_store: EmbeddedStore,
) -> None:
    """A server process killed outright (SIGKILL) while one of its workers computes a query
    with a 60 s deadline: the busy worker goes at once (its parent-death signal), not when its
    own alarm rings at twice the deadline, and the idle one with it."""
    ctx = multiprocessing.get_context("fork")
    here, there = ctx.Pipe()
    server = ctx.Process(target=_executor_then_die, args=(any_store, there))
    server.start()
    try:
        assert here.poll(60)
        pids = here.recv()
        assert here.poll(60) and here.recv() == "busy"
        server.kill()
        server.join(60)
        deadline = time.monotonic() + 10  # the alarm would end the busy one only after 121 s
        while not all(gone(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(gone(pid) for pid in pids)
    finally:
        for pid in pids if "pids" in locals() else []:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _kill_busy_worker(ex: ProcessExecutor) -> threading.Thread:
    """Run :data:`HEAVY` in a thread and SIGKILL its worker once the query is running."""
    errors: list[BaseException] = []

    def query() -> None:
        try:
            run(ex, HEAVY)
        except BaseException as error:  # noqa: BLE001 - looked at by the test
            errors.append(error)

    ex.start()
    thread = threading.Thread(target=query)
    thread.errors = errors  # type: ignore[attr-defined]
    thread.start()
    wait_until(lambda: ex.demotions == 1, "the query runs in its worker")
    (busy,) = [w for w in ex._workers if w.io_lock.locked()]
    assert busy.process.pid is not None
    os.kill(busy.process.pid, signal.SIGKILL)
    thread.join(60)
    return thread


def test_a_query_process_killed_from_outside_is_not_blamed_on_the_query(
    any_store: EmbeddedStore,
) -> None:
    ex = ProcessExecutor(any_store, timeout=60.0, workers=1, cache=None, demote_after=0.05)
    try:
        (error,) = _kill_busy_worker(ex).errors  # type: ignore[attr-defined]
        assert isinstance(error, QueryProcessKilledError)
        assert "killed from outside" in error.message and "try again" in error.message
        assert "out-of-memory killer" in error.message
        assert "more memory than a query may use" not in error.message
        assert ex.settle(60)
        assert run(ex, "ASK {}").count == 1  # type: ignore[attr-defined]
    finally:
        ex.close()


def test_a_query_over_its_memory_limit_is_still_the_clients_error(
    any_store: EmbeddedStore,
) -> None:
    """The same exit, seen from the pipe, but by SIGABRT (an allocation failed at the limit):
    a 400 that names the limit."""
    ex = ProcessExecutor(any_store, timeout=60.0, workers=1, memory_headroom=200 * 1024**2,
                         demote_after=None)  # not demoted: it allocates, whatever else runs
    try:
        hungry = "SELECT * { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z } ORDER BY ?a ?b ?c ?x ?y ?z"
        with pytest.raises(QueryError) as caught:
            run(ex, hungry)
        assert not isinstance(caught.value, QueryProcessKilledError)
        assert "more memory than a query may use (200 MiB)" in caught.value.message
    finally:
        ex.close()


def test_a_killed_query_process_is_a_500_that_says_so_over_http(files: list[Path]) -> None:
    app = create_app(Config(testing=True, data=tuple(files), result_cache=False))
    ex = get_executor(app)
    assert isinstance(ex, ProcessExecutor)
    ex.demote_after = 0.05
    answers: list[tuple[int, dict[str, object]]] = []

    def query() -> None:
        response = app.test_client().get(
            "/sparql", query_string={"query": HEAVY}, headers={"Accept": "application/json"}
        )
        answers.append((response.status_code, response.get_json()))

    try:
        ex.start()
        thread = threading.Thread(target=query)
        thread.start()
        wait_until(lambda: ex.demotions == 1, "the query runs in its worker")
        (busy,) = [w for w in ex._workers if w.io_lock.locked()]
        os.kill(busy.process.pid, signal.SIGKILL)  # type: ignore[arg-type]
        thread.join(60)
        ((status, body),) = answers
        assert status == 500
        message = body["error"]["message"]  # type: ignore[index]
        assert "query process was killed from outside" in message and "try again" in message
    finally:
        ex.close()
