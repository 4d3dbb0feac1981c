"""A remote SPARQL 1.1 store (Oxigraph server, Fuseki, Virtuoso, QLever…) behind the Store API.

For when a deployment outgrows one machine: the HTTP layer stays stateless and the data lives in
the remote store. Client queries are forwarded by HTTP ``POST`` (SPARQL 1.1 Protocol, form
encoded, with the protocol's ``default-graph-uri`` / ``named-graph-uri``), the deadline enforced
on the connection; the answer is parsed as it streams in and re-serialized through the same
capped, native path as the embedded engine (:func:`ewkg.query.executor.render`), so a huge remote
answer is read only up to ``max_results``.

The remote endpoint should expose the whole dataset in its default graph (for Oxigraph:
``oxigraph serve --union-default-graph``). Requests go straight to the configured host (no
HTTP proxy).
"""

from __future__ import annotations

import hashlib
import http.client
import time
from datetime import UTC, datetime
from typing import IO, Any, cast
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Identifier

from ewkg.lru import ResultCache
from ewkg.query.evaluation import (
    GRAPH_MEDIA_TYPES,
    RESULTS_MEDIA_TYPES,
    QueryError,
    QueryRequest,
    QueryResponse,
    QuerySyntaxError,
    QueryTimeout,
    base_media_type,
    render,
    result_cache_key,
)
from ewkg.query.result_reuse import ResultReuse
from ewkg.rdf.namespaces import new_graph
from ewkg.store.embedded import to_rdflib

#: Result formats we can parse back (CSV is lossy: never asked for).
_PARSEABLE_RESULTS = {
    m: fmt for m, fmt in RESULTS_MEDIA_TYPES.items() if fmt != ox.QueryResultsFormat.CSV
}
_FALLBACK_ACCEPT = (
    "application/sparql-results+json;q=0.9, application/n-triples;q=0.8, text/turtle;q=0.7"
)


class _DeadlineError(Exception):
    """The remote answer did not arrive before the deadline."""


class _TimedReader:
    """A file-like view of an HTTP response that gives up at ``deadline`` (monotonic)."""

    def __init__(self, response: http.client.HTTPResponse, sock: Any, deadline: float) -> None:
        self.response = response
        self.sock = sock
        self.deadline = deadline

    def read(self, size: int = -1) -> bytes:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _DeadlineError
        if self.sock is not None:
            self.sock.settimeout(remaining)
        try:
            return self.response.read(size if size is not None and size >= 0 else None)
        except TimeoutError:
            raise _DeadlineError from None

    def readable(self) -> bool:
        return True


class _TripleStream:
    """Parsed triples with the ``serialize`` method :func:`ewkg.query.executor.render` calls."""

    def __init__(self, triples: Any) -> None:
        self.triples = triples

    def serialize(self, output: Any, format: ox.RdfFormat) -> None:  # noqa: A002 - pyoxigraph's name
        ox.serialize(
            (q.triple if isinstance(q, ox.Quad) else q for q in self.triples),
            output,
            format=format,
        )


def _is_deadline(error: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, _DeadlineError | TimeoutError):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


