"""Run the ewkg benchmark: generate data, start each server, measure, write RESULTS.md.

One command (from the repository root, after ``pip install -e '.[bench]'``)::

    python bench/run.py                                   # the full run (~20–25 min)
    python bench/run.py --sizes 10k --duration 5 --rounds 1 --scenarios mix   # a quick look

Scenarios (``--scenarios``):

Servers (``--servers``): ``ewkg`` and ``ewkg-nocache`` serve the data file from memory
(``--data FILE``), ``ewkg-disk`` and ``ewkg-disk-nocache`` from ewkg's on-disk store prepared from
the same file (``--store oxigraph:DIR --data FILE``), ``ewkg-lean-nocache`` from it too with the
fewest processes (``--workers 1 --query-workers 2``); ``oxigraph`` is ``oxigraph serve`` and
``rdflib-endpoint`` rdflib's endpoint (10k only).

* ``mix``      — 4 client threads on the 12-query mix, every server alone on the machine, in
                 alternating rounds (the server order rotates each round); throughput, latency
                 percentiles, startup, peak RSS, ratio to ``oxigraph serve`` in the same round,
                 and each query's answer compared with oxigraph's.
* ``runaway``  — the mix with 4 clients, then the same next to 2 clients sending a 3-way
                 cartesian COUNT, on servers started with a 2 s query timeout; mix throughput
                 kept, how long each runaway took, CPU left burning afterwards.
* ``soak``     — 32 clients for 60 s on ewkg (and on ewkg-disk): errors, RSS in the first vs
                 last 10 s; then a graceful stop (SIGTERM while requests are in flight).
* ``startup``  — ewkg on its bundled data, and reopening a prepared on-disk store of the largest
                 size (``--store oxigraph:PATH``).

Everything listens on and talks to 127.0.0.1 only; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import answers
import generate
import load
import report
import servers

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

#: ewkg's variants: data in memory (``--data``) or in its on-disk store (``--store``), each
#: with the result cache on and off.
EWKG_SERVERS = ("ewkg", "ewkg-nocache", "ewkg-disk", "ewkg-disk-nocache", "ewkg-lean-nocache")
DISK_SERVERS = ("ewkg-disk", "ewkg-disk-nocache", "ewkg-lean-nocache")
#: Variants run with the fewest processes: one HTTP worker, two query processes.
LEAN_SERVERS = ("ewkg-lean-nocache",)
ALL_SERVERS = (*EWKG_SERVERS, "oxigraph", "rdflib-endpoint")
ALL_SCENARIOS = ("floor", "mix", "runaway", "soak", "startup")
#: rdflib-endpoint is only run up to this many triples (it answers the mix in seconds per query
#: at 1M triples; a round would take far longer than the others).
RDFLIB_MAX_TRIPLES = 100_000


def log(msg: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for dist in ("ewkg", "pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint", "flask",
                 "gunicorn", "uvicorn", "psutil"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "—"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        versions["oxigraph CLI"] = subprocess.run(
            [servers.executable("oxigraph"), "--version"], capture_output=True, text=True,
            timeout=30).stdout.strip()
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    import psutil

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "commit": commit,
    }


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.queries = load.load_queries()
        self.runaway = load.load_queries(pattern="runaway.rq")
        self.out: Path = args.out
        self.out.mkdir(parents=True, exist_ok=True)
        self.results: dict = {
            "machine": machine(),
            "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "queries": [q.name for q in self.queries],
            "query_kinds": {q.name: _kind(q.text) for q in self.queries},
            "data": {},
            "mix": {},
            "runaway": {},
            "soak": {},
            "startup": {},
            "floor": {},
            "notes": [],
        }
        self.files: dict[str, Path] = {}
        self.oxi_locations: dict[str, Path] = {}
        self.ewkg_stores: dict[str, Path] = {}

    # -- data ---------------------------------------------------------------------------------
    def prepare(self, size: str) -> None:
        target = generate.parse_size(size)
        path = self.args.data_dir / f"ewkg-{size}-seed{self.args.seed}.nt"
        # Regenerate only when the generator, the size or the seed changed (the oxigraph store
        # built from the file is reused as long as the file is unchanged).
        import hashlib

        stamp_file = path.with_name(path.name + ".stamp")
        stamp = (f"{hashlib.sha256(Path(generate.__file__).read_bytes()).hexdigest()} "
                 f"{target} {self.args.seed}")
        started = time.perf_counter()
        if path.exists() and stamp_file.exists() and stamp_file.read_text().split("|")[0] == stamp:
            count = int(stamp_file.read_text().split("|")[1])
            gen_s = float(stamp_file.read_text().split("|")[2])
        else:
            count = generate.generate(target, path, seed=self.args.seed)
            gen_s = time.perf_counter() - started
            stamp_file.write_text(f"{stamp}|{count}|{gen_s:.2f}")
        location = self.args.data_dir / f"oxigraph-{size}-seed{self.args.seed}"
        load_s = servers.oxigraph_prepare(path, location, log=self.out / "oxigraph-load.log")
        self.files[size] = path
        self.oxi_locations[size] = location
        self.results["data"][size] = {
            "file": str(path), "triples": count, "bytes": path.stat().st_size,
            "generate_s": round(gen_s, 2), "oxigraph_load_s": round(load_s, 2),
        }
        log(f"data {size}: {count} triples, generated in {gen_s:.1f} s, "
            f"oxigraph load+optimize {load_s:.1f} s")
        a = self.args
        if {"mix", "soak"} & set(a.scenarios) and set(DISK_SERVERS) & set(a.servers):
            self.ewkg_store(size)  # prepared before any server is timed

    def ewkg_store(self, size: str) -> Path:
        """The ewkg on-disk store of ``size``'s data file, prepared (or reopened) once per run."""
        if size not in self.ewkg_stores:
            location = self.args.data_dir / f"ewkg-store-{size}-seed{self.args.seed}"
            prep_s, loaded = servers.ewkg_store_prepare(self.files[size], location)
            self.ewkg_stores[size] = location
            self.results["data"][size].update(
                {"ewkg_store": str(location), "ewkg_store_prepare_s": round(prep_s, 2),
                 "ewkg_store_loaded": loaded})
            log(f"ewkg store {size}: {'loaded' if loaded else 'reopened'} in {prep_s:.1f} s")
        return self.ewkg_stores[size]

    def spec(self, name: str, size: str, *, timeout: float | None = None) -> servers.ServerSpec:
        a = self.args
        if name in EWKG_SERVERS:
            # Never --store without --data: ewkg would load its bundled data into the store.
            store = f"oxigraph:{self.ewkg_store(size)}" if name in DISK_SERVERS else None
            lean = name in LEAN_SERVERS
            return servers.ewkg_spec(name, [self.files[size]],
                                     workers=1 if lean else a.ewkg_workers,
                                     query_workers=2 if lean else None,
                                     query_timeout=timeout or a.query_timeout,
                                     cache=not name.endswith("-nocache"), store=store)
        if name == "oxigraph":
            return servers.oxigraph_spec(self.oxi_locations[size], timeout_s=timeout)
        if name == "rdflib-endpoint":
            return servers.rdflib_endpoint_spec(self.files[size])
        raise ValueError(name)

    def server(self, spec: servers.ServerSpec, tag: str) -> servers.ServerProcess:
        return servers.ServerProcess(spec, self.out / "logs" / f"{tag}.log")

    # -- scenario: mix ------------------------------------------------------------------------
    def mix(self, size: str) -> None:
        a = self.args
        names = [n for n in a.servers if n in ALL_SERVERS]
        triples = self.results["data"][size]["triples"]
        if "rdflib-endpoint" in names and triples > RDFLIB_MAX_TRIPLES:
            names.remove("rdflib-endpoint")
            self.results["notes"].append(
                f"rdflib-endpoint not run at {size}: too slow at this size (its mix takes "
                f"seconds per query; it is measured at ≤ {RDFLIB_MAX_TRIPLES:,} triples only)."
            )
        out = self.results["mix"].setdefault(size, {"rounds": [], "answers": {}, "verdicts": {}})
        for r in range(a.rounds):
            order = names[r % len(names):] + names[:r % len(names)]
            if r % 2 == 1:
                order.reverse()
            log(f"mix {size} round {r + 1}/{a.rounds}: {', '.join(order)}")
            round_out: dict = {}
            for name in order:
                round_out[name] = self.mix_one(name, size, r, out)
            for res in round_out.values():
                ref = round_out.get("oxigraph", {}).get("throughput_qps")
                res["ratio_to_oxigraph"] = (round(res["throughput_qps"] / ref, 3)
                                            if ref else None)
            out["rounds"].append(round_out)
            self.save()
        ref = out["answers"].get("oxigraph")
        if ref:
            for name, ans in out["answers"].items():
                if name != "oxigraph":
                    out["verdicts"][name] = answers.compare(ref, ans)

    def quiet(self) -> dict:
        a = self.args
        if a.quiet_wait <= 0:
            return {}
        q = servers.wait_quiet(threshold=a.quiet_threshold, max_wait=a.quiet_wait)
        if q["waited_s"] > 1.5:
            log(f"  waited {q['waited_s']} s for the machine to quieten (busy {q['busy_cores']})")
        return q

    def mix_one(self, name: str, size: str, r: int, out: dict) -> dict:
        a = self.args
        quiet = self.quiet()
        proc = self.server(self.spec(name, size), f"mix-{size}-r{r + 1}-{name}")
        proc.start()
        try:
            startup = proc.wait_ready(a.start_timeout)
            if name not in out["answers"]:
                got = answers.fetch_all(proc.spec.url, self.queries, timeout=a.request_timeout)
                out["answers"][name] = {k: v.as_dict() for k, v in got.items()}
            if a.warmup > 0:
                load.run_load(proc.spec.url, self.queries, concurrency=a.concurrency,
                              duration=a.warmup, timeout=a.request_timeout)
            t_load = time.perf_counter() - proc.started_at
            meter = servers.CpuMeter(proc)
            meter.start()
            result = load.run_load(proc.spec.url, self.queries, concurrency=a.concurrency,
                                   duration=a.duration, timeout=a.request_timeout)
            cpu = meter.stop()
            summary = load.summarize(result)
            summary["cpu"] = cpu
            summary["quiet"] = quiet
            # Unloaded latency of the point queries: one client, nothing else in flight.
            points = [q for q in self.queries if _kind(q.text) == "point"]
            if points and a.point_duration > 0:
                single = load.run_load(proc.spec.url, points, concurrency=1,
                                       duration=a.point_duration, timeout=a.request_timeout)
                summary["point_1client_ms"] = load.summarize(single)["per_query_ms"]
            summary["startup_s"] = round(startup, 3)
            summary["peak_rss_mb"] = round(proc.peak_rss / 2**20, 1)
            summary["peak_pss_mb"] = round(proc.peak_pss / 2**20, 1)
            load_rss = proc.rss_between(t_load, t_load + a.duration + 5)
            summary["load_peak_rss_mb"] = round(max(load_rss, default=0) / 2**20, 1)
            log(f"  {name}: {summary['throughput_qps']} q/s, p50 {summary['latency_ms']['p50']}"
                f" ms, startup {startup:.2f} s, peak RSS {summary['peak_rss_mb']} MB, "
                f"errors {summary['errors']}, CPU {cpu}")
            return summary
        except (RuntimeError, TimeoutError) as exc:
            log(f"  {name}: FAILED {exc}")
            return {"failed": str(exc), "throughput_qps": 0.0}
        finally:
            proc.stop()

    # -- scenario: runaway --------------------------------------------------------------------
    def runaway_scenario(self, size: str) -> None:
        a = self.args
        names = [n for n in a.servers if n in ("ewkg", "ewkg-nocache", "oxigraph")]
        out = self.results["runaway"].setdefault(size, {})
        for name in names:
            self.quiet()
            log(f"runaway {size}: {name} (query timeout {a.runaway_timeout} s)")
            proc = self.server(self.spec(name, size, timeout=a.runaway_timeout),
                               f"runaway-{size}-{name}")
            proc.start()
            try:
                proc.wait_ready(a.start_timeout)
                load.run_load(proc.spec.url, self.queries, concurrency=a.concurrency,
                              duration=min(a.warmup or 1, 3), timeout=a.request_timeout)
                base = load.run_load(proc.spec.url, self.queries, concurrency=a.concurrency,
                                     duration=a.duration, timeout=a.request_timeout)
                t_start = time.perf_counter()
                both = load.run_groups(proc.spec.url, [
                    load.ClientGroup("mix", self.queries, a.concurrency),
                    load.ClientGroup("runaway", self.runaway, 2),
                ], duration=a.duration, timeout=a.runaway_timeout + 30)
                t_end = time.perf_counter()
                cpu_after = proc.cpu_rate(a.cpu_sample)
                time.sleep(0.5)
                cpu_later = proc.cpu_rate(2.0)
                # One runaway alone: how does it end, and is what comes back well-formed?
                single = answers.fetch(proc.spec.url, self.runaway[0],
                                       timeout=a.runaway_timeout + 30)
                runs = both["runaway"].samples
                limit = a.runaway_timeout + 1.0
                statuses: dict[str, int] = {}
                for s in runs:
                    key = s.error or f"HTTP {s.status}"
                    statuses[key] = statuses.get(key, 0) + 1
                res = {
                    "timeout_s": a.runaway_timeout,
                    "baseline_qps": round(base.throughput(), 2),
                    "baseline_errors": base.error_summary(),
                    "with_runaway_qps": round(both["mix"].throughput(), 2),
                    "mix_errors": both["mix"].error_summary(),
                    "kept": round(both["mix"].throughput() / base.throughput(), 3)
                    if base.throughput() else None,
                    "runaway_requests": len(runs),
                    "runaway_statuses": statuses,
                    "runaway_max_s": round(max((s.latency for s in runs), default=0), 3),
                    "runaway_p50_s": round(load.percentile(sorted(s.latency for s in runs), 50),
                                           3) if runs else None,
                    "runaway_over_limit": sum(1 for s in runs if s.latency > limit),
                    "runaway_answered_200": sum(1 for s in runs if s.status == 200),
                    "cpu_cores_after": round(cpu_after, 3),
                    "cpu_cores_after_later": round(cpu_later, 3),
                    "cpu_sample_s": a.cpu_sample,
                    "wall_s": round(t_end - t_start, 2),
                    "peak_rss_mb": round(proc.peak_rss / 2**20, 1),
                    "single": {"status": single.status, "seconds": round(single.seconds, 2),
                               "rows": single.rows, "error": single.error},
                }
                out[name] = res
                log(f"  {name}: mix {res['baseline_qps']} → {res['with_runaway_qps']} q/s "
                    f"(kept {res['kept']}), runaways {len(runs)} max {res['runaway_max_s']} s "
                    f"{statuses}, CPU after {res['cpu_cores_after']} cores")
            except (RuntimeError, TimeoutError) as exc:
                out[name] = {"failed": str(exc)}
                log(f"  {name}: FAILED {exc}")
            finally:
                proc.stop()
            self.save()

    # -- scenario: soak + graceful stop -------------------------------------------------------
    def soak(self, size: str) -> None:
        """The soak run on each layout of ewkg asked for (in memory, on disk)."""
        a = self.args
        names = [n for n in ("ewkg", "ewkg-disk") if n in a.servers]
        if not names:  # only uncached variants (or no ewkg at all) asked for
            names = [next((n for n in a.servers if n in EWKG_SERVERS), a.servers[0])]
        self.results["soak"] = {}
        for name in names:
            self.results["soak"][name] = self.soak_one(name, size)
            self.save()

    def soak_one(self, name: str, size: str) -> dict:
        a = self.args
        self.quiet()
        log(f"soak {size}: {name}, {a.soak_concurrency} clients × {a.soak_duration} s")
        proc = self.server(self.spec(name, size), f"soak-{size}-{name}")
        proc.start()
        out: dict = {"server": name, "size": size, "concurrency": a.soak_concurrency,
                     "duration_s": a.soak_duration}
        try:
            proc.wait_ready(a.start_timeout)
            t0 = time.perf_counter() - proc.started_at
            result = load.run_load(proc.spec.url, self.queries, concurrency=a.soak_concurrency,
                                   duration=a.soak_duration, timeout=a.request_timeout)
            t1 = t0 + result.elapsed
            first = proc.rss_between(t0, t0 + 10)
            last = proc.rss_between(t1 - 10, t1)
            s = load.summarize(result)
            out.update({
                "requests": s["requests"], "ok": s["ok"], "errors": s["errors"],
                "throughput_qps": s["throughput_qps"], "latency_ms": s["latency_ms"],
                "reconnects": s["reconnects"],
                "rss_first10_mb": round(statistics.mean(first) / 2**20, 1) if first else None,
                "rss_last10_mb": round(statistics.mean(last) / 2**20, 1) if last else None,
                "peak_rss_mb": round(proc.peak_rss / 2**20, 1),
                "peak_pss_mb": round(proc.peak_pss / 2**20, 1),
            })
            log(f"  soak: {s['throughput_qps']} q/s, errors {s['errors']}, RSS "
                f"{out['rss_first10_mb']} → {out['rss_last10_mb']} MB")
        except (RuntimeError, TimeoutError) as exc:
            out["failed"] = str(exc)
            log(f"  soak FAILED {exc}")
        finally:
            proc.stop()
        # Graceful stop on a fresh server without the result cache, so that requests take
        # long enough to be caught in flight by the signal.
        gname = f"{name}-nocache" if f"{name}-nocache" in EWKG_SERVERS else name
        gproc = self.server(self.spec(gname, size), f"graceful-{size}-{gname}")
        gproc.start()
        try:
            gproc.wait_ready(a.start_timeout)
            out["graceful"] = {"server": gname, **self.graceful(gproc)}
        except (RuntimeError, TimeoutError) as exc:
            out["graceful"] = {"server": gname, "failed": str(exc)}
        finally:
            gproc.stop()
        return out

    def graceful(self, proc: servers.ServerProcess) -> dict:
        """SIGTERM the server while ``graceful_clients`` are mid-request; did those finish?"""
        a = self.args
        # Heavier queries of the mix, so that requests are in flight at the signal.
        heavy = [q for q in self.queries if q.name.split("-", 1)[0] in {"03", "08", "09", "10"}]
        holder: dict = {}

        def drive() -> None:
            holder["res"] = load.run_load(proc.spec.url, heavy or self.queries,
                                          concurrency=a.graceful_clients, duration=8,
                                          timeout=a.request_timeout)

        thread = threading.Thread(target=drive, daemon=True)
        thread.start()
        time.sleep(3.0)
        t_sig = time.perf_counter()
        proc.terminate()
        exit_s = None
        try:
            proc.proc.wait(60)
            exit_s = round(time.perf_counter() - t_sig, 3)
        except subprocess.TimeoutExpired:
            pass
        thread.join(60)
        res: load.LoadResult = holder["res"]
        t_term = t_sig - res.t0  # on the load run's own clock
        inflight = [s for s in res.samples
                    if s.start < t_term and s.start + s.latency >= t_term]
        before = [s for s in res.samples if s.start + s.latency < t_term]
        after = [s for s in res.samples if s.start >= t_term]
        out = {
            "clients": a.graceful_clients,
            "queries": [q.name for q in heavy],
            "sigterm_at_s": round(t_term, 3),
            "exit_after_sigterm_s": exit_s,
            "exit_code": proc.proc.returncode,
            "completed_before": len(before),
            "inflight_at_sigterm": len(inflight),
            "inflight_ok": sum(1 for s in inflight if s.ok),
            "inflight_failed": {k: v for k, v in _count(inflight).items() if k != "ok"},
            "after_sigterm": _count(after),
        }
        log(f"  graceful: {out['inflight_ok']}/{out['inflight_at_sigterm']} in-flight requests "
            f"completed; exit {out['exit_after_sigterm_s']} s after SIGTERM")
        return out

    # -- scenario: floor ----------------------------------------------------------------------
    def floor(self) -> None:
        """Latency and throughput of a fixed answer on ewkg's HTTP stack, and oxigraph's ASK."""
        a = self.args
        probe = [load.Query.of("ask", "ASK { ?s ?p ?o }")]
        out: dict = {}
        specs = [servers.floor_spec("plain", workers=a.ewkg_workers),
                 servers.floor_spec("flask_app", workers=a.ewkg_workers)]
        if a.sizes:
            specs.append(self.spec("oxigraph", a.sizes[0]))
        for spec in specs:
            self.quiet()
            proc = self.server(spec, f"floor-{spec.name}")
            proc.start()
            try:
                proc.wait_ready(a.start_timeout)
                one = load.summarize(load.run_load(spec.url, probe, concurrency=1,
                                                   duration=a.point_duration or 3))
                many = load.summarize(load.run_load(spec.url, probe,
                                                    concurrency=a.concurrency,
                                                    duration=a.point_duration or 3))
                out[spec.name] = {"p50_ms": one["latency_ms"]["p50"],
                                  "p95_ms": one["latency_ms"]["p95"],
                                  "qps_1": one["throughput_qps"],
                                  "qps_n": many["throughput_qps"],
                                  "errors": {**one["errors"], **many["errors"]}}
                log(f"floor {spec.name}: p50 {one['latency_ms']['p50']} ms (1 client), "
                    f"{many['throughput_qps']} q/s ({a.concurrency} clients)")
            except (RuntimeError, TimeoutError) as exc:
                out[spec.name] = {"failed": str(exc)}
            finally:
                proc.stop()
        self.results["floor"] = out
        self.save()

    # -- scenario: startup --------------------------------------------------------------------
    def startup(self) -> None:
        a = self.args
        out: dict = {}
        if set(EWKG_SERVERS) & set(a.servers):
            runs = []
            for i in range(a.startup_repeats):
                spec = servers.ewkg_spec("ewkg", None, workers=a.ewkg_workers,
                                         query_timeout=a.query_timeout)
                proc = self.server(spec, f"startup-bundled-{i + 1}")
                proc.start()
                try:
                    runs.append(round(proc.wait_ready(a.start_timeout), 3))
                except (RuntimeError, TimeoutError) as exc:
                    out["bundled_failed"] = str(exc)
                    break
                finally:
                    proc.stop()
            out["bundled_s"] = runs
            log(f"startup bundled data: {runs}")
            size = max(self.files, key=lambda k: self.results["data"][k]["triples"])
            location = self.ewkg_store(size)
            out["store_size"] = size
            out["store_prepare_s"] = self.results["data"][size]["ewkg_store_prepare_s"]
            out["store_loaded"] = self.results["data"][size]["ewkg_store_loaded"]
            runs = []
            for i in range(a.startup_repeats):
                spec = servers.ewkg_spec("ewkg", [self.files[size]], workers=a.ewkg_workers,
                                         query_timeout=a.query_timeout,
                                         store=f"oxigraph:{location}")
                proc = self.server(spec, f"startup-store-{size}-{i + 1}")
                proc.start()
                try:
                    runs.append(round(proc.wait_ready(a.start_timeout), 3))
                    if i == 0:
                        got = answers.fetch_all(proc.spec.url, self.queries,
                                                timeout=a.request_timeout)
                        ref = self.results["mix"].get(size, {}).get("answers", {}).get(
                            "oxigraph")
                        dumped = {k: v.as_dict() for k, v in got.items()}
                        out["store_verdicts"] = answers.compare(ref, dumped) if ref else {}
                except (RuntimeError, TimeoutError) as exc:
                    out["store_failed"] = str(exc)
                    break
                finally:
                    proc.stop()
            out["store_s"] = runs
            log(f"startup reopening on-disk {size} store: {runs}")
        self.results["startup"] = out
        self.save()

    # -- output -------------------------------------------------------------------------------
    def save(self) -> None:
        (self.out / "results.json").write_text(
            json.dumps(self.results, indent=1, ensure_ascii=False), encoding="utf-8")

    def run(self) -> None:
        a = self.args
        started = time.perf_counter()
        for size in a.sizes:
            self.prepare(size)
        if "floor" in a.scenarios:
            self.floor()
        if "mix" in a.scenarios:
            for size in a.sizes:
                self.mix(size)
        if "runaway" in a.scenarios:
            self.runaway_scenario(a.runaway_size or a.sizes[0])
        if "soak" in a.scenarios:
            self.soak(a.soak_size or a.sizes[-1])
        if "startup" in a.scenarios:
            self.startup()
        self.results["total_s"] = round(time.perf_counter() - started, 1)
        self.save()
        if a.results_md:
            report.write(self.results, a.results_md)
            log(f"wrote {a.results_md}")
        log(f"done in {self.results['total_s']} s; raw results in {self.out / 'results.json'}")


