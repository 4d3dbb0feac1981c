"""The pairings as a map: a server-rendered SVG, no tiles, no network.

Eastern partners are joined to their western partners by arrows at the regions' WGS84 points
(``geo:lat`` / ``geo:long``, each cited in ``data/``), drawn with an equirectangular projection
of the points' bounding box. A region without a point of its own is drawn, hollow, near its
parent region's point; one whose parent has no point either is listed as *not placed*. No
coordinate is made up.

A pairing is *in force* in year ``Y``:

* when a source dates its start (``ewkg:startYear``): from its earliest sourced start;
* otherwise when an arrangement that a source dates to a period containing ``Y`` lists it;
* an undated sub-pairing (a city helping a county inside a provincial pairing) while its parent
  pairing is in force;

and in every case until its ``ewkg:endYear`` (inclusive). Its "since" year is its earliest
sourced start; sources that disagree (Fujian–Ningxia: 1996, 1997) make it *disputed*, and a
pairing no source dates says so rather than borrowing the dates of the table that lists it.

A year's list is *complete* when the arrangement in force that year (the latest one dated at
or before it, if its period covers the year) states how many eastern and western parties it
has, and the pairings known in force reach those counts; otherwise the map says the list is
partial, with the count of pairings known and the arrangement's own note.

    >>> project_bounds([(30.0, 100.0), (40.0, 120.0)]).width > 0
    True
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from copy import copy
from dataclasses import dataclass, field, replace
from typing import Any

from rdflib import Literal
from rdflib.term import Identifier

from ewkg.rdf.namespaces import ID, sparql_prologue
from ewkg.store.embedded import Store
from ewkg.strings import BOTH, LANGS, MAP, MAP_LANGS

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
#: Smallest font size used anywhere on the map (px at scale 1).
MIN_FONT = 11
LATIN_FONTS = "'Noto Sans','Segoe UI','Helvetica Neue',Arial,'Liberation Sans'"
CJK_FONTS = "'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','PingFang SC','Microsoft YaHei'"


def font_family(lang: str) -> str:
    """Latin fonts first for French (CJK fonts draw French apostrophes full width)."""
    first, second = (CJK_FONTS, LATIN_FONTS) if lang == "zh" else (LATIN_FONTS, CJK_FONTS)
    return f"{first},{second},sans-serif"


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


def _true(value: Identifier | None) -> bool:
    """Whether ``value`` is a literal that reads as true (``"true"^^xsd:boolean``, ``1``…)."""
    return isinstance(value, Literal) and bool(value.toPython())


def in_lang(lang: str, make: Callable[[str], str]) -> str:
    """``make(lang)``, or for ``both`` a :class:`Bi` of ``make("fr")`` and ``make("zh")``."""
    if lang in LANGS:
        return make(lang)
    return Bi(make("fr"), make("zh"))


def tr(key: str, lang: str, **kw: object) -> str:
    """The map text ``key`` (:data:`ewkg.strings.MAP`) in ``lang`` (``both``: French, then
    Chinese)."""
    texts = MAP[key]
    return in_lang(lang, lambda lg: texts[lg].format(**kw))


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
    """A pairing with the dates its sources give.

    ``starts`` are its sourced start years (``ewkg:startYear``), oldest first; ``listed`` the
    periods of the arrangements that list it; ``status`` is set per year by :func:`load`
    (``starting``, ``continuing`` or ``ending``).
    """

    iri: str
    assisting: str
    assisted: str
    fr: str
    zh: str
    start: int | None = None
    end: int | None = None
    dated: bool = True
    starts: tuple[int, ...] = ()
    listed: tuple[tuple[int, int | None], ...] = ()
    parent: str | None = None
    level: str | None = None
    status: str = "continuing"

    def __post_init__(self) -> None:
        if self.start is not None and not self.starts:
            self.starts = (self.start,)
        if self.starts:
            self.starts = tuple(sorted(set(self.starts)))
            self.start = self.starts[0]

    @property
    def disputed(self) -> bool:
        """Sources give more than one start year."""
        return len(self.starts) > 1

    def in_force(self, year: int, parent_in_force: bool = False) -> bool:
        """In force in ``year`` by the rule of the module docstring."""
        if self.end is not None and year > self.end:
            return False
        if self.starts:
            return self.starts[0] <= year
        if self.listed:
            return any(f <= year and (u is None or year <= u) for f, u in self.listed)
        return not self.dated and parent_in_force

    def when(self, lang: str) -> str:
        """Its dates in ``lang``: "depuis 1996", "1996–2010", "début contesté : 1996, 1997"…"""

        def make(lg: str) -> str:
            if self.disputed:
                text = tr("disputed", lg,
                          years=MAP["year_sep"][lg].join(map(str, self.starts)))
                if self.end is not None:
                    text += MAP["until_sep"][lg] + tr("until", lg, year=self.end)
                return text
            if self.start is not None and self.end is not None:
                return tr("period", lg, start=self.start, end=self.end)
            if self.start is not None:
                return tr("since", lg, year=self.start)
            if not self.dated:
                return tr("sub", lg)
            parts = [tr("undated", lg)]
            for f, u in self.listed:
                period = (tr("period", lg, start=f, end=u) if u is not None
                          else tr("open_period", lg, start=f))
                parts.append(tr("listed", lg, period=period))
            if self.end is not None:
                parts.append(tr("until", lg, year=self.end))
            return MAP["clause_sep"][lg].join(parts)

        return in_lang(lang, make)


@dataclass
class Arrangement:
    """A pairing structure a source lists for a period (``ewkg:Arrangement``)."""

    iri: str
    start: int
    until: int | None = None
    eastern: int | None = None
    western: int | None = None
    lists: bool = False
    fr: str = ""
    zh: str = ""
    note_fr: str = ""
    note_zh: str = ""


@dataclass
class YearList:
    """How much the data knows of the pairings in force in a year."""

    year: int
    complete: bool
    known: int
    eastern_known: int
    arrangement: Arrangement | None = None

    def text(self, lang: str) -> str:
        """"Liste partielle : 17 jumelages connus en 2016 (…)" or "Liste complète…", in ``lang``."""

        def make(lg: str) -> str:
            if self.complete:
                return tr("complete", lg, known=self.known, year=self.year)
            text = tr("partial", lg, known=self.known, year=self.year)
            arr = self.arrangement
            if arr is None:
                return text + tr("no_list", lg)
            if arr.eastern is not None and self.eastern_known < arr.eastern:
                text += tr("partial_count", lg, east=self.eastern_known, expected=arr.eastern)
            return text

        return in_lang(lang, make)

    def note(self, lang: str) -> str:
        """The arrangement's own note on what is missing, in ``lang`` (may be empty)."""
        arr = self.arrangement
        if self.complete or arr is None:
            return ""
        return in_lang(lang, lambda lg: arr.note_fr if lg == "fr" else arr.note_zh)


