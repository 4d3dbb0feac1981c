"""The SPARQL 1.1 Protocol endpoint, ``/sparql``: one blueprint, read-only.

A request goes through four steps, each refusing bad input with a precise status:

1. **read** the operation (:func:`read_operation`): ``GET ?query=``, ``POST`` form
   (``application/x-www-form-urlencoded``) or direct (``application/sparql-query``), strictly
   UTF-8; ``default-graph-uri`` / ``named-graph-uri``; updates are refused (403);
2. **check** it (:mod:`ewkg.safety`): size, nesting, ``SERVICE``, remote graphs; the query form;
3. **negotiate** the result format (:mod:`ewkg.formats`): ``format=`` or ``Accept``;
4. **execute** it on the engine (:func:`ewkg.services.get_executor`), bounded in time and size.

``GET /sparql`` without a query answers the SPARQL 1.1 Service Description (RDF) or, for a
browser, the query UI. See ``docs/protocol.md`` for every parameter and status.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from flask import Blueprint, Flask, Response, current_app, render_template, request
from jinja2 import TemplateError
from werkzeug.datastructures import MIMEAccept

from . import formats, services
from .bodies import read_body
from .errors import ApiError, bad_request, forbidden, not_acceptable, unsupported_media_type
from .formats import HTML, Format
from .resources import query_files
from .safety import QueryInfo, UnsafeQueryError, check, check_dataset

if TYPE_CHECKING:  # pragma: no cover
    from .executor import Executor, QueryResponse

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"

#: Response headers a cross-origin script may read.
EXPOSED_HEADERS = "X-Ewkg-Result-Capped, X-Ewkg-Result-Count, X-Ewkg-Cache, Content-Type, Vary"
#: Headers reporting on the result.
CAPPED_HEADER = "X-Ewkg-Result-Capped"
COUNT_HEADER = "X-Ewkg-Result-Count"
CACHE_HEADER = "X-Ewkg-Cache"

#: WSGI environ key by which :mod:`ewkg.query_lane` hands the error of a query it ran to this
#: view, which answers it like any other error (the query is not run twice).
LANE_ERROR = "ewkg.query_lane.error"

_UPDATE_PARAMS = ("update", "using-graph-uri", "using-named-graph-uri")
_READ_ONLY = (
    "SPARQL Update is refused: this endpoint is read-only (send queries with query=, by GET or "
    "POST)"
)


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


def read_operation() -> Operation:
    """Read the operation from Flask's ``request`` (see :func:`parse_operation`).

    The body is read whole or refused (:func:`ewkg.bodies.read_body`): a chunked body over the
    limit is a 413 like one with a ``Content-Length``, never a query cut short.
    """
    limit = services.get_config().max_request_bytes
    return parse_operation(
        request.method,
        request.query_string,
        request.mimetype,
        request.mimetype_params,
        lambda: read_body(request, limit),
    )


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
    extra: Iterable[str] = (),
    accept: MIMEAccept | None = None,
) -> Format | str:
    """The format to answer in: ``format=`` if given, else the ``Accept`` negotiation.

    ``accept`` defaults to the ``Accept`` header of Flask's current request.

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
    if accept is None:
        accept = request.accept_mimetypes
    best = formats.negotiate(accept, available, extra=extra)
    if best is None:
        raise not_acceptable(formats.acceptable_types(available, extra))
    return best


# --------------------------------------------------------------------------- executing


def get_executor(app: Flask | None = None) -> Executor:
    """The engine's executor (``ewkg.engine.init_app`` attaches it), else a 503."""
    executor = services.find_executor(app)
    if executor is None:
        raise ApiError(503, "the query engine is not available")
    return executor


def public_endpoint(config: Any) -> str:
    """The endpoint's public IRI: ``sparql`` under the configured base (``--base-iri``)."""
    return config.base_iri.rstrip("/") + "/sparql"


def local_bases() -> list[str]:
    """IRI prefixes of graphs that are this dataset's own (see :func:`ewkg.safety.is_local`)."""
    config = services.get_config()
    return [config.base_iri, request.host_url]


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


