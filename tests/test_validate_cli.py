"""``ewkg validate``: the curator's loop — located, bilingual messages and documented exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SH

from ewkg.cli.main import main
from ewkg.rdf.namespaces import EWKG, ID, new_graph
from ewkg.validation.report import choose_lang
from ewkg.validation.validate import Report, Violation, owl_rl_violations, validate

FIXTURES = Path(__file__).parent / "fixtures"
MISSING_ZH = FIXTURES / "validate" / "missing-chinese-label.ttl"
FR_IN_ZH = FIXTURES / "validate" / "french-label-in-chinese-slot.ttl"
REVERSED = FIXTURES / "validate" / "reversed-pairing.ttl"
PREFIX_TYPO = FIXTURES / "syntax" / "prefix-typo.ttl"
UNCLOSED = FIXTURES / "syntax" / "unclosed-literal.ttl"
MISSING_DOT = FIXTURES / "syntax" / "missing-dot.ttl"


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    base = {"LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "NO_COLOR": ""}
    return CliRunner().invoke(main, ["validate", *map(str, args)], env={**base, **(env or {})})


def test_the_shipped_data_conforms_exit_0() -> None:
    result = run()
    assert result.exit_code == 0, result.output
    assert "0 violation(s), " in result.output.splitlines()[-1]


def test_exit_1_on_violations_and_2_on_unreadable_input(tmp_path: Path) -> None:
    assert run(MISSING_ZH).exit_code == 1
    assert run(PREFIX_TYPO).exit_code == 2
    missing = run(tmp_path / "nowhere.ttl")
    assert missing.exit_code == 2
    assert "nowhere.ttl" in missing.output


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("fr", ["violation", "chemin: skos:prefLabel", "valeur: \"Hainan\"@zh", "forme:",
                "« province de Hainan »", "doit être écrit en caractères chinois"]),
        ("zh", ["违规", "路径: skos:prefLabel", "值: \"Hainan\"@zh", "形状:", "“Hainan”",
                "必须用汉字书写"]),
        ("en", ["violation", "path: skos:prefLabel", "value: \"Hainan\"@zh", "shape:",
                "“province de Hainan”", "must be written in Chinese characters"]),
    ],
)
def test_every_element_of_a_violation_in_each_language(lang: str, words: list[str]) -> None:
    result = run(FR_IN_ZH, "--lang", lang)
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.split(":")[0].endswith("french-label-in-chinese-slot.ttl")
    assert first.split(":")[1] == "6"
    assert "<https://w3id.org/ewkg/id/region/hainan>" in first
    assert "ewkgsh:Entity-labelScriptZh" in result.output
    for word in words:
        assert word in result.output, word


def test_language_from_the_locale() -> None:
    assert "违规" in run(MISSING_ZH, env={"LANG": "zh_CN.UTF-8"}).output
    assert "Le libellé préférentiel en chinois" in run(MISSING_ZH, env={"LC_ALL": "fr_FR"}).output
    assert "The Chinese preferred label" in run(MISSING_ZH, env={"LANG": "de_DE.UTF-8"}).output
    assert choose_lang(environ={}) == "en"


def test_missing_chinese_label_is_located() -> None:
    report = validate([MISSING_ZH])
    [v] = report.violations
    assert (v.line, v.constraint, v.path, v.value) == (6, "ewkgsh:Entity-prefLabelZh",
                                                       "skos:prefLabel", None)
    assert v.file is not None and v.file.endswith("missing-chinese-label.ttl")
    assert v.focus_labels == {"fr": "région autonome du Tibet"}
    assert set(v.messages) == {"fr", "zh", "en"}


def test_reversed_pairing_is_located() -> None:
    report = validate([REVERSED])
    direction = [v for v in report.violations if v.constraint == "ewkgsh:Pairing-direction"]
    assert {v.path for v in direction} == {"ewkg:assistingParty", "ewkg:assistedParty"}
    assert {v.line for v in direction} == {6}
    assert any("“福建省”" in v.messages["zh"] for v in direction)


def test_prefix_typo_is_located() -> None:
    [problem] = validate([PREFIX_TYPO]).syntax_errors
    assert (problem.line, problem.column) == (7, 5)
    assert "skoss:" in problem.message


def test_unclosed_literal_is_located() -> None:
    [problem] = validate([UNCLOSED]).syntax_errors
    assert problem.line == 7
    assert "never closed" in problem.message


def test_every_broken_file_is_reported_at_once() -> None:
    result = run(PREFIX_TYPO, MISSING_ZH, UNCLOSED, MISSING_DOT)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if "syntax error" in line]
    assert len(lines) == 3
    assert any("prefix-typo.ttl:7:5:" in line for line in lines)
    assert any("unclosed-literal.ttl:7:" in line for line in lines)
    assert any("missing-dot.ttl:5:1:" in line for line in lines)
    assert "3 unreadable file(s)" in result.output


def test_format_json() -> None:
    result = run(MISSING_ZH, FR_IN_ZH, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["conforms"] is False and report["exit_code"] == 1
    assert report["counts"] == {"Violation": 2, "Warning": 0, "Info": 0}
    keys = {"file", "line", "focus", "focus_labels", "path", "value", "shape", "constraint",
            "severity", "messages"}
    assert all(keys <= set(v) for v in report["violations"])


def test_format_json_syntax_errors() -> None:
    report = json.loads(run(UNCLOSED, "--format", "json").output)
    assert report["exit_code"] == 2
    assert report["syntax_errors"][0]["line"] == 7


def test_format_turtle_is_a_validation_report() -> None:
    result = run(MISSING_ZH, "--format", "turtle")
    assert result.exit_code == 1
    graph = Graph().parse(data=result.output, format="turtle")
    [report] = graph.subjects(RDF.type, SH.ValidationReport)
    assert (report, SH.conforms, Literal(False)) in graph
    [res] = graph.objects(report, SH.result)
    assert graph.value(res, SH.focusNode) == ID["region/xizang"]
    assert {m.language for m in graph.objects(res, SH.resultMessage)} == {"fr", "zh", "en"}


def test_piped_output_has_no_colour() -> None:
    assert "\x1b[" not in run(MISSING_ZH).output


def test_library_report_is_a_dataclass_of_located_violations() -> None:
    report = validate([MISSING_ZH])
    assert isinstance(report, Report) and report.exit_code == 1
    assert all(isinstance(v, Violation) for v in report.violations)
    assert report.to_graph() is not None and "violation" in report.to_text("en")


def test_owl_rl_closure_finds_contradictions() -> None:
    data = new_graph()
    data.add((EWKG.EasternRegion, OWL.disjointWith, EWKG.WesternRegion))
    data.add((EWKG.assistingParty, RDF.type, OWL.FunctionalProperty))
    region, pairing = ID["region/fx-both"], ID["pairing/fx-two"]
    data.add((region, RDF.type, EWKG.EasternRegion))
    data.add((region, RDF.type, EWKG.WesternRegion))
    data.add((pairing, EWKG.assistingParty, Literal("a")))
    data.add((pairing, EWKG.assistingParty, Literal("b")))
    found = {(v.focus, v.shape) for v in owl_rl_violations(data, [])}
    assert (f"<{region}>", "owl:disjointWith") in found
    assert (f"<{pairing}>", "owl:FunctionalProperty") in found


def test_console_script_exit_code() -> None:
    env = {**os.environ, "LANG": "C", "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "ewkg", "validate", str(MISSING_ZH)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1
    assert "missing-chinese-label.ttl:6:" in done.stdout


def test_a_broken_shapes_file_is_unreadable_input(tmp_path: Path) -> None:
    from ewkg.resources import shapes_files

    copies = []
    for path in shapes_files():
        copy = tmp_path / path.name
        copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        copies.append(copy)
    with (tmp_path / "region.ttl").open("a", encoding="utf-8") as f:
        f.write("ewkgsh:Broken sh:path ;\n")
    report = validate([MISSING_ZH], shapes=copies)
    assert report.exit_code == 2
    assert [p.file.endswith("region.ttl") for p in report.syntax_errors] == [True]


def test_a_subject_is_located_on_the_first_line_that_starts_with_it() -> None:
    from ewkg.validation.locate import parse_source

    text = (
        "@prefix r: <https://w3id.org/ewkg/id/region/> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "r:b skos:related r:a .\n"                               # r:a as an object only
        "<https://w3id.org/ewkg/id/region/a> skos:note \"x\" .\n"  # its first subject line
        "r:a skos:note \"y\" .\n"
        "r:c skos:note \"z\";\n"                                   # ';' right after a value
        "  skos:altLabel \"q\" .\n"
        "r:d skos:related r:d2 .\n"
        "  r:e skos:note \"w\" .\n"                               # indented: found by the scan
    )
    source = parse_source(text, name="t.ttl")
    region = "https://w3id.org/ewkg/id/region/"
    lines = {name: source.line_of(URIRef(region + name)) for name in ("a", "b", "c", "e")}
    assert lines == {"a": 4, "b": 3, "c": 6, "e": 9}
