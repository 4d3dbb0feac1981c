"""``/validate`` under limits: a killable process per validation, a deadline, a memory cap,
server-wide slots with a bounded queue, and a capped report — each refusal a clear 503."""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS, SH

from _heavy_turtle import heavy_turtle
from ewkg.config import Config
from ewkg.validation.report import Report, Violation
from ewkg.validation.slots import Slots
from ewkg.validation.worker import (
    ValidationBusyError,
    ValidationLimits,
    ValidationMemoryError,
    ValidationProcessError,
    ValidationTimeoutError,
    Validator,
)
from ewkg.web.app import create_app

_FORK = multiprocessing.get_context("fork")
#: Far longer than any step of these tests should take.
PATIENCE = 60


def _forever() -> None:
    threading.Event().wait()


def _allocate() -> bytes:
    return bytes(2 * 1024**3)


def _hold_slot(slots: Slots, held: object) -> None:
    assert slots.try_acquire() is not None
    held.set()  # type: ignore[attr-defined]
    _forever()  # until killed


def _try_slot(slots: Slots, result: object) -> None:
    result.put(slots.try_acquire())  # type: ignore[attr-defined]


# -- slots shared across processes ---------------------------------------------------------------

def test_a_slot_held_by_another_process_is_taken_until_that_process_dies() -> None:
    slots = Slots(1)
    held = _FORK.Event()
    holder = _FORK.Process(target=_hold_slot, args=(slots, held), daemon=True)
    holder.start()
    try:
        assert held.wait(PATIENCE)
        assert slots.try_acquire() is None
    finally:
        holder.kill()  # kill -9: nothing releases the slot, the kernel does
        holder.join(PATIENCE)
    slot = slots.try_acquire()
    assert slot == 0
    slots.release(slot)


def test_a_slot_is_not_inherited_by_a_process_forked_while_it_is_held() -> None:
    slots = Slots(1)
    slot = slots.try_acquire()
    assert slot is not None
    bystander = _FORK.Process(target=_forever, daemon=True)
    bystander.start()  # holds the file open, as a query worker forked now would
    try:
        slots.release(slot)
        result = _FORK.SimpleQueue()
        other = _FORK.Process(target=_try_slot, args=(slots, result), daemon=True)
        other.start()
        other.join(PATIENCE)
        assert result.get() == 0
    finally:
        bystander.kill()
        bystander.join(PATIENCE)


def test_threads_of_one_process_do_not_share_a_slot() -> None:
    slots = Slots(2)
    first, second = slots.try_acquire(), slots.try_acquire()
    assert {first, second} == {0, 1}
    assert slots.try_acquire() is None
    slots.release(first)  # type: ignore[arg-type]
    assert slots.try_acquire() == first


# -- the validator --------------------------------------------------------------------------------

def test_a_validation_past_its_deadline_is_killed() -> None:
    validator = Validator(ValidationLimits(timeout=1))
    with pytest.raises(ValidationTimeoutError) as caught:
        validator.run(_forever)
    assert validator.kills == 1
    assert "1 s" in caught.value.messages["en"] and "1 s" in caught.value.messages["fr"]
    assert "1 秒" in caught.value.messages["zh"]
    assert validator.admitted.held_here == 0 and validator.running.held_here == 0


def test_a_validation_past_its_memory_cap_is_stopped() -> None:
    validator = Validator(ValidationLimits(timeout=PATIENCE, memory_mib=64))
    with pytest.raises(ValidationMemoryError) as caught:
        validator.run(_allocate)
    assert "64 MiB" in caught.value.messages["en"] and "64 Mio" in caught.value.messages["fr"]


def _allocate_then_fail_in_c() -> None:
    """Allocate up to the cap, then fail as C code does that returns NULL without an error."""
    kept = []
    try:
        while True:
            kept.append(bytearray(4 * 1024 * 1024))
    except MemoryError:
        kept.clear()
    raise SystemError("error return without exception set")


def test_a_failed_allocation_told_as_a_system_error_is_still_the_memory_cap() -> None:
    """Seen beside a job holding every core: the cap was met inside C code, which raised
    SystemError, not MemoryError; the answer is still the memory limit's 503, not a 500."""
    validator = Validator(ValidationLimits(timeout=PATIENCE, memory_mib=64))
    with pytest.raises(ValidationMemoryError):
        validator.run(_allocate_then_fail_in_c)


def test_an_error_far_from_the_cap_stays_an_error() -> None:
    validator = Validator(ValidationLimits(timeout=PATIENCE, memory_mib=64))
    with pytest.raises(ValidationProcessError, match="SystemError: boom"):
        validator.run(_raise_system_error)


def _raise_system_error() -> None:
    raise SystemError("boom")


