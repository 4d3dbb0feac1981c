"""The validation report: located violations, rendered as text, JSON or ``sh:ValidationReport``."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from ewkg.rdf.namespaces import PREFIXES, new_graph
from ewkg.strings import REPORT, REPORT_LANGS, quoted
from ewkg.validation.locate import SyntaxProblem

__all__ = ["LANGS", "Report", "Violation", "choose_lang"]

#: Languages of messages: the data languages, and English for other terminals.
LANGS = REPORT_LANGS


def _words(lang: str) -> dict[str, str]:
    """The report's words in ``lang`` (the ``report`` section of :mod:`ewkg.strings`)."""
    return {key: texts[lang] for key, texts in REPORT.items()}


_COLOURS = {"Violation": "31", "Warning": "33", "Info": "36"}


def choose_lang(lang: str | None = None, environ: dict[str, str] | None = None) -> str:
    """``lang`` if given, else the locale's (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else ``en``.

    >>> choose_lang(environ={"LANG": "zh_CN.UTF-8"}), choose_lang(environ={"LANG": "C"})
    ('zh', 'en')
    """
    if lang:
        return lang if lang in LANGS else "en"
    env = os.environ if environ is None else environ
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(variable, "")
        if value:
            code = value.split("_")[0].split(".")[0].lower()
            return code if code in LANGS else "en"
    return "en"


