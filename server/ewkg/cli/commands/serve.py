"""``ewkg serve``: the SPARQL endpoint and the linked data on a production WSGI server."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ewkg.cli.commands.validation_options import validation_options
from ewkg.config import Config

if TYPE_CHECKING:  # pragma: no cover
    from flask import Flask


class DataError(click.ClickException):
    """Unreadable input (a dataset that does not load, a port in use): exit 2."""

    exit_code = 2


def load_error_message(error: BaseException) -> str:
    """A one-line, located message for a dataset that cannot be loaded."""
    lineno = getattr(error, "lineno", None)
    offset = getattr(error, "offset", None)
    where = f" (line {lineno}, column {offset})" if lineno else ""
    return f"cannot load the data: {error}{where}"


def _memory_budget(value: str | None) -> int | None:
    """``--memory-budget``'s size in bytes (``None``: not given)."""
    from ewkg.budget import parse_size

    try:
        return None if value is None else parse_size(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


def build_config(*, data: Iterable[str | Path] = (), **options: Any) -> Config:
    """``Config`` from ``EWKG_*`` variables, then the flags that were given."""
    if data:
        options["data"] = tuple(Path(p) for p in data)
    return Config.from_env(None, **options)


def open_app(config: Config) -> Flask:
    """Build the app, turning a broken dataset into a usage error (exit 2)."""
    from ewkg.store.embedded import StoreError
    from ewkg.web.app import create_app

    try:
        return create_app(config)
    except StoreError as e:  # already one line naming the store and what to do
        raise DataError(str(e)) from None
    except (SyntaxError, ValueError, OSError) as e:
        raise DataError(load_error_message(e)) from None


@click.command(
    epilog="""\b
Examples:
  ewkg serve                               # the bundled dataset on http://127.0.0.1:8000/
  ewkg serve --port 0                      # any free port (the URL is printed)
  ewkg serve --data my.ttl --data more.ttl # these files instead of the bundle
  EWKG_QUERY_TIMEOUT=5 ewkg serve --workers 4
  ewkg serve --store oxigraph:big.db --data big.nt --workers 1 --query-workers 2
                                           # large data on disk, few processes

\b
Exit codes: 0 stopped by Ctrl-C or SIGTERM (running requests are drained first);
2 the port is in use, a --data file is missing or is not valid RDF, the on-disk store
cannot be opened, or --memory-budget is not a size.
"""
)
@click.option("--host", default="127.0.0.1", show_default=True, envvar="EWKG_HOST",
              help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              envvar="EWKG_PORT", help="Port to listen on (0: any free port).")
@click.option("--data", "data", multiple=True, metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="RDF file to serve instead of the bundled dataset (repeat for several).")
@click.option("--store", default=None, metavar="STORE",
              help="memory (default), oxigraph:PATH (on disk) or a remote SPARQL URL.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              envvar="EWKG_WORKERS", help="Worker processes.")
@click.option("--threads", type=click.IntRange(1, 256), default=4, show_default=True,
              envvar="EWKG_THREADS",
              help="Request threads per worker: requests computed at once (connections are "
                   "read and written by an event loop, not by these threads; long queries and "
                   "clients waiting on them may hold all but one).")
@click.option("--query-workers", type=click.IntRange(1, 64), default=None,
              envvar="EWKG_QUERY_WORKERS",
              help="Query processes per worker (default: one per core, at least 2).")
@click.option("--query-timeout", type=click.FloatRange(0.1, 3600), default=None,
              help="Seconds a query may run before it is stopped (default 10).")
@click.option("--memory-budget", default=None, metavar="SIZE", envvar="EWKG_MEMORY_BUDGET",
              callback=lambda _c, _p, v: _memory_budget(v),
              help="Memory the whole server may hold (summed RSS), shared out between its "
                   "query processes: 4G, 1.5GiB, 512M; 0: none (default: half the machine's).")
@click.option("--max-long-queries", type=click.IntRange(1, 256), default=None,
              help="Queries per worker that may run long (past 0.1 s) at once; one more is "
                   "stopped with 503 busy, so short queries always find a thread (default: "
                   "the query processes per worker).")
@click.option("--max-request-bytes", type=click.IntRange(1), default=None,
              help="Bytes a request body may hold, chunked or not (default 1000000; more: 413).")
@click.option("--idle-timeout", type=click.IntRange(1, 3600), default=None,
              help="Seconds a connection may stay idle, leave its answer unread, or take to send "
                   "one request, before it is closed (default 30).")
@click.option("--max-connections", type=click.IntRange(1, 100_000), default=None,
              help="Open connections per worker; past it new ones wait (default 500).")
@click.option("--base-iri", default=None, help="Public base the /id/… paths map to.")
@click.option("--access-log/--no-access-log", default=False, help="Log every request.")
@validation_options
def serve(
    host: str,
    port: int,
    data: tuple[Path, ...],
    store: str | None,
    workers: int,
    threads: int,
    query_workers: int | None,
    query_timeout: float | None,
    memory_budget: int | None,
    max_long_queries: int | None,
    max_request_bytes: int | None,
    idle_timeout: int | None,
    max_connections: int | None,
    base_iri: str | None,
    access_log: bool,
    **validation: float | int | None,
) -> None:
    """Serve the SPARQL 1.1 endpoint, the query UI and the linked data.

    Serves the bundled ontology and data (or the --data files) from memory on
    gunicorn workers running waitress (slow clients hold no thread); prints the URL;
    Ctrl-C or SIGTERM stops it gracefully.
    """
    from ewkg.web.front import FrontLimits
    from ewkg.web.services import get_store
    from ewkg.web.wsgi import PortInUseError, ServerOptions, bind_socket
    from ewkg.web.wsgi import serve as run_server

    config = build_config(data=data, store=store, query_timeout=query_timeout,
                          base_iri=base_iri, memory_budget=memory_budget, http_workers=workers,
                          max_long_queries=max_long_queries, http_threads=threads,
                          max_request_bytes=max_request_bytes, idle_timeout=idle_timeout,
                          max_connections=max_connections, **validation)
    if query_workers is not None:
        config = replace(config, query_workers=query_workers)
    try:
        sock = bind_socket(host, port)
    except PortInUseError as e:
        raise DataError(f"{e.strerror}; choose another with --port") from None
    app = open_app(config)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    url = f"http://{shown}:{bound_port}/"
    store_obj = get_store(app)
    click.echo(f"ewkg serving {len(store_obj)} triples on {url}  (SPARQL: {url}sparql)")
    click.echo("Ctrl-C to stop.")
    sys.stdout.flush()
    options = ServerOptions(
        host=host, port=bound_port, workers=workers, threads=threads,
        graceful_timeout=config.query_timeout + 5, access_log=access_log,
        limits=FrontLimits(
            threads=threads,
            max_request_bytes=config.max_request_bytes,
            idle_timeout=config.idle_timeout,
            max_connections=config.max_connections,
            response_buffer_bytes=config.response_buffer_bytes,
        ),
    )
    run_server(app, sock, options)
