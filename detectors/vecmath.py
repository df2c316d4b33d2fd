r"""Deterministic exp and expm1 for the acceptance kernels: vectorisable, the same bits in every SIMD lane.

Why not ``math.exp``: numba (0.68, llvmlite 0.50, LLVM 22) has no SVML (``numba -s``: "SVML State
False"; the SVML patch was not ported past LLVM 15), so ``math.exp``/``math.expm1`` in a loop is one
scalar libm call per value and the loop does not vectorise (about 25 ns per exp + expm1 pair here,
against ~1 ns per value for numpy's SIMD exp). The functions below use only IEEE-754 basic operations
(+ - * /, comparisons and selects), bit casts and an explicit fused multiply-add (the ``llvm.fma``
intrinsic: one rounding), all correctly rounded; without fast-math flags LLVM makes no
value-changing rewrite. Hence:

* loops that call them vectorise (8 doubles per AVX-512 instruction on this machine);
* a value computed in a vector lane, in the scalar remainder of a loop or in a scalar call has the
  same bits, so a kernel's result for one coupling point does not depend on how points are split
  into blocks, calls or threads;
* the bits depend on no CPU feature (AVX-512, AVX2 or none, where fma falls back to a correct
  software fma): unlike numpy's exp, whose SIMD loops differ from libm and from each other by an ulp.

Method (Cody & Waite, "Software Manual for the Elementary Functions", 1980, ch. 6; the standard
table-free reduction, also in Muller, "Elementary Functions", 3rd ed., 2016, ch. 11):

    y = n ln2 + r,   n = round(y/ln2) (adding 1.5 * 2^52 rounds to an integer), |r| <= ln2/2,
    r = (y - n LN2_HI) - n LN2_LO   (ln2 split in two doubles; the first step is exact with an fma),
    expm1(r) = r + r^2 q(r),  q a degree-10 polynomial fitted at Chebyshev nodes with 50-digit
               arithmetic (tools/fit_vecmath_coefficients.py: relative error 2.5e-18 on |r| <= 0.3467,
               far below the 1.1e-16 of double rounding),
    exp(y)   = 2^n (1 + expm1(r)),   expm1(y) = (2^n - 1) + 2^n expm1(r),

each final sum arranged so that only its last addition rounds by more than a few units in 1e-18
(Fast2Sum, Dekker 1971). Measured against mpmath (tests/detectors/test_vecmath.py): exp <= 0.53 ulp,
expm1 <= 0.9 ulp. Domain: y in [-700, 0] (x in [0, 700] for the functions of e^{-x}); callers clamp
(e^{-700} ~ 1e-304 keeps 2^n a normal number). Outside it the results are undefined.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = ["fma", "exp_d", "expm1_d", "em1_g2_d", "exp_em1_g2_d", "em1_k_d", "G2_SWITCH", "exp_array",
           "expm1_array"]

_JIT = dict(nogil=True, cache=True, inline="always", error_model="numpy")


@intrinsic
def fma(typingctx, a, b, c):
    """a * b + c with one rounding (the llvm.fma.f64 intrinsic: vfmadd on x86-64)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        f64 = ir.DoubleType()
        fn = builder.module.declare_intrinsic("llvm.fma", [f64], ir.FunctionType(f64, [f64, f64, f64]))
        return builder.call(fn, args)

    return sig, codegen


