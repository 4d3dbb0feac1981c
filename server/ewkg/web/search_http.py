"""Search over HTTP: ``/search`` (HTML or JSON), ``/search/suggest``, ``/opensearch.xml``.

* ``GET /search?q=…`` — HTML for a browser; ``Accept: application/json`` (or ``format=json``)
  gives a JSON list of ``{iri, kind, labels, score, snippet}`` (``snippet``: HTML-escaped text
  with the hits in ``<mark>``; ``href``: the page of the result). ``limit=`` (1–200, default
  50) and ``kind=`` (``region``, ``pairing``…) narrow it. An empty ``q`` is an empty list; a
  ``q`` over 200 characters, or a bad ``limit``, is a ``400``.
* ``GET /search/suggest?q=…`` — OpenSearch suggestions (``application/x-suggestions+json``:
  ``[q, [names], [kinds], [urls]]``), for the header box and for browsers.
* ``GET /opensearch.xml`` — the OpenSearch description, so browsers can add the search.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request
from markupsafe import Markup

from ewkg.store.search import Hit, cached_index_exists, search_index
from ewkg.strings import LANGS
from ewkg.web import i18n
from ewkg.web.errors import error_response, not_acceptable
from ewkg.web.pages import guess_lang
from ewkg.web.services import get_store

bp = Blueprint("search", __name__)

MAX_QUERY = 200
MAX_LIMIT = 200
JSON = "application/json"
HTML = "text/html"
SUGGEST = "application/x-suggestions+json"


class BadSearchError(ValueError):
    """A search request that cannot be answered as asked (answered ``400``)."""


def _params() -> tuple[str, int, str]:
    q = request.args.get("q", "").strip()
    if len(q) > MAX_QUERY:
        raise BadSearchError(f"q is too long: {len(q)} characters (at most {MAX_QUERY})")
    raw = request.args.get("limit", "")
    message = f"limit must be a whole number from 1 to {MAX_LIMIT}: {raw!r}"
    try:
        limit = int(raw) if raw else 50
    except ValueError:
        raise BadSearchError(message) from None
    if not 1 <= limit <= MAX_LIMIT:
        raise BadSearchError(message)
    return q, limit, request.args.get("kind", "").strip()


def _bad(error: BadSearchError, wants_json: bool) -> Response:
    if wants_json:
        resp = jsonify({"error": {"status": 400, "message": str(error)}})
        resp.status_code = 400
        return resp
    return error_response(400, str(error))


def _hits(q: str, limit: int, kind: str) -> list[Hit]:
    if not q:
        return []
    store = get_store(current_app)
    # tests never write the disk cache (they would leave files in the home directory)
    index = search_index(store, use_cache=not current_app.config.get("TESTING"))
    hits = index.search(q, limit=MAX_LIMIT if kind else limit, lang=i18n.current_lang())
    if kind:
        hits = [h for h in hits if h.doc.kind == kind][:limit]
    return hits


def _href(iri: str) -> str:
    from ewkg.web.linkeddata import href

    return href(iri)


def _wants_json() -> bool:
    fmt = request.args.get("format", "").lower()
    if fmt:
        if fmt in {"json", JSON}:
            return True
        if fmt in {"html", HTML}:
            return False
        raise not_acceptable([HTML, JSON])
    best = request.accept_mimetypes.best_match([HTML, JSON])
    if best is None and request.accept_mimetypes:
        raise not_acceptable([HTML, JSON])
    return best == JSON


@bp.get("/search")
def search() -> Response:
    wants_json = _wants_json()
    try:
        q, limit, kind = _params()
    except BadSearchError as error:
        return _bad(error, wants_json)
    hits = _hits(q, limit, kind)
    if wants_json:
        resp = jsonify([{
            "iri": h.doc.iri, "kind": h.doc.kind, "labels": h.doc.labels,
            "score": h.score, "snippet": h.snippet, "href": _href(h.doc.iri),
        } for h in hits])
        resp.headers["Access-Control-Allow-Origin"] = "*"
    else:
        from ewkg.web.linkeddata import kind_title

        lang = i18n.current_lang()
        order = (lang, *(x for x in LANGS if x != lang)) if lang else LANGS
        results = [{
            "href": i18n.with_lang(_href(h.doc.iri)),
            "labels": [(x, h.doc.labels[x]) for x in order if x in h.doc.labels]
            or [("", h.doc.iri)],
            "kind": kind_title(h.doc.kind) if h.doc.kind != "term" else [],
            "snippet": Markup(h.snippet),  # escaped by search.snippet, hits in <mark>
            "snippet_lang": h.snippet_lang or guess_lang(h.snippet),
            "exact": h.exact,
        } for h in hits]
        resp = Response(render_template("search.html", q=q, results=results),
                        content_type="text/html; charset=utf-8")
    resp.vary.add("Accept")
    return _vary_language(resp)


def _vary_language(resp: Response) -> Response:
    """Answers depend on the reader's language (snippets, links) unless ``lang`` is given."""
    if "lang" not in request.args:
        resp.vary.add("Accept-Language")
        resp.vary.add("Cookie")
    return resp


@bp.get("/search/suggest")
def suggest() -> Response:
    try:
        q, limit, kind = _params()
    except BadSearchError as error:
        return _bad(error, True)
    hits = _hits(q, min(limit, 10), kind)
    lang = i18n.current_lang()
    names, kinds, urls = [], [], []
    for h in hits:
        labels = h.doc.labels
        names.append(labels.get(lang or "fr") or next(iter(labels.values()), h.doc.iri))
        kinds.append(h.doc.kind)
        urls.append(request.host_url.rstrip("/") + i18n.with_lang(_href(h.doc.iri)))
    resp = Response(current_app.json.dumps([q, names, kinds, urls]), content_type=SUGGEST)
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return _vary_language(resp)


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    lang = i18n.current_lang()
    body = render_template("opensearch.xml", root=request.host_url.rstrip("/"),
                           lang_param=f"&lang={lang}" if lang else "",
                           short=i18n.t("site_short", lang or "fr"),
                           description=i18n.t("site_name", lang or "fr"))
    return _vary_language(
        Response(body, content_type="application/opensearchdescription+xml; charset=utf-8"))


def init_app(app: Flask) -> None:
    """Register the search routes and the ``search_index`` of the app's store."""
    app.register_blueprint(bp)
    store = get_store(app)
    if not app.config.get("TESTING") and cached_index_exists(store):
        # ~20 ms from the disk cache, ~0.2 s to load the analysers; a cold cache builds on the
        # first search. The tantivy index itself is built in each process on its first search.
        search_index(store).prepare()
