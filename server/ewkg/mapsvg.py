"""The pairings as a map: a server-rendered SVG, no tiles, no network.

Eastern partners are joined to their western partners by arrows at the regions' WGS84 points
(``geo:lat`` / ``geo:long``), drawn with an equirectangular projection of the points' bounding
box. A region without a point of its own is drawn, hollow, at its parent region's point, and its
arrows are dashed. The map shows the pairings in force in one year, with links to the years of
the adjustments, and labels in French, Chinese or both.

A pairing is *in force* in year ``Y`` when a source gives its start at or before ``Y``, or an
arrangement that a source dates to a period containing ``Y`` includes it, and no source gives an
end before ``Y`` (the rule of ``queries/50-…``). A sub-pairing with no dates of its own (a city
helping a county inside a provincial pairing) is drawn, dotted, while its parent pairing is in
force.

    >>> project_bounds([(30.0, 100.0), (40.0, 120.0)]).width > 0
    True
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import Literal
from rdflib.term import Identifier

from .namespaces import ID, sparql_prologue
from .store import Store

#: Languages a map can be labelled in.
LANGS = ("fr", "zh", "both")
#: The first and last years a map can be asked for.
YEAR_RANGE = (1949, 2100)
SVG_NS = "http://www.w3.org/2000/svg"
#: Prefix of every class name the map uses (``ewm-pairing``…).
CLASS_PREFIX = "ewm-"

WIDTH = 980
MAP_TOP = 92
MAP_HEIGHT = 600
LEGEND_HEIGHT = 86
MARGIN = 56
LATIN_FONTS = "'Noto Sans','Segoe UI','Helvetica Neue',Arial,'Liberation Sans'"
CJK_FONTS = "'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','PingFang SC','Microsoft YaHei'"


def font_family(lang: str) -> str:
    """Latin fonts first for French (CJK fonts draw French apostrophes full width)."""
    first, second = (CJK_FONTS, LATIN_FONTS) if lang == "zh" else (LATIN_FONTS, CJK_FONTS)
    return f"{first},{second},sans-serif"


TEXT = {
    "title": ("Jumelages Est-Ouest en vigueur en {year}", "{year}年的东西部扶贫协作结对关系"),
    "years": ("Années des réajustements :", "调整年份："),
    "none": ("Aucun jumelage connu en vigueur en {year}.", "{year}年无已知的结对关系。"),
    "arrow": ("aide jumelée (de l’Est vers l’Ouest)", "对口帮扶（东部→西部）"),
    "sub": ("jumelage de niveau inférieur, sans dates propres", "下级结对，来源未给出起止年份"),
    "approx": (
        "position approchée : point de la région de rattachement",
        "位置为近似：取上级行政区的坐标",
    ),
    "east": ("partie aidante", "帮扶方"),
    "west": ("partie aidée", "受帮扶方"),
    "selected": ("région choisie", "所选地区"),
    "note": (
        "Points WGS84 des régions (voir les sources de chaque point) ; projection "
        "équirectangulaire. Ni frontières ni fond de carte.",
        "各地区的 WGS84 坐标点（来源见各点）；等距圆柱投影；不绘制边界和底图。",
    ),
    "since": ("depuis {year}", "{year}年起"),
    "unplaced": ("Sans point connu (non dessinés) :", "无已知坐标（未绘出）："),
    "period": ("{start}–{end}", "{start}—{end}年"),
}


class Bi(str):
    """A text in both languages: reads as "fr · zh", and :func:`_el` writes each part with
    its own ``lang`` (two ``tspan``s in a ``text``; two ``title``s or ``desc``s, as SVG 2
    allows for language alternatives)."""

    fr: str
    zh: str

    def __new__(cls, fr: str, zh: str, sep: str = " · ") -> Bi:
        obj = super().__new__(cls, fr if fr == zh else f"{fr}{sep}{zh}")
        obj.fr, obj.zh = fr, zh
        return obj


def in_lang(lang: str, make: Callable[[str], str]) -> str:
    """``make(lang)``, or for ``both`` a :class:`Bi` of ``make("fr")`` and ``make("zh")``."""
    if lang in ("fr", "zh"):
        return make(lang)
    return Bi(make("fr"), make("zh"))


def tr(key: str, lang: str, **kw: object) -> str:
    """``TEXT[key]`` in ``lang`` (``both``: French, then Chinese)."""
    fr, zh = TEXT[key]
    return in_lang(lang, lambda lg: (fr if lg == "fr" else zh).format(**kw))


@dataclass
class Region:
    iri: str
    fr: str
    zh: str
    lat: float | None = None
    long: float | None = None
    parent: str | None = None
    provincial: bool = False
    approximate: bool = False

    def name(self, lang: str) -> str:
        if lang == "fr":
            return self.fr
        if lang == "zh":
            return self.zh
        return Bi(self.fr, self.zh, " ")


@dataclass
class Pairing:
    iri: str
    assisting: str
    assisted: str
    fr: str
    zh: str
    start: int | None = None
    end: int | None = None
    dated: bool = True


@dataclass
class MapData:
    regions: dict[str, Region]
    pairings: list[Pairing]
    years: list[int]
    extra: dict[str, list[str]] = field(default_factory=dict)


def _int(term: Identifier | None) -> int | None:
    if term is None:
        return None
    try:
        return int(str(term)[:4])
    except ValueError:
        return None


def _label(row: dict[str, Identifier], key: str, fallback: str) -> str:
    value = row.get(key)
    return str(value) if isinstance(value, Literal) else fallback


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


REGIONS_QUERY = """
SELECT ?r ?lat ?long ?fr ?zh ?parent ?provincial WHERE {
  { ?r a/rdfs:subClassOf* ewkg:Region } UNION { ?p ewkg:assistingParty|ewkg:assistedParty ?r }
  OPTIONAL { ?r geo:lat ?lat ; geo:long ?long }
  OPTIONAL { ?r skos:prefLabel ?fr FILTER (LANG(?fr) = "fr") }
  OPTIONAL { ?r skos:prefLabel ?zh FILTER (LANG(?zh) = "zh") }
  OPTIONAL { ?r ewkg:parentRegion ?parent }
  BIND (EXISTS { ?r a/rdfs:subClassOf* ewkg:ProvinceLevelDivision } AS ?provincial)
}
"""

#: Pairings in force in ``{year}``, with their dates (see the module docstring).
PAIRINGS_QUERY = """
SELECT ?pairing ?a ?b ?fr ?zh (MIN(?from) AS ?start) (MAX(?endYear) AS ?end) WHERE {
  ?pairing ewkg:assistingParty ?a ; ewkg:assistedParty ?b .
  {
    ?pairing ewkg:startYear ?s .
    BIND (xsd:integer(STR(?s)) AS ?from)
  } UNION {
    ?arrangement ewkg:includesPairing ?pairing ; ewkg:fromYear ?f .
    OPTIONAL { ?arrangement ewkg:untilYear ?u }
    BIND (xsd:integer(STR(?f)) AS ?from)
    BIND (xsd:integer(STR(?u)) AS ?until)
  }
  FILTER (?from <= {year} && (!BOUND(?until) || {year} <= ?until))
  FILTER NOT EXISTS {
    ?pairing ewkg:endYear ?e0 .
    FILTER (xsd:integer(STR(?e0)) < {year})
  }
  OPTIONAL { ?pairing ewkg:endYear ?e1 . BIND (xsd:integer(STR(?e1)) AS ?endYear) }
  OPTIONAL { ?pairing skos:prefLabel ?fr FILTER (LANG(?fr) = "fr") }
  OPTIONAL { ?pairing skos:prefLabel ?zh FILTER (LANG(?zh) = "zh") }
}
GROUP BY ?pairing ?a ?b ?fr ?zh
"""

#: Sub-pairings without dates of their own (drawn while their parent pairing is in force).
SUBPAIRINGS_QUERY = """
SELECT ?pairing ?a ?b ?fr ?zh ?parent WHERE {
  ?pairing ewkg:subPairingOf ?parent ; ewkg:assistingParty ?a ; ewkg:assistedParty ?b .
  FILTER NOT EXISTS { ?pairing ewkg:startYear ?s }
  FILTER NOT EXISTS { ?pairing ewkg:endYear ?e }
  FILTER NOT EXISTS { ?arr ewkg:includesPairing ?pairing }
  OPTIONAL { ?pairing skos:prefLabel ?fr FILTER (LANG(?fr) = "fr") }
  OPTIONAL { ?pairing skos:prefLabel ?zh FILTER (LANG(?zh) = "zh") }
}
"""

#: Years of the events that started or ended pairings (the adjustments).
YEARS_QUERY = """
SELECT DISTINCT ?year WHERE {
  ?event ewkg:year ?year ;
         ewkg:startedPairing|ewkg:resultingPairing|ewkg:endedPairing ?pairing .
}
"""


def load(store: Store, year: int) -> MapData:
    """Everything the map of ``year`` shows, read through the store's trusted API."""
    prologue = sparql_prologue()
    regions: dict[str, Region] = {}
    for row in store.select(prologue + REGIONS_QUERY):
        iri = str(row["r"])
        if iri in regions and regions[iri].lat is not None:
            continue
        slug = _slug(iri)
        lat, long = row.get("lat"), row.get("long")
        regions[iri] = Region(
            iri=iri,
            fr=_label(row, "fr", slug),
            zh=_label(row, "zh", _label(row, "fr", slug)),
            lat=float(lat) if lat is not None else None,
            long=float(long) if long is not None else None,
            parent=str(row["parent"]) if row.get("parent") is not None else None,
            provincial=bool(row.get("provincial") and row["provincial"].toPython()),
        )
    pairings: list[Pairing] = []
    in_force: set[str] = set()
    for row in store.select(prologue + PAIRINGS_QUERY.replace("{year}", str(int(year)))):
        iri = str(row["pairing"])
        in_force.add(iri)
        a, b = str(row["a"]), str(row["b"])
        pairings.append(
            Pairing(
                iri=iri,
                assisting=a,
                assisted=b,
                fr=_label(row, "fr", _slug(iri)),
                zh=_label(row, "zh", _label(row, "fr", _slug(iri))),
                start=_int(row.get("start")),
                end=_int(row.get("end")),
            )
        )
    for row in store.select(prologue + SUBPAIRINGS_QUERY):
        if str(row["parent"]) in in_force and str(row["pairing"]) not in in_force:
            iri = str(row["pairing"])
            pairings.append(
                Pairing(
                    iri=iri,
                    assisting=str(row["a"]),
                    assisted=str(row["b"]),
                    fr=_label(row, "fr", _slug(iri)),
                    zh=_label(row, "zh", _label(row, "fr", _slug(iri))),
                    dated=False,
                )
            )
    pairings.sort(key=lambda p: p.iri)
    years = sorted({y for r in store.select(prologue + YEARS_QUERY) if (y := _int(r["year"]))})
    return MapData(regions=regions, pairings=pairings, years=years)


SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def resolve_region(store: Store, value: str | None) -> str | None:
    """The IRI of the region ``value`` names: its IRI, an ``…/id/region/{slug}`` URL or the slug.

    >>> resolve_region(None, None) is None  # type: ignore[arg-type]
    True

    Raises:
        ValueError: ``value`` names no region of the dataset.
    """
    if not value:
        return None
    slug = value.strip().rstrip("/")
    if "/" in slug:
        if "/id/region/" not in slug:
            raise ValueError(f"not a region IRI: {value}")
        slug = slug.split("/id/region/", 1)[1]
    if not SLUG.match(slug):
        raise ValueError(f"not a region slug: {value}")
    iri = f"{ID}region/{slug}"
    if not store.ask(f"ASK {{ <{iri}> ?p ?o }}"):
        raise ValueError(f"unknown region: {value}")
    return iri


# --- geometry -------------------------------------------------------------------------------


@dataclass
class Bounds:
    """An equirectangular projection of a lat/long box onto the map area."""

    min_lat: float
    max_lat: float
    min_long: float
    max_long: float
    width: float = WIDTH - 2 * MARGIN
    height: float = MAP_HEIGHT - 2 * MARGIN

    def __post_init__(self) -> None:
        k = math.cos(math.radians((self.min_lat + self.max_lat) / 2))
        span_x = max((self.max_long - self.min_long) * k, 1e-6)
        span_y = max(self.max_lat - self.min_lat, 1e-6)
        self.scale = min(self.width / span_x, self.height / span_y)
        self.k = k
        self.dx = MARGIN + (self.width - span_x * self.scale) / 2
        self.dy = MAP_TOP + MARGIN + (self.height - span_y * self.scale) / 2

    def xy(self, lat: float, long: float) -> tuple[float, float]:
        x = self.dx + (long - self.min_long) * self.k * self.scale
        y = self.dy + (self.max_lat - lat) * self.scale
        return round(x, 1), round(y, 1)


