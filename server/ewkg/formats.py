"""THE format table: one row per serialization, driving parsing, serializing and negotiation.

Each :class:`Format` names its short name and aliases (the ``format=`` parameter, ``ewkg query
--format``, ``.ext`` URLs), its canonical media type and the other media types clients send for it,
its file extension, its kind (``results`` for SELECT/ASK, ``graph`` for CONSTRUCT/DESCRIBE) and the
query forms it serves. Negotiation goes through werkzeug's ``best_match``: q-values, ``q=0``,
wildcards and specificity are werkzeug's; on a tie the first candidate wins, so each list below
puts its default first.

>>> by_name("ttl").media_type
'text/turtle'
>>> by_name("application/sparql-results+json").name
'json'
>>> [f.name for f in for_form("ASK")]
['json', 'xml']
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept

#: The query forms (``UPDATE`` is never executed, it is listed so callers can name it).
SELECT, ASK, CONSTRUCT, DESCRIBE, UPDATE = "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "UPDATE"
RESULT_FORMS = frozenset({SELECT, ASK})
GRAPH_FORMS = frozenset({CONSTRUCT, DESCRIBE})

_W3C = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    """One serialization."""

    #: Short name: the ``format=`` value and the CLI ``--format`` choice.
    name: str
    #: The canonical media type (sent as ``Content-Type``).
    media_type: str
    #: File extension without the dot.
    extension: str
    #: ``results`` (SELECT/ASK) or ``graph`` (CONSTRUCT/DESCRIBE, RDF documents).
    kind: str
    #: The query forms this format serializes.
    forms: frozenset[str]
    #: The W3C format IRI (``http://www.w3.org/ns/formats/…``) for service descriptions.
    w3c_iri: str
    #: Other names accepted by ``format=`` (``turtle``, ``srj``…).
    aliases: tuple[str, ...] = ()
    #: Other media types clients ask for and get this format (``application/json``…).
    media_aliases: tuple[str, ...] = ()
    #: Name of the rdflib serializer / parser plugin, for graphs.
    rdflib_name: str | None = None

    @property
    def is_text(self) -> bool:
        """Whether ``Content-Type`` should carry ``charset=utf-8``."""
        return self.media_type.startswith("text/")

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value."""
        return f"{self.media_type}; charset=utf-8" if self.is_text else self.media_type

    @property
    def media_types(self) -> tuple[str, ...]:
        """The canonical media type, then its aliases."""
        return (self.media_type, *self.media_aliases)


_RESULTS = "results"
_GRAPH = "graph"

#: Every format, defaults first within each kind.
FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "srj", _RESULTS, RESULT_FORMS,
           _W3C + "SPARQL_Results_JSON", ("srj",), ("application/json",)),
    Format("xml", "application/sparql-results+xml", "srx", _RESULTS, RESULT_FORMS,
           _W3C + "SPARQL_Results_XML", ("srx",), ("application/xml", "text/xml")),
    Format("csv", "text/csv", "csv", _RESULTS, frozenset({SELECT}),
           _W3C + "SPARQL_Results_CSV"),
    Format("tsv", "text/tab-separated-values", "tsv", _RESULTS, frozenset({SELECT}),
           _W3C + "SPARQL_Results_TSV"),
    Format("ttl", "text/turtle", "ttl", _GRAPH, GRAPH_FORMS, _W3C + "Turtle",
           ("turtle",), ("application/x-turtle", "application/turtle"), "turtle"),
    Format("nt", "application/n-triples", "nt", _GRAPH, GRAPH_FORMS, _W3C + "N-Triples",
           ("ntriples", "n-triples"), ("text/plain",), "nt"),
    Format("jsonld", "application/ld+json", "jsonld", _GRAPH, GRAPH_FORMS, _W3C + "JSON-LD",
           ("json-ld", "json"), ("application/x-json+ld", "application/json"), "json-ld"),
    Format("rdf", "application/rdf+xml", "rdf", _GRAPH, GRAPH_FORMS, _W3C + "RDF_XML",
           ("rdfxml", "rdf-xml", "rdf+xml", "xml", "owl"), ("application/xml", "text/xml"), "xml"),
    Format("trig", "application/trig", "trig", _GRAPH, GRAPH_FORMS, _W3C + "TriG",
           (), (), "trig"),
)

