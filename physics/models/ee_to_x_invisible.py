"""A generic long-lived X made in e+e- -> X + invisible that decays to nu gamma (monophoton searches).

The model-independent counterpart of the neutrino dipole portal of Zhang, Song, Ding & Chen
(arXiv:2204.07802): X recoils against one massless invisible particle (the nu of e+e- -> N nu), so its
CM momentum is (s - m_X^2)/(2 sqrt(s)) (below eq. (6) of that paper), and decays to a massless
invisible particle and a photon with the photon isotropic in the X rest frame (an unpolarised X; the
paper's ``isotropic`` option). Its mass, c tau and the rate sigma(e+e- -> X + inv) x Br(X -> nu gamma)
(fb) are free. The polar angle of X in the CM frame is part of the assumption (``PRODUCTIONS``):

- ``dipole``: dsigma/dcos(theta) of eq. (2) of that paper (a photon-mediated magnetic-moment coupling,
  ~ 1 - a cos^2(theta) with a = (s - m^2)/(s + m^2)), drawn by the paper's own generator
  (:func:`llpscan.physics.models.dipole_portal.generate_cm`);
- ``isotropic``: flat in cos(theta).

Units: GeV, metres, fb.
"""

from __future__ import annotations

import math

import numpy as np

from llpscan.physics.kinematics import EventSample, boost, isotropic_directions
from llpscan.physics.model import ModelBase, Parameter
from llpscan.physics.models import dipole_portal
from llpscan.physics.models.b_to_k_x import CTAU_X

__all__ = ["PRODUCTIONS", "generate_cm", "EEToXInvisible"]

#: the polar-angle distribution of X in the CM frame (module docstring); the first is the default
PRODUCTIONS = ("dipole", "isotropic")


def generate_cm(rng: np.random.Generator, n: int, sqrt_s: float, m_X: float, production: str = "dipole"):
    """CM-frame four-momenta (n, 4) of X and of the photon of X -> nu gamma (e- beam along +z).

    The photon is isotropic in the X rest frame; X follows ``production``. Returns ``(p_X, p_gamma)``.

    >>> p_x, p_g = generate_cm(np.random.default_rng(0), 4, 10.0, 3.0, "isotropic")
    >>> bool(np.allclose(np.linalg.norm(p_x[:, 1:], axis=1), (100 - 9) / 20))   # (s - m^2)/(2 sqrt s)
    True
    >>> bool(np.allclose(p_g[:, 0] ** 2, np.sum(p_g[:, 1:] ** 2, axis=1)))       # a massless photon
    True
    """
    if production not in PRODUCTIONS:
        raise ValueError(f"production={production!r}: allowed {', '.join(PRODUCTIONS)}")
    if production == "dipole":
        return dipole_portal.generate_cm(rng, n, sqrt_s, m_X, photon="isotropic")
    if not 0 < m_X < sqrt_s:
        raise ValueError(f"m_X={m_X} GeV must lie in (0, sqrt(s)={sqrt_s} GeV)")
    p = float(dipole_portal.n_momentum_cm(sqrt_s, m_X))
    e = math.hypot(p, m_X)
    p_x = np.concatenate([np.full((n, 1), e), p * isotropic_directions(rng, n)], axis=-1)
    k_rest = np.concatenate([np.ones((n, 1)), isotropic_directions(rng, n)], axis=-1) * (m_X / 2)
    return p_x, boost(k_rest, p_x[:, 1:] / e)


class EEToXInvisible(ModelBase):
    """e+e- -> X + invisible, X -> nu gamma (Br = 1 within ``sigma``): m_X, c tau_X, sigma free.

    ``sqrt_s_max`` (GeV) bounds m_X (the collider energy). The events name X ``N`` (the name the
    monophoton search reads, :class:`~llpscan.detectors.searches.MonophotonSearch`).

    >>> EEToXInvisible(10.0).is_open(m_X=np.array([1.0, 12.0]), sqrt_s=10.0).tolist()
    [True, False]
    """

    name = "ee-to-x-invisible"
    llps = ("X",)

    def __init__(self, sqrt_s_max: float):
        self.parameters = (
            Parameter("m_X", "GeV", "mass of X", 1.0, "mass", 0.0, sqrt_s_max, positive=True, latex="m_X"),
            CTAU_X,
            Parameter("sigma", "fb", "sigma(e+e- -> X + invisible) x Br(X -> nu gamma)", 1.0, "rate", 0.0,
                      positive=True, latex=r"\sigma(e^+e^- \to X\,\mathrm{inv})\,\mathrm{Br}(X \to \nu\gamma)"),
        )

    def ctau(self, *, ctau_X, **_):
        return {"X": np.asarray(ctau_X, dtype=float)}

    def is_open(self, *, m_X, sqrt_s, **_):
        return np.asarray(m_X) < np.asarray(sqrt_s)

    def events(self, rng: np.random.Generator, n: int, *, m_X: float, sqrt_s: float, production: str,
               beta=(0.0, 0.0, 0.0)) -> EventSample:
        """Lab-frame sample: the CM events of :func:`generate_cm` boosted by the CM velocity ``beta``."""
        p_x, p_gamma = generate_cm(rng, n, sqrt_s, m_X, production)
        cm = EventSample(momenta={"N": p_x, "gamma": p_gamma}, llps=("N",),
                         masses={"m_X": m_X, "sqrt_s": sqrt_s}, llp_masses={"N": m_X})
        return cm.boosted(np.asarray(beta, dtype=float)) if np.any(beta) else cm
