r"""Fused event generation for the B-meson decay chains of the Belle II scenarios: the numpy events, faster.

Upsilon(4S) -> B+ B- at rest (dN/dcos = (3/4) sin^2 theta about the beam, :func:`~llpscan.physics.sources.
sin2_directions`), B+ -> K+ X isotropic, optionally X -> Y Y isotropic (:func:`~llpscan.physics.kinematics.
two_body_decay`), optionally every particle boosted to the lab (:func:`~llpscan.physics.kinematics.boost`).
Composing those numpy functions makes ~30 temporary arrays of n events; :func:`upsilon4s_chain` makes the
same four-momenta in one numba pass over the events, 3-5x faster and with only its outputs in memory.

Same events for the same generator, bit for bit (tests/physics/test_chains.py): it draws the same random
numbers in the same order (uniform blocks [B: u, phi], [B -> K X: cos, phi], [X -> Y Y: cos, phi]), takes
every transcendental function from numpy on those arrays (arccos, cos, sin: numpy's SIMD loops differ
from libm by an ulp on some values, so the kernel must not call libm for them), and repeats numpy's
arithmetic in numpy's order: einsum's 3-term dot product adds (b0 c0 + b2 c2) + b1 c1 and np.sum over a
row adds (a0 + a1) + a2 (both measured on numpy 2.4); x ** 2 is x * x; sqrt, + - * / are IEEE. If a
future numpy changed one of these orders, that test fails: the events would still be right, but not the
same bits as the numpy composition.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from llpscan.physics import pdg
from llpscan.physics.kinematics import two_body_momentum

__all__ = ["upsilon4s_chain"]

_JIT = dict(nogil=True, cache=True, error_model="numpy", boundscheck=False)


@numba.njit(inline="always", **_JIT)
def _dot3(b0, b1, b2, c0, c1, c2):
    # np.einsum("...i,...i->...") over 3 components: (b0 c0 + b2 c2) + b1 c1
    return (b0 * c0 + b2 * c2) + b1 * c1


@numba.njit(inline="always", **_JIT)
def _boost(e, px, py, pz, bx, by, bz):
    """kinematics.boost of one four-momentum by the velocity (bx, by, bz), numpy's operations."""
    gamma = 1.0 / math.sqrt(1.0 - _dot3(bx, by, bz, bx, by, bz))
    bp = _dot3(bx, by, bz, px, py, pz)
    k = (gamma * gamma / (1.0 + gamma)) * bp + gamma * e
    return gamma * (e + bp), px + k * bx, py + k * by, pz + k * bz


@numba.njit(inline="always", **_JIT)
def _boost_const(e, px, py, pz, bx, by, bz, gamma, g2):
    """:func:`_boost` with gamma and gamma^2/(1 + gamma) of a fixed velocity computed once (as numpy)."""
    bp = _dot3(bx, by, bz, px, py, pz)
    k = g2 * bp + gamma * e
    return gamma * (e + bp), px + k * bx, py + k * by, pz + k * bz


@numba.njit(inline="always", **_JIT)
def _two_body(pe, ppx, ppy, ppz, m1, m2, cos_t, cos_phi, sin_phi):
    """kinematics.two_body_decay for one parent four-momentum and one isotropic direction (cos theta,
    cos phi, sin phi): the two daughters in the parent's frame (boosted by the parent's velocity)."""
    # M = sqrt(clip(E^2 - sum(p^2), 0)); np.sum over a row of 3 adds (0 + 1) + 2
    M = math.sqrt(max(pe * pe - ((ppx * ppx + ppy * ppy) + ppz * ppz), 0.0))
    # two_body_momentum(M, m1, m2): kallen(M^2, m1^2, m2^2) in its written order
    x = M * M
    y = m1 * m1
    z = m2 * m2
    lam = x * x + y * y + z * z - 2 * x * y - 2 * x * z - 2 * y * z
    q = math.sqrt(max(lam, 0.0)) / (2 * M)
    sin_t = math.sqrt(1.0 - cos_t * cos_t)
    dx = sin_t * cos_phi * q
    dy = sin_t * sin_phi * q
    dz = cos_t * q
    e1 = math.sqrt(q * q + m1 * m1)
    e2 = math.sqrt(q * q + m2 * m2)
    bx = ppx / pe
    by = ppy / pe
    bz = ppz / pe
    return _boost(e1, dx, dy, dz, bx, by, bz), _boost(e2, -dx, -dy, -dz, bx, by, bz)


