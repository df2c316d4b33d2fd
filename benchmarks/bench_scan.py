"""Whole-scan throughput against np.exp, a vectorised numpy script of the same scan and a naive loop.

    python benchmarks/bench_scan.py [--events 100000] [--m-n 24] [--v2 200] [--naive-points 2]
    benchmarks/wait_quiet.sh python benchmarks/bench_scan.py      # on a shared machine

The scan is the speed-target scan: the belle2-alp-hnl preset (Wang, Zhang & Liu, arXiv:2410.00491),
one m_a, M_N values of m_N, V2 values of |V_eN|^2, EVENTS per mass point. In one process, each paired
with np.exp's rate measured just before and after it:

  llpscan, T threads   scanner.run on dask's threaded scheduler (num_workers = T; 1 and the core count)
  numpy script         benchmarks/numpy_script.vectorised: the same physics and events, numpy broadcasting
                       over (event block x V2), one process (numpy runs on one core)
  naive loop           benchmarks/numpy_script.naive: a Python loop over V2 points, on NAIVE mass points,
                       its rate extrapolated to the scan

R = per-LLP decay-probability evaluations per second over the whole scan / np.exp values per second,
both measured in the same process; the target is R >= 0.5 on 2 cores. The first llpscan call compiles
or loads the numba cache: it runs on a small scan first. The numpy script's acceptances are compared
with llpscan's (relative difference printed).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Paired, alp_hnl_config, cpu_note  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--m-n", type=int, default=24)
    ap.add_argument("--v2", type=int, default=200)
    ap.add_argument("--naive-points", type=int, default=2, help="mass points the naive loop runs (0: skip)")
    ap.add_argument("--skip-numpy", action="store_true")
    args = ap.parse_args()

    import dask

    from llpscan import scanner
    import numpy_script

    cfg = alp_hnl_config(args.events, args.m_n, args.v2)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        scanner.run(alp_hnl_config(2000, 2, 16), os.path.join(tmp, "warm.zarr"), progress=False)  # compile/cache
        stores = {}
        for threads in sorted({1, os.cpu_count() or 1}):
            with dask.config.set(num_workers=threads), Paired(f"llpscan, {threads} thread(s)") as p:
                rep = scanner.run(cfg, os.path.join(tmp, f"t{threads}.zarr"), progress=False)
            stores[threads] = os.path.join(tmp, f"t{threads}.zarr")
            rows.append((p, rep.evaluations))
        if not args.skip_numpy:
            ours = scanner.open(stores[max(stores)], in_memory=True)
            with Paired("numpy script (1 process)") as p:
                mean, err, evals = numpy_script.vectorised(cfg)
            rows.append((p, evals))
            acc = ours["acceptance"].values
            ok = np.isfinite(acc) & (acc > 0)
            agree = np.max(np.abs(mean[ok] - acc[ok]) / acc[ok])
        if args.naive_points:
            with Paired(f"naive loop ({args.naive_points} mass points)") as p:
                _, _, evals = numpy_script.naive(cfg, args.naive_points)
            rows.append((p, evals))

    print(f"# {cpu_note()}")
    print(f"# scan: m_a = 4.7, {args.m_n} m_N x {args.v2} V2, {args.events} events per mass point, 2 searches x 2 LLPs")
    print(f"{'':34s} {'evaluations':>12s} {'wall s':>8s} {'cpu s':>8s} {'evals/s':>10s} {'np.exp/s':>10s} "
          f"{'R(wall)':>8s} {'R(cpu)':>7s}")
    for p, evals in rows:
        print(f"{p.name:34s} {evals:12.4g} {p.wall:8.2f} {p.cpu:8.2f} {evals / p.wall:10.3g} {p.exp_rate:10.3g} "
              f"{p.r(evals):8.3f} {p.r(evals, per_cpu=True):7.3f}")
    best = max(rows[: len(stores)], key=lambda r: r[1] / r[0].wall)
    rate = best[1] / best[0].wall
    for p, evals in rows[len(stores):]:
        print(f"llpscan ({best[0].name.split(', ')[1]}) / {p.name}: {rate / (evals / p.wall):.1f}x (evaluation rates)")
    if not args.skip_numpy:
        print(f"numpy script vs llpscan acceptance: max relative difference {agree:.2g} "
              f"(different reductions: a one-pass sum of p and p^2 in the script)")


if __name__ == "__main__":
    main()
