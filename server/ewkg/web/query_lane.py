"""A WSGI lane for SPARQL requests: the protocol's answers given without entering Flask.

Flask's request machinery (request and app contexts, routing, the ``Response`` object, the
app-wide hooks) costs about a millisecond per request, several times what pyoxigraph takes to
answer a lookup on this data. The answer itself is not made here: it is
:meth:`ewkg.web.protocol.Endpoint.answer`'s, the one function the Flask view calls too, so both
fronts give the same status, headers and body (``tests/test_query_lane.py`` checks a matrix).

The lane hands a request to Flask only when Flask has something to add:

* another path or method, or a ``SCRIPT_NAME`` (a mounted app);
* a ``lang`` parameter (a page-language choice, which Flask's hook keeps in a cookie);
* an answer that may be an HTML page: the query editor, or the error page for a client that
  reads HTML. The endpoint says so (:class:`~ewkg.web.protocol.PageNeeded`) before running anything,
  so no query runs twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ewkg.web.protocol import PageNeeded
from ewkg.web.services import flask_wsgi, get_endpoint

if TYPE_CHECKING:  # pragma: no cover
    from flask import Flask

StartResponse = Callable[..., Any]

PATH = "/sparql"
_METHODS = frozenset({"GET", "HEAD", "POST", "OPTIONS"})
#: A ``lang`` parameter in a query string.
_LANG_PARAM = re.compile(r"(?:^|&)lang=")


class QueryLane:
    """WSGI middleware answering SPARQL requests with :meth:`ewkg.web.protocol.Endpoint.answer`."""

    def __init__(self, app: Flask, flask: Any = None) -> None:
        #: Where what is not answered here goes: Flask alone (never the app's whole stack).
        self.flask = flask if flask is not None else flask_wsgi(app)
        self.endpoint = get_endpoint(app)
        #: Requests answered here, and requests passed to Flask (for tests and monitoring).
        self.answered = 0
        self.passed = 0

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "")
        if (
            environ.get("PATH_INFO") != PATH
            or environ.get("SCRIPT_NAME")
            or method not in _METHODS
            or _LANG_PARAM.search(environ.get("QUERY_STRING", ""))
        ):
            return self._flask(environ, start_response)
        answer = self.endpoint.answer(environ, renders_pages=False)
        if isinstance(answer, PageNeeded):
            return self._flask(environ, start_response)
        self.answered += 1
        start_response(answer.status_line, answer.headers)
        return [] if method == "HEAD" else [answer.body]

    def _flask(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        self.passed += 1
        answer: Iterable[bytes] = self.flask(environ, start_response)
        return answer
