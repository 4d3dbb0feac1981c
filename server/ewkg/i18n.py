"""The one language picker of every page, and the small table of UI strings in fr / zh (+ en).

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

#: The languages of the data and of the pages, in display order.
LANGS: tuple[str, ...] = ("fr", "zh")

#: UI strings: key -> {lang: text}. ``en`` is a fallback for keys and tools, never shown as a page
#: language of its own.
MESSAGES: dict[str, dict[str, str]] = {
    "site_name": {
        "fr": "Coordination Est-Ouest en matière d’assistance aux démunis",
        "zh": "东西部扶贫协作知识图谱",
        "en": "East–West poverty alleviation cooperation knowledge graph",
    },
    "site_short": {"fr": "Graphe Est-Ouest", "zh": "东西部扶贫协作", "en": "ewkg"},
    "nav_home": {"fr": "Accueil", "zh": "首页", "en": "Home"},
    "nav_query": {"fr": "Requête SPARQL", "zh": "SPARQL 查询", "en": "SPARQL query"},
    "nav_ontology": {"fr": "Ontologie", "zh": "本体", "en": "Ontology"},
    "nav_validate": {"fr": "Valider", "zh": "校验", "en": "Validate"},
    "nav_dumps": {"fr": "Téléchargements", "zh": "数据下载", "en": "Downloads"},
    "nav_void": {"fr": "Description VoID", "zh": "VoID 数据集描述", "en": "VoID description"},
    "nav_label": {"fr": "Navigation principale", "zh": "主导航", "en": "Main navigation"},
    "language": {"fr": "Langue", "zh": "语言", "en": "Language"},
    "lang_fr": {"fr": "Français", "zh": "法语", "en": "French"},
    "lang_zh": {"fr": "Chinois", "zh": "中文", "en": "Chinese"},
    "lang_both": {"fr": "Les deux", "zh": "双语", "en": "Both"},
    "skip": {"fr": "Aller au contenu", "zh": "跳到正文", "en": "Skip to content"},
    "footer_licence": {
        "fr": "Données sous licence CC BY 4.0, tirées du document source cité.",
        "zh": "数据采用 CC BY 4.0 许可，均出自所引来源文件。",
        "en": "Data under CC BY 4.0, taken from the cited source document.",
    },
    "home_title": {
        "fr": "Le graphe de connaissances de la coordination Est-Ouest",
        "zh": "东西部扶贫协作知识图谱",
        "en": "The East–West cooperation knowledge graph",
    },
    "home_intro": {
        "fr": "La coordination Est-Ouest en matière d’assistance aux démunis est l’aide jumelée "
        "apportée aux régions démunies de l’Ouest par les provinces et municipalités développées "
        "de l’Est, lancée en 1996. Ce graphe de connaissances en décrit les régions, les "
        "jumelages, les modèles d’assistance, le cadre de travail et les enseignements, en "
        "français et en chinois ; chaque fait renvoie au passage du document source dont il est "
        "tiré.",
        "zh": "东西部扶贫协作是东部发达省市对西部贫困地区的结对帮扶，始于1996年。本知识图谱以中法"
        "双语描述其中的地区、结对关系、帮扶模式、工作框架与经验启示；每一条事实都可追溯到来源"
        "文件中的相应段落。",
        "en": "East–West poverty alleviation cooperation is the paired assistance given by the "
        "developed eastern provinces and cities to the poor western regions since 1996.",
    },
    "home_access": {
        "fr": "Chaque entité a une IRI qui se déréférence : une page HTML pour les navigateurs, "
        "Turtle, JSON-LD, N-Triples ou RDF/XML par négociation de contenu. Le graphe entier "
        "s’interroge en SPARQL 1.1 et se télécharge.",
        "zh": "每个实体都有可解引用的 IRI：浏览器得到 HTML 页面，其他客户端可通过内容协商获得 "
        "Turtle、JSON-LD、N-Triples 或 RDF/XML。整个图谱可用 SPARQL 1.1 查询，也可整体下载。",
        "en": "Every entity IRI dereferences to HTML or RDF; the whole graph can be queried "
        "with SPARQL 1.1 and downloaded.",
    },
    "kinds": {"fr": "Les entités par type", "zh": "按类型浏览实体", "en": "Entities by kind"},
    "entities": {"fr": "entités", "zh": "个实体", "en": "entities"},
    "entities_one": {"fr": "entité", "zh": "个实体", "en": "entity"},
    "triples": {"fr": "triplets", "zh": "个三元组", "en": "triples"},
    "n_classes": {"fr": "classes", "zh": "个类", "en": "classes"},
    "n_properties": {"fr": "propriétés", "zh": "个属性", "en": "properties"},
    "classes": {"fr": "Classes", "zh": "类", "en": "Classes"},
    "properties": {"fr": "Propriétés", "zh": "属性", "en": "Properties"},
    "query_section": {"fr": "Interroger le graphe", "zh": "查询图谱", "en": "Query the graph"},
    "downloads": {"fr": "Télécharger le graphe entier", "zh": "下载整个图谱", "en": "Downloads"},
    "statistics": {"fr": "Statistiques", "zh": "统计", "en": "Statistics"},
    "types": {"fr": "Types", "zh": "类型", "en": "Types"},
    "description": {"fr": "Description", "zh": "描述", "en": "Description"},
    "definition": {"fr": "Définition", "zh": "定义", "en": "Definition"},
    "property": {"fr": "Propriété", "zh": "属性", "en": "Property"},
    "value": {"fr": "Valeur", "zh": "值", "en": "Value"},
    "incoming": {"fr": "Liens entrants", "zh": "反向链接", "en": "Incoming links"},
    "provenance": {"fr": "Provenance : le passage source", "zh": "出处：来源段落",
                   "en": "Provenance: the source passage"},
    "sources_cited": {"fr": "Sources citées", "zh": "引用来源", "en": "Sources cited"},
    "source_passage": {"fr": "Passage", "zh": "段落", "en": "Passage"},
    "other_formats": {"fr": "Autres formats", "zh": "其他格式", "en": "Other formats"},
    "sparql_describe": {"fr": "Décrire en SPARQL", "zh": "用 SPARQL 描述",
                        "en": "Describe in SPARQL"},
    "listing_title": {"fr": "Liste", "zh": "列表", "en": "List"},
    "count": {"fr": "Nombre", "zh": "数量", "en": "Count"},
    "instances": {"fr": "Instances", "zh": "实例数", "en": "Instances"},
    "domain": {"fr": "Domaine", "zh": "定义域", "en": "Domain"},
    "range": {"fr": "Portée", "zh": "值域", "en": "Range"},
    "superclasses": {"fr": "Super-classes", "zh": "父类", "en": "Superclasses"},
    "superproperties": {"fr": "Super-propriétés", "zh": "父属性", "en": "Superproperties"},
    "subclasses": {"fr": "Sous-classes", "zh": "子类", "en": "Subclasses"},
    "inverse": {"fr": "Inverse", "zh": "逆属性", "en": "Inverse"},
    "kind_term": {"fr": "Nature", "zh": "种类", "en": "Kind"},
    "identifier": {"fr": "Identifiant", "zh": "标识符", "en": "Identifier"},
    "ontology_title": {"fr": "Ontologie du graphe Est-Ouest", "zh": "东西部扶贫协作本体",
                       "en": "The ewkg ontology"},
    "contents": {"fr": "Sommaire", "zh": "目录", "en": "Contents"},
    "not_found_title": {"fr": "Ressource inconnue", "zh": "未找到该资源",
                        "en": "Unknown resource"},
    "not_found_text": {
        "fr": "Aucune entité du graphe ne porte cette IRI.",
        "zh": "图谱中没有以此 IRI 标识的实体。",
        "en": "No entity of the graph has this IRI.",
    },
    "bad_iri": {
        "fr": "Ceci n’est pas une IRI absolue valide (RFC 3987) : rien ne peut la décrire.",
        "zh": "这不是有效的绝对 IRI（RFC 3987），无法描述。",
        "en": "This is not a valid absolute IRI (RFC 3987): nothing can describe it.",
    },
    "see_listing": {"fr": "Voir la liste de ce type", "zh": "查看该类型的全部实体",
                    "en": "See the list of this kind"},
    "did_you_mean": {"fr": "Vouliez-vous dire", "zh": "您是否要找", "en": "Did you mean"},
    "search": {"fr": "Rechercher", "zh": "搜索", "en": "Search"},
    "sparql_title": {"fr": "Requête SPARQL", "zh": "SPARQL 查询", "en": "SPARQL query"},
    "format": {"fr": "Format", "zh": "格式", "en": "Format"},
    "media_type": {"fr": "Type de média", "zh": "媒体类型", "en": "Media type"},
    "error_title": {"fr": "Erreur", "zh": "错误", "en": "Error"},
    "error_detail": {"fr": "Le message du serveur (en anglais) :",
                     "zh": "服务器返回的信息（英文）：", "en": "The server's message:"},
    "http_400": {"fr": "Requête invalide", "zh": "请求无效", "en": "Bad Request"},
    "http_403": {"fr": "Accès refusé", "zh": "禁止访问", "en": "Forbidden"},
    "http_404": {"fr": "Introuvable", "zh": "未找到", "en": "Not Found"},
    "http_405": {"fr": "Méthode non autorisée", "zh": "不允许的请求方法",
                 "en": "Method Not Allowed"},
    "http_406": {"fr": "Format non disponible", "zh": "无法提供所请求的格式",
                 "en": "Not Acceptable"},
    "http_413": {"fr": "Requête trop volumineuse", "zh": "请求过大", "en": "Content Too Large"},
    "http_415": {"fr": "Type de contenu non pris en charge", "zh": "不支持的内容类型",
                 "en": "Unsupported Media Type"},
    "http_500": {"fr": "Erreur interne du serveur", "zh": "服务器内部错误",
                 "en": "Internal Server Error"},
    "http_503": {"fr": "Service momentanément indisponible", "zh": "服务暂时不可用",
                 "en": "Service Unavailable"},
    "search_label": {"fr": "Rechercher dans le graphe", "zh": "搜索图谱", "en": "Search the graph"},
    "search_results": {"fr": "Résultats", "zh": "搜索结果", "en": "Results"},
    "search_placeholder": {"fr": "Ningxia, coopération, pauvreté…", "zh": "宁夏、企业合作、闽宁…",
                           "en": "Ningxia, cooperation…"},
    "search_help": {
        "fr": "Noms, définitions, notes et passages cités, en français, en chinois (simplifié ou "
              "traditionnel) ou en pinyin ; les mots dans n’importe quel ordre.",
        "zh": "可搜索名称、定义、注释与引文段落，支持法文、中文（简体或繁体）和拼音，词序不限。",
        "en": "Names, definitions, notes and quoted passages, in French, Chinese or pinyin.",
    },
    "ontology_term": {"fr": "terme de l’ontologie", "zh": "本体术语", "en": "ontology term"},
    "no_results": {"fr": "Aucun résultat.", "zh": "没有结果。", "en": "No results."},
    "all_kinds": {"fr": "Tous les types d’entités", "zh": "全部实体类型", "en": "All kinds"},
    "version": {"fr": "Version", "zh": "版本", "en": "Version"},
    "licence": {"fr": "Licence", "zh": "许可", "en": "Licence"},
    "endpoint": {"fr": "Point d’accès SPARQL", "zh": "SPARQL 端点", "en": "SPARQL endpoint"},
    "not_acceptable": {"fr": "Type de média non disponible", "zh": "无法提供所请求的媒体类型",
                       "en": "Not acceptable"},
    "example_resource": {"fr": "Exemple", "zh": "示例", "en": "Example"},
    # the validation page (/validate)
    "validate_title": {"fr": "Valider du Turtle", "zh": "校验 Turtle 数据",
                       "en": "Validate Turtle"},
    "validate_intro": {
        "fr": "Collez ou déposez un fichier Turtle : il est validé avec les formes SHACL "
              "d’ewkg, avec le jeu de données publié pour résoudre les références. "
              "Rien n’est enregistré.",
        "zh": "粘贴或上传 Turtle 文件：系统会用 ewkg 的 SHACL 形状进行校验，并以已发布的数据集"
              "解析引用。不会保存任何内容。",
        "en": "Paste or upload Turtle: it is validated against ewkg's SHACL shapes, with the "
              "published dataset to resolve references. Nothing is stored.",
    },
    "validate_data": {"fr": "Turtle à valider", "zh": "待校验的 Turtle",
                      "en": "Turtle to validate"},
    "validate_file": {"fr": "ou un fichier", "zh": "或上传文件", "en": "or a file"},
    "validate_format": {"fr": "Format", "zh": "格式", "en": "Format"},
    "validate_submit": {"fr": "Valider", "zh": "校验", "en": "Validate"},
    "validate_conforms": {"fr": "Conforme : aucune violation.", "zh": "符合：没有违规。",
                 "en": "Conforms: no violation."},
    "validate_syntax": {"fr": "Erreur de syntaxe", "zh": "语法错误", "en": "Syntax error"},
    "validate_where": {"fr": "Ligne", "zh": "行", "en": "Line"},
    "validate_severity": {"fr": "Gravité", "zh": "级别", "en": "Severity"},
    "validate_focus": {"fr": "Entité", "zh": "实体", "en": "Entity"},
    "validate_message": {"fr": "Message", "zh": "消息", "en": "Message"},
    "validate_shape": {"fr": "Forme", "zh": "形状", "en": "Shape"},
    "severity_Violation": {"fr": "violation", "zh": "违规", "en": "violation"},
    "severity_Warning": {"fr": "avertissement", "zh": "警告", "en": "warning"},
    "severity_Info": {"fr": "info", "zh": "提示", "en": "info"},
}


def pick_lang(param: str | None, accept: Iterable[tuple[str, float]] | None) -> str | None:
    """The page language: ``"fr"``, ``"zh"`` or ``None`` (both).

    Args:
        param: the ``lang`` query parameter, if any (``fr``, ``zh`` or ``both``).
        accept: ``(language-range, quality)`` pairs of ``Accept-Language``, best first.
    """
    choice = normalize_choice(param)
    if choice == "both":
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
_CHOICES = {"fr": "fr", "zh": "zh", "both": "both", "all": "both", "fr-zh": "both",
            "zh-fr": "both"}
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
    return g.chosen_lang


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
    return g.page_lang


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
    if app.extensions.get("ewkg.i18n"):
        return
    app.extensions["ewkg.i18n"] = True
    app.context_processor(_context)
    app.after_request(remember_choice)
    app.jinja_env.globals.update(t=t, bi=bi, tn=tn, lang_url=lang_url, with_lang=with_lang,
                                 chosen_lang=chosen_lang, yasgui_messages=yasgui_messages,
                                 localized_examples=localized_examples)
    app.jinja_env.filters["with_lang"] = _with_lang_filter


# --- the query editor (YASGUI) ---------------------------------------------------------------

#: YASGUI's own English strings -> ``{fr, zh}``: applied by ``static/yasgui-i18n.js`` to the
#: editor's text, titles, placeholders and ARIA labels (YASGUI has no i18n hooks of its own).
YASGUI_STRINGS: dict[str, dict[str, str]] = {
    "Settings": {"fr": "Réglages", "zh": "设置"},
    "Request method": {"fr": "Méthode de requête", "zh": "请求方法"},
    "Accept Headers": {"fr": "En-têtes Accept", "zh": "Accept 请求头"},
    "Ask / Select": {"fr": "ASK / SELECT", "zh": "ASK / SELECT"},
    "Construct / Describe": {"fr": "CONSTRUCT / DESCRIBE", "zh": "CONSTRUCT / DESCRIBE"},
    "Arguments": {"fr": "Paramètres", "zh": "参数"},
    "Header Arguments": {"fr": "En-têtes HTTP", "zh": "HTTP 请求头"},
    "Default Graphs": {"fr": "Graphes par défaut", "zh": "默认图"},
    "Named Graphs": {"fr": "Graphes nommés", "zh": "命名图"},
    "Table": {"fr": "Tableau", "zh": "表格"},
    "Response": {"fr": "Réponse brute", "zh": "原始响应"},
    "Simple view": {"fr": "Vue simple", "zh": "简洁视图"},
    "Ellipse": {"fr": "Abréger", "zh": "截断长文本"},
    "Page size:": {"fr": "Lignes par page :", "zh": "每页行数："},
    "All": {"fr": "Toutes", "zh": "全部"},
    "Close tab": {"fr": "Fermer l’onglet", "zh": "关闭标签页"},
    "Add tab": {"fr": "Nouvel onglet", "zh": "新建标签页"},
    "Add a new tab": {"fr": "Ouvrir un nouvel onglet", "zh": "新建一个标签页"},
    "Open settings": {"fr": "Ouvrir les réglages", "zh": "打开设置"},
    "Close settings": {"fr": "Fermer les réglages", "zh": "关闭设置"},
    "Clear endpoint": {"fr": "Effacer le point d’accès", "zh": "清除端点"},
    "Share query": {"fr": "Partager la requête", "zh": "分享查询"},
    "Run query": {"fr": "Exécuter la requête", "zh": "运行查询"},
    "Shows Table view": {"fr": "Afficher le tableau", "zh": "以表格显示"},
    "Shows Response view": {"fr": "Afficher la réponse brute", "zh": "显示原始响应"},
    "Filter query results": {"fr": "Filtrer les résultats", "zh": "筛选结果"},
    "Download result": {"fr": "Télécharger le résultat", "zh": "下载结果"},
    "Download Results": {"fr": "Télécharger les résultats", "zh": "下载结果"},
    "View documentation of Table": {"fr": "Aide du tableau", "zh": "表格说明"},
    "View documentation of Response": {"fr": "Aide de la réponse", "zh": "原始响应说明"},
    "First": {"fr": "Première page", "zh": "首页"},
    "Previous": {"fr": "Page précédente", "zh": "上一页"},
    "Next": {"fr": "Page suivante", "zh": "下一页"},
    "Last": {"fr": "Dernière page", "zh": "末页"},
    "pagination": {"fr": "pagination", "zh": "分页"},
    "Try query in a new browser window": {"fr": "Essayer la requête dans une nouvelle fenêtre",
                                          "zh": "在新窗口中尝试此查询"},
    "No data available in table": {"fr": "Aucun résultat", "zh": "没有结果"},
    "No matching records found": {"fr": "Aucune ligne ne correspond", "zh": "没有匹配的行"},
    "Loading...": {"fr": "Chargement…", "zh": "加载中…"},
    "Search:": {"fr": "Filtrer :", "zh": "筛选："},
    "Fullscreen": {"fr": "Plein écran", "zh": "全屏"},
}

#: YASGUI strings with numbers or names in them: ``(regex, {fr, zh})``, ``$1``… for the groups.
YASGUI_PATTERNS: list[tuple[str, dict[str, str]]] = [
    (r"^1 result in ([\d.]+) seconds?$",
     {"fr": "1 résultat en $1 s", "zh": "1 个结果，用时 $1 秒"}),
    (r"^(\d+) results? in ([\d.]+) seconds?$",
     {"fr": "$1 résultats en $2 s", "zh": "$1 个结果，用时 $2 秒"}),
    (r"^Response in ([\d.]+) seconds?$", {"fr": "Réponse en $1 s", "zh": "响应用时 $1 秒"}),
    (r"^1 result$", {"fr": "1 résultat", "zh": "1 个结果"}),
    (r"^(\d+) results$", {"fr": "$1 résultats", "zh": "$1 个结果"}),
    (r"^Showing (\d+) to (\d+) of (\d+) entr(?:y|ies)$",
     {"fr": "Lignes $1 à $2 sur $3", "zh": "第 $1–$2 行，共 $3 行"}),
    (r"^Showing 0 to 0 of 0 entries$", {"fr": "Aucune ligne", "zh": "没有行"}),
    (r"^\(filtered from (\d+) total entr(?:y|ies)\)$",
     {"fr": "(filtrées parmi $1)", "zh": "（从 $1 行中筛选）"}),
    (r"^(.*): Activate to sort$", {"fr": "$1 : trier", "zh": "$1：排序"}),
    (r"^(.*): Activate to invert sorting$", {"fr": "$1 : inverser le tri", "zh": "$1：反向排序"}),
    (r"^(.*): Activate to remove sorting$", {"fr": "$1 : annuler le tri", "zh": "$1：取消排序"}),
    (r"^View documentation of (.*)$", {"fr": "Aide : $1", "zh": "说明：$1"}),
    (r"^Shows (.*) view$", {"fr": "Afficher : $1", "zh": "显示：$1"}),
]

#: The editor's error panel: a heading per HTTP status (the server's detail follows, as sent).
YASGUI_ERRORS: dict[str, dict[str, str]] = {
    "0": {"fr": "Le serveur n’a pas répondu.", "zh": "服务器没有响应。"},
    "400": {"fr": "La requête est invalide (erreur de syntaxe ou paramètre refusé).",
            "zh": "查询无效（语法错误或参数不被接受）。"},
    "403": {"fr": "Ce point d’accès est en lecture seule : les mises à jour sont refusées.",
            "zh": "本端点只读，不接受更新操作。"},
    "406": {"fr": "Ce format de résultat ne convient pas à cette forme de requête.",
            "zh": "该结果格式不适用于此类查询。"},
    "413": {"fr": "La requête est trop longue.", "zh": "查询过长。"},
    "503": {"fr": "La requête a dépassé le temps imparti, ou le serveur est occupé : "
                  "précisez-la (motifs plus sélectifs, LIMIT) et réessayez.",
            "zh": "查询超时或服务器繁忙：请缩小查询范围（更具体的模式、LIMIT）后重试。"},
    "other": {"fr": "La requête a échoué.", "zh": "查询失败。"},
    "detail": {"fr": "Détail technique (message du moteur, en anglais)",
               "zh": "技术细节（查询引擎原文，英文）"},
    "status": {"fr": "Erreur", "zh": "错误"},
}


def yasgui_messages(lang: str | None) -> dict[str, object]:
    """The query editor's strings in ``lang`` (both: French · Chinese) for yasgui-i18n.js."""

    def pick(entry: dict[str, str], *, pattern: bool = False) -> str:
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
