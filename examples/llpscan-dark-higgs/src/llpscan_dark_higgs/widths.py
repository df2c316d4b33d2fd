r"""Decay widths of a light scalar S that mixes with the Standard-Model Higgs boson by an angle theta.

S inherits every coupling of a SM Higgs boson of mass m_S, multiplied by sin(theta) (Boiarska et al.,
arXiv:1904.10447, eqs. (1)-(2)), so each partial width is sin^2(theta) times the width of a SM-like
Higgs of mass m_S. Widths are in GeV, masses in GeV, c*tau in metres.

Channels and the treatment of each (sources in the comments at each formula):

* ``ee``, ``mumu``, ``tautau``: tree level, Gamma = G_F m_l^2 m_S beta^3 / (4 sqrt(2) pi), all masses.
* ``gammagamma``: one loop (W, t, b, c, tau, mu, e), all masses. It could matter only below 2 m_mu, where
  it competes with e+e-; there the W loop (-7) and the heavy-fermion loops (+4 from c, b, t and about +3
  from tau, mu) almost cancel and Br(gamma gamma) < 3e-3. u, d, s loops are left out (with current quark
  masses they are < 1% above 2 GeV and meaningless below, where pion loops, not included, would take their
  place); with the near-cancellation, Br(gamma gamma) below 2 m_mu is uncertain in relative terms, and
  whatever it is comes out of Br(e e).
* hadrons below ``m_switch`` (default :data:`M_SWITCH` = 2 GeV): ``pipi`` and ``KK`` from the low-energy
  theorem (Shifman-Vainshtein-Zakharov heavy-quark decoupling, three heavy quarks) at leading order in
  chiral perturbation theory: amplitude (2/9)(m_S^2 + 11/2 m_P^2)/v (Voloshin 1986; Bezrukov & Gorbunov,
  arXiv:0912.0390, sec. 3), each charge state with its own meson mass.
* hadrons at and above ``m_switch``: perturbative spectator widths ``uu``, ``dd``, ``ss``, ``cc``, ``bb``
  with MSbar running masses at mu = m_S and the QCD corrections of Djouadi, hep-ph/0503172, eqs.
  (2.11)-(2.12); ``gg`` at one loop (c, b, t) with the NLO factor 1 + E alpha_s/pi, E = 95/4 - 7 N_F/6
  (Spira, Djouadi, Graudenz, Zerwas, hep-ph/9504378). A q qbar channel carries the beta^3 of the lightest
  hadron pair of its flavour (pi pi, K Kbar, D Dbar, B Bbar), so it opens continuously at the physical
  threshold; the running mass sets only the coupling.

Theory uncertainty of the hadronic width: O(1) and larger between 2 m_pi and about 2.5 GeV. The leading-order
chiral result lacks the pi pi / K K final-state interaction: the dispersive analyses (Donoghue, Gasser,
Leutwyler, Nucl. Phys. B343 (1990) 341; Winkler, arXiv:1809.01876) give Gamma(pi pi) 1.5-2.5 times the LO
value near threshold, 4 times at 0.5 GeV and 20 times at the f0(980) peak; above 1 GeV no controlled
calculation exists: Bezrukov, Gorbunov, Timiryasov (arXiv:1812.08088) argue that the coupled-channel
dispersive results rest on an uncontrolled approximation, and published widths (Winkler 2018; Boiarska et al.
2019; Blackstone et al. arXiv:2407.13587) differ by large factors there. The perturbative width at 2 GeV
carries a QCD K-factor near 3 (alpha_s(2 GeV) = 0.30). The leptonic widths are exact at tree level.
Consequences for a displaced S -> mu mu search: in the long-lifetime regime the signal rate is proportional
to sin^4(theta) Gamma(mu mu)(theta = 1) and does not depend on the hadronic width at all; the short-lifetime
edge (and Br(mu mu) where S is short-lived) does.

The choice at ``m_switch`` makes the total width discontinuous there (:func:`switch_jump`: factor 0.34 at
2 GeV, the chiral side being larger); keep scan points off ``m_switch`` or move it with the keyword.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from llpscan.physics import pdg
from llpscan.physics.constants import ALPHA_EM, G_F, HBAR_C
from llpscan.physics.qcd import alpha_s

__all__ = ["M_SWITCH", "LEPTONIC_CHANNELS", "CHIRAL_CHANNELS", "PERTURBATIVE_CHANNELS", "CHANNELS",
           "partial_widths", "total_width", "ctau", "branching_ratios", "br_mumu", "br_ee",
           "running_mass", "switch_jump"]

#: Hadronic switch (GeV): LO chiral pi pi + K K below, perturbative quarks and gluons at and above.
#: 2 GeV is where Winkler's dispersive widths (arXiv:1809.01876) end and where Boiarska et al.
#: (arXiv:1904.10447, sec. 3; their public scalar_portal code) switch to perturbative QCD, so the comparison
#: with reach curves built on their widths stays like for like; the
#: chiral expansion is already outside its validity above ~1 GeV (f0(980), K Kbar threshold) and the
#: perturbative width is marginal below 2 GeV (K-factor of S -> g g ~ 3 at 2 GeV).
M_SWITCH = 2.0

LEPTONIC_CHANNELS = ("ee", "mumu", "tautau")
CHIRAL_CHANNELS = ("pipi", "KK")
PERTURBATIVE_CHANNELS = ("uu", "dd", "ss", "cc", "bb", "gg")
CHANNELS = LEPTONIC_CHANNELS + ("gammagamma",) + CHIRAL_CHANNELS + PERTURBATIVE_CHANNELS

_SQRT2 = math.sqrt(2.0)
_LEPTONS = {"ee": "e-", "mumu": "mu-", "tautau": "tau-"}

# Chetyrkin, Phys. Lett. B404 (1997) 161, hep-ph/9703278: m(mu)/m(mu0) = c(a(mu))/c(a(mu0)), a = alpha_s/pi,
# c(a) = a^(gamma0/beta0) [1 + c1 a + c2 a^2 + c3 a^3] for n_f = 3, 4, 5 (the constant prefactors cancel
# in ratios). Checked: expanding exp(int gamma_m(a)/beta(a) da) with the 4-loop gamma_m (Vermaseren, Larin,
# van Ritbergen hep-ph/9703284) and the beta coefficients of llpscan.physics.qcd.beta_coefficients reproduces all nine numbers.
_C_RUN = {3: (4 / 9, (0.895, 1.371, 1.952)),
          4: (12 / 25, (1.014, 1.389, 1.091)),
          5: (12 / 23, (1.175, 1.501, 0.1725))}


# --------------------------------------------------------------------------------------------
# QCD ingredients: flavour thresholds, running and pole quark masses.
# --------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _flavour_thresholds():
    """(m_c(m_c), m_b(m_b)): the n_f = 3 -> 4 -> 5 thresholds, the same as those of llpscan.physics.qcd.alpha_s."""
    return pdg.mass("c"), pdg.mass("b")


def _n_f(mu):
    m_c, m_b = _flavour_thresholds()
    mu = np.asarray(mu, dtype=float)
    return np.where(mu >= m_b, 5, np.where(mu >= m_c, 4, 3))


def _log_c(a, nf):
    expo, (c1, c2, c3) = _C_RUN[nf]
    return expo * np.log(a) + np.log1p(c1 * a + c2 * a * a + c3 * a**3)


def _phi(mu):
    """ln m(mu) up to a constant, continuous across the flavour thresholds (alpha_s is continuous there)."""
    m_c, m_b = _flavour_thresholds()
    mu = np.asarray(mu, dtype=float)
    a = alpha_s(mu) / np.pi
    a_c, a_b = alpha_s(m_c) / np.pi, alpha_s(m_b) / np.pi
    below_c = _log_c(a, 3)
    shift_4 = _log_c(a_c, 3) - _log_c(a_c, 4)
    between = _log_c(a, 4) + shift_4
    shift_5 = _log_c(a_b, 4) + shift_4 - _log_c(a_b, 5)
    above_b = _log_c(a, 5) + shift_5
    return np.where(mu >= m_b, above_b, np.where(mu >= m_c, between, below_c))


def running_mass(quark: str, mu):
    """MSbar mass of ``quark`` ("u", "d", "s", "c", "b") at the scale ``mu`` (GeV), 4-loop running.

    Reference values from PDG through the particle package: m_u, m_d, m_s at 2 GeV, m_c(m_c), m_b(m_b).
    Running with the c-functions of Chetyrkin (hep-ph/9703278) and llpscan.physics.qcd.alpha_s (4-loop, alpha_s(m_Z) = 0.118).
    """
    mu0 = {"u": 2.0, "d": 2.0, "s": 2.0, "c": pdg.mass("c"), "b": pdg.mass("b")}[quark]
    return pdg.mass(quark) * np.exp(_phi(mu) - _phi(mu0))


@lru_cache(maxsize=1)
def _pole_masses():
    """Pole masses of the loop quarks (GeV): M = m(m) [1 + 4 alpha_s(m)/(3 pi)] for c, b (one-loop relation,
    Tarrach, Nucl. Phys. B183 (1981) 384); the top mass of the particle package (PDG direct measurement)."""
    m_c, m_b = _flavour_thresholds()
    pole = {q: m * (1 + 4 / 3 * float(alpha_s(m)) / np.pi) for q, m in (("c", m_c), ("b", m_b))}
    pole["t"] = pdg.mass("t")
    return pole


# --------------------------------------------------------------------------------------------
# Loop functions, Djouadi hep-ph/0503172 eqs. (2.46)-(2.47): tau = m_S^2 / (4 m_loop^2).
# --------------------------------------------------------------------------------------------
_TAU_SERIES = 1e-4  # below: Taylor series (the closed forms cancel to O(tau^2))


def _f(tau):
    """f(tau) = arcsin^2(sqrt(tau)) (tau <= 1), -1/4 [ln((1 + s)/(1 - s)) - i pi]^2, s = sqrt(1 - 1/tau)."""
    tau = np.asarray(tau, dtype=float)
    below = np.arcsin(np.sqrt(np.clip(tau, 0.0, 1.0))) ** 2
    s = np.sqrt(np.clip(1.0 - 1.0 / np.maximum(tau, 1.0), 0.0, 1.0))
    log = np.log((1 + s) / np.maximum(1 - s, np.finfo(float).tiny))  # s rounds to 1 only for tau > 1e16
    above = -0.25 * (log - 1j * np.pi) ** 2
    return np.where(tau <= 1.0, below + 0j, above)


def _a_half(tau):
    """Spin-1/2 loop A_1/2 = 2 [tau + (tau - 1) f(tau)] / tau^2 -> 4/3 (1 + 7 tau/30 + 2 tau^2/21) at small tau."""
    tau = np.asarray(tau, dtype=float)
    t = np.maximum(tau, _TAU_SERIES)
    closed = 2 * (t + (t - 1) * _f(t)) / t**2
    series = 4 / 3 * (1 + 7 * tau / 30 + 2 * tau**2 / 21) + 0j
    return np.where(tau < _TAU_SERIES, series, closed)


def _a_one(tau):
    """Spin-1 (W) loop A_1 = -[2 tau^2 + 3 tau + 3 (2 tau - 1) f(tau)] / tau^2 -> -7 - 22 tau/15 - 76 tau^2/105."""
    tau = np.asarray(tau, dtype=float)
    t = np.maximum(tau, _TAU_SERIES)
    closed = -(2 * t**2 + 3 * t + 3 * (2 * t - 1) * _f(t)) / t**2
    series = -7 - 22 * tau / 15 - 76 * tau**2 / 105 + 0j
    return np.where(tau < _TAU_SERIES, series, closed)


# --------------------------------------------------------------------------------------------
# Partial widths for sin^2(theta) = 1, each a function of m (GeV, any shape).
# --------------------------------------------------------------------------------------------
def _beta(m, m_f):
    """Velocity of a pair of mass m_f from a parent of mass m; 0 below threshold."""
    return np.sqrt(np.clip(1.0 - 4.0 * (m_f / m) ** 2, 0.0, None))


def _gamma_leptons(m, m_l):
    # Djouadi hep-ph/0503172 sec. 2.1.1 (Born width, N_c = 1); Boiarska et al. arXiv:1904.10447 sec. 3:
    # Gamma(S -> l l) = sin^2(theta) G_F m_l^2 m_S beta^3 / (4 sqrt(2) pi).
    return G_F * m_l**2 * m * _beta(m, m_l) ** 3 / (4 * _SQRT2 * np.pi)


def _gamma_photons(m):
    # Djouadi hep-ph/0503172 sec. 2.3 (loop-induced decays, LO): Gamma = G_F alpha^2 m^3 / (128 sqrt(2) pi^3)
    # |sum_f N_c Q_f^2 A_1/2(tau_f) + A_1(tau_W)|^2, with alpha = alpha(0) for real photons.
    pole = _pole_masses()
    loops = ((pdg.mass("e-"), 1, -1.0), (pdg.mass("mu-"), 1, -1.0), (pdg.mass("tau-"), 1, -1.0),
             (pole["c"], 3, 2 / 3), (pole["b"], 3, -1 / 3), (pole["t"], 3, 2 / 3))
    amp = _a_one(m**2 / (4 * pdg.mass("W+") ** 2))
    for m_f, n_c, q in loops:
        amp = amp + n_c * q * q * _a_half(m**2 / (4 * m_f**2))
    return G_F * ALPHA_EM**2 * m**3 / (128 * _SQRT2 * np.pi**3) * np.abs(amp) ** 2


def _gamma_chiral_pair(m, m_p, identical):
    # Low-energy theorem (Shifman, Vainshtein, Zakharov, Phys. Lett. B78 (1978) 443: the three heavy quarks
    # give (2/9) theta^mu_mu) with the LO chiral matrix elements <PP|theta^mu_mu|0> = m_S^2 + 2 m_P^2 and
    # <PP|sum_(u,d,s) m_q qbar q|0> = m_P^2: A = (2/9)(m_S^2 + 11/2 m_P^2)/v (Voloshin, Sov. J. Nucl. Phys. 44
    # (1986) 478). Summed over pi+pi- (16 pi) and pi0 pi0 (32 pi, identical) with equal masses it is
    # Bezrukov & Gorbunov arXiv:0912.0390 sec. 3: 3 m^3 beta (2/9 + 11/9 m_pi^2/m^2)^2 / (32 pi v^2).
    # v^-2 = sqrt(2) G_F. K+K- and K0 K0bar are distinct final states (no 1/2).
    amp2 = (2 / 9 * (m**2 + 5.5 * m_p**2)) ** 2 * _SQRT2 * G_F
    return amp2 * _beta(m, m_p) / (16 * np.pi * m) * (0.5 if identical else 1.0)


def _delta_qcd(a, nf):
    # Djouadi hep-ph/0503172 eq. (2.11), a = alpha_s(m_S)/pi, N_F active flavours.
    return 5.67 * a + (35.94 - 1.36 * nf) * a**2 + (164.14 - 25.77 * nf + 0.259 * nf**2) * a**3


def _gamma_quarks(m, quark, a, nf, m_hadron):
    # Djouadi hep-ph/0503172 eqs. (2.11)-(2.12): Gamma = 3 G_F m_S mbar_q(m_S)^2 / (4 sqrt(2) pi)
    # [1 + Delta_QCD + Delta_t], Delta_t = a^2 [1.57 - 2/3 ln(m_S^2/M_t^2) + 1/9 ln^2(mbar_q^2/m_S^2)];
    # times beta^3 of the lightest hadron pair carrying the flavour (our choice: continuous at the physical
    # threshold; at 4.78 GeV Gamma(c cbar) is 3x below the value with the running-mass beta^3).
    mq = running_mass(quark, m)
    m_t = _pole_masses()["t"]
    delta_t = a**2 * (1.57 - 2 / 3 * np.log(m**2 / m_t**2) + np.log(mq**2 / m**2) ** 2 / 9)
    return (3 * G_F * m * mq**2 * _beta(m, m_hadron) ** 3 / (4 * _SQRT2 * np.pi)
            * (1 + _delta_qcd(a, nf) + delta_t))


def _gamma_gluons(m, a, nf):
    # Djouadi hep-ph/0503172 sec. 2.3 (loop-induced decays, LO): Gamma = G_F alpha_s^2 m^3 / (36 sqrt(2) pi^3)
    # |sum_(c,b,t) 3/4 A_1/2(tau_Q)|^2 (pole masses in the loop), times the NLO factor 1 + E a,
    # E = 95/4 - 7 N_F/6 (Spira, Djouadi, Graudenz, Zerwas hep-ph/9504378, heavy-loop limit).
    pole = _pole_masses()
    amp = sum(0.75 * _a_half(m**2 / (4 * pole[q] ** 2)) for q in ("c", "b", "t"))
    lo = G_F * (np.pi * a) ** 2 * m**3 / (36 * _SQRT2 * np.pi**3) * np.abs(amp) ** 2
    return lo * (1 + (95 / 4 - 7 * nf / 6) * a)


def _widths_unit(m, m_switch):
    """Partial widths (GeV) at sin^2(theta) = 1, dict of arrays shaped like m."""
    mass = pdg.mass
    w = {ch: _gamma_leptons(m, mass(name)) for ch, name in _LEPTONS.items()}
    w["gammagamma"] = _gamma_photons(m)
    chiral = m < m_switch
    w["pipi"] = np.where(chiral, _gamma_chiral_pair(m, mass("pi+"), False)
                         + _gamma_chiral_pair(m, mass("pi0"), True), 0.0)
    w["KK"] = np.where(chiral, _gamma_chiral_pair(m, mass("K+"), False)
                       + _gamma_chiral_pair(m, mass("K0"), False), 0.0)
    a = alpha_s(np.maximum(m, 1.0)) / np.pi  # the perturbative entries are only kept where m >= m_switch
    nf = _n_f(m)
    lightest = {"u": mass("pi0"), "d": mass("pi0"), "s": min(mass("K+"), mass("K0")),
                "c": min(mass("D0"), mass("D+")), "b": min(mass("B+"), mass("B0"))}
    for q, m_hadron in lightest.items():
        w[q + q] = np.where(chiral, 0.0, _gamma_quarks(m, q, a, nf, m_hadron))
    w["gg"] = np.where(chiral, 0.0, _gamma_gluons(m, a, nf))
    return {ch: w[ch] for ch in CHANNELS}


def _check(m_S, sin2_theta, m_switch):
    m = np.asarray(m_S, dtype=float)
    s2 = np.asarray(sin2_theta, dtype=float)
    if not np.all(np.isfinite(m)) or np.any(m <= 0):
        raise ValueError(f"m_S must be finite and > 0 GeV, got {m_S!r}")
    if not np.all(np.isfinite(s2)) or np.any((s2 < 0) | (s2 > 1)):
        raise ValueError(f"sin2_theta must lie in [0, 1], got {sin2_theta!r}")
    if not (math.isfinite(m_switch) and m_switch > 0):
        raise ValueError(f"m_switch must be finite and > 0 GeV, got {m_switch!r}")
    return m, s2


# --------------------------------------------------------------------------------------------
# Public API.
# --------------------------------------------------------------------------------------------
def partial_widths(m_S, sin2_theta=1.0, *, m_switch=M_SWITCH):
    r"""Partial widths of S in GeV, each proportional to sin^2(theta).

    Args:
        m_S: scalar mass (GeV), any shape, > 0.   sin2_theta: sin^2 of the mixing angle, in [0, 1],
            broadcast against m_S.
        m_switch: hadronic switch (GeV): ``pipi``/``KK`` (LO chiral) below, ``uu`` ... ``gg`` at and above.
    Returns:
        dict channel -> array with the broadcast shape of (m_S, sin2_theta); keys :data:`CHANNELS`,
        zero where a channel is closed or belongs to the other side of ``m_switch``.

    >>> # beta -> 1: Gamma(mu mu)/Gamma(e e) -> (m_mu/m_e)^2
    >>> w = partial_widths(50.0)
    >>> bool(np.isclose(w["mumu"] / w["ee"], (pdg.mass("mu-") / pdg.mass("e-")) ** 2, rtol=1e-4))
    True
    """
    m, s2 = _check(m_S, sin2_theta, m_switch)
    return {ch: s2 * w for ch, w in _widths_unit(m, m_switch).items()}


def total_width(m_S, sin2_theta=1.0, *, m_switch=M_SWITCH):
    """Total width of S in GeV (sum of :func:`partial_widths`)."""
    return sum(partial_widths(m_S, sin2_theta, m_switch=m_switch).values())


def ctau(m_S, sin2_theta, *, m_switch=M_SWITCH):
    """Proper decay length c*tau = hbar c / Gamma in metres (inf where sin2_theta = 0)."""
    gamma = total_width(m_S, sin2_theta, m_switch=m_switch)
    with np.errstate(divide="ignore"):
        return HBAR_C / gamma


def branching_ratios(m_S, *, m_switch=M_SWITCH):
    """Branching ratios, dict channel -> array shaped like m_S; independent of sin^2(theta), sum to 1."""
    w = partial_widths(m_S, 1.0, m_switch=m_switch)
    total = sum(w.values())
    return {ch: x / total for ch, x in w.items()}


def br_mumu(m_S, *, m_switch=M_SWITCH):
    """Br(S -> mu+ mu-)."""
    return branching_ratios(m_S, m_switch=m_switch)["mumu"]


def br_ee(m_S, *, m_switch=M_SWITCH):
    """Br(S -> e+ e-)."""
    return branching_ratios(m_S, m_switch=m_switch)["ee"]


def switch_jump(m_switch=M_SWITCH):
    """Gamma_total just above / just below ``m_switch``: the size of the discontinuity the switch makes."""
    above = total_width(m_switch * (1 + 1e-9), m_switch=m_switch)
    below = total_width(m_switch * (1 - 1e-9), m_switch=m_switch)
    return float(above / below)
