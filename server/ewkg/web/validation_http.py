"""``/validate``: a curator posts Turtle (N-Triples, JSON-LD) and gets the validation report.

- ``GET /validate``: a page where Turtle is pasted or uploaded (``templates/validate.html``).
- ``POST /validate`` with the document as the body (``Content-Type: text/turtle``,
  ``application/n-triples`` or ``application/ld+json``), or as the form field ``data`` / the file
  upload ``file`` with a ``format`` field (``ttl``, ``nt``, ``jsonld``, or an alias of
  :mod:`ewkg.rdf.formats` such as ``turtle``). The report comes back as JSON (default for API
  calls), Turtle (a ``sh:ValidationReport``) or HTML, by ``Accept``.

The posted document is merged with the served dataset's files (for references) and validated
in a process of its own, under the limits of :mod:`ewkg.validation.worker` (time, memory, slots,
results listed); nothing is written anywhere, the store is never touched. Errors: 413 for a body
over ``max_request_bytes`` (chunked or not), 415 for an unknown ``Content-Type``, 400 (with line
and column, in the page's language) for input that does not parse, including JSON-LD naming a
remote ``@context`` (nothing is fetched) or nested too deeply, 503 (in French, Chinese and
English, naming the limit) for a validation stopped at its time or memory limit or refused
while the server is busy (with ``Retry-After``).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, current_app, render_template, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_content_length

from ewkg.rdf import formats
from ewkg.validation.worker import (
    Job,
    ValidationLimitError,
    ValidationLimits,
    ValidationProcessError,
    Validator,
)
from ewkg.web.errors import ApiError, bad_request, not_acceptable, unsupported_media_type
from ewkg.web.i18n import current_lang

if TYPE_CHECKING:  # pragma: no cover
    from ewkg.validation.report import Report

bp = Blueprint("validation", __name__)

#: The formats a document to validate may be written in (the form's ``format`` choices).
_INPUT_FORMATS = [formats.by_name(name) for name in ("ttl", "nt", "jsonld")]
#: Media types of the documents accepted as a request body.
BODY_FORMATS: dict[str, ox.RdfFormat] = {
    m: f.rdf for m, f in formats.syntax_table(_INPUT_FORMATS).items()
}
#: Values of the form's ``format`` field (their aliases, ``turtle``, ``ntriples``…, are accepted).
FORM_FORMATS: dict[str, ox.RdfFormat] = {f.name: f.rdf for f in _INPUT_FORMATS}
_FORMS = {"application/x-www-form-urlencoded", "multipart/form-data"}
#: Response types, the default first for API clients.
RESPONSE_TYPES = ("application/json", "text/turtle", "text/html")

def _max_bytes() -> int:
    return int(current_app.config.get("MAX_CONTENT_LENGTH") or 1_000_000)


def _too_large() -> ApiError:
    return ApiError(413, f"the document is larger than {_max_bytes()} bytes, the limit of this "
                         "server; validate it locally with `ewkg validate FILE`")


def _context_files() -> tuple[Path, ...]:
    config = current_app.config.get("EWKG")
    return tuple(getattr(config, "data", ()) or ())


#: How much of a streamed body over the limit is still read (and dropped), in limits: the
#: client, which sends its whole body before it reads the answer, then gets the 413 instead of
#: a broken connection (the server closes one whose body it has not read to the end).
DRAIN_FACTOR = 4


def _discard(stream: object, budget: int) -> None:
    """Read and drop up to ``budget`` bytes of ``stream``, or up to its end."""
    while budget > 0:
        chunk = stream.read(min(1 << 16, budget))  # type: ignore[attr-defined]
        if not chunk:
            return
        budget -= len(chunk)


def _buffer_streamed_body() -> None:
    """Read a body sent without ``Content-Length`` (chunked) here, up to the limit.

    Werkzeug stops reading such a body at ``MAX_CONTENT_LENGTH`` without a word, so a longer
    one would be validated cut short; here it is a 413, as with ``Content-Length``. A body
    within the limit is put back as if it had come with its length.
    """
    environ = request.environ
    if get_content_length(environ) is not None or "wsgi.input_terminated" not in environ:
        return  # a declared length (checked by werkzeug), or a server that cannot stream
    limit = _max_bytes()
    stream = environ["wsgi.input"]
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(1 << 16, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            _discard(stream, DRAIN_FACTOR * limit)
            raise _too_large()
    environ["wsgi.input"] = io.BytesIO(b"".join(chunks))
    environ["CONTENT_LENGTH"] = str(size)
    environ.pop("HTTP_TRANSFER_ENCODING", None)  # read: it now has a length


def _read_input() -> tuple[bytes, ox.RdfFormat, bool]:
    """The posted document, its format, and whether it came from the HTML form."""
    mimetype = request.mimetype
    try:
        if mimetype in _FORMS:
            found = formats.matching(request.form.get("format", "ttl"), _INPUT_FORMATS)
            if found is None:
                name = request.form.get("format", "")
                raise bad_request(f"unknown format {name!r}: use one of {', '.join(FORM_FORMATS)}")
            name = found.name
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


def _page(report: object = None, *, status: int = 200, text: str = "", fmt: str = "ttl",
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


def _validate(job: Job) -> tuple[Report, bytes | None]:
    """Run ``job`` under the server's limits: the (capped) report and its rendered body."""
    validator: Validator = current_app.extensions["ewkg.validator"]
    try:
        outcome = validator.validate(job)
    except ValidationLimitError as refusal:
        headers = {"Retry-After": str(refusal.retry_after)} if refusal.retry_after else {}
        raise ApiError(refusal.status, refusal.message(job.lang), headers=headers) from None
    except ValidationProcessError as failure:
        raise ApiError(500, str(failure)) from None
    return outcome.report, outcome.body


@bp.post("/validate")
def post() -> Response:
    """Validate the posted document; answer with the report."""
    _buffer_streamed_body()
    if request.content_length is not None and request.content_length > _max_bytes():
        raise _too_large()
    data, rdf_format, from_form = _read_input()
    response_type = _best_response_type(from_form)
    lang = current_lang()
    report, body = _validate(Job(
        data, rdf_format, name="input", context_files=_context_files(),
        media_type=response_type, lang=lang,
    ))
    text = data.decode("utf-8", errors="replace") if from_form else ""
    fmt = next((k for k, v in FORM_FORMATS.items() if v == rdf_format), "ttl")
    if report.syntax_errors:
        if response_type == "text/html":
            return _page(status=400, text=text, fmt=fmt, syntax=list(report.syntax_errors))
        raise bad_request("; ".join(str(p) for p in report.syntax_errors))
    if response_type == "text/html":
        response = _page(report, text=text, fmt=fmt)
    else:
        response = Response(body, mimetype=response_type)
        response.vary.add("Accept")
        response.headers["Cache-Control"] = "no-store"
    if report.is_capped:
        response.headers["X-Ewkg-Report-Capped"] = "true"
    return response


def init_app(app: Flask) -> None:
    """Register the ``/validate`` blueprint and the validator, with the configured limits (its
    slots are shared by every process forked from this one: the HTTP workers)."""
    config = app.config.get("EWKG")
    limits = ValidationLimits.from_config(config) if config is not None else ValidationLimits()
    app.extensions["ewkg.validator"] = Validator(limits)
    app.register_blueprint(bp)
