"""Search over HTTP (HTML and JSON by negotiation, suggestions, OpenSearch) and the language
choice that sticks (cookie, links, forms, redirects)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

ID = "https://w3id.org/ewkg/id/"


def test_get_search_json_by_accept(client: FlaskClient) -> None:
    r = client.get("/search?q=ningxia", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert "Accept" in r.vary
    results = r.get_json()
    first = results[0]
    assert set(first) >= {"iri", "kind", "labels", "score", "snippet"}
    assert first["iri"] == ID + "region/ningxia" and first["kind"] == "region"
    assert first["labels"]["zh"] == "宁夏回族自治区"
    assert "<mark>" in first["snippet"]


def test_get_search_json_by_format(client: FlaskClient) -> None:
    r = client.get("/search?q=%E5%AF%A7%E5%A4%8F&format=json")  # 寧夏
    assert r.get_json()[0]["iri"] == ID + "region/ningxia"


def test_get_search_html_shows_kind_labels_snippet(client: FlaskClient) -> None:
    r = client.get("/search?q=pauvrete&lang=fr", headers={"Accept": "text/html"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert 'class="result-kind"' in html and "<mark>pauvreté</mark>" in html
    assert "réduction de la pauvreté" in html and "减贫事业" in html


def test_empty_query_is_an_empty_list(client: FlaskClient) -> None:
    assert client.get("/search?q=", headers={"Accept": "application/json"}).get_json() == []


def test_bad_limit_and_long_query_are_400(client: FlaskClient) -> None:
    r = client.get("/search?q=a&limit=zero", headers={"Accept": "application/json"})
    assert r.status_code == 400 and "limit" in r.get_json()["error"]["message"]
    r = client.get("/search?q=" + "a" * 201)
    assert r.status_code == 400 and "too long" in r.get_data(as_text=True)


def test_unacceptable_type_is_406(client: FlaskClient) -> None:
    assert client.get("/search?q=a", headers={"Accept": "image/png"}).status_code == 406


def test_kind_filter(client: FlaskClient) -> None:
    kinds = {x["kind"] for x in client.get("/search?q=ningxia&kind=claim&format=json").get_json()}
    assert kinds == {"claim"}


def test_suggest_is_opensearch_suggestions(client: FlaskClient) -> None:
    r = client.get("/search/suggest?q=neimeng&lang=zh")
    assert r.mimetype == "application/x-suggestions+json"
    q, names, kinds, urls = r.get_json()
    assert q == "neimeng" and names[0] == "内蒙古自治区" and kinds[0] == "region"
    assert urls[0].endswith("/id/region/neimenggu?lang=zh")


def test_opensearch_description_is_linked_from_every_page(client: FlaskClient) -> None:
    r = client.get("/opensearch.xml")
    assert r.mimetype == "application/opensearchdescription+xml"
    assert "/search?q={searchTerms}" in r.get_data(as_text=True)
    for path in ("/", "/sparql", "/id/region/fujian", "/ontology"):
        html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert 'rel="search" type="application/opensearchdescription+xml"' in html, path
        assert 'class="site-search"' in html and 'data-suggest="/search/suggest"' in html, path


def test_lang_choice_sets_cookie_and_sticks(client: FlaskClient) -> None:
    r = client.get("/id/region/fujian?lang=zh", headers={"Accept": "text/html"})
    assert "ewkg_lang=zh" in r.headers["Set-Cookie"]
    # the next page, without ?lang and with a French browser, stays Chinese
    r = client.get("/id/region/ningxia", headers={"Accept": "text/html",
                                                  "Accept-Language": "fr"})
    html = r.get_data(as_text=True)
    assert '<html lang="zh">' in html and "Cookie" in r.vary
    html = re.sub(r'<div class="langswitch".*?</div>', "", html, flags=re.S)
    links = re.findall(r'href="(/(?:id|ontology|sparql|search)[^"]*)"', html)
    page_links = [u for u in links if not re.search(r"\.(ttl|nt|jsonld|rdf|trig)$", u)]
    assert page_links and all("lang=zh" in u for u in page_links), page_links
    assert '<input type="hidden" name="lang" value="zh">' in html


def test_accept_language_decides_only_without_a_choice(client: FlaskClient) -> None:
    html = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert '<html lang="zh">' in html and "?lang=" not in html.split("langswitch")[0]


def test_redirects_carry_the_choice(client: FlaskClient) -> None:
    client.get("/?lang=fr")
    r = client.get("/resource?iri=" + ID + "region/fujian", headers={"Accept": "text/html"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/id/region/fujian?lang=fr")
    r = client.get("/id/region", headers={"Accept": "text/html"})
    assert r.headers["Location"].endswith("lang=fr")


def test_search_results_carry_the_choice(client: FlaskClient) -> None:
    html = client.get("/search?q=fujian&lang=zh").get_data(as_text=True)
    assert 'href="/id/region/fujian?lang=zh"' in html
    # in Chinese mode the Chinese label leads
    first = html.split('class="result-title"')[1]
    assert first.index('lang="zh"') < first.index('lang="fr"')


def test_map_dots_carry_the_choice(client: FlaskClient) -> None:
    html = client.get("/?lang=zh").get_data(as_text=True)
    dots = re.findall(r'href="(/id/region/[^"]*)"', html[html.find('id="ewkg-map"'):])
    assert dots and all(d.endswith("?lang=zh") for d in dots)


def test_ontology_term_list_in_the_chosen_language(client: FlaskClient) -> None:
    html = client.get("/ontology?lang=zh", headers={"Accept": "text/html"}).get_data(as_text=True)
    toc = html[html.find('<ul class="toc">'):]
    toc = toc[:toc.find("</ul>")]
    assert 'lang="zh"' in toc and 'lang="fr"' not in toc


def test_download_table_and_404_in_the_chosen_language(client: FlaskClient) -> None:
    html = client.get("/?lang=zh").get_data(as_text=True)
    table = html[html.find('id="downloads"'):]
    assert "媒体类型" in table and "Type de média" not in table
    html = client.get("/id/region/nowhere?lang=fr", headers={"Accept": "text/html"}).get_data(
        as_text=True)
    assert "Ressource inconnue" in html and "未找到该资源" not in html


def test_french_plural_of_one(client: FlaskClient) -> None:
    html = client.get("/?lang=fr").get_data(as_text=True)
    assert not re.search(r">1</strong> <span lang=\"fr\">entités", html)
    assert not re.search(r"\b1 <span lang=\"fr\">entités", html)
    assert '1 <span lang="fr">entité</span>' in html  # a kind with one entity


def test_error_pages_in_the_chosen_language(client: FlaskClient) -> None:
    r = client.get("/sparql?query=SELEC&lang=zh", headers={"Accept": "text/html"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "<title>400 — 请求无效</title>" in html
    assert '<html lang="zh">' in html and "Requête invalide" not in html
    r = client.get("/search?q=a&limit=0&lang=fr", headers={"Accept": "text/html"})
    assert r.status_code == 400 and "Requête invalide" in r.get_data(as_text=True)


def test_answers_vary_with_the_reader_language(client: FlaskClient) -> None:
    for path in ("/search?q=ningxia", "/search?q=ningxia&format=json", "/search/suggest?q=ning",
                 "/opensearch.xml"):
        r = client.get(path)
        assert {"Accept-Language", "Cookie"} <= set(r.vary), path
    assert "Cookie" not in client.get("/search?q=ningxia&lang=zh").vary
