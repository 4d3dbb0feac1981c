"""A fixed number of slots shared by every process of a server, freed when a holder dies.

``ewkg serve`` forks its HTTP workers from one process (gunicorn with the app preloaded), so a
bound such as "two validations at once" must hold across processes, and must not leak when a
worker is killed (``kill -9``). :class:`Slots` keeps one unlinked temporary file, opened by the
process that creates it and inherited by every fork; slot ``i`` is byte ``i`` of that file,
taken with a POSIX record lock (``fcntl``). Such a lock belongs to the process that took it: the
kernel drops it when that process dies, and a process forked while it is held (a query worker,
a validation process) does not inherit it. Threads of one process share its locks, so each
process also remembers which slots its own threads hold.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import threading
import weakref

__all__ = ["Slots"]


def _close(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)


class Slots:
    """``count`` slots, each held by at most one thread of all the processes sharing them.

    Args:
        count: the number of slots (``0``: every :meth:`try_acquire` fails).
        offset: the first byte used in the file (two :class:`Slots` may share one file).
        fd: the descriptor of another :class:`Slots` to share its file (keep that one alive:
            its file is closed when it is collected). Default: a new file.
    """

    def __init__(self, count: int, *, offset: int = 0, fd: int | None = None) -> None:
        if fd is None:
            fd, path = tempfile.mkstemp(prefix="ewkg-slots-")
            os.unlink(path)  # the descriptor keeps it; nothing to clean up
            weakref.finalize(self, _close, fd)
        self.fd = fd
        self.count = count
        self.offset = offset
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._mine: set[int] = set()

    def _reset_after_fork(self) -> None:
        """In a forked child: it holds no lock, whatever its parent's threads held."""
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._lock = threading.Lock()
            self._mine = set()

    def try_acquire(self) -> int | None:
        """A free slot's number, now held by the caller; ``None`` if every slot is taken."""
        self._reset_after_fork()
        with self._lock:
            for slot in range(self.count):
                if slot in self._mine:
                    continue
                try:
                    fcntl.lockf(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, self.offset + slot)
                except OSError as error:
                    if error.errno in (errno.EACCES, errno.EAGAIN):
                        continue  # another process holds it
                    raise
                self._mine.add(slot)
                return slot
        return None

    def release(self, slot: int) -> None:
        """Free ``slot`` (taken by :meth:`try_acquire` in this process)."""
        self._reset_after_fork()
        with self._lock:
            if slot in self._mine:
                self._mine.discard(slot)
                with contextlib.suppress(OSError):
                    fcntl.lockf(self.fd, fcntl.LOCK_UN, 1, self.offset + slot)

    @property
    def held_here(self) -> int:
        """Slots held by this process's threads."""
        self._reset_after_fork()
        return len(self._mine)
