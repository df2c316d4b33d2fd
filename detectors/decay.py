r"""Closed-form probabilities that long-lived particles decay where a search sees them, with sampled fallbacks.

Two geometries: one LLP from the interaction point decaying at transverse radius a < r < b with a linear
tracking efficiency (:func:`decay_probability`, Wang, Zhang & Liu, arXiv:2410.00491, eqs. (7)-(9)), and a
chain LLP1 -> LLP2 -> visible that must end within a length (:func:`chain_decay_probability`, the
hypoexponential distribution). Each comes as a numpy function (the reference, broadcasting) and a scalar
numba function for the searches' kernels (in :mod:`llpscan.detectors.kernels`, also reachable from here:
branch-free, with the deterministic SIMD exp/expm1 of :mod:`~llpscan.detectors.vecmath`; a few ulp from
the reference), both written to keep full precision at
long lifetimes, where the lower edge of every reach lies; the sampled fallbacks draw decay positions from
uniforms fixed per event (common random numbers), for checks and for geometries without a closed form.
Exponents beyond ``U_MAX`` = 700 (e^{-700} ~ 1e-304) are clamped: libm's exp leaves its fast path above
708, and the vecmath functions are defined on [-700, 0].
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "U_MAX",
    "decay_probability",
    "interval_probability",
    "interval_probability_scalar",
    "sampled_decay_weight",
    "chain_decay_probability",
    "chain_decay_probability_scalar",
    "chain_decay_sampled",
]

#: exp(-u) for u > 708 leaves the fast path of libm; beyond u = 700 (e^{-u} < 1e-304) a probability
#: is set to 0 (or 1 for its complement) without evaluating it
U_MAX = 700.0
# below this x the series of gamma(2, x) is used: truncation after x^9 is < 1e-16 relative
_X_SERIES = 0.05
# chain: series below this value of max(a, b): truncation ~ max^4/720 < 1e-14 relative; the closed
# form above it loses ~ 2 eps/max(a, b) < 5e-13
_CHAIN_SERIES = 1e-3


def _gamma2_series(x):
    # gamma(2, x) = sum_{k>=2} (-1)^k (k-1) x^k / k!, Horner form (the numpy reference, on arrays)
    return x * x * (0.5 - x * (1 / 3 - x * (1 / 8 - x * (1 / 30 - x * (1 / 144 - x * (1 / 840 - x * (1 / 5760 - x / 45360)))))))


def interval_probability(u, x, one_minus, lam_r0):
    """The radial-interval probability (:func:`decay_probability`) in the variables of the kernels (numpy,
    broadcasting): u = a/lam, x = (b - a)/lam, one_minus = 1 - a/r0, lam_r0 = lam/r0."""
    x = np.minimum(x, U_MAX)
    em1 = -np.expm1(-x)  # 1 - e^{-x}
    g2 = np.where(x < _X_SERIES, _gamma2_series(x), em1 - x * (1.0 - em1))
    p = np.exp(-np.minimum(u, U_MAX)) * (one_minus * em1 - lam_r0 * g2)
    return np.where(u >= U_MAX, 0.0, p)  # e^{-u} < 1e-304: exactly 0, like the kernel


def decay_probability(a, b, lam, r0):
    r"""Probability to decay at transverse radius a < r < b, weighted by w(r) = 1 - r/r0.

    Wang, Zhang & Liu (arXiv:2410.00491), eqs. (7) and (9) in closed form: the radius is exponential with
    the transverse decay length lam = (p_T/m) c tau, and

        P = e^{-a/lam} [ (1 - a/r0) (1 - e^{-x}) - (lam/r0) gamma(2, x) ],   x = (b - a)/lam,

    gamma(2, x) = 1 - (1 + x) e^{-x} the regularised lower incomplete gamma function (expm1, and its
    series at small x, keep full precision for lam >> b); long-lifetime limit x (1 - (a + b)/(2 r0)).

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
    return interval_probability(a / lam, np.maximum(b - a, 0.0) / lam, 1.0 - a / r0, lam / r0)


def sampled_decay_weight(a, b, lam, r0, uniform):
    """Sampled fallback: draw the decay radius r = -lam ln(1 - u) from fixed uniforms ``u`` and
    return w(r) = 1 - r/r0 where a < r < b, else 0. Its event mean estimates decay_probability.
    """
    r = -np.asarray(lam) * np.log1p(-np.asarray(uniform))
    return np.where((r > a) & (r < b), 1.0 - r / r0, 0.0)


def chain_decay_probability(L, lam1, lam2):
    """P(X1 + X2 < L) for independent X_i ~ Exp(mean lam_i): the chain decays within L (m).

    P = 1 - (b e^{-a} - a e^{-b})/(b - a) = f(a) - a e^{-a} g(b - a), f(x) = 1 - e^{-x}, g(y) = f(y)/y,
    with a = L/max(lam), b = L/min(lam) (error ~ eps/b), and its series a b [1/2 - (a+b)/6 + ...] when
    both are small. Broadcasts; 0 where L <= 0.

    >>> round(float(chain_decay_probability(1.0, 1e-9, 1e-9)), 12)   # prompt: certain
    1.0
    >>> round(float(chain_decay_probability(1.0, 1e7, 1e8) / 0.5e-15), 6)   # long-lived limit: ab/2
    1.0
    """
    L = np.maximum(np.asarray(L, dtype=float), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = L / np.asarray(lam1, dtype=float)
        y = L / np.asarray(lam2, dtype=float)
    x = np.where(np.isnan(x), 0.0, x)
    y = np.where(np.isnan(y), 0.0, y)
    a = np.minimum(np.minimum(x, y), U_MAX)
    b = np.maximum(x, y)  # not clamped: g(b - a) = 1/(b - a) for large b, and exact there
    d = b - a
    fa = -np.expm1(-a)
    with np.errstate(divide="ignore", invalid="ignore"):
        gd = np.where(d > 1e-8, -np.expm1(-d) / d, 1.0 - 0.5 * d)
    closed = fa - a * (1.0 - fa) * gd  # e^{-a} = 1 - f(a): exact enough where the term matters
    bs = np.minimum(b, _CHAIN_SERIES)  # the series is used only where b < _CHAIN_SERIES (no inf * 0 elsewhere)
    ab = a * bs
    series = ab * (0.5 - (a + bs) / 6 + (a * a + ab + bs * bs) / 24 - (a + bs) * (a * a + bs * bs) / 120)
    return np.where(b < _CHAIN_SERIES, series, closed)


def chain_decay_sampled(L, lam1, lam2, u1, u2):
    """1 where X1 + X2 < L with X_i = -lam_i ln(1 - u_i) from fixed uniforms u_i, else 0.

    Its mean over events estimates :func:`chain_decay_probability`; with the uniforms fixed per
    event it changes with lam_i only where an event crosses the boundary (common random numbers).
    """
    x = -np.asarray(lam1) * np.log1p(-np.asarray(u1)) - np.asarray(lam2) * np.log1p(-np.asarray(u2))
    return (x < np.asarray(L)).astype(float)


def __getattr__(name):
    # the scalar forms are numba functions: compiled code lives in detectors.kernels, imported on use,
    # so that importing a scenario (for `llpscan presets`) does not import numba
    if name in ("interval_probability_scalar", "chain_decay_probability_scalar"):
        from llpscan.detectors import kernels

        return getattr(kernels, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
