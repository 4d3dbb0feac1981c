"""Write ``bench/RESULTS.md`` from a run's ``results.json``.

The tables are regenerated on every run; the prose between ``<!-- analysis:begin -->`` and
``<!-- analysis:end -->`` in an existing RESULTS.md is kept, so the written analysis survives a
rerun (update it when the numbers change).

    python bench/report.py bench/results/<run>/results.json [--out bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from pathlib import Path

BEGIN, END = "<!-- analysis:begin -->", "<!-- analysis:end -->"

DEFAULT_ANALYSIS = "_(No analysis written yet.)_"

#: ewkg's variants and what each one is: where the data lives, whether the result cache is on.
EWKG_VARIANTS = {
    "ewkg": "in memory, cached",
    "ewkg-nocache": "in memory, uncached",
    "ewkg-disk": "on disk, cached",
    "ewkg-disk-nocache": "on disk, uncached",
    "ewkg-lean-nocache": "on disk, uncached, 1 HTTP worker + 2 query processes",
}
SERVER_ORDER = [*EWKG_VARIANTS, "oxigraph", "rdflib-endpoint"]


def _f(value, digits: int = 1, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}{unit}"
    return f"{value}{unit}"


def _mean(values: list[float]) -> float | None:
    values = [v for v in values if v is not None and not math.isnan(v)]
    return statistics.mean(values) if values else None


def _errors(err: dict | None) -> str:
    if not err:
        return "0"
    return ", ".join(f"{k}: {v}" for k, v in sorted(err.items()))


def _servers(mix: dict) -> list[str]:
    seen: list[str] = []
    for rnd in mix.get("rounds", []):
        for name in rnd:
            if name not in seen:
                seen.append(name)
    return sorted(seen, key=lambda n: SERVER_ORDER.index(n) if n in SERVER_ORDER else 99)


def _soaks(results: dict) -> list[dict]:
    """The soak runs: one per ewkg layout (``{server: run}``), or one run (older results)."""
    soak = results.get("soak") or {}
    if "server" in soak or "failed" in soak:
        return [soak]
    return [v for v in soak.values() if isinstance(v, dict)]


def _ratio(mine: float | None, ref: float | None, unit: str = "MB") -> str:
    if not mine or not ref:
        return "—"
    return f"{mine:,.0f} {unit} vs {ref:,.0f} {unit} = {mine / ref:.2f}×"


def _mix_stat(mix: dict, name: str, key: str) -> list:
    return [rnd[name].get(key) for rnd in mix.get("rounds", []) if name in rnd]


def _lat(mix: dict, name: str, p: str, query: str | None = None) -> float | None:
    vals = []
    for rnd in mix.get("rounds", []):
        res = rnd.get(name, {})
        src = res.get("per_query_ms", {}).get(query, {}) if query else res.get("latency_ms", {})
        vals.append(src.get(p))
    return _mean(vals)


def _point1(mix: dict, name: str, query: str) -> float | None:
    return _mean([(rnd.get(name, {}).get("point_1client_ms") or {}).get(query, {}).get("p50")
                  for rnd in mix.get("rounds", [])])


def _per_core(res: dict) -> float | None:
    """Queries per second of server CPU (q/s ÷ cores the server used) for one run."""
    cores = (res.get("cpu") or {}).get("server_cores")
    qps = res.get("throughput_qps")
    return qps / cores if qps and cores else None


def _core_ratios(mix: dict, name: str) -> list[float | None]:
    out = []
    for rnd in mix.get("rounds", []):
        mine, ref = rnd.get(name), rnd.get("oxigraph")
        a, b = (_per_core(mine) if mine else None), (_per_core(ref) if ref else None)
        out.append(a / b if a and b else None)
    return out


def _cpu(mix: dict, name: str) -> str:
    cpus = [c for c in _mix_stat(mix, name, "cpu") if c]
    if not cpus:
        return "—"
    return " / ".join(_f(_mean([c[k] for c in cpus]), 2)
                      for k in ("server_cores", "driver_cores", "other_cores"))


def targets(results: dict) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) rows."""
    rows: list[tuple[str, str, str]] = []

    def verdict(ok: bool | None) -> str:
        return "—" if ok is None else ("**met**" if ok else "**missed**")

    for size, goal in (("10k", 1.5), ("1m", 2.0)):
        mix = results.get("mix", {}).get(size)
        if not mix:
            continue
        for name, label in EWKG_VARIANTS.items():
            ratios = [r for r in _mix_stat(mix, name, "ratio_to_oxigraph") if r is not None]
            if not ratios:
                continue
            per_core = [r for r in _core_ratios(mix, name) if r is not None]
            extra = (" (per round); per server core: "
                     + " / ".join(f"{r:.2f}×" for r in per_core)) if per_core else " (per round)"
            rows.append((f"mix throughput ÷ oxigraph ≥ {goal}× at {size} ({name}: {label})",
                         " / ".join(f"{r:.2f}×" for r in ratios) + extra,
                         verdict(min(ratios) >= goal)))
    mix = results.get("mix", {}).get("10k")
    if mix:
        points = [q for q, k in results.get("query_kinds", {}).items() if k == "point"]
        for name in (*EWKG_VARIANTS, "oxigraph"):
            alone = {q: _point1(mix, name, q) for q in points}
            if any(v is not None for v in alone.values()):
                worst = max(v for v in alone.values() if v is not None)
                rows.append((f"point-query p50 ≤ 1 ms at 10k, 1 client ({name})",
                             ", ".join(f"{q}: {_f(v, 2)} ms" for q, v in alone.items()),
                             verdict(worst <= 1.0) if name != "oxigraph" else "(reference)"))
            vals = {q: _lat(mix, name, "p50", q) for q in points}
            if any(v is not None for v in vals.values()):
                worst = max(v for v in vals.values() if v is not None)
                rows.append((f"point-query p50 ≤ 1 ms at 10k, inside the 4-client mix ({name})",
                             ", ".join(f"{q}: {_f(v, 2)} ms" for q, v in vals.items()),
                             verdict(worst <= 1.0) if name != "oxigraph" else "(reference)"))
    st = results.get("startup", {})
    if st.get("bundled_s"):
        med = statistics.median(st["bundled_s"])
        rows.append(("startup ≤ 1 s on the bundled data", f"median {med:.2f} s of "
                     + ", ".join(f"{v:.2f}" for v in st["bundled_s"]), verdict(med <= 1.0)))
    elif "bundled_failed" in st:
        rows.append(("startup ≤ 1 s on the bundled data", "failed to start", verdict(False)))
    if st.get("store_s"):
        med = statistics.median(st["store_s"])
        rows.append((f"startup ≤ 1 s reopening the prepared {st.get('store_size')} on-disk store",
                     f"median {med:.2f} s of " + ", ".join(f"{v:.2f}" for v in st["store_s"]),
                     verdict(med <= 1.0)))
    elif "store_failed" in st:
        rows.append(("startup ≤ 1 s reopening the on-disk store", "failed to start",
                     verdict(False)))
    mix = results.get("mix", {}).get("1m")
    if mix:
        # The verdict is on the RSS sum, as the target is worded; PSS (shared copy-on-write
        # pages split between the processes sharing them) is shown beside it.
        oxi = _mean(_mix_stat(mix, "oxigraph", "peak_rss_mb"))
        oxi_pss = _mean(_mix_stat(mix, "oxigraph", "peak_pss_mb"))
        for name, label in EWKG_VARIANTS.items():
            mine = _mean(_mix_stat(mix, name, "peak_rss_mb"))
            if mine and oxi:
                pss = _mean(_mix_stat(mix, name, "peak_pss_mb"))
                rows.append((f"peak RSS at 1m ≤ 2× oxigraph's ({name}: {label})",
                             f"RSS sum {_ratio(mine, oxi)}; PSS {_ratio(pss, oxi_pss)}",
                             verdict(mine <= 2 * oxi)))
    for size, run in results.get("runaway", {}).items():
        for name in ("ewkg", "ewkg-nocache"):
            r = run.get(name)
            if not r or "failed" in r:
                continue
            rows.append((f"runaway at {size} ({name}): mix keeps ≥ 70 %",
                         f"{_f(r['kept'] * 100 if r['kept'] is not None else None, 0)} %",
                         verdict(r["kept"] is not None and r["kept"] >= 0.7)))
            rows.append((f"runaway at {size} ({name}): each ends ≤ timeout + 1 s",
                         f"max {r['runaway_max_s']:.2f} s, {r['runaway_over_limit']} of "
                         f"{r['runaway_requests']} over {r['timeout_s'] + 1:.0f} s",
                         verdict(r["runaway_over_limit"] == 0 and r["runaway_requests"] > 0)))
            rows.append((f"runaway at {size} ({name}): no CPU burning afterwards",
                         f"{r['cpu_cores_after']:.2f} cores over {r['cpu_sample_s']:.0f} s "
                         f"after the run", verdict(r["cpu_cores_after"] < 0.1)))
    for soak in _soaks(results):
        who = f" ({soak['server']})" if soak.get("server") else ""
        if "failed" in soak:
            rows.append((f"soak{who}", f"failed: {soak['failed']}", verdict(False)))
            continue
        rows.append((f"soak{who}: {soak['concurrency']} clients × {soak['duration_s']:.0f} s, "
                     "0 errors", f"{soak['ok']:,} ok, errors: {_errors(soak['errors'])}",
                     verdict(not soak["errors"])))
        rows.append((f"soak{who}: RSS first vs last 10 s",
                     f"{_f(soak['rss_first10_mb'])} → {_f(soak['rss_last10_mb'])} MB", "—"))
        g = soak.get("graceful")
        if g and "failed" not in g:
            rows.append((f"graceful stop ({g.get('server', '—')}): in-flight requests complete",
                         f"{g['inflight_ok']} of {g['inflight_at_sigterm']}",
                         verdict(g["inflight_at_sigterm"] > 0
                                 and g["inflight_ok"] == g["inflight_at_sigterm"])))
    return rows


