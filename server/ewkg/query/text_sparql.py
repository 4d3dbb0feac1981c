"""The search from SPARQL: ``ewkg:textMatch(?text, "query")``, a filter function.

``ewkg:textMatch(?text, "query")`` is ``true`` when every word of ``query`` is found in the
literal ``?text`` the way ``/search`` finds it: French words by stem, accents and case folded,
a typo or two on longer words, the start of a word as one types; Chinese words in simplified or
traditional characters; pinyin with or without tones and spaces (``neimenggu``, ``Mǐn Níng``).
It is ``false`` otherwise, and an error (so the ``FILTER`` drops the row) when either argument
is not a literal. Combine it with any graph pattern::

    PREFIX ewkg: <https://w3id.org/ewkg/ontology#>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?region ?label WHERE {
      ?region a ewkg:WesternRegion ; skos:prefLabel ?label .
      FILTER(ewkg:textMatch(?label, "nei meng gu"))
    }

The query workers register it only for queries that mention ``textMatch``
(:func:`functions_for`), so other queries pay nothing.

>>> matches("réduction de la pauvreté", "pauvrete reduction")
True
>>> matches("宁夏回族自治区", "寧夏"), matches("内蒙古自治区", "nei meng gu")
(True, True)
>>> matches("coopération inter-entreprises", "cooperaton"), matches("Fujian", "ningxia")
(True, False)
"""

from __future__ import annotations

import functools
from typing import Any

from ewkg.query.textanalysis import CJK, fold, latin_words, pinyin_syllables, simplified, stem

#: The function's IRI.
TEXT_MATCH = "https://w3id.org/ewkg/ontology#textMatch"
_XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


@functools.lru_cache(maxsize=256)
def _query_words(query: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(latin words, chinese runs)`` of a query."""
    latin = tuple(latin_words(query))
    chinese = tuple(simplified(run) for run in CJK.findall(query))
    return latin, chinese


@functools.lru_cache(maxsize=4096)
def _text_forms(text: str) -> tuple[frozenset[str], tuple[str, ...], str, tuple[str, ...]]:
    """``(stems, words, simplified text, pinyin syllables)`` of a literal."""
    words = tuple(latin_words(text))
    return (frozenset(stem(w) for w in words), words, simplified(text),
            tuple(pinyin_syllables(text)) if CJK.search(text) else ())


def _pinyin_match(word: str, syllables: tuple[str, ...]) -> bool:
    """Whether ``word`` is one or more consecutive syllables run together."""
    for i in range(len(syllables)):
        joined = ""
        for s in syllables[i:]:
            joined += s
            if joined == word:
                return True
            if not word.startswith(joined):
                break
    return False


def _latin_match(word: str, stems: frozenset[str], words: tuple[str, ...]) -> bool:
    if stem(word) in stems or (len(word) >= 3 and any(w.startswith(word) for w in words)):
        return True
    if len(word) >= 5:
        from rapidfuzz.distance import Levenshtein

        limit = 2 if len(word) >= 9 else 1
        target = stem(word)
        return (any(Levenshtein.distance(target, s, score_cutoff=limit) <= limit for s in stems)
                or any(Levenshtein.distance(word, w, score_cutoff=limit) <= limit for w in words))
    return False


def matches(text: str, query: str) -> bool:
    """Whether every word of ``query`` is in ``text`` (see the module)."""
    latin, chinese = _query_words(query)
    if not latin and not chinese:
        return False
    stems, words, simple, syllables = _text_forms(text)
    for run in chinese:
        if run not in simple:
            return False
    for word in latin:
        if not (_latin_match(word, stems, words) or _pinyin_match(fold(word), syllables)):
            return False
    return True


def _text_match(text: Any, query: Any) -> Any:
    import pyoxigraph as ox

    if not isinstance(text, ox.Literal) or not isinstance(query, ox.Literal):
        return None
    found = matches(text.value, query.value)
    return ox.Literal("true" if found else "false", datatype=ox.NamedNode(_XSD_BOOLEAN))


def functions_for(query: str) -> dict[Any, Any]:
    """The custom functions ``query`` uses (``{}`` for most queries)."""
    if "textMatch" not in query:
        return {}
    import pyoxigraph as ox

    return {ox.NamedNode(TEXT_MATCH): _text_match}
