"""Client query execution: bounded in time and size, serialized natively, cached.

Neither rdflib nor pyoxigraph can be interrupted inside a thread (pyoxigraph does not even look
at signals while Rust computes, and its Python API has no timeout), so every client query runs in
a **worker process** that the server kills (``SIGKILL``) when the query's deadline passes:

* :class:`ProcessExecutor` keeps a small pool of long-lived workers, forked from the process that
  holds the loaded store (copy-on-write: nothing is reloaded or copied up front). A query is one
  small pickled message down a pipe; the worker evaluates it with pyoxigraph, serializes the
  result natively and sends back only bytes. A worker past its deadline is killed and replaced by
  a fresh fork while the other workers go on serving. So is a worker that, once it has answered,
  holds more memory of its own than ``recycle_memory`` (by default on an on-disk store only, whose
  workers each fill their own RocksDB block caches).
* :func:`evaluate` is the evaluation itself (in the worker), :func:`render` turns a pyoxigraph
  result into the negotiated bytes, cut at ``max_results`` rows or triples (a cut result says so:
  :attr:`QueryResponse.capped`; never a silent truncation).
* Results are cached (:class:`ewkg.cache.ResultCache`) by query text, media type, dataset,
  dataset version and cap.

The remote backend has its own executor, :class:`ewkg.remote_store.RemoteExecutor`.
"""

from __future__ import annotations

import contextlib
import faulthandler
import io
import json
import math
import multiprocessing
import os
import pickle
import queue
import re
import select
import signal
import threading
import time
import warnings
import weakref
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Protocol

import pyoxigraph as ox

from .cache import DEFAULT_CACHE_BYTES, ResultCache
from .safety import scan

if TYPE_CHECKING:  # pragma: no cover
    from multiprocessing.process import BaseProcess

    from .store import EmbeddedStore

# --------------------------------------------------------------------------------------------
# The contract with the protocol layer


@dataclass(frozen=True)
class QueryRequest:
    """One client query, already checked by the protocol layer (depth, no SERVICE, not update).

    ``default_graph_uris`` / ``named_graph_uris`` are the protocol's ``default-graph-uri`` and
    ``named-graph-uri``: when either is given, the query's dataset is exactly those graphs;
    otherwise the default graph is the union of all graphs. ``timeout`` may lower (never raise)
    the configured timeout for this query.
    """

    query: str
    media_type: str
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    timeout: float | None = None

    def __reduce__(self) -> tuple[Any, ...]:  # pickled for every query: fields only, in order
        return (
            QueryRequest,
            (
                self.query,
                self.media_type,
                self.default_graph_uris,
                self.named_graph_uris,
                self.timeout,
            ),
        )


@dataclass(frozen=True)
class QueryResponse:
    """The serialized result of a query."""

    body: bytes
    media_type: str
    #: The result was cut at ``max_results`` rows / triples.
    capped: bool = False
    #: Rows or triples in ``body`` (1 for ASK).
    count: int = 0
    #: Served from the result cache.
    cached: bool = False

    def __reduce__(self) -> tuple[Any, ...]:  # pickled for every query: fields only, in order
        return (QueryResponse, (self.body, self.media_type, self.capped, self.count, self.cached))


