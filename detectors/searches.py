"""Searches: map an event sample and LLP decay lengths to an acceptance with its MC error.

Each kind of search is a small frozen dataclass, validated on construction; the searches of a
paper are instances named in :mod:`detectors.scenarios`. Array axes: events ``(n_events,)``,
coupling points ``(n_points,)``; ``ctau`` has one row per LLP of the event, ``(k, n_points)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llpscan.detectors.acceptance import COMBINE, fiducial_interval, mean_acceptance
from llpscan.physics.kinematics import EventSample

__all__ = ["Search", "DisplacedVertexSearch"]


class Search:
    """Interface: ``label``, ``final_state`` and :meth:`acceptance`."""

    label: str

    def acceptance(self, events: EventSample, ctau: np.ndarray):
        """(mean, err) of the detection probability over events, each of shape (n_points,)."""
        raise NotImplementedError


@dataclass(frozen=True)
class DisplacedVertexSearch(Search):
    """LLPs from the interaction point decaying in a cylinder with linear tracking efficiency.

    ``mode`` says how the LLPs of one event combine: ``single`` (one LLP), ``exactly_one`` (1DV of
    seed 000, eq. 6), ``both`` (2DV, eq. 11) or ``at_least_one``. Lengths in metres.
    """

    label: str
    mode: str
    r_min: float
    r_max: float
    z_min: float
    z_max: float
    efficiency_r0: float
    final_state: str = ""

    def __post_init__(self):
        if self.mode not in COMBINE:
            raise ValueError(f"mode={self.mode!r}: allowed {sorted(COMBINE)}")
        if not 0 <= self.r_min < self.r_max:
            raise ValueError(f"need 0 <= r_min < r_max, got r_min={self.r_min} m, r_max={self.r_max} m")
        if not self.z_min < self.z_max:
            raise ValueError(f"need z_min < z_max, got {self.z_min} m, {self.z_max} m")
        if self.efficiency_r0 < self.r_max:
            raise ValueError(f"efficiency_r0={self.efficiency_r0} m must be >= r_max={self.r_max} m")

    def acceptance(self, events: EventSample, ctau: np.ndarray):
        ctau = np.atleast_2d(ctau)
        names = events.llps
        if len(names) != ctau.shape[0]:
            raise ValueError(f"{len(names)} LLPs per event but {ctau.shape[0]} rows of ctau")
        if (self.mode == "single") != (len(names) == 1):
            raise ValueError(f"mode {self.mode!r} does not fit {len(names)} LLP(s) per event "
                             "('single' is for one, the others for two)")
        intervals, s = [], []
        for name in names:
            p4 = events.momenta[name]
            intervals.append(fiducial_interval(p4, self.r_min, self.r_max, self.z_min, self.z_max))
            s.append(np.hypot(p4[:, 1], p4[:, 2]) / events.llp_mass(name))
        return mean_acceptance(intervals, s, ctau, self.efficiency_r0, self.mode, weights=events.weights)
