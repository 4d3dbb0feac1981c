"""One memory budget for the whole server: sizes, the share of each pool and query process,
and a pool that refuses to grow past it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import ewkg.budget
import ewkg.query.executor
from _waiting import wait_until
from ewkg.budget import (
    FRESH_WORKER_BYTES,
    MIN_HEADROOM,
    MemoryPlan,
    default_budget,
    parse_size,
    plan_memory,
)
from ewkg.config import Config
from ewkg.query.executor import (
    DEFAULT_MEMORY_HEADROOM,
    ProcessExecutor,
    QueryRequest,
    QueryTimeout,
)
from ewkg.store.embedded import EmbeddedStore
from ewkg.web.app import create_app
from ewkg.web.engine import get_executor

EX = "http://example.org/"
GiB, MiB = 1024**3, 1024**2
HEAVY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedStore:
    path = tmp_path_factory.mktemp("budget") / "many.nt"
    path.write_text("".join(f'<{EX}n{i}> <{EX}l> "n{i}" .\n' for i in range(300)), "utf-8")
    return EmbeddedStore([path])


@pytest.mark.parametrize(
    ("text", "size"),
    [("4G", 4 * GiB), ("1.5GiB", 3 * GiB // 2), ("512M", 512 * MiB), ("800mb", 800 * MiB),
     ("64k", 65536), ("1073741824", GiB), ("0", 0), (" 2 G ", 2 * GiB)],
)
def test_sizes_are_read_in_binary_units(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "-1G", "4X", "G"])
def test_a_size_that_is_not_one_is_refused_with_examples(text: str) -> None:
    with pytest.raises(ValueError, match="not a size.*4G"):
        parse_size(text)


def test_the_default_budget_is_half_the_memory_this_server_may_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ewkg.budget, "machine_memory", lambda: 16 * GiB)
    assert default_budget() == 8 * GiB
    monkeypatch.setattr(ewkg.budget, "machine_memory", lambda: None)
    assert default_budget() == 0  # unknown: no budget rather than a guess
    monkeypatch.undo()
    assert 0 < default_budget() <= (ewkg.budget.machine_memory() or 0)


def test_the_budget_comes_from_the_environment_too() -> None:
    assert Config.from_env({"EWKG_MEMORY_BUDGET": "3G"}).memory_budget == 3 * GiB
    assert Config.from_env({}).memory_budget is None
    assert Config.from_env({"EWKG_MEMORY_BUDGET": "4G"}, memory_budget=GiB).memory_budget == GiB


def test_no_budget_changes_nothing() -> None:
    plan = plan_memory(0, pools=2, size=2, max_extra=2, headroom=2 * GiB, server_bytes=GiB,
                       worker_bytes=GiB)
    assert plan == MemoryPlan(2 * GiB, 2, 2)


def test_the_budget_is_shared_out_after_what_processes_hold_at_start() -> None:
    """10 GiB, a master and 2 HTTP workers of 200 MiB, pools of 2 growing to 4 forks (each
    starting at 200 MiB too): (10 GiB - 3 x 200 MiB) / 2 / 4 - 200 MiB each."""
    plan = plan_memory(10 * GiB, pools=2, size=2, max_extra=2, headroom=2 * GiB,
                       server_bytes=200 * MiB, worker_bytes=200 * MiB)
    assert plan.headroom == (10 * GiB - 600 * MiB) // 2 // 4 - 200 * MiB
    assert (plan.size, plan.max_extra) == (2, 2)
    worst = 3 * 200 * MiB + 2 * plan.processes * (200 * MiB + plan.headroom)
    assert worst <= 10 * GiB  # every process at its bound at once still fits


def test_a_roomy_budget_keeps_the_per_query_cap() -> None:
    plan = plan_memory(1024 * GiB, pools=1, size=2, max_extra=2, headroom=2 * GiB,
                       server_bytes=0, worker_bytes=FRESH_WORKER_BYTES)
    assert plan == MemoryPlan(2 * GiB, 2, 2)


def test_a_tight_budget_lets_the_pool_grow_less_then_shrinks_it() -> None:
    three = plan_memory(3 * MIN_HEADROOM + 1, pools=1, size=2, max_extra=2, headroom=2 * GiB,
                        server_bytes=0, worker_bytes=0)
    assert three == MemoryPlan(MIN_HEADROOM, 2, 1)
    one = plan_memory(MIN_HEADROOM, pools=1, size=2, max_extra=2, headroom=2 * GiB,
                      server_bytes=0, worker_bytes=0)
    assert one == MemoryPlan(MIN_HEADROOM, 1, 0)
    none_left = plan_memory(MiB, pools=4, size=2, max_extra=2, headroom=2 * GiB,
                            server_bytes=GiB, worker_bytes=GiB)
    assert none_left == MemoryPlan(MIN_HEADROOM, 1, 0)  # still serves, one process a pool


def test_an_executor_takes_its_headroom_from_the_budget(
    store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ewkg.query.executor, "resident_bytes", lambda: 100 * MiB)
    ex = ProcessExecutor(store, workers=2, cache=None, memory_budget=4 * GiB, pools=2)
    expected = (4 * GiB - 3 * 100 * MiB) // 2 // 4 - 100 * MiB  # forks start at 100 MiB
    assert ex.memory_headroom == expected < DEFAULT_MEMORY_HEADROOM
    assert (ex.size, ex.max_extra) == (2, 2)
    try:
        ex.start()
        pid = ex.worker_pids[0]
        wait_until(lambda: _address_limit(pid) is not None, "the worker sets its limit")
        limit = _address_limit(pid)
        assert limit is not None and expected < limit < expected + GiB  # its size + headroom
    finally:
        ex.close()


def _address_limit(pid: int) -> int | None:
    """The soft ``RLIMIT_AS`` of process ``pid`` (``None``: unlimited)."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max address space"):
            soft = line.split()[3]
            return None if soft == "unlimited" else int(soft)
    return None


