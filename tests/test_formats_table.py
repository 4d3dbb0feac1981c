"""The one format table: every reader and writer of the server asks :mod:`ewkg.rdf.formats`."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from ewkg.query.evaluation import GRAPH_MEDIA_TYPES, RESULTS_MEDIA_TYPES, QueryRequest, evaluate
from ewkg.rdf import formats
from ewkg.store.describe import serialize_triples
from ewkg.store.embedded import rdf_format_for
from ewkg.validation.locate import format_for
from ewkg.web.validation_http import BODY_FORMATS, FORM_FORMATS


@pytest.mark.parametrize("fmt", formats.graph_formats(readable=True), ids=lambda f: f.name)
def test_a_data_file_is_read_by_its_suffix_in_the_table(fmt: formats.Format) -> None:
    for suffix in fmt.suffixes:
        assert rdf_format_for(Path("x" + suffix.upper())) == fmt.ox


def test_locate_reads_triple_formats_and_turtle_otherwise() -> None:
    assert format_for(Path("a.turtle")) == ox.RdfFormat.TURTLE
    assert format_for(Path("a.json")) == ox.RdfFormat.JSON_LD
    assert format_for(Path("/dev/fd/63")) == ox.RdfFormat.TURTLE


def test_the_media_type_tables_are_views_of_the_format_table() -> None:
    for media_type in [*RESULTS_MEDIA_TYPES, *GRAPH_MEDIA_TYPES]:
        fmt = formats.matching(media_type, formats.ALL)
        assert fmt is not None and media_type in fmt.media_types
    assert RESULTS_MEDIA_TYPES["application/json"] == ox.QueryResultsFormat.JSON
    assert GRAPH_MEDIA_TYPES["text/plain"] == ox.RdfFormat.N_TRIPLES
    assert "application/json" not in BODY_FORMATS and "text/plain" not in BODY_FORMATS
    assert list(FORM_FORMATS) == ["ttl", "nt", "jsonld"]  # the CLI's names


def test_one_jsonld_writer_for_pages_and_sparql_results() -> None:
    data = b'<http://ex.org/a> a <http://www.w3.org/2004/02/skos/core#Concept> ; ' \
        b'<http://www.w3.org/2004/02/skos/core#prefLabel> "a"@fr, "b" .'
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.TURTLE)
    answer = evaluate(store, QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }", "application/ld+json"), 9)
    triples = sorted(ox.parse(data, format=ox.RdfFormat.TURTLE), key=str)
    page = serialize_triples(triples, formats.by_name("jsonld"))
    def normal(body: bytes) -> object:
        doc = json.loads(body)
        for node in doc["@graph"]:
            for key, values in node.items():
                if isinstance(values, list):
                    node[key] = sorted(values, key=json.dumps)
        return doc

    assert normal(answer.body) == normal(page)
    assert json.loads(page)["@graph"][0]["@type"] == ["skos:Concept"]
