"""The key facts of an entity page, first: who helps whom, when, at which level, from which
source; and the source records (claims, counts) folded under the values they support.

Templates get ``ewkg_summary(iri)`` (a :class:`Summary` or ``None``), ``ewkg_records(iri)``
(claims about ``iri`` by the property they support) and ``ewkg_say(key)`` (a UI text as
``(lang, text)`` pairs for the shown languages). Registered by :func:`init_app`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from markupsafe import Markup, escape
from rdflib import Literal

from ewkg.rdf.namespaces import sparql_prologue
from ewkg.store.embedded import Store
from ewkg.store.labels import labels_for
from ewkg.strings import LANGS, SUMMARY
from ewkg.web import i18n, mapsvg
from ewkg.web.pages import guess_lang
from ewkg.web.services import get_store

Pairs = list[tuple[str, str]]



def say(key: str, **kw: object) -> Pairs:
    """``SUMMARY[key]`` (``strings.toml``) as ``(lang, text)`` pairs for the languages the page
    shows."""
    texts = SUMMARY[key]
    return [(lg, texts[lg].format(**kw)) for lg in i18n.shown_langs(i18n.current_lang())]


def _href(iri: str) -> str:
    """The local page of ``iri``, carrying the reader's chosen language."""
    marker = "/id/"
    return i18n.with_lang(iri[iri.index(marker):]) if marker in iri else iri


@dataclass
class PairingFacts:
    """One pairing as a summary shows it."""

    iri: str
    href: str
    labels: Pairs
    assisting: Pairs
    assisting_href: str
    assisted: Pairs
    assisted_href: str
    role: str  # "assists" | "assisted_by" | "" (the page is the pairing's)
    partner: Pairs
    partner_href: str
    when: Pairs
    start: int | None
    end: int | None
    starts: tuple[int, ...]
    listed: tuple[tuple[int, int | None], ...]
    disputed: bool
    disputes: list[tuple[str, Pairs]] = field(default_factory=list)
    start_disputes: list[tuple[str, Pairs]] = field(default_factory=list)
    start_claims: list[dict[str, Any]] = field(default_factory=list)
    level: list[tuple[str, Pairs]] = field(default_factory=list)
    model: list[tuple[str, Pairs]] = field(default_factory=list)
    mechanism: list[tuple[str, Pairs]] = field(default_factory=list)
    arrangements: list[tuple[str, Pairs]] = field(default_factory=list)
    sources: list[tuple[str, Pairs]] = field(default_factory=list)
    parent: tuple[str, Pairs] | None = None
    sub: bool = False
    bar: dict[str, float] = field(default_factory=dict)
    mini_map: str = ""
    map_year: int | None = None


@dataclass
class Summary:
    kind: str  # "region" | "pairing"
    pairings: list[PairingFacts]
    sub_pairings: list[PairingFacts] = field(default_factory=list)
    axis: tuple[int, int] = (1996, 2021)


FACTS_QUERY = """
SELECT ?p ?prop ?o WHERE {
  VALUES ?p { %s }
  VALUES ?prop { ewkg:level ewkg:model ewkg:hasMechanism prov:wasDerivedFrom ewkg:subPairingOf }
  ?p ?prop ?o
}
"""
DISPUTES_QUERY = """
SELECT ?p ?d ?start WHERE {
  VALUES ?p { %s } ?d a ewkg:Dispute ; ewkg:disputedSubject ?p .
  BIND (EXISTS { ?d ewkg:disputedClaim/ewkg:claimProperty ewkg:startYear } AS ?start)
}
"""
START_CLAIMS_QUERY = """
SELECT ?p ?c ?v ?src WHERE {
  VALUES ?p { %s }
  ?c ewkg:claimSubject ?p ; ewkg:claimProperty ewkg:startYear ; ewkg:claimValue ?v .
  OPTIONAL { ?c prov:wasDerivedFrom ?src }
}
"""
ARRANGEMENTS_QUERY = "SELECT ?p ?a WHERE { VALUES ?p { %s } ?a ewkg:includesPairing ?p }"


