"""The languages of ewkg, and its one table of strings (``strings.toml``), loaded once.

Every text a person reads — the pages, the query editor, the validation reports, the map and the
command line — comes from ``strings.toml`` beside this module, under one section per reader
(``ui``, ``report``, ``diff``, ``validation``, ``validation_limits``, ``syntax``, ``dataset``,
``map``, ``map_errors``, ``yasgui``). The file is checked as it is loaded: each entry has
exactly the languages its section needs, so a missing translation fails at import, not on a
page.

>>> LANGS, REPORT_LANGS, MAP_LANGS
(('fr', 'zh'), ('fr', 'zh', 'en'), ('fr', 'zh', 'both'))
>>> UI["nav_home"]["zh"], quoted("Ningxia", "fr")
('首页', '« Ningxia »')
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib.resources import files
from typing import Any, Final

#: The languages of the data and of the pages, in display order.
LANGS: Final[tuple[str, ...]] = ("fr", "zh")
#: The languages of the validation report and the command line: the data languages, plus
#: English, the fallback of a terminal whose locale is neither (``ewkg validate --lang``).
REPORT_LANGS: Final[tuple[str, ...]] = (*LANGS, "en")
#: What a map can be labelled in: one data language, or ``both`` side by side.
BOTH: Final = "both"
MAP_LANGS: Final[tuple[str, ...]] = (*LANGS, BOTH)

#: One entry of the table: language -> text.
Texts = Mapping[str, str]
#: A section of the table: key -> texts.
Table = Mapping[str, Texts]

#: The languages each section's entries must have (exactly).
SECTION_LANGS: Final[Mapping[str, tuple[str, ...]]] = {
    "ui": REPORT_LANGS,
    "report": REPORT_LANGS,
    "diff": REPORT_LANGS,
    "validation": REPORT_LANGS,
    "validation_limits": REPORT_LANGS,
    "syntax": LANGS,
    "syntax.patterns": LANGS,
    "syntax.hints": LANGS,
    "dataset": LANGS,
    "map": LANGS,
    "map_errors": REPORT_LANGS,
    "summary": LANGS,
    "yasgui.strings": LANGS,
    "yasgui.errors": LANGS,
    "yasgui.patterns": LANGS,
}
#: The sections that are lists of ``(what is matched, texts)``, and the name of what is matched.
LIST_SECTIONS: Final[Mapping[str, str]] = {
    "syntax.patterns": "regex",
    "syntax.hints": "english",
    "yasgui.patterns": "regex",
}


def _texts(value: Any, where: str, langs: tuple[str, ...]) -> dict[str, str]:
    if not isinstance(value, dict) or tuple(value) != langs or not all(
            isinstance(text, str) for text in value.values()):
        raise ValueError(f"strings.toml [{where}]: needs exactly {', '.join(langs)}, as text, "
                         "in that order")
    return dict(value)


def _section(raw: Mapping[str, Any], name: str) -> Any:
    section: Any = raw
    for part in name.split("."):
        section = section[part]
    return section


def _table(raw: Mapping[str, Any], name: str) -> dict[str, dict[str, str]]:
    langs = SECTION_LANGS[name]
    return {key: _texts(value, f"{name}.{key}", langs)
            for key, value in _section(raw, name).items() if f"{name}.{key}" not in LIST_SECTIONS}


def _list(raw: Mapping[str, Any], name: str) -> tuple[tuple[str, dict[str, str]], ...]:
    matched, langs = LIST_SECTIONS[name], SECTION_LANGS[name]
    found = []
    for i, entry in enumerate(_section(raw, name)):
        texts = dict(entry)
        what = texts.pop(matched, None)
        if not isinstance(what, str):
            raise ValueError(f"strings.toml [[{name}]] {i}: needs {matched}")
        found.append((what, _texts(texts, f"{name}.{i}", langs)))
    return tuple(found)


def parse(text: str) -> dict[str, Any]:
    """The string table in ``text`` (TOML), checked; a ``ValueError`` names a faulty entry.

    >>> parse('[quotes]\\nfr = ["«", "»"]\\n[ui.x]\\nfr = "a"\\nzh = "b"\\n')
    Traceback (most recent call last):
    ...
    ValueError: strings.toml [ui.x]: needs exactly fr, zh, en, as text, in that order
    """
    raw = tomllib.loads(text)
    table: dict[str, Any] = {name: _list(raw, name) if name in LIST_SECTIONS else _table(raw, name)
                             for name in SECTION_LANGS}
    quotes = raw["quotes"]
    if tuple(quotes) != REPORT_LANGS or not all(
            isinstance(pair, list) and len(pair) == 2 for pair in quotes.values()):
        raise ValueError("strings.toml [quotes]: needs a [left, right] pair per report language")
    table["quotes"] = {lang: (left, right) for lang, (left, right) in quotes.items()}
    return table


_TABLE: Final = parse(files("ewkg").joinpath("strings.toml").read_text(encoding="utf-8"))

#: The pages' strings (``i18n.t``, ``bi``, ``tn``); ``en`` is a fallback, never a page language.
UI: Final[Table] = _TABLE["ui"]
#: The validation report's words (:mod:`ewkg.validation.report`).
REPORT: Final[Table] = _TABLE["report"]
#: ``ewkg diff``'s words.
DIFF: Final[Table] = _TABLE["diff"]
#: The OWL 2 RL messages of ``ewkg validate --reasoning`` (``{name}`` fields).
VALIDATION: Final[Table] = _TABLE["validation"]
#: ``/validate``'s limit errors (:mod:`ewkg.validation.worker`; ``{name}`` fields).
VALIDATION_LIMITS: Final[Table] = _TABLE["validation_limits"]
#: The frame of a syntax error told in French or Chinese: ``title``, ``where``, ``colon``,
#: ``original`` (:func:`ewkg.validation.locate.localize`).
SYNTAX: Final[Table] = _TABLE["syntax"]
#: The parser's usual messages: ``(regex, texts)``, ``{0}``… for the groups.
SYNTAX_PATTERNS: Final[tuple[tuple[str, Texts], ...]] = _TABLE["syntax.patterns"]
#: The plain-words hints ending some syntax messages: ``(English, texts)``.
SYNTAX_HINTS: Final[tuple[tuple[str, Texts], ...]] = _TABLE["syntax.hints"]
#: The dataset's default title and description, and the VoID and dump titles
#: (:mod:`ewkg.store.void`).
DATASET: Final[Table] = _TABLE["dataset"]
#: The entity pages' summaries and the source beside a value (:mod:`ewkg.web.summary`,
#: :mod:`ewkg.web.value_sources`; ``{name}`` fields).
SUMMARY: Final[Table] = _TABLE["summary"]
#: The map's texts (:mod:`ewkg.web.mapsvg`; ``{name}`` fields).
MAP: Final[Table] = _TABLE["map"]
#: The map's parameter errors, in English then French · Chinese (:func:`ewkg.web.map_http`).
MAP_ERRORS: Final[Table] = _TABLE["map_errors"]
#: The query editor's own English strings, translated.
YASGUI_STRINGS: Final[Table] = _TABLE["yasgui.strings"]
#: The query editor's strings with numbers or names: ``(regex, texts)``, ``$1``… for groups.
YASGUI_PATTERNS: Final[tuple[tuple[str, Texts], ...]] = _TABLE["yasgui.patterns"]
#: The query editor's error headings, by HTTP status.
YASGUI_ERRORS: Final[Table] = _TABLE["yasgui.errors"]
#: Typographic quotes by language (``« … »``, ``“…”``).
QUOTES: Final[Mapping[str, tuple[str, str]]] = _TABLE["quotes"]


def quoted(text: str, lang: str) -> str:
    """``text`` between the quotes of ``lang`` (English quotes for any other language).

    >>> quoted("宁夏", "zh"), quoted("Ningxia", "de")
    ('“宁夏”', '“Ningxia”')
    """
    left, right = QUOTES.get(lang, QUOTES["en"])
    return f"{left}{text}{right}"


def filled(texts: Texts, **fields: object) -> dict[str, str]:
    """Each language's text of ``texts`` with its ``{name}`` fields filled in.

    >>> filled(VALIDATION["inconsistent"], text="x")["en"]
    'OWL 2 RL inconsistency: x'
    """
    return {lang: text.format(**fields) for lang, text in texts.items()}
