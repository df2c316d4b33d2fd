"""From a resolved scan to arrays: dimensions, blocks of the grid, and the block computation.

The acceptance lives on ``(search, *mass axes, *lifetime axes)``. It is computed in blocks: a block
generates the events of each of its mass points once and evaluates every search at every lifetime
point of the block from them. Blocks split the mass axes, and the lifetime axes too when a scan has
fewer mass points than blocks it should have (:func:`block_chunks`): a point's value never depends on
the split, because each mass point's events come from its own generator and each lifetime point's
sums run over those events in order. Blocks are the unit of work, of storage (one zarr chunk each)
and of the ``done`` mask.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from llpscan.physics.kinematics import event_rng
from llpscan.scanner.config import Scan
from llpscan.scanner.store import done_index

__all__ = ["acceptance_dims", "block_axes", "block_chunks", "block_grid", "block_indices", "block_slices",
           "done_index", "compute_block", "variable_values", "EVENT_BATCH"]

# Work per block, in per-LLP decay-probability evaluations: about a second on one core for the
# vectorised kernels (benchmarks/bench_scan.py measures 6-9e8 evaluations/s per core with event
# generation included), so scheduler and zarr overhead (about 1-10 ms per block threaded, tens of ms
# distributed) stays far below 10%.
TARGET_EVALUATIONS_PER_BLOCK = 6e8
#: a scan with enough work has at least this many blocks, so that a few mass points still keep 2-8
#: cores busy (the lifetime axes are split when the mass axes alone give fewer blocks) ...
MIN_BLOCKS = 8
#: ... as long as every block keeps this much work (below it the per-block overhead would show)
MIN_EVALUATIONS_PER_BLOCK = TARGET_EVALUATIONS_PER_BLOCK / 32
#: a lifetime axis is not cut into pieces of fewer points than this (the kernels vectorise across
#: lifetime points, 8 per AVX-512 instruction; smaller pieces also repeat the event generation)
MIN_LIFETIME_CHUNK = 64
#: events generated and evaluated at a time: memory per task stays flat in the number of events
EVENT_BATCH = 1 << 13


def acceptance_dims(scan: Scan) -> tuple[str, ...]:
    return ("search", *scan.mass_axes, *scan.lifetime_axes)


def _evaluations_per_mass_point(scan: Scan) -> int:
    n_life = math.prod(len(scan.axes[a]) for a in scan.lifetime_axes)
    n_llp = len(scan.scenario.llp_species) or 1
    return scan.config.events * n_life * len(scan.searches) * n_llp


def block_chunks(scan: Scan) -> dict[str, int]:
    """Chunk size along every mass and lifetime axis: the user's ``chunks``, else automatic.

    Automatic: about :data:`TARGET_EVALUATIONS_PER_BLOCK` of work per block, and at least
    :data:`MIN_BLOCKS` blocks while each keeps :data:`MIN_EVALUATIONS_PER_BLOCK`. Mass axes are split
    first (the last one first); lifetime axes only when the mass points alone give too few blocks,
    in pieces of at least :data:`MIN_LIFETIME_CHUNK` points. A pure function of the scan (never of
    the machine), so every worker agrees on the blocks.
    """
    per_point = _evaluations_per_mass_point(scan)
    n_mass = math.prod(len(scan.axes[a]) for a in scan.mass_axes)
    total = per_point * n_mass
    want_blocks = max(1, math.ceil(total / TARGET_EVALUATIONS_PER_BLOCK),
                      min(MIN_BLOCKS, int(total // MIN_EVALUATIONS_PER_BLOCK)))
    per_block = max(1, min(int(TARGET_EVALUATIONS_PER_BLOCK // per_point), n_mass // want_blocks))
    chunks = {}
    want = per_block
    for name in reversed(scan.mass_axes):
        size = min(len(scan.axes[name]), want)
        chunks[name] = size
        want = max(1, want // size)
    chunks.update({k: v for k, v in scan.config.chunks.items() if k in scan.mass_axes})
    n_mass_blocks = math.prod(math.ceil(len(scan.axes[a]) / chunks[a]) for a in scan.mass_axes)
    split = max(1, math.ceil(want_blocks / n_mass_blocks))
    for name in scan.lifetime_axes:
        n = len(scan.axes[name])
        pieces = max(1, min(split, n // MIN_LIFETIME_CHUNK))
        chunks[name] = math.ceil(n / pieces)
        split = max(1, math.ceil(split / pieces))
    chunks.update({k: v for k, v in scan.config.chunks.items() if k in scan.lifetime_axes})
    return {name: chunks[name] for name in (*scan.mass_axes, *scan.lifetime_axes)}


def block_axes(scan: Scan) -> tuple[str, ...]:
    """The axes along which blocks are indexed: every mass axis, and the lifetime axes that are split."""
    chunks = block_chunks(scan)
    return (*scan.mass_axes, *(a for a in scan.lifetime_axes if chunks[a] < len(scan.axes[a])))


def block_grid(scan: Scan) -> tuple[int, ...]:
    """Number of blocks along each of :func:`block_axes`."""
    chunks = block_chunks(scan)
    return tuple(math.ceil(len(scan.axes[a]) / chunks[a]) for a in block_axes(scan))


def block_indices(scan: Scan):
    """Every block index, in order: tuples over :func:`block_axes` (one empty tuple if there are none)."""
    return list(np.ndindex(*block_grid(scan)))


def block_slices(scan: Scan, index: tuple[int, ...]) -> tuple[slice, ...]:
    """The block's slices along every mass and lifetime axis (acceptance dims after ``search``)."""
    chunks = block_chunks(scan)
    at = dict(zip(block_axes(scan), index))
    out = []
    for a in (*scan.mass_axes, *scan.lifetime_axes):
        i = at.get(a, 0)
        out.append(slice(i * chunks[a], min((i + 1) * chunks[a], len(scan.axes[a]))))
    return tuple(out)