@dataclass
class MapData:
    regions: dict[str, Region]
    pairings: list[Pairing]
    years: list[int]
    extra: dict[str, list[str]] = field(default_factory=dict)
    year_list: YearList | None = None


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

#: Every pairing with its parties, labels, level, parent and sourced dates (one row per date).
PAIRINGS_QUERY = """
SELECT ?pairing ?a ?b ?fr ?zh ?start ?end ?parent ?level WHERE {
  ?pairing ewkg:assistingParty ?a ; ewkg:assistedParty ?b .
  OPTIONAL { ?pairing ewkg:startYear ?start }
  OPTIONAL { ?pairing ewkg:endYear ?end }
  OPTIONAL { ?pairing ewkg:subPairingOf ?parent }
  OPTIONAL { ?pairing ewkg:level ?level }
  OPTIONAL { ?pairing skos:prefLabel ?fr FILTER (LANG(?fr) = "fr") }
  OPTIONAL { ?pairing skos:prefLabel ?zh FILTER (LANG(?zh) = "zh") }
}
"""

#: Arrangements: their period, stated counts, notes and the pairings they list.
ARRANGEMENTS_QUERY = """
SELECT ?arr ?from ?until ?east ?west ?fr ?zh ?nfr ?nzh ?pairing WHERE {
  ?arr a ewkg:Arrangement ; ewkg:fromYear ?from .
  OPTIONAL { ?arr ewkg:untilYear ?until }
  OPTIONAL { ?arr ewkg:easternPartyCount ?east }
  OPTIONAL { ?arr ewkg:westernPartyCount ?west }
  OPTIONAL { ?arr skos:prefLabel ?fr FILTER (LANG(?fr) = "fr") }
  OPTIONAL { ?arr skos:prefLabel ?zh FILTER (LANG(?zh) = "zh") }
  OPTIONAL { ?arr skos:editorialNote ?nfr FILTER (LANG(?nfr) = "fr") }
  OPTIONAL { ?arr skos:editorialNote ?nzh FILTER (LANG(?nzh) = "zh") }
  OPTIONAL { ?arr ewkg:includesPairing ?pairing }
}
"""

