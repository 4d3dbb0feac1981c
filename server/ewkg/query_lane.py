"""A WSGI lane for SPARQL queries: the protocol's common case answered without entering Flask.

Flask's request machinery (request and app contexts, routing, the ``Response`` object, the
header hooks of :mod:`ewkg.sparql` and :mod:`ewkg.http_caching`) costs about a millisecond per
request, several times what pyoxigraph takes to answer a lookup on this data. This middleware
takes the plain query requests — ``GET /sparql?query=…`` and ``POST /sparql`` (form or
``application/sparql-query``) — and runs them through the very same protocol steps that the
Flask view uses (:func:`ewkg.sparql.parse_operation`, :func:`~ewkg.sparql.prepare`,
:func:`~ewkg.sparql.choose_format`, :func:`~ewkg.sparql.run`,
:func:`~ewkg.sparql.result_parts`), then writes the headers the Flask hooks would have written:
``Vary``, CORS, ``nosniff``, and for ``GET`` the validators and ``Cache-Control`` of
(``no-store`` for ``POST``), gzip where accepted.

Everything else goes to Flask unchanged: other paths and methods, conditional or ranged requests,
a request carrying a cookie or credentials, chunked or oversized bodies, a browser asking for the
query page, and every request the checks refuse (Flask then answers with the exact error). When
the query itself fails (syntax, time limit, unfit format), the lane hands the error to the Flask
view through the environ (:data:`ewkg.sparql.LANE_ERROR`), so that it is answered like any other
error without running the query twice. ``tests/test_query_lane.py`` checks that both paths answer
the same status, headers and body for a matrix of requests.
"""

from __future__ import annotations

import gzip
import io
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import http_date, parse_accept_header, parse_options_header
from werkzeug.wsgi import get_current_url

from . import formats, sparql
from .errors import ApiError
from .formats import HTML, Format
from .hardening import NOSNIFF
from .http_caching import MIN_GZIP_SIZE, accepts_gzip, compressible, etag_for, max_age
from .services import find_executor, flask_wsgi, get_config, get_store

if TYPE_CHECKING:  # pragma: no cover
    from flask import Flask

StartResponse = Callable[..., Any]

PATH = "/sparql"
#: Request headers that send a request to Flask: they ask for more than a plain answer.
_TO_FLASK = (
    "HTTP_COOKIE",
    "HTTP_AUTHORIZATION",
    "HTTP_RANGE",
    "HTTP_IF_RANGE",
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_TRANSFER_ENCODING",
)
#: Negotiation outcomes remembered (``Accept`` values repeat: a client sends the same one).
_MEMO_SIZE = 512


