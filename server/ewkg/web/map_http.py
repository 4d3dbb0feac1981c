"""The map of the pairings over HTTP: ``/map.svg?year=2010&lang=zh&region=chongqing``.

* ``year``: the year shown (default: the latest adjustment year whose list of pairings is
  complete); 400 if it is not a whole number between 1949 and 2100.
* ``lang``: ``fr``, ``zh`` or ``both``; without it, ``Accept-Language`` picks (``zh-CN`` → ``zh``),
  else both. 400 for another value.
* ``region``: a region to highlight, by IRI, ``/id/region/…`` URL or slug; 400 if the dataset has
  no such region.

The answer is ``image/svg+xml``, cacheable (``Cache-Control: public``; the app-wide caching hook
adds ``ETag``/``Last-Modified`` and answers conditional requests with 304).

Templates get ``ewkg_map(year, lang, region)`` (the SVG, inline, with year links to the page
itself), ``ewkg_map_years()`` and ``ewkg_map_year_url(year)`` for ``_map.html``. A year link
carries only what the page knows: its ``lang`` (normalised) and ``map_year``; the rendered maps
are kept in a small LRU keyed by everything a map's text depends on.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, g, request, url_for
from markupsafe import Markup

from ewkg.lru import LRUCache
from ewkg.rdf.namespaces import sparql_prologue
from ewkg.strings import BOTH, LANGS, MAP_ERRORS, MAP_LANGS, filled
from ewkg.web import i18n, mapsvg
from ewkg.web.errors import bad_request
from ewkg.web.services import get_store

bp = Blueprint("map_svg", __name__)

#: Rendered maps kept per (dataset version, year, lang, region, link style, links' page).
_CACHE_SIZE = 64
_MAX_AGE = 3600


def _cache() -> LRUCache[object]:
    found = current_app.extensions.get("ewkg.map_cache")
    if found is None:  # two first requests may race here: one cache wins, both are valid
        fresh: LRUCache[object] = LRUCache(max_entries=_CACHE_SIZE)
        found = current_app.extensions.setdefault("ewkg.map_cache", fresh)
    cache: LRUCache[object] = found
    return cache


def _cached(key: tuple[object, ...]) -> object | None:
    return _cache().get(key)


def _keep(key: tuple[object, ...], value: object) -> None:
    _cache().put(key, value)


def _links_key(inline: bool) -> tuple[object, ...]:
    """What the map's year links depend on besides year, lang and region."""
    if inline:  # links to the page itself: its path and its (normalised) ``lang``
        return (request.script_root, request.path, i18n.chosen_lang())
    return (request.script_root,)


def _rendered(year: int, lang: str, region: str | None, *, inline: bool) -> str:
    store = get_store(current_app)
    key = (store.version, year, lang, region, inline, _links_key(inline))
    found = _cached(key)
    if isinstance(found, str):
        return found
    if inline:

        def year_href(y: int) -> str:
            return year_url(y)

    else:

        def year_href(y: int) -> str:
            return url_for("map_svg.map_svg", year=y, lang=lang, region=_slug(region))

    chosen = lang if inline and lang in LANGS else None  # dots keep the page language
    svg = mapsvg.render_map(
        store,
        year=year,
        lang=lang,
        region=region,
        year_href=None if inline else year_href,  # a page lists the years itself
        entity_href=lambda iri: i18n.lang_link(_entity_href(iri), chosen),
    )
    _keep(key, svg)
    return svg


def _slug(region: str | None) -> str | None:
    return region.rsplit("/", 1)[-1] if region else None


def _page_href(iri: str) -> str:
    """A link of the map's page: the entity's local page in the reader's chosen language."""
    return i18n.with_lang(_entity_href(iri))


def _entity_href(iri: str) -> str:
    """Local ``/id/…`` path of an entity IRI (the server maps it back to the IRI)."""
    marker = "/id/"
    return iri[iri.index(marker) :] if marker in iri else iri


def years() -> list[int]:
    """The years of the adjustments (the map's year links), oldest first."""
    store = get_store(current_app)
    key = ("years", store.version)
    found = _cached(key)
    if isinstance(found, list):
        return found
    rows = store.select(sparql_prologue() + mapsvg.YEARS_QUERY)
    found = sorted({int(str(r["year"])[:4]) for r in rows})
    _keep(key, found)
    return found


def default_year() -> int:
    """The latest adjustment year whose list of pairings is complete (else the latest one)."""
    store = get_store(current_app)
    complete = mapsvg.complete_years(store)
    found = complete or years()
    return found[-1] if found else 2021


