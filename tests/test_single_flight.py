"""SingleFlight: overlapping callers of a key share one evaluation, its value or its error.

Real threads, ordered by events: a leader blocks inside ``work`` until released, and the test
releases it only once the expected callers have joined its flight (counted through a wrapper of
``_Flight.wait``), so no outcome depends on the scheduler's timing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ewkg.query import single_flight
from ewkg.query.single_flight import SharedTimeout, SingleFlight

pytestmark = pytest.mark.timeout(10)

#: Generous bound for waits that end at once when the implementation is right.
PATIENCE = 5.0


class RetryableError(Exception):
    """A leader failure after which waiters try again."""


class Abort(BaseException):
    """Stands for KeyboardInterrupt or SystemExit without upsetting pytest."""


def later(seconds: float = PATIENCE) -> float:
    return time.monotonic() + seconds


class Caller(threading.Thread):
    """Calls ``flights.run(...)`` in its own thread; keeps the result or the exception."""

    def __init__(self, flights: SingleFlight[str, Any], key: str, work: Callable[[], Any], **kw):
        super().__init__(daemon=True)
        self.args_ = (flights, key, work, kw)
        self.result: tuple[Any, bool] | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        flights, key, work, kw = self.args_
        kw.setdefault("deadline", later())
        try:
            self.result = flights.run(key, work, **kw)
        except BaseException as exc:
            self.error = exc

    def outcome(self) -> tuple[Any, bool] | None:
        self.join(PATIENCE)
        assert not self.is_alive(), "caller still blocked"
        return self.result


class Blocked:
    """A ``work`` that counts its calls, signals it started, and waits to be released."""

    def __init__(self, value: Any = "value", error: BaseException | None = None) -> None:
        self.value = value
        self.error = error
        self.calls = 0
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self) -> Any:
        self.calls += 1
        self.started.set()
        assert self.release.wait(PATIENCE), "never released"
        if self.error is not None:
            raise self.error
        return self.value

    def start(self, flights: SingleFlight[str, Any], key: str = "k", **kw) -> Caller:
        """Start the leader of ``key`` and return once it is inside this work."""
        leader = Caller(flights, key, self, **kw)
        leader.start()
        assert self.started.wait(PATIENCE)
        return leader


class Joins:
    """Counts callers that joined a flight as waiters."""

    def __init__(self) -> None:
        self.count = 0
        self.changed = threading.Condition()

    def wait_for(self, n: int) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: self.count >= n, PATIENCE), (
                f"{self.count} of {n} callers joined the flight"
            )


@pytest.fixture
def joins(monkeypatch: pytest.MonkeyPatch) -> Iterator[Joins]:
    joins = Joins()
    wait = single_flight._Flight.wait

    def counted(self: single_flight._Flight[Any], deadline: float) -> bool:
        with joins.changed:
            joins.count += 1
            joins.changed.notify_all()
        return wait(self, deadline)

    monkeypatch.setattr(single_flight._Flight, "wait", counted)
    yield joins


def test_overlapping_callers_share_one_evaluation(joins: Joins) -> None:
    flights: SingleFlight[str, str] = SingleFlight()
    work = Blocked()
    leader = work.start(flights)
    waiters = [Caller(flights, "k", work) for _ in range(7)]
    for waiter in waiters:
        waiter.start()
    joins.wait_for(len(waiters))
    assert flights.in_flight() == 1
    work.release.set()
    results = [caller.outcome() for caller in [leader, *waiters]]
    assert work.calls == 1
    assert results == [("value", False)] + [("value", True)] * len(waiters)
    assert flights.in_flight() == 0


def test_different_keys_run_independently() -> None:
    flights: SingleFlight[str, str] = SingleFlight()
    work_a = Blocked("a")
    leader_a = work_a.start(flights, "a")
    assert flights.run("b", lambda: "b", deadline=later()) == ("b", False)
    assert flights.in_flight() == 1  # "a" is still running
    work_a.release.set()
    assert leader_a.outcome() == ("a", False)
    assert work_a.calls == 1


def test_leader_error_reaches_every_waiter_and_is_not_kept(joins: Joins) -> None:
    flights: SingleFlight[str, str] = SingleFlight()
    boom = ValueError("boom")
    work = Blocked(error=boom)
    leader = work.start(flights)
    waiters = [Caller(flights, "k", work, retry_on=(RetryableError,)) for _ in range(3)]
    for waiter in waiters:
        waiter.start()
    joins.wait_for(len(waiters))
    work.release.set()
    for caller in [leader, *waiters]:
        assert caller.outcome() is None
        assert caller.error is boom
    assert work.calls == 1
    assert flights.in_flight() == 0
    assert flights.run("k", lambda: "again", deadline=later()) == ("again", False)


def test_retryable_error_makes_the_waiter_run_work_itself(joins: Joins) -> None:
    flights: SingleFlight[str, str] = SingleFlight()
    first = Blocked(error=RetryableError("leader's own time limit"))
    calls: list[str] = []

    def work() -> str:
        calls.append("waiter")
        return "fresh"

    leader = first.start(flights)
    waiter = Caller(flights, "k", work, retry_on=(RetryableError,))
    waiter.start()
    joins.wait_for(1)
    first.release.set()
    assert waiter.outcome() == ("fresh", False)
    assert calls == ["waiter"]
    assert leader.outcome() is None
    assert isinstance(leader.error, RetryableError)  # the leader itself is not retried
    assert flights.in_flight() == 0


def test_no_retry_once_the_deadline_has_passed(
    joins: Joins, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The leader fails retryably right at the waiter's deadline: the waiter starts nothing."""
    flights: SingleFlight[str, str] = SingleFlight()
    first = Blocked(error=RetryableError())
    leader = first.start(flights)
    # Let the waiter see the leader's end even though its deadline has already passed.
    monkeypatch.setattr(single_flight._Flight, "wait", lambda self, _: self.done.wait(PATIENCE))
    waiter = Caller(flights, "k", first, deadline=time.monotonic() - 1, retry_on=(RetryableError,))
    waiter.start()
    first.release.set()
    waiter.outcome()
    assert isinstance(waiter.error, SharedTimeout)
    assert isinstance(waiter.error.__cause__, RetryableError)
    assert first.calls == 1
    leader.outcome()


