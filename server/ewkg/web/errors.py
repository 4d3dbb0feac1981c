"""One small HTTP error set, and the error bodies of the whole app: JSON, plain text or HTML.

Raise :class:`ApiError` (or a werkzeug ``HTTPException``) anywhere in a view; the handler answers
with the status, the headers the error carries (``Allow`` for 405…), ``Vary: Accept``, CORS, and a
body in the form the client reads best:

- ``application/json`` (for clients asking for JSON, incl. SPARQL JSON results)::

    {"error": {"status": 400, "title": "Bad Request", "message": "…"}}

- ``text/html`` for browsers (a small bilingual page);
- ``text/plain`` otherwise (``400 Bad Request: …``), which SPARQL clients show as is.

Blueprints may register their own handlers (the linked-data 404 page does); this one is the
app-wide fallback.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from flask import Flask, Response, render_template, request
from jinja2 import TemplateError
from markupsafe import escape
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES, parse_accept_header

_JSON_TYPES = (
    "application/json",
    "application/sparql-results+json",
    "application/ld+json",
    "application/problem+json",
)


class ApiError(Exception):
    """An HTTP error with a clear message for the client.

    Args:
        status: the HTTP status code (4xx or 5xx).
        message: what went wrong and, where it helps, what to do instead.
        headers: extra response headers (``Allow``, ``Retry-After``…).
    """

    def __init__(self, status: int, message: str, *, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})

    @property
    def title(self) -> str:
        return HTTP_STATUS_CODES.get(self.status, "Error")


def bad_request(message: str) -> ApiError:
    """400."""
    return ApiError(400, message)


def forbidden(message: str) -> ApiError:
    """403."""
    return ApiError(403, message)


def not_acceptable(acceptable: list[str]) -> ApiError:
    """406 naming the acceptable media types."""
    return ApiError(
        406,
        "none of the media types in Accept (or format=) can be served here; acceptable: "
        + ", ".join(acceptable),
    )


def unsupported_media_type(message: str) -> ApiError:
    """415."""
    return ApiError(415, message)


def preferred_body_type(accept: str | None) -> str:
    """The error body type an ``Accept`` header asks for: plain text, HTML or JSON.

    >>> preferred_body_type("application/sparql-results+json")
    'application/json'
    >>> preferred_body_type(None)
    'text/plain'
    """
    accepted = parse_accept_header(accept, MIMEAccept)
    if not accepted:
        return "text/plain"
    best = accepted.best_match(["text/plain", "text/html", *_JSON_TYPES])
    if best in _JSON_TYPES:
        return "application/json"
    return best or "text/plain"


def _preferred_body_type() -> str:
    return preferred_body_type(request.headers.get("Accept"))


def json_error_body(status: int, message: str) -> str:
    """``{"error": {"status", "title", "message"}}``, the JSON body of every error."""
    title = HTTP_STATUS_CODES.get(status, "Error")
    return json.dumps(
        {"error": {"status": status, "title": title, "message": message}}, ensure_ascii=False
    )


_HTML = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{status} {title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/ewkg.css"></head>
<body><main id="main" class="error">
<h1>{status} {title}</h1>
<p class="message"><code>{message}</code></p>
<p><a href="/"><span lang="fr">Accueil</span> · <span lang="zh">首页</span></a> ·
<a href="/sparql"><span lang="fr">Requête SPARQL</span> · <span lang="zh">SPARQL 查询</span></a></p>
</main></body></html>
"""


def error_body(status: int, message: str, body_type: str) -> tuple[str, bytes]:
    """The content type and body of an error in ``body_type``: ``application/json``, else plain
    text. Neither carries markup (:mod:`ewkg.web.hardening`), whatever the message quotes.

    >>> error_body(400, "bad <script>", "text/plain")
    ('text/plain; charset=utf-8', b'400 Bad Request: bad &lt;script>\\n')
    """
    from ewkg.web.hardening import json_safe, plain_text_safe

    if body_type == "application/json":
        return "application/json", json_safe(json_error_body(status, message).encode())
    title = HTTP_STATUS_CODES.get(status, "Error")
    return "text/plain; charset=utf-8", plain_text_safe(f"{status} {title}: {message}\n").encode()


def _html_page(status: int, title: str, message: str) -> str:
    """The site's error page in the reader's language (``error.html``), else a plain one."""
    try:
        return render_template("error.html", status=status, title=title, message=message)
    except (TemplateError, RuntimeError, KeyError):
        return _HTML.format(status=status, title=escape(title), message=escape(message))


def error_response(
    status: int, message: str, *, headers: Mapping[str, str] | None = None
) -> Response:
    """The response for an error, its body negotiated by ``Accept``."""
    title = HTTP_STATUS_CODES.get(status, "Error")
    body_type = _preferred_body_type()
    if body_type == "text/html":
        response = Response(_html_page(status, title, message), status=status, mimetype="text/html")
    else:
        content_type, body = error_body(status, message, body_type)
        response = Response(body, status=status, content_type=content_type)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    response.vary.add("Accept")
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    response.headers["Cache-Control"] = "no-store"
    return response


def _handle_api_error(error: ApiError) -> Response:
    return error_response(error.status, error.message, headers=error.headers)


def _handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    message = error.description or HTTP_STATUS_CODES.get(status, "Error")
    if status == 405:
        allowed = dict(headers).get("Allow", "")
        message = f"method {request.method} is not allowed here; allowed: {allowed}"
    elif status == 413:
        limit = request.max_content_length
        size = request.content_length
        said = (
            f"the request body is {size} bytes"
            if size is not None and limit is not None and size > limit
            else "the request body is too large"
        )
        message = f"{said}; this endpoint accepts at most {limit} bytes"
    return error_response(status, message, headers=headers)


def init_app(app: Flask) -> None:
    """Register the app-wide error handlers, and the security headers of every response."""
    from ewkg.web import hardening

    app.register_error_handler(ApiError, _handle_api_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
    hardening.init_app(app)
