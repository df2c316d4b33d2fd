"""The closed-form decay probabilities against independent references: 60-, 50- and 40-digit arithmetic,
quadrature, and the sampled fallbacks; the kernels' scalar forms against 50 digits and the numpy forms."""

import math

import mpmath
import numba
import numpy as np
import pytest
from scipy import integrate

from llpscan.detectors.decay import (chain_decay_probability, chain_decay_probability_scalar, chain_decay_sampled,
                                     decay_probability, interval_probability, interval_probability_scalar)

R0 = 0.80


def p_mpmath(a, b, lam, r0):
    """Direct form of the integral (Wang, Zhang & Liu, arXiv:2410.00491, eq. 7 integrated by hand), in 60 digits:
    it cancels catastrophically in doubles at long lifetimes, but not at this precision."""
    mpmath.mp.dps = 60
    a, b, lam, r0 = (mpmath.mpf(v) for v in (a, b, lam, r0))
    ea, eb = mpmath.exp(-a / lam), mpmath.exp(-b / lam)
    return float((ea - eb) - ((a + lam) * ea - (b + lam) * eb) / r0)


@pytest.mark.parametrize("lam", np.geomspace(1e-3, 1e10, 27))  # 0.1 cm to 1e12 cm, in metres
@pytest.mark.parametrize(("a", "b"), [(0.10, 0.80), (0.01, 0.80), (0.10, 0.35), (0.55, 0.551)])
def test_closed_form_matches_high_precision_integral(a, b, lam):
    # the kernel must match to 1e-12 relative for lam from 0.1 cm to 1e12 cm
    ref = p_mpmath(a, b, lam, R0)
    got = float(decay_probability(a, b, lam, R0))
    if ref < 1e-300:  # below double precision's range: both must be (nearly) zero
        assert got < 1e-290
    else:
        assert got == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("lam", [0.05, 0.3, 2.0, 40.0])
def test_closed_form_matches_quadrature(lam):
    # Wang, Zhang & Liu (arXiv:2410.00491) eq. (7) integrated numerically as printed: (1/R) int L(r) A(z) e^{-r/R} dr
    a, b = 0.10, 0.62
    ref, _ = integrate.quad(lambda r: (1 - r / R0) * np.exp(-r / lam) / lam, a, b, epsabs=0, epsrel=1e-13)
    assert float(decay_probability(a, b, lam, R0)) == pytest.approx(ref, rel=1e-11)


def test_empty_interval_gives_zero_and_long_lifetime_limit():
    assert decay_probability(0.5, 0.5, 1.0, R0) == 0.0
    assert decay_probability(0.5, 0.3, 1.0, R0) == 0.0
    lam = 1e9
    assert decay_probability(0.01, 0.8, lam, R0) == pytest.approx(0.79 / lam * (1 - 0.81 / 1.6), rel=1e-9)


def _mp_chain(L, l1, l2):
    """P(X1 + X2 < L) at 40 digits: the textbook hypoexponential CDF, or Erlang-2 when l1 = l2."""
    mpmath.mp.dps = 40
    L, l1, l2 = mpmath.mpf(L), mpmath.mpf(l1), mpmath.mpf(l2)
    if l1 == l2:
        return 1 - (1 + L / l1) * mpmath.exp(-L / l1)
    return 1 - (l1 * mpmath.exp(-L / l1) - l2 * mpmath.exp(-L / l2)) / (l1 - l2)


@pytest.mark.parametrize("l1", [1e-3, 0.3, 20.0, 75.0, 1e3, 1e6, 1e9, 1e12])
@pytest.mark.parametrize("l2", [1e-3, 0.31, 75.0, 75.0 * (1 + 1e-9), 1e4, 1e12])
def test_chain_probability_against_high_precision(l1, l2):
    # the kernel's stable forms against the plain formula in 40-digit arithmetic: 1e-11 relative
    # (the closed form loses ~ 2 eps / max(a, b) <= 5e-13; the series truncation is < 1e-14)
    L = 75.0
    expected = float(_mp_chain(L, l1, l2))
    got = float(chain_decay_probability(L, l1, l2))
    assert got == pytest.approx(expected, rel=1e-11, abs=1e-300)


