r"""Model-independent scenarios: every kind of search run on a generic LLP X, with the limit on its production rate.

Each scenario here takes the search of one paper exactly as that paper's scenario defines it (imported
from its module: geometry, efficiencies, normalisation, backgrounds, statistic) and replaces the model by
a generic one whose axes are the mass(es) m_X, the proper decay length(s) c tau_X and a production rate.
The store then derives the limit on that rate (``limit_on``): rate x n_needed / n_signal, which is
n_needed / (normalisation x efficiency x acceptance) since n_signal is linear in the rate. These are the
tables other people recast their own models onto: a model with production rate R
and lifetime c tau at mass m is excluded where R >= the limit at (m, c tau).

- ``belle2-displaced-br``: B+ -> K+ X, X -> visible at r > 0.9 cm (Ferber, Filimonova, Schäfer &
  Westhoff, arXiv:2201.06580, section 5), 2.3 events: limit on Br(B+ -> K+ X) Br(X -> visible).
- ``belle2-dv-pair-br``: B+ -> K+ Y, Y -> X X, one (1DV) or two (2DV) displaced X (Wang, Zhang & Liu,
  arXiv:2410.00491), 3 events: limit on Br(B+ -> K+ Y) Br(Y -> X X) for Br(X -> signal) = 1.
- ``belle2-monophoton-xsec``, ``stcf-monophoton-xsec``: e+e- -> X + invisible, X -> nu gamma (Zhang, Song,
  Ding & Chen, arXiv:2204.07802), chi^2 = 2.71 per data set: limit on sigma x Br(X -> nu gamma) in fb.
  BESIII is left out: its limit sums chi^2 = S_i^2/(S_i + B_i) over eleven energies, which is not linear
  in the rate, and a single sigma at all energies would not be a model-independent quantity anyway
  (sigma(s) is the model's).
- ``na62-cascade-br``: K+ -> mu+ X1, X1 -> nu X2, X2 -> l+ l- in flight at NA62 (Ballett, Hostert &
  Pascoli, arXiv:1903.07589, section IV.A), 1 event: single-event sensitivity to the product of the
  three branching ratios, per lepton channel.

The invisible search's generic scenario, ``belle2-invisible-br``, lives with its paper
(:mod:`.ferber2022_alp`).
"""

from __future__ import annotations

import numpy as np

from llpscan.detectors.experiments import belle2, na62, stcf
from llpscan.detectors.scenario import Scenario, variable
from llpscan.detectors.scenarios import ballett2020_dark_neutrino as ballett
from llpscan.detectors.scenarios import wang2024_alp_hnl as wang
from llpscan.detectors.scenarios import zhang2022_dipole as zhang
from llpscan.detectors.scenarios.ferber2022_alp import (DISPLACED_VOLUMES, R_MIN_DISPLACED, _BToKScenario,
                                                         _displaced)
from llpscan.detectors.searches.cascade import METHODS, KaonDecayEvents
from llpscan.physics import pdg
from llpscan.physics.models.b_to_k_x import GenericBToKX, GenericBToKYToXX
from llpscan.physics.models.ee_to_x_invisible import PRODUCTIONS, EEToXInvisible
from llpscan.physics.models.k_to_mu_cascade import GenericKToMuCascade
from llpscan.physics.sources import Upsilon4S

__all__ = ["Belle2DisplacedBr", "Belle2DvPairBr", "Belle2MonophotonXsec", "StcfMonophotonXsec", "NA62CascadeBr",
           "CASCADE_LEPTONS"]

_PLOT = {"x": "ctau_X", "y": "br"}


