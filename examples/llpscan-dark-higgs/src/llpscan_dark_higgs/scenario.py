"""The dark Higgs at Belle II: B+ -> K+ S, S -> mu+ mu- or e+ e- at a displaced vertex.

The search of Ferber, Filimonova, Schäfer & Westhoff (arXiv:2201.06580, section 5), which follows
Filimonova, Schäfer & Westhoff (arXiv:1911.03490) for this very model: an S decay with a transverse
displacement above 0.9 cm inside Belle II's displaced-vertex volume (-40 < z < 120 cm, r < 80 cm), no
background, 2.3 signal events for a 90% CL exclusion, 50 ab^-1. The number of signal events is

    N = 2 N(B+B-) Br(B+ -> K+ S) Br(S -> l+ l-) P(decay in the volume),

with N(B+B-) = sigma(e+e- -> B+B-) L and sigma = 0.54 nb (the Belle II number llpscan's
:mod:`~llpscan.detectors.experiments.belle2` holds). Only llpscan's public building blocks are used:
:class:`~llpscan.detectors.scenario.Scenario` and :func:`~llpscan.detectors.scenario.variable`, a
:class:`~llpscan.detectors.searches.DisplacedVertexSearch`, the Belle II numbers, the Upsilon(4S) source.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from llpscan.detectors.experiments import belle2
from llpscan.detectors.scenario import Scenario, variable
from llpscan.detectors.searches import DisplacedVertexSearch
from llpscan.physics.sources import Upsilon4S

from llpscan_dark_higgs import widths
from llpscan_dark_higgs.model import DarkHiggs

__all__ = ["R_MIN", "CHANNELS", "Belle2DarkHiggs"]

#: minimum transverse displacement of the S decay (m), Ferber et al. arXiv:2201.06580 section 5
R_MIN = 0.009
#: the lepton pairs each search counts; "displaced" is their sum (the combined search)
CHANNELS = {"displaced-mumu": ("mumu",), "displaced-ee": ("ee",), "displaced": ("ee", "mumu")}


class Belle2DarkHiggs(Scenario):
    """B+ -> K+ S, S -> l+ l- displaced at Belle II: 2.3-event reach in (m_S, sin^2 theta)."""

    name = "belle2-dark-higgs"
    description = "Dark Higgs B+ -> K+ S, S -> mu+mu- / e+e- displaced (r > 0.9 cm) at Belle II"
    citation = ("Filimonova, Schäfer & Westhoff, arXiv:1911.03490 (the model and search); the search "
                "geometry of Ferber, Filimonova, Schäfer & Westhoff, arXiv:2201.06580, section 5")
    statistic = "events-2.3"  # zero background, 90% CL
    signal_factors = ("n_b", "br_production", "br_signal")
    extra_parameters = (belle2.LUMI,)
    llp_species = {"S": "S"}
    plot = {"x": "m_S", "y": "sin2_theta"}
    primary_search = "displaced"  # e+e- and mu+mu- together: the curve tables and exports show
    # BibTeX keys of llpscan's bibliography (llpscan cite STORE prints them): the search, its geometry,
    # the widths (Winkler; Boiarska et al. for B -> K S)
    references = ("Filimonova2019", "Ferber2022", "Winkler:2018qyg", "Boiarska:2019jym")
    options = {"boost": belle2.BOOSTS}
    source = Upsilon4S()

    def __init__(self, **options):
        super().__init__(**options)
        self.model = DarkHiggs()
        volume = belle2.DV_VOLUME
        self.searches = tuple(
            DisplacedVertexSearch(label, "single", r_min=R_MIN, efficiency_r0=math.inf, final_state=label,
                                  **volume)
            for label in CHANNELS)

    def kinematically_open(self, *, m_S):
        return bool(self.model.is_open(m_S=m_S))

    def events(self, masses, n, rng):
        b = self.source.parents(rng, n)
        return self.model.decay(rng, b, m_S=masses["m_S"]).boosted(belle2.lab_boost(self.option("boost")))

    def acceptance_key(self, search):
        # the three searches share one geometry: a block evaluates the decay probability once
        return dataclasses.replace(search, label="", final_state="")

    @variable("1", "number of B+ and B- mesons, 2 sigma(e+e- -> B+B-) L")
    def n_b(self, lumi):
        return 2 * belle2.SIGMA_BPLUS_BMINUS_FB * np.asarray(lumi, dtype=float)

    @variable("1", "Br(B+ -> K+ S) (Winkler, arXiv:1809.01876)")
    def br_production(self, m_S, sin2_theta):
        return self.model.br_production(m_S=m_S, sin2_theta=sin2_theta)

    @variable("1", "Br(S -> the search's lepton pairs)", per_search=True)
    def br_signal(self, search, m_S):
        br = widths.branching_ratios(m_S)
        return sum(br[ch] for ch in CHANNELS[search.label])

    @variable("m", "proper decay length of S")
    def ctau_S(self, m_S, sin2_theta):
        return self.model.ctau(m_S=m_S, sin2_theta=sin2_theta)["S"]

    @variable("1", "Br(S -> mu+ mu-)")
    def br_mumu(self, m_S):
        return widths.br_mumu(m_S)

    @variable("1", "Br(S -> e+ e-)")
    def br_ee(self, m_S):
        return widths.br_ee(m_S)

    @variable("1", "B+ -> K+ S open (else masked: no signal)")
    def allowed(self, m_S):
        return self.model.is_open(m_S=m_S)
