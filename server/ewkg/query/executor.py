"""Client query execution: bounded in time and size, serialized natively, cached.

Neither rdflib nor pyoxigraph can be interrupted inside a thread (pyoxigraph does not even look
at signals while Rust computes, and its Python API has no timeout), so every client query runs in
a **worker process** that the server kills (``SIGKILL``) when the query's deadline passes:

* :class:`ProcessExecutor` keeps a small pool of long-lived workers
(:mod:`ewkg.query.query_worker`).
  For an in-memory store they are forked from the process that holds it (copy-on-write: nothing
  is reloaded or copied up front); for an on-disk store they are started afresh and open it
  read-only, which keeps each one small. A query is one small pickled message down a pipe; the
  worker evaluates it with pyoxigraph, serializes the result natively and sends back only bytes.
  A worker past its deadline is killed and replaced while the other workers go on serving. So
  is a worker that, once it has answered, holds more memory of its own than ``recycle_memory``
  (by default on an on-disk store only, whose workers each fill their own RocksDB block caches).
* :func:`~ewkg.query.evaluation.evaluate` is the evaluation itself (in the worker),
  :func:`~ewkg.query.evaluation.render` turns a pyoxigraph result into the negotiated bytes, cut at
  ``max_results`` rows or triples (a cut result says so: :attr:`QueryResponse.capped`; never a
  silent truncation).
* Results are cached (:class:`ewkg.cache.ResultCache`) by query text, media type, dataset,
  dataset version and cap; the same query sent by several clients while it runs is evaluated
  once (:class:`ewkg.query.single_flight.SingleFlight`).

The remote backend has its own executor, :class:`ewkg.store.remote.RemoteExecutor`.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import pickle
import queue
import select
import signal
import subprocess
import sys
import threading
import time
import warnings
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from ewkg.budget import FRESH_WORKER_BYTES, MemoryPlan, format_size, plan_memory, resident_bytes
from ewkg.lru import DEFAULT_CACHE_BYTES, ResultCache
from ewkg.query import query_worker
from ewkg.query.evaluation import (
    GRAPH_MEDIA_TYPES,
    RESULTS_MEDIA_TYPES,
    QueryBusy,
    QueryError,
    QueryFormatError,
    QueryRequest,
    QueryResponse,
    QueryServerError,
    QuerySyntaxError,
    QueryTimeout,
    base_media_type,
    dataset_arguments,
    evaluate,
    render,
    result_cache_key,
)
from ewkg.query.result_reuse import ResultReuse
from ewkg.query.single_flight import SingleFlight
from ewkg.rdf.jsonld import context as jsonld_context

if TYPE_CHECKING:  # pragma: no cover
    from multiprocessing.process import BaseProcess

    from ewkg.store.embedded import EmbeddedStore

__all__ = [  # the evaluation names are re-exported: the protocol layer's contract is here
    "GRAPH_MEDIA_TYPES",
    "RESULTS_MEDIA_TYPES",
    "Executor",
    "ProcessExecutor",
    "QueryError",
    "QueryFormatError",
    "QueryProcessKilledError",
    "QueryRequest",
    "QueryResponse",
    "QueryServerError",
    "QuerySyntaxError",
    "QueryBusy",
    "QueryTimeout",
    "base_media_type",
    "dataset_arguments",
    "evaluate",
    "jsonld_context",
    "make_cache",
    "render",
    "result_cache_key",
]


class Executor(Protocol):
    """Runs client queries with the configured timeout and result cap."""

    def execute(self, request: QueryRequest) -> QueryResponse: ...

    def close(self) -> None: ...



# --------------------------------------------------------------------------------------------
# Worker processes

_CTX = multiprocessing.get_context("fork")
#: The directory holding the ``ewkg`` package, for the ``PYTHONPATH`` of fresh workers.
_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
#: Parent-side ends of every worker pipe of this process, closed in each new worker so that a
#: worker sees end-of-file as soon as its own parent goes away.
_PARENT_ENDS: weakref.WeakSet[Connection] = weakref.WeakSet()

_PICKLE = query_worker.PICKLE

_SIGNALS = {int(s) for s in signal.Signals}


class QueryProcessKilledError(QueryServerError):
    """The query's process was killed from outside (an operator, the kernel's out-of-memory
    killer) or the server is stopping: not the client's fault, and worth a retry (500)."""


