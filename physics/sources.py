"""Where LLP-producing parents come from, in the centre-of-mass frame of the collision.

The boost to the laboratory belongs to the experiment (:mod:`detectors`); these functions only
know the physics of the initial state.
"""

from __future__ import annotations

import numpy as np

from physics import pdg
from physics.kinematics import isotropic_directions, two_body_momentum

__all__ = ["b_mesons_from_upsilon4s"]


def b_mesons_from_upsilon4s(rng: np.random.Generator, n: int, meson: str = "B+"):
    """Four-momenta (n, 4) of B mesons from Upsilon(4S) -> B Bbar with the Upsilon(4S) at rest.

    Seed 000, section IV: "the Upsilon(4S) decay into B+ B- at rest"; masses from PDG. The B
    direction is isotropic (the small 1 + cos^2 polarisation of a vector decaying to two
    pseudoscalars, sin^2 theta, is neglected as the seeds do).
    """
    m_ups, m_b = pdg.mass("Upsilon(4S)"), pdg.mass(meson)
    q = float(two_body_momentum(m_ups, m_b, m_b))
    p = isotropic_directions(rng, n) * q
    e = np.full((n, 1), np.hypot(q, m_b))
    return np.concatenate([e, p], axis=-1)
