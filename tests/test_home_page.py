"""The home page is for people first (issue 16): what this is in one sentence, the counts people
use, a search box, the map early, "start here" entries; the technical counts in the developer
section; cards led by what people read, modelling records last."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ("régions", "jumelages", "sources citées", "Par où commencer")),
    ("zh", ("个地区", "对结对关系", "份来源文献", "从这里开始")),
])
def test_home_for_people(client: FlaskClient, lang: str, words: tuple[str, ...]) -> None:
    html = client.get(f"/?lang={lang}").get_data(as_text=True)
    main = html[html.index('<main'):]
    intro = main[:main.index("</section>")]
    for word in words[:3]:
        assert word in intro
    assert 'role="search"' in intro
    assert intro.count('class="lead"') == 1  # one sentence, not two paragraphs saying it twice
    order = [main.index(s) for s in ('class="intro"', 'id="ewkg-map"', 'class="start-here"',
                                     'class="developers"', 'id="downloads"')]
    assert order == sorted(order)
    start = main[main.index('class="start-here"'):main.index('class="developers"')]
    assert words[3] in start
    for href in ("/id/programme/east-west-cooperation", "/id/pairing/", "/id/model/",
                 "/id/lesson/", "/id/source/"):
        assert f'href="{href}' in start
    # jargon counts only in the developer section
    jargon = "triplets" if lang == "fr" else "个三元组"
    assert main.index(jargon) > main.index('class="developers"')


def test_cards_put_modelling_records_last(client: FlaskClient) -> None:
    html = client.get("/?lang=fr").get_data(as_text=True)
    cards = html[html.index('id="kinds-h"'):]
    assert cards.index("/id/programme/") < cards.index("/id/pairing/") < cards.index("/id/claim/")
    assert cards.index("/id/region/") < cards.index("/id/count/") < cards.index("/id/dataset/")
