"""Security headers and markup-free error bodies (:mod:`ewkg.web.hardening`).

Every answer says ``X-Content-Type-Options: nosniff`` (pages, data, errors, static files, and the
answers of the query lane and the replay cache, which skip Flask); pages carry a
Content-Security-Policy without inline script and may not be framed; a ``<script>`` put in a
query, a parameter or a path never comes back as markup in a plain-text or JSON error. In a real
browser, the pages raise no CSP violation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, sync_playwright
from werkzeug.test import Client

from _browser import ARGS, CHROMIUM
from _live import LiveServer
from ewkg.web.fastpath import wrap
from ewkg.web.query_lane import QueryLane

EVIL = "<script>alert(1)</script>"
PAGES = ["/", "/sparql", "/ontology", "/validate", "/id/region/fujian", "/id/region/",
         "/?lang=zh", "/id/region/guizhou?lang=fr"]


@pytest.mark.parametrize(
    "path",
    ["/", "/sparql?query=ASK%7B%7D", "/id/region/fujian.ttl", "/dataset.nt", "/static/ewkg.css",
     "/.well-known/void", "/map.svg", "/no/such/page", "/sparql?query=nonsense",
     "/id/region/no-such-region"],
)
def test_every_answer_says_nosniff(client: FlaskClient, path: str) -> None:
    r = client.get(path)
    assert r.headers.get("X-Content-Type-Options") == "nosniff", (path, r.status_code)


def test_answers_that_skip_flask_say_nosniff(app: Flask) -> None:
    served = Client(wrap(app, QueryLane(app)))
    url = "/sparql?query=" + quote("ASK { ?s ?p ?o }")
    first = served.get(url)  # answered by the query lane
    again = served.get(url)  # replayed by the fast path
    assert again.headers.get("X-Ewkg-Cache") == "hit"
    for r in (first, again):
        assert r.headers["X-Content-Type-Options"] == "nosniff"
    posted = served.post("/sparql", data={"query": "ASK { ?s ?p ?o }"})
    assert posted.status_code == 200 and posted.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_a_content_security_policy_and_a_frame_policy(
    client: FlaskClient, path: str
) -> None:
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.mimetype == "text/html", path
    policy = dict(
        d.strip().split(" ", 1) for d in r.headers["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"  # no inline script, no eval
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert r.headers["X-Frame-Options"] == "DENY"
    html = r.get_data(as_text=True)
    # every executable script is a file of this server (JSON data blocks are not run)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
    assert " onclick=" not in html and " onload=" not in html


def test_error_pages_have_the_policy_too(client: FlaskClient) -> None:
    r = client.get("/no/such/page", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]


def test_data_answers_have_no_page_policy(client: FlaskClient) -> None:
    r = client.get("/sparql?query=ASK%7B%7D", headers={"Accept": "application/sparql-results+json"})
    assert "Content-Security-Policy" not in r.headers


ERRORS = [
    "/sparql?query=ASK%7B%7D&format=" + quote(EVIL),
    "/id/region/" + quote(EVIL),
    "/sparql?query=ASK%7B%7D&default-graph-uri=" + quote("http://example.org/" + EVIL),
]


@pytest.mark.parametrize("accept", ["text/plain", "application/json"])
def test_a_bad_iri_error_says_what_is_wrong_without_echoing_it(
    client: FlaskClient, accept: str
) -> None:
    path = "/resource?iri=" + quote("http://example.org/" + EVIL)
    r = client.get(path, headers={"Accept": accept})
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert "<script" not in body and "RFC 3987" in body


@pytest.mark.parametrize("path", ERRORS)
@pytest.mark.parametrize("accept", ["text/plain", "application/json"])
def test_error_bodies_do_not_echo_markup(client: FlaskClient, path: str, accept: str) -> None:
    r = client.get(path, headers={"Accept": accept})
    assert r.status_code >= 400
    body = r.get_data(as_text=True)
    assert "<script" not in body and "</script" not in body, body
    assert "alert(1)" in body  # what the client sent is still shown, escaped
    if r.mimetype == "application/json":
        # the escape is JSON's own: the parsed message is exactly what was said
        assert EVIL in json.loads(body)["error"]["message"]


def test_iris_in_plain_error_messages_stay_readable() -> None:
    from ewkg.web.hardening import plain_text_safe

    said = "FROM <http://example.org/remote> is refused: <script>x</script> <!-- <img src=x>"
    assert plain_text_safe(said) == (
        "FROM <http://example.org/remote> is refused: &lt;script>x&lt;/script> "
        "&lt;!-- &lt;img src=x>"
    )


# ------------------------------------------------------------------ in a real browser


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    # a server process of its own: query processes forked from pytest after the browser driver
    # started would hold the driver's pipes open, and it would never exit
    server = LiveServer(["--workers", "1"])
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(live: LiveServer) -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_pages_raise_no_csp_violation_in_a_browser(browser: Browser, live: LiveServer) -> None:
    base_url = live.url.rstrip("/")
    violations: list[str] = []
    context = browser.new_context()
    try:
        # the browser reports each blocked script, style, image… as a DOM event
        context.add_init_script(
            "window.__csp = []; document.addEventListener('securitypolicyviolation', "
            "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        page = context.new_page()
        for path in PAGES:
            page.goto(base_url + path, wait_until="load")
            if path == "/sparql":  # run the first example: the results table is drawn
                page.wait_for_selector("#ewkg-yasgui .yasqe .CodeMirror")
                page.locator(".tabPanel.active .yasqe_queryButton").click()
                page.wait_for_selector(".tabPanel.active .yasr table.dataTable tbody tr")
            violations += [f"{path}: {v}" for v in page.evaluate("window.__csp")]
    finally:
        context.close()
    assert violations == []
