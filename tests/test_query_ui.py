"""The query UI in headless Chromium: offline, local only, bilingual examples, results shown.

The server is a real ``ewkg serve`` process; every request the page makes is routed through a
guard that lets only this server through (and records anything else).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

from _live import LiveServer
from ewkg.resources import query_files

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    server = LiveServer(["--workers", "1"])
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Traffic:
    requests: list[str] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bad_status: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture()
def page(browser: Browser, live: LiveServer) -> Iterator[tuple[Page, Traffic]]:
    context = browser.new_context()
    page = context.new_page()
    traffic = Traffic()
    local = urlsplit(live.url).netloc

    def guard(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == local or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            traffic.remote.append(url)
            route.abort()

    page.route("**/*", guard)
    page.on("request", lambda r: traffic.requests.append(r.url))
    page.on("requestfailed", lambda r: traffic.failed.append(f"{r.url} {r.failure}"))
    page.on(
        "response",
        lambda r: traffic.bad_status.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on("pageerror", lambda e: traffic.errors.append(str(e)))
    yield page, traffic
    context.close()


def assert_clean(traffic: Traffic) -> None:
    assert traffic.remote == []
    assert traffic.failed == []
    assert traffic.bad_status == []
    assert traffic.errors == []


def test_page_loads_offline_with_no_failed_or_remote_request(
    page: tuple[Page, Traffic], live: LiveServer
) -> None:
    p, traffic = page
    p.goto(live.url + "sparql", wait_until="load")
    p.wait_for_selector("#ewkg-yasgui .yasqe .CodeMirror")
    assert any(u.endswith("/static/yasgui/yasgui.min.js") for u in traffic.requests)
    assert any(u.endswith("/static/yasgui/yasgui.min.css") for u in traffic.requests)
    assert_clean(traffic)
    # the editor holds the first example, and the endpoint is this server
    assert "# fr:" in p.evaluate("window.ewkgYasgui.getTab().getQuery()")
    assert p.evaluate("window.ewkgYasgui.getTab().getEndpoint()") == live.endpoint
    # every competency query is an example, titled in French and in Chinese
    buttons = p.locator("button.ewkg-example")
    assert buttons.count() == len(query_files())
    first = buttons.first
    assert first.locator('[lang="fr"]').inner_text().strip()
    assert first.locator('[lang="zh"]').inner_text().strip()
    assert_clean(traffic)


def test_page_language_picks_the_titles(page: tuple[Page, Traffic], live: LiveServer) -> None:
    p, traffic = page
    p.goto(live.url + "sparql?lang=zh", wait_until="load")
    p.wait_for_selector("#ewkg-yasgui .yasqe .CodeMirror")
    assert p.locator('button.ewkg-example [lang="fr"]').count() == 0
    assert p.locator('button.ewkg-example [lang="zh"]').count() == len(query_files())
    assert_clean(traffic)


def test_runs_an_example_and_shows_the_result_table(
    page: tuple[Page, Traffic], live: LiveServer
) -> None:
    p, traffic = page
    p.goto(live.url + "sparql", wait_until="load")
    p.wait_for_selector("#ewkg-yasgui .yasqe .CodeMirror")
    example = query_files()[0]
    expected = example.with_suffix(".tsv").read_text(encoding="utf-8").splitlines()
    header = [v.lstrip("?") for v in expected[0].split("\t")]
    # open the example from the list (a tab of its own), then run it with the editor's button
    p.locator(f'button.ewkg-example[data-slug="{example.stem}"]').click()
    p.locator(".tabPanel.active .yasqe_queryButton").click()
    p.wait_for_selector(".tabPanel.active .yasr table.dataTable tbody tr")
    shown_header = [
        h.strip() for h in p.locator(".tabPanel.active .yasr table.dataTable thead th")
        .all_inner_texts() if h.strip()
    ]
    assert shown_header == header
    rows = p.locator(".tabPanel.active .yasr table.dataTable tbody tr")
    assert rows.count() == min(len(expected) - 1, 50)
    # another example opens in a tab of its own; picking it again selects that tab
    second = query_files()[1]
    p.locator(f'button.ewkg-example[data-slug="{second.stem}"]').click()
    tabs = p.evaluate("Object.keys(window.ewkgYasgui._tabs).length")
    assert p.evaluate("window.ewkgYasgui.getTab().getQuery()") == second.read_text("utf-8")
    p.locator(f'button.ewkg-example[data-slug="{example.stem}"]').click()
    p.locator(f'button.ewkg-example[data-slug="{second.stem}"]').click()
    assert p.evaluate("Object.keys(window.ewkgYasgui._tabs).length") == tabs
    assert_clean(traffic)


def test_home_page_shows_the_editor(page: tuple[Page, Traffic], live: LiveServer) -> None:
    p, traffic = page
    p.goto(live.url, wait_until="load")
    p.wait_for_selector("#ewkg-yasgui .yasqe .CodeMirror")
    assert p.locator("button.ewkg-example").count() == len(query_files())
    assert_clean(traffic)
