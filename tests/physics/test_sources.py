"""Where the parents come from: B mesons from the Upsilon(4S), kaons in flight, and the Source protocol."""

import math

import numpy as np
import pytest
from scipy import integrate

from llpscan.detectors.experiments.na62 import Z_MAX, Z_MIN
from llpscan.physics import pdg
from llpscan.physics.sources import (
    KaonBeam,
    Source,
    Upsilon4S,
    b_mesons_from_upsilon4s,
    kaon_beam,
    kaon_decay_length,
    kaon_decay_z,
    sin2_directions,
)


def test_b_momentum_from_upsilon4s():
    # Upsilon(4S) -> B+ B- at rest: |p_B| = sqrt(M^2/4 - m_B^2), about 0.33 GeV with PDG masses
    p = b_mesons_from_upsilon4s(np.random.default_rng(0), 10)
    q = np.linalg.norm(p[:, 1:], axis=-1)
    expected = np.sqrt(pdg.mass("Upsilon(4S)") ** 2 / 4 - pdg.mass("B+") ** 2)
    np.testing.assert_allclose(q, expected, rtol=1e-12)
    assert 0.3 < expected < 0.36


def test_b_direction_follows_sin2_theta():
    # (3/4) sin^2: <cos^2> = 1/5 (isotropic would give 1/3), and the CDF at 0 is 1/2
    d = sin2_directions(np.random.default_rng(5), 400_000)
    c = d[:, 2]
    np.testing.assert_allclose(np.linalg.norm(d, axis=1), 1.0, rtol=1e-12)
    assert np.mean(c * c) == pytest.approx(0.2, abs=4 * np.std(c * c) / np.sqrt(c.size))
    assert np.mean(c < 0.5) == pytest.approx((2 + 1.5 - 0.125) / 4, abs=0.003)


def test_kaon_decay_positions_are_a_truncated_exponential():
    # N_K^Fid counts kaons decaying in 105-180 m: every sampled vertex lies there, with the density
    # e^{-z/L}, L = (p/m) c tau = 564 m at 75 GeV (PDG m_K, tau_K)
    assert kaon_decay_length(75.0) == pytest.approx(564.0, rel=0.002)
    rng = np.random.default_rng(11)
    n = 200_000
    z = kaon_decay_z(rng.random(n), np.full(n, 75.0), Z_MIN, Z_MAX)
    assert z.min() >= Z_MIN and z.max() <= Z_MAX
    L, w = kaon_decay_length(75.0), Z_MAX - Z_MIN
    # mean of the truncated exponential by quadrature; its standard error ~ 75/sqrt(12 n)
    num = integrate.quad(lambda t: t * math.exp(-t / L), 0, w)[0]
    den = integrate.quad(lambda t: math.exp(-t / L), 0, w)[0]
    assert abs(z.mean() - (Z_MIN + num / den)) < 4 * w / math.sqrt(12 * n)
    # nearly uniform: the two end bins differ by e^{-75/564} = 0.875
    h, _ = np.histogram(z, bins=[Z_MIN, Z_MIN + 7.5, Z_MAX - 7.5, Z_MAX])
    assert h[2] / h[0] == pytest.approx(math.exp(-(w - 7.5) / L), rel=0.03)


def test_source_dataclasses_draw_what_the_functions_draw():
    # the Source wrappers add no randomness of their own: from the same generator state they return
    # the functions' draws bit for bit, and leave the generator where the functions leave it
    for source, draw in ((Upsilon4S(), lambda r, n: b_mesons_from_upsilon4s(r, n)),
                         (KaonBeam(75.0, 0.01), lambda r, n: kaon_beam(r, n, 75.0, 0.01))):
        assert isinstance(source, Source)
        r1, r2 = np.random.default_rng(3), np.random.default_rng(3)
        np.testing.assert_array_equal(source.parents(r1, 100), draw(r2, 100))
        assert r1.random() == r2.random()
    u = np.random.default_rng(4).random(10)
    np.testing.assert_array_equal(KaonBeam(75.0, 0.01).decay_z(u, np.full(10, 75.0), Z_MIN, Z_MAX),
                                  kaon_decay_z(u, np.full(10, 75.0), Z_MIN, Z_MAX))


def test_sources_pickle_and_compare_by_value():
    import pickle

    beam = KaonBeam(75.0, 0.01)
    assert pickle.loads(pickle.dumps(beam)) == beam and beam != KaonBeam(75.0, 0.02)
    assert pickle.loads(pickle.dumps(Upsilon4S())) == Upsilon4S()
