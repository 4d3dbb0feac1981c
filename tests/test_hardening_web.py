"""Hostile clients against the web pages: bounded memos, no query string shared through a cache,
one ETag per language, and a 4xx (never a 500) for text that is not an IRI.

The memory test runs a real ``ewkg serve`` (loopback, bounded loops) and sums the RSS of its
processes with psutil.
"""

from __future__ import annotations

import contextlib
import http.client
import random
import re
import time
from collections.abc import Iterator
from urllib.parse import quote

import psutil
import pytest
from flask import Flask
from flask.testing import FlaskClient

from _live import LiveServer
from ewkg.store import labels
from ewkg.store.describe import safe_iri
from ewkg.store.labels import memo, memo_size
from ewkg.web.app import get_store

HTML = {"Accept": "text/html"}


# --- the memo is bounded --------------------------------------------------------------------


class FakeStore:
    """What :func:`memo` needs of a store: a version, and being weakly referable."""

    def __init__(self, version: str = "v1") -> None:
        self.version = version


def test_memo_keeps_a_few_variants_per_name_least_recently_used_first() -> None:
    store = FakeStore()
    built: list[int] = []

    def build(i: int) -> int:
        built.append(i)
        return i

    for i in range(100):
        assert memo(store, "page", lambda i=i: build(i), variant=i, variants=3) == i
    assert memo_size(store) == (1, 3)
    assert memo(store, "page", lambda: build(-1), variant=99, variants=3) == 99  # kept
    assert memo(store, "page", lambda: build(-1), variant=0, variants=3) == -1  # evicted, rebuilt
    assert built.count(-1) == 1


def test_memo_keeps_a_bounded_number_of_names() -> None:
    store = FakeStore()
    for i in range(labels.MAX_NAMES * 3):
        memo(store, f"name-{i}", lambda: b"x")
    assert memo_size(store) == (labels.MAX_NAMES, labels.MAX_NAMES)


def test_memo_drops_every_value_of_an_older_version() -> None:
    store = FakeStore("v1")
    for i in range(4):
        memo(store, "a", lambda: 1, variant=i)
        memo(store, "b", lambda: 2)
    store.version = "v2"
    assert memo(store, "a", lambda: 3, variant=0) == 3
    assert memo_size(store) == (1, 1)


def _random_hosts_and_langs(client: FlaskClient, rng: random.Random, n: int) -> None:
    paths = ["/", "/ontology", "/ontology.ttl", "/.well-known/void", "/id/", "/id/region/",
             "/id/region/guizhou", "/search?q=fu"]
    for i in range(n):
        path = paths[i % len(paths)]
        host = f"h{rng.randrange(10**9)}.example:{rng.randrange(1, 65536)}"
        lang = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz-") for _ in range(10))
        sep = "&" if "?" in path else "?"
        resp = client.get(f"{path}{sep}lang={lang}", headers={**HTML, "Host": host})
        assert resp.status_code == 200, path


def test_random_hosts_and_langs_add_no_memo_entry(app: Flask, client: FlaskClient) -> None:
    """Every page once, then 160 requests with made-up ``Host`` and ``lang``: the memo of the
    store holds no more entries than after the first round (it held one more per Host before)."""
    rng = random.Random(12)
    _random_hosts_and_langs(client, rng, 16)
    names, entries = memo_size(get_store(app))
    _random_hosts_and_langs(client, rng, 160)
    assert memo_size(get_store(app)) == (names, entries)
    assert entries <= labels.MAX_NAMES * labels.DEFAULT_VARIANTS


def test_the_servers_own_base_counts_only_when_the_data_uses_it(app: Flask) -> None:
    from ewkg.web.linkeddata import id_bases

    configured = app.config["EWKG"].base_iri.rstrip("/") + "/id/"
    with app.test_request_context("/", headers={"Host": "made-up.example:1234"}):
        assert id_bases() == (configured,)


def test_void_is_built_once_and_rebased_on_each_host(app: Flask, client: FlaskClient) -> None:
    from rdflib import Graph
    from rdflib.compare import isomorphic

    from ewkg.store.void import void_graph

    for host in ("made-up.example:1234", "other.example"):
        resp = client.get("/.well-known/void", headers={"Accept": "text/turtle", "Host": host})
        served = Graph().parse(data=resp.data, format="turtle")
        assert isomorphic(served, void_graph(get_store(app), f"http://{host}/"))
        assert "ewkg.invalid" not in resp.get_data(as_text=True)


