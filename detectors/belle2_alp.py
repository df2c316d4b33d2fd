"""Seed 001 at Belle II: B+ -> K+ a with the ALP displaced (a -> l+ l-) or invisible (escaping).

Ferber, Filimonova, Schäfer & Westhoff, arXiv:2201.06580.

- ``belle2-alp-displaced`` (section 5, Fig. 12): N = 2 N(B+B-) Br(B+ -> K+ a) Br(a -> l l) P(decay in
  volume) (eq. 3.3), 0.9 cm minimum radial displacement, 2.3 events (90% CL, no background).
- ``belle2-alp-invisible`` (section 4, Figs. 11-12): N_S = 2 N(B+B-) eps(m_a) <P_a> Br(B+ -> K+ a)
  (eq. 4.2 with the Table-1 efficiency, physics-notes 001), <P_a> the escape probability averaged over
  all generated events (eqs. 3.1-3.2), background N_B of section 4.2, 90% CL Poisson limit (section 4.3).
- ``belle2-invisible-br`` (Fig. 10): the invisible search for a generic X with free m_X and c tau_X;
  the store derives ``br_limit``, the 90% CL limit on Br(B+ -> K+ X).

Option ``couplings`` of the two ALP scenarios: "running" (default, the paper's method: couplings at
mu = m_a from the alpaca table of physics.models.alp_running) or "fixed" (c(m_a) = c(Lambda)).

Belle II numbers not in belle2.py are constants here, with their sources. Not implemented: the
per-selected-event average of <P_a> that physics-notes 001 suggests as an option (it needs the kaon
selection of eq. 4.1, which the events here do not model); the displaced searches apply no lepton
acceptance or tracking efficiency (the events carry only the ALP).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from llpscan.detectors import belle2
from llpscan.detectors.scenario import Scenario, Variable
from llpscan.detectors.searches import DisplacedVertexSearch, Search
from llpscan.physics import pdg
from llpscan.physics.kinematics import EventSample
from llpscan.physics.model import ModelBase, Parameter
from llpscan.physics.models.alp import COUPLINGS, AlpModel
from llpscan.physics.sources import Upsilon4S

__all__ = [
    "SIGMA_BPLUS_BMINUS_FB",
    "SIGMA_B0_B0BAR_FB",
    "n_bplus_bminus",
    "n_background",
    "selection_efficiency",
    "DISPLACED_VOLUMES",
    "ESCAPE_ENVELOPE",
    "ACCEPTANCE_CONES",
    "InvisibleSearch",
    "Belle2AlpDisplaced",
    "Belle2AlpInvisible",
    "Belle2InvisibleBr",
    "GenericBToKX",
]

# --- normalisation (seed 001, section 4.1) ------------------------------------------------------
#: cross sections used to normalise B+B- and B0B0bar events: 0.54 nb and 0.51 nb (seed 001, sec. 4.1,
#: from the Belle II physics book arXiv:1808.10567), in fb (1 nb = 1e6 fb)
SIGMA_BPLUS_BMINUS_FB = 0.54e6
SIGMA_B0_B0BAR_FB = 0.51e6
#: background after selection (seed 001, sec. 4.2): 39 B+B- and 28 B0B0bar events of 10M generated each
_BKG_FRACTION_BPBM = 39 / 1e7
_BKG_FRACTION_B0B0 = 28 / 1e7
#: signal efficiency after selection, seed 001 Table 1: N_signal after selection / 10k generated, at
#: m_a = 0.005, 0.3, 1, 3 GeV; linear in m_a between the points, constant below 5 MeV, 0 from 3 GeV
#: (physics-notes 001)
_EFF_MASSES = (0.005, 0.3, 1.0, 3.0)
_EFF_VALUES = (1091 / 1e4, 1022 / 1e4, 770 / 1e4, 0.0)


def n_bplus_bminus(lumi_fb):
    """Number of B+B- pairs for ``lumi_fb`` (fb^-1) with the seed's 0.54 nb (2.7e10 at 50 ab^-1)."""
    return SIGMA_BPLUS_BMINUS_FB * np.asarray(lumi_fb, dtype=float)


