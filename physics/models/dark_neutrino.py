r"""Three-portal dark neutrinos (arXiv:1903.07589): K+ -> mu+ nu_h, nu_h -> nu Z', Z' -> l+ l-.

Ballett, Hostert & Pascoli, "Dark neutrinos and a three-portal connection to the Standard Model",
PRD 101 (2020) 115025, arXiv:1903.07589. The NA62 search of its section IV.A uses one
pseudo-Dirac heavy neutrino nu_h in the ISS-like limit (mu' -> 0) that mixes with nu_mu, and a light
dark photon Z' (m_Z' < m_h) with kinetic mixing chi and dark gauge coupling g' (``g_D``).

Conventions:

* nu_h -> nu Z' is eq. (13) halved: "For (pseudo-)Dirac nu_h, the rate is smaller by a factor of
  two". Its mixing prefactor |U_Dh|^2 (1 - |U_D4|^2 - |U_D5|^2) is written, as below eq. (24),
  ``U2_D * U2_mu``: as mu' -> 0, (|U_D4|^2 + |U_D5|^2)(1 - |U_D4|^2 - |U_D5|^2) = |U_Dh|^2 |U_mu h|^2.
  This reproduces eq. (22): tau = 1.74 ps at U2_D U2_mu = 1e-10, m_h = 300 MeV, g' = 0.375,
  m_Z' = 100 MeV with r -> 0 (1.80 ps keeping r; the Majorana rate would give 0.87 ps).
* Z' -> l+ l- is eq. (15). Eq. (7) gives the Z' a coupling e q_f c_W chi to SM fermions: it is a
  dark photon with kinetic mixing eps = c_W chi (then eq. (15) is the usual alpha eps^2 m/3 ...),
  and its hadronic width above 2 m_pi is the dark-photon one of :mod:`physics.models.dark_photon` at
  that eps (the same physics as in Cheung et al., arXiv:2401.03168; it is imported lazily, see
  :func:`hadronic_width`).
* Only nu_h -> nu Z' (and Z' -> SM) are kept, as the paper does in section IV.A ("We ignore SM
  contributions to the decay rates"); so Br(nu_h -> nu Z') = 1 where m_Z' < m_h, and the chain is
  closed (masked) where m_Z' >= m_h. Z' -> nu nu (relevant only for |U_mu h| > 1e-4, Fig. 3 caption)
  is not modelled.
* Production: Br(K+ -> mu+ nu_h) = |U_mu h|^2 rho(m_h) Br(K+ -> mu+ nu) (text before eq. (17)),
  rho the Shrock factor (Shrock, PRD 24 (1981) 1232), which the paper uses without writing it out.
* Fixed v_phi (Fig. 3): the paper fixes v_phi so that g' varies with m_Z'. Eqs. (22)-(23) scale
  as (m_Z'/g')^2 = v_phi^2 (Goldstone equivalence: g'/m_Z' = 1/v_phi for m_Z' = g' v_phi, a unit-charge
  Phi with <Phi> = v_phi/sqrt 2), with the reference values g' = 0.375 at m_Z' = 100 MeV, hence
  ``V_PHI`` = 0.1/0.375 = 0.267 GeV and g_D = m_Z'/V_PHI. The paper does not print its v_phi: taking
  the reference point of eqs. (22)-(23) to lie on the Fig. 3 line is this module's assumption. It
  matters only where nu_h is long-lived (the low-m_h edge): the prompt SES does not depend on g'.

Units: GeV, metres; U2_mu, U2_D, chi dimensionless.
"""

from __future__ import annotations

import math

import numpy as np

from llpscan.physics import pdg
from llpscan.physics.constants import ALPHA_EM, HBAR_C, SIN2_THETA_W
from llpscan.physics.kinematics import EventSample, kallen, two_body_decay
from llpscan.physics.model import ModelBase, Parameter

__all__ = [
    "BR_K_MU_NU",
    "V_PHI",
    "DarkNeutrino",
    "shrock_factor",
    "br_k_to_mu_nuh",
    "width_nuh_to_nu_zp",
    "width_zp_to_leptons",
    "hadronic_width",
    "zp_widths",
    "eps_of_chi",
    "g_fixed_v_phi",
]

