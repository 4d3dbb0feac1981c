"""Query workers give their memory back: a worker that holds more than a bound of its own is
replaced by a fresh fork once it has answered, and the answers stay the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ewkg import executor as executor_module
from ewkg.executor import (
    DEFAULT_RECYCLE_MEMORY,
    ProcessExecutor,
    QueryRequest,
    QueryResponse,
    QuerySyntaxError,
    _MemoryWatch,
    _private_bytes,
)
from ewkg.store import EmbeddedStore

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


def counts(response: QueryResponse) -> list[int]:
    bindings = json.loads(response.body)["results"]["bindings"]
    return [int(b["n"]["value"]) for b in bindings]


def test_private_bytes_reads_this_process_uss() -> None:
    private = _private_bytes()
    assert private is not None and private > 1024**2


def test_watch_with_no_bound_never_reads_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executor_module, "_private_bytes", lambda: pytest.fail("read"))
    assert _MemoryWatch(0).over() is False


def test_watch_reads_memory_only_once_faults_could_pass_the_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads: list[int] = []

    def fake() -> int:
        reads.append(1)
        return 10 * 1024**2

    monkeypatch.setattr(executor_module, "_private_bytes", fake)
    roomy = _MemoryWatch(1 << 50)  # page faults since this process started cannot reach it
    assert roomy.over() is False and reads == []
    tight = _MemoryWatch(1)
    assert tight.over() is True and reads == [1]
    watch = _MemoryWatch(20 * 1024**2)
    watch.page = 1 << 40  # any fault at all could mean the bound is passed: read the real figure
    assert watch.over() is False and reads == [1, 1]  # 10 MB of 20: under the bound
    assert watch.private == 10 * 1024**2


def test_in_memory_workers_are_not_recycled_by_default(store: EmbeddedStore) -> None:
    assert ProcessExecutor(store).recycle_memory == 0


def test_on_disk_workers_are_recycled_by_default(tmp_path: Path) -> None:
    data = tmp_path / "a.nt"
    data.write_text(DATA, encoding="utf-8")
    on_disk = EmbeddedStore([data], path=str(tmp_path / "db"))
    ex = ProcessExecutor(on_disk, timeout=5.0, workers=1)
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
