"""Closed-loop HTTP load driver for SPARQL endpoints (loopback only, bounded).

Each client thread keeps one HTTP/1.1 keep-alive connection (``http.client``) and sends the
next query of its list as soon as the previous answer has been read in full (closed loop).
Client *i* starts at query *i* of the list, so every query is in flight all the time.
The run stops at a fixed duration (and at ``max_requests``); requests in flight at the
deadline are allowed to finish and are counted.

Safety: the target must resolve to a loopback address (``127.0.0.0/8`` or ``::1``), concurrency
is capped at :data:`MAX_CONCURRENCY`, duration at :data:`MAX_DURATION` seconds, and every
request has a socket timeout.

Usage::

    python bench/load.py --url http://127.0.0.1:7878/query --concurrency 4 --duration 10
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

MAX_CONCURRENCY = 256
MAX_DURATION = 900.0
MAX_REQUESTS = 5_000_000

QUERIES_DIR = Path(__file__).resolve().parent / "queries"

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"

_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def query_form(text: str) -> str:
    """The query form (``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``) of a SPARQL query.

    >>> query_form("PREFIX a: <x#>\\n# ASK me\\nDESCRIBE <y>")
    'DESCRIBE'
    """
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    body = re.sub(r"<[^>]*>", "<>", body)  # IRIs may contain the keywords
    match = _FORM.search(body)
    if not match:
        raise ValueError("not a SPARQL query form")
    return match.group(1).upper()


@dataclass(frozen=True)
class Query:
    """One query of a mix: its name, text and the ``Accept`` header it is sent with."""

    name: str
    text: str
    accept: str

    @classmethod
    def of(cls, name: str, text: str) -> Query:
        form = query_form(text)
        return cls(name, text, N_TRIPLES if form in {"CONSTRUCT", "DESCRIBE"} else RESULTS_JSON)


def load_queries(directory: Path = QUERIES_DIR, pattern: str = "[0-9][0-9]-*.rq") -> list[Query]:
    """The queries ``NN-slug.rq`` of ``directory``, in name order."""
    files = sorted(directory.glob(pattern))
    if not files:
        raise FileNotFoundError(f"no queries {pattern} in {directory}")
    return [Query.of(p.stem, p.read_text(encoding="utf-8")) for p in files]


@dataclass(slots=True)
class Sample:
    """One request: which query, which client, when (seconds since the run's start), how long."""

    name: str
    client: int
    start: float
    latency: float
    status: int  # HTTP status; 0 when the request failed below HTTP
    nbytes: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


@dataclass
class LoadResult:
    """The samples of one group of clients, and the run's wall time."""

    label: str
    concurrency: int
    elapsed: float
    samples: list[Sample] = field(default_factory=list)
    reconnects: int = 0
    #: ``time.perf_counter()`` at the run's start; every ``Sample.start`` is relative to it.
    t0: float = 0.0

    @property
    def ok(self) -> list[Sample]:
        return [s for s in self.samples if s.ok]

    @property
    def errors(self) -> list[Sample]:
        return [s for s in self.samples if not s.ok]

    def throughput(self) -> float:
        """Successful requests per second over the run's wall time."""
        return len(self.ok) / self.elapsed if self.elapsed > 0 else 0.0

    def latencies(self, name: str | None = None) -> list[float]:
        return sorted(s.latency for s in self.ok if name is None or s.name == name)

    def error_summary(self) -> dict[str, int]:
        """Count of errors by kind (``HTTP 503``, ``timeout``…)."""
        out: dict[str, int] = {}
        for s in self.errors:
            key = s.error or f"HTTP {s.status}"
            out[key] = out.get(key, 0) + 1
        return out


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of already sorted values (``nan`` when empty).

    >>> percentile([1, 2, 3, 4], 50), percentile([1, 2, 3, 4], 99)
    (2, 4)
    """
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), int(-(-p * len(sorted_values) // 100))))
    return sorted_values[rank - 1]


def check_loopback(url: str) -> tuple[str, int, str]:
    """Return ``(host, port, path)`` of an ``http://`` URL; refuse any non-loopback target."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"only http://127.0.0.1… URLs are allowed: {url!r}")
    port = parts.port or 80
    try:
        addresses = [ipaddress.ip_address(parts.hostname)]
    except ValueError:  # a name: resolve it (localhost), and check every address
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    for address in addresses:
        if not address.is_loopback:
            raise ValueError(f"refusing non-loopback target {parts.hostname} ({address})")
    return parts.hostname, port, parts.path or "/"


@dataclass(frozen=True)
class ClientGroup:
    """``concurrency`` clients cycling through ``queries``; samples are reported under ``label``."""

    label: str
    queries: Sequence[Query]
    concurrency: int


_RETRYABLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
              ConnectionAbortedError)


