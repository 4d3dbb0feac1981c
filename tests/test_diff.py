"""``ewkg diff OLD NEW``: what a curator's change adds and removes, by subject, with labels."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from rdflib import Literal
from rdflib.namespace import SKOS

from ewkg.cli.main import main
from ewkg.rdf.graph_diff import diff_graphs
from ewkg.rdf.namespaces import EWKG, ID
from ewkg.validation.locate import parse_files

FIXTURES = Path(__file__).parent / "fixtures" / "diff"
OLD, NEW = FIXTURES / "old.ttl", FIXTURES / "new.ttl"


def run(*args: str | Path) -> Result:
    env = {"LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "NO_COLOR": ""}
    return CliRunner().invoke(main, ["diff", *map(str, args)], env=env)


def test_a_known_edit() -> None:
    (old, new), problems = parse_files([OLD, NEW])
    assert problems == []
    change = diff_graphs(old.graph, new.graph)
    assert (change.added, change.removed) == (3, 2)  # the relabelled blank node is no change
    by_subject = {c.subject: c for c in change.changes}
    assert list(by_subject) == [ID["pairing/tianjin-gansu"], ID["region/gansu"]]
    gansu = by_subject[ID["region/gansu"]]
    assert (ID["region/gansu"], SKOS.prefLabel, Literal("Gansu", lang="fr")) in gansu.removed
    assert (ID["region/gansu"], SKOS.prefLabel,
            Literal("province du Gansu", lang="fr")) in gansu.added
    assert (ID["region/gansu"], EWKG.gbCode, Literal("620000")) in gansu.added
    assert gansu.labels == {"fr": "province du Gansu", "zh": "甘肃省"}  # from NEW


def test_cli_groups_by_subject_with_labels_exit_1() -> None:
    result = run(OLD, NEW, "--lang", "fr")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "<https://w3id.org/ewkg/id/pairing/tianjin-gansu>  # jumelage Tianjin–Gansu"
    assert lines[1].startswith("  + ewkg:assistingParty <https://w3id.org/ewkg/id/region/tianjin>")
    assert "# Tianjin" in lines[1]  # the label comes from the bundled data
    assert lines[2] == "<https://w3id.org/ewkg/id/region/gansu>  # province du Gansu"
    assert lines[3:7] == [
        '  - skos:prefLabel "Gansu"@fr',
        '  + skos:prefLabel "province du Gansu"@fr',
        '  - ewkg:gbCode "620001"',
        '  + ewkg:gbCode "620000"',
    ]
    assert lines[-1] == "3 triplet(s) ajouté(s), 2 retiré(s), 2 sujet(s)"


def test_no_difference_exit_0() -> None:
    result = run(OLD, OLD)
    assert result.exit_code == 0
    assert result.output == "no differences\n"


def test_json() -> None:
    result = run(OLD, NEW, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert (data["added"], data["removed"]) == (3, 2)
    subjects = [s["subject"]["value"] for s in data["subjects"]]
    assert subjects == [str(ID["pairing/tianjin-gansu"]), str(ID["region/gansu"])]
    [added] = data["subjects"][0]["added"]
    assert added[0]["value"] == str(EWKG.assistingParty)


def test_unreadable_input_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text('<a:b> <a:c> "unclosed .\n')
    result = run(OLD, broken)
    assert result.exit_code == 2
    assert "broken.ttl:1:" in result.output
