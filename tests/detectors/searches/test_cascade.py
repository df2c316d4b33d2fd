"""The cascade search on NA62 events of Ballett, Hostert & Pascoli (arXiv:1903.07589): kernel against
the numpy reference, against a direct integration, sampled against integrated, limits."""

import math

import numpy as np
import pytest
from scipy import integrate, special

from llpscan.detectors.experiments.na62 import TABLE_I, Z_MAX, Z_MIN
from llpscan.detectors.scenarios.ballett2020_dark_neutrino import NA62DarkNeutrino
from llpscan.detectors.searches.cascade import KaonDecayEvents
from llpscan.physics import pdg
from llpscan.physics.kinematics import event_rng
from llpscan.physics.sources import kaon_decay_length

# a point where both nu_h and Z' are long-lived at NA62: lab decay lengths of order 100 m
LONG = {"m_h": 0.3, "m_Zp": 0.1, "U2_mu": 1e-13, "U2_D": 1.0, "chi": 2e-6, "g_D": 0.375}


@pytest.fixture(scope="module")
def long_lived_events():
    sc = NA62DarkNeutrino()
    masses = {k: LONG[k] for k in ("m_h", "m_Zp")}
    return sc, sc.events(masses, 20_000, event_rng(7, masses))


def _rows(sc, params):
    ct = sc.model.ctau(**params)
    shape = np.broadcast_shapes(*(np.shape(v) for v in params.values()))
    return np.stack([np.broadcast_to(ct["nu_h"], shape).ravel(), np.broadcast_to(ct["Zp"], shape).ravel()])


