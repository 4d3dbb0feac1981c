"""``ewkg query``: the shell's way into the store, with the endpoint's checks and formats."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from ewkg.cli.main import main
from ewkg.resources import query_files

GRAPHS = Path(__file__).parent / "fixtures" / "protocol" / "graphs.trig"
FUJIAN = "https://w3id.org/ewkg/id/region/fujian"


def run(*args: str, input: str | None = None):  # noqa: A002 - click's name
    return CliRunner().invoke(main, ["query", *args], input=input)


def test_select_defaults_to_tsv() -> None:
    result = run(f"SELECT ?p WHERE {{ <{FUJIAN}> ?p ?o }} LIMIT 2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "?p" and len(lines) == 3


def test_ask_defaults_to_json() -> None:
    result = run(f"ASK {{ <{FUJIAN}> ?p ?o }}")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"head": {}, "boolean": True}


def test_construct_defaults_to_turtle() -> None:
    result = run(f"CONSTRUCT WHERE {{ <{FUJIAN}> ?p ?o }}")
    assert result.exit_code == 0
    assert len(Graph().parse(data=result.stdout, format="turtle")) > 3


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("json", lambda out: json.loads(out)["results"]["bindings"]),
        ("csv", lambda out: list(csv.reader(io.StringIO(out)))[0] == ["p"]),
        ("xml", lambda out: "<sparql" in out),
        ("tsv", lambda out: out.startswith("?p\n")),
    ],
)
def test_format_option_for_select(fmt: str, check) -> None:
    result = run(f"SELECT ?p WHERE {{ <{FUJIAN}> ?p ?o }}", "--format", fmt)
    assert result.exit_code == 0 and check(result.stdout)


@pytest.mark.parametrize(
    ("fmt", "rdflib_format"),
    [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("rdf", "xml")],
)
def test_format_option_for_construct(fmt: str, rdflib_format: str) -> None:
    result = run(f"CONSTRUCT WHERE {{ <{FUJIAN}> ?p ?o }}", "--format", fmt)
    assert result.exit_code == 0
    assert len(Graph().parse(data=result.stdout, format=rdflib_format)) > 3


def test_query_from_a_file() -> None:
    first = query_files()[0]
    expected = first.with_suffix(".tsv").read_text(encoding="utf-8").splitlines()
    result = run(f"@{first}", "--format", "tsv")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == expected[0]
    assert sorted(result.stdout.splitlines()[1:]) == sorted(expected[1:])


def test_query_from_stdin() -> None:
    result = run("-", "--format", "json", input="ASK { ?s ?p ?o }")
    assert result.exit_code == 0 and json.loads(result.stdout)["boolean"] is True


def test_data_option_queries_those_files() -> None:
    result = run(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--data", str(GRAPHS),
        "--format", "csv",
    )
    assert result.exit_code == 0 and result.stdout.splitlines()[1] == "8"


def test_malformed_query_exits_1_with_a_located_message() -> None:
    result = run("SELECT * WHERE { ?s ?p }")
    assert result.exit_code == 1
    assert "1:" in result.stderr and result.stdout == ""


def test_refused_query_exits_1() -> None:
    result = run("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert result.exit_code == 1 and "SERVICE" in result.stderr
    result = run("DROP ALL")
    assert result.exit_code == 1 and "read-only" in result.stderr


def test_wrong_format_for_the_form_exits_1() -> None:
    result = run("ASK {}", "--format", "ttl")
    assert result.exit_code == 1 and "json" in result.stderr


def test_missing_query_file_exits_2(tmp_path: Path) -> None:
    result = run(f"@{tmp_path / 'nope.rq'}")
    assert result.exit_code == 2 and "cannot read" in result.stderr


def test_missing_data_file_exits_2(tmp_path: Path) -> None:
    result = run("ASK {}", "--data", str(tmp_path / "nope.ttl"))
    assert result.exit_code == 2


def test_python_m_ewkg_query() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ewkg", "query", "ASK { ?s ?p ?o }", "--format", "xml"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0
    assert "<boolean>true</boolean>" in result.stdout
