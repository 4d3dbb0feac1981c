"""A WSGI replay cache in front of the Flask app: repeated read-only requests skip Flask.

The served dataset is read-only for the life of the process, so every ``GET``/``HEAD`` response
of the app is a pure function of the request. A cache hit inside Flask still costs routing, format
negotiation, the safety scan and the caching hook (ETag hashing, ``Cache-Control``); this
middleware answers a repeated request with the complete response the app sent the first time
(status, headers, body), without entering Flask at all.

* Key: method, ``PATH_INFO``, ``SCRIPT_NAME``, the raw query string, ``Accept``,
  ``Accept-Encoding``, ``Accept-Language``, ``Origin``, the host and scheme the app sees (responses
  may embed the server's URL), and the dataset version.
* Stored: ``200`` answers with a ``Content-Length`` (never a streamed body) of at most
  ``max_entry_bytes``, to requests without a body and without ``Cookie``, ``Authorization``,
  ``Range`` or conditional headers; never a response setting a cookie or marked ``no-store`` /
  ``private``. An ``X-Ewkg-Cache`` header is replayed as ``hit``.
* ``If-None-Match`` matching the stored ``ETag`` is answered ``304`` with the stored headers
  minus the representation headers (what the app itself sends, RFC 9110 §15.4.5).
* Never ``POST`` and never ``/validate``; off for ``Config(result_cache=False)`` and for a
  remote store (its data may change, its results are cached with a time limit).
* Only for the known hosts (``hosts``: loopback names, the host of ``Config.base_iri`` and
  ``Config.public_hosts``): a request naming another ``Host`` passes through, so made-up hosts
  can neither fill the cache nor push out the entries of the real ones.
* Bounded LRU by total bytes (:class:`ewkg.lru.LRUCache`), shared by the request threads.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import Any

from werkzeug.http import http_date, parse_etags, remove_entity_headers, unquote_etag

from ewkg.lru import LRUCache

#: Total bytes (bodies and headers) the cache may hold.
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
#: Larger responses are passed through, not stored.
DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024

#: Host names always known: the server reached on this machine.
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})

CACHE_HEADER = "x-ewkg-cache"
EXCLUDED_PREFIXES = ("/validate",)

_METHODS = frozenset({"GET", "HEAD"})
#: Request headers that make an answer depend on more than the key (or not a plain 200).
_BYPASS = (
    "HTTP_COOKIE",
    "HTTP_AUTHORIZATION",
    "HTTP_RANGE",
    "HTTP_IF_RANGE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_IF_MODIFIED_SINCE",
)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


_date: tuple[int, str] = (0, "")


def host_name(environ: dict[str, Any]) -> str:
    """The host a request names (``Host``, else ``SERVER_NAME``), lower case, without the port.

    >>> host_name({"HTTP_HOST": "Example.org:8080"}), host_name({"HTTP_HOST": "[::1]:80"})
    ('example.org', '[::1]')
    """
    host = (environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "").lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.split(":", 1)[0]


def _now() -> str:
    """The current ``Date`` header value (formatted once a second)."""
    global _date
    second = int(time.time())
    cached = _date
    if cached[0] != second:
        cached = _date = (second, http_date(second))
    return cached[1]


class _Entry:
    __slots__ = ("status", "headers", "body", "etag", "size", "not_modified", "dated")

    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        #: The app's ``Date`` (werkzeug's conditional responses add one) is replayed fresh.
        self.dated = any(name.lower() == "date" for name, _ in headers)
        self.headers = [
            (name, "hit") if name.lower() == CACHE_HEADER else (name, value)
            for name, value in headers
            if name.lower() != "date"
        ]
        self.body = body
        etag = next((v for k, v in headers if k.lower() == "etag"), None)
        self.etag = unquote_etag(etag) if etag else None
        not_modified = list(self.headers)
        remove_entity_headers(not_modified)
        self.not_modified = not_modified
        self.size = len(body) + sum(len(k) + len(v) for k, v in headers) + 200


class FastPath:
    """WSGI middleware replaying complete responses of repeated read-only requests."""

    def __init__(
        self,
        app: WSGIApp,
        *,
        version: Callable[[], str] | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_entry_bytes: int = DEFAULT_MAX_ENTRY_BYTES,
        hosts: Collection[str] | None = LOOPBACK_HOSTS,
    ) -> None:
        self.app = app
        self._version = version or (lambda: "")
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        #: Host names (lower case, no port) whose answers are replayed; ``None``: every host.
        self.hosts = frozenset(h.lower() for h in hosts) if hosts is not None else None
        self._cache: LRUCache[_Entry] = LRUCache(max_bytes=max_bytes, max_entry_bytes=max_bytes)

    def __len__(self) -> int:
        return len(self._cache)

    @property
    def stored_bytes(self) -> int:
        """The total size of the stored responses."""
        return self._cache.bytes

    @property
    def hits(self) -> int:
        return self._cache.stats().hits

    @property
    def misses(self) -> int:
        return self._cache.stats().misses

    # -- the WSGI callable

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        path = environ.get("PATH_INFO", "")
        if (
            method not in _METHODS
            or path.startswith(EXCLUDED_PREFIXES)
            or environ.get("CONTENT_LENGTH") not in (None, "", "0")
            or "HTTP_TRANSFER_ENCODING" in environ
            or any(h in environ for h in _BYPASS)
            or (self.hosts is not None and host_name(environ) not in self.hosts)
        ):
            return self.app(environ, start_response)
        key = (
            method,
            path,
            environ.get("SCRIPT_NAME", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT"),
            environ.get("HTTP_ACCEPT_ENCODING"),
            environ.get("HTTP_ACCEPT_LANGUAGE"),
            environ.get("HTTP_ORIGIN"),
            environ.get("HTTP_HOST"),
            environ.get("SERVER_NAME"),
            environ.get("SERVER_PORT"),
            environ.get("wsgi.url_scheme"),
            self._version(),
        )
        entry = self._cache.get(key)
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if entry is not None:
            if if_none_match is None:
                headers = list(entry.headers)
                if entry.dated:
                    headers.append(("Date", _now()))
                start_response(entry.status, headers)
                return [] if method == "HEAD" else [entry.body]
            if entry.etag is not None and parse_etags(if_none_match).contains_weak(entry.etag[0]):
                headers = list(entry.not_modified)
                if entry.dated:
                    headers.append(("Date", _now()))
                start_response("304 NOT MODIFIED", headers)
                return []
            return self.app(environ, start_response)
        if if_none_match is not None:
            return self.app(environ, start_response)
        return self._record(key, environ, start_response)

    # -- storing

    def _record(
        self, key: tuple[object, ...], environ: dict[str, Any], start_response: StartResponse
    ) -> Iterable[bytes]:
        seen: dict[str, Any] = {}

        def recording_start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            seen["status"] = status
            seen["headers"] = list(headers)
            seen["exc"] = exc_info is not None
            write = start_response(status, headers, exc_info)

            def recording_write(data: bytes) -> None:  # the legacy write(): do not store
                seen["exc"] = True
                write(data)

            return recording_write

        body = self.app(environ, recording_start_response)
        length = self._storable_length(seen)
        if length is None:
            return body
        if key[0] == "HEAD":
            self._store(key, _Entry(seen["status"], seen["headers"], b""))
            return body
        return _Recorder(self, key, body, seen, length)

    def _storable_length(self, seen: dict[str, Any]) -> int | None:
        """The body length of a storable response (``None``: do not store it)."""
        status = seen.get("status")
        if status is None or seen.get("exc") or not status.startswith("200"):
            return None
        length: int | None = None
        for name, value in seen["headers"]:
            lower = name.lower()
            if lower == "content-length":
                try:
                    length = int(value)
                except ValueError:
                    return None
            elif lower == "set-cookie":
                return None
            elif lower == "cache-control":
                directives = value.lower()
                if "no-store" in directives or "private" in directives:
                    return None
        if length is None or length > self.max_entry_bytes:
            return None
        return length

    def _store(self, key: tuple[object, ...], entry: _Entry) -> None:
        self._cache.put(key, entry, size=entry.size)

    def clear(self) -> None:
        self._cache.clear()


class _Recorder:
    """The app's body passed through chunk by chunk, stored once it is complete."""

    def __init__(
        self,
        cache: FastPath,
        key: tuple[object, ...],
        body: Iterable[bytes],
        seen: dict[str, Any],
        length: int,
    ) -> None:
        self._cache = cache
        self._key = key
        self._body = body
        self._seen = seen
        self._length = length
        self._chunks: list[bytes] | None = []
        self._size = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._body:
            if self._chunks is not None:
                self._size += len(chunk)
                if self._size > self._length:
                    self._chunks = None
                else:
                    self._chunks.append(chunk)
            yield chunk
        if self._chunks is not None and self._size == self._length and not self._seen["exc"]:
            body = b"".join(self._chunks)
            self._chunks = None
            self._cache._store(self._key, _Entry(self._seen["status"], self._seen["headers"], body))

    def close(self) -> None:
        close = getattr(self._body, "close", None)
        if close is not None:
            close()


