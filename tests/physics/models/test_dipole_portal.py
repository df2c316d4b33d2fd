"""The dipole-portal model of Zhang, Song, Ding & Chen (arXiv:2204.07802): production, width, sampled kinematics."""

import math

import numpy as np
import pytest
from scipy import integrate

from llpscan.physics.constants import ALPHA_EM, HBAR_C
from llpscan.physics.kinematics import boost
from llpscan.physics.models import dipole_portal as dp


def test_eq3_is_the_integral_of_eq2():
    # independent route: scipy quadrature of eq. (2) over cos(theta_N) against the closed form eq. (3)
    for sqrt_s, m in ((10.58, 0.1), (4.0, 2.5), (2.0, 1.9)):
        s = sqrt_s**2
        quad, _ = integrate.quad(lambda z: float(dp.dsigma_dcos_one_channel(z, s, m, 1e-5)), -1, 1, epsabs=0)
        assert float(dp.sigma_one_channel(s, m, 1e-5)) == pytest.approx(quad, rel=1e-10)


def test_production_counts_both_charge_channels_in_fb():
    # Dirac N: sigma_prod = 2 x eq. (3) (one charge channel each); m_N -> 0: 2 alpha d^2/3 GeV^-2, 1 GeV^-2 = 0.3894 mb
    # (PDG: (hbar c)^2 = 0.38937937 GeV^2 mb) = 3.8938e11 fb
    expected = 2 * ALPHA_EM / 3 * 1e-10 * 0.38937937e-27 / 1e-39
    assert float(dp.sigma_production(10.58, 1e-6, 1e-5)) == pytest.approx(expected, rel=1e-6)
    assert float(dp.sigma_production(4.0, 4.0, 1e-5)) == 0.0  # closed at m_N = sqrt(s)


def test_width_and_decay_length():
    # eq. (4): Gamma = d^2 m^3/(4 pi); c tau = hbar c/Gamma. m = 1 GeV, d = 1e-5 GeV^-1:
    # Gamma = 7.95775e-12 GeV, c tau = 1.973270e-16 GeV m / 7.95775e-12 GeV = 2.479684e-5 m
    assert float(dp.width_n_to_nu_gamma(1.0, 1e-5)) == pytest.approx(1e-10 / (4 * math.pi), rel=1e-12)
    assert float(dp.ctau_n(1.0, 1e-5)) == pytest.approx(2.479684e-5, rel=1e-6)
    # c tau ~ d^-2 m^-3
    assert float(dp.ctau_n(2.0, 3e-5) / dp.ctau_n(1.0, 1e-5)) == pytest.approx(1 / 72, rel=1e-12)
    assert HBAR_C == pytest.approx(1.973269804e-16)


@pytest.mark.parametrize(("sqrt_s", "m"), [(10.58, 0.5), (4.0, 3.0), (2.0, 1.5)])
def test_sampled_n_angles_integrate_to_eq3(sqrt_s, m):
    # Binned: the sampled fraction in each cos(theta_N) bin times eq. (3) must equal the quadrature of
    # eq. (2) over the bin, within the binomial MC error (chi^2 over 20 bins below the 99.9% quantile,
    # 45.3 for 20 dof); plus the second moment <z^2> against its closed form from eq. (2).
    rng = np.random.default_rng(7)
    n = 200_000
    s = sqrt_s**2
    p_n, _ = dp.generate_cm(rng, n, sqrt_s, m, "isotropic")
    z = p_n[:, 3] / np.linalg.norm(p_n[:, 1:], axis=1)
    edges = np.linspace(-1, 1, 21)
    counts, _ = np.histogram(z, edges)
    total = float(dp.sigma_one_channel(s, m, 1.0))
    expected = np.array([integrate.quad(lambda c: float(dp.dsigma_dcos_one_channel(c, s, m, 1.0)), a, b)[0]
                         for a, b in zip(edges[:-1], edges[1:])]) / total
    assert expected.sum() == pytest.approx(1.0, rel=1e-9)  # the bins of eq. (2) add up to eq. (3)
    chi2 = np.sum((counts - n * expected) ** 2 / (n * expected * (1 - expected)))
    assert chi2 < 45.3
    # eq. (2) ~ A - B z^2, A = s + m^2, B = s - m^2: <z^2> = (2A/3 - 2B/5)/(2A - 2B/3)
    a, b = s + m * m, s - m * m
    mean_z2 = (2 * a / 3 - 2 * b / 5) / (2 * a - 2 * b / 3)
    err = np.std(z * z) / math.sqrt(n)
    assert np.mean(z * z) == pytest.approx(mean_z2, abs=4 * err)


