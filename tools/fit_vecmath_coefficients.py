"""Fit the polynomial behind llpscan.detectors.vecmath's exp/expm1 (run it to regenerate the constants).

After the Cody-Waite reduction (Cody & Waite, "Software Manual for the Elementary Functions", 1980,
ch. 6: y = n ln2 + r with ln2 split into a high and a low part) the reduced argument lies in
|r| <= ln2/2 (1 + 2^-50) < H. There expm1(r) = r + r^2 q(r) with

    q(r) = (e^r - 1 - r)/r^2 = 1/2 + r/6 + r^2/24 + ...,

and q is approximated by a polynomial of degree DEG: q(0) = 1/2 is kept exact, and (q(r) - 1/2)/r is
interpolated at the DEG Chebyshev nodes of [-H, H] in 50-digit arithmetic (mpmath). Interpolation at
Chebyshev nodes is near-minimax: its maximum error is within a factor 2 + (2/pi) log(DEG) of the best
uniform (Remez) approximation of the same degree (Trefethen, "Approximation Theory and Approximation
Practice", SIAM 2013, thm. 16.1), and the achieved error is printed, not assumed. The coefficients are
then rounded to double and the error of r + r^2 q(r) against mpmath's expm1 is measured over a dense
grid with the ROUNDED coefficients (exact arithmetic otherwise, i.e. before the rounding of the double
evaluation, which the tests measure separately).

    python tools/fit_vecmath_coefficients.py            # degree 10 (the shipped one), and 8, 9 for comparison
"""
import mpmath as mp

mp.mp.dps = 50
H = mp.mpf("0.3467")  # > ln2/2 = 0.346574: the reduced range, with margin for the rounding of r


def q_tail(r):
    """(q(r) - 1/2)/r = (e^r - 1 - r - r^2/2)/r^3, by its Taylor series near 0 (no cancellation)."""
    if abs(r) < mp.mpf("1e-8"):
        return sum(r**k / mp.factorial(k + 3) for k in range(6))
    return (mp.expm1(r) - r - r * r / 2) / r**3


def fit(deg):
    """Coefficients c_0 .. c_deg of q (c_0 = 1/2), rounded to double, and the max relative error."""
    m = deg  # the tail has degree deg - 1: deg nodes
    nodes = [H * mp.cos(mp.pi * (k + mp.mpf(1) / 2) / m) for k in range(m)]
    a = mp.matrix([[x**j for j in range(m)] for x in nodes])
    tail = mp.lu_solve(a, mp.matrix([q_tail(x) for x in nodes]))
    coef = [0.5] + [float(c) for c in tail]
    worst = mp.mpf(0)
    for i in range(-4000, 4001):
        r = H * i / 4000
        if r == 0:
            continue
        q = sum(mp.mpf(c) * r**k for k, c in enumerate(coef))
        worst = max(worst, abs((r + r * r * q) / mp.expm1(r) - 1))
    return coef, worst


if __name__ == "__main__":
    for deg in (8, 9, 10):
        coef, worst = fit(deg)
        print(f"degree {deg} (expm1 degree {deg + 2}): max relative error {mp.nstr(worst, 3)} "
              f"(double eps/2 = 1.1e-16)")
    coef, worst = fit(10)
    for k, c in enumerate(coef):
        print(f"_C{k} = {c!r}  # 1/({k + 2})! = {float(1 / mp.factorial(k + 2))!r}")
