"""Cheung et al. (arXiv:2401.03168), dark scalar -> two displaced dark photons at Belle II: the paper's statements.

Section 4 of the paper: the excluded region is a band (upper curve: A' too short-lived for r > 1 cm;
lower curve: too long-lived); the lower reach in eps scales as lumi^(-1/4) and sin(theta)^(-1/2) deep
in the long-lifetime regime; it depends only mildly on m_S away from threshold; the curves follow R.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.optimize import brentq

from llpscan import scanner
from llpscan.detectors.decay import decay_probability
from llpscan.detectors.experiments import belle2
from llpscan.detectors.geometry import radial_interval
from llpscan.detectors.scenarios.cheung2024_dark_photons import BELLE2_2DV, CUTS, Belle2ScalarDarkPhoton, pid_efficiency
from llpscan.detectors.scenarios.wang2024_alp_hnl import n_bplus_bminus
from llpscan.detectors.registry import get_scenario
from llpscan.physics.models import dark_photon
from llpscan.physics.kinematics import event_rng

SC = get_scenario("belle2-scalar-darkphoton")
N_EVENTS = 20_000


def sample(m_S, m_Ap, sc=SC, n=N_EVENTS):
    masses = {"m_S": m_S, "m_Ap": m_Ap}
    return sc.events(masses, n, event_rng(3, masses))


def n_signal(ev, m_S, m_Ap, eps, sin_theta, lumi, search=BELLE2_2DV, sc=SC):
    acc, _ = sc.acceptance(search, ev, {"m_S": m_S, "m_Ap": m_Ap, "eps": np.atleast_1d(eps)})
    n_b = 2 * n_bplus_bminus(lumi)
    return n_b * float(sc.model.br_production(m_S=m_S, sin_theta=sin_theta)) * acc


def lower_reach(ev, m_S, m_Ap, sin_theta, lumi, level=3.0):
    """Smallest eps with n_signal = level (root of log n - log level on the long-lifetime side)."""
    grid = np.logspace(-10, -3, 141)
    n = n_signal(ev, m_S, m_Ap, grid, sin_theta, lumi)
    i = int(np.argmax(n >= level))
    assert n[i] >= level and i > 0, "no lower boundary inside the grid"
    f = lambda le: np.log(n_signal(ev, m_S, m_Ap, 10**le, sin_theta, lumi)[0] / level)  # noqa: E731
    return 10 ** brentq(f, np.log10(grid[i - 1]), np.log10(grid[i]), xtol=1e-10)


@pytest.fixture(scope="module")
def heavy():
    return sample(4.0, 1.0)


def test_lower_reach_scales_as_lumi_to_minus_quarter(heavy):
    # deep in the long-lifetime regime (sin theta = 0.1, unphysically large on purpose: the edge then
    # sits at c tau ~ 1e3 m, transverse decay lengths >> 0.8 m), a 100x smaller data set raises the lower
    # curve by 100^(1/4) = 3.16. Corrections O(r/lambda) ~ 1e-3 in n; tolerance 0.3% (measured 0.07%).
    e_full = lower_reach(heavy, 4.0, 1.0, 0.1, 5e4)
    e_small = lower_reach(heavy, 4.0, 1.0, 0.1, 5e2)
    assert e_small / e_full == pytest.approx(10**0.5, rel=0.003)
    assert float(dark_photon.ctau(1.0, e_small)) > 100.0  # c tau (m): the regime the statement is about


def test_lower_reach_scales_as_sin_theta_to_minus_half(heavy):
    e1 = lower_reach(heavy, 4.0, 1.0, 0.1, 5e4)
    e2 = lower_reach(heavy, 4.0, 1.0, 1e-2, 5e4)
    assert e2 / e1 == pytest.approx(10**0.5, rel=0.003)


def test_current_data_set_statement_at_the_benchmark_is_approximate(heavy):
    # section 4: 100x less data raises the lower curve by 3.16. At sin theta =
    # 1e-3 (the edge at
    # c tau of a few metres) the O(r/lambda) corrections show (measured 3.42): within 10%.
    r = lower_reach(heavy, 4.0, 1.0, 1e-3, 5e2) / lower_reach(heavy, 4.0, 1.0, 1e-3, 5e4)
    assert r == pytest.approx(10**0.5, rel=0.10)


def test_band_upper_edge_comes_from_the_1_cm_cut(heavy):
    # with r > 1 cm there is an upper boundary below eps = 1e-4; without the cut short-lived A' count
    # (efficiency 1 - r/80 cm -> 1) and the band is open towards large eps
    eps = np.array([1e-4, 1e-3])
    with_cut = n_signal(heavy, 4.0, 1.0, eps, 1e-3, 5e4)
    no_cut = n_signal(heavy, 4.0, 1.0, eps, 1e-3, 5e4, search=dataclasses.replace(BELLE2_2DV, r_min=0.0))
    assert np.all(with_cut < 3) and np.all(no_cut > 3)
    lo = lower_reach(heavy, 4.0, 1.0, 1e-3, 5e4)
    assert n_signal(heavy, 4.0, 1.0, 10 * lo, 1e-3, 5e4)[0] > 3  # inside the band


def test_mild_dependence_on_m_s_away_from_threshold():
    # section 4: varying m_S "does not have a significant impact" except near
    # m_A' = m_S/2.
    # Measured: at m_A' = 0.5 GeV the lower reach varies by 13% over m_S = 2-4 GeV, at 0.3 GeV by a
    # factor 1.8 over m_S = 1-4 GeV (the stand-in lepton-ID thresholds cut soft tracks at small m_S).
    # Tolerances: factor 1.3 and 2.2 (the eps axis of Fig. 3 spans four decades).
    e5 = [lower_reach(sample(m, 0.5), m, 0.5, 1e-3, 5e4) for m in (2.0, 3.0, 4.0)]
    assert max(e5) / min(e5) < 1.3
    e3 = [lower_reach(sample(m, 0.3), m, 0.3, 1e-3, 5e4) for m in (1.0, 2.0, 3.0, 4.0)]
    assert max(e3) / min(e3) < 2.2


def test_lower_curve_follows_the_r_ratio():
    # section 4: the shape of the curves reflects R (Fig. 1): the rho peak makes
    # A' -> pi pi
    # visible and short-lived, so the lower reach dips at 0.775 GeV relative to 0.6 and 0.95 GeV
    e = {m: lower_reach(sample(4.0, m), 4.0, m, 1e-3, 5e4) for m in (0.6, 0.775, 0.95)}
    assert e[0.775] < 0.7 * e[0.6] and e[0.775] < 0.7 * e[0.95]


def test_split_ee_acceptance_equals_direct_per_event_sum():
    # Per event w_K prod_i [Br_ee w_ee,i P_i(17 cm) + sum_{c != ee} Br_c w_c,i P_i(1 cm)], recomputed here
    # from the unweighted tracks with decay_probability (plain numpy), not the kernel. Below the paper's
    # 0.2 GeV only e+e- is open, so the split is exercised with the cut moved to 0.5 GeV (ee, mumu, pipi).
    cuts = dataclasses.replace(CUTS, ee_gas_below=0.5)
    sc = Belle2ScalarDarkPhoton(cuts=cuts)
    m_S, m_Ap = 1.0, 0.3
    masses = {"m_S": m_S, "m_Ap": m_Ap}
    b = np.tile([5.27941, 0.0, 0.0, 0.0], (4000, 1))
    lab = sc.model.decay(event_rng(9, masses), b, m_S=m_S, m_Ap=m_Ap).boosted(belle2.lab_boost())
    ev = sc.weighted(lab, m_Ap)
    eps = np.array([1e-6, 1e-5, 3e-5])
    acc, _ = sc.acceptance(BELLE2_2DV, ev, {**masses, "eps": eps})
    br = dark_photon.branching_ratios(m_Ap)
    ctau = dark_photon.ctau(m_Ap, eps)
    s = BELLE2_2DV
    factors = []
    for i in (1, 2):
        p4 = lab.momenta[f"Ap{i}"]
        lam = (np.hypot(p4[:, 1], p4[:, 2]) / m_Ap)[:, None] * ctau[None, :]
        a1, b1 = radial_interval(p4, 0.01, s.r_max, s.z_min, s.z_max)
        a17, b17 = radial_interval(p4, 0.17, s.r_max, s.z_min, s.z_max)
        p1 = decay_probability(a1[:, None], b1[:, None], lam, s.efficiency_r0)
        p17 = decay_probability(a17[:, None], b17[:, None], lam, s.efficiency_r0)

        def w(ch, sp):
            tracks = (lab.momenta[f"Ap{i}_{ch}_{j}"] for j in (1, 2))
            return br[ch] * np.prod([pid_efficiency(p, sp) for p in tracks], axis=0)

        factors.append(w("ee", "e")[:, None] * p17 + (w("mumu", "mu") + w("pipi", "pi"))[:, None] * p1)
    direct = np.mean(pid_efficiency(lab.momenta["K"], "K")[:, None] * factors[0] * factors[1], axis=0)
    np.testing.assert_allclose(acc, direct, rtol=1e-9)
    # and the drift-chamber cut costs acceptance relative to r > 1 cm for every vertex
    plain, _ = BELLE2_2DV.acceptance(ev, np.stack([ctau, ctau]))
    assert np.all(acc < plain)


def test_below_0p2_gev_only_ee_is_open_and_needs_17_cm():
    # m_A' = 0.15 GeV: A' -> e+e- only; the acceptance is the plain 2DV one with r_min = 17 cm
    ev = sample(1.0, 0.15, n=4000)
    eps = np.array([1e-5, 3e-5])
    acc, _ = SC.acceptance(BELLE2_2DV, ev, {"m_S": 1.0, "m_Ap": 0.15, "eps": eps})
    ctau = dark_photon.ctau(0.15, eps)
    ref, _ = dataclasses.replace(BELLE2_2DV, r_min=0.17).acceptance(ev, np.stack([ctau, ctau]))
    np.testing.assert_allclose(acc, ref, rtol=1e-12)


def test_below_0p2_gev_events_without_weight_groups_are_an_error():
    # the 17 cm e+e- cut needs the per-group weights; a plain EventSample must not silently get r > 1 cm
    from llpscan.physics.kinematics import EventSample

    ev = sample(1.0, 0.15, n=200)
    plain = EventSample(momenta=ev.momenta, llps=ev.llps, masses=ev.masses, llp_masses=ev.llp_masses,
                        weights=ev.weights)
    with pytest.raises(ValueError, match="weight groups"):
        SC.acceptance(BELLE2_2DV, plain, {"m_S": 1.0, "m_Ap": 0.15, "eps": np.array([1e-5])})


def test_polarisation_option_changes_the_pid_weights():
    # section 4 calls the longitudinal/transverse difference minor; with the
    # stand-in hard
    # momentum thresholds (reconstructions of the paper's lost tables) transverse A' (1 + cos^2 for leptons: one
    # soft lepton more
    # often) lose 30-63% of the PID efficiency where leptons dominate, 7% at the rho (pi pi). Here only:
    # the option is wired and lowers it.
    t = get_scenario("belle2-scalar-darkphoton", {"polarisation": "transverse"})
    w_long = sample(4.0, 1.0).weights.mean()
    w_trans = sample(4.0, 1.0, sc=t).weights.mean()
    assert 0.3 < w_trans / w_long < 1.0


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    cfg = scanner.api.config_of("belle2-scalar-darkphoton").model_dump()
    cfg["axes"] = {"m_S": [4.0], "m_Ap": [0.01, 0.1, 0.5, 1.0, 2.1], "eps": list(np.geomspace(1e-9, 1e-3, 25)),
                   "lumi": [500.0, 50000.0]}
    cfg["params"] = {"sin_theta": 1e-3, "g_D": 0.1}
    cfg["events"] = 3000
    path = tmp_path_factory.mktemp("cheung2024") / "s.zarr"
    scanner.run(cfg, path, progress=False)
    return scanner.open(path)


def test_store_has_the_design_names_and_masks(store):
    for name, units in (("ctau_Ap", "m"), ("br_ee", "1"), ("br_mumu", "1"), ("br_pipi", "1"), ("br_KK", "1"),
                        ("br_production", "1"), ("allowed", "1")):
        assert store[name].attrs["units"] == units
    allowed = store["allowed"].sel(m_S=4.0).values
    assert allowed.tolist() == [0, 1, 1, 1, 0]  # m_A' < 0.02 GeV and 2 m_A' > m_S are masked
    n = store["n_signal"].sel(search="2DV", m_S=4.0, lumi=50000.0).compute()
    assert float(n.sel(m_Ap=0.01).max()) == 0 and float(n.sel(m_Ap=2.1).max()) == 0


def test_stored_reach_is_a_band(store):
    r = store.sel(m_S=4.0, lumi=50000.0).llp.reach(x="m_Ap", y="eps", search="2DV").compute()
    lo, hi = float(r["lower"].sel(m_Ap=1.0)), float(r["upper"].sel(m_Ap=1.0))
    assert 1e-8 < lo < hi < 1e-4


def test_mass_vetoes_are_off_by_default_and_remove_their_channels():
    # section 3.3 (not in the paper's curves): K_S window in pi pi, photon conversions (ee) for m_S near m_eta
    on = get_scenario("belle2-scalar-darkphoton", {"vetoes": "on"})
    assert SC.vetoed(2.0, 0.4976) == set() and on.vetoed(2.0, 0.4976) == {"pipi"}
    assert on.vetoed(0.548, 0.1) == {"ee"} and on.vetoed(2.0, 0.45) == set()
    ev_on, ev_off = sample(0.548, 0.1, sc=on, n=2000), sample(0.548, 0.1, n=2000)
    assert ev_on.weights.max() == 0 and ev_off.weights.max() > 0  # only e+e- is open at m_A' = 0.1 GeV
