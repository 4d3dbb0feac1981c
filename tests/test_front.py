"""The HTTP front of ``ewkg serve`` (:mod:`ewkg.web.front`) against hostile and odd clients, live.

A server that is safe to expose reads requests and writes responses without holding a thread per
slow peer: idle connections, headers sent a line a second and clients that never read a large
answer must not delay anyone else's quick query. Bodies over the limit are refused whether they
come with a ``Content-Length`` or chunked. Every loop here is bounded, every socket closed.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any
from urllib.parse import quote

import pytest

from _live import LiveServer

#: The bound on a quick query's answer under attack; it normally takes milliseconds.
QUICK_BOUND = 2.0
IDLE, SLOW_HEADERS, NON_READING = 24, 8, 8


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    # the default layout: 2 workers of 4 request threads, 8 in all
    server = LiveServer(["--workers", "2", "--threads", "4", "--max-request-bytes", "4000"])
    yield server
    server.stop()


def _connect(port: int, *, small_receive_buffer: bool = False) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if small_receive_buffer:  # so that an unread answer fills the path at once
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(30)
    sock.connect(("127.0.0.1", port))
    return sock


def _quick_ask(port: int, n: int) -> tuple[int, float]:
    """Status and seconds of one uncached ASK on a fresh connection."""
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        query = quote(f'ASK {{ ?s ?p "front-{n}-{time.time_ns()}" }}')
        conn.request("GET", f"/sparql?query={query}",
                     headers={"Accept": "application/sparql-results+json"})
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        conn.close()


def test_quick_queries_are_answered_while_40_hostile_clients_hold_connections(
    live: LiveServer,
) -> None:
    stop = threading.Event()
    with ExitStack() as stack:
        hostile: list[socket.socket] = []
        for _ in range(IDLE):  # connect and send nothing
            hostile.append(stack.enter_context(_connect(live.port)))
        for _ in range(NON_READING):  # ask for the whole dataset and never read it
            sock = stack.enter_context(_connect(live.port, small_receive_buffer=True))
            sock.sendall(b"GET /dataset.nt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            hostile.append(sock)
        slow = [stack.enter_context(_connect(live.port)) for _ in range(SLOW_HEADERS)]
        hostile += slow

        def trickle() -> None:  # one header line a second, each connection, until told to stop
            for sock in slow:
                sock.sendall(b"GET /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            for line in range(120):
                if stop.wait(1):
                    return
                for sock in slow:
                    try:
                        sock.sendall(b"X-Slow-%d: 1\r\n" % line)
                    except OSError:
                        return

        sender = threading.Thread(target=trickle, daemon=True)
        sender.start()
        stack.callback(sender.join, 30)
        stack.callback(stop.set)
        assert len(hostile) == 40
        answers = [_quick_ask(live.port, n) for n in range(24)]
        stop.set()
    assert all(status == 200 for status, _ in answers), answers
    slowest = max(seconds for _, seconds in answers)
    assert slowest < QUICK_BOUND, f"a quick query waited {slowest:.2f} s: {answers}"


def test_a_client_that_never_reads_does_not_hold_a_request_thread(live: LiveServer) -> None:
    """More non-reading clients than the server has request threads: queries still pass.

    Each asks for the whole dataset five times in a row (pipelined), more than the kernel's
    socket buffers hold, and reads nothing.
    """
    with ExitStack() as stack:
        for _ in range(12):  # 8 request threads in all
            sock = stack.enter_context(_connect(live.port, small_receive_buffer=True))
            sock.sendall(b"GET /dataset.nt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 5)
        answers = [_quick_ask(live.port, 1000 + n) for n in range(8)]
    assert all(status == 200 and seconds < QUICK_BOUND for status, seconds in answers), answers


def _exchange(port: int, request: bytes) -> bytes:
    """Send ``request`` whole, then read the answer until the server closes or 30 s pass."""
    with _connect(port) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def _chunked(body: bytes, content_type: str, *, trailer: bytes = b"") -> bytes:
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + 1000]), body[i : i + 1000])
        for i in range(0, len(body), 1000)
    )
    announce = b"Trailer: x\r\n" if trailer else b""
    return (
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Accept: application/sparql-results+json\r\nContent-Type: " + content_type.encode()
        + b"\r\nTransfer-Encoding: chunked\r\n" + announce + b"\r\n" + chunks + b"0\r\n"
        + trailer + b"\r\n"
    )


def test_a_chunked_body_over_the_limit_is_413(live: LiveServer) -> None:
    body = b"query=" + quote("ASK {} #" + "a" * 6000).encode()
    answer = _exchange(live.port, _chunked(body, "application/x-www-form-urlencoded"))
    head, _, text = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b"at most 4000 bytes" in text
    assert b"x-content-type-options: nosniff" in head.lower()


def test_a_body_over_the_limit_with_content_length_is_413(live: LiveServer) -> None:
    body = b"query=" + b"a" * 6000
    answer = _exchange(
        live.port,
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s"
        % (len(body), body),
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
    assert b"at most 4000 bytes" in answer


def test_a_chunked_form_post_is_read_whole(live: LiveServer) -> None:
    body = b"query=" + quote("ASK { ?s ?p ?o } #" + "a" * 2000).encode()
    answer = _exchange(live.port, _chunked(body, "application/x-www-form-urlencoded"))
    assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
    assert b'"boolean":true' in answer


@pytest.mark.parametrize("trailer", [b"x: 1\r\n", b"Trailer: x\r\n"])
def test_a_chunked_body_with_a_trailer_is_answered(live: LiveServer, trailer: bytes) -> None:
    answer = _exchange(
        live.port, _chunked(b"ASK { ?s ?p ?o }", "application/sparql-query", trailer=trailer)
    )
    assert answer.startswith(b"HTTP/1.1 200"), answer[:300]


def test_every_answer_says_nosniff(live: LiveServer) -> None:
    for path in ("/", "/sparql?query=ASK%7B%7D", "/sparql?query=ASK%7B%7D", "/no/such/page",
                 "/sparql?query=nonsense", "/static/ewkg.css"):
        conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            assert response.getheader("X-Content-Type-Options") == "nosniff", path
        finally:
            conn.close()


def _server_holds(server: LiveServer, client_port: int) -> bool:
    """Whether a process of ``server`` still holds its end of the client's connection."""
    import psutil

    master = psutil.Process(server.proc.pid)
    for process in [master, *master.children(recursive=True)]:
        try:
            connections = process.net_connections(kind="tcp")
        except psutil.NoSuchProcess:
            continue
        if any(c.raddr and c.raddr.port == client_port for c in connections):
            return True
    return False


