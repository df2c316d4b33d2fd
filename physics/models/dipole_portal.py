"""HNL N with a transition magnetic moment to the active neutrinos (Zhang, Song, Ding & Chen, arXiv:2204.07802).

Zhang, Song, Ding & Chen, "Neutrino dipole portal at electron colliders": L = d nubar_L sigma F N + h.c.
(eq. 1). N is a Dirac fermion made in e+e- -> gamma* -> N nubar and Nbar nu (eqs. 2-3 give ONE of the
two charge channels: an independent trace calculation agrees with
eq. (3) exactly) and decays N -> nu gamma with Br = 1 (eq. 4).

Events are generated in the e+e- centre-of-mass frame (e- beam along +z): the N polar angle from
eq. (2), the photon of N -> nu gamma from one of three rest-frame distributions (option ``photon``):

- ``text``: dN/dcos(theta*) ~ 1 - cos(theta*) about the N flight direction (the paper's sentence below
  eq. 7, the m_N << sqrt(s) limit of the exact result);
- ``exact``: the Dirac spin correlation dN/dOmega* ~ 1 - P(z) cos(theta*) + C(z) sin(theta*) cos(phi*)
  (derived for this project), phi* measured from the (beam, N) plane towards the e- beam; an explicit
  Dirac-matrix trace calculation in tests/physics/models/test_dipole_portal.py confirms it and shows that the
  conjugate channel (Nbar nu, Nbar -> nubar gamma) has the same distribution, so one sampler serves both;
- ``isotropic``: a Majorana-like unpolarised photon; with both charge channels it reproduces the paper's
  quoted limits (8e-6, 1.3e-6, 1.3e-5 GeV^-1), while ``text`` and ``exact`` give limits 1.5-1.7x weaker.

All three are ``(1 + v.n)/(4 pi)`` on the sphere for a vector v with |v| <= 1, sampled by one routine.
"""

from __future__ import annotations

import math

import numpy as np

from llpscan.physics.constants import ALPHA_EM, GEV2_TO_FB, HBAR_C
from llpscan.physics.kinematics import EventSample, boost
from llpscan.physics.model import ModelBase, Parameter
from llpscan.physics.sources import sin2_directions

__all__ = [
    "PHOTON_OPTIONS",
    "width_n_to_nu_gamma",
    "ctau_n",
    "dsigma_dcos_one_channel",
    "sigma_one_channel",
    "sigma_production",
    "n_momentum_cm",
    "sample_cos_theta_n",
    "photon_polarisation",
    "sample_photon_rest_frame",
    "generate_cm",
    "DipolePortal",
]

#: photon distributions in the N rest frame (module docstring); the first reproduces the paper
PHOTON_OPTIONS = ("isotropic", "text", "exact")


def width_n_to_nu_gamma(m_N, d):
    """Gamma(N -> nu gamma) = d^2 m_N^3 / (4 pi) in GeV (eq. 4, Dirac N); m_N in GeV, d in GeV^-1.

    >>> # the width grows like m^3: doubling the mass multiplies it by 8
    >>> float(width_n_to_nu_gamma(2.0, 1e-5) / width_n_to_nu_gamma(1.0, 1e-5))
    8.0
    """
    m_N, d = np.asarray(m_N, dtype=float), np.asarray(d, dtype=float)
    return d * d * m_N**3 / (4 * math.pi)


def ctau_n(m_N, d):
    """Proper decay length c tau (m) of N with Br(N -> nu gamma) = 1 (below eq. 6)."""
    return HBAR_C / width_n_to_nu_gamma(m_N, d)


def dsigma_dcos_one_channel(z, s, m_N, d):
    """d sigma(e+e- -> N nubar)/d cos(theta_N) in GeV^-2 (eq. 2); theta_N from the e- beam.

    Zero where m_N^2 >= s.
    """
    z, s, m2 = np.asarray(z, dtype=float), np.asarray(s, dtype=float), np.square(np.asarray(m_N, dtype=float))
    out = np.square(d) * ALPHA_EM * (s - m2) ** 2 * ((1 - z * z) * s + (1 + z * z) * m2) / (4 * s**3)
    return np.where(m2 < s, out, 0.0)


