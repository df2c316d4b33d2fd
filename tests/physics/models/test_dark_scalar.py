"""B+ -> K+ S via Higgs mixing and the S -> A'A' -> 4 tracks events of Cheung et al. (arXiv:2401.03168)."""

from __future__ import annotations

import numpy as np
import pytest

from llpscan.physics import pdg
from llpscan.physics.kinematics import boost
from llpscan.physics.models.dark_scalar import (
    CHANNELS,
    M_TOP,
    DarkScalarToDarkPhotons,
    br_b_to_k_scalar,
    width_s_to_apap,
)
from llpscan.physics.sources import b_mesons_from_upsilon4s


def minv2(p):
    return p[..., 0] ** 2 - np.sum(p[..., 1:] ** 2, axis=-1)


def test_br_b_to_k_s_at_1_gev_with_the_pole_top_mass():
    # Winkler (arXiv:1809.01876) eqs. (5)-(6), evaluated independently: 0.52 sin^2(theta) at m_S = 1 GeV with the
    # pole mass
    # (172.57 GeV; particle ships 172.6, +0.07% in m_t^4). Tolerance 1.5%: the quoted two digits.
    assert M_TOP == pytest.approx(172.6, abs=0.1)
    assert float(br_b_to_k_scalar(1.0, 1.0)) == pytest.approx(0.52, rel=0.015)
    # not the factor-4 error of the missing P_R projection (a result near 2 sin^2 theta would be that error)
    assert float(br_b_to_k_scalar(1.0, 1e-4)) == pytest.approx(0.52e-8, rel=0.015)


def test_br_b_to_k_s_closes_at_threshold_and_scales_with_sin2():
    m_max = pdg.mass("B+") - pdg.mass("K+")
    assert float(br_b_to_k_scalar(m_max + 1e-6)) == 0.0
    np.testing.assert_allclose(br_b_to_k_scalar([0.5, 2.0], 3e-3), 9e-6 * br_b_to_k_scalar([0.5, 2.0]), rtol=1e-12)


def test_s_to_apap_width_vanishes_at_threshold():
    assert float(width_s_to_apap(1.0, 0.5, 0.1)) == 0.0
    # far from threshold it grows as m_S^3/m_A'^2 (Goldstone-boson equivalence, longitudinal A')
    r = width_s_to_apap(2.0, 0.01, 0.1) / width_s_to_apap(1.0, 0.01, 0.1)
    assert float(r) == pytest.approx(8.0, rel=1e-3)


@pytest.fixture(scope="module")
def samples():
    model = DarkScalarToDarkPhotons()
    out = {}
    for pol in ("longitudinal", "transverse"):
        rng = np.random.default_rng(7)
        b = b_mesons_from_upsilon4s(rng, 40000)
        out[pol] = (b, model.decay(rng, b, m_S=3.0, m_Ap=1.1, polarisation=pol))
    return out


def test_four_momentum_conservation_and_masses(samples):
    b, ev = samples["longitudinal"]
    mom = ev.momenta
    for ch, name in CHANNELS.items():
        total = mom["K"] + sum(mom[f"Ap{i}_{ch}_{j}"] for i in (1, 2) for j in (1, 2))
        np.testing.assert_allclose(total, b, atol=1e-9)
        np.testing.assert_allclose(minv2(mom[f"Ap1_{ch}_1"]), pdg.mass(name) ** 2, atol=1e-9)
        np.testing.assert_allclose(minv2(mom[f"Ap2_{ch}_1"] + mom[f"Ap2_{ch}_2"]), 1.1**2, rtol=1e-9)


def helicity_cos(ev, i, ch):
    """cos(theta*) of track 1 in the A' rest frame w.r.t. the A' direction in the S frame,
    reconstructed from the final momenta (independent of how they were generated)."""
    s = ev.momenta["S"]
    bs = -s[:, 1:] / s[:, :1]
    ap = boost(ev.momenta[f"Ap{i}"], bs)
    t1 = boost(boost(ev.momenta[f"Ap{i}_{ch}_1"], bs), -ap[:, 1:] / ap[:, :1])
    axis = ap[:, 1:] / np.linalg.norm(ap[:, 1:], axis=1, keepdims=True)
    return np.sum(t1[:, 1:] * axis, axis=1) / np.linalg.norm(t1[:, 1:], axis=1)