#: PDG 2024, K+ decay modes: Gamma(mu+ nu_mu)/Gamma = (63.56 +- 0.11)%. The ``particle`` package
#: carries masses and lifetimes but no branching ratios, so the value is quoted here.
BR_K_MU_NU = 0.6356

#: eqs. (22)-(23): g' = 0.375 at m_Z' = 100 MeV; with m_Z' = g' v_phi this is
#: v_phi = 0.1/0.375 GeV = 0.2667 GeV (see the module docstring)
G_REF, M_ZP_REF = 0.375, 0.100
V_PHI = M_ZP_REF / G_REF

#: c_W = cos(theta_W) of eq. (7), from sin^2(theta_W) (physics/constants.py)
C_W = math.sqrt(1.0 - SIN2_THETA_W)

_LEPTONS = {"ee": "e-", "mumu": "mu-"}


def eps_of_chi(chi):
    """Dark-photon kinetic mixing eps = c_W chi: eq. (7) couples the Z' to e q_f c_W chi."""
    return C_W * np.asarray(chi, dtype=float)


def g_fixed_v_phi(m_zp, v_phi: float = V_PHI):
    """g' = m_Z'/v_phi (the paper's fixed-v_phi choice for Fig. 3; ``V_PHI`` = 0.267 GeV)."""
    return np.asarray(m_zp, dtype=float) / v_phi


def shrock_factor(m_N, lepton: str = "mu-", meson: str = "K+"):
    r"""rho = Gamma(P+ -> l+ N)/(|U_lN|^2 Gamma(P+ -> l+ nu)) (Shrock, PRD 24 (1981) 1232).

    With a = m_l^2/m_P^2, b = m_N^2/m_P^2: rho = lambda^(1/2)(1, a, b) [a + b - (a - b)^2] / [a (1 - a)^2]; 0 where
    m_l + m_N >= m_P. rho(0) = 1.

    >>> round(float(shrock_factor(0.0)), 12)
    1.0
    """
    m_N = np.asarray(m_N, dtype=float)
    m_p, m_l = pdg.mass(meson), pdg.mass(lepton)
    a, b = (m_l / m_p) ** 2, (m_N / m_p) ** 2
    lam = np.clip(kallen(1.0, a, b), 0.0, None)
    rho = np.sqrt(lam) * (a + b - (a - b) ** 2) / (a * (1 - a) ** 2)
    return np.where(m_l + m_N < m_p, rho, 0.0)


def br_k_to_mu_nuh(m_h, U2_mu):
    """Br(K+ -> mu+ nu_h) = |U_mu h|^2 rho(m_h) Br(K+ -> mu+ nu) (text before eq. (17))."""
    return np.asarray(U2_mu, dtype=float) * shrock_factor(m_h) * BR_K_MU_NU