#: Years of the events that started or ended pairings (the adjustments).
YEARS_QUERY = """
SELECT DISTINCT ?year WHERE {
  ?event ewkg:year ?year ;
         ewkg:startedPairing|ewkg:resultingPairing|ewkg:endedPairing ?pairing .
}
"""


@dataclass
class Dataset:
    """Everything the maps of all years are drawn from, read once per store version."""

    regions: dict[str, Region]
    pairings: dict[str, Pairing]
    arrangements: list[Arrangement]
    years: list[int]


def read(store: Store) -> Dataset:
    """Regions, pairings, arrangements and adjustment years (read once per store version)."""
    from ewkg.store.labels import memo

    return memo(store, "map-dataset", lambda: _read(store))


def _read(store: Store) -> Dataset:
    """Regions, pairings, arrangements and adjustment years, through the store's trusted API."""
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
            provincial=_true(row.get("provincial")),
        )
    rows: dict[str, dict[str, Any]] = {}
    for row in store.select(prologue + PAIRINGS_QUERY):
        iri = str(row["pairing"])
        entry = rows.setdefault(iri, {"row": row, "starts": set(), "ends": set()})
        if (s := _int(row.get("start"))) is not None:
            entry["starts"].add(s)
        if (e := _int(row.get("end"))) is not None:
            entry["ends"].add(e)
    arrangements: dict[str, Arrangement] = {}
    listed: dict[str, set[tuple[int, int | None]]] = {}
    for row in store.select(prologue + ARRANGEMENTS_QUERY):
        iri = str(row["arr"])
        arr = arrangements.get(iri)
        if arr is None:
            east, west = row.get("east"), row.get("west")
            arr = arrangements[iri] = Arrangement(
                iri=iri,
                start=_int(row["from"]) or 0,
                until=_int(row.get("until")),
                eastern=int(str(east)) if east is not None else None,
                western=int(str(west)) if west is not None else None,
                fr=_label(row, "fr", _slug(iri)),
                zh=_label(row, "zh", _label(row, "fr", _slug(iri))),
                note_fr=_label(row, "nfr", ""),
                note_zh=_label(row, "nzh", ""),
            )
        if row.get("pairing") is not None:
            arr.lists = True
            listed.setdefault(str(row["pairing"]), set()).add((arr.start, arr.until))
    pairings: dict[str, Pairing] = {}
    for iri, entry in rows.items():
        row = entry["row"]
        periods = tuple(sorted(listed.get(iri, ()), key=lambda p: (p[0], p[1] or 9999)))
        parent = str(row["parent"]) if row.get("parent") is not None else None
        pairings[iri] = Pairing(
            iri=iri,
            assisting=str(row["a"]),
            assisted=str(row["b"]),
            fr=_label(row, "fr", _slug(iri)),
            zh=_label(row, "zh", _label(row, "fr", _slug(iri))),
            end=max(entry["ends"]) if entry["ends"] else None,
            starts=tuple(sorted(entry["starts"])),
            listed=periods,
            parent=parent,
            level=str(row["level"]) if row.get("level") is not None else None,
            dated=bool(entry["starts"] or entry["ends"] or periods or parent is None),
        )
    years = sorted({y for r in store.select(prologue + YEARS_QUERY) if (y := _int(r["year"]))})
    return Dataset(regions, pairings, sorted(arrangements.values(), key=lambda a: a.iri), years)


