"""Linked data: entity IRIs, kind listings, the ontology, the dumps, VoID, the home page.

URL scheme (see ``docs/linked-data.md``):

* ``/id/{kind}/{slug}`` — an entity (``{base_iri}id/{kind}/{slug}``, or the server's own
  ``http://HOST/id/…`` when the data uses it); ``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``,
  ``.trig``, ``.html`` suffixes pick a format, otherwise ``Accept`` does.
* ``/id/{kind}/`` — the entities of a kind; ``/id/`` — the kinds.
* ``/ontology`` — the ontology (HTML documentation with ``#Term`` anchors, or RDF).
* ``/dataset.{ext}`` — the whole graph; ``/.well-known/void`` — the VoID + DCAT description.
* ``/resource?iri=…`` — any other IRI the data describes (search: :mod:`ewkg.web.search_http`).

Every negotiated response carries ``Vary: Accept``; an unsupported type gets 406 naming the
available ones; an unknown IRI gets a bilingual 404 page (plain text for non-browsers).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from urllib.parse import quote, urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    redirect,
    render_template,
    request,
)
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF
from werkzeug.wrappers import Response as WerkzeugResponse

from ewkg.rdf.formats import HTML, Format, by_name, graph_formats, negotiate
from ewkg.rdf.namespaces import EWKG, ONTOLOGY_IRI, new_graph
from ewkg.store.describe import (
    dataset_bytes,
    describe,
    describe_triples,
    exists,
    kind_classes,
    kinds,
    listing_graph,
    members,
    ontology_graph,
    safe_iri,
    serialize,
    serialize_triples,
)
from ewkg.store.embedded import Store
from ewkg.store.labels import labels_for, memo
from ewkg.store.void import DUMP_PATH, counts, void_graph
from ewkg.strings import LANGS
from ewkg.web import i18n
from ewkg.web.errors import bad_request, not_acceptable
from ewkg.web.pages import incoming_rows, literals, ontology_terms, provenance, rows_for
from ewkg.web.services import get_store
from ewkg.web.value_sources import value_sources

bp = Blueprint("linkeddata", __name__)

#: ``.ext`` -> format, for the suffixes of entity, ontology and dump URLs (``.html`` is HTML).
SUFFIXES: dict[str, Format | str] = {f.extension: f for f in graph_formats()} | {"html": HTML}


# --- helpers --------------------------------------------------------------------------------

def store() -> Store:
    return get_store(current_app)


def id_bases() -> tuple[str, ...]:
    """The IRI bases ``/id/…`` paths map to: the configured one, then the server's own.

    The server's own (``http://HOST/id/``, from the request's ``Host``) counts only when the data
    holds IRIs under it: anything else could not match, and this tuple keys memoised values, so
    it must not take a new value per ``Host`` a client makes up.
    """
    config = current_app.config["EWKG"]
    configured = config.base_iri.rstrip("/") + "/id/"
    own = request.host_url.rstrip("/") + "/id/"
    if own != configured and own in data_id_bases(store()):
        return (configured, own)
    return (configured,)


def data_id_bases(s: Store) -> frozenset[str]:
    """Every ``…/id/`` prefix of the data's subject IRIs (computed once per dataset version)."""

    def build() -> frozenset[str]:
        return frozenset(iri[: iri.index("/id/") + 4]
                         for iri in memo(s, "described-iris", _all_subjects) if "/id/" in iri)

    return memo(s, "data-id-bases", build)


def href(iri: str) -> str:
    """Where a page links ``iri``: its local path when served here (carrying the language the
    reader chose), else the IRI itself."""
    return i18n.with_lang(_local_path(iri))


def _local_path(iri: str) -> str:
    for base in id_bases():
        if iri.startswith(base):
            return "/id/" + iri[len(base):]
    if iri == ONTOLOGY_IRI:
        return "/ontology"
    if iri.startswith(str(EWKG)):
        return "/ontology#" + iri[len(str(EWKG)):]
    if iri in labels_for(store()) and safe_iri(iri) and _described(iri):
        return "/resource?" + urlencode({"iri": iri})
    return iri


def _described(iri: str) -> bool:
    return memo(store(), "described-iris", _all_subjects).__contains__(iri)