def prepare(op: Operation, config: Any, bases: list[str]) -> Prepared:
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


def run(executor: Any, op: Operation, prepared: Prepared, chosen: Format) -> QueryResponse:
    """Run a prepared query on ``executor``, answering in ``chosen``.

    Raises:
        ApiError: 400 (syntax or engine error), 503 (timeout), 406 (format unfit for the form),
            500 (a query process of the server failed).
    """
    from .executor import (
        QueryBusy,
        QueryError,
        QueryFormatError,
        QueryRequest,
        QueryServerError,
        QuerySyntaxError,
        QueryTimeout,
    )

    try:
        return executor.execute(
            QueryRequest(
                prepared.text,
                chosen.media_type,
                default_graph_uris=tuple(op.default_graph_uris),
                named_graph_uris=tuple(op.named_graph_uris),
            )
        )
    except QuerySyntaxError as e:
        raise bad_request(_shorten(_unshift(e.message, prepared.prologue))) from None
    except QueryBusy as e:
        raise ApiError(503, f"query timeout: {e.message}", headers={"Retry-After": "5"}) from None
    except QueryTimeout as e:
        raise ApiError(503, f"query timeout: {e.message}") from None
    except QueryFormatError as e:
        raise ApiError(406, e.message) from None
    except QueryServerError as e:
        raise ApiError(500, e.message) from None
    except QueryError as e:
        raise bad_request(e.message) from None


def result_parts(result: QueryResponse, chosen: Format) -> tuple[bytes, list[tuple[str, str]]]:
    """The body of a query's answer and the headers that report on it (cap, count, cache)."""
    body = result.body
    if result.capped:
        body = _capped_note(body, chosen, result.count)
    return body, [
        (CAPPED_HEADER, "true" if result.capped else "false"),
        (COUNT_HEADER, str(result.count)),
        (CACHE_HEADER, "hit" if result.cached else "miss"),
    ]


def _capped_note(body: bytes, fmt: Format, count: int) -> bytes:
    """Say in the body itself, where the format has room for it, that the result was capped."""
    text = (
        f"ewkg: result capped at {count} rows/triples (the endpoint's limit); "
        "add LIMIT/OFFSET or narrow the query"
    )
    if fmt.name in {"ttl", "nt", "trig"}:
        return f"# {text}\n".encode() + body
    if fmt.name == "json" and body.startswith(b"{"):
        note = json.dumps({"capped": True, "count": count, "message": text})
        return b'{"ewkg":' + note.encode() + b"," + body[1:]
    if fmt.name in {"xml", "rdf"}:
        comment = f"<!-- {text} -->".encode()
        if body.startswith(b"<?xml"):
            end = body.find(b"?>") + 2
            return body[:end] + b"\n" + comment + body[end:]
        return comment + b"\n" + body
    return body


def _unshift(message: str, columns: int) -> str:
    """Give a parser position on line 1 (``at 1:42``) in the client's own text, before the
    ``BASE`` the endpoint prepended.

    >>> _unshift("error at 1:42: expected WHERE", 30)
    'error at 1:12: expected WHERE'
    """
    if not columns:
        return message
    return re.sub(
        r"\b1:(\d+)\b", lambda m: f"1:{max(1, int(m.group(1)) - columns)}", message, count=1
    )


def _shorten(message: str, limit: int = 400) -> str:
    """Cut a parser message's long list of expected tokens (the position stays at its start)."""
    return message if len(message) <= limit else message[: limit - 1].rstrip() + "…"


def execute(op: Operation) -> Response:
    """Check, negotiate and run a query operation."""
    prepared = prepare(op, services.get_config(), local_bases())
    extra = [HTML] if request.method in {"GET", "HEAD"} else []
    chosen = choose_format(formats.for_form(prepared.form), op.formats, extra=extra)
    if chosen == HTML:
        return query_ui(initial_query=op.query)
    assert isinstance(chosen, Format)
    body, headers = result_parts(run(get_executor(), op, prepared, chosen), chosen)
    response = Response(body, status=200, content_type=chosen.content_type)
    for name, value in headers:
        response.headers[name] = value
    return response


# --------------------------------------------------------------------------- pages