def n_background(lumi_fb):
    """Expected B+B- and B0B0bar background after the selection of seed 001 (sec. 4.2): 176,700 at
    50 ab^-1, 1,767 at 0.5 ab^-1 (linear in the luminosity).

    >>> round(float(n_background(5e4)))
    176700
    """
    lumi = np.asarray(lumi_fb, dtype=float)
    return (_BKG_FRACTION_BPBM * SIGMA_BPLUS_BMINUS_FB + _BKG_FRACTION_B0B0 * SIGMA_B0_B0BAR_FB) * lumi


def selection_efficiency(m_a):
    """Signal efficiency of the invisible search's selection (Table 1), interpolated in m_a (GeV)."""
    return np.interp(np.asarray(m_a, dtype=float), _EFF_MASSES, _EFF_VALUES, left=_EFF_VALUES[0], right=0.0)


# --- geometry ------------------------------------------------------------------------------------
#: displaced-vertex volumes (m). Seed 001 follows section IV of Filimonova, Schäfer & Westhoff,
#: arXiv:1911.03490, which it does not restate (physics-notes 001). "r80": the displaced-vertex volume of
#: seeds 000/003, -40 < z < 120 cm, r < 80 cm (belle2.DV_VOLUME), the default; "r113": r out to the drift
#: chamber's outer wall (113 cm, Belle II TDR arXiv:1011.0352) with the same z range. Flat efficiency.
DISPLACED_VOLUMES = {
    "r80": dict(belle2.DV_VOLUME),
    "r113": {**belle2.DV_VOLUME, "r_max": 1.13},
}
#: seed 001, section 5: minimum radial displacement of the ALP decay, d > 0.9 cm
R_MIN_DISPLACED = 0.009
#: outer envelope of the tracking detectors + calorimeter for the invisible veto (physics-notes,
#: "Detector numbers"): r < 155 cm, -131 < z < 227 cm (calorimeter barrel outer face and endcaps)
ESCAPE_ENVELOPE = {"r_max": 1.55, "z_min": -1.31, "z_max": 2.27}
#: polar acceptance cones (degrees) inside which a decay is seen: drift chamber 17-150 deg (seed 001,
#: sec. 4.1, the default) or calorimeter 12.4-155.1 deg (Belle II TDR; gaps ignored)
ACCEPTANCE_CONES = {"dc": (17.0, 150.0), "ecl": (12.4, 155.1)}
#: events per chunk of the invisible acceptance: bounds the (events x points) temporaries
_EVENT_CHUNK = 8192