def _all_subjects() -> frozenset[str]:
    rows = store().select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")
    return frozenset(str(r["s"]) for r in rows)


def _choose(suffix: str | None, *, html: bool = True) -> Format | str:
    """The format of this request: a suffix or ``format=`` wins, else ``Accept``."""
    name = suffix or request.args.get("format")
    if name:
        if name in SUFFIXES:
            return SUFFIXES[name]
        if name.lower() in {"html", "text/html"} and html:
            return HTML
        try:
            fmt = by_name(name)
        except KeyError:
            raise not_acceptable(_acceptable(html)) from None
        if fmt.kind != "graph":
            raise not_acceptable(_acceptable(html))
        return fmt
    chosen = negotiate(request.accept_mimetypes, graph_formats(), extra=[HTML] if html else [])
    if chosen is None:
        raise not_acceptable(_acceptable(html))
    return chosen


def _acceptable(html: bool) -> list[str]:
    return [f.media_type for f in graph_formats()] + ([HTML] if html else [])


def _negotiated(resp: Response, suffix: str | None) -> Response:
    if not suffix and "format" not in request.args:
        resp.vary.add("Accept")
    return resp


def rdf_response(graph: Graph, fmt: Format, suffix: str | None = None, *,
                 first: str | None = None) -> Response:
    resp = Response(serialize(graph, fmt, first=first), content_type=fmt.content_type)
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return _negotiated(resp, suffix)


def html_response(template: str, suffix: str | None = None, status: int = 200, *,
                  negotiated: bool = True, page: Mapping[str, object] | None = None,
                  **context: object) -> Response:
    """``template`` rendered with ``page`` and ``context``, as negotiated HTML."""
    resp = Response(render_template(template, **(page or {}), **context), status=status,
                    content_type="text/html; charset=utf-8")
    if "lang" not in request.args:
        resp.vary.add("Accept-Language")
    return _negotiated(resp, suffix) if negotiated else resp


def shown() -> tuple[str, ...]:
    return i18n.shown_langs(i18n.current_lang())


def sparql_describe_url(iri: str) -> str:
    return i18n.with_lang("/sparql?" + urlencode({"query": f"DESCRIBE <{iri}>"}))


def _format_links(base_path: str, *, query: bool = False) -> list[tuple[str, str]]:
    """``(label, url)`` of each RDF form of a page."""
    links = []
    for f in graph_formats():
        if query:
            sep = "&" if "?" in base_path else "?"
            links.append((f.name, f"{base_path}{sep}format={f.name}"))
        else:
            links.append((f.name, f"{base_path}.{f.extension}"))
    return links


# --- entities -------------------------------------------------------------------------------

def _split_suffix(path: str) -> tuple[str, str | None]:
    head, dot, ext = path.rpartition(".")
    if dot and ext in SUFFIXES and "/" not in ext and head:
        return head, ext
    return path, None


def _resolve(path: str) -> tuple[str | None, str | None]:
    """``(IRI, suffix)`` of an ``/id/…`` path; the IRI is ``None`` when nothing is known."""
    s = store()
    for candidate_path, suffix in ((path, None), _split_suffix(path)):
        if suffix is None and candidate_path != path:
            continue
        for base in id_bases():
            iri = base + candidate_path
            if safe_iri(iri) and exists(s, iri):
                return iri, suffix
    return None, _split_suffix(path)[1]


@bp.get("/id/<path:path>")
def entity(path: str) -> WerkzeugResponse:
    if path.endswith("/") and path.count("/") == 1:
        return listing(path[:-1])
    if "/" not in path and path in kinds(store(), id_bases()):
        return redirect(f"/id/{path}/", code=301)
    iri, suffix = _resolve(path)
    if iri is None:
        return not_found(path)
    return resource_response(iri, suffix, "/id/" + _split_suffix(path)[0] if suffix else
                             "/id/" + path)


@bp.get("/resource")
def any_resource() -> WerkzeugResponse:
    iri = request.args.get("iri", "")
    if iri and not safe_iri(iri):
        raise bad_request(i18n.t("bad_iri"))
    if not iri or not exists(store(), iri):
        return not_found(iri or "")
    local = href(iri)
    if local.startswith("/id/") or local.startswith("/ontology"):
        return redirect(local, code=303)
    return resource_response(iri, None, "/resource?" + urlencode({"iri": iri}), query=True)


