"""Cheung, Kim, Kwon, Ouseph, Soffer & Wang (arXiv:2401.03168) at Belle II: B+ -> K+ S, S -> A' A', both A' displaced.

"Probing dark photons from a light scalar at Belle II". Eq. (11): N_S = 2 N(B+B-) Br(B+ -> K+ S)
Br(S -> A'A') sum_{ij} Br_i Br_j eps_track eps_PID,ij, with the tracking efficiency of eqs. (12)-(15)
(both A' in -40 < z < 120 cm, r_min < r < 80 cm, linear efficiency 1 - r/80 cm) and the PID efficiency
the event average of the product of five track efficiencies (section 3.4). Here the channel sum is
folded into per-event weights, weight = w_K+ x sum_{c1, c2} Br_c1(m_A') Br_c2(m_A') w_c1(tracks of A'1)
w_c2(tracks of A'2) f_c1c2 (c in ee, mumu, pipi, KK; f = 1 for longitudinal A', the default, and the
decay-plane correlation of transverse A', option ``polarisation``), so that the acceptance is the event
average of weight x P1 x P2 (``DisplacedVertexSearch``, mode ``both``). Below m_A' = 0.2 GeV the e+e-
vertex must lie in the drift-chamber gas (r > 17 cm, section 3.3): then the weight is split by which A'
decays to e+e- into four groups, each a weighted ``both`` average with its own r_min per A'
(:meth:`Belle2ScalarDarkPhoton.acceptance`). Numbers lost from the text of the paper (its inline maths
did not survive extraction) are reconstructed from the text and its references and marked so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import numpy as np

from llpscan.detectors.experiments import belle2
from llpscan.detectors.geometry import in_polar_range, polar_angle
from llpscan.detectors.scenario import Scenario, Switch, variable
from llpscan.detectors.scenarios.wang2024_alp_hnl import PROMPT_LENGTH, n_bplus_bminus
from llpscan.detectors.searches.displaced import DisplacedAccumulator, DisplacedVertexSearch
from llpscan.physics import pdg
from llpscan.physics.kinematics import EventSample
from llpscan.physics.models import dark_photon
from llpscan.physics.models.dark_scalar import CHANNELS, POLARISATIONS, DarkScalarToDarkPhotons, plane_correlation
from llpscan.physics.sources import Upsilon4S

__all__ = ["TrackPid", "PID", "BELLE2_2DV", "DvCuts", "CUTS", "DarkPhotonEvents", "Belle2ScalarDarkPhoton",
           "pid_efficiency"]


@dataclass(frozen=True)
class TrackPid:
    """Per-track identification efficiencies (sections 3.1 and 3.4).

    pi and K: ``eff_hadron`` inside the drift-chamber polar range; e: ``eff_e`` for p > ``p_min_e``
    inside the drift chamber and calorimeter ranges; mu: ``eff_mu`` for p > ``p_min_mu`` inside
    the muon-identification range. The lepton thresholds (0.5 and 0.7 GeV) stand in for the tables 1, 2
    of the paper's appendix A, lost from its text: reconstructions. Angles in degrees (lab polar angle
    to the solenoid axis), momenta in GeV.
    """

    eff_hadron: float = 0.90  # section 3.4: "90% if within the drift-chamber acceptance"
    eff_e: float = 0.90  # section 3.1: typical electron-ID efficiency
    eff_mu: float = 0.95  # section 3.1: typical muon-ID efficiency
    theta_cdc: tuple[float, float] = belle2.DC_POLAR
    theta_ecl: tuple[float, float] = belle2.ECL_POLAR  # the calorimeter's gaps ignored
    theta_klm: tuple[float, float] = belle2.KLM_MUON_POLAR
    p_min_e: float = 0.5
    p_min_mu: float = 0.7

    def __post_init__(self):
        for name in ("eff_hadron", "eff_e", "eff_mu"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name}={getattr(self, name)} must be in [0, 1]")


PID = TrackPid()


def pid_efficiency(p4, species: str, pid: TrackPid = PID):
    """Identification efficiency (n,) of tracks with lab four-momenta p4 (n, 4).

    ``species``: one of ``e``, ``mu``, ``pi``, ``K``.

    >>> p4 = np.array([[1.0, 0.0, 0.9, 0.1], [1.0, 0.0, 0.0, 0.99]])  # 84 deg and 0 deg
    >>> pid_efficiency(p4, "pi").tolist()
    [0.9, 0.0]
    """
    p = np.linalg.norm(p4[:, 1:], axis=1)
    theta = polar_angle(p4)
    cdc = in_polar_range(theta, pid.theta_cdc)
    if species in ("pi", "K"):
        ok, eff = cdc, pid.eff_hadron
    elif species == "e":
        ok, eff = cdc & in_polar_range(theta, pid.theta_ecl) & (p > pid.p_min_e), pid.eff_e
    elif species == "mu":
        ok, eff = cdc & in_polar_range(theta, pid.theta_klm) & (p > pid.p_min_mu), pid.eff_mu
    else:
        raise ValueError(f"species={species!r}: allowed e, mu, pi, K")
    return np.where(ok, eff, 0.0)


_SPECIES = {"ee": "e", "mumu": "mu", "pipi": "pi", "KK": "K"}


def _group(channel: str) -> str:
    """Which radial cut a channel's vertex needs: the e+e- one or that of the rest."""
    return "ee" if channel == "ee" else "rest"


