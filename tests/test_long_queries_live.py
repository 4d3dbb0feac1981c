"""Long queries never hold every request thread of a live ``ewkg serve`` (issue 12): during
16 long queries (distinct and identical texts), quick queries keep a median under 0.5 s, and
the long ones beyond what the server lets run are told busy at once (503, ``Retry-After``)."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
import urllib.parse
from collections.abc import Iterator

import pytest

from _live import LiveServer

#: A 3-way cartesian COUNT: minutes on the bundled data, so it runs into the time limit.
LONG = "SELECT (COUNT(*) AS ?n) {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} # client {}"
QUICK = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer(["--query-timeout", "8"])
    try:
        yield live
    finally:
        live.stop()


def _get(port: int, query: str, timeout: float = 60.0) -> tuple[int, float, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        started = time.monotonic()
        conn.request("GET", "/sparql?query=" + urllib.parse.quote(query),
                     headers={"Accept": "application/sparql-results+json"})
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - started, dict(response.getheaders())
    finally:
        conn.close()


def test_quick_queries_stay_quick_during_sixteen_long_ones(server: LiveServer) -> None:
    port = server.port
    long_answers: list[tuple[int, float, dict[str, str]]] = []
    lock = threading.Lock()

    def long_client(i: int) -> None:
        text = LONG.format(i % 8)  # 8 distinct texts, each sent twice (shared evaluations too)
        answer = _get(port, text)
        with lock:
            long_answers.append(answer)

    clients = [threading.Thread(target=long_client, args=(i,)) for i in range(16)]
    for client in clients:
        client.start()
    quick: list[float] = []
    statuses: set[int] = set()
    for _ in range(40):  # bounded: 40 quick queries while the long ones are in flight
        status, seconds, _ = _get(port, QUICK)
        statuses.add(status)
        quick.append(seconds)
    for client in clients:
        client.join(120)
    assert statuses == {200}
    assert statistics.median(quick) < 0.5, quick
    assert len(long_answers) == 16 and {s for s, _, _ in long_answers} == {503}
    busy = [h for s, _, h in long_answers if "Retry-After" in h]
    assert busy, "no long query was told busy: they all held their threads to the limit"
