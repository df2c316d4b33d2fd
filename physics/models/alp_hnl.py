"""ALP with a b -> s coupling decaying into two Majorana heavy neutral leptons (Wang, Zhang & Liu, arXiv:2410.00491).

Wang, Zhang & Liu, "Long-lived sterile neutrinos from an axionlike particle at Belle II" (2024):
B+ -> K+ a (eq. 2), a -> N N (eq. 3, Br = 1), N long-lived through its mixing |V_eN|^2.
"""

from __future__ import annotations

import math

import numpy as np

from llpscan.physics import pdg
from llpscan.physics.constants import HBAR_C
from llpscan.physics.form_factors import f0_B_to_K
from llpscan.physics.kinematics import EventSample, kallen, two_body_decay, two_body_momentum
from llpscan.physics.model import ModelBase, Parameter
from llpscan.physics.models import hnl

__all__ = ["AlpToHnl", "br_b_to_k_alp", "width_alp_to_nn"]


def br_b_to_k_alp(m_a, g_bs):
    """Br(B+ -> K+ a) for the coupling g_bs = g^d_32/Lambda (GeV^-1) and ALP mass m_a (GeV).

    eq. (2) (from Beltran et al., arXiv:2302.03216) divided by Gamma(B+) from the PDG
    lifetime; lambda(x, y) = 1 + x^2 + y^2 - 2x - 2y - 2xy. Zero where m_a >= m_B - m_K.
    """
    m_a = np.asarray(m_a, dtype=float)
    m_b, m_k = pdg.mass("B+"), pdg.mass("K+")
    x, y = (m_k / m_b) ** 2, m_a**2 / m_b**2
    lam = np.clip(kallen(1.0, x, y), 0.0, None)
    gamma = (
        np.square(g_bs) / (64 * math.pi) * f0_B_to_K(m_a**2) ** 2 * m_b**3 * (1 - x) ** 2 * np.sqrt(lam)
    )
    return np.where(m_a < m_b - m_k, gamma / pdg.width("B+"), 0.0)


def width_alp_to_nn(m_a, m_N, g_N):
    """Gamma(a -> N N) in GeV, eq. (3) (from Alves, Dias & Lopes, arXiv:1911.12394).

    g_N is g_N/Lambda in GeV^-1. Zero where m_N >= m_a/2.
    """
    m_a, m_N = np.asarray(m_a, dtype=float), np.asarray(m_N, dtype=float)
    beta2 = np.clip(1 - 4 * m_N**2 / m_a**2, 0.0, None)
    return np.square(g_N) / (2 * math.pi) * m_N**2 * m_a * np.sqrt(beta2)


def _max_beta_gamma(*bg):
    """Largest beta*gamma after composing collinear boosts with the given beta*gamma values."""
    out = 0.0
    for b in bg:
        out = out * np.sqrt(1 + b * b) + np.sqrt(1 + out * out) * b
    return out


