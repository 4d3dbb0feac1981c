"""The text index of the graph: every labelled thing, searchable in French, Chinese and pinyin.

Built once per dataset version from the store (:func:`search_index`), on `tantivy
<https://github.com/quickwit-oss/tantivy-py>`_ (BM25, fuzzy terms) over terms produced by
:mod:`ewkg.query.textanalysis`. Each entity is one document with these fields:

* ``name`` — its labels, alternative labels and titles: French stems, Chinese words, pinyin
  syllables and joined pinyin words (``neimenggu``), and the words of its IRI slug;
* ``text`` — definitions, descriptions, notes, quoted passages (French stems, Chinese words);
* ``chars`` — single Chinese characters (so ``闽 宁`` finds 闽宁);
* ``exact`` — each label and the slug reduced by :func:`~ewkg.query.textanalysis.compact`.

A query is cut the same way; every word must match (any field, any order; a typo or two on
longer Latin words), else any word may. Results are ranked: an exact name first, then the main
kinds (regions, pairings, models, lessons, events…), then records (claims, counts, sources…),
each tier by BM25 score.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ewkg.query.textanalysis import (
    CJK,
    Segmenter,
    chars,
    compact,
    fold,
    latin_words,
    pinyin_syllables,
    simplified,
    stem,
    word_set,
)
from ewkg.store.labels import memo

if TYPE_CHECKING:  # pragma: no cover
    import tantivy

    from ewkg.store.embedded import Store

#: Properties whose literals are names (field ``name``).
NAME_PROPERTIES: tuple[str, ...] = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://www.w3.org/2004/02/skos/core#hiddenLabel",
    "http://purl.org/dc/terms/title",
)
#: Properties whose literals are texts about the thing (field ``text``).
TEXT_PROPERTIES: tuple[str, ...] = (
    "http://www.w3.org/2004/02/skos/core#definition",
    "http://www.w3.org/2000/01/rdf-schema#comment",
    "http://purl.org/dc/terms/description",
    "http://www.w3.org/2004/02/skos/core#note",
    "http://www.w3.org/2004/02/skos/core#scopeNote",
    "http://www.w3.org/2004/02/skos/core#editorialNote",
    "https://w3id.org/ewkg/ontology#quotation",
    "https://w3id.org/ewkg/ontology#statedWording",
    "https://w3id.org/ewkg/ontology#reason",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#value",
    "http://www.w3.org/ns/dcat#keyword",
)
#: The kinds people look for first; everything else (claims, counts, sources…) is a record.
MAIN_KINDS: tuple[str, ...] = (
    "region", "pairing", "model", "lesson", "event", "component", "mechanism", "strategy",
    "programme", "arrangement", "level",
)
_ID = re.compile(r"/id/([a-z0-9-]+)/([^/#?]+)$")
_FIELDS = ("name", "text", "chars", "exact")
_BOOST = {"name": 3.0, "text": 1.0, "chars": 0.4}


def kind_of(iri: str) -> str:
    """The kind of an entity IRI (``region`` for ``…/id/region/fujian``), ``term`` for others.

    >>> kind_of("https://w3id.org/ewkg/id/region/fujian"), kind_of("https://w3id.org/ewkg/ontology#Region")
    ('region', 'term')
    """
    m = _ID.search(iri)
    return m.group(1) if m else "term"


def slug_of(iri: str) -> str:
    """The last segment of an IRI (its slug, or a term's local name)."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


@dataclass
class Doc:
    """One searchable thing: its texts as found, and its terms per field."""

    iri: str
    kind: str
    labels: dict[str, str] = field(default_factory=dict)
    texts: list[tuple[str, str]] = field(default_factory=list)  # (lang, text), names first
    names: set[str] = field(default_factory=set)
    terms: dict[str, list[str]] = field(default_factory=dict)

    @property
    def main(self) -> bool:
        return self.kind in MAIN_KINDS


@dataclass
class Hit:
    """One result: the document, its score and the text that matched, hits marked."""

    doc: Doc
    score: float
    exact: bool
    snippet: str  # HTML-escaped, hits in <mark>
    snippet_lang: str


def _name_terms(text: str, seg: Segmenter) -> list[str]:
    terms = [stem(w) for w in latin_words(text)] + latin_words(text)
    if CJK.search(text):
        words = seg.words(text)
        terms += words
        syllables = pinyin_syllables(text)
        terms += syllables + ["".join(syllables)]
        terms += ["".join(pinyin_syllables(w)) for w in seg.whole_words(text)]
    return terms


def _text_terms(text: str, seg: Segmenter) -> list[str]:
    terms = [stem(w) for w in latin_words(text)]
    if CJK.search(text):
        terms += seg.words(text)
    return terms


def build_docs(store: Store, seg: Segmenter) -> list[Doc]:
    """One :class:`Doc` per IRI that has a name or a text in the store."""
    props = " ".join(f"<{p}>" for p in (*NAME_PROPERTIES, *TEXT_PROPERTIES))
    rows = store.select(
        f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {props} }} ?s ?p ?o "
        f"FILTER(isIRI(?s) && isLiteral(?o)) }}")
    by_iri: dict[str, Doc] = {}
    name_rows: list[tuple[Doc, str, str]] = []
    text_rows: list[tuple[Doc, str, str]] = []
    for r in rows:
        iri, p, o = str(r["s"]), str(r["p"]), r["o"]
        lang = (getattr(o, "language", None) or "").lower()
        doc = by_iri.get(iri)
        if doc is None:
            doc = by_iri[iri] = Doc(iri=iri, kind=kind_of(iri))
        (name_rows if p in NAME_PROPERTIES else text_rows).append((doc, lang, str(o)))
        if p == NAME_PROPERTIES[0] or (p == NAME_PROPERTIES[1] and lang not in doc.labels):
            doc.labels[lang] = str(o)
    seg.add_words(text for _, lang, text in name_rows if lang == "zh")
    for doc in by_iri.values():
        slug = slug_of(doc.iri)
        doc.terms = {f: [] for f in _FIELDS}
        doc.terms["name"] += latin_words(slug.replace("-", " "))
        doc.names |= {compact(slug), slug.lower(), word_set(slug)}
    for doc, lang, text in name_rows:
        doc.texts.append((lang, text))
        doc.terms["name"] += _name_terms(text, seg)
        doc.terms["chars"] += chars(text)
        doc.names |= {compact(text), word_set(text)}
        if CJK.search(text):
            doc.names.add("".join(pinyin_syllables(text)))
    for doc, lang, text in text_rows:
        doc.texts.append((lang, text))
        doc.terms["text"] += _text_terms(text, seg)
        doc.terms["chars"] += chars(text)
    for doc in by_iri.values():
        doc.names.discard("")
        # word sets ("~a b") only decide the exact tier, after scoring (not indexed: they
        # would change the field's length norms)
        doc.terms["exact"] = sorted(n for n in doc.names if not n.startswith("~"))
    return sorted(by_iri.values(), key=lambda d: d.iri)


