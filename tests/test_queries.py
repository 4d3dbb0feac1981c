"""The competency queries: each ``queries/NN-slug.rq`` asks, in French and Chinese, a question the
source answers, and returns on the bundled store exactly the rows of ``queries/NN-slug.tsv``."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from ewkg.resources import query_files
from ewkg.store.embedded import EmbeddedStore

QUERIES = query_files()
NAME = re.compile(r"^\d\d-[a-z0-9]+(-[a-z0-9]+)*\.rq$")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return EmbeddedStore().oxigraph


def _header(query: Path) -> dict[str, str]:
    header = {}
    for line in query.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^# (fr|zh): (.+)$", line)
        if match:
            header[match[1]] = match[2].strip()
    return header


def _rows(results: ox.QuerySolutions) -> list[tuple[object, ...]]:
    names = [v.value for v in results.variables]
    return [tuple(solution[n] for n in names) for solution in results]


def test_there_are_at_least_twenty_queries() -> None:
    assert len(QUERIES) >= 20


def test_query_files_are_named_and_numbered_uniquely() -> None:
    assert [q.name for q in QUERIES if not NAME.match(q.name)] == []
    numbers = [q.name[:2] for q in QUERIES]
    assert len(numbers) == len(set(numbers))


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.stem)
def test_query_has_bilingual_question(query: Path) -> None:
    header = _header(query)
    assert set(header) == {"fr", "zh"}
    assert header["fr"].endswith("?")
    assert CJK.search(header["zh"]) and header["zh"].endswith("？")


def test_questions_are_distinct() -> None:
    for lang in ("fr", "zh"):
        questions = [_header(q)[lang] for q in QUERIES]
        assert len(questions) == len(set(questions))


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.stem)
def test_query_returns_its_expected_answer(store: ox.Store, query: Path) -> None:
    text = query.read_text(encoding="utf-8")
    assert "ORDER BY" in text, "results must be deterministic"
    expected_path = query.with_suffix(".tsv")
    expected = ox.parse_query_results(path=str(expected_path), format=ox.QueryResultsFormat.TSV)
    header = expected_path.read_text(encoding="utf-8").splitlines()[0]
    actual = store.query(text, use_default_graph_as_union=True)
    assert header == "\t".join(f"?{v.value}" for v in actual.variables)
    expected_rows = _rows(expected)
    assert expected_rows, "every competency question has an answer"
    assert _rows(actual) == expected_rows


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.stem)
def test_expected_answer_is_in_n_triples_syntax(query: Path) -> None:
    """Every cell is empty or an N-Triples term: no bare numbers, no prefixed names."""
    term = re.compile(r'^(<[^>\s]+>|"(?:[^"\\]|\\.)*"(@[a-z]+(-[a-z0-9]+)*|\^\^<[^>\s]+>)?)$')
    lines = query.with_suffix(".tsv").read_text(encoding="utf-8").splitlines()
    cells = [c for line in lines[1:] for c in line.split("\t")]
    assert [c for c in cells if c and not term.match(c)] == []