def _taken(server: LiveServer, client_port: int) -> bool:
    """Wait until the server has taken the client's connection (on a busy machine waitress
    accepts it a moment later); whether it did within 60 s (bounded: a look every 0.1 s)."""
    for _ in range(600):
        if _server_holds(server, client_port):
            return True
        threading.Event().wait(0.1)
    return False


def test_an_answer_left_unread_is_dropped_after_the_idle_timeout() -> None:
    """A peer that never reads its answers loses its connection after the idle timeout: the
    server does not keep it (a descriptor, the buffered answers) for ever. It asks for the
    dataset five times (pipelined), more than the kernel buffers, and reads nothing."""
    server = LiveServer(["--workers", "1", "--idle-timeout", "1"])
    try:
        with _connect(server.port, small_receive_buffer=True) as sock:
            sock.sendall(b"GET /dataset.nt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 5)
            client_port = sock.getsockname()[1]
            held = [_taken(server, client_port)]
            for _ in range(60):  # then it lets it go: the timeout is 1 s, clean-up every 1 s
                if not held[-1]:
                    break
                threading.Event().wait(1)
                held.append(_server_holds(server, client_port))
        assert held[0] and not held[-1], held
    finally:
        server.stop()


def test_serve_passes_its_flags_to_the_front(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from ewkg.cli.commands import serve as serve_command
    from ewkg.web.front import FrontLimits

    seen: dict[str, FrontLimits] = {}
    def fake_serve(app: object, sock: socket.socket, options: Any) -> None:
        sock.close()
        seen["l"] = options.limits

    monkeypatch.setattr("ewkg.web.wsgi.serve", fake_serve)
    result = CliRunner().invoke(
        serve_command.serve,
        ["--port", "0", "--threads", "3", "--max-request-bytes", "5000", "--idle-timeout", "9",
         "--max-connections", "77"],
    )
    assert result.exit_code == 0, result.output
    limits = seen["l"]
    assert (limits.threads, limits.max_request_bytes, limits.idle_timeout) == (3, 5000, 9)
    assert limits.max_connections == 77


def test_access_log_writes_one_line_per_request(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from werkzeug.test import Client
    from werkzeug.wrappers import Response

    from ewkg.web.front import AccessLog

    app = AccessLog(Response("hi"), logging.getLogger("test.access"))
    with caplog.at_level(logging.INFO, logger="test.access"):
        Client(app).get("/sparql?query=x", headers={"User-Agent": "probe"})
    (line,) = [r.getMessage() for r in caplog.records]
    assert '"GET /sparql?query=x HTTP/1.1" 200 2 "-" "probe"' in line


def test_headers_sent_a_line_a_second_are_cut_off_after_the_idle_timeout() -> None:
    """A request must arrive whole within the idle timeout of its first byte: a peer trickling
    header lines stays active, yet loses its connection."""
    server = LiveServer(["--workers", "1", "--idle-timeout", "2"])
    try:
        with _connect(server.port) as sock:
            sock.sendall(b"GET /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            client_port = sock.getsockname()[1]
            held = [_taken(server, client_port)]
            for line in range(30):  # a line a second; the server should give up after ~2-4 s
                threading.Event().wait(1)
                with contextlib.suppress(OSError):  # reset by the server
                    sock.sendall(b"X-Slow-%d: 1\r\n" % line)
                held.append(_server_holds(server, client_port))
                if not held[-1]:
                    break
        assert held[0] and not held[-1], held
    finally:
        server.stop()


def test_a_client_still_sending_a_refused_body_reads_the_413(live: LiveServer) -> None:
    """Lingering close: the front refuses at the headers (Content-Length over the limit), and a
    client that goes on sending its body is not reset: its data is read and dropped, then its
    end of stream closes the connection normally. Closed at once, the socket would answer the
    body with a reset (the 413 of a slower client would be lost)."""
    sock = _connect(live.port)
    with sock:
        size = 3_000_000
        sock.sendall(b"POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/turtle"
                     b"\r\nContent-Length: %d\r\n\r\n" % size)
        answer = b""
        while chunk := sock.recv(65536):  # the whole answer, up to the front's end of stream
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 413 ")
        sock.sendall(b"x" * size)  # the rest of the refused body: read and dropped, no reset
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(65536) == b""  # then a normal close


def test_a_lingering_connection_is_closed_after_the_linger_time() -> None:
    """A refused client that keeps its connection open is closed once it has lingered
    LINGER_SECONDS (by the maintenance pass), not before."""
    from types import SimpleNamespace

    from ewkg.web.front import LINGER_SECONDS, FrontServer

    closed: list[str] = []
    now = 1_000_000.0

    def channel(name: str, lingering_since: float | None) -> SimpleNamespace:
        return SimpleNamespace(lingering_since=lingering_since, total_outbufs_len=0,
                               last_activity=now, request=None, requests=[],
                               handle_close=lambda: closed.append(name))

    server = SimpleNamespace(adj=SimpleNamespace(channel_timeout=30), active_channels={
        1: channel("long", now - LINGER_SECONDS - 1),
        2: channel("recent", now - 1),
        3: channel("not lingering", None),
    })
    assert FrontServer.close_stalled(server, now) == 1  # type: ignore[arg-type]
    assert closed == ["long"]