class QueryLane:
    """WSGI middleware answering plain SPARQL query requests with the protocol's own steps."""

    def __init__(self, app: Flask, flask: Any = None) -> None:
        self.app = app
        #: Where what is not answered here goes: Flask alone (never the app's whole stack).
        self.flask = flask if flask is not None else flask_wsgi(app)
        self.config = get_config(app)
        self.store = get_store(app)
        self.max_age = max_age(self.config)
        self._chosen: dict[tuple[Any, ...], Format | str] = {}
        self._hosts: dict[tuple[Any, ...], str] = {}
        self._memo_lock = threading.Lock()
        #: Requests answered here, and requests passed to Flask (for tests and monitoring).
        self.answered = 0
        self.passed = 0

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if (
            environ.get("PATH_INFO") != PATH
            or environ.get("SCRIPT_NAME")
            or method not in {"GET", "POST"}
            or any(name in environ for name in _TO_FLASK)
        ):
            return self._flask(environ, start_response)
        answer = self._answer(environ, method)
        if answer is None:
            return self._flask(environ, start_response)
        status, headers, body = answer
        self.answered += 1
        start_response(status, headers)
        return [body]

    def _flask(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        self.passed += 1
        return self.flask(environ, start_response)

    def _body(self, environ: dict[str, Any]) -> bytes | None:
        """The POST body, read in full and put back for Flask; ``None`` if Flask should read it."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if length <= 0 or length > self.config.max_request_bytes:
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        return body if len(body) == length else None

    def _answer(
        self, environ: dict[str, Any], method: str
    ) -> tuple[str, list[tuple[str, str]], bytes] | None:
        """Status, headers and body of the answer, or ``None`` to let Flask answer."""
        if method == "POST":
            body = self._body(environ)
            if body is None:
                return None
            mimetype, params = parse_options_header(environ.get("CONTENT_TYPE", ""))
        else:
            if environ.get("CONTENT_LENGTH") not in (None, "", "0"):
                return None
            body, mimetype, params = b"", "", {}
        query_string = environ.get("QUERY_STRING", "")
        try:
            op = sparql.parse_operation(
                method, query_string.encode("latin-1"), mimetype.lower(), params, lambda: body
            )
            if op.query is None:
                return None
            bases = [self.config.base_iri, self._host_url(environ)]
            prepared = sparql.prepare(op, self.config, bases)
            chosen = self._choose(environ, method, prepared.form, op.formats)
        except (ApiError, UnicodeEncodeError):
            return None
        if not isinstance(chosen, Format):  # a browser asking for the query page
            return None
        executor = find_executor(self.app)
        if executor is None:
            return None
        try:
            result = sparql.run(executor, op, prepared, chosen)
        except ApiError as error:
            environ[sparql.LANE_ERROR] = error
            return None
        return self._response(environ, method, chosen, *sparql.result_parts(result, chosen))

    def _host_url(self, environ: dict[str, Any]) -> str:
        """``scheme://host/`` as Flask's ``request.host_url`` gives it, remembered per host."""
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
        self, environ: dict[str, Any], method: str, form: str, format_params: list[str]
    ) -> Format | str:
        """:func:`ewkg.sparql.choose_format`, remembered by its inputs."""
        accept = environ.get("HTTP_ACCEPT")
        key = (accept, form, tuple(format_params), method)
        chosen = self._chosen.get(key)
        if chosen is None:
            chosen = sparql.choose_format(
                formats.for_form(form),
                format_params,
                extra=[HTML] if method == "GET" else [],
                accept=parse_accept_header(accept, MIMEAccept),
            )
            self._remember(self._chosen, key, chosen)
        return chosen

    def _remember(self, memo: dict[tuple[Any, ...], Any], key: tuple[Any, ...], value: Any) -> Any:
        """Store ``value`` under ``key`` in a memo of at most :data:`_MEMO_SIZE` entries."""
        with self._memo_lock:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[key] = value
        return value

    def _response(
        self,
        environ: dict[str, Any],
        method: str,
        chosen: Format,
        body: bytes,
        report: list[tuple[str, str]],
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        """The headers :mod:`ewkg.sparql` and :mod:`ewkg.http_caching` give a query's answer."""
        mimetype = chosen.media_type
        compress = compressible(mimetype)
        gzipped = (
            compress
            and len(body) >= MIN_GZIP_SIZE
            and accepts_gzip(parse_accept_header(environ.get("HTTP_ACCEPT_ENCODING")))
        )
        headers = [("Content-Type", chosen.content_type), ("Content-Length", ""), *report]
        headers += [
            ("Vary", "Accept, Accept-Encoding" if compress else "Accept"),
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Expose-Headers", sparql.EXPOSED_HEADERS),
        ]
        if method == "GET":
            headers.append(NOSNIFF)  # where the app-wide hook of ewkg.hardening adds it
            tag = etag_for(
                self.store.version,
                PATH,
                environ.get("QUERY_STRING", ""),
                mimetype,
                "",
                "gzip" if gzipped else "identity",
            )
            headers += [
                ("ETag", f'"{tag}"'),
                ("Last-Modified", http_date(self.store.loaded_at)),
                ("Cache-Control", f"public, max-age={self.max_age}"),
                ("Date", http_date()),
            ]
        else:
            headers.append(("Cache-Control", "no-store"))
        if gzipped:
            body = gzip.compress(body, compresslevel=6, mtime=0)
            headers.append(("Content-Encoding", "gzip"))
        if method != "GET":
            headers.append(NOSNIFF)  # where the app-wide hook of ewkg.hardening adds it
        headers[1] = ("Content-Length", str(len(body)))
        return "200 OK", headers, body
