r"""Displaced vertices: LLPs from the interaction point decaying inside a cylinder, linear tracking efficiency.

Per LLP the closed form of :func:`llpscan.detectors.decay.decay_probability` on the radial interval of
:func:`llpscan.detectors.geometry.radial_interval`; the LLPs of one event combine as ``single`` (one
LLP), ``exactly_one`` (1DV of Wang, Zhang & Liu, arXiv:2410.00491, eq. (6): P1 (1 - P2) + P2 (1 - P1)),
``both`` (2DV, eq. (11): P1 P2) or ``at_least_one``. Two implementations with bit-identical results:
the fused numba kernel behind :func:`mean_acceptance` (no temporaries, runs with the GIL released so
dask threads scale) and :func:`mean_acceptance_reference` in plain numpy; both reduce with
:mod:`llpscan.detectors.reduce`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from llpscan.detectors.decay import interval_probability, interval_probability_scalar
from llpscan.detectors.geometry import radial_interval
from llpscan.detectors.reduce import event_mean_and_error, shifted_add, shifted_mean_error
from llpscan.physics.kinematics import EventSample

__all__ = ["COMBINE", "DisplacedVertexSearch", "mean_acceptance", "mean_acceptance_reference"]

#: how the per-LLP probabilities of one event combine (one or two LLPs per event)
COMBINE = {"single": 0, "exactly_one": 1, "both": 2, "at_least_one": 3}


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _mean_kernel(a_over_s, w_over_s, one_minus, s_over_r0, weights, ctau, mode):
    """Event means and standard errors of the combined per-event probability.

    a_over_s, w_over_s, one_minus, s_over_r0: (k, n) with s = p_T/m, so that a/lam = a_over_s/ctau,
    (b-a)/lam = w_over_s/ctau, lam/r0 = s_over_r0*ctau (divisions done as products with 1/ctau).
    ctau: (k, m). Sums run over events in order (detectors.reduce), so results do not depend on
    threads or chunking.
    """
    k, n = a_over_s.shape
    m = ctau.shape[1]
    mean = np.empty(m)
    err = np.empty(m)
    for j in range(m):
        shift = 0.0
        s1 = 0.0
        s2 = 0.0
        c0 = ctau[0, j]
        r0 = 1.0 / c0
        c1 = ctau[k - 1, j]
        r1 = 1.0 / c1
        for i in range(n):
            p1 = interval_probability_scalar(a_over_s[0, i] * r0, w_over_s[0, i] * r0, one_minus[0, i],
                                             s_over_r0[0, i] * c0)
            if k == 2:
                p2 = interval_probability_scalar(a_over_s[1, i] * r1, w_over_s[1, i] * r1, one_minus[1, i],
                                                 s_over_r0[1, i] * c1)
                if mode == 1:
                    p = p1 * (1.0 - p2) + p2 * (1.0 - p1)
                elif mode == 2:
                    p = p1 * p2
                else:
                    p = 1.0 - (1.0 - p1) * (1.0 - p2)
            else:
                p = p1
            p *= weights[i]
            if i == 0:
                shift = p
            s1, s2 = shifted_add(p, shift, s1, s2)
        mean[j], err[j] = shifted_mean_error(shift, s1, s2, n)
    return mean, err


def _kernel_inputs(intervals, pt_over_m, r0):
    """Per-event inputs of the kernel, each (k, n), from fiducial intervals and p_T/m."""
    a = np.stack([np.asarray(iv[0], dtype=float) for iv in intervals])
    b = np.stack([np.asarray(iv[1], dtype=float) for iv in intervals])
    s = np.stack([np.asarray(v, dtype=float) for v in pt_over_m])
    ok = (b > a) & (s > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        a_over_s = np.where(ok, a / s, 0.0)
        w_over_s = np.where(ok, (b - a) / s, 0.0)
    one_minus = np.where(ok, 1.0 - a / r0, 0.0)
    return a_over_s, w_over_s, one_minus, np.where(ok, s / r0, 0.0)


def mean_acceptance(intervals, pt_over_m, ctau, r0, mode="single", weights=None):
    """Acceptance and its Monte-Carlo standard error for every column of ``ctau``.

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
    ctau = np.atleast_2d(np.asarray(ctau, dtype=float))
    a_s, w_s, om, s_r0 = _kernel_inputs(intervals, pt_over_m, r0)
    n = a_s.shape[1]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    return _mean_kernel(a_s, w_s, om, s_r0, w, ctau, COMBINE[mode])


def mean_acceptance_reference(intervals, pt_over_m, ctau, r0, mode="single", weights=None):
    """:func:`mean_acceptance` in plain numpy on (n, m) arrays (the reference; slower, more memory)."""
    ctau = np.atleast_2d(np.asarray(ctau, dtype=float))
    a_s, w_s, om, s_r0 = _kernel_inputs(intervals, pt_over_m, r0)
    probs = []
    for i in range(a_s.shape[0]):
        c = ctau[i][None, :]
        inv = 1.0 / c  # the kernel multiplies by 1/ctau, so must the reference to agree bit for bit
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

    def acceptance(self, events: EventSample, ctau: np.ndarray):
        """(mean, err) over events at every column of ``ctau`` (k, n_points), k LLPs per event."""
        ctau = np.atleast_2d(ctau)
        names = events.llps
        if len(names) != ctau.shape[0]:
            raise ValueError(f"{len(names)} LLPs per event but {ctau.shape[0]} rows of ctau")
        if (self.mode == "single") != (len(names) == 1):
            raise ValueError(f"mode {self.mode!r} does not fit {len(names)} LLP(s) per event "
                             "('single' is for one, the others for two)")
        intervals, s = self.intervals(events)
        return mean_acceptance(intervals, s, ctau, self.efficiency_r0, self.mode, weights=events.weights)