def _rest_frame_photon(p_n, p_gamma):
    """Photon direction in the N rest frame, reached by boosting back (a route independent of the sampler)."""
    k = boost(p_gamma, -p_n[:, 1:] / p_n[:, :1])
    return k[:, 1:] / k[:, :1]


@pytest.mark.parametrize("photon", ["isotropic", "text", "exact"])
def test_photon_rest_frame_distribution(photon):
    # density (1 + v.n)/(4 pi): <n> = v/3. isotropic v = 0; text v = -N (so <cos theta*> = -1/3);
    # exact v = -P N + C x' (the Dirac spin correlation, traced below). Checked on the boosted-back photons within
    # 4 sigma.
    rng = np.random.default_rng(11)
    n, sqrt_s, m = 200_000, 4.0, 2.0
    p_n, p_g = dp.generate_cm(rng, n, sqrt_s, m, photon)
    # massless photon, energy-momentum of N -> nu gamma: photon rest-frame energy m/2
    assert np.allclose(p_g[:, 0] ** 2 - np.sum(p_g[:, 1:] ** 2, axis=1), 0.0, atol=1e-9)
    n_star = _rest_frame_photon(p_n, p_g)
    nhat = p_n[:, 1:] / np.linalg.norm(p_n[:, 1:], axis=1, keepdims=True)
    z = nhat[:, 2]
    xp = np.array([0.0, 0.0, 1.0]) - z[:, None] * nhat
    xp /= np.linalg.norm(xp, axis=1, keepdims=True)
    cos_star = np.sum(n_star * nhat, axis=1)
    sin_cos_phi = np.sum(n_star * xp, axis=1)
    if photon == "isotropic":
        want_c, want_x = np.zeros(n), np.zeros(n)
    elif photon == "text":
        want_c, want_x = np.full(n, -1 / 3), np.zeros(n)
    else:
        s = sqrt_s**2
        d = (1 - z * z) * s + (1 + z * z) * m * m
        want_c = -((1 - z * z) * s - (1 + z * z) * m * m) / d / 3
        want_x = 2 * m * sqrt_s * z * np.sqrt(1 - z * z) / d / 3
    for got, want in ((cos_star, want_c), (sin_cos_phi, want_x)):
        diff = got - want
        assert abs(diff.mean()) < 4 * diff.std() / math.sqrt(n)


def test_exact_photon_distribution_is_positive_and_has_the_text_limit():
    z = np.linspace(-1, 1, 2001)
    for m in (0.01, 1.0, 3.9):
        p, c = dp.photon_polarisation(z, 16.0, m)
        assert np.all(p * p + c * c <= 1 + 1e-12)
    p, c = dp.photon_polarisation(z[1:-1], 1e4, 1e-3)
    assert np.allclose(p, 1.0, atol=1e-6) and np.allclose(c, 0.0, atol=1e-3)


def test_isotropic_photon_energy_is_flat_between_the_doppler_limits():
    # isotropic two-body decay in flight: E_gamma uniform on [E(1 - beta), E(1 + beta)]/2 (CM frame)
    rng = np.random.default_rng(3)
    sqrt_s, m = 4.0, 1.0
    p_n, p_g = dp.generate_cm(rng, 100_000, sqrt_s, m, "isotropic")
    e = (sqrt_s**2 + m * m) / (2 * sqrt_s)
    beta = math.sqrt(1 - (m / e) ** 2)
    lo, hi = e * (1 - beta) / 2, e * (1 + beta) / 2
    assert p_g[:, 0].min() >= lo - 1e-12 and p_g[:, 0].max() <= hi + 1e-12
    u = (p_g[:, 0] - lo) / (hi - lo)
    assert np.var(u) == pytest.approx(1 / 12, rel=0.02)  # flat: var = 1/12; 2% ~ 6 sigma at 1e5 events


