"""The query worker: the loop of a process that evaluates client queries, one at a time.

A worker receives a pickled ``(QueryRequest, timeout)`` down its pipe, evaluates it
(:func:`ewkg.query.evaluation.evaluate`) and sends back ``(kind, payload, swollen)``: ``("ok",
QueryResponse)`` or an error kind and message, and whether it now holds more memory of its own
than it may keep (the server then replaces it). :class:`ewkg.query.executor.ProcessExecutor` kills
it when a deadline passes.

A worker is either forked from the server (an in-memory store is then shared copy-on-write) or,
for an on-disk store, started afresh with ``python -m ewkg.query.query_worker``: it then imports
only pyoxigraph and a few standard modules (not even :mod:`typing` or :mod:`multiprocessing`) and
opens the store read-only itself, so that it maps about half the memory a fork of the web
server does and starts in a few tens of milliseconds.
"""

from __future__ import annotations

import faulthandler
import math
import os
import pickle
import signal
import struct
import sys

import pyoxigraph as ox

from ewkg.query.evaluation import (
    QueryError,
    QueryFormatError,
    QuerySyntaxError,
    evaluate,
    set_prefixes,
)

TYPE_CHECKING = False  # not ``typing``'s: see the module docstring
if TYPE_CHECKING:  # pragma: no cover
    from multiprocessing.connection import Connection
    from typing import Any

#: Messages between the server and its workers: plain pickles (``Connection.send`` would build a
#: ``ForkingPickler`` for each).
PICKLE = pickle.HIGHEST_PROTOCOL

#: Signals the server process owns: a worker only dies of them.
_SERVER_SIGNALS = (
    "SIGTERM",
    "SIGHUP",
    "SIGQUIT",
    "SIGUSR1",
    "SIGUSR2",
    "SIGCHLD",
    "SIGWINCH",
    "SIGALRM",
)


#: ``prctl`` option: the signal the kernel sends this process when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this process (``SIGKILL``) the moment its parent dies, even in the
    middle of a query; exit now if the parent (``parent``, its pid) is already gone.

    Linux sends the signal when the *thread* that forked this process exits, so the server
    starts every worker from one long-lived thread (see ``ewkg.query.executor``). The pipe's
    end-of-file stays the way an idle worker learns of it elsewhere.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError, ImportError):  # pragma: no cover - not Linux
        pass
    if os.getppid() != parent:  # it died before the request above: nobody would signal us
        os._exit(0)


def limit_memory(headroom: int) -> None:
    """Cap this process's address space at its current size plus ``headroom`` bytes.

    A query that needs more (a huge ``ORDER BY``, a cross product being grouped) then fails its
    allocation and the worker dies at once, instead of growing for the whole time limit and
    pushing the machine into swap; the parent reports it and forks a replacement.
    """
    if headroom <= 0:
        return
    try:
        with open("/proc/self/statm") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (current + headroom, resource.RLIM_INFINITY))
        global _start_size
        _start_size = current
    except (OSError, ValueError, ImportError):  # pragma: no cover - not Linux
        pass


def near_memory_limit(share: float = 0.5) -> bool:
    """Whether this process's address space has come within ``share`` of its ``RLIMIT_AS``
    headroom at its peak (``VmPeak``): an error raised then is most likely a failed allocation,
    whatever form a library gave it (``MemoryError``, or a ``SystemError`` from C code that
    returned without setting one)."""
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        if limit == resource.RLIM_INFINITY:
            return False
        with open("/proc/self/status") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
        peak = int(fields["VmPeak"].split()[0]) * 1024
    except (OSError, ValueError, KeyError, ImportError):  # pragma: no cover - not Linux
        return False
    return peak >= limit - (1 - share) * max(0, limit - _start_size)


#: The address space when :func:`limit_memory` set the cap (the headroom is counted from it).
_start_size = 0


def _private_bytes() -> int | None:
    """Memory only this process holds (its USS: private clean and dirty pages), if known."""
    try:
        with open("/proc/self/smaps_rollup", "rb") as rollup:
            return sum(
                int(line.split()[1]) * 1024
                for line in rollup
                if line.startswith((b"Private_Clean:", b"Private_Dirty:"))
            )
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return None


class _MemoryWatch:
    """Tells a worker when it holds more than ``bound`` bytes of its own (``0``: never).

    A forked worker starts with no private page (a started one, ``fresh``, with those it has
    when the watch is made, which do not count): each one it gets costs a page fault (a copy of
    an inherited page it wrote to, or a new page), so faults since the fork times the page size
    bound its private memory from above, for one cheap ``getrusage``. Only when that bound passes
    ``bound`` is the real figure read (``/proc/self/smaps_rollup``, which walks every page: up to
    tens of ms on a large in-memory store).
    """

    def __init__(self, bound: int, *, fresh: bool = False) -> None:
        self.bound = bound
        self.page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        self.faults = 0  # faults counted at the last real reading (none yet: since the fork)
        self.private = 0  # private bytes at the last real reading
        if fresh and bound > 0:  # a started (not forked) process: all its pages are its own
            import resource

            private = _private_bytes()
            if private is None:
                self.bound = 0
            else:  # count only what it gains from now on
                self.faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
                self.private = private
                self.bound = bound + private

    def over(self) -> bool:
        if self.bound <= 0:
            return False
        import resource

        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        if self.private + (faults - self.faults) * self.page <= self.bound:
            return False
        private = _private_bytes()
        if private is None:
            self.bound = 0
            return False
        self.faults, self.private = faults, private
        return private > self.bound



