"""Dark scalar S from B+ -> K+ S (Higgs mixing), promptly to two dark photons (Cheung et al., arXiv:2401.03168).

Cheung, Kim, Kwon, Ouseph, Soffer & Wang, "Probing dark photons from a light scalar at Belle II" (S -> A' A'
with both A' displaced): production eqs. (2)-(6) (Winkler,
arXiv:1809.01876, with the Ball-Zwicky f_0), Br(S -> A' A') = 1 (section 2), the A' decays of
:mod:`physics.models.dark_photon` (eqs. (9), (10)). Event generation follows section 3.4: B+ -> K+ S
phase space, S -> A' A' with longitudinal (default) or transverse A' helicities (EvtGen SVV_HELAMP),
A' -> two leptons (VLL) or two pseudoscalars (VSS).
"""

from __future__ import annotations

import math

import numpy as np

from llpscan.physics import pdg
from llpscan.physics.constants import G_F, HBAR_C, V_HIGGS
from llpscan.physics.form_factors import f0_B_to_K
from llpscan.physics.kinematics import EventSample, boost, kallen, two_body_decay, two_body_momentum
from llpscan.physics.model import ModelBase, Parameter
from llpscan.physics.models import dark_photon

__all__ = ["DarkScalarToDarkPhotons", "br_b_to_k_scalar", "width_s_to_apap", "CHANNELS",
           "POLARISATIONS", "decay_angle_coefficients", "plane_correlation", "M_TOP", "V_TS_V_TB"]

#: the A' final states of the search (section 3.2) -> particle name of the two tracks
CHANNELS = {"ee": "e-", "mumu": "mu-", "pipi": "pi+", "KK": "K+"}
POLARISATIONS = ("longitudinal", "transverse")

# Top mass in the penguin (M_TOP, read on first use): the pole mass of the particle package (PDG, 172.6 GeV). Br(B -> K S)
# scales as m_t^4; the MSbar mass (~163 GeV) gives about 20% less (pole: 0.52 sin^2(theta) at m_S = 1 GeV).
# |V_ts^* V_tb| from the PDG 2024 CKM global fit (Wolfenstein parameters): |V_ts| = 0.04110,
# |V_tb| = 0.999118.
V_TS_V_TB = 0.04110 * 0.999118


def br_b_to_k_scalar(m_S, sin_theta=1.0):
    """Br(B+ -> K+ S) for a scalar of mass m_S (GeV) mixing with the Higgs by angle theta.

    Winkler arXiv:1809.01876 eqs. (5)-(6) = eqs. (2)-(6) (from the effective b -> s S coupling
    of Winkler; the 1/2 of the P_R projection is in h):
    Gamma = |h|^2 sin^2(theta)/(16 pi m_B^3) ((m_B^2 - m_K^2)/(m_b - m_s))^2 f_0(m_S^2)^2 lambda^(1/2),
    h = 3 sqrt(2) G_F m_t^2 V_ts^* V_tb (m_b + m_s)/(32 pi^2 v); quark masses (MSbar) from PDG.
    Divided by Gamma(B+) from the PDG lifetime; 0 where m_S >= m_B - m_K.
    """
    m_S = np.asarray(m_S, dtype=float)
    m_B, m_K = pdg.mass("B+"), pdg.mass("K+")
    m_b, m_s = pdg.mass("b"), pdg.mass("s")
    h = 3 * math.sqrt(2) * G_F * pdg.mass("t") ** 2 * V_TS_V_TB * (m_b + m_s) / (32 * math.pi**2 * V_HIGGS)
    lam = np.clip(kallen(m_B**2, m_K**2, m_S**2), 0.0, None)
    gamma = (h**2 * np.square(sin_theta) / (16 * math.pi * m_B**3)
             * ((m_B**2 - m_K**2) / (m_b - m_s)) ** 2 * f0_B_to_K(m_S**2) ** 2 * np.sqrt(lam))
    return np.where(m_S < m_B - m_K, gamma / pdg.width("B+"), 0.0)


