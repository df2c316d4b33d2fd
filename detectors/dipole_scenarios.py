"""Seed 002: the neutrino dipole portal in monophoton searches at Belle II, BESIII and STCF.

Zhang, Song, Ding & Chen, "Neutrino dipole portal at electron colliders". Signal events, eq. (7):
N_s = L sigma(e+e- -> N nu) Br(N -> nu gamma) eps_cuts eps_det P_dec(l_D), with sigma = 2 x eq. (3)
(Dirac N, both charge channels, physics-notes 002) in ``sigma_production``, L in ``lumi_data`` and
eps_det x eps_cuts x P_dec in the acceptance. Limit: chi^2 = S^2/(S + B) = 2.71 (statistic
``chi2-2.71``), summed over the BESIII energies.

Options (part of the scan hash): ``photon`` (isotropic | text | exact, physics/models/dipole_portal.py;
``isotropic`` reproduces the seed's numbers, physics-notes 002), ``decay_momentum`` (cm | lab: the N
momentum in P_dec; the seed uses the CM one), and at Belle II ``gaps`` (kept | removed: signal and
irreducible-background photons in the ECL gaps; the seed keeps them) and ``decay_volume`` (length |
ecl: N decays within l_D = 3 m as in the seed, or before the ECL inner face along its lab direction).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from llpscan.detectors import besiii_luminosity
from llpscan.detectors.monophoton import BELLE2, BELLE2_ECL_FACES, MonophotonSearch, symmetric_collider
from llpscan.detectors.scenario import Scenario, Variable
from llpscan.physics.model import Parameter
from llpscan.physics.models.dipole_portal import PHOTON_OPTIONS, DipolePortal, ctau_n, sigma_production

__all__ = ["DiscreteParameter", "Belle2DipoleMonophoton", "BesiiiDipoleMonophoton", "StcfDipoleMonophoton"]

CITATION = "Y. Zhang, M. Song, R. Ding, L. Chen, Neutrino dipole portal at electron colliders (seed 002)"
#: seed 002 section II.A: l_D = 3 m, eps_det = 95% at Belle II
BELLE2_L_D, BELLE2_EFFICIENCY = 3.0, 0.95
#: seed 002 section II.B: l_D = 0.8 m (BESIII MDC outer radius), eps_det = 100% at BESIII and STCF
BES_L_D, BES_EFFICIENCY = 0.8, 1.0
#: seed 002 section II.A: gap background after the low-/high-mass cut, 300/25000 events per 20 fb^-1
#: (Belle II physics book arXiv:1808.10567), scaled to the luminosity
GAP_BACKGROUND_PER_FB = {"low-mass": 300 / 20.0, "high-mass": 25000 / 20.0, "bBG": 0.0}


@dataclass(frozen=True)
class DiscreteParameter(Parameter):
    """A parameter whose values must come from a list (``values``, matched within ``tolerance``)."""

    values: tuple[float, ...] = ()
    tolerance: float = 5e-4

    def check(self, values) -> str | None:
        problem = super().check(values)
        if problem:
            return problem
        v = np.atleast_1d(np.asarray(values, dtype=float))
        bad = [x for x in v if not np.any(np.abs(np.asarray(self.values) - x) < self.tolerance)]
        if bad:
            return (f"{self.name}={bad[0]:g} is not one of the allowed values "
                    f"{', '.join(f'{x:g}' for x in self.values)} {self.units}")
        return None


class _DipoleMonophoton(Scenario):
    """Shared machinery; subclasses set the collider, searches and the sqrt(s) parameter."""

    citation = CITATION
    statistic = "chi2-2.71"  # seed 002 section II.A: chi^2(d95) - chi^2(0) = 2.71, "95% CL"
    background = "n_background"
    signal_factors = ("lumi_data", "sigma_production")
    options = {"photon": PHOTON_OPTIONS, "decay_momentum": ("cm", "lab")}
    collider = BELLE2
    sqrt_s_max = BELLE2.sqrt_s

    def __init__(self, **options):
        super().__init__(**options)
        self.llp_species = {"N": "N"}
        self.model = DipolePortal(self.sqrt_s_max)
        self.searches = self.make_searches()
        has_s = "sqrt_s" in [p.name for p in self.extra_parameters]
        fixed_s = self.collider.sqrt_s

        def with_s(fn, names):
            # Belle II has one energy (no sqrt_s parameter): bind it
            if has_s:
                return fn, (*names, "sqrt_s")
            return (lambda *args, **kw: fn(*args, **kw, sqrt_s=fixed_s)), names

        sig, sig_p = with_s(lambda m_N, d, sqrt_s: sigma_production(sqrt_s, m_N, d), ("m_N", "d"))
        lum, lum_p = with_s(self.lumi_data, ("lumi",))
        bkg, bkg_p = with_s(lambda search, lumi, sqrt_s: _n_background(search, self.lumi_data(lumi, sqrt_s), sqrt_s),
                            ("lumi",))
        sbg, sbg_p = with_s(lambda search, sqrt_s: _sigma_background(search, sqrt_s), ())
        # ``allowed`` = m_N < sqrt(s) at each energy; with chi^2 summed over sqrt_s (BESIII) a closed data
        # set has n_signal = 0 and adds nothing, and plots reduce the mask with max over sqrt_s
        alw, alw_p = with_s(self.allowed_mask, ("m_N",))
        self.variables = (
            Variable("ctau_N", "m", "proper decay length of N (Br(N -> nu gamma) = 1)", ("m_N", "d"),
                     lambda m_N, d: ctau_n(m_N, d)),
            Variable("sigma_production", "fb", "sigma(e+e- -> N nubar + Nbar nu), 2 x eq. (3)", sig_p, sig),
            Variable("lumi_data", "fb^-1", "integrated luminosity of the data set", lum_p, lum),
            Variable("sigma_background", "fb", "irreducible e+e- -> nu nubar gamma after the search's cuts",
                     sbg_p, sbg, per_search=True),
            Variable("n_background", "events", "expected background: eps_det sigma_background lumi_data + gap background",
                     bkg_p, bkg, per_search=True),
            Variable("allowed", "1", "N can be produced (else masked: no signal)", alw_p, alw),
        )

    def make_searches(self) -> tuple[MonophotonSearch, ...]:
        raise NotImplementedError

    def allowed_mask(self, m_N, sqrt_s):
        """1 where m_N < sqrt(s), else 0 (masked: no signal)."""
        return self.model.is_open(m_N=m_N, sqrt_s=sqrt_s)

    def lumi_data(self, lumi, sqrt_s):
        """Luminosity (fb^-1) of the data set at ``sqrt_s``: all of ``lumi`` by default."""
        return np.asarray(lumi, dtype=float) + 0 * np.asarray(sqrt_s, dtype=float)

    def sqrt_s_of(self, masses) -> float:
        return float(masses.get("sqrt_s", self.collider.sqrt_s))

    def kinematically_open(self, **masses):
        return bool(masses["m_N"] < self.sqrt_s_of(masses))

    def events(self, masses, n, rng):
        return self.model.events(rng, n, m_N=float(masses["m_N"]), sqrt_s=self.sqrt_s_of(masses),
                                 photon=self.option("photon"), beta=self.collider.beta)


def _sigma_background(search, sqrt_s):
    s = np.asarray(sqrt_s, dtype=float)
    return np.vectorize(search.background_sigma, otypes=[float])(s)


def _n_background(search, lumi, sqrt_s):
    s = np.asarray(sqrt_s, dtype=float)
    return np.vectorize(search.n_background, otypes=[float])(lumi, s)


LUMI_BELLE2 = Parameter("lumi", "fb^-1", "integrated luminosity", 5e4, "rate", positive=True)


class Belle2DipoleMonophoton(_DipoleMonophoton):
    name = "belle2-dipole-monophoton"
    description = "N -> nu gamma monophoton at Belle II (low-mass, high-mass, bBG cuts), seed 002 Fig. 1"
    options = {**_DipoleMonophoton.options, "gaps": ("kept", "removed"), "decay_volume": ("length", "ecl")}
    extra_parameters = (LUMI_BELLE2,)

    def make_searches(self):
        ecl = BELLE2_ECL_FACES if self.option("decay_volume") == "ecl" else None
        common = dict(collider=BELLE2, l_decay=BELLE2_L_D, efficiency=BELLE2_EFFICIENCY, calorimeter=ecl,
                      decay_momentum=self.option("decay_momentum"), gaps=self.option("gaps") == "removed")
        return tuple(MonophotonSearch(label, label, gap_background_per_fb=GAP_BACKGROUND_PER_FB[label], **common)
                     for label in ("low-mass", "high-mass", "bBG"))


class BesiiiDipoleMonophoton(_DipoleMonophoton):
    """BESIII: chi^2 summed over the data sets of :mod:`detectors.besiii_luminosity`.

    ``lumi`` is the total luminosity of the whole table (28 fb^-1 by default); the data set at each
    ``sqrt_s`` gets its share, lumi x L_i / sum(L) (``lumi_data``).
    """

    name = "besiii-dipole-monophoton"
    description = "N -> nu gamma monophoton at BESIII (advanced cuts), chi^2 over its energies, seed 002 Fig. 2"
    collider = symmetric_collider("BESIII")
    sqrt_s_max = float(besiii_luminosity.ENERGIES.max())
    combine = ("sqrt_s",)
    extra_parameters = (
        Parameter("lumi", "fb^-1", "total integrated luminosity, shared over sqrt_s as in the table", 28.0,
                  "rate", positive=True),
        DiscreteParameter("sqrt_s", "GeV", "CM energy of a BESIII data set", 4.18, "mass",
                          2.0, 5.0, positive=True, values=tuple(float(e) for e in besiii_luminosity.ENERGIES)),
    )

    def make_searches(self):
        return (MonophotonSearch("advanced", "advanced", self.collider, BES_L_D, BES_EFFICIENCY,
                                 decay_momentum=self.option("decay_momentum")),)

    def lumi_data(self, lumi, sqrt_s):
        return np.asarray(lumi, dtype=float) * besiii_luminosity.share(sqrt_s)


class StcfDipoleMonophoton(_DipoleMonophoton):
    """STCF with the BESIII detector (seed 002 section II.B): one data set per ``sqrt_s`` (2, 4, 7 GeV)."""

    name = "stcf-dipole-monophoton"
    description = "N -> nu gamma monophoton at STCF (advanced cuts, BESIII detector), seed 002 Figs. 2-3"
    collider = symmetric_collider("STCF")
    sqrt_s_max = 7.0
    extra_parameters = (
        Parameter("lumi", "fb^-1", "integrated luminosity at each sqrt_s", 1e4, "rate", positive=True),
        # seed 002 studies 2, 4 and 7 GeV; STCF's design range is 2-7 GeV
        Parameter("sqrt_s", "GeV", "CM energy", 4.0, "mass", 2.0, 7.0),
    )

    def make_searches(self):
        return (MonophotonSearch("advanced", "advanced", self.collider, BES_L_D, BES_EFFICIENCY,
                                 decay_momentum=self.option("decay_momentum")),)
