"""Reading RDF for validation: every syntax error located, every subject traced to its line.

Files are parsed with pyoxigraph, which reports a syntax error with its line and column
(``SyntaxError.lineno`` / ``offset``); each file is parsed on its own so that *every* broken file
is reported, not just the first. Blank nodes are renamed per file, so ``_:x`` in two files are
two nodes, as in RDF's merge.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from ewkg.rdf import formats
from ewkg.rdf.namespaces import new_graph
from ewkg.strings import LANGS, SYNTAX, SYNTAX_HINTS, SYNTAX_PATTERNS, Texts

__all__ = [
    "ParsedSource",
    "RdfSyntaxError",
    "SyntaxProblem",
    "localize",
    "parse_files",
    "parse_source",
]


@dataclass(frozen=True)
class SyntaxProblem:
    """One unreadable input: where, and what the parser said."""

    file: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column,
                "message": self.message}


class RdfSyntaxError(ValueError):
    """An input could not be parsed; ``problem`` says where (``problems``: every one found)."""

    def __init__(self, problem: SyntaxProblem, *more: SyntaxProblem) -> None:
        super().__init__("; ".join(str(p) for p in (problem, *more)))
        self.problem = problem
        self.problems = [problem, *more]


@dataclass
class ParsedSource:
    """One parsed input: its name, its text, its triples and the prefixes it declared."""

    name: str
    text: str
    #: The triples (shared with other sources when parsed ``into`` one graph).
    graph: Graph
    prefixes: dict[str, str] = field(default_factory=dict)
    base: str | None = None
    #: Subjects this source describes, and those it gives an ``rdf:type``.
    subjects: set[Node] = field(default_factory=set)
    typed: set[Node] = field(default_factory=set)
    #: The same triples as pyoxigraph quads (blank nodes named like the rdflib ones).
    quads: list[ox.Quad] = field(default_factory=list)
    _lines: list[str] | None = None
    _starts: dict[str, int] | None = None

    @property
    def starts(self) -> dict[str, int]:
        """``{token: first line}`` of the token each line starts with (with and without a
        trailing ``.``): where most subjects are found without scanning every line."""
        if self._starts is None:
            starts: dict[str, int] = {}
            for number, line in enumerate(self.lines, start=1):
                match = _LEADING.match(line)
                if match:
                    token = match.group()
                    starts.setdefault(token, number)
                    starts.setdefault(token.rstrip("."), number)
            self._starts = starts
        return self._starts

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines

    def forms(self, node: Node) -> list[str]:
        """The ways ``node`` may be written in this file (full IRI, prefixed names)."""
        if not isinstance(node, URIRef):
            return []
        iri = str(node)
        forms = [f"<{iri}>"]
        for prefix, namespace in self.prefixes.items():
            if iri.startswith(namespace) and len(iri) > len(namespace):
                local = iri[len(namespace):]
                forms.append(f"{prefix}:{local}")
                forms.append(f"{prefix}:" + re.sub(r"([/#?&=~.!$'()*+,;@%-])", r"\\\1", local))
        if self.base and iri.startswith(self.base):
            forms.append(f"<{iri[len(self.base):]}>")
        return forms

    def line_of(self, node: Node) -> int | None:
        """The line (1-based) where ``node`` starts a statement in this file, if found.

        Prefers a line that starts with the node (how subjects are written), then a line where
        the node is followed by a predicate, then any line mentioning it.
        """
        forms = self.forms(node)
        if not forms:
            return None
        starts = self.starts
        found = [starts[f] for f in forms if f in starts]
        if found:  # the first line that starts with one of its forms, as the scan below finds
            return min(found)
        alternatives = "|".join(re.escape(f) for f in sorted(set(forms), key=len, reverse=True))
        end = r"(?=[\s;,.\])]|$)"
        at_start = re.compile(rf"^(?:{alternatives}){end}")
        as_subject = re.compile(rf"^\s*(?:{alternatives})\s+(?:a\s|[\w-]*:|<)")
        anywhere = re.compile(rf"(?:^|[\s(\[,;])(?:{alternatives}){end}")
        for pattern in (at_start, as_subject, anywhere):
            for number, line in enumerate(self.lines, start=1):
                if pattern.search(line):
                    return number
        return None


#: The token a line starts with, up to a space or the punctuation that may follow a term.
_LEADING = re.compile(r"[^\s;,\])]+")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term: ox.NamedNode | ox.Literal) -> URIRef | Literal:
    """An IRI or literal as rdflib's term, keeping the literal's lexical form as written."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype), normalize=False)


