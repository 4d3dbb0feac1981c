"""Start, watch and stop the servers under test, all on 127.0.0.1.

* ``ewkg`` — ``ewkg serve --data FILE`` (in-memory store, loaded once and shared copy-on-write
  by the forked workers; result cache on); ``ewkg-nocache`` is the same with
  ``EWKG_RESULT_CACHE=0``.
* ``ewkg-disk`` / ``ewkg-disk-nocache`` — ``ewkg serve --store oxigraph:DIR --data FILE``: the
  same file served from an on-disk store prepared beforehand (:func:`ewkg_store_prepare`), which
  every worker reopens read-only.
* ``oxigraph`` — ``oxigraph serve --location DIR`` after ``oxigraph load`` (RocksDB on disk).
* ``rdflib-endpoint`` — ``rdflib-endpoint serve FILE`` (rdflib's in-memory store).

A :class:`ServerProcess` measures startup (process start → first successful query) and samples
the resident memory and CPU time of its whole process tree (psutil) while it runs.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import psutil

VENV_BIN = Path(sys.executable).parent

PROBE_QUERY = "ASK { ?s ?p ?o }"


def executable(name: str) -> str:
    """The console script ``name`` next to this Python, else on ``PATH``."""
    candidate = VENV_BIN / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} not found (pip install -e '.[bench]')")
    return found


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ServerSpec:
    """How to start one server on one data file."""

    name: str
    argv: list[str]
    endpoint: str  # path of the SPARQL endpoint, e.g. /query
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.endpoint}"


def oxigraph_prepare(data: Path, location: Path, *, log: Path | None = None) -> float:
    """``oxigraph load`` (then ``optimize``) ``data`` into ``location``; return seconds taken.

    Reuses an existing location whose marker names the same data file, size and mtime.
    """
    marker = location / ".ewkg-bench-source"
    stamp = f"{data.resolve()} {data.stat().st_size} {data.stat().st_mtime_ns}"
    if marker.exists() and marker.read_text() == stamp:
        return 0.0
    if location.exists():
        shutil.rmtree(location)
    location.mkdir(parents=True)
    started = time.perf_counter()
    out = log.open("ab") if log else subprocess.DEVNULL
    try:
        oxi = executable("oxigraph")
        subprocess.run([oxi, "load", "--location", str(location), "--file", str(data)],
                       check=True, stdout=out, stderr=out, timeout=600)
        subprocess.run([oxi, "optimize", "--location", str(location)],
                       check=True, stdout=out, stderr=out, timeout=600)
    finally:
        if log:
            out.close()
    marker.write_text(stamp)
    return time.perf_counter() - started


def ewkg_store_prepare(data: Path, location: Path) -> tuple[float, bool]:
    """Load ``data`` into an ewkg on-disk store at ``location`` (for ``--store oxigraph:PATH``).

    Uses ewkg's own :class:`ewkg.store.embedded.EmbeddedStore` (which lays the directory out and
    writes its version marker), so that ``ewkg serve`` then only has to reopen it. A store already
    holding this file is only reopened. Returns the seconds taken and whether it loaded now.
    """
    if location.exists() and any(not p.name.startswith("ewkg-") for p in location.iterdir()):
        shutil.rmtree(location)  # not laid out by ewkg (an older bench version's store)
    started = time.perf_counter()
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from ewkg.store.embedded import EmbeddedStore\n"
        "s = EmbeddedStore([Path(sys.argv[2])], path=sys.argv[1])\n"
        "print(len(s), 'triples; loaded now:', s.loaded)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(location), str(data)],
                          timeout=900, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"preparing the ewkg store {location} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started, "loaded now: True" in done.stdout


def ewkg_spec(name: str, data: list[Path] | None, *, workers: int, query_timeout: float,
              cache: bool = True, store: str | None = None, query_workers: int | None = None,
              extra_env: dict[str, str] | None = None) -> ServerSpec:
    """``ewkg serve`` on ``data`` (or its bundled data), in memory or from ``store``.

    An on-disk ``store`` is only ever given together with ``data``: ``ewkg serve --store DIR``
    alone serves the bundled data and would reload the prepared directory with it.
    """
    if store and not data:
        raise ValueError("an on-disk store needs its --data files (else the bundled data "
                         "would be loaded into it)")
    port = free_port()
    argv = [executable("ewkg"), "serve", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--query-timeout", str(query_timeout)]
    if query_workers:
        argv += ["--query-workers", str(query_workers)]
    for path in data or []:
        argv += ["--data", str(path)]
    if store:
        argv += ["--store", store]
    env = {"EWKG_RESULT_CACHE": "1" if cache else "0", **(extra_env or {})}
    return ServerSpec(name, argv, "/sparql", env, port)


def floor_spec(app: str, *, workers: int, threads: int = 4) -> ServerSpec:
    """gunicorn (gthread, like ``ewkg serve``) on one of :mod:`floor_app`'s apps."""
    port = free_port()
    bench = Path(__file__).resolve().parent
    argv = [executable("gunicorn"), "--chdir", str(bench), "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
            f"floor_app:{app}"]
    return ServerSpec(f"gunicorn+{app}", argv, "/sparql", {}, port)


