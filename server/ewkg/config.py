"""Server configuration: one frozen dataclass, from CLI flags and ``EWKG_*`` variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Config:
    """Everything the app factory needs. Defaults are the safe public-endpoint defaults."""

    #: RDF files to serve instead of the bundled dataset (empty: the bundle).
    data: tuple[Path, ...] = ()
    #: ``memory`` (default), ``oxigraph:PATH`` (on-disk), or a remote ``http(s)://…/sparql`` URL.
    store: str = "memory"
    #: The public base the ``/id/…`` paths map to.
    base_iri: str = "https://w3id.org/ewkg/"
    #: Seconds a query may run before it is stopped.
    query_timeout: float = 10.0
    #: Rows (or triples) a result may hold before it is capped.
    max_results: int = 10_000
    #: Bytes a request body may hold.
    max_request_bytes: int = 1_000_000
    #: Bytes a query string may hold.
    max_query_bytes: int = 100_000
    #: Seconds a connection may stay idle, leave its answer unread or take to send one request.
    idle_timeout: int = 30
    #: Open connections per HTTP worker (``ewkg serve``); past it, new ones wait in the backlog.
    max_connections: int = 500
    #: Bytes of one response buffered for a slow reader before the app's thread waits for it.
    response_buffer_bytes: int = 16 * 1024 * 1024
    #: Cache query results keyed by (query, format, dataset version).
    result_cache: bool = True
    #: Bytes of memory (summed RSS) the whole server may hold: its query processes share it
    #: out (``None``: half the machine's memory or cgroup limit; ``0``: no budget). See
    #: :mod:`ewkg.budget`. ``EWKG_MEMORY_BUDGET`` takes sizes such as ``4G`` or ``512M``.
    memory_budget: int | None = None
    #: HTTP worker processes, each with its own pool of query processes (``ewkg serve
    #: --workers``): the memory budget is shared out between them.
    http_workers: int = 1
    #: Queries of one HTTP worker that may run long (past 0.1 s) at once; one more is stopped
    #: and answered 503 "busy" (``None``: its pool's size, less one if the pool cannot grow).
    max_long_queries: int | None = None
    #: Request threads of each HTTP worker (``ewkg serve --threads``; ``None``: not a server).
    #: Clients waiting long for a query another client runs may hold all but one of them,
    #: less the long queries' own; one more is answered 503 busy.
    http_threads: int | None = None
    #: Seconds a ``/validate`` request may take, waiting for a free slot included.
    validation_timeout: float = 10.0
    #: Validations that may run at once, in the whole server.
    validation_workers: int = 2
    #: Validations that may wait for one of those; more are refused (503, ``Retry-After``).
    validation_queue: int = 4
    #: MiB a validation may allocate beyond what its process starts with (0: unbounded).
    validation_memory: int = 1024
    #: Results a ``/validate`` report lists at most (it still counts them all; 0: no cap).
    validation_max_results: int = 1000
    #: Public host names the server answers to (``EWKG_PUBLIC_HOSTS``, comma-separated): the
    #: replay cache (:mod:`ewkg.web.fastpath`) keeps answers only for these, the loopback names and
    #: the host of ``base_iri``.
    public_hosts: tuple[str, ...] = ()
    #: Query processes per pool (``None``: one per core, at least 2; see
    #: :mod:`ewkg.query.executor`).
    query_workers: int | None = None
    #: Bytes one query may allocate at most (``None``: 2 GiB; ``0``: unbounded).
    query_memory_bytes: int | None = None
    #: Seconds after which a running query's process is reniced and counts as long (``None``:
    #: 0.1 s; ``0``: never, every query keeps its priority whatever else the machine runs).
    query_demote_after: float | None = None
    #: Bytes of query results cached per server process (``None``: 64 MiB).
    result_cache_bytes: int | None = None
    #: Bytes of whole responses the fast path replays (``None``: 32 MiB; ``0``: off).
    fastpath_bytes: int | None = None
    #: ``Cache-Control: max-age`` of cacheable answers, in seconds (``None``: 300).
    cache_max_age: int | None = None
    testing: bool = False

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Config:
        """Read ``EWKG_<FIELD>`` variables, then apply ``overrides`` (flags win)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"EWKG_{f.name.upper()}")
            if raw is None or f.name == "testing":
                continue
            if f.name == "data":
                values["data"] = tuple(Path(p) for p in raw.split(os.pathsep) if p)
            elif f.name == "public_hosts":
                values[f.name] = tuple(h.strip() for h in raw.split(",") if h.strip())
            elif f.name == "memory_budget":
                from ewkg.budget import parse_size

                values[f.name] = parse_size(raw)
            elif f.type in ("float", "float | None"):
                values[f.name] = float(raw)
            elif f.type in ("int", "int | None"):
                values[f.name] = int(raw)
            elif f.type in ("bool",):
                values[f.name] = raw.lower() in {"1", "true", "yes", "on"}
            else:
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return replace(cls(), **values)