_ERRORS: dict[str, type[QueryError]] = {
    "syntax": QuerySyntaxError,
    "format": QueryFormatError,
    "error": QueryError,
}


def _worker_main(
    conn: Connection,
    store: EmbeddedStore,
    max_results: int,
    memory_headroom: int = 0,
    recycle_memory: int = 0,
    parent: int | None = None,
) -> None:
    """A forked worker: die with its parent, close the server's pipe ends, then answer
    queries (never returns)."""
    if parent is not None:
        query_worker.die_with_parent(parent)
    for ends in list(_PARENT_ENDS):
        with contextlib.suppress(OSError):
            ends.close()
    query_worker.serve(conn, store.worker_store(), max_results, memory_headroom, recycle_memory)


class _StartedProcess:
    """A worker started with ``python -m ewkg.query.query_worker``, seen as a ``multiprocessing``
    process (``pid``, ``is_alive``, ``kill``, ``join``) by the pool."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self.popen = popen
        self.pid: int | None = popen.pid

    def is_alive(self) -> bool:
        return self.popen.poll() is None

    @property
    def exitcode(self) -> int | None:
        """As ``multiprocessing``'s: ``None`` while it runs, ``-N`` if ended by signal N."""
        return self.popen.poll()

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.popen.kill()

    def join(self, timeout: float | None = None) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout)


_T = TypeVar("_T")


class _Forker:
    """The one long-lived thread of this process that starts every worker process.

    A worker asks the kernel to kill it when its parent dies (``PR_SET_PDEATHSIG``, see
    :func:`ewkg.query.query_worker.die_with_parent`), and Linux sends that signal when the *thread*
    that forked it exits, not the process. Replacements are started from short-lived threads
    (a timed-out query's background replacement, a request thread that grows the pool); a
    worker forked there would be killed as soon as that thread ended. So every start goes
    through this thread, which lives as long as the process.
    """

    def __init__(self) -> None:
        self.pid = os.getpid()
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._loop, name="ewkg-worker-starter", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while True:
            job, future = self._jobs.get()
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(job())
                except BaseException as error:  # noqa: BLE001 - handed to the caller
                    future.set_exception(error)

    def run(self, job: Callable[[], _T]) -> _T:
        """``job()``, run in this thread; its result or its exception."""
        if threading.current_thread() is self.thread:
            return job()
        future: Future[_T] = Future()
        self._jobs.put((job, future))
        return future.result()


_FORKER: _Forker | None = None
_FORKER_LOCK = threading.Lock()


def _start_process(job: Callable[[], _T]) -> _T:
    """Run ``job`` (which starts a worker process) in this process's :class:`_Forker`."""
    global _FORKER
    with _FORKER_LOCK:
        if _FORKER is None or _FORKER.pid != os.getpid():  # none yet, or the parent's
            _FORKER = _Forker()
        forker = _FORKER
    return forker.run(job)


@dataclass(eq=False)
class _Worker:
    """A worker process and this process's end of its pipe.

    The pipe's descriptor is closed exactly once, under :attr:`io_lock`, and never used after:
    the thread running a query holds the lock while it talks to the worker, and whoever stops
    the worker kills the process first (so that talk ends at once with end-of-file), then takes
    the lock to close. Without it a timed-out query's background replacement and the executor's
    ``close`` could both close the descriptor; the second ``close`` then hit whatever file or
    socket had been given that number meanwhile.
    """

    process: BaseProcess | _StartedProcess
    conn: Connection
    #: Killed (or found dead) and replaced: never to be used again.
    retired: bool = False
    #: Waits for the worker's answer (``Connection.poll`` builds a selector at every call).
    poller: Any = None
    #: ``time.monotonic()`` when it last went back to the idle queue.
    idle_since: float = 0.0
    #: Held while the pipe is used or closed.
    io_lock: threading.Lock = field(default_factory=threading.Lock)
    #: The pipe is closed (its descriptor number may belong to another file now).
    closed: bool = False

    def __post_init__(self) -> None:
        self.poller = select.poll()
        self.poller.register(self.conn.fileno(), select.POLLIN)

    def ready(self, timeout: float) -> bool:
        """Whether an answer (or end-of-file) arrived within ``timeout`` seconds (under
        :attr:`io_lock`)."""
        return bool(self.poller.poll(math.ceil(max(0.0, timeout) * 1000)))

    def close_pipe(self) -> None:
        """Close this end of the pipe, once, whoever calls (idempotent, thread-safe)."""
        with self.io_lock:
            self._close_pipe_unlocked()

    def _close_pipe_unlocked(self) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(OSError):
            self.poller.unregister(self.conn.fileno())
        with contextlib.suppress(OSError):
            self.conn.close()