def _kind(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("# kind:"):
            return line.split(":", 1)[1].strip()
    return ""


def _count(samples: list[load.Sample]) -> dict[str, int]:
    out: dict[str, int] = {}
    for s in samples:
        key = "ok" if s.ok else (s.error or f"HTTP {s.status}")
        out[key] = out.get(key, 0) + 1
    return out


def _csv(kind: type = str):
    return lambda text: [kind(x.strip()) for x in text.split(",") if x.strip()]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--sizes", type=_csv(), default=["10k", "1m"], help="data sizes")
    p.add_argument("--servers", type=_csv(), default=list(ALL_SERVERS),
                   help="servers to measure (comma-separated)")
    p.add_argument("--scenarios", type=_csv(), default=list(ALL_SCENARIOS),
                   help="scenarios to run (comma-separated)")
    p.add_argument("--duration", type=float, default=20.0, help="seconds per measured run")
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds of the mix")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring")
    p.add_argument("--concurrency", type=int, default=4, help="client threads on the mix")
    p.add_argument("--seed", type=int, default=1, help="generator seed")
    p.add_argument("--point-duration", type=float, default=3.0,
                   help="seconds of 1-client point-query latency after each mix run")
    p.add_argument("--quiet-wait", type=float, default=10.0,
                   help="max seconds to wait for a quiet machine before each server start")
    p.add_argument("--quiet-threshold", type=float, default=0.3,
                   help="busy cores (others') below which the machine counts as quiet")
    p.add_argument("--ewkg-workers", type=int, default=os.cpu_count() or 2,
                   help="ewkg serve --workers")
    p.add_argument("--query-timeout", type=float, default=30.0,
                   help="server query timeout in the mix")
    p.add_argument("--runaway-timeout", type=float, default=2.0,
                   help="server query timeout in the runaway scenario (s)")
    p.add_argument("--runaway-size", default=None, help="size for runaway (default: first)")
    p.add_argument("--cpu-sample", type=float, default=3.0,
                   help="seconds of CPU sampling after the runaway run")
    p.add_argument("--soak-duration", type=float, default=60.0, help="seconds of the soak run")
    p.add_argument("--soak-concurrency", type=int, default=32,
                   help="client threads of the soak run")
    p.add_argument("--soak-size", default=None, help="size for soak (default: largest)")
    p.add_argument("--graceful-clients", type=int, default=4,
                   help="clients in flight at the graceful stop")
    p.add_argument("--startup-repeats", type=int, default=3, help="starts timed per startup case")
    p.add_argument("--start-timeout", type=float, default=180.0,
                   help="seconds a server may take to answer")
    p.add_argument("--request-timeout", type=float, default=120.0,
                   help="client socket timeout per request (s)")
    p.add_argument("--data-dir", type=Path, default=BENCH / "data",
                   help="generated data and prepared stores")
    p.add_argument("--out", type=Path,
                   default=BENCH / "results" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
                   help="directory of this run's results.json and server logs")
    p.add_argument("--results-md", type=Path, default=BENCH / "RESULTS.md",
                   help="report to write ('' for none)")
    args = p.parse_args(argv)
    for s in args.scenarios:
        if s not in ALL_SCENARIOS:
            p.error(f"unknown scenario {s!r} (known: {', '.join(ALL_SCENARIOS)})")
    for s in args.servers:
        if s not in ALL_SERVERS:
            p.error(f"unknown server {s!r} (known: {', '.join(ALL_SERVERS)})")
    if str(args.results_md) in ("", "."):
        args.results_md = None
    return args


def main(argv: list[str] | None = None) -> int:
    Bench(parse_args(argv)).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
