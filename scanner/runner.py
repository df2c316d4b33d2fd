"""Running a scan: validate, create or reopen the store, compute the missing blocks, report.

Execution backends: dask's threaded scheduler by default; ``workers=N`` starts a
``distributed.LocalCluster`` of N processes; ``scheduler=ADDRESS`` uses an existing cluster; an
active ``distributed.Client`` is honoured. Each task computes one block, writes its region and then
its ``done`` flag, so an interrupted run keeps what it finished and ``resume`` computes the rest.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import dask
import numpy as np

from scanner.config import Scan, ScanConfig, resolve
from scanner.errors import StoreError
from scanner.grid import block_grid
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


def _prepare(scan: Scan, path: Path, resume: bool, overwrite: bool) -> None:
    if path.exists():
        try:
            attrs = read_attrs(path)
        except StoreError:
            raise StoreError(f"{path} exists and is not an llpscan store; refusing to touch it (choose another --out)") from None
        same = attrs.get("config_hash") == scan.hash()
        if overwrite:
            shutil.rmtree(path)
        elif not same:
            raise StoreError(f"{path} holds a scan with a different config; use --overwrite to replace it or another --out")
        elif not resume:
            done, total = completeness(path)
            state = "complete" if done == total else f"partial: {done}/{total} blocks"
            raise StoreError(f"{path} exists ({state}); use --resume to finish it or --overwrite to recompute it")
    if not path.exists():
        create_store(scan, path)


def _client(workers: int | None, scheduler: str | None):
    if workers is None and scheduler is None:
        return contextlib.nullcontext(None)
    from distributed import Client, LocalCluster

    if scheduler is not None:
        return Client(scheduler)
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    return Client(cluster)


def run_scan(config: ScanConfig, store=None, *, resume: bool = False, overwrite: bool = False,
             workers: int | None = None, scheduler: str | None = None, progress: bool = True) -> RunReport:
    """Run ``config`` into ``store`` (default ``<scenario>.zarr``) and return a report."""
    scan = resolve(config)
    path = local_path(store if store is not None else f"{config.scenario}.zarr")
    text = config.model_dump_json()
    t0 = time.perf_counter()
    with lease(path):
        _prepare(scan, path, resume, overwrite)
        import zarr

        done = zarr.open_array(path / "done", mode="r")[...]
        grid = block_grid(scan)
        missing = [idx for idx in np.ndindex(*grid) if not done[idx if idx else (0,)]] if grid else ([()] if not done[0] else [])
        tasks = [dask.delayed(compute_and_store, pure=True)(text, str(path), idx) for idx in missing]
        with _client(workers, scheduler) as client:
            results = _compute(tasks, client, progress)
    n_llp = len(scan.scenario.llp_species) or 1  # LLP decay probabilities per event and point
    evals = sum(r["points"] for r in results) * config.events * n_llp
    return RunReport(path, len(missing), int(np.prod(grid)) if grid else 1, time.perf_counter() - t0, evals)


def _compute(tasks, client, progress: bool):
    if not tasks:
        return []
    if client is None:
        from dask.diagnostics import ProgressBar

        bar = ProgressBar(out=sys.stderr) if progress else contextlib.nullcontext()
        with bar:
            return list(dask.compute(*tasks, scheduler="threads"))
    futures = client.compute(tasks)
    if progress:
        from distributed import progress as dprogress

        dprogress(futures)
    return client.gather(futures)

