"""Monophoton searches at e+e- colliders: a long-lived N decays to nu gamma before a length l_D and
the single photon passes the experiment's cuts (seed 002: Belle II, BESIII, STCF).

The cuts are per-photon weights (0/1) that depend only on the masses (through the photon kinematics);
the decay probability carries the coupling, so one event sample per mass point serves every d
(design.md, factorisation). The irreducible e+e- -> nu nubar gamma background is integrated over
exactly the same cut function (:meth:`MonophotonSearch.background_sigma`).

Angles: ``theta_lab`` in the detector frame, ``theta_cm``/``E_cm`` in the e+e- CM frame; the e- beam
runs along +z in both, and the CM moves along +z with beta*gamma (0 for symmetric colliders).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from llpscan.detectors import belle2
from llpscan.detectors.searches import Search
from llpscan.physics.kinematics import EventSample, boost
from llpscan.physics.monophoton_background import sigma_with_cuts

__all__ = [
    "Collider",
    "BELLE2",
    "symmetric_collider",
    "PhotonKinematics",
    "photon_kinematics",
    "cm_image",
    "bbg_max_energy",
    "belle2_window",
    "CUTS",
    "BELLE2_ECL_FACES",
    "MonophotonSearch",
]


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


#: Belle II/SuperKEKB, beams 7.004 on 4.002 GeV, crossing angle neglected as the seed does
#: (physics-notes "Detector numbers"; detectors/belle2.py): beta*gamma = 0.2835, sqrt(s) = 10.588 GeV
BELLE2 = Collider("Belle II", belle2.BETA_GAMMA, belle2.SQRT_S)


def symmetric_collider(name: str) -> Collider:
    """BESIII (BEPCII) and STCF: symmetric beams, lab = CM (BEPCII's 11 mrad half crossing angle neglected)."""
    return Collider(name)


@dataclass(frozen=True)
class PhotonKinematics:
    """Per-photon quantities the cuts use, arrays (n,): CM energy (GeV), CM and lab polar angles (deg)."""

    e_cm: np.ndarray
    theta_cm: np.ndarray
    e_lab: np.ndarray
    theta_lab: np.ndarray
    sqrt_s: float


def _theta_deg(p4):
    return np.degrees(np.arctan2(np.hypot(p4[:, 1], p4[:, 2]), p4[:, 3]))


def photon_kinematics(p_lab, collider: Collider, sqrt_s: float) -> PhotonKinematics:
    """:class:`PhotonKinematics` of lab-frame photon four-momenta (n, 4)."""
    p_cm = boost(p_lab, -collider.beta) if collider.beta_gamma else p_lab
    return PhotonKinematics(p_cm[:, 0], _theta_deg(p_cm), p_lab[:, 0], _theta_deg(p_lab), sqrt_s)


def cm_image(theta_lab_deg, beta_gamma: float):
    """CM polar angle (deg) of a massless particle seen at ``theta_lab_deg`` in the lab.

    cos(theta*) = (cos(theta) - beta)/(1 - beta cos(theta)) for a CM moving with beta along +z.

    >>> [round(float(cm_image(t, 0.2835)), 2) for t in (12.4, 155.1)]   # physics-notes 002
    [16.36, 161.05]
    """
    beta = beta_gamma / math.hypot(1.0, beta_gamma)
    c = np.cos(np.radians(theta_lab_deg))
    return np.degrees(np.arccos((c - beta) / (1 - beta * c)))


def bbg_max_energy(theta_cm_deg, sqrt_s, theta1_deg, theta2_deg):
    """E_gamma^m (GeV) of seed 002 eq. (8), capped at sqrt(s)/2; all angles CM, theta1/2 the CM edges.

    A = (sin t1 - sin t2)/(cos t1 - cos t2); E_m = sqrt(s)(A cos t1 - sin t1)/(A(cos t1 - cos t) - (sin t + sin t1)).
    """
    t = np.radians(theta_cm_deg)
    t1, t2 = math.radians(theta1_deg), math.radians(theta2_deg)
    a = (math.sin(t1) - math.sin(t2)) / (math.cos(t1) - math.cos(t2))
    e_m = sqrt_s * (a * math.cos(t1) - math.sin(t1)) / (a * (math.cos(t1) - np.cos(t)) - (np.sin(t) + math.sin(t1)))
    return np.minimum(e_m, sqrt_s / 2)


#: Seed 002 eqs. (10)-(13) (fits of Duerr et al., arXiv:1911.03176): lab-angle window (deg) as
#: quadratics in the CM photon energy (GeV), coefficients (E^2, E, 1) for (theta_min, theta_max).
#: The second printed pair (eqs. 12-13) is the high-mass cut despite its label (physics-notes 002).
WINDOWS = {
    "low-mass": ((5.399, -58.82, 195.71), (-7.982, 87.77, -120.6)),
    "high-mass": ((3.3133, -33.58, 108.79), (-5.9133, 54.119, -13.781)),
}


def belle2_window(cut: str, e_cm):
    """(theta_min, theta_max) in lab degrees of the low-/high-mass cut at CM photon energy ``e_cm`` (GeV).

    >>> [round(float(v), 1) for v in belle2_window("low-mass", 5.29)]   # physics-notes 002
    [35.6, 120.3]
    """
    (a2, a1, a0), (b2, b1, b0) = WINDOWS[cut]
    e = np.asarray(e_cm, dtype=float)
    return a2 * e * e + a1 * e + a0, b2 * e * e + b1 * e + b0


#: Belle II ECL polar coverage and its barrel-endcap gaps, lab degrees (seed 002 section II.A,
#: from the Belle II physics book arXiv:1808.10567)
BELLE2_ECL = (12.4, 155.1)
BELLE2_GAPS = ((31.4, 32.2), (128.7, 130.7))
#: Belle II ECL inner faces (m): barrel r = 1.25, forward endcap z = 1.96, backward endcap z = -1.02
#: (physics-notes "Detector numbers", from the Belle II TDR arXiv:1011.0352)
BELLE2_ECL_FACES = (1.25, 1.96, -1.02)
#: BESIII photon cuts (seed 002 section II.B, BESIII arXiv:1707.05178): E > 25 MeV for |cos| < 0.8,
#: E > 50 MeV for 0.86 < |cos| < 0.92; eq. (14) with cos(theta_b) = 0.95 (MDC/EMC/TOF edge)
BES_BARREL = (0.8, 0.025)
BES_ENDCAP = (0.86, 0.92, 0.050)
BES_COS_THETA_B = 0.95


def _belle2_basic(k: PhotonKinematics, gaps: bool):
    ok = (k.theta_lab > BELLE2_ECL[0]) & (k.theta_lab < BELLE2_ECL[1])
    if gaps:
        for lo, hi in BELLE2_GAPS:
            ok &= ~((k.theta_lab > lo) & (k.theta_lab < hi))
    return ok


def _cut_bbg(k: PhotonKinematics, collider: Collider, gaps: bool):
    # eqs. (8)-(9): theta_1, theta_2 are the CM images of the ECL edges
    t1, t2 = (float(cm_image(t, collider.beta_gamma)) for t in BELLE2_ECL)
    return _belle2_basic(k, gaps) & (k.e_cm > bbg_max_energy(k.theta_cm, k.sqrt_s, t1, t2))


def _cut_window(name):
    def cut(k: PhotonKinematics, collider: Collider, gaps: bool):
        lo, hi = belle2_window(name, k.e_cm)
        return _belle2_basic(k, gaps) & (k.theta_lab > lo) & (k.theta_lab < hi)

    return cut


def _cut_advanced(k: PhotonKinematics, collider: Collider, gaps: bool):
    # BESIII basic cuts and eq. (14): E > sqrt(s)/(1 + sin(theta)/sin(theta_b)); lab = CM
    c = np.abs(np.cos(np.radians(k.theta_lab)))
    basic = ((c < BES_BARREL[0]) & (k.e_lab > BES_BARREL[1])) | (
        (c > BES_ENDCAP[0]) & (c < BES_ENDCAP[1]) & (k.e_lab > BES_ENDCAP[2]))
    sin_b = math.sqrt(1 - BES_COS_THETA_B**2)
    e_b = k.sqrt_s / (1 + np.sin(np.radians(k.theta_lab)) / sin_b)
    return basic & (k.e_lab > e_b)


#: photon cuts by name: fn(kinematics, collider, gaps) -> bool (n,)
CUTS = {
    "bBG": _cut_bbg,
    "low-mass": _cut_window("low-mass"),
    "high-mass": _cut_window("high-mass"),
    "advanced": _cut_advanced,
}
DECAY_MOMENTUM = ("cm", "lab")


@dataclass(frozen=True)
class MonophotonSearch(Search):
    """N -> nu gamma within ``l_decay`` (m) of the interaction point and a photon that passes ``cut``.

    acceptance = efficiency x mean over events [cut weight x P_dec], P_dec = 1 - exp(-l_D/(beta gamma c tau))
    (seed 002 eqs. 5-7). ``decay_momentum``: ``cm`` uses the CM momentum of N for beta*gamma, as the
    seed does at every collider (eq. 6); ``lab`` uses each event's lab momentum. ``gaps`` removes
    photons in the Belle II ECL gaps (the seed keeps them). ``gap_background_per_fb``: reducible
    background events per fb^-1 after this cut (Belle II gap background; 0 elsewhere).
    ``calorimeter`` = (r_barrel, z_forward, z_backward) in m replaces the one length l_D by the
    distance from the interaction point to the calorimeter's inner face along each N's lab direction.
    """

    label: str
    cut: str
    collider: Collider
    l_decay: float
    efficiency: float
    gap_background_per_fb: float = 0.0
    decay_momentum: str = "cm"
    gaps: bool = False
    calorimeter: tuple[float, float, float] | None = None
    final_state: str = "gamma"

    def __post_init__(self):
        if self.cut not in CUTS:
            raise ValueError(f"cut={self.cut!r}: allowed {', '.join(CUTS)}")
        if self.decay_momentum not in DECAY_MOMENTUM:
            raise ValueError(f"decay_momentum={self.decay_momentum!r}: allowed {', '.join(DECAY_MOMENTUM)}")
        if not self.l_decay > 0:
            raise ValueError(f"l_decay={self.l_decay} m must be > 0")
        if not 0 < self.efficiency <= 1:
            raise ValueError(f"efficiency={self.efficiency} must lie in (0, 1]")

    def photon_weight(self, p_gamma_lab, sqrt_s: float) -> np.ndarray:
        """Cut weight (0/1) of each lab-frame photon (n, 4) (detection efficiency not included)."""
        k = photon_kinematics(np.atleast_2d(p_gamma_lab), self.collider, sqrt_s)
        return CUTS[self.cut](k, self.collider, self.gaps).astype(float)

    def acceptance(self, events: EventSample, ctau: np.ndarray):
        """(mean, err) over events of efficiency x cut x P_dec, shape (n_points,); ``ctau`` (1, n_points) in m."""
        ctau = np.atleast_2d(ctau)
        if events.llps != ("N",) or ctau.shape[0] != 1:
            raise ValueError("the monophoton search takes one LLP 'N' per event")
        m = events.llp_mass("N")
        sqrt_s = events.masses["sqrt_s"]
        w = self.photon_weight(events.momenta["gamma"], sqrt_s) * self.efficiency
        if events.weights is not None:
            w = w * events.weights
        n = w.size
        p_cm = (sqrt_s**2 - m * m) / (2 * sqrt_s)
        if self.decay_momentum == "cm" and self.calorimeter is None:
            # p_N is the same for every event in the CM frame: P_dec factorises out of the mean
            p_dec = -np.expm1(-self.l_decay * m / (p_cm * ctau[0]))
            return w.mean() * p_dec, w.std(ddof=1) / math.sqrt(n) * p_dec
        p_n = events.momenta["N"]
        p = np.linalg.norm(p_n[:, 1:], axis=-1) if self.decay_momentum == "lab" else np.full(n, p_cm)
        length = self.l_decay if self.calorimeter is None else self.distance_to_calorimeter(p_n)
        p_dec = -np.expm1(-(length * m / p)[:, None] / ctau[0][None, :])  # (n, n_points)
        contrib = w[:, None] * p_dec
        return contrib.mean(axis=0), contrib.std(axis=0, ddof=1) / math.sqrt(n)

    def distance_to_calorimeter(self, p_lab) -> np.ndarray:
        """Path length (m) from the interaction point to the calorimeter's inner face along p_lab (n, 4).

        >>> s = MonophotonSearch("x", "bBG", BELLE2, 3.0, 1.0, calorimeter=BELLE2_ECL_FACES)
        >>> s.distance_to_calorimeter(np.array([[1.0, 1.0, 0, 0], [1.0, 0, 0, 1.0], [1.0, 0, 0, -1.0]])).tolist()
        [1.25, 1.96, 1.02]
        """
        r_barrel, z_fwd, z_bwd = self.calorimeter
        p = np.atleast_2d(p_lab)[:, 1:]
        pt = np.hypot(p[:, 0], p[:, 1])
        pz = p[:, 2]
        norm = np.linalg.norm(p, axis=-1)
        with np.errstate(divide="ignore"):
            to_barrel = np.where(pt > 0, r_barrel * norm / pt, np.inf)
            to_endcap = np.where(pz > 0, z_fwd * norm / pz, np.where(pz < 0, z_bwd * norm / pz, np.inf))
        return np.minimum(to_barrel, to_endcap)

    def background_sigma(self, sqrt_s: float) -> float:
        """Irreducible e+e- -> nu nubar gamma cross section (fb) after this search's cut (no efficiency)."""
        return _background_sigma(self.cut, self.collider, self.gaps, float(sqrt_s))

    def n_background(self, lumi, sqrt_s: float):
        """Expected background events: efficiency x sigma_irr x lumi + gap background x lumi (seed 002, sec. II)."""
        lumi = np.asarray(lumi, dtype=float)
        return self.efficiency * self.background_sigma(sqrt_s) * lumi + self.gap_background_per_fb * lumi


@lru_cache(maxsize=256)
def _background_sigma(cut: str, collider: Collider, gaps: bool, sqrt_s: float) -> float:
    search = MonophotonSearch("bkg", cut, collider, 1.0, 1.0, gaps=gaps)

    def accept(x, cos_cm):
        # the same cut function as the signal: CM photons on the (x, cos) grid, boosted to the lab
        e = x * sqrt_s / 2
        sin_cm = np.sqrt(np.clip(1 - cos_cm * cos_cm, 0.0, None))
        p_cm = np.stack([e, e * sin_cm, np.zeros_like(e), e * cos_cm], axis=-1)
        p_lab = boost(p_cm, collider.beta) if collider.beta_gamma else p_cm
        return search.photon_weight(p_lab, sqrt_s)

    return sigma_with_cuts(sqrt_s, accept, n=800)