def test_events_are_deterministic_and_boosted():
    model = dp.DipolePortal(11.0)
    a = model.events(np.random.default_rng(5), 1000, m_N=1.0, sqrt_s=10.58, photon="exact", beta=(0, 0, 0.2727))
    b = model.events(np.random.default_rng(5), 1000, m_N=1.0, sqrt_s=10.58, photon="exact", beta=(0, 0, 0.2727))
    assert np.array_equal(a.momenta["gamma"], b.momenta["gamma"])
    # total N + photon + nu momentum is not stored; the N alone: its invariant mass is kept by the boost
    p = a.momenta["N"]
    assert np.allclose(np.sqrt(p[:, 0] ** 2 - np.sum(p[:, 1:] ** 2, axis=1)), 1.0, rtol=1e-9)
    with pytest.raises(ValueError, match="photon"):
        dp.generate_cm(np.random.default_rng(0), 10, 4.0, 1.0, "dirac")


# --- an independent trace calculation of the exact photon distribution ----------------------------------
# Explicit Dirac matrices; e+e- -> gamma* -> N nubar with the vertex ubar_N sigma^{mu nu} Q_nu P_L v_nu
# (the h.c. term of eq. 1), then N -> nu gamma with ubar_nu P_R sigma^{alpha beta} k_beta eps*_alpha u_N,
# the N propagator on shell (k/ + m); and the conjugate channel Nbar nu, Nbar -> nubar gamma. |M|^2
# summed over spins and the two transverse photon polarisations.
_I2, _Z2 = np.eye(2), np.zeros((2, 2))
_PAULI = [np.array([[0, 1], [1, 0]], complex), np.array([[0, -1j], [1j, 0]]), np.array([[1, 0], [0, -1]], complex)]
_G = [np.block([[_I2, _Z2], [_Z2, -_I2]]).astype(complex)] + [np.block([[_Z2, s], [-s, _Z2]]) for s in _PAULI]
_G5 = 1j * _G[0] @ _G[1] @ _G[2] @ _G[3]
_PL, _PR = (np.eye(4) - _G5) / 2, (np.eye(4) + _G5) / 2
_METRIC = np.diag([1.0, -1, -1, -1])


def _slash(p):
    return _G[0] * p[0] - _G[1] * p[1] - _G[2] * p[2] - _G[3] * p[3]


def _sigma_dot(a):
    """sigma^{mu nu} a_nu for mu = 0..3."""
    al = _METRIC @ a
    return [sum(0.5j * (_G[mu] @ _G[nu] - _G[nu] @ _G[mu]) * al[nu] for nu in range(4)) for mu in range(4)]


def _msq(sqrt_s, m, theta, t_star, phi_star, conjugate):
    e = sqrt_s / 2
    p1, p2 = np.array([e, 0, 0, e]), np.array([e, 0, 0, -e])  # e- along +z
    big_q = p1 + p2
    pn = (sqrt_s**2 - m * m) / (2 * sqrt_s)
    nh = np.array([np.sin(theta), 0, np.cos(theta)])
    k = np.r_[np.hypot(pn, m), pn * nh]
    xp = np.array([0, 0, 1.0]) - nh[2] * nh
    xp /= np.linalg.norm(xp)
    ns = np.sin(t_star) * np.cos(phi_star) * xp + np.sin(t_star) * np.sin(phi_star) * np.cross(nh, xp) + np.cos(t_star) * nh
    kg = boost(np.r_[m / 2, m / 2 * ns][None, :], (pn * nh / k[0])[None, :])[0]
    q, qp = big_q - k, k - kg  # nubar (nu) from production, nu (nubar) from the decay
    kh = kg[1:] / kg[0]
    a = np.cross(kh, [1.0, 0, 0])
    a /= np.linalg.norm(a)
    lep = np.array([[np.trace(_slash(p2) @ _G[mu] @ _slash(p1) @ _G[nu]) for nu in range(4)] for mu in range(4)])
    sq, sk = _sigma_dot(big_q), _sigma_dot(kg)
    total = 0.0
    for pol in (a, np.cross(kh, a)):
        epsl = _METRIC @ np.r_[0, pol]
        v = sum(sk[al] * epsl[al] for al in range(4))
        if conjugate:
            gam = [_PR @ sq[mu] @ (_slash(k) - m * np.eye(4)) @ v @ _PL for mu in range(4)]
            outer, inner = q, qp
        else:
            gam = [_PR @ v @ (_slash(k) + m * np.eye(4)) @ sq[mu] @ _PL for mu in range(4)]
            outer, inner = qp, q
        had = np.array([[np.trace(_slash(outer) @ gam[mu] @ _slash(inner) @ _G[0] @ gam[nu].conj().T @ _G[0])
                         for nu in range(4)] for mu in range(4)])
        total += np.einsum("ab,ac,bd,cd->", lep, _METRIC, _METRIC, had).real
    return total


