"""Axion-like particle with flavour-universal fermion (c_ff) and SU(2) gauge (c_WW) couplings (seed 001).

Ferber, Filimonova, Schäfer & Westhoff, "Displaced or invisible? ALPs from B decays at Belle II"
(arXiv:2201.06580). Couplings are given at the cutoff Lambda = 4 pi f_a, f_a = 1 TeV, and quoted as
c/f_a in TeV^-1 (so numerically c(Lambda) for f_a = 1 TeV). Benchmarks (eq. 2.13): "c_ff" (c_WW = 0)
and "c_WW" (c_ff = 0); c_BB = c_GG = 0 throughout, so c_gamgam = c_WW.

- Production: Br(B+ -> K+ a), eq. (2.7) as printed (it already contains the running of c_tt to m_b);
  Br(K+ -> pi+ a), eq. (3.7).
- Decay: appendix A, eqs. (A.1)-(A.3), (A.6)-(A.8), couplings at mu = m_a.

Choices the paper leaves implicit (physics-notes.md, section 001):

- Couplings do NOT run between Lambda and m_a (fixed couplings): c_ll(m_a) = c_qq(m_a) = c_ff. The
  paper runs them; the running raises the lepton couplings below 1 GeV to c_ll(m_a) = 1.107 c_ff
  (physics-notes 001), i.e. fixed couplings make c*tau about 1/1.107^2 = 1.22 times too long there,
  while branching ratios barely change. ``AlpModel(lepton_factor=1.107)`` applies that factor to the
  lepton couplings of the c_ff benchmark to show the size of the effect.
- In the c_WW benchmark the lepton couplings are loop-induced: Bauer, Neubert & Thamm,
  arXiv:1708.00443, eq. (11), evaluated with mu = Lambda (c_ll(Lambda) = 0), alpha = alpha(0);
  per unit c_WW it gives c_ee from -2.7e-4 (m_a = 10 MeV) to -1.4e-4 (1 GeV) and c_mumu ~ -2.5e-4
  (mass dependent through g(tau), which carries a double log ln^2(m_l/m_a) for m_a >> m_l).
- a -> 3 pi (A.4) is exactly zero in both benchmarks (it needs c_uu - c_dd or c_GG) and is omitted.
- Hadrons: for m_a >= M_PQCD = 1 GeV (1 GeV itself belongs to the perturbative side) a -> g g with
  the K-factor of (A.2) and a -> q qbar (u, d, s; c cbar from 2 m_c, PDG MSbar m_c(m_c)); below,
  no hadronic width (the 3 pi rate is zero). The total width jumps by about 24x at 1 GeV (c_ff).
- alpha_s: physics.hnl.alpha_s (4-loop from alpha_s(m_Z) = 0.118) at mu = m_a; alpha(0) in (A.6).
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache

import numpy as np
from scipy.integrate import quad

from physics import pdg
from physics.constants import ALPHA_EM, HBAR_C, SIN2_THETA_W
from physics.form_factors import f0_B_to_K
from physics.hnl import alpha_s
from physics.kinematics import EventSample, kallen, two_body_decay
from physics.model import Model, Parameter

__all__ = [
    "AlpModel",
    "F_A",
    "LAMBDA",
    "M_PQCD",
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

F_A = 1000.0  # GeV: seed 001, section 2, "we set f_a = 1 TeV"
LAMBDA = 4 * math.pi * F_A  # GeV: seed 001, section 2, cutoff Lambda = 4 pi f_a
M_PQCD = 1.0  # GeV: seed 001, appendix A, "We use Gamma(a -> had) for ALP masses above 1 GeV"
CHANNELS = ("ee", "mumu", "tautau", "gamgam", "hadrons")

_LEPTONS = {"ee": "e-", "mumu": "mu-", "tautau": "tau-"}
_Q_UP, _Q_DOWN = 2.0 / 3.0, -1.0 / 3.0
_DELTA1 = -11.0 / 3.0  # BNT arXiv:1708.00443, eq. (11): scheme constant delta_1 = -11/3


def _per_lambda(c_over_fa):
    """c/Lambda in GeV^-1 from c/f_a in TeV^-1: c/Lambda = (c/f_a)/(4 pi) (Lambda = 4 pi f_a)."""
    return np.asarray(c_over_fa, dtype=float) * 1e-3 / (4 * math.pi)


# ------------------------------------------------------------------------------------------------
# Production
# ------------------------------------------------------------------------------------------------
def br_b_to_k_alp(m_a, c_ff, c_WW=0.0):
    """Br(B+ -> K+ a), seed 001 eq. (2.7); c_ff, c_WW are c(Lambda)/f_a in TeV^-1, m_a in GeV.

    0.1 (c_ff - 0.0016 c_WW)^2 f_0^2(m_a^2)/f_0^2(0) lambda^1/2(m_B^2, m_K^2, m_a^2)/(m_B^2 - m_K^2),
    with the ratio f_0(m_a^2)/f_0(0) of the Ball-Zwicky form factor (physics-notes 001: its shape agrees
    with the paper's to < 1%). Zero where m_a >= m_B - m_K.

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
    """Br(K+ -> pi+ a), seed 001 eq. (3.7) (f_0^K = 1 as the paper sets); zero where m_a >= m_K - m_pi."""
    m_a = np.asarray(m_a, dtype=float)
    m_k, m_pi = pdg.mass("K+"), pdg.mass("pi+")
    lam = np.clip(kallen(m_k**2, m_pi**2, m_a**2), 0.0, None)
    br = 4.12e-4 * (np.asarray(c_ff) - 0.0016 * np.asarray(c_WW)) ** 2 * np.sqrt(lam) / (m_k**2 - m_pi**2)
    return np.where(m_a < m_k - m_pi, br, 0.0)


# ------------------------------------------------------------------------------------------------
# Loop functions
# ------------------------------------------------------------------------------------------------
def _f_loop(tau):
    """f(tau) of seed 001 eq. (A.8): arcsin(1/sqrt(tau)) for tau >= 1, else pi/2 + i/2 ln((1+s)/(1-s))."""
    tau = np.asarray(tau, dtype=float)
    above = np.arcsin(1.0 / np.sqrt(np.maximum(tau, 1.0)))
    s = np.sqrt(np.clip(1.0 - tau, 0.0, 1.0))
    with np.errstate(divide="ignore"):
        below = np.pi / 2 + 0.5j * np.log((1 + s) / np.maximum(1 - s, 1e-300))
    return np.where(tau >= 1.0, above + 0j, below)


def b1_loop(tau):
    """B_1(tau) = 1 - tau f^2(tau), seed 001 eq. (A.8) (complex below threshold, tau < 1).

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
# Widths (appendix A), as amplitudes linear in (c_ff, c_WW)
# ------------------------------------------------------------------------------------------------
def _beta(m_a, m):
    return np.sqrt(np.clip(1 - 4 * m**2 / np.square(m_a), 0.0, None))


def _amplitudes(m_a, lepton_factor: float, with_ww: bool = True):
    """Per channel, the coupling(s) entering the width as (coefficient of c_ff, of c_WW) and the width
    per unit |coupling|^2 in GeV (c/f_a = 1 TeV^-1). Couplings at mu = m_a, not run (module docstring).
    ``with_ww=False`` skips the (slow, quadrature) loop-induced lepton couplings when c_WW = 0."""
    m_a = np.asarray(m_a, dtype=float)
    out = {}
    for ch, name in _LEPTONS.items():
        ml = pdg.mass(name)
        # (A.1): Gamma = 2 pi m_a N_c |c|^2 m_f^2/Lambda^2 beta, N_c = 1, beta^1 (pseudoscalar)
        unit = 2 * math.pi * m_a * ml**2 * _per_lambda(1.0) ** 2 * _beta(m_a, ml) * (m_a > 2 * ml)
        loop = lepton_loop_coupling(m_a, ch) if with_ww else 0j
        out[ch] = (np.full_like(m_a, lepton_factor) + 0j, loop, unit)
    # (A.6)-(A.7): C_gamgam^eff = c_gamgam + sum_{f in l, c, b, t} N_c Q_f^2 c_ff B_1(4 m_f^2/m_a^2)
    ferm = [(pdg.mass(n), 1, -1.0) for n in _LEPTONS.values()]
    ferm += [(pdg.mass("c"), 3, _Q_UP), (pdg.mass("b"), 3, _Q_DOWN), (pdg.mass("t"), 3, _Q_UP)]
    c_ff_gg = sum(nc * q**2 * b1_loop(4 * m**2 / m_a**2) for m, nc, q in ferm)
    unit = ALPHA_EM**2 * m_a**3 / (4 * math.pi) * _per_lambda(1.0) ** 2
    out["gamgam"] = (c_ff_gg, np.ones_like(m_a) + 0j, unit)
    return out


def _hadronic_width(m_a, c_ff):
    """Gamma(a -> hadrons) (GeV) for m_a >= 1 GeV, seed 001 eqs. (A.2)-(A.3), c_GG = 0; 0 below.

    g g: 2 alpha_s^2 m_a^3/(pi Lambda^2) |C_GG^eff|^2 (1 + (97/4 - 7 n_q/6) alpha_s/pi), n_q = 3,
    C_GG^eff = sum_{q: m_q < m_a} c_qq/2 B_1(4 m_q^2/m_a^2); plus q qbar (A.1) with N_c = 3 for u, d, s
    and c from 2 m_c (PDG MSbar masses).
    """
    m_a = np.asarray(m_a, dtype=float)
    pert = m_a >= M_PQCD
    mu = np.where(pert, m_a, M_PQCD)
    a_s = alpha_s(mu.ravel()).reshape(mu.shape)  # physics.hnl.alpha_s takes 1-d arrays
    c_ff = np.asarray(c_ff, dtype=float)
    quarks = [pdg.mass(n) for n in ("u", "d", "s", "c", "b", "t")]
    cgg = sum(np.where(m < mu, 0.5 * b1_loop(4 * m**2 / mu**2), 0.0) for m in quarks)
    lam2 = _per_lambda(1.0) ** 2
    gg = 2 * a_s**2 * mu**3 / math.pi * lam2 * np.abs(cgg) ** 2 * (1 + (97 / 4 - 7 * 3 / 6) * a_s / math.pi)
    qq = sum(2 * math.pi * mu * 3 * m**2 * lam2 * _beta(mu, m) * (mu > 2 * m) for m in quarks[:4])
    return np.where(pert, (gg + qq) * c_ff**2, 0.0)


def partial_widths(m_a, c_ff, c_WW=0.0, *, lepton_factor: float = 1.0):
    """Partial widths (GeV) of the channels in CHANNELS, broadcasting m_a, c_ff, c_WW (TeV^-1).

    ``lepton_factor`` multiplies the tree-level lepton couplings (c_ll = lepton_factor x c_ff); 1 is
    the fixed-coupling default, 1.107 mimics the running below 1 GeV (module docstring).
    """
    m_a = np.asarray(m_a, dtype=float)
    c_ff, c_WW = np.asarray(c_ff, dtype=float), np.asarray(c_WW, dtype=float)
    out = {}
    for ch, (a_ff, a_ww, unit) in _amplitudes(m_a, lepton_factor, bool(np.any(c_WW != 0))).items():
        out[ch] = np.abs(a_ff * c_ff + a_ww * c_WW) ** 2 * unit
    out["hadrons"] = np.broadcast_to(_hadronic_width(m_a, c_ff), out["ee"].shape)
    return out


def total_width(m_a, c_ff, c_WW=0.0, **kw):
    """Total ALP width (GeV), seed 001 eq. (2.12) with Gamma(a -> inv) = 0."""
    return sum(partial_widths(m_a, c_ff, c_WW, **kw).values())


def branching_ratios(m_a, c_ff, c_WW=0.0, **kw):
    """Branching ratios of the channels in CHANNELS (seed 001 Fig. 1)."""
    w = partial_widths(m_a, c_ff, c_WW, **kw)
    tot = sum(w.values())
    with np.errstate(invalid="ignore", divide="ignore"):
        return {k: np.where(tot > 0, v / tot, 0.0) for k, v in w.items()}


def ctau(m_a, c_ff, c_WW=0.0, **kw):
    """Proper decay length c tau_a (m) (seed 001 Fig. 2); inf for vanishing couplings."""
    with np.errstate(divide="ignore"):
        return HBAR_C / total_width(m_a, c_ff, c_WW, **kw)


# ------------------------------------------------------------------------------------------------
# The model
# ------------------------------------------------------------------------------------------------
class AlpModel(Model):
    """B+ -> K+ a with a long-lived ALP a (seed 001); one LLP, ``a``."""

    name = "alp"
    llps = ("a",)

    def __init__(self, lepton_factor: float = 1.0):
        self.lepton_factor = lepton_factor
        m_max = pdg.mass("B+") - pdg.mass("K+")
        self.parameters = (
            Parameter("m_a", "GeV", "ALP mass", 0.5, "mass", 0.0, m_max, positive=True),
            Parameter("c_ff", "TeV^-1", "c_ff(Lambda)/f_a, universal ALP-fermion coupling", 1e-3, "lifetime", 0.0),
            Parameter("c_WW", "TeV^-1", "c_WW(Lambda)/f_a, ALP-SU(2) gauge coupling", 0.0, "lifetime", 0.0),
        )

    def ctau(self, *, m_a, c_ff, c_WW, **_):
        return {"a": ctau(m_a, c_ff, c_WW, lepton_factor=self.lepton_factor)}

    def branching_ratios(self, *, m_a, c_ff, c_WW, **_):
        return branching_ratios(m_a, c_ff, c_WW, lepton_factor=self.lepton_factor)

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
