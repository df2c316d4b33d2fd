"""Ballett, Hostert & Pascoli (arXiv:1903.07589), section IV.A: dark neutrinos from kaon decays in flight at NA62.

"Dark neutrinos and a three-portal connection to the Standard Model". The search (eqs. (25)-(26), Table
I): K+ -> mu+ nu_h, nu_h -> nu Z', Z' -> l+ l- with N_K^Fid kaons decaying in the fiducial volume per
trigger stream and a flat acceptance A_beta per channel (:mod:`~llpscan.detectors.experiments.na62`).
N_K^Fid already counts the kaons that decay in the volume, so the kaon decay position is drawn inside it
(truncated exponential, nearly uniform: the 564 m kaon decay length is much longer than the 75 m volume)
and the probability to decay there is not applied again. Where the paper's eq. (26) takes a crude
P_dec with a mean length, the acceptance here is the probability that the nu_h and then the Z' decay
before the end of the volume (:class:`~llpscan.detectors.searches.cascade.CascadeSearch`), computed per
event; eq. (26) is kept as the ``p_decay`` variable for comparison.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from llpscan.detectors.experiments import na62
from llpscan.detectors.scenario import Scenario, variable
from llpscan.detectors.searches.cascade import METHODS, CascadeSearch, KaonDecayEvents
from llpscan.physics import pdg
from llpscan.physics.kinematics import two_body_momentum
from llpscan.physics.models.dark_neutrino import V_PHI, DarkNeutrino, shrock_factor

__all__ = ["MEAN_L", "NA62DarkNeutrino", "crude_p_decay", "mean_lab_momenta"]

#: below eq. (26): <L> = 37.5 m in the crude P_dec (half of the 75 m fiducial volume)
MEAN_L = 37.5  # m


def mean_lab_momenta(m_h, m_Zp, p_kaon: float = na62.P_BEAM):
    """Mean lab momenta (GeV) of nu_h and Z' for kaons of momentum ``p_kaon`` along z.

    For an isotropic two-body decay the daughter's mean lab energy is gamma_parent E* (the beta p*
    cos term averages to 0); the Z' mean energy uses the nu_h's mean Lorentz factor. Used only by
    the crude :func:`crude_p_decay`, for which the paper does not say which momentum it takes.
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
    """Eq. (26): (1 - e^{-<L>/L_h}) Br(nu_h -> nu Z') (1 - e^{-<L>/L_Z'}) Br(Z' -> l l),
    L_P = (p/m) c tau the lab decay lengths (m)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        l_h = p_h / m_h * ctau_h
        l_z = p_zp / m_Zp * ctau_zp
        return -np.expm1(-mean_l / l_h) * br_nuh * -np.expm1(-mean_l / l_z) * br_ll


def _searches(method: str) -> tuple[CascadeSearch, ...]:
    return tuple(CascadeSearch(label, label, z_max=na62.Z_MAX, method=method, **na62.TABLE_I[label])
                 for label in ("ee", "mumu"))


class NA62DarkNeutrino(Scenario):
    r"""Section IV.A: K+ -> mu+ nu_h, nu_h -> nu Z', Z' -> l+ l- at NA62 (Fig. 3).

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
    statistic = "events-1"  # eq. (25): single-event sensitivity, zero background
    limit_on = "U2_mu"
    limit_name = "ses_U2_mu"  # a store variable name that user scripts rely on
    limit_long_name = ("single-event sensitivity in |U_mu h|^2, eq. (25) with rho and the MC acceptance at this "
                       "point (U2_mu / n_signal); where nu_h is long-lived n_signal ~ U2_mu^2 and the 1-event "
                       "contour, not this value, is the sensitivity")
    options = {"coupling": DarkNeutrino.COUPLINGS, "decays": METHODS}
    primary_search = "ee"  # Fig. 3: the e+e- channel is the solid curve
    references = ("Ballett2019", "Shrock1981", "NA62:CEDAR2023", "PDG2024")
    signal_factors = ("n_k_fid", "a_beta", "br_production", "br_visible")
    source = na62.BEAM
    llp_species = {"nu_h": "nu_h", "Zp": "Zp"}

    def __init__(self, **options):
        super().__init__(**options)
        self.model = DarkNeutrino(self.option("coupling"))
        self.searches = _searches(self.option("decays"))

    @property
    def derived_parameters(self):
        """With ``coupling=fixed-v_phi`` the stored g_D is ignored: g' = m_Z'/v_phi (variable ``g_eff``)."""
        if self.option("coupling") == "fixed-v_phi":
            return {"g_D": ("g_eff", f"from v_phi = {V_PHI:.4g} GeV: g' = m_Z'/v_phi")}
        return {}

    @variable("1", "K+ decays in the fiducial volume, N_K^Fid (Table I)", per_search=True)
    def n_k_fid(self, search):
        return np.float64(search.n_k_fid)

    @variable("1", "flat detector acceptance A_beta (Table I)", per_search=True)
    def a_beta(self, search):
        return np.float64(search.a_beta)

    @variable("1", "Br(K+ -> mu+ nu_h) = U2_mu rho(m_h) Br(K+ -> mu+ nu)")
    def br_production(self, m_h, U2_mu):
        return self.model.br_production(m_h=m_h, U2_mu=U2_mu)

    @variable("1", "Br(nu_h -> nu Z') Br(Z' -> l+ l-) (chi cancels)", per_search=True)
    def br_visible(self, search, m_h, m_Zp):
        return self.visible_fraction(m_h, m_Zp, search.final_state)

    @variable("1", "Shrock factor rho(m_h)")
    def shrock(self, m_h):
        """Shrock factor rho(m_h) of K+ -> mu+ nu_h."""
        return shrock_factor(m_h)

    @variable("1", "g' used in Gamma(nu_h -> nu Z') (g_D, or m_Zp/v_phi)")
    def g_eff(self, m_Zp, g_D):
        return self.model.g_eff(m_Zp, g_D).copy()

    @variable("m", "proper decay length of nu_h (NaN where nu_h -> nu Z' is closed)")
    def ctau_h(self, m_h, m_Zp, U2_mu, U2_D, g_D):
        kw = dict(m_h=m_h, m_Zp=m_Zp, U2_mu=U2_mu, U2_D=U2_D, g_D=g_D)
        return np.where(self.model.is_open(**kw), self.model.ctau_h(**kw), np.nan)

    @variable("m", "proper decay length of Z'")
    def ctau_Zp(self, m_Zp, chi):
        return self.model.ctau_zp(m_Zp=m_Zp, chi=chi)

    @variable("1", "eq. (26), the crude P_dec (<L> = 37.5 m, mean lab momenta)", per_search=True)
    def p_decay(self, search, m_h, m_Zp, U2_mu, U2_D, g_D, chi):
        """Eq. (26) on the grid (cheap; for comparison with the Monte-Carlo acceptance)."""
        p_h, p_z = mean_lab_momenta(m_h, m_Zp)
        ch = self.model.ctau_h(m_h=m_h, m_Zp=m_Zp, U2_mu=U2_mu, U2_D=U2_D, g_D=g_D)
        cz = self.model.ctau_zp(m_Zp=m_Zp, chi=chi)
        return crude_p_decay(ch, cz, p_h, p_z, m_h, m_Zp, 1.0, self.visible_fraction(m_h, m_Zp, search.final_state))

    @variable("1", "2 m_e < m_Zp < m_h < m_K - m_mu (else masked: no signal)")
    def allowed(self, m_h, m_Zp):
        return self.model.is_open(m_h=m_h, m_Zp=m_Zp).astype(np.int8)

    def visible_fraction(self, m_h, m_Zp, channel: str):
        """Br(nu_h -> nu Z') Br(Z' -> channel): 1 x Br_ll where the chain is open, else 0."""
        open_ = self.model.is_open(m_h=m_h, m_Zp=m_Zp)
        return np.where(open_, self.model.br_zp(m_Zp, channel), 0.0)

    def acceptance_key(self, search):
        # the ee and mumu searches differ only in what multiplies the acceptance: one evaluation
        return dataclasses.replace(search, label="", final_state="", n_k_fid=0.0, a_beta=0.0)

    def kinematically_open(self, *, m_h, m_Zp):
        return bool(self.model.is_open(m_h=m_h, m_Zp=m_Zp))

    def events(self, masses, n, rng):
        """75 GeV/c K+ decaying in 105-180 m, then K+ -> mu+ nu_h -> mu+ nu Z' -> mu+ nu l+ l-."""
        kaons = self.source.parents(rng, n)
        z_k = self.source.decay_z(rng.random(n), kaons[:, 3], na62.Z_MIN, na62.Z_MAX)
        uniforms = rng.random((n, 2))
        ev = self.model.decay(rng, kaons, m_h=masses["m_h"], m_Zp=masses["m_Zp"])
        return KaonDecayEvents(momenta=ev.momenta, llps=ev.llps, masses=ev.masses, llp_masses=ev.llp_masses,
                               z_kaon=z_k, uniforms=uniforms)
