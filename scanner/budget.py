"""Size guards: what a scan will cost, estimated and checked before the first byte is written.

A typo in an axis (``lin:0.5:2:100000`` for ``:100``) must not start a scan of a hundred hours
or fill the memory. :func:`estimate` counts the work and the memory of a resolved scan from its
sizes alone (nothing is computed); :func:`check_limits` refuses a scan above the limits with one
line that says what it would cost, unless ``allow_large`` (``--allow-large``) lifts them.

- work: per-LLP decay-probability evaluations = events x mass points x lifetime points x searches
  x LLPs, at :data:`EVALUATIONS_PER_CORE_SECOND` on one core (``benchmarks/bench_acceptance.py``);
- memory per block in flight: the events of one mass point and the block's results;
- grid: points of the whole grid (the cheap variables are computed on it eagerly);
- blocks: tasks, and files of the store.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from llpscan.errors import ResourceLimit
from llpscan.scanner.config import Scan
from llpscan.scanner.grid import EVENT_BATCH, block_chunks, block_grid
from llpscan.scanner.wording import flag

__all__ = ["Estimate", "estimate", "check_limits", "LIMITS", "EVALUATIONS_PER_CORE_SECOND", "BYTES_PER_EVENT",
           "BYTES_PER_EVENT_AND_LIFETIME", "physical_memory", "duration"]

#: decay-probability evaluations per second on one core, for the time estimate: a whole
#: belle2-alp-hnl scan ran at 4.3e8 on one core of a 2-core AVX-512 machine and the kernels at
#: 3.2e8-5e8 without AVX-512 (benchmarks/bench_scan.py, bench_acceptance.py --no-avx512); 1e8
#: leaves room for slower searches and machines, so a refusal errs on the side of asking
EVALUATIONS_PER_CORE_SECOND = 1e8
#: peak memory of one mass point per Monte-Carlo event, the events and their geometry: measured
#: with tracemalloc over compute_block for every shipped preset at 2e3 and 2e4 events, 0.28 to
#: 1.04 kB (the invisible searches highest); rounded up
BYTES_PER_EVENT = 1_200
#: ... plus per event and lifetime point: the invisible search keeps an (events, lifetime) array
#: (measured 13 B per event and point at 1000 lifetime points; the closed-form kernels keep none)
BYTES_PER_EVENT_AND_LIFETIME = 16

#: what a scan may cost before it needs ``allow_large``; a physicist's laptop run of a preset
#: needs minutes (the largest shipped preset: about 2 core-minutes)
LIMITS = {
    "core_hours": 8.0,          # single-core hours of evaluations (4 h on 2 cores)
    "memory_fraction": 0.5,     # of this machine's RAM, for the blocks that run at once here
    "grid_points": 5e7,         # points of the whole grid, searches included (0.4 GB per variable)
    "blocks": 100_000,          # tasks, and three files each in the store
}


@dataclass(frozen=True)
class Estimate:
    """What a scan costs; sizes are counts, memory in bytes, time in seconds of one core."""

    events: int
    mass_points: int
    lifetime_points: int
    searches: int
    llps: int
    grid_points: int
    blocks: int
    mass_points_per_block: int
    evaluations: float
    core_seconds: float
    block_bytes: float
    store_bytes: float
    lifetime_points_per_block: int = 1

    def wall_seconds(self, cores: int) -> float:
        return self.core_seconds / max(1, min(cores, self.blocks))

    def summary(self, cores: int) -> str:
        return (f"{self.evaluations:.3g} decay-probability evaluations ({self.events:,} events x {self.mass_points:,} "
                f"mass points x {self.lifetime_points:,} lifetime points x {self.searches} searches x {self.llps} LLPs), "
                f"about {duration(self.core_seconds)} of one core ({duration(self.wall_seconds(cores))} on {cores})")


def duration(seconds: float) -> str:
    """A human duration: 40 s, 12 min, 3.5 h, 41 days, 7 years."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    if seconds < 2 * 365.25 * 86400:
        return f"{seconds / 86400:.0f} days"
    return f"{seconds / (365.25 * 86400):.3g} years"


def _size(n: float) -> str:
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:.0f} B"


def physical_memory() -> float:
    """Bytes of RAM on this machine (inf where the OS does not say)."""
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return math.inf


