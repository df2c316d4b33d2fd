"""Wang, Zhang & Liu (arXiv:2410.00491) at Belle II: B+ -> K+ a, a -> N N, one (1DV) or two (2DV) displaced N.

"Long-lived sterile neutrinos from an axionlike particle at Belle II". Rate, eqs. (5) and (10):
N_S = 2 N(B+B-) Br(B+ -> K+ a) Br(a -> N N) eps_tracks eps_PID Br(N -> signal)^(1 or 2), with the
tracking efficiency in the acceptance (eqs. (6)-(9), (11)-(13)) and the signal final states of section
III as weighted HNL decay channels.
"""

from __future__ import annotations

import numpy as np

from llpscan.detectors.experiments import belle2
from llpscan.detectors.scenario import Scenario, Switch, variable
from llpscan.detectors.searches import DisplacedVertexSearch
from llpscan.physics.kinematics import EventSample
from llpscan.physics.models.alp_hnl import AlpToHnl
from llpscan.physics.sources import Upsilon4S

__all__ = ["N_BPLUS_BMINUS_PER_FB", "n_bplus_bminus", "BELLE2_1DV", "BELLE2_2DV", "SIGNAL", "N_VERTICES",
           "EPS_PID", "PROMPT_LENGTH", "HADRONIC_SWITCH", "Belle2AlpHnl"]

#: section VI: 2.827e10 e+e- -> B+B- events for 50 ab^-1 = 5e4 fb^-1
N_BPLUS_BMINUS_PER_FB = 2.827e10 / 5e4


def n_bplus_bminus(lumi_fb):
    """Number of B+B- pairs for an integrated luminosity in fb^-1 (section VI)."""
    return N_BPLUS_BMINUS_PER_FB * np.asarray(lumi_fb, dtype=float)


#: eqs. (6)-(9): exactly one N decays in -40 < z < 120 cm, 10 < r < 80 cm
BELLE2_1DV = DisplacedVertexSearch(
    "1DV", "exactly_one", r_min=0.10, efficiency_r0=belle2.DV_EFFICIENCY_R0, final_state="1DV", **belle2.DV_VOLUME
)
#: eqs. (11)-(13): both N decay in -40 < z < 120 cm, 1 < r < 80 cm
BELLE2_2DV = DisplacedVertexSearch(
    "2DV", "both", r_min=0.01, efficiency_r0=belle2.DV_EFFICIENCY_R0, final_state="2DV", **belle2.DV_VOLUME
)

# Signal definitions of section III: HNL decay channel -> factor that multiplies its width.
BR_TAU_3PRONG = 0.1455  # tau -> 3 prongs, the value the paper uses (its ref. [5], PDG)
BR_D_3PI = 0.1525  # D+ -> pi+ pi+ pi- X, BESIII PRD 107 (2023) 032002, arXiv:2301.03214: 15.25(20)%
BR_DS_3PI = 0.3281  # Ds+ -> pi+ pi+ pi- X, BESIII arXiv:2212.13072: 32.81(89)%
#: by final state: 1DV, the tau and the D(s) must give >= 3 charged pions; 2DV, every two-track
#: state of section III except e+ e- nu_e, the tau and the D(s) counting as one track at the N vertex
#: as in the paper (factor 1). e D* and e Ds* are kept in 2DV: section III drops the excited D "for
#: simplicity" in the 1DV discussion only (they are 1.7% of the width at 2.3 GeV).
SIGNAL = {
    "1DV": {"e tau nu": BR_TAU_3PRONG, "e rho": 1.0, "e K": 1.0, "e D": BR_D_3PI, "e Ds": BR_DS_3PI},
    "2DV": dict.fromkeys(("e mu nu", "e tau nu", "mu mu nu", "e pi", "e rho", "e K", "e K*", "e D", "e Ds",
                          "e D*", "e Ds*"), 1.0),
}
#: Br(N -> signal) enters once for 1DV (eq. 5) and squared for 2DV (eq. 10)
N_VERTICES = {"1DV": 1, "2DV": 2}
#: below eq. (5): flat particle-identification efficiency
EPS_PID = 0.1
#: section II studies a promptly decaying ALP; concretely the ALP is "not prompt" where
#: beta*gamma*c*tau_a > 1 mm for its fastest direction, and such points are masked
PROMPT_LENGTH = 1e-3  # m
#: option ``hadrons``: where the HNL's hadronic width switches from the exclusive single-meson channels
#: to the QCD-corrected inclusive quark width (GeV). "bbgr-2gev" (the default): 2.0 GeV, where
#: Bondarenko, Boyarsky, Gorbunov & Ruchayskiy (arXiv:1805.08567, sec. 3.2) find the quark picture
#: reliable; "hnlcalc-1gev": 1.0 GeV, the switch of HNLCalc (Feng, Hewitt, Kling & La Rocco,
#: arXiv:2405.07330; its total width takes the quark channels for m_N > 1 GeV). The paper does not say.
HADRONIC_SWITCH = {"bbgr-2gev": 2.0, "hnlcalc-1gev": 1.0}


