"""Helpers shared by the benchmarks: the np.exp reference rate, timing, the belle2-alp-hnl scan config.

Every rate a benchmark reports is paired with np.exp's rate measured in the same process just before
and after (R = evaluations/s / np.exp values/s): on a shared, noisy machine a ratio survives load that
a number of seconds does not. ``wait_quiet.sh`` delays a run until the machine is idle.
"""

from __future__ import annotations

import os
import time

import numpy as np

__all__ = ["exp_rate", "best_of", "timed", "alp_hnl_config", "Paired"]


def best_of(fn, repeat=3):
    """Best wall time of ``repeat`` calls (s)."""
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def timed(fn):
    """(result, wall seconds, process CPU seconds) of one call."""
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t, time.process_time() - c


def exp_rate(size: int = 10_000_000, repeat: int = 5) -> float:
    """np.exp values/s on one core: 1e7 doubles in [-50, 0] into a new array, best of ``repeat`` (the
    reference of the speed target: whole-scan R = evaluations/s / np.exp values/s in the same process,
    R >= 0.5 on 2 cores)."""
    x = -np.random.default_rng(0).uniform(0, 50, size)
    return size / best_of(lambda: np.exp(x), repeat)


class Paired:
    """A measurement with np.exp's rate taken right before and after it; R uses their mean."""

    def __init__(self, name: str):
        self.name = name
        self.exp = []

    def __enter__(self):
        self.exp.append(exp_rate())
        self.t, self.c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.t
        self.cpu = time.process_time() - self.c
        self.exp.append(exp_rate())
        return False

    @property
    def exp_rate(self) -> float:
        return float(np.mean(self.exp))

    def r(self, evaluations: float, per_cpu: bool = False) -> float:
        return evaluations / (self.cpu if per_cpu else self.wall) / self.exp_rate


def alp_hnl_config(events=100_000, m_n=24, v2=200, m_a=(4.7,)):
    """The speed-target scan: belle2-alp-hnl (Wang, Zhang & Liu, arXiv:2410.00491), one m_a,
    ``m_n`` values of m_N, ``v2`` values of |V_eN|^2, ``events`` per mass point."""
    from llpscan.scanner.api import config_of

    data = config_of("belle2-alp-hnl").model_dump()
    data["axes"] = {"m_a": list(m_a), "m_N": f"lin:0.5:2.3:{m_n}", "V2": f"log:1e-10:1e-2:{v2}"}
    data["events"] = events
    return config_of(data)


def cpu_note() -> str:
    flags = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = line
                    break
    except OSError:
        pass
    simd = [f for f in ("avx512f", "avx2", "fma") if f" {f}" in flags]
    return f"{os.cpu_count()} cores, {' '.join(simd) or 'no AVX'}; numpy {np.__version__}; " \
           f"NPY_DISABLE_CPU_FEATURES={os.environ.get('NPY_DISABLE_CPU_FEATURES', '')!r} " \
           f"NUMBA_CPU_NAME={os.environ.get('NUMBA_CPU_NAME', '')!r}"