def _streams(sc) -> bool:
    """True if the scenario's acceptance goes through its accumulators (the base protocol, or a
    scenario that overrides :meth:`accumulator`); one that overrides only ``acceptance`` sees all
    events at once."""
    from llpscan.detectors.scenario import Scenario

    cls = type(sc)
    return cls.acceptance is Scenario.acceptance or cls.accumulator is not Scenario.accumulator


def compute_block(scan: Scan, index: tuple[int, ...]):
    """Acceptance and its MC error for one block: two arrays (search, *block masses, *block lifetimes).

    Kinematically closed mass points are NaN (masked). Deterministic: each mass point's events
    come from ``event_rng(seed, masses)``, whatever the block, worker or order, and are evaluated in
    batches of :data:`EVENT_BATCH` events, in order (the same bits as all at once).
    """
    sc = scan.scenario
    slices = block_slices(scan, index)
    n_mass = len(scan.mass_axes)
    mass_values = [scan.axes[a][s] for a, s in zip(scan.mass_axes, slices[:n_mass])]
    life_values = [scan.axes[a][s] for a, s in zip(scan.lifetime_axes, slices[n_mass:])]
    life_shape = tuple(len(v) for v in life_values)
    life_grid = np.meshgrid(*life_values, indexing="ij")
    shape = (len(scan.searches), *(len(v) for v in mass_values), *life_shape)
    mean = np.full(shape, np.nan)
    err = np.full(shape, np.nan)
    fixed_masses = {k: v for k, v in scan.fixed.items() if k in sc.names("mass")}
    fixed_life = {k: v for k, v in scan.fixed.items() if k in sc.names("lifetime")}
    streams = _streams(sc)
    for pos in itertools.product(*(range(len(v)) for v in mass_values)):
        masses = {**fixed_masses, **{a: float(v[i]) for a, v, i in zip(scan.mass_axes, mass_values, pos)}}
        if not sc.kinematically_open(**masses):
            continue
        params = {**masses, **fixed_life, **{a: g.ravel() for a, g in zip(scan.lifetime_axes, life_grid)}}
        keys = {}  # searches with equal geometry share one evaluation on these events
        for label in scan.searches:
            keys.setdefault(sc.acceptance_key(sc.search(label)), sc.search(label))
        rng = event_rng(scan.config.seed, masses)
        accs = {key: sc.accumulator(search, params) for key, search in keys.items()} if streams else {}
        if streams and all(acc is not None for acc in accs.values()):
            for batch in sc.event_batches(masses, scan.config.events, rng, EVENT_BATCH):
                for acc in accs.values():
                    acc.add(batch)
            shared = {key: acc.result() for key, acc in accs.items()}
        else:
            events = sc.events(masses, scan.config.events, rng)
            shared = {key: sc.acceptance(search, events, params) for key, search in keys.items()}
        for k, label in enumerate(scan.searches):
            m, e = shared[sc.acceptance_key(sc.search(label))]
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
