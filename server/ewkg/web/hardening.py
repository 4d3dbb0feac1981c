"""Security headers: ``nosniff`` on every answer, a Content-Security-Policy and a frame policy on
pages.

Error bodies in plain text and JSON never carry raw markup, whatever the client put in its query,
IRI or path (:func:`plain_text_safe`, :func:`json_safe`), even if a client ignores ``nosniff``.

The pages load their scripts from ``/static`` only (no inline script: the YASGUI start-up and the
home page's scroll fix are static files), so ``script-src 'self'`` holds. Styles allow
``'unsafe-inline'``: YASGUI and CodeMirror set ``style`` attributes, and the map and the query UI
carry small ``<style>`` blocks. No page may be framed by another site (``frame-ancestors 'none'``
and, for older browsers, ``X-Frame-Options: DENY``).

:mod:`ewkg.web.query_lane` writes :data:`NOSNIFF` itself; :mod:`ewkg.web.fastpath` replays what the
app sent; :mod:`ewkg.web.front` adds it to the front's own errors.
"""

from __future__ import annotations

import re

from flask import Flask, Response

NOSNIFF = ("X-Content-Type-Options", "nosniff")

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
#: Media types that are documents a browser renders (and could be framed or run script in).
DOCUMENT_TYPES = frozenset({"text/html", "application/xhtml+xml", "image/svg+xml"})


#: The start of an HTML/XML tag, comment or declaration: ``<script``, ``</a``, ``<!--``, ``<?x``;
#: not an IRI in angle brackets (``<http://…>``: a colon after the name).
_MARKUP = re.compile(r"<(?=[!?]|/?[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|$))")
_PLAIN_TYPES = frozenset({"text/plain"})


def plain_text_safe(text: str) -> str:
    """``text`` with every markup opener escaped (``<script>`` → ``&lt;script>``).

    >>> plain_text_safe('bad "<script>alert(1)</script>" in <http://x/y>')
    'bad "&lt;script>alert(1)&lt;/script>" in <http://x/y>'
    """
    return _MARKUP.sub("&lt;", text)


def json_safe(body: bytes) -> bytes:
    """A JSON document with ``<`` and ``>`` written as ``\\u003c`` / ``\\u003e``: the same
    JSON once parsed, no markup in its bytes (they can only occur inside JSON strings)."""
    return body.replace(b"<", b"\\u003c").replace(b">", b"\\u003e")


def _neutralize_error_body(response: Response) -> None:
    if response.status_code < 400 or response.is_streamed or response.direct_passthrough:
        return
    mimetype = response.mimetype or ""
    is_json = mimetype == "application/json" or mimetype.endswith("+json")
    if not is_json and mimetype not in _PLAIN_TYPES:
        return
    body = response.get_data()
    if b"<" not in body:
        return
    if is_json:
        response.set_data(json_safe(body))
    else:
        charset = response.mimetype_params.get("charset", "utf-8")
        response.set_data(plain_text_safe(body.decode(charset, "replace")).encode(charset))


def security_headers(response: Response) -> Response:
    """Add the headers to any response of the app (an ``after_request`` hook), and keep markup
    out of its error bodies."""
    _neutralize_error_body(response)
    response.headers.setdefault(*NOSNIFF)
    if response.mimetype in DOCUMENT_TYPES:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_app(app: Flask) -> None:
    """Register the hook for every response, errors included."""
    app.after_request(security_headers)