class Belle2AlpHnl(Scenario):
    name = "belle2-alp-hnl"
    description = "B+ -> K+ a, a -> N N, N -> visible (|V_eN|^2) displaced at Belle II: 1DV and 2DV"
    citation = ("Z. S. Wang, Y. Zhang, W. Liu, Long-lived sterile neutrinos from an axionlike particle at "
                "Belle II, arXiv:2410.00491")
    statistic = "events-3"  # section III: 3 signal events, 95% CL, no background
    searches = (BELLE2_1DV, BELLE2_2DV)
    source = Upsilon4S()
    extra_parameters = (belle2.LUMI,)
    signal_factors = ("n_b", "br_production", "eps_pid", "br_signal")
    options = {"boost": belle2.BOOSTS, "hadrons": tuple(HADRONIC_SWITCH)}
    # section III: 1DV (exactly one displaced N) is the search the paper leads with; 2DV is drawn beside it
    primary_search = "1DV"
    # BibTeX keys (llpscan/references.bib): the paper, the HNL widths and form factors behind it
    # (Coloma et al. arXiv:2007.03701, cited in physics/models/hnl.py, is left out: references.bib flags its
    # arXiv number as unverified; HNLCalc, Feng et al. arXiv:2405.07330, only with hadrons=hnlcalc-1gev)
    references = ("Wang2024", "Bondarenko2018", "Atre:2009rg", "Gorbunov:2007ak", "FLAG2021",
                  "Bharucha2015", "Ball:2004ye", "Belle-II:2018jsg", "Belle-II:2010dht", "PDG2024")
    llp_species = {"N1": "N", "N2": "N"}  # both N of a -> N N have the model's N lifetime

    def __init__(self, **options):
        super().__init__(**options)
        self.model = AlpToHnl(m_inclusive=HADRONIC_SWITCH[self.option("hadrons")])
        if self.option("hadrons") == "hnlcalc-1gev":
            self.references = (*type(self).references, "Feng2024")

    @property
    def switches(self):
        """physics/models/hnl.py: the hadronic width switches from exclusive mesons to inclusive quarks
        at the ``hadrons`` option's mass."""
        value = HADRONIC_SWITCH[self.option("hadrons")]
        source = ("Bondarenko et al., arXiv:1805.08567" if self.option("hadrons") == "bbgr-2gev"
                  else "HNLCalc, Feng et al., arXiv:2405.07330")
        return (Switch("m_N", value, f"HNL hadronic width: exclusive mesons below {value:g} GeV, inclusive "
                       f"quarks with QCD corrections above (option hadrons; {source})"),)

    @variable("1", "number of B+ and B- mesons, 2 N(B+B-)")
    def n_b(self, lumi):
        return 2 * n_bplus_bminus(lumi)  # the 2 of eqs. (5), (10): B+ and B- both decay to K a

    @variable("1", "Br(B+ -> K+ a) Br(a -> N N)")
    def br_production(self, m_a, g_bs):
        return self.model.br_production(m_a=m_a, g_bs=g_bs)

    @variable("1", "particle-identification efficiency")
    def eps_pid(self):
        return np.float64(EPS_PID)

    @variable("1", "Br(N -> signal) to the power of the number of vertices", per_search=True)
    def br_signal(self, search, m_N):
        return self.model.branching_fraction(m_N, SIGNAL[search.final_state]) ** N_VERTICES[search.label]

    @variable("m", "proper decay length of N")
    def ctau_N(self, m_N, V2):
        return self.model.ctau(m_N=m_N, V2=V2)["N"]

    @variable("m", "proper decay length of the ALP")
    def ctau_a(self, m_a, m_N, g_N):
        return self.model.ctau_alp(m_a=m_a, m_N=m_N, g_N=g_N)

    @variable("1", "kinematically open and prompt ALP (else masked: no signal)")
    def allowed(self, m_a, m_N, g_N):
        """Open phase space and a prompt ALP: beta*gamma*c*tau_a < 1 mm for the fastest ALP."""
        m = self.model
        open_ = m.is_open(m_a=m_a, m_N=m_N)
        bg = m.alp_beta_gamma_max(m_a=m_a, beta_gamma_cm=belle2.BETA_GAMMA)
        with np.errstate(invalid="ignore", divide="ignore"):
            prompt = bg * m.ctau_alp(m_a=m_a, m_N=m_N, g_N=g_N) < PROMPT_LENGTH
        return open_ & prompt

    def kinematically_open(self, *, m_a, m_N):
        return bool(self.model.is_open(m_a=m_a, m_N=m_N))

    def events(self, masses, n, rng):
        """Lab-frame K, a, N1, N2: :meth:`events_reference`'s events, bit for bit, from the fused chain
        (:func:`llpscan.physics.chains.upsilon4s_chain`, 3-5x faster)."""
        from llpscan.physics.chains import upsilon4s_chain

        m_a, m_N = float(masses["m_a"]), float(masses["m_N"])
        p = upsilon4s_chain(rng, n, m_a, m_N, beta=belle2.lab_boost(self.option("boost")))
        return EventSample(momenta={"K": p["K"], "a": p["X"], "N1": p["Y1"], "N2": p["Y2"]}, llps=("N1", "N2"),
                           masses={"m_a": m_a, "m_N": m_N}, llp_masses={"N1": m_N, "N2": m_N})

    def events_reference(self, masses, n, rng):
        """The events composed from the source, the model's decays and the lab boost (numpy)."""
        b = self.source.parents(rng, n)
        cm = self.model.decay(rng, b, m_a=masses["m_a"], m_N=masses["m_N"])
        return cm.boosted(belle2.lab_boost(self.option("boost")))
