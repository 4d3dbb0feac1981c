"""The SPARQL 1.1 Protocol's answers, computed by one function of the request.

:meth:`Endpoint.answer` takes a request's WSGI environ and gives the whole answer: the status,
every header (content type, the result's report headers, ``Vary``, CORS, ``nosniff``; for ``GET``
and ``HEAD`` the validators, ``Cache-Control`` and ``304`` on a matching conditional request;
``no-store`` otherwise), the body (gzip where accepted), and for a refused or failed request the
error answer, its body in JSON or plain text as ``Accept`` asks. Every front calls it: the WSGI
lane in front of Flask (:mod:`ewkg.web.query_lane`) and the Flask view (:mod:`ewkg.web.sparql`),
hence the test client, ``ewkg query``, ``ewkg serve`` and any WSGI server get the same answer.

Two answers are HTML pages made from the site's templates: the query editor (a browser's ``GET``)
and the error page for a client that reads HTML. :meth:`Endpoint.answer` names them
(:class:`PageNeeded`) instead of writing them. A front without templates passes
``renders_pages=False`` and gets :class:`PageNeeded` *before* anything runs whenever the answer
may be a page, so it can hand the request on to Flask, and no query ever runs twice.

The steps (read, check, negotiate) are :mod:`ewkg.web.sparql_request`'s; the fourth, running the
query on the executor, is :func:`run`.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import (
    HTTP_STATUS_CODES,
    http_date,
    is_resource_modified,
    parse_accept_header,
    parse_etags,
    parse_options_header,
    remove_entity_headers,
)
from werkzeug.wsgi import get_current_url

from ewkg.config import Config
from ewkg.query.evaluation import (
    QueryBusy,
    QueryError,
    QueryFormatError,
    QueryRequest,
    QueryResponse,
    QueryServerError,
    QuerySyntaxError,
    QueryTimeout,
)
from ewkg.rdf import formats
from ewkg.rdf.formats import HTML, Format
from ewkg.web.bodies import read_body
from ewkg.web.errors import ApiError, bad_request, error_body, preferred_body_type
from ewkg.web.hardening import NOSNIFF
from ewkg.web.http_caching import MIN_GZIP_SIZE, accepts_gzip, compressible, etag_for, max_age
from ewkg.web.sparql_request import Operation, Prepared, choose_format, parse_operation, prepare

if TYPE_CHECKING:  # pragma: no cover
    from ewkg.query.executor import Executor
    from ewkg.store.embedded import Store

#: Response headers a cross-origin script may read.
EXPOSED_HEADERS = "X-Ewkg-Result-Capped, X-Ewkg-Result-Count, X-Ewkg-Cache, Content-Type, Vary"
#: Headers reporting on the result.
CAPPED_HEADER = "X-Ewkg-Result-Capped"
COUNT_HEADER = "X-Ewkg-Result-Count"
CACHE_HEADER = "X-Ewkg-Cache"
#: The methods the endpoint answers (a CORS preflight is told so).
METHODS = "GET, HEAD, POST, OPTIONS"
#: Negotiation outcomes and host URLs remembered (clients repeat their ``Accept`` and ``Host``).
_MEMO_SIZE = 512

Headers = list[tuple[str, str]]
#: The request headers that can make a ``GET`` conditional (werkzeug's ``is_resource_modified``).
_CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH",
                "HTTP_IF_UNMODIFIED_SINCE")


@dataclass(frozen=True)
class Answer:
    """A whole HTTP answer. For ``HEAD`` the body is the ``GET`` body: a front sends none."""

    status: int
    headers: Headers
    body: bytes

    @property
    def status_line(self) -> str:
        """``200 OK``, ``304 NOT MODIFIED``: the status line as werkzeug writes it.

        >>> Answer(304, [], b"").status_line
        '304 NOT MODIFIED'
        """
        return f"{self.status} {HTTP_STATUS_CODES.get(self.status, 'UNKNOWN').upper()}"


@dataclass(frozen=True)
class PageNeeded:
    """The answer is an HTML page made from the site's templates.

    ``error`` set: the error page for that error; else the query editor, showing
    ``initial_query``. With ``renders_pages=False`` both are ``None``: the answer *may* be a page,
    and nothing has run yet.
    """

    initial_query: str | None = None
    error: ApiError | None = None


class Endpoint:
    """The SPARQL endpoint of one app: its settings, its store and where its executor is.

    Args:
        config: the server's settings (limits, base IRI, cache lifetime).
        store: the dataset (its version and load time make the validators).
        executor: gives the query executor, or ``None`` while there is none.
        service_description: gives the description's bytes in a graph format, for an endpoint
            URL and a server root URL.
    """

    def __init__(
        self,
        config: Config,
        store: Store,
        executor: Callable[[], Executor | None],
        service_description: Callable[[Format, str, str], bytes],
    ) -> None:
        self.config = config
        self.store = store
        self.executor = executor
        self.service_description = service_description
        self.max_age = max_age(config)
        self._chosen: dict[tuple[Any, ...], Format | str] = {}
        self._hosts: dict[tuple[Any, ...], str] = {}
        self._error_types: dict[str | None, str] = {}
        self._memo_lock = threading.Lock()

    # ------------------------------------------------------------------------ the function

    def answer(
        self, environ: dict[str, Any], *, renders_pages: bool = True
    ) -> Answer | PageNeeded:
        """The answer to the request of ``environ`` (``GET``, ``HEAD``, ``POST``, ``OPTIONS``)."""
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "OPTIONS":
            return self._preflight(environ)
        accept = environ.get("HTTP_ACCEPT")
        error_type = self._error_types.get(accept)
        if error_type is None:  # werkzeug's best_match takes longer than the rest of a request
            error_type = self._remember(self._error_types, accept, preferred_body_type(accept))
        if error_type == "text/html" and not renders_pages:
            return PageNeeded()
        try:
            return self._answer(environ, method, accept, renders_pages)
        except ApiError as error:
            if error_type == "text/html":
                return PageNeeded(error=error)
            return error_answer(error, error_type)

    def _answer(
        self, environ: dict[str, Any], method: str, accept: str | None, renders_pages: bool
    ) -> Answer | PageNeeded:
        if method == "POST":
            mimetype, params = parse_options_header(environ.get("CONTENT_TYPE", ""))
        else:
            mimetype, params = "", {}
        try:
            query_string = environ.get("QUERY_STRING", "").encode("latin-1")
        except UnicodeEncodeError:
            raise bad_request("the query string is not percent-encoded") from None
        op = parse_operation(
            "GET" if method == "HEAD" else method,
            query_string,
            mimetype.lower(),
            params,
            lambda: read_body(environ, self.config.max_request_bytes),
        )
        if op.query is None:  # the service description, or the query editor
            chosen = self._choose(accept, method, None, op.formats)
            if not isinstance(chosen, Format):
                return PageNeeded()
            url = get_current_url(environ, strip_querystring=True)
            root = get_current_url(environ, root_only=True)
            body = self.service_description(chosen, url, root)
            return self._ok(environ, method, chosen, body, [])
        prepared = prepare(op, self.config, [self.config.base_iri, self._host_url(environ)])
        chosen = self._choose(accept, method, prepared.form, op.formats)
        if not isinstance(chosen, Format):
            return PageNeeded(initial_query=op.query if renders_pages else None)
        executor = self.executor()
        if executor is None:
            raise ApiError(503, "the query engine is not available")
        body, report = result_parts(run(executor, op, prepared, chosen), chosen)
        return self._ok(environ, method, chosen, body, report)

    # ------------------------------------------------------------------------ writing

    def _ok(
        self, environ: dict[str, Any], method: str, chosen: Format, body: bytes, report: Headers
    ) -> Answer:
        """A 200 (or 304) with the headers of a result: report, ``Vary``, CORS, caching."""
        compress = compressible(chosen.media_type)
        gzipped = (
            compress
            and len(body) >= MIN_GZIP_SIZE
            and accepts_gzip(parse_accept_header(environ.get("HTTP_ACCEPT_ENCODING")))
        )
        if gzipped:
            body = gzip.compress(body, compresslevel=6, mtime=0)
        headers: Headers = [
            ("Content-Type", chosen.content_type),
            ("Content-Length", str(len(body))),
            *report,
            ("Vary", "Accept, Accept-Encoding" if compress else "Accept"),
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
        ]
        if gzipped:
            headers.append(("Content-Encoding", "gzip"))
        if method not in {"GET", "HEAD"}:
            headers += [("Cache-Control", "no-store"), NOSNIFF]
            return Answer(200, headers, body)
        tag = etag_for(
            self.store.version,
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            chosen.media_type,
            "",
            "gzip" if gzipped else "identity",
        )
        headers += [
            NOSNIFF,
            ("ETag", f'"{tag}"'),
            ("Last-Modified", http_date(self.store.loaded_at)),
            ("Cache-Control", f"public, max-age={self.max_age}"),
            ("Date", http_date()),
        ]
        if any(name in environ for name in _CONDITIONAL) and not is_resource_modified(
            environ, etag=tag, last_modified=self.store.loaded_at
        ):
            remove_entity_headers(headers)
            if parse_etags(environ.get("HTTP_IF_MATCH")):  # a failed precondition, no body
                return Answer(412, [*headers, ("Content-Length", "0")], b"")
            return Answer(304, headers, b"")
        return Answer(200, headers, body)

    def _preflight(self, environ: dict[str, Any]) -> Answer:
        """A CORS preflight (``OPTIONS``) for reads."""
        requested = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
        return Answer(204, [
            ("Allow", METHODS),
            ("Access-Control-Allow-Methods", METHODS),
            ("Access-Control-Allow-Headers", requested or "Accept, Accept-Language, Content-Type"),
            ("Access-Control-Max-Age", "86400"),
            ("Vary", "Accept"),
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
            NOSNIFF,
        ], b"")

    # ------------------------------------------------------------------------ memos

    def _host_url(self, environ: dict[str, Any]) -> str:
        """``scheme://host/``, as a local base for graph IRIs, remembered per host."""
        key = (
            environ.get("wsgi.url_scheme"),
            environ.get("HTTP_HOST"),
            environ.get("SERVER_NAME"),
            environ.get("SERVER_PORT"),
        )
        url = self._hosts.get(key)
        if url is None:
            url = self._remember(self._hosts, key, get_current_url(environ, host_only=True))
        return url

    def _choose(
        self, accept: str | None, method: str, form: str | None, format_params: list[str]
    ) -> Format | str:
        """:func:`ewkg.web.sparql_request.choose_format` for a result (``form``) or, with no query,
        the service description; remembered by its inputs."""
        key = (accept, form, tuple(format_params), method)
        chosen = self._chosen.get(key)
        if chosen is None:
            available = formats.graph_formats() if form is None else formats.for_form(form)
            chosen = choose_format(
                available,
                format_params,
                accept=parse_accept_header(accept, MIMEAccept),
                extra=[HTML] if method in {"GET", "HEAD"} else [],
            )
            self._remember(self._chosen, key, chosen)
        return chosen

    def _remember(self, memo: dict[Any, Any], key: Any, value: Any) -> Any:
        """Store ``value`` under ``key`` in a memo of at most :data:`_MEMO_SIZE` entries."""
        with self._memo_lock:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[key] = value
        return value


def error_answer(error: ApiError, body_type: str) -> Answer:
    """The answer for ``error``, its body in ``body_type`` (JSON or plain text)."""
    content_type, body = error_body(error.status, error.message, body_type)
    return Answer(error.status, [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        *error.headers.items(),
        ("Vary", "Accept"),
        ("Access-Control-Allow-Origin", "*"),
        ("Cache-Control", "no-store"),
        ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
        NOSNIFF,
    ], body)


# --------------------------------------------------------------------------- running


def run(executor: Executor, op: Operation, prepared: Prepared, chosen: Format) -> QueryResponse:
    """Run a prepared query on ``executor``, answering in ``chosen``.

    Raises:
        ApiError: 400 (syntax or engine error), 503 (timeout; busy, with ``Retry-After``), 406
            (format unfit for the form), 500 (a query process of the server failed).
    """
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


def result_parts(result: QueryResponse, chosen: Format) -> tuple[bytes, Headers]:
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