@numba.njit(inline="always", **_JIT)
def _store(out, i, p, lab, bx, by, bz, gamma, g2):
    e, px, py, pz = p
    if lab:
        e, px, py, pz = _boost_const(e, px, py, pz, bx, by, bz, gamma, g2)
    out[i, 0] = e
    out[i, 1] = px
    out[i, 2] = py
    out[i, 3] = pz


@numba.njit(**_JIT)
def _chain(cos_b, cphi_b, sphi_b, c1, cphi1, sphi1, c2, cphi2, sphi2, q_b, e_b, m_k, m_x, m_y, second,
           lab, bx, by, bz, gamma, g2, K, X, Y1, Y2):
    for i in range(cos_b.shape[0]):
        # sin2_directions * q: (sin theta cos phi) q, (sin theta sin phi) q, cos theta q
        ct = cos_b[i]
        st = math.sqrt(max(1.0 - ct * ct, 0.0))
        b = (e_b, st * cphi_b[i] * q_b, st * sphi_b[i] * q_b, ct * q_b)
        kaon, x = _two_body(b[0], b[1], b[2], b[3], m_k, m_x, c1[i], cphi1[i], sphi1[i])
        _store(K, i, kaon, lab, bx, by, bz, gamma, g2)
        _store(X, i, x, lab, bx, by, bz, gamma, g2)
        if second:
            y1, y2 = _two_body(x[0], x[1], x[2], x[3], m_y, m_y, c2[i], cphi2[i], sphi2[i])
            _store(Y1, i, y1, lab, bx, by, bz, gamma, g2)
            _store(Y2, i, y2, lab, bx, by, bz, gamma, g2)


def upsilon4s_chain(rng, n: int, m_x: float, m_y: float | None = None, beta=None, meson: str = "B+",
                    daughter: str = "K+") -> dict[str, np.ndarray]:
    """Four-momenta (n, 4) of Upsilon(4S) -> B B (at rest), B -> K X, and X -> Y Y if ``m_y`` is given.

    The same bits as ``Upsilon4S(meson).parents(rng, n)``, then ``two_body_decay(rng, B, m_K, m_x)``,
    then (with ``m_y``) ``two_body_decay(rng, X, m_y, m_y)``, then (with ``beta``, the velocity (3,) of
    the CM frame in the lab) ``boost(p, beta)`` of each: keys ``K``, ``X`` and ``Y1``, ``Y2``.
    ``rng`` may be a :class:`numpy.random.Generator` or the batch stand-in of
    :func:`~llpscan.physics.kinematics.event_batches` (only ``uniform`` is called). Masses in GeV.
    """
    # the draws, in the numpy composition's order
    u_b = rng.uniform(0.0, 1.0, n)
    phi_b = rng.uniform(0.0, 2 * np.pi, n)
    c1 = rng.uniform(-1.0, 1.0, n)
    phi1 = rng.uniform(0.0, 2 * np.pi, n)
    if m_y is not None:
        c2 = rng.uniform(-1.0, 1.0, n)
        phi2 = rng.uniform(0.0, 2 * np.pi, n)
    else:
        c2 = phi2 = np.zeros(0)
    # numpy's transcendental functions, as the numpy composition evaluates them
    cos_b = 2.0 * np.cos((np.arccos(1.0 - 2.0 * u_b) - 2.0 * np.pi) / 3.0)
    m_ups, m_b, m_k = pdg.mass("Upsilon(4S)"), pdg.mass(meson), pdg.mass(daughter)
    q_b = float(two_body_momentum(m_ups, m_b, m_b))
    e_b = float(np.hypot(q_b, m_b))
    lab = beta is not None
    if lab:
        beta = np.asarray(beta, dtype=float)
        gamma = 1.0 / np.sqrt(1.0 - np.einsum("...i,...i->...", beta, beta))
        g2 = float(gamma * gamma / (1.0 + gamma))
        gamma = float(gamma)
        bx, by, bz = (float(v) for v in beta)
    else:
        gamma = g2 = bx = by = bz = 0.0
    out = {k: np.empty((n, 4)) for k in ("K", "X")}
    second = m_y is not None
    if second:
        out.update(Y1=np.empty((n, 4)), Y2=np.empty((n, 4)))
    empty = np.empty((0, 4))
    _chain(cos_b, np.cos(phi_b), np.sin(phi_b), c1, np.cos(phi1), np.sin(phi1), c2, np.cos(phi2), np.sin(phi2),
           q_b, e_b, float(m_k), float(m_x), float(m_y or 0.0), second, lab, bx, by, bz, gamma, g2,
           out["K"], out["X"], out.get("Y1", empty), out.get("Y2", empty))
    return out
