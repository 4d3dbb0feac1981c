"""Which store a configuration names: :func:`open_store` picks the backend.

It sits above both backends (:mod:`ewkg.store` and :mod:`ewkg.remote_store`), so neither
imports the other back.
"""

from __future__ import annotations

from .config import Config
from .remote_store import RemoteStore
from .store import EmbeddedStore, Store


def open_store(config: Config) -> Store:
    """Open the store the configuration names (bundled data in memory by default).

    Raises:
        ValueError: an unknown or incomplete ``Config.store``, or a remote that does not answer.
    """
    files = list(config.data) or None
    if config.store == "memory":
        return EmbeddedStore(files)
    if config.store.startswith("oxigraph:"):
        path = config.store.removeprefix("oxigraph:")
        if not path:
            raise ValueError("--store oxigraph:PATH needs a directory, e.g. oxigraph:./ewkg-db")
        return EmbeddedStore(files, path=path)
    if config.store.startswith(("http://", "https://")):
        return RemoteStore(config.store, timeout=config.query_timeout)
    raise ValueError(
        f"unknown store {config.store!r}: use 'memory', 'oxigraph:PATH' or an http(s) SPARQL URL"
    )
