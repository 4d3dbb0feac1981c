"""The map of the pairings: ``ewkg.web.mapsvg`` (pure rendering) and ``/map.svg`` (HTTP), and the
``_map.html`` partial that pages include."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from ewkg.rdf.namespaces import ID
from ewkg.web import mapsvg
from ewkg.web.app import get_store

SVG = "{http://www.w3.org/2000/svg}"
CHONGQING = str(ID["region/chongqing"])


def region(slug: str) -> str:
    return str(ID[f"region/{slug}"])


def pairing(slug: str) -> str:
    return str(ID[f"pairing/{slug}"])


def parse(svg: str | bytes) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def arrows(root: ET.Element) -> dict[str, ET.Element]:
    """Pairing IRI -> its element (an arrow, or an entry of the list of unplaced pairings)."""
    return {el.get("data-pairing"): el for el in root.iter() if el.get("data-pairing")}


def texts(root: ET.Element) -> str:
    return " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


@pytest.fixture(scope="module")
def store(app: Flask):
    return get_store(app)


def in_force(store, year: int) -> set[str]:
    """Pairings in force in ``year``, computed independently of the map module: from the
    earliest sourced start when a source dates it, else while an arrangement lists it; until
    the end year."""
    query = """
    PREFIX ewkg: <https://w3id.org/ewkg/ontology#>
    PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
    SELECT DISTINCT ?p WHERE {
      ?p ewkg:assistingParty ?a ; ewkg:assistedParty ?b .
      {
        { SELECT ?p (MIN(xsd:integer(STR(?s))) AS ?first) { ?p ewkg:startYear ?s } GROUP BY ?p }
        FILTER (?first <= YEAR)
      } UNION {
        ?x ewkg:includesPairing ?p ; ewkg:fromYear ?f . OPTIONAL { ?x ewkg:untilYear ?u }
        FILTER NOT EXISTS { ?p ewkg:startYear ?any }
        FILTER (xsd:integer(STR(?f)) <= YEAR && (!BOUND(?u) || YEAR <= xsd:integer(STR(?u))))
      }
      FILTER NOT EXISTS { ?p ewkg:endYear ?e FILTER (xsd:integer(STR(?e)) < YEAR) }
    }""".replace("YEAR", str(year))
    return {str(r["p"]) for r in store.select(query)}


def sourced_starts(store) -> dict[str, set[int]]:
    """Every pairing's sourced start years (``ewkg:startYear``)."""
    rows = store.select("""PREFIX ewkg: <https://w3id.org/ewkg/ontology#>
        SELECT ?p ?s { ?p a ewkg:Pairing OPTIONAL { ?p ewkg:startYear ?s } }""")
    found: dict[str, set[int]] = {}
    for r in rows:
        years = found.setdefault(str(r["p"]), set())
        if r.get("s") is not None:
            years.add(int(str(r["s"])[:4]))
    return found


# --- the pure function --------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["fr", "zh", "both"])
@pytest.mark.parametrize("year", [1996, 2005, 2010, 2016, 2021])
def test_every_pairing_in_force_is_on_the_map(store, year: int, lang: str) -> None:
    root = parse(mapsvg.render_map(store, year=year, lang=lang))
    assert root.get("data-year") == str(year) and root.get("data-lang") == lang
    found = arrows(root)
    expected = in_force(store, year)
    assert expected and expected <= set(found)
    for iri in expected:
        el = found[iri]
        a, b = el.get("data-assisting"), el.get("data-assisted")
        assert iri.rsplit("/", 1)[1] == f"{a.rsplit('/', 1)[1]}-{b.rsplit('/', 1)[1]}"


def test_chongqing_in_2005_and_2015(store) -> None:
    found_2005 = arrows(parse(mapsvg.render_map(store, year=2005, lang="fr")))
    assert {pairing("zhuhai-chongqing"), pairing("xiamen-chongqing")} <= set(found_2005)
    assert found_2005[pairing("zhuhai-chongqing")].get("data-assisting") == region("zhuhai")
    assert found_2005[pairing("zhuhai-chongqing")].get("data-assisted") == CHONGQING
    assert pairing("shandong-chongqing") not in found_2005
    found_2015 = arrows(parse(mapsvg.render_map(store, year=2015, lang="fr")))
    assert pairing("shandong-chongqing") in found_2015
    assert pairing("xiamen-chongqing") not in found_2015
    assert pairing("shandong-xinjiang") not in found_2015


