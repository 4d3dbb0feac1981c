"""Evaluating one client query: the request and response types, and their serialization.

What runs inside a query worker process (:mod:`ewkg.query.query_worker`) and, in-process, for the
remote backend: :func:`evaluate` runs a :class:`QueryRequest` on a pyoxigraph store and
:func:`render` turns the result into the negotiated bytes, cut at ``max_results`` rows or
triples (a cut result says so: :attr:`QueryResponse.capped`; never a silent truncation).

It imports only the standard library and pyoxigraph, so that a freshly started worker stays
small (the prefixes of JSON-LD and Turtle results are given by :func:`set_prefixes`, else read
from :mod:`ewkg.rdf.namespaces`, which needs rdflib). Media types come from :mod:`ewkg.rdf.formats`,
JSON-LD from :mod:`ewkg.rdf.jsonld`.
"""

from __future__ import annotations

import io

import pyoxigraph as ox

from ewkg.rdf import formats
from ewkg.rdf.jsonld import context as jsonld_context
from ewkg.rdf.jsonld import jsonld_bytes
from ewkg.rdf.jsonld import set_prefixes as set_prefixes  # re-exported: the worker sets them here

# Only what a freshly started worker needs is imported up front: ``json`` and ``re`` are
# imported where they are used (JSON-LD, a dataset clause), ``typing`` only for type checkers.
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

# --------------------------------------------------------------------------------------------
# The contract with the protocol layer


class _Record:
    """An immutable record of a few fields: equality, hash and repr by value, compact pickles.

    (A frozen dataclass would do, but importing :mod:`dataclasses` costs a freshly started
    worker tens of milliseconds; these two records are all it needs.)
    """

    __slots__: tuple[str, ...] = ()

    def _fill(self, *values: object) -> None:
        """Set every field, in the order of ``__slots__`` (once, from ``__init__``)."""
        for name, value in zip(self.__slots__, values, strict=True):
            object.__setattr__(self, name, value)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({fields})"

    def __reduce__(self) -> tuple[Any, ...]:  # pickled for every query: fields only, in order
        return (type(self), self._values())


class QueryRequest(_Record):
    """One client query, already checked by the protocol layer (depth, no SERVICE, not update).

    ``default_graph_uris`` / ``named_graph_uris`` are the protocol's ``default-graph-uri`` and
    ``named-graph-uri``: when either is given, the query's dataset is exactly those graphs;
    otherwise the default graph is the union of all graphs. ``timeout`` may lower (never raise)
    the configured timeout for this query.
    """

    __slots__ = ("query", "media_type", "default_graph_uris", "named_graph_uris", "timeout")
    query: str
    media_type: str
    default_graph_uris: tuple[str, ...]
    named_graph_uris: tuple[str, ...]
    timeout: float | None

    def __init__(
        self,
        query: str,
        media_type: str,
        default_graph_uris: tuple[str, ...] = (),
        named_graph_uris: tuple[str, ...] = (),
        timeout: float | None = None,
    ) -> None:
        self._fill(query, media_type, default_graph_uris, named_graph_uris, timeout)


class QueryResponse(_Record):
    """The serialized result of a query.

    ``capped``: the result was cut at ``max_results`` rows / triples; ``count``: rows or triples
    in ``body`` (1 for ASK); ``cached``: served from the result cache.
    """

    __slots__ = ("body", "media_type", "capped", "count", "cached")
    body: bytes
    media_type: str
    capped: bool
    count: int
    cached: bool

    def __init__(
        self,
        body: bytes,
        media_type: str,
        capped: bool = False,
        count: int = 0,
        cached: bool = False,
    ) -> None:
        self._fill(body, media_type, capped, count, cached)

    def from_cache(self, media_type: str) -> QueryResponse:
        """This response served again from the cache, labelled with the type asked for."""
        return QueryResponse(self.body, media_type, self.capped, self.count, cached=True)


class QueryError(Exception):
    """A query could not be answered; :attr:`message` says why, for a human."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class QuerySyntaxError(QueryError):
    """The query is malformed (the message gives the line and column)."""


class QueryTimeout(QueryError):  # noqa: N818 - the name is the protocol layer's contract
    """The query ran past its deadline; its work was stopped."""

    #: The time limit it ran into, in seconds, when known.
    limit: float | None = None


class QueryBusy(QueryTimeout):  # noqa: N818 - a kind of QueryTimeout, named as the others
    """The server had no room for the query (no free process, or too many long queries); it
    may be sent again in a moment (503 with ``Retry-After``)."""


class QueryFormatError(QueryError):
    """The requested media type does not fit the query form (e.g. Turtle for a SELECT)."""


class QueryServerError(QueryError):
    """The server could not run the query (a query process failed): not the client's fault."""



# --------------------------------------------------------------------------------------------
# Media types