def _facts(store: Store, pairings: list[mapsvg.Pairing], focus: str | None,
           data: mapsvg.Dataset) -> list[PairingFacts]:
    labels = labels_for(store)
    shown = i18n.shown_langs(i18n.current_lang())
    if not pairings:
        return []
    values = " ".join(f"<{p.iri}>" for p in pairings)
    prologue = sparql_prologue()
    extra: dict[str, dict[str, list[str]]] = {p.iri: {} for p in pairings}
    for row in store.select(prologue + FACTS_QUERY % values):
        extra[str(row["p"])].setdefault(str(row["prop"]).rsplit("#", 1)[-1].rsplit("/", 1)[-1],
                                        []).append(str(row["o"]))
    disputes: dict[str, list[str]] = {}
    start_disputes: dict[str, list[str]] = {}
    for row in store.select(prologue + DISPUTES_QUERY % values):
        disputes.setdefault(str(row["p"]), []).append(str(row["d"]))
        start = row.get("start")
        if isinstance(start, Literal) and start.toPython():
            start_disputes.setdefault(str(row["p"]), []).append(str(row["d"]))
    claims: dict[str, list[dict[str, Any]]] = {}
    for row in store.select(prologue + START_CLAIMS_QUERY % values):
        src = str(row["src"]) if row.get("src") is not None else ""
        claims.setdefault(str(row["p"]), []).append({
            "year": str(row["v"])[:4], "href": _href(str(row["c"])),
            "source": labels.shown(src, shown) if src else [], "source_href": _href(src)})
    arrangements: dict[str, list[str]] = {}
    for row in store.select(prologue + ARRANGEMENTS_QUERY % values):
        arrangements.setdefault(str(row["p"]), []).append(str(row["a"]))

    def linked(iris: list[str]) -> list[tuple[str, Pairs]]:
        return [(_href(i), labels.shown(i, shown)) for i in sorted(set(iris))]

    lo, hi = _axis(data)
    out = []
    for p in pairings:
        role = ("assists" if focus == p.assisting else "assisted_by" if focus == p.assisted
                else "")
        partner = p.assisted if role == "assists" else p.assisting
        facts = PairingFacts(
            iri=p.iri, href=_href(p.iri), labels=labels.shown(p.iri, shown),
            assisting=labels.shown(p.assisting, shown), assisting_href=_href(p.assisting),
            assisted=labels.shown(p.assisted, shown), assisted_href=_href(p.assisted),
            role=role, partner=labels.shown(partner, shown), partner_href=_href(partner),
            when=[(lg, p.when(lg)) for lg in shown], start=p.start, end=p.end,
            starts=p.starts, listed=p.listed, disputed=p.disputed,
            disputes=linked(disputes.get(p.iri, [])),
            start_disputes=linked(start_disputes.get(p.iri, [])),
            start_claims=sorted(claims.get(p.iri, []), key=lambda c: c["year"]),
            level=linked(extra[p.iri].get("level", [])),
            model=linked(extra[p.iri].get("model", [])),
            mechanism=linked(extra[p.iri].get("hasMechanism", [])),
            arrangements=linked(arrangements.get(p.iri, [])),
            sources=linked(extra[p.iri].get("wasDerivedFrom", [])),
            sub=p.parent is not None,
        )
        if p.parent:
            facts.parent = (_href(p.parent), labels.shown(p.parent, shown))
        first = p.start or (p.listed[0][0] if p.listed else None)
        if first is None and p.parent and p.parent in data.pairings:
            parent = data.pairings[p.parent]
            first = parent.start or (parent.listed[0][0] if parent.listed else None)
        if first is not None:
            last = p.end if p.end is not None else max(
                [u for _, u in p.listed if u is not None] or [hi]) if not p.starts else (
                p.end if p.end is not None else hi)
            span = max(hi - lo, 1)
            facts.bar = {"left": round(100 * (min(max(first, lo), hi) - lo) / (span + 1), 2),
                         "width": round(100 * (min(last, hi) - max(first, lo) + 1) / (span + 1),
                                        2),
                         "first": first, "last": last}
            facts.map_year = first if p.end is None or first <= p.end else p.end
        out.append(facts)
    out.sort(key=lambda f: (f.bar.get("first", 9999), f.iri))
    return out


def _axis(data: mapsvg.Dataset) -> tuple[int, int]:
    years = [y for p in data.pairings.values() for y in (*p.starts, p.end) if y]
    years += [y for a in data.arrangements for y in (a.start, a.until) if y]
    years += data.years
    return (min(years), max(years)) if years else (1996, 2021)


def entity_summary(iri: str) -> Summary | None:
    """The summary of a region or a pairing page (``None`` for other entities)."""
    store = get_store(current_app)
    data = mapsvg.read(store)
    if iri in data.pairings:
        facts = _facts(store, [data.pairings[iri]], None, data)
        if facts and facts[0].map_year is not None:
            facts[0].mini_map = mini_map(data, data.pairings[iri], i18n.current_lang() or "both")
        return Summary("pairing", facts, axis=_axis(data))
    if "/id/region/" not in iri:
        return None
    direct = [p for p in data.pairings.values() if iri in (p.assisting, p.assisted)]
    children = {r.iri for r in data.regions.values() if r.parent == iri}
    below = [p for p in data.pairings.values() if p not in direct
             and ({p.assisting, p.assisted} & children)]
    if not direct and not below:
        return Summary("region", [], axis=_axis(data))
    return Summary("region", _facts(store, direct, iri, data),
                   _facts(store, below, None, data), axis=_axis(data))


