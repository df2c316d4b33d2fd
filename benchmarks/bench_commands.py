"""Wall time of the command line: reading commands, the default job and a small scan.

    python benchmarks/bench_commands.py [--repeat 5] [--store S] [--run-default] [--run-small]
    PYTHONPATH=/path/to/other/tree python benchmarks/bench_commands.py ...   # another version of llpscan

Each command runs ``--repeat`` times in a fresh process (``python -m llpscan``), like a user's shell;
min and median wall seconds are printed, and np.exp's rate in this process before and after (how busy
the machine was). Without ``--store`` a store of the belle2-alp-hnl preset (Wang, Zhang & Liu,
arXiv:2410.00491) with 512 m_N x 400 |V|^2 values (2000 events per mass point: reading does not
depend on the events) is written first, by the llpscan under test.

  --run-default   `llpscan run belle2-alp-hnl` (the README's main job), twice (the first may compile)
  --run-small     an 8-mass-point scan: m_a = 4.7, m_N = 8 values, the preset's 81 |V|^2, 1e5 events
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import cpu_note, exp_rate  # noqa: E402


def _time(args, repeat, cwd):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        res = subprocess.run([sys.executable, "-m", "llpscan", *args], cwd=cwd, capture_output=True, text=True)
        times.append(time.perf_counter() - t)
        if res.returncode != 0:
            raise SystemExit(f"llpscan {' '.join(args)} failed: {res.stderr.strip()[-400:]}")
    return min(times), statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--store", default=None)
    ap.add_argument("--run-default", action="store_true")
    ap.add_argument("--run-small", action="store_true")
    args = ap.parse_args()
    e0 = exp_rate()
    with tempfile.TemporaryDirectory() as tmp:
        store = args.store
        if store is None:
            store = os.path.join(tmp, "big.zarr")
            subprocess.run([sys.executable, "-m", "llpscan", "run", "belle2-alp-hnl", "--axis", "m_a=4.7",
                            "--axis", "m_N=lin:0.1:2.345:512", "--axis", "V2=log:1e-10:1e-2:400", "--events", "2000",
                            "--quiet", "--out", store, "--plot", os.path.join(tmp, "big.png")], check=True,
                           capture_output=True)
        cmds = {
            "--help": ["--help"],
            "presets": ["presets"],
            "info": ["info", store],
            "query": ["query", store, "--sel", "m_a=4.7", "--sel", "m_N=2.0", "--sel", "V2=1e-8"],
            "reach": ["reach", store, "--sel", "m_a=4.7"],
            "plot": ["plot", store, "--sel", "m_a=4.7", "--out", os.path.join(tmp, "p.png")],
        }
        rows = [(name, *_time(a, args.repeat, tmp)) for name, a in cmds.items()]
        if args.run_default:
            for i in range(2):
                rows.append((f"run belle2-alp-hnl ({'first' if i == 0 else 'again'})",
                             *_time(["run", "belle2-alp-hnl", "--quiet", "--overwrite", "--out", "d.zarr"], 1, tmp)))
        if args.run_small:
            small = ["run", "belle2-alp-hnl", "--axis", "m_a=4.7", "--axis", "m_N=lin:0.5:2.3:8", "--quiet",
                     "--overwrite", "--out", "s.zarr"]
            rows.append(("run 8 mass points x 81 V2, 1e5 events", *_time(small, max(1, args.repeat // 2), tmp)))
    e1 = exp_rate()
    import llpscan

    print(f"# {cpu_note()}; llpscan from {Path(llpscan.__file__).resolve().parent.parent}")
    print(f"# np.exp {e0:.3g} values/s before, {e1:.3g} after (a busy machine slows both); store {store}")
    print(f"{'command':44s} {'min s':>7s} {'median s':>9s}")
    for name, lo, med in rows:
        print(f"{name:44s} {lo:7.2f} {med:9.2f}")


if __name__ == "__main__":
    main()
