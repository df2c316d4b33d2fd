"""The belle2-alp-hnl scan as a physicist would write it without llpscan: plain vectorised numpy (and, as the
slowest baseline, a naive loop over coupling points). The benchmarks race llpscan against these.

Same physics and the same events as llpscan's belle2-alp-hnl scan (the numpy composition of the event
chain, the closed-form decay probability of Wang, Zhang & Liu, arXiv:2410.00491, eqs. (7)-(9) in its
numpy form, 1DV and 2DV), reduced to the mean and its standard error per point:

    acceptance(m_a, m_N, V2) for every search, (search, m_N, V2) arrays, one m_a at a time.
"""

from __future__ import annotations

import numpy as np

from llpscan.detectors.decay import interval_probability
from llpscan.detectors.geometry import radial_interval
from llpscan.detectors.registry import get_scenario
from llpscan.physics.kinematics import event_rng

__all__ = ["vectorised", "naive"]

BLOCK = 4096  # events per (events x points) block: bounds the temporaries as a careful script would


def _inputs(sc, search, ev):
    """Per LLP: a/lam and (b - a)/lam factors (divided by ctau later), 1 - a/r0 and lam/r0 / ctau."""
    out = []
    for name in ev.llps:
        p4 = ev.momenta[name]
        a, b = radial_interval(p4, search.r_min, search.r_max, search.z_min, search.z_max)
        s = np.hypot(p4[:, 1], p4[:, 2]) / ev.llp_mass(name)
        ok = (b > a) & (s > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out.append((np.where(ok, a / s, 0.0), np.where(ok, (b - a) / s, 0.0), np.where(ok, 1 - a / search.efficiency_r0, 0.0),
                        np.where(ok, s / search.efficiency_r0, 0.0)))
    return out


def _combine(p1, p2, mode):
    if mode == "exactly_one":
        return p1 * (1 - p2) + p2 * (1 - p1)
    return p1 * p2


def vectorised(config):
    """(mean, err, evaluations): every V2 point at once, events in blocks (numpy broadcasting)."""
    sc = get_scenario(config.scenario, config.options)
    axes = {k: np.asarray(v, dtype=float) for k, v in config.axes.items()}
    v2 = axes["V2"]
    shape = (len(sc.searches), len(axes["m_a"]), len(axes["m_N"]), v2.size)
    mean, err = np.full(shape, np.nan), np.full(shape, np.nan)
    evaluations = 0
    for ia, m_a in enumerate(axes["m_a"]):
        for im, m_n in enumerate(axes["m_N"]):
            masses = {"m_a": float(m_a), "m_N": float(m_n)}
            if not sc.kinematically_open(**masses):
                continue
            ev = getattr(sc, "events_reference", sc.events)(masses, config.events, event_rng(config.seed, masses))
            inv = (1.0 / sc.model.ctau(m_N=m_n, V2=v2)["N"])[None, :]
            for k, search in enumerate(sc.searches):
                (a1, w1, o1, s1), (a2, w2, o2, s2) = _inputs(sc, search, ev)
                total, total2, n = np.zeros(v2.size), np.zeros(v2.size), 0
                for lo in range(0, config.events, BLOCK):
                    sl = slice(lo, lo + BLOCK)
                    p1 = interval_probability(a1[sl, None] * inv, w1[sl, None] * inv, o1[sl, None], s1[sl, None] / inv)
                    p2 = interval_probability(a2[sl, None] * inv, w2[sl, None] * inv, o2[sl, None], s2[sl, None] / inv)
                    p = _combine(p1, p2, search.mode)
                    total += p.sum(axis=0)
                    total2 += (p * p).sum(axis=0)
                    n += p.shape[0]
                m = total / n
                mean[k, ia, im] = m
                err[k, ia, im] = np.sqrt(np.maximum(total2 / n - m * m, 0) / (n - 1))
                evaluations += 2 * config.events * v2.size
    return mean, err, evaluations


def naive(config, max_mass_points=None):
    """(mean, err, evaluations): a Python loop over the V2 points, numpy over the events."""
    sc = get_scenario(config.scenario, config.options)
    axes = {k: np.asarray(v, dtype=float) for k, v in config.axes.items()}
    v2 = axes["V2"]
    shape = (len(sc.searches), len(axes["m_a"]), len(axes["m_N"]), v2.size)
    mean, err = np.full(shape, np.nan), np.full(shape, np.nan)
    evaluations, done = 0, 0
    for ia, m_a in enumerate(axes["m_a"]):
        for im, m_n in enumerate(axes["m_N"]):
            masses = {"m_a": float(m_a), "m_N": float(m_n)}
            if not sc.kinematically_open(**masses):
                continue
            if max_mass_points is not None and done >= max_mass_points:
                return mean, err, evaluations
            done += 1
            ev = getattr(sc, "events_reference", sc.events)(masses, config.events, event_rng(config.seed, masses))
            for k, search in enumerate(sc.searches):
                (a1, w1, o1, s1), (a2, w2, o2, s2) = _inputs(sc, search, ev)
                for j, v in enumerate(v2):
                    ctau = float(sc.model.ctau(m_N=m_n, V2=v)["N"])
                    p = _combine(interval_probability(a1 / ctau, w1 / ctau, o1, s1 * ctau),
                                 interval_probability(a2 / ctau, w2 / ctau, o2, s2 * ctau), search.mode)
                    mean[k, ia, im, j] = p.mean()
                    err[k, ia, im, j] = p.std(ddof=1) / np.sqrt(p.size)
                    evaluations += 2 * config.events
    return mean, err, evaluations