def width_s_to_apap(m_S, m_Ap, g_D):
    """Gamma(S -> A' A') in GeV, eq. (7) (Araki et al. arXiv:2008.12765):
    g_D^2 m_S^3/(32 pi m_A'^2) (1 - 4x + 12x^2) sqrt(1 - 4x), x = m_A'^2/m_S^2; 0 where closed."""
    m_S, m_Ap = np.asarray(m_S, dtype=float), np.asarray(m_Ap, dtype=float)
    x = np.square(m_Ap / m_S)
    phase_space = (1 - 4 * x + 12 * x * x) * np.sqrt(np.clip(1 - 4 * x, 0, None))
    return np.square(g_D) * m_S**3 / (32 * math.pi * m_Ap**2) * phase_space


def decay_angle_coefficients(channel: str, m_Ap: float, polarisation: str):
    """(A, B) of dN/dcos(theta*) = A + B cos^2(theta*) for A' -> two tracks, theta* the angle of a
    daughter to the A' flight direction in the A' rest frame.

    A vector of helicity 0 (longitudinal) or +-1 (transverse) decaying through a vector current
    (EvtGen VLL / VSS, section 3.4): leptons of mass m, r = 4 m^2/m_A'^2:
    longitudinal sin^2 + r cos^2, transverse 1 + cos^2 + r sin^2; pseudoscalar pairs (P wave):
    longitudinal cos^2, transverse sin^2.
    """
    if polarisation not in POLARISATIONS:
        raise ValueError(f"polarisation={polarisation!r}: allowed {', '.join(POLARISATIONS)}")
    long_ = polarisation == "longitudinal"
    if channel in ("pipi", "KK"):
        return (0.0, 1.0) if long_ else (1.0, -1.0)
    r = 4 * pdg.mass(CHANNELS[channel]) ** 2 / m_Ap**2
    return (1.0, r - 1.0) if long_ else (1.0 + r, 1.0 - r)


def _sample_cos(rng, n, a, b):
    """n values of cos(theta) with density proportional to a + b c^2 on [-1, 1] (a >= 0, a + b >= 0).

    Inverse CDF: F(c) = (a (c + 1) + b (c^3 + 1)/3)/(2a + 2b/3) = u is the depressed cubic
    c^3 + p c + q = 0 with p = 3a/b, q = 3a/b + 1 - u (6a/b + 2); Cardano's formula for b > 0
    (p >= 0: one real root), the trigonometric form's middle root for b < 0 (p <= -3), c = 2u - 1 for b = 0.
    """
    u = rng.uniform(0.0, 1.0, n)
    if b == 0:
        return 2 * u - 1
    p = 3 * a / b
    q = p + 1 - u * (2 * p + 2)
    if b > 0:
        d = np.sqrt(q * q / 4 + p**3 / 27)
        c = np.cbrt(-q / 2 + d) + np.cbrt(-q / 2 - d)
    else:
        r = math.sqrt(-p / 3)
        arg = np.clip(3 * q / (2 * p) / r, -1.0, 1.0)
        c = 2 * r * np.cos(np.arccos(arg) / 3 - 2 * math.pi / 3)
    return np.clip(c, -1.0, 1.0)


