"""Which store a configuration names: :func:`open_store` picks the backend.

It sits above both backends (:mod:`ewkg.store.embedded` and :mod:`ewkg.store.remote`), so neither
imports the other back.
"""

from __future__ import annotations

from ewkg.config import Config
from ewkg.store.embedded import EmbeddedStore, Store
from ewkg.store.remote import RemoteStore


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
