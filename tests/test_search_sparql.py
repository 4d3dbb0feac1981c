"""The search from SPARQL: ``ewkg:textMatch(?text, "query")`` in the endpoint's queries."""

from __future__ import annotations

import doctest

import pytest
from flask.testing import FlaskClient

from ewkg.query import text_sparql, textanalysis
from ewkg.web import i18n

PREFIXES = """PREFIX ewkg: <https://w3id.org/ewkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""
ID = "https://w3id.org/ewkg/id/"


def select(client: FlaskClient, body: str) -> list[dict[str, str]]:
    r = client.post("/sparql", data={"query": PREFIXES + body},
                    headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.get_data(as_text=True)
    return [{k: v["value"] for k, v in b.items()} for b in r.get_json()["results"]["bindings"]]


def test_text_match_with_a_graph_pattern(client: FlaskClient) -> None:
    rows = select(client, """SELECT ?r WHERE { ?r a ewkg:WesternRegion ; skos:prefLabel ?l
                             FILTER(ewkg:textMatch(?l, "寧夏")) }""")
    assert {r["r"] for r in rows} == {ID + "region/ningxia"}


@pytest.mark.parametrize(("query", "expected"), [
    ("nei meng gu", "region/neimenggu"),
    ("Nèi Měng Gǔ", "region/neimenggu"),
    ("neimenggu", "region/neimenggu"),
    ("mongolie interieure", "region/neimenggu"),
    ("pauvrete reduction", "strategy/poverty-reduction"),
    ("cooperaton inter-entreprises", "component/enterprise-cooperation"),
    ("Ningxia Fujian", "pairing/fujian-ningxia"),
])
def test_text_match_on_labels(client: FlaskClient, query: str, expected: str) -> None:
    rows = select(client, f"""SELECT DISTINCT ?s WHERE {{ ?s skos:prefLabel ?l
                              FILTER(ewkg:textMatch(?l, "{query}")) }}""")
    assert ID + expected in {r["s"] for r in rows}


def test_text_match_on_quoted_passages(client: FlaskClient) -> None:
    rows = select(client, """SELECT ?p WHERE { ?p rdf:value ?t
                             FILTER(ewkg:textMatch(?t, "vitalité du marché")) }""")
    assert ID + "passage/fr-3" in {r["p"] for r in rows}
    rows = select(client, """SELECT ?p WHERE { ?p rdf:value ?t
                             FILTER(ewkg:textMatch(?t, "市場活力")) }""")
    assert ID + "passage/zh-3" in {r["p"] for r in rows}


def test_text_match_as_a_value(client: FlaskClient) -> None:
    rows = select(client, """SELECT ?m WHERE {
        BIND(ewkg:textMatch("réduction de la pauvreté", "pauvrete") AS ?m) }""")
    assert rows == [{"m": "true"}]


def test_text_match_on_an_iri_drops_the_row(client: FlaskClient) -> None:
    rows = select(client, """SELECT ?s WHERE { ?s skos:prefLabel ?l
                             FILTER(ewkg:textMatch(?s, "ningxia")) }""")
    assert rows == []


def test_other_queries_get_no_custom_function() -> None:
    assert text_sparql.functions_for("SELECT * { ?s ?p ?o }") == {}


@pytest.mark.parametrize("module", [textanalysis, text_sparql, i18n])
def test_doctests(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]
