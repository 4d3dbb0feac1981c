"""``/validate`` under limits: each validation runs in its own process, killed at its deadline.

A validation (parsing a posted document, running every shape on it merged with the dataset,
locating and rendering the results) is pure Python and Rust that no thread can interrupt, and
a megabyte of Turtle can keep a core busy for many seconds and take hundreds of MB. So
:class:`Validator` gives it what client queries get (see :mod:`ewkg.query.executor`):

* **a killable process**: the HTTP worker forks one process per validation (the parsed dataset
  and compiled shapes, warmed once in the HTTP worker, are shared copy-on-write) and waits for
  its answer on a pipe; at the deadline the process is killed (``SIGKILL``). The process
  closes every descriptor it inherits (sockets, pipes, store files), runs at a lower CPU
  priority (niceness :data:`NICENESS`), so queries keep their latency, and ends itself at
  twice the deadline (``SIGALRM``) should the server be gone;
* **a deadline** (``validation_timeout``), waiting for a free slot included;
* **a memory cap**: the process may allocate ``validation_memory`` MiB beyond what it inherits
  (``RLIMIT_AS``); past it the validation fails and is answered as such;
* **a bounded queue**: ``validation_workers`` validations run at once in the whole server and
  ``validation_queue`` more may wait (:class:`ewkg.validation.slots.Slots`, shared by the forked
  HTTP workers); beyond that the request is refused at once, with ``Retry-After``. A request
  thread waits for its validation, so one HTTP worker also takes at most
  :data:`PER_PROCESS` validations at once: the rest of its threads stay free for queries;
* **a capped report**: at most ``validation_max_results`` results are listed; the report says
  it was capped and how many results there were (:meth:`ewkg.validation.report.Report.capped`).

Refusals are :class:`ValidationLimitError` with a message in French, Chinese and English naming
the limit; the HTTP layer answers them with ``503``.
"""

from __future__ import annotations

import contextlib
import faulthandler
import json
import math
import os
import pickle
import select
import signal
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ewkg.query.query_worker import limit_memory, near_memory_limit
from ewkg.strings import REPORT_LANGS, VALIDATION_LIMITS, filled
from ewkg.validation.slots import Slots

if TYPE_CHECKING:  # pragma: no cover
    from ewkg.config import Config
    from ewkg.validation.report import Report

__all__ = [
    "Job",
    "Outcome",
    "ValidationBusyError",
    "ValidationProcessError",
    "ValidationLimits",
    "ValidationLimitError",
    "ValidationMemoryError",
    "ValidationTimeoutError",
    "Validator",
]

#: The niceness of a validation process: its CPU share against a query's is about 1:10.
NICENESS = 10
#: Validations one HTTP worker process takes at once (running or waiting): half the threads
#: ``ewkg serve`` gives it by default, so that its other threads keep answering queries.
PER_PROCESS = 2
#: Seconds between two looks at whether a slot of another HTTP worker became free.
SLOT_POLL = 0.05
#: Signals the server process owns: a validation process only dies of them.
_SERVER_SIGNALS = ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGCHLD", "SIGWINCH")
_MIB = 1024 * 1024


@dataclass(frozen=True)
class ValidationLimits:
    """The bounds of ``/validate`` (see :class:`ewkg.config.Config` for each)."""

    timeout: float = 10.0
    workers: int = 2
    queue: int = 4
    memory_mib: int = 1024
    max_results: int = 1000

    @classmethod
    def from_config(cls, config: Config) -> ValidationLimits:
        return cls(
            timeout=config.validation_timeout,
            workers=config.validation_workers,
            queue=config.validation_queue,
            memory_mib=config.validation_memory,
            max_results=config.validation_max_results,
        )


class ValidationLimitError(Exception):
    """A validation refused or stopped by a limit; ``messages`` says which, per language."""

    status = 503

    def __init__(self, messages: dict[str, str], *, retry_after: int | None = None) -> None:
        super().__init__(messages["en"])
        self.messages = messages
        self.retry_after = retry_after

    def message(self, first: str | None = None) -> str:
        """The message in French, Chinese and English (``first`` leading)."""
        order = [first] if first in self.messages else []
        order += [lang for lang in REPORT_LANGS if lang not in order]
        return " — ".join(self.messages[lang] for lang in order)


class ValidationBusyError(ValidationLimitError):
    """Every validation slot is taken (and the queue is full, or the wait reached the deadline)."""


class ValidationTimeoutError(ValidationLimitError):
    """The validation ran past its deadline and its process was killed."""


class ValidationMemoryError(ValidationLimitError):
    """The validation needed more memory than a validation may use."""


class ValidationProcessError(RuntimeError):
    """The validation process failed on its own, or was killed from outside (a 500)."""


