"""Waiting on a state, never on a time: the tests' one polling helper."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], object], what: str, within: float = 60.0) -> None:
    """Poll ``condition`` until it holds; fail after ``within`` seconds, far beyond any
    machine's normal time (the bound catches a hang, it measures nothing)."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.005)