@dataclass(frozen=True)
class InvisibleSearch(Search):
    """One LLP from the IP that escapes: P = exp(-L/(beta gamma c tau)) per event (seed 001 eq. 3.1).

    L is the path from the IP to the outer envelope (cylinder r < r_max, z_min < z < z_max) along the
    LLP's flight direction when its lab polar angle is inside [theta_min, theta_max] (degrees), and 0
    outside the cone (a decay there is not seen, physics-notes 001). The acceptance is the average over
    all events (eq. 3.2), with per-event weights if the sample carries them. Lengths in metres.
    """

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
        """L/(beta gamma) (m) per event: the decay length in units of c tau that escapes the envelope."""
        p = np.linalg.norm(p4[:, 1:], axis=1)
        cos_t = np.divide(p4[:, 3], p, out=np.ones_like(p), where=p > 0)
        sin_t = np.sqrt(np.clip(1 - cos_t**2, 0.0, None))
        with np.errstate(divide="ignore"):
            l_r = np.where(sin_t > 0, self.r_max / sin_t, np.inf)
            l_z = np.where(cos_t > 0, self.z_max / cos_t, np.where(cos_t < 0, self.z_min / cos_t, np.inf))
        path = np.minimum(l_r, l_z)
        theta = np.degrees(np.arccos(np.clip(cos_t, -1.0, 1.0)))
        inside = (theta >= self.theta_min) & (theta <= self.theta_max)
        return np.where(inside, path, 0.0) * m / np.where(p > 0, p, np.inf)

    def acceptance(self, events: EventSample, ctau: np.ndarray):
        ctau = np.atleast_2d(np.asarray(ctau, dtype=float))
        if len(events.llps) != 1 or ctau.shape[0] != 1:
            raise ValueError("InvisibleSearch takes one LLP per event and one row of ctau")
        name = events.llps[0]
        d = self.path_over_beta_gamma(events.momenta[name], events.llp_mass(name))  # (n,)
        n = d.size
        w = np.ones(n) if events.weights is None else np.asarray(events.weights, dtype=float)
        # 1/c tau (m,): c tau = inf -> 0 (always escapes); c tau = 0 -> 1e300, finite, so that the
        # events outside the cone (d = 0) keep P = exp(0) = 1 instead of exp(-0 x inf) = nan
        inv = 1.0 / np.maximum(ctau[0], 1e-300)
        s1 = np.zeros(inv.size)
        s2 = np.zeros(inv.size)
        for lo in range(0, n, _EVENT_CHUNK):
            dc, wc = d[lo:lo + _EVENT_CHUNK, None], w[lo:lo + _EVENT_CHUNK, None]
            # outside the cone d = 0: P = 1; exp of arguments below -700 is 0 to 1e-304 (clamped, as in
            # detectors.acceptance, to stay on libm's fast path)
            p = np.exp(-np.minimum(dc * inv[None, :], 700.0)) * wc
            s1 += p.sum(axis=0)
            s2 += (p * p).sum(axis=0)
        mean = s1 / n
        var = np.clip(s2 / n - mean**2, 0.0, None) * n / max(n - 1, 1)
        return mean, np.sqrt(var / n)


LUMI = Parameter("lumi", "fb^-1", "integrated luminosity", 5e4, "rate", positive=True)


def _displaced(label: str, volume: str) -> DisplacedVertexSearch:
    return DisplacedVertexSearch(label, "single", r_min=R_MIN_DISPLACED, efficiency_r0=math.inf,
                                 final_state=label, **DISPLACED_VOLUMES[volume])


def _invisible(cone: str) -> InvisibleSearch:
    lo, hi = ACCEPTANCE_CONES[cone]
    return InvisibleSearch("invisible", theta_min=lo, theta_max=hi, **ESCAPE_ENVELOPE)


class _AlpScenario(Scenario):
    """What the two ALP scenarios share: the model, events, lumi and the cheap variables."""

    citation = ("T. Ferber, A. Filimonova, R. Schäfer, S. Westhoff, Displaced or invisible? ALPs from "
                "B decays at Belle II, arXiv:2201.06580")
    extra_parameters = (LUMI,)

    def _common_variables(self):
        model = self.model
        return (
            # the 2 of eqs. (3.3) and (4.2): B+ and B- both decay to K a
            Variable("n_b", "1", "number of B+ and B- mesons, 2 N(B+B-)", ("lumi",),
                     lambda lumi: 2 * n_bplus_bminus(lumi)),
            Variable("br_production", "1", "Br(B+ -> K+ a), eq. (2.7)", ("m_a", "c_ff", "c_WW"),
                     lambda m_a, c_ff, c_WW: model.br_production(m_a=m_a, c_ff=c_ff, c_WW=c_WW)),
            Variable("ctau_a", "m", "proper decay length of the ALP", ("m_a", "c_ff", "c_WW"),
                     lambda m_a, c_ff, c_WW: model.ctau(m_a=m_a, c_ff=c_ff, c_WW=c_WW)["a"]),
            Variable("br_ee", "1", "Br(a -> e+ e-)", ("m_a", "c_ff", "c_WW"),
                     lambda m_a, c_ff, c_WW: model.branching_ratios(m_a=m_a, c_ff=c_ff, c_WW=c_WW)["ee"]),
            Variable("br_mumu", "1", "Br(a -> mu+ mu-)", ("m_a", "c_ff", "c_WW"),
                     lambda m_a, c_ff, c_WW: model.branching_ratios(m_a=m_a, c_ff=c_ff, c_WW=c_WW)["mumu"]),
            Variable("allowed", "1", "B+ -> K+ a open (else masked: no signal)", ("m_a",),
                     lambda m_a: model.is_open(m_a=m_a)),
        )

    def kinematically_open(self, *, m_a):
        return bool(self.model.is_open(m_a=m_a))

    def events(self, masses, n, rng):
        b = Upsilon4S().parents(rng, n)
        return self.model.decay(rng, b, m_a=masses["m_a"]).boosted(belle2.lab_boost(self.option("boost")))