def _hint(text: str, line: int | None, column: int | None, message: str) -> str:
    """Add a plain-words hint to the parser's message for the usual breakages."""
    if line is None or column is None:
        return message
    lines = text.splitlines()
    if not 0 < line <= len(lines):
        return message
    char = lines[line - 1][column - 1: column]
    if char in {'"', "'"} and "end of file" in message.lower():
        return message + " (a string literal opened here is never closed)"
    if "line jumps are not allowed" in message.lower():
        return message + " (a string literal on this line is never closed)"
    return message


def _problem(name: str, text: str, exc: SyntaxError) -> SyntaxProblem:
    line = exc.lineno
    column = exc.offset
    message = exc.msg or str(exc)
    message = re.sub(r"^Parser error (at|between) [^:]*: ", "", message)
    return SyntaxProblem(name, line, column, _hint(text, line, column, message))


#: Arrays and objects a JSON-LD document may nest; deeper is refused before it is parsed (a
#: parser recurses once per level: thousands of levels would exhaust its stack).
MAX_JSON_DEPTH = 100
#: A JSON string (skipped: brackets inside do not count) or a bracket.
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _check_json_depth(name: str, text: str) -> None:
    """Refuse JSON nested deeper than :data:`MAX_JSON_DEPTH`, located at the first bracket
    too many."""
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                start = match.start()
                line = text.count("\n", 0, start) + 1
                column = start - text.rfind("\n", 0, start)
                raise RdfSyntaxError(SyntaxProblem(
                    name, line, column,
                    f"JSON-LD nested more than {MAX_JSON_DEPTH} levels deep (arrays and "
                    "objects): refused before parsing",
                ))
        elif token in "]}":
            depth -= 1


def _check_json_ld(name: str, text: str) -> None:
    """Refuse JSON-LD that names a remote context: nothing is fetched on a client's behalf."""
    _check_json_depth(name, text)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RdfSyntaxError(SyntaxProblem(name, exc.lineno, exc.colno, exc.msg)) from exc
    except RecursionError as exc:  # pragma: no cover - bounded above
        raise RdfSyntaxError(SyntaxProblem(
            name, None, None, "JSON-LD nested too deeply: refused"
        )) from exc

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "@context":
                    contexts = item if isinstance(item, list) else [item]
                    for context in contexts:
                        if isinstance(context, str):
                            raise RdfSyntaxError(SyntaxProblem(
                                name, None, None,
                                f"remote JSON-LD context refused: {context!r} "
                                "(inline the context instead; nothing is fetched)",
                            ))
                        if isinstance(context, dict) and "@import" in context:
                            raise RdfSyntaxError(SyntaxProblem(
                                name, None, None,
                                "JSON-LD @import refused (nothing is fetched)",
                            ))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(document)


