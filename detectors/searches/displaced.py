r"""Displaced vertices: LLPs from the interaction point decaying inside a cylinder, linear tracking efficiency.

Per LLP the closed form of :func:`llpscan.detectors.decay.decay_probability` on the radial interval of
:func:`llpscan.detectors.geometry.radial_interval`; the LLPs of one event combine as ``single`` (one
LLP), ``exactly_one`` (1DV of Wang, Zhang & Liu, arXiv:2410.00491, eq. (6): P1 (1 - P2) + P2 (1 - P1)),
``both`` (2DV, eq. (11): P1 P2) or ``at_least_one``. Two implementations:

* the fused numba kernel behind :func:`mean_acceptance` and :class:`DisplacedAccumulator`: events in the
  outer loop, coupling points in the inner loop, each point with its own running sums, so LLVM
  vectorises across points (8 per AVX-512 instruction) while every point's sums still run over the
  events in order (:mod:`llpscan.detectors.reduce`); with the deterministic exp/expm1 of
  :mod:`llpscan.detectors.vecmath` a point's value has the same bits whichever lane, block, thread or
  call computes it. It keeps four arrays of points as state and takes the events in batches of any
  size (same bits), and the per-event inputs come straight from the four-momenta in one numba pass;
  it releases the GIL;
* :func:`mean_acceptance_reference` in plain numpy (numpy's exp/expm1, the gamma(2, x) series), the
  reference the kernel is tested against (a few ulp).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llpscan.detectors.decay import interval_probability
from llpscan.detectors.geometry import radial_interval
from llpscan.detectors.reduce import ShiftedSums, event_mean_and_error
from llpscan.physics.kinematics import EventSample

__all__ = ["COMBINE", "DisplacedVertexSearch", "DisplacedAccumulator", "SearchAccumulator", "mean_acceptance",
           "mean_acceptance_reference", "kernel_inputs"]

#: how the per-LLP probabilities of one event combine (one or two LLPs per event)
COMBINE = {"single": 0, "exactly_one": 1, "both": 2, "at_least_one": 3}

def kernel_inputs(intervals, pt_over_m, r0):
    """Per-event inputs of the kernel, each (k, n), from radial intervals and p_T/m (numpy)."""
    a = np.stack([np.asarray(iv[0], dtype=float) for iv in intervals])
    b = np.stack([np.asarray(iv[1], dtype=float) for iv in intervals])
    s = np.stack([np.asarray(v, dtype=float) for v in pt_over_m])
    ok = (b > a) & (s > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        a_over_s = np.where(ok, a / s, 0.0)
        w_over_s = np.where(ok, (b - a) / s, 0.0)
    one_minus = np.where(ok, 1.0 - a / r0, 0.0)
    return a_over_s, w_over_s, one_minus, np.where(ok, s / r0, 0.0)


class DisplacedAccumulator:
    """The acceptance at m coupling points, fed with consecutive batches of events.

    ``ctau`` (k, m): proper decay lengths (m) of the k LLPs; ``mode``: :data:`COMBINE`; ``r0``: the
    efficiency radius (m). :meth:`add_inputs` takes kernel inputs, :meth:`add` an event sample (with a
    search's volume). Memory: four arrays of m doubles, whatever the number of events; feeding the
    events in batches of any size gives the same bits as all at once.
    """

    def __init__(self, ctau, mode: str, r0: float):
        self.ctau = np.ascontiguousarray(np.atleast_2d(np.asarray(ctau, dtype=float)))
        self.inv = 1.0 / self.ctau  # the kernel multiplies by 1/ctau
        self.mode = COMBINE[mode]
        self.r0 = float(r0)
        self.sums = ShiftedSums(self.ctau.shape[1])

    def add_inputs(self, A, W, OM, S, weights=None) -> None:
        """Events as kernel inputs A, W, OM, S (k, nb) and optional weights (nb,)."""
        A = np.ascontiguousarray(A, dtype=float)
        if A.shape[0] != self.ctau.shape[0]:
            raise ValueError(f"{A.shape[0]} LLPs per event but {self.ctau.shape[0]} rows of ctau")
        nb = A.shape[1]
        if nb == 0:
            return
        w = np.ones(nb) if weights is None else np.ascontiguousarray(weights, dtype=float)
        from llpscan.detectors import kernels

        c = np.ascontiguousarray
        kernels.displaced_accumulate(A, c(W, dtype=float), c(OM, dtype=float), c(S, dtype=float), w, self.inv,
                                     self.ctau, self.mode, self.sums.shift, self.sums.s1, self.sums.s2,
                                     self.sums.n == 0)
        self.sums.n += nb

    def add(self, events: EventSample, volume: dict, r_min=None, weights=None) -> None:
        """Events of a sample, for the cylinder ``volume`` (r_max, z_min, z_max in m) and a minimum
        radius per LLP (``r_min``: one value or one per LLP); ``weights`` default to the sample's."""
        self.add_inputs(*self.inputs(events, volume, r_min, weights))

    def inputs(self, events: EventSample, volume: dict, r_min=None, weights=None):
        """The kernel inputs (A, W, OM, S, weights) of a sample (:meth:`add` is ``add_inputs(*inputs(...))``;
        a caller that evaluates the same events at other points keeps them)."""
        names = events.llps
        n = events.n_events
        r_mins = np.broadcast_to(np.asarray(r_min, dtype=float), (len(names),))
        from llpscan.detectors import kernels

        A, W, OM, S = (np.empty((len(names), n)) for _ in range(4))
        for row, name in enumerate(names):
            kernels.displaced_inputs(np.ascontiguousarray(events.momenta[name], dtype=float),
                                     float(events.llp_mass(name)), float(r_mins[row]), float(volume["r_max"]),
                                     float(volume["z_min"]), float(volume["z_max"]), self.r0, A[row], W[row], OM[row],
                                     S[row])
        return A, W, OM, S, events.weights if weights is None else weights

    def result(self):
        """(mean, err), each (m,)."""
        return self.sums.result()


def mean_acceptance(intervals, pt_over_m, ctau, r0, mode="single", weights=None):
    """Acceptance and its Monte-Carlo standard error for every column of ``ctau`` (the fused kernel).

    Args:
        intervals: one (a, b) pair of (n,) arrays (m) per LLP of the event (1 or 2 LLPs).
        pt_over_m: p_T/m (n,) of those LLPs in the lab, so that lam = (p_T/m) c tau.
        ctau: (k, m) proper decay lengths (m) of the k LLPs at m coupling points.
        r0: radius (m) where the linear tracking efficiency reaches 0.
        mode: how per-LLP probabilities combine (:data:`COMBINE`).
        weights: optional per-event weights (n,) multiplying the probability (PID, cuts).
    Returns:
        (mean, err), each of shape (m,).
    """
    acc = DisplacedAccumulator(ctau, mode, r0)
    acc.add_inputs(*kernel_inputs(intervals, pt_over_m, r0), weights)
    return acc.result()


def mean_acceptance_reference(intervals, pt_over_m, ctau, r0, mode="single", weights=None):
    """:func:`mean_acceptance` in plain numpy on (n, m) arrays (the reference; slower, more memory)."""
    ctau = np.atleast_2d(np.asarray(ctau, dtype=float))
    a_s, w_s, om, s_r0 = kernel_inputs(intervals, pt_over_m, r0)
    probs = []
    for i in range(a_s.shape[0]):
        c = ctau[i][None, :]
        inv = 1.0 / c  # the kernel multiplies by 1/ctau, and so does the reference
        probs.append(interval_probability(a_s[i][:, None] * inv, w_s[i][:, None] * inv, om[i][:, None],
                                          s_r0[i][:, None] * c))
    if len(probs) == 1:
        p = probs[0]
    else:
        p1, p2 = probs
        p = {"exactly_one": p1 * (1.0 - p2) + p2 * (1.0 - p1), "both": p1 * p2,
             "at_least_one": 1.0 - (1.0 - p1) * (1.0 - p2)}[mode]
    if weights is not None:
        p = p * np.asarray(weights, dtype=float)[:, None]
    return event_mean_and_error(p)


@dataclass(frozen=True)
class DisplacedVertexSearch:
    """LLPs from the interaction point decaying in a cylinder with linear tracking efficiency.

    ``mode`` says how the LLPs of one event combine (:data:`COMBINE`): ``single`` (one LLP),
    ``exactly_one`` (1DV), ``both`` (2DV) or ``at_least_one``. The fiducial volume is
    r_min < r < r_max, z_min < z < z_max; the tracking efficiency 1 - r/efficiency_r0 (math.inf:
    flat). Lengths in metres.
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

    def intervals(self, events: EventSample, r_min: float | None = None):
        """Per LLP of the events: its radial interval (a, b) (m) in the volume and p_T/m, lists."""
        r_min = self.r_min if r_min is None else r_min
        iv, s = [], []
        for name in events.llps:
            p4 = events.momenta[name]
            iv.append(radial_interval(p4, r_min, self.r_max, self.z_min, self.z_max))
            s.append(np.hypot(p4[:, 1], p4[:, 2]) / events.llp_mass(name))
        return iv, s

    @property
    def volume(self) -> dict:
        """The fiducial cylinder (r_max, z_min, z_max in m)."""
        return {"r_max": self.r_max, "z_min": self.z_min, "z_max": self.z_max}

    def _check(self, names, ctau):
        if len(names) != ctau.shape[0]:
            raise ValueError(f"{len(names)} LLPs per event but {ctau.shape[0]} rows of ctau")
        if (self.mode == "single") != (len(names) == 1):
            raise ValueError(f"mode {self.mode!r} does not fit {len(names)} LLP(s) per event "
                             "('single' is for one, the others for two)")

    def accumulator(self, ctau: np.ndarray) -> "SearchAccumulator":
        """The acceptance at every column of ``ctau`` (k, n_points), fed with event batches."""
        return SearchAccumulator(self, ctau)

    def acceptance(self, events: EventSample, ctau: np.ndarray):
        """(mean, err) over events at every column of ``ctau`` (k, n_points), k LLPs per event."""
        acc = self.accumulator(ctau)
        acc.add(events)
        return acc.result()


class SearchAccumulator:
    """:class:`DisplacedAccumulator` for one search: ``add(events)`` takes event batches in order."""

    def __init__(self, search: DisplacedVertexSearch, ctau):
        self.search = search
        self.acc = DisplacedAccumulator(ctau, search.mode, search.efficiency_r0)

    def add(self, events: EventSample) -> None:
        self.add_prepared(self.prepare(events))

    def prepare(self, events: EventSample):
        """What :meth:`add` computes from the events before the kernel (reusable at other points)."""
        self.search._check(events.llps, self.acc.ctau)
        return self.acc.inputs(events, self.search.volume, self.search.r_min)

    def add_prepared(self, prepared) -> None:
        self.acc.add_inputs(*prepared)

    def result(self):
        return self.acc.result()
