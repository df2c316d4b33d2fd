"""Task functions that dask runs: importable from the installed package so that workers can unpickle
them (the distributed scheduler unpickles graphs, so task code cannot live in a script or a test).

Tasks receive the resolved :class:`~llpscan.scanner.config.Scan` itself, scenario instance
included, not a name to look up: a worker never consults a registry, so a scenario registered at
run time (a script, a notebook, a plugin) runs on any cluster that can unpickle it.
"""

from __future__ import annotations

import time

import numpy as np
import zarr

from llpscan.scanner.config import Scan
from llpscan.scanner.grid import block_slices, compute_block, done_index

__all__ = ["compute_and_store", "scan_on_worker"]


def scan_on_worker(scan: Scan) -> Scan:
    """The scan itself: a cluster task whose result every block task depends on.

    Unlike scattered data, a task result is recomputed from its spec if the worker holding it
    dies, so a lost worker costs only its own tasks.
    """
    return scan


def compute_and_store(scan: Scan, path: str, index: tuple[int, ...], run_id: str | None = None) -> dict:
    """Compute one block, write its acceptance region, then (only then) set its done flag.

    Writes every chunk of the block, NaN-only ones included (a store with checksums treats a
    missing chunk of a finished block as damage).

    With ``run_id``, nothing is written unless the store is still stamped with it: a task left
    running by an interrupted run never writes into a store that a newer run has taken over.
    """
    t0 = time.perf_counter()
    index = tuple(index)
    mean, err = compute_block(scan, index)
    seconds = time.perf_counter() - t0
    group = zarr.open_group(path, mode="r+")
    if run_id is not None and group.attrs.get("run_id") != run_id:
        return {"index": index, "points": 0, "seconds": seconds, "skipped": True}
    region = (slice(None), *block_slices(scan, index))
    for name, values in (("acceptance", mean), ("acceptance_err", err)):
        # every chunk written, even all-NaN (closed) ones: a missing chunk of a done block is damage
        group[name].with_config({"write_empty_chunks": True})[region] = values
    group["done"][done_index(index)] = 1
    evaluated = int((~np.isnan(mean)).sum())  # (search, mass, lifetime) points computed
    return {"index": index, "points": evaluated, "seconds": seconds}