def parse_source(
    text: str | bytes,
    *,
    name: str,
    rdf_format: ox.RdfFormat = ox.RdfFormat.TURTLE,
    into: Graph | None = None,
) -> ParsedSource:
    """Parse one input.

    Raises:
        RdfSyntaxError: the input is not valid in ``rdf_format``.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RdfSyntaxError(
                SyntaxProblem(name, None, None, f"not UTF-8 text: {exc.reason}")
            ) from exc
    if rdf_format == ox.RdfFormat.JSON_LD:
        _check_json_ld(name, text)
    graph = into if into is not None else new_graph()
    bnodes: dict[str, BNode] = {}
    parser = ox.parse(input=text, format=rdf_format, without_named_graphs=True)
    triples: list[tuple[Node, Node, Node]] = []
    quads: list[ox.Quad] = []

    def fresh(term: Any) -> tuple[Node, Any]:
        """An input blank node gets a fresh rdflib one (the same for the same label)."""
        if isinstance(term, ox.BlankNode):
            bnode = bnodes.setdefault(term.value, BNode())
            return bnode, ox.BlankNode(str(bnode))
        return to_rdflib(term), term

    try:
        for quad in parser:
            if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                (s, ox_s), (p, ox_p), (o, ox_o) = (
                    fresh(quad.subject), fresh(quad.predicate), fresh(quad.object)
                )
                quads.append(ox.Quad(ox_s, ox_p, ox_o))
            else:
                s, p, o = (to_rdflib(quad.subject), to_rdflib(quad.predicate),
                           to_rdflib(quad.object))
                quads.append(quad)
            triples.append((s, p, o))
    except SyntaxError as exc:
        raise RdfSyntaxError(_problem(name, text, exc)) from exc
    add = graph.add
    subjects: set[Node] = set()
    typed: set[Node] = set()
    for triple in triples:
        add(triple)
        subjects.add(triple[0])
        if triple[1] == RDF.type:
            typed.add(triple[0])
    prefixes = dict(parser.prefixes) if rdf_format == ox.RdfFormat.TURTLE else {}
    return ParsedSource(name, text, graph, prefixes, parser.base_iri, subjects, typed, quads)


def format_for(path: Path) -> ox.RdfFormat:
    """The parser format for a file by its extension (Turtle when unknown, e.g. ``/dev/fd/63``)."""
    fmt = formats.by_suffix(path.suffix, formats.graph_formats(readable=True))
    if fmt is None or fmt.ox in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):  # graphs: not here
        return ox.RdfFormat.TURTLE
    return fmt.rdf


def display_name(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def parse_files(
    paths: list[Path], *, into: Graph | None = None
) -> tuple[list[ParsedSource], list[SyntaxProblem]]:
    """Parse every file on its own; return the parsed ones and *all* the problems.

    With ``into``, every file's triples go into that one graph (no merge needed later).
    """
    parsed: list[ParsedSource] = []
    problems: list[SyntaxProblem] = []
    for path in paths:
        name = display_name(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(SyntaxProblem(name, None, None, exc.strerror or str(exc)))
            continue
        try:
            parsed.append(
                parse_source(data, name=name, rdf_format=format_for(path), into=into)
            )
        except RdfSyntaxError as exc:
            problems.append(exc.problem)
    return parsed, problems


def defining_source(node: Node, sources: list[ParsedSource]) -> ParsedSource | None:
    """The source that defines ``node``: where it is typed, else where it is a subject."""
    for source in sources:
        if node in source.typed:
            return source
    for source in sources:
        if node in source.subjects:
            return source
    return None


# -- syntax errors in the reader's language -----------------------------------------------------

#: The parser's usual messages (pyoxigraph's, ours), compiled; their French and Chinese are
#: :data:`ewkg.strings.SYNTAX_PATTERNS`. Others are shown as the parser wrote them.
_TRANSLATIONS: tuple[tuple[re.Pattern[str], Texts], ...] = tuple(
    (re.compile(pattern), texts) for pattern, texts in SYNTAX_PATTERNS)


def localize(problem: SyntaxProblem, lang: str | None) -> SyntaxProblem:
    """``problem`` told in ``lang`` (``fr`` or ``zh``; otherwise unchanged), its location kept.

    >>> p = SyntaxProblem("input", 4, 13, "Unexpected end of file")
    >>> str(localize(p, "fr"))
    'input:4:13: erreur de syntaxe à la ligne 4, colonne 13 : fin du document inattendue \
(message de l’analyseur : Unexpected end of file)'
    """
    if lang not in LANGS:
        return problem
    title, where, colon, original = (SYNTAX[part][lang]
                                     for part in ("title", "where", "colon", "original"))
    message, hint = problem.message, ""
    for english, texts in SYNTAX_HINTS:
        if message.endswith(english):
            message, hint = message[: -len(english)], texts[lang]
    text = message
    for pattern, texts in _TRANSLATIONS:
        match = pattern.match(message)
        if match:
            text = texts[lang].format(*match.groups()) + hint + original.format(original=message)
            break
    else:
        text += hint
    located = where.format(line=problem.line, column=problem.column) if problem.line else ""
    return SyntaxProblem(problem.file, problem.line, problem.column,
                         f"{title}{located}{colon}{text}")
