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

import pyoxigraph as ox
from pyoxigraph import QueryResultsFormat, RdfFormat

# A freshly started query worker imports this table (ewkg.query.evaluation): it stays free of
# ``typing``, ``dataclasses`` and werkzeug (imported by :func:`negotiate` when it runs).
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable

    from werkzeug.datastructures import MIMEAccept

#: The query forms (``UPDATE`` is never executed, it is listed so callers can name it).
SELECT, ASK, CONSTRUCT, DESCRIBE, UPDATE = "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "UPDATE"
RESULT_FORMS = frozenset({SELECT, ASK})
GRAPH_FORMS = frozenset({CONSTRUCT, DESCRIBE})

_W3C = "http://www.w3.org/ns/formats/"


class Format:
    """One serialization (an immutable record; each format exists once, so identity is equality)."""

    __slots__ = ("name", "media_type", "extension", "kind", "forms", "w3c_iri", "aliases",
                 "media_aliases", "accept_aliases", "rdflib_name", "suffixes", "ox", "served")

    #: Short name: the ``format=`` value and the CLI ``--format`` choice.
    name: str
    #: The canonical media type (sent as ``Content-Type``).
    media_type: str
    #: File extension without the dot (of the files we write).
    extension: str
    #: ``results`` (SELECT/ASK) or ``graph`` (CONSTRUCT/DESCRIBE, RDF documents).
    kind: str
    #: The query forms this format serializes.
    forms: frozenset[str]
    #: The W3C format IRI (``http://www.w3.org/ns/formats/…``) for service descriptions.
    w3c_iri: str
    #: Other names accepted by ``format=`` and forms (``turtle``, ``srj``…).
    aliases: tuple[str, ...]
    #: Other media types that name this syntax: a ``Content-Type`` read so, an ``Accept`` served so.
    media_aliases: tuple[str, ...]
    #: Generic media types a client may ``Accept`` and get this format, which do not name the
    #: syntax in a ``Content-Type`` (``text/plain`` → N-Triples, ``application/json`` → JSON-LD).
    accept_aliases: tuple[str, ...]
    #: Name of the rdflib serializer / parser plugin, for graphs.
    rdflib_name: str | None
    #: File suffixes read as this format, lower case, with the dot (``.ttl``, ``.turtle``).
    suffixes: tuple[str, ...]
    #: The pyoxigraph format (an ``RdfFormat`` or a ``QueryResultsFormat``).
    ox: RdfFormat | QueryResultsFormat
    #: Whether the server answers in it (negotiation, ``format=``); else it is only read.
    served: bool

    def __init__(self, name: str, media_type: str, extension: str, kind: str,
                 forms: frozenset[str], w3c_iri: str,
                 ox_format: RdfFormat | QueryResultsFormat,
                 *, aliases: tuple[str, ...] = (), media_aliases: tuple[str, ...] = (),
                 accept_aliases: tuple[str, ...] = (), rdflib_name: str | None = None,
                 suffixes: tuple[str, ...] = (), served: bool = True) -> None:
        values = (name, media_type, extension, kind, forms, w3c_iri, aliases, media_aliases,
                  accept_aliases, rdflib_name, suffixes or (f".{extension}",), ox_format, served)
        for slot, value in zip(self.__slots__, values, strict=True):
            object.__setattr__(self, slot, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a Format is immutable")

    def __repr__(self) -> str:
        return f"Format({self.name!r}, {self.media_type!r})"

    @property
    def is_text(self) -> bool:
        """Whether ``Content-Type`` should carry ``charset=utf-8``."""
        return self.media_type.startswith("text/")

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header value."""
        return f"{self.media_type}; charset=utf-8" if self.is_text else self.media_type

    @property
    def rdf(self) -> RdfFormat:
        """The pyoxigraph format of a graph format.

        Raises:
            TypeError: this is a SPARQL results format.
        """
        if not isinstance(self.ox, RdfFormat):
            raise TypeError(f"{self.name} is not an RDF graph format")
        return self.ox

    @property
    def results(self) -> QueryResultsFormat:
        """The pyoxigraph format of a SPARQL results format.

        Raises:
            TypeError: this is a graph format.
        """
        if not isinstance(self.ox, QueryResultsFormat):
            raise TypeError(f"{self.name} is not a SPARQL results format")
        return self.ox

    @property
    def media_types(self) -> tuple[str, ...]:
        """Every media type negotiated to this format: the canonical one, then the aliases."""
        return (self.media_type, *self.media_aliases, *self.accept_aliases)

    @property
    def syntax_types(self) -> tuple[str, ...]:
        """The media types that name this syntax in a ``Content-Type``."""
        return (self.media_type, *self.media_aliases)


_RESULTS = "results"
_GRAPH = "graph"
_R = ox.QueryResultsFormat
_G = ox.RdfFormat

#: Every format the server writes, defaults first within each kind.
FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "srj", _RESULTS, RESULT_FORMS,
           _W3C + "SPARQL_Results_JSON", _R.JSON, aliases=("srj",),
           media_aliases=("application/json",)),
    Format("xml", "application/sparql-results+xml", "srx", _RESULTS, RESULT_FORMS,
           _W3C + "SPARQL_Results_XML", _R.XML, aliases=("srx",),
           media_aliases=("application/xml", "text/xml")),
    Format("csv", "text/csv", "csv", _RESULTS, frozenset({SELECT}),
           _W3C + "SPARQL_Results_CSV", _R.CSV),
    Format("tsv", "text/tab-separated-values", "tsv", _RESULTS, frozenset({SELECT}),
           _W3C + "SPARQL_Results_TSV", _R.TSV),
    Format("ttl", "text/turtle", "ttl", _GRAPH, GRAPH_FORMS, _W3C + "Turtle", _G.TURTLE,
           aliases=("turtle",), media_aliases=("application/x-turtle", "application/turtle"),
           rdflib_name="turtle", suffixes=(".ttl", ".turtle")),
    Format("nt", "application/n-triples", "nt", _GRAPH, GRAPH_FORMS, _W3C + "N-Triples",
           _G.N_TRIPLES, aliases=("ntriples", "n-triples"), accept_aliases=("text/plain",),
           rdflib_name="nt"),
    Format("jsonld", "application/ld+json", "jsonld", _GRAPH, GRAPH_FORMS, _W3C + "JSON-LD",
           _G.JSON_LD, aliases=("json-ld", "json"), media_aliases=("application/x-json+ld",),
           accept_aliases=("application/json",), rdflib_name="json-ld",
           suffixes=(".jsonld", ".json")),
    Format("rdf", "application/rdf+xml", "rdf", _GRAPH, GRAPH_FORMS, _W3C + "RDF_XML",
           _G.RDF_XML, aliases=("rdfxml", "rdf-xml", "rdf+xml", "xml", "owl"),
           accept_aliases=("application/xml", "text/xml"), rdflib_name="xml",
           suffixes=(".rdf", ".owl")),
    Format("trig", "application/trig", "trig", _GRAPH, GRAPH_FORMS, _W3C + "TriG", _G.TRIG,
           rdflib_name="trig"),
)

#: Formats only read (data files, a remote store's answers), never negotiated.
READ_ONLY: tuple[Format, ...] = (
    Format("nq", "application/n-quads", "nq", _GRAPH, frozenset(), _W3C + "N-Quads", _G.N_QUADS,
           aliases=("nquads", "n-quads"), rdflib_name="nquads", served=False),
    Format("n3", "text/n3", "n3", _GRAPH, frozenset(), _W3C + "N3", _G.N3, rdflib_name="n3",
           served=False),
)
#: Every format of the table, served ones first.
ALL: tuple[Format, ...] = FORMATS + READ_ONLY

#: Media type of the query UI / HTML pages.
HTML = "text/html"

_BY_KEY: dict[str, Format] = {}
for _f in FORMATS:
    for _key in (_f.name, *_f.aliases, _f.media_type):
        _BY_KEY.setdefault(_key, _f)
_BY_SUFFIX: dict[str, Format] = {}
for _f in ALL:
    for _key in _f.suffixes:
        _BY_SUFFIX.setdefault(_key, _f)
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


def by_suffix(suffix: str, formats: Iterable[Format] = ALL) -> Format | None:
    """The format of ``formats`` whose files end with ``suffix`` (``.ttl``; case-insensitive).

    >>> by_suffix(".TURTLE").name, by_suffix(".owl").name, by_suffix(".nq").name
    ('ttl', 'rdf', 'nq')
    >>> by_suffix(".txt") is None
    True
    """
    found = _BY_SUFFIX.get(suffix.lower())
    return found if found is not None and (formats is ALL or found in formats) else None


def suffixes(formats: Iterable[Format] = ALL) -> list[str]:
    """Every file suffix read as one of ``formats``."""
    return [s for f in formats for s in f.suffixes]


def syntax_table(formats: Iterable[Format], *, generic: bool = False) -> dict[str, Format]:
    """Media type → format, for reading a ``Content-Type``: each syntax type of ``formats`` (with
    ``generic``, also the accept-only aliases such as ``text/plain``); the first format naming a
    type keeps it.

    >>> sorted(syntax_table(graph_formats(readable=True)))[:3]
    ['application/ld+json', 'application/n-quads', 'application/n-triples']
    """
    table: dict[str, Format] = {}
    for f in formats:
        for media_type in f.media_types if generic else f.syntax_types:
            table.setdefault(media_type, f)
    return table


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


def graph_formats(*, readable: bool = False) -> list[Format]:
    """The RDF document formats the server writes, default (Turtle) first; with ``readable``,
    also those it only reads (N-Quads, N3)."""
    return [f for f in (ALL if readable else FORMATS) if f.kind == _GRAPH]


def result_formats() -> list[Format]:
    """The SELECT / ASK result formats, default (JSON) first."""
    return [f for f in FORMATS if f.kind == _RESULTS]


def candidates(formats: Iterable[Format]) -> list[tuple[str, Format]]:
    """(media type, format) pairs to negotiate over: every canonical type, then the aliases."""
    formats = list(formats)
    pairs = [(f.media_type, f) for f in formats]
    seen = {m for m, _ in pairs}
    for f in formats:
        for alias in f.media_types[1:]:
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
        from werkzeug.datastructures import MIMEAccept

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
