"""Request coalescing: identical evaluations in flight at the same moment run once.

With a cold result cache, many clients sending the same query at once would each run it and queue
for the same few workers. :class:`SingleFlight` lets the first caller for a key run the work while
later callers for that key wait for its outcome and share it, like Go's ``singleflight`` or nginx's
``proxy_cache_lock``. Nothing is cached here: a flight ends with its leader.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar, cast

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class SharedTimeout(TimeoutError):  # noqa: N818 - named like the TimeoutError it is
    """A caller's deadline passed while it waited for another caller's evaluation.

    The caller converts it into its own timeout error (e.g. the executor's ``QueryTimeout``).
    """


class SharedBusy(RuntimeError):  # noqa: N818 - named like SharedTimeout
    """A waiter gave up at its ``patience``: the shared evaluation runs long and ``admit``
    refused it one more long wait (the caller converts it into its own "busy" error)."""


class _Flight(Generic[V]):
    """One evaluation in progress: its leader's thread and, once done, its value or exception."""

    def __init__(self) -> None:
        self.leader = threading.get_ident()
        self.value: V | None = None
        self.error: BaseException | None = None
        self.done = threading.Event()
        #: Callers that joined this flight to share its outcome (under the SingleFlight's lock).
        self.waiters = 0

    def wait(self, deadline: float) -> bool:
        """Wait for the outcome until ``deadline`` (``time.monotonic()``); whether it came."""
        return self.done.wait(max(0.0, deadline - time.monotonic()))


class SingleFlight(Generic[K, V]):
    """Runs ``work()`` once for all callers of the same key that overlap in time.

    Thread-safe, starts no thread of its own, and holds one entry per key in flight only.

    >>> flights: SingleFlight[str, int] = SingleFlight()
    >>> flights.run("q", lambda: 42, deadline=time.monotonic() + 1)
    (42, False)
    >>> flights.in_flight()
    0
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flights: dict[K, _Flight[V]] = {}

    def run(
        self,
        key: K,
        work: Callable[[], V],
        *,
        deadline: float,
        retry_on: tuple[type[BaseException], ...] = (),
        retry_if: Callable[[BaseException], bool] | None = None,
        patience: float | None = None,
        admit: Callable[[], bool] | None = None,
        release: Callable[[], None] | None = None,
    ) -> tuple[V, bool]:
        """Run ``work()``, or share the outcome of a call for ``key`` already in flight.

        The first caller for a key (the leader) runs ``work()`` in its own thread, whatever its
        deadline: bounding the work itself is ``work``'s job. Callers arriving while it runs wait,
        then get its value or re-raise its exception (the same object). When that exception is an
        instance of ``retry_on`` (say the leader's own, shorter time limit), a waiter does not
        take it: it joins or leads a new flight for the key, with what is left of its deadline.

        Args:
            key: what identifies identical evaluations.
            work: computes the value; called at most once per flight.
            deadline: a ``time.monotonic()`` value bounding this caller's wait for others.
            retry_on: leader exceptions after which a waiter tries again instead of raising.
            retry_if: for those, whether this waiter tries again (default: always).
            patience: seconds a waiter waits before its wait counts as long; then
                ``admit()`` must allow it (``release()`` is called when that long wait ends),
                else the waiter gives up with :class:`SharedBusy`. A waiter holds a thread of
                the server, so long waits are bounded as long evaluations are.

        Returns:
            The value, and whether this caller shared another caller's evaluation.

        Raises:
            SharedTimeout: the deadline passed while waiting, or before a retry could start.
            SharedBusy: the wait ran past ``patience`` and ``admit()`` refused it.
            RuntimeError: ``work`` called ``run`` for its own key (it would wait on itself).
        """
        retrying: BaseException | None = None
        while True:
            with self._lock:
                flight = self._flights.get(key)
                if flight is None:
                    if retrying is not None and time.monotonic() >= deadline:
                        raise SharedTimeout("deadline passed before a retry") from retrying
                    flight = self._flights[key] = _Flight()
                    leader = True
                else:
                    if flight.leader == threading.get_ident():
                        raise RuntimeError("work re-entered run() for its own key")
                    flight.waiters += 1
                    leader = False
            if leader:
                return self._lead(key, flight, work), False
            if not self._wait(flight, deadline, patience, admit, release):
                raise SharedTimeout("deadline passed while waiting for a shared evaluation")
            error = flight.error
            if error is None:
                return cast(V, flight.value), True
            if not isinstance(error, retry_on) or (retry_if is not None and not retry_if(error)):
                raise error
            retrying = error

    @staticmethod
    def _wait(
        flight: _Flight[V],
        deadline: float,
        patience: float | None,
        admit: Callable[[], bool] | None,
        release: Callable[[], None] | None,
    ) -> bool:
        """Wait for ``flight`` until ``deadline``; past ``patience``, only if ``admit()``."""
        if patience is None or admit is None:
            return flight.wait(deadline)
        if flight.wait(min(deadline, time.monotonic() + patience)):
            return True
        if time.monotonic() >= deadline:
            return False
        if not admit():
            raise SharedBusy("the shared evaluation runs long and no long wait is allowed")
        try:
            return flight.wait(deadline)
        finally:
            if release is not None:
                release()

    def in_flight(self) -> int:
        """How many keys are being evaluated now."""
        with self._lock:
            return len(self._flights)

    def joined(self, key: K) -> int:
        """How many callers joined the flight of ``key`` now in progress (0: none in flight)."""
        with self._lock:
            flight = self._flights.get(key)
            return 0 if flight is None else flight.waiters

    def _lead(self, key: K, flight: _Flight[V], work: Callable[[], V]) -> V:
        """Run ``work`` for ``flight``; whatever happens, end the flight, then wake its waiters."""
        try:
            flight.value = work()
            return flight.value
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                del self._flights[key]
            flight.done.set()
