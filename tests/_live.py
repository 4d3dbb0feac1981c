"""A real ``ewkg serve`` process on a free loopback port, for the live-server and UI tests."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Sequence

STARTUP_SECONDS = 60


class LiveServer:
    """``python -m ewkg serve --port 0 ARGS…``; :attr:`url` is the printed root URL."""

    def __init__(self, args: Sequence[str] = ()) -> None:
        self.stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ewkg", "serve", "--host", "127.0.0.1", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            env=env,
        )
        lines: queue.Queue[str] = queue.Queue()

        def pump() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                lines.put(line)

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + STARTUP_SECONDS
        self.url = ""
        while not self.url:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ewkg serve exited {self.proc.returncode}: {self.errors()}")
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                raise RuntimeError(f"ewkg serve printed no URL: {self.errors()}") from None
            found = re.search(r"http://127\.0\.0\.1:\d+/", line)
            if found:
                self.url = found.group()
        # the socket listens already; wait until a worker answers
        while True:
            try:
                with urllib.request.urlopen(self.url + "sparql?query=ASK%7B%7D", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"ewkg serve does not answer: {self.errors()}") from None
                time.sleep(0.2)

    @property
    def endpoint(self) -> str:
        return self.url + "sparql"

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1].strip("/"))

    def errors(self) -> str:
        self.stderr.seek(0)
        return self.stderr.read()[-3000:]

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        """Send ``sig`` and wait for the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.stderr.close()
        return self.proc.returncode
