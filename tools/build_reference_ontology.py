# ruff: noqa: E501  (tables of bilingual wording)
"""Write ``ontology/ewkg-reference.ttl``: the terms the reference data needs beyond ewkg.ttl.

A development tool: run it after editing the table below, then commit the Turtle.

    /work/venv/bin/python tools/build_reference_ontology.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from ewkg.rdf.namespaces import EWKG, FOAF, GEO, ONTOLOGY_IRI, SCHEMA, new_graph  # noqa: E402
from ewkg.rdf.turtle import canonical_turtle, leading_comments  # noqa: E402
from typography import normalise  # noqa: E402  (tools/typography.py)

ONTOLOGY = URIRef(ONTOLOGY_IRI)

# (term, kind, fr label, zh label, fr definition, zh definition, extra axioms)
TERMS: list[tuple[str, URIRef, str, str, str, str, dict]] = [
    # ---- classes -----------------------------------------------------------------------
    (
        "Claim",
        OWL.Class,
        "énoncé sourcé",
        "有来源的陈述",
        "Ce qu’une source dit d’une chose : un sujet, une propriété et une valeur, avec la source "
        "dont l’énoncé est tiré. Permet de citer chaque fait et de garder deux énoncés qui se "
        "contredisent.",
        "某一来源对某事物的陈述：主体、属性和值，以及该陈述所出自的来源。借此可为每个事实注明出处，"
        "并同时保留相互矛盾的陈述。",
        {RDFS.subClassOf: [PROV.Entity], RDFS.seeAlso: [RDF.Statement]},
    ),
    (
        "Dispute",
        OWL.Class,
        "désaccord entre sources",
        "来源分歧",
        "Ensemble d’énoncés sourcés qui ne s’accordent pas sur un même fait ; chacun est gardé avec "
        "sa source, aucun n’est choisi.",
        "就同一事实彼此不一致的一组有来源的陈述；每条陈述连同其来源一并保留，不作取舍。",
        {RDFS.subClassOf: [PROV.Entity]},
    ),
    (
        "Arrangement",
        OWL.Class,
        "dispositif de jumelage",
        "结对帮扶格局",
        "Ensemble des jumelages en vigueur sur une période, tel qu’une source le donne (par exemple "
        "le tableau des jumelages de 2001 à 2010).",
        "某一来源所列、在一段时期内有效的结对帮扶关系的总体（如2001—2010年结对关系表）。",
        {RDFS.subClassOf: [PROV.Entity]},
    ),
    (
        "JointMeeting",
        OWL.Class,
        "réunion conjointe",
        "联席会议",
        "Réunion conjointe des deux parties d’un jumelage, tenue à une date donnée.",
        "结对双方在某一日期召开的联席会议。",
        {RDFS.subClassOf: [EWKG.Event]},
    ),
    (
        "OpenQuestion",
        OWL.Class,
        "question ouverte",
        "待解问题",
        "Ce que les sources consultées n’ont pas permis d’établir (déduction, liste incomplète, "
        "indice) ; consigné pour les curateurs et jamais affirmé comme fait.",
        "所查来源未能证实的内容（推断、不完整的名单、线索），供编辑人员参考，绝不作为事实陈述。",
        {},
    ),
    (
        "AutonomousPrefecture",
        OWL.Class,
        "préfecture autonome",
        "自治州",
        "Division administrative à l’échelon de préfecture où s’exerce l’autonomie d’une minorité "
        "nationale.",
        "实行民族区域自治的地级行政区。",
        {RDFS.subClassOf: [EWKG.PrefectureLevelDivision]},
    ),
    (
        "Town",
        OWL.Class,
        "bourg",
        "镇",
        "Division administrative à l’échelon du canton appelée zhen.",
        "称为镇的乡级行政区。",
        {RDFS.subClassOf: [EWKG.Region]},
    ),
    # ---- claims ------------------------------------------------------------------------
    (
        "claimSubject",
        OWL.ObjectProperty,
        "sujet de l’énoncé",
        "陈述主体",
        "Chose dont l’énoncé parle.",
        "陈述所涉及的事物。",
        {RDFS.domain: [EWKG.Claim], RDFS.seeAlso: [RDF.subject]},
    ),
    (
        "claimProperty",
        OWL.ObjectProperty,
        "propriété de l’énoncé",
        "陈述属性",
        "Propriété que l’énoncé attribue au sujet.",
        "陈述赋予主体的属性。",
        {RDFS.domain: [EWKG.Claim], RDFS.range: [OWL.Thing], RDFS.seeAlso: [RDF.predicate]},
    ),
    (
        "claimValue",
        OWL.AnnotationProperty,  # its values are things or literals
        "valeur de l’énoncé",
        "陈述值",
        "Valeur (chose ou littéral) que l’énoncé donne à la propriété.",
        "陈述给出的属性值（事物或字面量）。",
        {RDFS.domain: [EWKG.Claim], RDFS.range: [RDFS.Resource], RDFS.seeAlso: [RDF.object]},
    ),
    (
        "quotation",
        OWL.DatatypeProperty,
        "citation",
        "引文",
        "Passage de la source, dans sa langue, sur lequel l’énoncé repose.",
        "陈述所依据的来源原文（保留原文语言）。",
        {RDFS.domain: [EWKG.Claim], RDFS.range: [RDF.PlainLiteral]},
    ),
    (
        "referenceStatus",
        OWL.DatatypeProperty,
        "statut dans la table de référence",
        "参考表中的核实状态",
        "Degré de certitude que la table de référence donne à la ligne (verified-direct, "
        "inferred…).",
        "参考表为该行给出的可信程度（如 verified-direct、inferred）。",
        {RDFS.range: [XSD.string]},
    ),
    (
        "referenceDate",
        OWL.DatatypeProperty,
        "date dans la table de référence",
        "参考表中的日期",
        "Date telle que la table de référence l’écrit (parfois une période ou « non daté »).",
        "参考表原样记录的日期（有时为时间段或“未注明日期”）。",
        {RDFS.domain: [EWKG.Claim], RDFS.range: [XSD.string]},
    ),
    (
        "disputedClaim",
        OWL.ObjectProperty,
        "énoncé en désaccord",
        "有分歧的陈述",
        "Enoncé sourcé qui fait partie du désaccord.",
        "属于该分歧的有来源陈述。",
        {RDFS.domain: [EWKG.Dispute], RDFS.range: [EWKG.Claim]},
    ),
    (
        "disputedSubject",
        OWL.ObjectProperty,
        "porte sur",
        "分歧涉及",
        "Chose dont un fait est en désaccord entre les sources (le sujet d’un des énoncés).",
        "来源对其某一事实有分歧的事物（某条陈述的主体）。",
        {RDFS.domain: [EWKG.Dispute]},
    ),
    (
        "contradicts",
        OWL.ObjectProperty,
        "contredit",
        "与之矛盾",
        "L’énoncé ne peut être vrai en même temps que l’autre.",
        "该陈述与另一陈述不能同时成立。",
        {RDFS.domain: [EWKG.Claim], RDFS.range: [EWKG.Claim], RDF.type: [OWL.SymmetricProperty]},
    ),
    # ---- time --------------------------------------------------------------------------
    (
        "startDate",
        OWL.DatatypeProperty,
        "date de début",
        "开始日期",
        "Mois ou jour où commence le jumelage, quand la source le précise.",
        "来源给出时，结对关系开始的月份或日期。",
        {RDFS.domain: [EWKG.Pairing]},
    ),
    (
        "startedPairing",
        OWL.ObjectProperty,
        "jumelage commencé",
        "开始的结对关系",
        "Jumelage que l’événement a fait commencer.",
        "因该事件而开始的结对关系。",
        {RDFS.domain: [EWKG.Event], RDFS.range: [EWKG.Pairing]},
    ),
    (
        "endedPairing",
        OWL.ObjectProperty,
        "jumelage terminé",
        "结束的结对关系",
        "Jumelage auquel l’événement a mis fin.",
        "因该事件而结束的结对关系。",
        {RDFS.domain: [EWKG.Event], RDFS.range: [EWKG.Pairing]},
    ),
    (
        "resultingArrangement",
        OWL.ObjectProperty,
        "dispositif issu",
        "形成的格局",
        "Dispositif de jumelage en vigueur après l’événement.",
        "该事件之后施行的结对帮扶格局。",
        {RDFS.domain: [EWKG.Event], RDFS.range: [EWKG.Arrangement]},
    ),
    (
        "includesPairing",
        OWL.ObjectProperty,
        "comprend le jumelage",
        "包含结对关系",
        "Jumelage que la source range dans le dispositif.",
        "来源列入该格局的结对关系。",
        {RDFS.domain: [EWKG.Arrangement], RDFS.range: [EWKG.Pairing]},
    ),
    (
        "fromYear",
        OWL.DatatypeProperty,
        "en vigueur à partir de",
        "生效起始年份",
        "Première année de la période du dispositif.",
        "该格局所涵盖时期的第一年。",
        {RDFS.domain: [EWKG.Arrangement], RDFS.range: [XSD.gYear],
         RDFS.subPropertyOf: [EWKG.startYear]},
    ),
    (
        "untilYear",
        OWL.DatatypeProperty,
        "en vigueur jusqu’à",
        "生效截止年份",
        "Dernière année de la période du dispositif, quand la source la donne.",
        "来源给出时，该格局所涵盖时期的最后一年。",
        {RDFS.domain: [EWKG.Arrangement], RDFS.range: [XSD.gYear],
         RDFS.subPropertyOf: [EWKG.endYear]},
    ),
    # ---- counts and other facts --------------------------------------------------------
    (
        "easternPartyCount",
        OWL.DatatypeProperty,
        "nombre de parties aidantes de l’Est",
        "东部帮扶方数量",
        "Nombre de provinces, municipalités et villes de l’Est que la source compte dans le "
        "dispositif.",
        "来源所述该格局中东部省、直辖市和城市的数量。",
        {RDFS.domain: [EWKG.Arrangement], RDFS.range: [XSD.integer]},
    ),
    (
        "westernPartyCount",
        OWL.DatatypeProperty,
        "nombre de parties aidées de l’Ouest",
        "西部受帮扶方数量",
        "Nombre de provinces (régions autonomes, municipalités) de l’Ouest que la source compte "
        "dans le dispositif.",
        "来源所述该格局中西部省（区、市）的数量。",
        {RDFS.domain: [EWKG.Arrangement], RDFS.range: [XSD.integer]},
    ),
    (
        "assistedUnitCount",
        OWL.DatatypeProperty,
        "nombre d’unités aidées",
        "受帮扶单位数量",
        "Nombre d’unités aidées que la source donne pour un réajustement.",
        "来源就某次调整给出的受帮扶单位数量。",
        {RDFS.domain: [EWKG.Adjustment], RDFS.range: [XSD.integer]},
    ),
    (
        "assistedUnitKind",
        OWL.DatatypeProperty,
        "nature des unités aidées",
        "受帮扶单位类别",
        "Catégorie des unités aidées, dans les mots de la source.",
        "来源用语中受帮扶单位的类别。",
        {RDFS.domain: [EWKG.Pairing], RDFS.range: [RDF.PlainLiteral]},
    ),
    (
        "meetingNumber",
        OWL.DatatypeProperty,
        "numéro de la réunion",
        "会议届次",
        "Rang de la réunion conjointe dans la série, tel que la source le donne.",
        "来源给出的联席会议届次。",
        {RDFS.domain: [EWKG.JointMeeting], RDFS.range: [XSD.integer]},
    ),
    (
        "meetingsSince",
        OWL.DatatypeProperty,
        "réunions conjointes depuis",
        "联席会议始于",
        "Année depuis laquelle, selon la source, les parties tiennent des réunions conjointes.",
        "来源所述结对双方开始召开联席会议的年份。",
        {RDFS.domain: [EWKG.Pairing], RDFS.range: [XSD.gYear]},
    ),
    (
        "questionAbout",
        OWL.ObjectProperty,
        "question portant sur",
        "问题涉及",
        "Chose que la question ouverte concerne.",
        "待解问题所涉及的事物。",
        {RDFS.domain: [EWKG.OpenQuestion]},
    ),
]

#: Domains and ranges that are unions of classes (or of datatypes): (term, predicate, members).
UNIONS: list[tuple[str, URIRef, list[URIRef]]] = [
    ("claimSubject", RDFS.range,
     [EWKG.Region, EWKG.Pairing, EWKG.Event, EWKG.Mechanism, EWKG.Arrangement]),
    ("disputedSubject", RDFS.range, [EWKG.Pairing, EWKG.Arrangement, EWKG.Event, EWKG.Mechanism]),
    ("questionAbout", RDFS.range,
     [EWKG.Region, EWKG.Pairing, EWKG.Event, EWKG.Arrangement, EWKG.Claim]),
    ("referenceStatus", RDFS.domain, [EWKG.Claim, EWKG.OpenQuestion, EWKG.Pairing]),
    ("startDate", RDFS.range, [XSD.gYearMonth, XSD.date]),
]

#: Notes on the terms whose values are other terms (OWL 2 punning) or that mirror RDF
#: reification: OWL 2 DL reserves the RDF vocabulary, so these are annotations (rdfs:seeAlso),
#: not sub-properties.
NOTES: dict[str, tuple[str, str]] = {
    "Claim": (
        "Reprend l’idée de rdf:Statement (voir aussi) sans en être une sous-classe : OWL 2 DL "
        "réserve le vocabulaire RDF.",
        "沿用 rdf:Statement 的思路（见“另见”），但不作为其子类：OWL 2 DL 保留 RDF 词汇。",
    ),
    "claimProperty": (
        "Ses valeurs sont des propriétés de l’ontologie employées comme individus (« punning » "
        "d’OWL 2, permis en OWL 2 DL) ; reprend rdf:predicate sans en être une sous-propriété.",
        "其值是作为个体使用的本体属性（OWL 2 的“双关”用法，OWL 2 DL 允许）；沿用 rdf:predicate，"
        "但不作为其子属性。",
    ),
    "claimSubject": (
        "Reprend rdf:subject sans en être une sous-propriété (vocabulaire réservé en OWL 2 DL).",
        "沿用 rdf:subject，但不作为其子属性（OWL 2 DL 中的保留词汇）。",
    ),
    "claimValue": (
        "Propriété d’annotation : sa valeur est une chose ou un littéral. Reprend rdf:object sans "
        "en être une sous-propriété (vocabulaire réservé en OWL 2 DL).",
        "注释属性：其值可以是事物或字面量。沿用 rdf:object，但不作为其子属性（OWL 2 DL 中的保留词汇）。",
    ),
}

#: French and Chinese labels for the external terms the reference data uses: written to the
#: display file ``ontology/display-labels.ttl``, never to the ontology.
EXTERNAL: list[tuple[URIRef, str, str]] = [
    (GEO.lat, "latitude (WGS84)", "纬度（WGS84）"),
    (GEO.long, "longitude (WGS84)", "经度（WGS84）"),
    (SKOS.exactMatch, "correspondance exacte", "完全匹配"),
    (FOAF.page, "page", "网页"),
    (SCHEMA.url, "URL", "网址"),
    (DCTERMS.bibliographicCitation, "citation bibliographique", "书目引文"),
    (DCTERMS.date, "date", "日期"),
    (RDF.Statement, "énoncé (RDF)", "陈述（RDF）"),
    (RDF.subject, "sujet (RDF)", "主体（RDF）"),
    (RDF.predicate, "prédicat (RDF)", "谓词（RDF）"),
    (RDF.object, "objet (RDF)", "客体（RDF）"),
    (RDF.Property, "propriété (RDF)", "属性（RDF）"),
    (OWL.SymmetricProperty, "propriété symétrique", "对称属性"),
]


def write_display_labels() -> None:
    """Add :data:`EXTERNAL`'s labels to ``ontology/display-labels.ttl`` (keeping the others)."""
    path = ROOT / "ontology" / "display-labels.ttl"
    display = new_graph()
    display.parse(path, format="turtle")
    for term, lfr, lzh in EXTERNAL:
        display.set((term, RDFS.label, Literal(lfr, lang="fr")))
        display.add((term, RDFS.label, Literal(lzh, lang="zh")))
    path.write_text(canonical_turtle(display, comments=leading_comments(path.read_text(
        encoding="utf-8"))), encoding="utf-8")