# --- caches never share one client's query string or language -------------------------------


def _links_with(body: str, needle: str) -> list[str]:
    return [h for h in re.findall(r'href="([^"]*)"', body) if needle in h]


def test_a_clients_query_string_never_reaches_another_clients_map(client: FlaskClient) -> None:
    first = client.get("/id/region/guizhou?utm=EVILPARAM&lang=zh", headers=HTML)
    assert first.status_code == 200
    own_links = _links_with(first.get_data(as_text=True), "#ewkg-map")
    assert own_links and not [x for x in own_links if "EVILPARAM" in x]  # not even its own
    later = client.get("/id/region/guizhou?lang=zh", headers=HTML).get_data(as_text=True)
    assert "EVILPARAM" not in later
    year_links = _links_with(later, "#ewkg-map")
    assert year_links
    for link in year_links:
        assert re.fullmatch(r"/id/region/guizhou\?lang=zh&(amp;)?map_year=\d{4}#ewkg-map",
                            link), link


def test_map_year_links_carry_the_pages_lang_normalised(client: FlaskClient) -> None:
    body = client.get("/id/region/guizhou?lang=ZH&map_year=2010", headers=HTML)
    links = _links_with(body.get_data(as_text=True), "#ewkg-map")
    assert links and all("lang=zh" in x and "ZH" not in x for x in links)
    fresh = client.application.test_client()  # no language chosen yet (no cookie)
    body = fresh.get("/id/region/guizhou?lang=nonsense", headers=HTML)
    links = _links_with(body.get_data(as_text=True), "#ewkg-map")
    assert links and all("lang=" not in x for x in links)


def test_map_svg_has_one_etag_per_language(client: FlaskClient) -> None:
    tags = {}
    for accept_language in ("fr", "zh-CN", "en"):
        resp = client.get("/map.svg", headers={"Accept-Language": accept_language})
        assert resp.status_code == 200
        assert "Accept-Language" in resp.headers["Vary"]
        tags[accept_language] = resp.headers["ETag"]
    assert len(set(tags.values())) == 3, tags
    zh = client.get("/map.svg", headers={"Accept-Language": "zh", "If-None-Match": tags["fr"]})
    assert zh.status_code == 200  # the French tag does not confirm the Chinese body
    assert 'lang="zh"' in zh.get_data(as_text=True)
    same = client.get("/map.svg",
                      headers={"Accept-Language": "zh-CN", "If-None-Match": tags["zh-CN"]})
    assert same.status_code == 304


def test_map_svg_with_lang_does_not_vary_on_accept_language(client: FlaskClient) -> None:
    a = client.get("/map.svg?lang=fr", headers={"Accept-Language": "zh"})
    b = client.get("/map.svg?lang=fr", headers={"Accept-Language": "fr"})
    assert "Accept-Language" not in a.headers.get("Vary", "")
    assert a.headers["ETag"] == b.headers["ETag"] and a.data == b.data


def test_a_page_chosen_by_accept_language_has_one_etag_per_language(client: FlaskClient) -> None:
    fr = client.get("/id/region/guizhou", headers={**HTML, "Accept-Language": "fr"})
    zh = client.get("/id/region/guizhou", headers={**HTML, "Accept-Language": "zh"})
    both = client.get("/id/region/guizhou", headers={**HTML, "Accept-Language": "en"})
    assert len({fr.headers["ETag"], zh.headers["ETag"], both.headers["ETag"]}) == 3


@pytest.mark.parametrize("url", ["/id/region/guizhou?lang=nonsense", "/ontology?lang=xx",
                                 "/?lang=", "/id/region/?lang=%E4%B8%AD"])
def test_an_unknown_lang_falls_back_to_accept_language_and_says_so(client: FlaskClient,
                                                                    url: str) -> None:
    fr = client.get(url, headers={**HTML, "Accept-Language": "fr"})
    zh = client.get(url, headers={**HTML, "Accept-Language": "zh"})
    assert '<html lang="fr">' in fr.get_data(as_text=True)
    assert '<html lang="zh">' in zh.get_data(as_text=True)
    for resp in (fr, zh):
        assert "Accept-Language" in resp.headers.get("Vary", ""), url
    assert fr.headers["ETag"] != zh.headers["ETag"]


