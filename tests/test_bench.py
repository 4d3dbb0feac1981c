"""The benchmark's own parts: generator, query mix, load driver, answer checks, report.

Fast and without any timing assertion: performance is measured by ``python bench/run.py``,
never by the test suite.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import answers  # noqa: E402
import generate  # noqa: E402
import load  # noqa: E402
import report  # noqa: E402

EWKG = "https://w3id.org/ewkg/ontology#"
PREFIXES = f"""
PREFIX ewkg: <{EWKG}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, ox.Store]:
    path = tmp_path_factory.mktemp("bench") / "small.nt"
    count = generate.generate(3000, path, seed=5)
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    return path, count, store


def _rows(store: ox.Store, query: str) -> list:
    return list(store.query(PREFIXES + query))


# -- generator ---------------------------------------------------------------------------------


def test_generate_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.nt", tmp_path / "b.nt", tmp_path / "c.nt"
    generate.generate(1500, a, seed=3)
    generate.generate(1500, b, seed=3)
    generate.generate(1500, c, seed=4)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_parse_size() -> None:
    assert generate.parse_size("10k") == 10_000
    assert generate.parse_size("1M") == 1_000_000
    assert generate.parse_size("2500") == 2500
    with pytest.raises(ValueError):
        generate.parse_size("0")


def test_generated_data_is_valid_ntriples_of_about_the_asked_size(small) -> None:
    _, count, store = small
    assert len(store) == count  # every line is one distinct, valid triple
    assert 2500 <= count <= 3500


def test_every_region_has_one_label_per_language_and_a_real_parent(small) -> None:
    _, _, store = small
    bad = _rows(store, """
        SELECT ?r WHERE {
          ?r a ewkg:Region .
          { SELECT ?r (COUNT(?fr) AS ?nfr) WHERE { ?r skos:prefLabel ?fr FILTER(lang(?fr)="fr") }
            GROUP BY ?r }
          { SELECT ?r (COUNT(?zh) AS ?nzh) WHERE { ?r skos:prefLabel ?zh FILTER(lang(?zh)="zh") }
            GROUP BY ?r }
          FILTER(?nfr != 1 || ?nzh != 1)
        }""")
    assert bad == []
    orphans = _rows(store, """
        SELECT ?r WHERE { ?r ewkg:parentRegion ?p FILTER NOT EXISTS { ?p a ewkg:Region } }""")
    assert orphans == []
    provinces = _rows(store, "SELECT ?r WHERE { ?r a ewkg:Region FILTER NOT EXISTS "
                             "{ ?r ewkg:parentRegion ?p } }")
    assert len(provinces) == len(generate.PROVINCES)


def test_pairings_are_nary_with_years_model_and_the_assists_shortcut(small) -> None:
    _, _, store = small
    pairings = _rows(store, "SELECT ?p WHERE { ?p a ewkg:Pairing }")
    assert len(pairings) > 50
    complete = _rows(store, """
        SELECT ?p WHERE {
          ?p a ewkg:Pairing ; ewkg:assistingParty ?e ; ewkg:assistedParty ?w ;
             ewkg:startYear ?y ; ewkg:model ?m ; ewkg:level ?l .
          ?e a ewkg:EasternRegion . ?w a ewkg:WesternRegion . ?e ewkg:assists ?w .
          FILTER(datatype(?y) = <http://www.w3.org/2001/XMLSchema#gYear>)
        }""")
    assert len(complete) == len(pairings)
    assert store.query(PREFIXES + "ASK { <https://w3id.org/ewkg/id/pairing/fujian-ningxia> "
                                  "ewkg:assistingParty <https://w3id.org/ewkg/id/region/fujian> }")


def test_every_entity_is_derived_from_existing_fr_and_zh_passages(small) -> None:
    _, _, store = small
    assert _rows(store, "SELECT ?m WHERE { ?m a ewkg:AnnualJointMeeting }")
    missing = _rows(store, """
        SELECT ?s WHERE {
          ?s a ?c . FILTER(?c IN (ewkg:Region, ewkg:Pairing, ewkg:AnnualJointMeeting))
          FILTER NOT EXISTS { ?s prov:wasDerivedFrom ?fr . ?fr a ewkg:Passage ;
                                 rdf:value ?tfr . FILTER(lang(?tfr) = "fr") }
          FILTER NOT EXISTS { ?s prov:wasDerivedFrom ?zh . ?zh a ewkg:Passage ;
                                 rdf:value ?tzh . FILTER(lang(?tzh) = "zh") }
        }""")
    assert missing == []


# -- query mix ---------------------------------------------------------------------------------


