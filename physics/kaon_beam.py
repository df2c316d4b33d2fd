"""Kaons decaying in flight: beam momenta along z and decay positions inside a decay volume.

A kaon of momentum p travels an exponential distance with mean (p/m_K) c tau_K before it decays
(m_K, tau_K from PDG). The numbers of a given beam line (momentum, spread, decay volume) belong to
the experiment (:mod:`detectors.na62`); these functions only know the physics.
"""

from __future__ import annotations

import numpy as np

from llpscan.physics import pdg
from llpscan.physics.constants import HBAR, HBAR_C

__all__ = ["kaon_beam", "kaon_decay_length", "kaon_decay_z"]


def kaon_beam(rng: np.random.Generator, n: int, p_mean: float, rel_spread: float, meson: str = "K+"):
    """Four-momenta (n, 4) of kaons moving along +z with |p| ~ Normal(p_mean, rel_spread p_mean) (GeV).

    The beam divergence (O(0.1 mrad) at NA62) is neglected: the kaon direction is the z axis.
    """
    m = pdg.mass(meson)
    p = p_mean * (1.0 + rel_spread * rng.standard_normal(n))
    out = np.zeros((n, 4))
    out[:, 0] = np.hypot(p, m)
    out[:, 3] = p
    return out


def kaon_decay_length(p, meson: str = "K+"):
    """Mean lab decay length (m) of kaons of momentum ``p`` (GeV): (p/m) c tau."""
    # c = (hbar c)/hbar (PDG constants, physics/constants.py)
    return np.asarray(p, dtype=float) / pdg.mass(meson) * (HBAR_C / HBAR) * pdg.lifetime(meson)


def kaon_decay_z(uniform, p, z_min: float, z_max: float, meson: str = "K+"):
    """Decay positions z (m) in [z_min, z_max] of kaons that decay there, from uniforms in [0, 1).

    The density is exponential with the lab decay length L = (p/m) c tau, truncated to the volume
    (inverse CDF): z = z_min - L ln(1 - u (1 - exp(-(z_max - z_min)/L))). Kaons that decay outside
    are not drawn at all: a sample normalised to the kaons decaying in the volume (as NA62's N_K^Fid).
    """
    L = kaon_decay_length(p, meson)
    span = -np.expm1(-(z_max - z_min) / L)
    return z_min - L * np.log1p(-np.asarray(uniform, dtype=float) * span)