def test_undated_sub_pairings_are_drawn_while_their_parent_is_in_force(store) -> None:
    found = arrows(parse(mapsvg.render_map(store, year=2015, lang="zh")))
    jinan = found[pairing("jinan-wulong")]
    assert jinan.get("data-dated") == "false" and "ewm-sub" in jinan.get("class")
    assert pairing("jinan-wulong") not in arrows(
        parse(mapsvg.render_map(store, year=2005, lang="zh"))
    )


def test_labels_follow_the_language(store) -> None:
    fr = texts(parse(mapsvg.render_map(store, year=2005, lang="fr")))
    zh = texts(parse(mapsvg.render_map(store, year=2005, lang="zh")))
    both = texts(parse(mapsvg.render_map(store, year=2005, lang="both")))
    assert "Chongqing" in fr and "重庆" not in fr and "en vigueur en 2005" in fr
    assert "重庆" in zh and "Xiamen" not in zh and "2005年" in zh
    assert "Chongqing" in both and "重庆" in both


def test_year_links_name_the_adjustments(store) -> None:
    root = parse(mapsvg.render_map(store, year=2005, lang="fr", year_href=lambda y: f"?y={y}"))
    years = {el.get("data-year"): el for el in root.iter() if "ewm-year-link" in
             (el.get("class") or "")}  # fmt: skip
    assert set(years) == {"1996", "2002", "2005", "2010", "2013", "2016", "2021"}
    assert years["2005"].get("aria-current") == "true"
    link = years["2010"].find(f"{SVG}a")
    assert link is not None and link.get("href") == "?y=2010"


def test_the_selected_region_is_highlighted(store) -> None:
    root = parse(mapsvg.render_map(store, year=2015, lang="fr", region=CHONGQING))
    dots = {el.get("data-region"): el for el in root.iter() if el.get("data-region")}
    assert dots[CHONGQING].find(f".//{SVG}circle[@class='ewm-ring']") is not None
    found = arrows(root)
    assert "ewm-selected" in found[pairing("shandong-chongqing")].get("class")
    assert "ewm-selected" in found[pairing("jinan-wulong")].get("class")  # a county of Chongqing
    assert "ewm-faded" in found[pairing("fujian-ningxia")].get("class")


def test_regions_without_a_point_of_their_own(store) -> None:
    root = parse(mapsvg.render_map(store, year=2016, lang="fr"))
    found = arrows(root)
    # Chengde and its province have no point: listed as not placed; Linxia is drawn, hollow,
    # near its parent's (Gansu) point
    assert found[pairing("tianjin-chengde")].get("class") == "ewm-pairing ewm-unplaced"
    linxia = next(el for el in root.iter() if el.get("data-region") == region("linxia"))
    assert linxia.get("data-approximate") == "true"
    assert "ewm-approx" in linxia.find(f".//{SVG}circle").get("class")
    assert found[pairing("xiamen-linxia")].get("data-approximate") == "true"


def test_resolve_region(store) -> None:
    assert mapsvg.resolve_region(store, "chongqing") == CHONGQING
    assert mapsvg.resolve_region(store, CHONGQING) == CHONGQING
    assert mapsvg.resolve_region(store, "http://127.0.0.1:5000/id/region/chongqing") == CHONGQING
    assert mapsvg.resolve_region(store, None) is None
    for bad in ("atlantis", "https://example.org/x", "chongqing> } ASK {", "Chongqing"):
        with pytest.raises(ValueError):
            mapsvg.resolve_region(store, bad)


def test_bad_arguments_are_refused(store) -> None:
    with pytest.raises(ValueError):
        mapsvg.render_map(store, year=2005, lang="en")
    with pytest.raises(ValueError):
        mapsvg.render_map(store, year=1800, lang="fr")


