"""Kernel throughput as a ratio to np.exp in the same process (R = evaluations/s / np.exp values/s), and
event generation.

    python benchmarks/bench_acceptance.py [--events 100000] [--points 200] [--no-avx512]

On one core and on every core (threads splitting the points), each paired with np.exp's rate:
  displaced   1DV kernel (exactly one of two LLPs, belle2-alp-hnl events and geometry): evaluations/s, R
  cascade     NA62 cascade kernel (nu_h -> nu Z', Z' decays before the volume ends)
  invisible   escape probability (one LLP)
  reference   the numpy form of the displaced kernel (numpy's exp/expm1 on (events x points) arrays)
  events      belle2-alp-hnl events (Wang, Zhang & Liu, arXiv:2410.00491): fused chain vs the numpy
              composition (ns/event, same bits checked)

``--no-avx512`` reruns this script in a child process as a machine without AVX-512 would run it: numpy
without its AVX-512 loops (NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR": np.exp falls back
to its scalar loop) and the kernels compiled for an AVX2+FMA CPU (NUMBA_CPU_NAME=haswell, own cache).
The kernels' results are bit-identical either way (tests/detectors/test_vecmath.py); only speed moves.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import best_of, cpu_note, exp_rate  # noqa: E402


def _split(fn, ctau, threads):
    """fn(ctau part) on ``threads`` threads, the points split in contiguous parts."""
    parts = np.array_split(np.arange(ctau.shape[1]), threads)
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda idx: fn(ctau[:, idx]), parts))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--points", type=int, default=200)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-avx512", action="store_true")
    args = ap.parse_args()
    if args.no_avx512:
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR", "NUMBA_CPU_NAME": "haswell",
                   "NUMBA_CPU_FEATURES": "", "NUMBA_CACHE_DIR": cache}
            cmd = [sys.executable, __file__, "--events", str(args.events), "--points", str(args.points), "--reps", str(args.reps)]
            sys.exit(subprocess.call(cmd, env=env))

    from llpscan.detectors.registry import get_scenario
    from llpscan.detectors.searches.displaced import mean_acceptance_reference
    from llpscan.physics.kinematics import event_rng

    n, m = args.events, args.points
    threads = os.cpu_count() or 1
    hnl = get_scenario("belle2-alp-hnl")
    masses = {"m_a": 4.7, "m_N": 2.0}
    ev = hnl.events(masses, n, event_rng(1, masses))
    dv = hnl.search("1DV")
    ctau2 = np.vstack([np.geomspace(1e-3, 1e8, m)] * 2)
    na62 = get_scenario("na62-dark-neutrino")
    nm = {"m_h": 0.3, "m_Zp": 0.1}
    kev = na62.events(nm, n, event_rng(1, nm))
    casc = na62.search("ee")
    cas_ctau = np.vstack([np.geomspace(1e-2, 1e6, m), np.geomspace(1e5, 1e-3, m)])
    inv_sc = get_scenario("belle2-alp-invisible")
    iev = inv_sc.events({"m_a": 1.0}, n, event_rng(1, {"m_a": 1.0}))
    inv = inv_sc.searches[0]
    ctau1 = np.geomspace(1e-3, 1e8, m)[None, :]
    kernels = {
        "displaced (1DV, 2 LLPs)": (lambda c: dv.acceptance(ev, c), ctau2, 2),
        "cascade (NA62)": (lambda c: casc.acceptance(kev, c), cas_ctau, 2),
        "invisible (1 LLP)": (lambda c: inv.acceptance(iev, c), ctau1, 1),
    }
    print(f"# {cpu_note()}")
    print(f"# {n} events x {m} points; R = evaluations/s / np.exp values/s (1e7 doubles, same process)")
    print(f"{'':28s} {'threads':>7s} {'evals/s':>10s} {'np.exp/s':>10s} {'R':>6s}")
    for name, (fn, ctau, k) in kernels.items():
        fn(ctau[:, :8])  # compile or load the cache
        for t in sorted({1, threads}):
            e0 = exp_rate()
            dt = best_of(lambda: _split(fn, ctau, t), args.reps)
            e = 0.5 * (e0 + exp_rate())
            rate = k * n * m / dt
            print(f"{name:28s} {t:7d} {rate:10.3g} {e:10.3g} {rate / e:6.2f}")
    # the numpy reference on fewer events (it holds (events x points) arrays)
    nr = min(n, 20_000)
    sub = {k: v[:nr] for k, v in ev.momenta.items()}
    ivs, pt = dv.intervals(type(ev)(sub, ev.llps, ev.masses, ev.llp_masses))
    e0 = exp_rate()
    dt = best_of(lambda: mean_acceptance_reference(ivs, pt, ctau2, dv.efficiency_r0, dv.mode), 1)
    e = 0.5 * (e0 + exp_rate())
    print(f"{'numpy reference (1DV)':28s} {1:7d} {2 * nr * m / dt:10.3g} {e:10.3g} {2 * nr * m / dt / e:6.2f}")
    # event generation
    t_fused = best_of(lambda: hnl.events(masses, n, event_rng(1, masses)), args.reps)
    t_numpy = best_of(lambda: hnl.events_reference(masses, n, event_rng(1, masses)), args.reps)
    a, b = hnl.events(masses, n, event_rng(1, masses)), hnl.events_reference(masses, n, event_rng(1, masses))
    same = all(np.array_equal(a.momenta[k], b.momenta[k]) for k in b.momenta)
    print(f"belle2-alp-hnl events: fused {t_fused / n * 1e9:.0f} ns/event, "
          f"numpy composition {t_numpy / n * 1e9:.0f} ns/event "
          f"({t_numpy / t_fused:.1f}x), bit-identical: {same}")


if __name__ == "__main__":
    main()
