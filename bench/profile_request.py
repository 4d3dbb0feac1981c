"""Where does ewkg spend a request? An in-process profile of the SPARQL request path.

Builds the app on a data file (as ``ewkg serve --data FILE`` does), sends one query of the mix
``--n`` times straight to the WSGI app (as gunicorn calls it, without HTTP), and prints:

* the mean wall time per request, next to the time pyoxigraph alone takes to evaluate and
  serialize the same query in this process (the floor any server built on it can reach);
* a cProfile of the server-side Python (request parsing, safety scan, negotiation, executor
  round trip, response building), sorted by own time and by cumulative time.

The query itself runs in ewkg's worker process, so with the cache off its evaluation shows up
here as time spent waiting on the pipe (``Connection.recv*`` / ``poll``). Gunicorn's own cost
(HTTP parsing, the thread pool) is not included: see py-spy in README.md for that.

    python bench/profile_request.py --data bench/data/ewkg-10k-seed1.nt --query 01 --n 2000
    python bench/profile_request.py --data bench/data/ewkg-10k-seed1.nt --query 09 --no-cache
    python bench/profile_request.py --data bench/data/ewkg-10k-seed1.nt --query all --n 200
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from load import RESULTS_JSON, load_queries

_STORES: dict[Path, ox.Store] = {}


def oxigraph_floor(data: Path, text: str, accept: str, n: int) -> float:
    """Mean seconds pyoxigraph takes to evaluate and serialize ``text`` (in-memory store)."""
    store = _STORES.get(data)
    if store is None:
        store = _STORES[data] = ox.Store()
        store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES)
    results_format = ox.QueryResultsFormat.JSON
    started = time.perf_counter()
    for _ in range(n):
        result = store.query(text)
        if isinstance(result, ox.QueryTriples):
            result.serialize(format=ox.RdfFormat.N_TRIPLES)
        elif accept == RESULTS_JSON:
            result.serialize(format=results_format)
    return (time.perf_counter() - started) / n


def make_app(data: Path, *, cache: bool):
    from ewkg.config import Config
    from ewkg.web.app import create_app

    return create_app(Config(data=(data,), result_cache=cache))


def requester(app, query):
    """A function sending ``query`` to the WSGI app once, the way a WSGI server does."""
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(path="/sparql", query_string=f"query={quote(query.text, safe='')}",
                             headers={"Accept": query.accept}).get_environ()
    statuses: list[str] = []

    def start_response(status: str, headers: list, exc_info: object = None) -> None:
        statuses.append(status)

    def one() -> None:
        body = app(dict(environ), start_response)
        for _ in body:
            pass
        close = getattr(body, "close", None)
        if close is not None:
            close()
        if not statuses[-1].startswith("200"):
            raise SystemExit(f"{query.name} failed: {statuses[-1]}")

    return one


def table(data: Path, n: int) -> int:
    """Per query: pyoxigraph alone vs ewkg's WSGI app (cache off, cache on), mean ms."""
    queries = load_queries()
    apps = {"off": make_app(data, cache=False), "on": make_app(data, cache=True)}
    print(f"{data.name}: mean ms per query over {n} runs (no HTTP server)")
    print(f"{'query':24} {'pyoxigraph':>11} {'ewkg cache off':>15} {'ewkg cache on':>14} "
          f"{'overhead off':>13}")
    for q in queries:
        floor = oxigraph_floor(data, q.text, q.accept, n)
        times = {}
        for key, app in apps.items():
            one = requester(app, q)
            for _ in range(5):
                one()
            started = time.perf_counter()
            for _ in range(n):
                one()
            times[key] = (time.perf_counter() - started) / n
        print(f"{q.name:24} {floor * 1000:11.3f} {times['off'] * 1000:15.3f} "
              f"{times['on'] * 1000:14.3f} {(times['off'] - floor) * 1000:13.3f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--query", default="01",
                        help="number (01..12) of the mix query, or 'all' for a per-query table")
    parser.add_argument("--n", type=int, default=1000, help="requests to profile (≤ 100000)")
    parser.add_argument("--no-cache", action="store_true", help="EWKG_RESULT_CACHE=0")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    n = max(1, min(args.n, 100_000))

    if args.query == "all":
        return table(args.data, n)
    query = next(q for q in load_queries() if q.name.startswith(args.query))
    app = make_app(args.data, cache=not args.no_cache)
    one = requester(app, query)
    for _ in range(20):  # start the worker pool, fill the cache
        one()

    started = time.perf_counter()
    for _ in range(n):
        one()
    wall = (time.perf_counter() - started) / n

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        one()
    profiler.disable()

    floor = oxigraph_floor(args.data, query.text, query.accept, min(n, 200))
    cache = "off" if args.no_cache else "on"
    print(f"{query.name} on {args.data.name}, result cache {cache}: "
          f"{wall * 1000:.3f} ms per request through the WSGI app (no HTTP server); "
          f"pyoxigraph alone evaluates + serializes it in {floor * 1000:.3f} ms")
    for key in ("tottime", "cumulative"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(key).print_stats(args.top)
        print(f"\n--- by {key} ---")
        print("\n".join(out.getvalue().splitlines()[4:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