def serve(
    conn: Connection | FdPipe,
    store: ox.Store,
    max_results: int,
    memory_headroom: int = 0,
    recycle_memory: int = 0,
    *,
    fresh: bool = False,
) -> None:
    """Answer requests from ``conn`` until it closes (or a ``None`` request); never returns."""
    # The parent (a gunicorn worker, a Flask dev server) owns the signals; a worker only dies.
    for name in _SERVER_SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent shuts us down
    faulthandler.disable()  # an abort on a failed allocation is expected: no traceback dump
    limit_memory(memory_headroom)
    watch = _MemoryWatch(recycle_memory, fresh=fresh)
    while True:
        try:
            message = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            os._exit(0)
        if message is None:
            os._exit(0)
        request, timeout = message
        # Backstop: the kernel ends this process at twice the deadline even if the parent
        # (which kills it at the deadline) is gone. SIGALRM's default action needs no Python.
        signal.alarm(max(1, math.ceil(2 * timeout) + 1))
        swollen = False
        try:
            response = evaluate(store, request, max_results)
        except MemoryError:  # Python's allocations failed at the limit (Rust's abort instead)
            reply: tuple[Any, ...] = ("memory", "")
            swollen = True  # its heap may be in pieces: the server replaces it
        except QueryError as error:
            kind = {QuerySyntaxError: "syntax", QueryFormatError: "format"}.get(
                type(error), "error"
            )
            reply = (kind, error.message)
        except Exception as error:  # noqa: BLE001 - a worker must answer, whatever happens
            reply = ("error", f"the query failed: {type(error).__name__}: {error}")
        else:
            reply = ("ok", response)
        signal.alarm(0)
        try:
            conn.send_bytes(pickle.dumps((*reply, swollen or watch.over()), PICKLE))
        except (BrokenPipeError, OSError):
            os._exit(0)


class FdPipe:
    """One end of the server's pipe, on a bare file descriptor, in the framing of
    :class:`multiprocessing.connection.Connection` (a 4-byte big-endian length, or ``-1`` and an
    8-byte one, then the bytes): what a started worker uses instead of importing
    :mod:`multiprocessing`, which would double its start-up time."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def _read(self, size: int) -> bytes:
        chunks = []
        while size:
            chunk = os.read(self.fd, min(size, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def recv_bytes(self) -> bytes:
        (size,) = struct.unpack("!i", self._read(4))
        if size == -1:
            (size,) = struct.unpack("!Q", self._read(8))
        return self._read(size)

    def send_bytes(self, data: bytes) -> None:
        size = len(data)
        header = struct.pack("!i", size) if size <= 0x7FFFFFFF else struct.pack("!iQ", -1, size)
        view = memoryview(header + data) if size < 1 << 16 else None
        if view is None:  # a large answer: no copy of it to prepend the header
            self._write(memoryview(header))
            self._write(memoryview(data))
        else:
            self._write(view)

    def _write(self, view: memoryview) -> None:
        while view:
            view = view[os.write(self.fd, view) :]


def command(fd: int, location: str) -> list[str]:
    """The arguments after ``python`` that start a worker on pipe ``fd`` for ``location``; the
    rest of its settings come as the first message (see :func:`settings`)."""
    return ["-m", "ewkg.query.query_worker", str(fd), location]


def settings(
    *,
    max_results: int,
    memory_headroom: int,
    recycle_memory: int,
    prefixes: dict[str, str],
    parent: int,
) -> bytes:
    """The first message to a started worker: what :func:`main` needs beyond its arguments
    (``parent``: the pid of the server process that started it)."""
    return pickle.dumps(
        (max_results, memory_headroom, recycle_memory, dict(prefixes), parent), PICKLE
    )


def main(argv: list[str] | None = None) -> None:
    """Entry point of a started worker: ``python -m ewkg.query.query_worker FD LOCATION`` (not a
    user
    command: ``ewkg serve`` starts it, with a pipe on ``FD`` and the store at ``LOCATION``)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or not args[0].isdigit():
        sys.exit("usage: python -m ewkg.query.query_worker FD LOCATION (started by ewkg serve)")
    conn = FdPipe(int(args[0]))
    try:
        max_results, memory_headroom, recycle_memory, prefixes, parent = pickle.loads(
            conn.recv_bytes()
        )
    except (EOFError, OSError):
        os._exit(0)
    die_with_parent(parent)
    set_prefixes(prefixes)
    store = ox.Store.read_only(args[1])
    serve(conn, store, max_results, memory_headroom, recycle_memory, fresh=True)


if __name__ == "__main__":
    main()
