"""The event-driven HTTP front: a gunicorn worker that serves the app on waitress.

gunicorn's threaded workers give each connection a Python thread while it sends its request and
reads its response, so a few peers that send nothing, send their headers a line a second or never
read a large answer hold every thread. waitress (Pylons) reads requests and writes responses in
one ``asyncore`` loop per process: a request reaches a task thread only once it is complete
(bodies are buffered, spilled to a temporary file past 512 KiB), and a response is buffered
(spilled to a temporary file past 1 MiB) so the thread is free as soon as the app returns. Idle
and stalled connections cost a file descriptor, not a thread.

gunicorn keeps what it does well: the master (the app preloaded, the store shared copy-on-write),
the inherited ``fd://`` socket, worker restarts, graceful stop and the worker hooks.
:class:`WaitressWorker` runs waitress's loop on the worker's inherited listening sockets,
heartbeats to the master from that loop, and on SIGTERM stops accepting, closes idle connections
and lets running requests finish (up to gunicorn's ``graceful_timeout``).

Small additions to waitress: a connection whose answer has waited unread for the idle timeout is
closed too (waitress closes idle ones, but only once their socket is writable, which a peer that
reads nothing never makes it: such peers would keep their connection, and, for an answer larger
than the buffer, a request thread, for ever); so is one whose request is still incomplete the idle
timeout after its first byte (headers sent a line a second keep a connection active, never idle);
and the front's own errors
(413 for a body over the limit, chunked or not, 400, 431) say what the limit is, in the app's
plain-text error format, with ``X-Content-Type-Options: nosniff``.

An error answered before the request was read whole ends in a *lingering close*, as Apache and
nginx do: once the answer is sent, the connection's write side is shut and what the client still
sends is read and dropped (for :data:`LINGER_SECONDS` at most) before the socket closes. Closed
at once, a socket with unread input makes the kernel reset the connection, and a client still
sending its body gets "connection reset" instead of the 413 it was sent.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass
from typing import Any

from gunicorn.workers.base import Worker
from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher

from ewkg.web.errors import error_body, preferred_body_type
from ewkg.web.hardening import NOSNIFF, plain_text_safe

#: Headers every answer of the front itself carries (the app adds its own to its answers).
SECURITY_HEADERS = (NOSNIFF,)
#: Seconds a connection whose request was refused may keep sending, its input dropped, before
#: it is closed (see the module docstring).
LINGER_SECONDS = 10.0


@dataclass(frozen=True)
class FrontLimits:
    """The front's limits (see ``ewkg serve --help``)."""

    #: Task threads per HTTP worker: requests being computed at once.
    threads: int = 4
    #: Bytes a request body may hold (Content-Length or chunked); more is a 413.
    max_request_bytes: int = 1_000_000
    #: Bytes the request line and headers may hold together; more is a 431.
    max_header_bytes: int = 262_144
    #: Seconds a connection may stay idle, leave its answer unread or take to send one request.
    idle_timeout: int = 30
    #: Open connections per HTTP worker; past it the worker stops accepting until one closes.
    max_connections: int = 500
    #: Bytes of a response buffered per connection before the app's thread waits for the client.
    response_buffer_bytes: int = 16 * 1024 * 1024

    def adjustments(self, sockets: list[Any]) -> Adjustments:
        """waitress's settings for these limits, serving ``sockets``."""
        return Adjustments(
            sockets=sockets,
            threads=max(1, self.threads),
            max_request_body_size=self.max_request_bytes,
            max_request_header_size=self.max_header_bytes,
            channel_timeout=max(1, self.idle_timeout),
            cleanup_interval=max(1, min(10, self.idle_timeout // 3 or 1)),
            connection_limit=max(1, self.max_connections),
            outbuf_high_watermark=max(1 << 20, self.response_buffer_bytes),
            asyncore_use_poll=True,  # select() cannot watch descriptors past 1023
            ident="ewkg",
            log_socket_errors=False,  # a peer that goes away is not the server's error
            # as gunicorn did (forwarded_allow_ips): a reverse proxy on this machine may say the
            # client used https; any other peer's X-Forwarded-* headers are dropped
            trusted_proxy="127.0.0.1",
            trusted_proxy_count=1,
            trusted_proxy_headers={"x-forwarded-proto"},
            clear_untrusted_proxy_headers=True,
        )


class _ErrorTask(ErrorTask):
    """waitress's own error answers (bad framing, body or headers too large), said plainly, in
    JSON for a client that asks for JSON (as the app's errors)."""

    def execute(self) -> None:
        error = self.request.error
        adj = self.channel.server.adj
        if error.code == 413:
            message = (
                f"the request body is larger than this endpoint accepts (at most "
                f"{adj.max_request_body_size} bytes, chunked or not); send a shorter query"
            )
        elif error.code == 431:
            message = (
                f"the request line and headers are larger than this endpoint accepts (at most "
                f"{adj.max_request_header_size} bytes); send a long query by POST"
            )
        else:
            message = f"the request is not valid HTTP/1.1: {plain_text_safe(str(error.body))}"
        headers = getattr(self.request, "headers", None) or {}
        body_type = preferred_body_type(headers.get("ACCEPT"))
        media_type, body = error_body(error.code, message, body_type)
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend(
            [("Content-Type", media_type), ("Cache-Control", "no-store"), ("Vary", "Accept"),
             *SECURITY_HEADERS]
        )
        self.set_close_on_finish()
        self.channel.linger_on_close = True  # the client may still be sending what was refused
        self.content_length = len(body)
        self.write(body)


class _Channel(HTTPChannel):
    error_task_class = _ErrorTask
    #: When the first byte of the request being read arrived (``time.time()``).
    request_started = 0.0
    #: Whether closing this connection should linger (an error answered before the request was
    #: read whole), and since when it lingers (``time.time()``; ``None``: it does not).
    linger_on_close = False
    lingering_since: float | None = None

    def received(self, data: bytes) -> bool:
        if self.request is None and data:
            self.request_started = time.time()
        return bool(super().received(data))

    def handle_close(self) -> None:
        """Close; after a refused request, first shut the write side and linger."""
        if self.linger_on_close and self.lingering_since is None and self.connected:
            try:
                self.socket.shutdown(socket.SHUT_WR)  # the answer is out: the peer sees its end
            except OSError:
                pass
            else:
                self.lingering_since = time.time()
                self.will_close = self.close_when_flushed = False
                return
        super().handle_close()

    def readable(self) -> bool:
        return True if self.lingering_since is not None else bool(super().readable())

    def writable(self) -> bool:
        return False if self.lingering_since is not None else bool(super().writable())

    def handle_read(self) -> None:
        if self.lingering_since is None:
            super().handle_read()
            return
        # drop what the peer still sends; its end (b"") or an error closes (wasyncore's recv)
        if self.recv(self.adj.recv_bytes):
            self.last_activity = time.time()


class FrontServer(TcpWSGIServer):
    """waitress's TCP server on an inherited listening socket."""

    channel_class = _Channel

    def close_stalled(self, now: float) -> int:
        """Close the connections that stall the server; how many.

        - an answer that has waited unread for the idle timeout: waitress closes idle
          connections by marking them and letting the loop close them once their socket is
          writable, which the socket of a peer that reads nothing never is; a request thread
          waiting for that peer is released (its write fails as a disconnect);
        - a request still incomplete the idle timeout after its first byte: a peer sending its
          headers a line at a time stays active, so waitress never finds it idle;
        - a refused request's connection that has lingered :data:`LINGER_SECONDS`.

        Called from the loop's thread, between two rounds of the loop.
        """
        cutoff = now - self.adj.channel_timeout
        stalled = [
            channel
            for channel in list(self.active_channels.values())
            if (getattr(channel, "lingering_since", None) or now) < now - LINGER_SECONDS
            or (channel.total_outbufs_len and channel.last_activity < cutoff)
            or (
                channel.request is not None
                and not channel.requests
                and getattr(channel, "request_started", now) < cutoff
            )
        ]
        for channel in stalled:
            channel.handle_close()
        return len(stalled)


def serve_sockets(
    app: Any, sockets: list[Any], limits: FrontLimits, socket_map: dict[int, Any]
) -> tuple[list[FrontServer], ThreadedTaskDispatcher]:
    """Start waitress servers for ``app`` on listening ``sockets``, registered in ``socket_map``.

    The caller runs the loop (``wasyncore.loop(map=socket_map, use_poll=True, count=1)``).
    """
    adj = limits.adjustments(sockets)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    servers = [
        FrontServer(
            app,
            map=socket_map,
            _sock=sock,
            dispatcher=dispatcher,
            adj=adj,
            bind_socket=False,
            sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()),
        )
        for sock in sockets
    ]
    return servers, dispatcher


def busy_channels(servers: list[FrontServer]) -> int:
    """Connections with a request running or an answer still being sent; idle ones are closed."""
    busy = 0
    for server in servers:
        for channel in list(server.active_channels.values()):
            if channel.requests or channel.total_outbufs_len:
                busy += 1
            else:
                channel.will_close = True
    return busy


class _Wakeup(wasyncore.file_dispatcher):
    """Drains gunicorn's signal wake-up pipe, so a signal wakes the loop at once."""

    def writable(self) -> bool:
        return False

    def handle_read(self) -> None:
        try:
            while os.read(self._fileno, 4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass


class WaitressWorker(Worker):
    """A gunicorn worker running waitress on inherited sockets (``-k
    ewkg.web.front.WaitressWorker``).

    Its limits come from ``app.front_limits`` (set by ``ewkg serve``), else from gunicorn's
    ``threads`` setting and the defaults of :class:`FrontLimits`.
    """

    def limits(self) -> FrontLimits:
        limits = getattr(self.app, "front_limits", None)
        if isinstance(limits, FrontLimits):
            return limits
        return FrontLimits(threads=self.cfg.threads)

    def run(self) -> None:
        # "Task queue depth is N" is expected under load: requests wait for a task thread.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        socket_map: dict[int, Any] = {}
        servers, dispatcher = serve_sockets(
            self.wsgi, [s.sock for s in self.sockets], self.limits(), socket_map
        )
        wakeup = _Wakeup(self.PIPE[0], map=socket_map)
        interval = servers[0].adj.cleanup_interval if servers else 10
        next_cleanup = time.time() + interval
        next_beat = 0.0
        try:
            while self.alive:
                now = time.time()
                if now >= next_beat:  # once a second: the loop turns once per event
                    next_beat = now + 1.0
                    self.notify()
                    if self.ppid != os.getppid():
                        self.log.info("Parent changed, shutting down: %s", self)
                        break
                wasyncore.loop(timeout=1.0, map=socket_map, use_poll=True, count=1)
                now = time.time()
                if now >= next_cleanup:
                    next_cleanup = now + interval
                    for server in servers:
                        server.close_stalled(now)
            self._drain(servers, socket_map)
        finally:
            dispatcher.shutdown(cancel_pending=True, timeout=1)
            wakeup.close()
            wasyncore.close_all(socket_map)

    def _drain(self, servers: list[FrontServer], socket_map: dict[int, Any]) -> None:
        """Stop accepting, close idle connections, finish running requests (graceful stop)."""
        for server in servers:
            server.accepting = False
            server.del_channel()
        deadline = time.monotonic() + self.cfg.graceful_timeout
        while busy_channels(servers) and time.monotonic() < deadline:
            self.notify()
            wasyncore.loop(timeout=0.5, map=socket_map, use_poll=True, count=1)
        # let the idle connections marked above be closed by the loop
        wasyncore.loop(timeout=0.1, map=socket_map, use_poll=True, count=1)



class AccessLog:
    """WSGI middleware writing one access-log line per request (``ewkg serve --access-log``).

    The line is gunicorn's default format (``h l u t "r" s b "f" "a"``), on gunicorn's access
    logger, which ``ewkg serve`` points at standard output.
    """

    def __init__(self, app: Any, logger: logging.Logger | None = None) -> None:
        self.app = app
        self.logger = logger or logging.getLogger("gunicorn.access")

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        seen: dict[str, str] = {}

        def logging_start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            seen["status"] = status.split(" ", 1)[0]
            seen["length"] = next(
                (v for k, v in headers if k.lower() == "content-length"), "-"
            )
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, logging_start_response)
        finally:
            self._log(environ, seen)

    def _log(self, environ: dict[str, Any], seen: dict[str, str]) -> None:
        query = environ.get("QUERY_STRING")
        target = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
        self.logger.info(
            '%s - - [%s] "%s %s %s" %s %s "%s" "%s"',
            environ.get("REMOTE_ADDR", "-"),
            time.strftime("%d/%b/%Y:%H:%M:%S %z"),
            environ.get("REQUEST_METHOD", "-"),
            target,
            environ.get("SERVER_PROTOCOL", "-"),
            seen.get("status", "-"),
            seen.get("length", "-"),
            environ.get("HTTP_REFERER", "-"),
            environ.get("HTTP_USER_AGENT", "-"),
        )
