"""Where LLP-producing parents come from, in the centre-of-mass frame of the collision.

The boost to the laboratory belongs to the experiment (:mod:`detectors`); these functions only
know the physics of the initial state.
"""

from __future__ import annotations

import numpy as np

from llpscan.physics import pdg
from llpscan.physics.kinematics import two_body_momentum

__all__ = ["b_mesons_from_upsilon4s", "sin2_directions"]


def sin2_directions(rng: np.random.Generator, n: int):
    """``n`` unit vectors (n, 3) with dN/dcos(theta) = (3/4) sin^2(theta) about z, phi uniform.

    Inverse CDF: F(c) = (2 + 3c - c^3)/4 = u is a depressed cubic whose root in [-1, 1] is
    c = 2 cos((arccos(1 - 2u) - 2 pi)/3).
    """
    u = rng.uniform(0.0, 1.0, n)
    cos_t = 2.0 * np.cos((np.arccos(1.0 - 2.0 * u) - 2.0 * np.pi) / 3.0)
    phi = rng.uniform(0.0, 2 * np.pi, n)
    sin_t = np.sqrt(np.clip(1.0 - cos_t * cos_t, 0.0, None))
    return np.stack([sin_t * np.cos(phi), sin_t * np.sin(phi), cos_t], axis=-1)


def b_mesons_from_upsilon4s(rng: np.random.Generator, n: int, meson: str = "B+"):
    """Four-momenta (n, 4) of B mesons from Upsilon(4S) -> B Bbar with the Upsilon(4S) at rest.

    Seed 000, section IV: "the Upsilon(4S) decay into B+ B- at rest"; masses from PDG. An
    Upsilon(4S) made in e+e- annihilation is polarised transversely to the beam (z) axis, so a pair
    of spin-0 mesons goes out as dN/dcos(theta) = (3/4) sin^2(theta) (helicity +-1 vector to two
    scalars). With |p_B| = 0.33 GeV the effect on LLP acceptances is below the MC error.
    """
    m_ups, m_b = pdg.mass("Upsilon(4S)"), pdg.mass(meson)
    q = float(two_body_momentum(m_ups, m_b, m_b))
    p = sin2_directions(rng, n) * q
    e = np.full((n, 1), np.hypot(q, m_b))
    return np.concatenate([e, p], axis=-1)
