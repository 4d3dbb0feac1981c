"""Deterministic generator of synthetic ewkg-shaped data for the benchmark.

The data has the shape of the real graph (see ``docs/modelling.md``), scaled up:

* 31 provinces (the real ones, by pinyin slug: ``fujian``, ``ningxia``…), then prefecture-level
  cities and counties with ``ewkg:parentRegion`` links, each region with one ``skos:prefLabel``
  in ``@fr`` and one in ``@zh``, its administrative type and its eastern/western role;
* n-ary ``ewkg:Pairing`` nodes (assisting eastern party, assisted western party, level,
  ``xsd:gYear`` start and — for most — end years, assistance model, meeting mechanism) and the
  materialised ``ewkg:assists`` shortcut; the eight real province-level pairings come first;
* meetings (``ewkg:AnnualJointMeeting`` mechanisms) with a start year and two participants;
* provenance: every entity ``prov:wasDerivedFrom`` a French and a Chinese passage;
  passages carry their text as ``rdf:value`` with a language tag.

Same seed and size → the same bytes (the output is N-Triples, written in generation order).
About 41 triples are produced per "unit" (one region, one pairing, one meeting and two passages),
so ``--triples 1m`` gives ≈ 1,000,000 triples; the exact count is printed.

Usage::

    python bench/generate.py --triples 10k --out bench/data/ewkg-10k.nt
    python bench/generate.py --triples 1m --seed 7 --out bench/data/ewkg-1m.nt
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ID = "https://w3id.org/ewkg/id/"
EWKG = "https://w3id.org/ewkg/ontology#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDF_VALUE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#value>"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PREF_LABEL = f"<{SKOS}prefLabel>"
DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Triples produced per unit (region + pairing + meeting + two passages), approximately.
TRIPLES_PER_UNIT = 41

#: The 31 provincial-level divisions: (slug, French name, Chinese name, type, eastern?)
PROVINCES: tuple[tuple[str, str, str, str, bool], ...] = (
    ("beijing", "Pékin", "北京市", "Municipality", True),
    ("tianjin", "Tianjin", "天津市", "Municipality", True),
    ("shanghai", "Shanghai", "上海市", "Municipality", True),
    ("jiangsu", "Jiangsu", "江苏省", "Province", True),
    ("zhejiang", "Zhejiang", "浙江省", "Province", True),
    ("fujian", "Fujian", "福建省", "Province", True),
    ("shandong", "Shandong", "山东省", "Province", True),
    ("guangdong", "Guangdong", "广东省", "Province", True),
    ("liaoning", "Liaoning", "辽宁省", "Province", True),
    ("hebei", "Hebei", "河北省", "Province", True),
    ("hainan", "Hainan", "海南省", "Province", True),
    ("neimenggu", "Mongolie-Intérieure", "内蒙古自治区", "AutonomousRegion", False),
    ("gansu", "Gansu", "甘肃省", "Province", False),
    ("yunnan", "Yunnan", "云南省", "Province", False),
    ("shaanxi", "Shaanxi", "陕西省", "Province", False),
    ("sichuan", "Sichuan", "四川省", "Province", False),
    ("ningxia", "Ningxia", "宁夏回族自治区", "AutonomousRegion", False),
    ("chongqing", "Chongqing", "重庆市", "Municipality", False),
    ("guangxi", "Guangxi", "广西壮族自治区", "AutonomousRegion", False),
    ("guizhou", "Guizhou", "贵州省", "Province", False),
    ("qinghai", "Qinghai", "青海省", "Province", False),
    ("xinjiang", "Xinjiang", "新疆维吾尔自治区", "AutonomousRegion", False),
    ("xizang", "Tibet", "西藏自治区", "AutonomousRegion", False),
    ("jilin", "Jilin", "吉林省", "Province", False),
    ("heilongjiang", "Heilongjiang", "黑龙江省", "Province", False),
    ("shanxi", "Shanxi", "山西省", "Province", False),
    ("henan", "Henan", "河南省", "Province", False),
    ("hubei", "Hubei", "湖北省", "Province", False),
    ("hunan", "Hunan", "湖南省", "Province", False),
    ("anhui", "Anhui", "安徽省", "Province", False),
    ("jiangxi", "Jiangxi", "江西省", "Province", False),
)

#: The real province-level pairings of the source, generated first (assisting, assisted, year).
SEED_PAIRINGS: tuple[tuple[str, str, int], ...] = (
    ("beijing", "neimenggu", 1996),
    ("tianjin", "gansu", 1996),
    ("shanghai", "yunnan", 1996),
    ("jiangsu", "shaanxi", 1996),
    ("zhejiang", "sichuan", 1996),
    ("fujian", "ningxia", 1996),
    ("shandong", "chongqing", 1996),
    ("guangdong", "guangxi", 1996),
)

#: Syllables (pinyin, hanzi) from which city and county names are made.
SYLLABLES: tuple[tuple[str, str], ...] = (
    ("bao", "宝"), ("shan", "山"), ("lin", "林"), ("an", "安"), ("xi", "西"), ("ning", "宁"),
    ("hua", "华"), ("yun", "云"), ("de", "德"), ("hai", "海"), ("jiang", "江"), ("he", "河"),
    ("chang", "长"), ("ping", "平"), ("qing", "清"), ("yuan", "源"), ("feng", "丰"), ("tai", "泰"),
    ("long", "龙"), ("fu", "福"), ("shui", "水"), ("yang", "阳"), ("dong", "东"), ("nan", "南"),
    ("bei", "北"), ("jin", "金"), ("shi", "石"), ("hong", "红"), ("gu", "古"), ("xin", "新"),
    ("kang", "康"), ("le", "乐"), ("wu", "武"), ("tian", "天"), ("mei", "梅"), ("song", "松"),
    ("zhu", "竹"), ("lan", "兰"), ("gao", "高"), ("cheng", "城"),
)

#: Assistance models: (slug, French label, Chinese label)
MODELS: tuple[tuple[str, str, str], ...] = (
    ("industrial-cooperation", "coopération industrielle", "产业合作"),
    ("labour-cooperation", "coopération du travail", "劳务协作"),
    ("talent-exchange", "échange de talents", "人才交流"),
    ("financial-aid", "aide financière", "资金支持"),
    ("enterprise-cooperation", "coopération entre entreprises", "企业合作"),
    ("social-participation", "participation sociale", "社会参与"),
    ("education-assistance", "assistance éducative", "教育帮扶"),
    ("health-assistance", "assistance médicale", "医疗帮扶"),
)

LEVELS = ("province", "prefecture", "county")
LEVEL_LABELS = {
    "province": ("échelon provincial", "省级"),
    "prefecture": ("échelon préfectoral", "地级"),
    "county": ("échelon du district", "县级"),
}

#: Sentence templates of the passages (French, Chinese); {e}/{w} are region names, {m} a model.
TEMPLATES: tuple[tuple[str, str], ...] = (
    ("En {y}, {e} a renforcé la {m} avec {w}.", "{y}年，{e}与{w}加强了{m}。"),
    ("{e} et {w} ont tenu une réunion conjointe sur la {m}.", "{e}和{w}召开了关于{m}的联席会议。"),
    ("La {m} entre {e} et {w} a sorti des ménages de la pauvreté.",
     "{e}与{w}之间的{m}帮助贫困户脱贫。"),
    ("{e} a détaché des cadres à {w} pour la {m} ({y}).", "{e}向{w}选派干部开展{m}（{y}年）。"),
)


def parse_size(text: str) -> int:
    """Parse ``10k``, ``1m``, ``250000`` into a number of triples.

    >>> parse_size("10k"), parse_size("1M"), parse_size("2500")
    (10000, 1000000, 2500)
    """
    text = text.strip().lower().replace("_", "")
    factor = 1
    if text.endswith("k"):
        factor, text = 1_000, text[:-1]
    elif text.endswith("m"):
        factor, text = 1_000_000, text[:-1]
    value = int(float(text) * factor)
    if value <= 0:
        raise ValueError(f"size must be positive: {text!r}")
    return value


def _iri(kind: str, slug: str) -> str:
    return f"<{ID}{kind}/{slug}>"


def _term(local: str) -> str:
    return f"<{EWKG}{local}>"


def _lit(text: str, lang: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}'


def _typed(value: str, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


def triples(target: int, seed: int = 1) -> Iterator[str]:
    """Yield N-Triples lines (without the newline) for about ``target`` triples."""
    rng = random.Random(seed)
    units = max(len(PROVINCES), target // TRIPLES_PER_UNIT)
    n_passages = units  # one French + one Chinese passage per unit

    def provenance(subject: str) -> Iterator[str]:
        k = rng.randrange(n_passages) + 1
        yield f"{subject} {DERIVED} {_iri('passage', f'fr-{k}')} ."
        yield f"{subject} {DERIVED} {_iri('passage', f'zh-{k}')} ."

    source = _iri("source", "seed")
    yield f"{source} {RDF_TYPE} {_term('SourceDocument')} ."
    yield f"{source} {RDF_TYPE} <http://www.w3.org/ns/prov#Entity> ."
    yield f"{source} {PREF_LABEL} {_lit('Document source (synthétique)', 'fr')} ."
    yield f"{source} {PREF_LABEL} {_lit('来源文件（合成）', 'zh')} ."

    # Concept schemes: assistance models and pairing levels.
    for slug, fr, zh in MODELS:
        s = _iri("model", slug)
        yield f"{s} {RDF_TYPE} {_term('AssistanceModel')} ."
        yield f"{s} {RDF_TYPE} <{SKOS}Concept> ."
        yield f"{s} {PREF_LABEL} {_lit(fr, 'fr')} ."
        yield f"{s} {PREF_LABEL} {_lit(zh, 'zh')} ."
        yield f"{s} <{SKOS}inScheme> {_iri('model', 'scheme')} ."
        yield from provenance(s)
    for level in LEVELS:
        s = _iri("level", level)
        yield f"{s} {RDF_TYPE} {_term('PairingLevel')} ."
        yield f"{s} {RDF_TYPE} <{SKOS}Concept> ."
        yield f"{s} <{SKOS}inScheme> {_iri('level', 'scheme')} ."
        yield f"{s} {PREF_LABEL} {_lit(LEVEL_LABELS[level][0], 'fr')} ."
        yield f"{s} {PREF_LABEL} {_lit(LEVEL_LABELS[level][1], 'zh')} ."

    # Regions: provinces, then cities (15 %), then counties.
    # Each entry: (slug, fr name, zh name, level, eastern)
    regions: list[tuple[str, str, str, str, bool]] = []
    by_level: dict[tuple[str, bool], list[int]] = {
        (lv, e): [] for lv in LEVELS for e in (True, False)
    }
    names: dict[str, tuple[str, str]] = {}

    def add_region(slug: str, fr: str, zh: str, level: str, eastern: bool, admin: str,
                   parent: str | None) -> Iterator[str]:
        s = _iri("region", slug)
        index = len(regions)
        regions.append((slug, fr, zh, level, eastern))
        by_level[(level, eastern)].append(index)
        names[slug] = (fr, zh)
        yield f"{s} {RDF_TYPE} {_term('Region')} ."
        yield f"{s} {RDF_TYPE} {_term(admin)} ."
        yield f"{s} {RDF_TYPE} {_term('EasternRegion' if eastern else 'WesternRegion')} ."
        yield f"{s} {PREF_LABEL} {_lit(fr, 'fr')} ."
        yield f"{s} {PREF_LABEL} {_lit(zh, 'zh')} ."
        if parent is not None:
            yield f"{s} {_term('parentRegion')} {_iri('region', parent)} ."
        yield f"{s} {_term('gbCode')} \"{100000 + index * 7:06d}\" ."
        yield from provenance(s)

    for slug, fr, zh, admin, eastern in PROVINCES:
        yield from add_region(slug, fr, zh, "province", eastern, admin, None)
    n_regions = units
    n_cities = max(len(PROVINCES), (n_regions - len(PROVINCES)) * 15 // 100)
    n_counties = max(0, n_regions - len(PROVINCES) - n_cities)
    for i in range(n_cities):
        parent = PROVINCES[i % len(PROVINCES)] if i < len(PROVINCES) else rng.choice(PROVINCES)
        a, b = rng.choice(SYLLABLES), rng.choice(SYLLABLES)
        slug = f"{a[0]}{b[0]}-{i + 1}"
        fr = f"Ville de {(a[0] + b[0]).capitalize()}"
        yield from add_region(slug, fr, f"{a[1]}{b[1]}市", "prefecture", parent[4],
                              "PrefectureLevelCity", parent[0])
    cities = list(range(len(PROVINCES), len(regions)))
    for i in range(n_counties):
        parent = regions[rng.choice(cities)]
        a, b = rng.choice(SYLLABLES), rng.choice(SYLLABLES)
        slug = f"{a[0]}{b[0]}-{n_cities + i + 1}"
        fr = f"Comté de {(a[0] + b[0]).capitalize()}"
        yield from add_region(slug, fr, f"{a[1]}{b[1]}县", "county", parent[4], "County",
                              parent[0])

    # Pairings: the real province-level ones, then random ones at each level.
    seen: set[str] = set()
    pairing_slugs: list[str] = []
    assists: set[tuple[str, str]] = set()

    def add_pairing(east: str, west: str, level: str, start: int) -> Iterator[str]:
        slug = f"{east}-{west}"
        if slug in seen:
            slug = f"{slug}-{len(pairing_slugs) + 1}"
        seen.add(slug)
        pairing_slugs.append(slug)
        s = _iri("pairing", slug)
        model = rng.choice(MODELS)
        meeting = rng.randrange(units) + 1
        (efr, ezh), (wfr, wzh) = names[east], names[west]
        yield f"{s} {RDF_TYPE} {_term('Pairing')} ."
        yield f"{s} {PREF_LABEL} {_lit(f'{efr} – {wfr}', 'fr')} ."
        yield f"{s} {PREF_LABEL} {_lit(f'{ezh}—{wzh}', 'zh')} ."
        yield f"{s} {_term('assistingParty')} {_iri('region', east)} ."
        yield f"{s} {_term('assistedParty')} {_iri('region', west)} ."
        yield f"{s} {_term('level')} {_iri('level', level)} ."
        yield f"{s} {_term('startYear')} {_typed(str(start), 'gYear')} ."
        if rng.random() < 0.8:
            end = min(2025, start + rng.randrange(1, 12))
            yield f"{s} {_term('endYear')} {_typed(str(end), 'gYear')} ."
        yield f"{s} {_term('model')} {_iri('model', model[0])} ."
        yield f"{s} {_term('hasMechanism')} {_iri('mechanism', f'meeting-{meeting}')} ."
        if (east, west) not in assists:
            assists.add((east, west))
            yield f"{_iri('region', east)} {_term('assists')} {_iri('region', west)} ."
        yield from provenance(s)

    for east, west, year in SEED_PAIRINGS:
        yield from add_pairing(east, west, "province", year)
    for _ in range(units - len(SEED_PAIRINGS)):
        level = rng.choices(LEVELS, weights=(5, 35, 60))[0]
        easts, wests = by_level[(level, True)], by_level[(level, False)]
        if not easts or not wests:
            level = "province"
            easts, wests = by_level[(level, True)], by_level[(level, False)]
        east, west = regions[rng.choice(easts)][0], regions[rng.choice(wests)][0]
        yield from add_pairing(east, west, level, rng.randrange(1996, 2021))

    # Meetings: annual joint meetings (mechanisms) between two regions.
    for i in range(units):
        s = _iri("mechanism", f"meeting-{i + 1}")
        w = rng.randrange(len(regions))
        where = regions[w]
        other = regions[(w + 1 + rng.randrange(len(regions) - 1)) % len(regions)]
        year = rng.randrange(1996, 2021)
        yield f"{s} {RDF_TYPE} {_term('AnnualJointMeeting')} ."
        yield f"{s} {RDF_TYPE} {_term('Mechanism')} ."
        yield f"{s} {PREF_LABEL} {_lit(f'Réunion conjointe {where[1]} – {other[1]}', 'fr')} ."
        yield f"{s} {PREF_LABEL} {_lit(f'{where[2]}与{other[2]}联席会议', 'zh')} ."
        yield f"{s} {_term('startYear')} {_typed(str(year), 'gYear')} ."
        yield f"{s} {_term('participant')} {_iri('region', where[0])} ."
        yield f"{s} {_term('participant')} {_iri('region', other[0])} ."
        yield from provenance(s)

    # Passages (one French and one Chinese per unit).
    for k in range(1, n_passages + 1):
        e = regions[rng.randrange(len(regions))]
        w = regions[rng.randrange(len(regions))]
        model = rng.choice(MODELS)
        tfr, tzh = rng.choice(TEMPLATES)
        year = rng.randrange(1996, 2021)
        texts = {
            "fr": tfr.format(e=e[1], w=w[1], m=model[1], y=year),
            "zh": tzh.format(e=e[2], w=w[2], m=model[2], y=year),
        }
        for lang in ("fr", "zh"):
            s = _iri("passage", f"{lang}-{k}")
            yield f"{s} {RDF_TYPE} {_term('Passage')} ."
            yield f"{s} <{DCT}isPartOf> {source} ."
            yield f"{s} {_term('paragraphNumber')} {_typed(str(k), 'integer')} ."
            yield f"{s} <{DCT}language> \"{lang}\" ."
            yield f"{s} {RDF_VALUE} {_lit(texts[lang], lang)} ."


def generate(target: int, out: Path, *, seed: int = 1) -> int:
    """Write about ``target`` triples as N-Triples to ``out``; return the exact count."""
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        batch: list[str] = []
        for line in triples(target, seed):
            batch.append(line)
            if len(batch) >= 50_000:
                fh.write("\n".join(batch) + "\n")
                count += len(batch)
                batch.clear()
        if batch:
            fh.write("\n".join(batch) + "\n")
            count += len(batch)
    tmp.replace(out)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", default="10k", help="target size: 10k, 1m, 250000…")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="output .nt file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    count = generate(parse_size(args.triples), args.out, seed=args.seed)
    elapsed = time.perf_counter() - started
    print(f"{args.out}: {count} triples in {elapsed:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
