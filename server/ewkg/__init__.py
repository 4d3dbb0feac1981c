"""ewkg — the East–West poverty alleviation cooperation knowledge graph, as linked data and SPARQL.

The Flask application is built by :func:`ewkg.web.app.create_app`; the console script is
:func:`ewkg.cli.main.main`.
"""

from __future__ import annotations

__version__ = "0.1.0"

TYPE_CHECKING = False  # not ``typing``'s: a query worker imports this package and no more
if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

    from ewkg.web.app import create_app

__all__ = ["__version__", "create_app"]


def __getattr__(name: str) -> Any:
    """Import ``create_app`` lazily so that ``ewkg --help`` stays fast."""
    if name == "create_app":
        from ewkg.web.app import create_app

        return create_app
    raise AttributeError(name)
