"""One list of languages and one string table (``ewkg.strings``, ``strings.toml``).

The languages are defined once, in :mod:`ewkg.strings`; every text a person reads lives in
``strings.toml``. These tests read the package's source with :mod:`ast` so that a second
language tuple or a second fr/zh string table cannot come back unnoticed, and check that the
table has every language each of its readers needs.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import ewkg
from ewkg import strings

PACKAGE = Path(ewkg.__file__).parent
HOME = PACKAGE / "strings.py"

#: Files that still hold fr/zh texts of their own, each with why: they belong to work that is
#: under way elsewhere, and move into ``strings.toml`` when it lands. Shrink, never grow.

_LANG_LISTS = {strings.LANGS, strings.REPORT_LANGS, strings.MAP_LANGS}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _text(node: ast.expr | None) -> str | None:
    """The text of a string literal or an f-string's literal parts, else ``None``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_text(v) or "" for v in node.values if isinstance(v, ast.Constant))
    return None


def findings(source: str) -> list[str]:
    """Language lists and fr/zh string tables written out in ``source`` (Python)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            values = tuple(_text(e) for e in node.elts)
            if values in _LANG_LISTS:
                found.append(f"line {node.lineno}: a language list {values}")
        elif isinstance(node, ast.Dict):
            keys = [_text(k) for k in node.keys]
            texts = [_text(v) for v in node.values]
            if (None not in keys and {"fr", "zh"} <= set(keys) <= set(strings.REPORT_LANGS)
                    and None not in texts and any(texts)):
                found.append(f"line {node.lineno}: a string dict keyed by {keys}")
            pairs = [v.elts for v in node.values if isinstance(v, ast.Tuple)]
            if (node.values and len(pairs) == len(node.values)
                    and all(len(p) == 2 and _CJK.search(_text(p[1]) or "") for p in pairs)):
                found.append(f"line {node.lineno}: a table of (French, Chinese) pairs")
    return found


def test_the_scan_finds_a_language_list_and_string_tables() -> None:
    planted = (
        'LANGS = ("fr", "zh")\n'
        'x = lang in ["fr", "zh", "both"]\n'
        'WORDS = {"fr": "oui", "zh": "是", "en": "yes"}\n'
        'MSG = {"fr": f"{n} jours", "zh": f"{n} 天"}\n'
        'TEXT = {"yes": ("oui", "是"), "no": ("non", "否")}\n'
    )
    assert sorted(f.split(":")[0] for f in findings(planted)) == [f"line {n}" for n in range(1, 6)]
    # what is not a table: data keyed by language, orders, accumulators, other pairs
    assert findings('titles = {"fr": "", "zh": ""}\nRANK = {"fr": 0, "zh": 1}\n'
                    'names = {"fr": r.fr, "zh": r.zh}\nP = {"a": ("b", "c")}\n'
                    'ORDER = ("en", "fr", "zh")\n') == []


def test_languages_are_listed_once_and_texts_live_in_the_table() -> None:
    assert strings.REPORT_LANGS[: len(strings.LANGS)] == strings.LANGS
    assert strings.MAP_LANGS[: len(strings.LANGS)] == strings.LANGS
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if path == HOME:
            continue
        found = findings(path.read_text(encoding="utf-8"))
        if found:
            offenders[relative] = found
    assert offenders == {}, "use ewkg.strings (LANGS, …) and strings.toml instead"


@pytest.mark.parametrize("name", sorted(strings.SECTION_LANGS))
def test_every_entry_has_every_language_its_readers_need(name: str) -> None:
    table = strings.parse((PACKAGE / "strings.toml").read_text(encoding="utf-8"))
    section = table[name]
    entries = section if name in strings.LIST_SECTIONS else section.items()
    assert len(entries) > 0
    for key, texts in entries:
        assert tuple(texts) == strings.SECTION_LANGS[name], key
        assert set(strings.LANGS) <= set(texts), key
        for lang, text in texts.items():
            assert text.strip(), (key, lang)
            if lang == "zh" and name not in {"yasgui.strings", "yasgui.errors"}:
                # a Chinese text has Chinese in it, unless it is only a name, number or mark
                assert _CJK.search(text) or not re.search(r"[A-Za-zÀ-ÿ]{4,}", text), key


def test_the_reports_and_the_cli_have_english_too() -> None:
    for table in (strings.REPORT, strings.DIFF, strings.VALIDATION, strings.VALIDATION_LIMITS,
                  strings.MAP_ERRORS):
        assert all("en" in texts for texts in table.values())
    assert set(strings.QUOTES) == set(strings.REPORT_LANGS)


def test_a_missing_translation_is_refused_when_the_table_is_loaded() -> None:
    text = (PACKAGE / "strings.toml").read_text(encoding="utf-8")
    broken = text.replace('[ui.nav_home]\nfr = "Accueil"\nzh = "首页"\n',
                          '[ui.nav_home]\nfr = "Accueil"\n')
    assert broken != text
    with pytest.raises(ValueError, match=r"\[ui\.nav_home\]: needs exactly fr, zh, en"):
        strings.parse(broken)


def test_every_key_the_code_and_templates_ask_for_is_in_the_table() -> None:
    tables = {"UI": strings.UI, "MESSAGES": strings.UI, "REPORT": strings.REPORT,
              "DIFF": strings.DIFF, "VALIDATION": strings.VALIDATION, "MAP": strings.MAP,
              "MAP_ERRORS": strings.MAP_ERRORS, "VALIDATION_LIMITS": strings.VALIDATION_LIMITS,
              "SYNTAX": strings.SYNTAX, "DATASET": strings.DATASET}
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
                    and node.value.id in tables and isinstance(node.slice, ast.Constant)
                    and node.slice.value not in tables[node.value.id]):
                missing.append(f"{path.name}:{node.lineno} {node.value.id}[{node.slice.value!r}]")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.args and isinstance(node.args[0], ast.Constant)):
                key = node.args[0].value
                if ((node.func.id in {"t", "bi"} and key not in strings.UI)
                        or (node.func.id == "tr" and key not in strings.MAP)
                        or (node.func.id == "_error" and key not in strings.MAP_ERRORS)):
                    missing.append(f"{path.name}:{node.lineno} {node.func.id}({key!r})")
    call = re.compile(r"""\b(?:t|bi|tn)\(\s*(?:\w+\s*,\s*)?["']([a-z_0-9]+)["']\s*[,)]""")
    for path in sorted((PACKAGE / "templates").rglob("*.html")):
        for key in call.findall(path.read_text(encoding="utf-8")):
            if key not in strings.UI:
                missing.append(f"{path.name}: {key!r}")
    assert missing == []