def test_a_known_lang_does_not_vary_on_accept_language(client: FlaskClient) -> None:
    resp = client.get("/id/region/guizhou?lang=zh", headers={**HTML, "Accept-Language": "fr"})
    assert "Accept-Language" not in resp.headers.get("Vary", "")


# --- text that is not an IRI is a 4xx --------------------------------------------------------

REPORTED = [
    ("/id/region/a%23b%23c", 404),
    ("/id/region/%EF%BF%BF", 404),
    ("/id/region/a%25zz", 404),
    ("/resource?iri=%ED%A0%80", 400),
]


@pytest.mark.parametrize(("url", "status"), REPORTED)
@pytest.mark.parametrize("accept", ["text/html", "text/plain", "text/turtle", "application/json"])
def test_the_reported_urls_are_4xx(client: FlaskClient, url: str, status: int,
                                   accept: str) -> None:
    assert client.get(url, headers={"Accept": accept}).status_code == status


def test_not_an_iri_is_said_in_the_page_language(client: FlaskClient) -> None:
    zh = client.get("/resource?iri=a%23b%23c&lang=zh", headers={"Accept": "text/plain"})
    assert zh.status_code == 400
    text = zh.get_data(as_text=True)
    assert "这不是有效的绝对 IRI" in text and "Ceci n" not in text
    fr = client.get("/resource?iri=a%23b%23c&lang=fr", headers={"Accept": "text/plain"})
    assert "Ceci n’est pas une IRI" in fr.get_data(as_text=True)


def test_an_unknown_but_valid_iri_is_still_404(client: FlaskClient) -> None:
    resp = client.get("/resource?iri=" + quote("https://example.org/nothing"), headers=HTML)
    assert resp.status_code == 404


#: Path segments and IRIs a fuzzer tries: bad percent-escapes, non-characters, surrogates,
#: fragments, brackets, controls, relative and overlong forms.
NASTY = [
    "%23", "a%23b%23c", "%EF%BF%BF", "%EF%BF%BE", "%ED%A0%80", "%ED%BF%BF", "a%25zz", "%25",
    "%25%25", "%00", "%01", "%7F", "%C0%80", "%FF", "%3C%3E", "%22", "%7B%7D", "%5C", "%60",
    "%5E", "%7C", "a%20b", "..", "%2E%2E", "%E2%80%AE", "%F0%9F%98%80", "x" * 3000,
    "%5B%5D", "a%3Fb", "a%40b%3A", "%F4%90%80%80",
]
IRIS = [
    *NASTY, "https%3A%2F%2Fw3id.org%2Fewkg%2Fid%2Fregion%2F%EF%BF%BF",
    "https%3A%2F%2Fw3id.org%2Fewkg%2Fid%2Fregion%2Fa%23b%23c", "urn%3Aa%25zz", "mailto%3A%ED%A0%80",
    "http%3A%2F%2F%5B%3A%3A1", "http%3A%2F%2Fx%2F%3E%20%7D%20ASK%20%7B",
]


@pytest.mark.parametrize("segment", NASTY)
def test_fuzzed_id_paths_are_never_5xx(client: FlaskClient, segment: str) -> None:
    for url in (f"/id/region/{segment}", f"/id/{segment}", f"/id/{segment}/",
                f"/id/region/{segment}.ttl", f"/id/{segment}/x", f"/ontology.{segment}",
                f"/dataset.{segment}", f"/map.svg?region={segment}", f"/search?q={segment}",
                f"/id/region/guizhou?map_year={segment}&lang={segment}"):
        for accept in ("text/html", "text/plain", "text/turtle"):
            resp = client.get(url, headers={"Accept": accept})
            assert resp.status_code < 500, (url, accept, resp.status_code)


@pytest.mark.parametrize("iri", IRIS)
def test_fuzzed_resource_iris_are_4xx(client: FlaskClient, iri: str) -> None:
    for accept in ("text/html", "text/plain", "application/ld+json"):
        resp = client.get(f"/resource?iri={iri}", headers={"Accept": accept})
        assert 400 <= resp.status_code < 500, (iri, accept, resp.status_code)


