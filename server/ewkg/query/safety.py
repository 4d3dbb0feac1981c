"""What a client query may do, decided before anything reaches the engine.

:func:`scan` reads a SPARQL request lexically — skipping comments, strings and IRIs, resolving
``PREFIX`` and ``BASE`` — and returns its form (SELECT, ASK, CONSTRUCT, DESCRIBE, or UPDATE), its
bracket nesting depth and the graphs it names in ``FROM`` / ``FROM NAMED``. :func:`check` then
refuses, with a :class:`UnsafeQueryError` that carries a clear message and the position:

- any update (the endpoint is read-only);
- ``SERVICE`` (no outbound request on behalf of a client), ``LOAD``;
- ``FROM`` / ``FROM NAMED`` naming a non-local graph (:func:`is_local`);
- nesting of ``{`` ``(`` ``[`` deeper than :data:`MAX_DEPTH`: about a thousand nested brackets
  (4 KB) overflow the stack of Oxigraph's recursive-descent parser and abort the process;
- more than :data:`MAX_OPERATORS` operators: long flat chains (``MINUS`` after ``MINUS``,
  ``BIND`` after ``BIND``, ``1 + 1 + …``) overflow it too.

The query is read twice when it holds codepoint escapes: as Oxigraph reads it (``\\u0027`` is
an escape only inside a string) and as the SPARQL grammar says (escapes applied first, anywhere:
``\\u0053ERVICE`` is ``SERVICE``); what either reading shows is refused, so an escape can never
hide a keyword from the check.

>>> scan("PREFIX ex: <http://example.org/> # SELECT\\nASK { ex:a ?p 'SERVICE' }").form
'ASK'
>>> scan("select * from <http://example.org/g> { ?s ?p ?o }").from_graphs
('http://example.org/g',)
>>> scan("INSERT DATA { <a> <b> <c> }").form
'UPDATE'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin

from ewkg.rdf.formats import ASK, CONSTRUCT, DESCRIBE, SELECT, UPDATE

#: Deepest bracket nesting accepted; real queries rarely pass 10.
MAX_DEPTH = 64
#: Most operators accepted in one query (graph-pattern keywords, path and expression operators).
#: Oxigraph folds a chain of them into a left-deep tree and recurses over it: 3 000 ``MINUS`` or
#: ``BIND`` (50 KB of text), or a sum of 10 000 terms (40 KB), overflow its stack (segmentation
#: fault) as surely as deep brackets; real queries use a few dozen.
MAX_OPERATORS = 256
_OPERATOR_KEYWORDS = frozenset(
    {"UNION", "OPTIONAL", "MINUS", "BIND", "FILTER", "GRAPH", "SERVICE", "VALUES", "EXISTS"}
)
_OPERATOR_PUNCT = frozenset("/|^!=<>+-*&")

_QUERY_KEYWORDS = {"SELECT": SELECT, "ASK": ASK, "CONSTRUCT": CONSTRUCT, "DESCRIBE": DESCRIBE}
_UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
_OPEN = "{(["
_CLOSE = "})]"

_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# One token per alternative, tried in order at each position.
_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<pname>(?:[^\W\d_][\w.-]*)?:(?:[\w:%.-]|\\[-_~.!$&'()*+,;=/?#@%])*)
    | (?P<blank>_:[\w.-]+)
    | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<word>[^\W\d][\w-]*)
    | (?P<number>\d[\w.+-]*|\.\d[\w.+-]*)
    | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class UnsafeQueryError(ValueError):
    """The request is refused before execution.

    Attributes:
        message: what is wrong and what to do, for the client.
        status: the HTTP status the protocol layer answers with.
        position: ``(line, column)``, 1-based, where known.
    """

    def __init__(self, message: str, *, status: int = 400, position: tuple[int, int] | None = None):
        if position is not None:
            message = f"{message} (line {position[0]}, column {position[1]})"
        super().__init__(message)
        self.message = message
        self.status = status
        self.position = position


@dataclass(frozen=True)
class QueryInfo:
    """What :func:`scan` learnt about a request."""

    #: ``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``, ``UPDATE``, or ``None`` if not found.
    form: str | None
    #: Deepest nesting of ``{`` ``(`` ``[``.
    depth: int
    #: Absolute IRIs named by ``FROM``.
    from_graphs: tuple[str, ...] = ()
    #: Absolute IRIs named by ``FROM NAMED``.
    from_named_graphs: tuple[str, ...] = ()
    #: Positions of ``SERVICE`` keywords.
    services: tuple[tuple[int, int], ...] = ()
    #: Keyword (upper-case) → first position, for the update keywords and ``LOAD``.
    keywords: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: Position where the nesting bound was first passed, if it was.
    too_deep_at: tuple[int, int] | None = None
    #: Number of operators (see :data:`MAX_OPERATORS`).
    operators: int = 0
    #: Position of the first operator past the bound, if any.
    too_many_at: tuple[int, int] | None = None
    #: Whether the query declares a ``BASE``.
    has_base: bool = False
    #: Whether the query holds a relative IRI (``<s>``), which needs a base to resolve.
    has_relative_iri: bool = False


def unescape_codepoints(text: str) -> str:
    r"""Apply SPARQL's ``\uXXXX`` / ``\UXXXXXXXX`` escapes, which hold anywhere in a query.

    >>> unescape_codepoints(r"\u0053ERVICE")
    'SERVICE'
    """

    def repl(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except (ValueError, OverflowError):
            return m.group(0)

    return _ESCAPE.sub(repl, text)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def scan(
    query: str, *, max_depth: int = MAX_DEPTH, max_operators: int = MAX_OPERATORS
) -> QueryInfo:
    """Read ``query`` lexically (never raises; unknown input yields ``form=None``)."""
    text = query
    prefixes: dict[str, str] = {}
    base = ""
    form: str | None = None
    depth = max_seen = 0
    too_deep_at: tuple[int, int] | None = None
    from_graphs: list[str] = []
    from_named: list[str] = []
    services: list[tuple[int, int]] = []
    keywords: dict[str, tuple[int, int]] = {}
    # the last significant tokens, to read "PREFIX p: <iri>", "BASE <iri>", "FROM [NAMED] x"
    pending: list[str] = []
    has_base = has_relative = False
    operators = 0
    too_many_at: tuple[int, int] | None = None

    def resolve(kind: str, value: str) -> str | None:
        if kind == "iri":
            return urljoin(base, value[1:-1]) if base else value[1:-1]
        if kind == "pname":
            prefix, _, local = value.partition(":")
            if prefix in prefixes:
                return prefixes[prefix] + local
        return None

    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        value = m.group()
        if kind in {"ws", "comment"}:
            continue
        if kind == "iri" and not _ABSOLUTE.match(value[1:-1]):
            has_relative = True
        if (kind == "punct" and value in _OPERATOR_PUNCT) or (
            kind == "word" and value.upper() in _OPERATOR_KEYWORDS
        ):
            operators += 1
            if operators > max_operators and too_many_at is None:
                too_many_at = _position(text, m.start())
        if kind == "punct":
            if value in _OPEN:
                depth += 1
                if depth > max_seen:
                    max_seen = depth
                    if depth > max_depth and too_deep_at is None:
                        too_deep_at = _position(text, m.start())
            elif value in _CLOSE:
                depth = max(depth - 1, 0)
        # prologue and dataset clauses
        if pending:
            head = pending[0]
            if head == "PREFIX":
                if len(pending) == 1 and kind == "pname":
                    pending.append(value[:-1] if value.endswith(":") else value)
                    continue
                if len(pending) == 2 and kind == "iri":
                    target = resolve("iri", value)
                    if target is not None:
                        prefixes[pending[1]] = target
                pending = []
                continue
            if head == "BASE":
                if kind == "iri":
                    base = resolve("iri", value) or base
                pending = []
                continue
            if head == "FROM":
                if kind == "word" and value.upper() == "NAMED" and len(pending) == 1:
                    pending.append("NAMED")
                    continue
                target = resolve(kind, value) if kind in {"iri", "pname"} else None
                if target is not None:
                    (from_named if len(pending) == 2 else from_graphs).append(target)
                pending = []
                continue
        if kind != "word":
            continue
        word = value.upper()
        if word in {"PREFIX", "BASE", "FROM"}:
            has_base = has_base or word == "BASE"
            pending = [word]
            continue
        if word == "SERVICE":
            services.append(_position(text, m.start()))
        elif word in _UPDATE_KEYWORDS:
            keywords.setdefault(word, _position(text, m.start()))
        if form is None:
            if word in _QUERY_KEYWORDS:
                form = _QUERY_KEYWORDS[word]
            elif word in _UPDATE_KEYWORDS:
                form = UPDATE
    return QueryInfo(
        form=form,
        depth=max_seen,
        from_graphs=tuple(from_graphs),
        from_named_graphs=tuple(from_named),
        services=tuple(services),
        keywords=keywords,
        too_deep_at=too_deep_at,
        operators=operators,
        too_many_at=too_many_at,
        has_base=has_base,
        has_relative_iri=has_relative,
    )


def is_local(iri: str, local_bases: Iterable[str]) -> bool:
    """Whether graph ``iri`` is served from this dataset (never fetched from elsewhere).

    Local means under one of ``local_bases`` (the dataset's IRI base, this server's own URL) or a
    ``urn:`` name. Relative IRIs are resolved by the engine against the endpoint: local too.

    >>> is_local("https://w3id.org/ewkg/graph/x", ["https://w3id.org/ewkg/"])
    True
    >>> is_local("http://127.0.0.1:9/x", ["http://127.0.0.1:8000/"])
    False
    """
    if iri.startswith("urn:"):
        return True
    if not _ABSOLUTE.match(iri):
        return True
    return any(iri.startswith(b) for b in local_bases if b)


def check(
    query: str,
    *,
    local_bases: Iterable[str] = (),
    max_depth: int = MAX_DEPTH,
) -> QueryInfo:
    """Scan ``query`` and refuse what a public read-only endpoint must not run.

    Raises:
        UnsafeQueryError: an update (403), ``SERVICE`` / ``LOAD`` / remote ``FROM`` / deep nesting
            (400), or no query form at all (400).
    """
    local_bases = list(local_bases)
    info = scan(query, max_depth=max_depth)
    if _ESCAPE.search(query):
        # Read it both ways: as Oxigraph does (escapes only inside strings) and as the SPARQL
        # grammar says (escapes first, anywhere); refuse what either reading shows.
        escaped = scan(unescape_codepoints(query), max_depth=max_depth)
        _refuse(escaped, local_bases, max_depth)
        if info.form is None:
            info = escaped
    _refuse(info, local_bases, max_depth)
    return info


def _refuse(info: QueryInfo, local_bases: list[str], max_depth: int) -> None:
    if info.too_deep_at is not None:
        raise UnsafeQueryError(
            f"query nests brackets more than {max_depth} deep; simplify it",
            position=info.too_deep_at,
        )
    if info.too_many_at is not None:
        raise UnsafeQueryError(
            f"query has more than {MAX_OPERATORS} operators (UNION, OPTIONAL, FILTER, path "
            "steps, …); split it into smaller queries",
            position=info.too_many_at,
        )
    if info.form == UPDATE:
        keyword = next(iter(info.keywords)) if info.keywords else "UPDATE"
        raise UnsafeQueryError(
            f"SPARQL Update ({keyword}) is refused: this endpoint is read-only",
            status=403,
            position=info.keywords.get(keyword),
        )
    if info.services:
        raise UnsafeQueryError(
            "SERVICE is refused: this endpoint makes no outbound requests (federated queries "
            "are not supported)",
            position=info.services[0],
        )
    if "LOAD" in info.keywords:
        raise UnsafeQueryError("LOAD is refused: this endpoint is read-only",
                          position=info.keywords["LOAD"])
    for clause, graphs in (("FROM", info.from_graphs), ("FROM NAMED", info.from_named_graphs)):
        for iri in graphs:
            if not is_local(iri, local_bases):
                raise UnsafeQueryError(
                    f"{clause} <{iri}> is refused: only this dataset's graphs can be queried "
                    "(no remote graph is ever fetched)"
                )
    if info.form is None:
        raise UnsafeQueryError(
            "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE", position=(1, 1)
        )


def check_dataset(uris: Iterable[str], parameter: str, local_bases: Iterable[str]) -> None:
    """Refuse a ``default-graph-uri`` / ``named-graph-uri`` naming a non-local graph."""
    local_bases = list(local_bases)
    for uri in uris:
        if not is_local(uri, local_bases):
            raise UnsafeQueryError(
                f"{parameter}={uri} is refused: only this dataset's graphs can be queried "
                "(no remote graph is ever fetched)"
            )
