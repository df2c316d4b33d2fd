r"""Probability that a long-lived particle decays inside a fiducial interval, and its event average.

For an LLP from the interaction point with transverse decay length lam = (p_T/m) c tau, the
transverse decay radius r is exponential; a cylinder r_min < r < r_max, z_min < z < z_max with
z = r cot(theta) is an interval a < r < b, and a tracking efficiency linear in r,
w(r) = 1 - r/r0, integrates exactly (seed 000, eqs. (7)-(9) and (12)-(13)):

    P = e^{-a/lam} [ (1 - a/r0) (1 - e^{-x}) - (lam/r0) gamma(2, x) ],   x = (b - a)/lam,

with gamma(2, x) = 1 - (1 + x) e^{-x} the regularised lower incomplete gamma function. Written
this way (expm1, a series for gamma(2, x) at small x) it keeps full precision for lam >> b, where
the lower edge of every reach lies; its long-lifetime limit is x (1 - (a + b)/(2 r0)).

Two implementations with bit-identical results: :func:`decay_probability` (plain numpy, the
reference) and the fused numba kernel behind :func:`mean_acceptance` (no temporaries, runs with the
GIL released so dask threads scale). :func:`sampled_decay_weight` is the Monte-Carlo fallback that
draws decay positions from fixed uniform numbers, for geometries without a closed form.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = [
    "COMBINE",
    "fiducial_interval",
    "decay_probability",
    "mean_acceptance",
    "mean_acceptance_reference",
    "sampled_decay_weight",
]

# exp(-u) for u > 708 leaves the fast path of libm; beyond u = 700 (e^{-u} < 1e-304) the
# probability is set to 0 without evaluating it
_U_MAX = 700.0
# below this x the series of gamma(2, x) is used: truncation after x^9 is < 1e-16 relative
_X_SERIES = 0.05

#: how the per-LLP probabilities of one event combine (one or two LLPs per event)
COMBINE = {"single": 0, "exactly_one": 1, "both": 2, "at_least_one": 3}


def fiducial_interval(p4, r_min, r_max, z_min, z_max):
    """Interval [a, b] of transverse radius (m) inside the cylinder, for lab momenta p4 (n, 4).

    Along the flight line z = r p_z/p_T. Where the interval is empty, b = a (probability 0).
    """
    pt = np.hypot(p4[..., 1], p4[..., 2])
    pz = p4[..., 3]
    with np.errstate(divide="ignore", invalid="ignore"):
        cot = pz / pt
        z_lo = np.where(cot > 0, z_min / cot, np.where(cot < 0, z_max / cot, -np.inf))
        z_hi = np.where(cot > 0, z_max / cot, np.where(cot < 0, z_min / cot, np.inf))
    inside_at_zero_cot = (z_min < 0) & (z_max > 0)
    z_lo = np.where((cot == 0) & ~inside_at_zero_cot, np.inf, z_lo)
    z_lo = np.where(np.isnan(cot), np.inf, z_lo)  # p_T = p_z = 0
    a = np.maximum(r_min, z_lo)
    b = np.minimum(r_max, z_hi)
    b = np.where(b > a, b, a)
    return a, b


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _gamma2_series(x):
    # gamma(2, x) = sum_{k>=2} (-1)^k (k-1) x^k / k!, Horner form; compiled once for scalars (the
    # kernel) and arrays (the numpy reference), the same operations in the same order
    return x * x * (0.5 - x * (1 / 3 - x * (1 / 8 - x * (1 / 30 - x * (1 / 144 - x * (1 / 840 - x * (1 / 5760 - x / 45360)))))))


def decay_probability(a, b, lam, r0):
    r"""Probability to decay at transverse radius a < r < b, weighted by w(r) = 1 - r/r0.

    Seed 000, eqs. (7) and (9) in closed form (module docstring). Plain numpy reference.

    Args:
        a, b: fiducial interval in r (m); P = 0 where b <= a.
        lam: transverse decay length (p_T/m) c tau (m).   r0: radius where the efficiency is 0 (m).
    Returns:
        probabilities, broadcast over a, b, lam.

    >>> # long-lifetime limit: (b - a)/lam times the mean efficiency over [a, b]
    >>> bool(np.isclose(decay_probability(0.1, 0.8, 1e7, 0.8), 0.7e-7 * (1 - 0.9 / 1.6), rtol=1e-9))
    True
    """
    a, b, lam = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (a, b, lam)))
    u = a / lam
    x = np.minimum(np.maximum(b - a, 0.0) / lam, _U_MAX)
    em1 = -np.expm1(-x)  # 1 - e^{-x}
    g2 = np.where(x < _X_SERIES, _gamma2_series(x), em1 - x * (1.0 - em1))
    p = np.exp(-np.minimum(u, _U_MAX)) * ((1.0 - a / r0) * em1 - (lam / r0) * g2)
    return np.where(u >= _U_MAX, 0.0, p)  # e^{-u} < 1e-304: exactly 0, like the kernel


@numba.njit(nogil=True, cache=True, inline="always", error_model="numpy")
def _p_one(u, x, one_minus, lam_r0):
    if u >= _U_MAX:  # e^{-u} < 1e-304: decays before the volume; 0, as in the reference
        return 0.0
    x = min(x, _U_MAX)
    em1 = -math.expm1(-x)
    if x < _X_SERIES:
        g2 = _gamma2_series(x)
    else:
        g2 = em1 - x * (1.0 - em1)
    return math.exp(-u) * (one_minus * em1 - lam_r0 * g2)


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _mean_kernel(a_over_s, w_over_s, one_minus, s_over_r0, weights, ctau, mode):
    """Event means and standard errors of the combined per-event probability.

    a_over_s, w_over_s, one_minus, s_over_r0: (k, n) with s = p_T/m, so that a/lam = a_over_s/ctau,
    (b-a)/lam = w_over_s/ctau, lam/r0 = s_over_r0*ctau (divisions done as products with 1/ctau). ctau: (k, m). Sums run over events in
    order (fixed, so results do not depend on threads or chunking), shifted by the first event.
    """
    k, n = a_over_s.shape
    m = ctau.shape[1]
    mean = np.empty(m)
    err = np.empty(m)
    for j in range(m):
        shift = 0.0
        s1 = 0.0
        s2 = 0.0
        c0 = ctau[0, j]
        r0 = 1.0 / c0
        c1 = ctau[k - 1, j]
        r1 = 1.0 / c1
        for i in range(n):
            p1 = _p_one(a_over_s[0, i] * r0, w_over_s[0, i] * r0, one_minus[0, i], s_over_r0[0, i] * c0)
            if k == 2:
                p2 = _p_one(a_over_s[1, i] * r1, w_over_s[1, i] * r1, one_minus[1, i], s_over_r0[1, i] * c1)
                if mode == 1:
                    p = p1 * (1.0 - p2) + p2 * (1.0 - p1)
                elif mode == 2:
                    p = p1 * p2
                else:
                    p = 1.0 - (1.0 - p1) * (1.0 - p2)
            else:
                p = p1
            p *= weights[i]
            if i == 0:
                shift = p
            d = p - shift
            s1 += d
            s2 += d * d
        mean[j] = shift + s1 / n
        var = (s2 - s1 * s1 / n) / (n - 1) if n > 1 else 0.0
        err[j] = math.sqrt(max(var, 0.0) / n)
    return mean, err


def _kernel_inputs(intervals, pt_over_m, r0):
    """Per-event inputs of the kernel, each (k, n), from fiducial intervals and p_T/m."""
    a = np.stack([np.asarray(iv[0], dtype=float) for iv in intervals])
    b = np.stack([np.asarray(iv[1], dtype=float) for iv in intervals])
    s = np.stack([np.asarray(v, dtype=float) for v in pt_over_m])
    ok = (b > a) & (s > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        a_over_s = np.where(ok, a / s, 0.0)
        w_over_s = np.where(ok, (b - a) / s, 0.0)
    one_minus = np.where(ok, 1.0 - a / r0, 0.0)
    return a_over_s, w_over_s, one_minus, np.where(ok, s / r0, 0.0)


def mean_acceptance(intervals, pt_over_m, ctau, r0, mode="single", weights=None):
    """Acceptance and its Monte-Carlo standard error for every column of ``ctau``.

    Args:
        intervals: one (a, b) pair of (n,) arrays (m) per LLP of the event (1 or 2 LLPs).
        pt_over_m: p_T/m (n,) of those LLPs in the lab, so that lam = (p_T/m) c tau.
        ctau: (k, m) proper decay lengths (m) of the k LLPs at m coupling points.
        r0: radius (m) where the linear tracking efficiency reaches 0.
        mode: how per-LLP probabilities combine (:data:`COMBINE`).
        weights: optional per-event weights (n,) multiplying the probability (PID, cuts).
    Returns:
        (mean, err), each of shape (m,).
    """
    ctau = np.atleast_2d(np.asarray(ctau, dtype=float))
    a_s, w_s, om, s_r0 = _kernel_inputs(intervals, pt_over_m, r0)
    n = a_s.shape[1]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    return _mean_kernel(a_s, w_s, om, s_r0, w, ctau, COMBINE[mode])


def mean_acceptance_reference(intervals, pt_over_m, ctau, r0, mode="single", weights=None):
    """:func:`mean_acceptance` in plain numpy on (n, m) arrays (the reference; slower, more memory)."""
    ctau = np.atleast_2d(np.asarray(ctau, dtype=float))
    a_s, w_s, om, s_r0 = _kernel_inputs(intervals, pt_over_m, r0)
    probs = []
    for i in range(a_s.shape[0]):
        c = ctau[i][None, :]
        inv = 1.0 / c  # the kernel multiplies by 1/ctau, so must the reference to agree bit for bit
        u = a_s[i][:, None] * inv
        x = np.minimum(w_s[i][:, None] * inv, _U_MAX)
        em1 = -np.expm1(-x)
        g2 = np.where(x < _X_SERIES, _gamma2_series(x), em1 - x * (1.0 - em1))
        p = np.exp(-np.minimum(u, _U_MAX)) * (om[i][:, None] * em1 - (s_r0[i][:, None] * c) * g2)
        probs.append(np.where(u >= _U_MAX, 0.0, p))
    if len(probs) == 1:
        p = probs[0]
    else:
        p1, p2 = probs
        p = {"exactly_one": p1 * (1.0 - p2) + p2 * (1.0 - p1), "both": p1 * p2,
             "at_least_one": 1.0 - (1.0 - p1) * (1.0 - p2)}[mode]
    n = p.shape[0]
    if weights is not None:
        p = p * np.asarray(weights, dtype=float)[:, None]
    d = p - p[:1]
    s1 = np.cumsum(d, axis=0)[-1]  # cumsum adds in order, as the kernel does
    s2 = np.cumsum(d * d, axis=0)[-1]
    mean = p[0] + s1 / n
    var = (s2 - s1 * s1 / n) / (n - 1) if n > 1 else np.zeros_like(s1)
    return mean, np.sqrt(np.maximum(var, 0.0) / n)


def sampled_decay_weight(a, b, lam, r0, uniform):
    """Sampled fallback: draw the decay radius r = -lam ln(1 - u) from fixed uniforms ``u`` and
    return w(r) = 1 - r/r0 where a < r < b, else 0. Its event mean estimates decay_probability.
    """
    r = -np.asarray(lam) * np.log1p(-np.asarray(uniform))
    return np.where((r > a) & (r < b), 1.0 - r / r0, 0.0)
