"""Labels of every IRI of the store, by language, and a small per-dataset-version memo.

Pages never show a raw IRI where a label exists: :class:`Labels` reads every ``skos:prefLabel``
and ``rdfs:label`` once per dataset version (the ontology gives French and Chinese labels to the
external terms we reuse), and falls back to a prefixed name (``skos:Concept``) or the slug.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from .i18n import LANGS
from .namespaces import PREFIXES
from .store import Store

T = TypeVar("T")

#: Label properties, preferred first.
LABEL_PROPERTIES: tuple[URIRef, ...] = (SKOS.prefLabel, RDFS.label)

_MEMO: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], Any]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def memo(store: Store, name: str, build: Callable[[], T]) -> T:
    """``build()``, computed once per ``(store, store.version, name)``."""
    with _LOCK:
        per_store = _MEMO.setdefault(store, {})
        key = (name, store.version)
        if key in per_store:
            return per_store[key]
    value = build()
    with _LOCK:
        per_store = _MEMO.setdefault(store, {})
        for stale in [k for k in per_store if k[0] == name and k[1] != store.version]:
            del per_store[stale]
        per_store[key] = value
    return value


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
