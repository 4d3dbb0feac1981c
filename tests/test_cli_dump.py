"""``ewkg dump``: the whole dataset in each RDF format, to a file or standard output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from ewkg.cli.main import main
from ewkg.store.embedded import EmbeddedStore

MINI = Path(__file__).parent / "fixtures" / "linkeddata" / "mini.ttl"
FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
           "jsonld": ox.RdfFormat.JSON_LD, "rdf": ox.RdfFormat.RDF_XML,
           "trig": ox.RdfFormat.TRIG}


def canonical(data: bytes, fmt: ox.RdfFormat) -> set[ox.Quad]:
    ds = ox.Dataset(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                    for q in ox.parse(data, format=fmt))
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(ds)


@pytest.fixture(scope="module")
def expected() -> set[ox.Quad]:
    return canonical(MINI.read_bytes(), ox.RdfFormat.TURTLE)


@pytest.mark.parametrize("name", list(FORMATS))
def test_dump_each_format_to_a_file(tmp_path: Path, name: str, expected: set) -> None:
    out = tmp_path / f"out.{name}"
    result = CliRunner().invoke(main, ["dump", "--format", name, "-o", str(out),
                                       "--data", str(MINI)])
    assert result.exit_code == 0, result.output
    assert canonical(out.read_bytes(), FORMATS[name]) == expected
    assert "triples" in result.output  # the summary goes to stderr


def test_format_follows_the_file_extension(tmp_path: Path, expected: set) -> None:
    out = tmp_path / "ewkg.rdf.jsonld"
    result = CliRunner().invoke(main, ["dump", "-o", str(out), "--data", str(MINI)])
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").lstrip().startswith("{")
    assert canonical(out.read_bytes(), ox.RdfFormat.JSON_LD) == expected


def test_default_is_turtle_on_stdout(expected: set) -> None:
    result = CliRunner().invoke(main, ["dump", "--data", str(MINI)])
    assert result.exit_code == 0
    assert canonical(result.stdout_bytes, ox.RdfFormat.TURTLE) == expected


def test_bundled_dataset_is_dumped_whole() -> None:
    result = CliRunner().invoke(main, ["dump", "--format", "nt"])
    assert result.exit_code == 0
    lines = {line for line in result.stdout.splitlines() if line.strip()}
    assert len(lines) == len(EmbeddedStore())


def test_bad_format_and_missing_file_are_usage_errors(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["dump", "--format", "csv"]).exit_code == 2
    assert CliRunner().invoke(main, ["dump", "--data", str(tmp_path / "no.ttl")]).exit_code == 2
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .", encoding="utf-8")
    assert CliRunner().invoke(main, ["dump", "--data", str(broken)]).exit_code == 2


def test_console_entry_point_runs(tmp_path: Path, expected: set) -> None:
    out = tmp_path / "x.nt"
    done = subprocess.run(
        [sys.executable, "-m", "ewkg", "dump", "--format", "nt", "-o", str(out),
         "--data", str(MINI)],
        capture_output=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert canonical(out.read_bytes(), ox.RdfFormat.N_TRIPLES) == expected
