"""Request bodies read whole, or refused: the same limit for ``Content-Length`` and chunked bodies.

werkzeug caps a streamed (chunked) body at ``MAX_CONTENT_LENGTH`` by cutting it short, silently:
a 3 MB chunked query was read as its first 1,000,000 bytes, then judged as if that were the
query. :func:`read_body` reads one byte past the limit instead, and refuses with ``413`` a body
that has it, naming the real size when the client declared it and the limit otherwise.
``ewkg serve``'s front (waitress) already refuses such bodies before the app; this keeps the app
right under any WSGI server.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wsgi import get_content_length

from ewkg.web.errors import ApiError

_CHUNK = 64 * 1024


def too_large(limit: int, size: int | None = None) -> ApiError:
    """The 413 for a body of ``size`` bytes (``None``: not declared, more than ``limit``)."""
    if size is None:
        said = f"the request body is larger than {limit} bytes"
    else:
        said = f"the request body is {size} bytes"
    return ApiError(413, f"{said}; this endpoint accepts at most {limit} bytes")


def read_body(environ: dict[str, Any], limit: int) -> bytes:
    """The whole body of the request of ``environ``, at most ``limit`` bytes; read once, then
    kept in the environ (a second call gives the same bytes).

    Raises:
        ApiError: 413 if the body is over ``limit``; 411 if it is chunked and the WSGI server
            does not say where it ends (``wsgi.input_terminated``).
    """
    cached: bytes | None = environ.get("ewkg.body")
    if cached is not None:
        return cached
    declared = get_content_length(environ)  # None for a chunked body, as werkzeug reads it
    if declared is not None and declared > limit:
        raise too_large(limit, declared)
    if declared is None:
        if "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            return b""
        if not environ.get("wsgi.input_terminated"):
            raise ApiError(
                411, "this server cannot read a chunked body here; send a Content-Length"
            )
    stream = environ["wsgi.input"]
    want = limit + 1 if declared is None else declared
    parts: list[bytes] = []
    size = 0
    while size < want:
        part = stream.read(min(_CHUNK, want - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    if size > limit:
        raise too_large(limit)
    body = b"".join(parts)
    environ["ewkg.body"] = body
    return body