def test_names_are_escaped() -> None:
    data = mapsvg.MapData(
        regions={
            "urn:a": mapsvg.Region("urn:a", 'A <&> "B"', "甲<乙>", 40.0, 116.0, provincial=True),
            "urn:b": mapsvg.Region("urn:b", "C & D", "丙", 30.0, 106.0, provincial=True),
        },
        pairings=[mapsvg.Pairing("urn:p", "urn:a", "urn:b", "p", "p", start=2001)],
        years=[2001],
    )
    root = parse(mapsvg.render(data, year=2001, lang="both"))
    assert 'A <&> "B" 甲<乙>' in texts(root)
    assert arrows(root)["urn:p"].get("data-start") == "2001"


def test_an_empty_year_says_so(store) -> None:
    root = parse(mapsvg.render_map(store, year=1990, lang="fr"))
    assert arrows(root) == {}
    assert "Aucun jumelage connu en vigueur en 1990." in texts(root)


# --- HTTP ---------------------------------------------------------------------------------


def test_map_svg_route(client: FlaskClient) -> None:
    response = client.get("/map.svg?year=2010&lang=zh&region=chongqing")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "public" in response.headers["Cache-Control"]
    root = parse(response.data)
    assert root.get("data-year") == "2010" and root.get("data-lang") == "zh"
    assert pairing("shandong-chongqing") in arrows(root)
    etag = response.headers["ETag"]
    again = client.get("/map.svg?year=2010&lang=zh&region=chongqing",
                       headers={"If-None-Match": etag})  # fmt: skip
    assert again.status_code == 304


def test_map_svg_defaults_to_the_latest_adjustment_and_accept_language(
    client: FlaskClient,
) -> None:
    response = client.get("/map.svg", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    root = parse(response.data)
    assert root.get("data-year") == "2010" and root.get("data-lang") == "zh"
    assert root.get("data-list") == "complete"
    assert "Accept-Language" in response.headers["Vary"]
    assert parse(client.get("/map.svg").data).get("data-lang") == "both"


def test_map_svg_links_years_and_entities(client: FlaskClient) -> None:
    root = parse(client.get("/map.svg?year=2005&lang=fr&region=chongqing").data)
    hrefs = {a.get("href") for a in root.iter(f"{SVG}a")}
    assert "/map.svg?year=2010&lang=fr&region=chongqing" in hrefs
    assert "/id/pairing/zhuhai-chongqing" in hrefs
    assert "/id/region/chongqing" in hrefs


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("year=abc", "year"),
        ("year=1800", "year"),
        ("year=2010.5", "year"),
        ("lang=en", "lang"),
        ("region=atlantis", "region"),
        ("region=https://example.org/x", "region"),
    ],
)
def test_map_svg_bad_parameters_are_400(client: FlaskClient, query: str, word: str) -> None:
    response = client.get(f"/map.svg?{query}", headers={"Accept": "text/plain"})
    assert response.status_code == 400
    assert word in response.get_data(as_text=True)


# --- the partial --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("fr", "Carte des jumelages"), ("zh", "结对帮扶地图"), ("both", "结对帮扶地图")],
)
def test_partial_inlines_the_map_with_year_links(app: Flask, lang: str, expected: str) -> None:
    with app.test_request_context(f"/id/region/chongqing?lang={lang}&map_year=2005"):
        html = render_template_string('{% include "_map.html" %}', map_region=CHONGQING)
    assert expected in html
    assert 'id="ewkg-map"' in html
    assert "map_year=2010#ewkg-map" in html
    svg = html[html.index("<svg") : html.index("</svg>") + len("</svg>")]
    root = parse(svg)
    assert root.get("data-year") == "2005"
    assert root.get("data-lang") == ("both" if lang == "both" else lang)
    assert "ewm-selected" in arrows(root)[pairing("zhuhai-chongqing")].get("class")