def test_the_mix_has_twelve_queries_that_all_run(small) -> None:
    _, _, store = small
    queries = load.load_queries()
    assert len(queries) == 12
    forms = Counter(load.query_form(q.text) for q in queries)
    assert set(forms) == {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
    for q in queries:
        assert "# kind:" in q.text, q.name
        result = store.query(q.text)
        if isinstance(result, ox.QuerySolutions | ox.QueryTriples):
            list(result)
    runaway = load.load_queries(pattern="runaway.rq")
    assert len(runaway) == 1 and runaway[0].accept == load.RESULTS_JSON


def test_query_form_ignores_comments_and_iris() -> None:
    assert load.query_form("# SELECT in a comment\nASK { <http://x/CONSTRUCT> ?p ?o }") == "ASK"
    assert load.Query.of("d", "DESCRIBE <x>").accept == load.N_TRIPLES


# -- load driver -------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        query = parse_qs(urlsplit(self.path).query).get("query", [""])[0]
        server = self.server
        with server.lock:  # type: ignore[attr-defined]
            server.requests += 1  # type: ignore[attr-defined]
            server.peers.add(self.client_address)  # type: ignore[attr-defined]
            if "FAIL" in query:
                server.failures += 1  # type: ignore[attr-defined]
        status = 500 if "FAIL" in query else 200
        body = b'{"head": {}, "boolean": true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def tiny_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.lock = threading.Lock()  # type: ignore[attr-defined]
    server.requests = 0  # type: ignore[attr-defined]
    server.failures = 0  # type: ignore[attr-defined]
    server.peers = set()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_load_driver_counts_requests_and_errors(tiny_server) -> None:
    url = f"http://127.0.0.1:{tiny_server.server_address[1]}/sparql"
    queries = [load.Query.of("ok", "ASK { ?s ?p ?o }"),
               load.Query.of("bad", "ASK { ?s ?p 'FAIL' }")]
    result = load.run_load(url, queries, concurrency=3, duration=60, max_requests=60)
    assert len(result.samples) == 60 == tiny_server.requests
    assert len(result.errors) == tiny_server.failures
    assert len(result.ok) == 60 - tiny_server.failures
    assert result.error_summary() == {"HTTP 500": tiny_server.failures}
    assert {s.name for s in result.errors} == {"bad"}
    assert len(tiny_server.peers) == 3  # one keep-alive connection per client thread
    summary = load.summarize(result)
    assert summary["ok"] == len(result.ok) and summary["per_query_ms"]["bad"]["n"] == 0


def test_load_driver_counts_connection_errors() -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = load.run_load(f"http://127.0.0.1:{port}/", [load.Query.of("q", "ASK {}")],
                           concurrency=2, duration=30, max_requests=6)
    assert len(result.samples) == 6 and result.ok == []
    assert result.error_summary() == {"ConnectionRefusedError": 6}


def test_load_driver_refuses_non_loopback_and_unbounded_runs() -> None:
    q = [load.Query.of("q", "ASK {}")]
    with pytest.raises(ValueError, match="non-loopback"):
        load.run_load("http://192.0.2.1:80/", q, concurrency=1, duration=1)
    with pytest.raises(ValueError):
        load.run_load("https://127.0.0.1/", q, concurrency=1, duration=1)
    with pytest.raises(ValueError):
        load.run_load("http://127.0.0.1:9/", q, concurrency=load.MAX_CONCURRENCY + 1, duration=1)
    with pytest.raises(ValueError):
        load.run_load("http://127.0.0.1:9/", q, concurrency=1, duration=load.MAX_DURATION + 1)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert load.percentile(values, 50) == 50.0
    assert load.percentile(values, 99) == 99.0
    assert load.percentile([7.0], 95) == 7.0


# -- answer checks and report ------------------------------------------------------------------


def test_answers_compare_sizes_and_contents() -> None:
    def doc(*values: str, datatype: str = "http://www.w3.org/2001/XMLSchema#integer") -> bytes:
        rows = [{"n": {"type": "literal", "value": v, "datatype": datatype}} for v in values]
        return json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": rows}}).encode()

    assert answers.reduce_select_json(doc("1", "2")) == answers.reduce_select_json(doc("2", "1"))
    assert answers.reduce_select_json(doc("01"))[1] == answers.reduce_select_json(doc("1"))[1]
    assert answers.reduce_select_json(b'{"boolean": true}') == (1, "ASK:True")
    ref = {"q": {"rows": 2, "digest": "a"}}
    assert answers.compare(ref, {"q": {"rows": 2, "digest": "a"}}) == {"q": "ok"}
    assert answers.compare(ref, {"q": {"rows": 3, "digest": "a"}})["q"].startswith("WRONG rows")
    assert answers.compare(ref, {"q": {"rows": 2, "digest": "b"}})["q"].startswith("WRONG")
    nt = b"<http://x/a> <http://x/p> \"v\"@fr .\n<http://x/a> <http://x/p> <http://x/b> .\n"
    assert answers.reduce_graph(nt, "application/n-triples")[0] == 2


def test_report_renders_and_keeps_the_written_analysis(tmp_path: Path) -> None:
    mix_round = {
        name: {"throughput_qps": qps, "ratio_to_oxigraph": qps / 100, "startup_s": 0.5,
               "peak_rss_mb": 50.0, "errors": {}, "latency_ms": {"p50": 1, "p95": 2, "p99": 3},
               "per_query_ms": {"01-label-lookup": {"p50": 0.8, "p95": 1, "p99": 2}}}
        for name, qps in (("ewkg", 180.0), ("oxigraph", 100.0))
    }
    results = {
        "machine": {"date": "today", "nproc": 2, "cpu": "cpu", "ram_gb": 1, "os": "os",
                    "python": "3", "versions": {"x": "1"}},
        "config": {"sizes": ["10k"], "servers": ["ewkg", "oxigraph"], "scenarios": ["mix"],
                   "concurrency": 4, "duration": 1.0, "warmup": 0.0, "rounds": 1,
                   "ewkg_workers": 2},
        "queries": ["01-label-lookup"], "query_kinds": {"01-label-lookup": "point"},
        "data": {"10k": {"triples": 10, "bytes": 1, "generate_s": 0, "oxigraph_load_s": 0}},
        "mix": {"10k": {"rounds": [mix_round], "answers": {}, "verdicts": {}}},
    }
    out = tmp_path / "RESULTS.md"
    report.write(results, out)
    text = out.read_text(encoding="utf-8")
    assert "1.80×" in text and "**met**" in text
    out.write_text(text.replace(report.DEFAULT_ANALYSIS, "My analysis."), encoding="utf-8")
    report.write(results, out)
    assert "My analysis." in out.read_text(encoding="utf-8")


def test_disk_variants_get_their_prepared_store_and_always_the_data_file(tmp_path: Path) -> None:
    import run
    import servers

    args = run.parse_args(["--sizes", "10k", "--servers", "ewkg-disk,ewkg-disk-nocache,ewkg",
                           "--results-md", "", "--out", str(tmp_path / "out")])
    assert args.servers == ["ewkg-disk", "ewkg-disk-nocache", "ewkg"]
    assert set(run.EWKG_SERVERS) <= set(run.parse_args(["--results-md", ""]).servers)
    bench = run.Bench.__new__(run.Bench)  # no machine probing, no data generation
    bench.args = args
    bench.files = {"10k": tmp_path / "data.nt"}
    bench.ewkg_stores = {"10k": tmp_path / "store"}  # as if prepared
    disk = bench.spec("ewkg-disk", "10k")
    argv = disk.argv
    assert argv[argv.index("--store") + 1] == f"oxigraph:{tmp_path / 'store'}"
    assert argv[argv.index("--data") + 1] == str(tmp_path / "data.nt")
    assert disk.env["EWKG_RESULT_CACHE"] == "1"
    assert bench.spec("ewkg-disk-nocache", "10k").env["EWKG_RESULT_CACHE"] == "0"
    assert "--store" not in bench.spec("ewkg", "10k").argv
    with pytest.raises(ValueError, match="store"):
        servers.ewkg_spec("x", None, workers=1, query_timeout=1, store="oxigraph:/tmp/x")


def test_report_rows_cover_every_ewkg_variant_with_rss_and_pss(tmp_path: Path) -> None:
    def res(qps: float, rss: float, pss: float) -> dict:
        return {"throughput_qps": qps, "ratio_to_oxigraph": qps / 10, "peak_rss_mb": rss,
                "peak_pss_mb": pss, "errors": {}, "latency_ms": {"p50": 1, "p95": 2, "p99": 3}}

    rnd = {"ewkg": res(50, 2000, 900), "ewkg-nocache": res(40, 2000, 1000),
           "ewkg-disk": res(45, 600, 250), "ewkg-disk-nocache": res(7, 660, 330),
           "oxigraph": res(10, 150, 140)}
    soak = {"concurrency": 32, "duration_s": 60, "ok": 5, "errors": {}, "requests": 5,
            "rss_first10_mb": 1.0, "rss_last10_mb": 1.0, "peak_rss_mb": 1.0,
            "throughput_qps": 1.0, "latency_ms": {"p50": 1, "p95": 1, "p99": 1}}
    results = {"mix": {"1m": {"rounds": [rnd]}},
               "soak": {"ewkg": {"server": "ewkg", **soak},
                        "ewkg-disk": {"server": "ewkg-disk", **soak}}}
    rows = {t: (m, v) for t, m, v in report.targets(results)}
    rss = rows["peak RSS at 1m ≤ 2× oxigraph's (ewkg-disk-nocache: on disk, uncached)"]
    assert rss == ("RSS sum 660 MB vs 150 MB = 4.40×; PSS 330 MB vs 140 MB = 2.36×",
                   "**missed**")  # the verdict is on the RSS sum
    assert "peak RSS at 1m ≤ 2× oxigraph's (ewkg: in memory, cached)" in rows
    speed = rows["mix throughput ÷ oxigraph ≥ 2.0× at 1m (ewkg-disk: on disk, cached)"]
    assert speed[0].startswith("4.50×") and speed[1] == "**met**"
    assert rows["mix throughput ÷ oxigraph ≥ 2.0× at 1m (ewkg-disk-nocache: on disk, "
                "uncached)"][1] == "**missed**"
    assert "soak (ewkg-disk): 32 clients × 60 s, 0 errors" in rows
    # results of older runs: one soak dict
    old = report.targets({"soak": {"server": "ewkg", **soak}})
    assert [t for t, _, _ in old] == ["soak (ewkg): 32 clients × 60 s, 0 errors",
                                      "soak (ewkg): RSS first vs last 10 s"]