def load_examples() -> list[dict[str, str]]:
    """The competency queries ``queries/NN-slug.rq``, with their French and Chinese titles."""
    examples = []
    for path in query_files():
        text = path.read_text(encoding="utf-8")
        titles = {"fr": "", "zh": ""}
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped.startswith("#"):
                if stripped:
                    break
                continue
            head, _, rest = stripped.lstrip("#").strip().partition(":")
            if head.strip() in titles and rest.strip():
                titles[head.strip()] = rest.strip()
        examples.append(
            {
                "slug": path.stem,
                "fr": titles["fr"] or path.stem,
                "zh": titles["zh"] or path.stem,
                "query": text,
            }
        )
    return examples


_STANDALONE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %}</title>{% block head %}{% endblock %}</head>
<body><main id="main">{% block content %}{% endblock %}</main>{% block scripts %}{% endblock %}
</body></html>"""


def query_ui(*, initial_query: str | None = None) -> Response:
    """The query page (YASGUI), in the site's frame when the page templates are there."""
    context = {"initial_query": initial_query}
    try:
        html = render_template("sparql.html", layout="base.html", **context)
    except TemplateError:
        layout = current_app.jinja_env.from_string(_STANDALONE)
        html = render_template("sparql.html", layout=layout, **context)
    return Response(html, mimetype="text/html")


def service_description_response(fmt: Format) -> Response:
    from .service_description import service_description

    graph = service_description(
        services.get_store(),
        endpoint=request.base_url,
        base_url=request.url_root,
    )
    body = graph.serialize(format=fmt.rdflib_name or "turtle", encoding="utf-8")
    return Response(body, content_type=fmt.content_type)


# --------------------------------------------------------------------------- the view


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"], provide_automatic_options=False)
def endpoint() -> Response:
    """The protocol endpoint."""
    if request.method == "OPTIONS":
        return preflight()
    lane_error = request.environ.get(LANE_ERROR)
    if lane_error is not None:  # the query lane ran this very request and it failed: say why
        raise lane_error
    op = read_operation()
    if op.query is None:
        chosen = choose_format(formats.graph_formats(), op.formats, extra=[HTML])
        if chosen == HTML:
            return query_ui()
        assert isinstance(chosen, Format)
        return service_description_response(chosen)
    return execute(op)


def preflight() -> Response:
    """Answer a CORS preflight (``OPTIONS``) for reads."""
    response = Response(status=204)
    response.headers["Allow"] = "GET, HEAD, POST, OPTIONS"
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
    requested = request.headers.get("Access-Control-Request-Headers")
    response.headers["Access-Control-Allow-Headers"] = (
        requested or "Accept, Accept-Language, Content-Type"
    )
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _gzip_post(response: Response) -> None:
    """gzip a POST query's result when the client accepts it.

    ``GET`` responses are compressed (and given validators) by the app-wide hook of
    :mod:`ewkg.http_caching`, which leaves ``POST`` alone; it never compresses a body that already
    has a ``Content-Encoding``, so nothing is compressed twice.
    """
    from .http_caching import MIN_GZIP_SIZE, accepts_gzip, compressible

    if not compressible(response.mimetype):
        return
    response.vary.add("Accept-Encoding")
    if (
        "Content-Encoding" in response.headers
        or response.is_streamed
        or (response.content_length or 0) < MIN_GZIP_SIZE
        or not accepts_gzip()
    ):
        return
    response.set_data(gzip.compress(response.get_data(), compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"


@bp.after_request
def _headers(response: Response) -> Response:
    response.vary.add("Accept")
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    response.headers.setdefault("Access-Control-Expose-Headers", EXPOSED_HEADERS)
    if request.method == "POST" or response.status_code >= 400:
        response.headers.setdefault("Cache-Control", "no-store")
    if request.method == "POST" and response.status_code == 200:
        _gzip_post(response)
    return response


def init_app(app: Flask) -> None:
    """Register the endpoint and expose the examples to templates (``sparql_examples()``)."""
    app.register_blueprint(bp)
    app.jinja_env.globals["sparql_examples"] = load_examples
