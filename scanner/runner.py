"""Running a scan: validate, create or reopen the store, compute the missing blocks, report.

Execution backends (:mod:`scanner.backends`): dask's threaded scheduler by default;
``workers=N`` starts a ``distributed.LocalCluster`` of N processes; ``scheduler=ADDRESS|FILE`` uses
an existing cluster; an active ``distributed.Client`` is honoured. Each task computes one block, writes its region and then
its ``done`` flag, so an interrupted run keeps what it finished and ``resume`` computes the rest.
"""

from __future__ import annotations

import errno
import json
import os
import sys
import time
import uuid
from dataclasses import dataclass

import dask
import numpy as np
from dask.callbacks import Callback

from llpscan.errors import (ArgumentTypeError, ClusterError, ConfigError, LLPScanError, ResourceLimit, StorageError,
                            StoreError)
from llpscan.scanner.backends import connect
from llpscan.scanner.config import Scan, ScanConfig, resolve
from llpscan.scanner.grid import block_indices, done_index
from llpscan.scanner.budget import Estimate, check_limits
from llpscan.scanner.progress import BlockProgress
from llpscan.scanner.store import (Location, check_versions, create_store, free_bytes, lease, locate, presence,
                                   read_attrs, read_done, record_version_change, remove_leftovers, repair_for_resume,
                                   replace_store, stamp_run)
from llpscan.scanner.tasks import compute_and_store, scan_on_worker
from llpscan.scanner.wording import flag

__all__ = ["RunReport", "run_scan", "check_run_arguments"]

#: errno values that mean the file system refused the store (the user's to fix), not a bug
_STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.EIO,
                   errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.ENAMETOOLONG, errno.EMFILE, errno.ENFILE,
                   errno.EFBIG, errno.ESTALE}
#: LocalCluster workers per core beyond which --workers is refused without allow_large
_WORKERS_PER_CORE = 4


@dataclass
class RunReport:
    store: Location
    blocks_run: int
    blocks_total: int
    wall_seconds: float
    evaluations: int  # per-LLP decay-probability evaluations (events x points x LLPs)
    estimate: Estimate | None = None

    @property
    def rate(self) -> float:
        return self.evaluations / self.wall_seconds if self.wall_seconds > 0 else float("nan")


