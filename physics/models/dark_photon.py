r"""Decays of a dark photon A' (kinetic mixing eps) into leptons and hadrons.

Leptons (Cheung et al., arXiv:2401.03168, eq. (9); e.g. Fabbrichesi, Gabrielli, Lanfranchi arXiv:2005.01515
eq. (2.9)):

    Gamma(A' -> l+ l-) = (alpha eps^2 m / 3) (1 + 2 m_l^2/m^2) sqrt(1 - 4 m_l^2/m^2).

Hadrons (Cheung et al., arXiv:2401.03168, eq. (10); Ilten, Soreq, Williams, Xue arXiv:1801.04847 "DarkCast",
section 2): the
A' couples like a photon, so Gamma(A' -> hadrons) = (alpha eps^2 m / 3) R(m^2) with
R = sigma(e+e- -> hadrons)/sigma_pt(e+e- -> mu+mu-), sigma_pt = 4 pi alpha^2/(3 s) (massless muons).

R is built here from a physics parametrisation (no data file, no code of another tool):

- pi+ pi-: R = beta_pi^3 |F_pi|^2 / 4 with the Kuhn-Santamaria form factor (Z. Phys. C 48 (1990) 445):
  Gounaris-Sakurai rho(770) and rho(1450) (PRL 21 (1968) 244), rho-omega mixing;
- K+ K- and K0 K0bar: R = beta_K^3 |F_K|^2 / 4 with vector-meson dominance by rho, omega, phi at
  the SU(3)/ideal-mixing couplings 1/2, 1/6, 1/3 (F_K+(0) = 1, F_K0(0) = 0; Bruch, Khodjamirian,
  Kuhn, Eur. Phys. J. C 39 (2005) 41, hep-ph/0409080, section 4);
- the other omega and phi decays (3 pi, pi0 gamma, eta gamma): Breit-Wigner resonances normalised by
  their PDG Gamma_ee and branching fractions;
- above the resonance region: the quark-parton model with O(alpha_s^2) QCD corrections (PDG 2024
  QCD review, eq. (9.7)), u, d, s quarks, alpha_s of :mod:`physics.qcd` (four loops). The multi-hadron
  channels (4 pi, K K pi, eta pi pi, ...) are switched on between ``_E_ON`` and ``_E_FULL``
  by a smooth step that interpolates from the exclusive channels to R_QPM (local quark-hadron
  duality); this 1.0-1.6 GeV interpolation is the least certain part (about 30%).

Valid for 0 < m <= 3.0 GeV (below open charm; the narrow J/psi is not included; tau pairs are
closed below 3.55 GeV). Widths are in GeV; decay lengths in metres.

Option ``vector_mesons`` (every public function takes it; ``"minimal"`` is the default and the model
above):

- ``"minimal"``: the kaon form factors have only rho(770), omega(782), phi(1020);
- ``"extended"``: the kaon form factors of Bruch, Khodjamirian & Kuhn (hep-ph/0409080, section 4,
  eq. (64)) with their fitted couplings of the radial excitations: F_K+ = 1/2 sum_rho + 1/6 sum_omega
  + 1/3 sum_phi, F_K0 = -1/2 sum_rho + 1/6 sum_omega + 1/3 sum_phi, c_rho = c_omega = 1.195,
  c_rho(1450) = c_omega(1420) = -0.112, c_rho(1700) = c_omega(1650) = -0.083, c_phi = 1.018,
  c_phi(1680) = -0.018 (each family sums to 1, so F_K+(0) = 1 and F_K0(0) = 0); masses and widths of
  the excited states from PDG (``particle``). Below 1.2 GeV the two agree to a few per cent; from
  1.3 to 1.9 GeV the destructive excited states change Br(K K) by large factors (tests). The pion
  form factor (already with rho(1450)) and the multi-hadron continuum, which takes up what the
  exclusive channels leave of R_QPM, are the same in both.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from llpscan.physics import pdg
from llpscan.physics.constants import ALPHA_EM, HBAR_C
from llpscan.physics.qcd import alpha_s

__all__ = ["widths", "total_width", "ctau", "branching_ratios", "r_ratio", "pion_form_factor",
           "kaon_form_factors", "M_MAX", "VECTOR_MESONS"]

#: the option ``vector_mesons``: the first value is the default (module docstring)
VECTOR_MESONS = ("minimal", "extended")

#: upper end of validity of the hadronic model (GeV): below open charm and the J/psi
M_MAX = 3.0

# --- resonance parameters not carried by the particle package (PDG 2024 listings) ---------------
# omega(782): Gamma_ee = 0.60 keV; Br(pi+ pi-) = 1.53% (the rest: 3 pi, pi0 gamma, ...)
_OMEGA_GEE = 0.60e-6
_OMEGA_BR_PIPI = 0.0153
# phi(1020): Gamma_ee = 1.27 keV; Br(K+ K-) = 49.1%, Br(K_L K_S) = 33.9% (rest: 3 pi, eta gamma)
_PHI_GEE = 1.27e-6
_PHI_BR_KPKM = 0.491
_PHI_BR_K0K0 = 0.339
# rho-omega mixing in F_pi: delta = 1.57e-3 exp(i 12.6 deg), CMD-2 fit, Phys. Lett. B 578 (2004) 285
# (digits not re-checked against the paper in review; delta only shapes the +-10 MeV around the omega)
_DELTA_RHO_OMEGA = 1.57e-3 * np.exp(1j * math.radians(12.6))
# rho(770) -> e+e- width, PDG 2024: 7.04 keV; fixes the rho(1450) weight of F_pi (_beta_rho1450)
_RHO_GEE = 7.04e-6
# VMD couplings of the kaon form factors (ideal mixing, SU(3); BKK 2005 section 4)
_C_RHO, _C_OMEGA, _C_PHI = 0.5, 1.0 / 6.0, 1.0 / 3.0
# switch-on of the multi-hadron continuum (GeV): from just above the phi to where the measured R
# has reached its QPM level (PDG 2024 R plot, Fig. 53.2); a parametrisation, see module docstring
_E_ON, _E_FULL = 1.0, 1.6
# vector_mesons="extended": kaon-form-factor couplings of the fit of Bruch, Khodjamirian & Kuhn,
# hep-ph/0409080, section 4, eq. (64): (particle name, c) per family; each family sums to 1
_BKK_RHO = (("rho(770)0", 1.195), ("rho(1450)0", -0.112), ("rho(1700)0", -0.083))
_BKK_OMEGA = (("omega(782)", 1.195), ("omega(1420)", -0.112), ("omega(1650)", -0.083))
_BKK_PHI = (("phi(1020)", 1.018), ("phi(1680)", -0.018))


def _m(name):
    return pdg.mass(name)


def _beta(s, m):
    """Velocity of either daughter of a pair of mass m at invariant mass squared s (0 below threshold)."""
    s = np.asarray(s, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(np.clip(1.0 - 4.0 * m * m / s, 0.0, None))


# --- pion form factor ---------------------------------------------------------------------------

def _gs_bw(s, M, G, m):
    """Gounaris-Sakurai Breit-Wigner, normalised to 1 at s = 0 (PRL 21 (1968) 244; the form of
    Kuhn & Santamaria 1990 and of the ALEPH/BaBar fits). m is the pion mass; s > 4 m^2 (GeV^2).
    """
    s = np.asarray(s, dtype=float)

    def k(x):
        return np.sqrt(np.clip(x / 4.0 - m * m, 0.0, None))

    def h(x):
        kx, rx = k(x), np.sqrt(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(kx > 0, 2.0 / math.pi * kx / rx * np.log((rx + 2 * kx) / (2 * m)), 0.0)

    kM = float(k(M * M))
    hM = float(h(M * M))
    dh = hM * (1.0 / (8 * kM * kM) - 1.0 / (2 * M * M)) + 1.0 / (2 * math.pi * M * M)  # dh/ds at M^2
    ks = k(s)
    f = G * M * M / kM**3 * (ks * ks * (h(s) - hM) + (M * M - s) * kM * kM * dh)
    d = (3.0 / math.pi * m * m / (kM * kM) * math.log((M + 2 * kM) / (2 * m))
         + M / (2 * math.pi * kM) - m * m * M / (math.pi * kM**3))
    with np.errstate(divide="ignore", invalid="ignore"):
        gs = np.where(s > 0, G * (ks / kM) ** 3 * M / np.sqrt(np.where(s > 0, s, 1.0)), 0.0)
    return M * M * (1.0 + d * G / M) / (M * M - s + f - 1j * M * gs)


def _bw(s, M, G):
    """Fixed-width Breit-Wigner normalised to 1 at s = 0."""
    return M * M / (M * M - np.asarray(s, dtype=float) - 1j * M * G)


def _f_pi(s, beta):
    s = np.asarray(s, dtype=float)
    m_pi = _m("pi+")
    rho = _gs_bw(s, _m("rho(770)0"), pdg.width("rho(770)0"), m_pi)
    rho1 = _gs_bw(s, _m("rho(1450)0"), pdg.width("rho(1450)0"), m_pi)
    m_om = _m("omega(782)")
    om = _bw(s, m_om, pdg.width("omega(782)"))
    d = _DELTA_RHO_OMEGA
    rho_omega = rho * (1.0 + d * s / (m_om * m_om) * om) / (1.0 + d)
    return (rho_omega + beta * rho1) / (1.0 + beta)


@lru_cache(maxsize=1)
def _beta_rho1450():
    """Weight of the rho(1450) in F_pi (Kuhn-Santamaria's beta), fixed by the rho(770) -> e+e- width:
    without omega mixing, R_pipi(M_rho^2) must equal the Breit-Wigner peak 9 Br(rho -> ee)/alpha^2
    (Br(rho -> pi pi) = 1). Gives beta = -0.09 (KS 1990 fitted -0.145 with a plain Breit-Wigner)."""
    from scipy.optimize import brentq

    M, G = _m("rho(770)0"), pdg.width("rho(770)0")
    s = M * M
    target = 9.0 * (_RHO_GEE / G) / ALPHA_EM**2
    b3 = _beta(s, _m("pi+")) ** 3 / 4

    def mismatch(beta):
        rho = _gs_bw(s, M, G, _m("pi+"))
        rho1 = _gs_bw(s, _m("rho(1450)0"), pdg.width("rho(1450)0"), _m("pi+"))
        return float(b3 * abs((rho + beta * rho1) / (1 + beta)) ** 2 - target)

    return brentq(mismatch, -0.5, 0.5, xtol=1e-12)


def pion_form_factor(s):
    """Complex pion form factor F_pi(s), s in GeV^2 above 4 m_pi^2: Kuhn-Santamaria (1990, eq. (A.3))
    with Gounaris-Sakurai rho(770), rho(1450) and rho-omega mixing (CMD-2 2004)."""
    return _f_pi(s, _beta_rho1450())


def _phi_bw(s):
    """phi(1020) Breit-Wigner normalised to 1 at s = 0, with the K K P-wave part of its width running
    as Gamma (M/sqrt(s)) (p/p_M)^3 = Gamma (s/M^2) (beta/beta_M)^3 (the rest held fixed)."""
    s = np.asarray(s, dtype=float)
    M, G = _m("phi(1020)"), pdg.width("phi(1020)")
    mkp, mk0 = _m("K+"), _m("K0")
    pwave = s / (M * M) * (_PHI_BR_KPKM * (_beta(s, mkp) / _beta(M * M, mkp)) ** 3
                           + _PHI_BR_K0K0 * (_beta(s, mk0) / _beta(M * M, mk0)) ** 3)
    g = G * (pwave + (1.0 - _PHI_BR_KPKM - _PHI_BR_K0K0))
    return M * M / (M * M - s - 1j * M * g)


def _check_vm(vector_mesons):
    if vector_mesons not in VECTOR_MESONS:
        raise ValueError(f"vector_mesons={vector_mesons!r}: allowed {', '.join(VECTOR_MESONS)}")


def kaon_form_factors(s, vector_mesons="minimal"):
    """(F_K+(s), F_K0(s)), complex, by rho/omega/phi dominance with SU(3) couplings (BKK 2005).

    ``vector_mesons``: ``"minimal"`` (rho, omega, phi) or ``"extended"`` (BKK eq. (64) with the
    fitted radial excitations; module docstring).

    >>> # BKK's sum rule: each family's couplings add up to 1, so F_K+(0) = 1/2 + 1/6 + 1/3 = 1
    >>> [round(sum(c for _, c in f), 12) for f in (_BKK_RHO, _BKK_OMEGA, _BKK_PHI)]
    [1.0, 1.0, 1.0]
    """
    _check_vm(vector_mesons)
    s = np.asarray(s, dtype=float)
    m_pi = _m("pi+")
    if vector_mesons == "extended":
        # rho family: Gounaris-Sakurai with the pi pi width; omega family: fixed widths; phi(1020) with
        # its K K P-wave width, phi(1680) fixed (BKK section 4)
        rho = sum(c * _gs_bw(s, _m(n), pdg.width(n), m_pi) for n, c in _BKK_RHO)
        om = sum(c * _bw(s, _m(n), pdg.width(n)) for n, c in _BKK_OMEGA)
        phi = sum(c * (_phi_bw(s) if n == "phi(1020)" else _bw(s, _m(n), pdg.width(n))) for n, c in _BKK_PHI)
        iso0 = _C_OMEGA * om + _C_PHI * phi
        return iso0 + _C_RHO * rho, iso0 - _C_RHO * rho
    rho = _gs_bw(s, _m("rho(770)0"), pdg.width("rho(770)0"), m_pi)
    om = _bw(s, _m("omega(782)"), pdg.width("omega(782)"))
    phi = _phi_bw(s)
    iso0 = _C_OMEGA * om + _C_PHI * phi
    return iso0 + _C_RHO * rho, iso0 - _C_RHO * rho


# --- R ratio ------------------------------------------------------------------------------------

def _r_resonance(s, M, G, gee, br_f):
    """R of e+e- -> V -> f for a Breit-Wigner: 9 s Gamma_ee Gamma_f / (alpha^2 ((s - M^2)^2 + M^2 G^2))."""
    return 9.0 * s * gee * G * br_f / (ALPHA_EM**2 * ((s - M * M) ** 2 + M * M * G * G))


def _r_qpm(s):
    """Quark-parton R for u, d, s with QCD corrections to O(alpha_s^2), n_f = 3 (PDG eq. (9.7)), alpha_s
    at mu = sqrt(s) from :func:`physics.qcd.alpha_s` (four loops; 1 GeV below 1 GeV, where the
    multi-hadron step is 0)."""
    a = alpha_s(np.sqrt(s)) / math.pi
    nf = 3
    c2 = 1.9857 - 0.1152 * nf
    return 3 * (4 / 9 + 1 / 9 + 1 / 9) * (1.0 + a + c2 * a * a)


def _smoothstep(x):
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _r_channels(s, vector_mesons="minimal"):
    """R of each hadronic channel: pipi, K+K-, K0K0bar, other omega/phi decays, multi-hadrons."""
    s = np.asarray(s, dtype=float)
    ok = s > 0
    s_safe = np.where(ok, s, 1.0)
    m_pi, m_k, m_k0 = _m("pi+"), _m("K+"), _m("K0")
    b_pi, b_k, b_k0 = _beta(s_safe, m_pi), _beta(s_safe, m_k), _beta(s_safe, m_k0)
    s_pi = np.where(b_pi > 0, s_safe, 1.0)
    pipi = np.where(b_pi > 0, b_pi**3 / 4 * np.abs(pion_form_factor(s_pi)) ** 2, 0.0)
    fkp, fk0 = kaon_form_factors(s_safe, vector_mesons)
    kk = b_k**3 / 4 * np.abs(fkp) ** 2
    k0k0 = b_k0**3 / 4 * np.abs(fk0) ** 2
    m_om, m_phi = _m("omega(782)"), _m("phi(1020)")
    # omega -> 3 pi, pi0 gamma and phi -> 3 pi, eta gamma: open above m_pi0 (pi0 gamma)
    above = np.sqrt(s_safe) > _m("pi0")
    other = np.where(above, _r_resonance(s_safe, m_om, pdg.width("omega(782)"), _OMEGA_GEE, 1 - _OMEGA_BR_PIPI)
                     + _r_resonance(s_safe, m_phi, pdg.width("phi(1020)"), _PHI_GEE,
                                    1 - _PHI_BR_KPKM - _PHI_BR_K0K0), 0.0)
    excl = pipi + kk + k0k0 + other
    step = _smoothstep((np.sqrt(s_safe) - _E_ON) / (_E_FULL - _E_ON))
    multi = step * np.clip(_r_qpm(s_safe) - excl, 0.0, None)
    z = np.where(ok, 1.0, 0.0)
    return {"pipi": pipi * z, "KK": kk * z, "K0K0": k0k0 * z, "other": other * z, "multi": multi * z}


def r_ratio(sqrt_s, vector_mesons="minimal"):
    """R(sqrt_s) = sigma(e+e- -> hadrons)/sigma_pt(e+e- -> mu+mu-) of this parametrisation."""
    sqrt_s = np.asarray(sqrt_s, dtype=float)
    return sum(_r_channels(sqrt_s**2, vector_mesons).values())


# --- widths -------------------------------------------------------------------------------------

def _check(m):
    m = np.asarray(m, dtype=float)
    if np.any(m > M_MAX):
        raise ValueError(f"dark photon mass {float(np.max(m)):g} GeV above the model's range ({M_MAX} GeV)")
    return m


def _leptonic(m, m_l, eps):
    r = np.where(m > 0, (m_l / np.where(m > 0, m, 1.0)) ** 2, 1.0)
    return np.where(4 * r < 1, ALPHA_EM * eps**2 * m / 3 * (1 + 2 * r) * np.sqrt(np.clip(1 - 4 * r, 0.0, None)), 0.0)


def widths(m, eps=1.0, vector_mesons="minimal") -> dict[str, np.ndarray]:
    """Partial widths (GeV) of A' -> e e, mu mu, pi+ pi-, K+ K- and all hadrons (incl. pipi, KK).

    ``m`` in GeV (array), ``eps`` the kinetic mixing (broadcasts with m); ``vector_mesons`` the
    kaon form factors (module docstring).

    >>> w = widths(0.1)  # below the muon threshold only e+e- is open: Gamma = alpha m / 3
    >>> round(float(w["ee"]) / (0.1 / 137.036 / 3), 6), float(w["mumu"]), float(w["hadrons"])
    (1.0, 0.0, 0.0)
    """
    m = _check(m)
    eps = np.asarray(eps, dtype=float)
    unit = ALPHA_EM * eps**2 * m / 3  # times R gives the hadronic widths
    ch = _r_channels(m * m, vector_mesons)
    return {
        "ee": _leptonic(m, _m("e-"), eps),
        "mumu": _leptonic(m, _m("mu-"), eps),
        "pipi": unit * ch["pipi"],
        "KK": unit * ch["KK"],
        "hadrons": unit * sum(ch.values()),
    }


def total_width(m, eps=1.0, vector_mesons="minimal"):
    """Total width (GeV): e e + mu mu + hadrons (tau pairs are closed below M_MAX)."""
    w = widths(m, eps, vector_mesons)
    return w["ee"] + w["mumu"] + w["hadrons"]


def ctau(m, eps=1.0, vector_mesons="minimal"):
    """Proper decay length c tau (m) = hbar c / Gamma."""
    with np.errstate(divide="ignore"):
        return HBAR_C / total_width(m, eps, vector_mesons)


def branching_ratios(m, vector_mesons="minimal") -> dict[str, np.ndarray]:
    """Branching fractions (independent of eps), same keys as :func:`widths`."""
    w = widths(m, 1.0, vector_mesons)
    tot = w["ee"] + w["mumu"] + w["hadrons"]
    with np.errstate(divide="ignore", invalid="ignore"):
        return {k: np.where(tot > 0, v / np.where(tot > 0, tot, 1.0), 0.0) for k, v in w.items()}
