"""The strong coupling: MSbar alpha_s(mu) by four-loop running from the PDG world average at m_Z.

One home for alpha_s: the heavy-neutral-lepton widths (QCD correction of the inclusive quark width), the
ALP's a -> g g width and the dark photon's quark-parton R ratio all take it from here. Units: GeV.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from llpscan.physics import pdg

__all__ = ["ALPHA_S_MZ", "alpha_s", "beta_coefficients"]

ALPHA_S_MZ = 0.1180  # PDG 2024, QCD review: world average alpha_s(m_Z)


def beta_coefficients(nf):
    """(b0, b1, b2, b3) of d a/d ln mu^2 = -(b0 a^2 + b1 a^3 + b2 a^4 + b3 a^5), a = alpha_s/pi, MSbar.

    The four-loop beta function of van Ritbergen, Vermaseren & Larin (hep-ph/9701390), as collected in
    the PDG 2024 QCD review (section 9.3), with beta_k divided by 4^(k+1) for a = alpha_s/pi.

    >>> round(beta_coefficients(5)[0], 6)   # 11/4 - nf/6 = 23/12 for five flavours
    1.916667
    """
    from scipy.special import zeta  # scipy on use: importing the physics stays cheap

    z3 = zeta(3)
    b0 = (11 - 2 / 3 * nf) / 4
    b1 = (102 - 38 / 3 * nf) / 16
    b2 = (2857 / 2 - 5033 / 18 * nf + 325 / 54 * nf**2) / 64
    b3 = (149753 / 6 + 3564 * z3 - (1078361 / 162 + 6508 / 27 * z3) * nf
          + (50065 / 162 + 6472 / 81 * z3) * nf**2 + 1093 / 729 * nf**3) / 256
    return b0, b1, b2, b3


@lru_cache(maxsize=None)
def _alpha_s_solutions():
    """Dense solutions a(ln mu^2), a = alpha_s/pi, in the three flavour regimes."""
    from scipy.integrate import solve_ivp

    m_z, m_b, m_c = pdg.mass("Z0"), pdg.mass("b"), pdg.mass("c")
    sols = []
    a0, t0 = ALPHA_S_MZ / np.pi, np.log(m_z**2)
    for nf, t_end in ((5, np.log(m_b**2)), (4, np.log(m_c**2)), (3, np.log(1.0))):
        b = beta_coefficients(nf)
        sol = solve_ivp(lambda t, a, b=b: -(b[0] * a**2 + b[1] * a**3 + b[2] * a**4 + b[3] * a**5),
                        (t0, t_end), [a0], method="DOP853", dense_output=True, rtol=1e-9,
                        atol=1e-13)
        sols.append((t_end, sol.sol))
        a0, t0 = sol.y[0, -1], t_end
    return tuple(sols)


def alpha_s(mu):
    """MSbar alpha_s(mu), mu in GeV (any shape; 1 <= mu <= m_Z, clipped to 1 GeV below).

    Four-loop running from alpha_s(m_Z) = 0.1180 with n_f = 5 -> 4 -> 3 at the PDG m_b(m_b) and
    m_c(m_c), continuous at the thresholds (the matching corrections, < 0.5%, are left out).
    Gives alpha_s(m_tau) = 0.319 and alpha_s(2 GeV) = 0.301.

    >>> round(float(alpha_s(pdg.mass("Z0"))), 4)   # the input at m_Z
    0.118
    """
    mu = np.asarray(mu, dtype=float)
    t = np.log(np.clip(mu.ravel(), 1.0, None) ** 2)  # the ODE solutions take 1-D arrays only
    (tb, s5), (tc, s4), (_, s3) = _alpha_s_solutions()
    a = np.where(t >= tb, s5(np.maximum(t, tb))[0],
                 np.where(t >= tc, s4(np.clip(t, tc, tb))[0], s3(np.minimum(t, tc))[0]))
    return np.pi * a.reshape(mu.shape)