# --- the small map of a pairing -------------------------------------------------------------


def mini_map(data: mapsvg.Dataset, p: mapsvg.Pairing, lang: str) -> str:
    """A small SVG of one pairing: its two parties (their own points, else their parent's,
    marked approximate) and the arrow between them; "" when a party cannot be placed."""
    import xml.etree.ElementTree as ET

    def point(iri: str) -> tuple[float, float, bool] | None:
        r = data.regions.get(iri)
        if r is None:
            return None
        if r.lat is not None and r.long is not None:
            return r.lat, r.long, False
        parent = data.regions.get(r.parent or "")
        if parent is not None and parent.lat is not None and parent.long is not None:
            return parent.lat, parent.long, True
        return None

    a, b = point(p.assisting), point(p.assisted)
    if a is None or b is None:
        return ""
    width, height, pad = 360, 200, 70
    lats, longs = (a[0], b[0]), (a[1], b[1])
    span = max(max(lats) - min(lats), (max(longs) - min(longs)) * 0.85, 1.0)
    scale = min((width - 2 * pad) / span, (height - 60) / span)
    cx, cy = (max(longs) + min(longs)) / 2, (max(lats) + min(lats)) / 2

    def xy(lat: float, long: float) -> tuple[float, float]:
        return (round(width / 2 + (long - cx) * 0.85 * scale, 1),
                round(height / 2 - (lat - cy) * scale, 1))

    (x1, y1), (x2, y2) = xy(a[0], a[1]), xy(b[0], b[1])
    if (x1, y1) == (x2, y2):
        x1 -= 30
        x2 += 30
    svg = ET.Element("svg", {"xmlns": mapsvg.SVG_NS, "viewBox": f"0 0 {width} {height}",
                             "width": str(width), "height": str(height), "role": "img",
                             "class": "ewm-mini", "font-family": mapsvg.font_family(lang)})
    names = {}
    for lg in LANGS:
        names[lg] = (f"{data.regions[p.assisting].name(lg)} → "
                     f"{data.regions[p.assisted].name(lg)}")
    ET.SubElement(svg, "title").text = names["zh" if lang == "zh" else "fr"]
    ET.SubElement(svg, "rect", {"x": "0", "y": "0", "width": str(width), "height": str(height),
                                "rx": "8", "fill": "#fbfaf7", "stroke": "#d9d2c3"})
    defs = ET.SubElement(svg, "defs")
    marker = ET.SubElement(defs, "marker", {"id": "ewm-mini-arrow", "viewBox": "0 0 10 10",
                                            "refX": "8", "refY": "5", "markerWidth": "7",
                                            "markerHeight": "7", "orient": "auto"})
    ET.SubElement(marker, "path", {"d": "M0,1 L9,5 L0,9 z", "fill": "#b4541a"})
    ET.SubElement(svg, "path", {"d": mapsvg._curve((x1, y1), (x2, y2), 0.15), "fill": "none",
                                "stroke": "#b4541a", "stroke-width": "2",
                                "marker-end": "url(#ewm-mini-arrow)"})
    for (x, y), (iri, approx), color in (((x1, y1), (p.assisting, a[2]), "#b4541a"),
                                         ((x2, y2), (p.assisted, b[2]), "#1f6f78")):
        ET.SubElement(svg, "circle", {"cx": str(x), "cy": str(y), "r": "5",
                                      "fill": "#fff" if approx else color, "stroke": color,
                                      "stroke-width": "2"})
        name = data.regions[iri].name(lang if lang in LANGS else LANGS[0])
        if lang == "both":
            name = data.regions[iri].fr
        other_y = y2 if iri == p.assisting else y1
        above = y <= other_y  # the label on the side away from the arrow
        half = mapsvg._text_width(name, 13) / 2
        label = ET.SubElement(svg, "text", {"x": str(round(min(max(x, half + 6),
                                                               width - half - 6), 1)),
                                            "y": str(y - 11 if above else y + 22),
                                            "font-size": "13", "text-anchor": "middle",
                                            "fill": "#2b2620"})
        label.text = name
        if lang in LANGS:
            label.set("lang", lang)
        else:
            label.set("lang", "fr")
    return ET.tostring(svg, encoding="unicode")


# --- records folded under the values they support -------------------------------------------

RECORDS_QUERY = """
SELECT ?c ?prop ?v ?date ?ref ?q ?src WHERE {
  ?c ewkg:claimSubject <%s> .
  OPTIONAL { ?c ewkg:claimProperty ?prop }
  OPTIONAL { ?c ewkg:claimValue ?v }
  OPTIONAL { ?c dcterms:date ?date }
  OPTIONAL { ?c ewkg:referenceDate ?ref }
  OPTIONAL { ?c ewkg:quotation ?q }
  OPTIONAL { ?c prov:wasDerivedFrom ?src }
}
"""