@dataclass(frozen=True)
class DvCuts:
    """Vertex cuts of section 3.3 that the generic search does not know (lengths in m, masses in GeV).

    The e+e- vertex of an A' lighter than ``ee_gas_below`` must be at r > ``r_min_ee_gas``, inside
    the drift-chamber gas (inner wall at 16 cm, :data:`~llpscan.detectors.experiments.belle2.DC_INNER_RADIUS`);
    m_A' >= ``m_ee_min`` removes photon conversions (the paper's samples start at m_A' = 0.02 GeV).
    The three numbers are reconstructions of values lost from the paper's text.
    """

    r_min_ee_gas: float = 0.17
    ee_gas_below: float = 0.2
    m_ee_min: float = 0.02
    # option vetoes="on" (section 3.3; not in the paper's curves): drop pi pi vertices with m_pipi
    # within ``veto_window`` of m_K_S, and the e+e- channel when m_S is within it of m_pi0 or m_eta
    # (photon conversions from B -> K pi0/eta); "about 10 MeV" is the paper's width for the pi0
    veto_window: float = 0.010


CUTS = DvCuts()

#: eqs. (12)-(15): both A' decay in -40 < z < 120 cm, 1 cm < r < 80 cm ("as in BaBar 2015", whose
#: displaced-vertex search, PRL 114 (2015) 171801, used 1 cm < rho < 50 cm), linear tracking efficiency
#: 1 - r/80 cm
BELLE2_2DV = DisplacedVertexSearch(
    "2DV", "both", r_min=0.01, efficiency_r0=belle2.DV_EFFICIENCY_R0, final_state="2DV", **belle2.DV_VOLUME
)


@dataclass(frozen=True)
class DarkPhotonEvents(EventSample):
    """An :class:`EventSample` whose weights are also kept split by the vertex cut each A' needs:
    ``groups[(g1, g2)]`` (n,) for A'1 in group g1 and A'2 in group g2, g = ``"ee"`` (e+e-) or ``"rest"``
    (mu mu, pi pi, K K), K+ identification included; ``weights`` is their sum."""

    groups: dict = field(default_factory=dict)


