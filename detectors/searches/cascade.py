r"""Cascade: LLP1 -> LLP2 + X, LLP2 -> visible, from parents decaying in flight along z (kaons at NA62).

The parent decays at z_K inside a decay volume (the events carry it); LLP1 flies a distance X_1 from
there, LLP2 a further X_2, distances projected on z, X_i ~ Exp((p_z/m) c tau); the event counts if LLP2
decays before the end of the volume, z_K + X_1 + X_2 < z_max. Per event, with L = z_max - z_K, the
probability is the closed form :func:`llpscan.detectors.decay.chain_decay_probability`, or, with
``method="sampled"``, :func:`~llpscan.detectors.decay.chain_decay_sampled` with two uniforms fixed per
event (common random numbers). The transverse extent of the detector is left to a flat acceptance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llpscan.detectors.decay import chain_decay_probability, chain_decay_sampled
from llpscan.detectors.reduce import ShiftedSums
from llpscan.physics.kinematics import EventSample

__all__ = ["KaonDecayEvents", "CascadeSearch", "CascadeAccumulator", "METHODS"]

#: ``integrated``: decay positions in closed form (the parent's vertex sampled); ``sampled``: both
#: decay distances from the event's fixed uniforms
METHODS = ("integrated", "sampled")


@dataclass(frozen=True)
class KaonDecayEvents(EventSample):
    """Events with a displaced production vertex: the parent (kaon) decay position ``z_kaon`` (n,) in m,
    and ``uniforms`` (n, 2) fixed per event for the sampled decay distances of the two LLPs."""

    z_kaon: np.ndarray | None = None
    uniforms: np.ndarray | None = None


def _flight_factors(events: EventSample):
    """p_z/m of the two LLPs (the z decay length is this times c tau), floored at 0.

    A daughter can fly backwards in the lab when its rest-frame speed exceeds its parent's lab
    speed: at NA62 the nu_h for m_nu_h below ~1.5 MeV (its gamma in the kaon frame, 236 MeV/m_nu_h,
    above gamma_K = 152), the Z' for m_Z' below ~1.5 MeV with m_nu_h ~ 5-10 MeV (measured: 1 event in
    1e5 at m_nu_h = 6 MeV, m_Z' = 1.1 MeV). Its decay then lies upstream of its production point; it is
    counted as undisplaced (p_z/m = 0), which slightly underestimates such an event's probability (the
    backward flight would only have helped) instead of turning the whole point into NaN.
    """
    first, second = events.llps
    s1 = events.momenta[first][:, 3] / events.llp_mass(first)
    s2 = events.momenta[second][:, 3] / events.llp_mass(second)
    return np.maximum(s1, 0.0), np.maximum(s2, 0.0)


@dataclass(frozen=True)
class CascadeSearch:
    """LLP1 -> LLP2 + X, LLP2 -> visible, from parents decaying in flight; LLP2 must decay before z_max.

    ``method``: :data:`METHODS`. ``final_state``: the visible pair (``ee``, ``mumu``). ``n_k_fid``,
    ``a_beta``: the parents decaying in the volume and the flat acceptance of this final state's
    trigger stream (they multiply the acceptance in the scenario). Lengths in metres.
    """

    label: str
    final_state: str
    n_k_fid: float
    a_beta: float
    z_max: float
    method: str = "integrated"

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"method={self.method!r}: allowed {', '.join(METHODS)}")

    def per_event(self, events: KaonDecayEvents, ctau: np.ndarray) -> np.ndarray:
        """Decay probability of every event at every point, (n_events, n_points)."""
        ctau = np.atleast_2d(np.asarray(ctau, dtype=float))
        s1, s2 = _flight_factors(events)
        L = (self.z_max - events.z_kaon)[:, None]
        lam1, lam2 = s1[:, None] * ctau[0][None, :], s2[:, None] * ctau[1][None, :]
        if self.method == "integrated":
            return chain_decay_probability(L, lam1, lam2)
        u = events.uniforms
        return chain_decay_sampled(L, lam1, lam2, u[:, :1], u[:, 1:2])

    def accumulator(self, ctau: np.ndarray) -> "CascadeAccumulator":
        """The acceptance at every column of ``ctau`` (2, n_points), fed with event batches."""
        return CascadeAccumulator(self, ctau)

    def acceptance(self, events: KaonDecayEvents, ctau: np.ndarray):
        """(mean, err) over events at every column of ``ctau`` (2, n_points): the numba kernel;
        :meth:`per_event` is the plain-numpy reference it is tested against."""
        acc = self.accumulator(ctau)
        acc.add(events)
        return acc.result()


class CascadeAccumulator:
    """:meth:`CascadeSearch.acceptance` fed with consecutive event batches (the same bits as all at
    once); memory: three arrays of n_points doubles."""

    def __init__(self, search: CascadeSearch, ctau):
        ctau = np.atleast_2d(np.asarray(ctau, dtype=float))
        if ctau.shape[0] != 2:
            raise ValueError("a cascade search needs two LLPs per event and two rows of ctau")
        self.search = search
        c = np.ascontiguousarray
        self.ctau = (c(ctau[0]), c(ctau[1]))
        self.inv = (1.0 / self.ctau[0], 1.0 / self.ctau[1])
        self.sums = ShiftedSums(ctau.shape[1])

    def add(self, events: KaonDecayEvents) -> None:
        if len(events.llps) != 2:
            raise ValueError("a cascade search needs two LLPs per event and two rows of ctau")
        n = events.n_events
        if n == 0:
            return
        s1, s2 = _flight_factors(events)
        L = np.maximum(self.search.z_max - events.z_kaon, 0.0)
        u = np.zeros((n, 2)) if events.uniforms is None else np.asarray(events.uniforms, dtype=float)
        w = np.ones(n) if events.weights is None else np.asarray(events.weights, dtype=float)
        from llpscan.detectors import kernels

        c = np.ascontiguousarray
        with np.errstate(divide="ignore"):  # s = 0 (backward flight, _flight_factors): L/s = inf
            l_over_s1, l_over_s2 = L / s1, L / s2
        kernels.cascade_accumulate(c(l_over_s1), c(l_over_s2), c(-s1 * np.log1p(-u[:, 0])), c(-s2 * np.log1p(-u[:, 1])),
                                   c(L), c(w),
                                   self.inv[0], self.inv[1], self.ctau[0], self.ctau[1],
                                   self.search.method == "sampled", self.sums.shift, self.sums.s1, self.sums.s2,
                                   self.sums.n == 0)
        self.sums.n += n

    def result(self):
        return self.sums.result()
