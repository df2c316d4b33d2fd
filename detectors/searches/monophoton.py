"""Monophoton: a long-lived N decays to nu gamma before a length l_D and its photon passes the cuts.

acceptance = efficiency x mean over events [cut weight x P_dec], P_dec = 1 - exp(-l_D/(beta gamma c tau))
(Zhang, Song, Ding & Chen, arXiv:2204.07802, eqs. (5)-(7)). The cuts are per-photon weights (0/1) that
depend only on the masses (through the photon kinematics); the decay probability carries the coupling,
so one event sample per mass point serves every coupling. The irreducible e+e- -> nu nubar gamma
background is integrated over exactly the same cut (:meth:`MonophotonSearch.background_sigma`).

A cut is any hashable callable ``cut(kinematics, collider) -> bool (n,)`` of the
:class:`PhotonKinematics` of the photons; a paper's cuts are small frozen dataclasses in its scenario
module. Angles: ``theta_lab`` in the detector frame, ``theta_cm``/``e_cm`` in the e+e- CM frame; the e-
beam runs along +z in both, and the CM moves along +z with beta*gamma (0 for symmetric colliders).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np

from llpscan.detectors.geometry import exit_distance, polar_angle
from llpscan.detectors.reduce import ShiftedSums
from llpscan.physics.kinematics import EventSample, boost
from llpscan.physics.monophoton_background import sigma_with_cuts

__all__ = ["Collider", "PhotonKinematics", "photon_kinematics", "cm_image", "MonophotonSearch",
           "MonophotonAccumulator", "DECAY_MOMENTUM"]


@dataclass(frozen=True)
class Collider:
    """Beams along z: the CM moves with ``beta_gamma`` along +z (the e- direction); ``sqrt_s`` in GeV
    (None where the energy is a scan parameter)."""

    name: str
    beta_gamma: float = 0.0
    sqrt_s: float | None = None

    @property
    def beta(self) -> np.ndarray:
        """CM velocity (3,) in the lab, units of c."""
        return np.array([0.0, 0.0, self.beta_gamma / math.hypot(1.0, self.beta_gamma)])


@dataclass(frozen=True)
class PhotonKinematics:
    """Per-photon quantities the cuts use, arrays (n,): CM energy (GeV), CM and lab polar angles (deg)."""

    e_cm: np.ndarray
    theta_cm: np.ndarray
    e_lab: np.ndarray
    theta_lab: np.ndarray
    sqrt_s: float


def photon_kinematics(p_lab, collider: Collider, sqrt_s: float) -> PhotonKinematics:
    """:class:`PhotonKinematics` of lab-frame photon four-momenta (n, 4)."""
    p_cm = boost(p_lab, -collider.beta) if collider.beta_gamma else p_lab
    return PhotonKinematics(p_cm[:, 0], polar_angle(p_cm), p_lab[:, 0], polar_angle(p_lab), sqrt_s)


def cm_image(theta_lab_deg, beta_gamma: float):
    """CM polar angle (deg) of a massless particle seen at ``theta_lab_deg`` in the lab.

    cos(theta*) = (cos(theta) - beta)/(1 - beta cos(theta)) for a CM moving with beta along +z.

    >>> # the Belle II calorimeter edges 12.4 and 155.1 deg at beta*gamma = 0.2835 (Zhang et al. eq. (9))
    >>> [round(float(cm_image(t, 0.2835)), 2) for t in (12.4, 155.1)]
    [16.36, 161.05]
    """
    beta = beta_gamma / math.hypot(1.0, beta_gamma)
    c = np.cos(np.radians(theta_lab_deg))
    return np.degrees(np.arccos((c - beta) / (1 - beta * c)))


#: the N momentum in P_dec: ``cm`` (the CM one, as Zhang et al. eq. (6) use at every collider) or ``lab``
DECAY_MOMENTUM = ("cm", "lab")


@dataclass(frozen=True)
class MonophotonSearch:
    """N -> nu gamma within ``l_decay`` (m) of the interaction point and a photon that passes ``cut``.

    ``cut``: a hashable callable ``cut(PhotonKinematics, Collider) -> bool (n,)``. ``efficiency``: the
    photon detection efficiency. ``decay_momentum``: ``cm`` uses the CM momentum of N for
    beta*gamma; ``lab`` uses each event's lab momentum. ``gap_background_per_fb``: reducible background
    events per fb^-1 after this cut. ``calorimeter`` = (r_max, z_min, z_max) in m replaces the one
    length l_D by the distance from the interaction point to that cylinder (the calorimeter's inner
    faces) along each N's lab direction.
    """

    label: str
    cut: Callable[[PhotonKinematics, Collider], np.ndarray]
    collider: Collider
    l_decay: float
    efficiency: float
    gap_background_per_fb: float = 0.0
    decay_momentum: str = "cm"
    calorimeter: tuple[float, float, float] | None = None
    final_state: str = "gamma"

    def __post_init__(self):
        if not callable(self.cut):
            raise ValueError(f"cut={self.cut!r} is not a cut (a callable of the photon kinematics)")
        if self.decay_momentum not in DECAY_MOMENTUM:
            raise ValueError(f"decay_momentum={self.decay_momentum!r}: allowed {', '.join(DECAY_MOMENTUM)}")
        if not self.l_decay > 0:
            raise ValueError(f"l_decay={self.l_decay} m must be > 0")
        if not 0 < self.efficiency <= 1:
            raise ValueError(f"efficiency={self.efficiency} must lie in (0, 1]")

    def photon_weight(self, p_gamma_lab, sqrt_s: float) -> np.ndarray:
        """Cut weight (0/1) of each lab-frame photon (n, 4) (detection efficiency not included)."""
        k = photon_kinematics(np.atleast_2d(p_gamma_lab), self.collider, sqrt_s)
        return self.cut(k, self.collider).astype(float)

    def accumulator(self, ctau: np.ndarray) -> "MonophotonAccumulator":
        """The acceptance at every point of ``ctau`` (1, n_points), fed with event batches."""
        return MonophotonAccumulator(self, ctau)

    def acceptance(self, events: EventSample, ctau: np.ndarray):
        """(mean, err) over events of efficiency x cut x P_dec, shape (n_points,); ``ctau`` (1, n_points) in m."""
        acc = self.accumulator(ctau)
        acc.add(events)
        return acc.result()

    def background_sigma(self, sqrt_s: float) -> float:
        """Irreducible e+e- -> nu nubar gamma cross section (fb) after this search's cut (no efficiency)."""
        return _background_sigma(self.cut, self.collider, float(sqrt_s))

    def n_background(self, lumi, sqrt_s: float):
        """Expected background events: efficiency x sigma_irr x lumi + gap background x lumi (Zhang et al.
        section II)."""
        lumi = np.asarray(lumi, dtype=float)
        return self.efficiency * self.background_sigma(sqrt_s) * lumi + self.gap_background_per_fb * lumi