class AlpToHnl(ModelBase):
    """B+ -> K+ a, a -> N N with a Majorana N mixing with nu_e (Wang, Zhang & Liu)."""

    name = "alp-hnl"
    llps = ("N",)

    def __init__(self, m_inclusive: float = hnl.M_INCLUSIVE):
        # the HNL's hadronic switch (GeV): exclusive mesons below, QCD-corrected quarks from it on
        # (physics.models.hnl); 2.0 GeV by default, 1.0 GeV as in HNLCalc (arXiv:2405.07330)
        self.m_inclusive = float(m_inclusive)
        # an ALP heavier than the B is an input error; below it, points where B+ -> K+ a or a -> N N
        # is closed (m_a >= m_B - m_K, 2 m_N >= m_a) are masked: zero signal (issue 2)
        m_b = pdg.mass("B+")
        self.parameters = (
            Parameter("m_a", "GeV", "ALP mass", 4.7, "mass", 0.0, m_b, positive=True, latex="m_a"),
            Parameter("m_N", "GeV", "heavy neutral lepton mass", 1.0, "mass", 0.0, m_b / 2, positive=True,
                      latex="m_N"),
            Parameter("V2", "1", "|V_eN|^2, HNL-electron-neutrino mixing", 1e-7, "lifetime", 0.0, 1.0, positive=True,
                      latex=r"|V_{eN}|^2"),
            Parameter("g_N", "GeV^-1", "g_N/Lambda, ALP-HNL coupling", 1e-3, "rate", latex=r"g_N/\Lambda"),
            Parameter("g_bs", "GeV^-1", "g^d_32/Lambda, ALP b-s coupling", 1e-9, "rate", latex=r"g^d_{3,2}/\Lambda"),
        )

    def ctau(self, *, m_N, V2, **_):
        # every HNL width is proportional to |V_eN|^2 (tree level, one flavour): c tau = c tau(V2=1)/V2
        m_N = np.asarray(m_N, dtype=float)
        unit = hnl.ctau(m_N.ravel(), 1.0, m_inclusive=self.m_inclusive).reshape(m_N.shape)
        return {"N": unit / np.asarray(V2, dtype=float)}

    def branching_fraction(self, m_N, channels):
        """Br(N -> the weighted ``channels``), channel -> factor (:func:`physics.models.hnl.branching_fraction`)."""
        m_N = np.asarray(m_N, dtype=float)
        return hnl.branching_fraction(m_N.ravel(), channels, m_inclusive=self.m_inclusive).reshape(m_N.shape)

    def br_production(self, *, m_a, g_bs, **_):
        """Br(B+ -> K+ a) x Br(a -> N N), with Br(a -> N N) = 1 (section II)."""
        return br_b_to_k_alp(m_a, g_bs)

    def ctau_alp(self, *, m_a, m_N, g_N, **_):
        """ALP proper decay length (m); Gamma(a) = Gamma(a -> N N) (section II)."""
        with np.errstate(divide="ignore"):
            return HBAR_C / width_alp_to_nn(m_a, m_N, g_N)

    def is_open(self, *, m_a, m_N, **_):
        """2 m_N < m_a < m_B - m_K: B+ -> K+ a and a -> N N both open."""
        m_a, m_N = np.asarray(m_a, dtype=float), np.asarray(m_N, dtype=float)
        return (2 * m_N < m_a) & (m_a < pdg.mass("B+") - pdg.mass("K+"))

    def alp_beta_gamma_max(self, *, m_a, beta_gamma_cm: float, **_):
        """Largest beta*gamma of the ALP in a frame where the Upsilon(4S) moves with ``beta_gamma_cm``.

        The B momentum from Upsilon(4S) -> B+ B-, the B -> K a momentum and the frame's motion all
        collinear: an upper bound, so a cut on it is conservative.
        """
        m_a = np.asarray(m_a, dtype=float)
        m_b, m_k, m_ups = pdg.mass("B+"), pdg.mass("K+"), pdg.mass("Upsilon(4S)")
        ok = m_a < m_b - m_k
        bg_b = float(two_body_momentum(m_ups, m_b, m_b)) / m_b
        bg_a = two_body_momentum(m_b, m_k, np.where(ok, m_a, 0.0)) / np.where(ok, m_a, 1.0)
        return _max_beta_gamma(beta_gamma_cm, bg_b, bg_a)

    def decay(self, rng: np.random.Generator, b_mesons, *, m_a, m_N) -> EventSample:
        """B+ -> K+ a, a -> N N for B+ four-momenta (n, 4); both decays isotropic (spin 0)."""
        kaon, alp = two_body_decay(rng, b_mesons, pdg.mass("K+"), m_a)
        n1, n2 = two_body_decay(rng, alp, m_N, m_N)
        return EventSample(
            momenta={"K": kaon, "a": alp, "N1": n1, "N2": n2},
            llps=("N1", "N2"),
            masses={"m_a": float(m_a), "m_N": float(m_N)},
            llp_masses={"N1": float(m_N), "N2": float(m_N)},
        )

