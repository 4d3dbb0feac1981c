"""The typography a native reader expects, applied to the data's French and Chinese text.

Two normalisations, both also applied to the seed's passages (so quotations stay verbatim in
them; ``tests/test_data.py`` compares the passages with the seed file through
:func:`normalise`):

* Chinese (``@zh``): the half-width ``, ( ) : ; ! ?`` the seed and some sources type next to
  Chinese characters become the full-width ``，（）：；！？``;
* French (``@fr``): a capital that takes an accent keeps it (``Etat`` → ``État``,
  ``Evénement`` → ``Événement``, ``Echelon`` → ``Échelon``).

>>> normalise("9省(市),即东部:如下", "zh")
'9省（市），即东部：如下'
>>> normalise("代码 GB/T 2260 (2020), WGS84", "zh")
'代码 GB/T 2260 (2020), WGS84'
>>> normalise("pris par l’Etat ; Evénement", "fr")
'pris par l’État ; Événement'
"""

from __future__ import annotations

import re

CJK = "\u3400-\u9fff\u3001-\u303f\uff01-\uff5e"
_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？"}
_NEXT_TO_CJK = re.compile(rf"(?<=[{CJK}])([,:;!?])|([,:;!?])(?=[{CJK}])")
_PARENTHESES = re.compile(r"\(([^()]*)\)")
_HAS_CJK = re.compile(rf"[{CJK}]")

#: French words whose capital takes an accent (the unaccented spellings seen in the data).
ACCENTED_CAPITALS = {
    "Etat": "État", "Etats": "États", "Evénement": "Événement", "Evénements": "Événements",
    "Evenement": "Événement", "Echelon": "Échelon", "Echelons": "Échelons",
}
_FRENCH = re.compile(r"\b(" + "|".join(sorted(ACCENTED_CAPITALS, key=len, reverse=True)) + r")\b")


def _parentheses(match: re.Match[str]) -> str:
    inner = match.group(1)
    before = match.string[match.start() - 1] if match.start() else ""
    if _HAS_CJK.search(inner) or (before and _HAS_CJK.match(before)):
        return f"（{inner}）"
    return match.group(0)


def normalise(text: str, lang: str | None) -> str:
    """``text`` with the typography of its language (``fr`` or ``zh``; others unchanged)."""
    if lang == "zh":
        text = _PARENTHESES.sub(_parentheses, text)
        return _NEXT_TO_CJK.sub(lambda m: _HALF_TO_FULL[m.group(1) or m.group(2)], text)
    if lang == "fr":
        return _FRENCH.sub(lambda m: ACCENTED_CAPITALS[m.group(1)], text)
    return text
