"""A bounded, thread-safe LRU cache of query results, sized by bytes.

Safe because the dataset is read-only: the key holds the dataset version, so a reloaded dataset
never answers from an old entry.
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
#: Rough bookkeeping cost of one entry (key, tuple, response object), counted in its size.
ENTRY_OVERHEAD = 256


@dataclass
class CacheStats:
    """Counters for tests and the benchmark."""

    hits: int = 0
    misses: int = 0
    entries: int = 0
    bytes: int = 0


class ResultCache(Generic[V]):
    """Least-recently-used entries are evicted once the total size passes ``max_bytes``.

    Args:
        max_bytes: capacity; entries larger than ``max_bytes // 4`` are not kept (one huge result
            would otherwise flush everything else).
        ttl: seconds an entry stays valid (``None``: until evicted). Used for remote stores,
            whose data may change without the server knowing.

    >>> cache: ResultCache[bytes] = ResultCache(max_bytes=4096)
    >>> cache.put("q", b"answer", size=6)
    True
    >>> cache.get("q")
    b'answer'
    >>> cache.get("other") is None
    True
    """

    def __init__(self, *, max_bytes: int = DEFAULT_CACHE_BYTES, ttl: float | None = None) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_bytes // 4
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

    def put(self, key: Hashable, value: V, *, size: int) -> bool:
        """Store ``value`` (of ``size`` bytes); returns whether it was kept."""
        size += ENTRY_OVERHEAD
        if size > self.max_entry_bytes:
            return False
        expires = time.monotonic() + self.ttl if self.ttl is not None else 0.0
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (value, size, expires)
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))
        return True

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(self._hits, self._misses, len(self._entries), self._bytes)

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, key: Hashable) -> None:
        _, size, _ = self._entries.pop(key)
        self._bytes -= size
