"""Wall time of one scan on each backend, and the scheduler overhead per task.

    python benchmarks/bench_backends.py [--events 100000] [--m-n 32]

Backends: dask threads (2), --workers 2 (LocalCluster), an external `dask scheduler` with two
`dask worker` processes started here. Overhead per task: the time per no-op task submitted in the
same way (one task per block) on each backend. The ratio overhead/(compute per block) is what the
default block size (about a second of work) must keep under 10%.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def noop(i):
    return i


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--m-n", type=int, default=32)
    args = ap.parse_args()

    import dask
    from distributed import Client

    from llpscan import scanner
    from tests.cluster import Cluster

    cfg = scanner.api.config_of("belle2-alp-hnl").model_dump()
    cfg["axes"] = {"m_a": [4.7], "m_N": f"lin:0.5:2.3:{args.m_n}", "V2": "log:1e-10:1e-2:81"}
    cfg["events"] = args.events
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cluster = Cluster(tmp, n_workers=2)
        try:
            for name, kw in (("threads", {}), ("--workers 2", {"workers": 2}),
                             ("external scheduler, 2 workers", {"scheduler": cluster.address})):
                t0 = time.perf_counter()
                rep = scanner.run(cfg, tmp / f"{len(rows)}.zarr", progress=False, **kw)
                wall = time.perf_counter() - t0
                rows.append((name, wall, rep.blocks_run, rep.rate))
            n = 400
            t0 = time.perf_counter()
            dask.compute(*[dask.delayed(noop)(i) for i in range(n)], scheduler="threads")
            over = {"threads": (time.perf_counter() - t0) / n}
            with Client(cluster.address) as c:
                t0 = time.perf_counter()
                c.gather(c.map(noop, range(n), pure=False))
                over["external scheduler, 2 workers"] = (time.perf_counter() - t0) / n
        finally:
            cluster.stop()
    print(f"scan: m_a = 4.7, {args.m_n} m_N x 81 V2, {args.events} events per mass point")
    for name, wall, blocks, rate in rows:
        per_block = wall / blocks
        print(f"  {name:32s} wall {wall:6.1f} s  {blocks} blocks  {per_block:5.2f} s/block  {rate:.3g} evals/s")
    for name, t in over.items():
        print(f"  overhead per task, {name:22s} {t * 1e3:6.2f} ms  = {t / (rows[0][1] / rows[0][2] * 2):.2%} of a block's compute")


if __name__ == "__main__":
    main()