@lru_cache(maxsize=256)
def _background_sigma(cut, collider: Collider, sqrt_s: float) -> float:
    search = MonophotonSearch("bkg", cut, collider, 1.0, 1.0)

    def accept(x, cos_cm):
        # the same cut function as the signal: CM photons on the (x, cos) grid, boosted to the lab
        e = x * sqrt_s / 2
        sin_cm = np.sqrt(np.clip(1 - cos_cm * cos_cm, 0.0, None))
        p_cm = np.stack([e, e * sin_cm, np.zeros_like(e), e * cos_cm], axis=-1)
        p_lab = boost(p_cm, collider.beta) if collider.beta_gamma else p_cm
        return search.photon_weight(p_lab, sqrt_s)

    return sigma_with_cuts(sqrt_s, accept, n=800)


class MonophotonAccumulator:
    """:meth:`MonophotonSearch.acceptance` fed with consecutive event batches (the same bits as all at
    once). Where every N has the CM momentum and one decay length, P_dec factorises out of the mean:
    only the cut weights are averaged, and the result is scaled by P_dec."""

    def __init__(self, search: MonophotonSearch, ctau):
        ctau = np.atleast_2d(np.asarray(ctau, dtype=float))
        if ctau.shape[0] != 1:
            raise ValueError("the monophoton search takes one LLP 'N' per event")
        self.search = search
        self.ctau = np.ascontiguousarray(ctau[0])
        self.factorised = search.decay_momentum == "cm" and search.calorimeter is None
        self.sums = ShiftedSums(1 if self.factorised else self.ctau.size)
        self.m = self.sqrt_s = None

    def add(self, events: EventSample) -> None:
        search = self.search
        if events.llps != ("N",):
            raise ValueError("the monophoton search takes one LLP 'N' per event")
        self.m, self.sqrt_s = events.llp_mass("N"), events.masses["sqrt_s"]
        m, sqrt_s = self.m, self.sqrt_s
        w = search.photon_weight(events.momenta["gamma"], sqrt_s) * search.efficiency
        if events.weights is not None:
            w = w * events.weights
        n = w.size
        if n == 0:
            return
        if self.factorised:
            self.sums.add(w[:, None])
            return
        p_cm = (sqrt_s**2 - m * m) / (2 * sqrt_s)
        p_n = events.momenta["N"]
        p = np.linalg.norm(p_n[:, 1:], axis=-1) if search.decay_momentum == "lab" else np.full(n, p_cm)
        length = search.l_decay if search.calorimeter is None else exit_distance(p_n, *search.calorimeter)
        x = np.ascontiguousarray(length * m / p, dtype=float)  # (n,): the decay length over c tau
        from llpscan.detectors import kernels

        kernels.decayed_accumulate(x, np.ascontiguousarray(w, dtype=float), self.ctau, self.sums.shift,
                                   self.sums.s1, self.sums.s2, self.sums.n == 0)
        self.sums.n += n

    def result(self):
        mean, err = self.sums.result()
        if not self.factorised:
            return mean, err
        # p_N is the same for every event in the CM frame: P_dec factorises out of the mean
        m, sqrt_s = self.m, self.sqrt_s
        p_cm = (sqrt_s**2 - m * m) / (2 * sqrt_s)
        p_dec = -np.expm1(-self.search.l_decay * m / (p_cm * self.ctau))
        return mean[0] * p_dec, err[0] * p_dec
