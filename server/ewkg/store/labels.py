"""Labels of every IRI of the store, by language, and a small per-dataset-version memo.

Pages never show a raw IRI where a label exists: :class:`Labels` reads every ``skos:prefLabel``
and ``rdfs:label`` once per dataset version (the ontology gives French and Chinese labels to the
external terms we reuse), and falls back to a prefixed name (``skos:Concept``) or the slug.

:func:`memo` keeps what is derived from the data once per dataset version, bounded: a fixed name
per use, and a small LRU of variants per name for what depends on the request.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from ewkg.rdf.namespaces import PREFIXES
from ewkg.store.embedded import Store
from ewkg.strings import LANGS

T = TypeVar("T")

#: Label properties, preferred first.
LABEL_PROPERTIES: tuple[URIRef, ...] = (SKOS.prefLabel, RDFS.label)

#: At most this many names are memoised per store (least recently used evicted first).
MAX_NAMES = 64
#: Default number of variants kept per name (see :func:`memo`).
DEFAULT_VARIANTS = 4


class _StoreMemo:
    """The memo of one store: ``name -> variant -> value``, both levels LRU-bounded, for one
    dataset version (a new version drops everything)."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.names: OrderedDict[str, OrderedDict[Hashable, Any]] = OrderedDict()


_MEMO: weakref.WeakKeyDictionary[Any, _StoreMemo] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _current(store: Store) -> _StoreMemo:
    """The memo of ``store``'s current version (caller holds ``_LOCK``)."""
    found = _MEMO.get(store)
    if found is None or found.version != store.version:
        found = _MEMO[store] = _StoreMemo(store.version)
    return found


def memo(store: Store, name: str, build: Callable[[], T], *, variant: Hashable = None,
         variants: int = DEFAULT_VARIANTS) -> T:
    """``build()``, computed once per ``(store, store.version, name, variant)``.

    Bounded: ``name`` is one of the code's own names (never client input), and at most
    ``variants`` values of ``variant`` are kept per name, least recently used evicted first.
    Anything derived from the request (a ``Host``, a language…) goes into ``variant``, normalised
    to what the value depends on.
    """
    with _LOCK:
        entries = _current(store).names.get(name)
        if entries is not None and variant in entries:
            entries.move_to_end(variant)
            found: T = entries[variant]
            return found
    version = store.version
    value = build()
    with _LOCK:
        current = _current(store)
        if current.version != version:
            return value  # the data changed while building: do not keep a stale value
        entries = current.names.setdefault(name, OrderedDict())
        current.names.move_to_end(name)
        entries[variant] = value
        entries.move_to_end(variant)
        while len(entries) > max(1, variants):
            entries.popitem(last=False)
        while len(current.names) > MAX_NAMES:
            current.names.popitem(last=False)
    return value


def memo_size(store: Store) -> tuple[int, int]:
    """``(names, entries)`` memoised for ``store`` now (for tests and diagnostics)."""
    with _LOCK:
        found = _MEMO.get(store)
        if found is None:
            return 0, 0
        return len(found.names), sum(len(v) for v in found.names.values())


def qname(iri: str) -> str:
    """``prefix:local`` for an IRI in the prefix table, else the IRI's last segment.

    >>> qname("http://www.w3.org/2004/02/skos/core#prefLabel")
    'skos:prefLabel'
    >>> qname("https://w3id.org/ewkg/id/region/fujian")
    'fujian'
    """
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(str(ns)) and len(str(ns)) > len(best):
            best, chosen = str(ns), prefix
    local = iri[len(best):] if best else ""
    if best and local and "/" not in local and "#" not in local:
        return f"{chosen}:{local}"
    tail = iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return tail or iri


class Labels:
    """Every label of the store: ``iri -> {lang: text}`` (``skos:prefLabel`` wins)."""

    def __init__(self, store: Store) -> None:
        self._by_iri: dict[str, dict[str, str]] = {}
        values = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
        rows = store.select(
            f"SELECT ?s ?p ?l WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?l FILTER(isIRI(?s)) }}"
        )
        rank = {str(p): i for i, p in enumerate(LABEL_PROPERTIES)}
        ranked: dict[tuple[str, str], tuple[int, str]] = {}
        for row in rows:
            lit = row["l"]
            if not isinstance(lit, Literal):
                continue
            key = (str(row["s"]), (lit.language or "").lower())
            candidate = (rank[str(row["p"])], str(lit))
            if key not in ranked or candidate < ranked[key]:
                ranked[key] = candidate
        for (iri, lang), (_, text) in ranked.items():
            self._by_iri.setdefault(iri, {})[lang] = text

    def __contains__(self, iri: object) -> bool:
        return str(iri) in self._by_iri

    def matching(self, needle: str) -> list[str]:
        """IRIs with a label containing ``needle`` (case-folded), shortest label first."""
        hits = []
        for iri, texts in self._by_iri.items():
            best = min((len(t) for t in texts.values() if needle in t.casefold()), default=None)
            if best is not None:
                hits.append((best, iri))
        return [iri for _, iri in sorted(hits)]

    def texts(self, iri: str | URIRef) -> dict[str, str]:
        """``{lang: label}`` of ``iri``; for an unlabelled IRI, its prefixed name under ``""``."""
        found = self._by_iri.get(str(iri))
        return dict(found) if found else {"": qname(str(iri))}

    def get(self, iri: str | URIRef, lang: str | None = None) -> str:
        """The label of ``iri`` in ``lang`` (else French, Chinese, English, untagged, a qname)."""
        texts = self._by_iri.get(str(iri), {})
        for candidate in (lang, *LANGS, "en", ""):
            if candidate is not None and candidate in texts:
                return texts[candidate]
        return next(iter(texts.values()), qname(str(iri)))

    def shown(self, iri: str | URIRef, langs: tuple[str, ...]) -> list[tuple[str, str]]:
        """``(lang, text)`` for each of ``langs`` the IRI has a label in (at least one pair).

        The ``lang`` of a fallback is the label's own language tag (``""`` for a prefixed name).
        """
        texts = self.texts(iri)
        pairs = [(x, texts[x]) for x in langs if x in texts]
        if pairs:
            return pairs
        for x in (*LANGS, "en", ""):
            if x in texts:
                return [(x, texts[x])]
        lang, text = next(iter(texts.items()))
        return [(lang, text)]

    def title(self, iri: str | URIRef, first: str | None) -> list[tuple[str, str]]:
        """Labels in every page language, ``first`` (the page language) leading."""
        order = (first, *(x for x in LANGS if x != first)) if first in LANGS else LANGS
        return self.shown(iri, tuple(order))


def labels_for(store: Store) -> Labels:
    """The :class:`Labels` of ``store``'s current version (built once per version)."""
    return memo(store, "labels", lambda: Labels(store))