@dataclass(frozen=True)
class Violation:
    """One located SHACL (or OWL 2 RL) result."""

    file: str | None
    line: int | None
    focus: str
    focus_labels: dict[str, str]
    path: str | None
    value: str | None
    value_labels: dict[str, str]
    shape: str
    constraint: str | None
    component: str | None
    severity: str
    messages: dict[str, str]

    def message(self, lang: str) -> str:
        """The message in ``lang``, else in English, French, Chinese."""
        for candidate in (lang, "en", "fr", "zh"):
            if candidate in self.messages:
                return self.messages[candidate]
        return ""

    def label(self, lang: str) -> str | None:
        """The focus node's label in ``lang`` (else French, else Chinese)."""
        for candidate in (lang, "fr", "zh"):
            if candidate in self.focus_labels:
                return self.focus_labels[candidate]
        return None

    @property
    def where(self) -> str:
        if self.file is None:
            return "?"
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass
class Report:
    """Everything ``ewkg validate`` found."""

    violations: list[Violation]
    syntax_errors: list[SyntaxProblem]
    files: list[str]
    triples: int
    seconds: float
    labels_graph: Graph | None = field(default=None, repr=False, compare=False)
    #: Results left out of :attr:`violations` by :meth:`capped`, by severity (empty: none).
    omitted: dict[str, int] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """Results by severity, those left out by :meth:`capped` included."""
        counter = Counter(v.severity for v in self.violations)
        counter.update(self.omitted)
        return {s: counter.get(s, 0) for s in ("Violation", "Warning", "Info")}

    @property
    def total(self) -> int:
        """Every result found, shown or left out."""
        return len(self.violations) + sum(self.omitted.values())

    @property
    def is_capped(self) -> bool:
        """Whether :attr:`violations` lists only the first of the results."""
        return bool(self.omitted)

    def capped(self, limit: int) -> Report:
        """This report listing at most ``limit`` results (``0``: all); it still counts them all.

        >>> report = Report([], [], ["input"], 0, 0.0)
        >>> report.capped(10) is report
        True
        """
        if limit <= 0 or len(self.violations) <= limit:
            return self
        left = Counter(v.severity for v in self.violations[limit:])
        left.update(self.omitted)
        return replace(self, violations=self.violations[:limit], omitted=dict(left))

    def capped_note(self, lang: str) -> str:
        """What a capped report says about the results it leaves out (empty when complete)."""
        if not self.is_capped:
            return ""
        return REPORT["capped"][lang].format(n=len(self.violations), t=self.total)

    @property
    def conforms(self) -> bool:
        """True when readable and without any ``sh:Violation`` (warnings do not fail)."""
        return not self.syntax_errors and self.counts["Violation"] == 0

    @property
    def exit_code(self) -> int:
        """0 conforms, 1 violations, 2 unreadable input."""
        if self.syntax_errors:
            return 2
        return 0 if self.conforms else 1

    # -- renderings ----------------------------------------------------------------------------
    def summary(self, lang: str) -> str:
        words = _words(lang)
        if self.syntax_errors:
            return words["syntax_summary"].format(n=len(self.syntax_errors))
        c = self.counts
        summary = words["summary"].format(v=c["Violation"], w=c["Warning"], i=c["Info"],
                                          f=len(self.files), t=self.triples, s=self.seconds)
        return summary + (f" — {self.capped_note(lang)}" if self.is_capped else "")

    def to_text(self, lang: str = "en", *, colour: bool = False) -> str:
        """Human-readable text: one block per violation, then the summary line."""
        words = _words(lang)

        def paint(text: str, code: str) -> str:
            return f"\x1b[{code}m{text}\x1b[0m" if colour else text

        lines: list[str] = []
        for problem in self.syntax_errors:
            lines.append(f"{paint(str(problem.file), '1')}"
                         f"{':' + str(problem.line) if problem.line else ''}"
                         f"{':' + str(problem.column) if problem.column else ''}: "
                         f"{paint(words['syntax'], '31;1')}: {problem.message}")
        for v in self.violations:
            label = v.label(lang)
            head = (f"{paint(v.where, '1')}: "
                    f"{paint(words.get(v.severity, v.severity), _COLOURS.get(v.severity, '0'))}"
                    f": {v.focus}")
            head += f" {quoted(label, lang)}" if label else f" {words['no_label']}"
            lines.append(head)
            lines.append(f"    {words['message']}: {v.message(lang)}")
            if v.path:
                lines.append(f"    {words['path']}: {v.path}")
            if v.value is not None:
                value_label = v.value_labels.get(lang)
                lines.append(f"    {words['value']}: {v.value}"
                             + (f" {quoted(value_label, lang)}" if value_label else ""))
            shape = v.shape + (f" / {v.constraint}" if v.constraint else "")
            if v.component:
                shape += f" ({v.component})"
            lines.append(f"    {words['shape']}: {paint(shape, '2')}")
        summary = self.summary(lang)
        lines.append(paint(summary, "32" if self.conforms else "31;1"))
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with every field of every violation and syntax error."""
        return {
            "conforms": self.conforms,
            "exit_code": self.exit_code,
            "counts": self.counts,
            "files": self.files,
            "triples": self.triples,
            "seconds": round(self.seconds, 3),
            "capped": self.is_capped,
            "total": self.total,
            "syntax_errors": [p.to_json() for p in self.syntax_errors],
            "violations": [asdict(v) for v in self.violations],
        }

    def to_graph(self) -> Graph:
        """The report as a ``sh:ValidationReport`` (messages in every language we have)."""
        graph = new_graph()
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        for lang in LANGS:
            if self.is_capped:
                graph.add((report, RDFS.comment, Literal(self.capped_note(lang), lang=lang)))

        def node(text: str) -> URIRef | BNode | Literal:
            return _parse_term(text)

        for v in self.violations:
            result = BNode()
            graph.add((report, SH.result, result))
            graph.add((result, RDF.type, SH.ValidationResult))
            graph.add((result, SH.focusNode, node(v.focus)))
            graph.add((result, SH.resultSeverity, SH[v.severity]))
            if v.path and not v.path.startswith(("^", "(")):
                graph.add((result, SH.resultPath, node(v.path)))
            if v.value is not None:
                graph.add((result, SH.value, node(v.value)))
            if v.shape.startswith(("ewkgsh:", "<")):
                graph.add((result, SH.sourceShape, node(v.shape)))
            if v.constraint:
                graph.add((result, SH.sourceConstraint, node(v.constraint)))
            if v.component and v.component.startswith("sh:"):
                graph.add((result, SH.sourceConstraintComponent, node(v.component)))
            for lang, message in v.messages.items():
                graph.add((result, SH.resultMessage, Literal(message, lang=lang)))
        return graph


def _parse_term(text: str) -> URIRef | BNode | Literal:
    """Read back a term written by :func:`ewkg.rdf.turtle.term_text`."""
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    if text.startswith("_:"):
        return BNode(text[2:])
    if text.startswith('"') or text[:1].isdigit() or text[:1] in "+-" or text in {"true", "false"}:
        graph = Graph(bind_namespaces="none")
        prefixes = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
        graph.parse(data=f"{prefixes}<urn:x:s> <urn:x:p> {text} .", format="turtle")
        value = next(graph.objects())
        assert isinstance(value, Literal)
        return value
    prefix, _, local = text.partition(":")
    if prefix in PREFIXES:
        return URIRef(str(PREFIXES[prefix]) + local)
    return Literal(text, datatype=XSD.string)
