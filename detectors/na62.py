r"""NA62: K+ decays in flight, and the dark-neutrino cascade search of seed 004 (section IV.A).

Geometry and beam (NA62, arXiv:2312.17188, section 1; physics-notes "Detector numbers"): a 75 GeV/c
K+ beam with 1% rms momentum spread along z; fiducial decay volume 105 m < z < 180 m after the target.

The search (seed 004, eqs. (25)-(26), Table I): K+ -> mu+ nu_h, nu_h -> nu Z', Z' -> l+ l- with
N_K^Fid kaons decaying in the fiducial volume per trigger stream and a flat acceptance A_beta per
channel. N_K^Fid already counts the kaons that decay in the volume, so the kaon decay position is
drawn inside it (truncated exponential, nearly uniform: the 564 m kaon decay length is much longer
than the 75 m volume) and the probability to decay there is not applied again.

Decay positions (this module's addition to eq. (26)): the nu_h flies a distance X_h from the kaon
vertex z_K, the Z' a further X_Z; the event counts if the Z' decays before the end of the volume,
z_K + X_h + X_Z < z_max, distances projected on z: X ~ Exp((p_z/m) c tau). Per event, with
L = z_max - z_K, a = L/lambda_h, b = L/lambda_Z, the probability is the hypoexponential CDF

    P = 1 - (b e^{-a} - a e^{-b})/(b - a) = f(a) - a e^{-a} g(b - a),   f(x) = 1 - e^{-x}, g(y) = f(y)/y,

evaluated with a <= b (error ~ eps/b) and by its series a b [1/2 - (a+b)/6 + ...] when both are
small (:func:`chain_decay_probability`). The kaon decay position is sampled per event; the
alternative :func:`chain_decay_sampled` draws both decay distances from two uniforms fixed per event
and reused at every coupling point (common random numbers), for checks and for geometries without
a closed form. The transverse extent of the detector is in A_beta, as in the seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numba
import numpy as np

from llpscan.detectors.scenario import Scenario, Variable
from llpscan.detectors.searches import Search
from llpscan.physics import pdg
from llpscan.physics.sources import KaonBeam
from llpscan.physics.kinematics import EventSample, two_body_momentum
from llpscan.physics.models.dark_neutrino import DarkNeutrino, shrock_factor

__all__ = [
    "P_BEAM",
    "P_SPREAD",
    "Z_MIN",
    "Z_MAX",
    "MEAN_L",
    "TABLE_I",
    "KaonDecayEvents",
    "chain_decay_probability",
    "chain_decay_sampled",
    "CascadeSearch",
    "NA62DarkNeutrino",
    "crude_p_decay",
    "mean_lab_momenta",
]

#: NA62, arXiv:2312.17188, section 1: 75 GeV/c K+ beam, 1% rms momentum spread
P_BEAM = 75.0  # GeV
P_SPREAD = 0.01
#: NA62, arXiv:2312.17188, section 1: fiducial volume 105-180 m after the target
Z_MIN, Z_MAX = 105.0, 180.0  # m
#: seed 004, below eq. (26): <L> = 37.5 m in the crude P_dec (half of the 75 m volume)
MEAN_L = 37.5  # m
#: seed 004, Table I: kaons decaying in the fiducial volume (N_K^Fid) per trigger, and A_beta
TABLE_I = {"ee": {"n_k_fid": 2.14e11, "a_beta": 0.04}, "mumu": {"n_k_fid": 7.94e11, "a_beta": 0.10}}

# series below this value of max(a, b): truncation ~ max^4/720 < 1e-14 relative; the closed form
# above it loses ~ 2 eps/max(a, b) < 5e-13
_SERIES = 1e-3
# exp(-u) for u > 708 takes libm's slow path; e^{-700} ~ 1e-304 is 0 for every purpose here
_U_MAX = 700.0


@dataclass(frozen=True)
class KaonDecayEvents(EventSample):
    """Events with a displaced production vertex: the kaon decay position ``z_kaon`` (n,) in m, and
    ``uniforms`` (n, 2) fixed per event for the sampled nu_h and Z' decay distances."""

    z_kaon: np.ndarray | None = None
    uniforms: np.ndarray | None = None
    #: acceptances already computed from these events (one scan task owns the sample: no sharing)
    cache: dict = field(default_factory=dict, repr=False, compare=False)


