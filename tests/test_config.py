"""``Config``: one typed field per setting, each readable from its ``EWKG_*`` variable."""

from __future__ import annotations

from dataclasses import fields

from ewkg.config import Config
from ewkg.query.executor import ProcessExecutor
from ewkg.web.app import create_app
from ewkg.web.engine import make_executor
from ewkg.web.fastpath import FastPath, wrap
from ewkg.web.services import get_executor, get_store


def test_the_former_extra_settings_are_typed_fields_read_from_the_environment() -> None:
    config = Config.from_env({
        "EWKG_QUERY_WORKERS": "3", "EWKG_QUERY_MEMORY_BYTES": "1000",
        "EWKG_QUERY_DEMOTE_AFTER": "0.5", "EWKG_RESULT_CACHE_BYTES": "4096",
        "EWKG_FASTPATH_BYTES": "0", "EWKG_CACHE_MAX_AGE": "60",
    })
    assert (config.query_workers, config.query_memory_bytes, config.query_demote_after,
            config.result_cache_bytes, config.fastpath_bytes, config.cache_max_age) == (
        3, 1000, 0.5, 4096, 0, 60)
    assert "extra" not in {f.name for f in fields(Config)}


def test_the_engine_and_the_front_layers_follow_the_fields() -> None:
    app = create_app(Config(testing=True, result_cache_bytes=8192, cache_max_age=7))
    try:
        executor = make_executor(Config(query_workers=3, result_cache_bytes=8192),
                                 get_store(app))
        assert isinstance(executor, ProcessExecutor)
        assert executor.size == 3 and executor.cache is not None
        assert executor.cache.max_bytes == 8192
        executor.close()
        response = app.test_client().get("/dataset.ttl")
        assert response.headers["Cache-Control"] == "public, max-age=7"
        assert isinstance(wrap(app), FastPath)
        off = create_app(Config(testing=True, fastpath_bytes=0), store=get_store(app))
        assert wrap(off) is off
        get_executor(off).close()
    finally:
        get_executor(app).close()


def test_query_demote_after_zero_means_never() -> None:
    from ewkg.store.embedded import EmbeddedStore
    from ewkg.web.engine import make_executor

    store = EmbeddedStore()
    never = make_executor(Config(query_demote_after=0), store)
    default = make_executor(Config(), store)
    try:
        assert never.demote_after is None  # type: ignore[attr-defined]
        assert default.demote_after == 0.1  # type: ignore[attr-defined]
    finally:
        never.close()
        default.close()
