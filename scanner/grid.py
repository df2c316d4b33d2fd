"""From a resolved scan to arrays: dimensions, blocks of the mass grid, and the block computation.

The acceptance lives on ``(search, *mass axes, *lifetime axes)``. It is computed in blocks that
split only the mass axes: a block generates the events of each of its mass points once and
evaluates every search at every lifetime point from them. Blocks are the unit of work, of storage
(one zarr chunk each) and of the ``done`` mask.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from llpscan.physics.kinematics import event_rng
from llpscan.scanner.config import Scan

__all__ = ["acceptance_dims", "block_chunks", "block_grid", "block_indices", "block_slices", "done_index",
           "compute_block", "variable_values"]

# Work per task, in per-LLP decay-probability evaluations: about a second on one core
# (benchmarks/bench_acceptance.py measures 4e7 evaluations/s per core), so scheduler overhead
# (about 1 ms per task threaded, tens of ms distributed) stays far below 10%.
TARGET_EVALUATIONS_PER_BLOCK = 4e7


def acceptance_dims(scan: Scan) -> tuple[str, ...]:
    return ("search", *scan.mass_axes, *scan.lifetime_axes)


def block_chunks(scan: Scan) -> dict[str, int]:
    """Chunk size along every mass axis: the user's ``chunks``, else about one second of work.

    Chunks grow along the last mass axis first; lifetime axes are never split (their points share
    the events of a mass point).
    """
    n_life = math.prod(len(scan.axes[a]) for a in scan.lifetime_axes)
    n_llp = len(scan.scenario.llp_species) or 1
    per_point = scan.config.events * n_life * len(scan.searches) * n_llp
    want = max(1, int(TARGET_EVALUATIONS_PER_BLOCK // per_point))
    chunks = {}
    for name in reversed(scan.mass_axes):
        size = min(len(scan.axes[name]), want)
        chunks[name] = size
        want = max(1, want // size)
    chunks.update({k: v for k, v in scan.config.chunks.items() if k in scan.mass_axes})
    return {name: chunks[name] for name in scan.mass_axes}


def block_grid(scan: Scan) -> tuple[int, ...]:
    """Number of blocks along each mass axis."""
    chunks = block_chunks(scan)
    return tuple(math.ceil(len(scan.axes[a]) / chunks[a]) for a in scan.mass_axes)


def block_indices(scan: Scan):
    """Every block index, in order: tuples over the mass axes (one empty tuple if there are none)."""
    return list(np.ndindex(*block_grid(scan)))


def done_index(index: tuple[int, ...]) -> tuple[int, ...]:
    """Position of a block's flag in the ``done`` array (which is 1-D with one flag if no mass axis)."""
    return index if index else (0,)


def block_slices(scan: Scan, index: tuple[int, ...]) -> tuple[slice, ...]:
    chunks = block_chunks(scan)
    return tuple(slice(i * chunks[a], min((i + 1) * chunks[a], len(scan.axes[a]))) for i, a in zip(index, scan.mass_axes))


def compute_block(scan: Scan, index: tuple[int, ...]):
    """Acceptance and its MC error for one block: two arrays (search, *block masses, *lifetimes).

    Kinematically closed mass points are NaN (masked). Deterministic: each mass point's events
    come from ``event_rng(seed, masses)``, whatever the block, worker or order.
    """
    sc = scan.scenario
    slices = block_slices(scan, index)
    mass_values = [scan.axes[a][s] for a, s in zip(scan.mass_axes, slices)]
    life_shape = tuple(len(scan.axes[a]) for a in scan.lifetime_axes)
    life_grid = np.meshgrid(*(scan.axes[a] for a in scan.lifetime_axes), indexing="ij")
    shape = (len(scan.searches), *(len(v) for v in mass_values), *life_shape)
    mean = np.full(shape, np.nan)
    err = np.full(shape, np.nan)
    fixed_masses = {k: v for k, v in scan.fixed.items() if k in sc.names("mass")}
    fixed_life = {k: v for k, v in scan.fixed.items() if k in sc.names("lifetime")}
    for pos in itertools.product(*(range(len(v)) for v in mass_values)):
        masses = {**fixed_masses, **{a: float(v[i]) for a, v, i in zip(scan.mass_axes, mass_values, pos)}}
        if not sc.kinematically_open(**masses):
            continue
        events = sc.events(masses, scan.config.events, event_rng(scan.config.seed, masses))
        params = {**masses, **fixed_life, **{a: g.ravel() for a, g in zip(scan.lifetime_axes, life_grid)}}
        shared = {}  # searches with equal geometry share one evaluation on these events
        for k, label in enumerate(scan.searches):
            search = sc.search(label)
            key = sc.acceptance_key(search)
            if key not in shared:
                shared[key] = sc.acceptance(search, events, params)
            m, e = shared[key]
            mean[(k, *pos)] = m.reshape(life_shape)
            err[(k, *pos)] = e.reshape(life_shape)
    return mean, err


def variable_values(scan: Scan, variable):
    """A cheap variable on the grid: (dims, numpy array). Dims are the axes it depends on."""
    dims = [p for p in scan.axes if p in variable.params]
    args = {}
    for p in variable.params:
        if p in scan.axes:
            shape = [1] * len(dims)
            shape[dims.index(p)] = len(scan.axes[p])
            args[p] = scan.axes[p].reshape(shape)
        else:
            args[p] = np.float64(scan.fixed[p])
    full = tuple(len(scan.axes[d]) for d in dims)
    if variable.per_search:
        sc = scan.scenario
        values = np.stack([np.broadcast_to(variable.fn(sc.search(s), **args), full) for s in scan.searches])
        return ("search", *dims), values
    return tuple(dims), np.broadcast_to(variable.fn(**args), full).copy()
