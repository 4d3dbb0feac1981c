"""Faults and memory of a real ``ewkg serve`` (loopback, bounded): an HTTP worker killed with
``SIGKILL`` takes its query processes with it at once, and heavy queries from every thread at
the same time keep the server's summed memory under ``--memory-budget``."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from _live import LiveServer
from _waiting import wait_until
from ewkg.budget import parse_size
from ewkg.resources import dataset_files

GRAPHS = Path(__file__).parent / "fixtures" / "protocol" / "graphs.trig"
#: 8 triples to the power 10: minutes of work, and very little memory.
LONG = "SELECT (COUNT(*) AS ?n) WHERE { " + " . ".join(
    f"?s{i} ?p{i} ?o{i}" for i in range(10)
) + " }"
PAGE = os.sysconf("SC_PAGE_SIZE")


def stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command name (``None``: no such process)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(") ", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = stat_fields(int(entry.name))
            if fields is not None and int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def gone(pid: int) -> bool:
    fields = stat_fields(pid)
    return fields is None or fields[0] == "Z"


def demoted(pid: int) -> bool:
    """Whether ``pid`` runs at niceness 10: the server demotes a query process whose query
    runs long (``nice`` is the 17th field after the name)."""
    fields = stat_fields(pid)
    return fields is not None and fields[16] == "10"


def ask(server: LiveServer, query: str, timeout: float = 120) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        conn.request("GET", "/sparql?query=" + quote(query),
                     headers={"Accept": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("layout", ["memory", "disk"])
def test_killing_an_http_worker_takes_its_query_processes_at_once(
    layout: str, tmp_path: Path
) -> None:
    """``kill -9`` of an HTTP worker while one of its query processes computes a query with a
    60 s limit: every one of its query processes is gone within seconds (before, the busy one
    lived on until its own alarm, at twice the limit)."""
    store = ["--store", f"oxigraph:{tmp_path / 'db'}"] if layout == "disk" else []
    server = LiveServer(["--workers", "1", "--query-workers", "2", "--query-timeout", "60",
                         "--data", str(GRAPHS), *store])
    orphans: list[int] = []
    try:
        (http_worker,) = children(server.proc.pid)
        def long_query() -> None:
            with contextlib.suppress(OSError, http.client.HTTPException):  # its worker dies
                ask(server, LONG)

        client = threading.Thread(target=long_query, daemon=True)
        client.start()
        wait_until(lambda: any(demoted(p) for p in children(http_worker)),
                   "the long query runs in a query process")
        orphans = children(http_worker)
        assert len(orphans) >= 2
        os.kill(http_worker, signal.SIGKILL)
        deadline = time.monotonic() + 10  # far beyond the moment it takes; far below 121 s
        while not all(gone(p) for p in orphans) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [p for p in orphans if not gone(p)] == []
        client.join(60)
    finally:
        for pid in orphans:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        assert server.stop() == 0


def summed_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants, as ``ps`` would add them up."""
    total = 0
    for each in (pid, *descendants(pid)):
        with (
            contextlib.suppress(FileNotFoundError, ProcessLookupError, IndexError),
            open(f"/proc/{each}/statm") as statm,
        ):
            total += int(statm.read().split()[1]) * PAGE
    return total


def test_heavy_queries_on_every_thread_keep_the_server_under_its_memory_budget() -> None:
    """8 sorted cross joins at once (2 HTTP workers x 4 threads, pools that grow to 4): each
    would take gigabytes; under ``--memory-budget 2G`` the summed RSS of the server's processes
    stays under 2 GiB, and each query is answered with the memory error that names its share
    (or, past the long queries a worker lets run at once, told the server is busy)."""
    budget = "2G"
    server = LiveServer(["--workers", "2", "--threads", "4", "--query-timeout", "60",
                         "--memory-budget", budget,
                         *(f"--data={p}" for p in dataset_files())])
    answers: list[tuple[int, bytes]] = []
    done = threading.Event()
    peak = 0

    def heavy(i: int) -> None:
        query = f"SELECT * {{ ?a ?b ?c{i} . ?d ?e ?f }} ORDER BY ?c{i} ?f ?a ?d"
        try:
            answers.append(ask(server, query))
        except OSError as error:
            answers.append((0, repr(error).encode()))

    try:
        clients = [threading.Thread(target=heavy, args=(i,), daemon=True) for i in range(8)]
        for client in clients:
            client.start()
        watcher = threading.Thread(
            target=lambda: [c.join(300) for c in clients] and done.set(), daemon=True
        )
        watcher.start()
        while not done.wait(0.01):  # sample until every client has its answer
            peak = max(peak, summed_rss(server.proc.pid))
        assert len(answers) == 8, answers
        assert peak < parse_size(budget), f"summed RSS peaked at {peak / 1024**2:.0f} MiB"
        for status, body in answers:
            assert status in (400, 503), body
            message = json.loads(body)["error"]["message"]
            if status == 400:
                assert "more memory than a query may use" in message
            else:
                assert "the server is busy" in message
        assert any(status == 400 for status, _ in answers)
    finally:
        assert server.stop() == 0
