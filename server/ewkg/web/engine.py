"""Attach the query engine to the app (read it with :func:`ewkg.web.services.get_executor`).

The executor fits the store: a :class:`~ewkg.query.executor.ProcessExecutor` (killable worker
processes) for the embedded store, a :class:`~ewkg.store.remote.RemoteExecutor` for a remote
SPARQL store. Worker processes start on the first query in whichever process runs it, so the same
app works under the Flask test client, ``flask run`` and gunicorn (``--workers N``, threads,
``--preload``): each gunicorn worker forks its own pool. :func:`post_fork` starts a pool eagerly
(a gunicorn ``post_fork`` hook may call it to spare the first query the fork).
"""

from __future__ import annotations

from typing import cast

from flask import Flask

from ewkg.budget import default_budget
from ewkg.config import Config
from ewkg.query.executor import (
    DEFAULT_DEMOTE_AFTER,
    DEFAULT_MEMORY_HEADROOM,
    Executor,
    ProcessExecutor,
    make_cache,
)
from ewkg.store.embedded import EmbeddedStore, Store
from ewkg.store.remote import RemoteExecutor, RemoteStore
from ewkg.web.services import get_config, get_executor, get_store, set_executor

__all__ = ["REMOTE_CACHE_TTL", "get_executor", "init_app", "make_executor", "post_fork"]

#: Seconds remote results stay cached (the remote data may change without us knowing).
REMOTE_CACHE_TTL = 60.0


def make_executor(config: Config, store: Store) -> Executor:
    """The executor for ``store`` with the configuration's timeout, cap and cache.

    A store holding its data in this process (:attr:`ewkg.store.embedded.Store.oxigraph`) gets a
    pool of query processes: ``config.query_workers`` (default one per core, at least 2), each query
    allocating at most ``config.query_memory_bytes`` (default 2 GiB; 0: unbounded);
    ``config.memory_budget`` (default: half the machine's memory) is shared out between the
    ``config.http_workers`` pools' query processes, which lowers that headroom, or the pools'
    size and growth, to fit (:mod:`ewkg.budget`). A store whose data lives elsewhere gets a
    :class:`~ewkg.store.remote.RemoteExecutor`, its results cached for
    :data:`REMOTE_CACHE_TTL` seconds when its data may change outside.
    """
    if store.oxigraph is None:
        return RemoteExecutor(
            cast(RemoteStore, store),
            timeout=config.query_timeout,
            max_results=config.max_results,
            cache=make_cache(
                config.result_cache_bytes, enabled=config.result_cache,
                ttl=REMOTE_CACHE_TTL if store.changes_outside else None,
            ),
        )
    memory = config.query_memory_bytes
    demote = config.query_demote_after
    budget = default_budget() if config.memory_budget is None else config.memory_budget
    executor = ProcessExecutor(
        cast(EmbeddedStore, store),
        timeout=config.query_timeout,
        max_results=config.max_results,
        workers=config.query_workers or None,
        cache=make_cache(config.result_cache_bytes, enabled=config.result_cache),
        memory_headroom=DEFAULT_MEMORY_HEADROOM if memory is None else memory,
        demote_after=DEFAULT_DEMOTE_AFTER if demote is None else (demote or None),
        memory_budget=budget,
        pools=config.http_workers,
        max_long=config.max_long_queries,
    )
    if config.http_threads:  # a server: one request thread always left to short requests
        executor.max_long_waiters = max(0, config.http_threads - executor.max_long - 1)
    return executor


def init_app(app: Flask) -> None:
    """Create the app's executor; its workers start lazily.

    They stop with the executor: at interpreter exit, or when the app is garbage-collected (a
    ``weakref.finalize``), or on ``get_executor(app).close()``.
    """
    set_executor(app, make_executor(get_config(app), get_store(app)))


def post_fork(app: Flask) -> None:
    """Start ``app``'s worker pool now, in this (freshly forked) process. Optional."""
    executor = get_executor(app)
    if isinstance(executor, ProcessExecutor):
        executor.start()
