"""The one language picker of every page, and the helpers that show its strings.

The strings themselves (pages and query editor) are the ``ui`` and ``yasgui`` sections of the
one string table, :mod:`ewkg.strings`.

Pages are French, Chinese, or both side by side. The page language is chosen by
``?lang=fr|zh|both``, then by the ``ewkg_lang`` cookie (set whenever ``?lang`` is given, so a
choice made once sticks), then by the ``Accept-Language`` header (``zh-CN`` → ``zh``, ``fr-CA``
→ ``fr``), else both (``None``). A chosen language also travels in every internal link
(:func:`with_lang`, the ``with_lang`` filter) and redirect. Templates get ``page_lang`` from a
context processor and the helpers ``t`` (plain text in one language), ``bi`` (one
``<span lang=…>`` per shown language) and ``tn`` (a count with its word, plural-aware).

>>> pick_lang("zh", None)
'zh'
>>> pick_lang(None, [("zh-CN", 1.0), ("en", 0.5)])
'zh'
>>> pick_lang("both", [("fr", 1.0)]) is None
True
>>> pick_lang(None, [("en-US", 1.0)]) is None
True
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Flask, Response, g, has_request_context, request
from jinja2 import pass_context
from markupsafe import Markup, escape

from ewkg.strings import (
    BOTH,
    LANGS,
    MAP_LANGS,
    UI,
    YASGUI_ERRORS,
    YASGUI_PATTERNS,
    YASGUI_STRINGS,
    Texts,
)

#: The pages' strings: key -> {lang: text} (the ``ui`` section of ``strings.toml``).
MESSAGES = UI


def pick_lang(param: str | None, accept: Iterable[tuple[str, float]] | None) -> str | None:
    """The page language: ``"fr"``, ``"zh"`` or ``None`` (both).

    Args:
        param: the ``lang`` query parameter, if any (``fr``, ``zh`` or ``both``).
        accept: ``(language-range, quality)`` pairs of ``Accept-Language``, best first.
    """
    choice = normalize_choice(param)
    if choice == BOTH:
        return None
    if choice is not None:
        return choice
    for tag, quality in accept or ():
        primary = tag.split("-", 1)[0].lower()
        if quality > 0 and primary in LANGS:
            return primary
    return None


#: The cookie that keeps the language chosen (``fr``, ``zh`` or ``both``).
COOKIE = "ewkg_lang"
_CHOICES = {**{x: x for x in MAP_LANGS}, "all": BOTH, "fr-zh": BOTH, "zh-fr": BOTH}
#: Paths whose links never carry ``lang`` (files, not pages).
_NO_LANG_PREFIXES = ("/static/", "/dataset.", "/favicon")
_NO_LANG_SUFFIXES = (".ttl", ".nt", ".jsonld", ".rdf", ".trig", ".nq", ".xml", ".css", ".js")


def normalize_choice(value: str | None) -> str | None:
    """``fr``, ``zh`` or ``both`` for a valid ``lang`` value, else ``None``.

    >>> normalize_choice("ZH"), normalize_choice("all"), normalize_choice("en")
    ('zh', 'both', None)
    """
    return _CHOICES.get((value or "").strip().lower())


def chosen_lang() -> str | None:
    """The language the reader chose (``?lang``, else the cookie): ``fr``, ``zh``, ``both``;
    ``None`` when nothing was chosen (``Accept-Language`` then decides)."""
    if not has_request_context():
        return None
    if "chosen_lang" not in g:
        g.chosen_lang = (normalize_choice(request.args.get("lang"))
                         or normalize_choice(request.cookies.get(COOKIE)))
    chosen: str | None = g.chosen_lang
    return chosen


def lang_param(value: str | None) -> str | None:
    """The ``lang`` query value normalised (:func:`normalize_choice`): ``fr``, ``zh``, ``both``,
    or ``None`` (absent, unknown) — never the raw value, so nothing is keyed by it.

    >>> lang_param(" ZH "), lang_param("all"), lang_param("x" * 99)
    ('zh', 'both', None)
    """
    return normalize_choice(value)


def current_lang() -> str | None:
    """The page language of the current request (``None`` outside a request: both)."""
    if not has_request_context():
        return None
    if "page_lang" not in g:
        g.page_lang = pick_lang(chosen_lang(), request.accept_languages)
    page: str | None = g.page_lang
    return page


def lang_link(url: str, lang: str | None) -> str:
    """``url`` with ``lang=`` set, if it is an internal page link and ``lang`` is given.

    >>> lang_link("/id/region/fujian#map", "zh")
    '/id/region/fujian?lang=zh#map'
    >>> lang_link("/search?q=a&lang=fr", "zh"), lang_link("https://example.org/", "zh")
    ('/search?q=a&lang=zh', 'https://example.org/')
    >>> lang_link("/dataset.ttl", "zh"), lang_link("#top", "zh"), lang_link("/x", None)
    ('/dataset.ttl', '#top', '/x')
    """
    if not lang or not url.startswith("/") or url.startswith("//"):
        return url
    parts = urlsplit(url)
    if parts.path.startswith(_NO_LANG_PREFIXES) or parts.path.endswith(_NO_LANG_SUFFIXES):
        return url
    args = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    args.append(("lang", lang))
    return urlunsplit(("", "", parts.path, urlencode(args), parts.fragment))


def with_lang(url: str) -> str:
    """``url`` carrying the reader's chosen language (unchanged when nothing was chosen)."""
    return lang_link(url, chosen_lang())


