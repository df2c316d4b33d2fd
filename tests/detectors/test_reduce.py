"""The event-mean-and-error reducer: against a two-pass computation, against 50-digit arithmetic where
P -> 1, blocks against one array, and the numba helpers against the numpy form, bit for bit."""

import math

import mpmath
import numba
import numpy as np
import pytest

from llpscan.detectors.reduce import event_mean_and_error, shifted_add, shifted_mean_error


def test_against_a_two_pass_computation():
    # two passes (mean first, then the squared deviations from it: numpy's std) have no cancellation
    # for values of order 1 with an order-1 spread: the one-pass shifted sums agree to rounding (1e-12)
    rng = np.random.default_rng(1)
    p = rng.uniform(0.0, 1.0, (5000, 7)) * rng.uniform(0.0, 1.0, 5000)[:, None]
    mean, err = event_mean_and_error(p)
    np.testing.assert_allclose(mean, p.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(err, p.std(axis=0, ddof=1) / math.sqrt(p.shape[0]), rtol=1e-12)


def _mp_mean_error(values):
    """Mean and standard error of the mean of doubles, in 50-digit arithmetic (two passes)."""
    mpmath.mp.dps = 50
    v = [mpmath.mpf(float(x)) for x in values]
    n = len(v)
    m = sum(v) / n
    var = sum((x - m) ** 2 for x in v) / (n - 1)
    return float(m), float(mpmath.sqrt(var / n))


@pytest.mark.parametrize("ctau", [1e4, 1e6, 1e8, 1e10])
def test_probabilities_near_one_against_50_digits(ctau):
    # The invisible search's escape probability exp(-L/(beta gamma c tau)) -> 1 at long lifetimes,
    # where the reach is: spread 1e-4 .. 1e-10 around 1. Sums of p and p^2 without a shift cancel there
    # (the formula s2/n - mean^2 that search used gives an error of 0 on these values at c tau >= 1e8 m,
    # and 315x the true one on another sample at 1e10 m); shifted by the first event, the error stays at
    # rounding level (1e-9 relative).
    n = 20_000
    d = np.random.default_rng(2).uniform(0.0, 2.0, n)
    p = np.exp(-d / ctau)[:, None]
    ref_mean, ref_err = _mp_mean_error(p[:, 0])
    mean, err = event_mean_and_error(p)
    assert mean[0] == pytest.approx(ref_mean, rel=1e-15)
    assert err[0] == pytest.approx(ref_err, rel=1e-9)
    naive = np.sqrt(np.clip((p * p).sum(0) / n - (p.sum(0) / n) ** 2, 0.0, None) * n / (n - 1) / n)[0]
    if ctau >= 1e8:
        assert abs(naive / ref_err - 1) > 0.5  # what the shift is for


def test_blocks_in_event_order_give_the_same_bits_as_one_array():
    p = np.random.default_rng(3).exponential(1.0, (10_001, 5))
    whole = event_mean_and_error(p)
    for size in (1, 7, 4096, 10_001, 20_000):
        blocks = event_mean_and_error(iter([p[i:i + size] for i in range(0, len(p), size)]))
        np.testing.assert_array_equal(blocks[0], whole[0])
        np.testing.assert_array_equal(blocks[1], whole[1])


@numba.njit
def _kernel(p):
    n, m = p.shape
    mean, err = np.empty(m), np.empty(m)
    for j in range(m):
        shift, s1, s2 = 0.0, 0.0, 0.0
        for i in range(n):
            if i == 0:
                shift = p[i, j]
            s1, s2 = shifted_add(p[i, j], shift, s1, s2)
        mean[j], err[j] = shifted_mean_error(shift, s1, s2, n)
    return mean, err


def test_numba_helpers_give_the_numpy_bits():
    # the kernels' arithmetic (detectors.searches.displaced, .cascade) is the numpy reducer's, exactly
    rng = np.random.default_rng(4)
    for p in (rng.uniform(0.0, 1.0, (3001, 4)), 1.0 - rng.uniform(0.0, 1e-9, (3001, 4)), np.ones((5, 2))):
        got, ref = _kernel(p), event_mean_and_error(p)
        np.testing.assert_array_equal(got[0], ref[0])
        np.testing.assert_array_equal(got[1], ref[1])


def test_one_event_and_no_event():
    mean, err = event_mean_and_error(np.array([[0.25, 1.0]]))
    assert mean.tolist() == [0.25, 1.0] and err.tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="no events"):
        event_mean_and_error(iter([]))
