"""Peak memory of one task (one block of one belle2-alp-hnl mass point) against the number of events.

    python benchmarks/bench_memory.py [--events 1e5 1e6 1e7] [--v2 81]
    PYTHONPATH=/path/to/other/tree python benchmarks/bench_memory.py ...   # another version of llpscan

Each size runs in a fresh process: import llpscan, resolve the scan (m_a = 4.7, m_N = 2.0, V2 values,
both searches), compute its one block (compute_block: events, both searches, the reduction), and report
the peak resident memory (ru_maxrss) before and after the block, their difference per event, the
time, and np.exp's rate in that process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[3])
from common import alp_hnl_config, exp_rate
from llpscan.scanner.config import resolve
from llpscan.scanner import grid
n, v2 = int(sys.argv[1]), int(sys.argv[2])
e = exp_rate(size=2_000_000)
warm = resolve(alp_hnl_config(2000, 1, v2, m_a=(4.7,)))
grid.compute_block(warm, grid.block_indices(warm)[0])  # imports, compile or cache load
cfg = alp_hnl_config(n, 1, v2, m_a=(4.7,)).model_dump()
cfg["axes"]["m_N"] = [2.0]
from llpscan.scanner.api import config_of
scan = resolve(config_of(cfg))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
for idx in grid.block_indices(scan):
    grid.compute_block(scan, idx)
dt = time.perf_counter() - t
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(before_mb=before / 1024, after_mb=after / 1024, seconds=dt, exp=e, evals=n * v2 * 4)))
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=float, nargs="+", default=[1e5, 1e6, 1e7])
    ap.add_argument("--v2", type=int, default=81)
    args = ap.parse_args()
    from pathlib import Path

    bench = str(Path(__file__).resolve().parent)
    print(f"{'events':>10s} {'RSS before MB':>14s} {'peak MB':>9s} {'B/event':>8s} {'seconds':>8s} {'R':>6s}")
    for n in args.events:
        out = subprocess.run([sys.executable, "-c", _CHILD, str(int(n)), str(args.v2), bench],
                             capture_output=True, text=True)
        if out.returncode:
            print(f"{int(n):10d} failed: {out.stderr.strip()[-300:]}")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        grow = (r["after_mb"] - r["before_mb"]) * 2**20 / n
        print(f"{int(n):10d} {r['before_mb']:14.0f} {r['after_mb']:9.0f} {grow:8.1f} {r['seconds']:8.2f} "
              f"{r['evals'] / r['seconds'] / r['exp']:6.2f}")


if __name__ == "__main__":
    main()
