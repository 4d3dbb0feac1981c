"""``/validate``: a curator posts Turtle (N-Triples, JSON-LD) and gets the validation report.

- ``GET /validate``: a page where Turtle is pasted or uploaded (``templates/validate.html``).
- ``POST /validate`` with the document as the body (``Content-Type: text/turtle``,
  ``application/n-triples`` or ``application/ld+json``), or as the form field ``data`` / the file
  upload ``file`` with a ``format`` field (``turtle``, ``ntriples``, ``jsonld``). The report comes
  back as JSON (default for API calls), Turtle (a ``sh:ValidationReport``) or HTML, by ``Accept``.

The posted document is merged with the served dataset's files (for references) and validated;
nothing is written anywhere, the store is never touched. Errors: 413 for a body over
``max_request_bytes``, 415 for an unknown ``Content-Type``, 400 (with line and column) for input
that does not parse, including JSON-LD naming a remote ``@context`` (nothing is fetched).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, current_app, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge

from .errors import ApiError, bad_request, not_acceptable, unsupported_media_type

bp = Blueprint("validation", __name__)

#: Media types of the documents accepted as a request body.
BODY_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
#: Values of the form's ``format`` field.
FORM_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
_FORMS = {"application/x-www-form-urlencoded", "multipart/form-data"}
#: Response types, the default first for API clients.
RESPONSE_TYPES = ("application/json", "text/turtle", "text/html")

def _max_bytes() -> int:
    return int(current_app.config.get("MAX_CONTENT_LENGTH") or 1_000_000)


def _too_large() -> ApiError:
    return ApiError(413, f"the document is larger than {_max_bytes()} bytes, the limit of this "
                         "server; validate it locally with `ewkg validate FILE`")


def _context_files() -> list[Path] | None:
    config = current_app.config.get("EWKG")
    files = list(getattr(config, "data", ()) or ())
    return files or None


def _read_input() -> tuple[bytes, ox.RdfFormat, bool]:
    """The posted document, its format, and whether it came from the HTML form."""
    mimetype = request.mimetype
    try:
        if mimetype in _FORMS:
            name = request.form.get("format", "turtle")
            if name not in FORM_FORMATS:
                raise bad_request(f"unknown format {name!r}: use one of {', '.join(FORM_FORMATS)}")
            upload = request.files.get("file")
            data = upload.read() if upload is not None and upload.filename else b""
            if not data:
                data = request.form.get("data", "").encode("utf-8")
            if not data.strip():
                raise bad_request("nothing to validate: paste Turtle in `data` or upload `file`")
            return data, FORM_FORMATS[name], True
        if not mimetype:
            raise unsupported_media_type(
                "a Content-Type is required: " + ", ".join(BODY_FORMATS)
                + " (or a form with the field `data` or `file`)"
            )
        if mimetype not in BODY_FORMATS:
            raise unsupported_media_type(
                f"cannot validate {mimetype}: send " + ", ".join(BODY_FORMATS)
                + " (or a form with the field `data` or `file`)"
            )
        return request.get_data(cache=False), BODY_FORMATS[mimetype], False
    except RequestEntityTooLarge:
        raise _too_large() from None


def _best_response_type(from_form: bool) -> str:
    offered = ["text/html", "application/json", "text/turtle"] if from_form else list(
        RESPONSE_TYPES
    )
    if not request.accept_mimetypes:
        return offered[0]
    best = request.accept_mimetypes.best_match(offered)
    if best is None:
        raise not_acceptable(list(RESPONSE_TYPES))
    return best


def _page(report: object = None, *, status: int = 200, text: str = "", fmt: str = "turtle",
          syntax: list[object] | None = None) -> Response:
    body = render_template(
        "validate.html", report=report, text=text, fmt=fmt, formats=list(FORM_FORMATS),
        syntax_errors=syntax or [],
    )
    response = Response(body, status=status, mimetype="text/html")
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/validate")
def form() -> Response:
    """The page to paste or upload Turtle."""
    return _page()


@bp.post("/validate")
def post() -> Response:
    """Validate the posted document; answer with the report."""
    from .validate import validate_text

    if request.content_length is not None and request.content_length > _max_bytes():
        raise _too_large()
    data, rdf_format, from_form = _read_input()
    response_type = _best_response_type(from_form)
    report = validate_text(data, rdf_format=rdf_format, name="input",
                           context_files=_context_files())
    text = data.decode("utf-8", errors="replace") if from_form else ""
    fmt = next((k for k, v in FORM_FORMATS.items() if v == rdf_format), "turtle")
    if report.syntax_errors:
        if response_type == "text/html":
            return _page(status=400, text=text, fmt=fmt, syntax=list(report.syntax_errors))
        raise bad_request("; ".join(str(p) for p in report.syntax_errors))
    if response_type == "text/html":
        return _page(report, text=text, fmt=fmt)
    if response_type == "text/turtle":
        from .turtle import canonical_turtle

        body = canonical_turtle(report.to_graph())
        response = Response(body, mimetype="text/turtle")
    else:
        body = json.dumps(report.to_json(), ensure_ascii=False, indent=1)
        response = Response(body, mimetype="application/json")
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Register the ``/validate`` blueprint."""
    app.register_blueprint(bp)