def resource_response(iri: str, suffix: str | None, page_path: str, *,
                      query: bool = False) -> Response:
    fmt = _choose(suffix)
    s = store()
    if isinstance(fmt, Format):  # pyoxigraph to bytes, no rdflib graph in between
        resp = Response(serialize_triples(describe_triples(s, iri), fmt),
                        content_type=fmt.content_type)
        resp.headers["Access-Control-Allow-Origin"] = "*"
        resp = _negotiated(resp, suffix)
        if not suffix and not query:
            resp.headers["Content-Location"] = f"{page_path}.{fmt.extension}"
        return resp
    graph = describe(s, iri)
    labels = labels_for(s)
    node = URIRef(iri)
    langs = shown()
    rows = [r for r in rows_for(graph, node, labels, href, langs) if URIRef(r.iri) != RDF.value]
    types = next((r.values for r in rows if URIRef(r.iri) == RDF.type), [])
    rows = [r for r in rows if URIRef(r.iri) != RDF.type]
    quotes, citations = provenance(s, graph, node, labels, href, langs)
    context: dict[str, object] = {
        "sources": value_sources(s, iri, labels, href, langs),
        "iri": iri,
        "title": labels.title(iri, i18n.current_lang()),
        "types": types,
        "rows": rows,
        "incoming": incoming_rows(graph, node, labels, href, langs),
        "quotes": quotes,
        "citations": citations,
        "formats": _format_links(page_path, query=query),
        "describe_url": sparql_describe_url(iri),
        "kind": _kind_link(iri),
    }
    return html_response("entity.html", suffix, page=context)


def _kind_link(iri: str) -> tuple[str, list[tuple[str, str]]] | None:
    for base in id_bases():
        if iri.startswith(base) and "/" in iri[len(base):]:
            kind = iri[len(base):].split("/", 1)[0]
            return i18n.with_lang(f"/id/{kind}/"), kind_title(kind)
    return None


def kind_title(kind: str) -> list[tuple[str, str]]:
    """The labels of a kind: its dominant class's labels, else the kind's name."""
    cls = kind_classes(store(), id_bases()).get(kind)
    if cls:
        return labels_for(store()).shown(cls, shown())
    return [("", kind)]


def not_found(path: str) -> Response:
    """The 404 of an unknown IRI: bilingual, with the kind's listing and near matches."""
    kind = path.split("/", 1)[0] if "/" in path else ""
    all_kinds = kinds(store(), id_bases())
    listing_url = i18n.with_lang(f"/id/{kind}/") if kind in all_kinds else ""
    slug = path.split("/", 1)[1] if "/" in path else path
    slug = _split_suffix(slug)[0]
    near: list[str] = []
    if kind in all_kinds:
        by_slug = {m.rsplit("/", 1)[-1]: m for m in all_kinds[kind]}
        near = [by_slug[x] for x in difflib.get_close_matches(slug, list(by_slug), n=5,
                                                              cutoff=0.6)]
    wants_html = negotiate(request.accept_mimetypes, [], extra=["text/plain", HTML]) == HTML
    if not wants_html:
        lines = [
            f"404 Not Found: /id/{path}",
            i18n.t("not_found_text", "fr"),
            i18n.t("not_found_text", "zh"),
        ]
        if listing_url:
            lines.append(f"{i18n.t('see_listing', 'fr')} / {i18n.t('see_listing', 'zh')}: "
                         f"{request.host_url.rstrip('/')}{listing_url}")
        lines += [f"  {request.host_url.rstrip('/')}{href(m)}" for m in near]
        lines.append(f"{i18n.t('search', 'fr')} / {i18n.t('search', 'zh')}: "
                     f"{request.host_url.rstrip('/')}/search?q={quote(slug.replace('-', ' '))}")
        resp = Response("\n".join(lines) + "\n", status=404,
                        content_type="text/plain; charset=utf-8")
        resp.vary.add("Accept")
        return resp
    labels = labels_for(store())
    context: dict[str, object] = {
        "path": "/id/" + path if not path.startswith("http") else path,
        "listing_url": listing_url,
        "listing_title": kind_title(kind) if listing_url else [],
        "near": [(href(m), labels.shown(m, shown())) for m in near],
        "query": slug.replace("-", " "),
        "kinds": [(k, kind_title(k), len(v)) for k, v in all_kinds.items()],
    }
    resp = html_response("not_found.html", None, status=404, page=context)
    resp.vary.add("Accept")
    return resp


