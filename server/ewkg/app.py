"""The Flask application factory."""

from __future__ import annotations

import importlib

from flask import Flask

from . import store as store_module
from .config import Config
from .store import Store

#: Modules that each attach one responsibility (blueprint, handlers) through ``init_app(app)``.
PARTS: tuple[str, ...] = (
    "ewkg.engine",
    "ewkg.errors",
    "ewkg.sparql",
    "ewkg.linkeddata",
    "ewkg.validation_http",
    "ewkg.http_caching",
    "ewkg.map_http",
)


def open_store(config: Config) -> Store:
    """Open the store the configuration names (see :func:`ewkg.store.open_store`)."""
    return store_module.open_store(config)


def create_app(config: Config | None = None, *, store: Store | None = None) -> Flask:
    """Build the app: the store is opened once and kept in ``app.extensions['ewkg.store']``."""
    config = config or Config.from_env()
    app = Flask(__name__)
    app.config["EWKG"] = config
    app.config["MAX_CONTENT_LENGTH"] = config.max_request_bytes
    app.config["TESTING"] = config.testing
    app.extensions["ewkg.store"] = store if store is not None else open_store(config)
    for module_name in PARTS:
        importlib.import_module(module_name).init_app(app)
    return app


def get_store(app: Flask) -> Store:
    """The store attached to ``app``."""
    return app.extensions["ewkg.store"]
