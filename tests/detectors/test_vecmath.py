"""vecmath's exp/expm1 against 50-digit arithmetic, libm and numpy; the same bits in every SIMD lane,
and on a CPU target without AVX-512, AVX2 or FMA (a child process compiled for x86-64 'generic')."""

import json
import math
import subprocess
import sys

import mpmath
import numba
import numpy as np
import pytest

from llpscan.detectors.vecmath import em1_g2_d, em1_k_d, exp_array, exp_d, exp_em1_g2_d, expm1_array, expm1_d

from tests.conftest import subprocess_env


def _arguments(n=4000, seed=0):
    """y in [-700, 0]: uniform, log-uniform down to 1e-300 (expm1's small-argument regime), the reduced
    range |y| < 0.35, and the edges of the reduction (multiples of ln2/2, where n changes)."""
    rng = np.random.default_rng(seed)
    edges = np.array([k * math.log(2) / 2 for k in range(1, 2021)])
    edges = np.concatenate([edges, np.nextafter(edges, 0), np.nextafter(edges, np.inf)])
    y = np.concatenate([rng.uniform(0, 700, n), 10 ** rng.uniform(-300, 2.84, n), rng.uniform(0, 0.35, n // 2),
                        edges[edges <= 700], [0.0, 700.0, 5e-324]])
    return -y


def _ulp(got, exact) -> float:
    """|got - exact| in units of the spacing of doubles at ``exact``."""
    e = float(exact)
    if e == 0.0:
        return 0.0 if got == 0.0 else math.inf
    return float(abs(mpmath.mpf(got) - exact) / mpmath.mpf(np.spacing(abs(e))))


# The error budget: the Chebyshev fit is within 2.5e-18 relative (tools/fit_vecmath_coefficients.py),
# Horner's scheme and the reduction add a few 1e-17, and the last addition rounds once (0.5 ulp):
# just above 0.5 ulp (measured 0.69 for exp, 0.86 for expm1 on these arguments). 1 ulp leaves room
# and still fails for any wrong coefficient (a Taylor truncation at degree 9 is already 3e-15 = 14 ulp).
EXP_ULP = 1.0


def test_exp_and_expm1_within_an_ulp_of_50_digits():
    mpmath.mp.dps = 50
    y = _arguments()
    e, m = exp_array(y), expm1_array(y)
    worst_exp = max(_ulp(g, mpmath.exp(mpmath.mpf(v))) for g, v in zip(e, y))
    worst_expm1 = max(_ulp(g, mpmath.expm1(mpmath.mpf(v))) for g, v in zip(m, y))
    assert worst_exp <= EXP_ULP and worst_expm1 <= EXP_ULP, (worst_exp, worst_expm1)


def test_against_libm_and_numpy():
    # libm (glibc) rounds exp/expm1 to within ~0.5 ulp, numpy's SIMD loops (AVX-512 here) to within
    # ~0.7 ulp (measured): two results each within an ulp of the exact value are at most 1 ulp apart
    # once both are rounded to doubles (measured: exactly 1 ulp apart on a few % of the arguments)
    y = _arguments(seed=1)
    e, m = exp_array(y), expm1_array(y)
    libm_e = np.array([math.exp(v) for v in y])
    libm_m = np.array([math.expm1(v) for v in y])
    for got, ref in ((e, libm_e), (m, libm_m), (e, np.exp(y)), (m, np.expm1(y))):
        assert np.all(np.abs(got - ref) <= np.spacing(np.abs(ref))), np.max(np.abs(got - ref) / np.spacing(np.abs(ref)))


def _g2(x):
    x = mpmath.mpf(x)
    return -mpmath.expm1(-x) - x * mpmath.exp(-x)


@numba.njit
def _pairs(x):
    out = np.empty((6, x.size))
    for i in range(x.size):
        out[0, i], out[1, i] = em1_g2_d(x[i])
        out[2, i], out[3, i], out[4, i] = exp_em1_g2_d(x[i])
        out[5, i] = em1_k_d(x[i])[1]
    return out


def test_gamma2_and_k_without_cancellation():
    # gamma(2, x) = 1 - (1 + x) e^{-x} and k(x) = 1 - (1 - e^{-x})/x lose everything to cancellation at
    # small x in the textbook form; from the polynomial they keep a few ulp (measured: gamma2 10.7 ulp
    # with the accurate e^{-x}, 24 ulp with 1 - (1 - e^{-x}) at x ~ 5-30, where it is multiplied by
    # lam/r0 << 1 in the kernel; k 6.1 ulp); 16/32/8 ulp fail for a lost term (relative 1e-8 or worse)
    mpmath.mp.dps = 50
    rng = np.random.default_rng(2)
    x = np.concatenate([10 ** rng.uniform(-12, 2.84, 3000), rng.uniform(0.3, 0.4, 300)])
    out = _pairs(x)
    assert max(_ulp(g, -mpmath.expm1(-mpmath.mpf(v))) for g, v in zip(out[0], x)) <= EXP_ULP
    assert max(_ulp(g, _g2(v)) for g, v in zip(out[1], x)) <= 32
    assert max(_ulp(g, mpmath.exp(-mpmath.mpf(v))) for g, v in zip(out[2], x)) <= EXP_ULP
    assert max(_ulp(g, _g2(v)) for g, v in zip(out[4], x)) <= 16
    assert max(_ulp(g, 1 + mpmath.expm1(-mpmath.mpf(v)) / mpmath.mpf(v)) for g, v in zip(out[5], x)) <= 8
    assert em1_k_d(0.0)[1] == 0.0 and em1_k_d(math.inf)[1] == 1.0


@numba.njit
def _in_a_loop(y):  # vectorised by LLVM (8 lanes with AVX-512) plus a scalar remainder
    out = np.empty_like(y)
    for i in range(y.size):
        out[i] = expm1_d(y[i]) + exp_d(y[i])
    return out


@numba.njit(inline="never")
def _one(y):
    return expm1_d(y) + exp_d(y)


@numba.njit
def _one_at_a_time(y):
    out = np.empty_like(y)
    for i in range(y.size):
        out[i] = _one(y[i])
    return out


def test_same_bits_in_every_lane_and_offset():
    y = _arguments(n=1001, seed=3)
    whole = _in_a_loop(y)
    np.testing.assert_array_equal(whole, _one_at_a_time(y))
    for start in (1, 3, 5, 7):  # every value moves to another lane (and some to the remainder loop)
        np.testing.assert_array_equal(_in_a_loop(y[start:]), whole[start:])


_CHILD = r"""
import json, sys
import numpy as np
from llpscan.detectors.vecmath import exp_array, expm1_array
from llpscan.detectors.searches.displaced import mean_acceptance
y = np.array(json.loads(sys.stdin.read()))
rng = np.random.default_rng(5)
a = rng.uniform(0.01, 0.5, (2, 999)); b = a + rng.uniform(0, 0.3, (2, 999)); s = rng.uniform(0.1, 5, (2, 999))
ctau = np.geomspace(1e-4, 1e9, 37)
m, e = mean_acceptance([(a[0], b[0]), (a[1], b[1])], [s[0], s[1]], np.vstack([ctau, ctau * 3]), 0.8, "exactly_one")
print(json.dumps([v.view(np.int64).tolist() for v in (exp_array(y), expm1_array(y), m, e)]))
"""


@pytest.mark.slow
def test_same_bits_without_avx512_avx2_or_fma(tmp_path):
    # A child process compiles vecmath and the displaced-vertex kernel for the baseline x86-64 CPU
    # (SSE2 only: 2 lanes, and llvm.fma becomes libm's correctly rounded fma), in its own cache.
    # Its bits must equal this process's (AVX-512 here): what a cluster of mixed machines computes.
    y = _arguments(n=200, seed=4)
    env = subprocess_env(NUMBA_CPU_NAME="generic", NUMBA_CPU_FEATURES="", NUMBA_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", _CHILD], input=json.dumps(y.tolist()), env=env,
                         capture_output=True, text=True, check=True)
    child = json.loads(out.stdout)
    from llpscan.detectors.searches.displaced import mean_acceptance

    rng = np.random.default_rng(5)
    a = rng.uniform(0.01, 0.5, (2, 999))
    b = a + rng.uniform(0, 0.3, (2, 999))
    s = rng.uniform(0.1, 5, (2, 999))
    ctau = np.geomspace(1e-4, 1e9, 37)
    m, e = mean_acceptance([(a[0], b[0]), (a[1], b[1])], [s[0], s[1]], np.vstack([ctau, ctau * 3]), 0.8, "exactly_one")
    here = [v.view(np.int64).tolist() for v in (exp_array(y), expm1_array(y), m, e)]
    assert child == here
