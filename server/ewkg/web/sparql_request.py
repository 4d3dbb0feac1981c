"""What a SPARQL request asks, read and checked: the operation, its query's safety, its format.

The first three steps of the SPARQL 1.1 Protocol (:mod:`ewkg.web.protocol` runs the fourth and
writes the answer), each refusing bad input with a precise status:

1. **read** the operation (:func:`parse_operation`): ``GET ?query=``, ``POST`` form
   (``application/x-www-form-urlencoded``) or direct (``application/sparql-query``), strictly
   UTF-8; ``default-graph-uri`` / ``named-graph-uri``; updates are refused (403);
2. **check** it (:func:`prepare`, with :mod:`ewkg.query.safety`): size, nesting, ``SERVICE``, remote
   graphs; the query form;
3. **negotiate** the result format (:func:`choose_format`, with :mod:`ewkg.rdf.formats`):
   ``format=`` or ``Accept``.

Nothing here knows a web framework: the inputs are the request's parts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from werkzeug.datastructures import MIMEAccept

from ewkg.config import Config
from ewkg.query.safety import QueryInfo, UnsafeQueryError, check, check_dataset
from ewkg.rdf import formats
from ewkg.rdf.formats import HTML, Format
from ewkg.web.errors import ApiError, bad_request, forbidden, not_acceptable, unsupported_media_type

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"

_UPDATE_PARAMS = ("update", "using-graph-uri", "using-named-graph-uri")
_READ_ONLY = (
    "SPARQL Update is refused: this endpoint is read-only (send queries with query=, by GET or "
    "POST)"
)


# --------------------------------------------------------------------------- reading


@dataclass
class Operation:
    """A query operation as read from the request, before any check."""

    query: str | None
    default_graph_uris: list[str] = field(default_factory=list)
    named_graph_uris: list[str] = field(default_factory=list)
    #: The ``format=`` parameter values, if any.
    formats: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- reading


def _decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise bad_request(
            f"the {where} is not valid UTF-8 (invalid byte at offset {e.start}); SPARQL "
            "requests must be UTF-8"
        ) from None


def _parse_params(raw: bytes, where: str) -> list[tuple[str, str]]:
    """``a=1&b=2`` → pairs, percent-decoded as strict UTF-8 (no lossy replacement)."""
    text = _decode(raw, where)
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise bad_request(
            f"the {where} holds percent-encoded bytes that are not valid UTF-8 "
            f"(at byte {e.start} of a parameter); percent-encode the UTF-8 bytes of the query"
        ) from None


def _values(params: list[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in params if k == name]


def parse_operation(
    method: str,
    query_string: bytes,
    mimetype: str,
    mimetype_params: Mapping[str, str],
    body: Callable[[], bytes],
) -> Operation:
    """Read the operation of a request per the SPARQL 1.1 Protocol (section 2.1).

    ``mimetype`` is the request's lower-cased ``Content-Type`` without parameters (``""`` if
    none), ``body`` reads the request body (called only for a ``POST``).

    Raises:
        ApiError: 400 (several ``query``, none on POST, not UTF-8), 403 (an update), 415 (a POST
            body of a missing or unknown Content-Type).
    """
    url_params = _parse_params(query_string, "query string")
    body_params: list[tuple[str, str]] = []
    direct: str | None = None
    if method == "POST":
        if not mimetype:
            raise unsupported_media_type(
                f"a POST needs a Content-Type: {FORM} (query=…) or {SPARQL_QUERY} (the query "
                "as the body)"
            )
        if mimetype == FORM:
            body_params = _parse_params(body(), "form body")
        elif mimetype == SPARQL_QUERY:
            charset = mimetype_params.get("charset", "utf-8").lower()
            if charset not in {"utf-8", "utf8"}:
                raise bad_request(
                    f"{SPARQL_QUERY} bodies must be UTF-8, not charset={charset}"
                )
            direct = _decode(body(), "request body")
        elif mimetype == SPARQL_UPDATE:
            raise forbidden(_READ_ONLY)
        else:
            raise unsupported_media_type(
                f"unsupported Content-Type {mimetype}: use {FORM} (query=…) or {SPARQL_QUERY}"
            )
    params = url_params + body_params
    if any(k in _UPDATE_PARAMS for k, _ in params):
        raise forbidden(_READ_ONLY)
    queries = _values(params, "query")
    if direct is not None:
        if queries:
            raise bad_request(
                f"the query is given twice: as the {SPARQL_QUERY} body and as query="
            )
        queries = [direct]
    if len(queries) > 1:
        raise bad_request(f"exactly one query parameter is allowed; got {len(queries)}")
    if not queries and method == "POST":
        raise bad_request("missing query: send query=… in the form body")
    return Operation(
        query=queries[0] if queries else None,
        default_graph_uris=_values(params, "default-graph-uri"),
        named_graph_uris=_values(params, "named-graph-uri"),
        formats=_values(params, "format"),
    )


# --------------------------------------------------------------------------- negotiating


def choose_format(
    available: list[Format],
    format_params: list[str],
    *,
    accept: MIMEAccept,
    extra: Iterable[str] = (),
) -> Format | str:
    """The format to answer in: ``format=`` if given, else the ``Accept`` negotiation.

    ``format=`` may be repeated (SPARQLWrapper sends ``format=rdf+xml&format=application/rdf+xml``):
    the first value that names an available format wins; empty values are ignored.

    Raises:
        ApiError: 400 for an unknown ``format=``; 406 when no acceptable format fits.
    """
    extra = list(extra)
    values = [v for v in format_params if v.strip()]
    if values:
        for value in values:
            if value.strip().lower() in {"html", HTML} and HTML in extra:
                return HTML
            chosen = formats.matching(value, available)
            if chosen is not None:
                return chosen
        if not any(formats.is_known(v) for v in values):
            known = ", ".join(f"{f.name} ({f.media_type})" for f in formats.FORMATS)
            raise bad_request(f"unknown format={values[0]}; known: {known}")
        names = ", ".join(f.name for f in available)
        raise ApiError(
            406, f"format={values[0]} cannot serialize this result; use one of: {names}"
        )
    best = formats.negotiate(accept, available, extra=extra)
    if best is None:
        raise not_acceptable(formats.acceptable_types(available, extra))
    return best


# --------------------------------------------------------------------------- checking


def public_endpoint(config: Config) -> str:
    """The endpoint's public IRI: ``sparql`` under the configured base (``--base-iri``)."""
    return config.base_iri.rstrip("/") + "/sparql"