# --- displaced vertex, one LLP: Ferber et al. section 5 ------------------------------------------------
class Belle2DisplacedBr(_BToKScenario):
    """B+ -> K+ X, X decaying displaced (r > 0.9 cm) in the displaced-vertex volume: Ferber et al. section 5.

    The search is the paper's ``displaced`` search itself (``_displaced``: same volume option, same
    0.9 cm, flat efficiency, every decay inside counted), the normalisation its 2 N(B+B-) with
    sigma(B+B-) = 0.54 nb, the events its B+ -> K+ X from the Upsilon(4S) (``_BToKScenario``).
    n_signal = 2 N(B+B-) br acceptance, br = Br(B+ -> K+ X) Br(X -> visible).
    """

    name = "belle2-displaced-br"
    description = ("Model-independent 90% CL limit on Br(B+ -> K+ X) Br(X -> visible), X decaying at r > 0.9 cm "
                   "in Belle II, the displaced search of arXiv:2201.06580 section 5")
    statistic = "events-2.3"  # section 5: 2.3 events, 90% CL, no background
    signal_factors = ("n_b", "br_production")
    limit_on = "br"
    options = {"volume": tuple(DISPLACED_VOLUMES), "boost": belle2.BOOSTS}
    primary_search = "displaced"
    llp_species = {"X": "X"}
    plot = _PLOT

    def __init__(self, **options):
        super().__init__(**options)
        self.model = GenericBToKX(rate="Br(B+ -> K+ X) x Br(X -> visible)",
                                  rate_latex=r"\mathrm{Br}(B^+ \to K^+ X)\,\mathrm{Br}(X \to \mathrm{vis})")
        self.searches = (_displaced("displaced", self.option("volume")),)
        v = DISPLACED_VOLUMES[self.option("volume")]
        self.limit_long_name = (
            "90% CL upper limit (2.3 signal events, no background) on Br(B+ -> K+ X) x Br(X -> visible), "
            f"X from B+ -> K+ X (spin 0: isotropic in the B frame) decaying at r > {100 * R_MIN_DISPLACED:g} cm inside "
            f"{100 * v['z_min']:g} < z < {100 * v['z_max']:g} cm, r < {100 * v['r_max']:g} cm, every such decay "
            "counted (no track acceptance or efficiency, as arXiv:2201.06580 section 5); 2 N(B+B-) B mesons with "
            "sigma(B+B-) = 0.54 nb")

    @variable("1", "Br(B+ -> K+ X) x Br(X -> visible)")
    def br_production(self, br):
        return np.asarray(br, dtype=float)

    @variable("1", "B+ -> K+ X open (else masked: no signal)")
    def allowed(self, m_X):
        return self.model.is_open(m_X=m_X)

    def kinematically_open(self, *, m_X):
        return bool(self.model.is_open(m_X=m_X))


# --- displaced vertices, two LLPs from a prompt parent: Wang, Zhang & Liu ------------------------------
class Belle2DvPairBr(Scenario):
    """B+ -> K+ Y (prompt), Y -> X X, with Wang, Zhang & Liu's 1DV and 2DV searches (arXiv:2410.00491).

    The searches are the paper's :data:`~.wang2024_alp_hnl.BELLE2_1DV` and ``BELLE2_2DV`` (eqs. (6)-(9),
    (11)-(13): fiducial volumes, linear tracking efficiency 1 - r/80 cm), with its eps_PID = 0.1 and
    its 2 N(B+B-) (2.827e10 B+B- pairs in 50 ab^-1). n_signal = 2 N(B+B-) br eps_PID acceptance with
    Br(X -> signal) = 1; a model with Br(X -> the search's final states) = b has n_signal b (1DV, eq. (5))
    or b^2 (2DV, eq. (10)) times this, so its limit is br_limit / b or br_limit / b^2.
    """

    name = "belle2-dv-pair-br"
    description = ("Model-independent 95% CL limit on Br(B+ -> K+ Y) Br(Y -> X X), X displaced, the 1DV and 2DV "
                   "searches of arXiv:2410.00491")
    citation = wang.Belle2AlpHnl.citation
    references = ("Wang2024", "Belle-II:2018jsg", "Belle-II:2010dht", "PDG2024")
    statistic = "events-3"  # section III: 3 signal events, 95% CL, no background
    searches = (wang.BELLE2_1DV, wang.BELLE2_2DV)
    primary_search = wang.Belle2AlpHnl.primary_search
    source = Upsilon4S()
    extra_parameters = (belle2.LUMI,)
    signal_factors = ("n_b", "br_production", "eps_pid")
    limit_on = "br"
    limit_long_name = (
        "95% CL upper limit (3 signal events, no background) on Br(B+ -> K+ Y) x Br(Y -> X X) for a prompt spin-0 Y "
        "and Br(X -> the search's final states) = 1, with the 1DV/2DV fiducial volumes, tracking efficiency "
        "1 - r/80 cm and eps_PID = 0.1 of arXiv:2410.00491; for Br(X -> final states) = b divide it by b (1DV, "
        "eq. 5) or b^2 (2DV, eq. 10)")
    options = {"boost": belle2.BOOSTS}
    llp_species = {"X1": "X", "X2": "X"}  # both X of Y -> X X have the one c tau_X
    plot = _PLOT

    def __init__(self, **options):
        super().__init__(**options)
        self.model = GenericBToKYToXX()

    @variable("1", "number of B+ and B- mesons, 2 N(B+B-)")
    def n_b(self, lumi):
        return 2 * wang.n_bplus_bminus(lumi)  # the 2 of eqs. (5), (10): B+ and B- both decay to K Y

    @variable("1", "Br(B+ -> K+ Y) x Br(Y -> X X)")
    def br_production(self, br):
        return np.asarray(br, dtype=float)

    @variable("1", "particle-identification efficiency (arXiv:2410.00491, below eq. 5)")
    def eps_pid(self):
        return np.float64(wang.EPS_PID)

    @variable("1", "2 m_X < m_Y < m_B - m_K (else masked: no signal)")
    def allowed(self, m_Y, m_X):
        return self.model.is_open(m_Y=m_Y, m_X=m_X)

    def kinematically_open(self, *, m_Y, m_X):
        return bool(self.model.is_open(m_Y=m_Y, m_X=m_X))

    def events(self, masses, n, rng):
        b = self.source.parents(rng, n)
        cm = self.model.decay(rng, b, m_Y=masses["m_Y"], m_X=masses["m_X"])
        return cm.boosted(belle2.lab_boost(self.option("boost")))


