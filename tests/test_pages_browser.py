"""The pages in a real browser (Debian's Chromium through Playwright), in each page language.

The app is served on a loopback port; the browser must load every request without failure, never
reach a non-local host, render the labels of the language asked for, and tag Chinese text with
``lang="zh"``. Screenshots go to ``/tmp/ewkg-*.png`` for a human to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page
from rdflib.namespace import RDF

from _browser import chromium, served
from ewkg.rdf.namespaces import ID_BASE
from ewkg.store.labels import labels_for
from ewkg.web.app import get_store

#: Chinese text whose nearest ``lang`` is not ``zh`` (outside code and the query editor).
_MISTAGGED_CHINESE = """() => {
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!/[\\u4e00-\\u9fff]/.test(node.textContent)) continue;
    const el = node.parentElement;
    const skip = "pre, code, script, style, noscript, textarea, .CodeMirror, #ewkg-yasgui";
    if (el.closest(skip)) continue;
    const tagged = el.closest("[lang]");
    const lang = tagged ? tagged.getAttribute("lang") || "" : "";
    if (!lang.startsWith("zh")) bad.push(node.textContent.trim().slice(0, 40));
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def base_url(app: Flask) -> Iterator[str]:
    with served(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def region(app: Flask) -> tuple[str, dict[str, str]]:
    """The first region the store has (IRI order) whose source passages are quotable."""
    rows = get_store(app).select(
        f"""PREFIX prov: <http://www.w3.org/ns/prov#>
            SELECT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ID_BASE}region/"))
              FILTER EXISTS {{ ?s prov:wasDerivedFrom/<{RDF.value}> ?text }} }}
            ORDER BY ?s LIMIT 1"""
    )
    assert rows, "the bundled data has no region derived from a source passage"
    iri = str(rows[0]["s"])
    return "/id/" + iri[len(ID_BASE):], labels_for(get_store(app)).texts(iri)


class Watch:
    """Every request a page makes: the failed ones and those to a non-local host."""

    def __init__(self, page: Page) -> None:
        self.failed: list[str] = []
        self.foreign: list[str] = []
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(
            f"{r.url} {r.status}"))
        page.on("request", self._request)

    def _request(self, request) -> None:  # noqa: ANN001 - playwright's Request
        host = urlsplit(request.url).hostname
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if host not in {"127.0.0.1", "localhost"}:
            self.foreign.append(request.url)


def open_page(browser: Browser, url: str, *, javascript: bool = True) -> tuple[Page, Watch]:
    context = browser.new_context(viewport={"width": 1200, "height": 900},
                                  java_script_enabled=javascript, locale="en-US")
    page = context.new_page()
    watch = Watch(page)
    page.goto(url, wait_until="networkidle")
    return page, watch


@pytest.mark.parametrize("lang", ["fr", "zh", "both"])
def test_home_page(browser: Browser, base_url: str, lang: str) -> None:
    page, watch = open_page(browser, f"{base_url}/?lang={lang}")
    try:
        page.screenshot(path=f"/tmp/ewkg-home-{lang}.png", full_page=True)
        assert watch.failed == [] and watch.foreign == []
        html_lang = page.locator("html").get_attribute("lang")
        assert html_lang == ("fr" if lang == "both" else lang)
        heading = page.locator("h1").first.inner_text()
        nav = page.locator("header nav").inner_text()
        if lang in {"fr", "both"}:
            assert "Accueil" in nav
        if lang in {"zh", "both"}:
            assert "首页" in nav and "知识图谱" in heading
        if lang == "fr":
            assert "首页" not in nav
        assert page.locator(".cards li").count() >= 1
        assert page.evaluate(_MISTAGGED_CHINESE) == []
        assert page.evaluate("window.scrollY") == 0  # the query editor does not pull it down
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["fr", "zh", "both"])
def test_region_page(browser: Browser, base_url: str, region: tuple[str, dict[str, str]],
                     lang: str) -> None:
    path, labels = region
    page, watch = open_page(browser, f"{base_url}{path}?lang={lang}")
    try:
        page.screenshot(path=f"/tmp/ewkg-region-{lang}.png", full_page=True)
        assert watch.failed == [] and watch.foreign == []
        title = page.locator("h1")
        first = "zh" if lang == "zh" else "fr"
        assert title.locator("span").first.get_attribute("lang") == first
        assert title.locator("span").first.inner_text() == labels[first]
        # the other language beside it
        other = "fr" if first == "zh" else "zh"
        assert labels[other] in title.inner_text()
        # provenance quoted in both languages
        assert page.locator('blockquote[lang="fr"]').count() >= 1
        assert page.locator('blockquote[lang="zh"]').count() >= 1
        # linked things shown by label: no link text is a raw IRI of ours
        texts = page.locator("main a").all_text_contents()
        assert not [t for t in texts if t.startswith("https://w3id.org/ewkg/")]
        assert page.evaluate(_MISTAGGED_CHINESE) == []
    finally:
        page.context.close()


def test_pages_read_without_javascript(browser: Browser, base_url: str,
                                       region: tuple[str, dict[str, str]]) -> None:
    path, labels = region
    for url in (f"{base_url}{path}", f"{base_url}/ontology", f"{base_url}/id/region/"):
        page, watch = open_page(browser, url, javascript=False)
        try:
            assert watch.failed == [] and watch.foreign == []
            body = page.locator("main").inner_text()
            assert labels["zh"] in body or "ontology" in url
            assert page.locator("h1").count() == 1
        finally:
            page.context.close()


def test_ontology_anchor_and_404_page(browser: Browser, base_url: str) -> None:
    page, watch = open_page(browser, f"{base_url}/ontology?lang=zh#Region")
    try:
        page.screenshot(path="/tmp/ewkg-ontology-zh.png")
        assert watch.failed == [] and watch.foreign == []
        assert page.locator("#Region").is_visible()
    finally:
        page.context.close()
    page, watch = open_page(browser, f"{base_url}/id/region/nowhere")
    try:
        page.screenshot(path="/tmp/ewkg-404.png")
        assert watch.foreign == []
        assert "未找到该资源" in page.locator("h1").inner_text()
        assert "Ressource inconnue" in page.locator("h1").inner_text()
    finally:
        page.context.close()