def sigma_one_channel(s, m_N, d):
    """sigma(e+e- -> N nubar) in GeV^-2: alpha d^2 (s - m^2)^2 (s + 2 m^2) / (3 s^3) (eq. 3).

    >>> # m_N -> 0: alpha d^2 / 3, independent of s (below eq. 3)
    >>> bool(np.isclose(sigma_one_channel(100.0, 1e-6, 1.0), ALPHA_EM / 3, rtol=1e-9))
    True
    """
    s, m2 = np.asarray(s, dtype=float), np.square(np.asarray(m_N, dtype=float))
    out = ALPHA_EM * np.square(d) * (s - m2) ** 2 * (s + 2 * m2) / (3 * s**3)
    return np.where(m2 < s, out, 0.0)


def sigma_production(sqrt_s, m_N, d):
    """Total N production in fb for the Dirac N: N nubar + Nbar nu = 2 x eq. (3) (eq. (3) is one charge channel;
    the conjugate one has the same rate)."""
    return 2.0 * sigma_one_channel(np.square(sqrt_s), m_N, d) * GEV2_TO_FB


def n_momentum_cm(sqrt_s, m_N):
    """|p_N| (GeV) in the CM frame of e+e- -> N nu: (s - m^2)/(2 sqrt(s)) (below eq. 6)."""
    sqrt_s = np.asarray(sqrt_s, dtype=float)
    return np.clip(sqrt_s**2 - np.square(m_N), 0.0, None) / (2 * sqrt_s)


def sample_cos_theta_n(rng: np.random.Generator, n: int, s: float, m_N: float):
    """``n`` unit vectors of the N direction in the CM frame, polar angle from eq. (2), phi uniform.

    Eq. (2) is ~ 1 - a z^2 with a = (s - m^2)/(s + m^2): a mixture of a flat part (1 - a), weight
    2(1 - a), and a (1 - z^2) part, weight 4a/3, the latter drawn with :func:`sin2_directions`.
    """
    m2 = m_N * m_N
    a = (s - m2) / (s + m2)
    w_flat = 2 * (1 - a) / (2 * (1 - a) + 4 * a / 3)
    flat = rng.uniform(0.0, 1.0, n) < w_flat
    dirs = sin2_directions(rng, n)
    cos_flat = rng.uniform(-1.0, 1.0, n)
    cos_t = np.where(flat, cos_flat, dirs[:, 2])
    sin_t = np.sqrt(np.clip(1 - cos_t * cos_t, 0.0, None))
    phi = np.arctan2(dirs[:, 1], dirs[:, 0])
    return np.stack([sin_t * np.cos(phi), sin_t * np.sin(phi), cos_t], axis=-1)


def photon_polarisation(z, s, m_N):
    """(P, C) of the exact Dirac photon distribution 1 - P cos(theta*) + C sin(theta*) cos(phi*).

    With D = (1 - z^2) s + (1 + z^2) m^2 (the Dirac spin correlation, checked by a trace in the tests),
    P = [(1 - z^2) s - (1 + z^2) m^2]/D, C = 2 m sqrt(s) z sqrt(1 - z^2)/D; P^2 + C^2 <= 1.

    >>> [round(float(v), 12) for v in photon_polarisation(0.0, 100.0, 1e-9)]   # m << sqrt(s): the text's 1 - cos
    [1.0, 0.0]
    """
    z = np.asarray(z, dtype=float)
    m2 = m_N * m_N
    d = (1 - z * z) * s + (1 + z * z) * m2
    p = ((1 - z * z) * s - (1 + z * z) * m2) / d
    c = 2 * m_N * math.sqrt(s) * z * np.sqrt(np.clip(1 - z * z, 0.0, None)) / d
    return p, c


def sample_photon_rest_frame(rng: np.random.Generator, v):
    """Unit vectors n (k, 3) with density (1 + v.n)/(4 pi) for vectors v (k, 3), |v| <= 1.

    Along v-hat, cos(alpha) has density (1 + |v| cos)/2; its inverse CDF is the stable root
    c = -2B/(1 + sqrt(1 - 2|v|B)), B = 1 - |v|/2 - 2u; the azimuth about v-hat is uniform.
    """
    v = np.asarray(v, dtype=float)
    k = np.linalg.norm(v, axis=-1)
    u = rng.uniform(0.0, 1.0, k.shape)
    phi = rng.uniform(0.0, 2 * np.pi, k.shape)
    b = 1 - k / 2 - 2 * u
    c = np.clip(-2 * b / (1 + np.sqrt(np.clip(1 - 2 * k * b, 0.0, None))), -1.0, 1.0)
    sn = np.sqrt(1 - c * c)
    # an orthonormal frame (e1, e2, e3 = v-hat); where v = 0 any frame will do (use z)
    e3 = np.where(k[:, None] > 0, v / np.where(k > 0, k, 1.0)[:, None], np.array([0.0, 0.0, 1.0]))
    helper = np.where(np.abs(e3[:, 2:3]) < 0.9, np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0]))
    e1 = np.cross(helper, e3)
    e1 /= np.linalg.norm(e1, axis=-1, keepdims=True)
    e2 = np.cross(e3, e1)
    return (sn * np.cos(phi))[:, None] * e1 + (sn * np.sin(phi))[:, None] * e2 + c[:, None] * e3


