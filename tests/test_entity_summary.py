"""Entity pages put the key facts first (issue 16): a region says who assists it (or whom it
assists), when, at which level, from which source; a pairing its parties, dates, level, model,
mechanism and a small map; a disputed start says so and links to the dispute; source records
are folded under the values they support; dated records are sorted as dates."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from ewkg.web.summary import date_key

HTML = {"Accept": "text/html"}


def page(client: FlaskClient, path: str, lang: str) -> str:
    response = client.get(f"{path}?lang={lang}", headers=HTML)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def summary(html: str) -> str:
    start = html.index('<section class="summary"')
    return html[start:html.index("</section>", start)]


@pytest.mark.parametrize(("lang", "assisted_by", "level"), [
    ("fr", "Aidé par", "échelon provincial"), ("zh", "受帮扶于", "省级")])
def test_region_summary_comes_first_and_names_the_partner(client: FlaskClient, lang: str,
                                                          assisted_by: str, level: str) -> None:
    html = page(client, "/id/region/ningxia", lang)
    box = summary(html)
    # before the description table, the map and the incoming links
    assert html.index('class="summary"') < html.index('class="props"') < html.index('id="ewkg-map"')
    assert assisted_by in box and level in box
    assert 'href="/id/region/fujian?' in box and 'href="/id/pairing/fujian-ningxia?' in box
    assert 'href="/id/source/guangming-daily-2015-11-28?' in box  # a source, inline
    assert 'data-start-disputed="true"' in box
    assert 'href="/id/dispute/fujian-ningxia-start?' in box


def test_region_that_assists_and_its_timeline(client: FlaskClient) -> None:
    box = summary(page(client, "/id/region/shandong", "fr"))
    assert "<strong><span lang=\"fr\">Aide</span></strong>" in box
    assert 'href="/id/region/chongqing?' in box and 'href="/id/region/xinjiang?' in box
    assert box.count('class="t-bar') >= 2  # one bar per pairing
    assert "1996–2010" in box  # Shandong→Xinjiang, dated by its sources


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ("début contesté : 1996, 1997", "Échelon", "Modèle", "Mécanisme", "voir le différend")),
    ("zh", ("开始年份有争议：1996、1997", "层级", "模式", "机制", "查看争议")),
])
def test_pairing_summary_shows_the_disputed_start(client: FlaskClient, lang: str,
                                                  words: tuple[str, ...]) -> None:
    html = page(client, "/id/pairing/fujian-ningxia", lang)
    box = summary(html)
    for word in words:
        assert word in box, word
    assert 'href="/id/dispute/fujian-ningxia-start?' in box
    # each start year with the source that gives it
    assert 'href="/id/claim/fujian-ningxia-start-1996?' in box
    assert 'href="/id/source/minning-feature-copy?' in box
    assert 'href="/id/level/province?' in box and 'href="/id/model/high-level-communication?' in box
    assert 'href="/id/mechanism/fujian-ningxia-joint-meeting?' in box
    assert 'class="ewm-mini"' in box  # the small map
    assert "map_year=1996#ewkg-map" in box


def test_records_are_folded_not_listed(client: FlaskClient) -> None:
    html = page(client, "/id/region/chongqing", "fr")
    incoming = html[html.index('id="in-h"'):]
    # the 15-odd "… région de rattachement : Chongqing" claims sit in a <details>
    assert "région de rattachement : Chongqing" in incoming
    for m in re.finditer("région de rattachement : Chongqing", incoming):
        before = incoming[:m.start()]
        assert before.rfind("<details") > before.rfind("</details>")
    # the claims that support a value sit under it, folded
    props = html[html.index('class="props"'):html.index("</table>")]
    assert '<details class="folded">' in props and "/id/claim/chongqing-lat" in props


def test_dated_statements_are_sorted_as_dates(client: FlaskClient) -> None:
    html = page(client, "/id/pairing/fujian-ningxia", "fr")
    incoming = html[html.index('id="in-h"'):]
    order = [incoming.index(s) for s in ("22 octobre 2012", "20 juillet 2016", "21 juillet 2016",
                                         "3–4 septembre 2022", "2023 :")]
    assert order == sorted(order)


def test_date_key() -> None:
    assert date_key("2016-07-21") == (2016, 7, 21)
    assert date_key("20 juillet 2016 : x") == (2016, 7, 20)
    assert date_key("1er mai 2020") == (2020, 5, 1)
    assert date_key("2012年10月22日") == (2012, 10, 22)
    assert date_key("sans date") == (9999, 0, 0)
