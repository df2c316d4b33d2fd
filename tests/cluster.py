"""Real dask clusters for tests: `dask scheduler` and `dask worker` processes on 127.0.0.1.

Ports are chosen by the OS (port 0, address read back from the scheduler file), every process runs
in its own session, and ``stop()`` kills them all, whatever the test did.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

DASK = [sys.executable, "-m", "dask"]


class Cluster:
    """``python``: the interpreter of the scheduler and workers (another virtual environment's, to
    give the workers packages the test process does not have)."""

    def __init__(self, workdir: Path, n_workers: int = 2, python: str = sys.executable, env: dict | None = None):
        self.dir = workdir
        self.dask = [str(python), "-m", "dask"]
        self.env = env
        self.scheduler_file = workdir / "scheduler.json"
        self.procs: list[subprocess.Popen] = []
        self.workers: list[subprocess.Popen] = []
        self.names: dict[int, str] = {}  # worker pid -> dask worker name
        self._log = open(workdir / "cluster.log", "ab")
        try:
            self._start(self.dask + ["scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                "--scheduler-file", str(self.scheduler_file)])
            self._wait(lambda: self.scheduler_file.exists() and self.scheduler_file.stat().st_size > 0, "scheduler file")
            self.address = json.loads(self.scheduler_file.read_text())["address"]
            for i in range(n_workers):
                self.add_worker(f"w{i}")
            self.wait_for_workers(n_workers)
        except BaseException:
            self.stop()
            raise

    def _start(self, cmd) -> subprocess.Popen:
        from tests.conftest import subprocess_env

        p = subprocess.Popen(cmd, cwd=self.dir, stdout=self._log, stderr=self._log, start_new_session=True,
                             env=self.env if self.env is not None else subprocess_env())
        self.procs.append(p)
        return p

    def add_worker(self, name: str) -> subprocess.Popen:
        p = self._start(self.dask + ["worker", "--scheduler-file", str(self.scheduler_file), "--nthreads", "1",
                                "--no-nanny", "--no-dashboard", "--name", name, "--host", "127.0.0.1",
                                "--local-directory", str(self.dir / name)])
        self.workers.append(p)
        self.names[p.pid] = name
        return p

    def n_workers(self) -> int:
        from distributed import Client

        with Client(self.address, timeout="10s") as c:
            return len(c.scheduler_info()["workers"])

    def wait_for_workers(self, n: int, timeout: float = 60) -> None:
        from distributed import Client

        with Client(self.address, timeout="10s") as c:
            c.wait_for_workers(n, timeout=timeout)

    @staticmethod
    def _wait(cond, what, timeout=60):
        t0 = time.time()
        while not cond():
            if time.time() - t0 > timeout:
                raise TimeoutError(f"timed out waiting for {what}")
            time.sleep(0.05)

    def busy(self, worker: subprocess.Popen) -> bool:
        """True while ``worker`` (one of ours) is running a task."""
        from distributed import Client

        with Client(self.address, timeout="10s") as c:
            info = c.scheduler_info()["workers"]
            for addr, w in info.items():
                if w.get("name") == self.names[worker.pid]:
                    return bool(c.processing().get(addr))
        return False

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        self._log.close()