def chain_decay_probability(L, lam1, lam2):
    """P(X1 + X2 < L) for independent X_i ~ Exp(mean lam_i): the cascade decays within L (m).

    Broadcasts; 0 where L <= 0. Stable at every lifetime (module docstring).

    >>> round(float(chain_decay_probability(1.0, 1e-9, 1e-9)), 12)   # prompt: certain
    1.0
    >>> round(float(chain_decay_probability(1.0, 1e7, 1e8) / 0.5e-15), 6)   # long-lived limit: ab/2
    1.0
    """
    L = np.maximum(np.asarray(L, dtype=float), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = L / np.asarray(lam1, dtype=float)
        y = L / np.asarray(lam2, dtype=float)
    x = np.where(np.isnan(x), 0.0, x)
    y = np.where(np.isnan(y), 0.0, y)
    a = np.minimum(np.minimum(x, y), _U_MAX)
    b = np.maximum(x, y)  # not clamped: g(b - a) = 1/(b - a) for large b, and exact there
    d = b - a
    fa = -np.expm1(-a)
    with np.errstate(divide="ignore", invalid="ignore"):
        gd = np.where(d > 1e-8, -np.expm1(-d) / d, 1.0 - 0.5 * d)
    closed = fa - a * (1.0 - fa) * gd  # e^{-a} = 1 - f(a): exact enough where the term matters
    bs = np.minimum(b, _SERIES)  # the series is used only where b < _SERIES (no inf * 0 elsewhere)
    ab = a * bs
    series = ab * (0.5 - (a + bs) / 6 + (a * a + ab + bs * bs) / 24 - (a + bs) * (a * a + bs * bs) / 120)
    return np.where(b < _SERIES, series, closed)


def chain_decay_sampled(L, lam1, lam2, u1, u2):
    """1 where X1 + X2 < L with X_i = -lam_i ln(1 - u_i) from fixed uniforms u_i, else 0.

    Its mean over events estimates :func:`chain_decay_probability`; with the uniforms fixed per
    event it changes with lam_i only where an event crosses the boundary (common random numbers).
    """
    x = -np.asarray(lam1) * np.log1p(-np.asarray(u1)) - np.asarray(lam2) * np.log1p(-np.asarray(u2))
    return (x < np.asarray(L)).astype(float)


@numba.njit(nogil=True, cache=True, inline="always", error_model="numpy")
def _p_chain(x, y):
    # chain_decay_probability for scalars x = L/lam1, y = L/lam2 (same expressions)
    a = min(min(x, y), _U_MAX)
    b = max(x, y)
    if a > 50.0:  # both decays prompt: a e^{-a} g < 1e-20, P = 1 to double precision
        return 1.0
    if b < _SERIES:
        ab = a * b
        return ab * (0.5 - (a + b) / 6 + (a * a + ab + b * b) / 24 - (a + b) * (a * a + b * b) / 120)
    d = b - a
    fa = -math.expm1(-a)
    gd = -math.expm1(-d) / d if d > 1e-8 else 1.0 - 0.5 * d
    return fa - a * (1.0 - fa) * gd


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _cascade_kernel(l_over_s1, l_over_s2, e1, e2, L, weights, inv1, inv2, ctau1, ctau2, sampled):
    """Event mean and standard error of the cascade probability at every point (one pass, in
    event order, sums shifted by the first event like detectors.acceptance's kernel).

    Per event: L/s_i (s = p_z/m), and for the sampled mode e_i = -s_i ln(1 - u_i) (flight = e_i c tau_i);
    per point: 1/c tau_i and c tau_i.
    """
    n = L.shape[0]
    m = ctau1.shape[0]
    mean = np.empty(m)
    err = np.empty(m)
    for j in range(m):
        r1 = inv1[j]
        r2 = inv2[j]
        c1 = ctau1[j]
        c2 = ctau2[j]
        shift = 0.0
        t1 = 0.0
        t2 = 0.0
        for i in range(n):
            if sampled:
                p = 1.0 if e1[i] * c1 + e2[i] * c2 < L[i] else 0.0
            else:
                p = _p_chain(l_over_s1[i] * r1, l_over_s2[i] * r2)
            p *= weights[i]
            if i == 0:
                shift = p
            dlt = p - shift
            t1 += dlt
            t2 += dlt * dlt
        mean[j] = shift + t1 / n
        var = (t2 - t1 * t1 / n) / (n - 1) if n > 1 else 0.0
        err[j] = math.sqrt(max(var, 0.0) / n)
    return mean, err


def _flight_factors(events: EventSample):
    """p_z/m of the two LLPs (the z decay length is this times c tau), floored at 0.

    A daughter can fly backwards in the lab when its rest-frame speed exceeds its parent's lab
    speed: the nu_h for m_nu_h below ~1.5 MeV (its gamma in the kaon frame, 236 MeV/m_nu_h, above
    gamma_K = 152), the Z' for m_Z' below ~1.5 MeV with m_nu_h ~ 5-10 MeV (measured: 1 event in 1e5 at
    m_nu_h = 6 MeV, m_Z' = 1.1 MeV). Its decay then lies upstream of its production point; it is counted
    as undisplaced (p_z/m = 0), which slightly underestimates such an event's probability (the
    backward flight would only have helped) instead of turning the whole point into NaN.
    """
    first, second = events.llps
    s1 = events.momenta[first][:, 3] / events.llp_mass(first)
    s2 = events.momenta[second][:, 3] / events.llp_mass(second)
    return np.maximum(s1, 0.0), np.maximum(s2, 0.0)


@dataclass(frozen=True)
class CascadeSearch(Search):
    """LLP1 -> LLP2 + X, LLP2 -> visible, from kaon decays in flight; LLP2 must decay before z_max.

    ``method``: ``integrated`` (decay positions in closed form; the kaon vertex sampled) or
    ``sampled`` (both decay distances from the event's fixed uniforms). ``final_state``: the lepton
    pair (``ee``, ``mumu``). Lengths in metres.
    """

    label: str
    final_state: str
    n_k_fid: float
    a_beta: float
    z_max: float = Z_MAX
    method: str = "integrated"

    def __post_init__(self):
        if self.method not in ("integrated", "sampled"):
            raise ValueError(f"method={self.method!r}: allowed integrated, sampled")

    def per_event(self, events: KaonDecayEvents, ctau: np.ndarray) -> np.ndarray:
        """Decay probability of every event at every point, (n_events, n_points)."""
        ctau = np.atleast_2d(np.asarray(ctau, dtype=float))
        s1, s2 = _flight_factors(events)
        L = (self.z_max - events.z_kaon)[:, None]
        lam1, lam2 = s1[:, None] * ctau[0][None, :], s2[:, None] * ctau[1][None, :]
        if self.method == "integrated":
            return chain_decay_probability(L, lam1, lam2)
        u = events.uniforms
        return chain_decay_sampled(L, lam1, lam2, u[:, :1], u[:, 1:2])

    def acceptance(self, events: KaonDecayEvents, ctau: np.ndarray):
        """(mean, err) over events at every column of ``ctau`` (2, n_points): the numba kernel;
        :meth:`per_event` is the plain-numpy reference it is tested against."""
        ctau = np.atleast_2d(np.asarray(ctau, dtype=float))
        if ctau.shape[0] != 2 or len(events.llps) != 2:
            raise ValueError("a cascade search needs two LLPs per event and two rows of ctau")
        key = (self.method, self.z_max, ctau.tobytes())
        cache = events.cache if isinstance(events, KaonDecayEvents) else {}
        if key in cache:  # the searches of one scenario share the decay geometry: computed once
            return cache[key]
        s1, s2 = _flight_factors(events)
        L = np.maximum(self.z_max - events.z_kaon, 0.0)
        n = L.shape[0]
        u = np.zeros((n, 2)) if events.uniforms is None else np.asarray(events.uniforms, dtype=float)
        w = np.ones(n) if events.weights is None else np.asarray(events.weights, dtype=float)
        c = np.ascontiguousarray
        with np.errstate(divide="ignore"):  # s = 0 (backward flight, _flight_factors): L/s = inf
            l_over_s1, l_over_s2 = L / s1, L / s2
        out = _cascade_kernel(c(l_over_s1), c(l_over_s2), c(-s1 * np.log1p(-u[:, 0])),
                              c(-s2 * np.log1p(-u[:, 1])), c(L), c(w), c(1.0 / ctau[0]), c(1.0 / ctau[1]),
                              c(ctau[0]), c(ctau[1]), self.method == "sampled")
        cache[key] = out
        return out


def mean_lab_momenta(m_h, m_Zp, p_kaon: float = P_BEAM):
    """Mean lab momenta (GeV) of nu_h and Z' for kaons of momentum ``p_kaon`` along z.

    For an isotropic two-body decay the daughter's mean lab energy is gamma_parent E* (the beta p*
    cos term averages to 0); the Z' mean energy uses the nu_h's mean Lorentz factor. Used only by
    the crude :func:`crude_p_decay`, whose seed does not say which momentum it takes.
    """
    m_k, m_mu = pdg.mass("K+"), pdg.mass("mu+")
    m_h, m_Zp = np.asarray(m_h, dtype=float), np.asarray(m_Zp, dtype=float)
    gamma_k = np.hypot(p_kaon, m_k) / m_k
    q_h = two_body_momentum(m_k, m_mu, m_h)
    e_h = gamma_k * np.hypot(q_h, m_h)
    q_z = two_body_momentum(m_h, 0.0, np.minimum(m_Zp, m_h))
    e_z = e_h / m_h * np.hypot(q_z, m_Zp)
    return np.sqrt(np.clip(e_h**2 - m_h**2, 0, None)), np.sqrt(np.clip(e_z**2 - m_Zp**2, 0, None))


def crude_p_decay(ctau_h, ctau_zp, p_h, p_zp, m_h, m_Zp, br_nuh, br_ll, mean_l: float = MEAN_L):
    """Seed 004 eq. (26): (1 - e^{-<L>/L_h}) Br(nu_h -> nu Z') (1 - e^{-<L>/L_Z'}) Br(Z' -> l l),
    L_P = (p/m) c tau the lab decay lengths (m)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        l_h = p_h / m_h * ctau_h
        l_z = p_zp / m_Zp * ctau_zp
        return -np.expm1(-mean_l / l_h) * br_nuh * -np.expm1(-mean_l / l_z) * br_ll


def _searches(method: str) -> tuple[CascadeSearch, ...]:
    return tuple(CascadeSearch(label, label, method=method, **TABLE_I[label]) for label in ("ee", "mumu"))


class NA62DarkNeutrino(Scenario):
    r"""Seed 004, section IV.A: K+ -> mu+ nu_h, nu_h -> nu Z', Z' -> l+ l- at NA62 (Fig. 3).

    n_signal = N_K^Fid A_beta Br(K+ -> mu+ nu_h) Br(nu_h -> nu Z') Br(Z' -> l l) x acceptance, the
    acceptance being the probability that the cascade ends inside the fiducial volume (module
    docstring); 1 event = the single-event sensitivity of eq. (25). Eq. (25) as printed omits the
    Shrock factor rho(m_h) that the text before eq. (17) puts in the production rate; it is kept
    here (rho = 3.9 at m_h = 300 MeV, up to 4.1), which makes the reach deeper by that factor.

    The store's ``ses_U2_mu`` (U2_mu x 1/n_signal, from ``limit_on``) is eq. (25)'s |U_mu h|^2
    with rho and with the Monte-Carlo acceptance in place of P_dec: the single-event sensitivity
    if the acceptance kept its value at that point. Where the cascade is prompt n_signal is linear
    in U2_mu and ses_U2_mu does not depend on the U2_mu it is read at. Where nu_h is long-lived its
    width ~ U2_mu makes n_signal ~ U2_mu^2, and ses_U2_mu falls as U2_mu grows (m_h = 20 MeV,
    m_Z' = 10 MeV, ee: 5.8e-7 read at U2_mu = 1e-12, 1.1e-9 at 1e-9); eq. (25) is then an equation
    for U2_mu, whose solution ses_U2_mu = U2_mu is the 1-event contour (``llpscan reach``, 1.06e-9
    there), not any single value of ses_U2_mu.

    Options: ``coupling`` = ``free`` (g_D a parameter) or ``fixed-v_phi`` (g_D = m_Zp/0.267 GeV,
    Fig. 3); ``decays`` = ``integrated`` (closed form) or ``sampled`` (common random numbers).
    """

    name = "na62-dark-neutrino"
    description = "K+ -> mu+ nu_h, nu_h -> nu Z', Z' -> l+ l- in flight at NA62: single-event sensitivity"
    citation = ("P. Ballett, M. Hostert, S. Pascoli, Dark neutrinos and a three-portal connection to the "
                "Standard Model, PRD 101 (2020) 115025, arXiv:1903.07589, section IV.A")
    statistic = "events-1"  # seed 004, eq. (25): single-event sensitivity, zero background
    limit_on = "U2_mu"
    limit_name = "ses_U2_mu"  # design.md section 7
    limit_long_name = ("single-event sensitivity in |U_mu h|^2, eq. (25) with rho and the MC acceptance at this "
                       "point (U2_mu / n_signal); where nu_h is long-lived n_signal ~ U2_mu^2 and the 1-event "
                       "contour, not this value, is the sensitivity")
    options = {"coupling": ("free", "fixed-v_phi"), "decays": ("integrated", "sampled")}
    signal_factors = ("n_k_fid", "a_beta", "br_production", "br_visible")

    def __init__(self, **options):
        super().__init__(**options)
        self.model = model = DarkNeutrino(self.option("coupling"))
        self.searches = _searches(self.option("decays"))
        self.llp_species = {"nu_h": "nu_h", "Zp": "Zp"}
        life = ("m_h", "m_Zp", "U2_mu", "U2_D", "g_D")
        self.variables = (
            Variable("n_k_fid", "1", "K+ decays in the fiducial volume, N_K^Fid (seed 004, Table I)", (),
                     lambda search: np.float64(search.n_k_fid), per_search=True),
            Variable("a_beta", "1", "flat detector acceptance A_beta (seed 004, Table I)", (),
                     lambda search: np.float64(search.a_beta), per_search=True),
            Variable("br_production", "1", "Br(K+ -> mu+ nu_h) = U2_mu rho(m_h) Br(K+ -> mu+ nu)",
                     ("m_h", "U2_mu"), lambda m_h, U2_mu: model.br_production(m_h=m_h, U2_mu=U2_mu)),
            Variable("br_visible", "1", "Br(nu_h -> nu Z') Br(Z' -> l+ l-) (chi cancels)", ("m_h", "m_Zp"),
                     lambda search, m_h, m_Zp: self.br_visible(m_h, m_Zp, search.final_state), per_search=True),
            Variable("shrock", "1", "Shrock factor rho(m_h)", ("m_h",), lambda m_h: self.shrock(m_h)),
            Variable("g_eff", "1", "g' used in Gamma(nu_h -> nu Z') (g_D, or m_Zp/v_phi)", ("m_Zp", "g_D"),
                     lambda m_Zp, g_D: model.g_eff(m_Zp, g_D).copy()),
            Variable("ctau_h", "m", "proper decay length of nu_h (NaN where nu_h -> nu Z' is closed)", life,
                     lambda **kw: np.where(model.is_open(**kw), model.ctau_h(**kw), np.nan)),
            Variable("ctau_Zp", "m", "proper decay length of Z'", ("m_Zp", "chi"),
                     lambda m_Zp, chi: model.ctau_zp(m_Zp=m_Zp, chi=chi)),
            Variable("p_decay", "1", "seed 004 eq. (26), the crude P_dec (<L> = 37.5 m, mean lab momenta)",
                     (*life, "chi"), lambda search, **kw: self.p_decay(search.final_state, **kw), per_search=True),
            Variable("allowed", "1", "2 m_e < m_Zp < m_h < m_K - m_mu (else masked: no signal)", ("m_h", "m_Zp"),
                     lambda m_h, m_Zp: model.is_open(m_h=m_h, m_Zp=m_Zp).astype(np.int8)),
        )

    @staticmethod
    def shrock(m_h):
        """Shrock factor rho(m_h) of K+ -> mu+ nu_h."""
        return shrock_factor(m_h)

    def br_visible(self, m_h, m_Zp, channel: str):
        """Br(nu_h -> nu Z') Br(Z' -> channel): 1 x Br_ll where the chain is open, else 0."""
        open_ = self.model.is_open(m_h=m_h, m_Zp=m_Zp)
        return np.where(open_, self.model.br_zp(m_Zp, channel), 0.0)

    def p_decay(self, channel: str, *, m_h, m_Zp, U2_mu, U2_D, g_D, chi):
        """Seed 004 eq. (26) on the grid (cheap; for comparison with the Monte-Carlo acceptance)."""
        p_h, p_z = mean_lab_momenta(m_h, m_Zp)
        ch = self.model.ctau_h(m_h=m_h, m_Zp=m_Zp, U2_mu=U2_mu, U2_D=U2_D, g_D=g_D)
        cz = self.model.ctau_zp(m_Zp=m_Zp, chi=chi)
        return crude_p_decay(ch, cz, p_h, p_z, m_h, m_Zp, 1.0, self.br_visible(m_h, m_Zp, channel))

    def kinematically_open(self, *, m_h, m_Zp):
        return bool(self.model.is_open(m_h=m_h, m_Zp=m_Zp))

    def events(self, masses, n, rng):
        """75 GeV/c K+ decaying in 105-180 m, then K+ -> mu+ nu_h -> mu+ nu Z' -> mu+ nu l+ l-."""
        beam = KaonBeam(P_BEAM, P_SPREAD)
        kaons = beam.parents(rng, n)
        z_k = beam.decay_z(rng.random(n), kaons[:, 3], Z_MIN, Z_MAX)
        uniforms = rng.random((n, 2))
        ev = self.model.decay(rng, kaons, m_h=masses["m_h"], m_Zp=masses["m_Zp"])
        return KaonDecayEvents(momenta=ev.momenta, llps=ev.llps, masses=ev.masses, llp_masses=ev.llp_masses,
                               z_kaon=z_k, uniforms=uniforms)