def year_view(year: int) -> dict[str, Any]:
    """What ``_map.html`` lists beside the map of ``year``: the pairings in force with their
    dates and status, whether the year's list is complete, and the units not placed."""
    store = get_store(current_app)
    data = mapsvg.read(store)
    pairings = mapsvg.pairings_in_force(data, year)
    status = mapsvg.year_list(data, year, pairings)
    regions = data.regions

    def has_point(iri: str) -> bool:
        r = regions.get(iri)
        return r is not None and r.lat is not None

    def names(iri: str) -> dict[str, str]:
        r = regions.get(iri)
        return {lg: r.name(lg) for lg in LANGS} if r else dict.fromkeys(LANGS, iri)

    rows: list[dict[str, Any]] = []
    involved: set[str] = set()
    for p in pairings:
        involved |= {p.assisting, p.assisted}
        rows.append({
            "iri": p.iri, "href": _page_href(p.iri), "status": p.status if p.dated else "sub",
            "assisting": names(p.assisting), "assisted": names(p.assisted),
            "assisting_href": _page_href(p.assisting), "assisted_href": _page_href(p.assisted),
            "when": {lg: p.when(lg) for lg in LANGS}, "start": p.start,
            "disputed": p.disputed, "sub": p.parent is not None,
        })
    rows.sort(key=lambda r: (r["sub"], r["assisting"]["fr"], r["assisted"]["fr"]))
    unplaced: list[dict[str, object]] = []
    approximate: list[dict[str, object]] = []
    for iri in sorted(involved, key=lambda i: names(i)["fr"]):
        if has_point(iri):
            continue
        parent = regions[iri].parent if iri in regions else None
        entry: dict[str, object] = {"href": _page_href(iri), "names": names(iri),
                 "parent": names(parent) if parent else None}
        (approximate if parent and has_point(parent) else unplaced).append(entry)
    return {
        "year": year, "rows": rows, "complete": status.complete, "known": status.known,
        "status": {lg: status.text(lg) for lg in LANGS},
        "note": {lg: status.note(lg) for lg in LANGS},
        "arrangement_href": _page_href(status.arrangement.iri) if status.arrangement else None,
        "unplaced": unplaced, "approximate": approximate,
        "partial_years": [y for y in years() if not mapsvg.year_list(data, y).complete],
    }


def _error(key: str, **fields: object) -> str:
    """The parameter error ``key`` in English, then (French · Chinese)."""
    texts = filled(MAP_ERRORS[key], **fields)
    return f"{texts['en']} ({' · '.join(texts[lg] for lg in LANGS)})"


def parse_year(value: str | None) -> int:
    """The ``year`` parameter, or the default year.

    Raises:
        ApiError: 400 when it is not a whole number in the accepted range.
    """
    if value is None or value == "":
        return default_year()
    low, high = mapsvg.YEAR_RANGE
    try:
        year = int(value.strip())
    except ValueError:
        year = None
    if year is None or not low <= year <= high:
        raise bad_request(_error("bad_year", low=low, high=high))
    return year


def parse_lang(value: str | None) -> str:
    """``fr``, ``zh`` or ``both`` from ``lang``, else from ``Accept-Language``."""
    if value:
        value = value.strip().lower()
        if value not in MAP_LANGS:
            raise bad_request(_error("bad_lang"))
        return value
    return i18n.pick_lang(None, request.accept_languages) or BOTH


def parse_region(value: str | None) -> str | None:
    try:
        return mapsvg.resolve_region(get_store(current_app), value)
    except ValueError as e:
        raise bad_request(_error("unknown_region", error=e)) from None


@bp.get("/map.svg")
def map_svg() -> Response:
    year = parse_year(request.args.get("year"))
    lang = parse_lang(request.args.get("lang"))
    region = parse_region(request.args.get("region"))
    g.page_lang = None if lang == "both" else lang  # the caching hook puts it in the ETag
    svg = _rendered(year, lang, region, inline=False)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = f"public, max-age={_MAX_AGE}"
    if "lang" not in request.args:
        response.vary.add("Accept-Language")
    return response


# --- template helpers for _map.html ---------------------------------------------------------


def year_url(year: int) -> str:
    """The current page with ``map_year`` set to ``year`` (and the map in view).

    Only the parameters the page knows are carried: the reader's chosen language (``?lang``
    or its cookie, normalised) and the year; never the rest of a client's query string (the
    inline map is shared by every client).
    """
    args = []
    lang = i18n.chosen_lang()
    if lang:
        args.append(("lang", lang))
    args.append(("map_year", str(year)))
    return f"{request.path}?{urlencode(args)}#ewkg-map"


def inline_map(
    year: int | str | None = None, lang: str | None = None, region: str | None = None
) -> Markup:
    """The map as inline SVG for a page; a bad ``year`` or ``region`` falls back to the default."""
    try:
        y = parse_year(str(year) if year not in (None, "") else None)
    except Exception:
        y = default_year()
    lang = lang if lang in MAP_LANGS else BOTH
    try:
        r = mapsvg.resolve_region(get_store(current_app), region)
    except ValueError:
        r = None
    return Markup(_rendered(y, lang, r, inline=True))


def map_src(year: int, lang: str, region: str | None) -> str:
    """The URL of the standalone SVG."""
    return url_for("map_svg.map_svg", year=year, lang=lang, region=_slug(region))


def init_app(app: Flask) -> None:
    """Register ``/map.svg``, the template helpers of ``_map.html`` and those of the entity
    pages' summaries (:mod:`ewkg.web.summary`, built on the same map data)."""
    from ewkg.web import summary

    app.register_blueprint(bp)
    summary.init_app(app)
    app.jinja_env.globals.update(
        ewkg_map=inline_map,
        ewkg_map_years=years,
        ewkg_map_default_year=default_year,
        ewkg_map_view=year_view,
        ewkg_map_year_url=year_url,
        ewkg_map_src=map_src,
    )