class SearchIndex:
    """A tantivy index of :class:`Doc` (built per process: tantivy objects are not forked)."""

    def __init__(self, docs: list[Doc], seg: Segmenter,
                 pinyin: dict[str, str] | None = None) -> None:
        self.docs = docs
        self.pinyin = pinyin or {}  # Chinese word or character -> toneless pinyin, run together
        self.by_iri = {d.iri: d for d in docs}
        self.seg = seg
        self._pid = -1
        self._lock = threading.Lock()
        self._index: tantivy.Index | None = None
        self._schema: tantivy.Schema | None = None

    def _searcher(self) -> tuple[tantivy.Searcher, tantivy.Schema]:
        with self._lock:
            if self._index is None or self._pid != os.getpid():
                import tantivy

                builder = tantivy.SchemaBuilder()
                builder.add_integer_field("n", stored=True, indexed=False)
                for f in _FIELDS:
                    builder.add_text_field(f, stored=False, tokenizer_name="whitespace")
                schema = builder.build()
                index = tantivy.Index(schema)
                writer = index.writer(heap_size=15_000_000, num_threads=1)
                for n, d in enumerate(self.docs):
                    writer.add_document(tantivy.Document(
                        n=n, **{f: " ".join(t for t in d.terms[f] if t) for f in _FIELDS}))
                writer.commit()
                writer.wait_merging_threads()
                index.reload()
                self._index, self._schema, self._pid = index, schema, os.getpid()
            assert self._index is not None and self._schema is not None
            return self._index.searcher(), self._schema

    def prepare(self) -> None:
        """Load the query-side analysers (segmenter, OpenCC, stemmer) now: pure Python state,
        safe to share with forked workers, unlike the tantivy index itself."""
        self.query_words("東西部 ningxia coopérations")

    def _pinyin(self, q: str) -> str:
        """The pinyin of the Chinese words of ``q``, from the index's own table."""
        return "".join(self.pinyin.get(w) or "".join(self.pinyin.get(c, c) for c in w)
                       for w in self.seg.whole_words(q))

    def warm(self) -> None:
        """Build the tantivy index (and load the segmenter) now rather than on the first query."""
        self.search("东西部 ningxia")

    # --- queries ------------------------------------------------------------------------------

    def _word_query(
        self, schema: tantivy.Schema, word: str, *, last: bool
    ) -> tantivy.Query | None:
        """The query of one query word: any field, stem or typo or (last word) prefix."""
        from tantivy import Query

        def term(f: str, value: str, boost: float = 1.0) -> tantivy.Query:
            q = Query.term_query(schema, f, value)
            b = boost * _BOOST.get(f, 1.0)
            return Query.boost_query(q, b) if b != 1.0 else q

        options: list[tantivy.Query] = []
        if CJK.search(word):
            for w in [word, *self.seg.words(word)] if len(word) > 1 else [word]:
                options += [term("name", w), term("text", w)]
            cs = list(chars(word))
            if len(cs) == 1:
                options.append(term("chars", cs[0]))
            elif cs:
                from tantivy import Occur

                options.append(Query.boost_query(Query.boolean_query(
                    [(Occur.Must, Query.term_query(schema, "chars", c)) for c in cs]), 0.3))
            return Query.disjunction_max_query(options, 0.1) if options else None
        s = stem(word)
        options += [term("name", s), term("text", s), term("name", word, 1.2)]
        if len(word) >= 5:
            distance = 2 if len(word) >= 9 else 1
            for f in ("name", "text"):
                options.append(Query.boost_query(
                    Query.fuzzy_term_query(schema, f, s, distance=distance), 0.2 * _BOOST[f]))
        if len(word) >= 5:
            options.append(Query.boost_query(
                Query.fuzzy_term_query(schema, "exact", word, distance=1), 5.0))
        if last and len(word) >= 2:
            for f in ("name", "text"):
                options.append(Query.boost_query(
                    Query.fuzzy_term_query(schema, f, word, distance=0, prefix=True),
                    0.3 * _BOOST[f]))
        return Query.disjunction_max_query(options, 0.1)

    def query_words(self, q: str) -> list[str]:
        """The words of a query: folded Latin words, and Chinese runs cut into words."""
        words: list[str] = []
        for part in re.split(r"\s+", simplified(q).strip()):
            if not part:
                continue
            for run in re.split(f"({CJK.pattern})", part):
                if not run:
                    continue
                if CJK.fullmatch(run):
                    words.extend(self.seg.whole_words(run) if len(run) > 2 else [run])
                else:
                    words.extend(latin_words(run))
        return words

    def search(self, q: str, *, limit: int = 50, lang: str | None = None) -> list[Hit]:
        """The things ``q`` finds, best first (see the module's ranking)."""
        from tantivy import Occur, Query

        words = self.query_words(q)
        if not words:
            return []
        searcher, schema = self._searcher()
        clauses = [c for i, w in enumerate(words)
                   if (c := self._word_query(schema, w, last=i == len(words) - 1)) is not None]
        if not clauses:
            return []
        whole = compact(q)
        exact_terms = {whole, self._pinyin(q) if CJK.search(q) else whole, word_set(q)} - {""}
        exact_q = [Query.term_query(schema, "exact", t) for t in exact_terms
                   if not t.startswith("~")]
        if len(whole) >= 3:  # as one types: names that start with what is typed
            exact_q.append(Query.boost_query(Query.fuzzy_term_query(
                schema, "exact", whole, distance=0, prefix=True), 0.4))
        results: dict[int, float] = {}
        for occur in (Occur.Must, Occur.Should):
            query = Query.boolean_query(
                [(occur, c) for c in clauses]
                + [(Occur.Should, Query.boost_query(e, 20.0)) for e in exact_q])
            for score, address in searcher.search(query, limit=max(limit * 3, 100)).hits:
                n = searcher.doc(address)["n"][0]
                results.setdefault(n, score)
            if results:
                break
        hits = []
        for n, score in results.items():
            doc = self.docs[n]
            exact = bool(doc.names & exact_terms)
            hits.append((0 if exact else 1 if doc.main else 2, -score, doc.iri, doc, exact))
        hits.sort(key=lambda h: h[:3])
        out = []
        for _, negscore, _, d, exact in hits[:limit]:
            html, snippet_lang = snippet(d, words, prefer=lang, pinyin=self.pinyin)
            out.append(Hit(doc=d, score=round(-negscore, 4), exact=exact, snippet=html,
                           snippet_lang=snippet_lang))
        return out