class QueryError(Exception):
    """A query could not be answered; :attr:`message` says why, for a human."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class QuerySyntaxError(QueryError):
    """The query is malformed (the message gives the line and column)."""


class QueryTimeout(QueryError):  # noqa: N818 - the name is the protocol layer's contract
    """The query ran past its deadline; its work was stopped."""


class QueryFormatError(QueryError):
    """The requested media type does not fit the query form (e.g. Turtle for a SELECT)."""


class Executor(Protocol):
    """Runs client queries with the configured timeout and result cap."""

    def execute(self, request: QueryRequest) -> QueryResponse: ...

    def close(self) -> None: ...


# --------------------------------------------------------------------------------------------
# Media types

#: SELECT / ASK result media types (aliases included) -> pyoxigraph format.
RESULTS_MEDIA_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
#: CONSTRUCT / DESCRIBE result media types -> pyoxigraph format (JSON-LD goes through rdflib).
GRAPH_MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "text/n3": ox.RdfFormat.N3,
}


def base_media_type(media_type: str) -> str:
    """``media_type`` without parameters, lower-cased.

    >>> base_media_type("application/ld+json; profile=http://www.w3.org/ns/json-ld#compacted")
    'application/ld+json'
    """
    return media_type.split(";", 1)[0].strip().lower()


# --------------------------------------------------------------------------------------------
# Evaluation and serialization (run inside a worker process, or in-process by the remote backend)


class _EnoughError(Exception):
    """Raised from :class:`_CountingWriter` to stop a serialization once past the cap."""


class _CountingWriter(io.RawIOBase):
    """A binary sink for pyoxigraph's serializers that stops them after ``limit`` lines.

    The pivot formats (SPARQL TSV for solutions, N-Triples for graphs) write exactly one line per
    row / triple (newlines inside literals are escaped), so counting ``\\n`` counts results.
    """

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.lines = 0
        self.buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.buffer += chunk
        self.lines += chunk.count(b"\n")
        if self.lines > self.limit:
            raise _EnoughError
        return len(chunk)


def _first_lines(data: bytes | bytearray, n: int) -> bytes:
    """The first ``n`` lines of ``data`` (each with its ``\\n``)."""
    end = -1
    for _ in range(n):
        end = data.index(b"\n", end + 1)
    return bytes(data[: end + 1])


def _serialize_capped(results: Any, pivot: Any, lines: int) -> tuple[bytes, int]:
    """Serialize ``results`` natively in ``pivot`` format, stopping after ``lines`` lines.

    Returns the (possibly cut) bytes and how many lines were produced before the cut (at most
    ``lines + 1``, so the caller knows whether anything was cut).
    """
    writer = _CountingWriter(lines)
    try:
        results.serialize(writer, format=pivot)
    except _EnoughError:
        return _first_lines(writer.buffer, lines), writer.lines
    except OSError as error:  # pyoxigraph may wrap the writer's exception
        if isinstance(error.__cause__ or error.__context__, _EnoughError) or writer.lines > lines:
            return _first_lines(writer.buffer, lines), writer.lines
        raise
    return bytes(writer.buffer), writer.lines


def jsonld_context() -> dict[str, str]:
    """The local JSON-LD context: every prefix of :data:`ewkg.namespaces.PREFIXES`."""
    from .namespaces import PREFIXES

    return {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def _prefixes() -> dict[str, str]:
    return jsonld_context()


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def compact_jsonld(expanded: list[dict[str, Any]], context: dict[str, str]) -> dict[str, Any]:
    """Compact pyoxigraph's flat expanded JSON-LD with a context of prefixes only.

    Node objects of one subject are merged, IRIs become compact IRIs (``skos:prefLabel``) where a
    prefix matches, and ``rdf:type`` becomes ``@type``. With a context made only of prefix
    definitions, a JSON-LD processor expands the result back to exactly the same triples.

    >>> compact_jsonld(
    ...     [{"@id": "http://ex.org/a", "http://ex.org/p": [{"@value": "x"}]},
    ...      {"@id": "http://ex.org/a", _RDF_TYPE: [{"@id": "http://ex.org/C"}]}],
    ...     {"ex": "http://ex.org/"})
    ... # doctest: +NORMALIZE_WHITESPACE
    {'@context': {'ex': 'http://ex.org/'},
     '@graph': [{'@id': 'ex:a', 'ex:p': [{'@value': 'x'}], '@type': ['ex:C']}]}
    """
    namespaces = sorted(context.items(), key=lambda item: -len(item[1]))

    def iri(value: str) -> str:
        if value.startswith("_:"):
            return value
        for prefix, namespace in namespaces:
            if value.startswith(namespace):
                local = value[len(namespace) :]
                if local and not local.startswith("//"):
                    return f"{prefix}:{local}"
                break
        return value

    def term(obj: dict[str, Any]) -> dict[str, Any]:
        if "@id" in obj:
            return {"@id": iri(obj["@id"])}
        if "@type" in obj:
            return {**obj, "@type": iri(obj["@type"])}
        return obj

    merged: dict[str, dict[str, Any]] = {}
    for node in expanded:
        subject = node.get("@id")
        if not isinstance(subject, str):  # not a flat node object: keep it as it is
            merged[f"#{len(merged)}"] = node
            continue
        target = merged.setdefault(subject, {"@id": iri(subject)})
        for key, values in node.items():
            if key == "@id":
                continue
            objects = [term(v) for v in values]
            if key == _RDF_TYPE and all(
                "@id" in v and not v["@id"].startswith("_:") for v in objects
            ):
                target.setdefault("@type", []).extend(v["@id"] for v in objects)
            else:
                target.setdefault(iri(key), []).extend(objects)
    return {"@context": dict(context), "@graph": list(merged.values())}


def _graph_bytes(ntriples: bytes, fmt: ox.RdfFormat) -> bytes:
    """Re-serialize N-Triples into ``fmt`` (JSON-LD compacted with the local context)."""
    if fmt == ox.RdfFormat.N_TRIPLES:
        return ntriples
    triples = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    if fmt == ox.RdfFormat.JSON_LD:
        expanded = json.loads(ox.serialize(triples, format=ox.RdfFormat.JSON_LD))
        document = compact_jsonld(expanded, jsonld_context())
        return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    if fmt.supports_datasets:
        triples = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    return ox.serialize(triples, format=fmt, prefixes=_prefixes())


def render(results: Any, media_type: str, max_results: int) -> QueryResponse:
    """Serialize a pyoxigraph query result (solutions, boolean or triples) as ``media_type``.

    Solutions and triples are cut after ``max_results``; the response then says
    ``capped=True``.

    Raises:
        QueryFormatError: ``media_type`` does not fit the query form.
    """
    base = base_media_type(media_type)
    if isinstance(results, ox.QueryBoolean):
        fmt = RESULTS_MEDIA_TYPES.get(base)
        if fmt is None:
            raise QueryFormatError(
                f"an ASK query answers true or false, which cannot be written as {base}; "
                f"ask for one of: {', '.join(sorted(RESULTS_MEDIA_TYPES))}"
            )
        return QueryResponse(results.serialize(format=fmt), media_type, count=1)
    if isinstance(results, ox.QuerySolutions):
        fmt = RESULTS_MEDIA_TYPES.get(base)
        if fmt is None:
            raise QueryFormatError(
                f"a SELECT query answers a table, which cannot be written as {base}; "
                f"ask for one of: {', '.join(sorted(RESULTS_MEDIA_TYPES))}"
            )
        tsv, lines = _serialize_capped(results, ox.QueryResultsFormat.TSV, max_results + 1)
        rows = min(lines, max_results + 1) - 1  # the first line is the header
        capped = lines > max_results + 1
        if fmt == ox.QueryResultsFormat.TSV:
            body = tsv
        else:
            body = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(
                format=fmt
            )
        return QueryResponse(body, media_type, capped=capped, count=rows)
    fmt = GRAPH_MEDIA_TYPES.get(base)
    if fmt is None:
        raise QueryFormatError(
            f"a CONSTRUCT or DESCRIBE query answers a graph, which cannot be written as {base}; "
            f"ask for one of: {', '.join(sorted(GRAPH_MEDIA_TYPES))}"
        )
    ntriples, lines = _serialize_capped(results, ox.RdfFormat.N_TRIPLES, max_results)
    return QueryResponse(
        _graph_bytes(ntriples, fmt),
        media_type,
        capped=lines > max_results,
        count=min(lines, max_results),
    )


#: A cheap first look for a dataset clause (``prov:wasDerivedFrom`` does not match).
_FROM = re.compile(r"(?<![\w:])FROM\b", re.IGNORECASE)


def dataset_arguments(
    default_graph_uris: tuple[str, ...],
    named_graph_uris: tuple[str, ...],
    *,
    query: str = "",
) -> dict[str, Any]:
    """pyoxigraph ``Store.query`` keywords for the protocol's dataset parameters.

    With neither, the default graph is the union of all graphs — unless the query names its own
    dataset (``FROM`` / ``FROM NAMED``), which then holds; with either, the dataset is exactly the
    graphs named (SPARQL 1.1 Protocol, 2.1.4: they override the query's ``FROM``).
    """
    if not default_graph_uris and not named_graph_uris:
        maybe = (
            ("from" in query.lower() and _FROM.search(query))  # the regex alone costs ~10 µs
            or "\\u" in query
            or "\\U" in query  # codepoint escapes
        )
        info = scan(query) if maybe else None  # the full scan costs ~0.5 ms
        if info is not None and (info.from_graphs or info.from_named_graphs):
            return {}
        return {"use_default_graph_as_union": True}
    return {
        "default_graph": [ox.NamedNode(uri) for uri in default_graph_uris],
        "named_graphs": [ox.NamedNode(uri) for uri in named_graph_uris],
    }


def _shorten(message: str, limit: int = 300) -> str:
    """Cut an engine message (its "expected one of …" lists can run to kilobytes).

    >>> short = _shorten("error at 1:9: expected one of " + "x, " * 200)
    >>> len(short), short[:14], short[-2:]
    (300, 'error at 1:9: ', ' …')
    """
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 2].rstrip() + " …"


def evaluate(store: ox.Store, request: QueryRequest, max_results: int) -> QueryResponse:
    """Run ``request`` on ``store`` (no time bound: call it in a killable process).

    Raises:
        QuerySyntaxError: the query does not parse.
        QueryFormatError: the media type does not fit the query form.
        QueryError: any other failure (an IRI that does not parse in ``default-graph-uri``…).
    """
    try:
        dataset = dataset_arguments(
            request.default_graph_uris, request.named_graph_uris, query=request.query
        )
    except ValueError as error:
        raise QueryError(f"invalid graph IRI: {error}") from None
    try:
        results = store.query(request.query, **dataset)
    except SyntaxError as error:
        raise QuerySyntaxError(f"SPARQL syntax error: {_shorten(str(error))}") from None
    except (OSError, ValueError, RuntimeError) as error:
        raise QueryError(f"the query failed: {error}") from None
    try:
        return render(results, request.media_type, max_results)
    except QueryError:
        raise
    except (OSError, ValueError, RuntimeError, SyntaxError) as error:
        raise QueryError(f"the query failed: {error}") from None


# --------------------------------------------------------------------------------------------
# Worker processes

_CTX = multiprocessing.get_context("fork")
#: Parent-side ends of every worker pipe of this process, closed in each new worker so that a
#: worker sees end-of-file as soon as its own parent goes away.
_PARENT_ENDS: weakref.WeakSet[Connection] = weakref.WeakSet()

#: Messages between the server and its workers: plain pickles (``Connection.send`` would build a
#: ``ForkingPickler`` for each).
_PICKLE = pickle.HIGHEST_PROTOCOL

_ERRORS: dict[str, type[QueryError]] = {
    "syntax": QuerySyntaxError,
    "format": QueryFormatError,
    "error": QueryError,
}


def _limit_memory(headroom: int) -> None:
    """Cap this process's address space at its current size plus ``headroom`` bytes.

    A query that needs more (a huge ``ORDER BY``, a cross product being grouped) then fails its
    allocation and the worker dies at once, instead of growing for the whole time limit and
    pushing the machine into swap; the parent reports it and forks a replacement.
    """
    if headroom <= 0:
        return
    try:
        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (current + headroom, resource.RLIM_INFINITY))
    except (OSError, ValueError, ImportError):  # pragma: no cover - not Linux
        pass


def _private_bytes() -> int | None:
    """Memory only this process holds (its USS: private clean and dirty pages), if known."""
    try:
        with open("/proc/self/smaps_rollup", "rb") as rollup:
            return sum(
                int(line.split()[1]) * 1024
                for line in rollup
                if line.startswith((b"Private_Clean:", b"Private_Dirty:"))
            )
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return None


class _MemoryWatch:
    """Tells a worker when it holds more than ``bound`` bytes of its own (``0``: never).

    A forked worker starts with no private page: each one it gets costs a page fault (a copy of
    an inherited page it wrote to, or a new page), so faults since the fork times the page size
    bound its private memory from above, for one cheap ``getrusage``. Only when that bound passes
    ``bound`` is the real figure read (``/proc/self/smaps_rollup``, which walks every page: up to
    tens of ms on a large in-memory store).
    """

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self.page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        self.faults = 0  # faults counted at the last real reading (none yet: since the fork)
        self.private = 0  # private bytes at the last real reading

    def over(self) -> bool:
        if self.bound <= 0:
            return False
        import resource

        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        if self.private + (faults - self.faults) * self.page <= self.bound:
            return False
        private = _private_bytes()
        if private is None:
            self.bound = 0
            return False
        self.faults, self.private = faults, private
        return private > self.bound


def _worker_main(
    conn: Connection,
    store: EmbeddedStore,
    max_results: int,
    memory_headroom: int = 0,
    recycle_memory: int = 0,
) -> None:
    """The loop of one worker: receive a request, answer with bytes or an error, repeat."""
    for ends in list(_PARENT_ENDS):
        with contextlib.suppress(OSError):
            ends.close()
    # The parent (a gunicorn worker, a Flask dev server) owns the signals; a worker only dies.
    for name in (
        "SIGTERM",
        "SIGHUP",
        "SIGQUIT",
        "SIGUSR1",
        "SIGUSR2",
        "SIGCHLD",
        "SIGWINCH",
        "SIGALRM",
    ):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent shuts us down
    faulthandler.disable()  # an abort on a failed allocation is expected: no traceback dump
    ox_store = store.worker_store()
    _limit_memory(memory_headroom)
    watch = _MemoryWatch(recycle_memory)
    while True:
        try:
            message = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            os._exit(0)
        if message is None:
            os._exit(0)
        request, timeout = message
        # Backstop: the kernel ends this process at twice the deadline even if the parent
        # (which kills it at the deadline) is gone. SIGALRM's default action needs no Python.
        signal.alarm(max(1, math.ceil(2 * timeout) + 1))
        try:
            response = evaluate(ox_store, request, max_results)
        except QueryError as error:
            kind = {QuerySyntaxError: "syntax", QueryFormatError: "format"}.get(
                type(error), "error"
            )
            reply: tuple[Any, ...] = (kind, error.message)
        except Exception as error:  # noqa: BLE001 - a worker must answer, whatever happens
            reply = ("error", f"the query failed: {type(error).__name__}: {error}")
        else:
            reply = ("ok", response)
        signal.alarm(0)
        try:
            conn.send_bytes(pickle.dumps((*reply, watch.over()), _PICKLE))
        except (BrokenPipeError, OSError):
            os._exit(0)


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    #: Killed (or found dead) and replaced: never to be used again.
    retired: bool = False
    #: Waits for the worker's answer (``Connection.poll`` builds a selector at every call).
    poller: Any = None
    #: ``time.monotonic()`` when it last went back to the idle queue.
    idle_since: float = 0.0

    def __post_init__(self) -> None:
        self.poller = select.poll()
        self.poller.register(self.conn.fileno(), select.POLLIN)

    def ready(self, timeout: float) -> bool:
        """Whether an answer (or end-of-file) arrived within ``timeout`` seconds."""
        return bool(self.poller.poll(math.ceil(max(0.0, timeout) * 1000)))


def _stop_workers(workers: set[_Worker], owner_pid: int) -> None:
    """Kill and reap ``workers`` (only from the process that forked them)."""
    if os.getpid() != owner_pid:
        return
    for worker in list(workers):
        _kill(worker)
    workers.clear()


def _kill(worker: _Worker) -> None:
    with contextlib.suppress(OSError):
        worker.conn.close()
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join(timeout=5)


#: Every process executor of this process, to reset in a forked child (see below).
_EXECUTORS: weakref.WeakSet[ProcessExecutor] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for executor in list(_EXECUTORS):
        executor._forget_inherited_pool()


os.register_at_fork(after_in_child=_after_fork_in_child)

#: Bytes a worker may allocate beyond what it inherits, by default (see :func:`_limit_memory`).
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
        store: the loaded embedded store (its :meth:`~ewkg.store.EmbeddedStore.worker_store` is
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
    ) -> None:
        self.store = store
        on_disk = getattr(store, "location", None) is not None
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
        self.cache = cache
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
        self._finalizer: weakref.finalize | None = None
        #: Worker processes killed at their deadline (for tests and monitoring).
        self.kills = 0
        #: Workers forked beyond the pool size while long queries held workers (for tests).
        self.grown = 0
        #: Seconds a worker beyond the pool's allowance may stay idle before it is stopped.
        self.surplus_idle = SURPLUS_IDLE
        _EXECUTORS.add(self)

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
            with contextlib.suppress(OSError):
                worker.conn.close()
            multiprocessing.process._children.discard(worker.process)  # type: ignore[attr-defined]
        self._workers = set()
        self._idle = queue.LifoQueue()
        self._lock = threading.Lock()
        self._settled = threading.Condition(self._lock)
        self._pending = 0
        self._finalizer = None

    def _add_worker(self) -> None:
        parent_end, child_end = _CTX.Pipe(duplex=True)
        # registered before the fork, so that the worker closes its own copy of our end too:
        # it must see end-of-file (and exit) as soon as this process is gone, however it dies
        _PARENT_ENDS.add(parent_end)
        process = _CTX.Process(
            target=_worker_main,
            args=(
                child_end,
                self.store,
                self.max_results,
                self.memory_headroom,
                self.recycle_memory,
            ),
            name="ewkg-query-worker",
            daemon=True,
        )
        with warnings.catch_warnings():
            # Python >= 3.12 warns about fork() in a multi-threaded process; the worker only
            # runs its own loop, pyoxigraph's read path and pipe I/O, none of which take a lock
            # another thread could hold at fork time.
            warnings.simplefilter("ignore", DeprecationWarning)
            process.start()
        child_end.close()
        worker = _Worker(process, parent_end)
        self._workers.add(worker)
        self._idle.put(worker)

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
                    raise QueryTimeout(
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

        Raises:
            QuerySyntaxError, QueryFormatError, QueryTimeout, QueryError.
        """
        key = self.cache_key(request) if self.cache is not None else None
        if key is not None:
            hit = self.cache.get(key)  # type: ignore[union-attr]
            if hit is not None:
                return replace(hit, media_type=request.media_type, cached=True)
        timeout = self.timeout if request.timeout is None else min(request.timeout, self.timeout)
        deadline = time.monotonic() + timeout
        if self._closed:
            raise QueryError("the query executor is closed")
        if self._pid != os.getpid():
            self.start()
        self._sweep()
        worker = self._acquire(deadline, timeout)
        demoted = long_running = False
        try:
            worker.conn.send_bytes(pickle.dumps((request, timeout), _PICKLE))
            ready = False
            if self.demote_after is not None and self.demote_after < timeout:
                ready = worker.ready(self.demote_after)
                if not ready:
                    long_running = True
                    self._count_long(1)
                    demoted = self._demote(worker)
            if not ready:
                ready = worker.ready(deadline - time.monotonic())
            reply = pickle.loads(worker.conn.recv_bytes()) if ready else None
        except (EOFError, OSError):
            if long_running:
                self._count_long(-1)
            self._retire(worker, wait=False)
            raise QueryError(
                "the query was stopped: it needed more memory than a query may use "
                "(or its worker process was killed); narrow it and try again"
            ) from None
        if long_running:
            self._count_long(-1)
        if reply is None:
            self.kills += 1
            self._retire(worker, wait=False)
            raise QueryTimeout(
                f"the query was stopped after {timeout:g} s (the time limit); "
                "narrow it (more specific patterns, LIMIT) and try again"
            )
        kind, payload, swollen = reply
        if swollen:
            self.recycles += 1
            self._retire(worker, wait=False)  # a fresh fork shares its parent's pages again
        elif demoted and not self._restore(worker):
            self._retire(worker, wait=False)  # a fresh worker at normal priority takes its place
        else:
            worker.idle_since = time.monotonic()
            self._idle.put(worker)
        if kind != "ok":
            raise _ERRORS.get(kind, QueryError)(payload)
        response: QueryResponse = payload
        if key is not None:
            self.cache.put(key, response, size=len(response.body) + len(request.query))  # type: ignore[union-attr]
        return response


def result_cache_key(request: QueryRequest, version: str, max_results: int) -> tuple[Any, ...]:
    """What a cached result depends on: the query, the format, the dataset and the cap."""
    return (
        request.query,
        base_media_type(request.media_type),
        request.default_graph_uris,
        request.named_graph_uris,
        version,
        max_results,
    )


def make_cache(
    config_extra: dict[str, Any], *, enabled: bool, ttl: float | None = None
) -> ResultCache[QueryResponse] | None:
    """The result cache the configuration asks for (``extra['result_cache_bytes']`` sizes it)."""
    if not enabled:
        return None
    size = int(config_extra.get("result_cache_bytes", DEFAULT_CACHE_BYTES))
    return ResultCache(max_bytes=size, ttl=ttl)