@pytest.mark.parametrize("text", ["a#b#c", "https://x/a#b#c", "https://x/a%zz", "relative/x",
                                  "https://x/\uffff", "https://x/" + chr(0xD800), "", " ",
                                  "https://x/a b", "https://x/<"])
def test_safe_iri_refuses_what_pyoxigraph_cannot_read(text: str) -> None:
    assert not safe_iri(text)


# --- a live server's memory ------------------------------------------------------------------

#: The issue's bound for 600 requests with random ``Host`` and ``lang``.
MAX_GROWTH = 60 * 2**20
LIVE_PATHS = ["/", "/ontology", "/ontology.ttl", "/ontology.jsonld", "/.well-known/void", "/id/",
              "/id/region/", "/id/region/guizhou", "/search?q=fu", "/map.svg"]


@pytest.fixture(scope="module")
def live() -> Iterator[LiveServer]:
    server = LiveServer()  # the defaults a deployment gets: 2 workers, 4 threads each
    yield server
    server.stop()


def _rss(pid: int) -> int:
    root = psutil.Process(pid)
    total = 0
    for proc in (root, *root.children(recursive=True)):
        with contextlib.suppress(psutil.Error):  # a query process that ended meanwhile
            total += proc.memory_info().rss
    return total


def _get(port: int, path: str, host: str | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Accept": "text/html", **({"Host": host} if host else {})}
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def _settled_rss(pid: int) -> int:
    """The RSS once it stops moving (a few one-second samples at most)."""
    last = _rss(pid)
    for _ in range(5):
        time.sleep(1)
        now = _rss(pid)
        if abs(now - last) < 2**20:
            return now
        last = now
    return last


def test_random_hosts_and_langs_do_not_grow_the_servers_memory(live: LiveServer) -> None:
    """600 requests, 300 with a made-up ``Host``, 300 with a made-up ``lang``: the server's
    processes grow by less than 60 MB (they grew by ~270 MiB before the memos were bounded)."""
    rng = random.Random(2026)
    for _ in range(3):  # every page built once per worker, in the usual host and languages
        for path in LIVE_PATHS:
            for lang in ("", "fr", "zh"):
                sep = "&" if "?" in path else "?"
                _get(live.port, f"{path}{sep}lang={lang}" if lang else path)
    before = _settled_rss(live.proc.pid)
    for i in range(300):
        host = f"h{rng.randrange(10**9)}.example:{rng.randrange(1, 65536)}"
        assert _get(live.port, LIVE_PATHS[i % len(LIVE_PATHS)], host=host) == 200
    for i in range(300):
        path = LIVE_PATHS[i % len(LIVE_PATHS)]
        lang = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz-") for _ in range(10))
        sep = "&" if "?" in path else "?"
        status = _get(live.port, f"{path}{sep}lang={lang}")
        assert status == (400 if path == "/map.svg" else 200), path
    growth = _settled_rss(live.proc.pid) - before
    assert growth < MAX_GROWTH, f"the server grew by {growth / 2**20:.0f} MiB"


def test_the_whole_live_stack_shares_no_query_string_and_no_language(live: LiveServer) -> None:
    """Through the fast path and the app's caches: another client's ``utm=`` never shows, and a
    304 never confirms another language's map."""
    conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=60)
    try:
        for path in ("/id/region/guizhou?utm=EVILPARAM&lang=zh", "/id/region/guizhou?lang=zh"):
            conn.request("GET", path, headers=HTML)
            body = conn.getresponse().read().decode()
        assert "EVILPARAM" not in body
        tags = []
        for lang in ("fr", "zh"):
            for _ in range(2):  # the second is the fast path's replay
                conn.request("GET", "/map.svg", headers={"Accept-Language": lang})
                resp = conn.getresponse()
                resp.read()
                tags.append(resp.getheader("ETag"))
        assert tags[0] == tags[1] != tags[2] == tags[3]
        conn.request("GET", "/map.svg", headers={"Accept-Language": "zh", "If-None-Match": tags[0]})
        resp = conn.getresponse()
        assert resp.status == 200 and 'lang="zh"' in resp.read().decode()
    finally:
        conn.close()