def generate_cm(rng: np.random.Generator, n: int, sqrt_s: float, m_N: float, photon: str = "isotropic"):
    """CM-frame four-momenta (n, 4) of N and of the photon of N -> nu gamma (e- beam along +z).

    The N direction follows eq. (2); the photon's rest-frame direction follows ``photon`` (module
    docstring). Returns ``(p_N, p_gamma)``.
    """
    if photon not in PHOTON_OPTIONS:
        raise ValueError(f"photon={photon!r}: allowed {', '.join(PHOTON_OPTIONS)}")
    s = sqrt_s * sqrt_s
    if not 0 < m_N < sqrt_s:
        raise ValueError(f"m_N={m_N} GeV must lie in (0, sqrt(s)={sqrt_s} GeV)")
    n_hat = sample_cos_theta_n(rng, n, s, m_N)
    p = float(n_momentum_cm(sqrt_s, m_N))
    e = math.hypot(p, m_N)
    p_n = np.concatenate([np.full((n, 1), e), p * n_hat], axis=-1)
    if photon == "isotropic":
        v = np.zeros((n, 3))
    elif photon == "text":
        v = -n_hat  # 1 - cos(theta*) about the flight direction
    else:
        z = n_hat[:, 2]
        pol, c = photon_polarisation(z, s, m_N)
        # x' = unit vector in the (beam, N) plane, perpendicular to N, towards the e- beam (+z)
        xp = np.array([0.0, 0.0, 1.0]) - z[:, None] * n_hat
        norm = np.linalg.norm(xp, axis=-1, keepdims=True)
        xp = np.divide(xp, norm, out=np.zeros_like(xp), where=norm > 0)  # C = 0 where z = +-1
        v = -pol[:, None] * n_hat + c[:, None] * xp
    n_star = sample_photon_rest_frame(rng, v)
    k_rest = np.concatenate([np.ones((n, 1)), n_star], axis=-1) * (m_N / 2)  # massless nu and gamma
    p_gamma = boost(k_rest, p_n[:, 1:] / e)
    return p_n, p_gamma


class DipolePortal(ModelBase):
    """Dirac N with a transition magnetic moment d (GeV^-1) to one active neutrino (Zhang, Song, Ding & Chen).

    ``sqrt_s_max`` (GeV) bounds m_N (the collider energy); points with m_N >= sqrt(s) are masked by
    the scenario.
    """

    name = "dipole-portal"
    llps = ("N",)

    def __init__(self, sqrt_s_max: float):
        self.parameters = (
            Parameter("m_N", "GeV", "heavy neutral lepton mass", 1.0, "mass", 0.0, sqrt_s_max, positive=True,
                      latex="m_N"),
            Parameter("d", "GeV^-1", "active-sterile transition magnetic moment", 1e-5, "lifetime", 0.0, 1.0,
                      positive=True, latex="d"),
        )

    def ctau(self, *, m_N, d, **_):
        return {"N": ctau_n(m_N, d)}

    def is_open(self, *, m_N, sqrt_s, **_):
        return np.asarray(m_N) < np.asarray(sqrt_s)

    def events(self, rng: np.random.Generator, n: int, *, m_N: float, sqrt_s: float, photon: str,
               beta=(0.0, 0.0, 0.0)) -> EventSample:
        """Lab-frame sample: the CM events of :func:`generate_cm` boosted by the CM velocity ``beta``."""
        p_n, p_gamma = generate_cm(rng, n, sqrt_s, m_N, photon)
        cm = EventSample(momenta={"N": p_n, "gamma": p_gamma}, llps=("N",),
                         masses={"m_N": m_N, "sqrt_s": sqrt_s}, llp_masses={"N": m_N})
        return cm.boosted(np.asarray(beta, dtype=float)) if np.any(beta) else cm