class _Client:
    def __init__(self, host: str, port: int, path: str, timeout: float) -> None:
        self.host, self.port, self.path, self.timeout = host, port, path, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.used = 0
        self.reconnects = 0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _send(self, query: Query) -> tuple[int, int]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.used = 0
        target = f"{self.path}?query={quote(query.text, safe='')}"
        self.conn.request("GET", target, headers={"Accept": query.accept})
        response = self.conn.getresponse()
        body = response.read()
        self.used += 1
        if response.will_close:
            self.close()
        return response.status, len(body)

    def request(self, query: Query) -> tuple[int, int]:
        """Send one query; retry once on a fresh connection if a reused one was closed."""
        reused = self.conn is not None and self.used > 0
        try:
            return self._send(query)
        except _RETRYABLE:
            self.close()
            if not reused:
                raise
            self.reconnects += 1
            return self._send(query)
        except BaseException:
            self.close()
            raise


def run_groups(
    url: str,
    groups: Sequence[ClientGroup],
    *,
    duration: float,
    max_requests: int = MAX_REQUESTS,
    timeout: float = 60.0,
    stop: threading.Event | None = None,
    on_sample: Callable[[Sample], None] | None = None,
) -> dict[str, LoadResult]:
    """Run all groups at once for ``duration`` seconds; return one result per group label."""
    host, port, path = check_loopback(url)
    total = sum(g.concurrency for g in groups)
    if not 0 < total <= MAX_CONCURRENCY:
        raise ValueError(f"concurrency must be 1..{MAX_CONCURRENCY}, got {total}")
    if not 0 < duration <= MAX_DURATION:
        raise ValueError(f"duration must be in (0, {MAX_DURATION}] s, got {duration}")
    max_requests = min(max_requests, MAX_REQUESTS)
    stop = stop or threading.Event()
    results = {g.label: LoadResult(g.label, g.concurrency, 0.0) for g in groups}
    lock = threading.Lock()
    sent = [0]
    barrier = threading.Barrier(total + 1)
    t0 = [0.0]

    def worker(group: ClientGroup, index: int, client_id: int) -> None:
        client = _Client(host, port, path, timeout)
        queries = list(group.queries)
        local: list[Sample] = []
        i = index
        barrier.wait()
        deadline = t0[0] + duration
        try:
            while not stop.is_set():
                now = time.perf_counter()
                if now >= deadline:
                    break
                with lock:
                    if sent[0] >= max_requests:
                        break
                    sent[0] += 1
                query = queries[i % len(queries)]
                i += 1
                began = time.perf_counter()
                status, nbytes, error = 0, 0, None
                try:
                    status, nbytes = client.request(query)
                except TimeoutError:
                    error = "timeout"
                except (OSError, http.client.HTTPException) as exc:
                    error = type(exc).__name__
                sample = Sample(query.name, client_id, began - t0[0],
                                time.perf_counter() - began, status, nbytes, error)
                local.append(sample)
                if on_sample is not None:
                    on_sample(sample)
                if error is not None:
                    time.sleep(0.01)  # a refused connection must not become a busy loop
        finally:
            client.close()
            with lock:
                results[group.label].samples.extend(local)
                results[group.label].reconnects += client.reconnects

    threads = []
    client_id = 0
    for group in groups:
        for index in range(group.concurrency):
            t = threading.Thread(target=worker, args=(group, index, client_id), daemon=True)
            threads.append(t)
            t.start()
            client_id += 1
    t0[0] = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join(duration + timeout + 30)
    elapsed = time.perf_counter() - t0[0]
    for result in results.values():
        result.elapsed = elapsed
        result.t0 = t0[0]
        result.samples.sort(key=lambda s: s.start)
    return results


def run_load(url: str, queries: Sequence[Query], *, concurrency: int, duration: float,
             **kwargs) -> LoadResult:
    """Run ``concurrency`` clients on ``queries`` for ``duration`` seconds."""
    return run_groups(url, [ClientGroup("mix", queries, concurrency)], duration=duration,
                      **kwargs)["mix"]


def summarize(result: LoadResult) -> dict:
    """Throughput, errors and p50/p95/p99 latencies (ms), overall and per query."""
    def stats(values: list[float]) -> dict[str, float]:
        return {f"p{p}": round(percentile(values, p) * 1000, 3) for p in (50, 95, 99)}

    names = sorted({s.name for s in result.samples})
    return {
        "label": result.label,
        "concurrency": result.concurrency,
        "elapsed_s": round(result.elapsed, 3),
        "requests": len(result.samples),
        "ok": len(result.ok),
        "errors": result.error_summary(),
        "reconnects": result.reconnects,
        "throughput_qps": round(result.throughput(), 2),
        "latency_ms": stats(result.latencies()),
        "per_query_ms": {n: {"n": len(result.latencies(n)), **stats(result.latencies(n))}
                         for n in names},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Closed-loop SPARQL load on a loopback endpoint.")
    parser.add_argument("--url", required=True, help="endpoint, e.g. http://127.0.0.1:7878/query")
    parser.add_argument("--queries", type=Path, default=QUERIES_DIR)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    result = run_load(args.url, load_queries(args.queries), concurrency=args.concurrency,
                      duration=args.duration, timeout=args.timeout)
    json.dump(summarize(result), sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0 if not result.errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