def shown_langs(lang: str | None = None) -> tuple[str, ...]:
    """The languages a page shows: the chosen one, or both."""
    return (lang,) if lang in LANGS else LANGS


def t(key: str, lang: str | None = None) -> str:
    """The UI string ``key`` in ``lang`` (default: the page language; both: ``fr · zh``)."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    if lang is None:
        lang = current_lang()
    if lang is None:
        return " · ".join(entry[x] for x in LANGS if x in entry)
    return entry.get(lang) or entry.get("en") or key


def bi(key: str, *, sep: str = " · ", tag: str = "span", n: int | None = None) -> Markup:
    """``<span lang="fr">…</span> · <span lang="zh">…</span>`` for the shown languages
    (with ``n``, the singular ``key_one`` where it exists and ``n`` is 0 or 1)."""
    entry = MESSAGES.get(key, {})
    if n in (0, 1) and key + "_one" in MESSAGES:
        entry = MESSAGES[key + "_one"]
    parts = [
        Markup('<{0} lang="{1}">{2}</{0}>').format(tag, x, entry.get(x, key))
        for x in shown_langs(current_lang())
    ]
    return Markup(escape(sep)).join(parts)


def lang_url(lang: str | None) -> str:
    """The current URL with ``?lang=`` set to ``lang`` (``None``: ``both``)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", lang or "both"))
    return f"{request.path}?{urlencode(args)}"


def tn(n: int, key: str, lang: str | None = None) -> str:
    """``n`` and its word, singular or plural: ``1 entité``, ``2 entités``, ``3 个实体``.

    The table holds ``key`` (plural) and optionally ``key_one`` (singular; French uses it for
    0 and 1).

    >>> tn(1, "entities", "fr"), tn(2, "entities", "fr"), tn(1, "entities", "zh")
    ('1 entité', '2 entités', '1 个实体')
    """
    if lang is None:
        lang = current_lang()
    if lang is None:
        return f"{tn(n, key, 'fr')} · {t(key, 'zh')}"
    word = t(key + "_one", lang) if key + "_one" in MESSAGES and n in (0, 1) else t(key, lang)
    return f"{n} {word}"


def remember_choice(response: Response) -> Response:
    """Keep a ``?lang`` choice in the cookie; carry the choice into internal redirects; mark
    pages that depend on the cookie."""
    if not has_request_context():
        return response
    given = normalize_choice(request.args.get("lang"))
    if given and request.cookies.get(COOKIE) != given:
        response.set_cookie(COOKIE, given, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True)
    choice = chosen_lang()
    location = response.headers.get("Location")
    if choice and location and 300 <= response.status_code < 400:
        own = request.host_url.rstrip("/")
        if location.startswith(own + "/"):
            response.headers["Location"] = own + lang_link(location[len(own):], choice)
        else:
            response.headers["Location"] = lang_link(location, choice)
    if (response.mimetype == "text/html" or "Accept-Language" in response.vary) \
            and "lang" not in request.args:
        response.vary.add("Cookie")
    return response


@pass_context
def _with_lang_filter(_context: object, url: str) -> str:
    """``url|with_lang`` (context-bound, so Jinja never folds it at compile time)."""
    return with_lang(url)


def _context() -> dict[str, object]:
    lang = current_lang()
    return {
        "messages": MESSAGES,
        "page_lang": lang,
        "html_lang": lang or "fr",
        "shown_langs": shown_langs(lang),
        "LANGS": LANGS,
    }


def init_app(app: Flask) -> None:
    """Register the ``page_lang`` context processor and the ``t``/``bi``/``lang_url`` globals."""
    if app.extensions.get("ewkg.web.i18n"):
        return
    app.extensions["ewkg.web.i18n"] = True
    app.context_processor(_context)
    app.after_request(remember_choice)
    app.jinja_env.globals.update(t=t, bi=bi, tn=tn, lang_url=lang_url, with_lang=with_lang,
                                 chosen_lang=chosen_lang, yasgui_messages=yasgui_messages,
                                 localized_examples=localized_examples)
    app.jinja_env.filters["with_lang"] = _with_lang_filter


# --- the query editor (YASGUI) ---------------------------------------------------------------

def yasgui_messages(lang: str | None) -> dict[str, object]:
    """The query editor's strings in ``lang`` (both: French · Chinese) for yasgui-i18n.js."""

    def pick(entry: Texts, *, pattern: bool = False) -> str:
        if lang in LANGS:
            return entry[lang]
        return entry["fr"] if pattern else f"{entry['fr']} · {entry['zh']}"

    return {
        "strings": {en: pick(tr) for en, tr in YASGUI_STRINGS.items()},
        "patterns": [[rx, pick(tr, pattern=True)] for rx, tr in YASGUI_PATTERNS],
        "errors": {k: pick(v) for k, v in YASGUI_ERRORS.items()},
        "lang": lang or "fr",
    }


def localized_examples(examples: list[dict[str, str]], lang: str | None) -> list[dict[str, str]]:
    """The example queries with only ``lang``'s title comment (both kept when ``lang`` is None).

    >>> localized_examples([{"query": "# fr: Qui ?\\n# zh: 谁？\\nSELECT"}], "zh")[0]["query"]
    '# zh: 谁？\\nSELECT'
    """
    if lang not in LANGS:
        return examples
    others = tuple(f"# {x}:" for x in LANGS if x != lang)
    out = []
    for ex in examples:
        lines = ex["query"].splitlines(keepends=True)
        kept = [line for line in lines if not line.lstrip().startswith(others)]
        out.append({**ex, "query": "".join(kept)})
    return out