# --- snippets -------------------------------------------------------------------------------

def _pinyin_spans(text: str, raw: set[str], pinyin: dict[str, str]) -> list[tuple[int, int]]:
    """Chinese characters of ``text`` whose pinyin, run together, is a query word (or all the
    query's words run together: ``nei meng gu``)."""
    targets = {w for w in raw if len(w) >= 2}
    if len(raw) > 1:
        targets.add("".join(sorted(raw, key=list(raw).index)))
    spans = []
    simple = simplified(text)
    if len(simple) != len(text) or not targets:
        return []
    for m in CJK.finditer(simple):
        run = m.group(0)
        for i in range(len(run)):
            sound = ""
            for j in range(i, min(len(run), i + 8)):
                sound += pinyin.get(run[j], "")
                if sound in targets:
                    spans.append((m.start() + i, m.start() + j + 1))
                    break
                if not any(t.startswith(sound) for t in targets):
                    break
    return spans


def _spans(text: str, words: list[str],
           pinyin: dict[str, str] | None = None) -> list[tuple[int, int]]:
    """Where the query ``words`` occur in ``text`` (Latin words by stem, Chinese by substring,
    pinyin by the characters that sound so)."""
    stems = {stem(w) for w in words if not CJK.search(w)}
    raw = {w for w in words if not CJK.search(w)}
    spans = []
    for m in re.finditer(r"[^\W_]+", text):
        token = m.group(0)
        if CJK.search(token):
            continue
        folded = fold(token)
        if folded and (stem(folded) in stems or folded in raw
                       or any(len(r) >= 3 and folded.startswith(r) for r in raw)):
            spans.append((m.start(), m.end()))
    if pinyin and raw and CJK.search(text):
        spans += _pinyin_spans(text, raw, pinyin)
    zh = [w for w in words if CJK.search(w)]
    if zh:
        simple = simplified(text)
        aligned = len(simple) == len(text)
        for w in sorted(set(zh), key=len, reverse=True):
            for m in re.finditer(re.escape(w), simple if aligned else text):
                spans.append((m.start(), m.end()))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def snippet(doc: Doc, words: list[str], width: int = 160, *, prefer: str | None = None,
            pinyin: dict[str, str] | None = None) -> tuple[str, str]:
    """``(html, lang)``: the text of ``doc`` with hits (in ``prefer`` if it has any, else with
    the most hits), cut around them, hits marked."""
    from markupsafe import escape

    best: tuple[tuple[bool, int], str, str, list[tuple[int, int]]] | None = None
    for lang, text in doc.texts:
        spans = _spans(text, words, pinyin)
        rank = (lang == prefer, len(spans))
        if spans and (best is None or rank > best[0]):
            best = (rank, lang, text, spans)
    if best is None:
        texts = sorted(doc.texts, key=lambda x: x[0] != prefer)
        lang, text = texts[0] if texts else ("", slug_of(doc.iri))
        spans = []
    else:
        _, lang, text, spans = best
    start = 0
    if spans and len(text) > width:
        start = max(0, spans[0][0] - width // 3)
    end = min(len(text), start + width)
    out = ["…" if start else ""]
    pos = start
    for a, b in spans:
        if a >= end:
            break
        if a < pos:
            continue
        out.append(str(escape(text[pos:a])))
        out.append(f"<mark>{escape(text[a:min(b, end)])}</mark>")
        pos = min(b, end)
    out.append(str(escape(text[pos:end])))
    if end < len(text):
        out.append("…")
    return "".join(out), lang


# --- the index of a store, cached on disk ---------------------------------------------------

_CACHE_FORMAT = 3


def cache_dir() -> Path | None:
    """Where prepared documents are kept: ``$EWKG_CACHE_DIR`` (empty: nowhere), else
    ``$XDG_CACHE_HOME/ewkg`` or ``~/.cache/ewkg``."""
    value = os.environ.get("EWKG_CACHE_DIR")
    if value is not None:
        return Path(value) if value else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ewkg"


def _cache_path(version: str) -> Path | None:
    where = cache_dir()
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", str(version))[:100]
    return where / f"search-{_CACHE_FORMAT}-{safe}.json.gz" if where else None


def _load(path: Path | None) -> tuple[list[Doc], dict[str, int], int, dict[str, str]] | None:
    if path is None or not path.is_file():
        return None
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            data = json.load(f)
        docs = [Doc(iri=d["iri"], kind=d["kind"], labels=d["labels"],
                    texts=[(x[0], x[1]) for x in d["texts"]], names=set(d["names"]),
                    terms=d["terms"]) for d in data["docs"]]
        return docs, data["vocabulary"], int(data["total"]), data["pinyin"]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def _save(path: Path | None, docs: list[Doc], vocabulary: dict[str, int], total: int,
          pinyin: dict[str, str]) -> None:
    if path is None:
        return
    data = {"docs": [{"iri": d.iri, "kind": d.kind, "labels": d.labels, "texts": d.texts,
                      "names": sorted(d.names), "terms": d.terms} for d in docs],
            "vocabulary": vocabulary, "total": total, "pinyin": pinyin}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=3) as f:
            json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home: the index is simply rebuilt next time