def _busy(limits: ValidationLimits, *, waited: bool) -> ValidationBusyError:
    retry = max(1, math.ceil(limits.timeout))
    key = "busy_waited" if waited else "busy_full"
    return ValidationBusyError(filled(VALIDATION_LIMITS[key], timeout=limits.timeout,
                                      workers=limits.workers, queue=limits.queue, retry=retry),
                               retry_after=retry)


def _timeout(limits: ValidationLimits) -> ValidationTimeoutError:
    return ValidationTimeoutError(filled(VALIDATION_LIMITS["timeout"], timeout=limits.timeout))


def _too_large(limits: ValidationLimits) -> ValidationMemoryError:
    return ValidationMemoryError(filled(VALIDATION_LIMITS["memory"],
                                        memory_mib=limits.memory_mib))


@dataclass(frozen=True)
class Job:
    """One posted document to validate, and the form its report is wanted in."""

    data: bytes
    rdf_format: ox.RdfFormat = ox.RdfFormat.TURTLE
    name: str = "input"
    context_files: tuple[Path, ...] = ()
    #: ``application/json`` or ``text/turtle``: rendered in the validation process;
    #: anything else (the HTML page): the caller renders the report.
    media_type: str = "application/json"
    #: The language of syntax-error messages (``None``: the parser's English).
    lang: str | None = None


@dataclass
class Outcome:
    """A finished validation: the report (capped) and, when rendered there, its body."""

    report: Report
    body: bytes | None = None