def oxigraph_spec(location: Path, *, timeout_s: float | None = None) -> ServerSpec:
    port = free_port()
    argv = [executable("oxigraph"), "serve", "--location", str(location),
            "--bind", f"127.0.0.1:{port}"]
    if timeout_s is not None:
        argv += ["--timeout-s", str(int(timeout_s))]
    return ServerSpec("oxigraph", argv, "/query", {}, port)


def rdflib_endpoint_spec(data: Path) -> ServerSpec:
    port = free_port()
    argv = [executable("rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(port),
            str(data)]
    return ServerSpec("rdflib-endpoint", argv, "/", {}, port)


@dataclass
class TreeSample:
    t: float  # seconds since the process started
    rss: int  # bytes, summed over the process tree
    cpu: float  # CPU seconds (user + system), summed over the live process tree
    procs: int
    pss: int | None = None  # proportional set size summed over the tree (shared pages split)


class ServerProcess:
    """One running server: start, wait until it answers, sample its process tree, stop."""

    def __init__(self, spec: ServerSpec, log: Path, *, sample_every: float = 0.2) -> None:
        self.spec = spec
        self.log = log
        self.sample_every = sample_every
        self.proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.startup_s: float | None = None
        self.samples: list[TreeSample] = []
        self._stop = threading.Event()
        self._sampler: threading.Thread | None = None
        self._cpu_dead = 0.0
        self._cpu_seen: dict[int, float] = {}
        self._lock = threading.Lock()
        self._last_pss = -1.0
        #: seconds between PSS readings (reading /proc/PID/smaps_rollup costs more than RSS)
        self.pss_every = 1.0

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.spec.env}
        with self.log.open("ab") as out:
            out.write(f"\n$ {' '.join(self.spec.argv)}\n".encode())
            out.flush()
            self.started_at = time.perf_counter()
            self.proc = subprocess.Popen(self.spec.argv, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=env,
                                         start_new_session=True)
        self._sampler = threading.Thread(target=self._sample_loop, daemon=True)
        self._sampler.start()

    def wait_ready(self, timeout: float = 180.0) -> float:
        """Poll with a tiny ASK until it succeeds; return seconds since :meth:`start`."""
        assert self.proc is not None
        deadline = self.started_at + timeout
        target = f"{self.spec.endpoint}?query={quote(PROBE_QUERY, safe='')}"
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.spec.name} exited with {self.proc.returncode}; "
                                   f"see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.spec.port, timeout=5)
                conn.request("GET", target,
                             headers={"Accept": "application/sparql-results+json"})
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200:
                    self.startup_s = time.perf_counter() - self.started_at
                    return self.startup_s
            except OSError:
                pass
            time.sleep(0.01)
        raise TimeoutError(f"{self.spec.name} did not answer within {timeout} s; see {self.log}")

    def terminate(self) -> None:
        """Send SIGTERM to the server's main process only (graceful shutdown)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def stop(self, grace: float = 15.0) -> int | None:
        """SIGTERM, wait ``grace`` seconds, then SIGKILL every process of the tree we started."""
        if self.proc is None:
            return None
        tree = self._tree()
        self.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(grace)
        for p in tree:
            with contextlib.suppress(psutil.Error):
                if p.is_running():
                    p.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)
        self._stop.set()
        if self._sampler is not None:
            self._sampler.join(5)
        return self.proc.returncode

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- measurement ------------------------------------------------------------------------
    def _tree(self) -> list[psutil.Process]:
        if self.proc is None:
            return []
        try:
            root = psutil.Process(self.proc.pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    def sample(self) -> TreeSample | None:
        """Measure the process tree now (RSS sum, cumulative CPU seconds)."""
        with self._lock:
            return self._sample()

    def _sample(self) -> TreeSample | None:
        rss, live = 0, {}
        now = time.perf_counter()
        pss: int | None = None
        if now - self._last_pss >= self.pss_every:
            self._last_pss = now
            pss = 0
        procs = self._tree()
        for p in procs:
            with contextlib.suppress(psutil.Error), p.oneshot():
                rss += p.memory_info().rss
                times = p.cpu_times()
                live[p.pid] = times.user + times.system
                if pss is not None:
                    pss += getattr(p.memory_full_info(), "pss", 0)
        if not procs:
            return None
        # CPU of processes that exited since the last sample stays counted.
        for pid, seen in self._cpu_seen.items():
            if pid not in live:
                self._cpu_dead += seen
        self._cpu_seen = live
        s = TreeSample(now - self.started_at, rss, self._cpu_dead + sum(live.values()),
                       len(live), pss)
        self.samples.append(s)
        return s

    def _sample_loop(self) -> None:
        while not self._stop.is_set():
            if self.proc is not None and self.proc.poll() is not None:
                break
            self.sample()
            self._stop.wait(self.sample_every)

    @property
    def peak_rss(self) -> int:
        return max((s.rss for s in self.samples), default=0)

    @property
    def peak_pss(self) -> int:
        return max((s.pss or 0 for s in self.samples), default=0)

    def rss_between(self, t_from: float, t_to: float) -> list[int]:
        return [s.rss for s in self.samples if t_from <= s.t <= t_to]

    def cpu_rate(self, seconds: float) -> float:
        """Sample for ``seconds`` and return the tree's CPU use in cores (1.0 = one core busy)."""
        first = self.sample()
        time.sleep(seconds)
        last = self.sample()
        if first is None or last is None or last.t <= first.t:
            return 0.0
        return (last.cpu - first.cpu) / (last.t - first.t)


