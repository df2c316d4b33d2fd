"""Generic long-lived particles from B+ -> K+ decays, with masses, c tau and the production rate all free.

The model-independent counterparts of models with a b -> s transition: a scan over (m_X, c tau_X) gives
the acceptance, and the limit on the production rate, that any model producing X this way can be recast
onto (Ferber, Filimonova, Schäfer & Westhoff, arXiv:2201.06580, Fig. 10, for an invisible X).

- :class:`GenericBToKX`: B+ -> K+ X, X long-lived (a (pseudo)scalar: both decays isotropic);
- :class:`GenericBToKYToXX`: B+ -> K+ Y with a prompt Y, Y -> X X, X long-lived (the topology of Wang, Zhang
  & Liu, arXiv:2410.00491, with Y = the ALP and X = the heavy neutral lepton).

Units: GeV, metres. Which branching ratios the rate parameter ``br`` stands for is the scenario's
choice (``rate``/``rate_latex``): Br(B+ -> K+ X) for an invisible X, Br(B+ -> K+ X) Br(X -> visible)
for a displaced one.
"""

from __future__ import annotations

import numpy as np

from llpscan.physics import pdg
from llpscan.physics.kinematics import EventSample, two_body_decay
from llpscan.physics.model import ModelBase, Parameter

__all__ = ["CTAU_X", "GenericBToKX", "GenericBToKYToXX"]


#: the lifetime axis of every generic model here
CTAU_X = Parameter("ctau_X", "m", "proper decay length of X", 1.0, "lifetime", 0.0, positive=True, latex=r"c\tau_X")


class GenericBToKX(ModelBase):
    """B+ -> K+ X for a generic long-lived (pseudo)scalar X: mass, c tau and the rate ``br`` are free.

    ``rate``, ``rate_latex``: what ``br`` stands for (default Br(B+ -> K+ X)).

    >>> m = GenericBToKX()
    >>> bool(m.is_open(m_X=4.0)), bool(m.is_open(m_X=4.8))   # m_B - m_K = 4.786 GeV
    (True, False)
    """

    name = "b-to-k-x"
    llps = ("X",)

    def __init__(self, rate: str = "Br(B+ -> K+ X)", rate_latex: str = r"\mathrm{Br}(B^+ \to K^+ X)"):
        m_max = pdg.mass("B+") - pdg.mass("K+")
        self.parameters = (
            Parameter("m_X", "GeV", "mass of X", 0.3, "mass", 0.0, m_max, positive=True, latex="m_X"),
            CTAU_X,
            Parameter("br", "1", rate, 1.0, "rate", 0.0, 1.0, positive=True, latex=rate_latex),
        )

    def ctau(self, *, ctau_X, **_):
        return {"X": np.asarray(ctau_X, dtype=float)}

    def is_open(self, *, m_X, **_):
        return np.asarray(m_X, dtype=float) < pdg.mass("B+") - pdg.mass("K+")

    def decay(self, rng, b_mesons, *, m_X) -> EventSample:
        """B+ -> K+ X for B+ four-momenta (n, 4), isotropic (spin 0)."""
        kaon, x = two_body_decay(rng, b_mesons, pdg.mass("K+"), m_X)
        return EventSample(momenta={"K": kaon, "X": x}, llps=("X",), masses={"m_X": float(m_X)},
                           llp_masses={"X": float(m_X)})


class GenericBToKYToXX(ModelBase):
    """B+ -> K+ Y, Y -> X X: a prompt Y (mass m_Y) and two identical long-lived X (mass m_X, c tau_X).

    ``br`` = Br(B+ -> K+ Y) Br(Y -> X X). Y is taken to decay at the interaction point (no c tau_Y);
    a model whose Y flies must check that it is prompt (Wang, Zhang & Liu mask beta gamma c tau_a > 1 mm).

    >>> m = GenericBToKYToXX()
    >>> m.is_open(m_Y=np.array([2.0, 2.0, 4.9]), m_X=np.array([0.9, 1.1, 1.0])).tolist()   # 2 m_X < m_Y < m_B - m_K
    [True, False, False]
    """

    name = "b-to-k-y-to-xx"
    llps = ("X",)

    def __init__(self):
        m_max = pdg.mass("B+") - pdg.mass("K+")
        self.parameters = (
            Parameter("m_Y", "GeV", "mass of the prompt parent Y", 4.0, "mass", 0.0, m_max, positive=True,
                      latex="m_Y"),
            Parameter("m_X", "GeV", "mass of X", 1.0, "mass", 0.0, m_max / 2, positive=True, latex="m_X"),
            CTAU_X,
            Parameter("br", "1", "Br(B+ -> K+ Y) x Br(Y -> X X)", 1.0, "rate", 0.0, 1.0, positive=True,
                      latex=r"\mathrm{Br}(B^+ \to K^+ Y)\,\mathrm{Br}(Y \to X X)"),
        )

    def ctau(self, *, ctau_X, **_):
        return {"X": np.asarray(ctau_X, dtype=float)}

    def is_open(self, *, m_Y, m_X, **_):
        """2 m_X < m_Y < m_B - m_K: both decays open."""
        m_Y, m_X = np.asarray(m_Y, dtype=float), np.asarray(m_X, dtype=float)
        return (2 * m_X < m_Y) & (m_Y < pdg.mass("B+") - pdg.mass("K+"))

    def decay(self, rng: np.random.Generator, b_mesons, *, m_Y, m_X) -> EventSample:
        """B+ -> K+ Y, Y -> X X for B+ four-momenta (n, 4); both decays isotropic (spin-0 Y)."""
        kaon, y = two_body_decay(rng, b_mesons, pdg.mass("K+"), m_Y)
        x1, x2 = two_body_decay(rng, y, m_X, m_X)
        return EventSample(momenta={"K": kaon, "Y": y, "X1": x1, "X2": x2}, llps=("X1", "X2"),
                           masses={"m_Y": float(m_Y), "m_X": float(m_X)},
                           llp_masses={"X1": float(m_X), "X2": float(m_X)})