@pytest.mark.parametrize("pol, ch, expected", [
    # <cos^2> of the distributions of EvtGen VSS/VLL for helicity 0 and +-1 (r = 4 m^2/m_A'^2):
    ("longitudinal", "pipi", 3 / 5),  # cos^2
    ("transverse", "pipi", 1 / 5),  # sin^2
    ("transverse", "KK", 1 / 5),
    ("longitudinal", "ee", 1 / 5),  # sin^2 (r ~ 1e-6)
    ("transverse", "ee", 2 / 5),  # 1 + cos^2
])
def test_helicity_angle_distributions(samples, pol, ch, expected):
    _, ev = samples[pol]
    c = np.concatenate([helicity_cos(ev, 1, ch), helicity_cos(ev, 2, ch)])
    # 80000 values: standard error of <c^2> below 0.0015; tolerance 0.006 (4 sigma)
    assert np.mean(c * c) == pytest.approx(expected, abs=0.006)


def test_muon_mass_term_in_longitudinal_distribution(samples):
    # longitudinal mu mu: sin^2 + r cos^2 with r = 4 m_mu^2/m_A'^2; <c^2> = (4/15 + r 2/5)/(4/3 + r 2/3)
    _, ev = samples["longitudinal"]
    r = 4 * pdg.mass("mu-") ** 2 / 1.1**2
    num = (2 / 3 - 2 / 5) + r * 2 / 5
    den = (2 - 2 / 3) + r * 2 / 3
    c = np.concatenate([helicity_cos(ev, 1, "mumu"), helicity_cos(ev, 2, "mumu")])
    assert np.mean(c * c) == pytest.approx(num / den, abs=0.006)


def test_closed_channels_are_absent():
    rng = np.random.default_rng(1)
    ev = DarkScalarToDarkPhotons().decay(rng, b_mesons_from_upsilon4s(rng, 10), m_S=0.3, m_Ap=0.15)
    assert "Ap1_ee_1" in ev.momenta and "Ap1_mumu_1" not in ev.momenta and "Ap1_pipi_1" not in ev.momenta


def plane_cos2phi(ev, c1, c2):
    """cos(2 Phi) between the decay planes, from the projections of the two tracks transverse to the
    A' axis in the S frame (a construction different from the module's plane normals)."""
    s = ev.momenta["S"]
    bs = -s[:, 1:] / s[:, :1]
    axis = boost(ev.momenta["Ap1"], bs)[:, 1:]
    axis /= np.linalg.norm(axis, axis=1, keepdims=True)
    proj = []
    for i, ch in ((1, c1), (2, c2)):
        t = boost(ev.momenta[f"Ap{i}_{ch}_1"], bs)[:, 1:]
        t = t - np.sum(t * axis, axis=1, keepdims=True) * axis
        proj.append(t / np.linalg.norm(t, axis=1, keepdims=True))
    c = np.sum(proj[0] * proj[1], axis=1)
    return 2 * c * c - 1


@pytest.mark.parametrize("c1, c2, expected", [
    # E_w[cos 2Phi] = (1/2) prod_i (int I_i / int P_i): pseudoscalar pairs I/P = -1 -> 1/2;
    # massless leptons int sin^2 / int (1 + cos^2) = 1/2 -> 1/8; mixed -> -1/4 (planes perpendicular)
    ("pipi", "pipi", 0.5), ("ee", "ee", 0.125), ("ee", "pipi", -0.25), ("pipi", "ee", -0.25),
])
def test_transverse_decay_plane_correlation(samples, c1, c2, expected):
    from llpscan.physics.models.dark_scalar import plane_correlation

    _, ev = samples["transverse"]
    f = plane_correlation(ev.momenta, c1, c2, 1.1)
    assert np.all(f >= 0) and np.mean(f) == pytest.approx(1.0, abs=0.02)  # mean 1 over Phi: 40000 events
    # weighted mean of cos 2Phi; standard error below 0.004 for 40000 events: tolerance 0.015
    assert np.average(plane_cos2phi(ev, c1, c2), weights=f) == pytest.approx(expected, abs=0.015)