def render(results: dict, analysis: str = DEFAULT_ANALYSIS) -> str:
    m = results["machine"]
    c = results["config"]
    out: list[str] = []
    w = out.append
    w("# ewkg benchmark results\n")
    w(f"Written by `python bench/run.py` on {m['date']} (commit `{m.get('commit', '')}`); the "
      "tables are regenerated by each run, the analysis at the end is kept. "
      "How to rerun and how to read the tables: [README.md](README.md).\n")
    w(f"Run: sizes {', '.join(c['sizes'])}; servers {', '.join(c['servers'])}; scenarios "
      f"{', '.join(c['scenarios'])}; {c['concurrency']} client threads, {c['duration']:.0f} s "
      f"measured after {c['warmup']:.0f} s warm-up, {c['rounds']} rounds; ewkg with "
      f"{c['ewkg_workers']} workers; total {results.get('total_s', '—')} s.\n")

    w("## Machine\n")
    w("| | |\n|---|---|")
    w(f"| CPU | {m['cpu']} ({m['nproc']} logical CPUs) |")
    w(f"| RAM | {m['ram_gb']} GiB |")
    w(f"| OS | {m['os']} |")
    w(f"| Python | {m['python']} |")
    for k, v in m["versions"].items():
        w(f"| {k} | {v} |")
    w("")

    w("## Data\n")
    w("| size | triples | N-Triples bytes | generate (s) | oxigraph load + optimize (s) | "
      "ewkg on-disk store (s) |")
    w("|---|---:|---:|---:|---:|---:|")
    for size, d in results["data"].items():
        if "ewkg_store_prepare_s" not in d:
            store = "—"
        elif d.get("ewkg_store_loaded"):
            store = f"loaded in {d['ewkg_store_prepare_s']}"
        else:
            store = f"reopened in {d['ewkg_store_prepare_s']}"
        w(f"| {size} | {d['triples']:,} | {d['bytes']:,} | {d['generate_s']} | "
          f"{d['oxigraph_load_s'] or 'reused'} | {store} |")
    w("")

    rows = targets(results)
    if rows:
        w("## Targets (issue 6)\n")
        w("| target | measured | verdict |\n|---|---|---|")
        for t, v, ok in rows:
            w(f"| {t} | {v} | {ok} |")
        w("")

    floor = results.get("floor")
    if floor:
        w("## The HTTP floor\n")
        w(f"A fixed ASK answer served by gunicorn's threaded workers (as `ewkg serve` runs, "
          f"{c['ewkg_workers']} workers × 4 threads) from a bare WSGI callable and from a "
          "one-route Flask app, next to oxigraph answering `ASK { ?s ?p ?o }` on the first "
          "size: what any app on ewkg's HTTP stack can at best reach on this machine with this "
          "load driver.\n")
        w(f"| server | p50 / p95 1 client (ms) | q/s 1 client | q/s {c['concurrency']} clients "
          "| errors |\n|---|---|---:|---:|---|")
        for n, f in floor.items():
            if "failed" in f:
                w(f"| {n} | FAILED: {f['failed']} | | | |")
                continue
            w(f"| {n} | {_f(f['p50_ms'], 2)} / {_f(f['p95_ms'], 2)} | {_f(f['qps_1'], 0)} | "
              f"{_f(f['qps_n'], 0)} | {_errors(f['errors'])} |")
        w("")

    for size, mix in results.get("mix", {}).items():
        names = _servers(mix)
        w(f"## Mix at {size}: {c['concurrency']} clients, throughput and latency\n")
        w("Queries per second (q/s) over the 12-query mix (answered: successful queries, all "
          "rounds); ratio = q/s ÷ `oxigraph serve`'s "
          "q/s in the same round; *ratio per server core* divides each server's q/s by the CPU "
          "cores its process tree used first (q/s per CPU-second), which is steadier when "
          "other jobs share the machine. Latencies in ms over all queries (mean of the rounds' "
          "percentiles). Startup = process start → first successful query. RSS summed over the "
          "process tree; PSS splits the pages forked processes share, so it does not count "
          "copy-on-write memory twice. CPU: cores used during the measured run by the server's "
          "process tree, by the load driver, and by everything else on the machine (other "
          "jobs; a large value means that run was disturbed).\n")
        layouts = [f"`{n}` ({EWKG_VARIANTS[n]})" for n in names if n in EWKG_VARIANTS]
        if layouts:
            w("ewkg variants: " + ", ".join(layouts) + ". In memory = `ewkg serve --data FILE`, "
              "one store loaded before the workers fork and shared copy-on-write; on disk = "
              "`ewkg serve --store oxigraph:DIR --data FILE`, a store prepared beforehand that "
              "each process reopens read-only (RocksDB; the OS page cache holds the data).\n")
        w("| server | q/s per round | answered | mean q/s | ratio to oxigraph | ratio per server "
          "core | p50 | p95 | p99 "
          "| startup (s) | peak RSS (MB) | peak PSS (MB) | CPU server / driver / others (cores) "
          "| errors | answers |")
        w("|---|---|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---|---|---|")
        verdicts = mix.get("verdicts", {})
        for name in names:
            qps = _mix_stat(mix, name, "throughput_qps")
            ratios = _mix_stat(mix, name, "ratio_to_oxigraph")
            errs = {}
            for e in _mix_stat(mix, name, "errors"):
                for k, v in (e or {}).items():
                    errs[k] = errs.get(k, 0) + v
            failed = [f for f in _mix_stat(mix, name, "failed") if f]
            if name == "oxigraph":
                ans = "reference"
            else:
                v = verdicts.get(name, {})
                bad = {q: x for q, x in v.items() if x != "ok"}
                ans = "all 12 same" if v and not bad else (
                    "**" + "; ".join(f"{q}: {x}" for q, x in bad.items()) + "**" if bad
                    else "—")
            answered = sum(x or 0 for x in _mix_stat(mix, name, "ok"))
            w(f"| {name} | {' / '.join(_f(q, 0) for q in qps)} | {answered:,} | "
              f"{_f(_mean(qps), 0)} | "
              f"{' / '.join(_f(r, 2, '×') for r in ratios)} | "
              f"{' / '.join(_f(r, 2, '×') for r in _core_ratios(mix, name))} | "
              f"{_f(_lat(mix, name, 'p50'), 2)} "
              f"| {_f(_lat(mix, name, 'p95'), 2)} | {_f(_lat(mix, name, 'p99'), 2)} | "
              f"{_f(_mean(_mix_stat(mix, name, 'startup_s')), 2)} | "
              f"{_f(_mean(_mix_stat(mix, name, 'peak_rss_mb')), 0)} | "
              f"{_f(_mean(_mix_stat(mix, name, 'peak_pss_mb')), 0)} | {_cpu(mix, name)} | "
              f"{'FAILED: ' + failed[0] if failed else _errors(errs)} | {ans} |")
        w("")
        w(f"### Per-query latency at {size} (ms, p50 / p95 / p99)\n")
        w("| query | " + " | ".join(names) + " |")
        w("|---|" + "---:|" * len(names))
        for q in results["queries"]:
            cells = [" / ".join(_f(_lat(mix, n, p, q), 2) for p in ("p50", "p95", "p99"))
                     for n in names]
            w(f"| {q} | " + " | ".join(cells) + " |")
        w("")
        points = [q for q, k in results.get("query_kinds", {}).items() if k == "point"]
        if any(_point1(mix, n, q) is not None for n in names for q in points):
            w(f"### Point queries alone at {size} (1 client, ms, p50 / p95 / p99)\n")
            w("| query | " + " | ".join(names) + " |")
            w("|---|" + "---:|" * len(names))
            for q in points:
                cells = []
                for n in names:
                    vals = [(rnd.get(n, {}).get("point_1client_ms") or {}).get(q, {})
                            for rnd in mix.get("rounds", [])]
                    cells.append(" / ".join(_f(_mean([v.get(p) for v in vals]), 2)
                                            for p in ("p50", "p95", "p99")))
                w(f"| {q} | " + " | ".join(cells) + " |")
            w("")
        w(f"### Answer sizes at {size} (rows or triples; first answer of each server)\n")
        ans = mix.get("answers", {})
        aname = [n for n in names if n in ans]
        w("| query | " + " | ".join(aname) + " | check |")
        w("|---|" + "---:|" * len(aname) + "---|")
        for q in results["queries"]:
            cells = []
            for n in aname:
                a = ans[n].get(q, {})
                cells.append(_f(a.get("rows")) if a.get("rows") is not None
                             else f"error {a.get('status')}")
            bad = [f"{n}: {verdicts[n][q]}" for n in aname
                   if n in verdicts and verdicts[n].get(q, "ok") != "ok"]
            check = "**" + "; ".join(bad) + "**" if bad else "ok"
            w(f"| {q} | " + " | ".join(cells) + f" | {check} |")
        w("")

    for size, run in results.get("runaway", {}).items():
        w(f"## Runaway queries at {size}\n")
        w("4 clients on the mix alone (baseline), then the same 4 next to 2 clients sending "
          "`SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }`, each server started with "
          "a query timeout. Runaway times are measured by the client (they include queueing). "
          "CPU afterwards: the process tree's CPU use in cores, sampled once the load stopped.\n")
        w("| server | timeout (s) | mix q/s alone | mix q/s with runaways | kept | runaway "
          "requests | runaway answers | runaway p50 / max (s) | over timeout + 1 s | CPU after "
          "(cores) | then | mix errors |")
        w("|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---|")
        for name, r in run.items():
            if "failed" in r:
                w(f"| {name} | FAILED: {r['failed']} |" + " |" * 10)
                continue
            w(f"| {name} | {r['timeout_s']:.0f} | {_f(r['baseline_qps'], 0)} | "
              f"{_f(r['with_runaway_qps'], 0)} | {_f(r['kept'] * 100 if r['kept'] else None, 0)}"
              f" % | {r['runaway_requests']} | {_errors(r['runaway_statuses'])} | "
              f"{_f(r['runaway_p50_s'], 2)} / {_f(r['runaway_max_s'], 2)} | "
              f"{r['runaway_over_limit']} | {_f(r['cpu_cores_after'], 2)} | "
              f"{_f(r['cpu_cores_after_later'], 2)} | {_errors(r['mix_errors'])} |")
        w("")
        singles = {n: r["single"] for n, r in run.items() if r.get("single")}
        if singles:
            w("One runaway query alone, afterwards (what the client gets back):\n")
            w("| server | HTTP status | seconds | answer |\n|---|---:|---:|---|")
            for n, sg in singles.items():
                if sg.get("rows") is not None:
                    what = f"a well-formed result ({sg['rows']} row)"
                elif sg.get("status") == 200:
                    what = f"**200 with a malformed body**: {sg.get('error')}"
                else:
                    what = (sg.get("error") or "").replace("\n", " ").replace("|", "/")[:160]
                w(f"| {n} | {sg.get('status')} | {_f(sg.get('seconds'), 2)} | {what} |")
            w("")

    for soak in _soaks(results):
        w(f"## Soak and graceful stop ({soak.get('server')}, {soak.get('size')})\n")
        if "failed" in soak:
            w(f"Failed: {soak['failed']}\n")
        else:
            w("| clients | seconds | requests | ok | errors | q/s | p50 / p95 / p99 (ms) | "
              "RSS first 10 s (MB) | RSS last 10 s (MB) | peak RSS (MB) | peak PSS (MB) |")
            w("|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---:|")
            lat = soak["latency_ms"]
            w(f"| {soak['concurrency']} | {soak['duration_s']:.0f} | {soak['requests']:,} | "
              f"{soak['ok']:,} | {_errors(soak['errors'])} | {_f(soak['throughput_qps'], 0)} | "
              f"{_f(lat['p50'], 1)} / {_f(lat['p95'], 1)} / {_f(lat['p99'], 1)} | "
              f"{_f(soak['rss_first10_mb'])} | {_f(soak['rss_last10_mb'])} | "
              f"{_f(soak['peak_rss_mb'])} | {_f(soak.get('peak_pss_mb'))} |")
            w("")
            g = soak.get("graceful")
            if g and "failed" in g:
                w(f"Graceful stop: failed: {g['failed']}\n")
            elif g:
                w(f"Graceful stop ({g['server']} on a fresh server): {g['clients']} clients on "
                  "the heavier queries "
                  f"({', '.join(g['queries'])}); SIGTERM to the server's main process at "
                  f"{g['sigterm_at_s']:.2f} s. In flight at the signal: "
                  f"{g['inflight_at_sigterm']}, of which {g['inflight_ok']} completed with 200"
                  + (f" (failed: {_errors(g['inflight_failed'])})" if g["inflight_failed"]
                     else "")
                  + f". The server exited {_f(g['exit_after_sigterm_s'], 2)} s after the "
                  f"signal (exit code {g['exit_code']}). Requests sent after the signal: "
                  f"{_errors(g['after_sigterm'])}.\n")

    st = results.get("startup")
    if st:
        w("## Startup\n")
        w("| what | runs (s) |\n|---|---|")
        if "bundled_s" in st:
            w(f"| ewkg serve, bundled data (in memory) | "
              f"{', '.join(_f(v, 3) for v in st['bundled_s']) or st.get('bundled_failed')} |")
        if "store_s" in st:
            how = {True: "loaded", False: "checked and reopened"}.get(st.get("store_loaded"),
                                                                      "prepared")
            w(f"| ewkg serve --store oxigraph:PATH, reopening the prepared {st['store_size']} "
              f"store ({how} beforehand in {st['store_prepare_s']} s) | "
              f"{', '.join(_f(v, 3) for v in st['store_s']) or st.get('store_failed')} |")
        for size, mix in results.get("mix", {}).items():
            for name in _servers(mix):
                vals = _mix_stat(mix, name, "startup_s")
                w(f"| {name}, {size} (from the mix rounds) | "
                  f"{', '.join(_f(v, 3) for v in vals if v is not None)} |")
        if st.get("store_verdicts"):
            bad = {q: v for q, v in st["store_verdicts"].items() if v != "ok"}
            w("")
            w("Answers of the on-disk store vs oxigraph: " + (
                "all 12 same." if not bad else "; ".join(f"{q}: {v}" for q, v in bad.items())))
        w("")

    if results.get("notes"):
        w("## Notes\n")
        for n in results["notes"]:
            w(f"- {n}")
        w("")

    w("## Analysis\n")
    w(BEGIN)
    w(analysis.strip())
    w(END)
    w("")
    return "\n".join(out)


def existing_analysis(path: Path) -> str:
    if not path.exists():
        return DEFAULT_ANALYSIS
    text = path.read_text(encoding="utf-8")
    if BEGIN in text and END in text:
        return text.split(BEGIN, 1)[1].split(END, 1)[0].strip() or DEFAULT_ANALYSIS
    return DEFAULT_ANALYSIS


def write(results: dict, path: Path) -> None:
    path.write_text(render(results, existing_analysis(path)), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render RESULTS.md from results.json.")
    parser.add_argument("results", type=Path)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "RESULTS.md")
    args = parser.parse_args(argv)
    write(json.loads(args.results.read_text(encoding="utf-8")), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
