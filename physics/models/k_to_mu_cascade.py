"""A generic cascade from kaon decays in flight: K+ -> mu+ X1, X1 -> nu X2, X2 -> l+ l-, both X long-lived.

The model-independent counterpart of the dark neutrino of Ballett, Hostert & Pascoli (arXiv:1903.07589,
section IV.A), with X1 = nu_h and X2 = Z': the masses m_X1, m_X2, the proper decay lengths c tau_X1,
c tau_X2 and the rate Br(K+ -> mu+ X1) Br(X1 -> nu X2) Br(X2 -> l+ l-) are free. Every decay is
isotropic in its parent's rest frame (spin-0 kaon, unpolarised X1 and X2, as that paper's eq. (26)
assumes); the nu is any massless invisible particle. Units: GeV, metres.
"""

from __future__ import annotations

import numpy as np

from llpscan.physics import pdg
from llpscan.physics.kinematics import EventSample, two_body_decay
from llpscan.physics.model import ModelBase, Parameter

__all__ = ["GenericKToMuCascade"]


class GenericKToMuCascade(ModelBase):
    """K+ -> mu+ X1, X1 -> nu X2, X2 -> l+ l-: masses, lifetimes and ``br`` free.

    Open where 2 m_e < m_X2 < m_X1 < m_K - m_mu (X2 -> mu+ mu- needs m_X2 > 2 m_mu besides: the
    scenario's per-channel factor).

    >>> m = GenericKToMuCascade()
    >>> m.is_open(m_X1=np.array([0.3, 0.3, 0.39]), m_X2=np.array([0.1, 0.35, 0.1])).tolist()   # m_K - m_mu = 0.388
    [True, False, False]
    """

    name = "k-to-mu-cascade"
    llps = ("X1", "X2")

    def __init__(self):
        m_max = pdg.mass("K+") - pdg.mass("mu+")  # K+ -> mu+ X1 open below this
        self.parameters = (
            Parameter("m_X1", "GeV", "mass of X1 (K+ -> mu+ X1)", 0.3, "mass", 0.0, m_max, positive=True,
                      latex="m_{X_1}"),
            Parameter("m_X2", "GeV", "mass of X2 (X1 -> nu X2, X2 -> l+ l-)", 0.1, "mass", 0.0, m_max, positive=True,
                      latex="m_{X_2}"),
            Parameter("ctau_X1", "m", "proper decay length of X1", 1.0, "lifetime", 0.0, positive=True,
                      latex=r"c\tau_{X_1}"),
            Parameter("ctau_X2", "m", "proper decay length of X2", 1e-3, "lifetime", 0.0, positive=True,
                      latex=r"c\tau_{X_2}"),
            Parameter("br", "1", "Br(K+ -> mu+ X1) x Br(X1 -> nu X2) x Br(X2 -> l+ l-), l the search's lepton",
                      1.0, "rate", 0.0, 1.0, positive=True,
                      latex=r"\mathrm{Br}(K^+ \to \mu^+ X_1)\,\mathrm{Br}(X_1 \to \nu X_2)\,\mathrm{Br}(X_2 \to \ell\ell)"),
        )

    def ctau(self, *, ctau_X1, ctau_X2, **_):
        return {"X1": np.asarray(ctau_X1, dtype=float), "X2": np.asarray(ctau_X2, dtype=float)}

    def is_open(self, *, m_X1, m_X2, **_):
        m_X1, m_X2 = np.asarray(m_X1, dtype=float), np.asarray(m_X2, dtype=float)
        return (2 * pdg.mass("e-") < m_X2) & (m_X2 < m_X1) & (m_X1 < pdg.mass("K+") - pdg.mass("mu+"))

    def decay(self, rng: np.random.Generator, kaons, *, m_X1, m_X2) -> EventSample:
        """K+ -> mu+ X1, X1 -> nu X2 for kaon four-momenta (n, 4): lab four-momenta (GeV).

        The X2 -> l+ l- decay products are not drawn: the cascade search needs only where X2 decays.
        """
        mu, x1 = two_body_decay(rng, kaons, pdg.mass("mu+"), m_X1)
        nu, x2 = two_body_decay(rng, x1, 0.0, m_X2)
        return EventSample(
            momenta={"K": np.asarray(kaons, dtype=float), "mu": mu, "X1": x1, "nu": nu, "X2": x2},
            llps=("X1", "X2"),
            masses={"m_X1": float(m_X1), "m_X2": float(m_X2)},
            llp_masses={"X1": float(m_X1), "X2": float(m_X2)},
        )