class RemoteStore:
    """A SPARQL 1.1 endpoint used as the store.

    Args:
        endpoint: the ``http(s)://…`` query URL.
        timeout: seconds for each trusted query (and the connection probe).

    Raises:
        ValueError: the URL is not http(s), or the endpoint does not answer a SPARQL query.
    """

    #: The remote's data may change without the server knowing.
    changes_outside = True
    #: The data lives at the endpoint, not in this process.
    oxigraph: None = None

    def __init__(self, endpoint: str, *, timeout: float = 10.0) -> None:
        parts = urlsplit(endpoint)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"{endpoint!r} is not an http(s) SPARQL endpoint URL")
        self.endpoint = endpoint
        self.timeout = timeout
        self._parts = parts
        self._host: str = parts.hostname
        try:
            self.ask("ASK {}")
        except (QueryError, OSError) as error:
            message = error.message if isinstance(error, QueryError) else str(error)
            raise ValueError(f"the SPARQL endpoint {endpoint} does not answer: {message}") from None
        self.loaded_at = datetime.now(UTC).replace(microsecond=0)
        try:  # a cheap fingerprint where the remote counts fast; its open time otherwise
            fingerprint = str(self._count())
        except QueryError:
            fingerprint = self.loaded_at.isoformat()
        #: Identifies the remote's data as of opening (it may change: remote caches use a TTL).
        self.version = (
            "remote-" + hashlib.sha256(f"{endpoint} {fingerprint}".encode()).hexdigest()[:12]
        )

    # -- HTTP

    def post(
        self,
        query: str,
        *,
        accept: str,
        deadline: float,
        default_graph_uris: tuple[str, ...] = (),
        named_graph_uris: tuple[str, ...] = (),
    ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse, _TimedReader]:
        """POST ``query``; returns the open connection, the response and a deadline-bound reader.

        Raises:
            QuerySyntaxError: the remote answered 400.
            QueryTimeout: no answer before ``deadline``.
            QueryError: any other failure.
        """
        fields: list[tuple[str, str]] = [("query", query)]
        fields += [("default-graph-uri", uri) for uri in default_graph_uris]
        fields += [("named-graph-uri", uri) for uri in named_graph_uris]
        body = urlencode(fields).encode()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise QueryTimeout("the query ran out of time before it could be sent")
        cls = (
            http.client.HTTPSConnection
            if self._parts.scheme == "https"
            else http.client.HTTPConnection
        )
        conn = cls(self._host, self._parts.port, timeout=remaining)
        path = self._parts.path or "/"
        if self._parts.query:
            path += "?" + self._parts.query
        try:
            conn.request(
                "POST",
                path,
                body=body,
                headers={
                    "Accept": accept,
                    "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                    "User-Agent": "ewkg",
                },
            )
            response = conn.getresponse()
        except TimeoutError:
            conn.close()
            raise QueryTimeout(
                "the query was stopped: the SPARQL store did not answer within the time limit"
            ) from None
        except OSError as error:
            conn.close()
            raise QueryError(f"the SPARQL store {self.endpoint} is unreachable: {error}") from None
        if response.status != 200:
            text = response.read(4000).decode("utf-8", "replace").strip()
            conn.close()
            if response.status == 400:
                raise QuerySyntaxError(f"the SPARQL store refused the query: {text}")
            if response.status in {503, 504} and "timeout" in text.lower():
                raise QueryTimeout(f"the SPARQL store stopped the query: {text}")
            raise QueryError(
                f"the SPARQL store {self.endpoint} answered {response.status} "
                f"{response.reason}: {text}"
            )
        return conn, response, _TimedReader(response, conn.sock, deadline)

    def _results(self, query: str, accept: str) -> Any:
        """Run a trusted query; returns the parsed pyoxigraph result (fully read)."""
        deadline = time.monotonic() + self.timeout
        conn, response, reader = self.post(query, accept=accept, deadline=deadline)
        try:
            return parse_response(response, reader, eager=True)
        finally:
            conn.close()

    def _count(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(rows[0]["n"]) if rows and "n" in rows[0] else 0

    # -- the trusted Store API

    def __len__(self) -> int:
        return self._count()

    def select(self, query: str) -> list[dict[str, Identifier]]:
        solutions = self._results(query, "application/sparql-results+json")
        if not isinstance(solutions, list):
            raise QueryError("the SPARQL store did not answer a SELECT with a table")
        return solutions

    def ask(self, query: str) -> bool:
        result = self._results(query, "application/sparql-results+json")
        if not isinstance(result, bool):
            raise QueryError("the SPARQL store did not answer an ASK with a boolean")
        return result

    def construct(self, query: str) -> Graph:
        triples = self._results(query, "application/n-triples, text/turtle;q=0.9")
        if not isinstance(triples, Graph):
            raise QueryError("the SPARQL store did not answer a CONSTRUCT with a graph")
        return triples

    def graph(self) -> Graph:
        return self.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")


def parse_response(
    response: http.client.HTTPResponse, reader: _TimedReader, *, eager: bool = False
) -> Any:
    """Parse a SPARQL answer by its Content-Type.

    Lazily (``eager=False``) into a pyoxigraph result for :func:`ewkg.query.executor.render`;
    eagerly into rdflib values (rows, bool or graph) for the trusted API.
    """
    content_type = base_media_type(response.getheader("Content-Type", ""))
    results_format = _PARSEABLE_RESULTS.get(content_type)
    source = cast(IO[bytes], reader)  # pyoxigraph reads any object with ``read(size)``
    try:
        if results_format is not None:
            parsed = ox.parse_query_results(source, format=results_format)
            if not eager:
                return parsed
            if isinstance(parsed, ox.QueryBoolean):
                return bool(parsed)
            names = [v.value for v in parsed.variables]
            return [
                {n: to_rdflib(s[n]) for n in names if s[n] is not None}
                for s in parsed
            ]
        rdf_format = GRAPH_MEDIA_TYPES.get(content_type) or ox.RdfFormat.from_media_type(
            content_type
        )
        if rdf_format is None:
            raise QueryError(f"the SPARQL store answered in an unknown format: {content_type!r}")
        triples = ox.parse(source, format=rdf_format)
        if not eager:
            return _TripleStream(triples)
        graph = new_graph()
        for q in triples:
            t = q.triple if isinstance(q, ox.Quad) else q
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return graph
    except QueryError:
        raise
    except Exception as error:
        if _is_deadline(error):
            raise QueryTimeout(
                "the query was stopped: the SPARQL store did not answer within the time limit"
            ) from None
        raise QueryError(f"the SPARQL store's answer does not parse: {error}") from None


def upstream_accept(media_type: str) -> str:
    """The ``Accept`` to send upstream for a client's negotiated ``media_type``.

    The client's type first when we can parse it back (to count and cap the result), then
    parseable fallbacks, so a form mismatch (Turtle for a SELECT) is still answered and reported.

    >>> upstream_accept("text/csv")
    'application/sparql-results+json, application/n-triples;q=0.8, text/turtle;q=0.7'
    """
    base = base_media_type(media_type)
    if base in _PARSEABLE_RESULTS or base in GRAPH_MEDIA_TYPES:
        if base == "application/ld+json":  # not every store writes JSON-LD: ask for N-Triples
            base = "application/n-triples"
        return f"{base}, {_FALLBACK_ACCEPT}"
    if base in RESULTS_MEDIA_TYPES:  # CSV: lossy, ask for JSON and convert
        return "application/sparql-results+json, application/n-triples;q=0.8, text/turtle;q=0.7"
    return _FALLBACK_ACCEPT


class RemoteExecutor:
    """Runs client queries on a :class:`RemoteStore` (the Executor of the remote backend)."""

    def __init__(
        self,
        store: RemoteStore,
        *,
        timeout: float = 10.0,
        max_results: int = 10_000,
        cache: ResultCache[QueryResponse] | None = None,
    ) -> None:
        self.store = store
        self.timeout = timeout
        self.max_results = max_results
        #: The result cache and the coalescing of identical queries in flight, shared with the
        #: embedded executor (:mod:`ewkg.query.result_reuse`).
        self.reuse = ResultReuse(cache)

    @property
    def cache(self) -> ResultCache[QueryResponse] | None:
        """The result cache (``None``: none)."""
        return self.reuse.cache

    def execute(self, request: QueryRequest) -> QueryResponse:
        """Send ``request`` to the store and re-render its answer, capped; through the result
        cache, clients sending the same query at once sharing one remote evaluation.

        Raises:
            QuerySyntaxError, QueryTimeout, QueryError.
        """
        timeout = self.timeout if request.timeout is None else min(request.timeout, self.timeout)
        deadline = time.monotonic() + timeout
        return self.reuse.answer(
            request,
            result_cache_key(request, self.store.version, self.max_results),
            lambda: self._fetch(request, timeout, deadline),
            timeout=timeout,
            deadline=deadline,
        )

    def _fetch(self, request: QueryRequest, timeout: float, deadline: float) -> QueryResponse:
        """Evaluate ``request`` at the remote store (no cache), giving up at ``deadline``."""
        conn, response, reader = self.store.post(
            request.query,
            accept=upstream_accept(request.media_type),
            deadline=deadline,
            default_graph_uris=request.default_graph_uris,
            named_graph_uris=request.named_graph_uris,
        )
        try:
            results = parse_response(response, reader)
            try:
                return render(results, request.media_type, self.max_results)
            except QueryError:
                raise
            except Exception as error:
                if _is_deadline(error):
                    raise QueryTimeout(
                        f"the query was stopped after {timeout:g} s (the time limit): the "
                        "SPARQL store did not answer in time; narrow it and try again"
                    ) from None
                raise QueryError(f"the SPARQL store's answer does not parse: {error}") from None
        finally:
            conn.close()

    def close(self) -> None:
        """Nothing to release: each query uses its own connection."""
