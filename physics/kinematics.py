"""Relativistic kinematics and Monte-Carlo event samples.

Four-momenta are arrays of shape ``(..., 4)`` ordered ``(E, px, py, pz)`` in GeV. An
:class:`EventSample` holds, for one point of the kinematic parameters (masses only), the lab-frame
four-momenta of every particle a search needs, one row per event, and the masses of its LLPs. Samples are deterministic:
:func:`event_rng` seeds them from the global seed and a canonical text form of the mass values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
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
    "event_batches",
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


class _NotPerEvent(Exception):
    """An event generator drew random numbers in a way that cannot be split into batches of events."""


class _Replay:
    """Stand-in for a :class:`numpy.random.Generator` while an event generator makes one batch of
    events [i0, i0 + nb) of an n-event sample (:func:`event_batches`).

    The k-th call ``random``/``uniform`` with size (nb, ...) returns exactly the numbers that the k-th
    call with size (n, ...) returns on the real generator for those events: one 64-bit output per
    double (numpy's ``next_double``), so a copy of the bit generator jumps to them with ``advance``
    (O(log n), PCG64 and its kin). ``standard_normal`` consumes a variable number of outputs
    (ziggurat rejections): its n values are drawn once, kept (8 bytes per event) and sliced, and the
    later calls continue from the state after them. Anything else raises :class:`_NotPerEvent`.
    """

    def __init__(self, plan: "_Plan", i0: int, nb: int):
        self._plan, self._i0, self._nb, self._k = plan, i0, nb, 0

    def _size(self, size):
        shape = (size,) if np.ndim(size) == 0 and size is not None else tuple(size or ())
        if not shape or shape[0] != self._nb:
            raise _NotPerEvent(f"a draw of shape {shape} is not one row per event")
        return shape

    def _jump(self, kind, size, args):
        shape = self._size(size)
        per_event = int(np.prod(shape[1:], dtype=np.int64))
        seg, offset = self._plan.step(self._k, kind, shape[1:], per_event)
        self._k += 1
        g = np.random.Generator(self._plan.bit_generator(seg, offset + self._i0 * per_event))
        return g.random(shape) if kind == "random" else g.uniform(*args, shape)

    def random(self, size=None):
        return self._jump("random", size, ())

    def uniform(self, low=0.0, high=1.0, size=None):
        if np.ndim(low) or np.ndim(high):
            raise _NotPerEvent("uniform with array bounds")
        return self._jump("uniform", size, (low, high))

    def standard_normal(self, size=None):
        shape = self._size(size)
        values = self._plan.materialised(self._k, shape[1:])
        self._k += 1
        return values[self._i0:self._i0 + self._nb].copy()

    def __getattr__(self, name):
        raise _NotPerEvent(f"Generator.{name} is not supported in batches")


class _Plan:
    """The sequence of draws of one event generator, recorded on its first batch, replayed on the next."""

    def __init__(self, rng: np.random.Generator, n: int):
        bg = rng.bit_generator
        if not hasattr(bg, "advance"):
            raise _NotPerEvent(f"{type(bg).__name__} cannot jump ahead")
        self.kind = type(bg)
        self.bases = [bg.state]  # a new segment starts after each materialised (variable-length) draw
        self.n = n
        self.calls: list[tuple] = []  # (kind, shape of one event's draw, segment, offset)
        self.offset = 0  # outputs used so far in the current segment
        self.kept: dict[int, np.ndarray] = {}

    def bit_generator(self, seg: int, skip: int):
        g = self.kind()
        g.state = self.bases[seg]
        g.advance(skip)
        return g

    def step(self, k: int, kind: str, rest: tuple, per_event: int):
        if k < len(self.calls):
            rec = self.calls[k]
            if rec[:2] != (kind, rest):
                raise RuntimeError(f"event generator drew {kind}{rest} where it drew {rec[0]}{rec[1]} before")
            return rec[2], rec[3]
        self.calls.append((kind, rest, len(self.bases) - 1, self.offset))
        self.offset += self.n * per_event
        return self.calls[-1][2], self.calls[-1][3]

    def materialised(self, k: int, rest: tuple) -> np.ndarray:
        if k < len(self.calls):
            if self.calls[k][:2] != ("normal", rest):
                raise RuntimeError("event generator changed its sequence of draws between batches")
            return self.kept[k]
        g = self.bit_generator(len(self.bases) - 1, self.offset)
        self.kept[k] = np.random.Generator(g).standard_normal((self.n, *rest))
        self.calls.append(("normal", rest, None, None))
        self.bases.append(g.state)
        self.offset = 0
        return self.kept[k]

    def final_state(self):
        return self.bit_generator(len(self.bases) - 1, self.offset).state


def event_batches(make: Callable[[int, np.random.Generator], "EventSample"], n: int, rng: np.random.Generator,
                  batch: int) -> Iterator["EventSample"]:
    """The events ``make(n, rng)`` gives, in consecutive batches of at most ``batch`` events.

    ``make(nb, rng_like)`` is called once per batch with a stand-in generator that hands it exactly
    the random numbers of those events (see ``_Replay``), so the batches hold the same bits as one call
    with n events whenever ``make`` computes each event from its own draws only (elementwise numpy
    operations; tests check every built-in scenario). Memory then follows the batch, not n (plus 8
    bytes per event per ``standard_normal`` draw). A generator that draws in another way (a scalar or
    a size not one row per event, a method other than random/uniform/standard_normal) is called once
    with all n events instead. ``rng`` is left where ``make(n, rng)`` would leave it.
    """
    if n <= batch:
        yield make(n, rng)
        return
    try:
        plan = _Plan(rng, n)
        first = make(batch, _Replay(plan, 0, batch))
    except _NotPerEvent:
        yield make(n, rng)
        return
    yield first
    for i0 in range(batch, n, batch):
        nb = min(batch, n - i0)
        yield make(nb, _Replay(plan, i0, nb))
    rng.bit_generator.state = plan.final_state()
