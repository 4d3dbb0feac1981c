"""Headless Debian Chromium (Playwright) and a loopback server for a Flask app: what the browser
tests share."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from playwright.sync_api import Browser, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
#: Chromium as this machine runs it: no sandbox (root), no GPU, no background network.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """``app`` on a free loopback port, threaded; yields its root URL (no trailing slash)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium for the test module."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()
