"""The Flask application factory."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from ewkg.config import Config
from ewkg.store import backends
from ewkg.store.embedded import Store
from ewkg.web import (
    engine,
    errors,
    http_caching,
    linkeddata,
    map_http,
    search_http,
    sparql,
    validation_http,
)
from ewkg.web.services import get_store, set_flask_wsgi, set_store

__all__ = ["PARTS", "create_app", "get_store", "open_store"]

#: The parts that each attach one responsibility (blueprint, handlers) through
#: ``init_app(app)``, in this order (the caching hook last, so that it runs after the others).
PARTS: tuple[Callable[[Flask], None], ...] = (
    engine.init_app,
    errors.init_app,
    sparql.init_app,
    search_http.init_app,
    linkeddata.init_app,
    validation_http.init_app,
    http_caching.init_app,
    map_http.init_app,
)


def open_store(config: Config) -> Store:
    """Open the store the configuration names (see :func:`ewkg.store.backends.open_store`)."""
    return backends.open_store(config)


def create_app(config: Config | None = None, *, store: Store | None = None) -> Flask:
    """Build the app: the store is opened once and attached (read it with
    :func:`ewkg.web.services.get_store`)."""
    config = config or Config.from_env()
    app = Flask(__name__)
    app.config["EWKG"] = config
    app.config["MAX_CONTENT_LENGTH"] = config.max_request_bytes
    app.config["TESTING"] = config.testing
    set_store(app, store if store is not None else open_store(config))
    for init_app in PARTS:
        init_app(app)
    install_front(app)
    return app


def install_front(app: Flask) -> None:
    """Put the layers in front of Flask into ``app.wsgi_app``: the fast path (replays repeated
    read-only answers) → the query lane (answers plain SPARQL queries) → Flask. Every front (the
    test client, ``ewkg query``, ``ewkg serve``, an external WSGI server) then serves one stack;
    :func:`ewkg.web.services.flask_wsgi` is Flask alone (for comparisons)."""
    from ewkg.web.fastpath import wrap
    from ewkg.web.query_lane import QueryLane

    flask_only = app.wsgi_app
    set_flask_wsgi(app, flask_only)
    app.wsgi_app = wrap(app, QueryLane(app, flask_only))  # type: ignore[method-assign]

