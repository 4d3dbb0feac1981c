"""HTTP that caches well, app-wide: validators, conditional requests, ``Cache-Control``, gzip.

One ``after_request`` hook, run after every other hook, for each ``GET``/``HEAD`` answered 200:

* ``ETag``: a hash of the dataset version and the representation's variant (path, query string,
  negotiated media type, page language, content coding).
* ``Vary: Accept-Language`` on every response made in a page language that ``Accept-Language``
  chose (no ``lang`` parameter, or an unknown one). The data is read-only and changes only
  with its version, so the tag changes exactly when the representation can.
* ``Last-Modified``: when the dataset was loaded (``store.loaded_at``).
* ``304 Not Modified`` on a matching ``If-None-Match`` (or, without it, ``If-Modified-Since``).
* ``Cache-Control: public, max-age=N`` (``Config.cache_max_age``, default 300 s), unless
  the view set its own.
* gzip when ``Accept-Encoding`` allows it, for text-like bodies of 500 bytes or more, never for a
  body already encoded or streamed; ``Vary: Accept-Encoding`` on every compressible type.

Static files keep Flask's own validators (file mtime and size) and get only the compression.
"""

from __future__ import annotations

import gzip
import hashlib

from flask import Flask, Response, g, request
from werkzeug.datastructures import Accept

from ewkg.config import Config
from ewkg.web import i18n
from ewkg.web.services import get_config, get_store

#: Bodies shorter than this are not worth compressing.
MIN_GZIP_SIZE = 500
DEFAULT_MAX_AGE = 300


def max_age(config: Config) -> int:
    """Seconds a cacheable answer may be reused: ``Config.cache_max_age``, default 300."""
    return DEFAULT_MAX_AGE if config.cache_max_age is None else config.cache_max_age

_COMPRESSIBLE_PREFIXES = ("text/",)
_COMPRESSIBLE_TYPES = frozenset({
    "application/json",
    "application/ld+json",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/rdf+xml",
    "application/xml",
    "application/javascript",
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "application/sparql-query",
    "image/svg+xml",
})


def compressible(mimetype: str | None) -> bool:
    """Whether a body of this media type gains from gzip.

    >>> compressible("text/turtle"), compressible("application/ld+json"), compressible("image/png")
    (True, True, False)
    """
    if not mimetype:
        return False
    mimetype = mimetype.lower()
    return (
        mimetype.startswith(_COMPRESSIBLE_PREFIXES)
        or mimetype in _COMPRESSIBLE_TYPES
        or mimetype.endswith(("+json", "+xml"))
    )


def accepts_gzip(accept_encodings: Accept | None = None) -> bool:
    """Whether the client accepts the gzip content coding (``q=0`` refuses it).

    ``accept_encodings`` defaults to the ``Accept-Encoding`` of Flask's current request.

    >>> from werkzeug.http import parse_accept_header
    >>> accepts_gzip(parse_accept_header("gzip, br")), accepts_gzip(parse_accept_header("*;q=0"))
    (True, False)
    """
    if accept_encodings is None:
        accept_encodings = request.accept_encodings
    return accept_encodings["gzip"] > 0 or (
        accept_encodings.find("gzip") < 0 and accept_encodings["*"] > 0
    )


def etag_for(version: str, *parts: str) -> str:
    """The entity tag of one variant of one dataset version.

    >>> etag_for("v1", "/x", "text/turtle") == etag_for("v1", "/x", "text/turtle")
    True
    >>> etag_for("v1", "/x", "text/turtle") == etag_for("v2", "/x", "text/turtle")
    False
    """
    digest = hashlib.sha256(version.encode())
    for part in parts:
        digest.update(b"\x00" + part.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:32]


def _language_variant(response: Response) -> str:
    """The page language a response was made in, for its ``ETag`` (``""``: not language-bound).

    A body chosen by ``Accept-Language`` (``Vary: Accept-Language``) differs per language with
    the same URL, so its tag must too: a 304 must never confirm another language's body.
    """
    if "page_lang" not in g and "accept-language" not in {v.lower() for v in response.vary}:
        return ""
    return i18n.current_lang() or "both"


def _gzip_body(response: Response) -> None:
    data = response.get_data()
    response.set_data(gzip.compress(data, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"


class WrittenResponse(Response):
    """A response written whole by :mod:`ewkg.web.protocol` (validators, ``Cache-Control``, coding,
    ``304``): this hook leaves it as it is. It gets no default ``Content-Type`` (a 204 or 304
    has none)."""

    default_mimetype = None


def after_request(response: Response) -> Response:
    """Add validators and caching headers; answer 304; compress."""
    if isinstance(response, WrittenResponse):
        return response
    if "page_lang" in g and i18n.lang_param(request.args.get("lang")) is None:
        # the page language came from Accept-Language (no ``lang``, or one we do not know)
        response.vary.add("Accept-Language")
    if request.method not in {"GET", "HEAD"} or response.status_code != 200:
        return response
    is_static = request.endpoint == "static" or request.path.startswith("/static/")
    if is_static and response.direct_passthrough and compressible(response.mimetype):
        # A whole static file (not a range): read it so that it can be compressed.
        response.direct_passthrough = False
        source = response.response
        response.get_data()  # materialise the file body: it is no longer a stream
        close = getattr(source, "close", None)
        if close is not None:
            close()
    will_compress = (
        compressible(response.mimetype)
        and "Content-Encoding" not in response.headers
        and not response.is_streamed
        and not response.direct_passthrough
    )
    if compressible(response.mimetype):
        response.vary.add("Accept-Encoding")
    if will_compress:
        length = response.calculate_content_length()
        if length is None:
            length = response.content_length
        will_compress = length is not None and length >= MIN_GZIP_SIZE and accepts_gzip()
    if is_static:
        if will_compress:
            tag, weak = response.get_etag()
            if tag:
                response.set_etag(tag + "-gzip", weak=bool(weak))
            response.make_conditional(request)
            if response.status_code == 200:
                _gzip_body(response)
                response.headers.pop("Accept-Ranges", None)
        return response

    store = get_store()
    config = get_config()
    max_age_seconds = max_age(config)
    lang = _language_variant(response)
    if response.headers.get("ETag") is None:
        response.set_etag(etag_for(
            store.version,
            request.path,
            request.query_string.decode("latin-1"),
            response.mimetype or "",
            lang,
            "gzip" if will_compress else "identity",
        ))
    if response.last_modified is None:
        response.last_modified = store.loaded_at
    if "Cache-Control" not in response.headers:  # a view's own policy wins
        response.cache_control.public = True
        response.cache_control.max_age = max_age_seconds
    response.make_conditional(request)
    if response.status_code == 304:
        return response
    if will_compress:
        _gzip_body(response)
    return response


def init_app(app: Flask) -> None:
    """Register the hook so that it runs after every other ``after_request`` hook."""
    # Flask runs after_request hooks in reverse order of registration: put ours first in the list.
    app.after_request_funcs.setdefault(None, []).insert(0, after_request)