#: SELECT / ASK result media types (aliases included) -> pyoxigraph format.
RESULTS_MEDIA_TYPES: dict[str, ox.QueryResultsFormat] = {
    m: f.results for m, f in formats.syntax_table(formats.result_formats()).items()
}
#: CONSTRUCT / DESCRIBE result media types -> pyoxigraph format (a generic type such as
#: ``application/json`` names a result format, never a graph one).
GRAPH_MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    m: f.rdf
    for m, f in formats.syntax_table(formats.graph_formats(readable=True), generic=True).items()
    if m not in RESULTS_MEDIA_TYPES
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


def _graph_bytes(ntriples: bytes, fmt: ox.RdfFormat) -> bytes:
    """Re-serialize N-Triples into ``fmt`` (JSON-LD compacted with the local context)."""
    if fmt == ox.RdfFormat.N_TRIPLES:
        return ntriples
    triples = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    if fmt == ox.RdfFormat.JSON_LD:
        return jsonld_bytes(t.triple for t in triples)
    if fmt.supports_datasets:
        quads = (ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
        return written(ox.serialize(quads, format=fmt, prefixes=jsonld_context()))
    return written(ox.serialize(triples, format=fmt, prefixes=jsonld_context()))


def written(data: bytes | None) -> bytes:
    """The bytes a pyoxigraph serializer returned (it returns ``None`` only when given an
    output to write to, which callers of this never do)."""
    if data is None:
        raise RuntimeError("the serializer wrote to an output instead of returning bytes")
    return data


def _fitting(table: dict[str, Any], base: str, answer: str) -> Any:
    """The engine format of ``base`` in ``table``, or a :class:`QueryFormatError` saying
    that a query answering ``answer`` cannot be written so, and what it can be written as."""
    fmt = table.get(base)
    if fmt is None:
        raise QueryFormatError(
            f"{answer}, which cannot be written as {base}; "
            f"ask for one of: {', '.join(sorted(table))}"
        )
    return fmt


def render(results: Any, media_type: str, max_results: int) -> QueryResponse:
    """Serialize a pyoxigraph query result (solutions, boolean or triples) as ``media_type``.

    Solutions and triples are cut after ``max_results``; the response then says
    ``capped=True``.

    Raises:
        QueryFormatError: ``media_type`` does not fit the query form.
    """
    base = base_media_type(media_type)
    if isinstance(results, ox.QueryBoolean):
        fmt = _fitting(RESULTS_MEDIA_TYPES, base, "an ASK query answers true or false")
        return QueryResponse(written(results.serialize(format=fmt)), media_type, count=1)
    if isinstance(results, ox.QuerySolutions):
        fmt = _fitting(RESULTS_MEDIA_TYPES, base, "a SELECT query answers a table")
        tsv, lines = _serialize_capped(results, ox.QueryResultsFormat.TSV, max_results + 1)
        rows = min(lines, max_results + 1) - 1  # the first line is the header
        capped = lines > max_results + 1
        if fmt == ox.QueryResultsFormat.TSV:
            body = tsv
        else:
            body = written(ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(
                format=fmt
            ))
        return QueryResponse(body, media_type, capped=capped, count=rows)
    fmt = _fitting(GRAPH_MEDIA_TYPES, base, "a CONSTRUCT or DESCRIBE query answers a graph")
    ntriples, lines = _serialize_capped(results, ox.RdfFormat.N_TRIPLES, max_results)
    return QueryResponse(
        _graph_bytes(ntriples, fmt),
        media_type,
        capped=lines > max_results,
        count=min(lines, max_results),
    )


def result_cache_key(request: QueryRequest, version: str, max_results: int) -> tuple[object, ...]:
    """What a cached result depends on: the query, the format, the dataset and the cap."""
    return (
        request.query,
        base_media_type(request.media_type),
        request.default_graph_uris,
        request.named_graph_uris,
        version,
        max_results,
    )


#: A cheap first look for a dataset clause (``prov:wasDerivedFrom`` does not match).
_FROM = r"(?<![\w:])FROM\b"


def _search(pattern: str, text: str) -> bool:
    import re  # (its compiled patterns are cached)

    return re.search(pattern, text, re.IGNORECASE) is not None


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
            ("from" in query.lower() and _search(_FROM, query))  # the regex alone costs ~10 µs
            or "\\u" in query
            or "\\U" in query  # codepoint escapes
        )
        info = None
        if maybe:
            from ewkg.query.safety import (
                scan,  # imported only when needed: it brings werkzeug along
            )

            info = scan(query)  # the full scan costs ~0.5 ms
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
    if "textMatch" in request.query:  # the search from SPARQL, see ewkg.query.text_sparql
        from ewkg.query.text_sparql import functions_for

        dataset["custom_functions"] = functions_for(request.query)
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
