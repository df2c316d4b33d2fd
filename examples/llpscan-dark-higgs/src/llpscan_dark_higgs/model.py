"""The dark-Higgs model as llpscan scans it: parameters, lifetime, production rate and events.

S mixes with the Higgs by sin^2(theta): Br(B+ -> K+ S) (Winkler, arXiv:1809.01876, through llpscan's
:func:`~llpscan.physics.models.dark_scalar.br_b_to_k_scalar`) and every width of S (:mod:`.widths`) are
proportional to it. ``sin2_theta`` sets the lifetime, so it is a ``lifetime`` parameter: the acceptance
is evaluated for all its values from the events of one m_S. Units: GeV, metres.
"""

from __future__ import annotations

import numpy as np

from llpscan.physics import pdg
from llpscan.physics.kinematics import EventSample, two_body_decay
from llpscan.physics.model import ModelBase, Parameter
from llpscan.physics.models.dark_scalar import br_b_to_k_scalar

from llpscan_dark_higgs import widths

__all__ = ["DarkHiggs"]


class DarkHiggs(ModelBase):
    """B+ -> K+ S with S a Higgs-mixed scalar (llpscan's :class:`~llpscan.physics.model.Model` protocol).

    >>> m = DarkHiggs()
    >>> [p.name for p in m.parameters], m.llps
    (['m_S', 'sin2_theta'], ('S',))
    >>> bool(m.is_open(m_S=1.0)), bool(m.is_open(m_S=4.9))
    (True, False)
    """

    name = "dark-higgs"
    llps = ("S",)

    def __init__(self):
        m_b = pdg.mass("B+")
        self.parameters = (
            # an S heavier than the B is an input error; between m_B - m_K and m_B it is masked
            Parameter("m_S", "GeV", "dark-Higgs mass", 1.0, "mass", 0.0, m_b, positive=True, latex="m_S"),
            Parameter("sin2_theta", "1", "sin^2(theta), S-Higgs mixing", 1e-8, "lifetime", 0.0, 1.0,
                      positive=True, latex=r"\sin^2\theta"),
        )

    def ctau(self, *, m_S, sin2_theta, **_):
        """Proper decay length (m) of S (:func:`.widths.ctau`)."""
        return {"S": widths.ctau(m_S, sin2_theta)}

    def br_production(self, *, m_S, sin2_theta, **_):
        """Br(B+ -> K+ S) (Winkler eqs. (5)-(6) as implemented by llpscan; 0 where closed)."""
        return br_b_to_k_scalar(m_S, np.sqrt(sin2_theta))

    def is_open(self, *, m_S, **_):
        """B+ -> K+ S is open: m_S < m_B - m_K."""
        return np.asarray(m_S, dtype=float) < pdg.mass("B+") - pdg.mass("K+")

    def decay(self, rng: np.random.Generator, b_mesons, *, m_S) -> EventSample:
        """B+ -> K+ S for B+ four-momenta (n, 4), isotropic (spin 0 -> spin 0 + spin 0)."""
        kaon, s = two_body_decay(rng, b_mesons, pdg.mass("K+"), m_S)
        return EventSample(momenta={"K": kaon, "S": s}, llps=("S",), masses={"m_S": float(m_S)},
                           llp_masses={"S": float(m_S)})
