"""(being written) — attaches its part of the app through ``init_app``."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Attach this part to ``app``."""
