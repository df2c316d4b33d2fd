"""Where the LLPs' parents come from: B mesons from Upsilon(4S) decays, kaons decaying in flight.

A :class:`Source` draws the parents' four-momenta; the sources here are small frozen dataclasses that
pickle and compare by value. They know only the physics of the initial state: the boost of an e+e-
collision's CM frame to the laboratory and the numbers of a beam line (momentum, spread, decay volume)
belong to the experiment (:mod:`llpscan.detectors.experiments`). Units: GeV, metres.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from llpscan.physics import pdg
from llpscan.physics.constants import HBAR, HBAR_C
from llpscan.physics.kinematics import two_body_momentum

__all__ = [
    "Source",
    "Upsilon4S",
    "KaonBeam",
    "sin2_directions",
    "b_mesons_from_upsilon4s",
    "kaon_beam",
    "kaon_decay_length",
    "kaon_decay_z",
]


@runtime_checkable
class Source(Protocol):
    """Where the LLPs' parents come from.

    ``parents(rng, n)`` returns the four-momenta (n, 4) = (E, px, py, pz) in GeV of ``n`` parents,
    drawn from ``rng`` only, so that the same generator state gives the same parents.

    >>> src = Upsilon4S()
    >>> isinstance(src, Source) and isinstance(KaonBeam(75.0, 0.01), Source)
    True
    >>> p = src.parents(np.random.default_rng(1), 4)   # on shell: E^2 - |p|^2 = m_B^2
    >>> bool(np.allclose(p[:, 0] ** 2 - np.sum(p[:, 1:] ** 2, axis=1), pdg.mass("B+") ** 2))
    True
    """

    def parents(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Four-momenta (n, 4) of ``n`` parents (GeV)."""
        ...


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

    Wang, Zhang & Liu (arXiv:2410.00491), section IV: "the Upsilon(4S) decay into B+ B- at rest";
    masses from PDG. An Upsilon(4S) made in e+e- annihilation is polarised transversely to the beam
    (z) axis, so a pair of spin-0 mesons goes out as dN/dcos(theta) = (3/4) sin^2(theta) (helicity +-1
    vector to two scalars). With ``|p_B|`` = 0.33 GeV the effect on LLP acceptances is below the MC error.
    """
    m_ups, m_b = pdg.mass("Upsilon(4S)"), pdg.mass(meson)
    q = float(two_body_momentum(m_ups, m_b, m_b))
    p = sin2_directions(rng, n) * q
    e = np.full((n, 1), np.hypot(q, m_b))
    return np.concatenate([e, p], axis=-1)


def kaon_beam(rng: np.random.Generator, n: int, p_mean: float, rel_spread: float, meson: str = "K+"):
    """Four-momenta (n, 4) of kaons moving along +z with ``|p|`` ~ Normal(p_mean, rel_spread p_mean) (GeV).

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


@dataclass(frozen=True)
class Upsilon4S:
    """Upsilon(4S) -> B Bbar at rest: the B mesons (``meson``) in the CM frame of the collision.

    >>> Upsilon4S().parents(np.random.default_rng(0), 3).shape
    (3, 4)
    """

    meson: str = "B+"

    def parents(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """:func:`b_mesons_from_upsilon4s`: (n, 4) four-momenta (GeV)."""
        return b_mesons_from_upsilon4s(rng, n, self.meson)


@dataclass(frozen=True)
class KaonBeam:
    """A kaon beam along +z with momentum ``p_mean`` (GeV) and relative rms spread ``rel_spread``.

    >>> k = KaonBeam(75.0, 0.0).parents(np.random.default_rng(0), 2)   # no spread: exactly p_mean
    >>> k[:, 3].tolist()
    [75.0, 75.0]
    """

    p_mean: float
    rel_spread: float
    meson: str = "K+"

    def parents(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """:func:`kaon_beam`: (n, 4) four-momenta (GeV) along +z."""
        return kaon_beam(rng, n, self.p_mean, self.rel_spread, self.meson)

    def decay_z(self, uniform, p, z_min: float, z_max: float):
        """:func:`kaon_decay_z` for this beam's kaons: decay positions (m) inside [z_min, z_max]."""
        return kaon_decay_z(uniform, p, z_min, z_max, self.meson)