def build_index(store: Store, *, use_cache: bool = True) -> SearchIndex:
    """The :class:`SearchIndex` of ``store``: from the disk cache of its version, else built
    (about 1.3 s on the bundled data, most of it loading jieba's dictionary) and cached."""
    path = _cache_path(store.version) if use_cache else None
    loaded = _load(path)
    if loaded is None:
        full = Segmenter()
        docs = build_docs(store, full)
        chinese = [t for d in docs for f in ("name", "text", "chars") for t in d.terms[f]
                   if CJK.fullmatch(t)]
        vocabulary, total = full.vocabulary(chinese)
        pinyin = {w: "".join(pinyin_syllables(w)) for w in {*vocabulary, *"".join(vocabulary)}}
        _save(path, docs, vocabulary, total, pinyin)
    else:
        docs, vocabulary, total, pinyin = loaded
    return SearchIndex(docs, Segmenter(vocabulary, total), pinyin)


def cached_index_exists(store: Store) -> bool:
    """Whether the prepared documents of ``store``'s version are in the disk cache."""
    path = _cache_path(store.version)
    return path is not None and path.is_file()


def search_index(store: Store, *, use_cache: bool = True) -> SearchIndex:
    """The :class:`SearchIndex` of ``store``'s current version (built once per version)."""
    return memo(store, "search-index",
                lambda: build_index(store, use_cache=use_cache))
