"""``ewkg format``: one canonical Turtle text per graph — idempotent, isomorphic, ordered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib.compare import isomorphic

from ewkg.cli.main import main
from ewkg.rdf.turtle import format_text, parse_turtle
from ewkg.resources import bundle_dir

FIXTURES = Path(__file__).parent / "fixtures"

#: Representative inputs: the ontology (blank-node axioms, lists), data, shapes (multi-line
#: SPARQL literals, sh:declare blank nodes), fixtures written by hand.
SAMPLES = [
    bundle_dir("ontology") / "ewkg.ttl",
    bundle_dir("data") / "pairing.ttl",
    bundle_dir("data") / "passage.ttl",
    bundle_dir("shapes") / "common.ttl",
    bundle_dir("shapes") / "programme.ttl",
    FIXTURES / "diff" / "new.ttl",
    FIXTURES / "shapes" / "_context.ttl",
]

MESSY = """# A curator's file, written by hand.
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix ewkg: <https://w3id.org/ewkg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix unused: <http://example.org/unused#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix void: <http://rdfs.org/ns/void#> .

<https://w3id.org/ewkg/id/region/ningxia>
  prov:wasDerivedFrom <https://w3id.org/ewkg/id/passage/zh-4>,
     <https://w3id.org/ewkg/id/passage/fr-4> ;
  ewkg:assists <https://w3id.org/ewkg/id/region/a> ; skos:prefLabel "宁夏"@zh, "Ningxia"@fr ;
  a ewkg:WesternRegion, ewkg:AutonomousRegion ; skos:definition "Une région."@fr, "一个地区。"@zh .
<https://w3id.org/ewkg/id/dataset/ewkg> a void:Dataset .
<https://w3id.org/ewkg/id/claim/c> ewkg:claimProperty rdf:type ;
  ewkg:note \"\"\"two
lines\"\"\"@fr .
ewkg:assists owl:propertyChainAxiom ( [ owl:inverseOf ewkg:assistingParty ] ewkg:assistedParty ) .
[] a owl:AllDisjointClasses ; owl:members ( ewkg:EasternRegion ewkg:WesternRegion ) .
"""


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["format", *map(str, args)])


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_idempotent_and_isomorphic(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    once = format_text(text)
    assert format_text(once) == once
    assert isomorphic(parse_turtle(text), parse_turtle(once))


def test_messy_file_is_isomorphic_and_idempotent() -> None:
    once = format_text(MESSY)
    assert format_text(once) == once
    assert isomorphic(parse_turtle(MESSY), parse_turtle(once))


def test_order_rules() -> None:
    out = format_text(MESSY)
    lines = out.splitlines()
    assert lines[0] == "# A curator's file, written by hand."  # the header comment is kept
    prefixes = [line for line in lines if line.startswith("@prefix")]
    names = [p.split()[1] for p in prefixes]
    assert names == sorted(names)  # sorted…
    assert "unused:" not in names and "rdf:" in names  # …only those used
    subjects = [line for line in lines if re.match(r"^(<[^>]*>|[a-z]+:\S*|\[)$", line)]
    assert subjects[0] == "<https://w3id.org/ewkg/id/dataset/ewkg>"  # the header subject first
    named = [s for s in subjects[1:] if not s.startswith("[")]
    full = [s.strip("<>").replace("ewkg:", "https://w3id.org/ewkg/ontology#") for s in named]
    assert full == sorted(full)  # then subjects by IRI
    assert subjects[-1] == "["  # top-level blank nodes last, inline
    block = out[out.index("<https://w3id.org/ewkg/id/region/ningxia>"):].split("\n.\n")[0]
    order = [line.split()[0] for line in block.splitlines()[1:] if not line.startswith("        ")]
    assert order == ["a", "skos:prefLabel", "skos:definition", "ewkg:assists",
                     "prov:wasDerivedFrom"]  # type, labels, definitions, own, provenance last
    assert '    skos:prefLabel "Ningxia"@fr ,\n        "宁夏"@zh ;' in block  # @fr before @zh
    assert ("    prov:wasDerivedFrom <https://w3id.org/ewkg/id/passage/fr-4> ,\n"
            "        <https://w3id.org/ewkg/id/passage/zh-4> ;") in block  # one object a line
    assert '"""two\nlines"""@fr' in out  # multi-line literals triple-quoted
    assert "owl:propertyChainAxiom ( [ owl:inverseOf ewkg:assistingParty ] " \
           "ewkg:assistedParty ) ;" in out  # blank nodes inline as [ ] and ( )
    assert "ewkg:claimProperty rdf:type ;" in out  # rdf:type is "a" only as a predicate
    assert "_:" not in out


def test_check_fails_on_a_non_canonical_file_and_format_fixes_it(tmp_path: Path) -> None:
    path = tmp_path / "region.ttl"
    path.write_text(MESSY, encoding="utf-8")
    checked = run("--check", path)
    assert checked.exit_code == 1
    assert "would reformat" in checked.output and "region.ttl" in checked.output
    assert path.read_text(encoding="utf-8") == MESSY  # --check changes nothing
    shown = run("--check", "--diff", path)
    assert shown.exit_code == 1
    assert "(canonical)" in shown.output and "\n+" in shown.output and "\n-" in shown.output
    fixed = run(path)
    assert fixed.exit_code == 0 and "reformatted" in fixed.output
    assert run("--check", path).exit_code == 0
    assert run("--check", tmp_path).exit_code == 0  # folders are searched for *.ttl


def test_shapes_are_canonical() -> None:
    result = run("--check", bundle_dir("shapes"))
    assert result.exit_code == 0, result.output


def test_broken_file_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text("<a:b> <a:c> .\n")
    result = run("--check", path)
    assert result.exit_code == 2
    assert "broken.ttl" in result.output


def test_every_rdf_term_is_kept_exactly() -> None:
    """Formatting never rewrites a literal's lexical form (checked with pyoxigraph, which does
    not normalise): "01"^^xsd:integer stays 01, 1.5e3 stays 1.5e3."""
    import pyoxigraph as ox

    text = MESSY + (
        '<https://w3id.org/ewkg/id/count/c> ewkg:countValue "01"^^<http://www.w3.org/2001/'
        'XMLSchema#integer>, 12, -3, 37.381980, 1.5e3, "+4"^^<http://www.w3.org/2001/XMLSchema'
        '#integer> .\n'
    )

    def terms(data: str) -> set[str]:
        dataset = ox.Dataset(ox.parse(data, format=ox.RdfFormat.TURTLE))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        return {str(q) for q in dataset}

    once = format_text(text)
    assert terms(once) == terms(text)
    assert format_text(once) == once
