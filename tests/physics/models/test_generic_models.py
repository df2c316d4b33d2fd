"""The generic LLP models of the model-independent scenarios: kinematics checked by conservation laws and
by angular moments computed here in closed form."""

import math

import numpy as np
import pytest

from llpscan.physics import pdg
from llpscan.physics.models.b_to_k_x import GenericBToKX, GenericBToKYToXX
from llpscan.physics.models.ee_to_x_invisible import EEToXInvisible, generate_cm
from llpscan.physics.models.k_to_mu_cascade import GenericKToMuCascade
from llpscan.physics.sources import KaonBeam, Upsilon4S


def _mass2(p4):
    return p4[:, 0] ** 2 - np.sum(p4[:, 1:] ** 2, axis=1)


def test_b_to_k_y_to_xx_conserves_four_momentum_and_puts_everything_on_shell():
    rng = np.random.default_rng(1)
    b = Upsilon4S().parents(rng, 1000)
    ev = GenericBToKYToXX().decay(rng, b, m_Y=3.0, m_X=1.2)
    p = ev.momenta
    np.testing.assert_allclose(p["K"] + p["X1"] + p["X2"], b, atol=1e-12)
    np.testing.assert_allclose(_mass2(p["X1"] + p["X2"]), 9.0, rtol=1e-9)
    np.testing.assert_allclose(_mass2(p["X1"]), 1.44, rtol=1e-9)
    assert ev.llps == ("X1", "X2") and ev.llp_mass("X2") == 1.2
    assert GenericBToKYToXX().ctau(ctau_X=2.0)["X"] == 2.0


def test_generic_b_to_k_x_rate_says_what_it_stands_for():
    assert GenericBToKX().parameters[-1].description == "Br(B+ -> K+ X)"  # belle2-invisible-br unchanged
    vis = GenericBToKX(rate="Br(B+ -> K+ X) x Br(X -> visible)", rate_latex=r"\mathrm{Br}")
    assert vis.parameters[-1].description.endswith("visible)") and vis.parameters[-1].latex == r"\mathrm{Br}"


def _cos_moments(p4):
    c = p4[:, 3] / np.linalg.norm(p4[:, 1:], axis=1)
    n = c.size
    return c.mean(), c.std() / math.sqrt(n), (c * c).mean(), (c * c).std() / math.sqrt(n)


@pytest.mark.parametrize("production", ["dipole", "isotropic"])
def test_ee_to_x_production_angle_and_momentum(production):
    # X recoils against a massless invisible particle: |p_X| = (s - m^2)/(2 sqrt s). The polar angle:
    # isotropic, <cos^2> = 1/3; dipole (Zhang et al. arXiv:2204.07802, eq. (2)): dsigma/dz ~ (1 - z^2) s +
    # (1 + z^2) m^2 ~ 1 - a z^2 with a = (s - m^2)/(s + m^2), so <z^2> = (1/3 - a/5)/(1 - a/3). Both <z> = 0.
    # 4 standard errors of the sample mean.
    sqrt_s, m = 10.0, 3.0
    s = sqrt_s**2
    p_x, p_g = generate_cm(np.random.default_rng(2), 200_000, sqrt_s, m, production)
    np.testing.assert_allclose(np.linalg.norm(p_x[:, 1:], axis=1), (s - m * m) / (2 * sqrt_s), rtol=1e-12)
    mean, err, mean2, err2 = _cos_moments(p_x)
    a = (s - m * m) / (s + m * m)
    want = 1 / 3 if production == "isotropic" else (1 / 3 - a / 5) / (1 - a / 3)
    assert abs(mean) < 4 * err and abs(mean2 - want) < 4 * err2, (mean, mean2, want)
    # the photon is isotropic in the X rest frame with energy m/2: back in that frame, its angle to the X
    # flight direction has <cos> = 0 (the "text" photon of the dipole portal would give -1/3)
    from llpscan.physics.kinematics import boost

    beta = p_x[:, 1:] / p_x[:, :1]
    rest = boost(p_g, -beta)
    np.testing.assert_allclose(rest[:, 0], m / 2, rtol=1e-9)
    cos_star = np.sum(rest[:, 1:] * beta, axis=1) / (np.linalg.norm(rest[:, 1:], axis=1) * np.linalg.norm(beta, axis=1))
    assert abs(cos_star.mean()) < 4 * cos_star.std() / math.sqrt(cos_star.size)


def test_ee_to_x_events_are_boosted_and_named_for_the_monophoton_search():
    model = EEToXInvisible(10.588)
    cm = model.events(np.random.default_rng(3), 500, m_X=1.0, sqrt_s=10.588, production="isotropic")
    lab = model.events(np.random.default_rng(3), 500, m_X=1.0, sqrt_s=10.588, production="isotropic",
                       beta=(0.0, 0.0, 0.2835 / math.hypot(1, 0.2835)))
    assert cm.llps == ("N",) and cm.masses == {"m_X": 1.0, "sqrt_s": 10.588}
    e_x = cm.momenta["N"][:, 0].mean()  # E_X is the same for every event in the CM frame
    assert e_x == pytest.approx(math.hypot((10.588**2 - 1) / (2 * 10.588), 1.0), rel=1e-12)
    np.testing.assert_allclose(_mass2(lab.momenta["N"]), 1.0, rtol=1e-9)
    assert not np.allclose(lab.momenta["N"], cm.momenta["N"])
    with pytest.raises(ValueError, match="production"):
        generate_cm(np.random.default_rng(0), 2, 10.0, 1.0, "forward")


def test_k_to_mu_cascade_conserves_four_momentum():
    rng = np.random.default_rng(4)
    k = KaonBeam(75.0, 0.01).parents(rng, 1000)
    ev = GenericKToMuCascade().decay(rng, k, m_X1=0.3, m_X2=0.25)
    p = ev.momenta
    np.testing.assert_allclose(p["mu"] + p["nu"] + p["X2"], k, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(_mass2(p["nu"] + p["X2"]), 0.09, rtol=1e-6)
    np.testing.assert_allclose(_mass2(p["mu"]), pdg.mass("mu+") ** 2, rtol=1e-5)
    assert ev.llps == ("X1", "X2")
    ct = GenericKToMuCascade().ctau(ctau_X1=1.0, ctau_X2=2.0)
    assert (float(ct["X1"]), float(ct["X2"])) == (1.0, 2.0)