# --- monophoton: Zhang, Song, Ding & Chen --------------------------------------------------------------
class _MonophotonXsec(Scenario):
    """e+e- -> X + invisible, X -> nu gamma with the monophoton searches of Zhang et al. (arXiv:2204.07802).

    The searches, their backgrounds and the chi^2 statistic are those of the paper's scenario for the
    same collider (``paper``, built with the same options); n_signal = lumi sigma acceptance, the
    acceptance being eps_det x cuts x P_dec (eqs. (5)-(7)) for the generic X.
    """

    citation = zhang.CITATION
    statistic = "chi2-2.71"  # section II.A: chi^2 = S^2/(S + B) = 2.71, one data set at a time
    background = "n_background"
    signal_factors = ("lumi_data", "sigma_production")
    limit_on = "sigma"
    llp_species = {"N": "X"}  # the monophoton search reads the LLP of the events as "N"
    plot = {"x": "ctau_X", "y": "sigma"}
    paper: type[zhang._DipoleMonophoton]
    collider: zhang.Collider
    sqrt_s_max: float
    where: str  # the decay length and efficiency, for the limit's description

    def __init__(self, **options):
        super().__init__(**options)
        self.model = EEToXInvisible(self.sqrt_s_max)
        paper_options = {k: v for k, v in self.option_values.items() if k in self.paper.options}
        self.paper_scenario = self.paper(**paper_options)
        self.searches = self.paper_scenario.searches
        production = {"dipole": "the dipole-portal polar distribution of eq. (2)",
                      "isotropic": "an isotropic polar distribution"}[self.option("production")]
        momentum = {"cm": "the CM momentum of X as eq. (6)", "lab": "each X's lab momentum"}[self.option("decay_momentum")]
        self.limit_long_name = (
            "95% CL (chi^2 = S^2/(S+B) = 2.71) upper limit in fb on sigma(e+e- -> X + invisible) x Br(X -> nu gamma), "
            f"X recoiling against one massless invisible particle with {production}, the photon isotropic in the "
            f"X rest frame, {self.where} (decay probability with {momentum}); the search's photon cuts and "
            "backgrounds (arXiv:2204.07802)")

    @variable("fb", "sigma(e+e- -> X + invisible) x Br(X -> nu gamma)")
    def sigma_production(self, sigma):
        return np.asarray(sigma, dtype=float)

    @variable("fb^-1", "integrated luminosity of the data set")
    def lumi_data(self, lumi):
        return np.asarray(lumi, dtype=float)

    @variable("fb", "irreducible e+e- -> nu nubar gamma after the search's cuts", per_search=True)
    def sigma_background(self, search, sqrt_s):
        return self.paper_scenario.sigma_background(search, sqrt_s)

    @variable("events", "expected background: eps_det sigma_background lumi + gap background", per_search=True)
    def n_background(self, search, lumi, sqrt_s):
        return self.paper_scenario.n_background(search, lumi, sqrt_s)

    @variable("1", "m_X < sqrt(s) (else masked: no signal)")
    def allowed(self, m_X, sqrt_s):
        return self.model.is_open(m_X=m_X, sqrt_s=sqrt_s)

    def sqrt_s_of(self, masses) -> float:
        return float(masses.get("sqrt_s", self.collider.sqrt_s))

    def kinematically_open(self, **masses):
        return bool(masses["m_X"] < self.sqrt_s_of(masses))

    def events(self, masses, n, rng):
        return self.model.events(rng, n, m_X=float(masses["m_X"]), sqrt_s=self.sqrt_s_of(masses),
                                 production=self.option("production"), beta=self.collider.beta)