def _stop_workers(workers: set[_Worker], owner_pid: int) -> None:
    """Kill and reap ``workers`` (only from the process that forked them)."""
    if os.getpid() != owner_pid:
        return
    for worker in list(workers):
        _kill(worker)
    workers.clear()


def _kill(worker: _Worker) -> None:
    """Kill ``worker``'s process, close its pipe (once) and reap it.

    The process dies first, so that a thread still waiting on the pipe sees end-of-file and
    lets go of it before the pipe is closed.
    """
    with contextlib.suppress(OSError, ValueError):
        if worker.process.is_alive():
            worker.process.kill()
    worker.close_pipe()
    worker.process.join(timeout=5)


#: Every process executor of this process, to reset in a forked child (see below).
_EXECUTORS: weakref.WeakSet[ProcessExecutor] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    global _FORKER_LOCK
    _FORKER_LOCK = threading.Lock()  # (the parent's starter thread does not exist here)
    for executor in list(_EXECUTORS):
        executor._forget_inherited_pool()


os.register_at_fork(after_in_child=_after_fork_in_child)

#: Bytes a worker may allocate beyond what it inherits, by default (see
#: :func:`ewkg.query.query_worker.limit_memory`).
DEFAULT_MEMORY_HEADROOM = 2 * 1024**3
#: Seconds after which a query still running is demoted to :data:`DEMOTED_NICENESS`, so that
#: long queries take CPU only from each other, not from the short ones (``None``: never).
DEFAULT_DEMOTE_AFTER = 0.1
#: Private bytes (USS) past which a worker of an on-disk store is replaced by a fresh fork once its
#: query is answered (see :class:`ProcessExecutor`).
DEFAULT_RECYCLE_MEMORY = 40 * 1024**2
#: Seconds between two looks, while every worker is busy, at whether the pool may grow.
GROW_CHECK = 0.05
#: Seconds an extra worker (see ``ProcessExecutor._grow``) may stay idle before it is stopped.
SURPLUS_IDLE = 5.0
#: The niceness of a demoted worker (its CPU share against a normal one is about 1:10).
DEMOTED_NICENESS = 10


def default_worker_count() -> int:
    """Worker processes per server process: one per core, at least two."""
    return max(2, os.cpu_count() or 2)


