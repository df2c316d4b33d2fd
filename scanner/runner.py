"""Running a scan: validate, create or reopen the store, compute the missing blocks, report.

Execution backends (:mod:`scanner.backends`): dask's threaded scheduler by default;
``workers=N`` starts a ``distributed.LocalCluster`` of N processes; ``scheduler=ADDRESS|FILE`` uses
an existing cluster; an active ``distributed.Client`` is honoured. Each task computes one block, writes its region and then
its ``done`` flag, so an interrupted run keeps what it finished and ``resume`` computes the rest.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass

import dask
import numpy as np
from dask.callbacks import Callback

from scanner.backends import connect
from scanner.config import Scan, ScanConfig, resolve
from scanner.errors import ConfigError, StoreError
from scanner.grid import block_indices, done_index
from scanner.store import Location, completeness, create_store, lease, locate, read_attrs, read_done
from scanner.progress import BlockProgress
from scanner.tasks import compute_and_store

__all__ = ["RunReport", "run_scan"]


@dataclass
class RunReport:
    store: Location
    blocks_run: int
    blocks_total: int
    wall_seconds: float
    evaluations: int  # per-LLP decay-probability evaluations (events x points x LLPs)

    @property
    def rate(self) -> float:
        return self.evaluations / self.wall_seconds if self.wall_seconds > 0 else float("nan")


def _prepare(scan: Scan, path: Location, resume: bool, overwrite: bool) -> Scan:
    """Create the store, or check the existing one; returns the scan with the store's blocks."""
    if path.exists():
        try:
            attrs = read_attrs(path)
        except StoreError:
            raise StoreError(f"{path} exists and is not an llpscan store; refusing to touch it (choose another --out)") from None
        same = attrs.get("config_hash") == scan.hash()
        if overwrite:
            path.remove()
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


def run_scan(config: ScanConfig, store=None, *, resume: bool = False, overwrite: bool = False,
             workers: int | None = None, scheduler: str | None = None, progress: bool = True) -> RunReport:
    """Run ``config`` into ``store`` (default ``<scenario>.zarr``) and return a report.

    Everything that can be checked is checked before the store is touched: the config, the
    target directory, the scheduler connection, the lock, and an existing store's identity.
    """
    scan = resolve(config)
    path = locate(store if store is not None else f"{config.scenario}.zarr")
    path.check_parent()
    t0 = time.perf_counter()
    announce = (lambda text: print(text, file=sys.stderr, flush=True)) if progress else None
    with connect(workers, scheduler, announce=announce) as client, lease(path):
        scan = _prepare(scan, path, resume, overwrite)
        done = read_done(path)
        missing = [idx for idx in block_indices(scan) if not done[done_index(idx)]]
        text = scan.config.model_dump_json()
        results = _compute(text, str(path), missing, client, BlockProgress(len(missing), enabled=progress))
    n_llp = len(scan.scenario.llp_species) or 1  # LLP decay probabilities per event and point
    evals = sum(r["points"] for r in results) * scan.config.events * n_llp
    return RunReport(path, len(missing), done.size, time.perf_counter() - t0, evals)


def _compute(text: str, path: str, blocks, client, bar: BlockProgress) -> list[dict]:
    """Run one ``compute_and_store`` task per block; results in block order."""
    if not blocks:
        return []
    if client is None:
        tasks = [dask.delayed(compute_and_store, pure=True)(text, path, idx) for idx in blocks]
        with _Counting(bar):
            return list(dask.compute(*tasks, scheduler="threads"))
    from distributed import as_completed

    # pure: a resubmitted block (after a lost worker) is the same key; the scheduler retries it
    futures = [client.submit(compute_and_store, text, path, idx, pure=True, key=f"llpscan-block-{'-'.join(map(str, idx)) or '0'}-{_short(text)}")
               for idx in blocks]
    for _ in as_completed(futures):
        bar.advance()
    return client.gather(futures)


def _short(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:12]


class _Counting(Callback):
    """Advances the progress line as the threaded scheduler finishes block tasks."""

    def __init__(self, bar: BlockProgress):
        super().__init__()
        self.bar = bar

    def _posttask(self, key, result, dsk, state, worker_id):
        if isinstance(result, dict) and "index" in result:
            self.bar.advance()