def test_waiter_deadline_passes_while_the_leader_runs(joins: Joins) -> None:
    flights: SingleFlight[str, str] = SingleFlight()
    work = Blocked()
    leader = work.start(flights)
    with pytest.raises(SharedTimeout) as caught:
        flights.run("k", work, deadline=later(0.05))
    assert isinstance(caught.value, TimeoutError)
    assert joins.count == 1
    assert work.calls == 1
    assert flights.in_flight() == 1
    work.release.set()
    assert leader.outcome() == ("value", False)
    assert flights.in_flight() == 0


def test_in_flight_counts_keys_being_evaluated() -> None:
    flights: SingleFlight[str, int] = SingleFlight()
    seen: list[int] = []

    def work() -> int:
        seen.append(flights.in_flight())
        return 1

    def fail() -> int:
        raise ValueError

    assert flights.run("k", work, deadline=later()) == (1, False)
    with pytest.raises(ValueError):
        flights.run("k", fail, deadline=later())
    assert seen == [1]
    assert flights.in_flight() == 0


def test_base_exception_in_the_leader_wakes_its_waiters(joins: Joins) -> None:
    flights: SingleFlight[str, str] = SingleFlight()
    abort = Abort()
    work = Blocked(error=abort)
    leader = work.start(flights)
    waiter = Caller(flights, "k", work)
    waiter.start()
    joins.wait_for(1)
    work.release.set()
    waiter.outcome()
    assert waiter.error is abort
    assert leader.outcome() is None
    assert leader.error is abort
    assert flights.in_flight() == 0


def test_work_calling_its_own_key_is_refused() -> None:
    flights: SingleFlight[str, str] = SingleFlight()

    def work() -> str:
        return flights.run("k", lambda: "inner", deadline=later())[0]

    with pytest.raises(RuntimeError, match="re-entered run"):
        flights.run("k", work, deadline=later())
    assert flights.in_flight() == 0