def test_a_validation_process_killed_from_outside_is_not_blamed_on_memory() -> None:
    validator = Validator(ValidationLimits(timeout=PATIENCE))
    with pytest.raises(ValidationProcessError, match="signal 9"):
        validator.run(lambda: os.kill(os.getpid(), signal.SIGKILL))


def test_the_work_runs_in_another_process_and_its_result_comes_back() -> None:
    validator = Validator(ValidationLimits(timeout=PATIENCE))
    answer, pid = validator.run(lambda: ("answer", os.getpid()))
    assert answer == "answer" and pid != os.getpid()


def test_a_validation_process_keeps_none_of_the_servers_descriptors(tmp_path) -> None:  # noqa: ANN001
    validator = Validator(ValidationLimits(timeout=PATIENCE))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    with listener, open(tmp_path / "store-file", "wb") as held:
        seen = validator.run(lambda: [int(n) for n in os.listdir("/proc/self/fd")])
        assert listener.fileno() not in seen and held.fileno() not in seen
    assert len([fd for fd in seen if fd > 2]) <= 2  # its reply pipe (and the listing itself)


def test_beyond_the_queue_a_validation_is_refused_at_once() -> None:
    validator = Validator(ValidationLimits(timeout=PATIENCE, workers=1, queue=0))
    ticket = validator.admitted.try_acquire()
    try:
        with pytest.raises(ValidationBusyError) as caught:
            validator.run(_forever)
        assert caught.value.retry_after and caught.value.retry_after >= 1
        assert "1 at once, 0 waiting" in caught.value.messages["en"]
    finally:
        validator.admitted.release(ticket)  # type: ignore[arg-type]


def test_a_queued_validation_runs_once_a_slot_is_free() -> None:
    validator = Validator(ValidationLimits(timeout=PATIENCE, workers=1, queue=1))
    slot = validator.running.try_acquire()
    results: list[object] = []
    waiter = threading.Thread(target=lambda: results.append(validator.run(lambda: "done")))
    waiter.start()
    with validator.changed:
        assert validator.changed.wait_for(lambda: validator.waiting == 1, PATIENCE)
    validator.running.release(slot)  # type: ignore[arg-type]
    waiter.join(PATIENCE)
    assert results == ["done"]


def test_a_queued_validation_is_refused_at_its_deadline() -> None:
    validator = Validator(ValidationLimits(timeout=1, workers=1, queue=1))
    slot = validator.running.try_acquire()
    try:
        with pytest.raises(ValidationBusyError) as caught:
            validator.run(_forever)
        assert "within 1 s" in caught.value.messages["en"] and caught.value.retry_after
    finally:
        validator.running.release(slot)  # type: ignore[arg-type]


# -- the capped report ---------------------------------------------------------------------------

def _violation(n: int, severity: str = "Violation") -> Violation:
    return Violation(file="input", line=n, focus=f"<urn:x:{n}>", focus_labels={}, path=None,
                     value=None, value_labels={}, shape="ewkgsh:X", constraint=None,
                     component=None, severity=severity, messages={"en": "x"})


def test_a_capped_report_lists_the_first_results_and_counts_them_all() -> None:
    report = Report([_violation(1), _violation(2, "Warning"), _violation(3), _violation(4)],
                    [], ["input"], 4, 0.1)
    capped = report.capped(2)
    assert [v.line for v in capped.violations] == [1, 2]
    assert capped.counts == report.counts == {"Violation": 3, "Warning": 1, "Info": 0}
    assert capped.is_capped and capped.total == 4 and not capped.conforms
    data = capped.to_json()
    assert data["capped"] is True and data["total"] == 4 and len(data["violations"]) == 2
    assert "2 of 4" in capped.summary("en") and "2 premier(s)" in capped.summary("fr")
    assert "4 个结果中的前 2 个" in capped.summary("zh")
    assert report.capped(4) is report and not report.is_capped


# -- over HTTP ----------------------------------------------------------------------------------

def _app(**limits: object) -> Flask:
    return create_app(Config(testing=True, **limits))  # type: ignore[arg-type]


#: Bytes a test app accepts: room for :data:`HEAVY`.
ROOMY = 20_000_000
#: About 5 MB of Turtle that takes tens of seconds and several hundred MB to validate: far
#: past the limits of the apps below, on any machine.
HEAVY = heavy_turtle(40_000)


@pytest.fixture(scope="module")
def small_limits() -> Iterator[Flask]:
    """A deadline far below what :data:`HEAVY` needs: it is stopped every time."""
    yield _app(validation_timeout=1, validation_memory=0, max_request_bytes=ROOMY)


