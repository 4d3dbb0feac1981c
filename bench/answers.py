"""Fetch each query's answer once and reduce it to a size and a digest, to compare servers.

A fast wrong answer is a failure: the benchmark flags any query whose row (or triple) count
or whose content digest differs from the reference server's (``oxigraph serve``).

* SELECT: rows = number of solutions; digest over the multiset of solutions, each a sorted tuple
  of (variable, term) with terms normalised (``xsd:string`` dropped, numbers by value).
* ASK: rows = 1; digest = the boolean.
* CONSTRUCT / DESCRIBE: rows = number of triples, parsed by rdflib from whatever the server
  sent (rdflib-endpoint labels RDF/XML graphs as ``application/sparql-results+xml``); digest over
  the sorted N-Triples lines (blank nodes are replaced by ``_:b``).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import time
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from load import RESULTS_JSON, Query, check_loopback

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {f"{XSD}{t}" for t in ("integer", "decimal", "double", "float", "long", "int")}


@dataclass
class Answer:
    query: str
    status: int
    rows: int | None
    digest: str | None
    seconds: float
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def _term_key(term: dict) -> str:
    kind = term.get("type")
    value = term.get("value", "")
    if kind in ("literal", "typed-literal"):
        lang = term.get("xml:lang")
        if lang:
            return f"L:{value}@{lang.lower()}"
        datatype = term.get("datatype", f"{XSD}string")
        if datatype in NUMERIC:
            try:
                return f"N:{Decimal(value).normalize()}"
            except InvalidOperation:
                pass
        if datatype == f"{XSD}string":
            return f"L:{value}"
        return f"L:{value}^^{datatype}"
    if kind == "bnode":
        return "B"
    return f"I:{value}"


def _digest(lines: list[str]) -> str:
    h = hashlib.sha256()
    for line in sorted(lines):
        h.update(line.encode())
        h.update(b"\n")
    return h.hexdigest()[:16]


def reduce_select_json(body: bytes) -> tuple[int, str]:
    """``(rows, digest)`` of a SPARQL JSON results document (SELECT or ASK)."""
    doc = json.loads(body)
    if "boolean" in doc:
        return 1, f"ASK:{bool(doc['boolean'])}"
    rows = doc["results"]["bindings"]
    keys = [
        "|".join(f"{var}={_term_key(term)}" for var, term in sorted(row.items()))
        for row in rows
    ]
    return len(rows), _digest(keys)


def reduce_graph(body: bytes, content_type: str) -> tuple[int, str]:
    """``(triples, digest)`` of a graph in N-Triples, Turtle, RDF/XML or JSON-LD."""
    from rdflib import BNode, Graph

    text = body.lstrip()
    if text.startswith(b"<?xml") or b"<rdf:RDF" in text[:500]:
        fmt = "xml"
    elif "json" in content_type:
        fmt = "json-ld"
    elif "turtle" in content_type:
        fmt = "turtle"
    else:
        fmt = "nt"
    g = Graph()
    g.parse(data=body, format=fmt)
    lines = []
    for s, p, o in g:
        parts = ["_:b" if isinstance(t, BNode) else t.n3() for t in (s, p, o)]
        lines.append(" ".join(parts))
    return len(g), _digest(lines)


def fetch(url: str, query: Query, *, timeout: float = 120.0) -> Answer:
    """Run ``query`` once against ``url`` and reduce its answer."""
    host, port, path = check_loopback(url)
    started = time.perf_counter()
    try:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        conn.request("GET", f"{path}?query={quote(query.text, safe='')}",
                     headers={"Accept": query.accept})
        response = conn.getresponse()
        body = response.read()
        content_type = response.getheader("Content-Type", "")
        conn.close()
    except (OSError, http.client.HTTPException) as exc:
        return Answer(query.name, 0, None, None, time.perf_counter() - started,
                      type(exc).__name__)
    seconds = time.perf_counter() - started
    if response.status != 200:
        return Answer(query.name, response.status, None, None, seconds,
                      body[:200].decode("utf-8", "replace"))
    try:
        if query.accept == RESULTS_JSON:
            rows, digest = reduce_select_json(body)
        else:
            rows, digest = reduce_graph(body, content_type)
    except Exception as exc:  # noqa: BLE001 - any unparsable answer is reported, not raised
        return Answer(query.name, response.status, None, None, seconds,
                      f"unparsable answer: {exc}"[:200])
    return Answer(query.name, response.status, rows, digest, seconds)


def fetch_all(url: str, queries: list[Query], *, timeout: float = 120.0) -> dict[str, Answer]:
    return {q.name: fetch(url, q, timeout=timeout) for q in queries}


def compare(reference: dict[str, dict], other: dict[str, dict]) -> dict[str, str]:
    """Per query: ``ok``, ``ROWS a≠b``, ``CONTENT differs`` or the error, vs the reference."""
    verdicts = {}
    for name, ref in reference.items():
        got = other.get(name)
        if got is None:
            verdicts[name] = "missing"
        elif got.get("error") or got.get("rows") is None:
            verdicts[name] = f"ERROR {got.get('status')}: {got.get('error')}"
        elif ref.get("rows") is None:
            verdicts[name] = "no reference"
        elif got["rows"] != ref["rows"]:
            verdicts[name] = f"WRONG rows {got['rows']} ≠ {ref['rows']}"
        elif got["digest"] != ref["digest"]:
            verdicts[name] = "WRONG content (same rows)"
        else:
            verdicts[name] = "ok"
    return verdicts
