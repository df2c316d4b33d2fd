"""Seed 000 at Belle II: B+ -> K+ a, a -> N N, with one (1DV) or two (2DV) displaced N vertices.

Wang, Zhang & Liu (2024). Rate eqs. (5) and (10):
N_S = 2 N_{B+B-} Br(B+ -> K+ a) Br(a -> N N) eps_tracks eps_PID Br(N -> signal)^(1 or 2).
"""

from __future__ import annotations

import numpy as np

from llpscan.detectors import belle2
from llpscan.detectors.scenario import Scenario, Variable
from llpscan.detectors.searches import DisplacedVertexSearch
from llpscan.physics.model import Parameter
from llpscan.physics.models.alp_hnl import AlpToHnl
from llpscan.physics.sources import Upsilon4S

__all__ = ["BELLE2_1DV", "BELLE2_2DV", "EPS_PID", "PROMPT_LENGTH", "Belle2AlpHnl"]

#: seed 000, eqs. (6)-(9): exactly one N decays in -40 < z < 120 cm, 10 < r < 80 cm
BELLE2_1DV = DisplacedVertexSearch(
    "1DV", "exactly_one", r_min=0.10, efficiency_r0=belle2.DV_EFFICIENCY_R0, final_state="1DV", **belle2.DV_VOLUME
)
#: seed 000, eqs. (11)-(13): both N decay in -40 < z < 120 cm, 1 < r < 80 cm
BELLE2_2DV = DisplacedVertexSearch(
    "2DV", "both", r_min=0.01, efficiency_r0=belle2.DV_EFFICIENCY_R0, final_state="2DV", **belle2.DV_VOLUME
)
# Signal definitions of section III: channel -> factor that multiplies its width.
BR_TAU_3PRONG = 0.1455  # tau -> 3 prongs, the value the paper uses (its ref. [5], PDG)
BR_D_3PI = 0.1525  # D+ -> pi+ pi+ pi- X, BESIII PRD 107 (2023) 032002, arXiv:2301.03214: 15.25(20)%
BR_DS_3PI = 0.3281  # Ds+ -> pi+ pi+ pi- X, BESIII arXiv:2212.13072: 32.81(89)%
#: 1DV: the tau and the D(s) must give >= 3 charged pions
SIGNAL_1DV = {"e tau nu": BR_TAU_3PRONG, "e rho": 1.0, "e K": 1.0, "e D": BR_D_3PI, "e Ds": BR_DS_3PI}
#: 2DV: every two-track state of section III except e+ e- nu_e. The tau and the D(s) count as one track
#: at the N vertex, as in the paper (no daughter branching fraction): factor 1. e D* and e Ds* are kept:
#: section III drops the excited D "for simplicity" in the 1DV discussion only (they are 1.7% of the
#: width at 2.3 GeV).
SIGNAL_2DV = {k: 1.0 for k in ("e mu nu", "e tau nu", "mu mu nu", "e pi", "e rho", "e K", "e K*",
                               "e D", "e Ds", "e D*", "e Ds*")}
SIGNAL = {"1DV": SIGNAL_1DV, "2DV": SIGNAL_2DV}
#: Br(N -> signal) enters once for 1DV (eq. 5) and squared for 2DV (eq. 10)
N_VERTICES = {"1DV": 1, "2DV": 2}
#: seed 000, below eq. (5): flat particle-identification efficiency
EPS_PID = 0.1
#: seed 000 studies a promptly decaying ALP (section II); physics-notes 000 makes it concrete: the ALP
#: is "not prompt" where beta*gamma*c*tau_a > 1 mm, and such points are masked
PROMPT_LENGTH = 1e-3  # m

LUMI = Parameter("lumi", "fb^-1", "integrated luminosity", 5e4, "rate", positive=True)


class Belle2AlpHnl(Scenario):
    name = "belle2-alp-hnl"
    description = "B+ -> K+ a, a -> N N, N -> visible (|V_eN|^2) displaced at Belle II: 1DV and 2DV"
    citation = "Z. S. Wang, Y. Zhang, W. Liu, Long-lived sterile neutrinos from an axionlike particle at Belle II (2024)"
    statistic = "events-3"  # seed 000, section III: 3 signal events, 95% CL, no background
    searches = (BELLE2_1DV, BELLE2_2DV)
    extra_parameters = (LUMI,)
    signal_factors = ("n_b", "br_production", "eps_pid", "br_signal")
    options = {"boost": belle2.BOOSTS}

    def __init__(self, **options):
        super().__init__(**options)
        self.llp_species = {"N1": "N", "N2": "N"}  # both N of a -> N N have the model's N lifetime
        self.model = model = AlpToHnl()
        self.variables = (
            # the 2 of eqs. (5), (10): B+ and B- both decay to K a
            Variable("n_b", "1", "number of B+ and B- mesons, 2 N(B+B-)", ("lumi",),
                     lambda lumi: 2 * belle2.n_bplus_bminus(lumi)),
            Variable("br_production", "1", "Br(B+ -> K+ a) Br(a -> N N)", ("m_a", "g_bs"),
                     lambda m_a, g_bs: model.br_production(m_a=m_a, g_bs=g_bs)),
            Variable("eps_pid", "1", "particle-identification efficiency", (), lambda: np.float64(EPS_PID)),
            Variable("br_signal", "1", "Br(N -> signal) to the power of the number of vertices", ("m_N",),
                     lambda search, m_N: model.branching_fraction(m_N, SIGNAL[search.final_state]) ** N_VERTICES[search.label],
                     per_search=True),
            Variable("ctau_N", "m", "proper decay length of N", ("m_N", "V2"),
                     lambda m_N, V2: model.ctau(m_N=m_N, V2=V2)["N"]),
            Variable("ctau_a", "m", "proper decay length of the ALP", ("m_a", "m_N", "g_N"),
                     lambda m_a, m_N, g_N: model.ctau_alp(m_a=m_a, m_N=m_N, g_N=g_N)),
            Variable("allowed", "1", "kinematically open and prompt ALP (else masked: no signal)",
                     ("m_a", "m_N", "g_N"), self.allowed),
        )

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
        b = Upsilon4S().parents(rng, n)
        cm = self.model.decay(rng, b, m_a=masses["m_a"], m_N=masses["m_N"])
        return cm.boosted(belle2.lab_boost(self.option("boost")))