def _busy_seconds() -> float:
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def _own_seconds() -> float:
    t = psutil.Process().cpu_times()
    return t.user + t.system


class CpuMeter:
    """Where the machine's CPU went during a measurement: server tree, load driver, others.

    ``others`` is everything else running on the machine (other users' jobs); a large value
    means the numbers of that run are disturbed.
    """

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self._start: tuple[float, float, float, float] | None = None

    def start(self) -> None:
        s = self.server.sample()
        self._start = (time.perf_counter(), _busy_seconds(), _own_seconds(), s.cpu if s else 0.0)

    def stop(self) -> dict[str, float]:
        assert self._start is not None
        s = self.server.sample()
        t0, busy0, own0, srv0 = self._start
        wall = time.perf_counter() - t0
        busy = _busy_seconds() - busy0
        own = _own_seconds() - own0
        srv = (s.cpu if s else srv0) - srv0
        return {
            "server_cores": round(srv / wall, 2),
            "driver_cores": round(own / wall, 2),
            "other_cores": round(max(0.0, busy - own - srv) / wall, 2),
        }


def wait_quiet(*, threshold: float = 0.3, max_wait: float = 60.0, window: float = 1.0) -> dict:
    """Wait (at most ``max_wait`` s) until the machine's busy CPU is below ``threshold`` cores.

    Other people's jobs on a shared machine disturb a benchmark; this waits for a quiet moment
    before a measurement starts (it cannot keep the machine quiet during it: see
    :class:`CpuMeter`). Returns the seconds waited and the last busy level, in cores.
    """
    started = time.perf_counter()
    busy_cores = 0.0
    while True:
        t0, b0, own0 = time.perf_counter(), _busy_seconds(), _own_seconds()
        time.sleep(window)
        wall = time.perf_counter() - t0
        busy_cores = max(0.0, (_busy_seconds() - b0) - (_own_seconds() - own0)) / wall
        waited = time.perf_counter() - started
        if busy_cores < threshold or waited >= max_wait:
            return {"waited_s": round(waited, 1), "busy_cores": round(busy_cores, 2)}