def estimate(scan: Scan) -> Estimate:
    """Work and memory of ``scan`` from its sizes (no event is generated)."""
    n_mass = math.prod(len(scan.axes[a]) for a in scan.mass_axes)
    n_life = math.prod(len(scan.axes[a]) for a in scan.lifetime_axes)
    n_search = len(scan.searches)
    n_llp = len(scan.scenario.llp_species) or 1
    events = scan.config.events
    grid_points = n_search * math.prod(len(v) for v in scan.axes.values())
    chunks = block_chunks(scan)
    blocks = math.prod(block_grid(scan)) or 1
    per_block = math.prod(chunks[a] for a in scan.mass_axes) if scan.mass_axes else 1
    life_block = math.prod(chunks[a] for a in scan.lifetime_axes) if scan.lifetime_axes else 1
    evaluations = float(events) * n_mass * n_life * n_search * n_llp
    # one batch of one mass point's events at a time (grid.EVENT_BATCH) against the block's piece of
    # the lifetime axes, and the block's two result arrays
    batch = min(events, EVENT_BATCH)
    block_bytes = (batch * (BYTES_PER_EVENT + BYTES_PER_EVENT_AND_LIFETIME * life_block)
                   + 16.0 * n_search * per_block * life_block)
    # uncompressed acceptance and error, the cheap variables (at most the grid each), and a file
    # system block (4 kB) per file: two per array (metadata, chunk), three per block
    n_vars = len(scan.scenario.variables)
    n_arrays = len(scan.scenario.parameters) + 1 + n_vars + 3
    store_bytes = 16.0 * n_search * n_mass * n_life + 8.0 * n_vars * grid_points + 4096.0 * (2 * n_arrays + 3 * blocks)
    return Estimate(events, n_mass, n_life, n_search, n_llp, grid_points, blocks, per_block, evaluations,
                    evaluations / EVALUATIONS_PER_CORE_SECOND, block_bytes, store_bytes, life_block)


def check_limits(scan: Scan, *, allow_large: bool = False, cores: int | None = None, local: bool = True) -> Estimate:
    """The :class:`Estimate` of ``scan``; :class:`ResourceLimit` above :data:`LIMITS` unless ``allow_large``.

    ``cores``: blocks that run at once (default: this machine's cores); ``local``: whether they
    run on this machine (then their memory is compared with its RAM).
    """
    est = estimate(scan)
    cores = cores or os.cpu_count() or 1
    if allow_large:
        return est
    lift = f"or pass {flag('allow_large')} to run it anyway"
    if est.core_seconds > LIMITS["core_hours"] * 3600:
        raise ResourceLimit(f"this scan needs {est.summary(cores)}, above the limit of {LIMITS['core_hours']:g} "
                            f"core-hours; use fewer points or events, {lift}")
    if est.grid_points > LIMITS["grid_points"]:
        sizes = " x ".join(f"{len(v):,} {k}" for k, v in scan.axes.items())
        raise ResourceLimit(f"the grid has {est.grid_points:.3g} points ({sizes} x {est.searches} searches), above "
                            f"the limit of {LIMITS['grid_points']:.3g}; use fewer points, {lift}")
    if est.blocks > LIMITS["blocks"]:
        raise ResourceLimit(f"the scan splits into {est.blocks:,} blocks (chunks {block_chunks(scan)}), above the limit "
                            f"of {LIMITS['blocks']:,}; use larger {flag('chunks')} sizes, {lift}")
    ram = physical_memory()
    at_once = min(cores, est.blocks) if local else 1
    need = est.block_bytes * at_once
    if need > LIMITS["memory_fraction"] * ram:
        raise ResourceLimit(f"the scan needs about {_size(est.block_bytes)} of memory per block (a batch of "
                            f"{min(est.events, EVENT_BATCH):,} events x {est.lifetime_points_per_block:,} lifetime "
                            "points per block)"
                            + (f", {_size(need)} for {at_once} blocks at once" if at_once > 1 else "")
                            + f", more than half of this machine's {_size(ram)}; split the lifetime axis into "
                            f"smaller blocks ({flag('chunks', 'NAME=SIZE')}), {lift}")
    return est