def test_the_app_shares_the_budget_between_its_http_workers(tmp_path: Path) -> None:
    data = tmp_path / "a.nt"
    data.write_text(f"<{EX}a> <{EX}b> <{EX}c> .\n", "utf-8")
    one = get_executor(create_app(Config(testing=True, data=(data,), memory_budget=4 * GiB)))
    four = get_executor(
        create_app(Config(testing=True, data=(data,), memory_budget=4 * GiB, http_workers=4))
    )
    assert isinstance(one, ProcessExecutor) and isinstance(four, ProcessExecutor)
    assert four.memory_headroom < one.memory_headroom < DEFAULT_MEMORY_HEADROOM
    unbounded = get_executor(create_app(Config(testing=True, data=(data,), memory_budget=0)))
    assert unbounded.memory_headroom == DEFAULT_MEMORY_HEADROOM  # type: ignore[attr-defined]


def test_the_pool_refuses_to_grow_past_the_budget(
    store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Room for three processes at the least headroom: with three long queries the pool of two
    grows by one, not two, and a short query is told the server is busy."""
    monkeypatch.setattr(ewkg.query.executor, "resident_bytes", lambda: 0)
    ex = ProcessExecutor(store, timeout=8.0, workers=2, cache=None,
                         memory_budget=3 * MIN_HEADROOM + 1, max_long=3)
    assert (ex.size, ex.max_extra, ex.memory_headroom) == (2, 1, MIN_HEADROOM)
    threads = []
    try:
        ex.start()
        for i in range(3):
            runaway = QueryRequest(HEAVY, "text/csv")
            thread = threading.Thread(
                target=lambda r=runaway: pytest.raises(QueryTimeout, ex.execute, r)
            )
            thread.start()
            threads.append(thread)
            wait_until(lambda i=i: ex._long == i + 1, f"long query {i + 1} runs")
        assert len(ex.worker_pids) == 3 and ex.grown == 1
        with pytest.raises(QueryTimeout, match="busy"):
            ex.execute(QueryRequest("ASK {}", "text/csv", timeout=0.5))
        assert len(ex.worker_pids) == 3
    finally:
        for thread in threads:
            thread.join(60)
        ex.close()


def test_serve_takes_the_budget_as_a_size_and_refuses_anything_else() -> None:
    from click.testing import CliRunner

    from ewkg.cli.main import main

    shown = CliRunner().invoke(main, ["serve", "--help"])
    assert shown.exit_code == 0 and "--memory-budget" in shown.output
    refused = CliRunner().invoke(main, ["serve", "--port", "0", "--memory-budget", "lots"])
    assert refused.exit_code == 2
    assert "not a size: 'lots'" in refused.output
    from_env = CliRunner().invoke(main, ["serve", "--port", "0"], env={"EWKG_MEMORY_BUDGET": "x"})
    assert from_env.exit_code == 2 and "not a size: 'x'" in from_env.output
