"""Kinematics identities: conservation laws and invariants, independent of the generator."""

import numpy as np
import pytest

from llpscan.physics import pdg
from llpscan.physics.kinematics import boost, canonical_masses, event_rng, two_body_decay, two_body_momentum
from llpscan.physics.sources import b_mesons_from_upsilon4s


def mass2(p):
    return p[..., 0] ** 2 - np.sum(p[..., 1:] ** 2, axis=-1)


def test_two_body_decay_conserves_four_momentum_and_masses():
    rng = np.random.default_rng(1)
    parents = b_mesons_from_upsilon4s(rng, 1000)
    parents = boost(parents, np.array([0.0, 0.0, 0.27]))
    k, a = two_body_decay(rng, parents, pdg.mass("K+"), 4.2)
    np.testing.assert_allclose(k + a, parents, atol=1e-12)
    np.testing.assert_allclose(mass2(k), pdg.mass("K+") ** 2, atol=1e-9)
    np.testing.assert_allclose(mass2(a), 4.2**2, atol=1e-9)


def test_b_momentum_from_upsilon4s():
    # Upsilon(4S) -> B+ B- at rest: |p_B| = sqrt(M^2/4 - m_B^2), about 0.33 GeV with PDG masses
    p = b_mesons_from_upsilon4s(np.random.default_rng(0), 10)
    q = np.linalg.norm(p[:, 1:], axis=-1)
    expected = np.sqrt(pdg.mass("Upsilon(4S)") ** 2 / 4 - pdg.mass("B+") ** 2)
    np.testing.assert_allclose(q, expected, rtol=1e-12)
    assert 0.3 < expected < 0.36


def test_boost_keeps_mass_and_moves_rest_particle_with_beta():
    rest = np.array([[2.0, 0.0, 0.0, 0.0]])
    beta = np.array([0.0, 0.6, 0.0])
    moved = boost(rest, beta)
    np.testing.assert_allclose(moved, [[2.5, 0.0, 1.5, 0.0]], atol=1e-12)  # gamma = 1.25, along y


def test_two_body_momentum_massless():
    assert two_body_momentum(10.0, 0.0, 0.0) == pytest.approx(5.0)
    assert two_body_momentum(1.0, 0.6, 0.6) == 0.0


def test_events_are_seeded_by_canonical_masses():
    # np.linspace(0.1, 1, 10)[2] is 0.30000000000000004, not 0.3: same key, same events
    x = np.linspace(0.1, 1, 10)[2]
    assert x != 0.3
    assert canonical_masses({"m": x}) == canonical_masses({"m": 0.3})
    a = event_rng(7, {"m_a": 4.2, "m_N": x}).uniform(size=5)
    b = event_rng(7, {"m_N": 0.3, "m_a": 4.2}).uniform(size=5)
    np.testing.assert_array_equal(a, b)
    c = event_rng(8, {"m_a": 4.2, "m_N": 0.3}).uniform(size=5)
    assert not np.array_equal(a, c)


def test_b_direction_follows_sin2_theta():
    # (3/4) sin^2: <cos^2> = 1/5 (isotropic would give 1/3), and the CDF at 0 is 1/2
    from llpscan.physics.sources import sin2_directions

    d = sin2_directions(np.random.default_rng(5), 400_000)
    c = d[:, 2]
    np.testing.assert_allclose(np.linalg.norm(d, axis=1), 1.0, rtol=1e-12)
    assert np.mean(c * c) == pytest.approx(0.2, abs=4 * np.std(c * c) / np.sqrt(c.size))
    assert np.mean(c < 0.5) == pytest.approx((2 + 1.5 - 0.125) / 4, abs=0.003)
