"""Axion-like particle with universal fermion (c_ff) and SU(2) gauge (c_WW) couplings (Ferber et al., arXiv:2201.06580).

Ferber, Filimonova, Schäfer & Westhoff, "Displaced or invisible? ALPs from B decays at Belle II"
(arXiv:2201.06580). Couplings are given at the cutoff Lambda = 4 pi f_a, f_a = 1 TeV, and quoted as
c/f_a in TeV^-1 (so numerically c(Lambda) for f_a = 1 TeV). Benchmarks (eq. 2.13): "c_ff" (c_WW = 0)
and "c_WW" (c_ff = 0); c_BB = c_GG = 0 throughout, so c_gamgam = c_WW.

- Production: Br(B+ -> K+ a), eq. (2.7) as printed (it already contains the running of c_tt to m_b);
  Br(K+ -> pi+ a), eq. (3.7).
- Decay: appendix A, eqs. (A.1)-(A.3), (A.6)-(A.8), couplings at mu = m_a.

Choices the paper leaves implicit:

- Couplings at mu = m_a. ``couplings="running"`` (the default, the paper's method): the couplings are
  run from Lambda to m_a with the RG equations of Bauer, Neubert, Renner, Schnubel & Thamm,
  arXiv:2012.12272, as tabulated once with ALPaca (alpaca-alps 1.2.0, arXiv:2508.08354) in
  physics.models.alp_running (generator tools/alp_running_table.py). c_ff benchmark: c_ll(m_a) =
  1.1065 c_ff, c_uu = c_cc = 0.86-0.87, c_dd = c_ss = 1.075-1.082,
  c_bb = 1.06 c_ff. Against ``couplings="fixed"`` (c(m_a) = c(Lambda)), c*tau is 1.1065^2 = 1.224x
  shorter below 1 GeV with unchanged branching ratios, and above 1 GeV longer (fixed/running = 1.05 at
  1 GeV, 1.08 at 2 GeV, 0.785 at 3 GeV, 0.92 at 4.7 GeV; c_cc = 0.867 suppresses a -> c cbar), with
  Br(mu mu) 1.15x (1.5 GeV) to 1.56x (3 GeV) larger. c_WW benchmark: c*tau changes by < 3% (photons
  dominate); the lepton couplings (the effective ones of (A.1), with the photon loop at mu = m_a) are
  larger than BNT eq. (11) below by 11-20% for mu (0.3-3 GeV) and 9-32% for e (0.1-3 GeV), so Br(ee)
  is 1.2-1.9x and Br(mu mu) 1.23-1.46x the fixed-coupling value; running also gives the quarks
  c_qq ~ -2.5e-4 per c_WW, i.e. Br(hadrons) = 0.6-2.8% above 1 GeV (zero with fixed couplings).
  Interpolation in log m_a is good to < 2e-3; outside 0.01-5 GeV the end values are used.
- ``couplings="fixed"``, c_WW benchmark: the lepton couplings are loop-induced: Bauer, Neubert & Thamm,
  arXiv:1708.00443, eq. (11), evaluated with mu = Lambda (c_ll(Lambda) = 0), alpha = alpha(0);
  per unit c_WW it gives c_ee from -2.7e-4 (m_a = 10 MeV) to -1.4e-4 (1 GeV) and c_mumu ~ -2.5e-4
  (mass dependent through g(tau), which carries a double log ln^2(m_l/m_a) for m_a >> m_l).
- a -> 3 pi (A.4) needs c_uu != c_dd or c_GG: zero with fixed couplings; with running ones c_uu - c_dd
  = -0.215 c_ff makes it Br(3 pi) = 1.5e-6 (0.5 GeV) and 9e-6 (0.9 GeV) (the alpaca evaluation's
  re-implementation of (A.4)): omitted. The a-pi0 mixing term of (A.7) (m_a < 1 GeV) is included with
  running couplings (zero with fixed ones): it changes the c_ff total width by +0.6% at 0.1 GeV, +2.8%
  at 0.12, +15% at 0.13, -1.6% at 0.14, -2.9% at 0.15, -0.7% at 0.2 GeV and < 1e-4 above 0.3 GeV; its
  pole at m_a = m_pi0 is regulated by the pi0 width (m_pi^2 - m_a^2 -> m_pi^2 - m_a^2 - i m_pi Gamma_pi0).
- Hadrons: for m_a >= M_PQCD = 1 GeV (1 GeV itself belongs to the perturbative side) a -> g g with
  the K-factor of (A.2) and a -> q qbar (u, d, s; c cbar from 2 m_c, PDG MSbar m_c(m_c)); below,
  no hadronic width. The total width of the c_ff benchmark jumps at 1 GeV by 24.3x with fixed
  couplings and by 20.8x with running ones. ``hadron_switch`` (GeV, default ``M_PQCD``) moves this
  switch: ALPaca (alpaca-alps 1.2.0, arXiv:2508.08354) takes the perturbative hadronic width
  (g g, c cbar, b bbar) only above 1.4 GeV (``HADRON_SWITCH_ALPACA``) and its chiral channels
  (3 pi, eta pi pi, ...) below; in both benchmarks here those channels vanish (a -> 3 pi above), so
  with the 1.4 GeV switch the ALP has no hadronic width between 1 and 1.4 GeV. The a-pi0 mixing term
  of (A.7) keeps the paper's 1 GeV.
- alpha_s: physics.qcd.alpha_s (4-loop from alpha_s(m_Z) = 0.118) at mu = m_a; alpha(0) in (A.6).
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache

import numpy as np

from llpscan.physics import pdg
from llpscan.physics.constants import ALPHA_EM, HBAR_C, SIN2_THETA_W
from llpscan.physics.form_factors import f0_B_to_K
from llpscan.physics.kinematics import EventSample, kallen, two_body_decay
from llpscan.physics.model import ModelBase, Parameter
from llpscan.physics.models import alp_running
from llpscan.physics.qcd import alpha_s

__all__ = [
    "AlpModel",
    "COUPLINGS",
    "F_A",
    "LAMBDA",
    "M_PQCD",
    "HADRON_SWITCH_ALPACA",
    "CHANNELS",
    "br_b_to_k_alp",
    "br_k_to_pi_alp",
    "b1_loop",
    "lepton_loop_coupling",
    "partial_widths",
    "total_width",
    "branching_ratios",
    "ctau",
]

F_A = 1000.0  # GeV: section 2, "we set f_a = 1 TeV"
LAMBDA = 4 * math.pi * F_A  # GeV: section 2, cutoff Lambda = 4 pi f_a
M_PQCD = 1.0  # GeV: appendix A, "We use Gamma(a -> had) for ALP masses above 1 GeV"
#: ALPaca's switch (alpaca-alps 1.2.0, arXiv:2508.08354): its total width uses the perturbative
#: hadronic width (g g + c cbar + b bbar) for m_a > 1.4 GeV where that exceeds the chiral channels
HADRON_SWITCH_ALPACA = 1.4  # GeV
CHANNELS = ("ee", "mumu", "tautau", "gamgam", "hadrons")

COUPLINGS = ("running", "fixed")

_LEPTONS = {"ee": "e-", "mumu": "mu-", "tautau": "tau-"}
_LEPTON_KEY = {"ee": "e", "mumu": "mu", "tautau": "tau"}
_Q_UP, _Q_DOWN = 2.0 / 3.0, -1.0 / 3.0
#: fermion masses (GeV, PDG via physics.pdg; quarks MSbar: m_s(2 GeV), m_c(m_c), m_b(m_b), t pole)
_FERMION_MASS = pdg.Masses({f: n for f, n in (("e", "e-"), ("mu", "mu-"), ("tau", "tau-"), ("u", "u"), ("d", "d"),
                                              ("s", "s"), ("c", "c"), ("b", "b"), ("t", "t"))})
#: (N_c, Q_f) of the fermions in the photon loop sum of eq. (A.7): leptons and heavy quarks Q
_PHOTON_LOOP = {"e": (1, -1.0), "mu": (1, -1.0), "tau": (1, -1.0), "c": (3, _Q_UP), "b": (3, _Q_DOWN),
                "t": (3, _Q_UP)}
_DELTA1 = -11.0 / 3.0  # BNT arXiv:1708.00443, eq. (11): scheme constant delta_1 = -11/3


def _per_lambda(c_over_fa):
    """c/Lambda in GeV^-1 from c/f_a in TeV^-1: c/Lambda = (c/f_a)/(4 pi) (Lambda = 4 pi f_a)."""
    return np.asarray(c_over_fa, dtype=float) * 1e-3 / (4 * math.pi)


# ------------------------------------------------------------------------------------------------
# Production
# ------------------------------------------------------------------------------------------------
def br_b_to_k_alp(m_a, c_ff, c_WW=0.0):
    """Br(B+ -> K+ a), eq. (2.7); c_ff, c_WW are c(Lambda)/f_a in TeV^-1, m_a in GeV.

    0.1 (c_ff - 0.0016 c_WW)^2 f_0^2(m_a^2)/f_0^2(0) lambda^1/2(m_B^2, m_K^2, m_a^2)/(m_B^2 - m_K^2),
    with the ratio f_0(m_a^2)/f_0(0) of the Ball-Zwicky form factor (its shape agrees with
    the paper's to < 1%; it is a ratio, so BZ's f_0 is not divided by the paper's 0.329). Zero where m_a >= m_B - m_K.

    >>> round(float(br_b_to_k_alp(1e-6, 1.0)), 6)
    0.1
    """
    m_a = np.asarray(m_a, dtype=float)
    m_b, m_k = pdg.mass("B+"), pdg.mass("K+")
    lam = np.clip(kallen(m_b**2, m_k**2, m_a**2), 0.0, None)
    ff = (f0_B_to_K(m_a**2) / f0_B_to_K(0.0)) ** 2
    br = 0.1 * (np.asarray(c_ff) - 0.0016 * np.asarray(c_WW)) ** 2 * ff * np.sqrt(lam) / (m_b**2 - m_k**2)
    return np.where(m_a < m_b - m_k, br, 0.0)


def br_k_to_pi_alp(m_a, c_ff, c_WW=0.0):
    """Br(K+ -> pi+ a), eq. (3.7) (f_0^K = 1 as the paper sets); zero where m_a >= m_K - m_pi."""
    m_a = np.asarray(m_a, dtype=float)
    m_k, m_pi = pdg.mass("K+"), pdg.mass("pi+")
    lam = np.clip(kallen(m_k**2, m_pi**2, m_a**2), 0.0, None)
    br = 4.12e-4 * (np.asarray(c_ff) - 0.0016 * np.asarray(c_WW)) ** 2 * np.sqrt(lam) / (m_k**2 - m_pi**2)
    return np.where(m_a < m_k - m_pi, br, 0.0)


# ------------------------------------------------------------------------------------------------
# Loop functions
# ------------------------------------------------------------------------------------------------
def _f_loop(tau):
    """f(tau) of eq. (A.8): arcsin(1/sqrt(tau)) for tau >= 1, else pi/2 + i/2 ln((1+s)/(1-s))."""
    tau = np.asarray(tau, dtype=float)
    above = np.arcsin(1.0 / np.sqrt(np.maximum(tau, 1.0)))
    s = np.sqrt(np.clip(1.0 - tau, 0.0, 1.0))
    with np.errstate(divide="ignore"):
        below = np.pi / 2 + 0.5j * np.log((1 + s) / np.maximum(1 - s, 1e-300))
    return np.where(tau >= 1.0, above + 0j, below)


def b1_loop(tau):
    """B_1(tau) = 1 - tau f^2(tau), eq. (A.8) (complex below threshold, tau < 1).

    Light fermion (tau -> 0): 1; heavy fermion: -1/(3 tau) (decouples).

    >>> abs(complex(b1_loop(1e-12)) - 1) < 1e-9
    True
    """
    tau = np.asarray(tau, dtype=float)
    return 1.0 - tau * _f_loop(tau) ** 2


@lru_cache(maxsize=4096)
def _g_photon_loop(tau: float) -> complex:
    """g(tau) of BNT arXiv:1708.00443 eq. (11) (photon-loop function of the lepton coupling), as the
    one-dimensional integral representation used by the ALPaca code (``alpaca-alps`` on PyPI):
    g = 5 + (4/3) int_0^1 dx (1 - 4 tau (1-x)^2 - 2x + 4x^2)/D arctan(x/D), D = sqrt(tau (1-x)^2 - x^2),
    with tau -> tau (1 - i 0)."""
    from scipy.integrate import quad  # scipy on use: importing the model stays cheap

    t = tau * (1 - 1e-8j)

    def integrand(x, part):
        d = np.sqrt(t * (1 - x) ** 2 - x**2 + 0j)
        v = (1 - 4 * t * (1 - x) ** 2 - 2 * x + 4 * x**2) / d * np.arctan(x / d)
        return v.real if part == 0 else v.imag

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # integrable end-point behaviour near x ~ sqrt(tau)
        re = quad(integrand, 0.0, 1.0, args=(0,), limit=200)[0]
        im = quad(integrand, 0.0, 1.0, args=(1,), limit=200)[0]
    return 5.0 + 4.0 / 3.0 * complex(re, im)


def lepton_loop_coupling(m_a, lepton: str):
    """Effective lepton coupling per unit c_WW(Lambda) (c_BB = 0, c_ll(Lambda) = 0), complex.

    BNT arXiv:1708.00443 eq. (11) with mu = Lambda, alpha = alpha(0), s_W^2 = 0.2312 (MSbar at m_Z):
    c_ll = - 12 Q^2 a^2 c_gg [ln(mu^2/m_l^2) + d1 + g(tau_l)] - 3 a^2/s^4 c_WW [ln(mu^2/m_W^2) + d1 + 1/2]
           - 12 a^2/(s^2 c^2) c_gZ Q (T3 - 2 Q s^2) [ln(mu^2/m_Z^2) + d1 + 3/2]
           - 12 a^2/(s^4 c^4) c_ZZ (Q^2 s^4 - T3 Q s^2 + 1/8) [ln(mu^2/m_Z^2) + d1 + 1/2],
    a = alpha/(4 pi), c_gg = c_WW, c_gZ = c^2 c_WW, c_ZZ = c^4 c_WW (c_BB = 0), tau_l = 4 m_l^2/m_a^2.
    """
    m_a = np.asarray(m_a, dtype=float)
    ml = pdg.mass(_LEPTONS[lepton])
    q, t3, s2 = -1.0, -0.5, SIN2_THETA_W
    c2 = 1 - s2
    a2 = (ALPHA_EM / (4 * math.pi)) ** 2
    m_w, m_z = pdg.mass("W+"), pdg.mass("Z0")
    log_mu = 2 * math.log(LAMBDA)
    g = np.vectorize(lambda m: _g_photon_loop(float(4 * ml**2 / m**2)) if m > 0 else 0j, otypes=[complex])(m_a)
    c = -12 * q**2 * a2 * (log_mu - 2 * math.log(ml) + _DELTA1 + g)
    c = c - 3 * a2 / s2**2 * (log_mu - 2 * math.log(m_w) + _DELTA1 + 0.5)
    c = c - 12 * a2 / (s2 * c2) * c2 * q * (t3 - 2 * q * s2) * (log_mu - 2 * math.log(m_z) + _DELTA1 + 1.5)
    c = c - 12 * a2 / (s2**2 * c2**2) * c2**2 * (q**2 * s2**2 - t3 * q * s2 + 0.125) * (
        log_mu - 2 * math.log(m_z) + _DELTA1 + 0.5)
    return c


# ------------------------------------------------------------------------------------------------
# Widths (appendix A), as sums of |amplitude|^2 with amplitudes linear in (c_ff, c_WW)
# ------------------------------------------------------------------------------------------------
def _beta(m_a, m):
    return np.sqrt(np.clip(1 - 4 * m**2 / np.square(m_a), 0.0, None))


def _fixed_couplings(m_a, with_ww: bool):
    """(effective, axial) per fermion as (coefficient of c_ff, of c_WW) with couplings not run: every
    quark and lepton has c_ff; leptons get the loop-induced BNT eq. (11) coupling per unit c_WW
    (skipped, slow quadratures, when ``with_ww`` is False); quarks nothing from c_WW. Includes the top."""
    one, zero = np.ones_like(m_a) + 0j, np.zeros_like(m_a) + 0j
    eff = {f: (one, zero) for f in _FERMION_MASS}
    for ch, f in (("ee", "e"), ("mumu", "mu"), ("tautau", "tau")):
        eff[f] = (one, lepton_loop_coupling(m_a, ch) if with_ww else zero)
    return eff, {f: (one, zero) for f in _FERMION_MASS}


def _running_couplings(m_a):
    """(effective, axial) per fermion as (coefficient of c_ff, of c_WW) at mu = m_a from the alpaca table
    (physics.models.alp_running). The top is integrated out at mu_w there; its B_1 ~ -m_a^2/(12 m_t^2)
    term in (A.7) is < 1e-4 and dropped."""
    return alp_running.running_couplings(m_a, "effective"), alp_running.running_couplings(m_a, "axial")


def _terms(m_a, couplings: str, with_ww: bool = True, hadron_switch: float = M_PQCD):
    """Per channel, a list of (coefficient of c_ff, of c_WW, width per unit |amplitude|^2 in GeV at
    c/f_a = 1 TeV^-1): Gamma = sum |a_ff c_ff + a_ww c_WW|^2 unit. ``couplings``: "running" or "fixed"."""
    m_a = np.asarray(m_a, dtype=float)
    if couplings == "running":
        eff, ax = _running_couplings(m_a)
        c_gg = alp_running.running_c_gamgam(m_a)
    elif couplings == "fixed":
        eff, ax = _fixed_couplings(m_a, with_ww)
        c_gg = (np.zeros_like(m_a) + 0j, np.ones_like(m_a) + 0j)  # c_gamgam = c_WW (c_BB = 0)
    else:
        raise ValueError(f"couplings must be one of {COUPLINGS}, got {couplings!r}")
    lam2 = _per_lambda(1.0) ** 2
    out = {}
    for ch, name in _LEPTONS.items():
        ml = pdg.mass(name)
        # (A.1): Gamma = 2 pi m_a N_c |c|^2 m_f^2/Lambda^2 beta, N_c = 1, beta^1 (pseudoscalar)
        unit = 2 * math.pi * m_a * ml**2 * lam2 * _beta(m_a, ml) * (m_a > 2 * ml)
        out[ch] = [(*eff[_LEPTON_KEY[ch]], unit)]
    # (A.6)-(A.7): C_gamgam^eff = c_gamgam + sum_{f in l, c, b, t} N_c Q_f^2 c_ff B_1(4 m_f^2/m_a^2), and
    # for m_a < 1 GeV the a-pi0 mixing term - m_a^2/(m_pi^2 - m_a^2) (c_uu - c_dd)/2 (zero with fixed
    # couplings, c_uu = c_dd); c_GG = 0 in both benchmarks
    a = [c_gg[0], c_gg[1]]
    for f, (nc, q) in _PHOTON_LOOP.items():
        if f in ax:
            b1 = nc * q**2 * b1_loop(4 * _FERMION_MASS[f] ** 2 / m_a**2)
            a = [a[0] + ax[f][0] * b1, a[1] + ax[f][1] * b1]
    if couplings == "running":
        # pole regulated by the pi0 width (Breit-Wigner propagator; matters only for |m_a - m_pi0| < 1e-7 GeV)
        m_pi = pdg.mass("pi0")
        mix = np.where(m_a < M_PQCD, -(m_a**2) / (m_pi**2 - m_a**2 - 1j * m_pi * pdg.width("pi0")) / 2, 0.0)
        a = [a[k] + mix * (ax["u"][k] - ax["d"][k]) for k in (0, 1)]
    out["gamgam"] = [(a[0], a[1], ALPHA_EM**2 * m_a**3 / (4 * math.pi) * lam2)]
    out["hadrons"] = _hadron_terms(m_a, eff, ax, hadron_switch)
    return out


def _hadron_terms(m_a, eff, ax, hadron_switch: float = M_PQCD):
    """Gamma(a -> hadrons) terms for m_a >= ``hadron_switch`` (1 GeV, the paper's), eqs. (A.2)-(A.3),
    c_GG = 0; unit 0 below.

    g g: 2 alpha_s^2 m_a^3/(pi Lambda^2) |C_GG^eff|^2 (1 + (97/4 - 7 n_q/6) alpha_s/pi), n_q = 3,
    C_GG^eff = sum_{q: m_q < m_a} c_qq/2 B_1(4 m_q^2/m_a^2); plus q qbar (A.1) with N_c = 3 for u, d, s
    and c from 2 m_c (PDG MSbar masses).
    """
    pert = m_a >= hadron_switch
    mu = np.where(pert, m_a, hadron_switch)
    a_s = alpha_s(mu)
    lam2 = _per_lambda(1.0) ** 2
    a = [0j, 0j]
    for q in ("u", "d", "s", "c", "b", "t"):
        if q in ax:
            m = _FERMION_MASS[q]
            b1 = np.where(m < mu, 0.5 * b1_loop(4 * m**2 / mu**2), 0.0)
            a = [a[0] + ax[q][0] * b1, a[1] + ax[q][1] * b1]
    gg_unit = 2 * a_s**2 * mu**3 / math.pi * lam2 * (1 + (97 / 4 - 7 * 3 / 6) * a_s / math.pi) * pert
    terms = [(a[0], a[1], gg_unit)]
    for q in ("u", "d", "s", "c"):
        m = _FERMION_MASS[q]
        terms.append((*eff[q], 2 * math.pi * mu * 3 * m**2 * lam2 * _beta(mu, m) * (mu > 2 * m) * pert))
    return terms


def partial_widths(m_a, c_ff, c_WW=0.0, *, couplings: str = "running", hadron_switch: float = M_PQCD):
    """Partial widths (GeV) of the channels in CHANNELS, broadcasting m_a, c_ff, c_WW (TeV^-1).

    ``couplings``: "running" (default, the paper's method: couplings at mu = m_a from the alpaca table) or
    "fixed" (c(m_a) = c(Lambda); c_WW's lepton couplings from BNT eq. 11). ``hadron_switch``: the
    mass (GeV) from which the perturbative hadronic width is used (1 GeV, the paper's). Module docstring.
    """
    m_a = np.asarray(m_a, dtype=float)
    c_ff, c_WW = np.asarray(c_ff, dtype=float), np.asarray(c_WW, dtype=float)
    out = {}
    for ch, terms in _terms(m_a, couplings, bool(np.any(c_WW != 0)), hadron_switch).items():
        out[ch] = sum(np.abs(a_ff * c_ff + a_ww * c_WW) ** 2 * unit for a_ff, a_ww, unit in terms)
    shape = np.broadcast_shapes(m_a.shape, c_ff.shape, c_WW.shape)
    return {k: v if np.shape(v) == shape else np.broadcast_to(v, shape) for k, v in out.items()}


def total_width(m_a, c_ff, c_WW=0.0, **kw):
    """Total ALP width (GeV), eq. (2.12) with Gamma(a -> inv) = 0."""
    return sum(partial_widths(m_a, c_ff, c_WW, **kw).values())


def branching_ratios(m_a, c_ff, c_WW=0.0, **kw):
    """Branching ratios of the channels in CHANNELS (Fig. 1)."""
    w = partial_widths(m_a, c_ff, c_WW, **kw)
    tot = sum(w.values())
    with np.errstate(invalid="ignore", divide="ignore"):
        return {k: np.where(tot > 0, v / tot, 0.0) for k, v in w.items()}


def ctau(m_a, c_ff, c_WW=0.0, **kw):
    """Proper decay length c tau_a (m) (Fig. 2); inf for vanishing couplings."""
    with np.errstate(divide="ignore"):
        return HBAR_C / total_width(m_a, c_ff, c_WW, **kw)


# ------------------------------------------------------------------------------------------------
# The model
# ------------------------------------------------------------------------------------------------
class AlpModel(ModelBase):
    """B+ -> K+ a with a long-lived ALP a (Ferber et al.); one LLP, ``a``.

    ``couplings``: "running" (default, the paper's method) evaluates the appendix-A widths with the
    couplings at mu = m_a from the alpaca table (physics.models.alp_running), for both benchmarks; "fixed"
    keeps c(m_a) = c(Lambda) and, for c_WW, the loop-induced lepton couplings of BNT arXiv:1708.00443
    eq. (11) at mu = Lambda, which are 9-20% smaller than the running ones (alpaca: -2.44e-4 against
    -2.24e-4 for e at 0.1 GeV, -2.80e-4 against -2.48e-4 for mu at 0.5 GeV). Module docstring for numbers.
    """

    name = "alp"
    llps = ("a",)

    def __init__(self, couplings: str = "running", hadron_switch: float = M_PQCD):
        if couplings not in COUPLINGS:
            raise ValueError(f"couplings must be one of {COUPLINGS}, got {couplings!r}")
        self.couplings = couplings
        self.hadron_switch = float(hadron_switch)  # GeV: perturbative hadronic width from here on
        m_max = pdg.mass("B+") - pdg.mass("K+")
        self.parameters = (
            Parameter("m_a", "GeV", "ALP mass", 0.5, "mass", 0.0, m_max, positive=True, latex="m_a"),
            Parameter("c_ff", "TeV^-1", "c_ff(Lambda)/f_a, universal ALP-fermion coupling", 1e-3, "lifetime", 0.0,
                      latex="c_{ff}/f_a"),
            Parameter("c_WW", "TeV^-1", "c_WW(Lambda)/f_a, ALP-SU(2) gauge coupling", 0.0, "lifetime", 0.0,
                      latex="c_{WW}/f_a"),
        )

    def ctau(self, *, m_a, c_ff, c_WW, **_):
        return {"a": ctau(m_a, c_ff, c_WW, couplings=self.couplings, hadron_switch=self.hadron_switch)}

    def branching_ratios(self, *, m_a, c_ff, c_WW, **_):
        return branching_ratios(m_a, c_ff, c_WW, couplings=self.couplings, hadron_switch=self.hadron_switch)

    def br_production(self, *, m_a, c_ff, c_WW, **_):
        """Br(B+ -> K+ a), eq. (2.7)."""
        return br_b_to_k_alp(m_a, c_ff, c_WW)

    def is_open(self, *, m_a, **_):
        return np.asarray(m_a, dtype=float) < pdg.mass("B+") - pdg.mass("K+")

    def decay(self, rng: np.random.Generator, b_mesons, *, m_a) -> EventSample:
        """B+ -> K+ a for B+ four-momenta (n, 4), isotropic (spin 0)."""
        kaon, alp = two_body_decay(rng, b_mesons, pdg.mass("K+"), m_a)
        return EventSample(momenta={"K": kaon, "a": alp}, llps=("a",), masses={"m_a": float(m_a)},
                           llp_masses={"a": float(m_a)})