def test_partial_without_region_or_year(app: Flask) -> None:
    with app.test_request_context("/?lang=fr&map_year=nonsense"):
        html = render_template_string('{% include "_map.html" %}')
    root = parse(html[html.index("<svg") : html.index("</svg>") + len("</svg>")])
    assert root.get("data-year") == "2010"  # the latest year whose list is complete
    assert "/map.svg?year=2010&amp;lang=fr" in html
    assert html.count('class="ewm-year-link"') == 0  # the page lists the years once, itself


# --- what the map says it knows (issue 16) --------------------------------------------------

ADJUSTMENTS = [1996, 2002, 2010, 2013, 2016, 2021]


def test_every_pairing_since_is_its_earliest_sourced_start_or_disputed(store) -> None:
    """Each pairing, on the map of every adjustment year it is in force, shows its earliest
    sourced start, or says its start is disputed, or that no source dates it."""
    starts = sourced_starts(store)
    seen: set[str] = set()
    # the first year each pairing is in force: every pairing is checked at least once
    data = mapsvg.read(store)

    def first_year(p: mapsvg.Pairing) -> int:
        parent = data.pairings.get(p.parent or "")
        return next(y for y in range(1990, 2030)
                    if p.in_force(y, parent is not None and parent.in_force(y)))

    firsts = {first_year(p) for p in data.pairings.values()}
    for year in sorted(firsts | set(ADJUSTMENTS)):
        for lang in ("fr", "zh"):
            root = parse(mapsvg.render_map(store, year=year, lang=lang))
            for iri, el in arrows(root).items():
                seen.add(iri)
                title = "".join(el.find(f"{SVG}title").itertext()) if el.find(
                    f"{SVG}title") is not None else ""
                years = starts[iri]
                if len(years) > 1:
                    assert el.get("data-start-disputed") == "true", (iri, year)
                    assert el.get("data-starts") == " ".join(map(str, sorted(years)))
                    if title:
                        assert ("contesté" if lang == "fr" else "争议") in title
                elif years:
                    assert el.get("data-start") == str(min(years)), (iri, year)
                    assert el.get("data-start-disputed") is None
                    if title:
                        since = f"depuis {min(years)}" if lang == "fr" else f"{min(years)}年起"
                        assert since in title or f"{min(years)}–" in title \
                            or f"{min(years)}—" in title, (iri, title)
                else:
                    assert el.get("data-start") is None, (iri, year)
                    if title and el.get("data-dated") == "true":
                        assert ("non daté" if lang == "fr" else "未载开始年份") in title
    assert seen == set(starts)  # every pairing of the data was checked


def test_the_big_three_of_1996_never_borrow_a_table_date(store) -> None:
    """Shanghai→Yunnan and Guangdong→Guangxi have no sourced start: the map never says "since
    2001" or "since 2016"; Shandong→Xinjiang is dated 1996–2010."""
    for year in (2010, 2016, 2021):
        root = parse(mapsvg.render_map(store, year=year, lang="fr"))
        for slug in ("shanghai-yunnan", "guangdong-guangxi"):
            el = arrows(root).get(pairing(slug))
            if el is None:
                continue
            title = "".join(el.find(f"{SVG}title").itertext())
            assert "depuis 2001" not in title and "depuis 2016" not in title
            assert "depuis 2021" not in title and "non daté" in title
    xinjiang = arrows(parse(mapsvg.render_map(store, year=2010, lang="fr")))[
        pairing("shandong-xinjiang")]
    assert "1996–2010" in "".join(xinjiang.find(f"{SVG}title").itertext())


def test_starting_continuing_and_ending_are_drawn_distinctly(store) -> None:
    root = parse(mapsvg.render_map(store, year=2010, lang="fr"))
    found = arrows(root)
    assert "ewm-ending" in found[pairing("shandong-xinjiang")].get("class")
    assert "ewm-starting" in found[pairing("shandong-chongqing")].get("class")
    assert "ewm-continuing" in found[pairing("fujian-ningxia")].get("class")
    markers = {found[pairing(s)].find(f".//{SVG}path").get("marker-end")
               for s in ("shandong-xinjiang", "shandong-chongqing", "fujian-ningxia")}
    assert len(markers) == 3


