"""Adaptive reach against the grid scan at equal boundary precision: evaluations and boundary agreement.

    python benchmarks/bench_adaptive.py [--m-a 4.7] [--m-n 64] [--v2 81] [--events 100000]

1. The grid scan: the grid of the belle2-alp-hnl preset (Wang, Zhang & Liu, arXiv:2410.00491) at one
   m_a (M_N values of m_N, V2 values of |V_eN|^2, EVENTS per mass point). Its boundaries come from
   `llpscan reach`'s log-interpolation, and their Monte-Carlo uncertainty from acceptance_err
   propagated through it:
       ln y* = ln y_i + t (ln y_i+1 - ln y_i),  t = -ln q_i / (ln q_i+1 - ln q_i),
       sigma(ln y*) = |ln y_i+1 - ln y_i| sqrt((1-t)^2 r_i^2 + t^2 r_i+1^2) / |ln q_i+1 - ln q_i|
   with r = acceptance_err / acceptance (q = n_signal / 3 is proportional to the acceptance; the two
   errors are treated as independent, which overstates sigma a little: neighbouring points share events).
2. The adaptive reach of the same config with ``target`` = the median of those sigmas: the same
   precision, spent where the boundaries are.
Printed: evaluations both ways (and wall time), the sigmas both ways, and how far the boundaries are
apart in units of their combined sigma (the grid's also carries its log-interpolation error, which is
not Monte Carlo: a few 1e-3 in ln y on this grid, so expect pulls beyond 1 where sigma is ~1e-4).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Paired, cpu_note  # noqa: E402


def grid_boundaries(ds, x, y):
    """(search, x, edge) arrays of boundary ln y, its MC sigma and the bound on its interpolation error
    from a store (log-interpolation). Interpolation error: linear interpolation of ln q over a grid step
    h misses the root by about |f''| h^2 / 8 / |f'| (f'' from the second difference at the nearer end)."""
    from llpscan.scanner.reading import store_exclusion

    q, level, _ = store_exclusion(ds, None)
    q = (q / level).transpose("search", x, y).values
    acc = ds["acceptance"].transpose("search", x, y).values
    rel = ds["acceptance_err"].transpose("search", x, y).values / np.where(acc > 0, acc, np.nan)
    lny = np.log(ds[y].values)
    shape = q.shape[:2] + (2,)
    val, sig, interp = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    for i in range(q.shape[0]):
        for j in range(q.shape[1]):
            ok = q[i, j] >= 1
            if not ok.any() or ok.all():
                continue
            first, last = np.argmax(ok), len(ok) - 1 - np.argmax(ok[::-1])
            for e, (k0, k1) in enumerate(((first - 1, first), (last, last + 1))):
                if k0 < 0 or k1 >= len(ok):
                    continue
                f0, f1 = np.log(q[i, j, k0]), np.log(q[i, j, k1])
                if not (np.isfinite(f0) and np.isfinite(f1)) or f0 == f1:
                    continue
                t = -f0 / (f1 - f0)
                val[i, j, e] = lny[k0] + t * (lny[k1] - lny[k0])
                sig[i, j, e] = abs(lny[k1] - lny[k0]) * np.hypot((1 - t) * rel[i, j, k0], t * rel[i, j, k1]) / abs(f1 - f0)
                h = lny[k1] - lny[k0]
                m = k0 if k0 > 0 else k1  # a point with neighbours on both sides
                if 0 < m < len(ok) - 1:
                    with np.errstate(divide="ignore", invalid="ignore"):
                        f = np.log(q[i, j, m - 1:m + 2])
                    d2 = (f[2] - 2 * f[1] + f[0]) / h**2
                    interp[i, j, e] = abs(d2) * h**2 / 8 / abs((f1 - f0) / h)
    return val, sig, interp


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--m-a", type=float, default=4.7)
    ap.add_argument("--m-n", type=int, default=64)
    ap.add_argument("--v2", type=int, default=81)
    ap.add_argument("--events", type=int, default=100_000)
    args = ap.parse_args()

    from llpscan import scanner
    from llpscan.scanner.adaptive import adaptive_reach

    data = scanner.api.config_of("belle2-alp-hnl").model_dump()
    data["axes"] = {"m_a": [args.m_a], "m_N": f"lin:0.1:2.345:{args.m_n}", "V2": f"log:1e-10:1e-2:{args.v2}"}
    data["events"] = args.events
    cfg = scanner.api.config_of(data)
    with tempfile.TemporaryDirectory() as tmp:
        scanner.run(scanner.api.config_of({**data, "events": 2000, "axes": {**data["axes"], "m_N": [1.0, 2.0]}}),
                    os.path.join(tmp, "warm.zarr"), progress=False)
        with Paired("grid scan") as pg:
            rep = scanner.run(cfg, os.path.join(tmp, "grid.zarr"), progress=False)
        ds = scanner.open(rep.store, in_memory=True).sel(m_a=args.m_a)
        gval, gsig, ginterp = grid_boundaries(ds, "m_N", "V2")
        target = float(np.nanmedian(gsig))
        with Paired("adaptive") as pa:
            ad = adaptive_reach(cfg, "m_N", "V2", sel={"m_a": str(args.m_a)}, target=target)
    aval = np.log(np.stack([ad["lower"].values, ad["upper"].values], axis=-1))
    asig = np.stack([ad["lower_err"].values, ad["upper_err"].values], axis=-1)
    both = np.isfinite(gval) & np.isfinite(aval) & (asig > 0)
    pull = (aval - gval)[both] / np.hypot(asig, gsig)[both]
    full = np.hypot(np.hypot(asig, gsig), np.nan_to_num(ginterp, nan=0.0))[both]
    pull_i = (aval - gval)[both] / full
    print(f"# {cpu_note()}")
    print(f"# belle2-alp-hnl grid at m_a = {args.m_a}: {args.m_n} m_N x {args.v2} |V|^2, "
          f"{args.events} events per mass point")
    print(f"grid scan:  {rep.evaluations:.4g} evaluations, {pg.wall:.1f} s wall (R {pg.r(rep.evaluations):.2f}); "
          f"boundary sigma in ln|V|^2: median {np.nanmedian(gsig):.2e}, 90% {np.nanpercentile(gsig, 90):.2e}")
    print(f"adaptive (target {target:.2e}): {ad.attrs['evaluations']:.4g} evaluations, {pa.wall:.1f} s wall; "
          f"sigma: median {np.nanmedian(asig[asig > 0]):.2e}, 90% {np.nanpercentile(asig[asig > 0], 90):.2e}")
    print(f"evaluations: grid / adaptive = {rep.evaluations / ad.attrs['evaluations']:.1f}x "
          f"(wall {pg.wall / pa.wall:.1f}x)")
    found_g, found_a = np.isfinite(gval).sum(), np.isfinite(aval).sum()
    print(f"boundaries found: grid {found_g}, adaptive {found_a} (an edge at the grid's end is exact in the "
          f"adaptive table, absent from the grid's interpolation), compared {both.sum()}")
    print(f"|ln(adaptive/grid)|: median {np.median(np.abs((aval - gval)[both])):.2e}, max {np.max(np.abs((aval - gval)[both])):.2e}; "
          f"pull (MC sigmas only): median |pull| {np.median(np.abs(pull)):.2f}, 90% {np.percentile(np.abs(pull), 90):.2f}")
    print(f"grid interpolation error (|f''| h^2/8/|f'|): median {np.nanmedian(ginterp):.2e}, 90% {np.nanpercentile(ginterp, 90):.2e}; "
          f"pull with it: median |pull| {np.median(np.abs(pull_i)):.2f}, 90% {np.percentile(np.abs(pull_i), 90):.2f}, "
          f"max {np.max(np.abs(pull_i)):.2f}")


if __name__ == "__main__":
    main()