_MONTHS_FR = {m: i for i, m in enumerate(
    ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
     "octobre", "novembre", "décembre"), 1)}


def date_key(text: str) -> tuple[int, int, int]:
    """A sortable (year, month, day) read from an ISO date, a gYear(Month), or a French date
    at the start of a label ("20 juillet 2016 : …", "3–4 septembre 2022 : …", "1996–2011 : …").

    >>> sorted(["2023", "20 juillet 2016", "22 octobre 2012", "1996"], key=date_key)
    ['1996', '22 octobre 2012', '20 juillet 2016', '2023']
    """
    m = re.match(r"\s*(\d{4})年(?:(\d{1,2})月)?(?:(\d{1,2})日)?", text) or re.match(
        r"\s*(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text)
    if m:
        return int(m[1]), int(m[2] or 0), int(m[3] or 0)
    m = re.match(r"\s*(\d{1,2})(?:[–-]\d{1,2})?(?:er)?\s+([a-zéû]+)\s+(\d{4})", text)
    if m and m[2] in _MONTHS_FR:
        return int(m[3]), _MONTHS_FR[m[2]], int(m[1])
    m = re.match(r"\s*([a-zéû]+)\s+(\d{4})", text)
    if m and m[1] in _MONTHS_FR:
        return int(m[2]), _MONTHS_FR[m[1]], 0
    return (9999, 0, 0)


@dataclass
class Record:
    href: str
    labels: Pairs
    quotation: str
    source: Pairs
    source_href: str
    key: tuple[int, int, int]

    @property
    def quotation_lang(self) -> str:
        return guess_lang(self.quotation)


def records(iri: str) -> dict[str, list[Record]]:
    """Claims about ``iri``: by the property IRI they support (``""`` for dated statements),
    each list sorted by date."""
    return _records(get_store(current_app), iri)


def _records(store: Store, iri: str) -> dict[str, list[Record]]:
    if not re.fullmatch(r"[^<>\"{}|\\^`\s]+", iri):
        return {}
    labels = labels_for(store)
    shown = i18n.shown_langs(i18n.current_lang())
    seen: dict[str, Record] = {}
    props: dict[str, str] = {}
    for row in store.select(sparql_prologue() + RECORDS_QUERY % iri):
        c = str(row["c"])
        if c in seen:
            continue
        label = labels.shown(c, shown)
        date = row.get("date") or row.get("ref")
        key = date_key(str(date)) if date is not None else date_key(labels.get(c, "fr"))
        q = row.get("q")
        src = str(row["src"]) if row.get("src") is not None else ""
        seen[c] = Record(_href(c), label, str(q) if isinstance(q, Literal) else "",
                         labels.shown(src, shown) if src else [], _href(src), key)
        props[c] = str(row["prop"]) if row.get("prop") is not None else ""
    out: dict[str, list[Record]] = {}
    for c, rec in seen.items():
        out.setdefault(props[c], []).append(rec)
    for recs in out.values():
        recs.sort(key=lambda r: (r.key, r.href))
    return out


#: Incoming predicates whose subjects are records rather than facts: folded on the page.
RECORD_PREDICATES = (
    "https://w3id.org/ewkg/ontology#claimSubject",
    "https://w3id.org/ewkg/ontology#claimValue",
    "https://w3id.org/ewkg/ontology#countedWithin",
    "https://w3id.org/ewkg/ontology#enumeratedMember",
)


_CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")


def mark_cjk(text: str) -> Markup:
    """``text`` escaped, its Chinese runs wrapped in ``<span lang="zh">`` (for Chinese quoted
    inside a French label, so that it gets a Chinese font and is read as Chinese).

    >>> str(mark_cjk("entrée « 东西部 » <b>"))
    'entrée « <span lang="zh">东西部</span> » &lt;b&gt;'
    """
    out, last = [], 0
    for m in _CJK_RUN.finditer(text):
        out.append(escape(text[last:m.start()]))
        out.append(Markup('<span lang="zh">{}</span>').format(m.group()))
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def init_app(app: Flask) -> None:
    """Give templates ``ewkg_summary``, ``ewkg_records``, ``ewkg_say`` and ``ewkg_date_key``."""
    app.jinja_env.globals.update(
        ewkg_summary=entity_summary, ewkg_records=records, ewkg_say=say,
        ewkg_date_key=date_key, ewkg_record_predicates=RECORD_PREDICATES,
    )
    app.jinja_env.filters["mark_cjk"] = mark_cjk