@pytest.mark.parametrize("year", ADJUSTMENTS)
@pytest.mark.parametrize("lang", ["fr", "zh"])
def test_the_legend_explains_every_mark(store, year: int, lang: str) -> None:
    root = parse(mapsvg.render_map(store, year=year, lang=lang, region=CHONGQING))
    legend = {el.get("data-legend") for el in root.iter() if el.get("data-legend")}
    drawn: set[str] = set()
    for el in root.iter():
        cls = (el.get("class") or "").split()
        if "ewm-pairing" in cls and "ewm-unplaced" not in cls:
            drawn |= {c[4:] for c in cls} & {"continuing", "starting", "ending", "sub"}
        if el.tag == f"{SVG}circle" and "ewm-dot" in cls:
            drawn |= {c[4:] for c in cls} & {"east", "west", "approx"}
        if el.tag == f"{SVG}circle" and "ewm-ring" in cls:
            drawn.add("selected")
    assert drawn and drawn <= legend, drawn - legend


@pytest.mark.parametrize(("year", "lang", "words"), [
    (2016, "fr", "Liste partielle : {n} jumelages connus en 2016"),
    (2016, "zh", "名单不完整：2016年已知{n}对结对关系"),
    (2021, "fr", "Liste partielle : {n} jumelages connus en 2021"),
    (2021, "zh", "名单不完整：2021年已知{n}对结对关系"),
])
def test_a_partial_year_says_so_with_the_count_known(store, year: int, lang: str,
                                                     words: str) -> None:
    root = parse(mapsvg.render_map(store, year=year, lang=lang, entity_href=lambda i: i))
    assert root.get("data-list") == "partial"
    top_level = {p for p in in_force(store, year)
                 if not store.ask(f"ASK {{ <{p}> <{mapsvg.ID.replace('id/', '')}ontology#"
                                  f"subPairingOf> ?x }}")}
    assert words.format(n=len(top_level)) in texts(root)
    status = next(el for el in root.iter() if el.get("data-list") == "partial" and el is not root)
    link = status.find(f"{SVG}a")
    assert link is not None and "/arrangement/" in link.get("href")  # what is missing


def test_complete_year_and_both_languages(store) -> None:
    root = parse(mapsvg.render_map(store, year=2010, lang="both"))
    assert root.get("data-list") == "complete"
    both = texts(parse(mapsvg.render_map(store, year=2016, lang="both")))
    assert "Liste partielle" in both and "名单不完整" in both


def test_estimated_label_boxes_do_not_overlap(store, monkeypatch) -> None:
    """The placer's own boxes never overlap (the browser test measures the drawn ones)."""
    placers: list = []
    original = mapsvg._Labels.__init__

    def spy(self, dots) -> None:  # noqa: ANN001
        original(self, dots)
        placers.append(self)

    monkeypatch.setattr(mapsvg._Labels, "__init__", spy)
    for year in ADJUSTMENTS:
        mapsvg.render(mapsvg.load(store, year), year=year, lang="both", region=CHONGQING)
    assert len(placers) == len(ADJUSTMENTS)
    for placer in placers:
        boxes = placer.placed
        assert boxes
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not mapsvg._overlap(a, b), (a, b)


def test_partial_lists_years_once_marks_partial_ones_and_lists_pairings(app: Flask) -> None:
    with app.test_request_context("/?lang=fr&map_year=2016"):
        html = render_template_string('{% include "_map.html" %}')
    assert "ewm-year-link" not in html  # the SVG draws no second row of years
    assert html.count('href="/?lang=fr&amp;map_year=2010#ewkg-map"') == 1
    assert 'data-partial="true">2016' in html and 'data-partial="true">2010' not in html
    assert 'data-list="partial"' in html
    # the list view names every pairing in force; the units without a point are listed
    store = get_store(app)
    for iri in in_force(store, 2016):
        assert f'data-pairing="{iri}"' in html
    unplaced = html[html.index('data-unplaced="true"'):]
    unplaced = unplaced[:unplaced.index("</p>")]
    for slug in ("baoding", "zhangjiakou", "chengde", "enshi", "yanbian"):
        assert f"/id/region/{slug}" in unplaced
