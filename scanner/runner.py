"""Running a scan: validate, create or reopen the store, compute the missing blocks, report.

Execution backends: dask's threaded scheduler by default; ``workers=N`` starts a
``distributed.LocalCluster`` of N processes; ``scheduler=ADDRESS`` uses an existing cluster; an
active ``distributed.Client`` is honoured. Each task computes one block, writes its region and then
its ``done`` flag, so an interrupted run keeps what it finished and ``resume`` computes the rest.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import dask
import numpy as np

from scanner.config import Scan, ScanConfig, resolve
from scanner.errors import ConfigError, StoreError
from scanner.grid import block_indices, done_index
from scanner.store import completeness, create_store, lease, local_path, open_scan, read_attrs
from scanner.tasks import compute_and_store

__all__ = ["RunReport", "run_scan"]


@dataclass
class RunReport:
    store: Path
    blocks_run: int
    blocks_total: int
    wall_seconds: float
    evaluations: int  # per-LLP decay-probability evaluations (events x points x LLPs)

    @property
    def rate(self) -> float:
        return self.evaluations / self.wall_seconds if self.wall_seconds > 0 else float("nan")


def _prepare(scan: Scan, path: Path, resume: bool, overwrite: bool) -> Scan:
    """Create the store, or check the existing one; returns the scan with the store's blocks."""
    if not path.parent.is_dir():
        raise StoreError(f"{path}: the directory {path.parent} does not exist")
    if path.exists():
        try:
            attrs = read_attrs(path)
        except StoreError:
            raise StoreError(f"{path} exists and is not an llpscan store; refusing to touch it (choose another --out)") from None
        same = attrs.get("config_hash") == scan.hash()
        if overwrite:
            shutil.rmtree(path)
        elif not same:
            raise StoreError(f"{path} holds a scan with a different config (or llpscan version); "
                             "use --overwrite to replace it or another --out")
        elif not resume:
            done, total = completeness(path)
            state = "complete" if done == total else f"partial: {done}/{total} blocks"
            raise StoreError(f"{path} exists ({state}); use --resume to finish it or --overwrite to recompute it")
        else:
            # the done mask and the zarr chunks follow the store's blocks, whatever the defaults now
            stored = json.loads(attrs["block_chunks"])
            asked = {k: v for k, v in scan.config.chunks.items() if k in stored}
            if any(stored[k] != v for k, v in asked.items()):
                raise ConfigError(f"{path} was written in blocks of {stored}; resume it with the same --chunks (or none)")
            scan = resolve(scan.config.model_copy(update={"chunks": stored}))
    if not path.exists():
        create_store(scan, path)
    return scan


@contextlib.contextmanager
def _client(workers: int | None, scheduler: str | None):
    """None for the threaded scheduler, else a connected distributed Client (closed on exit)."""
    if workers is None and scheduler is None:
        yield None
        return
    from distributed import Client, LocalCluster

    try:
        if scheduler is not None:
            client = Client(scheduler, timeout="10s")
        else:
            client = Client(LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                         dashboard_address=None))
    except (OSError, TimeoutError) as e:
        raise ConfigError(f"cannot reach the dask scheduler {scheduler or '(local cluster)'}: {e}") from None
    try:
        yield client
    finally:
        cluster = client.cluster
        client.close()
        if cluster is not None and scheduler is None:
            cluster.close()


def run_scan(config: ScanConfig, store=None, *, resume: bool = False, overwrite: bool = False,
             workers: int | None = None, scheduler: str | None = None, progress: bool = True) -> RunReport:
    """Run ``config`` into ``store`` (default ``<scenario>.zarr``) and return a report.

    Everything that can be checked is checked before the store is touched: the config, the
    target directory, the scheduler connection, the lock, and an existing store's identity.
    """
    scan = resolve(config)
    path = local_path(store if store is not None else f"{config.scenario}.zarr")
    if not path.parent.is_dir():
        raise StoreError(f"{path}: the directory {path.parent} does not exist")
    t0 = time.perf_counter()
    with _client(workers, scheduler) as client, lease(path):
        scan = _prepare(scan, path, resume, overwrite)
        import zarr

        done = zarr.open_array(path / "done", mode="r")[...]
        missing = [idx for idx in block_indices(scan) if not done[done_index(idx)]]
        text = scan.config.model_dump_json()
        tasks = [dask.delayed(compute_and_store, pure=True)(text, str(path), idx) for idx in missing]
        results = _compute(tasks, client, progress)
    n_llp = len(scan.scenario.llp_species) or 1  # LLP decay probabilities per event and point
    evals = sum(r["points"] for r in results) * scan.config.events * n_llp
    return RunReport(path, len(missing), done.size, time.perf_counter() - t0, evals)


def _compute(tasks, client, progress: bool):
    if not tasks:
        return []
    if client is None:
        from dask.diagnostics import ProgressBar

        # redraws every 0.1 s on a terminal; into a log file, a line every 10 s is plenty
        bar = ProgressBar(out=sys.stderr, dt=0.1 if sys.stderr.isatty() else 10.0) if progress else contextlib.nullcontext()
        with bar:
            return list(dask.compute(*tasks, scheduler="threads"))
    futures = client.compute(tasks)
    if progress:
        from distributed import progress as dprogress

        dprogress(futures)
    return client.gather(futures)