def project_bounds(points: list[tuple[float, float]]) -> Bounds:
    """The projection of the bounding box of ``points`` (lat, long)."""
    if not points:
        points = [(20.0, 85.0), (45.0, 125.0)]
    lats = [p[0] for p in points]
    longs = [p[1] for p in points]
    return Bounds(min(lats), max(lats), min(longs), max(longs))


def place(
    data: MapData, focus: set[str] | None = None
) -> tuple[Bounds, dict[str, tuple[float, float]]]:
    """Screen positions: a region's own point, else its parent's point, slightly offset.

    The projected box is that of the ``focus`` regions' points (or their parents' points) when
    there are at least two, else of every point.
    """

    def point(iri: str) -> tuple[float, float] | None:
        r = data.regions.get(iri)
        for candidate in (r, data.regions.get(r.parent or "") if r else None):
            if candidate is not None and candidate.lat is not None and candidate.long is not None:
                return (candidate.lat, candidate.long)
        return None

    points = {pt for iri in (focus or ()) if (pt := point(iri))}
    if len(points) < 2:
        points = {(r.lat, r.long) for r in data.regions.values() if r.lat is not None}  # type: ignore[misc]
    bounds = project_bounds(sorted(points))
    pos: dict[str, tuple[float, float]] = {}
    top, bottom = MAP_TOP + 6, MAP_TOP + MAP_HEIGHT - 6
    for r in data.regions.values():
        if r.lat is not None and r.long is not None:
            x, y = bounds.xy(r.lat, r.long)
            if MARGIN / 4 + 6 <= x <= WIDTH - MARGIN / 4 - 6 and top <= y <= bottom:
                pos[r.iri] = (x, y)
    children: dict[str, int] = {}
    for r in sorted(data.regions.values(), key=lambda r: r.iri):
        if r.iri in pos:
            continue
        parent = data.regions.get(r.parent or "")
        if parent is not None and parent.iri in pos:
            n = children.get(parent.iri, 0)
            children[parent.iri] = n + 1
            angle = math.radians(200 + 47 * n)
            radius = 20 + 6 * (n // 7)
            px, py = pos[parent.iri]
            pos[r.iri] = (
                round(px + radius * math.cos(angle), 1),
                round(py + radius * math.sin(angle), 1),
            )
            r.approximate = True
    return bounds, pos


# --- rendering ------------------------------------------------------------------------------


def _text_width(text: str, size: float) -> float:
    wide = sum(1 for ch in text if ord(ch) > 0x2E80)
    return (wide * 1.0 + (len(text) - wide) * 0.52) * size


class _Labels:
    """Greedy placement: the first of a few positions that overlaps no placed label or dot."""

    def __init__(self, dots: list[tuple[float, float]]) -> None:
        self.boxes: list[tuple[float, float, float, float]] = [
            (x - 4, y - 4, x + 4, y + 4) for x, y in dots
        ]

    def place(self, x: float, y: float, w: float, h: float, force: bool) -> tuple | None:
        candidates = [
            (x + 7, y + h / 3, "start"),
            (x - 7, y + h / 3, "end"),
            (x, y - 8, "middle"),
            (x, y + h + 5, "middle"),
            (x + 7, y - h / 2, "start"),
            (x + 7, y + h + 2, "start"),
            (x - 7, y - h / 2, "end"),
            (x - 7, y + h + 2, "end"),
        ]
        for tx, ty, anchor in candidates:
            left = tx if anchor == "start" else tx - w if anchor == "end" else tx - w / 2
            box = (left - 1, ty - h, left + w + 1, ty + 3)
            inside = box[0] > MARGIN / 4 and box[2] < WIDTH - 4 and box[1] > MAP_TOP
            if inside and not any(_overlap(box, b) for b in self.boxes):
                self.boxes.append(box)
                return tx, ty, anchor
        if force:
            tx, ty, anchor = candidates[0]
            self.boxes.append((tx, ty - h, tx + w, ty + 3))
            return tx, ty, anchor
        return None


def _overlap(a: tuple, b: tuple) -> bool:
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])


