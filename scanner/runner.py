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
import uuid
from dataclasses import dataclass

import dask
import numpy as np
from dask.callbacks import Callback

from llpscan.scanner.backends import connect
from llpscan.scanner.config import Scan, ScanConfig, resolve
from llpscan.errors import ConfigError, LLPScanError, StoreError
from llpscan.scanner.grid import block_indices, done_index
from llpscan.scanner.store import Location, completeness, create_store, lease, locate, read_attrs, read_done, stamp_run
from llpscan.scanner.progress import BlockProgress
from llpscan.scanner.tasks import compute_and_store, scan_on_worker

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
            if done == total:
                raise StoreError(f"{path} exists (complete); use --overwrite to recompute it or another --out")
            raise StoreError(f"{path} exists (partial: {done}/{total} blocks); use --resume to finish it "
                             "or --overwrite to recompute it")
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
    target directory, the scheduler connection, the lock, and an existing store's identity. Each
    run stamps the store with a fresh ``run_id``; its tasks write only while the stamp is theirs,
    and the lock is released only after every task of the run has stopped.
    """
    scan = resolve(config)
    path = locate(store if store is not None else f"{config.scenario}.zarr")
    path.check_parent()
    t0 = time.perf_counter()
    run_id = uuid.uuid4().hex
    announce = (lambda text: print(text, file=sys.stderr, flush=True)) if progress else None
    with connect(workers, scheduler, announce=announce) as client, lease(path):
        scan = _prepare(scan, path, resume, overwrite)
        stamp_run(path, run_id)
        done = read_done(path)
        missing = [idx for idx in block_indices(scan) if not done[done_index(idx)]]
        bar = BlockProgress(len(missing), enabled=progress)
        try:
            results = _compute(scan, path.url, missing, client, bar, run_id)
        except (LLPScanError, KeyboardInterrupt):
            raise
        except Exception as e:  # a block failed: say which and why, in one line
            hint = " (is the store reachable from every worker, at the same path?)" if isinstance(e, OSError) else ""
            raise StoreError(f"a block failed: {type(e).__name__}: {e}{hint}; the store keeps the finished "
                             f"blocks, rerun with --resume") from None
        finally:
            bar.close()
    n_llp = len(scan.scenario.llp_species) or 1  # LLP decay probabilities per event and point
    evals = sum(r["points"] for r in results) * scan.config.events * n_llp
    return RunReport(path, len(missing), done.size, time.perf_counter() - t0, evals)


def _compute(scan: Scan, url: str, blocks, client, bar: BlockProgress, run_id: str) -> list[dict]:
    """Run one ``compute_and_store`` task per block; results in block order.

    The scan (scenario included) travels with the tasks: on a cluster it is the result of one task
    that the block tasks depend on (recomputed if its worker dies), so it is sent once per worker,
    whichever scenario it is and wherever it was defined.
    """
    if not blocks:
        return []
    if client is None:
        tasks = [dask.delayed(compute_and_store, pure=False)(scan, url, idx, run_id) for idx in blocks]
        with _Counting(bar, {t.key for t in tasks}):
            return list(dask.compute(*tasks, scheduler="threads"))
    from distributed import as_completed

    # keys unique to this run: two runs of one config on one cluster never share results
    shipped = client.submit(scan_on_worker, scan, key=f"llpscan-{run_id[:16]}-scan", pure=False)
    # on every worker before the blocks are placed: otherwise locality sends them all to its holder
    client.replicate([shipped])
    futures = [client.submit(compute_and_store, shipped, url, idx, run_id,
                             key=f"llpscan-{run_id[:16]}-block-{'-'.join(map(str, idx)) or '0'}")
               for idx in blocks]
    try:
        for fut in as_completed(futures):
            fut.result()  # raises the block's error here
            bar.advance()
        return client.gather(futures)
    except BaseException:
        client.cancel([*futures, shipped])
        _wait_until_stopped(client, {f.key for f in futures})
        raise
    finally:
        client.cancel(shipped)  # the cluster may keep running other work: do not leave the scan in its memory


def _wait_until_stopped(client, keys, timeout: float = 60.0) -> None:
    """Wait until no worker runs any of ``keys`` (cancelled tasks that already started finish)."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        try:
            running = {k for tasks in client.processing().values() for k in tasks}
        except Exception:  # noqa: BLE001 - the scheduler is gone: nothing more will run
            return
        if not running & keys:
            return
        time.sleep(0.1)


class _Counting(Callback):
    """Advances the progress line as the threaded scheduler finishes this run's block tasks."""

    def __init__(self, bar: BlockProgress, keys: set):
        super().__init__()
        self.bar = bar
        self.keys = keys

    def _posttask(self, key, result, dsk, state, worker_id):
        if key in self.keys:
            self.bar.advance()
