"""Relativistic kinematics and Monte-Carlo event samples.

Four-momenta are arrays of shape ``(..., 4)`` ordered ``(E, px, py, pz)`` in GeV. An
:class:`EventSample` holds, for one point of the kinematic parameters (masses only), the lab-frame
four-momenta of every particle a search needs, one row per event, and the masses of its LLPs. Samples are deterministic:
:func:`event_rng` seeds them from the global seed and a canonical text form of the mass values.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "EventSample",
    "kallen",
    "two_body_momentum",
    "isotropic_directions",
    "two_body_decay",
    "boost",
    "event_rng",
    "canonical_masses",
]


def kallen(x, y, z):
    """Kallen function lambda(x, y, z) = x^2 + y^2 + z^2 - 2xy - 2xz - 2yz."""
    return x * x + y * y + z * z - 2 * x * y - 2 * x * z - 2 * y * z


def two_body_momentum(M, m1, m2):
    """Momentum (GeV) of either daughter of M -> m1 m2 in the M rest frame; 0 where closed.

    >>> float(two_body_momentum(1.0, 0.0, 0.0))
    0.5
    """
    lam = kallen(np.square(M), np.square(m1), np.square(m2))
    return np.sqrt(np.clip(lam, 0.0, None)) / (2 * np.asarray(M, dtype=float))


def isotropic_directions(rng: np.random.Generator, n: int):
    """``n`` unit vectors uniform on the sphere, shape ``(n, 3)``."""
    cos_t = rng.uniform(-1.0, 1.0, n)
    phi = rng.uniform(0.0, 2 * np.pi, n)
    sin_t = np.sqrt(1.0 - cos_t * cos_t)
    return np.stack([sin_t * np.cos(phi), sin_t * np.sin(phi), cos_t], axis=-1)


def boost(p4, beta):
    """Lorentz-boost four-momenta ``p4`` (..., 4) by velocity ``beta`` (..., 3) (units of c).

    The particle at rest in the frame moving with ``beta`` acquires velocity ``beta``.
    """
    p4 = np.asarray(p4, dtype=float)
    beta = np.asarray(beta, dtype=float)
    b2 = np.einsum("...i,...i->...", beta, beta)
    gamma = 1.0 / np.sqrt(1.0 - b2)
    e = p4[..., 0]
    bp = np.einsum("...i,...i->...", beta, p4[..., 1:])
    # gamma^2/(1 + gamma) = (gamma - 1)/b2 without the 0/0 at beta = 0
    k = (gamma * gamma / (1.0 + gamma)) * bp + gamma * e
    out = np.empty(np.broadcast_shapes(p4.shape, beta.shape[:-1] + (4,)))
    out[..., 0] = gamma * (e + bp)
    out[..., 1:] = p4[..., 1:] + k[..., None] * beta
    return out


def two_body_decay(rng: np.random.Generator, parent, m1: float, m2: float):
    """Isotropic two-body decays of ``parent`` four-momenta (n, 4) into masses m1, m2 (GeV).

    Isotropic in the parent rest frame (spin-0 parent or unpolarised). Returns the daughters'
    four-momenta in the frame of ``parent``, each of shape (n, 4).
    """
    parent = np.atleast_2d(parent)
    n = parent.shape[0]
    M = np.sqrt(np.clip(parent[:, 0] ** 2 - np.sum(parent[:, 1:] ** 2, axis=-1), 0.0, None))
    q = two_body_momentum(M, m1, m2)[:, None]
    d = isotropic_directions(rng, n) * q
    p1 = np.concatenate([np.sqrt(q * q + m1 * m1), d], axis=-1)
    p2 = np.concatenate([np.sqrt(q * q + m2 * m2), -d], axis=-1)
    beta = parent[:, 1:] / parent[:, :1]
    return boost(p1, beta), boost(p2, beta)


def canonical_masses(masses: dict[str, float]) -> str:
    """A text key for a mass point that is the same for values equal to 9 significant digits.

    ``np.linspace(0.1, 1, 10)[2]`` is not ``0.3``; both give the key ``m=0.3``.
    """
    return ";".join(f"{k}={float(v):.9g}" for k, v in sorted(masses.items()))


def event_rng(seed: int, masses: dict[str, float]) -> np.random.Generator:
    """Random generator for the events of one mass point: a pure function of (seed, masses)."""
    digest = hashlib.sha256(canonical_masses(masses).encode()).digest()
    words = np.frombuffer(digest, dtype=np.uint32)
    return np.random.default_rng(np.random.SeedSequence([int(seed), *map(int, words)]))


@dataclass(frozen=True)
class EventSample:
    """Lab-frame four-momenta of the particles a search looks at, for one mass point.

    ``momenta[name]`` has shape ``(n_events, 4)`` (GeV); ``llps`` names the long-lived ones in the
    order the model's lifetimes refer to them. ``weights`` (n_events,), if given, multiplies each
    event's detection probability (per-track identification, cut efficiencies, a Br-weighted sum over
    decay channels); it does not change under a boost. Every particle here comes from the interaction
    point; a scenario with displaced production carries its vertices itself.
    """

    momenta: dict[str, np.ndarray]
    llps: tuple[str, ...]
    masses: dict[str, float] = field(default_factory=dict)
    llp_masses: dict[str, float] = field(default_factory=dict)
    weights: np.ndarray | None = None

    def llp_mass(self, name: str) -> float:
        """Mass (GeV) of the long-lived particle ``name``."""
        return self.llp_masses[name]

    @property
    def n_events(self) -> int:
        return next(iter(self.momenta.values())).shape[0]

    def boosted(self, beta) -> "EventSample":
        """The same events seen from a frame in which the current frame moves with ``beta``."""
        return EventSample(
            momenta={k: boost(v, beta) for k, v in self.momenta.items()},
            llps=self.llps,
            masses=self.masses,
            llp_masses=self.llp_masses,
            weights=self.weights,
        )
