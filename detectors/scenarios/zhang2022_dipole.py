"""Zhang, Song, Ding & Chen (arXiv:2204.07802): the neutrino dipole portal, monophotons at Belle II, BESIII, STCF.

"Neutrino dipole portal at electron colliders". Signal events, eq. (7): N_s = L sigma(e+e- -> N nu)
Br(N -> nu gamma) eps_cuts eps_det P_dec(l_D), with sigma = 2 x eq. (3) (a Dirac N: eq. (3) is one
charge channel, N nubar, and Nbar nu adds the same) in ``sigma_production``, L in ``lumi_data`` and
eps_det x eps_cuts x P_dec in the acceptance; the photon cuts of section II are this module's
:class:`Belle2Cut` (eqs. (8)-(13)) and :class:`AdvancedCut` (eq. (14)). Limit: chi^2 = S^2/(S + B) = 2.71
(statistic ``chi2-2.71``), summed over the BESIII energies. Options (part of the scan hash): ``photon``
(isotropic | text | exact, physics/models/dipole_portal.py; ``isotropic`` reproduces the paper's
numbers with both charge channels, ``text`` and ``exact`` give limits 1.5-1.7x weaker),
``decay_momentum`` (cm | lab: the N momentum in P_dec; the paper uses the CM one, eq. (6)), and at
Belle II ``gaps`` (kept | removed: signal and irreducible-background photons in the calorimeter gaps;
the paper keeps them) and ``decay_volume`` (length | ecl: N decays within l_D = 3 m as in the paper, or
before the calorimeter's inner face along its lab direction).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from llpscan.detectors.experiments import belle2, besiii, stcf
from llpscan.detectors.geometry import in_polar_range
from llpscan.detectors.scenario import Scenario, variable
from llpscan.detectors.searches.monophoton import Collider, MonophotonSearch, PhotonKinematics, cm_image
from llpscan.physics.models.dipole_portal import PHOTON_OPTIONS, DipolePortal, ctau_n, sigma_production

__all__ = ["BELLE2", "BESIII", "STCF", "WINDOWS", "belle2_window", "bbg_max_energy", "Belle2Cut", "AdvancedCut",
           "GAP_BACKGROUND_PER_FB", "Belle2DipoleMonophoton", "BesiiiDipoleMonophoton", "StcfDipoleMonophoton"]

CITATION = ("Y. Zhang, M. Song, R. Ding, L. Chen, Neutrino dipole portal at electron colliders, "
            "arXiv:2204.07802")

#: Belle II/SuperKEKB with the crossing angle neglected, as the paper does: beta*gamma = 0.2835 along
#: z, sqrt(s) = 10.588 GeV; BESIII and STCF: symmetric beams, lab = CM
BELLE2 = Collider("Belle II", belle2.BETA_GAMMA, belle2.SQRT_S)
BESIII = Collider("BESIII")
STCF = Collider("STCF")
#: section II.A: l_D = 3 m, eps_det = 95% at Belle II
BELLE2_L_D, BELLE2_EFFICIENCY = 3.0, 0.95
#: section II.B: l_D = 0.8 m (the BESIII drift chamber's outer radius), eps_det = 100% at BESIII and STCF
#: (STCF with the BESIII detector, as the paper assumes)
BES_L_D, BES_EFFICIENCY = besiii.MDC_OUTER_RADIUS, 1.0
#: section II.A: gap background after the low-/high-mass cut, 300/25000 events per 20 fb^-1 (the
#: paper cites the Belle II physics book arXiv:1808.10567), scaled to the luminosity
GAP_BACKGROUND_PER_FB = {"low-mass": 300 / 20.0, "high-mass": 25000 / 20.0, "bBG": 0.0}

#: eqs. (10)-(13) (fits of Duerr et al., arXiv:1911.03176): lab-angle window (deg) as quadratics in
#: the CM photon energy (GeV), coefficients (E^2, E, 1) for (theta_min, theta_max). The second printed
#: pair (eqs. (12)-(13)) is the high-mass cut despite its label: its window opens at E_CM > 1.703 GeV,
#: the low-mass one at 2.954 GeV, and only that reading keeps the low-mass region inside the bBG one.
WINDOWS = {
    "low-mass": ((5.399, -58.82, 195.71), (-7.982, 87.77, -120.6)),
    "high-mass": ((3.3133, -33.58, 108.79), (-5.9133, 54.119, -13.781)),
}


def belle2_window(cut: str, e_cm):
    """(theta_min, theta_max) in lab degrees of the low-/high-mass cut at CM photon energy ``e_cm`` (GeV).

    >>> [round(float(v), 1) for v in belle2_window("low-mass", 5.29)]   # at E_CM = sqrt(s)/2
    [35.6, 120.3]
    """
    (a2, a1, a0), (b2, b1, b0) = WINDOWS[cut]
    e = np.asarray(e_cm, dtype=float)
    return a2 * e * e + a1 * e + a0, b2 * e * e + b1 * e + b0


def bbg_max_energy(theta_cm_deg, sqrt_s, theta1_deg, theta2_deg):
    """E_gamma^m (GeV) of eq. (8), capped at sqrt(s)/2; all angles CM, theta1/2 the CM edges.

    A = (sin t1 - sin t2)/(cos t1 - cos t2); E_m = sqrt(s)(A cos t1 - sin t1)/(A(cos t1 - cos t) - (sin t + sin t1)).
    """
    t = np.radians(theta_cm_deg)
    t1, t2 = math.radians(theta1_deg), math.radians(theta2_deg)
    a = (math.sin(t1) - math.sin(t2)) / (math.cos(t1) - math.cos(t2))
    e_m = sqrt_s * (a * math.cos(t1) - math.sin(t1)) / (a * (math.cos(t1) - np.cos(t)) - (np.sin(t) + math.sin(t1)))
    return np.minimum(e_m, sqrt_s / 2)


@dataclass(frozen=True)
class Belle2Cut:
    """A Belle II photon cut of section II.A by ``name``: ``bBG`` (eqs. (8)-(9), the photon above
    E_gamma^m, with theta_1, theta_2 the CM images of the calorimeter's edges) or ``low-mass`` /
    ``high-mass`` (the lab-angle windows of eqs. (10)-(13)), each inside the calorimeter's polar range;
    ``gaps`` also removes photons in its barrel-endcap gaps (the paper keeps them)."""

    name: str
    gaps: bool = False

    def __post_init__(self):
        if self.name not in ("bBG", *WINDOWS):
            raise ValueError(f"cut={self.name!r}: allowed bBG, {', '.join(WINDOWS)}")

    def __call__(self, k: PhotonKinematics, collider: Collider) -> np.ndarray:
        ok = in_polar_range(k.theta_lab, belle2.ECL_POLAR)
        if self.gaps:
            for gap in belle2.ECL_GAPS:
                ok &= ~in_polar_range(k.theta_lab, gap)
        if self.name == "bBG":
            t1, t2 = (float(cm_image(t, collider.beta_gamma)) for t in belle2.ECL_POLAR)
            return ok & (k.e_cm > bbg_max_energy(k.theta_cm, k.sqrt_s, t1, t2))
        lo, hi = belle2_window(self.name, k.e_cm)
        return ok & (k.theta_lab > lo) & (k.theta_lab < hi)


@dataclass(frozen=True)
class AdvancedCut:
    """The "advanced" cut of section II.B for BESIII and STCF (lab = CM): BESIII's photon selection
    (:mod:`~llpscan.detectors.experiments.besiii`) and eq. (14), E > sqrt(s)/(1 + sin(theta)/sin(theta_b))."""

    def __call__(self, k: PhotonKinematics, collider: Collider) -> np.ndarray:
        c = np.abs(np.cos(np.radians(k.theta_lab)))
        (cos_barrel, e_barrel), (cos_lo, cos_hi, e_endcap) = besiii.PHOTON_BARREL, besiii.PHOTON_ENDCAP
        basic = ((c < cos_barrel) & (k.e_lab > e_barrel)) | ((c > cos_lo) & (c < cos_hi) & (k.e_lab > e_endcap))
        sin_b = math.sqrt(1 - besiii.COS_THETA_B**2)
        e_b = k.sqrt_s / (1 + np.sin(np.radians(k.theta_lab)) / sin_b)
        return basic & (k.e_lab > e_b)


def _sigma_background(search, sqrt_s):
    s = np.asarray(sqrt_s, dtype=float)
    return np.vectorize(search.background_sigma, otypes=[float])(s)


def _n_background(search, lumi, sqrt_s):
    s = np.asarray(sqrt_s, dtype=float)
    return np.vectorize(search.n_background, otypes=[float])(lumi, s)


class _DipoleMonophoton(Scenario):
    """Shared machinery; subclasses set the collider, the searches and the sqrt(s) parameter (or constant)."""

    citation = CITATION
    references = ("Zhang2022", "Ma1978", "PDG2024")
    primary_search = "advanced"  # BESIII and STCF: the one search
    statistic = "chi2-2.71"  # section II.A: chi^2(d95) - chi^2(0) = 2.71, "95% CL"
    background = "n_background"
    signal_factors = ("lumi_data", "sigma_production")
    options = {"photon": PHOTON_OPTIONS, "decay_momentum": ("cm", "lab")}
    llp_species = {"N": "N"}
    collider: Collider
    sqrt_s_max: float

    def __init__(self, **options):
        super().__init__(**options)
        self.model = DipolePortal(self.sqrt_s_max)
        self.searches = self.make_searches()

    def make_searches(self) -> tuple[MonophotonSearch, ...]:
        """The monophoton searches: by default one, with the ``advanced`` cut of BESIII and STCF."""
        return (MonophotonSearch("advanced", AdvancedCut(), self.collider, BES_L_D, BES_EFFICIENCY,
                                 decay_momentum=self.option("decay_momentum")),)

    @variable("m", "proper decay length of N (Br(N -> nu gamma) = 1)")
    def ctau_N(self, m_N, d):
        return ctau_n(m_N, d)

    @variable("fb", "sigma(e+e- -> N nubar + Nbar nu), 2 x eq. (3)")
    def sigma_production(self, m_N, d, sqrt_s):
        return sigma_production(sqrt_s, m_N, d)

    @variable("fb^-1", "integrated luminosity of the data set")
    def lumi_data(self, lumi, sqrt_s):
        """Luminosity (fb^-1) of the data set at ``sqrt_s``: all of ``lumi`` by default."""
        return np.asarray(lumi, dtype=float) + 0 * np.asarray(sqrt_s, dtype=float)

    @variable("fb", "irreducible e+e- -> nu nubar gamma after the search's cuts", per_search=True)
    def sigma_background(self, search, sqrt_s):
        return _sigma_background(search, sqrt_s)

    @variable("events", "expected background: eps_det sigma_background lumi_data + gap background", per_search=True)
    def n_background(self, search, lumi, sqrt_s):
        return _n_background(search, self.lumi_data(lumi, sqrt_s), sqrt_s)

    @variable("1", "N can be produced (else masked: no signal)")
    def allowed(self, m_N, sqrt_s):
        """1 where m_N < sqrt(s), else 0 (masked: no signal). With chi^2 summed over sqrt_s (BESIII) a
        closed data set has n_signal = 0 and adds nothing; plots reduce the mask with max over sqrt_s."""
        return self.model.is_open(m_N=m_N, sqrt_s=sqrt_s)

    def sqrt_s_of(self, masses) -> float:
        return float(masses.get("sqrt_s", self.collider.sqrt_s))

    def kinematically_open(self, **masses):
        return bool(masses["m_N"] < self.sqrt_s_of(masses))

    def events(self, masses, n, rng):
        return self.model.events(rng, n, m_N=float(masses["m_N"]), sqrt_s=self.sqrt_s_of(masses),
                                 photon=self.option("photon"), beta=self.collider.beta)


class Belle2DipoleMonophoton(_DipoleMonophoton):
    name = "belle2-dipole-monophoton"
    description = "N -> nu gamma monophoton at Belle II (low-mass, high-mass, bBG cuts), arXiv:2204.07802 Fig. 1"
    options = {**_DipoleMonophoton.options, "gaps": ("kept", "removed"), "decay_volume": ("length", "ecl")}
    collider = BELLE2
    # Fig. 3 draws the low-mass cut (both backgrounds) as the Belle II limit
    primary_search = "low-mass"
    references = ("Zhang2022", "Duerr2019", "Belle-II:2018jsg", "Belle-II:2010dht", "Ma1978", "PDG2024")
    sqrt_s_max = BELLE2.sqrt_s
    extra_parameters = (belle2.LUMI,)
    constants = {"sqrt_s": BELLE2.sqrt_s}  # one energy: not a parameter

    def make_searches(self):
        f = belle2.ECL_INNER_FACES
        ecl = (f["r_max"], f["z_min"], f["z_max"]) if self.option("decay_volume") == "ecl" else None
        gaps = self.option("gaps") == "removed"
        common = dict(collider=BELLE2, l_decay=BELLE2_L_D, efficiency=BELLE2_EFFICIENCY, calorimeter=ecl,
                      decay_momentum=self.option("decay_momentum"))
        return tuple(MonophotonSearch(label, Belle2Cut(label, gaps), gap_background_per_fb=GAP_BACKGROUND_PER_FB[label],
                                      **common)
                     for label in ("low-mass", "high-mass", "bBG"))


class BesiiiDipoleMonophoton(_DipoleMonophoton):
    """BESIII: chi^2 summed over the data sets of :mod:`~llpscan.detectors.experiments.besiii`.

    ``lumi`` is the total luminosity of the whole table (28 fb^-1 by default); the data set at each
    ``sqrt_s`` gets its share, lumi x L_i / sum(L) (``lumi_data``).
    """

    name = "besiii-dipole-monophoton"
    description = ("N -> nu gamma monophoton at BESIII (advanced cuts), chi^2 over its energies, "
                   "arXiv:2204.07802 Fig. 2")
    collider = BESIII
    references = ("Zhang2022", "BESIII2017", "BESIII2020", "Ma1978", "PDG2024")
    sqrt_s_max = float(besiii.ENERGIES.max())
    combine = ("sqrt_s",)
    extra_parameters = (besiii.LUMI, besiii.SQRT_S)

    @variable("fb^-1", "integrated luminosity of the data set")
    def lumi_data(self, lumi, sqrt_s):
        return np.asarray(lumi, dtype=float) * besiii.share(sqrt_s)


class StcfDipoleMonophoton(_DipoleMonophoton):
    """STCF with the BESIII detector (section II.B): one data set per ``sqrt_s`` (2, 4, 7 GeV)."""

    name = "stcf-dipole-monophoton"
    description = "N -> nu gamma monophoton at STCF (advanced cuts, BESIII detector), arXiv:2204.07802 Figs. 2-3"
    collider = STCF
    references = ("Zhang2022", "BESIII2017", "Ma1978", "PDG2024")
    sqrt_s_max = stcf.SQRT_S_RANGE[1]
    extra_parameters = (stcf.LUMI, stcf.SQRT_S)
