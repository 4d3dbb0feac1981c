"""Attach the query engine to the app: ``app.extensions['ewkg.executor']``.

The executor fits the store: a :class:`~ewkg.executor.ProcessExecutor` (killable worker
processes) for the embedded store, a :class:`~ewkg.remote_store.RemoteExecutor` for a remote
SPARQL store. Worker processes start on the first query in whichever process runs it, so the same
app works under the Flask test client, ``flask run`` and gunicorn (``--workers N``, threads,
``--preload``): each gunicorn worker forks its own pool. :func:`post_fork` starts a pool eagerly
(a gunicorn ``post_fork`` hook may call it to spare the first query the fork).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from .budget import default_budget
from .config import Config
from .executor import (
    DEFAULT_DEMOTE_AFTER,
    DEFAULT_MEMORY_HEADROOM,
    Executor,
    ProcessExecutor,
    make_cache,
)

#: Seconds remote results stay cached (the remote data may change without us knowing).
REMOTE_CACHE_TTL = 60.0


def make_executor(config: Config, store: Any) -> Executor:
    """The executor for ``store`` with the configuration's timeout, cap and cache.

    ``config.extra`` may hold ``query_workers`` (pool size, default one per core, at least 2),
    ``query_memory_bytes`` (what one query may allocate at most, default 2 GiB; 0: unbounded)
    and ``result_cache_bytes`` (default 64 MiB). ``config.memory_budget`` (default: half the
    machine's memory) is shared out between the ``config.http_workers`` pools' query processes,
    which lowers that headroom, or the pools' size and growth, to fit (:mod:`ewkg.budget`).
    """
    from .remote_store import RemoteExecutor, RemoteStore

    if isinstance(store, RemoteStore):
        return RemoteExecutor(
            store,
            timeout=config.query_timeout,
            max_results=config.max_results,
            cache=make_cache(config.extra, enabled=config.result_cache, ttl=REMOTE_CACHE_TTL),
        )
    if not hasattr(store, "worker_store"):
        raise TypeError(f"no query executor for a store of type {type(store).__name__}")
    workers = config.extra.get("query_workers")
    memory = config.extra.get("query_memory_bytes", DEFAULT_MEMORY_HEADROOM)
    budget = default_budget() if config.memory_budget is None else config.memory_budget
    return ProcessExecutor(
        store,
        timeout=config.query_timeout,
        max_results=config.max_results,
        workers=int(workers) if workers else None,
        cache=make_cache(config.extra, enabled=config.result_cache),
        memory_headroom=int(memory),
        demote_after=config.extra.get("demote_after", DEFAULT_DEMOTE_AFTER),
        memory_budget=budget,
        pools=config.http_workers,
    )


def init_app(app: Flask) -> None:
    """Create the app's executor; its workers start lazily.

    They stop with the executor: at interpreter exit, or when the app is garbage-collected (a
    ``weakref.finalize``), or on ``get_executor(app).close()``.
    """
    app.extensions["ewkg.executor"] = make_executor(
        app.config["EWKG"], app.extensions["ewkg.store"]
    )


def get_executor(app: Flask) -> Executor:
    """The executor attached to ``app``."""
    return app.extensions["ewkg.executor"]


def post_fork(app: Flask) -> None:
    """Start ``app``'s worker pool now, in this (freshly forked) process. Optional."""
    executor = get_executor(app)
    if isinstance(executor, ProcessExecutor):
        executor.start()
