"""Kinematics identities: conservation laws and invariants, independent of the generator."""

import numpy as np
import pytest

from llpscan.physics import pdg
from llpscan.physics.kinematics import boost, canonical_masses, event_rng, two_body_decay, two_body_momentum
from llpscan.physics.sources import b_mesons_from_upsilon4s  # a realistic parent sample


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


