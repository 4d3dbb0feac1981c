"""Typed access to what the app factory attaches to an app: its configuration, store and query
executor. Every module reads them here (never by an ``app.extensions`` string key), so a reader
and a type checker see one seam.

It imports only Flask (the store and executor types are for type checkers), so any module of the
package may use it without an import circle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from flask import Flask, current_app

if TYPE_CHECKING:  # pragma: no cover
    from ewkg.config import Config
    from ewkg.query.executor import Executor
    from ewkg.store.embedded import Store
    from ewkg.web.protocol import Endpoint

_STORE = "ewkg.store.embedded"
_EXECUTOR = "ewkg.query.executor"
_FLASK_WSGI = "ewkg.flask_wsgi"
_ENDPOINT = "ewkg.endpoint"


def _app(app: Flask | None) -> Flask:
    return app if app is not None else current_app._get_current_object()  # type: ignore[attr-defined]


def get_config(app: Flask | None = None) -> Config:
    """The :class:`~ewkg.config.Config` of ``app`` (default: the current app)."""
    return cast("Config", _app(app).config["EWKG"])


def get_store(app: Flask | None = None) -> Store:
    """The store of ``app`` (default: the current app)."""
    return cast("Store", _app(app).extensions[_STORE])


def set_store(app: Flask, store: Store) -> None:
    """Attach ``store`` to ``app`` (the app factory does, once)."""
    app.extensions[_STORE] = store


def flask_wsgi(app: Flask | None = None) -> Any:
    """Flask's own WSGI callable, without the layers :func:`ewkg.web.app.install_front` puts in
    front of it."""
    found = _app(app)
    return found.extensions.get(_FLASK_WSGI, found.wsgi_app)


def set_flask_wsgi(app: Flask, wsgi: Any) -> None:
    """Remember Flask's own WSGI callable (the app factory does, once)."""
    app.extensions[_FLASK_WSGI] = wsgi


def find_executor(app: Flask | None = None) -> Executor | None:
    """The query executor of ``app``, or ``None`` when it has none (yet, or any more)."""
    return _app(app).extensions.get(_EXECUTOR)


def get_executor(app: Flask | None = None) -> Executor:
    """The query executor of ``app`` (default: the current app).

    Raises:
        KeyError: the app has no executor (:func:`ewkg.web.engine.init_app` attaches it).
    """
    return cast("Executor", _app(app).extensions[_EXECUTOR])


def set_executor(app: Flask, executor: Executor) -> None:
    """Attach ``executor`` to ``app`` (:func:`ewkg.web.engine.init_app` does, once)."""
    app.extensions[_EXECUTOR] = executor


def get_endpoint(app: Flask | None = None) -> Endpoint:
    """The SPARQL endpoint of ``app`` (default: the current app), whose
    :meth:`~ewkg.web.protocol.Endpoint.answer` every front calls."""
    return cast("Endpoint", _app(app).extensions[_ENDPOINT])


def set_endpoint(app: Flask, endpoint: Endpoint) -> None:
    """Attach the SPARQL endpoint to ``app`` (:mod:`ewkg.web.sparql` does, once)."""
    app.extensions[_ENDPOINT] = endpoint
