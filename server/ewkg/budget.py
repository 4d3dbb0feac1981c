"""One memory budget for the whole server, shared out between its query processes.

``ewkg serve`` runs a gunicorn master, ``--workers`` HTTP workers and, under each, a pool of
query processes that may grow while long queries hold it
(:class:`ewkg.query.executor.ProcessExecutor`). Each query process may allocate a bounded amount
beyond what it starts with (``RLIMIT_AS``); without a budget those bounds add up to more than the
machine has (8 query processes of 2 GiB).

:func:`plan_memory` turns the budget into what a pool may use: the headroom of each of its query
processes and how many it may hold. The summed resident memory (RSS) of the server's processes
is bounded by the processes' starting sizes plus their headrooms (a process's RSS grows by no
more than the address space it may add), so the plan first sets aside what the processes hold
before any query (counted in every process that maps it, as RSS counts shared pages), then
divides the rest.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

#: Share of the machine's memory (or of the cgroup's limit) the server takes by default.
DEFAULT_BUDGET_SHARE = 0.5
#: The least headroom a query process gets; below it the pool holds fewer processes instead.
MIN_HEADROOM = 64 * 1024**2
#: What a query process started afresh (``python -m ewkg.query.query_worker``) holds before its
#: first query: pyoxigraph, a few standard modules and a read-only store handle (26-32 MB measured).
FRESH_WORKER_BYTES = 32 * 1024**2

_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes from ``"4G"``, ``"1.5GiB"``, ``"512M"``, ``"800MB"`` or ``"1073741824"`` (binary
    units: ``K`` is 1024 bytes).

    >>> parse_size("1.5G") == 3 * 1024**3 // 2
    True

    Raises:
        ValueError: not a size.
    """
    found = _SIZE.fullmatch(text)
    if found is None:
        raise ValueError(f"not a size: {text!r} (examples: 4G, 1.5GiB, 512M, 1073741824)")
    number, unit = found.groups()
    return int(float(number) * _UNITS[unit.lower()])


def format_size(size: int) -> str:
    """``size`` bytes for a human, in MiB or GiB (``"1.5 GiB"``, ``"200 MiB"``)."""
    if size >= 1024**3:
        return f"{size / 1024**3:.3g} GiB"
    return f"{size / 1024**2:.0f} MiB"


def machine_memory() -> int | None:
    """The memory this process may use: the machine's (``MemTotal``), or its cgroup's limit
    when lower; ``None`` where neither can be read."""
    total = None
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    total = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            raw = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if raw.isdigit() and (total is None or int(raw) < total):
            total = int(raw)
    return total


def default_budget() -> int:
    """Half the memory this process may use (see :func:`machine_memory`); 0 (no budget) where
    it cannot be known."""
    memory = machine_memory()
    return int(memory * DEFAULT_BUDGET_SHARE) if memory else 0


def resident_bytes() -> int:
    """This process's resident memory (RSS), or 0 where it cannot be read."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return 0


@dataclass(frozen=True)
class MemoryPlan:
    """What one pool of query processes may use under a server's budget."""

    #: Bytes each query process may allocate beyond its start (``RLIMIT_AS`` headroom).
    headroom: int
    #: Query processes the pool holds when idle.
    size: int
    #: Processes the pool may add while long queries hold some.
    max_extra: int

    @property
    def processes(self) -> int:
        """The most query processes the pool ever holds."""
        return self.size + self.max_extra


def plan_memory(
    budget: int,
    *,
    pools: int,
    size: int,
    max_extra: int,
    headroom: int,
    server_bytes: int,
    worker_bytes: int,
) -> MemoryPlan:
    """Share ``budget`` bytes out between ``pools`` pools (one per HTTP worker).

    Args:
        budget: bytes of RSS the whole server may hold (0: no budget, nothing changes).
        pools: HTTP worker processes, each with its own pool.
        size: query processes a pool holds when idle.
        max_extra: processes a pool may add while long queries hold some.
        headroom: the most each query process may allocate anyway (0: no such cap).
        server_bytes: what the master and each HTTP worker hold (set aside first).
        worker_bytes: what a query process holds before its first query.

    Each pool gets ``(budget - (1 + pools) * server_bytes) / pools``; each of its
    ``size + max_extra`` processes gets an equal part of it, less ``worker_bytes``. When that
    leaves less than :data:`MIN_HEADROOM`, processes get that much and the pool holds only as
    many as fit (it grows less, or not at all, and its size shrinks, to one at least).

    >>> plan = plan_memory(8 * 1024**3, pools=2, size=2, max_extra=2, headroom=2 * 1024**3,
    ...                    server_bytes=0, worker_bytes=0)
    >>> plan.headroom == 1024**3, plan.processes
    (True, 4)
    """
    if budget <= 0:
        return MemoryPlan(headroom, size, max_extra)
    per_pool = (budget - (1 + max(1, pools)) * server_bytes) // max(1, pools)
    share = per_pool // (size + max_extra) - worker_bytes
    cap = headroom if headroom > 0 else math.inf
    if share >= MIN_HEADROOM:
        return MemoryPlan(int(min(cap, share)), size, max_extra)
    least = int(min(cap, MIN_HEADROOM))
    fits = max(1, per_pool // (worker_bytes + least))
    kept = min(size, fits)
    return MemoryPlan(least, kept, max(0, min(max_extra, fits - kept)))