def test_chain_probability_against_quadrature_of_the_convolution():
    # P = int_0^L e^{-x/l1}/l1 (1 - e^{-(L-x)/l2}) dx by scipy quad, at moderate lengths: 1e-9
    for L, l1, l2 in [(75.0, 10.0, 40.0), (30.0, 100.0, 1.0), (5.0, 3.0, 3.0)]:
        q, _ = integrate.quad(lambda x: math.exp(-x / l1) / l1 * -math.expm1(-(L - x) / l2), 0.0, L, epsabs=0, epsrel=1e-12)
        assert float(chain_decay_probability(L, l1, l2)) == pytest.approx(q, rel=1e-9)
    assert float(chain_decay_probability(0.0, 1.0, 1.0)) == 0.0
    assert float(chain_decay_probability(-1.0, 1.0, 1.0)) == 0.0


def test_sampled_fallback_function():
    u = np.array([0.5, 0.5])
    # X = lam ln 2 each: 2 ln 2 = 1.386 < 1.5 but not < 1.3
    assert chain_decay_sampled(np.array([1.5, 1.3]), 1.0, 1.0, u, u).tolist() == [1.0, 0.0]


@numba.njit
def _kernel_forms(u, x, om, lr, cx, cy):
    p, c = np.empty(u.size), np.empty(cx.size)
    for i in range(u.size):
        p[i] = interval_probability_scalar(u[i], x[i], om[i], lr[i])
    for i in range(cx.size):
        c[i] = chain_decay_probability_scalar(cx[i], cy[i])
    return p, c


def _ulp(got, exact):
    e = float(exact)
    if e == 0.0:
        return 0.0 if got == 0.0 else math.inf
    return float(abs(mpmath.mpf(got) - exact) / mpmath.mpf(np.spacing(abs(e))))


def test_kernel_forms_within_a_few_ulp_of_50_digits():
    # The kernels' scalar forms (vecmath's exp/expm1, gamma(2, x) and k(d) from the expm1 polynomial,
    # the cascade as gamma(2, a) + a e^{-a} k(d)) on the exact values of their double inputs: a few
    # roundings of non-negative terms, each within ~1 ulp, the bracket of the radial form cancelling by
    # at most ~2x for b <= r0. Measured on these inputs: 4.8 ulp (radial), 5.5 ulp (cascade; the numpy
    # form of the cascade loses up to 3000 ulp). 8 ulp fails for any lost term or a wrong branch.
    mpmath.mp.dps = 50
    rng = np.random.default_rng(1)
    n = 3000
    a = rng.uniform(0.01, 0.79, n)
    b = a + (0.8 - a) * rng.uniform(0, 1, n)
    lam = 10 ** rng.uniform(-3, 10, n)
    r0 = np.where(rng.uniform(size=n) < 0.8, R0, np.inf)
    u, x, om, lr = a / lam, (b - a) / lam, 1 - a / r0, lam / r0
    L = rng.uniform(0.1, 75, n)
    cx, cy = L / 10 ** rng.uniform(-4, 12, n), L / 10 ** rng.uniform(-4, 12, n)
    p, c = _kernel_forms(u, x, om, lr, cx, cy)

    def radial(u, x, om, lr):
        u, x, om, lr = (mpmath.mpf(v) for v in (u, x, om, lr))
        if u >= 700:
            return mpmath.mpf(0)
        x = min(x, mpmath.mpf(700))
        return mpmath.exp(-u) * (om * -mpmath.expm1(-x) - lr * (-mpmath.expm1(-x) - x * mpmath.exp(-x)))

    def chain(x, y):
        lo, hi = sorted((mpmath.mpf(x), mpmath.mpf(y)))
        if lo > 50:
            return mpmath.mpf(1)
        if lo == hi:
            return 1 - (1 + lo) * mpmath.exp(-lo)
        return 1 - (hi * mpmath.exp(-lo) - lo * mpmath.exp(-hi)) / (hi - lo)

    assert max(_ulp(g, radial(*v)) for g, v in zip(p, zip(u, x, om, lr))) <= 8
    assert max(_ulp(g, chain(*v)) for g, v in zip(c, zip(cx, cy))) <= 8
    # and against the numpy form: 48 ulp = 8 + the numpy form's own error, whose closed form of
    # gamma(2, x) just above its series switch at x = 0.05 loses up to 2 eps/x = 40 ulp (measured 25)
    ref = interval_probability(u, x, om, lr)
    assert np.all(np.abs(p - ref) <= 48 * np.spacing(np.abs(ref)))
