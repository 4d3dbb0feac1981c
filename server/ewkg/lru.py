"""The one cache policy: a bounded, thread-safe least-recently-used cache.

Bounded by bytes (each entry says its size) and/or by entries; one lock, so the request threads
of a worker share it safely. Used by the query result cache (:mod:`ewkg.query.executor`,
:mod:`ewkg.store.remote`), the WSGI replay cache (:mod:`ewkg.web.fastpath`) and the map's SVG cache
(:mod:`ewkg.web.map_http`). Safe because the dataset is read-only: keys hold the dataset version, so
a reloaded dataset never answers from an old entry; entries of a remote store expire (``ttl``).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")

#: Default capacity of the result cache (bytes of result bodies, per server process).
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024
#: Rough bookkeeping cost of one result entry (key, tuple, response object), counted in its size.
ENTRY_OVERHEAD = 256


@dataclass
class CacheStats:
    """Counters for tests and the benchmark."""

    hits: int = 0
    misses: int = 0
    entries: int = 0
    bytes: int = 0


class LRUCache(Generic[V]):
    """Least-recently-used entries are evicted once the total size passes ``max_bytes`` or the
    count passes ``max_entries``.

    Args:
        max_bytes: capacity in bytes (``None``: unbounded by size).
        max_entries: capacity in entries (``None``: unbounded by count).
        max_entry_bytes: larger entries are not kept (default ``max_bytes // 4``: one huge result
            would otherwise flush everything else).
        entry_overhead: bytes added to each entry's size for its bookkeeping.
        ttl: seconds an entry stays valid (``None``: until evicted). Used for remote stores,
            whose data may change without the server knowing.

    >>> cache: LRUCache[bytes] = LRUCache(max_bytes=4096)
    >>> cache.put("q", b"answer", size=6)
    True
    >>> cache.get("q")
    b'answer'
    >>> cache.get("other") is None
    True
    >>> few: LRUCache[int] = LRUCache(max_entries=2)
    >>> for key in "abca":
    ...     _ = few.get(key) or few.put(key, ord(key))
    >>> sorted(few.keys())
    ['a', 'c']
    """

    def __init__(
        self,
        *,
        max_bytes: int | None = None,
        max_entries: int | None = None,
        max_entry_bytes: int | None = None,
        entry_overhead: int = 0,
        ttl: float | None = None,
    ) -> None:
        if max_bytes is None and max_entries is None:
            raise ValueError("an LRUCache needs a bound: max_bytes or max_entries")
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        if max_entry_bytes is None and max_bytes is not None:
            max_entry_bytes = max_bytes // 4
        self.max_entry_bytes = max_entry_bytes
        self.entry_overhead = entry_overhead
        self.ttl = ttl
        self._entries: OrderedDict[Hashable, tuple[V, int, float]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0

    def get(self, key: Hashable) -> V | None:
        """The value stored under ``key`` (now the most recently used), or ``None``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or (self.ttl is not None and time.monotonic() > entry[2]):
                if entry is not None:
                    self._drop(key)
                self._misses += 1
                return None
            self._entries.move_to_end(key)
            self._hits += 1
            return entry[0]

    def put(self, key: Hashable, value: V, *, size: int = 0) -> bool:
        """Store ``value`` (of ``size`` bytes); returns whether it was kept."""
        size += self.entry_overhead
        if self.max_entry_bytes is not None and size > self.max_entry_bytes:
            return False
        expires = time.monotonic() + self.ttl if self.ttl is not None else 0.0
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (value, size, expires)
            self._bytes += size
            while self._entries and (
                (self.max_bytes is not None and self._bytes > self.max_bytes)
                or (self.max_entries is not None and len(self._entries) > self.max_entries)
            ):
                self._drop(next(iter(self._entries)))
        return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._entries), self._bytes)

    def keys(self) -> list[Hashable]:
        """The keys, least recently used first."""
        with self._lock:
            return list(self._entries)

    @property
    def bytes(self) -> int:
        """The total size of the entries held."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, key: Hashable) -> None:
        _, size, _ = self._entries.pop(key)
        self._bytes -= size


class ResultCache(LRUCache[V]):
    """The query result cache: an :class:`LRUCache` by bytes, each entry counted with
    :data:`ENTRY_OVERHEAD`."""

    def __init__(self, *, max_bytes: int = DEFAULT_CACHE_BYTES, ttl: float | None = None) -> None:
        super().__init__(max_bytes=max_bytes, entry_overhead=ENTRY_OVERHEAD, ttl=ttl)
