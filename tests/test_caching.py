"""HTTP caching, app-wide: ETag, Last-Modified, 304, Cache-Control, gzip."""

from __future__ import annotations

import gzip
from email.utils import format_datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from ewkg.config import Config
from ewkg.web.app import create_app, get_store

MINI = Path(__file__).parent / "fixtures" / "linkeddata" / "mini.ttl"
TTL = {"Accept": "text/turtle"}


def test_get_has_validators_and_cache_control(client: FlaskClient, app: Flask) -> None:
    resp = client.get("/dataset.ttl")
    assert resp.status_code == 200
    assert resp.headers["ETag"].startswith('"')
    assert resp.last_modified == get_store(app).loaded_at
    assert resp.cache_control.public and resp.cache_control.max_age > 0


def test_etag_is_stable_and_names_the_variant(client: FlaskClient) -> None:
    def etag(path: str, **headers: str) -> str:
        return client.get(path, headers=headers).headers["ETag"]

    assert etag("/ontology", Accept="text/turtle") == etag("/ontology", Accept="text/turtle")
    variants = {
        etag("/ontology", Accept="text/turtle"),
        etag("/ontology", Accept="application/ld+json"),
        etag("/ontology", Accept="text/html"),
        etag("/ontology?lang=fr", Accept="text/html"),
        etag("/ontology?lang=zh", Accept="text/html"),
        etag("/ontology", Accept="text/html", **{"Accept-Language": "zh-CN"}),
        etag("/ontology.ttl"),
    }
    assert len(variants) == 7


def test_etag_changes_with_the_dataset_version(tmp_path: Path) -> None:
    changed = tmp_path / "mini.ttl"
    changed.write_text(MINI.read_text(encoding="utf-8") + "\n# one more line\n", encoding="utf-8")
    one = create_app(Config(testing=True, data=(MINI,))).test_client()
    two = create_app(Config(testing=True, data=(changed,))).test_client()
    a = one.get("/id/region/fujian", headers=TTL)
    b = two.get("/id/region/fujian", headers=TTL)
    assert a.data == b.data
    assert a.headers["ETag"] != b.headers["ETag"]


def test_if_none_match_gives_304(client: FlaskClient) -> None:
    first = client.get("/ontology", headers=TTL)
    again = client.get("/ontology", headers={**TTL, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert "Accept" in again.headers["Vary"]
    other = client.get("/ontology", headers={**TTL, "If-None-Match": '"something-else"'})
    assert other.status_code == 200
    star = client.get("/ontology", headers={**TTL, "If-None-Match": "*"})
    assert star.status_code == 304


def test_if_none_match_for_another_variant_is_200(client: FlaskClient) -> None:
    turtle = client.get("/ontology", headers=TTL).headers["ETag"]
    resp = client.get("/ontology", headers={"Accept": "application/ld+json",
                                            "If-None-Match": turtle})
    assert resp.status_code == 200


def test_if_modified_since(client: FlaskClient, app: Flask) -> None:
    loaded = get_store(app).loaded_at
    same = client.get("/.well-known/void", headers={"If-Modified-Since": format_datetime(
        loaded, usegmt=True)})
    assert same.status_code == 304
    before = loaded.replace(year=loaded.year - 1)
    older = client.get("/.well-known/void", headers={"If-Modified-Since": format_datetime(
        before, usegmt=True)})
    assert older.status_code == 200


def test_head_gets_the_same_validators(client: FlaskClient) -> None:
    get = client.get("/ontology", headers=TTL)
    head = client.head("/ontology", headers=TTL)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]


def test_gzip_when_accepted(client: FlaskClient) -> None:
    plain = client.get("/dataset.nt")
    zipped = client.get("/dataset.nt", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data  # compressed exactly once
    assert len(zipped.data) < len(plain.data) / 3
    assert "Accept-Encoding" in plain.headers["Vary"]
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    assert int(zipped.headers["Content-Length"]) == len(zipped.data)


def test_gzip_refused_with_q0_and_not_for_small_bodies(client: FlaskClient) -> None:
    refused = client.get("/dataset.nt", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers
    small = client.get("/search?q=zzzzzz", headers={"Accept-Encoding": "gzip"})
    assert small.status_code == 200


def test_gzip_304_round_trip(client: FlaskClient) -> None:
    headers = {"Accept-Encoding": "gzip", **TTL}
    first = client.get("/ontology", headers=headers)
    again = client.get("/ontology", headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_html_pages_are_cached_per_language(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Language": "zh-CN", "Accept-Encoding": "gzip"})
    assert page.status_code == 200 and page.headers["Content-Encoding"] == "gzip"
    assert "Accept-Language" in page.headers["Vary"]
    assert '<html lang="zh">' in gzip.decompress(page.data).decode("utf-8")
    again = client.get("/", headers={"Accept-Language": "zh-CN", "Accept-Encoding": "gzip",
                                     "If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304


def test_static_files_are_compressed_with_their_own_tag(client: FlaskClient) -> None:
    plain = client.get("/static/ewkg.css")
    zipped = client.get("/static/ewkg.css", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    assert client.get("/static/ewkg.css", headers={
        "Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}).status_code == 304


def test_the_sparql_endpoint_is_cached_too(client: FlaskClient) -> None:
    resp = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"},
                      headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200
    assert resp.headers.get("ETag")
    again = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"},
                       headers={"Accept": "application/sparql-results+json",
                                "If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304
    other = client.get("/sparql", query_string={"query": "ASK { ?s a ?c }"},
                       headers={"Accept": "application/sparql-results+json"})
    assert other.headers["ETag"] != resp.headers["ETag"]


def test_errors_and_posts_are_not_cached(client: FlaskClient) -> None:
    missing = client.get("/id/region/nowhere")
    assert missing.status_code == 404 and "ETag" not in missing.headers
    post = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"},
                       headers={"Accept": "application/sparql-results+json"})
    assert post.status_code == 200 and "ETag" not in post.headers