#: Br(a -> final state) that each displaced search counts
_DISPLACED_CHANNELS = {"displaced-ee": ("ee",), "displaced-mumu": ("mumu",), "displaced": ("ee", "mumu")}


class Belle2AlpDisplaced(_AlpScenario):
    name = "belle2-alp-displaced"
    description = "B+ -> K+ a, a -> e+e- / mu+mu- displaced (r > 0.9 cm) at Belle II, seed 001 Fig. 12"
    statistic = "events-2.3"  # seed 001, section 5: 2.3 events, 90% CL, zero background
    signal_factors = ("n_b", "br_production", "br_signal")
    # couplings: "running" (the paper's method, alpaca table) or "fixed" at Lambda (physics.models.alp)
    options = {"volume": tuple(DISPLACED_VOLUMES), "boost": belle2.BOOSTS, "couplings": COUPLINGS}

    def __init__(self, **options):
        super().__init__(**options)
        self.model = model = AlpModel(couplings=self.option("couplings"))
        self.llp_species = {"a": "a"}
        vol = self.option("volume")
        self.searches = tuple(_displaced(label, vol) for label in _DISPLACED_CHANNELS)

        def br_signal(search, m_a, c_ff, c_WW):
            br = model.branching_ratios(m_a=m_a, c_ff=c_ff, c_WW=c_WW)
            return sum(br[ch] for ch in _DISPLACED_CHANNELS[search.label])

        self.variables = self._common_variables() + (
            Variable("br_signal", "1", "Br(a -> the search's lepton pairs)", ("m_a", "c_ff", "c_WW"), br_signal,
                     per_search=True),
            Variable("n_background", "events", "expected background (none: seed 001, section 5)", (),
                     lambda search: np.float64(0.0), per_search=True),
        )

    def acceptance_key(self, search):
        # e e, mu mu and their sum share one geometry (seed 001 sec. 5): a block computes it once
        return dataclasses.replace(search, label="", final_state="")


class Belle2AlpInvisible(_AlpScenario):
    name = "belle2-alp-invisible"
    description = "B+ -> K+ a with the ALP escaping Belle II (K+ + missing energy), seed 001 Figs. 11-12"
    statistic = "poisson-90"  # seed 001, section 4.3
    background = "n_background"
    signal_factors = ("n_b", "efficiency", "br_production")
    # cone: the polar acceptance vetoing decays; background: "paper" (sec. 4.2) or "zero" (the dotted
    # curves of Figs. 11-12: S_90 = 2.303); couplings: "running" (the paper's method) or "fixed" at Lambda
    options = {"cone": tuple(ACCEPTANCE_CONES), "background": ("paper", "zero"), "boost": belle2.BOOSTS,
               "couplings": COUPLINGS}

    def __init__(self, **options):
        super().__init__(**options)
        self.model = AlpModel(couplings=self.option("couplings"))
        self.llp_species = {"a": "a"}
        self.searches = (_invisible(self.option("cone")),)
        zero = self.option("background") == "zero"
        self.variables = self._common_variables() + (
            Variable("efficiency", "1", "signal selection efficiency, seed 001 Table 1", ("m_a",),
                     selection_efficiency),
            Variable("n_background", "events", "expected background after selection (seed 001, sec. 4.2)",
                     ("lumi",), lambda search, lumi: n_background(lumi) * (0.0 if zero else 1.0), per_search=True),
        )