def check_run_arguments(*, resume, overwrite, workers, scheduler, progress, allow_large, allow_version_change) -> None:
    """Types and combinations of :func:`run_scan`'s options (``overwrite="no"`` is not True)."""
    for name, value in (("resume", resume), ("overwrite", overwrite), ("progress", progress),
                        ("allow_large", allow_large), ("allow_version_change", allow_version_change)):
        if not isinstance(value, (bool, np.bool_)):
            raise ArgumentTypeError(f"{name} must be True or False, got {value!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, (int, np.integer))):
        raise ArgumentTypeError(f"workers must be a whole number or None, got {workers!r}")
    if scheduler is not None and not isinstance(scheduler, (str, os.PathLike)):
        raise ArgumentTypeError(f"scheduler must be an address or a scheduler-file path, got {scheduler!r}")
    if resume and overwrite:
        raise ConfigError(f"{flag('resume')} and {flag('overwrite')} exclude each other: resume finishes the store "
                          "as it is, overwrite recomputes it from scratch")
    if workers is not None and scheduler is not None:
        raise ConfigError(f"{flag('workers', workers)} and {flag('scheduler', scheduler)} exclude each other")
    if workers is not None and workers < 1:
        raise ConfigError(f"{flag('workers', workers)}: need at least 1")
    cores = os.cpu_count() or 1
    if workers is not None and workers > _WORKERS_PER_CORE * cores and not allow_large:
        raise ResourceLimit(f"{flag('workers', workers)}: this machine has {cores} cores; more than "
                            f"{_WORKERS_PER_CORE * cores} worker processes only compete for them "
                            f"(pass {flag('allow_large')} to start them anyway)")


def _own(loc: Location, what: str = "") -> dict:
    """The attrs of an existing llpscan store at ``loc``; refuse anything else (never touch it)."""
    try:
        return read_attrs(loc)
    except StoreError:
        raise StoreError(f"{loc} exists and is not an llpscan store{what}; refusing to touch it "
                         f"(choose another {flag('out')}, or move it away)") from None


def _create(scan: Scan, loc: Location, est: Estimate) -> None:
    free = free_bytes(loc)
    if free < est.store_bytes:
        raise StorageError(f"{loc}: the file system has {free / 1e6:.3g} MB free; the store needs about "
                           f"{est.store_bytes / 1e6:.3g} MB")
    create_store(scan, loc)


def _continue(scan: Scan, loc: Location, attrs: dict, allow_version_change: bool) -> Scan:
    """The scan in the store's own blocks, after checking versions and repairing what verify or a
    listing found (missing chunks of done blocks, damaged coordinates or variables)."""
    stored = json.loads(attrs["block_chunks"])
    asked = {k: v for k, v in scan.config.chunks.items() if k in stored}
    if any(stored[k] != v for k, v in asked.items()):
        raise ConfigError(f"{loc} was written in blocks of {stored}; resume it with the same "
                          f"{flag('chunks')} (or none)")
    scan = resolve(scan.config.model_copy(update={"chunks": stored}))
    done = read_done(loc, strict=False)
    problems = presence(loc, attrs, done)
    if not done.all() or problems or json.loads(attrs.get("damaged_arrays", "[]")):
        diff = check_versions(loc, attrs, allow_change=allow_version_change)
        if diff:
            record_version_change(loc, diff, int(done.sum()))
        repair_for_resume(scan, loc, attrs, problems)
    return scan


def _prepare(scan: Scan, path: Location, resume: bool, overwrite: bool, allow_version_change: bool,
             est: Estimate) -> tuple[Location, Scan]:
    """Where this run writes (the store, or ``STORE.new`` while an overwrite is unfinished), and the
    scan in that store's blocks. Refuses, before writing, anything it should not touch."""
    aside = path.aside()
    remove_leftovers(path)
    if overwrite:
        if path.exists():
            _own(path)
        if aside.exists():
            _own(aside, " (an unfinished overwrite would be here)")
            aside.remove()  # an earlier overwrite's partial store: this one starts afresh
        target = aside if path.exists() else path
        _create(scan, target, est)
        return target, scan
    if aside.exists():
        attrs = _own(aside, " (an unfinished overwrite would be here)")
        if not resume:
            raise StoreError(f"{aside} holds an unfinished {flag('overwrite')} of {path}; finish it with "
                             f"{flag('resume')} or restart it with {flag('overwrite')}")
        if attrs.get("config_hash") != scan.hash():
            raise StoreError(f"{aside} holds an unfinished overwrite of {path} with a different config; restart it "
                             f"with {flag('overwrite')}")
        return aside, _continue(scan, aside, attrs, allow_version_change)
    if path.exists():
        attrs = _own(path)
        if attrs.get("config_hash") != scan.hash():
            raise StoreError(f"{path} holds a scan with a different config (or llpscan version); "
                             f"use {flag('overwrite')} to replace it or another {flag('out')}")
        if not resume:
            done = read_done(path, strict=False)
            n, total = int(done.sum()), int(done.size)
            if n == total:
                raise StoreError(f"{path} exists (complete); use {flag('overwrite')} to recompute it or another {flag('out')}")
            raise StoreError(f"{path} exists (partial: {n}/{total} blocks); use {flag('resume')} to finish it "
                             f"or {flag('overwrite')} to recompute it")
        return path, _continue(scan, path, attrs, allow_version_change)
    _create(scan, path, est)
    return path, scan


def _failure(e: BaseException, target: Location, path: Location) -> LLPScanError | None:
    """The user-facing error for an exception raised by a block, or None for a bug (re-raised as is)."""
    kept = (f"the old store {path} is untouched; the new one is {target}: finish it with {flag('resume')}"
            if target != path else f"the store keeps its finished blocks: rerun with {flag('resume')}")
    name = type(e).__name__
    if name == "KilledWorker":
        return ClusterError(f"a dask worker died running a block ({e}): out of memory or killed? see the worker logs; {kept}")
    if isinstance(e, OSError) and e.errno in _STORAGE_ERRNOS:
        where = f" ({e.filename})" if e.filename else ""
        hint = " (is the store reachable from every worker, at the same path?)" if e.errno == errno.ENOENT else ""
        return StorageError(f"{target}: {e.strerror}{where} while writing a block{hint}; {kept}")
    if isinstance(e, (OSError, TimeoutError)) or name in ("CommClosedError", "FutureCancelledError", "CancelledError"):
        return ClusterError(f"lost the dask cluster while running the blocks ({name}: {e}); {kept}")
    if isinstance(e, MemoryError):
        return ResourceLimit(f"out of memory while running a block: use fewer events or a smaller {flag('chunks')}; {kept}")
    return None


def run_scan(config: ScanConfig, store=None, *, resume: bool = False, overwrite: bool = False,
             workers: int | None = None, scheduler: str | None = None, progress: bool = True,
             allow_large: bool = False, allow_version_change: bool = False) -> RunReport:
    """Run ``config`` into ``store`` (default ``<scenario>.zarr``) and return a report.

    Everything that can be checked is checked before the store is touched: the arguments, the
    config, the size of the scan (:func:`~llpscan.scanner.budget.check_limits`), the target
    directory and its free space, the scheduler connection, the lock, and an existing store's
    identity, config and library versions. Each run stamps the store with a fresh ``run_id``;
    its tasks write only while the stamp is theirs, and the lock is released only after every
    task of the run has stopped. ``overwrite`` builds the new store beside the old one
    (``STORE.new``) and swaps it in only when it is complete; ``resume`` finishes an interrupted
    overwrite the same way.
    """
    check_run_arguments(resume=resume, overwrite=overwrite, workers=workers, scheduler=scheduler, progress=progress,
                        allow_large=allow_large, allow_version_change=allow_version_change)
    if not isinstance(config, ScanConfig):
        raise ArgumentTypeError(f"config must be a ScanConfig, got {type(config).__name__}")
    scan = resolve(config)
    est = check_limits(scan, allow_large=allow_large, cores=workers, local=scheduler is None)
    path = locate(store if store is not None else f"{config.scenario}.zarr")
    path.check_parent()
    t0 = time.perf_counter()
    run_id = uuid.uuid4().hex
    announce = (lambda text: print(text, file=sys.stderr, flush=True)) if progress else None
    with connect(workers, scheduler, announce=announce) as client, lease(path):
        try:
            target, scan = _prepare(scan, path, resume, overwrite, allow_version_change, est)
            stamp_run(target, run_id)
            done = read_done(target, strict=False)
        except OSError as e:
            raise StorageError(f"{path}: {e.strerror or e}" + (f" ({e.filename})" if e.filename else "")
                               + "; nothing was computed") from None
        missing = [idx for idx in block_indices(scan) if not done[done_index(idx)]]
        bar = BlockProgress(len(missing), enabled=progress)
        try:
            results = _compute(scan, target.url, missing, client, bar, run_id)
        except (LLPScanError, KeyboardInterrupt):
            raise
        except Exception as e:
            err = _failure(e, target, path)
            if err is None:
                raise  # a bug: the command line keeps its traceback
            raise err from None
        finally:
            bar.close()
        if target != path:
            try:
                replace_store(path, target)
            except OSError as e:
                raise StorageError(f"the new store is complete at {target} but could not replace {path}: "
                                   f"{e.strerror or e}") from None
    n_llp = len(scan.scenario.llp_species) or 1  # LLP decay probabilities per event and point
    evals = sum(r["points"] for r in results) * scan.config.events * n_llp
    return RunReport(path, len(missing), done.size, time.perf_counter() - t0, evals, est)


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