def pairings_in_force(data: Dataset, year: int) -> list[Pairing]:
    """The pairings in force in ``year`` (copies, their ``status`` set for that year)."""
    found: dict[str, Pairing] = {}
    pending = sorted(data.pairings.values(), key=lambda p: p.parent is not None)
    for p in pending:
        parent_on = p.parent in found if p.parent else False
        if p.in_force(year, parent_on):
            status = ("ending" if p.end == year
                      else "starting" if p.start == year else "continuing")
            found[p.iri] = replace(p, status=status)
    return sorted(found.values(), key=lambda p: p.iri)


def year_list(data: Dataset, year: int, in_force: list[Pairing] | None = None) -> YearList:
    """Whether the data knows every pairing in force in ``year`` (see the module docstring)."""
    in_force = pairings_in_force(data, year) if in_force is None else in_force
    top = [p for p in in_force if p.parent is None]
    east = {p.assisting for p in top}
    west = {p.assisted for p in top}
    before = [a for a in data.arrangements if a.start <= year]
    latest = max((a.start for a in before), default=None)
    current = [a for a in before if a.start == latest and (a.until is None or year <= a.until)]
    complete = bool(current) and all(
        a.eastern is not None and len(east) >= a.eastern
        and (a.western is None or len(west) >= a.western)
        for a in current
    )
    shown = next((a for a in current if a.lists), current[0] if current else None)
    if not complete:
        shown = next((a for a in current if a.note_fr), shown)
    return YearList(year, complete, len(top), len(east), shown)


def complete_years(store: Store) -> list[int]:
    """The adjustment years whose list of pairings is complete, oldest first."""
    data = read(store)
    return [y for y in data.years if year_list(data, y).complete]


def load(store: Store, year: int) -> MapData:
    """Everything the map of ``year`` shows."""
    data = read(store)
    regions = {iri: copy(r) for iri, r in data.regions.items()}
    pairings = pairings_in_force(data, year)
    return MapData(regions=regions, pairings=pairings, years=list(data.years),
                   year_list=year_list(data, year, pairings))


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
    """A generous estimate of the width of ``text`` (wider than Noto Sans draws it)."""
    wide = sum(1 for ch in text if ord(ch) > 0x2E80)
    caps = sum(1 for ch in text if ch.isupper() or ch in "mwMW")
    narrow = len(text) - wide - caps
    return (wide * 1.02 + caps * 0.72 + narrow * 0.58) * size + 2


Box = tuple[float, float, float, float]


class _Labels:
    """Greedy placement without overlap: beside the dot if there is room, else farther out on
    rings of growing radius, joined to the dot by a leader line; else no label (the dot keeps
    its title, and the list beside the map names it)."""

    RINGS = (0, 16, 30, 46, 64, 84)

    def __init__(self, dots: list[tuple[float, float]]) -> None:
        self.boxes: list[Box] = [(x - 5, y - 5, x + 5, y + 5) for x, y in dots]
        self.placed: list[Box] = []

    def place(
        self, x: float, y: float, w: float, h: float
    ) -> tuple[float, float, str, tuple[float, float] | None] | None:
        """``(text_x, baseline_y, anchor, leader)``; ``leader`` is a point to draw a line to, or
        ``None`` when the label sits beside the dot."""
        for radius in self.RINGS:
            for tx, ty, anchor in self._candidates(x, y, w, h, radius):
                left = tx if anchor == "start" else tx - w if anchor == "end" else tx - w / 2
                # the drawn box: the font's ascent and descent, and the 3 px halo
                box = (left - 2, ty - h * 1.2, left + w + 2, ty + h * 0.35)
                inside = (box[0] > MARGIN / 4 + 2 and box[2] < WIDTH - MARGIN / 4 - 2
                          and box[1] > MAP_TOP + 2 and box[3] < MAP_TOP + MAP_HEIGHT - 2)
                if inside and not any(_overlap(box, b) for b in self.boxes):
                    self.boxes.append(box)
                    self.placed.append(box)
                    if radius == 0:
                        return tx, ty, anchor, None
                    cx = min(max(x, box[0]), box[2])
                    cy = min(max(y, box[1]), box[3])
                    return tx, ty, anchor, (cx, cy)
        return None

    @staticmethod
    def _candidates(
        x: float, y: float, w: float, h: float, r: float
    ) -> list[tuple[float, float, str]]:
        if r == 0:
            return [
                (x + 7, y + h / 3, "start"),
                (x - 7, y + h / 3, "end"),
                (x, y - 8, "middle"),
                (x, y + h + 5, "middle"),
                (x + 7, y - h / 2, "start"),
                (x + 7, y + h + 2, "start"),
                (x - 7, y - h / 2, "end"),
                (x - 7, y + h + 2, "end"),
            ]
        out: list[tuple[float, float, str]] = []
        for deg in range(0, 360, 30):
            a = math.radians(deg)
            px, py = x + r * math.cos(a), y + r * math.sin(a)
            anchor = "start" if math.cos(a) > 0.3 else "end" if math.cos(a) < -0.3 else "middle"
            out.append((px, py + h / 3, anchor))
        return out


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
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


