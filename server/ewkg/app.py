"""The Flask application factory."""

from __future__ import annotations

import importlib

from flask import Flask

from . import backends
from .config import Config
from .services import get_store, set_flask_wsgi, set_store
from .store import Store

__all__ = ["PARTS", "create_app", "get_store", "open_store"]

#: Modules that each attach one responsibility (blueprint, handlers) through ``init_app(app)``.
PARTS: tuple[str, ...] = (
    "ewkg.engine",
    "ewkg.errors",
    "ewkg.sparql",
    "ewkg.search_http",
    "ewkg.linkeddata",
    "ewkg.validation_http",
    "ewkg.http_caching",
    "ewkg.map_http",
)


def open_store(config: Config) -> Store:
    """Open the store the configuration names (see :func:`ewkg.backends.open_store`)."""
    return backends.open_store(config)


def create_app(config: Config | None = None, *, store: Store | None = None) -> Flask:
    """Build the app: the store is opened once and attached (read it with
    :func:`ewkg.services.get_store`)."""
    config = config or Config.from_env()
    app = Flask(__name__)
    app.config["EWKG"] = config
    app.config["MAX_CONTENT_LENGTH"] = config.max_request_bytes
    app.config["TESTING"] = config.testing
    set_store(app, store if store is not None else open_store(config))
    for module_name in PARTS:
        importlib.import_module(module_name).init_app(app)
    install_front(app)
    return app


def install_front(app: Flask) -> None:
    """Put the layers in front of Flask into ``app.wsgi_app``: the fast path (replays repeated
    read-only answers) → the query lane (answers plain SPARQL queries) → Flask. Every front (the
    test client, ``ewkg query``, ``ewkg serve``, an external WSGI server) then serves one stack;
    :func:`ewkg.services.flask_wsgi` is Flask alone (for comparisons)."""
    from .fastpath import wrap
    from .query_lane import QueryLane

    flask_only = app.wsgi_app
    set_flask_wsgi(app, flask_only)
    app.wsgi_app = wrap(app, QueryLane(app, flask_only))  # type: ignore[method-assign]

