"""The store backends: the bundle in memory, files given with --data, the on-disk store."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from ewkg.config import Config
from ewkg.resources import dataset_files
from ewkg.store import embedded
from ewkg.store.backends import open_store
from ewkg.store.embedded import (
    COUNT_FILE,
    DATA_GRAPH,
    INFERRED_GRAPH,
    MEMO_FILE,
    ONTOLOGY_GRAPH,
    REFERENCE_GRAPH,
    SEED_GRAPH,
    VERSION_FILE,
    EmbeddedStore,
    Store,
    files_version,
)

EX = "http://example.org/"
TTL = f"""@prefix ex: <{EX}> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
ex:fujian a ex:Region ; skos:prefLabel "Fujian"@fr, "福建"@zh ; ex:code "350000" .
"""


@pytest.fixture(scope="module")
def bundle() -> EmbeddedStore:
    return EmbeddedStore()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_bundle_loads_ontology_and_data(bundle: EmbeddedStore) -> None:
    assert len(bundle) > 0
    assert bundle.files == dataset_files()
    assert isinstance(bundle, Store)


def test_bundle_graphs_are_named_and_their_union_is_the_default(bundle: EmbeddedStore) -> None:
    assert bundle.ask(f"ASK {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s a ?c }} }}")
    for graph in (SEED_GRAPH, REFERENCE_GRAPH, INFERRED_GRAPH):  # one graph per source
        assert bundle.ask(f"ASK {{ GRAPH <{graph}> {{ ?s a ?c }} }}")
    in_graphs = bundle.select("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")[0]["n"]
    in_default = bundle.select("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")[0]["n"]
    assert int(in_graphs) == int(in_default) == len(bundle)


def test_version_is_stable_and_follows_the_bytes(tmp_path: Path) -> None:
    f = write(tmp_path / "a.ttl", TTL)
    first = files_version([f])
    assert files_version([f]) == first
    write(f, TTL + f"<{EX}x> <{EX}p> 1 .\n")
    assert files_version([f]) != first
    assert EmbeddedStore([f]).version == files_version([f])


def test_trusted_select_ask_construct_graph(tmp_path: Path) -> None:
    store = EmbeddedStore([write(tmp_path / "data" / "region.ttl", TTL)])
    rows = store.select(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        f"SELECT ?l ?x {{ <{EX}fujian> skos:prefLabel ?l OPTIONAL {{ ?l <{EX}none> ?x }} }}"
    )
    assert {r["l"] for r in rows} == {Literal("Fujian", lang="fr"), Literal("福建", lang="zh")}
    assert all("x" not in r for r in rows)  # unbound: absent
    assert store.ask("ASK {}") is True
    assert store.ask("ASK { FILTER(false) }") is False
    g = store.construct(f"CONSTRUCT WHERE {{ <{EX}fujian> <{EX}code> ?c }}")
    assert set(g) == {(URIRef(f"{EX}fujian"), URIRef(f"{EX}code"), Literal("350000"))}
    assert g.namespace_manager.store.namespace("skos") is not None  # the project prefixes
    assert len(store.graph()) == len(store) == 4


def test_data_replaces_the_bundle_in_every_format(tmp_path: Path) -> None:
    files = [
        write(tmp_path / "a.ttl", TTL),
        write(tmp_path / "b.nt", f'<{EX}b> <{EX}p> "nt" .\n'),
        write(tmp_path / "c.trig", f'<{EX}g> {{ <{EX}c> <{EX}p> "trig" . }}\n'),
        write(
            tmp_path / "d.rdf",
            '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            f' xmlns:ex="{EX}"><rdf:Description rdf:about="{EX}d"><ex:p>xml</ex:p>'
            "</rdf:Description></rdf:RDF>",
        ),
    ]
    store = open_store(Config(data=tuple(files)))
    assert len(store) == 7
    values = {str(r["o"]) for r in store.select(f"SELECT ?o {{ ?s <{EX}p> ?o }}")}
    assert values == {"nt", "trig", "xml"}
    # the TriG file keeps its own graph; the others go to the data graph
    assert store.ask(f"ASK {{ GRAPH <{EX}g> {{ <{EX}c> ?p ?o }} }}")
    assert store.ask(f"ASK {{ GRAPH <{DATA_GRAPH}> {{ <{EX}d> ?p ?o }} }}")
    assert not store.ask("ASK { ?s a <https://w3id.org/ewkg/ontology#Pairing> }")


def test_broken_data_file_names_file_and_line(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.ttl", TTL + f"<{EX}x> <{EX}p> .\n")
    with pytest.raises(ValueError, match=r"bad\.ttl:4: "):
        EmbeddedStore([bad])


def test_unknown_extension_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown RDF file extension"):
        EmbeddedStore([write(tmp_path / "a.txt", TTL)])


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        EmbeddedStore([tmp_path / "missing.ttl"])


def test_on_disk_store_loads_once_then_reopens_read_only(tmp_path: Path) -> None:
    data = write(tmp_path / "data" / "a.ttl", TTL)
    db = tmp_path / "db"
    first = open_store(Config(data=(data,), store=f"oxigraph:{db}"))
    assert isinstance(first, EmbeddedStore) and first.loaded
    assert first.location is not None
    assert (first.location / VERSION_FILE).read_text().strip() == first.version
    count = len(first)
    del first
    again = open_store(Config(data=(data,), store=f"oxigraph:{db}"))
    assert isinstance(again, EmbeddedStore)
    assert not again.loaded and len(again) == count
    assert again.ask(f"ASK {{ <{EX}fujian> ?p ?o }}")
    with pytest.raises((OSError, RuntimeError)):  # read-only
        again.oxigraph.update(f"INSERT DATA {{ <{EX}a> <{EX}b> <{EX}c> }}")


def test_version_memo_is_reused_only_for_unchanged_files(tmp_path: Path) -> None:
    f = write(tmp_path / "a.ttl", TTL)
    memo = tmp_path / "memo.json"
    true_version = files_version([f])
    assert files_version([f], memo=memo) == true_version and memo.is_file()
    memo.write_text(memo.read_text().replace(true_version, "remembered000000"))
    assert files_version([f], memo=memo) == "remembered000000"  # same size and time: not re-read
    write(f, TTL + f"<{EX}x> <{EX}p> 1 .\n")
    assert files_version([f], memo=memo) == files_version([f]) != true_version


def test_on_disk_reopen_takes_version_and_count_from_the_store(tmp_path: Path) -> None:
    data = write(tmp_path / "a.ttl", TTL)
    db = tmp_path / "db"
    first = EmbeddedStore([data], path=str(db))
    assert (db / MEMO_FILE).is_file()
    assert first.location is not None
    assert (first.location / COUNT_FILE).read_text().strip() == str(len(first.oxigraph))
    (first.location / COUNT_FILE).write_text("42\n")
    del first
    again = EmbeddedStore([data], path=str(db))
    assert not again.loaded
    assert len(again) == 42  # read from the marker, not counted again
    location = again.location
    assert location is not None
    del again
    (location / COUNT_FILE).unlink()  # as a store loaded by an older ewkg
    older = EmbeddedStore([data], path=str(db))
    assert len(older) == 4
    assert (location / COUNT_FILE).read_text().strip() == "4"  # remembered for the next open


def test_on_disk_store_reloads_when_files_change(tmp_path: Path) -> None:
    data = write(tmp_path / "a.ttl", TTL)
    db = tmp_path / "db"
    old = EmbeddedStore([data], path=str(db))
    old_location = old.location
    del old
    write(data, TTL + f"<{EX}new> <{EX}p> 1 .\n")
    new = EmbeddedStore([data], path=str(db))
    assert new.loaded and len(new) == 5
    assert new.location != old_location
    assert old_location is not None and not old_location.exists()  # the stale version is gone


def test_on_disk_store_refuses_a_foreign_directory(tmp_path: Path) -> None:
    db = tmp_path / "db"
    write(db / "precious.txt", "not ours")
    with pytest.raises(ValueError, match="not an ewkg store directory"):
        EmbeddedStore([write(tmp_path / "a.ttl", TTL)], path=str(db))
    assert (db / "precious.txt").exists()


def test_worker_store_of_disk_store_is_a_fresh_read_only_handle(tmp_path: Path) -> None:
    store = EmbeddedStore([write(tmp_path / "a.ttl", TTL)], path=str(tmp_path / "db"))
    handle = store.worker_store()
    assert handle is not store.oxigraph and len(handle) == len(store)
    memory = EmbeddedStore([tmp_path / "a.ttl"])
    assert memory.worker_store() is memory.oxigraph


@pytest.mark.parametrize("spec", ["sqlite:x", "oxigraph:", "ftp://host/sparql"])
def test_open_store_refuses_unknown_specs(spec: str) -> None:
    with pytest.raises(ValueError):
        open_store(Config(store=spec))


def test_graph_is_an_rdflib_graph_of_the_whole_dataset(bundle: EmbeddedStore) -> None:
    g = bundle.graph()
    assert isinstance(g, Graph) and len(g) == len(bundle)


def test_on_disk_store_of_a_large_dataset_bulk_loads_file_by_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ewkg.store.embedded

    monkeypatch.setattr(ewkg.store.embedded, "STAGE_IN_MEMORY_BYTES", 0)
    files = [write(tmp_path / "a.ttl", TTL), write(tmp_path / "b.nt", f'<{EX}b> <{EX}p> "x" .\n')]
    store = EmbeddedStore(files, path=str(tmp_path / "db"))
    assert store.loaded and len(store) == 5
    assert store.ask(f"ASK {{ GRAPH <{DATA_GRAPH}> {{ <{EX}b> ?p ?o }} }}")


def test_a_store_laid_out_by_other_code_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unchanged files, but code that splits them into graphs differently: the on-disk store
    and the remembered version are not reused (an old single reference graph never survives)."""
    data = write(tmp_path / "a.ttl", TTL)
    db = tmp_path / "db"
    first = EmbeddedStore([data], path=str(db))
    assert first.loaded
    old_version = first.version
    del first
    assert not EmbeddedStore([data], path=str(db)).loaded  # same layout: reopened
    monkeypatch.setattr(embedded, "LAYOUT", embedded.LAYOUT + " (changed)")
    again = EmbeddedStore([data], path=str(db))
    assert again.loaded and again.version != old_version
    assert again.version == files_version([data])