def wrap(app: Any, inner: WSGIApp | None = None) -> Any:
    """The Flask ``app``'s WSGI callable behind the fast path, or the app itself when it is off.

    ``inner`` is what the fast path calls on a miss (default: ``app``; the app factory puts the
    :mod:`ewkg.web.query_lane` there, see :func:`ewkg.web.app.install_front`) and what is returned
    when the fast path is off: for ``Config(result_cache=False)`` and for a remote store.
    ``Config.fastpath_bytes`` sizes it (total, default 32 MiB; 0 turns it off). The known hosts
    are :data:`LOOPBACK_HOSTS`, the host of ``Config.base_iri`` and ``Config.public_hosts``.
    """
    inner = app if inner is None else inner
    from ewkg.web.services import get_config, get_store

    config = get_config(app)
    store = get_store(app)
    if not config.result_cache or store.changes_outside:
        return inner
    max_bytes = DEFAULT_MAX_BYTES if config.fastpath_bytes is None else config.fastpath_bytes
    if max_bytes <= 0:
        return inner
    return FastPath(inner, version=lambda: store.version, max_bytes=max_bytes,
                    hosts=known_hosts(config))


def known_hosts(config: Any) -> frozenset[str]:
    """The host names the fast path replays answers for (see :func:`wrap`)."""
    from urllib.parse import urlsplit

    named = {urlsplit(config.base_iri).hostname or "", *config.public_hosts}
    return LOOPBACK_HOSTS | {h.lower() for h in named if h}
