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

from collections.abc import Mapping

import numpy as np

from llpscan.physics import pdg
from llpscan.physics.constants import G_F, HBAR_C, SIN2_THETA_W
from llpscan.physics.kinematics import kallen
from llpscan.physics.qcd import alpha_s

__all__ = [
    "partial_widths",
    "total_width",
    "ctau",
    "branching_fraction",
    "hadronic_switch_jump",
    "M_INCLUSIVE",
    "LEPTONIC_CHANNELS",
    "EXCLUSIVE_HADRONIC_CHANNELS",
    "INCLUSIVE_QUARK_CHANNELS",
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


def branching_fraction(m_N, channels: Mapping[str, float], *, m_inclusive=M_INCLUSIVE):
    """Br(N -> the weighted channels): sum_k f_k Gamma_k / Gamma_total (independent of U2).

    Args:
        m_N: HNL mass (GeV), 1-D array.
        channels: channel -> factor f_k multiplying its width (a daughter's branching fraction into
            what a search sees, or 1); keys from ``LEPTONIC_CHANNELS`` and
            ``EXCLUSIVE_HADRONIC_CHANNELS``, which are defined at every mass.
        m_inclusive: switch of the total width to the inclusive quark width (GeV).
    Returns:
        the branching fraction, 0 where N cannot decay (m_N = 0).

    >>> # every channel of the total width below the switch, weight 1: the fractions add up to 1
    >>> every = dict.fromkeys(LEPTONIC_CHANNELS + EXCLUSIVE_HADRONIC_CHANNELS, 1.0)
    >>> round(float(branching_fraction(np.array([1.5]), every)[0]), 12)
    1.0
    """
    m = np.asarray(m_N, dtype=float)
    w = partial_widths(m, m_inclusive=m_inclusive)
    num = sum(f * w[k] for k, f in channels.items())
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
