"""The model-independent scenarios (detectors/scenarios/generic.py) against the paper scenarios whose searches they run.

Three kinds of check, all through stored scans (the limit is a variable the store derives on open):

(a) recast: at the paper model's own mass and lifetime(s), the generic acceptance equals the paper
    scenario's within the combined Monte-Carlo error, and the paper model's n_signal equals
    (its production rate x its visible branching ratio) / limit x n_needed, i.e. the generic table recasts
    the model. The two scans use the same seed, but their events are independent: a mass point's
    generator is seeded from the parameter names and values (m_X = 1 and m_a = 1 are different keys);
(b) the limit against the normalisation written out here from the papers' numbers and the stored
    acceptance, and its long-lifetime scaling (the same events at every c tau, so the ratio is exact up
    to O(L/lambda));
(c) the presets run from the command line and write their figure.

Tolerance of (a): 4 combined standard errors (the chance that one of the ~40 compared points of this file
exceeds it by chance is ~0.3%), while the smallest physical change tried here (the 0.8 -> 1.13 m
displaced volume, the production angle of the monophoton X) moves the acceptance by tens of errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from llpscan import scanner
from llpscan.detectors.registry import get_scenario
from llpscan.detectors.scenarios import wang2024_alp_hnl as wang
from llpscan.scanner.cli import main

N_SIGMA = 4.0


def _scan(tmp_path, name, axes, params=None, options=None, events=20_000, seed=7):
    cfg = {"scenario": name, "axes": axes, "params": params or {}, "options": options or {}, "events": events,
           "seed": seed}
    path = tmp_path / f"{name}-{len(list(tmp_path.iterdir()))}.zarr"
    scanner.run(cfg, path, progress=False)
    return scanner.open(path).load()


def _agree(a1, e1, a2, e2):
    """|a1 - a2| within N_SIGMA combined standard errors, everywhere (arrays of one shape)."""
    a1, e1, a2, e2 = (np.asarray(v, dtype=float) for v in (a1, e1, a2, e2))
    assert np.all(a1 > 0) and np.all(a2 > 0)
    pull = np.abs(a1 - a2) / np.hypot(e1, e2)
    assert np.all(pull < N_SIGMA), pull
    return pull


def _recast(n_model, rate_model, limit, needed, a1, e1, a2, e2):
    """n_model = rate_model / limit x needed within the relative MC errors of both acceptances."""
    ratio = np.asarray(rate_model / limit * needed / n_model, dtype=float)
    rel = np.hypot(np.asarray(e1) / np.asarray(a1), np.asarray(e2) / np.asarray(a2))
    assert np.all(np.abs(ratio - 1) < N_SIGMA * rel), (ratio, rel)


# --- the scenarios themselves ----------------------------------------------------------------------
GENERIC = ("belle2-displaced-br", "belle2-dv-pair-br", "belle2-monophoton-xsec", "stcf-monophoton-xsec",
           "na62-cascade-br", "belle2-invisible-br")


@pytest.mark.parametrize("name", GENERIC)
def test_each_generic_scenario_states_its_limit(name):
    sc = get_scenario(name)
    assert sc.limit_on in {p.name for p in sc.parameters} and sc.parameter(sc.limit_on).kind == "rate"
    assert "arXiv:" in sc.citation
    if name != "belle2-invisible-br":  # the older one keeps its default long name
        text = sc.limit_long_name
        assert len(text) > 100 and ("upper limit" in text or "single-event sensitivity" in text), text
    assert any(p.kind == "mass" for p in sc.parameters) and any(p.kind == "lifetime" for p in sc.parameters)


def test_generic_searches_are_the_papers_searches():
    # the same search objects (frozen dataclasses compare by value): volume, r_min, efficiencies, cuts, Table I
    assert get_scenario("belle2-displaced-br").search("displaced") == get_scenario("belle2-alp-displaced").search("displaced")
    assert get_scenario("belle2-displaced-br", {"volume": "r113"}).search("displaced") == \
        get_scenario("belle2-alp-displaced", {"volume": "r113"}).search("displaced")
    assert get_scenario("belle2-dv-pair-br").searches == get_scenario("belle2-alp-hnl").searches
    assert get_scenario("belle2-monophoton-xsec", {"gaps": "removed"}).searches == \
        get_scenario("belle2-dipole-monophoton", {"gaps": "removed"}).searches
    assert get_scenario("stcf-monophoton-xsec").searches == get_scenario("stcf-dipole-monophoton").searches
    assert get_scenario("na62-cascade-br", {"decays": "sampled"}).searches == \
        get_scenario("na62-dark-neutrino", {"decays": "sampled"}).searches
    assert "isotropic" in get_scenario("belle2-monophoton-xsec", {"production": "isotropic"}).limit_long_name
    assert "eq. (2)" in get_scenario("belle2-monophoton-xsec").limit_long_name


# --- (a) + (b): displaced, one LLP (Ferber et al. section 5) ----------------------------------------------
def test_displaced_br_recasts_the_alp_and_its_limit_is_the_written_out_normalisation(tmp_path):
    m, lumi = 1.0, 5e4
    c_ff = [1e-5, 1e-4, 1e-3, 3e-3]  # c tau_a = 179, 1.79, 0.018, 0.002 m: long-lived, peak, short
    alp = _scan(tmp_path, "belle2-alp-displaced", {"m_a": [m], "c_ff": c_ff}, {"c_WW": 0.0, "lumi": lumi})
    ctau = alp["ctau_a"].sel(m_a=m).values
    gen = _scan(tmp_path, "belle2-displaced-br", {"m_X": [m], "ctau_X": list(ctau)}, {"lumi": lumi, "br": 1e-8})
    a = alp.sel(search="displaced", m_a=m)
    g = gen.sel(search="displaced", m_X=m).sel(ctau_X=ctau, method="nearest")
    assert not np.array_equal(a["acceptance"].values, g["acceptance"].values)  # independent samples
    _agree(a["acceptance"], a["acceptance_err"], g["acceptance"], g["acceptance_err"])
    _recast(a["n_signal"].values, (a["br_production"] * a["br_signal"]).values, g["br_limit"].values, 2.3,
            a["acceptance"].values, a["acceptance_err"].values, g["acceptance"].values, g["acceptance_err"].values)
    # (b) section 4.1: sigma(B+B-) = 0.54 nb = 0.54e6 fb, B+ and B- both decay: 2 x 0.54e6 x lumi; 2.3 events
    np.testing.assert_allclose(g["br_limit"], 2.3 / (2 * 0.54e6 * lumi * g["acceptance"]), rtol=1e-12)
    # the test can fail: the r < 113 cm volume keeps more long-lived decays (measured: 25% more at c tau = 179 m)
    big = _scan(tmp_path, "belle2-displaced-br", {"m_X": [m], "ctau_X": [float(ctau[0])]}, {"lumi": lumi},
                {"volume": "r113"})["acceptance"].sel(search="displaced").values.ravel()
    pull = (big[0] - float(g["acceptance"][0])) / math.hypot(float(g["acceptance_err"][0]), 0.01 * big[0])
    assert pull > 5, pull


def test_displaced_br_grows_as_ctau_deep_in_the_long_lived_regime(tmp_path):
    # acceptance -> (b - a)/lambda averaged over events for lambda = (p_T/m) c tau >> 1.2 m: br_limit ~ c tau_X.
    # Same events at both c tau: the ratio is 10 up to O(L/lambda) ~ 1e-3 (m_X = 4 GeV: beta gamma ~ 0.3)
    gen = _scan(tmp_path, "belle2-displaced-br", {"m_X": [0.3, 4.0], "ctau_X": [1e4, 1e5]}, events=4000)
    lim = gen["br_limit"].sel(search="displaced")
    np.testing.assert_allclose(lim.sel(ctau_X=1e5) / lim.sel(ctau_X=1e4), 10.0, rtol=2e-3)


# --- (a) + (b): two displaced LLPs from a prompt parent (Wang, Zhang & Liu) -------------------------------
def test_dv_pair_br_recasts_the_alp_hnl_model(tmp_path):
    m_a, m_N, lumi = 4.2, 1.0, 5e4
    v2 = [1e-8, 1e-6, 1e-4, 1e-2]  # c tau_N = 5.6e4, 560, 5.6, 0.056 m
    hnl = _scan(tmp_path, "belle2-alp-hnl", {"m_a": [m_a], "m_N": [m_N], "V2": v2},
                {"g_N": 1e-3, "g_bs": 1e-9, "lumi": lumi})
    assert bool(hnl["allowed"].all())  # g_N = 1e-3 GeV^-1: a prompt ALP
    ctau = hnl["ctau_N"].sel(m_N=m_N).values
    gen = _scan(tmp_path, "belle2-dv-pair-br", {"m_X": [m_N], "ctau_X": list(ctau)}, {"m_Y": m_a, "lumi": lumi})
    for search, power in (("1DV", 1), ("2DV", 2)):
        a = hnl.sel(search=search, m_a=m_a, m_N=m_N)
        g = gen.sel(search=search, m_X=m_N).sel(ctau_X=ctau, method="nearest")
        _agree(a["acceptance"], a["acceptance_err"], g["acceptance"], g["acceptance_err"])
        # the rescaling the limit's description states: Br(X -> signal) = b enters as b (1DV) or b^2 (2DV)
        b = get_scenario("belle2-alp-hnl").model.branching_fraction(m_N, wang.SIGNAL[search])
        np.testing.assert_allclose(a["br_signal"], b**power, rtol=1e-12)
        _recast(a["n_signal"].values, (a["br_production"] * b**power).values, g["br_limit"].values, 3.0,
                a["acceptance"].values, a["acceptance_err"].values, g["acceptance"].values, g["acceptance_err"].values)
        # (b) section VI: 2.827e10 B+B- pairs in 5e4 fb^-1, both B decay; eps_PID = 0.1 (below eq. 5); 3 events
        n_b = 2 * 2.827e10 / 5e4 * lumi
        np.testing.assert_allclose(g["br_limit"], 3.0 / (n_b * 0.1 * g["acceptance"]), rtol=1e-12)


def test_dv_pair_br_grows_as_ctau_for_1dv_and_ctau_squared_for_2dv(tmp_path):
    # one displaced X: P ~ 1/lambda; both: P1 P2 ~ 1/lambda^2 (same events, ratio exact to O(L/lambda))
    gen = _scan(tmp_path, "belle2-dv-pair-br", {"m_X": [0.5, 2.0], "ctau_X": [1e4, 1e5]}, {"m_Y": 4.7}, events=4000)
    lim = gen["br_limit"]
    ratio = lim.sel(ctau_X=1e5) / lim.sel(ctau_X=1e4)
    np.testing.assert_allclose(ratio.sel(search="1DV"), 10.0, rtol=2e-3)
    np.testing.assert_allclose(ratio.sel(search="2DV"), 100.0, rtol=2e-3)


# --- (a) + (b): monophoton (Zhang, Song, Ding & Chen) ---------------------------------------------------
#: section II.A: gap background 300 and 25000 events per 20 fb^-1 after the low-/high-mass cuts, none for bBG
GAP_PER_FB = {"low-mass": 300 / 20, "high-mass": 25000 / 20, "bBG": 0.0}


@pytest.mark.parametrize("collider", ["belle2", "stcf"])
def test_monophoton_xsec_recasts_the_dipole_portal(tmp_path, collider):
    m = 1.0
    d = [1e-9, 1e-8, 1e-7, 3e-7]  # c tau_N = 2.5e3, 25, 0.25, 0.028 m at m_N = 1 GeV
    if collider == "belle2":
        paper, generic, extra, lumi, eff = "belle2-dipole-monophoton", "belle2-monophoton-xsec", {}, 5e4, 0.95
    else:
        paper, generic, extra, lumi, eff = "stcf-dipole-monophoton", "stcf-monophoton-xsec", {"sqrt_s": [4.0]}, 1e4, 1.0
    model = _scan(tmp_path, paper, {"m_N": [m], "d": d, **extra}, {"lumi": lumi}, {"photon": "isotropic"})
    ctau = model["ctau_N"].sel(m_N=m).values.ravel()
    gen = _scan(tmp_path, generic, {"m_X": [m], "ctau_X": list(ctau), **extra}, {"lumi": lumi}, {"production": "dipole"})
    for search in model["search"].values:
        a = model.sel(search=search, m_N=m).squeeze()
        g = gen.sel(search=search, m_X=m).squeeze().sel(ctau_X=ctau, method="nearest")
        _agree(a["acceptance"], a["acceptance_err"], g["acceptance"], g["acceptance_err"])
        needed = float(g["n_needed"])
        _recast(a["n_signal"].values, a["sigma_production"].values, g["sigma_limit"].values, needed,
                a["acceptance"].values, a["acceptance_err"].values, g["acceptance"].values, g["acceptance_err"].values)
        # (b) chi^2 = S^2/(S + B) = 2.71 solved for S; B = eps_det sigma_irr lumi + gap background (section II)
        gap = GAP_PER_FB.get(str(search), 0.0)
        bkg = eff * float(g["sigma_background"]) * lumi + gap * lumi
        s_needed = (2.71 + math.sqrt(2.71**2 + 4 * 2.71 * bkg)) / 2
        np.testing.assert_allclose(g["sigma_limit"], s_needed / (lumi * g["acceptance"]), rtol=1e-9)


def test_monophoton_production_angle_is_part_of_the_assumption(tmp_path):
    # the low-/high-mass cuts are windows in the lab polar angle: an isotropic X gives another acceptance
    axes = {"m_X": [1.0], "ctau_X": [1e-3]}
    dip = _scan(tmp_path, "belle2-monophoton-xsec", axes)
    iso = _scan(tmp_path, "belle2-monophoton-xsec", axes, options={"production": "isotropic"})
    pull = np.abs(dip["acceptance"] - iso["acceptance"]) / np.hypot(dip["acceptance_err"], iso["acceptance_err"])
    assert float(pull.max()) > 5, pull.values


def test_monophoton_xsec_grows_as_ctau_deep_in_the_long_lived_regime(tmp_path):
    # P_dec = 1 - exp(-l_D/(beta gamma c tau)) -> l_D/(beta gamma c tau): sigma_limit ~ c tau_X
    gen = _scan(tmp_path, "belle2-monophoton-xsec", {"m_X": [0.1, 5.0], "ctau_X": [1e6, 1e7]}, events=4000)
    lim = gen["sigma_limit"]
    np.testing.assert_allclose(lim.sel(ctau_X=1e7) / lim.sel(ctau_X=1e6), 10.0, rtol=1e-3)


# --- (a) + (b): the NA62 cascade (Ballett, Hostert & Pascoli) ---------------------------------------------
#: Table I: kaons decaying in the fiducial volume and the flat acceptance per trigger stream
TABLE_I = {"ee": 2.14e11 * 0.04, "mumu": 7.94e11 * 0.10}


def test_cascade_br_recasts_the_dark_neutrino(tmp_path):
    m_h, m_zp = 0.3, 0.25  # both lepton channels open
    # c tau_h = 1.5e4, 15, 1.5e-3 m and c tau_Z' = 2.4e3, 24, 0.24 m: each LLP long-lived, in between, prompt
    model = _scan(tmp_path, "na62-dark-neutrino", {"m_h": [m_h], "m_Zp": [m_zp], "U2_D": [1e-7, 1e-4, 1.0],
                                                   "chi": [1e-8, 1e-7, 1e-6]},
                  {"U2_mu": 1e-9, "g_D": 0.375}, events=10_000)
    ct_h = model["ctau_h"].squeeze().values  # (U2_D,), chi does not enter
    ct_z = model["ctau_Zp"].squeeze().values  # (chi,)
    assert ct_h.max() / ct_h.min() > 50 and ct_z.max() / ct_z.min() > 50 and ct_h.ndim == ct_z.ndim == 1
    gen = _scan(tmp_path, "na62-cascade-br", {"m_X1": [m_h], "m_X2": [m_zp], "ctau_X1": list(ct_h),
                                              "ctau_X2": list(ct_z)}, events=10_000)
    for search in ("ee", "mumu"):
        a = model.sel(search=search).squeeze().transpose("U2_D", "chi")
        g = gen.sel(search=search).squeeze().sel(ctau_X1=ct_h, ctau_X2=ct_z, method="nearest").transpose("ctau_X1", "ctau_X2")
        _agree(a["acceptance"], a["acceptance_err"], g["acceptance"], g["acceptance_err"])
        rate = (a["br_production"] * a["br_visible"]).values  # Br(K -> mu nu_h) Br(nu_h -> nu Z') Br(Z' -> ll)
        _recast(a["n_signal"].values, rate, g["br_limit"].values, 1.0,
                a["acceptance"].values, a["acceptance_err"].values, g["acceptance"].values, g["acceptance_err"].values)
        np.testing.assert_allclose(g["br_limit"], 1.0 / (TABLE_I[search] * g["acceptance"]), rtol=1e-12)


def test_cascade_br_grows_as_both_lifetimes_and_a_closed_channel_has_no_limit(tmp_path):
    # both long-lived: P(cascade ends before z_max) ~ L^2/(2 lambda_1 lambda_2), so br_limit ~ c tau_X1 c tau_X2
    # (same events: each ratio exact up to O(L/lambda) ~ 1e-4 for lambda >~ 1e6 m)
    gen = _scan(tmp_path, "na62-cascade-br", {"m_X2": [0.05, 0.25], "ctau_X1": [1e4, 1e5], "ctau_X2": [1e4, 1e5]},
                {"m_X1": 0.3}, events=4000)
    lim = gen["br_limit"].sel(m_X2=0.25)
    base = lim.sel(ctau_X1=1e4, ctau_X2=1e4)
    np.testing.assert_allclose(lim.sel(ctau_X1=1e5, ctau_X2=1e4) / base, 10.0, rtol=2e-3)
    np.testing.assert_allclose(lim.sel(ctau_X1=1e4, ctau_X2=1e5) / base, 10.0, rtol=2e-3)
    np.testing.assert_allclose(lim.sel(ctau_X1=1e5, ctau_X2=1e5) / base, 100.0, rtol=2e-3)
    # m_X2 = 50 MeV < 2 m_mu: no mu+ mu- signal, hence no limit (NaN), while the e+ e- one exists
    low = gen["br_limit"].sel(m_X2=0.05)
    assert bool(np.isnan(low.sel(search="mumu")).all()) and bool(np.isfinite(low.sel(search="ee")).all())


# --- (c) the presets ---------------------------------------------------------------------------------
PRESETS = ("belle2-displaced-br", "belle2-dv-pair-br", "belle2-monophoton-xsec", "stcf-monophoton-xsec",
           "na62-cascade-br")


def test_presets_are_listed(capsys):
    assert main(["presets"]) == 0
    listed = {line.split()[0] for line in capsys.readouterr().out.splitlines() if line and not line.startswith(" ")}
    assert set(PRESETS) <= listed


@pytest.mark.parametrize("preset", PRESETS)
def test_preset_runs_and_draws_its_figure(preset, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code = main(["run", preset, "--events", "500", "--quiet"])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / f"{preset}.zarr").is_dir()
    png = tmp_path / f"{preset}.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    ds = scanner.open(tmp_path / f"{preset}.zarr")
    sc = get_scenario(preset)
    limit = sc.limit_name or f"{sc.limit_on}_limit"
    assert ds[limit].attrs["long_name"] == sc.limit_long_name and ds[limit].attrs["units"] in ("1", "fb")
    assert np.isfinite(ds[limit].values).any()