def _curve(a: tuple[float, float], b: tuple[float, float], bend: float) -> str:
    (x1, y1), (x2, y2) = a, b
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    # stop short of the target dot so the arrowhead stays visible
    shorten = min(7.0, length / 3)
    x2s, y2s = x2 - dx / length * shorten, y2 - dy / length * shorten
    mx, my = (x1 + x2s) / 2, (y1 + y2s) / 2
    cx, cy = mx - dy / length * length * bend, my + dx / length * length * bend
    return f"M{x1:.1f},{y1:.1f} Q{cx:.1f},{cy:.1f} {x2s:.1f},{y2s:.1f}"


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    values = {k.rstrip("_").replace("_", "-"): str(v) for k, v in attrs.items() if v is not None}
    if "class" in values:  # prefixed: an inline SVG's style sheet applies to the whole page
        values["class"] = " ".join(CLASS_PREFIX + c for c in values["class"].split())
    if isinstance(text, Bi) and text.fr != text.zh:
        if tag in ("title", "desc"):
            el = ET.SubElement(parent, tag, {**values, "lang": "fr"})
            el.text = text.fr
            ET.SubElement(parent, tag, {**values, "lang": "zh"}).text = text.zh
            return el
        el = ET.SubElement(parent, tag, values)
        fr = ET.SubElement(el, "tspan", {"lang": "fr"})
        fr.text = text.fr
        fr.tail = str(text)[len(text.fr) : len(text) - len(text.zh)]
        ET.SubElement(el, "tspan", {"lang": "zh"}).text = text.zh
        return el
    el = ET.SubElement(parent, tag, values)
    if text is not None:
        el.text = text
    return el