@dataclass(frozen=True)
class Prepared:
    """A query operation that passed every check, ready to run."""

    #: The text the engine runs (the client's query, after a ``BASE`` prologue if any).
    text: str
    #: Characters prepended to the client's text (to map error positions back).
    prologue: int
    #: What the safety scan learnt.
    info: QueryInfo
    #: The query form (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``).
    form: str


def prepare(op: Operation, config: Config, bases: list[str]) -> Prepared:
    """Check a query operation (size, emptiness, safety, dataset) and give it its base.

    Raises:
        ApiError: 413 (too long), 400 (empty, malformed), 403 (SERVICE, remote graphs…).
    """
    query = op.query or ""
    size = len(query.encode("utf-8"))
    if size > config.max_query_bytes:
        raise ApiError(
            413, f"the query is {size} bytes long; this endpoint accepts at most "
            f"{config.max_query_bytes}"
        )
    if not query.strip():
        raise bad_request("empty query")
    try:
        info = check(query, local_bases=bases)
        check_dataset(op.default_graph_uris, "default-graph-uri", bases)
        check_dataset(op.named_graph_uris, "named-graph-uri", bases)
    except UnsafeQueryError as e:
        raise ApiError(e.status, e.message) from None
    if info.has_relative_iri and not info.has_base:
        # Relative IRIs resolve against the endpoint's public address (SPARQL 1.1 Protocol: the
        # base "MAY be the service endpoint"), so <id/region/fujian> names the dataset's entity.
        # On line 1, so the line numbers of error messages stay right.
        prologue = f"BASE <{public_endpoint(config)}> "
    else:
        prologue = ""
    if info.form is None:  # pragma: no cover - check() refuses a text without a query form
        raise bad_request("no query form (SELECT, ASK, CONSTRUCT, DESCRIBE) found")
    return Prepared(prologue + query, len(prologue), info, info.form)