class Belle2MonophotonXsec(_MonophotonXsec):
    """Belle II at sqrt(s) = 10.588 GeV: the low-mass, high-mass and bBG searches (section II.A)."""

    name = "belle2-monophoton-xsec"
    description = ("Model-independent 95% CL limit on sigma(e+e- -> X + inv) Br(X -> nu gamma) at Belle II "
                   "(low-mass, high-mass, bBG cuts of arXiv:2204.07802)")
    options = {"production": PRODUCTIONS, "decay_momentum": zhang.Belle2DipoleMonophoton.options["decay_momentum"],
               "gaps": zhang.Belle2DipoleMonophoton.options["gaps"],
               "decay_volume": zhang.Belle2DipoleMonophoton.options["decay_volume"]}
    paper = zhang.Belle2DipoleMonophoton
    primary_search = paper.primary_search
    references = paper.references
    collider = zhang.BELLE2
    sqrt_s_max = zhang.BELLE2.sqrt_s
    extra_parameters = (belle2.LUMI,)
    constants = {"sqrt_s": zhang.BELLE2.sqrt_s}  # one energy: not a parameter

    @property
    def where(self) -> str:
        volume = ("X decaying within l_D = 3 m" if self.option("decay_volume") == "length"
                  else "X decaying before the calorimeter's inner faces")
        return f"sqrt(s) = {self.collider.sqrt_s:.4g} GeV, {volume}, 95% photon efficiency"


class StcfMonophotonXsec(_MonophotonXsec):
    """STCF with the BESIII detector, one data set per sqrt_s (section II.B): the advanced cut."""

    name = "stcf-monophoton-xsec"
    description = ("Model-independent 95% CL limit on sigma(e+e- -> X + inv) Br(X -> nu gamma) at STCF per sqrt(s) "
                   "(advanced cuts of arXiv:2204.07802, BESIII detector)")
    options = {"production": PRODUCTIONS, "decay_momentum": zhang.StcfDipoleMonophoton.options["decay_momentum"]}
    paper = zhang.StcfDipoleMonophoton
    primary_search = paper.primary_search
    references = paper.references
    collider = zhang.STCF
    sqrt_s_max = stcf.SQRT_S_RANGE[1]
    extra_parameters = (stcf.LUMI, stcf.SQRT_S)
    where = "at each sqrt(s) alone, X decaying within l_D = 0.8 m, 100% photon efficiency"


# --- cascade in flight: Ballett, Hostert & Pascoli at NA62 --------------------------------------------
#: the charged lepton of each cascade search's pair (Table I of Ballett et al.)
CASCADE_LEPTONS = {"ee": "e-", "mumu": "mu-"}


