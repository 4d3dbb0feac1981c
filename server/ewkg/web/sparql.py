"""The SPARQL 1.1 Protocol endpoint, ``/sparql``, in Flask: one blueprint, read-only.

The view is an adapter: the answer — status, headers, validators, compression, errors — is
:meth:`ewkg.web.protocol.Endpoint.answer`'s, the same function the WSGI lane in front of Flask calls
(:mod:`ewkg.web.query_lane`). What only Flask can make is made here: the query editor (YASGUI) for a
browser, and the error page for a client that reads HTML. See ``docs/protocol.md`` for every
parameter and status.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from flask import Blueprint, Flask, Response, current_app, render_template, request
from jinja2 import TemplateError

from ewkg.rdf.formats import Format
from ewkg.resources import query_files
from ewkg.web import services
from ewkg.web.http_caching import WrittenResponse
from ewkg.web.protocol import EXPOSED_HEADERS, Endpoint, PageNeeded

if TYPE_CHECKING:  # pragma: no cover
    from ewkg.store.embedded import Store

bp = Blueprint("sparql", __name__)


# --------------------------------------------------------------------------- pages


def load_examples() -> list[dict[str, str]]:
    """The competency queries ``queries/NN-slug.rq``, with their French and Chinese titles."""
    examples = []
    for path in query_files():
        text = path.read_text(encoding="utf-8")
        titles = {"fr": "", "zh": ""}
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped.startswith("#"):
                if stripped:
                    break
                continue
            head, _, rest = stripped.lstrip("#").strip().partition(":")
            if head.strip() in titles and rest.strip():
                titles[head.strip()] = rest.strip()
        examples.append(
            {
                "slug": path.stem,
                "fr": titles["fr"] or path.stem,
                "zh": titles["zh"] or path.stem,
                "query": text,
            }
        )
    return examples


_STANDALONE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %}</title>{% block head %}{% endblock %}</head>
<body><main id="main">{% block content %}{% endblock %}</main>{% block scripts %}{% endblock %}
</body></html>"""


def query_ui(*, initial_query: str | None = None) -> Response:
    """The query page (YASGUI), in the site's frame when the page templates are there."""
    context = {"initial_query": initial_query}
    try:
        html = render_template("sparql.html", layout="base.html", **context)
    except TemplateError:
        layout = current_app.jinja_env.from_string(_STANDALONE)
        html = render_template("sparql.html", layout=layout, **context)
    return Response(html, mimetype="text/html")


# --------------------------------------------------------------------------- the view


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"], provide_automatic_options=False)
def endpoint() -> Response:
    """The protocol endpoint: :meth:`ewkg.web.protocol.Endpoint.answer`, or the page it names."""
    answer = services.get_endpoint().answer(request.environ)
    if isinstance(answer, PageNeeded):
        if answer.error is not None:
            raise answer.error  # the app's error handler writes the HTML error page
        return query_ui(initial_query=answer.initial_query)
    return WrittenResponse(answer.body, status=answer.status, headers=answer.headers)


@bp.after_request
def _page_headers(response: Response) -> Response:
    """The endpoint's ``Vary``, CORS and ``Cache-Control`` on the pages made here (the query
    editor, HTML errors); an answer of :mod:`ewkg.web.protocol` has its own already."""
    if isinstance(response, WrittenResponse):
        return response
    response.vary.add("Accept")
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    response.headers.setdefault("Access-Control-Expose-Headers", EXPOSED_HEADERS)
    if request.method == "POST" or response.status_code >= 400:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _service_description(store: Store, fmt: Format, endpoint_url: str, root_url: str) -> bytes:
    from ewkg.store.service_description import service_description

    graph = service_description(store, endpoint=endpoint_url, base_url=root_url)
    return graph.serialize(format=fmt.rdflib_name or "turtle", encoding="utf-8")


def init_app(app: Flask) -> None:
    """Register the endpoint, its :class:`~ewkg.web.protocol.Endpoint` (read it with
    :func:`ewkg.web.services.get_endpoint`), and the examples for templates
    (``sparql_examples()``)."""
    store = services.get_store(app)
    services.set_endpoint(app, Endpoint(
        services.get_config(app),
        store,
        lambda: services.find_executor(app),
        partial(_service_description, store),
    ))
    app.register_blueprint(bp)
    app.jinja_env.globals["sparql_examples"] = load_examples