def width_nuh_to_nu_zp(m_h, m_zp, U2_mu, U2_D, g_D, *, keep_r: bool = True):
    r"""Gamma(nu_h -> nu Z') (GeV) of a pseudo-Dirac nu_h: eq. (13) halved.

    Gamma = (1/2) U2_D U2_mu g'^2/(8 pi) m_h^3/m_Z'^2 (1 - r)^2 (1/2 + r), r = m_Z'^2/m_h^2; 0 where
    m_Z' >= m_h. ``keep_r=False`` sets r -> 0 in the phase-space factor (the "neglecting final
    state masses" of eq. (22)) but keeps m_Z' in the 1/m_Z'^2 of the longitudinal mode.
    """
    m_h, m_zp = np.asarray(m_h, dtype=float), np.asarray(m_zp, dtype=float)
    r = np.where(m_zp < m_h, (m_zp / m_h) ** 2, 1.0)
    ps = (1 - r) ** 2 * (0.5 + r) if keep_r else np.where(m_zp < m_h, 0.5, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = 0.5 * np.asarray(U2_D) * np.asarray(U2_mu) * np.square(g_D) / (8 * math.pi) * m_h**3 / m_zp**2 * ps
    return np.where(m_zp < m_h, g, 0.0)


def width_zp_to_leptons(m_zp, chi, lepton: str = "e-"):
    r"""Gamma(Z' -> l+ l-) (GeV), eq. (15): (e c_W chi)^2/(12 pi) m (1 + 2 r_l) sqrt(1 - 4 r_l).

    e^2 = 4 pi alpha; r_l = m_l^2/m_Z'^2; 0 below threshold.
    """
    m_zp = np.asarray(m_zp, dtype=float)
    m_l = pdg.mass(lepton)
    r = np.where(m_zp > 2 * m_l, (m_l / np.where(m_zp > 0, m_zp, 1.0)) ** 2, 0.25)
    e2 = 4 * math.pi * ALPHA_EM
    g = e2 * eps_of_chi(chi) ** 2 / (12 * math.pi) * m_zp * (1 + 2 * r) * np.sqrt(np.clip(1 - 4 * r, 0.0, None))
    return np.where(m_zp > 2 * m_l, g, 0.0)


def hadronic_width(m_zp, chi):
    """Gamma(Z' -> hadrons) (GeV): the dark-photon hadronic width at eps = c_W chi.

    From :mod:`physics.models.dark_photon` (the dark photon of Cheung et al., arXiv:2401.03168: pi+ pi- from
    2 m_pi on, and the tails of omega -> pi0 gamma above m_pi0), imported here only, so the leptonic part of
    this module stands on its own.
    """
    from llpscan.physics.models import dark_photon  # noqa: PLC0415 - isolated on purpose (module docstring)

    m_zp = np.asarray(m_zp, dtype=float)
    return dark_photon.widths(m_zp, eps_of_chi(chi))["hadrons"]


def zp_widths(m_zp, chi) -> dict[str, np.ndarray]:
    """Partial widths (GeV) of the Z': ``ee``, ``mumu`` (eq. (15)) and ``hadrons`` (dark photon)."""
    m_zp = np.asarray(m_zp, dtype=float)
    out = {k: width_zp_to_leptons(m_zp, chi, lep) for k, lep in _LEPTONS.items()}
    out["hadrons"] = hadronic_width(m_zp, chi)
    return out


class DarkNeutrino(ModelBase):
    """Pseudo-Dirac nu_h (mixing U2_mu with nu_mu, U2_D with nu_D) and a dark photon Z' (chi, g_D).

    ``coupling``: ``free`` (g_D is a parameter) or ``fixed-v_phi`` (g_D = m_Zp/V_PHI, the paper's
    Fig. 3 choice; the g_D parameter is then ignored).
    """

    name = "dark-neutrino"
    llps = ("nu_h", "Zp")
    COUPLINGS = ("free", "fixed-v_phi")

    def __init__(self, coupling: str = "free"):
        if coupling not in self.COUPLINGS:
            raise ValueError(f"coupling={coupling!r}: allowed {', '.join(self.COUPLINGS)}")
        self.coupling = coupling
        m_max = pdg.mass("K+") - pdg.mass("mu+")  # K+ -> mu+ nu_h open below this
        self.parameters = (
            Parameter("m_h", "GeV", "heavy neutrino nu_h mass", 0.3, "mass", 0.0, m_max, positive=True,
                      latex=r"m_{\nu_h}"),
            Parameter("m_Zp", "GeV", "dark photon Z' mass", 0.1, "mass", 0.0, m_max, positive=True, latex="m_{Z'}"),
            Parameter("U2_mu", "1", "|U_mu h|^2, nu_h-nu_mu mixing", 1e-9, "lifetime", 0.0, 1.0, positive=True,
                      latex=r"|U_{\mu h}|^2"),
            Parameter("U2_D", "1", "|U_D h|^2, nu_h-nu_D mixing (ISS limit: the pseudo-Dirac pair is mostly nu_D)",
                      1.0, "lifetime", 0.0, 1.0, positive=True, latex=r"|U_{Dh}|^2"),
            Parameter("chi", "1", "kinetic mixing of Z' with hypercharge", 1e-4, "lifetime", 0.0, 1.0, positive=True,
                      latex=r"\chi"),
            Parameter("g_D", "1", "dark gauge coupling g' (ignored with coupling=fixed-v_phi)", G_REF, "lifetime",
                      0.0, 4 * math.pi, positive=True, latex="g'"),
        )

    def g_eff(self, m_Zp, g_D):
        """The g' the widths use: ``g_D``, or m_Zp/V_PHI with ``coupling=fixed-v_phi``."""
        if self.coupling == "fixed-v_phi":
            return np.broadcast_to(g_fixed_v_phi(m_Zp), np.broadcast_shapes(np.shape(m_Zp), np.shape(g_D)))
        return np.broadcast_to(np.asarray(g_D, dtype=float), np.broadcast_shapes(np.shape(m_Zp), np.shape(g_D)))

    def ctau_h(self, *, m_h, m_Zp, U2_mu, U2_D, g_D, **_):
        """c tau of nu_h (m); Gamma(nu_h) = Gamma(nu_h -> nu Z'); inf where the chain is closed."""
        gam = width_nuh_to_nu_zp(m_h, m_Zp, U2_mu, U2_D, self.g_eff(m_Zp, g_D))
        with np.errstate(divide="ignore"):
            return HBAR_C / gam

    def zp_total_width(self, *, m_Zp, chi, **_):
        w = zp_widths(m_Zp, chi)
        return w["ee"] + w["mumu"] + w["hadrons"]

    def ctau_zp(self, *, m_Zp, chi, **_):
        """c tau of Z' (m)."""
        with np.errstate(divide="ignore"):
            return HBAR_C / self.zp_total_width(m_Zp=m_Zp, chi=chi)

    def ctau(self, **params):
        return {"nu_h": self.ctau_h(**params), "Zp": self.ctau_zp(**params)}

    def br_zp(self, m_Zp, channel: str):
        """Br(Z' -> channel), channel ``ee`` or ``mumu``; chi cancels (all widths ~ chi^2)."""
        w = zp_widths(m_Zp, 1.0)
        total = w["ee"] + w["mumu"] + w["hadrons"]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, w[channel] / total, 0.0)

    def br_production(self, *, m_h, U2_mu, **_):
        """Br(K+ -> mu+ nu_h) (Shrock factor included)."""
        return br_k_to_mu_nuh(m_h, U2_mu)

    def is_open(self, *, m_h, m_Zp, **_):
        """K+ -> mu+ nu_h, nu_h -> nu Z' on shell, Z' -> e+ e-: 2 m_e < m_Z' < m_h < m_K - m_mu."""
        m_h, m_Zp = np.asarray(m_h, dtype=float), np.asarray(m_Zp, dtype=float)
        return (2 * pdg.mass("e-") < m_Zp) & (m_Zp < m_h) & (m_h < pdg.mass("K+") - pdg.mass("mu+"))

    def decay(self, rng: np.random.Generator, kaons, *, m_h, m_Zp) -> EventSample:
        """K+ -> mu+ nu_h, nu_h -> nu Z', Z' -> e+ e- (and mu+ mu- where open) for kaon momenta (n, 4).

        Every decay isotropic in its parent's rest frame (spin-0 kaon; the nu_h and Z'
        polarisations are neglected, as in the paper's eq. (26)). Lab four-momenta, GeV.
        """
        m_mu, m_e = pdg.mass("mu+"), pdg.mass("e-")
        mu, nu_h = two_body_decay(rng, kaons, m_mu, m_h)
        nu, zp = two_body_decay(rng, nu_h, 0.0, m_Zp)
        momenta = {"K": np.asarray(kaons, dtype=float), "mu": mu, "nu_h": nu_h, "nu": nu, "Zp": zp}
        momenta["e+"], momenta["e-"] = two_body_decay(rng, zp, m_e, m_e)
        if m_Zp > 2 * m_mu:
            momenta["mu+_Zp"], momenta["mu-_Zp"] = two_body_decay(rng, zp, m_mu, m_mu)
        return EventSample(
            momenta=momenta,
            llps=("nu_h", "Zp"),
            masses={"m_h": float(m_h), "m_Zp": float(m_Zp)},
            llp_masses={"nu_h": float(m_h), "Zp": float(m_Zp)},
        )