# --- listings -------------------------------------------------------------------------------

@bp.get("/id/")
def kinds_listing() -> Response:
    fmt = _choose(None)
    all_kinds = kinds(store(), id_bases())
    if isinstance(fmt, Format):
        base = id_bases()[0]
        g = listing_graph(store(), base, [])
        for kind, iris in all_kinds.items():
            g.add((URIRef(base), DCTERMS.hasPart, URIRef(f"{base}{kind}/")))
            g.add((URIRef(f"{base}{kind}/"), DCTERMS.extent,
                   Literal(len(iris))))
        return rdf_response(g, fmt)
    return html_response("kinds.html", None, kinds=_kind_cards())


def _kind_cards() -> list[tuple[str, list[tuple[str, str]], int]]:
    return [(k, kind_title(k), len(v)) for k, v in kinds(store(), id_bases()).items()]


@bp.get("/id/<kind>/")
def listing(kind: str) -> Response:
    iris = members(store(), id_bases(), kind)
    if not iris:
        return not_found(kind + "/")
    fmt = _choose(None)
    listing_iri = id_bases()[0] + kind + "/"
    if isinstance(fmt, Format):
        return rdf_response(listing_graph(store(), listing_iri, iris), fmt)
    labels = labels_for(store())
    types = _types_of(store(), iris)
    first = i18n.current_lang()
    order = (first, *(x for x in LANGS if x != first)) if first else LANGS
    rows = [
        (href(i), i.rsplit("/", 1)[-1], dict(labels.shown(i, LANGS)),
         [(href(c), labels.shown(c, shown())) for c in types.get(i, [])])
        for i in iris
    ]
    return html_response(
        "listing.html", None, kind=kind, title=kind_title(kind), rows=rows, count=len(iris),
        label_langs=order, formats=_format_links(f"/id/{kind}/", query=True),
    )


def _types_of(s: Store, iris: list[str]) -> dict[str, list[str]]:
    """``{iri: [class…]}`` of the given entities, sorted by class IRI."""
    types: dict[str, list[str]] = {}
    values = " ".join(f"<{i}>" for i in iris if safe_iri(i))
    if values:
        for r in s.select(f"SELECT ?s ?c WHERE {{ VALUES ?s {{ {values} }} ?s a ?c "
                          f"FILTER(isIRI(?c)) }} ORDER BY ?s ?c"):
            types.setdefault(str(r["s"]), []).append(str(r["c"]))
    return types


# --- the ontology ---------------------------------------------------------------------------

@bp.get("/ontology")
@bp.get("/ontology.<ext>")
def ontology(ext: str | None = None) -> Response:
    if ext is not None and ext not in SUFFIXES:
        return not_found("ontology." + ext)
    fmt = _choose(ext)
    s = store()
    graph = ontology_graph(s, id_bases())
    if isinstance(fmt, Format):
        body = memo(s, f"ontology:{fmt.name}", lambda: serialize(graph, fmt),
                    variant=id_bases())
        resp = Response(body, content_type=fmt.content_type)
        resp.headers["Access-Control-Allow-Origin"] = "*"
        return _negotiated(resp, ext)
    lang = i18n.current_lang()
    if set(request.args) <= {"lang"}:  # the usual URLs: rendered once per version and language
        # the page depends on the page language, the language the links carry, its path and
        # the bases (links), not on the raw ``lang`` value or the host
        html = memo(s, f"ontology-page:{lang or 'both'}:{i18n.chosen_lang()}",
                    lambda: _ontology_page(s, graph), variant=(request.path, id_bases()))
    else:
        html = _ontology_page(s, graph)
    resp = Response(html, content_type="text/html; charset=utf-8")
    if "lang" not in request.args:
        resp.vary.add("Accept-Language")
    return _negotiated(resp, ext)