def _el(parent: ET.Element, tag: str, text: str | None = None, /, **attrs: object) -> ET.Element:
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
        "data_starts": " ".join(map(str, p.starts)) or None,
        "data_start_disputed": "true" if p.disputed else None,
        "data_end": p.end,
        "data_dated": str(p.dated).lower(),
        "data_status": p.status,
    }


def _pairing_name(data: MapData, p: Pairing, lang: str) -> str:
    """“Assisting → assisted” in ``lang``."""
    return f"{data.regions[p.assisting].name(lang)} → {data.regions[p.assisted].name(lang)}"


def _lang_attr(lang: str) -> str | None:
    return lang if lang in LANGS else None


STYLE = (
    ".ewm-bg{fill:#f7f4ee}.ewm-frame{fill:#fbfaf7;stroke:#d9d2c3}"
    ".ewm-pairing path{fill:none;stroke:#b4541a;stroke-width:1.6;opacity:.85}"
    ".ewm-pairing.ewm-starting path{stroke:#1d7a3a;stroke-width:2.4;opacity:1}"
    ".ewm-pairing.ewm-ending path{stroke:#6d6a66;stroke-width:1.6;stroke-dasharray:7 4}"
    ".ewm-pairing.ewm-sub path{stroke:#8a6d55;stroke-width:1.2;stroke-dasharray:1.5 3}"
    ".ewm-pairing.ewm-selected path{stroke-width:2.8;opacity:1}"
    ".ewm-faded{opacity:.25}"
    ".ewm-dot{fill:#9a958c}.ewm-dot.ewm-east{fill:#b4541a}.ewm-dot.ewm-west{fill:#1f6f78}"
    ".ewm-dot.ewm-approx{fill:#fff;stroke-width:1.5}.ewm-dot.ewm-approx.ewm-east{stroke:#b4541a}"
    ".ewm-dot.ewm-approx.ewm-west{stroke:#1f6f78}"
    ".ewm-ring{fill:none;stroke:#c0182a;stroke-width:2.5}"
    ".ewm-leader{stroke:#8c857a;stroke-width:.8}"
    ".ewm-label{fill:#2b2620;paint-order:stroke;stroke:#fbfaf7;stroke-width:3px;"
    "stroke-linejoin:round}.ewm-label.ewm-small{fill:#4a443c}"
    ".ewm-label.ewm-sel{fill:#c0182a;font-weight:700}"
    ".ewm-head{fill:#2b2620}.ewm-year{fill:#1f4e8c}.ewm-year.ewm-current{fill:#fff;font-weight:700}"
    ".ewm-chip{fill:#e9e3d6}.ewm-chip.ewm-current{fill:#1f4e8c}.ewm-legend{fill:#4a443c}"
    ".ewm-partial-box{fill:#fff4d6;stroke:#c99a1a}.ewm-partial{fill:#6b4c00}"
    ".ewm-complete-box{fill:#e6f2e8;stroke:#7fb38c}.ewm-complete{fill:#1d5a2c}"
    "a:hover .ewm-year{text-decoration:underline}"
)