@pytest.mark.parametrize("conjugate", [False, True], ids=["N nubar", "Nbar nu"])
def test_exact_photon_distribution_against_a_trace_calculation(conjugate):
    # |M|^2 / [(eq. 2 angular factor) x (1 - P cos + C sin cos phi)] must be one constant for all N and
    # photon directions, in both charge channels (so both follow the same distribution): to 1e-9
    rng = np.random.default_rng(0)
    sqrt_s, m = 4.0, 2.0
    ratios = []
    for theta, t_star, phi_star in zip(rng.uniform(0.1, 3.0, 8), rng.uniform(0, np.pi, 8), rng.uniform(0, 2 * np.pi, 8)):
        z = math.cos(theta)
        p, c = dp.photon_polarisation(z, sqrt_s**2, m)
        shape = (1 - float(p) * math.cos(t_star) + float(c) * math.sin(t_star) * math.cos(phi_star))
        eq2 = (1 - z * z) * sqrt_s**2 + (1 + z * z) * m * m
        ratios.append(_msq(sqrt_s, m, theta, t_star, phi_star, conjugate) / (shape * eq2))
    assert np.allclose(ratios, ratios[0], rtol=1e-9)


def _bar(m):
    return _G[0] @ m.conj().T @ _G[0]


def test_eqs_2_and_4_have_the_normalisation_of_the_lagrangian():
    # Absolute normalisation from eq. (1) (reviewer check): sigma_{mu nu} F^{mu nu} = 2 sigma_{mu nu} d^mu A^nu,
    # so the photon vertex of d nubar_L sigma F N is 2 d sigma^{mu nu} q_nu (one chirality). With that one
    # vertex the traces give Gamma(N -> nu gamma) = eq. (4) and d sigma(e+e- -> N nubar)/dz = eq. (2) exactly,
    # so the width and the production use the same d. Two-body phase space: Gamma = |M|^2/(16 pi m),
    # d sigma/dz = |M|^2/(32 pi s) (s - m^2)/s; photon polarisation sums -g (the vertex is gauge invariant).
    d, m, one = 1e-5, 1.3, np.eye(4)
    k, q = np.array([m, 0, 0, 0]), np.array([m / 2, 0, 0, m / 2])
    vtx = [2 * d * v @ _PR for v in _sigma_dot(q)]
    msq = sum(-_METRIC[a, b] * np.trace(_slash(k - q) @ vtx[a] @ (_slash(k) + m * one) @ _bar(vtx[b]))
              for a in range(4) for b in range(4)).real / 2  # average over the N spin
    assert msq / (16 * math.pi * m) == pytest.approx(float(dp.width_n_to_nu_gamma(m, d)), rel=1e-9)
    sqrt_s = 4.0
    s, e2 = sqrt_s**2, 4 * math.pi * ALPHA_EM
    p1, p2 = np.array([sqrt_s / 2, 0, 0, sqrt_s / 2]), np.array([sqrt_s / 2, 0, 0, -sqrt_s / 2])
    lep = np.array([[np.trace(_slash(p2) @ _G[a] @ _slash(p1) @ _G[b]) for b in range(4)] for a in range(4)])
    vtx = [2 * d * v @ _PL for v in _sigma_dot(p1 + p2)]
    pn = (s - m * m) / (2 * sqrt_s)
    for z in (-0.7, 0.1, 0.9):
        kn = np.r_[math.hypot(pn, m), pn * math.sqrt(1 - z * z), 0, pn * z]
        had = np.array([[np.trace((_slash(kn) + m * one) @ vtx[a] @ _slash(p1 + p2 - kn) @ _bar(vtx[b]))
                         for b in range(4)] for a in range(4)])
        msq = np.einsum("ab,ac,bd,cd->", lep, _METRIC, _METRIC, had).real * e2 / s**2 / 4  # average e+e- spins
        got = msq / (32 * math.pi * s) * (s - m * m) / s
        assert got == pytest.approx(float(dp.dsigma_dcos_one_channel(z, s, m, d)), rel=1e-9)