def _pairing_data(p: Pairing) -> dict[str, object]:
    """The ``data-*`` attributes that name a pairing's element: its IRI, parties and years."""
    return {
        "data_pairing": p.iri,
        "data_assisting": p.assisting,
        "data_assisted": p.assisted,
        "data_start": p.start,
        "data_end": p.end,
        "data_dated": str(p.dated).lower(),
    }


def _pairing_name(data: MapData, p: Pairing, lang: str) -> str:
    """“Assisting → assisted” in ``lang``."""
    return f"{data.regions[p.assisting].name(lang)} → {data.regions[p.assisted].name(lang)}"


def _lang_attr(lang: str) -> str | None:
    return lang if lang in ("fr", "zh") else None


def render_map(
    store: Store,
    *,
    year: int,
    lang: str = "fr",
    region: str | None = None,
    year_href: Callable[[int], str] | None = None,
    entity_href: Callable[[str], str] | None = None,
) -> str:
    """The SVG map of the pairings in force in ``year``, labelled in ``lang``.

    Args:
        store: where the regions and pairings are read.
        year: the year shown.
        lang: ``fr``, ``zh`` or ``both``.
        region: IRI of the region to highlight (see :func:`resolve_region`).
        year_href: URL of the map of another year (year links); none if not given.
        entity_href: URL of an entity's page (links on dots and arrows); none if not given.

    Raises:
        ValueError: ``year`` or ``lang`` is not acceptable.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}")
    if not YEAR_RANGE[0] <= int(year) <= YEAR_RANGE[1]:
        raise ValueError(f"year must be between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}")
    data = load(store, int(year))
    return render(
        data, year=int(year), lang=lang, region=region, year_href=year_href, entity_href=entity_href
    )


def render(
    data: MapData,
    *,
    year: int,
    lang: str,
    region: str | None = None,
    year_href: Callable[[int], str] | None = None,
    entity_href: Callable[[str], str] | None = None,
) -> str:
    """Render already-loaded map data (see :func:`render_map`)."""
    focus = {p.assisting for p in data.pairings} | {p.assisted for p in data.pairings}
    bounds, pos = place(data, focus | ({region} if region else set()))
    height = MAP_TOP + MAP_HEIGHT + LEGEND_HEIGHT
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "width": str(WIDTH),
            "height": str(height),
            "viewBox": f"0 0 {WIDTH} {height}",
            "role": "img",
            "aria-labelledby": "ewm-title ewm-desc",
            "data-year": str(year),
            "data-lang": lang,
            "font-family": font_family(lang),
        },
    )
    if lang in ("fr", "zh"):
        svg.set("xml:lang", lang)
    title = tr("title", lang, year=year)
    _el(svg, "title", title, id="ewm-title")
    shown = [p for p in data.pairings if p.assisting in pos and p.assisted in pos]
    desc = in_lang(
        lang,
        lambda lg: "; ".join(_pairing_name(data, p, lg) for p in shown)
        or tr("none", lg, year=year),
    )
    _el(svg, "desc", desc, id="ewm-desc")
    defs = _el(svg, "defs")
    for name, color in (
        ("ewm-arrow", "#b4541a"),
        ("ewm-arrow-sel", "#c0182a"),
        ("ewm-arrow-sub", "#8a6d55"),
    ):
        marker = _el(
            defs,
            "marker",
            id=name,
            viewBox="0 0 10 10",
            refX="8",
            refY="5",
            markerWidth="7",
            markerHeight="7",
            orient="auto-start-reverse",
        )
        _el(marker, "path", d="M0,1 L9,5 L0,9 z", fill=color)
    _el(
        svg,
        "style",
        (
            ".ewm-bg{fill:#f7f4ee}.ewm-frame{fill:#fbfaf7;stroke:#d9d2c3}"
            ".ewm-pairing path{fill:none;stroke:#b4541a;stroke-width:1.6;opacity:.85}"
            ".ewm-pairing.ewm-sub path{stroke:#8a6d55;stroke-width:1;stroke-dasharray:1.5 3}"
            ".ewm-pairing.ewm-approx path{stroke-dasharray:5 3}"
            ".ewm-pairing.ewm-selected path{stroke:#c0182a;stroke-width:2.6;opacity:1}"
            ".ewm-faded{opacity:.28}"
            ".ewm-dot{fill:#9a958c}.ewm-dot.ewm-east{fill:#b4541a}.ewm-dot.ewm-west{fill:#1f6f78}"
            ".ewm-dot.ewm-approx{fill:#fff;stroke-width:1.5}.ewm-dot.ewm-approx.ewm-east{stroke:#b4541a}"
            ".ewm-dot.ewm-approx.ewm-west{stroke:#1f6f78}.ewm-dot.ewm-approx.ewm-idle{stroke:#9a958c}"
            ".ewm-ring{fill:none;stroke:#c0182a;stroke-width:2.5}"
            ".ewm-label{fill:#2b2620;paint-order:stroke;stroke:#fbfaf7;stroke-width:3px;"
            "stroke-linejoin:round}.ewm-label.ewm-small{fill:#5b544b}.ewm-label.ewm-sel{fill:#c0182a;font-weight:700}"
            ".ewm-head{fill:#2b2620}.ewm-year{fill:#1f4e8c}.ewm-year.ewm-current{fill:#fff;font-weight:700}"
            ".ewm-chip{fill:#e9e3d6}.ewm-chip.ewm-current{fill:#1f4e8c}.ewm-legend{fill:#4a443c}"
            "a:hover .ewm-year{text-decoration:underline}"
        ),
    )
    background = _el(svg, "rect", class_="bg", x=0, y=0, width=WIDTH, height=height)
    _el(
        svg,
        "rect",
        class_="frame",
        x=MARGIN / 4,
        y=MAP_TOP,
        width=WIDTH - MARGIN / 2,
        height=MAP_HEIGHT,
        rx=8,
    )

    # header: title and the year links
    lines = [tr("title", lg, year=year) for lg in (("fr", "zh") if lang == "both" else (lang,))]
    for i, line in enumerate(lines):
        _el(
            svg,
            "text",
            line,
            class_="head",
            x=MARGIN / 4,
            y=26 + 22 * i,
            font_size=20 if i == 0 else 17,
            font_weight=700 if i == 0 else 400,
            lang=_lang_attr(lang) or ("fr" if i == 0 else "zh"),
        )
    years_y = 26 + 22 * len(lines) + 12
    label = tr("years", lang)
    _el(svg, "text", label, class_="legend", x=MARGIN / 4, y=years_y, font_size=13)
    x = MARGIN / 4 + _text_width(label, 13) + 10
    for y in sorted(set(data.years) | {year}):
        current = y == year
        group = _el(svg, "g", class_="year-link", data_year=y)
        target = group
        if year_href is not None and not current:
            target = _el(group, "a", href=year_href(y))
        _el(
            target,
            "rect",
            class_="chip current" if current else "chip",
            x=x - 5,
            y=years_y - 14,
            width=44,
            height=20,
            rx=10,
        )
        _el(
            target,
            "text",
            str(y),
            class_="year current" if current else "year",
            x=x + 17,
            y=years_y + 1,
            font_size=13,
            text_anchor="middle",
        )
        if current:
            group.set("aria-current", "true")
        x += 52

    # arrows
    selected = region
    east = {p.assisting for p in shown}
    west = {p.assisted for p in shown}
    arrows = _el(svg, "g", class_="pairings")
    for i, p in enumerate(shown):
        a, b = pos[p.assisting], pos[p.assisted]
        approx = data.regions[p.assisting].approximate or data.regions[p.assisted].approximate
        is_sel = selected is not None and bool(
            {selected}
            & {
                p.assisting,
                p.assisted,
                data.regions[p.assisting].parent,
                data.regions[p.assisted].parent,
            }
        )
        classes = ["pairing"]
        if not p.dated:
            classes.append("sub")
        if approx:
            classes.append("approx")
        if is_sel:
            classes.append("selected")
        elif selected is not None:
            classes.append("faded")
        group = _el(
            arrows,
            "g",
            class_=" ".join(classes),
            data_approximate=str(approx).lower(),
            **_pairing_data(p),
        )
        def pairing_title(lg: str, p: Pairing = p) -> str:
            when = ""
            if p.start is not None and p.end is not None:
                when = f" ({tr('period', lg, start=p.start, end=p.end)})"
            elif p.start is not None:
                when = f" ({tr('since', lg, year=p.start)})"
            return f"{_pairing_name(data, p, lg)}{when}"

        _el(group, "title", in_lang(lang, pairing_title))
        target = group
        if entity_href is not None:
            target = _el(group, "a", href=entity_href(p.iri), target="_top")
        bend = 0.12 + 0.05 * (i % 3)
        marker = "ewm-arrow-sel" if is_sel else "ewm-arrow-sub" if not p.dated else "ewm-arrow"
        _el(target, "path", d=_curve(a, b, bend), marker_end=f"url(#{marker})")

    # dots and labels
    involved = east | west | ({selected} if selected else set())
    dots = _el(svg, "g", class_="regions")
    placer = _Labels([pos[r] for r in involved if r in pos])
    order = sorted(
        (r for r in data.regions.values() if r.iri in pos),
        key=lambda r: (r.iri != selected, not r.provincial, r.iri not in involved, r.iri),
    )
    for r in order:
        x, y = pos[r.iri]
        role = "east" if r.iri in east else "west" if r.iri in west else "idle"
        classes = ["dot", role] + (["approx"] if r.approximate else [])
        faded = selected is not None and r.iri not in involved
        group = _el(
            dots,
            "g",
            class_="region" + (" faded" if faded else ""),
            data_region=r.iri,
            data_role=role,
        )
        _el(group, "title", r.name(lang))
        target = group
        if entity_href is not None:
            target = _el(group, "a", href=entity_href(r.iri), target="_top")
        radius = 4.5 if r.provincial else 3
        if r.iri not in involved:
            radius = 2.2
        _el(target, "circle", class_=" ".join(classes), cx=x, cy=y, r=radius)
        if r.iri == selected:
            _el(target, "circle", class_="ring", cx=x, cy=y, r=9)
        if r.iri not in involved:
            continue
        text = r.name(lang)
        size = 13 if r.provincial or r.iri == selected else 10.5
        spot = placer.place(
            x, y, _text_width(text, size), size, force=r.provincial or r.iri == selected
        )
        if spot is None:
            continue
        tx, ty, anchor = spot
        cls = "label" + ("" if r.provincial else " small") + (" sel" if r.iri == selected else "")
        _el(
            target,
            "text",
            text,
            class_=cls,
            x=round(tx, 1),
            y=round(ty, 1),
            font_size=size,
            text_anchor=anchor,
            lang=_lang_attr(lang),
        )
    if not shown:
        _el(
            svg,
            "text",
            tr("none", lang, year=year),
            class_="legend",
            x=WIDTH / 2,
            y=MAP_TOP + MAP_HEIGHT / 2,
            font_size=16,
            text_anchor="middle",
        )

    # legend: one entry per line group, wrapped to the width
    legend = _el(svg, "g", class_="legend-box", font_size=12)
    entries: list[tuple[str, str]] = [
        ("arrow", tr("arrow", lang)),
        ("sub", tr("sub", lang)),
        ("approx", tr("approx", lang)),
        ("east", tr("east", lang)),
        ("west", tr("west", lang)),
    ]
    if selected:
        entries.append(("selected", tr("selected", lang)))
    lx, ly = MARGIN / 4, MAP_TOP + MAP_HEIGHT + 24
    for kind, text in entries:
        wide = kind in ("arrow", "sub", "approx")
        step = (34 if wide else 16) + _text_width(text, 12) + 24
        if lx + step > WIDTH - 8:
            lx, ly = MARGIN / 4, ly + 20
        if wide:
            dash = {"arrow": None, "sub": "1.5 3", "approx": "5 3"}[kind]
            color = "#8a6d55" if kind == "sub" else "#b4541a"
            _el(
                legend,
                "path",
                d=f"M{lx},{ly - 4} L{lx + 26},{ly - 4}",
                stroke=color,
                stroke_width=1.6,
                stroke_dasharray=dash,
                fill="none",
                marker_end=f"url(#{'ewm-arrow-sub' if kind == 'sub' else 'ewm-arrow'})",
            )
            _el(legend, "text", text, class_="legend", x=lx + 34, y=ly)
        elif kind == "selected":
            _el(legend, "circle", class_="ring", cx=lx + 6, cy=ly - 4, r=6)
            _el(legend, "text", text, class_="legend", x=lx + 16, y=ly)
        else:
            _el(legend, "circle", class_=f"dot {kind}", cx=lx + 5, cy=ly - 4, r=4.5)
            _el(legend, "text", text, class_="legend", x=lx + 16, y=ly)
        lx += step
    ly += 22
    # pairings that cannot be drawn: no point for a party nor for its parent
    unplaced = [p for p in data.pairings if p not in shown]
    if unplaced:
        box = _el(svg, "g", class_="unplaced", font_size=12)
        head = tr("unplaced", lang)
        _el(box, "text", head, class_="legend", x=MARGIN / 4, y=ly, font_weight=700)
        lx = MARGIN / 4 + _text_width(head, 12) + 10
        for p in unplaced:
            text = in_lang(lang, lambda lg, p=p: _pairing_name(data, p, lg))
            step = _text_width(text, 12) + 18
            if lx + step > WIDTH - 8:
                lx, ly = MARGIN / 4 + 12, ly + 18
            group = _el(
                box,
                "g",
                class_="pairing unplaced",
                **_pairing_data(p),
            )
            target = group
            if entity_href is not None:
                target = _el(group, "a", href=entity_href(p.iri), target="_top")
            _el(target, "text", text, class_="legend", x=round(lx, 1), y=ly, lang=_lang_attr(lang))
            lx += step
        ly += 22
    for i, lg in enumerate(("fr", "zh") if lang == "both" else (lang,)):
        _el(
            svg,
            "text",
            tr("note", lg),
            class_="legend",
            x=MARGIN / 4,
            y=ly + 16 * i,
            font_size=11,
            lang=lg,
        )
    ly += 16 * (lang == "both")
    height = int(ly + 16)
    svg.set("height", str(height))
    svg.set("viewBox", f"0 0 {WIDTH} {height}")
    background.set("height", str(height))
    return ET.tostring(svg, encoding="unicode", xml_declaration=False)
