"""The production server: gunicorn's master, waitress in its workers.

gunicorn is embedded through its ``BaseApplication`` API. The Flask app is built once in the
master process (``preload_app``), so the forked workers share the loaded store copy-on-write.
Each worker serves HTTP with waitress (:mod:`ewkg.web.front`): one event loop reads whole requests
and writes buffered responses, so a slow or idle peer holds no thread. The listening socket is
bound here, before gunicorn starts, so that a port in use is a clear error and ``--port 0`` picks a
free port whose URL is printed. SIGTERM and Ctrl-C both drain gracefully: the master stops
accepting, lets running requests finish (up to the query timeout), then exits 0. Gunicorn runs
the app, whose factory put :mod:`ewkg.web.fastpath` (replays repeated read-only responses) and
:mod:`ewkg.web.query_lane` (answers plain query requests) in front of Flask
(:func:`ewkg.web.app.install_front`): every front serves that one stack.

For an external gunicorn, ``gunicorn --preload -k ewkg.web.front.WaitressWorker
'ewkg.web.wsgi:make_app()'`` serves the app configured from ``EWKG_*`` variables.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import signal
import socket
import sys
from dataclasses import dataclass, field, replace
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

from ewkg.config import Config
from ewkg.web.front import FrontLimits
from ewkg.web.services import find_executor


def make_app() -> Flask:
    """The app configured from ``EWKG_*`` variables (for ``gunicorn
    'ewkg.web.wsgi:make_app()'``)."""
    from ewkg.web.app import create_app

    return create_app(Config.from_env())


@dataclass(frozen=True)
class ServerOptions:
    """How to run gunicorn."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    threads: int = 4
    #: Seconds a graceful stop waits for running requests.
    graceful_timeout: float = 30.0
    #: Limits of the HTTP front (body size, idle timeout, connections, response buffer).
    limits: FrontLimits = field(default_factory=FrontLimits)
    access_log: bool = False
    log_level: str = "warning"


class PortInUseError(OSError):
    """The address is taken (or not available on this machine)."""


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (``port`` 0: a free port).

    Raises:
        PortInUseError: the port is taken or the address is not local.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise PortInUseError(e.errno, f"port {port} on {host} is already in use") from None
        raise PortInUseError(e.errno, f"cannot listen on {host}:{port}: {e.strerror}") from None
    sock.set_inheritable(True)
    return sock


def _post_worker_init(worker: Any) -> None:
    # A terminal's Ctrl-C reaches the whole process group: let the master decide (graceful stop)
    # instead of each worker quitting at once.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Warm the query engine up in this freshly forked worker (its own pool of query processes).
    from ewkg.web import engine

    post_fork = getattr(engine, "post_fork", None)
    app = getattr(worker.app, "application", None)
    if post_fork is not None and app is not None:
        post_fork(app)


def _worker_exit(arbiter: Any, worker: Any) -> None:
    """End a worker without running the interpreter's finalization.

    The store was opened in the master before the fork. An on-disk (RocksDB) store's background
    threads do not exist in a forked child, and destroying the inherited handle at exit aborts
    the process ("terminate called after throwing std::system_error", SIGABRT or SIGSEGV);
    freeing a large in-memory store is wasted work. So the worker stops its query processes,
    flushes its output and leaves with the exit code gunicorn was about to use.
    """
    app = getattr(worker.app, "application", None)
    executor = find_executor(app) if app is not None else None
    if executor is not None:
        executor.close()
    error = sys.exc_info()[1]  # called from gunicorn's ``finally``: the SystemExit in flight
    if error is None:
        code = 0
    elif isinstance(error, SystemExit):
        code = error.code if isinstance(error.code, int) else (0 if error.code is None else 1)
    else:
        code = 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


class _Arbiter(Arbiter):
    """Ctrl-C (SIGINT) drains like SIGTERM instead of gunicorn's quick shutdown."""

    def handle_int(self) -> None:
        raise StopIteration


class GunicornApp(BaseApplication):
    """Serve an already built Flask app with gunicorn, on an already bound socket."""

    def __init__(self, app: Flask, sock: socket.socket, options: ServerOptions) -> None:
        self.application = app
        self.sock = sock
        self.options = options
        #: Read by :class:`ewkg.web.front.WaitressWorker`.
        self.front_limits = replace(options.limits, threads=max(1, options.threads))
        super().__init__()

    def load_config(self) -> None:
        o = self.options
        settings: dict[str, Any] = {
            "bind": [f"fd://{self.sock.fileno()}"],
            "workers": max(1, o.workers),
            "threads": max(1, o.threads),
            "worker_class": "ewkg.web.front.WaitressWorker",
            "preload_app": True,
            "graceful_timeout": max(1, round(o.graceful_timeout)),
            # the workers heartbeat from their event loop, which no request blocks, so this only
            # catches a stuck worker; query time is bounded by the engine.
            "timeout": max(30, int(o.graceful_timeout) + 30),
            "loglevel": o.log_level,
            "errorlog": "-",
            "accesslog": "-" if o.access_log else None,
            "proc_name": "ewkg",
            "post_worker_init": _post_worker_init,
            "worker_exit": _worker_exit,
            "control_socket_disable": True,
        }
        for key, value in settings.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Any:
        # The app's own stack: repeated read-only requests replayed (ewkg.web.fastpath), plain query
        # requests answered without Flask (ewkg.web.query_lane), then Flask; the worker hook finds
        # the Flask app itself in ``self.application``.
        app: Any = self.application  # its layers are in place (ewkg.web.app.install_front)
        options = getattr(self, "options", None)  # None: built by a test without options
        if options is not None and options.access_log:
            from ewkg.web.front import AccessLog

            app = AccessLog(app)
        return app

    def run(self) -> None:
        _Arbiter(self).run()


def serve(app: Flask, sock: socket.socket, options: ServerOptions) -> None:
    """Run gunicorn until SIGTERM / Ctrl-C (then exit 0 through ``SystemExit``)."""
    GunicornApp(app, sock, options).run()