class ProcessExecutor:
    """Runs client queries in a pool of killable worker processes forked from this one.

    Workers start on first use (or :meth:`start`), in whichever process uses the executor: an
    executor created before a ``fork`` (a gunicorn master with ``--preload``) starts its own
    workers in each child and never touches the parent's.

    Args:
        store: the loaded embedded store (its
        :meth:`~ewkg.store.embedded.EmbeddedStore.worker_store` is
            what workers query).
        timeout: seconds a query may take, waiting for a free worker included.
        max_results: rows / triples before a result is capped.
        workers: pool size (default :func:`default_worker_count`).
        cache: a result cache, or ``None`` for none.
        memory_headroom: bytes each worker may allocate for a query beyond what it inherits
            (``0``: unbounded); a query that needs more fails with a clear error.
        demote_after: seconds after which a running query's worker is reniced to
            :data:`DEMOTED_NICENESS` (``None``: never). Once its query ends the worker gets its
            priority back where that is allowed (root, ``CAP_SYS_NICE``), else it is replaced.
        recycle_memory: bytes of its own (USS) past which a worker is replaced by a fresh fork
            once it has answered (``0``: never). By default :data:`DEFAULT_RECYCLE_MEMORY` for an
            on-disk store, whose workers otherwise each keep RocksDB's block caches (up to 64 MB
            a worker, for a few per cent of speed); never for an in-memory store, whose workers
            copy the store pages their queries touch (its in-memory store upgrades a weak
            reference and locks a mutex in each quad it visits: writes), up to ~260 MB a worker
            at 1M triples, but a fresh fork pays those copies again: heavy queries then take
            2-3 times as long.
        grow: whether the pool may grow while long queries hold its workers (see
            :meth:`_grow`). By default yes for an in-memory store, no for an on-disk store, where
            each extra worker holds its own engine caches (tens of MB) and memory is the reason
            the data is on disk.
        fresh: whether workers are started afresh (``python -m ewkg.query.query_worker``, which
        opens
            the store read-only itself) rather than forked from this process. By default yes for
            an on-disk store: a fresh worker maps about 25 MB where a fork of the web server maps
            50-60 MB (shared with it, but counted again in each process's RSS), and a
            replacement costs ~50 ms of start-up instead of ~5 ms. An in-memory store is only
            reachable by forking.
    """

    def __init__(
        self,
        store: EmbeddedStore,
        *,
        timeout: float = 10.0,
        max_results: int = 10_000,
        workers: int | None = None,
        cache: ResultCache[QueryResponse] | None = None,
        memory_headroom: int = DEFAULT_MEMORY_HEADROOM,
        demote_after: float | None = DEFAULT_DEMOTE_AFTER,
        recycle_memory: int | None = None,
        grow: bool | None = None,
        fresh: bool | None = None,
        memory_budget: int = 0,
        pools: int = 1,
        max_long: int | None = None,
        max_long_waiters: int | None = None,
    ) -> None:
        self.store = store
        on_disk = getattr(store, "location", None) is not None
        if fresh and not on_disk:
            raise ValueError("only the workers of an on-disk store can be started afresh")
        # (an embedded interpreter may not know its own executable: then workers are forked)
        self.fresh = (on_disk and bool(sys.executable)) if fresh is None else fresh
        #: What a fresh worker writes results with (it does not import rdflib to read them).
        self._prefixes = jsonld_context() if self.fresh else {}
        if recycle_memory is None:
            recycle_memory = DEFAULT_RECYCLE_MEMORY if on_disk else 0
        self.recycle_memory = recycle_memory
        #: Workers replaced because they held more than ``recycle_memory`` (for tests).
        self.recycles = 0
        self.demote_after = demote_after
        #: Workers demoted because their query ran long (for tests and monitoring).
        self.demotions = 0
        self.memory_headroom = memory_headroom
        self.timeout = timeout
        self.max_results = max_results
        self.size = workers or default_worker_count()
        #: Workers the pool may add while long queries hold some (0: it never grows).
        self.max_extra = self.size if (not on_disk if grow is None else grow) else 0
        #: The result cache and the coalescing of identical queries in flight, shared with the
        #: remote executor (:mod:`ewkg.query.result_reuse`).
        self.reuse = ResultReuse(cache)
        #: Bytes of RSS the whole server may hold (0: no budget), and this pool's share of it.
        self.memory_budget = memory_budget
        self.plan = self._plan(memory_budget, pools)
        self.memory_headroom = self.plan.headroom
        self.size = self.plan.size
        self.max_extra = self.plan.max_extra
        #: Queries that may run past ``demote_after`` at once; one more is stopped there and
        #: answered "busy" (:class:`QueryBusy`), so that long queries never hold every request
        #: thread and query process while short ones wait. By default the pool's size, less one
        #: when the pool cannot grow (one process always left to short queries).
        self.max_long = (
            max_long if max_long is not None
            else self.size if self.max_extra else max(1, self.size - 1)
        )
        #: Clients that may wait long (past ``demote_after``) at once for another client's
        #: evaluation of the same query (each holds a request thread); one more is told busy
        #: (``None``: no bound). ``ewkg serve`` sets it from its request threads.
        self.max_long_waiters = max_long_waiters
        self._long_waiters = 0
        #: Queries stopped because ``max_long`` long queries were running (for tests).
        self.shed = 0
        self._lock = threading.Lock()
        self._pending = 0  # replacements under way
        #: Queries running past ``demote_after`` now: each lets the pool grow by one worker, so
        #: that long queries never hold every worker while short ones wait.
        self._long = 0
        self._settled = threading.Condition(self._lock)
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._workers: set[_Worker] = set()
        self._pid: int | None = None
        self._closed = False
        self._finalizer: weakref.finalize[..., object] | None = None
        #: Worker processes killed at their deadline (for tests and monitoring).
        self.kills = 0
        #: Workers forked beyond the pool size while long queries held workers (for tests).
        self.grown = 0
        #: Seconds a worker beyond the pool's allowance may stay idle before it is stopped.
        self.surplus_idle = SURPLUS_IDLE
        _EXECUTORS.add(self)

    def _plan(self, budget: int, pools: int) -> MemoryPlan:
        """This pool's share of ``budget`` (see :func:`ewkg.budget.plan_memory`), measured
        from this process: what it holds now, plus what its result cache may come to."""
        server = resident_bytes() + (self.cache.max_bytes or 0 if self.cache is not None else 0)
        return plan_memory(
            budget,
            pools=pools,
            size=self.size,
            max_extra=self.max_extra,
            headroom=self.memory_headroom,
            server_bytes=server,
            # a fork maps (and its RSS counts) what its parent holds; a started one is small
            worker_bytes=FRESH_WORKER_BYTES if self.fresh else server,
        )

    # -- pool management

    def start(self) -> None:
        """Fork the workers now (idempotent). Call it after a server forks, to warm up."""
        with self._lock:
            if self._closed:
                raise QueryError("the query executor is closed")
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self._finalizer = weakref.finalize(self, _stop_workers, self._workers, self._pid)
            for _ in range(self.size):
                self._add_worker()

    def _forget_inherited_pool(self) -> None:
        """In a child just forked (a single thread so far): drop the parent's pool and locks.

        The locks may have been held by another thread of the parent at the moment of the fork;
        the workers are the parent's to use, reap and stop (multiprocessing's exit handler would
        otherwise terminate and try to join them at this process's exit).
        """
        for worker in self._workers:
            # (not ``close_pipe``: its lock may have been held by a parent thread at the fork)
            worker._close_pipe_unlocked()
            multiprocessing.process._children.discard(worker.process)  # type: ignore[attr-defined]
        self._workers = set()
        self._idle = queue.LifoQueue()
        self._lock = threading.Lock()
        self._settled = threading.Condition(self._lock)
        self._pending = 0
        self._finalizer = None

    def _add_worker(self) -> None:
        parent_end, child_end = _CTX.Pipe(duplex=True)
        if self.fresh:
            process: BaseProcess | _StartedProcess = self._start_fresh(parent_end, child_end)
        else:
            # registered before the fork, so that the worker closes its own copy of our end
            # too: it must see end-of-file (and exit) as soon as this process is gone, however
            # it dies
            _PARENT_ENDS.add(parent_end)
            process = _CTX.Process(
                target=_worker_main,
                args=(
                    child_end,
                    self.store,
                    self.max_results,
                    self.memory_headroom,
                    self.recycle_memory,
                    os.getpid(),
                ),
                name="ewkg-query-worker",
                daemon=True,
            )

            def fork() -> None:
                with warnings.catch_warnings():
                    # Python >= 3.12 warns about fork() in a multi-threaded process; the worker
                    # only runs its own loop, pyoxigraph's read path and pipe I/O, none of
                    # which take a lock another thread could hold at fork time.
                    warnings.simplefilter("ignore", DeprecationWarning)
                    process.start()

            _start_process(fork)
        child_end.close()
        worker = _Worker(process, parent_end)
        self._workers.add(worker)
        self._idle.put(worker)

    def _start_fresh(self, parent_end: Connection, child_end: Connection) -> _StartedProcess:
        """Start ``python -m ewkg.query.query_worker`` on ``child_end`` (only that descriptor is
        inherited: the worker sees end-of-file as soon as this process is gone) and send it its
        settings down ``parent_end``."""
        fd = child_end.fileno()
        argv = query_worker.command(fd, str(self.store.location))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH", "")) if p
        )
        popen = _start_process(
            lambda: subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
                [sys.executable, *argv],
                stdin=subprocess.DEVNULL,
                pass_fds=(fd,),
                env=env,
            )
        )
        parent_end.send_bytes(  # read once it has started; the pipe holds it meanwhile
            query_worker.settings(
                max_results=self.max_results,
                memory_headroom=self.memory_headroom,
                recycle_memory=self.recycle_memory,
                prefixes=self._prefixes,
                parent=os.getpid(),
            )
        )
        return _StartedProcess(popen)

    def _retire(self, worker: _Worker, *, wait: bool = True) -> None:
        """Kill ``worker`` and fork its replacement (once, whoever notices first).

        The ``SIGKILL`` is sent at once; with ``wait=False`` the rest — reaping the process (the
        kernel first frees what the runaway query allocated) and forking the replacement —
        happens in a background thread, so the client hears of its timeout without waiting.
        No replacement is forked while the pool is above its size (see :meth:`_grow`).
        """
        with self._lock:
            if worker.retired:
                return
            worker.retired = True
            self._pending += 1
        with contextlib.suppress(OSError, ValueError):
            worker.process.kill()
        if wait:
            self._replace(worker)
        else:
            threading.Thread(
                target=self._replace, args=(worker,), name="ewkg-worker-replace", daemon=True
            ).start()

    def _replace(self, worker: _Worker) -> None:
        try:
            _kill(worker)
            with self._lock:
                self._workers.discard(worker)
                if (
                    not self._closed
                    and self._pid == os.getpid()
                    and len(self._workers) < self._allowance()
                ):
                    self._add_worker()
        finally:
            with self._settled:
                self._pending -= 1
                self._settled.notify_all()

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait until killed workers are replaced; returns whether the pool is complete."""
        with self._settled:
            return self._settled.wait_for(lambda: self._pending == 0, timeout)

    def _sweep(self) -> None:
        """Replace workers that died on their own (killed from outside, out of memory); stop
        the workers the pool grew by once they have been idle for :attr:`surplus_idle` s."""
        for worker in list(self._workers):
            if not worker.retired and not worker.process.is_alive():
                self._retire(worker)
        if len(self._workers) > self.size:
            self._shrink()

    def _shrink(self) -> None:
        """Stop idle workers beyond the pool's allowance, the longest idle first.

        A worker the pool grew by is kept while it is in use: on a large in-memory store each
        fresh worker pays for the store pages its first queries touch (copy-on-write), so the
        pool keeps its extra workers while long queries come and go, and shrinks when they stop.
        """
        cutoff = time.monotonic() - self.surplus_idle
        with self._lock, self._idle.mutex:
            surplus = len(self._workers) - self._allowance()
            stale = sorted(
                (w for w in self._idle.queue if w.idle_since <= cutoff and not w.retired),
                key=lambda w: w.idle_since,
            )[: max(0, surplus)]
            for worker in stale:
                self._idle.queue.remove(worker)
                worker.retired = True
                self._workers.discard(worker)
        for worker in stale:
            threading.Thread(
                target=_kill, args=(worker,), name="ewkg-worker-stop", daemon=True
            ).start()

    def close(self) -> None:
        """Stop every worker (idempotent)."""
        with self._lock:
            self._closed = True
        if self._finalizer is not None:
            self._finalizer()

    @property
    def worker_pids(self) -> list[int]:
        """Process ids of the live workers."""
        return sorted(w.process.pid for w in self._workers if w.process.pid)

    # -- execution

    def cache_key(self, request: QueryRequest) -> tuple[Any, ...]:
        return result_cache_key(request, self.store.version, self.max_results)

    def _acquire(self, deadline: float, timeout: float) -> _Worker:
        """An idle, live worker (one found dead, e.g. killed from outside, is replaced).

        While every worker is busy, the wait is cut in slices of :data:`GROW_CHECK` seconds to
        see whether long queries now hold some of them; if so the pool grows (:meth:`_grow`).
        """
        while True:
            remaining = deadline - time.monotonic()
            try:
                worker = self._idle.get(timeout=max(0.0, min(remaining, GROW_CHECK)))
            except queue.Empty:
                if remaining <= GROW_CHECK:
                    raise QueryBusy(
                        f"the server is busy: no query worker became free within {timeout:g} s; "
                        "try again later"
                    ) from None
                self._grow()
                continue
            if worker.retired:
                continue
            if worker.process.is_alive():
                return worker
            self._retire(worker)

    def _grow(self) -> None:
        """Fork one more worker if long queries hold workers the pool has not made up for.

        The pool may hold ``size`` workers plus one per query running past ``demote_after`` (at
        most ``size`` more), so two runaway queries on a pool of two leave two fresh workers to
        everybody else instead of none. Workers beyond that allowance are stopped once idle for a
        while (:meth:`_shrink`).
        """
        with self._lock:
            if (
                not self._closed
                and self._pid == os.getpid()
                and self._long
                and self.max_extra
                and len(self._workers) < self._allowance()
            ):
                self._add_worker()
                self.grown += 1

    def _allowance(self) -> int:
        """Workers the pool may hold now: its size, plus one per long query, at most twice its
        size (so that many concurrent runaways cannot make it fork without end). Under the lock.
        """
        return self.size + min(self._long, self.max_extra)

    def _count_long(self, delta: int) -> None:
        with self._lock:
            self._long += delta

    def _busy(self) -> QueryBusy:
        return QueryBusy(
            f"the server is busy: {self.max_long} long queries already run in this server "
            f"process, so this one was stopped after {self.demote_after:g} s; try again in a "
            "moment, or narrow it (more specific patterns, LIMIT)"
        )

    def _admit_waiter(self) -> bool:
        """Count one more long wait on a shared evaluation, if allowed; whether it was."""
        with self._lock:
            if self.max_long_waiters is not None and self._long_waiters >= self.max_long_waiters:
                return False
            self._long_waiters += 1
            return True

    def _release_waiter(self) -> None:
        with self._lock:
            self._long_waiters -= 1

    def _admit_long(self) -> bool:
        """Count one more long query if fewer than :attr:`max_long` run; whether it was."""
        with self._lock:
            if self._long >= self.max_long:
                return False
            self._long += 1
            return True

    def _demote(self, worker: _Worker) -> bool:
        """Lower the CPU priority of ``worker``, whose query runs long; whether it was done."""
        pid = worker.process.pid
        if pid is None:
            return False
        try:
            os.setpriority(os.PRIO_PROCESS, pid, DEMOTED_NICENESS)
        except OSError:  # already gone, or not allowed here: the deadline still applies
            return False
        with contextlib.suppress(OSError, AttributeError):  # only when a core is otherwise idle
            os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))
        self.demotions += 1
        return True

    @staticmethod
    def _restore(worker: _Worker) -> bool:
        """Give a demoted worker its normal priority back; whether that was allowed.

        Lowering a niceness needs privileges (root or ``CAP_SYS_NICE``). Without them the worker
        is replaced instead, which costs a fork and, on a large in-memory store, the pages the
        new worker's first queries copy-on-write.
        """
        pid = worker.process.pid
        if pid is None:
            return False
        try:
            if os.sched_getscheduler(pid) != os.SCHED_OTHER:
                os.sched_setscheduler(pid, os.SCHED_OTHER, os.sched_param(0))
            os.setpriority(os.PRIO_PROCESS, pid, 0)
        except OSError:
            return False
        return True

    def execute(self, request: QueryRequest) -> QueryResponse:
        """Run ``request`` in a worker; kill the worker if the deadline passes.

        With a result cache, a hit is answered at once, and clients sending the same query
        while it runs share its evaluation instead of each queueing for a worker (a shared
        answer says ``cached``, as a hit does).

        Raises:
            QuerySyntaxError, QueryFormatError, QueryTimeout, QueryError.
        """
        timeout = self.timeout if request.timeout is None else min(request.timeout, self.timeout)
        deadline = time.monotonic() + timeout
        return self.reuse.answer(
            request,
            self.cache_key(request),
            lambda: self._run(request, timeout, deadline),
            timeout=timeout,
            deadline=deadline,
            before=self._ready_to_run,
            patience=self.demote_after,
            admit=self._admit_waiter,
            release=self._release_waiter,
            busy=self._shed_waiter,
        )

    @property
    def cache(self) -> ResultCache[QueryResponse] | None:
        """The result cache (``None``: none)."""
        return self.reuse.cache

    @property
    def coalesced(self) -> int:
        """Queries answered by another client's evaluation of the same query (for tests)."""
        return self.reuse.coalesced

    @property
    def _flights(self) -> SingleFlight[tuple[object, ...], QueryResponse]:
        return self.reuse.flights

    def _ready_to_run(self) -> None:
        """Refuse if closed; start the pool in this process (after a fork) if need be."""
        if self._closed:
            raise QueryError("the query executor is closed")
        if self._pid != os.getpid():
            self.start()

    def _shed_waiter(self) -> QueryBusy:
        """The busy error for a client turned away from a long shared evaluation."""
        self.shed += 1
        return self._busy()

    def _run(self, request: QueryRequest, timeout: float, deadline: float) -> QueryResponse:
        """Evaluate ``request`` in a worker (no cache); kill the worker at ``deadline``."""
        self._sweep()
        worker = self._acquire(deadline, timeout)
        demoted = long_running = shed = False
        try:
            with worker.io_lock:
                if worker.closed:  # stopped meanwhile (the executor is closing)
                    raise EOFError
                worker.conn.send_bytes(pickle.dumps((request, timeout), _PICKLE))
                ready = False
                if self.demote_after is not None and self.demote_after < timeout:
                    ready = worker.ready(self.demote_after)
                    if not ready:
                        shed = not self._admit_long()
                        long_running = not shed
                        demoted = long_running and self._demote(worker)
                if not ready and not shed:
                    ready = worker.ready(deadline - time.monotonic())
                reply = pickle.loads(worker.conn.recv_bytes()) if ready else None
        except (EOFError, OSError):
            if long_running:
                self._count_long(-1)
            worker.process.join(1.0)  # it is gone or going: its exit status says how
            status = worker.process.exitcode
            self._retire(worker, wait=False)
            raise self._lost(status, timeout) from None
        if long_running:
            self._count_long(-1)
        if shed:
            self.shed += 1
            self._retire(worker, wait=False)
            raise self._busy()
        if reply is None:
            self.kills += 1
            self._retire(worker, wait=False)
            error = QueryTimeout(
                f"the query was stopped after {timeout:g} s (the time limit); "
                "narrow it (more specific patterns, LIMIT) and try again"
            )
            error.limit = timeout  # clients sharing it retry only with more time than this
            raise error
        kind, payload, swollen = reply
        if swollen:
            self.recycles += 1
            self._retire(worker, wait=False)  # a fresh fork shares its parent's pages again
        elif demoted and not self._restore(worker):
            self._retire(worker, wait=False)  # a fresh worker at normal priority takes its place
        else:
            worker.idle_since = time.monotonic()
            self._idle.put(worker)
        if kind == "memory":
            raise QueryError(self._memory_message())
        if kind != "ok":
            raise _ERRORS.get(kind, QueryError)(payload)
        response: QueryResponse = payload
        return response


    def _memory_message(self) -> str:
        limit = f" ({format_size(self.memory_headroom)})" if self.memory_headroom > 0 else ""
        return (
            f"the query was stopped: it needed more memory than a query may use{limit}; "
            "narrow it (more specific patterns, LIMIT, no ORDER BY over a cross product) and "
            "try again"
        )

    def _lost(self, status: int | None, timeout: float) -> QueryError:
        """Why a worker ended (exit ``status``) before it answered, as the error to raise.

        A worker that passes its memory limit (``RLIMIT_AS``) dies of ``SIGABRT`` (Rust aborts
        when an allocation fails): the query's doing, a 400. ``SIGKILL`` is never the query's:
        this executor sends it only at a deadline (not this path) or when it closes, so it came
        from outside — an operator, or the kernel's out-of-memory killer when the machine ran
        short — and the query may simply be sent again. An exit status of its own, or another
        signal, is a failure of the server.
        """
        if status == -signal.SIGABRT:
            return QueryError(self._memory_message())
        if status == -signal.SIGALRM:  # its own backstop at twice the deadline
            return QueryTimeout(
                f"the query was stopped after {timeout:g} s (the time limit); "
                "narrow it (more specific patterns, LIMIT) and try again"
            )
        if self._closed:
            return QueryProcessKilledError(
                "the server is stopping: the query was not answered; try again in a moment"
            )
        if status == -signal.SIGKILL:
            return QueryProcessKilledError(
                "the query process was killed from outside before it could answer (by the "
                "server's operator, or by the system's out-of-memory killer when the machine "
                "ran short of memory); this is not the query's fault: try again"
            )
        if isinstance(status, int) and status < 0:
            name = signal.Signals(-status).name if -status in _SIGNALS else f"signal {-status}"
            return QueryServerError(
                f"a query process of this server ended on {name} before it could answer; "
                "the server's log says why: please tell its operator"
            )
        return QueryServerError(
            f"a query process of this server failed (exit status {status}) before it could "
            "answer; the server's log says why: please tell its operator"
        )


def make_cache(
    max_bytes: int | None, *, enabled: bool, ttl: float | None = None
) -> ResultCache[QueryResponse] | None:
    """The result cache the configuration asks for (``Config.result_cache_bytes``; ``None``:
    :data:`~ewkg.lru.DEFAULT_CACHE_BYTES`)."""
    if not enabled:
        return None
    size = DEFAULT_CACHE_BYTES if max_bytes is None else max_bytes
    return ResultCache(max_bytes=size, ttl=ttl)
