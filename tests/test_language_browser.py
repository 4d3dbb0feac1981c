"""The language sticks, in a real browser (Chromium through Playwright), desktop and phone.

A reader picks French or Chinese once, then clicks from page to page — home, a kind, an entity,
a linked entity, the header search with its suggestions, a result, the query page and its
editor — and every page stays in that language: ``<html lang>``, the URL, and no UI string of
the other language (from the one message table) anywhere on the page. French text is set in a
Latin font: its apostrophe is narrow, not the CJK font's full-width one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page

from _browser import chromium, served
from ewkg.strings import UI, YASGUI_STRINGS

SIZES = {"desktop": {"width": 1200, "height": 900}, "phone": {"width": 390, "height": 844}}
WAIT_MS = 30_000  # far above the expected time: the machine is shared


@pytest.fixture(scope="module")
def base_url(app: Flask) -> Iterator[str]:
    with served(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser(app: Flask) -> Iterator[Browser]:
    # Start the query processes first: forked later, they would inherit the pipes to
    # Playwright's driver and keep it from ever seeing them close (its stop would hang).
    assert app.test_client().post("/sparql", data={"query": "ASK {}"}).status_code == 200
    with chromium() as b:
        yield b


def foreign_ui_strings(lang: str) -> list[str]:
    """The other language's UI strings that cannot also be the chosen language's words."""
    other = "zh" if lang == "fr" else "fr"
    mine = {e[lang] for e in UI.values() if lang in e}
    found = []
    for key, entry in UI.items():
        text = entry.get(other, "")
        if key.startswith("validate") or text in mine:
            continue
        if (other == "zh" and len(text) >= 2) or (other == "fr" and len(text) >= 8):
            found.append(text)
    return found


def visible_ui_text(page: Page) -> str:
    """The page's visible text outside the data (labels and texts of the other language are
    data, tagged with their language; quotes, values and snippets are data too)."""
    return page.evaluate("""(lang) => {
      const skip = "[lang]:not([lang='" + lang + "']), blockquote, table.props td, .snippet, "
        + "code, pre, .iri, .CodeMirror, #ewkg-yasgui td, script, style, noscript";
      const out = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        const el = walker.currentNode.parentElement;
        if (!el || el.closest(skip)) continue;
        if (!el.checkVisibility || !el.checkVisibility()) continue;
        out.push(walker.currentNode.textContent);
      }
      return out.join("\\n");
    }""", page.evaluate("document.documentElement.lang"))


def assert_in_language(page: Page, lang: str) -> None:
    assert page.evaluate("document.documentElement.lang") == lang, page.url
    assert f"lang={lang}" in page.url, page.url
    text = visible_ui_text(page)
    leaked = [s for s in foreign_ui_strings(lang) if s in text]
    assert leaked == [], (page.url, leaked)
    title = page.title()
    if lang == "fr":
        assert not re.search(r"[\u4e00-\u9fff]", title), title
    else:
        assert re.search(r"[\u4e00-\u9fff]", title) and not re.search(r"[éèà]", title), title


def click_and_wait(page: Page, locator: str) -> None:
    with page.expect_navigation(wait_until="load", timeout=WAIT_MS):
        page.locator(locator).first.click()


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", ["fr", "zh"])
def test_click_through_pages_stays_in_language(browser: Browser, base_url: str, lang: str,
                                               size: str) -> None:
    other = "zh-CN" if lang == "fr" else "fr-FR"  # the browser asks for the other language
    context = browser.new_context(viewport=SIZES[size], locale=other)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(f"{base_url}/?lang={lang}", wait_until="load")
        assert_in_language(page, lang)
        click_and_wait(page, "ul.cards a[href^='/id/region/']")  # a kind
        assert_in_language(page, lang)
        click_and_wait(page, "main table a[href^='/id/region/']")  # an entity of that kind
        assert_in_language(page, lang)
        click_and_wait(page, "main table.props a[href^='/id/']")  # a linked entity
        assert_in_language(page, lang)
        # the header search box, with suggestions as one types
        box = page.locator("#site-q")
        box.fill("ningx")
        # (waits on the DOM, not on a JavaScript string: the pages' CSP forbids eval)
        page.wait_for_selector("#site-q-suggest option", state="attached", timeout=WAIT_MS)
        names = page.locator("#site-q-suggest option").evaluate_all(
            "os => os.map(o => o.value)")
        assert names[0] == ("宁夏回族自治区" if lang == "zh" else "Ningxia")
        box.fill("ningxia")
        with page.expect_navigation(wait_until="load", timeout=WAIT_MS):
            box.press("Enter")
        assert "/search?" in page.url
        assert_in_language(page, lang)
        click_and_wait(page, "ol.results a.result-title")
        assert "/id/region/ningxia" in page.url
        assert_in_language(page, lang)
        # a page opened without ?lang keeps the choice (the cookie), whatever the browser asks
        page.goto(f"{base_url}/ontology", wait_until="load")
        assert page.evaluate("document.documentElement.lang") == lang
        click_and_wait(page, "header nav a[href^='/sparql']")
        assert_in_language(page, lang)
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["fr", "zh"])
def test_query_editor_in_the_chosen_language(browser: Browser, base_url: str, lang: str) -> None:
    context = browser.new_context(viewport=SIZES["desktop"], locale="en-US")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(f"{base_url}/sparql?lang={lang}", wait_until="load")
        page.wait_for_selector(".yasqe_queryButton")
        query = page.evaluate("window.ewkgYasgui.getTab().getQuery()")
        assert ("# zh:" in query) == (lang == "zh") and ("# fr:" in query) == (lang == "fr")
        page.click(".yasqe_queryButton")
        chip = page.locator(".yasr_response_chip")
        word = "résultat" if lang == "fr" else "个结果"
        page.locator(".yasr_response_chip", has_text=word).wait_for(timeout=WAIT_MS)
        assert "second" not in chip.inner_text()
        editor = page.locator("#ewkg-yasgui")
        shown = editor.inner_text()
        english = [s for s, tr in YASGUI_STRINGS.items() if tr[lang] != s
                   and re.search(rf"(?m)^\s*{re.escape(s)}\s*$", shown)]
        assert english == []
        titles = editor.locator("[title]").evaluate_all("es => es.map(e => e.title)")
        assert not [t for t in titles if t in YASGUI_STRINGS], titles
        # example titles read as enabled: not grey in Chinese mode
        color = page.locator("button.ewkg-example span").first.evaluate(
            "e => getComputedStyle(e).color")
        link = page.locator("button.ewkg-example").first.evaluate(
            "e => getComputedStyle(e).color")
        assert color == link
        # an error, in the chosen language
        page.evaluate("() => { window.ewkgYasgui.getTab().setQuery('SELECT * { ?s ?p }'); }")
        page.click(".yasqe_queryButton")
        heading = page.locator(".ewkg-error-panel p")
        heading.wait_for(timeout=WAIT_MS)
        expected = "La requête est invalide" if lang == "fr" else "查询无效"
        assert expected in heading.inner_text()
    finally:
        context.close()


def test_french_apostrophe_is_proportional(browser: Browser, base_url: str) -> None:
    """The ’ of French text is drawn by a Latin font (narrow), not the CJK font (1 em)."""
    context = browser.new_context(viewport=SIZES["desktop"], locale="fr-FR")
    page = context.new_page()
    try:
        page.goto(f"{base_url}/?lang=fr", wait_until="load")
        ratio = page.evaluate("""() => {
          const p = document.querySelector("main .lead");
          const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const node = walker.currentNode, i = node.textContent.indexOf("\\u2019");
            if (i < 0) continue;
            const range = document.createRange();
            range.setStart(node, i); range.setEnd(node, i + 1);
            const size = parseFloat(getComputedStyle(p).fontSize);
            return range.getBoundingClientRect().width / size;
          }
          return null;
        }""")
        assert ratio is not None
        assert ratio < 0.5, f"apostrophe advance {ratio:.2f} em: a full-width (CJK) glyph"
        family = page.locator("main .lead").evaluate("e => getComputedStyle(e).fontFamily")
        assert "CJK" not in family.split(",")[0]
    finally:
        context.close()


def test_header_search_works_without_javascript(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport=SIZES["phone"], java_script_enabled=False,
                                  locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(f"{base_url}/?lang=fr", wait_until="load")
        page.locator("#site-q").fill("pauvrete")
        with page.expect_navigation(wait_until="load", timeout=WAIT_MS):
            page.locator("#site-q").press("Enter")
        assert_in_language(page, "fr")
        first = page.locator("ol.results li").first
        assert "réduction de la pauvreté" in first.inner_text()
        assert first.locator("mark").first.inner_text() == "pauvreté"
        # the page offers its results' names as suggestions for the next search
        options = page.locator("#q-suggest option").count()
        assert options >= 1
    finally:
        context.close()
