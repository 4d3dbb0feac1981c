"""An entity's RDF goes from pyoxigraph to bytes without an rdflib graph, and says the same."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from ewkg.rdf.formats import graph_formats
from ewkg.store.describe import describe, describe_triples, serialize, serialize_triples
from ewkg.store.embedded import EmbeddedStore


@pytest.fixture(scope="module")
def store() -> EmbeddedStore:
    return EmbeddedStore()


def test_every_subject_is_written_the_same_by_both_paths(store: EmbeddedStore) -> None:
    """For each IRI with statements and each graph format: the native path's bytes are the
    rdflib path's bytes (blank nodes closed, labels of objects, incoming links, same order)."""
    iris = [str(r["s"]) for r in store.select(
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }")]
    assert len(iris) > 500
    differ = [
        (iri, fmt.name)
        for iri in iris
        for fmt in graph_formats()
        if serialize_triples(describe_triples(store, iri), fmt)
        != serialize(describe(store, iri), fmt, first=iri)
    ]
    assert differ == []


def test_blank_nodes_are_closed_natively(store: EmbeddedStore) -> None:
    """A description whose statements reach blank nodes keeps exactly the reachable ones."""
    rows = store.select(
        "SELECT ?s WHERE { ?s ?p ?b FILTER(isIRI(?s) && isBlank(?b)) } ORDER BY ?s LIMIT 1")
    assert rows, "the data has an entity with a blank-node value"
    iri = str(rows[0]["s"])
    native = describe_triples(store, iri)
    assert any(isinstance(t.subject, ox.BlankNode) for t in native)
    assert len(native) == len(describe(store, iri))


def test_an_unusable_iri_is_refused(store: EmbeddedStore) -> None:
    with pytest.raises(ValueError, match="not a usable IRI"):
        describe_triples(store, "http://x/> } DROP ALL")
