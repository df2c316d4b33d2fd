"""The displaced-vertex search: its fused kernel against the numpy reference and against sampled decay points."""

import numpy as np
import pytest

from llpscan.detectors.decay import sampled_decay_weight
from llpscan.detectors.geometry import radial_interval as fiducial_interval
from llpscan.detectors.searches.displaced import mean_acceptance, mean_acceptance_reference

R0 = 0.80


def _toy_sample(n, seed=3):
    rng = np.random.default_rng(seed)
    m = 1.2
    p3 = rng.normal(0, 1.5, (n, 3))
    p4 = np.column_stack([np.sqrt(m * m + np.sum(p3 * p3, axis=1)), p3])
    return p4, np.hypot(p3[:, 0], p3[:, 1]) / m


# The fused kernel calls libm's exp/expm1 per value; the numpy reference calls numpy's ufuncs, which
# on AVX-512 machines dispatch to numpy's own SIMD exp (within ~1 ulp of libm, not bit-equal). A
# per-event probability is a sum of two positive-weighted terms whose bracket cancels at most by a
# factor 2 here, so it carries a few ulp of the exp difference; a mean of positive terms keeps that
# relative error (measured on AVX-512: 2.2 ulp), the standard error, a difference of sums, about
# twice it (measured 5.1 ulp). 16 and 64 ulp leave room for other vector units, while a wrong
# formula or a lost term (1e-3 relative or worse) cannot pass.
MEAN_ULP, ERR_ULP = 16, 64


@pytest.mark.parametrize("mode", ["exactly_one", "both", "at_least_one"])
def test_fused_kernel_agrees_with_numpy_reference_to_a_few_ulp(mode):
    p4a, sa = _toy_sample(4000, 1)
    p4b, sb = _toy_sample(4000, 2)
    iv = [fiducial_interval(p, 0.01, 0.8, -0.4, 1.2) for p in (p4a, p4b)]
    ctau = np.vstack([np.geomspace(1e-5, 1e9, 60)] * 2)
    got = mean_acceptance(iv, [sa, sb], ctau, R0, mode)
    ref = mean_acceptance_reference(iv, [sa, sb], ctau, R0, mode)
    eps = np.finfo(float).eps
    np.testing.assert_allclose(got[0], ref[0], rtol=MEAN_ULP * eps, atol=0)
    np.testing.assert_allclose(got[1], ref[1], rtol=ERR_ULP * eps, atol=0)


def test_closed_form_agrees_with_sampled_decay_positions():
    # An independent estimator of the same mean: draw each LLP's decay point in 3-D (proper decay
    # length from the exponential, along the momentum), apply the cylinder cuts of Wang, Zhang & Liu
    # (arXiv:2410.00491) eqs.
    # (8)-(9) to that point directly, weight by 1 - r/80 cm. Agreement within 4 combined errors.
    p4, s = _toy_sample(200_000)
    a, b = fiducial_interval(p4, 0.1, 0.8, -0.4, 1.2)
    u = np.random.default_rng(11).uniform(size=s.size)
    m = np.sqrt(p4[:, 0] ** 2 - np.sum(p4[:, 1:] ** 2, axis=1))
    for ctau in (0.05, 0.5, 5.0, 50.0):
        mean, err = mean_acceptance([(a, b)], [s], np.array([[ctau]]), R0)
        dist = -np.log1p(-u) * ctau  # proper decay length
        x = p4[:, 1:] / m[:, None] * dist[:, None]  # lab decay point (beta gamma c t along p)
        r, z = np.hypot(x[:, 0], x[:, 1]), x[:, 2]
        w = np.where((r > 0.1) & (r < 0.8) & (z > -0.4) & (z < 1.2), 1 - r / R0, 0.0)
        sampled, s_err = w.mean(), w.std(ddof=1) / np.sqrt(w.size)
        assert abs(mean[0] - sampled) < 4 * np.hypot(err[0], s_err), ctau
        # the module's own sampled fallback draws the same radii: identical weights
        np.testing.assert_allclose(sampled_decay_weight(a, b, s * ctau, R0, u), w, atol=1e-12)


def test_one_and_two_vertex_modes_satisfy_the_inclusion_identity():
    # per event: P(exactly one) + 2 P(both) = P1 + P2, so the same holds for the means
    p4a, sa = _toy_sample(3000, 5)
    p4b, sb = _toy_sample(3000, 6)
    iv = [fiducial_interval(p, 0.01, 0.8, -0.4, 1.2) for p in (p4a, p4b)]
    ctau = np.geomspace(1e-3, 1e4, 20)
    one = mean_acceptance(iv, [sa, sb], np.vstack([ctau, ctau]), R0, "exactly_one")[0]
    both = mean_acceptance(iv, [sa, sb], np.vstack([ctau, ctau]), R0, "both")[0]
    p1 = mean_acceptance(iv[:1], [sa], ctau[None, :], R0)[0]
    p2 = mean_acceptance(iv[1:], [sb], ctau[None, :], R0)[0]
    np.testing.assert_allclose(one + 2 * both, p1 + p2, rtol=1e-12)


def test_long_lifetime_scaling_of_one_and_two_vertices():
    # lam >> detector: P ~ 1/ctau, so one DV ~ 1/ctau and two DVs ~ 1/ctau^2 (Wang, Zhang & Liu, arXiv:2410.00491,
    # section V)
    p4, s = _toy_sample(5000)
    iv = fiducial_interval(p4, 0.01, 0.8, -0.4, 1.2)
    ct = np.array([1e6, 1e7])
    one = mean_acceptance([iv, iv], [s, s], np.vstack([ct, ct]), R0, "exactly_one")[0]
    both = mean_acceptance([iv, iv], [s, s], np.vstack([ct, ct]), R0, "both")[0]
    assert one[0] / one[1] == pytest.approx(10.0, rel=1e-4)
    assert both[0] / both[1] == pytest.approx(100.0, rel=1e-4)
