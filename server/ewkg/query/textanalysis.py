"""Text analysis shared by the search index and the SPARQL text function, for French and Chinese.

French and other Latin-script text: Unicode case and accent folding (``É`` → ``e``, ``œ`` →
``oe``), elisions dropped (``l'État`` → ``etat``), then the Snowball French stemmer, so that
``coopération``, ``cooperation`` and ``coopérations`` meet. Chinese: traditional characters
folded to simplified (OpenCC ``t2s``), words cut by jieba with the domain's names added to its
dictionary, and pinyin without tones (pypinyin) for names. jieba is loaded on first use (it
reads a 300 000-word dictionary); nothing else here is slow to import.

>>> fold("Coopération l'État Œuvre")
"cooperation l'etat oeuvre"
>>> latin_terms("Les coopérations de l'État")
['les', 'cooper', 'de', 'etat']
>>> simplified("東西部寧夏")
'东西部宁夏'
>>> pinyin_syllables("闽宁")
['min', 'ning']
"""

from __future__ import annotations

import functools
import io
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator

#: CJK ideographs (unified, extension A, compatibility).
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "’": "'"})
_LOCK = threading.Lock()
#: The dictionary frequency given to the domain's names (a common word's order).
_NAME_FREQ = 2000


def fold(text: str) -> str:
    """Case and accent folding of Latin text (CJK characters are kept as they are)."""
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


@functools.cache
def _stemmer() -> object:
    import snowballstemmer

    return snowballstemmer.stemmer("french")


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The French Snowball stem of a folded word (numbers and short words stay as they are)."""
    if len(word) < 4 or not word.isalpha():
        return word
    stemmed: str = _stemmer().stemWord(word)  # type: ignore[attr-defined]
    return stemmed


def latin_words(text: str) -> list[str]:
    """The folded Latin-script words of ``text`` (CJK runs are skipped; elisions dropped)."""
    words = []
    for raw in re.split(r"\s+|[-‐–—/·,;:.!?()\[\]«»\"“”]+", CJK.sub(" ", text)):
        raw = _ELISION.sub("", raw.strip("'’"))
        words.extend(_LATIN_WORD.findall(fold(raw)))
    return words


def latin_terms(text: str) -> list[str]:
    """Stems of the Latin-script words of ``text``."""
    return [stem(w) for w in latin_words(text)]


@functools.cache
def _t2s() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """``text`` with traditional Chinese characters folded to simplified ones (OpenCC t2s)."""
    if not CJK.search(text):
        return text
    converted: str = _t2s().convert(text)  # type: ignore[attr-defined]
    return converted


def pinyin_syllables(text: str) -> list[str]:
    """Tone-less pinyin syllables of the Chinese characters of ``text``."""
    from pypinyin import Style, lazy_pinyin

    return [s for s in lazy_pinyin("".join(CJK.findall(text)), style=Style.NORMAL,
                                   errors="ignore") if s.isalpha()]


class Segmenter:
    """jieba with the domain's names added to its dictionary, loaded once, lazily.

    With ``vocabulary`` (``{word: frequency}``, see :meth:`vocabulary`) it uses that small
    dictionary instead of jieba's 300 000 words: enough to cut queries into the words an index
    holds, and loaded in milliseconds.
    """

    def __init__(self, vocabulary: dict[str, int] | None = None, total: int = 0) -> None:
        self._tokenizer: object | None = None
        self._words: set[str] = set()
        self._vocabulary = vocabulary
        self._total = total

    def add_words(self, words: Iterable[str]) -> None:
        """Teach the segmenter names it must keep whole (``闽宁``, ``东西部扶贫协作``…)."""
        new = {simplified(w) for w in words if 1 < len(w) <= 12 and CJK.fullmatch(w)}
        new -= self._words
        self._words |= new
        if self._tokenizer is not None:
            for w in new:
                self._tokenizer.add_word(w, freq=_NAME_FREQ)  # type: ignore[attr-defined]

    def _get(self) -> object:
        with _LOCK:
            if self._tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                if self._vocabulary is None:
                    tokenizer.initialize()
                else:
                    lines = "\n".join(f"{w} {n}" for w, n in self._vocabulary.items())
                    tokenizer.FREQ, total = tokenizer.gen_pfdict(io.BytesIO(lines.encode()))
                    tokenizer.total = self._total or total
                    tokenizer.initialized = True
                for w in sorted(self._words):
                    tokenizer.add_word(w, freq=_NAME_FREQ)
                self._tokenizer = tokenizer
            return self._tokenizer

    def vocabulary(self, words: Iterable[str]) -> tuple[dict[str, int], int]:
        """``({word: frequency}, total)`` of ``words`` in this segmenter's dictionary."""
        tokenizer = self._get()
        freq = tokenizer.FREQ  # type: ignore[attr-defined]
        return ({w: freq.get(w) or 1 for w in sorted(set(words)) if CJK.fullmatch(w)},
                tokenizer.total)  # type: ignore[attr-defined]

    def words(self, text: str) -> list[str]:
        """Chinese words of ``text`` (simplified), long words and their parts (search mode)."""
        tokenizer = self._get()
        out: list[str] = []
        for run in CJK.findall(simplified(text)):
            out.extend(w for w in tokenizer.cut_for_search(run, HMM=True)  # type: ignore[attr-defined]
                       if w.strip())
        return out

    def whole_words(self, text: str) -> list[str]:
        """Chinese words of ``text`` (simplified), each once, without their parts."""
        tokenizer = self._get()
        out: list[str] = []
        for run in CJK.findall(simplified(text)):
            out.extend(w for w in tokenizer.cut(run, HMM=True) if w.strip())  # type: ignore[attr-defined]
        return out


def chars(text: str) -> Iterator[str]:
    """The Chinese characters of ``text``, simplified."""
    for run in CJK.findall(simplified(text)):
        yield from run


def compact(text: str) -> str:
    """A name reduced for exact comparison: folded, simplified, without spaces or punctuation.

    >>> compact("Fujian – Ningxia"), compact("fujian-ningxia"), compact("寧夏")
    ('fujianningxia', 'fujianningxia', '宁夏')
    """
    return "".join(_LATIN_WORD.findall(fold(simplified(text))))


def word_set(text: str) -> str:
    """A Latin-script name as the set of its words, for an exact match in any word order
    (``""`` for fewer than two words: :func:`compact` covers those).

    >>> word_set("Ningxia Fujian") == word_set("fujian-ningxia")
    True
    >>> word_set("Ningxia")
    ''
    """
    words = sorted(set(latin_words(text)))
    return "~" + " ".join(words) if len(words) > 1 else ""
