r"""The compiled loops of the searches (numba): decay probabilities, per-event inputs, running sums.

Kept apart from the searches so that importing a scenario (``llpscan presets``, ``info``) does not import
numba; the searches import this module when they first compute an acceptance.

Every ``*_accumulate`` kernel adds a batch of events to the running sums of m coupling points (the
state of :class:`~llpscan.detectors.reduce.ShiftedSums`, updated in place; ``first``: the batch starts
at event 0, whose values become the shift). Events run in the outer loop and points in the inner loop,
each point with its own sums, so the inner loop has no loop-carried dependence and LLVM vectorises it
across points (8 doubles per AVX-512 instruction) while every point's sums still run over the events in
order. The exponentials come from :mod:`llpscan.detectors.vecmath` (IEEE operations and fma only), and
nothing is compiled with fast-math flags: a point's result has the same bits whichever lane, block,
thread, worker or call computes it, on any x86-64 CPU (tests/detectors/test_vecmath.py compiles for one
without AVX). All release the GIL.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from llpscan.detectors.decay import U_MAX
from llpscan.detectors.vecmath import em1_g2_d, em1_k_d, exp_d, exp_em1_g2_d, expm1_d

__all__ = ["interval_probability_scalar", "chain_decay_probability_scalar", "shifted_add", "shifted_mean_error",
           "displaced_accumulate", "displaced_inputs", "cascade_accumulate", "escape_accumulate",
           "decayed_accumulate"]

_JIT = dict(nogil=True, cache=True, error_model="numpy", boundscheck=False)


@numba.njit(nogil=True, cache=True, inline="always", error_model="numpy")
def shifted_add(p, shift, s1, s2):
    """One event into the shifted sums: returns (s1 + d, s2 + d^2), d = p - shift
    (:func:`llpscan.detectors.reduce.event_mean_and_error`'s arithmetic)."""
    d = p - shift
    return s1 + d, s2 + d * d


@numba.njit(nogil=True, cache=True, inline="always", error_model="numpy")
def shifted_mean_error(shift, s1, s2, n):
    """(mean, standard error of the mean) from the shifted sums of n events."""
    mean = shift + s1 / n
    var = (s2 - s1 * s1 / n) / (n - 1) if n > 1 else 0.0
    return mean, math.sqrt(max(var, 0.0) / n)


@numba.njit(nogil=True, cache=True, inline="always", error_model="numpy")
def interval_probability_scalar(u, x, one_minus, lam_r0):
    """:func:`~llpscan.detectors.decay.interval_probability` for scalars, for kernels that vectorise over points.

    The same probability with :mod:`~llpscan.detectors.vecmath`'s exp and expm1 (the same bits in
    every SIMD lane) and branch-free (both sides of a choice computed, one selected), so that a loop
    over points calling it vectorises. gamma(2, x) comes from the expm1 polynomial below x = 0.34
    (``vecmath.em1_g2_d``: a few ulp) instead of the Horner series below 0.05 and the closed form above
    it, which loses up to ~40 ulp just above 0.05. Agrees with the numpy form to a few ulp (tests).
    """
    em1, g2 = em1_g2_d(min(x, U_MAX))
    p = exp_d(-min(u, U_MAX)) * (one_minus * em1 - lam_r0 * g2)
    return 0.0 if u >= U_MAX else p  # e^{-u} < 1e-304: exactly 0, as in the reference


@numba.njit(nogil=True, cache=True, inline="always", error_model="numpy")
def chain_decay_probability_scalar(x, y):
    """:func:`~llpscan.detectors.decay.chain_decay_probability` for scalars x = L/lam1, y = L/lam2.

    Written without cancellation: with a = min(x, y), d = max(x, y) - a, and k(d) = 1 - (1 - e^{-d})/d,

        P = f(a) - a e^{-a} g(d) = [f(a) - a e^{-a}] + a e^{-a} [1 - g(d)] = gamma(2, a) + a e^{-a} k(d),

    two non-negative terms; gamma(2, a) and k(d) come from the expm1 polynomial without cancellation
    at small arguments (:mod:`~llpscan.detectors.vecmath`), so no series branch is needed (at a, b -> 0
    the form gives a^2/2 + a (b - a)/2 = ab/2 by itself). A few ulp everywhere (tests against mpmath),
    where the numpy form loses ~2 eps/max(a, b) (up to ~2000 ulp at max(a, b) ~ 1e-3). Branch-free and
    with the deterministic exp/expm1, so a loop over points vectorises and every lane gives the same
    bits. P = 1 where a > 50 (a e^{-a} k < 1e-20).
    """
    a = min(min(x, y), U_MAX)
    b = max(x, y)  # not clamped: k(inf) = 1
    ea, fa, g2a = exp_em1_g2_d(a)
    fd, kd = em1_k_d(b - a)
    p = g2a + a * ea * kd
    return 1.0 if a > 50.0 else p


# --- displaced vertices (detectors.searches.displaced)


@numba.njit(inline="always", **_JIT)
def _combine(p1, p2, mode):
    if mode == 1:  # exactly one
        return p1 * (1.0 - p2) + p2 * (1.0 - p1)
    if mode == 2:  # both
        return p1 * p2
    return 1.0 - (1.0 - p1) * (1.0 - p2)  # at least one


@numba.njit(**_JIT)
def displaced_accumulate(A, W, OM, S, wts, inv, ctau, mode, shift, s1, s2, first):
    """Add a batch of events to the running sums of every point (in place).

    A, W, OM, S: (k, nb) per-event inputs a/s, (b - a)/s, 1 - a/r0, s/r0 with s = p_T/m, so that
    a/lam = A/ctau, (b - a)/lam = W/ctau, lam/r0 = S ctau (with 1/ctau precomputed); wts (nb,);
    inv, ctau: (k, m); shift, s1, s2: (m,) the state; ``first``: the batch starts at event 0.

    The loops over points j have no loop-carried dependence, and the branch on ``k``/``mode`` sits
    outside them, so each vectorises across points; the sums of each point still run over the events
    in order. Compiled once: the four combine modes are four inner loops of one function.
    """
    k, n = A.shape
    m = ctau.shape[1]
    r1, c1 = inv[0], ctau[0]
    r2, c2 = inv[k - 1], ctau[k - 1]
    for i in range(n):
        a1, w1, o1, q1 = A[0, i], W[0, i], OM[0, i], S[0, i]
        a2, w2, o2, q2 = A[k - 1, i], W[k - 1, i], OM[k - 1, i], S[k - 1, i]
        wt = wts[i]
        if first and i == 0:  # the shift of every point: event 0's value
            for j in range(m):
                p = interval_probability_scalar(a1 * r1[j], w1 * r1[j], o1, q1 * c1[j])
                if k == 2:
                    p = _combine(p, interval_probability_scalar(a2 * r2[j], w2 * r2[j], o2, q2 * c2[j]), mode)
                shift[j] = p * wt
        if k == 1:
            for j in range(m):
                d = interval_probability_scalar(a1 * r1[j], w1 * r1[j], o1, q1 * c1[j]) * wt - shift[j]
                s1[j] += d
                s2[j] += d * d
        elif mode == 1:
            for j in range(m):
                p = _combine(interval_probability_scalar(a1 * r1[j], w1 * r1[j], o1, q1 * c1[j]),
                             interval_probability_scalar(a2 * r2[j], w2 * r2[j], o2, q2 * c2[j]), 1)
                d = p * wt - shift[j]
                s1[j] += d
                s2[j] += d * d
        elif mode == 2:
            for j in range(m):
                p = _combine(interval_probability_scalar(a1 * r1[j], w1 * r1[j], o1, q1 * c1[j]),
                             interval_probability_scalar(a2 * r2[j], w2 * r2[j], o2, q2 * c2[j]), 2)
                d = p * wt - shift[j]
                s1[j] += d
                s2[j] += d * d
        else:
            for j in range(m):
                p = _combine(interval_probability_scalar(a1 * r1[j], w1 * r1[j], o1, q1 * c1[j]),
                             interval_probability_scalar(a2 * r2[j], w2 * r2[j], o2, q2 * c2[j]), 3)
                d = p * wt - shift[j]
                s1[j] += d
                s2[j] += d * d


@numba.njit(**_JIT)
def displaced_inputs(p4, mass, r_min, r_max, z_min, z_max, r0, A, W, OM, S):
    """Per-event kernel inputs of one LLP straight from its four-momenta (nb, 4), into A, W, OM, S (nb,).

    The operations of :func:`~llpscan.detectors.geometry.radial_interval`, p_T/m and
    :func:`~llpscan.detectors.searches.displaced.kernel_inputs` in their order (the same bits; tested),
    without their ~30 temporaries.
    """
    inside_at_zero_cot = (z_min < 0) and (z_max > 0)
    for i in range(p4.shape[0]):
        pt = math.hypot(p4[i, 1], p4[i, 2])
        cot = p4[i, 3] / pt
        if cot > 0:
            z_lo, z_hi = z_min / cot, z_max / cot
        elif cot < 0:
            z_lo, z_hi = z_max / cot, z_min / cot
        else:
            z_lo, z_hi = -np.inf, np.inf
        if cot == 0 and not inside_at_zero_cot:
            z_lo = np.inf
        if math.isnan(cot):  # p_T = p_z = 0
            z_lo = np.inf
        a = max(r_min, z_lo)
        b = min(r_max, z_hi)
        b = b if b > a else a
        s = pt / mass
        if (b > a) and (s > 0):
            A[i] = a / s
            W[i] = (b - a) / s
            OM[i] = 1.0 - a / r0
            S[i] = s / r0
        else:
            A[i] = 0.0
            W[i] = 0.0
            OM[i] = 0.0
            S[i] = 0.0


# --- cascade (detectors.searches.cascade)


@numba.njit(**_JIT)
def cascade_accumulate(l_over_s1, l_over_s2, e1, e2, L, weights, inv1, inv2, ctau1, ctau2, sampled, shift, t1, t2,
                       first):
    """Add a batch of events to the running sums of the cascade probability at every point (in place).

    Per event: L/s_i (s = p_z/m), and for the sampled mode e_i = -s_i ln(1 - u_i) (flight = e_i c tau_i);
    per point: 1/c tau_i and c tau_i; shift, t1, t2 (m,) the state (:class:`~llpscan.detectors.reduce.ShiftedSums`);
    ``first``: the batch starts at event 0. Events outside, points inside: the inner loops vectorise
    across points while each point's sums run over the events in order (:mod:`llpscan.detectors.reduce`).
    """
    n = L.shape[0]
    m = ctau1.shape[0]
    for i in range(n):
        x1 = l_over_s1[i]
        x2 = l_over_s2[i]
        f1 = e1[i]
        f2 = e2[i]
        li = L[i]
        wt = weights[i]
        if first and i == 0:
            for j in range(m):
                if sampled:
                    p = 1.0 if f1 * ctau1[j] + f2 * ctau2[j] < li else 0.0
                else:
                    p = chain_decay_probability_scalar(x1 * inv1[j], x2 * inv2[j])
                shift[j] = p * wt
        if sampled:
            for j in range(m):
                d = (1.0 if f1 * ctau1[j] + f2 * ctau2[j] < li else 0.0) * wt - shift[j]
                t1[j] += d
                t2[j] += d * d
        else:
            for j in range(m):
                d = chain_decay_probability_scalar(x1 * inv1[j], x2 * inv2[j]) * wt - shift[j]
                t1[j] += d
                t2[j] += d * d


# --- escape (detectors.searches.invisible)


@numba.njit(**_JIT)
def escape_accumulate(d, w, inv, shift, s1, s2, first):
    """Add events to the running sums of exp(-min(d/c tau, U_MAX)) w at every point (in place).

    d = L/(beta gamma) (nb,), w (nb,), inv = 1/c tau (m,); events outside, points inside, with the
    deterministic exp of :mod:`~llpscan.detectors.vecmath`: the inner loop vectorises across points
    and a point's value does not depend on its lane (:mod:`llpscan.detectors.reduce`).
    """
    m = inv.shape[0]
    for i in range(d.shape[0]):
        di = d[i]
        wi = w[i]
        if first and i == 0:
            for j in range(m):
                shift[j] = exp_d(-min(di * inv[j], U_MAX)) * wi
        for j in range(m):
            x = exp_d(-min(di * inv[j], U_MAX)) * wi - shift[j]
            s1[j] += x
            s2[j] += x * x

# --- decay within a length (detectors.searches.monophoton)


@numba.njit(**_JIT)
def decayed_accumulate(x, w, ctau, shift, s1, s2, first):
    """Add events to the running sums of w (1 - exp(-x/c tau)) at every point (in place).

    x = decay length over c tau (nb,), w (nb,), ctau (m,); events outside, points inside, expm1 from
    :mod:`~llpscan.detectors.vecmath` (x/c tau clamped at U_MAX, where 1 - e^{-x} is 1.0 in doubles).
    """
    m = ctau.shape[0]
    for i in range(x.shape[0]):
        xi = x[i]
        wi = w[i]
        if first and i == 0:
            for j in range(m):
                shift[j] = wi * -expm1_d(-min(xi / ctau[j], U_MAX))
        for j in range(m):
            d = wi * -expm1_d(-min(xi / ctau[j], U_MAX)) - shift[j]
            s1[j] += d
            s2[j] += d * d