#: Media type of the query UI / HTML pages.
HTML = "text/html"

_BY_KEY: dict[str, Format] = {}
for _f in FORMATS:
    for _key in (_f.name, *_f.aliases, _f.media_type):
        _BY_KEY.setdefault(_key, _f)
del _f, _key


def matching(value: str, formats: Iterable[Format]) -> Format | None:
    """The first of ``formats`` called ``value`` (name, alias or any of its media types).

    Names are resolved within ``formats``: ``xml`` is SPARQL XML results among result formats,
    RDF/XML among graph formats.

    >>> matching("xml", graph_formats()).name
    'rdf'
    >>> matching("application/json", for_form("CONSTRUCT")).name
    'jsonld'
    """
    key = value.strip().lower()
    for f in formats:
        if key == f.name or key in f.aliases or key in f.media_types:
            return f
    return None


def is_known(value: str) -> bool:
    """Whether ``value`` names any format of the table."""
    return matching(value, FORMATS) is not None


def by_name(name: str) -> Format:
    """The format with this short name, alias or canonical media type.

    Raises:
        KeyError: no such format.
    """
    return _BY_KEY[name.strip().lower()]


def names() -> list[str]:
    """Short names, in table order (the ``--format`` choices)."""
    return [f.name for f in FORMATS]


def for_form(form: str) -> list[Format]:
    """The formats that serialize query form ``form``, default first."""
    return [f for f in FORMATS if form in f.forms]


def graph_formats() -> list[Format]:
    """The RDF document formats, default (Turtle) first."""
    return [f for f in FORMATS if f.kind == _GRAPH]


def candidates(formats: Iterable[Format]) -> list[tuple[str, Format]]:
    """(media type, format) pairs to negotiate over: every canonical type, then the aliases."""
    formats = list(formats)
    pairs = [(f.media_type, f) for f in formats]
    seen = {m for m, _ in pairs}
    for f in formats:
        for alias in f.media_aliases:
            if alias not in seen:
                pairs.append((alias, f))
                seen.add(alias)
    return pairs


def negotiate(
    accept: MIMEAccept, formats: Iterable[Format], *, extra: Iterable[str] = ()
) -> Format | str | None:
    """The best of ``formats`` (or of the ``extra`` media types, e.g. ``text/html``) for ``accept``.

    An empty ``Accept`` header means ``*/*``. Returns the :class:`Format`, the chosen ``extra``
    media type as a string, or ``None`` when nothing is acceptable (→ 406).

    >>> from werkzeug.datastructures import MIMEAccept
    >>> negotiate(MIMEAccept([("text/csv", 1), ("*/*", 0.1)]), for_form("SELECT")).name
    'csv'
    >>> negotiate(MIMEAccept([("text/csv", 0), ("*/*", 1)]), for_form("SELECT")).name
    'json'
    >>> negotiate(MIMEAccept([("text/turtle", 1)]), for_form("SELECT")) is None
    True
    """
    pairs = candidates(formats)
    extra = list(extra)
    if not accept:
        accept = MIMEAccept([("*/*", 1)])
    # ``extra`` types go after the canonical types and before the aliases: a browser's
    # ``text/html`` then beats its ``application/xml;q=0.9``, and ``*/*`` still picks the default.
    canonical = [m for m, f in pairs if m == f.media_type]
    aliases = [m for m, f in pairs if m != f.media_type]
    best = accept.best_match([*canonical, *extra, *aliases])
    if best is None:
        return None
    if best in extra:
        return best
    return dict(pairs)[best]


def acceptable_types(formats: Iterable[Format], extra: Iterable[str] = ()) -> list[str]:
    """Canonical media types of ``formats`` plus ``extra``: what a 406 names."""
    return [f.media_type for f in formats] + list(extra)
