r"""Decay widths of a Majorana heavy neutral lepton N that mixes with one active flavour.

Tree-level widths of Bondarenko, Boyarsky, Gorbunov & Ruchayskiy, arXiv:1805.08567 (BBGR),
cross-checked with Atre, Han, Pascoli & Zhang, arXiv:0901.3589 (AHPZ) and, for the neutral
vector mesons, Coloma et al., arXiv:2007.03701. Units: GeV for masses and widths, metres for
c*tau; ``U2`` is |V_eN|^2. Conventions:

* Majorana factor: every formula quoted from BBGR is the width of one final state X (the
  "Dirac" width); a Majorana N also decays to the charge conjugate of X with the same width, so
  every channel here, charged or neutral current, leptonic, hadronic or invisible, carries a
  factor 2 (BBGR sec. 3: widths are given per channel, charge-conjugate channels add for a
  Majorana N). Thus Gamma(3 nu) = G_F^2 m^5 U2/(96 pi^3).
* Hadrons: below ``M_INCLUSIVE`` = 2.0 GeV the hadronic width is the sum of the exclusive
  single-meson channels; from 2.0 GeV up it is the inclusive quark width (the three-body formulas
  of BBGR sec. 3.1 with quarks, x N_c) times 1 + Delta_QCD, Delta_QCD = a + 5.2 a^2 + 26.4 a^3,
  a = alpha_s(m_N)/pi (BBGR sec. 3.2, the hadronic-tau-decay series). Why 2.0 GeV: BBGR argue
  that single-meson channels describe the hadronic width only up to about 1 GeV and the
  QCD-corrected quark width from about 2 GeV on, where alpha_s/pi ~ 0.1 and the series terms
  fall (0.096, 0.048, 0.023); the tau lepton (m = 1.78 GeV) confirms it: its measured non-strange
  hadronic width is within 2% of this quark formula (tested), while its single-meson modes
  (pi, rho) are only ~60% of it. Below 2 GeV the exclusive sum under-estimates the width (the
  multi-meson states are missing) but the quark series is not yet convergent; at 2.0 GeV the total
  width jumps up by 57% (:func:`hadronic_switch_jump`). Every function takes ``m_inclusive`` to
  move the switch. The exclusive channels stay available at every mass: they are the numerators
  of Br(N -> signal).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.integrate import solve_ivp
from scipy.special import zeta

from llpscan.physics import pdg
from llpscan.physics.constants import G_F, HBAR_C, SIN2_THETA_W
from llpscan.physics.kinematics import kallen

__all__ = [
    "partial_widths",
    "total_width",
    "ctau",
    "br_signal",
    "alpha_s",
    "hadronic_switch_jump",
    "M_INCLUSIVE",
    "LEPTONIC_CHANNELS",
    "EXCLUSIVE_HADRONIC_CHANNELS",
    "INCLUSIVE_QUARK_CHANNELS",
    "SIGNAL_1DV",
    "SIGNAL_2DV",
    "BR_TAU_3PRONG",
    "BR_D_3PI",
    "BR_DS_3PI",
]

# --------------------------------------------------------------------------------------------
# Inputs. Decay constants in GeV (pseudoscalar f) or GeV^2 (vector g = f_V m_V).
# --------------------------------------------------------------------------------------------
F_PI = 0.1302  # FLAG 2021 (arXiv:2111.09849), f_pi+ N_f=2+1: 130.2(8) MeV
F_K = 0.1557  # FLAG 2021, f_K+ N_f=2+1+1: 155.7(3) MeV
F_D = 0.2120  # FLAG 2021, f_D+ N_f=2+1+1: 212.0(7) MeV
F_DS = 0.2499  # FLAG 2021, f_Ds N_f=2+1+1: 249.9(5) MeV
F_ETA = 0.0817  # BBGR decay-constant table (sec. 3.2.1): neutral-current f_eta = 81.7 MeV
F_ETAP = -0.0947  # BBGR decay-constant table (sec. 3.2.1): neutral-current f_eta' = -94.7 MeV
G_RHO = 0.162  # BBGR vector-meson table (sec. 3.2.1): g_rho = 0.162 GeV^2 (rho+ and rho0)
G_OMEGA = 0.153  # BBGR vector-meson table (sec. 3.2.1): g_omega = 0.153 GeV^2, (uu+dd)/sqrt2
G_PHI = 0.234  # BBGR vector-meson table (sec. 3.2.1): g_phi = 0.234 GeV^2 (<0|ss|phi>)
G_DSTAR = 0.535  # BBGR vector-meson table (sec. 3.2.1): g_D* = 0.535 GeV^2
G_DSSTAR = 0.650  # BBGR vector-meson table (sec. 3.2.1): g_Ds* = 0.650 GeV^2
F_KSTAR = 0.204  # not in BBGR: f_K* = 204(7) MeV, Bharucha-Straub-Zwicky arXiv:1503.05534 Tab. 1
V_UD = 0.97367  # PDG 2024, CKM review: |V_ud| = 0.97367(32)
V_US = 0.2243  # PDG 2024, CKM review: |V_us| = 0.2243(8)
V_CD = 0.221  # PDG 2024, CKM review: |V_cd| = 0.221(4)
V_CS = 0.975  # PDG 2024, CKM review: |V_cs| = 0.975(6)
ALPHA_S_MZ = 0.1180  # PDG 2024 world average alpha_s(m_Z)
N_C = 3

# Neutral-current vector couplings kappa (amplitude <0|J_Z^vector|V> = kappa g_V / sqrt 2 in the
# normalisation where the rho0 has BBGR's kappa = 1 - 2 s_W^2). Derived from
# J_Z = sum_q qbar gamma (T3 - 2 Q s_W^2 - T3 gamma5) q with the g_V definitions above; they agree
# with Coloma et al. arXiv:2007.03701 (Table of neutral vector couplings). BBGR print 4/3 s_W^2 for
# the omega and 4/3 s_W^2 - 1 for the phi, i.e. 2x and sqrt2 x these amplitudes; with BBGR's values
# the total width below 2 GeV would be up to 3.9% larger (at m_N = 1.72 GeV).
_KAPPA_RHO0 = 1.0 - 2.0 * SIN2_THETA_W
_KAPPA_OMEGA = -2.0 / 3.0 * SIN2_THETA_W
_KAPPA_PHI = -(1.0 - 4.0 / 3.0 * SIN2_THETA_W) / np.sqrt(2.0)

# Signal definitions (seed 000, Wang, Zhang & Liu, section III).
BR_TAU_3PRONG = 0.1455  # tau -> 3 prongs, the value seed 000 uses (its ref. [5], PDG)
BR_D_3PI = 0.1525  # D+ -> pi+ pi+ pi- X, BESIII PRD 107 (2023) 032002, arXiv:2301.03214: 15.25(20)%
BR_DS_3PI = 0.3281  # Ds+ -> pi+ pi+ pi- X, BESIII arXiv:2212.13072: 32.81(89)%
# 1DV: channel -> factor that multiplies its width (tau and D(s) must give >= 3 charged pions).
SIGNAL_1DV = {"e tau nu": BR_TAU_3PRONG, "e rho": 1.0, "e K": 1.0, "e D": BR_D_3PI,
              "e Ds": BR_DS_3PI}
# 2DV: every two-track state of section III except e+ e- nu_e. The tau and the D(s) count as one
# track at the N vertex, as in the paper (no daughter branching fraction): factor 1. e D* and e Ds*
# are kept: the paper drops the excited D "for simplicity" in the 1DV discussion only, and
# physics-notes 000 reads 2DV as all two-track states (they are 1.7% of the width at 2.3 GeV).
SIGNAL_2DV = {k: 1.0 for k in ("e mu nu", "e tau nu", "mu mu nu", "e pi", "e rho", "e K", "e K*",
                               "e D", "e Ds", "e D*", "e Ds*")}

LEPTONIC_CHANNELS = ("e e nu", "e mu nu", "mu mu nu", "e tau nu", "3nu")
EXCLUSIVE_HADRONIC_CHANNELS = ("e pi", "e K", "e D", "e Ds", "e rho", "e K*", "e D*", "e Ds*",
                               "nu pi0", "nu eta", "nu eta'", "nu rho0", "nu omega", "nu phi")
INCLUSIVE_QUARK_CHANNELS = ("e u d", "e u s", "e c d", "e c s", "nu u u", "nu d d", "nu s s",
                            "nu c c")
M_INCLUSIVE = 2.0  # GeV: exclusive hadrons below, inclusive quarks (with QCD correction) above

_FLAVOURS = ("e",)


# --------------------------------------------------------------------------------------------
# Kinematic helpers (dimensionless, x = m / m_N).
# --------------------------------------------------------------------------------------------
def _ratio(m, m_n):
    """m / m_N, with +inf where m_N = 0 so that every channel is closed there."""
    with np.errstate(divide="ignore"):
        return np.where(m_n > 0, m / np.where(m_n > 0, m_n, 1.0), np.inf)


def _two_body_cc_p(m_n, m_l, m_h, f, v):
    """One charge state of N -> l- P+ (BBGR sec. 3.2.1, N -> l P; AHPZ appendix C)."""
    xl, xh = _ratio(m_l, m_n), _ratio(m_h, m_n)
    op = m_n > m_l + m_h
    xl2, xh2 = np.where(op, xl**2, 0.0), np.where(op, xh**2, 0.0)
    lam = np.clip(kallen(1.0, xh2, xl2), 0.0, None)
    shape = (1 - xl2) ** 2 - xh2 * (1 + xl2)
    g = G_F**2 * f**2 * v**2 * m_n**3 / (16 * np.pi) * shape * np.sqrt(lam)
    return np.where(op, g, 0.0)


def _two_body_cc_v(m_n, m_l, m_h, g_h, v):
    """One charge state of N -> l- V+ (BBGR sec. 3.2.1, N -> l V), g_h = f_V m_V in GeV^2."""
    xl, xh = _ratio(m_l, m_n), _ratio(m_h, m_n)
    op = m_n > m_l + m_h
    xl2, xh2 = np.where(op, xl**2, 0.0), np.where(op, xh**2, 0.0)
    lam = np.clip(kallen(1.0, xh2, xl2), 0.0, None)
    shape = (1 - xl2) ** 2 + xh2 * (1 + xl2) - 2 * xh2**2
    g = G_F**2 * g_h**2 * v**2 * m_n**3 / (16 * np.pi * m_h**2) * shape * np.sqrt(lam)
    return np.where(op, g, 0.0)


def _two_body_nc_p(m_n, m_h, f):
    """One state of N -> nu P0 (BBGR sec. 3.2.1, N -> nu P)."""
    op = m_n > m_h
    xh2 = np.where(op, _ratio(m_h, m_n) ** 2, 0.0)
    return np.where(op, G_F**2 * f**2 * m_n**3 / (32 * np.pi) * (1 - xh2) ** 2, 0.0)


def _two_body_nc_v(m_n, m_h, g_h, kappa):
    """One state of N -> nu V0 (BBGR sec. 3.2.1, N -> nu V, with kappa of arXiv:2007.03701)."""
    op = m_n > m_h
    xh2 = np.where(op, _ratio(m_h, m_n) ** 2, 0.0)
    g = G_F**2 * kappa**2 * g_h**2 * m_n**3 / (32 * np.pi * m_h**2) * (1 + 2 * xh2) * (1 - xh2) ** 2
    return np.where(op, g, 0.0)


_GL_T, _GL_W = np.polynomial.legendre.leggauss(64)
_THETA = 0.5 * np.pi * (_GL_T + 1.0)  # nodes on [0, pi]
_W_THETA = 0.5 * np.pi * _GL_W


def _i_cc(xa, xb, xc):
    r"""Phase-space integral of |M|^2 ~ (p_N.p_a)(p_b.p_c), normalised to 1 for massless states.

    I = 12 \int ds/s (s - xb^2 - xc^2)(1 + xa^2 - s) lambda^1/2(s, xb^2, xc^2)
                   x lambda^1/2(1, s, xa^2),
    s from (xb + xc)^2 to (1 - xa)^2 (BBGR sec. 3.1.1), a = the particle paired with N
    (the antilepton/antiquark of the W current). Gauss-Legendre in theta with
    s = s0 + (s1 - s0)(1 - cos theta)/2, which removes the square-root end points.
    """
    xa, xb, xc = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (xa, xb, xc)))
    op = xa + xb + xc < 1.0
    xa, xb, xc = (np.where(op, v, 0.0)[..., None] for v in (xa, xb, xc))
    s0, s1 = (xb + xc) ** 2, (1.0 - xa) ** 2
    half = 0.5 * (s1 - s0)
    s = s0 + half * (1.0 - np.cos(_THETA))
    ds = half * np.sin(_THETA)
    lam1 = np.clip(kallen(s, xb**2, xc**2), 0.0, None)
    lam2 = np.clip(kallen(1.0, s, xa**2), 0.0, None)
    f = (s - xb**2 - xc**2) * (1.0 + xa**2 - s) * np.sqrt(lam1 * lam2) / s
    return np.where(op, 12.0 * np.sum(f * ds * _W_THETA, axis=-1), 0.0)


def _nc_pair(x, c1, c2):
    """Bracket of N -> nu f fbar with Z (and W) exchange, BBGR sec. 3.1.2 (the same formula as
    Gorbunov-Shaposhnikov arXiv:0705.1729 sec. 4): equal masses x = m_f/m_N,
    C1 = g_L^2 + g_R^2, C2 = g_L g_R.
    The log is written as 2 ln[(1 - s)/(1 + s)], s = sqrt(1 - 4x^2), an exact rewriting that
    stays finite for x -> 0."""
    x = np.asarray(x, dtype=float)
    op = x < 0.5
    x = np.where(op, x, 0.0)
    x2 = x * x
    s = np.sqrt(1.0 - 4.0 * x2)
    with np.errstate(divide="ignore", invalid="ignore"):
        log = np.where(x > 0, 2.0 * np.log(np.where(x > 0, 4 * x2 / (1 + s) ** 2, 1.0)), 0.0)
    t1 = (1 - 14 * x2 - 2 * x2**2 - 12 * x2**3) * s + 12 * x2**2 * (x2**2 - 1) * log
    t2 = x2 * (2 + 10 * x2 - 12 * x2**2) * s + 6 * x2**2 * (1 - 2 * x2 + 2 * x2**2) * log
    return np.where(op, c1 * t1 + 4 * c2 * t2, 0.0)


def _couplings(t3, q):
    """(C1, C2) = (g_L^2 + g_R^2, g_L g_R) with g_L = T3 - Q s_W^2, g_R = -Q s_W^2."""
    g_l, g_r = t3 - q * SIN2_THETA_W, -q * SIN2_THETA_W
    return g_l**2 + g_r**2, g_l * g_r


# --------------------------------------------------------------------------------------------
# alpha_s: four-loop running from alpha_s(m_Z), n_f = 5 -> 4 -> 3 at m_b, m_c (continuous).
# --------------------------------------------------------------------------------------------
def _beta(nf):
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
    m_z, m_b, m_c = pdg.mass("Z0"), pdg.mass("b"), pdg.mass("c")
    sols = []
    a0, t0 = ALPHA_S_MZ / np.pi, np.log(m_z**2)
    for nf, t_end in ((5, np.log(m_b**2)), (4, np.log(m_c**2)), (3, np.log(1.0))):
        b = _beta(nf)
        sol = solve_ivp(lambda t, a, b=b: -(b[0] * a**2 + b[1] * a**3 + b[2] * a**4 + b[3] * a**5),
                        (t0, t_end), [a0], method="DOP853", dense_output=True, rtol=1e-9,
                        atol=1e-13)
        sols.append((t_end, sol.sol))
        a0, t0 = sol.y[0, -1], t_end
    return tuple(sols)


def alpha_s(mu):
    """MSbar alpha_s(mu) (mu in GeV, 1 <= mu <= m_Z; clipped to 1 GeV below): 4-loop running
    from alpha_s(m_Z) = 0.1180, flavour thresholds at the PDG m_b(m_b), m_c(m_c) without matching
    corrections (< 0.5%). Gives alpha_s(m_tau) = 0.319, alpha_s(2 GeV) = 0.301."""
    mu = np.asarray(mu, dtype=float)
    t = np.log(np.clip(mu.ravel(), 1.0, None) ** 2)  # the ODE solutions take 1-D arrays only
    (tb, s5), (tc, s4), (_, s3) = _alpha_s_solutions()
    a = np.where(t >= tb, s5(np.maximum(t, tb))[0],
                 np.where(t >= tc, s4(np.clip(t, tc, tb))[0], s3(np.minimum(t, tc))[0]))
    return np.pi * a.reshape(mu.shape)


def _delta_qcd(m_n):
    """BBGR sec. 3.2 (QCD loop corrections): Delta_QCD of the factor 1 + Delta_QCD,
    Delta = a + 5.2 a^2 + 26.4 a^3, a = alpha_s(m_N)/pi."""
    a = alpha_s(np.maximum(m_n, 1.0)) / np.pi
    return a + 5.2 * a**2 + 26.4 * a**3


# --------------------------------------------------------------------------------------------
# Public API.
# --------------------------------------------------------------------------------------------
def _check_flavour(flavour):
    if flavour not in _FLAVOURS:
        raise ValueError(f"flavour {flavour!r} is not implemented; allowed: {', '.join(_FLAVOURS)}")


def partial_widths(m_N, U2=1.0, flavour="e", *, m_inclusive=M_INCLUSIVE):
    r"""Partial widths of a Majorana N mixing with nu_e, both charge conjugates included (GeV).

    Args:
        m_N: HNL mass (GeV), any shape; U2: |V_eN|^2, broadcast against m_N.
        flavour: only ``"e"``.   m_inclusive: switch to the inclusive quark width (GeV).
    Returns:
        dict channel -> array of widths (GeV), zero below each kinematic threshold. Keys:
        ``LEPTONIC_CHANNELS`` + ``EXCLUSIVE_HADRONIC_CHANNELS`` (every mass) +
        ``INCLUSIVE_QUARK_CHANNELS`` (non-zero only for m_N >= ``m_inclusive``). The exclusive and
        inclusive hadronic entries describe the same width: do not add both; :func:`total_width`
        takes one or the other.

    >>> # m_N >> m_tau: the tau mass no longer matters, Gamma(e tau nu) -> Gamma(e mu nu)
    >>> w = partial_widths(200.0)
    >>> bool(np.isclose(w["e tau nu"] / w["e mu nu"], 1.0, atol=2e-3))
    True
    """
    _check_flavour(flavour)
    m = np.asarray(m_N, dtype=float)
    u2 = np.asarray(U2, dtype=float)
    mass = pdg.mass
    m_e, m_mu, m_tau = mass("e-"), mass("mu-"), mass("tau-")
    w: dict[str, np.ndarray] = {}
    # Charged current, pseudoscalar and vector (BBGR sec. 3.2.1); x2 for Majorana.
    w["e pi"] = 2 * _two_body_cc_p(m, m_e, mass("pi+"), F_PI, V_UD)
    w["e K"] = 2 * _two_body_cc_p(m, m_e, mass("K+"), F_K, V_US)
    w["e D"] = 2 * _two_body_cc_p(m, m_e, mass("D+"), F_D, V_CD)
    w["e Ds"] = 2 * _two_body_cc_p(m, m_e, mass("D(s)+"), F_DS, V_CS)
    w["e rho"] = 2 * _two_body_cc_v(m, m_e, mass("rho(770)+"), G_RHO, V_UD)
    m_ks = mass("K*(892)+")
    w["e K*"] = 2 * _two_body_cc_v(m, m_e, m_ks, F_KSTAR * m_ks, V_US)
    w["e D*"] = 2 * _two_body_cc_v(m, m_e, mass("D*(2010)+"), G_DSTAR, V_CD)
    w["e Ds*"] = 2 * _two_body_cc_v(m, m_e, mass("D(s)*+"), G_DSSTAR, V_CS)
    # Neutral current (BBGR sec. 3.2.1); x2 for nu and nubar.
    w["nu pi0"] = 2 * _two_body_nc_p(m, mass("pi0"), F_PI)
    w["nu eta"] = 2 * _two_body_nc_p(m, mass("eta"), F_ETA)
    w["nu eta'"] = 2 * _two_body_nc_p(m, mass("eta'(958)"), F_ETAP)
    w["nu rho0"] = 2 * _two_body_nc_v(m, mass("rho(770)0"), G_RHO, _KAPPA_RHO0)
    w["nu omega"] = 2 * _two_body_nc_v(m, mass("omega(782)"), G_OMEGA, _KAPPA_OMEGA)
    w["nu phi"] = 2 * _two_body_nc_v(m, mass("phi(1020)"), G_PHI, _KAPPA_PHI)
    # Three-body leptonic. Unit width of one Dirac channel: G_F^2 m^5/(192 pi^3) (BBGR sec. 3.1).
    unit = G_F**2 * m**5 / (192 * np.pi**3)
    c1_l, c2_l = _couplings(-0.5, -1.0)
    c3, c4 = (0.5 + SIN2_THETA_W) ** 2 + SIN2_THETA_W**2, (0.5 + SIN2_THETA_W) * SIN2_THETA_W
    w["e e nu"] = 2 * unit * _nc_pair(_ratio(m_e, m), c3, c4)  # W + Z interference, BBGR 3.1.2
    w["mu mu nu"] = 2 * unit * _nc_pair(_ratio(m_mu, m), c1_l, c2_l)  # Z only, BBGR sec. 3.1.2
    # N -> e- l+ nu_l: N is paired with l+ (BBGR sec. 3.1.1, exact masses of e and l).
    w["e mu nu"] = 2 * unit * _i_cc(_ratio(m_mu, m), _ratio(m_e, m), 0.0)
    w["e tau nu"] = 2 * unit * _i_cc(_ratio(m_tau, m), _ratio(m_e, m), 0.0)
    w["3nu"] = 2 * unit  # BBGR sec. 3.1.2: sum over beta of (1 + delta_e,beta)/4 = 1
    # Inclusive quarks above m_inclusive (BBGR sec. 3.1 formulas x N_c, times 1 + Delta_QCD;
    # quark masses: PDG MSbar values shipped by `particle`, m_c = m_c(m_c)).
    qm = {q: mass(q) for q in "udsc"}
    hi = m >= m_inclusive
    qcd = np.where(hi, 1.0 + _delta_qcd(np.where(hi, m, 2.0)), 0.0)
    fac = 2 * N_C * unit * qcd
    for key, up, down, v in (("e u d", "u", "d", V_UD), ("e u s", "u", "s", V_US),
                             ("e c d", "c", "d", V_CD), ("e c s", "c", "s", V_CS)):
        # N -> e- q_up qbar_down: N is paired with the antiquark.
        w[key] = fac * v**2 * _i_cc(_ratio(qm[down], m), _ratio(qm[up], m), _ratio(m_e, m))
    for key, q, t3, charge in (("nu u u", "u", 0.5, 2 / 3), ("nu d d", "d", -0.5, -1 / 3),
                               ("nu s s", "s", -0.5, -1 / 3), ("nu c c", "c", 0.5, 2 / 3)):
        w[key] = fac * _nc_pair(_ratio(qm[q], m), *_couplings(t3, charge))
    return {k: u2 * v for k, v in w.items()}


def _total_from(w, m, m_inclusive):
    lep = sum(w[k] for k in LEPTONIC_CHANNELS)
    exc = sum(w[k] for k in EXCLUSIVE_HADRONIC_CHANNELS)
    inc = sum(w[k] for k in INCLUSIVE_QUARK_CHANNELS)
    return lep + np.where(np.asarray(m) >= m_inclusive, inc, exc)


def total_width(m_N, U2=1.0, flavour="e", *, m_inclusive=M_INCLUSIVE):
    """Total width (GeV): leptonic channels + exclusive hadrons (m_N < ``m_inclusive``) or
    QCD-corrected inclusive quarks (m_N >= ``m_inclusive``); shape of m_N broadcast with U2."""
    return _total_from(partial_widths(m_N, U2, flavour, m_inclusive=m_inclusive), m_N,
                       m_inclusive)


def ctau(m_N, U2, flavour="e", *, m_inclusive=M_INCLUSIVE):
    """Proper decay length c*tau = hbar c / Gamma (m); inf where Gamma = 0 (m_N = 0)."""
    g = total_width(m_N, U2, flavour, m_inclusive=m_inclusive)
    with np.errstate(divide="ignore"):
        return np.where(g > 0, HBAR_C / np.where(g > 0, g, 1.0), np.inf)


def br_signal(m_N, search, *, m_inclusive=M_INCLUSIVE):
    """Br(N -> signal) for seed 000's ``"1DV"`` or ``"2DV"`` search (independent of U2).

    Numerators are the exclusive channels of ``SIGNAL_1DV`` / ``SIGNAL_2DV`` times their
    factors (tau -> 3 prongs, D(s) -> pi+ pi+ pi- X for 1DV); 0 where N cannot decay (m_N = 0).
    """
    table = {"1DV": SIGNAL_1DV, "2DV": SIGNAL_2DV}
    if search not in table:
        raise ValueError(f"search {search!r} is not known; allowed: 1DV, 2DV")
    m = np.asarray(m_N, dtype=float)
    w = partial_widths(m, m_inclusive=m_inclusive)
    num = sum(f * w[k] for k, f in table[search].items())
    tot = _total_from(w, m, m_inclusive)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, num / np.where(tot > 0, tot, 1.0), 0.0)


def hadronic_switch_jump():
    """Relative jump of the total width at ``M_INCLUSIVE``: Gamma(incl.)/Gamma(excl.) - 1."""
    w = partial_widths(M_INCLUSIVE)
    lep = sum(w[k] for k in LEPTONIC_CHANNELS)
    exc = lep + sum(w[k] for k in EXCLUSIVE_HADRONIC_CHANNELS)
    inc = lep + sum(w[k] for k in INCLUSIVE_QUARK_CHANNELS)
    return float(inc / exc - 1.0)