class GenericBToKX(ModelBase):
    """B+ -> K+ X for a generic long-lived (pseudo)scalar X: mass, c tau and Br(B+ -> K+ X) are free."""

    name = "b-to-k-x"
    llps = ("X",)

    def __init__(self):
        m_max = pdg.mass("B+") - pdg.mass("K+")
        self.parameters = (
            Parameter("m_X", "GeV", "mass of X", 0.3, "mass", 0.0, m_max, positive=True),
            Parameter("ctau_X", "m", "proper decay length of X", 1.0, "lifetime", 0.0, positive=True),
            Parameter("br", "1", "Br(B+ -> K+ X)", 1.0, "rate", 0.0, 1.0, positive=True),
        )
        self._alp = AlpModel()

    def ctau(self, *, ctau_X, **_):
        return {"X": np.asarray(ctau_X, dtype=float)}

    def is_open(self, *, m_X, **_):
        return np.asarray(m_X, dtype=float) < pdg.mass("B+") - pdg.mass("K+")

    def decay(self, rng, b_mesons, *, m_X) -> EventSample:
        ev = self._alp.decay(rng, b_mesons, m_a=m_X)
        return EventSample(momenta={"K": ev.momenta["K"], "X": ev.momenta["a"]}, llps=("X",),
                           masses={"m_X": float(m_X)}, llp_masses={"X": float(m_X)})


class Belle2InvisibleBr(Scenario):
    name = "belle2-invisible-br"
    description = "Model-independent 90% CL limit on Br(B+ -> K+ X), X escaping Belle II, seed 001 Fig. 10"
    citation = _AlpScenario.citation
    statistic = "poisson-90"
    background = "n_background"
    limit_on = "br"
    signal_factors = ("n_b", "efficiency", "br_production")
    extra_parameters = (LUMI,)
    options = {k: v for k, v in Belle2AlpInvisible.options.items() if k != "couplings"}  # no ALP model here

    def __init__(self, **options):
        super().__init__(**options)
        self.model = GenericBToKX()
        self.llp_species = {"X": "X"}
        self.searches = (_invisible(self.option("cone")),)
        zero = self.option("background") == "zero"
        self.variables = (
            Variable("n_b", "1", "number of B+ and B- mesons, 2 N(B+B-)", ("lumi",),
                     lambda lumi: 2 * n_bplus_bminus(lumi)),
            Variable("br_production", "1", "Br(B+ -> K+ X)", ("br",), lambda br: np.asarray(br, dtype=float)),
            Variable("efficiency", "1", "signal selection efficiency, seed 001 Table 1", ("m_X",),
                     lambda m_X: selection_efficiency(m_X)),
            Variable("n_background", "events", "expected background after selection (seed 001, sec. 4.2)",
                     ("lumi",), lambda search, lumi: n_background(lumi) * (0.0 if zero else 1.0), per_search=True),
            Variable("allowed", "1", "B+ -> K+ X open (else masked: no signal)", ("m_X",),
                     lambda m_X: self.model.is_open(m_X=m_X)),
        )

    def kinematically_open(self, *, m_X):
        return bool(self.model.is_open(m_X=m_X))

    def events(self, masses, n, rng):
        b = Upsilon4S().parents(rng, n)
        return self.model.decay(rng, b, m_X=masses["m_X"]).boosted(belle2.lab_boost(self.option("boost")))
