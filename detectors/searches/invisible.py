"""Invisible: one LLP from the interaction point that escapes the detector before it decays.

P = exp(-L/(beta gamma c tau)) per event (Ferber, Filimonova, Schäfer & Westhoff, arXiv:2201.06580,
eq. (3.1)), with L the path from the interaction point to the outer envelope of the detector along the
LLP's flight direction when its lab polar angle is inside the acceptance cone, and L = 0 outside the
cone (a decay there is not seen, so the LLP counts as escaping; section 4.1 of that paper). The
acceptance is the average over all events (eq. (3.2)), with per-event weights if the sample carries
them: a numba kernel with events outside and coupling points inside, the exponential from
:mod:`~llpscan.detectors.vecmath` (vectorised across points, the same bits in every lane).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llpscan.detectors.geometry import exit_distance, in_polar_range, polar_angle
from llpscan.detectors.reduce import ShiftedSums
from llpscan.physics.kinematics import EventSample

__all__ = ["InvisibleSearch", "InvisibleAccumulator"]


@dataclass(frozen=True)
class InvisibleSearch:
    """One LLP that escapes the cylinder r < r_max, z_min < z < z_max (m) when it flies inside the cone
    theta_min < theta < theta_max (lab degrees); outside the cone it always counts as escaping."""

    label: str
    r_max: float
    z_min: float
    z_max: float
    theta_min: float
    theta_max: float
    final_state: str = "invisible"

    def __post_init__(self):
        if not (self.r_max > 0 and self.z_min < 0 < self.z_max):
            raise ValueError(f"need r_max > 0 and z_min < 0 < z_max, got {self.r_max}, {self.z_min}, {self.z_max} m")
        if not 0 <= self.theta_min < self.theta_max <= 180:
            raise ValueError(f"need 0 <= theta_min < theta_max <= 180 deg, got {self.theta_min}, {self.theta_max}")

    def path_over_beta_gamma(self, p4, m):
        """L/(beta gamma) (m) per event: the decay length in units of c tau that escapes the envelope.

        >>> s = InvisibleSearch("x", 1.55, -1.31, 2.27, 17.0, 150.0)
        >>> s.path_over_beta_gamma(np.array([[5.0, 3.0, 0.0, 0.0], [5.0, 0.0, 0.0, 3.0]]), 4.0).tolist()
        [2.066666666666667, 0.0]
        """
        p4 = np.atleast_2d(p4)
        p = np.linalg.norm(p4[:, 1:], axis=1)
        inside = in_polar_range(polar_angle(p4), (self.theta_min, self.theta_max))
        path = exit_distance(p4, self.r_max, self.z_min, self.z_max)
        return np.where(inside, path, 0.0) * m / np.where(p > 0, p, np.inf)

    def accumulator(self, ctau: np.ndarray) -> "InvisibleAccumulator":
        """The escape probability at every point of ``ctau`` (1, n_points), fed with event batches."""
        return InvisibleAccumulator(self, ctau)

    def acceptance(self, events: EventSample, ctau: np.ndarray):
        """(mean, err) over events of the escape probability at every point of ``ctau`` (1, n_points)."""
        acc = self.accumulator(ctau)
        acc.add(events)
        return acc.result()


class InvisibleAccumulator:
    """:meth:`InvisibleSearch.acceptance` fed with consecutive event batches (the same bits as all at
    once; memory: three arrays of n_points doubles)."""

    def __init__(self, search: InvisibleSearch, ctau):
        ctau = np.atleast_2d(np.asarray(ctau, dtype=float))
        if ctau.shape[0] != 1:
            raise ValueError("InvisibleSearch takes one LLP per event and one row of ctau")
        self.search = search
        # 1/c tau (m,): c tau = inf -> 0 (always escapes); c tau = 0 -> 1e300, finite, so that the
        # events outside the cone (d = 0) keep P = exp(0) = 1 instead of exp(-0 x inf) = nan
        self.inv = np.ascontiguousarray(1.0 / np.maximum(ctau[0], 1e-300))
        self.sums = ShiftedSums(ctau.shape[1])

    def add(self, events: EventSample) -> None:
        if len(events.llps) != 1:
            raise ValueError("InvisibleSearch takes one LLP per event and one row of ctau")
        name = events.llps[0]
        d = self.search.path_over_beta_gamma(events.momenta[name], events.llp_mass(name))  # (n,)
        n = d.size
        if n == 0:
            return
        w = np.ones(n) if events.weights is None else np.asarray(events.weights, dtype=float)
        from llpscan.detectors import kernels

        kernels.escape_accumulate(np.ascontiguousarray(d, dtype=float), np.ascontiguousarray(w), self.inv,
                                  self.sums.shift, self.sums.s1, self.sums.s2, self.sums.n == 0)
        self.sums.n += n

    def result(self):
        return self.sums.result()
