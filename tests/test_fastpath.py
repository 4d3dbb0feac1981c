"""The WSGI fast path: repeated read-only requests are replayed without entering Flask."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.test import Client

from ewkg.config import Config
from ewkg.web.app import create_app
from ewkg.web.fastpath import LOOPBACK_HOSTS, FastPath, known_hosts, wrap
from ewkg.web.query_lane import QueryLane
from ewkg.web.services import flask_wsgi
from ewkg.web.wsgi import GunicornApp

ASK = "/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"
JSON = {"Accept": "application/sparql-results+json"}


class BufferedClient(Client):
    """werkzeug's test client, reading each body at once (as a server does)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


class Counting:
    """The inner app, counting the requests that reach it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.calls = 0

    def __call__(self, environ: dict, start_response: Any) -> Iterable[bytes]:
        self.calls += 1
        return self.app(environ, start_response)


@pytest.fixture()
def inner(app: Flask) -> Counting:
    return Counting(app)


@pytest.fixture()
def fast(inner: Counting, app: Flask) -> FastPath:
    store = app.extensions["ewkg.store.embedded"]
    return FastPath(inner, version=lambda: store.version,
                    hosts=[*LOOPBACK_HOSTS, "other.example", "a.example", "b.example"])


@pytest.fixture()
def http(fast: FastPath) -> BufferedClient:
    return BufferedClient(fast, use_cookies=False)  # send the Cookie header as given


def _without_cache_header(headers: Any) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers.items() if k.lower() not in {"x-ewkg-cache", "date"}]


def _without_date(headers: Any) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers.items() if k.lower() != "date"]


def test_second_identical_get_is_replayed(http: BufferedClient, inner: Counting) -> None:
    first = http.get(ASK, headers=JSON)
    second = http.get(ASK, headers=JSON)
    assert first.status_code == second.status_code == 200
    assert inner.calls == 1
    assert second.data == first.data
    assert _without_cache_header(second.headers) == _without_cache_header(first.headers)
    assert second.headers["X-Ewkg-Cache"] == "hit"
    assert second.headers["ETag"] == first.headers["ETag"]


@pytest.mark.parametrize("path", ["/dataset.ttl", "/ontology", "/"])
def test_other_get_paths_are_replayed(http: BufferedClient, inner: Counting, path: str) -> None:
    first = http.get(path, headers={"Accept-Encoding": "gzip"})
    second = http.get(path, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200
    assert inner.calls == 1
    assert second.data == first.data
    assert _without_date(second.headers) == _without_date(first.headers)
    assert ("Date" in second.headers) == ("Date" in first.headers)


def test_variants_are_separate_entries(
    http: BufferedClient, inner: Counting, fast: FastPath
) -> None:
    variants: list[tuple[str, dict[str, str]]] = [
        (ASK, JSON),
        (ASK, {"Accept": "application/sparql-results+xml"}),
        (ASK + "&x=1", JSON),
        (ASK, {**JSON, "Accept-Encoding": "gzip"}),
        (ASK, {**JSON, "Accept-Language": "fr"}),
        (ASK, {**JSON, "Origin": "https://example.org"}),
        (ASK, {**JSON, "Host": "other.example"}),
    ]
    bodies = []
    for path, headers in variants:
        bodies.append(http.get(path, headers=headers).data)
    assert inner.calls == len(variants) == len(fast)
    for (path, headers), body in zip(variants, bodies, strict=True):
        assert http.get(path, headers=headers).data == body
    assert inner.calls == len(variants)
    assert bodies[0] != bodies[1]


def test_replay_keeps_the_server_url_per_host(http: BufferedClient) -> None:
    a = http.get("/sparql", headers={"Accept": "text/turtle", "Host": "a.example"})
    b = http.get("/sparql", headers={"Accept": "text/turtle", "Host": "b.example"})
    assert a.status_code == b.status_code == 200
    assert (b"a.example" in a.data) == (b"b.example" in b.data)


def test_conditional_and_post_requests_bypass(http: BufferedClient, inner: Counting) -> None:
    http.get(ASK, headers=JSON)
    assert inner.calls == 1
    http.get(ASK, headers={**JSON, "If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    http.get(ASK, headers={**JSON, "Cookie": "a=b"})
    http.get(ASK, headers={**JSON, "Authorization": "Bearer x"})
    http.get(ASK, headers={**JSON, "If-None-Match": '"nope"'})
    assert inner.calls == 5
    post = http.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}, headers=JSON)
    http.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}, headers=JSON)
    assert post.status_code == 200
    assert inner.calls == 7
    http.get("/validate")
    http.get("/validate")
    assert inner.calls == 9


def test_if_none_match_is_answered_304_like_the_app(
    http: BufferedClient, inner: Counting, app: Flask
) -> None:
    etag = http.get(ASK, headers=JSON).headers["ETag"]
    conditional = {**JSON, "If-None-Match": etag}
    fast = http.get(ASK, headers=conditional)
    assert inner.calls == 1
    slow = app.test_client().get(ASK, headers=conditional)
    assert fast.status_code == slow.status_code == 304
    assert fast.data == b""
    assert fast.headers["ETag"] == etag
    assert "Content-Type" not in fast.headers and "Content-Length" not in fast.headers
    for name in ("Cache-Control", "Vary"):
        assert fast.headers[name] == slow.headers[name]


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/sparql?query=SELEKT", JSON, 400),
        (ASK, {"Accept": "image/png"}, 406),
        ("/id/region/no-such-thing", {"Accept": "text/turtle"}, 404),
    ],
)
def test_errors_are_not_stored(
    http: BufferedClient, inner: Counting, fast: FastPath, path: str, headers: dict, status: int
) -> None:
    assert http.get(path, headers=headers).status_code == status
    assert http.get(path, headers=headers).status_code == status
    assert inner.calls == 2
    assert len(fast) == 0


def test_head_replays_headers_without_body(http: BufferedClient, inner: Counting) -> None:
    get = http.get("/dataset.ttl")
    first = http.head("/dataset.ttl")
    second = http.head("/dataset.ttl")
    assert inner.calls == 2  # GET and HEAD are separate entries
    assert second.status_code == 200
    assert second.data == b""
    assert second.headers["Content-Length"] == get.headers["Content-Length"]
    assert _without_date(second.headers) == _without_date(first.headers)
    assert ("Date" in second.headers) == ("Date" in first.headers)


def test_the_byte_bound_evicts_least_recently_used() -> None:
    inner = _app_of("200 OK", [("Content-Length", "1000")], [b"x" * 1000])
    fast = FastPath(inner, max_bytes=2600)  # room for two entries
    http = BufferedClient(fast)
    for path in ("/a", "/b", "/a", "/c"):  # /a is used again: /b is the least recently used
        http.get(path)
    assert inner.calls == 3
    assert len(fast) == 2
    assert fast.stored_bytes <= fast.max_bytes
    http.get("/a")
    http.get("/c")
    assert inner.calls == 3
    http.get("/b")
    assert inner.calls == 4


def test_a_new_dataset_version_is_a_new_entry(inner: Counting) -> None:
    version = ["v1"]
    http = BufferedClient(FastPath(inner, version=lambda: version[0]))
    http.get(ASK, headers=JSON)
    http.get(ASK, headers=JSON)
    version[0] = "v2"
    http.get(ASK, headers=JSON)
    assert inner.calls == 2


def _app_of(status: str, headers: list[tuple[str, str]], chunks: list[bytes]) -> Counting:
    def app(environ: dict, start_response: Any) -> Iterable[bytes]:
        start_response(status, headers)
        return iter(chunks)

    return Counting(app)


def test_streamed_large_and_private_responses_are_not_stored() -> None:
    cases = [
        _app_of("200 OK", [("Content-Type", "text/plain")], [b"a", b"b"]),  # no length
        _app_of("200 OK", [("Content-Length", "5")], [b"x" * 5]),
        _app_of("200 OK", [("Content-Length", "1"), ("Set-Cookie", "a=b")], [b"x"]),
        _app_of("200 OK", [("Content-Length", "1"), ("Cache-Control", "no-store")], [b"x"]),
    ]
    for inner in cases:
        fast = FastPath(inner, max_entry_bytes=4)
        http = BufferedClient(fast)
        assert http.get("/x").status_code == 200
        assert http.get("/x").data == http.get("/x").data
        assert inner.calls == 3
        assert len(fast) == 0


def test_off_without_the_result_cache() -> None:
    off = create_app(Config(testing=True, result_cache=False))
    assert wrap(off) is off
    on = create_app(Config(testing=True), store=off.extensions["ewkg.store.embedded"])
    assert isinstance(wrap(on), FastPath)


def test_gunicorn_serves_the_fast_path(app: Flask) -> None:
    gunicorn_app = GunicornApp.__new__(GunicornApp)
    gunicorn_app.application = app
    served = gunicorn_app.load()
    assert served is app and isinstance(served.wsgi_app, FastPath)


def test_the_app_factory_builds_the_one_stack(app: Flask) -> None:
    """create_app's app is what every front serves: fast path → query lane → Flask."""
    assert isinstance(app.wsgi_app, FastPath)
    lane = app.wsgi_app.app
    assert isinstance(lane, QueryLane) and lane.flask is flask_wsgi(app)
    client = BufferedClient(app)
    answered = lane.answered
    url = "/sparql?query=" + quote("ASK { ?s ?p ?o } # one stack")  # asked by no other test
    first = client.get(url, headers=JSON)
    assert lane.answered == answered + 1  # the test client's query went through the lane
    assert client.get(url, headers=JSON).headers["X-Ewkg-Cache"] == "hit"
    assert first.status_code == 200


def test_an_unknown_host_neither_fills_nor_evicts_the_cache() -> None:
    inner = _app_of("200 OK", [("Content-Length", "1000")], [b"x" * 1000])
    fast = FastPath(inner, max_bytes=2600)  # room for two entries, loopback hosts only
    http = BufferedClient(fast)
    http.get("/a")
    http.get("/b")
    for n in range(20):  # a flood of made-up hosts
        http.get("/a", headers={"Host": f"made-up-{n}.example"})
    assert len(fast) == 2
    calls = inner.calls
    http.get("/a")
    http.get("/b")
    assert inner.calls == calls  # both still replayed
    http.get("/c", headers={"Host": "127.0.0.1:8000"})  # a known host, whatever the port
    http.get("/c", headers={"Host": "127.0.0.1:8000"})
    assert inner.calls == calls + 1


def test_the_known_hosts_come_from_the_configuration() -> None:
    config = Config(base_iri="https://data.example.org/ewkg/", public_hosts=("EWKG.example",))
    assert known_hosts(config) == LOOPBACK_HOSTS | {"data.example.org", "ewkg.example"}
    assert Config.from_env({"EWKG_PUBLIC_HOSTS": "a.example, b.example"}).public_hosts == (
        "a.example", "b.example")