#: Arrow heads, by pairing status.
MARKERS = {
    "continuing": ("ewm-arrow", "#b4541a"),
    "starting": ("ewm-arrow-start", "#1d7a3a"),
    "ending": ("ewm-arrow-end", "#6d6a66"),
    "sub": ("ewm-arrow-sub", "#8a6d55"),
}


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
        year_href: URL of the map of another year: the map then draws its own year links
            (a page that lists the years itself passes none).
        entity_href: URL of an entity's page (links on dots and arrows); none if not given.

    Raises:
        ValueError: ``year`` or ``lang`` is not acceptable.
    """
    if lang not in MAP_LANGS:
        raise ValueError(f"lang must be one of {', '.join(MAP_LANGS)}")
    if not YEAR_RANGE[0] <= int(year) <= YEAR_RANGE[1]:
        raise ValueError(f"year must be between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}")
    data = load(store, int(year))
    return render(
        data, year=int(year), lang=lang, region=region, year_href=year_href, entity_href=entity_href
    )


def _wrap(text: str, size: float, width: float) -> list[str]:
    """``text`` cut at spaces (or anywhere, for Chinese) into lines narrower than ``width``."""
    lines: list[str] = []
    line = ""
    tokens = re.findall(r"\S+\s*|\s+", text) if " " in text else list(text)
    for token in tokens:
        if line and _text_width(line + token, size) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


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
    langs = LANGS if lang == BOTH else (lang,)
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
    if lang in LANGS:
        svg.set("xml:lang", lang)
    yl = data.year_list
    if yl is not None:
        svg.set("data-list", "complete" if yl.complete else "partial")
        svg.set("data-known", str(yl.known))
    title = tr("title", lang, year=year)
    _el(svg, "title", title, id="ewm-title")
    shown = [p for p in data.pairings if p.assisting in pos and p.assisted in pos]
    desc = in_lang(
        lang,
        lambda lg: "; ".join(f"{_pairing_name(data, p, lg)} ({p.when(lg)})" for p in shown)
        or tr("none", lg, year=year),
    )
    _el(svg, "desc", desc, id="ewm-desc")
    defs = _el(svg, "defs")
    for name, color in MARKERS.values():
        marker = _el(defs, "marker", id=name, viewBox="0 0 10 10", refX="8", refY="5",
                     markerWidth="7", markerHeight="7", orient="auto-start-reverse")
        _el(marker, "path", d="M0,1 L9,5 L0,9 z", fill=color)
    _el(svg, "style", STYLE)
    background = _el(svg, "rect", class_="bg", x=0, y=0, width=WIDTH, height=height)

    # header: title, the list's completeness, and (standalone) the year links
    y_cursor = 26.0
    for i, lg in enumerate(langs):
        _el(svg, "text", tr("title", lg, year=year), class_="head", x=MARGIN / 4, y=y_cursor,
            font_size=20 if i == 0 else 17, font_weight=700 if i == 0 else 400, lang=lg)
        y_cursor += 22
    if yl is not None and data.pairings:
        kind = "complete" if yl.complete else "partial"
        lines: list[tuple[str, str]] = []
        for lg in langs:
            lines += [(lg, t) for t in _wrap(yl.text(lg), 13, WIDTH - MARGIN / 2 - 16)]
            lines += [(lg, t) for t in _wrap(yl.note(lg), MIN_FONT, WIDTH - MARGIN / 2 - 16)]
        box_h = 8 + sum(17 if i == 0 or lines[i][0] != lines[i - 1][0] else 15
                        for i in range(len(lines)))
        group = _el(svg, "g", class_=f"list-status {kind}", data_list=kind)
        target = group
        if entity_href is not None and yl.arrangement is not None and not yl.complete:
            target = _el(group, "a", href=entity_href(yl.arrangement.iri), target="_top")
        _el(target, "rect", class_=f"{kind}-box", x=MARGIN / 4, y=y_cursor - 8,
            width=WIDTH - MARGIN / 2, height=box_h, rx=6)
        ly = y_cursor + 8
        first_of: set[str] = set()
        for lg, text in lines:
            head = lg not in first_of
            first_of.add(lg)
            _el(target, "text", text, class_=kind, x=MARGIN / 4 + 8, y=ly,
                font_size=13 if head else MIN_FONT, font_weight=700 if head else None, lang=lg)
            ly += 15 if head else 14
        y_cursor += box_h + 4
    if year_href is not None:
        years_y = y_cursor + 12
        label = tr("years", lang)
        _el(svg, "text", label, class_="legend", x=MARGIN / 4, y=years_y, font_size=13)
        x = MARGIN / 4 + _text_width(label, 13) + 10
        for chip_year in sorted(set(data.years) | {year}):
            current = chip_year == year
            group = _el(svg, "g", class_="year-link", data_year=chip_year)
            target = group
            if not current:
                target = _el(group, "a", href=year_href(chip_year))
            _el(target, "rect", class_="chip current" if current else "chip", x=x - 5,
                y=years_y - 14, width=44, height=20, rx=10)
            _el(target, "text", str(chip_year), class_="year current" if current else "year",
                x=x + 17, y=years_y + 1, font_size=13, text_anchor="middle")
            if current:
                group.set("aria-current", "true")
            x += 52
        y_cursor = years_y + 10
    top = max(MAP_TOP, y_cursor + 4)
    shift = top - MAP_TOP
    frame = _el(svg, "rect", class_="frame", x=MARGIN / 4, y=MAP_TOP, width=WIDTH - MARGIN / 2,
                height=MAP_HEIGHT, rx=8)
    body = _el(svg, "g", class_="body", transform=f"translate(0 {shift:g})" if shift else None)
    if shift:
        frame.set("y", str(top))

    # arrows
    selected = region
    east = {p.assisting for p in shown}
    west = {p.assisted for p in shown}
    arrows = _el(body, "g", class_="pairings")
    order = sorted(enumerate(shown), key=lambda ip: ("ending", "continuing", "starting")
                   .index(ip[1].status) if ip[1].dated else -1)
    for i, p in order:
        a, b = pos[p.assisting], pos[p.assisted]
        approx = data.regions[p.assisting].approximate or data.regions[p.assisted].approximate
        is_sel = selected is not None and bool(
            {selected} & {p.assisting, p.assisted, data.regions[p.assisting].parent,
                          data.regions[p.assisted].parent}
        )
        kind = p.status if p.dated else "sub"
        classes = ["pairing", kind]
        if approx:
            classes.append("approx")
        if is_sel:
            classes.append("selected")
        elif selected is not None:
            classes.append("faded")
        group = _el(arrows, "g", class_=" ".join(classes), data_approximate=str(approx).lower(),
                    **_pairing_data(p))
        def pairing_title(lg: str, p: Pairing = p) -> str:
            return f"{_pairing_name(data, p, lg)} ({p.when(lg)})"

        _el(group, "title", in_lang(lang, pairing_title))
        target = group
        if entity_href is not None:
            target = _el(group, "a", href=entity_href(p.iri), target="_top")
        bend = 0.12 + 0.05 * (i % 3)
        _el(target, "path", d=_curve(a, b, bend), marker_end=f"url(#{MARKERS[kind][0]})")

    # dots, then labels placed so that none overlaps another label or a dot
    involved = east | west | ({selected} if selected else set())
    dots = _el(body, "g", class_="regions")
    labels = _el(body, "g", class_="labels")
    placer = _Labels([pos[r] for r in involved if r in pos])
    ordered = sorted(
        (r for r in data.regions.values() if r.iri in pos and r.iri in involved),
        key=lambda r: (r.iri != selected, not r.provincial, r.iri),
    )
    for r in ordered:
        x, y = pos[r.iri]
        role = "east" if r.iri in east else "west" if r.iri in west else "selected"
        classes = ["dot", role] + (["approx"] if r.approximate else [])
        group = _el(dots, "g", class_="region", data_region=r.iri, data_role=role,
                    data_approximate=str(r.approximate).lower())
        _el(group, "title", r.name(lang))
        target = group
        if entity_href is not None:
            target = _el(group, "a", href=entity_href(r.iri), target="_top")
        _el(target, "circle", class_=" ".join(classes), cx=x, cy=y,
            r=4.5 if r.provincial else 3.2)
        if r.iri == selected:
            _el(target, "circle", class_="ring", cx=x, cy=y, r=9)
        text = r.name(lang)
        size: float = 13 if r.provincial or r.iri == selected else 11.5
        weight_factor = 1.08 if r.iri == selected else 1.0
        spot = placer.place(x, y, _text_width(text, size) * weight_factor, size)
        if spot is None:
            group.set("data-label", "none")
            continue
        tx, ty, anchor, leader = spot
        holder = labels
        if entity_href is not None:
            holder = _el(labels, "a", href=entity_href(r.iri), target="_top")
        if leader is not None:
            _el(holder, "line", class_="leader", x1=x, y1=y, x2=round(leader[0], 1),
                y2=round(leader[1], 1))
        cls = "label" + ("" if r.provincial else " small") + (" sel" if r.iri == selected else "")
        _el(holder, "text", text, class_=cls, x=round(tx, 1), y=round(ty, 1), font_size=size,
            text_anchor=anchor, lang=_lang_attr(lang), data_label_of=r.iri)
    if not shown:
        _el(body, "text", tr("none", lang, year=year), class_="legend", x=WIDTH / 2,
            y=MAP_TOP + MAP_HEIGHT / 2, font_size=16, text_anchor="middle")

    # legend: every mark drawn, one entry each, wrapped to the width
    legend = _el(svg, "g", class_="legend-box", font_size=12)
    kinds = {p.status if p.dated else "sub" for p in shown}
    entries: list[str] = [k for k in ("continuing", "starting", "ending", "sub") if k in kinds]
    entries += [k for k in ("east", "west") if (east if k == "east" else west)]
    if any(data.regions[r].approximate for r in involved if r in pos):
        entries.append("approx")
    if selected:
        entries.append("selected")
    lx, ly = MARGIN / 4, top + MAP_HEIGHT + 24
    for kind in entries:
        text = tr(kind, lang)
        wide = kind in MARKERS
        step = (34 if wide else 16) + _text_width(text, 12) + 24
        if lx + step > WIDTH - 8:
            lx, ly = MARGIN / 4, ly + 20
        entry = _el(legend, "g", class_="legend-entry", data_legend=kind)
        if wide:
            dash = {"ending": "7 4", "sub": "1.5 3"}.get(kind)
            _el(entry, "path", d=f"M{lx},{ly - 4} L{lx + 26},{ly - 4}", stroke=MARKERS[kind][1],
                stroke_width=2 if kind == "starting" else 1.6, stroke_dasharray=dash, fill="none",
                marker_end=f"url(#{MARKERS[kind][0]})")
            _el(entry, "text", text, class_="legend", x=lx + 34, y=ly)
        elif kind == "selected":
            _el(entry, "circle", class_="ring", cx=lx + 6, cy=ly - 4, r=6)
            _el(entry, "text", text, class_="legend", x=lx + 16, y=ly)
        elif kind == "approx":
            _el(entry, "circle", class_="dot approx west", cx=lx + 5, cy=ly - 4, r=4)
            _el(entry, "text", text, class_="legend", x=lx + 16, y=ly)
        else:
            _el(entry, "circle", class_=f"dot {kind}", cx=lx + 5, cy=ly - 4, r=4.5)
            _el(entry, "text", text, class_="legend", x=lx + 16, y=ly)
        lx += step
    ly += 22
    # pairings that cannot be drawn: no point for a party nor for its parent
    unplaced = [p for p in data.pairings if p not in shown]
    if unplaced:
        box = _el(svg, "g", class_="unplaced", font_size=12)
        heading = tr("unplaced", lang)
        _el(box, "text", heading, class_="legend", x=MARGIN / 4, y=ly, font_weight=700)
        lx = MARGIN / 4 + _text_width(heading, 12) + 10
        for p in unplaced:
            def pairing_name(lg: str, p: Pairing = p) -> str:
                return _pairing_name(data, p, lg)

            text = in_lang(lang, pairing_name)
            step = _text_width(text, 12) + 18
            if lx + step > WIDTH - 8:
                lx, ly = MARGIN / 4 + 12, ly + 18
            group = _el(box, "g", class_="pairing unplaced", **_pairing_data(p))
            target = group
            if entity_href is not None:
                target = _el(group, "a", href=entity_href(p.iri), target="_top")
            _el(target, "text", text, class_="legend", x=round(lx, 1), y=ly, lang=_lang_attr(lang))
            lx += step
        ly += 22
    for i, lg in enumerate(langs):
        _el(svg, "text", tr("note", lg), class_="legend", x=MARGIN / 4, y=ly + 16 * i,
            font_size=MIN_FONT, lang=lg)
    ly += 16 * (len(langs) - 1)
    height = int(ly + 16)
    svg.set("height", str(height))
    svg.set("viewBox", f"0 0 {WIDTH} {height}")
    background.set("height", str(height))
    return ET.tostring(svg, encoding="unicode", xml_declaration=False)
