"""The map of the pairings over HTTP: ``/map.svg?year=2010&lang=zh&region=chongqing``.

* ``year``: the year shown (default: the latest year of an adjustment); 400 if it is not a whole
  number between 1949 and 2100.
* ``lang``: ``fr``, ``zh`` or ``both``; without it, ``Accept-Language`` picks (``zh-CN`` → ``zh``),
  else both. 400 for another value.
* ``region``: a region to highlight, by IRI, ``/id/region/…`` URL or slug; 400 if the dataset has
  no such region.

The answer is ``image/svg+xml``, cacheable (``Cache-Control: public``; the app-wide caching hook
adds ``ETag``/``Last-Modified`` and answers conditional requests with 304).

Templates get ``ewkg_map(year, lang, region)`` (the SVG, inline, with year links to the page
itself), ``ewkg_map_years()`` and ``ewkg_map_year_url(year)`` for ``_map.html``.
"""

from __future__ import annotations

from collections import OrderedDict
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, request, url_for
from markupsafe import Markup

from . import i18n, mapsvg
from .app import get_store
from .errors import bad_request

bp = Blueprint("map_svg", __name__)

#: Rendered maps kept per (dataset version, year, lang, region, link style).
_CACHE_SIZE = 64
_MAX_AGE = 3600


def _cache() -> OrderedDict:
    return current_app.extensions.setdefault("ewkg.map_cache", OrderedDict())


def _rendered(year: int, lang: str, region: str | None, *, inline: bool) -> str:
    store = get_store(current_app)
    key = (store.version, year, lang, region, inline, request.path if inline else "")
    cache = _cache()
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    if inline:

        def year_href(y: int) -> str:
            return year_url(y)

    else:

        def year_href(y: int) -> str:
            return url_for("map_svg.map_svg", year=y, lang=lang, region=_slug(region))

    chosen = lang if inline and lang in i18n.LANGS else None  # dots keep the page language
    svg = mapsvg.render_map(
        store,
        year=year,
        lang=lang,
        region=region,
        year_href=year_href,
        entity_href=lambda iri: i18n.lang_link(_entity_href(iri), chosen),
    )
    cache[key] = svg
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)
    return svg


def _slug(region: str | None) -> str | None:
    return region.rsplit("/", 1)[-1] if region else None


def _entity_href(iri: str) -> str:
    """Local ``/id/…`` path of an entity IRI (the server maps it back to the IRI)."""
    marker = "/id/"
    return iri[iri.index(marker) :] if marker in iri else iri


def years() -> list[int]:
    """The years of the adjustments (the map's year links), oldest first."""
    store = get_store(current_app)
    key = ("years", store.version)
    cache = _cache()
    if key not in cache:
        rows = store.select(mapsvg.sparql_prologue() + mapsvg.YEARS_QUERY)
        cache[key] = sorted({int(str(r["year"])[:4]) for r in rows})
    return cache[key]


def default_year() -> int:
    found = years()
    return found[-1] if found else 2021


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
        raise bad_request(
            f"year must be a whole number from {low} to {high} "
            f"(année : un nombre entier de {low} à {high} · 年份须为{low}至{high}之间的整数)"
        )
    return year


def parse_lang(value: str | None) -> str:
    """``fr``, ``zh`` or ``both`` from ``lang``, else from ``Accept-Language``."""
    if value:
        value = value.strip().lower()
        if value not in mapsvg.LANGS:
            raise bad_request(
                "lang must be fr, zh or both (langue : fr, zh ou both · 语言须为 fr、zh 或 both)"
            )
        return value
    return i18n.pick_lang(None, request.accept_languages) or "both"


def parse_region(value: str | None) -> str | None:
    try:
        return mapsvg.resolve_region(get_store(current_app), value)
    except ValueError as e:
        raise bad_request(f"{e} (région inconnue · 未知地区)") from None


@bp.get("/map.svg")
def map_svg() -> Response:
    year = parse_year(request.args.get("year"))
    lang = parse_lang(request.args.get("lang"))
    region = parse_region(request.args.get("region"))
    svg = _rendered(year, lang, region, inline=False)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = f"public, max-age={_MAX_AGE}"
    if "lang" not in request.args:
        response.vary.add("Accept-Language")
    return response


# --- template helpers for _map.html ---------------------------------------------------------


def year_url(year: int) -> str:
    """The current page with ``map_year`` set to ``year`` (and the map in view)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "map_year"]
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
    lang = lang if lang in mapsvg.LANGS else "both"
    try:
        r = mapsvg.resolve_region(get_store(current_app), region)
    except ValueError:
        r = None
    return Markup(_rendered(y, lang, r, inline=True))


def map_src(year: int, lang: str, region: str | None) -> str:
    """The URL of the standalone SVG."""
    return url_for("map_svg.map_svg", year=year, lang=lang, region=_slug(region))


def init_app(app: Flask) -> None:
    """Register ``/map.svg`` and the template helpers of ``_map.html``."""
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        ewkg_map=inline_map,
        ewkg_map_years=years,
        ewkg_map_default_year=default_year,
        ewkg_map_year_url=year_url,
        ewkg_map_src=map_src,
    )