class Belle2ScalarDarkPhoton(Scenario):
    name = "belle2-scalar-darkphoton"
    description = "B+ -> K+ S, S -> A'A', both A' -> 2 tracks displaced at Belle II (2DV, per-track PID)"
    citation = ("K. Cheung, Y. Kim, Y. Kwon, C. J. Ouseph, A. Soffer, Z. S. Wang, Probing dark photons from a "
                "light scalar at Belle II, arXiv:2401.03168")
    statistic = "events-3"  # section 4: 3 signal events, 95% CL, no background
    searches = (BELLE2_2DV,)
    primary_search = "2DV"
    references = ("Cheung2024", "Winkler:2018qyg", "Araki:2020wkq", "Ball:2004ye", "Fabbrichesi:2020wbt",
                  "Ilten:2018crw", "Bruch2004", "BaBar:2015jvu", "Belle-II:2018jsg", "Belle-II:2010dht", "PDG2024")
    # physics/models/dark_photon.py: the multi-hadron continuum is switched on smoothly over 1.0-1.6 GeV
    # (its least certain part, about 30%); the curves change slope there
    switches = (Switch("m_Ap", dark_photon._E_ON, "dark-photon R: multi-hadron continuum switched on from "
                       f"{dark_photon._E_ON:g} GeV (full QPM at {dark_photon._E_FULL:g} GeV)"),)
    source = Upsilon4S()
    extra_parameters = (belle2.LUMI,)
    signal_factors = ("n_b", "br_production")  # Br_c and PID are per-event weights of the acceptance
    # vector_mesons: the A' kaon form factors, "minimal" (rho, omega, phi: the default, as before) or
    # "extended" (with the radial excitations of Bruch, Khodjamirian & Kuhn, hep-ph/0409080 eq. (64))
    options = {"polarisation": POLARISATIONS, "vetoes": ("off", "on"), "boost": belle2.BOOSTS,
               "vector_mesons": dark_photon.VECTOR_MESONS}
    llp_species = {"Ap1": "Ap", "Ap2": "Ap"}

    def __init__(self, pid: TrackPid = PID, cuts: DvCuts = CUTS, **options):
        super().__init__(**options)
        self.pid, self.cuts = pid, cuts
        self.model = DarkScalarToDarkPhotons(vector_mesons=self.option("vector_mesons"))

    @variable("1", "number of B+ and B- mesons, 2 N(B+B-)")
    def n_b(self, lumi):
        # the 2 of eq. (11): B+ and B- both decay to K S; the paper's own N(B+B-) is lost from its text,
        # and that of Wang, Zhang & Liu (2.827e10 at 50 ab^-1) is used
        return 2 * n_bplus_bminus(lumi)

    @variable("1", "Br(B+ -> K+ S) Br(S -> A'A')")
    def br_production(self, m_S, sin_theta):
        return self.model.br_production(m_S=m_S, sin_theta=sin_theta)

    @variable("m", "proper decay length of the dark photon")
    def ctau_Ap(self, m_Ap, eps):
        return self.model.ctau(m_Ap=m_Ap, eps=eps)["Ap"]

    @variable("1", "Br(A' -> e+ e-)")
    def br_ee(self, m_Ap):
        return self.model.branching_ratios(m_Ap)["ee"]

    @variable("1", "Br(A' -> mu+ mu-)")
    def br_mumu(self, m_Ap):
        return self.model.branching_ratios(m_Ap)["mumu"]

    @variable("1", "Br(A' -> pi+ pi-)")
    def br_pipi(self, m_Ap):
        return self.model.branching_ratios(m_Ap)["pipi"]

    @variable("1", "Br(A' -> K+ K-)")
    def br_KK(self, m_Ap):
        return self.model.branching_ratios(m_Ap)["KK"]

    @variable("1", "A'A' open, S prompt, m_A' above the conversion cut (else masked)")
    def allowed(self, m_S, m_Ap, g_D):
        """B+ -> K+ S and S -> A'A' open, S prompt (section 2: beta*gamma*c*tau_S < 1 mm for the fastest
        S, the convention of Wang, Zhang & Liu), m_A' >= m_ee_min."""
        m = self.model
        open_ = m.is_open(m_S=m_S, m_Ap=m_Ap)
        bg = m.scalar_beta_gamma_max(m_S=m_S, beta_gamma_cm=belle2.BETA_GAMMA)
        with np.errstate(invalid="ignore", divide="ignore"):
            prompt = bg * m.ctau_scalar(m_S=m_S, m_Ap=m_Ap, g_D=g_D) < PROMPT_LENGTH
        return open_ & prompt & (np.asarray(m_Ap) >= self.cuts.m_ee_min)

    def kinematically_open(self, *, m_S, m_Ap):
        return bool(self.model.is_open(m_S=m_S, m_Ap=m_Ap))

    def events(self, masses, n, rng):
        b = self.source.parents(rng, n)
        m_Ap = masses["m_Ap"]
        cm = self.model.decay(rng, b, m_S=masses["m_S"], m_Ap=m_Ap, polarisation=self.option("polarisation"))
        lab = cm.boosted(belle2.lab_boost(self.option("boost")))
        return self.weighted(lab, m_Ap, masses["m_S"])

    def vetoed(self, m_S: float, m_Ap: float) -> set[str]:
        """Channels removed by the mass vetoes of section 3.3 (option ``vetoes``; none by default)."""
        if self.option("vetoes") == "off":
            return set()
        win = self.cuts.veto_window
        out = set()
        if abs(m_Ap - pdg.mass("K(S)0")) < win:
            out.add("pipi")
        if min(abs(m_S - pdg.mass("pi0")), abs(m_S - pdg.mass("eta"))) < win:
            out.add("ee")
        return out

    def weighted(self, lab: EventSample, m_Ap: float, m_S: float | None = None) -> DarkPhotonEvents:
        """The sample with per-event weights (eq. (11) with PID per track, section 3.4):

            w_K+ x sum_{c1, c2} Br_c1 Br_c2 w_c1(tracks of A'1) w_c2(tracks of A'2) x f_c1c2,

        f = 1 for longitudinal A' (a product of per-A' sums) and the decay-plane correlation
        :func:`~physics.models.dark_scalar.plane_correlation` for transverse A'. Vetoed or closed
        channels contribute 0. Only K, S, Ap1, Ap2 are kept (the tracks are not needed any more).
        """
        br = self.model.branching_ratios(np.float64(m_Ap))
        vetoed = self.vetoed(m_S, m_Ap) if m_S is not None else set()
        mom = lab.momenta
        per_ap = []  # per A': channel -> Br_c x PID of its two tracks
        for i in (1, 2):
            parts = {}
            for channel in CHANNELS:
                key = f"Ap{i}_{channel}_1"
                if key not in mom or channel in vetoed or br[channel] == 0:
                    continue
                sp = _SPECIES[channel]
                w = pid_efficiency(mom[key], sp, self.pid) * pid_efficiency(mom[f"Ap{i}_{channel}_2"], sp, self.pid)
                parts[channel] = float(br[channel]) * w
            per_ap.append(parts)
        kaon = pid_efficiency(mom["K"], "K", self.pid)
        transverse = self.option("polarisation") == "transverse"
        groups = {(g1, g2): np.zeros(lab.n_events) for g1 in ("ee", "rest") for g2 in ("ee", "rest")}
        for c1, w1 in per_ap[0].items():
            for c2, w2 in per_ap[1].items():
                w = kaon * w1 * w2
                if transverse:
                    w = w * plane_correlation(mom, c1, c2, m_Ap)
                groups[(_group(c1), _group(c2))] += w
        weights = sum(groups.values())
        keep = {k: mom[k] for k in ("K", "S", "Ap1", "Ap2")}
        return DarkPhotonEvents(momenta=keep, llps=lab.llps, masses=lab.masses, llp_masses=lab.llp_masses,
                                weights=weights, groups=groups)

    def channel_groups(self, m_S: float, m_Ap: float) -> list[tuple[str, str]]:
        """The weight groups (g1, g2) of :class:`DarkPhotonEvents` that can be non-zero at these masses:
        those of the channels that are open (2 m_track < m_A'), not vetoed and with Br > 0, in the
        order of :meth:`weighted`'s ``groups``."""
        br = self.model.branching_ratios(np.float64(m_Ap))  # the vector_mesons option's, as weighted()
        vetoed = self.vetoed(m_S, m_Ap)
        live = {_group(c) for c, name in CHANNELS.items()
                if 2 * pdg.mass(name) < m_Ap and c not in vetoed and br[c] != 0}
        return [(g1, g2) for g1 in ("ee", "rest") for g2 in ("ee", "rest") if g1 in live and g2 in live]

    def accumulator(self, search, params):
        """The acceptance over the lifetime points of ``params``, fed with event batches.

        Where the ee cut applies (m_A' < ``ee_gas_below``), the event probability is
        sum_{g1, g2} W_g1g2 P1(r_min of g1) P2(r_min of g2) over the weight groups of
        :class:`DarkPhotonEvents`; each term is a weighted 'both' average. Its error is the sum of
        the terms' errors (an upper bound: the terms share events).
        """
        m_Ap = float(np.asarray(params["m_Ap"]).ravel()[0])
        if m_Ap >= self.cuts.ee_gas_below:
            return super().accumulator(search, params)
        m_S = float(np.asarray(params["m_S"]).ravel()[0])
        r_min = {"ee": max(search.r_min, self.cuts.r_min_ee_gas), "rest": search.r_min}
        return _GroupedAccumulator(search, self.lifetime_rows(tuple(self.llp_species), params), r_min,
                                   self.channel_groups(m_S, m_Ap), m_Ap, self.cuts.ee_gas_below)