def _ontology_page(s: Store, graph: Graph) -> str:
    """The ontology documentation in the page language (rendered once per version and language)."""
    labels = labels_for(s)
    node = URIRef(ONTOLOGY_IRI)
    header = [r for r in rows_for(graph, node, labels, href, shown())
              if URIRef(r.iri) not in {RDF.type}]
    return render_template(
        "ontology.html", title=labels.title(ONTOLOGY_IRI, i18n.current_lang()),
        descriptions=literals(graph, node, (DCTERMS.description,)), header=header,
        terms=ontology_terms(graph, s, labels, href, shown()), formats=_format_links("/ontology"),
    )


# --- dumps and VoID -------------------------------------------------------------------------

def dump_bytes(s: Store, fmt: Format) -> bytes:
    """The whole dataset in ``fmt``, serialized once per dataset version."""
    return memo(s, f"dump:{fmt.name}", lambda: dataset_bytes(s, fmt))


@bp.get(f"/{DUMP_PATH}.<ext>")
@bp.get(f"/{DUMP_PATH}")
def dump(ext: str | None = None) -> Response:
    if ext is not None and (ext not in SUFFIXES or ext == "html"):
        return not_found(f"{DUMP_PATH}.{ext}")
    fmt = _choose(ext, html=False)
    assert isinstance(fmt, Format)
    resp = Response(dump_bytes(store(), fmt), content_type=fmt.content_type)
    resp.headers["Content-Disposition"] = f'inline; filename="ewkg.{fmt.extension}"'
    resp.headers["Access-Control-Allow-Origin"] = "*"
    return _negotiated(resp, ext)


def stats(s: Store) -> dict[str, int]:
    """The VoID counts, computed once per dataset version."""
    return memo(s, "void-counts", lambda: counts(s))


#: The root URL the VoID description is built under once, then rebased on each request's own
#: (``.invalid`` is reserved: no real host has it, RFC 2606).
_VOID_BASE = "http://ewkg.invalid/"


def void_for_request() -> Graph:
    """The VoID description with this server's URLs: built once per dataset version, rebased on
    the request's root URL (the last few kept, least recently used evicted first)."""
    s = store()
    core = memo(s, "void", lambda: void_graph(s, _VOID_BASE))
    host_url = request.host_url
    return memo(s, "void-rebased", lambda: rebase(core, _VOID_BASE, host_url), variant=host_url)


def rebase(graph: Graph, old: str, new: str) -> Graph:
    """A copy of ``graph`` with every IRI under ``old`` moved under ``new``."""

    def move(term: object) -> object:
        if isinstance(term, URIRef) and term.startswith(old):
            return URIRef(new + term[len(old):])
        return term

    out = new_graph()
    for triple in graph:
        out.add(tuple(move(t) for t in triple))  # type: ignore[arg-type]
    return out


@bp.get("/.well-known/void")
def void() -> Response:
    fmt = _choose(None)
    graph = void_for_request()
    if isinstance(fmt, Format):
        return rdf_response(graph, fmt)
    turtle = serialize(graph, by_name("ttl")).decode("utf-8")
    return html_response("void.html", None, turtle=turtle, stats=stats(store()),
                         formats=_format_links("/.well-known/void", query=True))


# --- home ------------------------------------------------------------------------

@bp.get("/")
def home() -> Response:
    s = store()
    graph = void_for_request()
    void = "http://rdfs.org/ns/void#"
    ds = next((d for d in graph.subjects(RDF.type, URIRef(void + "Dataset"))  # not a graph
               if isinstance(d, URIRef) and (None, URIRef(void + "subset"), d) not in graph),
              None)
    titles = literals(graph, ds, (DCTERMS.title,)) if ds is not None else {}
    descriptions = literals(graph, ds, (DCTERMS.description,)) if ds is not None else {}
    dumps = [(f.name, f"/{DUMP_PATH}.{f.extension}", f.media_type) for f in graph_formats()]
    return html_response(
        "home.html", None, negotiated=False, titles=titles, descriptions=descriptions,
        stats=stats(s), kinds=_kind_cards(), dumps=dumps, version=s.version,
    )


def init_app(app: Flask) -> None:
    """Attach the linked-data part: the page language picker, the pages and RDF routes."""
    i18n.init_app(app)
    app.register_blueprint(bp)
    app.jinja_env.globals.setdefault("ld_href", href)