class NA62CascadeBr(Scenario):
    r"""K+ -> mu+ X1, X1 -> nu X2, X2 -> l+ l- in flight at NA62: Ballett et al. section IV.A, Table I.

    The searches are the paper scenario's (:mod:`.ballett2020_dark_neutrino`): kaons decaying in
    105-180 m (N_K^Fid and A_beta of Table I per trigger stream), X2 decaying before z = 180 m; the
    events are built as there, with the generic cascade. n_signal = N_K^Fid A_beta br acceptance, where
    the channel is open (m_X2 > 2 m_l); 1 event is the single-event sensitivity of eq. (25). Deep in the
    long-lived regime the acceptance is ~ L^2/(2 lambda_1 lambda_2), so br_limit grows as
    c tau_X1 c tau_X2.
    """

    name = "na62-cascade-br"
    description = ("Model-independent single-event sensitivity to Br(K+ -> mu+ X1) Br(X1 -> nu X2) Br(X2 -> l l) "
                   "at NA62, the cascade search of arXiv:1903.07589 section IV.A")
    citation = ballett.NA62DarkNeutrino.citation
    references = ("Ballett2019", "NA62:CEDAR2023", "PDG2024")
    primary_search = ballett.NA62DarkNeutrino.primary_search
    statistic = "events-1"  # eq. (25): single-event sensitivity, zero background
    limit_on = "br"
    limit_long_name = (
        "single-event sensitivity (1 signal event, no background) to Br(K+ -> mu+ X1) x Br(X1 -> nu X2) x "
        "Br(X2 -> l+ l-), l the search's lepton, for K+ decaying in 105-180 m at NA62 (N_K^Fid and A_beta of "
        "arXiv:1903.07589 Table I), isotropic two-body decays and X2 decaying before z = 180 m")
    options = {"decays": METHODS}
    signal_factors = ("n_k_fid", "a_beta", "br_production", "channel_open")
    source = na62.BEAM
    llp_species = {"X1": "X1", "X2": "X2"}
    plot = {"x": "ctau_X1", "y": "br"}

    def __init__(self, **options):
        super().__init__(**options)
        self.model = GenericKToMuCascade()
        self.searches = ballett.NA62DarkNeutrino(decays=self.option("decays")).searches

    @variable("1", "K+ decays in the fiducial volume, N_K^Fid (Table I)", per_search=True)
    def n_k_fid(self, search):
        return np.float64(search.n_k_fid)

    @variable("1", "flat detector acceptance A_beta (Table I)", per_search=True)
    def a_beta(self, search):
        return np.float64(search.a_beta)

    @variable("1", "Br(K+ -> mu+ X1) x Br(X1 -> nu X2) x Br(X2 -> l+ l-)")
    def br_production(self, br):
        return np.asarray(br, dtype=float)

    @variable("1", "X2 -> the search's lepton pair open, m_X2 > 2 m_l (else no signal)", per_search=True)
    def channel_open(self, search, m_X2):
        return (np.asarray(m_X2, dtype=float) > 2 * pdg.mass(CASCADE_LEPTONS[search.final_state])).astype(float)

    @variable("1", "2 m_e < m_X2 < m_X1 < m_K - m_mu (else masked: no signal)")
    def allowed(self, m_X1, m_X2):
        return self.model.is_open(m_X1=m_X1, m_X2=m_X2).astype(np.int8)

    acceptance_key = ballett.NA62DarkNeutrino.acceptance_key  # ee and mumu: one cascade evaluation

    def kinematically_open(self, *, m_X1, m_X2):
        return bool(self.model.is_open(m_X1=m_X1, m_X2=m_X2))

    def events(self, masses, n, rng):
        """As :meth:`~.ballett2020_dark_neutrino.NA62DarkNeutrino.events`: kaons decaying in 105-180 m, then
        K+ -> mu+ X1 -> mu+ nu X2."""
        kaons = self.source.parents(rng, n)
        z_k = self.source.decay_z(rng.random(n), kaons[:, 3], na62.Z_MIN, na62.Z_MAX)
        uniforms = rng.random((n, 2))
        ev = self.model.decay(rng, kaons, m_X1=masses["m_X1"], m_X2=masses["m_X2"])
        return KaonDecayEvents(momenta=ev.momenta, llps=ev.llps, masses=ev.masses, llp_masses=ev.llp_masses,
                               z_kaon=z_k, uniforms=uniforms)