MISSING = b"""@prefix ewkg: <https://w3id.org/ewkg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/ewkg/id/region/fx-a> a ewkg:Province ; skos:prefLabel "A"@fr .
<https://w3id.org/ewkg/id/region/fx-b> a ewkg:Province ; skos:prefLabel "B"@fr .
<https://w3id.org/ewkg/id/region/fx-c> a ewkg:Province ; skos:prefLabel "C"@fr .
"""


def _post(app: Flask, body: bytes, accept: str = "application/json", path: str = "/validate"):
    return app.test_client().post(path, data=body, headers={
        "Content-Type": "text/turtle", "Accept": accept})


def test_http_a_validation_past_the_time_limit_is_a_bilingual_503(small_limits: Flask) -> None:
    store = small_limits.extensions["ewkg.store.embedded"]
    before = (len(store), store.version)
    response = _post(small_limits, HEAVY)
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["status"] == 503
    assert "validation timeout" in error["message"] and "after 1 s (the time limit)" in error[
        "message"]
    assert "la limite de temps" in error["message"] and "时间上限" in error["message"]
    assert (len(store), store.version) == before


def test_http_the_page_language_comes_first(small_limits: Flask) -> None:
    response = _post(small_limits, HEAVY, path="/validate?lang=zh")
    assert response.status_code == 503
    assert response.get_json()["error"]["message"].startswith("校验超时")


def test_http_a_validation_past_the_memory_cap_is_a_503() -> None:
    app = _app(validation_timeout=PATIENCE, validation_memory=64, max_request_bytes=ROOMY)
    response = _post(app, HEAVY, accept="text/plain, application/json;q=0.5")
    assert response.status_code == 503 and response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "more than 64 MiB (the memory limit of a validation)" in text
    assert "64 Mio" in text and "64 MiB（单次校验的内存上限）" in text


def test_http_a_full_server_is_a_503_with_retry_after() -> None:
    app = _app(validation_workers=1, validation_queue=0)
    validator = app.extensions["ewkg.validator"]
    ticket = validator.admitted.try_acquire()
    try:
        response = _post(app, MISSING)
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) >= 1
        message = response.get_json()["error"]["message"]
        assert "the server is busy" in message and "serveur occupé" in message
        assert "服务器繁忙" in message
    finally:
        validator.admitted.release(ticket)
    assert _post(app, MISSING).status_code == 200


def test_http_a_long_report_is_capped_and_says_so() -> None:
    app = _app(validation_timeout=PATIENCE, validation_max_results=2)
    response = _post(app, MISSING)
    assert response.status_code == 200
    assert response.headers["X-Ewkg-Report-Capped"] == "true"
    report = response.get_json()
    assert report["capped"] is True and len(report["violations"]) == 2
    assert report["total"] == report["counts"]["Violation"] > 2

    turtle = _post(app, MISSING, accept="text/turtle")
    graph = Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    [node] = graph.subjects(RDF.type, SH.ValidationReport)
    assert len(list(graph.objects(node, SH.result))) == 2
    assert graph.value(node, SH.conforms) == Literal(False)
    assert {c.language for c in graph.objects(node, RDFS.comment)} == {"fr", "zh", "en"}

    page = app.test_client().post("/validate?lang=fr", data={"data": MISSING.decode(),
                                  "format": "turtle"}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["X-Ewkg-Report-Capped"] == "true"
    assert "2 premier(s) résultat(s) affiché(s) sur" in page.get_data(as_text=True)


def test_http_a_short_report_is_not_capped(client) -> None:  # noqa: ANN001
    response = _post(client.application, MISSING)
    assert response.status_code == 200 and "X-Ewkg-Report-Capped" not in response.headers
    assert response.get_json()["capped"] is False


def test_limits_come_from_the_environment() -> None:
    config = Config.from_env({"EWKG_VALIDATION_TIMEOUT": "2.5", "EWKG_VALIDATION_WORKERS": "3",
                              "EWKG_VALIDATION_QUEUE": "0", "EWKG_VALIDATION_MEMORY": "256",
                              "EWKG_VALIDATION_MAX_RESULTS": "7"})
    assert ValidationLimits.from_config(config) == ValidationLimits(
        timeout=2.5, workers=3, queue=0, memory_mib=256, max_results=7)


def test_one_process_takes_only_its_share_of_validations() -> None:
    validator = Validator(ValidationLimits(timeout=PATIENCE, workers=1, queue=4), per_process=1)
    slot = validator.running.try_acquire()  # the waiter below stays queued
    waiter = threading.Thread(target=lambda: validator.run(lambda: None))
    waiter.start()
    try:
        with validator.changed:
            assert validator.changed.wait_for(lambda: validator.waiting == 1, PATIENCE)
        with pytest.raises(ValidationBusyError):  # room in the queue, none for this process
            validator.run(lambda: None)
    finally:
        validator.running.release(slot)  # type: ignore[arg-type]
        waiter.join(PATIENCE)
