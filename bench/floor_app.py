"""The HTTP floor: the cheapest possible SPARQL answers, served like ewkg serves its own.

``ewkg serve`` runs Flask on gunicorn's threaded workers; these two apps answer every request
with a fixed ASK result and nothing else, so that their latency and throughput under the same
load driver are the floor any app on that stack can reach on this machine:

* ``floor_app:plain`` — a bare WSGI callable (gunicorn alone);
* ``floor_app:flask_app`` — a one-route Flask app (gunicorn + Flask).
"""

from __future__ import annotations

from flask import Flask, Response

BODY = b'{"head": {}, "boolean": true}'
HEADERS = [("Content-Type", "application/sparql-results+json"),
           ("Content-Length", str(len(BODY)))]


def plain(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]


flask_app = Flask(__name__)


@flask_app.get("/sparql")
def sparql() -> Response:
    return Response(BODY, content_type="application/sparql-results+json")