def _unit(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def plane_correlation(momenta, c1: str, c2: str, m_Ap: float):
    """Event weight factor 1 + q1 q2 cos(2 Phi) of transverse A' pairs (n,), for A'1 -> channel c1 and
    A'2 -> channel c2, from the momenta of :meth:`DarkScalarToDarkPhotons.decay` (any common frame).

    S -> A'A' with H_++ = H_-- (CP-even S, EvtGen SVV_HELAMP with equal transverse amplitudes and no
    relative phase) makes the helicity amplitudes of the two A' interfere: summed over track helicities,
    |A|^2 = P1 P2 + I1 I2 cos(2 Phi), Phi the angle between the two decay planes in the S frame, with
    P = 1 + cos^2 + r sin^2 and I = (1 - r) sin^2 for leptons (r = 4 m_l^2/m_A'^2), P = sin^2 and I = -sin^2
    for pseudoscalar pairs (Wigner d^1 functions; e.g. S -> gamma gamma -> 4 leptons: planes parallel).
    The events are drawn from P1 P2 with Phi uniform, so this factor (>= 0, mean 1 over Phi) restores the
    joint distribution; q = I/P.
    """
    s = momenta["S"]
    to_s = -s[:, 1:] / s[:, :1]
    axis = _unit(boost(momenta["Ap1"], to_s)[:, 1:])
    q, normals = [], []
    for i, ch in ((1, c1), (2, c2)):
        ap = boost(momenta[f"Ap{i}"], to_s)
        track_s = boost(momenta[f"Ap{i}_{ch}_1"], to_s)
        track = boost(track_s, -ap[:, 1:] / ap[:, :1])  # in the A' rest frame
        c = np.sum(_unit(track[:, 1:]) * _unit(ap[:, 1:]), axis=1)
        s2 = 1 - c * c
        if ch in ("pipi", "KK"):
            q.append(-np.ones_like(c))
        else:
            r = 4 * pdg.mass(CHANNELS[ch]) ** 2 / m_Ap**2
            q.append((1 - r) * s2 / (1 + c * c + r * s2))
        normals.append(np.cross(axis, track_s[:, 1:]))
    n1, n2 = normals
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_phi = np.sum(n1 * n2, axis=1) / (np.linalg.norm(n1, axis=1) * np.linalg.norm(n2, axis=1))
    cos_2phi = np.nan_to_num(2 * cos_phi * cos_phi - 1)
    return 1 + q[0] * q[1] * cos_2phi


def _decay_along_helicity_axis(rng, parent, m_d, a, b):
    """Two-body decay of ``parent`` (n, 4) into equal masses m_d with dN/dcos = a + b cos^2 about the
    parent's flight direction in the frame of ``parent``; phi uniform. Returns the daughters (n, 4)."""
    n = parent.shape[0]
    M = np.sqrt(np.clip(parent[:, 0] ** 2 - np.sum(parent[:, 1:] ** 2, axis=1), 0.0, None))
    q = two_body_momentum(M, m_d, m_d)
    c = _sample_cos(rng, n, a, b)
    phi = rng.uniform(0.0, 2 * math.pi, n)
    s = np.sqrt(np.clip(1 - c * c, 0.0, None))
    # orthonormal frame (e1, e2, z) with z along the parent momentum
    z = parent[:, 1:] / np.linalg.norm(parent[:, 1:], axis=1, keepdims=True)
    helper = np.where(np.abs(z[:, :1]) < 0.9, np.array([[1.0, 0, 0]]), np.array([[0, 1.0, 0]]))
    e1 = np.cross(helper, z)
    e1 /= np.linalg.norm(e1, axis=1, keepdims=True)
    e2 = np.cross(z, e1)
    d = (s * np.cos(phi))[:, None] * e1 + (s * np.sin(phi))[:, None] * e2 + c[:, None] * z
    e = np.sqrt(q * q + m_d * m_d)[:, None]
    p1 = np.concatenate([e, d * q[:, None]], axis=1)
    p2 = np.concatenate([e, -d * q[:, None]], axis=1)
    beta = parent[:, 1:] / parent[:, :1]
    return boost(p1, beta), boost(p2, beta)


class DarkScalarToDarkPhotons(ModelBase):
    """B+ -> K+ S, S -> A' A' (Br = 1), A' -> e e, mu mu, pi pi, K K, ... (Cheung et al.)."""

    name = "dark-scalar-dark-photon"
    llps = ("Ap",)

    def __init__(self, vector_mesons: str = "minimal"):
        dark_photon._check_vm(vector_mesons)
        self.vector_mesons = vector_mesons  # the A' kaon form factors (physics.models.dark_photon)
        m_B, m_K = pdg.mass("B+"), pdg.mass("K+")
        self.parameters = (
            Parameter("m_S", "GeV", "dark scalar mass", 1.0, "mass", 0.0, m_B - m_K, positive=True, latex="m_S"),
            Parameter("m_Ap", "GeV", "dark photon mass", 0.3, "mass", 0.0, (m_B - m_K) / 2, positive=True,
                      latex="m_{A'}"),
            Parameter("eps", "1", "kinetic mixing of the dark photon", 1e-6, "lifetime", 0.0, 1.0, positive=True,
                      latex=r"\epsilon"),
            Parameter("sin_theta", "1", "sine of the scalar-Higgs mixing angle", 1e-4, "rate", 0.0, 1.0, positive=True,
                      latex=r"\sin\theta"),
            # sets Br(S -> A'A') = 1 and a prompt S without a value of the dark gauge
            # coupling; g_D only decides where S stops being prompt (near m_S = 2 m_A')
            Parameter("g_D", "1", "dark U(1) gauge coupling (promptness of S only)", 0.1, "rate", 0.0, 4 * math.pi,
                      positive=True, latex="g_D"),
        )

    def ctau(self, *, m_Ap, eps, **_):
        m_Ap = np.asarray(m_Ap, dtype=float)
        return {"Ap": dark_photon.ctau(m_Ap, eps, self.vector_mesons)}

    def branching_ratios(self, m_Ap):
        """Br(A' -> ...) (independent of eps), keys of :func:`physics.models.dark_photon.widths`."""
        return dark_photon.branching_ratios(m_Ap, self.vector_mesons)

    def br_production(self, *, m_S, sin_theta, **_):
        """Br(B+ -> K+ S) x Br(S -> A' A'), with Br(S -> A' A') = 1 (section 2)."""
        return br_b_to_k_scalar(m_S, sin_theta)

    def ctau_scalar(self, *, m_S, m_Ap, g_D, **_):
        """Proper decay length (m) of S with Gamma(S) = Gamma(S -> A' A')."""
        with np.errstate(divide="ignore"):
            return HBAR_C / width_s_to_apap(m_S, m_Ap, g_D)

    def is_open(self, *, m_S, m_Ap, **_):
        """2 m_A' < m_S < m_B - m_K."""
        m_S, m_Ap = np.asarray(m_S, dtype=float), np.asarray(m_Ap, dtype=float)
        return (2 * m_Ap < m_S) & (m_S < pdg.mass("B+") - pdg.mass("K+"))

    def scalar_beta_gamma_max(self, *, m_S, beta_gamma_cm: float, **_):
        """Upper bound on beta*gamma of S in a frame where the Upsilon(4S) moves with beta_gamma_cm
        (all boosts collinear)."""
        m_S = np.asarray(m_S, dtype=float)
        m_B, m_K, m_ups = pdg.mass("B+"), pdg.mass("K+"), pdg.mass("Upsilon(4S)")
        ok = m_S < m_B - m_K
        out = 0.0
        for bg in (beta_gamma_cm, float(two_body_momentum(m_ups, m_B, m_B)) / m_B,
                   two_body_momentum(m_B, m_K, np.where(ok, m_S, 0.0)) / np.where(ok, m_S, 1.0)):
            out = out * np.sqrt(1 + bg * bg) + np.sqrt(1 + out * out) * bg
        return out

    def decay(self, rng: np.random.Generator, b_mesons, *, m_S, m_Ap, polarisation="longitudinal") -> EventSample:
        """B+ -> K+ S (phase space), S -> A' A' (isotropic: spin 0), and each A' into every channel of
        :data:`CHANNELS` that is open, with the helicity angular distribution of ``polarisation``.

        Momenta keys: K, S, Ap1, Ap2 and ``Ap{i}_{channel}_{1,2}`` for the two tracks (the first is the
        negative one). Frame: that of ``b_mesons``.
        """
        kaon, scalar = two_body_decay(rng, b_mesons, pdg.mass("K+"), m_S)
        ap1, ap2 = two_body_decay(rng, scalar, m_Ap, m_Ap)
        momenta = {"K": kaon, "S": scalar, "Ap1": ap1, "Ap2": ap2}
        beta_s = scalar[:, 1:] / scalar[:, :1]
        # helicity axis of each A': its direction in the S rest frame
        in_s = {1: boost(ap1, -beta_s), 2: boost(ap2, -beta_s)}
        for channel, name in CHANNELS.items():
            m_d = pdg.mass(name)
            if 2 * m_d >= m_Ap:
                continue
            a, b = decay_angle_coefficients(channel, m_Ap, polarisation)
            for i in (1, 2):
                t1, t2 = _decay_along_helicity_axis(rng, in_s[i], m_d, a, b)
                momenta[f"Ap{i}_{channel}_1"] = boost(t1, beta_s)
                momenta[f"Ap{i}_{channel}_2"] = boost(t2, beta_s)
        return EventSample(
            momenta=momenta,
            llps=("Ap1", "Ap2"),
            masses={"m_S": float(m_S), "m_Ap": float(m_Ap)},
            llp_masses={"Ap1": float(m_Ap), "Ap2": float(m_Ap)},
        )


def __getattr__(name):
    # M_TOP (the PDG top mass, GeV) is looked up on first use: loading the PDG table at import costs ~0.5 s
    if name == "M_TOP":
        return pdg.mass("t")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