class _GroupedAccumulator:
    """One 'both' average per weight group, each A' with the radial cut of its group (see
    :meth:`Belle2ScalarDarkPhoton.accumulator`); the mean and error are the sums over groups."""

    def __init__(self, search, rows, r_min, groups, m_Ap, below):
        self.search, self.r_min, self.m_Ap, self.below = search, r_min, m_Ap, below
        self.parts = {g: DisplacedAccumulator(rows, search.mode, search.efficiency_r0) for g in groups}
        self.n = rows.shape[1]

    def add(self, events) -> None:
        if not isinstance(events, DarkPhotonEvents) or not events.groups:
            # without the weight groups the e+e- vertices would silently get r > r_min instead of 17 cm
            raise ValueError(f"m_A' = {self.m_Ap:g} GeV < {self.below:g} GeV needs the weight groups of "
                             "DarkPhotonEvents (from events() or weighted()) for the e+e- radial cut")
        for (g1, g2), acc in self.parts.items():
            acc.add(events, self.search.volume, r_min=(self.r_min[g1], self.r_min[g2]), weights=events.groups[(g1, g2)])

    def result(self):
        mean = np.zeros(self.n)
        err = np.zeros(self.n)
        for acc in self.parts.values():
            m, e = acc.result()
            mean += m
            err += e
        return mean, err