def test_kernel_equals_the_numpy_reference(long_lived_events):
    sc, ev = long_lived_events
    params = {**LONG, "U2_mu": np.geomspace(1e-15, 1e-6, 19)}
    rows = _rows(sc, params)
    for method in ("integrated", "sampled"):
        search = NA62DarkNeutrino(decays=method).search("ee")
        mean, err = search.acceptance(ev, rows)
        p = search.per_event(ev, rows)
        np.testing.assert_allclose(mean, p.mean(axis=0), rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(err, p.std(axis=0, ddof=1) / math.sqrt(ev.n_events), rtol=1e-9, atol=1e-300)


def _direct_acceptance(lam_k, lam_h, lam_z, n_nodes):
    """Triple Gauss-Legendre integral, per event, over the kaon decay position z (truncated
    exponential in 105-180 m), the nu_h flight x in [0, 180 - z] and the Z' flight y in
    [0, 180 - z - x] (exponential densities): the probability that the Z' decays before 180 m."""
    t, w = special.roots_legendre(n_nodes)
    t, w = (t + 1) / 2, w / 2  # nodes and weights on [0, 1]
    norm = -np.expm1(-(Z_MAX - Z_MIN) / lam_k)
    total = np.zeros_like(lam_h)
    for tz, wz in zip(t, w):
        z = Z_MIN + (Z_MAX - Z_MIN) * tz
        dens_z = np.exp(-(z - Z_MIN) / lam_k) / (lam_k * norm) * (Z_MAX - Z_MIN)
        x = (Z_MAX - z) * t[:, None]  # (nodes, events)
        dens_x = np.exp(-x / lam_h) / lam_h * (Z_MAX - z)
        top = Z_MAX - z - x  # (nodes, events)
        y = top[:, None, :] * t[None, :, None]  # (x nodes, y nodes, events)
        dens_y = np.exp(-y / lam_z) / lam_z * top[:, None, :]
        inner = np.einsum("j,ijk->ik", w, dens_y)
        total += wz * dens_z * np.einsum("i,ik->k", w, dens_x * inner)
    return total


def test_monte_carlo_acceptance_matches_direct_integration_at_a_long_lived_point(long_lived_events):
    sc, ev = long_lived_events
    ct = sc.model.ctau(**LONG)
    lam_h = ev.momenta["nu_h"][:, 3] / LONG["m_h"] * ct["nu_h"]
    lam_z = ev.momenta["Zp"][:, 3] / LONG["m_Zp"] * ct["Zp"]
    lam_k = kaon_decay_length(ev.momenta["K"][:, 3])
    assert 30 < np.median(lam_h) < 300 and 30 < np.median(lam_z) < 300  # both long-lived at NA62
    direct = _direct_acceptance(lam_k, lam_h, lam_z, 16)
    # the quadrature has converged: 16 and 20 nodes agree to 1e-9 for every event
    np.testing.assert_allclose(direct, _direct_acceptance(lam_k, lam_h, lam_z, 20), rtol=1e-9, atol=1e-15)
    # and one event checked with scipy's adaptive tplquad
    i = int(np.argmin(lam_z))
    tq = integrate.tplquad(
        lambda y, x, z: (math.exp(-(z - Z_MIN) / lam_k[i]) / (lam_k[i] * -math.expm1(-(Z_MAX - Z_MIN) / lam_k[i]))
                         * math.exp(-x / lam_h[i]) / lam_h[i] * math.exp(-y / lam_z[i]) / lam_z[i]),
        Z_MIN, Z_MAX, 0.0, lambda z: Z_MAX - z, 0.0, lambda z, x: Z_MAX - z - x, epsabs=0, epsrel=1e-8)[0]
    assert direct[i] == pytest.approx(tq, rel=1e-6)
    expected = direct.mean()
    params = {**LONG, "U2_mu": np.array([LONG["U2_mu"]])}
    rows = _rows(sc, params)
    for method in ("integrated", "sampled"):
        search = NA62DarkNeutrino(decays=method).search("ee")
        mean, err = search.acceptance(ev, rows)
        # 3 standard errors of what differs between the two: the MC draws of the kaon vertex (and for
        # "sampled" the decay positions) per event, i.e. the spread of per-event MC minus per-event
        # quadrature (the event momenta are common; err[0] also counts their spread: ~20% larger).
        # The quadrature error is negligible.
        diff = search.per_event(ev, rows)[:, 0] - direct
        sigma = diff.std(ddof=1) / math.sqrt(ev.n_events)
        assert abs(mean[0] - expected) < 3 * sigma, (method, mean[0], expected, sigma)
        assert sigma <= err[0] and 0.05 < expected < 0.5 and err[0] < 0.03 * expected


def test_sampled_and_integrated_agree_and_are_smooth(long_lived_events):
    sc, ev = long_lived_events
    params = {**LONG, "U2_mu": np.geomspace(1e-15, 1e-9, 25)}
    rows = _rows(sc, params)
    a_int, e_int = NA62DarkNeutrino(decays="integrated").search("ee").acceptance(ev, rows)
    a_smp, e_smp = NA62DarkNeutrino(decays="sampled").search("ee").acceptance(ev, rows)
    # both estimate the same acceptance from the same events: within 4 combined standard errors
    assert np.all(np.abs(a_int - a_smp) < 4 * np.hypot(e_int, e_smp))
    # common random numbers: a shorter nu_h decay length never loses an event, so the sampled
    # acceptance is non-decreasing in U2_mu, like the integrated one
    assert np.all(np.diff(a_smp) >= 0) and np.all(np.diff(a_int) > 0)


def test_long_and_short_lifetime_limits(long_lived_events):
    sc, ev = long_lived_events
    n = ev.n_events
    L = Z_MAX - ev.z_kaon
    s_h = ev.momenta["nu_h"][:, 3] / LONG["m_h"]
    s_z = ev.momenta["Zp"][:, 3] / LONG["m_Zp"]
    # long-lived: P -> L^2/(2 lam_h lam_Z) per event (relative corrections ~ L/lam < 1e-6 here)
    rows = np.array([[1e8], [1e8]])
    mean, _ = sc.search("ee").acceptance(ev, rows)
    assert mean[0] == pytest.approx(np.mean(L**2 / (2 * s_h * 1e8 * s_z * 1e8)), rel=1e-5)
    # prompt (c tau = 1 nm): every event counts
    mean, err = sc.search("mumu").acceptance(ev, np.array([[1e-9], [1e-9]]))
    assert mean[0] == 1.0 and err[0] == 0.0
    assert n == 20_000


def test_table_i_and_event_sample_fields(long_lived_events):
    # Ballett, Hostert & Pascoli (arXiv:1903.07589), Table I
    assert TABLE_I == {"ee": {"n_k_fid": 2.14e11, "a_beta": 0.04}, "mumu": {"n_k_fid": 7.94e11, "a_beta": 0.10}}
    sc, ev = long_lived_events
    assert isinstance(ev, KaonDecayEvents)
    assert ev.uniforms.shape == (ev.n_events, 2) and ev.z_kaon.shape == (ev.n_events,)
    # deterministic per (seed, masses)
    again = sc.events({"m_h": 0.3, "m_Zp": 0.1}, 20_000, event_rng(7, {"m_h": 0.3, "m_Zp": 0.1}))
    np.testing.assert_array_equal(again.z_kaon, ev.z_kaon)
    np.testing.assert_array_equal(again.momenta["Zp"], ev.momenta["Zp"])
    # kaon momenta: 75 GeV/c, 1% rms
    p = ev.momenta["K"][:, 3]
    assert p.mean() == pytest.approx(75.0, abs=4 * 0.75 / math.sqrt(ev.n_events))
    assert p.std() == pytest.approx(0.75, rel=0.03)
    assert pdg.mass("K+") == pytest.approx(0.4937, abs=1e-4)


def test_a_daughter_flying_backwards_in_the_lab_counts_as_undisplaced():
    # For m_Z' ~ 1 MeV and m_nu_h ~ 6 MeV (or m_nu_h < ~1.5 MeV) a daughter can fly backwards in the lab
    # (rest-frame speed above its parent's lab speed): p_z < 0 must not give a negative decay length
    # (it made the whole acceptance NaN). Such a flight is taken as no displacement, so the event's
    # probability is that of the nu_h alone: the exponential CDF 1 - e^{-L/lambda_h}.
    import dataclasses

    sc = NA62DarkNeutrino()
    masses = {"m_h": 0.3, "m_Zp": 0.1}
    ev = sc.events(masses, 4, event_rng(5, masses))
    zp = ev.momenta["Zp"].copy()
    zp[0, 3] = -zp[0, 3]
    ev = dataclasses.replace(ev, momenta={**ev.momenta, "Zp": zp})
    rows = np.array([[50.0, 0.5], [2.0, 0.01]])  # c tau (m) of nu_h and Z' at two points
    L = Z_MAX - ev.z_kaon[0]
    lam_h = ev.momenta["nu_h"][0, 3] / 0.3 * rows[0]
    for method in ("integrated", "sampled"):
        search = NA62DarkNeutrino(decays=method).search("ee")
        p = search.per_event(ev, rows)
        mean, err = search.acceptance(ev, rows)
        assert np.all(np.isfinite(p)) and np.all(np.isfinite(mean)) and np.all(np.isfinite(err))
        np.testing.assert_allclose(mean, p.mean(axis=0), rtol=1e-12)
        if method == "integrated":
            np.testing.assert_allclose(p[0], -np.expm1(-L / lam_h), rtol=1e-12)
        else:
            # the kernel forms the same flight length in another order of operations (numba), so
            # x_h may differ by an ulp or two: only a flight within 4 ulp of L could flip the 0/1
            x_h = -lam_h * np.log1p(-ev.uniforms[0, 0])
            clear = np.abs(x_h - L) > 4 * np.spacing(L)
            np.testing.assert_array_equal(p[0][clear], (x_h < L).astype(float)[clear])
