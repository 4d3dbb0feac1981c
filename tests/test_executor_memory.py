"""Query workers give their memory back: a worker that holds more than a bound of its own is
replaced by a fresh fork once it has answered, and the answers stay the same."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ewkg.query import query_worker
from ewkg.query.executor import (
    DEFAULT_RECYCLE_MEMORY,
    ProcessExecutor,
    QueryRequest,
    QueryResponse,
    QuerySyntaxError,
)
from ewkg.query.query_worker import _MemoryWatch, _private_bytes
from ewkg.store.embedded import EmbeddedStore

EX = "http://example.org/"
JSON = "application/sparql-results+json"
DATA = "".join(f'<{EX}n{i}> <{EX}label> "n{i}" .\n' for i in range(300))
#: Enough work (and allocation) to count as a heavy query on 300 triples.
GROUPED = "SELECT ?a (COUNT(*) AS ?n) { ?a ?p ?o . ?b ?q ?r } GROUP BY ?a ORDER BY ?a LIMIT 3"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    data = tmp_path_factory.mktemp("memory") / "many.nt"
    data.write_text(DATA, encoding="utf-8")
    return EmbeddedStore([data])


def run(ex: ProcessExecutor, query: str) -> QueryResponse:
    return ex.execute(QueryRequest(query, JSON))


def command_line(pid: int) -> bytes:
    """The arguments of process ``pid`` (empty for a moment while it is being exec'd)."""
    deadline = time.monotonic() + 5
    while True:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            argv = cmdline.read()
        if argv or time.monotonic() > deadline:
            return argv
        time.sleep(0.01)


def counts(response: QueryResponse) -> list[int]:
    bindings = json.loads(response.body)["results"]["bindings"]
    return [int(b["n"]["value"]) for b in bindings]


def test_private_bytes_reads_this_process_uss() -> None:
    private = _private_bytes()
    assert private is not None and private > 1024**2


def test_watch_with_no_bound_never_reads_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(query_worker, "_private_bytes", lambda: pytest.fail("read"))
    assert _MemoryWatch(0).over() is False


def test_watch_reads_memory_only_once_faults_could_pass_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads: list[int] = []

    def fake() -> int:
        reads.append(1)
        return 10 * 1024**2

    monkeypatch.setattr(query_worker, "_private_bytes", fake)
    roomy = _MemoryWatch(1 << 50)  # page faults since this process started cannot reach it
    assert roomy.over() is False and reads == []
    tight = _MemoryWatch(1)
    assert tight.over() is True and reads == [1]
    watch = _MemoryWatch(20 * 1024**2)
    watch.page = 1 << 40  # any fault at all could mean the bound is passed: read the real figure
    assert watch.over() is False and reads == [1, 1]  # 10 MB of 20: under the bound
    assert watch.private == 10 * 1024**2


def test_a_fresh_watch_counts_only_what_the_process_gains(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A started (not forked) worker's own pages at start are its code and libraries: they do
    not count against the bound, what its queries add does."""
    reading = [30 * 1024**2]
    monkeypatch.setattr(query_worker, "_private_bytes", lambda: reading[0])
    watch = _MemoryWatch(20 * 1024**2, fresh=True)
    watch.page = 1 << 40  # one more fault could pass any bound: read the real figure

    def look(held_mb: int) -> bool:
        reading[0] = held_mb * 1024**2
        watch.faults -= 1  # as if a page had been faulted in since the last look
        return watch.over()

    assert look(30) is False  # 30 MB held, none of it gained
    assert look(45) is False  # 15 MB gained
    assert look(51) is True  # 21 MB gained


def test_in_memory_workers_are_not_recycled_by_default(store: EmbeddedStore) -> None:
    assert ProcessExecutor(store).recycle_memory == 0


def test_on_disk_workers_are_recycled_by_default(tmp_path: Path) -> None:
    data = tmp_path / "a.nt"
    data.write_text(DATA, encoding="utf-8")
    on_disk = EmbeddedStore([data], path=str(tmp_path / "db"))
    ex = ProcessExecutor(on_disk, timeout=5.0, workers=1, demote_after=None)  # CPU or not
    assert ex.recycle_memory == DEFAULT_RECYCLE_MEMORY
    try:
        assert counts(run(ex, GROUPED)) == [300, 300, 300]
    finally:
        ex.close()


def test_a_worker_past_the_bound_is_replaced_and_answers_stay_right(
    store: EmbeddedStore,
) -> None:
    ex = ProcessExecutor(store, timeout=10.0, workers=1, recycle_memory=1)  # any page is too many
    try:
        ex.start()
        first = ex.worker_pids
        assert counts(run(ex, GROUPED)) == [300, 300, 300]
        assert ex.recycles == 1
        assert ex.settle()
        second = ex.worker_pids
        assert len(second) == 1 and second != first
        assert counts(run(ex, GROUPED)) == [300, 300, 300]  # the fresh fork answers the same
        with pytest.raises(QuerySyntaxError):  # an error is reported, then the worker recycled
            run(ex, "SELECT nope")
        assert ex.recycles == 3
        assert ex.settle() and len(ex.worker_pids) == 1
        assert json.loads(run(ex, "ASK {}").body)["boolean"] is True
    finally:
        ex.close()


def test_a_fresh_worker_past_the_bound_is_replaced_by_another(tmp_path: Path) -> None:
    data = tmp_path / "a.nt"
    data.write_text(DATA, encoding="utf-8")
    on_disk = EmbeddedStore([data], path=str(tmp_path / "db"))
    ex = ProcessExecutor(on_disk, timeout=10.0, workers=1, recycle_memory=1)
    try:
        assert ex.fresh
        ex.start()
        first = ex.worker_pids
        assert counts(run(ex, GROUPED)) == [300, 300, 300]
        assert ex.recycles == 1 and ex.settle()
        second = ex.worker_pids
        assert len(second) == 1 and second != first
        assert b"ewkg.query.query_worker" in command_line(second[0])
        assert counts(run(ex, GROUPED)) == [300, 300, 300]
    finally:
        ex.close()


def test_a_worker_under_the_bound_is_kept(store: EmbeddedStore) -> None:
    ex = ProcessExecutor(store, timeout=10.0, workers=1, recycle_memory=1 << 40)
    try:
        ex.start()
        pids = ex.worker_pids
        for _ in range(3):
            assert counts(run(ex, GROUPED)) == [300, 300, 300]
        assert ex.recycles == 0 and ex.worker_pids == pids
    finally:
        ex.close()


def test_only_an_in_memory_pool_grows_by_default(store: EmbeddedStore, tmp_path: Path) -> None:
    """Extra workers for long queries: cheap forks in memory; on disk each holds its own caches."""
    assert ProcessExecutor(store, workers=2).max_extra == 2
    data = tmp_path / "a.nt"
    data.write_text(DATA, encoding="utf-8")
    on_disk = EmbeddedStore([data], path=str(tmp_path / "db"))
    assert ProcessExecutor(on_disk, workers=2).max_extra == 0
    assert ProcessExecutor(on_disk, workers=2, grow=True).max_extra == 2
    assert ProcessExecutor(store, workers=2, grow=False).max_extra == 0


def test_an_error_near_the_memory_cap_counts_as_memory() -> None:
    """A library that fails an allocation under the cap may raise something other than
    MemoryError (a SystemError from C code): near the cap, it is still told as memory."""
    script = (
        "import os\n"
        "from ewkg.query.query_worker import limit_memory, near_memory_limit\n"
        "print(near_memory_limit())\n"
        "limit_memory(64 * 1024 * 1024)\n"
        "print(near_memory_limit())\n"
        "kept = []\n"
        "try:\n"
        "    while True:\n"
        "        kept.append(bytearray(4 * 1024 * 1024))\n"
        "except MemoryError:\n"
        "    kept.clear()\n"
        "print(near_memory_limit())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.split() == ["False", "False", "True"]