def main() -> None:
    g = new_graph()
    for local, kind, lfr, lzh, dfr, dzh, extra in TERMS:
        t = EWKG[local]
        g.add((t, RDF.type, kind))
        for p in (RDFS.label, SKOS.prefLabel):
            g.add((t, p, Literal(lfr, lang="fr")))
            g.add((t, p, Literal(lzh, lang="zh")))
        g.add((t, SKOS.definition, Literal(dfr, lang="fr")))
        g.add((t, SKOS.definition, Literal(dzh, lang="zh")))
        g.add((t, RDFS.isDefinedBy, ONTOLOGY))
        for p, objs in extra.items():
            for o in objs:
                g.add((t, p, o))
    # The adjustments' own "resulting pairing" (ewkg.ttl) is one way of starting a pairing.
    g.add((EWKG.resultingPairing, RDFS.subPropertyOf, EWKG.startedPairing))
    for local, predicate, members in UNIONS:
        node, items = BNode(), BNode()
        Collection(g, items, members)
        is_datatype = all(str(m).startswith(str(XSD)) for m in members)
        g.add((node, RDF.type, RDFS.Datatype if is_datatype else OWL.Class))
        g.add((node, OWL.unionOf, items))
        g.add((EWKG[local], predicate, node))
    for local, (nfr, nzh) in NOTES.items():
        g.add((EWKG[local], SKOS.scopeNote, Literal(nfr, lang="fr")))
        g.add((EWKG[local], SKOS.scopeNote, Literal(nzh, lang="zh")))
    write_display_labels()
    for s, p, o in list(g):  # the typography a native reader expects (tools/typography.py)
        if isinstance(o, Literal) and o.language in ("fr", "zh") and normalise(o, o.language) != o:
            g.remove((s, p, o))
            g.add((s, p, Literal(normalise(o, o.language), lang=o.language)))
    head = [
        "# ewkg ontology, reference-data module: sourced claims and disputes, arrangements and",
        "# the events that start or end pairings, and the few region classes the reference",
        "# tables need. Same namespace and ontology as ewkg.ttl. Generated by",
        "# tools/build_reference_ontology.py; see docs/reference-data.md.",
    ]
    out = ROOT / "ontology" / "ewkg-reference.ttl"
    out.write_text(canonical_turtle(g, comments=head), encoding="utf-8")
    print(f"{out.relative_to(ROOT)}: {len(g)} triples")


if __name__ == "__main__":
    main()
