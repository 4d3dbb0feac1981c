"""The one JSON-LD writer: compact JSON-LD with one local ``@context``, the prefix table.

Used for SPARQL CONSTRUCT / DESCRIBE results (inside a query worker, :mod:`ewkg.query.evaluation`)
and for linked-data pages and dumps (:mod:`ewkg.store.describe`). It imports only the standard
library and pyoxigraph, so that a freshly started worker stays small: the prefixes come from
:func:`set_prefixes` (a worker is given them), else from :mod:`ewkg.rdf.namespaces` (which needs
rdflib) on first use.

>>> set_prefixes({"ex": "http://ex.org/"})
>>> import pyoxigraph as ox
>>> print(jsonld_bytes([ox.Triple(ox.NamedNode("http://ex.org/a"), ox.NamedNode("http://ex.org/p"),
...                               ox.Literal("x"))]).decode())
{
 "@context": {
  "ex": "http://ex.org/"
 },
 "@graph": [
  {
   "@id": "ex:a",
   "ex:p": [
    "x"
   ]
  }
 ]
}
>>> set_prefixes(None)
"""

from __future__ import annotations

import pyoxigraph as ox

TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

#: The prefixes documents are written with, once known (see :func:`set_prefixes`).
_PREFIXES: dict[str, str] | None = None

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def set_prefixes(prefixes: dict[str, str] | None) -> None:
    """Use ``prefixes`` for the context (a worker gets them this way); ``None`` forgets them."""
    global _PREFIXES  # noqa: PLW0603 - set once per process, before the first query
    _PREFIXES = dict(prefixes) if prefixes is not None else None


def context() -> dict[str, str]:
    """The local JSON-LD ``@context``: every prefix of :data:`ewkg.rdf.namespaces.PREFIXES`."""
    global _PREFIXES  # noqa: PLW0603 - read once per process
    if _PREFIXES is None:
        from ewkg.rdf.namespaces import PREFIXES

        _PREFIXES = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    return dict(_PREFIXES)


class Compactor:
    """Compact IRIs with a prefix table (longest namespace first); an IRI whose local part would
    start with ``/`` or hold ``#`` stays whole.

    >>> compact = Compactor({"ex": "http://ex.org/"})
    >>> compact("http://ex.org/a"), compact("http://ex.org/a#b"), compact("http://ex.org//a")
    ('ex:a', 'http://ex.org/a#b', 'http://ex.org//a')
    """

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.pairs = sorted(((ns, p) for p, ns in prefixes.items()), key=lambda x: -len(x[0]))
        self.cache: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        found = self.cache.get(iri)
        if found is None:
            found = iri
            for ns, prefix in self.pairs:
                local = iri[len(ns):]
                if iri.startswith(ns) and local and not local.startswith("/") and "#" not in local:
                    found = f"{prefix}:{local}"
                    break
            self.cache[iri] = found
        return found


def document(
    triples: Iterable[ox.Triple], prefixes: dict[str, str] | None = None
) -> dict[str, object]:
    """Compact JSON-LD: the ``@context`` (``prefixes``, by default :func:`context`) and one node
    per subject, in the order of ``triples``.

    IRIs are written as compact IRIs (``ewkg:Region``), ``rdf:type`` as ``@type`` (a blank-node
    type stays an ``rdf:type`` property: JSON-LD 1.1 obsoletes blank types), literals as
    ``{"@value", "@language"|"@type"}`` (plain strings as strings), blank nodes as ``_:id``. With a
    context made only of prefixes, a JSON-LD processor expands it back to the same triples.
    """
    prefixes = context() if prefixes is None else prefixes
    compact = Compactor(prefixes)
    nodes: dict[str, dict[str, list[object] | str]] = {}

    def node_id(term: object) -> str:
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        return compact(term.value)  # type: ignore[attr-defined]

    for t in triples:
        sid = node_id(t.subject)
        node = nodes.setdefault(sid, {"@id": sid})
        o = t.object
        if t.predicate.value == _RDF_TYPE and isinstance(o, ox.NamedNode):
            node.setdefault("@type", []).append(node_id(o))  # type: ignore[union-attr]
            continue
        if isinstance(o, ox.Literal):
            if o.language:
                value: object = {"@value": o.value, "@language": o.language}
            elif o.datatype.value == _XSD_STRING:
                value = o.value
            else:
                value = {"@value": o.value, "@type": compact(o.datatype.value)}
        else:
            value = {"@id": node_id(o)}
        node.setdefault(compact(t.predicate.value), []).append(value)  # type: ignore[union-attr]
    return {"@context": prefixes, "@graph": list(nodes.values())}


def jsonld_bytes(triples: Iterable[ox.Triple], prefixes: dict[str, str] | None = None) -> bytes:
    """:func:`document` as UTF-8 JSON (one-space indent, non-ASCII kept)."""
    import json

    return json.dumps(document(triples, prefixes), ensure_ascii=False, indent=1).encode("utf-8")
