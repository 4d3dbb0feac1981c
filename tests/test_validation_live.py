"""``/validate`` on a real ``ewkg serve`` (loopback): chunked bodies over the limit, and heavy
validations that neither hang their clients nor slow the queries of everyone else."""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator

import pytest

from _heavy_turtle import heavy_turtle
from _live import LiveServer

#: Limits of the tests, far from the normal figures (a validation is stopped at 10 s by
#: default; a quick query answers in milliseconds).
ANSWERED_WITHIN = 25.0
QUICK_WITHIN = 2.0
PATIENCE = 120


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer(["--validation-max-results", "5"])
    yield live
    live.stop()


def _request(
    server: LiveServer, method: str, path: str, body: object = None,
    headers: dict[str, str] | None = None, *, chunked: bool = False,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=PATIENCE)
    try:
        connection.request(method, path, body=body, headers=headers or {},
                           encode_chunked=chunked)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _validate(server: LiveServer, body: bytes) -> tuple[int, dict[str, str], bytes]:
    return _request(server, "POST", "/validate", body,
                    {"Content-Type": "text/turtle", "Accept": "application/json"})


def test_live_chunked_body_over_the_limit_is_413(server: LiveServer) -> None:
    valid = b"@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    filler = b"# a comment line, valid Turtle\n" * 100_000  # 3.1 MB
    body = valid + filler + b"this tail is not Turtle\n"
    chunks = iter([body[i:i + 65536] for i in range(0, len(body), 65536)])
    status, _, answer = _request(server, "POST", "/validate", chunks, {
        "Content-Type": "text/turtle", "Accept": "application/json"}, chunked=True)
    assert status == 413  # refused by the front (waitress) before the app, in JSON as asked
    message = json.loads(answer)["error"]["message"]
    assert "larger than" in message and "1000000 bytes" in message


def test_live_chunked_body_within_the_limit_is_validated(server: LiveServer) -> None:
    body = (b"@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
            b"<https://w3id.org/ewkg/id/region/fx> skos:prefLabel \"x\n")
    status, _, answer = _request(server, "POST", "/validate", iter([body[:30], body[30:]]), {
        "Content-Type": "text/turtle", "Accept": "application/json"}, chunked=True)
    assert status == 400 and json.loads(answer)["error"]["message"].startswith("input:2:")


def test_live_the_report_cap_comes_from_the_flag(server: LiveServer) -> None:
    status, headers, answer = _validate(server, heavy_turtle(4))
    assert status == 200 and headers["X-Ewkg-Report-Capped"] == "true"
    report = json.loads(answer)
    assert len(report["violations"]) == 5 and report["total"] > 5


def test_live_heavy_validations_are_answered_and_queries_stay_quick(server: LiveServer) -> None:
    heavy = heavy_turtle(7000)
    results: list[tuple[int, float, bytes] | BaseException] = []
    lock = threading.Lock()
    go = threading.Barrier(5)

    def validate() -> None:
        go.wait(PATIENCE)
        started = time.monotonic()
        try:
            status, _, answer = _validate(server, heavy)
            outcome: tuple[int, float, bytes] | BaseException = (
                status, time.monotonic() - started, answer)
        except BaseException as error:  # noqa: BLE001 - reported below
            outcome = error
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=validate, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    go.wait(PATIENCE)
    latencies: list[float] = []
    deadline = time.monotonic() + PATIENCE
    while any(t.is_alive() for t in threads) and time.monotonic() < deadline:
        query = f"ASK {{ <urn:ewkg:probe:{len(latencies)}> ?p ?o }}"  # never cached
        started = time.monotonic()
        status, _, answer = _request(
            server, "GET", "/sparql?" + urllib.parse.urlencode({"query": query}),
            headers={"Accept": "application/sparql-results+json"})
        latencies.append(time.monotonic() - started)
        assert status == 200 and json.loads(answer)["boolean"] is False
        alive = [t for t in threads if t.is_alive()]
        if alive:
            alive[0].join(1.0)  # one probe a second while they run
    for thread in threads:
        thread.join(PATIENCE)

    assert len(results) == 4
    for outcome in results:
        assert not isinstance(outcome, BaseException), outcome
        status, seconds, answer = outcome
        assert seconds < ANSWERED_WITHIN, (status, seconds)
        if status == 503:  # refused or stopped: says so, in French, Chinese and English
            message = json.loads(answer)["error"]["message"]
            assert "validation timeout" in message or "the server is busy" in message
            assert "服务器繁忙" in message or "校验超时" in message
        else:
            assert status == 200 and json.loads(answer)["capped"] is True
    assert latencies, "no query ran while the validations did"
    assert max(latencies) < QUICK_WITHIN, sorted(latencies)[-5:]
    # the server is still whole: a small validation is answered normally
    assert _validate(server, heavy_turtle(2))[0] == 200
