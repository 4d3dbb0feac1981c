"""The pages at a glance, on a desktop and on a phone (issue 16), in Chromium through Playwright.

At 1366×900 and 390×844, in ``fr`` and ``zh``: no element wider than the viewport (unless it
scrolls inside a box of its own), no text under 11 px (SVG text measured at its drawn scale),
no two map labels overlapping (their drawn bounding boxes), the region and pairing summaries
above the fold, a partial year marked on the map, the disputed start of Fujian–Ningxia marked
on its page; ``/sparql`` lands at its heading with the run button beside the editor; query
results link this dataset's IRIs to local pages and show typed literals as values.

Screenshots of the home page, a region, a pairing and the map go to ``$EWKG_SCREENSHOT_DIR``
(default: a temporary folder); ``EWKG_SCREENSHOT_DIR=docs/screenshots`` refreshes the docs' set.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page

from _browser import chromium, served

SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
SHOTS = Path(os.environ.get("EWKG_SCREENSHOT_DIR") or tempfile.gettempdir() + "/ewkg-screens")

#: Elements sticking out of the viewport that are not inside a box that scrolls or clips them.
_TOO_WIDE = """() => {
  const vw = document.documentElement.clientWidth, bad = [];
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden" || o === "clip") {
        const r = p.getBoundingClientRect();
        if (r.left >= -1 && r.right <= vw + 1) return true;
      }
    }
    return false;
  };
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    if ((r.right > vw + 1 || (r.left < -1 && r.right > 0)) && !clipped(el)) {
      bad.push(`${el.tagName.toLowerCase()}.${el.className && el.className.baseVal !== undefined
        ? el.className.baseVal : el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, vw, bad: bad.slice(0, 10)};
}"""

#: Rendered text smaller than 11 px: HTML by computed size, SVG text times the SVG's scale.
_SMALL_TEXT = """() => {
  const bad = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || el.closest("script, style, noscript, title, desc, .visually-hidden")) continue;
    if (!el.getClientRects().length) continue;  // not rendered (closed details, display none)
    const cs = getComputedStyle(el);
    if (cs.visibility === "hidden") continue;
    let size = parseFloat(cs.fontSize);
    const svg = el.closest("svg");
    if (svg && svg.viewBox && svg.viewBox.baseVal && svg.viewBox.baseVal.width) {
      size *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    }
    if (size < 10.95) bad.push(`${size.toFixed(1)}px ${node.textContent.trim().slice(0, 30)}`);
  }
  return bad.slice(0, 10);
}"""

#: Pairs of map labels whose drawn boxes intersect.
_LABEL_OVERLAPS = """() => {
  const boxes = [...document.querySelectorAll("#ewkg-map svg text.ewm-label")]
    .map((t) => [t.textContent, t.getBoundingClientRect()]);
  const bad = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, ra] = boxes[i], [b, rb] = boxes[j];
    const ix = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
    const iy = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    if (ix > 0.5 && iy > 0.5) bad.push(`${a} / ${b}`);
  }
  return {count: boxes.length, bad};
}"""


@pytest.fixture(scope="module")
def base_url(app: Flask) -> Iterator[str]:
    with served(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


def open_at(browser: Browser, url: str, size: str) -> Page:
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height},
                                  device_scale_factor=1, locale="en-US",
                                  is_mobile=size == "phone", has_touch=size == "phone")
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    return page


def check_fits(page: Page) -> None:
    wide = page.evaluate(_TOO_WIDE)
    assert wide["scrollWidth"] <= wide["vw"] + 1 and wide["bad"] == [], wide
    assert page.evaluate(_SMALL_TEXT) == []


def shot(page: Page, name: str, *, element: str | None = None) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    if element:
        page.locator(element).screenshot(path=str(SHOTS / f"{name}.png"))
    else:
        page.screenshot(path=str(SHOTS / f"{name}.png"))


def above_the_fold(page: Page, selector: str) -> bool:
    return page.evaluate(f"""() => {{
      const el = document.querySelector({selector!r});
      if (!el) return false;
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight;
    }}""")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["fr", "zh"])
def test_home_and_its_map(browser: Browser, base_url: str, lang: str, size: str) -> None:
    page = open_at(browser, f"{base_url}/?lang={lang}", size)
    try:
        check_fits(page)
        shot(page, f"home-{lang}-{size}")
        # the map starts on the first or second screen, not 1,500 px down
        top = page.evaluate("document.getElementById('ewkg-map').getBoundingClientRect().top")
        assert top < 2 * SIZES[size][1]
        page.locator("#ewkg-map").scroll_into_view_if_needed()
        shot(page, f"map-{lang}-{size}")
        if size == "phone":
            # the whole map fitted to the screen, its key and the year's pairings as a list;
            # a button zooms in to the map's own size, names and all
            width = page.evaluate("document.querySelector('#ewkg-map svg')"
                                  ".getBoundingClientRect().width")
            assert width <= SIZES[size][0]
            assert page.locator("#ewkg-map-list").get_attribute("open") is not None
            assert page.locator(".ewkg-map-key").is_visible()
            page.locator(".ewkg-map-zoom button").click()
            assert page.locator(".ewkg-map-figure.fit").count() == 0
            check_fits(page)
        overlaps = page.evaluate(_LABEL_OVERLAPS)
        assert overlaps["count"] >= 10 and overlaps["bad"] == [], overlaps
    finally:
        page.context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["fr", "zh"])
def test_a_partial_year_is_marked_on_the_map(browser: Browser, base_url: str, lang: str,
                                             size: str) -> None:
    page = open_at(browser, f"{base_url}/?lang={lang}&map_year=2016#ewkg-map", size)
    try:
        check_fits(page)
        assert page.locator("#ewkg-map svg[data-list='partial']").count() == 1
        words = "Liste partielle" if lang == "fr" else "名单不完整"
        status = page.locator("#ewkg-map svg .ewm-list-status")
        assert words in status.text_content()
        if size == "phone":  # the fitted map draws no text: the banner above it says so
            status = page.locator("#ewkg-map .ewkg-map-status")
            assert words in status.inner_text()
        assert status.is_visible()
        assert page.locator("#ewkg-map .ewkg-map-years a[data-partial='true']").count() >= 2
        overlaps = page.evaluate(_LABEL_OVERLAPS)
        assert overlaps["bad"] == [], overlaps
    finally:
        page.context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["fr", "zh"])
def test_region_summary_above_the_fold(browser: Browser, base_url: str, lang: str,
                                       size: str) -> None:
    page = open_at(browser, f"{base_url}/id/region/ningxia?lang={lang}", size)
    try:
        check_fits(page)
        shot(page, f"region-{lang}-{size}")
        assert above_the_fold(page, ".summary .summary-pairings li")
        first = page.locator(".summary .summary-pairings li").first
        assert ("Fujian" if lang == "fr" else "福建") in first.inner_text()
        assert page.evaluate(_LABEL_OVERLAPS)["bad"] == []
    finally:
        page.context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["fr", "zh"])
def test_pairing_summary_and_its_disputed_start(browser: Browser, base_url: str, lang: str,
                                                size: str) -> None:
    page = open_at(browser, f"{base_url}/id/pairing/fujian-ningxia?lang={lang}", size)
    try:
        check_fits(page)
        shot(page, f"pairing-{lang}-{size}")
        assert above_the_fold(page, ".summary .facts-list dd")
        disputed = page.locator(".summary [data-start-disputed='true']").first
        assert disputed.is_visible()
        assert ("contesté" if lang == "fr" else "争议") in disputed.inner_text()
        link = page.locator(".summary a.dispute-link").first
        assert link.is_visible()
        assert link.get_attribute("href") == f"/id/dispute/fujian-ningxia-start?lang={lang}"
        assert page.locator(".summary svg.ewm-mini").is_visible()
    finally:
        page.context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("path", ["/id/region/", "/id/claim/", "/ontology", "/validate",
                                  "/id/source/guangming-daily-2015-11-28", "/id/region/chongqing"])
def test_other_pages_fit(browser: Browser, base_url: str, path: str, size: str) -> None:
    page = open_at(browser, f"{base_url}{path}{'&' if '?' in path else '?'}lang=zh", size)
    try:
        check_fits(page)
    finally:
        page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_sparql_lands_at_its_heading_with_the_button_beside(browser: Browser, base_url: str,
                                                             size: str) -> None:
    page = open_at(browser, f"{base_url}/sparql?lang=fr", size)
    try:
        page.wait_for_selector("#ewkg-yasgui .CodeMirror")
        check_fits(page)
        assert page.evaluate("window.scrollY") == 0
        assert above_the_fold(page, "#ewkg-query-title")
        # beside, not over: no character of the query is drawn under the run button
        under = page.evaluate("""() => {
          const b = document.querySelector("#ewkg-yasgui .yasqe_queryButton")
            .getBoundingClientRect();
          const hit = [];
          for (const line of document.querySelectorAll("#ewkg-yasgui .CodeMirror-line > span")) {
            const range = document.createRange();
            range.selectNodeContents(line);
            for (const r of range.getClientRects()) {
              if (r.right > b.left && r.left < b.right && r.bottom > b.top && r.top < b.bottom)
                hit.push(line.textContent.slice(0, 40));
            }
          }
          return {button: [b.left, b.top, b.width], hit};
        }""")
        assert under["button"][2] > 0 and under["hit"] == [], under
    finally:
        page.context.close()


def test_query_results_link_locally_and_show_values(browser: Browser, base_url: str) -> None:
    page = open_at(browser, f"{base_url}/sparql?lang=fr", "desktop")
    # The answer is served by the route (the endpoint's worker processes are forked from this
    # test process, and would keep Playwright's pipes open): what is tested is its rendering.
    answer = {"head": {"vars": ["s", "n", "y"]}, "results": {"bindings": [{
        "s": {"type": "uri", "value": "https://w3id.org/ewkg/id/region/fujian"},
        "n": {"type": "literal", "value": "1",
              "datatype": "http://www.w3.org/2001/XMLSchema#integer"},
        "y": {"type": "literal", "value": "1996",
              "datatype": "http://www.w3.org/2001/XMLSchema#gYear"}}]}}
    page.route("**/sparql", lambda route: route.fulfill(
        status=200, content_type="application/sparql-results+json", body=json.dumps(answer))
        if route.request.method == "POST" else route.continue_())
    try:
        page.wait_for_selector("#ewkg-yasgui .CodeMirror")
        page.evaluate("""() => {
          const tab = window.ewkgYasgui.getTab();
          tab.setQuery('PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> ' +
            'SELECT ?s ?n ?y WHERE { VALUES (?s ?n ?y) { ' +
            '(<https://w3id.org/ewkg/id/region/fujian> 1 "1996"^^xsd:gYear) } }');
          tab.query();
        }""")
        page.wait_for_selector(".yasr_results a.ewkg-local")
        link = page.locator(".yasr_results a.ewkg-local").first
        assert link.get_attribute("href") == "/id/region/fujian"
        assert link.get_attribute("title") == "https://w3id.org/ewkg/id/region/fujian"
        cells = page.locator(".yasr_results .ewkg-literal").all_inner_texts()
        assert cells and all("^^" not in c and '"' not in c for c in cells), cells
        assert any(c.startswith("1996") for c in cells)
        assert page.locator(".yasr_results .ewkg-literal").first.get_attribute("title")
    finally:
        page.context.close()


def test_validation_results_scroll_inside_their_box(browser: Browser, base_url: str) -> None:
    """The validation report's table (once 620 px wide on a 390 px screen) stays in its box."""
    page = open_at(browser, f"{base_url}/validate?lang=fr", "phone")
    try:
        page.fill("#data", "<https://w3id.org/ewkg/id/region/nowhere> a "
                           "<https://w3id.org/ewkg/ontology#Region> .")
        with page.expect_navigation(wait_until="networkidle"):
            page.locator("form.validate [type=submit]").click()
        assert page.locator("table.violations tr").count() >= 2
        check_fits(page)
    finally:
        page.context.close()