@intrinsic
def _as_int64(typingctx, x):
    """The bits of a float64 as an int64 (a bit cast)."""
    sig = types.int64(types.float64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return sig, codegen


@intrinsic
def _as_float64(typingctx, i):
    """The float64 with the bits of the int64 i (a bit cast)."""
    sig = types.float64(types.int64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


# Cody-Waite constants: LN2_HI = ln2 rounded to double, LN2_LO = (ln2 - LN2_HI) rounded; with an fma,
# y - n LN2_HI is exact for |n| <= 1010 (it is a multiple of ulp(y) or of 2^-53 below 0.35 in size).
_INV_LN2 = 1.4426950408889634
_LN2_HI = 0.6931471805599453
_LN2_LO = 2.3190468138462996e-17
_SHIFTER = 6755399441055744.0  # 1.5 * 2^52: y/ln2 + SHIFTER holds round(y/ln2) in its low mantissa bits
_SHIFTER_BITS = 0x4338000000000000  # the bits of _SHIFTER

# q(r) = (e^r - 1 - r)/r^2 = sum_k C_k r^k; C0 = 1/2 exact, the others from
# tools/fit_vecmath_coefficients.py (they differ from the Taylor coefficients 1/(k+2)! from k = 3 on)
_C0 = 0.5
_C1 = 0.16666666666666669
_C2 = 0.041666666666666664
_C3 = 0.008333333333330055
_C4 = 0.0013888888888886548
_C5 = 0.00019841269863088255
_C6 = 2.4801587317169235e-05
_C7 = 2.7557268406190795e-06
_C8 = 2.7557282931125736e-07
_C9 = 2.51004110820149e-08
_C10 = 2.091125490208877e-09

#: below this x, gamma(2, x) and k(x) come from the polynomial q itself (no cancellation); it must stay
#: below ln2/2 = 0.3466 so that the reduction of -x gives n = 0 and r = -x exactly
G2_SWITCH = 0.34


@numba.njit(**_JIT)
def _reduce(y):
    """(2^n, r) with y = n ln2 + r, |r| <= ln2/2, for y in [-700, 0]."""
    t = fma(y, _INV_LN2, _SHIFTER)  # SHIFTER + round(y/ln2)
    nf = t - _SHIFTER  # n as a double, exact
    scale = _as_float64((_as_int64(t) - _SHIFTER_BITS + 1023) << 52)  # 2^n (normal for n >= -1022)
    r = fma(-nf, _LN2_HI, y)  # exact
    return scale, fma(-nf, _LN2_LO, r)


@numba.njit(**_JIT)
def _q(r):
    """q(r) = (e^r - 1 - r)/r^2 for |r| <= 0.3467, Horner's scheme with fmas."""
    q = fma(_C10, r, _C9)
    q = fma(q, r, _C8)
    q = fma(q, r, _C7)
    q = fma(q, r, _C6)
    q = fma(q, r, _C5)
    q = fma(q, r, _C4)
    q = fma(q, r, _C3)
    q = fma(q, r, _C2)
    q = fma(q, r, _C1)
    return fma(q, r, _C0)


@numba.njit(**_JIT)
def _exp_from(scale, r, r2, q):
    # e^r = hi + (lo + r^2 q): hi + lo = 1 + r exactly (Fast2Sum, |r| < 1); one large rounding at the end
    hi = 1.0 + r
    lo = (1.0 - hi) + r
    return scale * (hi + fma(r2, q, lo))


@numba.njit(**_JIT)
def _expm1_from(scale, r, r2, q):
    # 2^n e^r - 1 = (2^n - 1) + 2^n r + 2^n r^2 q: s + t is summed exactly (Fast2Sum: |s| >= |t| for
    # n <= -1, and s = 0 for n = 0), 2^n - 1 is exact for n >= -53 and correctly rounded below;
    # 2^n r and 2^n r^2 are exact (powers of two)
    s = scale - 1.0
    t = scale * r
    h = s + t
    err = (s - h) + t
    return h + fma(scale * r2, q, err)


@numba.njit(**_JIT)
def exp_d(y):
    """e^y for y in [-700, 0] (module docstring); max error 0.53 ulp."""
    scale, r = _reduce(y)
    return _exp_from(scale, r, r * r, _q(r))


@numba.njit(**_JIT)
def expm1_d(y):
    """e^y - 1 for y in [-700, 0], full relative precision as y -> 0; max error 0.9 ulp."""
    scale, r = _reduce(y)
    return _expm1_from(scale, r, r * r, _q(r))


@numba.njit(**_JIT)
def em1_g2_d(x):
    """(1 - e^{-x}, gamma(2, x)) for x in [0, 700] from one reduction and one polynomial.

    gamma(2, x) = 1 - (1 + x) e^{-x} is the regularised lower incomplete gamma function. Below
    :data:`G2_SWITCH`, e^{-x} = 1 - x + x^2 q(-x) exactly in the reduction (n = 0, r = -x), so
    gamma(2, x) = x^2 (1 - q - x q) = x^2 fma(-q, x, 1 - q) without cancellation (1 - q is exact,
    Sterbenz, q in [0.5, 0.56]); above it the closed form (1 - e^{-x}) - x (1 - (1 - e^{-x})), whose
    relative error ~2 eps/x is then a few ulp.
    """
    scale, r = _reduce(-x)
    q = _q(r)
    em1 = -_expm1_from(scale, r, r * r, q)
    g2 = (x * x) * fma(-q, x, 1.0 - q) if x < G2_SWITCH else em1 - x * (1.0 - em1)
    return em1, g2


@numba.njit(**_JIT)
def exp_em1_g2_d(x):
    """(e^{-x}, 1 - e^{-x}, gamma(2, x)) for x in [0, 700] from one reduction and one polynomial.

    As :func:`em1_g2_d`, but above :data:`G2_SWITCH` gamma(2, x) = (1 - e^{-x}) - x e^{-x} uses the
    accurate e^{-x} (1 - (1 - e^{-x}) would carry an absolute error eps/2, multiplied by x).
    """
    scale, r = _reduce(-x)
    q = _q(r)
    r2 = r * r
    ex = _exp_from(scale, r, r2, q)
    em1 = -_expm1_from(scale, r, r2, q)
    g2 = (x * x) * fma(-q, x, 1.0 - q) if x < G2_SWITCH else em1 - x * ex
    return ex, em1, g2


@numba.njit(**_JIT)
def em1_k_d(x):
    """(1 - e^{-x}, k(x) = 1 - (1 - e^{-x})/x) for x in [0, inf]; k(0) = 0, k(inf) = 1.

    Below :data:`G2_SWITCH`, 1 - e^{-x} = x - x^2 q(-x) exactly in the reduction, so k(x) = x q(-x)
    without cancellation; above it 1 - (1 - e^{-x})/x directly (k > 0.15 there: no large cancellation).
    """
    xc = min(x, 700.0)
    scale, r = _reduce(-xc)
    q = _q(r)
    em1 = -_expm1_from(scale, r, r * r, q)
    k = xc * q if xc < G2_SWITCH else 1.0 - em1 / x
    return em1, k


@numba.njit(nogil=True, cache=True, error_model="numpy")
def exp_array(y):
    """:func:`exp_d` over an array (y in [-700, 0]), e.g. to compare with other implementations."""
    out = np.empty_like(y)
    flat, res = y.ravel(), out.ravel()
    for i in range(flat.size):
        res[i] = exp_d(flat[i])
    return out


@numba.njit(nogil=True, cache=True, error_model="numpy")
def expm1_array(y):
    """:func:`expm1_d` over an array (y in [-700, 0])."""
    out = np.empty_like(y)
    flat, res = y.ravel(), out.ravel()
    for i in range(flat.size):
        res[i] = expm1_d(flat[i])
    return out
