"""A generic long-lived particle X from B+ -> K+ X, with its mass, c tau and Br(B+ -> K+ X) all free.

The model-independent counterpart of a model with a B -> K transition (Ferber, Filimonova, Schäfer &
Westhoff, arXiv:2201.06580, Fig. 10): a scan over (m_X, c tau_X) gives the acceptance, and the limit on
the branching ratio, that any (pseudo)scalar produced this way can be recast onto. Units: GeV, metres.
"""

from __future__ import annotations

import numpy as np

from llpscan.physics import pdg
from llpscan.physics.kinematics import EventSample, two_body_decay
from llpscan.physics.model import ModelBase, Parameter

__all__ = ["GenericBToKX"]


class GenericBToKX(ModelBase):
    """B+ -> K+ X for a generic long-lived (pseudo)scalar X: mass, c tau and Br(B+ -> K+ X) are free."""

    name = "b-to-k-x"
    llps = ("X",)

    def __init__(self):
        m_max = pdg.mass("B+") - pdg.mass("K+")
        self.parameters = (
            Parameter("m_X", "GeV", "mass of X", 0.3, "mass", 0.0, m_max, positive=True, latex="m_X"),
            Parameter("ctau_X", "m", "proper decay length of X", 1.0, "lifetime", 0.0, positive=True,
                      latex=r"c\tau_X"),
            Parameter("br", "1", "Br(B+ -> K+ X)", 1.0, "rate", 0.0, 1.0, positive=True,
                      latex=r"\mathrm{Br}(B^+ \to K^+ X)"),
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