def render(report: Report, media_type: str) -> bytes | None:
    """The report as JSON or Turtle bytes (``None`` for any other type)."""
    if media_type == "application/json":
        return json.dumps(report.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
    if media_type == "text/turtle":
        from ewkg.rdf.turtle import canonical_turtle

        return canonical_turtle(report.to_graph()).encode("utf-8")
    return None


def validate_job(job: Job, max_results: int) -> Outcome:
    """Run ``job`` here (what a validation process does): validate, cap, render."""
    from ewkg.validation.validate import validate_text

    report = validate_text(
        job.data, rdf_format=job.rdf_format, name=job.name,
        context_files=list(job.context_files) or None, lang=job.lang,
    )
    report.labels_graph = None  # only the process that made it reads it
    report = report.capped(max_results)
    return Outcome(report, render(report, job.media_type))


def warm(context_files: Sequence[Path] = ()) -> None:
    """Parse the dataset and compile the shapes in this process, once, so that every validation
    process forked from it starts with them (copy-on-write) instead of redoing them."""
    from ewkg.validation.validate import warm_caches

    warm_caches(list(context_files) or None)


def _close_inherited(*, keep: int) -> None:
    """Close every descriptor of this process but the standard streams and ``keep``."""
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:  # pragma: no cover - not Linux
        fds = list(range(3, 1024))
    for fd in fds:
        if fd > 2 and fd != keep:
            with contextlib.suppress(OSError):
                os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _child(reply_fd: int, work: Callable[[], Any], limits: ValidationLimits) -> None:
    """The validation process: let go of the server's files, lower its priority, cap its
    memory, run ``work``, write the pickled reply to ``reply_fd`` and exit (never returns)."""
    # Sockets (the listening one, clients'), pipes to query workers, the store's files: held
    # here they would outlive the server or hide a client's disconnect. Only the reply pipe
    # and the standard streams stay.
    _close_inherited(keep=reply_fd)
    for name in _SERVER_SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the server stops us
    faulthandler.disable()  # an abort on a failed allocation is expected: no dump
    # Backstop: the kernel ends this process even if the server (which kills it at the
    # deadline) is gone. SIGALRM's default action needs no Python.
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(max(1, math.ceil(2 * limits.timeout) + 1))
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    limit_memory(limits.memory_mib * _MIB)
    try:
        reply: tuple[Any, ...] = ("ok", work())
    except MemoryError:
        reply = ("memory", None)
    except RecursionError:
        reply = ("error", "the document is nested too deeply to be validated")
    except Exception as error:  # noqa: BLE001 - the process must answer, whatever happens
        if near_memory_limit():  # a failed allocation in another form (SystemError from C)
            reply = ("memory", None)
        else:
            reply = ("error", f"the validation failed: {type(error).__name__}: {error}")
    try:
        payload = pickle.dumps(reply, pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        payload = pickle.dumps(("memory", None))
    with contextlib.suppress(OSError):
        _write_all(reply_fd, payload)
    os._exit(0)


def _read_reply(fd: int, deadline: float) -> bytes | None:
    """Everything written to ``fd`` until its end (the writer exited), or ``None`` at the
    deadline."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not poller.poll(math.ceil(remaining * 1000)):
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _reap(pid: int, *, kill: bool) -> int | None:
    """Wait for process ``pid`` (killing it first if asked); its exit code (``-N``: signal N),
    or ``None`` if someone else reaped it."""
    if kill:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    return os.waitstatus_to_exitcode(status)


class Validator:
    """Runs validations in killable processes under :class:`ValidationLimits`.

    Create it in the process that forks the HTTP workers (the app factory, preloaded): its
    slots are then shared by all of them.
    """

    def __init__(self, limits: ValidationLimits, *, per_process: int = PER_PROCESS) -> None:
        self.limits = limits
        self.per_process = per_process
        self._local_pid = os.getpid()
        self._local = threading.BoundedSemaphore(per_process)
        total = limits.workers + limits.queue
        #: Admission: a request holds one of these from arrival to answer.
        self.admitted = Slots(total)
        #: Running: a request holds one of these while its process runs.
        self.running = Slots(limits.workers, offset=total, fd=self.admitted.fd)  # same file
        #: Validation processes killed at their deadline (for tests and monitoring).
        self.kills = 0
        #: Requests of this process waiting for a running slot; :attr:`changed` is notified
        #: whenever it changes (for tests and monitoring).
        self.waiting = 0
        self.changed = threading.Condition()
        self._warm_lock = threading.Lock()
        self._warmed: set[tuple[Path, ...]] = set()

    def validate(self, job: Job) -> Outcome:
        """Validate ``job`` in a process of its own, within the limits.

        Raises:
            ValidationBusyError: no room now (``retry_after`` says when to try again).
            ValidationTimeoutError, ValidationMemoryError: the validation was stopped.
        """
        self._warm(job.context_files)
        outcome: Outcome = self.run(lambda: validate_job(job, self.limits.max_results))
        return outcome

    def _warm(self, context_files: tuple[Path, ...]) -> None:
        with self._warm_lock:
            if context_files not in self._warmed:
                warm(context_files)
                self._warmed.add(context_files)

    def run(self, work: Callable[[], Any]) -> Any:
        """Run ``work`` in a forked process within the limits; its (picklable) result."""
        deadline = time.monotonic() + self.limits.timeout
        if self._local_pid != os.getpid():  # a forked HTTP worker: none of its threads waits
            self._local_pid = os.getpid()
            self._local = threading.BoundedSemaphore(self.per_process)
        local = self._local
        if not local.acquire(blocking=False):
            raise _busy(self.limits, waited=False)
        ticket = self.admitted.try_acquire()
        if ticket is None:
            local.release()
            raise _busy(self.limits, waited=False)
        try:
            slot = self.running.try_acquire()
            if slot is None:
                slot = self._wait_for_slot(deadline)
            try:
                return self._in_process(work, deadline)
            finally:
                self.running.release(slot)
        finally:
            self.admitted.release(ticket)
            local.release()

    def _wait_for_slot(self, deadline: float) -> int:
        """A running slot, once one is free (in any process); busy at the deadline."""
        self._count_waiting(1)
        try:
            while True:
                if time.monotonic() + SLOT_POLL >= deadline:
                    raise _busy(self.limits, waited=True)
                time.sleep(SLOT_POLL)  # a slot freed in another process sends no signal
                slot = self.running.try_acquire()
                if slot is not None:
                    return slot
        finally:
            self._count_waiting(-1)

    def _count_waiting(self, delta: int) -> None:
        with self.changed:
            self.waiting += delta
            self.changed.notify_all()

    def _in_process(self, work: Callable[[], Any], deadline: float) -> Any:
        read_fd, write_fd = os.pipe()
        with warnings.catch_warnings():
            # Python >= 3.12 warns about fork() in a threaded process; the child only runs
            # the validation, whose modules and caches are loaded before the fork.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # pragma: no cover - the child: measured by the tests through its reply
            try:
                os.close(read_fd)
                _child(write_fd, work, self.limits)
            finally:
                os._exit(70)
        os.close(write_fd)
        try:
            data = _read_reply(read_fd, deadline)
        finally:
            os.close(read_fd)
        status = _reap(pid, kill=data is None)
        if data is None:
            self.kills += 1
            raise _timeout(self.limits)
        kind, payload = "died", None
        with contextlib.suppress(EOFError, pickle.UnpicklingError, ValueError):
            kind, payload = pickle.loads(data)  # nothing, or cut short: it died first
        # An allocation past the cap raises MemoryError in Python and aborts in Rust.
        if kind == "memory" or (kind == "died" and status == -signal.SIGABRT):
            raise _too_large(self.limits)
        if kind == "died":
            how = f"signal {-status}" if isinstance(status, int) and status < 0 else (
                f"exit status {status}")
            raise ValidationProcessError(
                f"the validation process ended without answering ({how}): it was stopped "
                "from outside, or failed; the server's log may say why"
            )
        if kind == "error":
            raise ValidationProcessError(str(payload))
        return payload
