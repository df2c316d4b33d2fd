"""Zhang, Song, Ding & Chen (arXiv:2204.07802), the dipole portal, reproduced end to end through stored scans.

The paper's statements are tested within 30% (the issue's tolerance: the curves are read off log plots
and the BESIII luminosity split is representative), with ``photon = "isotropic"``, which reproduces them
(with both N charge channels). Grids: d on 0.05-decade steps (the reach interpolates between them to well
under 1%); 20k events per mass point (cut efficiencies ~0.2-0.5 known to ~1%, i.e. 0.5% in d).
"""

import math

import numpy as np
import pytest
from scipy import optimize

from llpscan import scanner
from llpscan.detectors.experiments import besiii as besiii_data
from llpscan.detectors.scenarios.zhang2022_dipole import BELLE2, BESIII, AdvancedCut, Belle2Cut
from llpscan.detectors.searches.monophoton import MonophotonSearch
from llpscan.physics.models import dipole_portal as dp

D_AXIS = list(np.geomspace(1e-7, 1e-3, 81))
BELLE2_M = [0.1, 0.2, 0.3, 1.0, 3.0, 7.0]


def _run(tmp_path_factory, preset, name, **over):
    cfg = scanner.api.config_of(preset).model_dump()
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(cfg.get(key), dict):
            cfg[key] = {**cfg[key], **value}
        else:
            cfg[key] = value
    path = tmp_path_factory.mktemp("zhang2022") / f"{name}.zarr"
    scanner.run(cfg, path, progress=False)
    return scanner.open(path)


@pytest.fixture(scope="module")
def belle2(tmp_path_factory):
    return _run(tmp_path_factory, "belle2-dipole-monophoton", "b2", events=20_000,
                axes={"m_N": BELLE2_M, "d": D_AXIS})


@pytest.fixture(scope="module")
def belle2_exact(tmp_path_factory):
    return _run(tmp_path_factory, "belle2-dipole-monophoton", "b2x", events=20_000,
                axes={"m_N": [0.3, 1.0, 3.0], "d": D_AXIS}, options={"photon": "exact"})


@pytest.fixture(scope="module")
def besiii(tmp_path_factory):
    return _run(tmp_path_factory, "besiii-dipole-monophoton", "bes", events=10_000,
                axes={"m_N": [0.1, 0.5, 1.0, 2.0, 2.7, 4.0], "d": D_AXIS,
                      "sqrt_s": [float(e) for e in besiii_data.ENERGIES]})


@pytest.fixture(scope="module")
def stcf(tmp_path_factory):
    return _run(tmp_path_factory, "stcf-dipole-monophoton", "stcf", events=20_000,
                axes={"m_N": [0.1, 0.25, 0.5, 1.0, 2.5], "d": D_AXIS, "sqrt_s": [2.0, 4.0, 7.0],
                      "lumi": [1e4, 3e4]})


def lower(ds, search, **sel):
    r = ds.sel(**sel).llp.reach(x="m_N", y="d", search=search).compute()
    return r["lower"]


@pytest.mark.slow
def test_belle2_low_mass_with_gap_background_reaches_8e6(belle2):
    # section III: "transition magnetic moment down to about 8e-6
    # GeV^-1 for mass about
    # (0.1-7) GeV" (low-mass cut, gap background, 50 ab^-1): every grid mass in 0.1-7 GeV within 30%
    lo = lower(belle2, "low-mass")
    assert np.all(np.abs(lo.values / 8e-6 - 1) < 0.30), lo.values


@pytest.mark.slow
def test_belle2_bbg_is_four_times_stronger_above_300_mev_and_less_below(belle2):
    # section II.A: bBG without gap background "about 4 times
    # stronger" for 0.3 <~ m_N <~ 9 GeV;
    # below 0.3 GeV the N escapes the 3 m and the ratio falls to about 2.2 at 0.1 GeV
    ratio = lower(belle2, "low-mass") / lower(belle2, "bBG")
    above = ratio.sel(m_N=[0.3, 1.0, 3.0, 7.0]).values
    assert np.all(np.abs(above / 4 - 1) < 0.30), above
    assert float(ratio.sel(m_N=0.1)) == pytest.approx(2.2, rel=0.30)
    assert float(ratio.sel(m_N=0.1)) < float(ratio.sel(m_N=0.2)) < float(ratio.sel(m_N=1.0))


@pytest.mark.slow
def test_belle2_low_mass_always_beats_high_mass(belle2):
    # section II.A: "the constraint with the low-mass cut is always
    # better than the high-mass cut"
    assert np.all(lower(belle2, "low-mass").values < lower(belle2, "high-mass").values)


@pytest.mark.slow
def test_exact_dirac_photon_weakens_the_belle2_limits(belle2, belle2_exact):
    # text and exact give limits about 1.5-1.7x weaker at Belle II (an independent evaluation). Measured with
    # these grids at m_N = 0.3, 1, 3 GeV: 1.5-1.7 (low-mass), 1.3-1.45 (bBG); asserted as 1.2-2.0 for both
    for search in ("low-mass", "bBG"):
        r = (lower(belle2_exact, search) / lower(belle2, search).sel(m_N=[0.3, 1.0, 3.0])).values
        assert np.all((1.2 < r) & (r < 2.0)), (search, r)


@pytest.mark.slow
def test_besiii_reaches_1_3e5(besiii):
    # section III: BESIII, about 28 fb^-1, "down to about 1.3e-5
    # GeV^-1 for 0.1 < m_N < 3 GeV"
    lo = lower(besiii, "advanced").sel(m_N=[0.1, 0.5, 1.0, 2.0, 2.7])
    assert np.all(np.abs(lo.values / 1.3e-5 - 1) < 0.30), lo.values


@pytest.mark.slow
def test_besiii_masks_each_data_set_below_threshold(besiii):
    # m_N = 4 GeV: the data sets below 4 GeV cannot make the N (allowed = 0, zero signal, adding nothing
    # to the chi^2 sum); the ones above still exclude it, so the summed limit exists there
    energies = besiii["sqrt_s"].values
    assert np.array_equal(besiii["allowed"].sel(m_N=4.0).values, (energies > 4.0).astype(int))
    n = besiii["n_signal"].sel(search="advanced", m_N=4.0).compute()
    assert np.all(np.isfinite(n.values))
    assert np.all(n.sel(sqrt_s=energies[energies < 4.0]).values == 0)
    assert np.all(n.sel(sqrt_s=energies[energies > 4.0]).isel(d=-1).values > 0)
    assert np.isfinite(float(lower(besiii, "advanced").sel(m_N=4.0)))


@pytest.mark.slow
def test_stcf_4gev_30_inverse_ab_reaches_1_3e6(stcf):
    # section III: STCF at 4 GeV with 30 ab^-1, "d <~ 1.3e-6 GeV^-1
    # for mass from 0.2 GeV to
    # about 3 GeV": every grid mass in 0.25-2.5 GeV within 30%
    lo = lower(stcf, "advanced", sqrt_s=4.0, lumi=3e4).sel(m_N=[0.25, 0.5, 1.0, 2.5])
    assert np.all(np.abs(lo.values / 1.3e-6 - 1) < 0.30), lo.values


@pytest.mark.slow
def test_stcf_lower_energy_is_better_at_low_mass(stcf):
    # section II.B: "with same luminosity, operated at lower energy,
    # STCF has better sensitivity
    # in probing the low-mass region" (10 ab^-1 at 2, 4, 7 GeV)
    lo = lower(stcf, "advanced", lumi=1e4).sel(m_N=[0.25, 0.5])
    assert np.all(lo.sel(sqrt_s=2.0).values < lo.sel(sqrt_s=4.0).values)
    assert np.all(lo.sel(sqrt_s=4.0).values < lo.sel(sqrt_s=7.0).values)


def _direct_limit(data_sets):
    """d solving sum_i S_i^2/(S_i + B_i) = 2.71 by root finding; S_i = k_i d^2 (1 - exp(-a_i d^2))."""

    def excess(log_d):
        d2 = 10 ** (2 * log_d)
        chi2 = 0.0
        for k, a, b in data_sets:
            sig = k * d2 * -math.expm1(-a * d2)
            chi2 += sig * sig / (sig + b)
        return chi2 - 2.71

    return 10 ** optimize.brentq(excess, -9, -2)


def _data_set(search, ds_point, sqrt_s, lumi, m, gap_per_fb=0.0):
    """(k, a, B) of one data set from the store's cut efficiency and an independently written S(d), B."""
    # cut efficiency x eps_det: the stored acceptance divided by its P_dec at the largest d (P_dec = 1 there)
    eff = float(ds_point["acceptance"].isel(d=-1))
    p = (sqrt_s**2 - m * m) / (2 * sqrt_s)
    k = lumi * eff * 2 * (1 / 137.035999) / 3 * (1 - m * m / sqrt_s**2) ** 2 * (1 + 2 * m * m / sqrt_s**2) * 0.3893794e12
    a = search.l_decay * m / p * m**3 / (4 * math.pi) / 1.973269804e-16  # l_D / (beta gamma c tau) / d^2
    b = lumi * (search.efficiency * search.background_sigma(sqrt_s) + gap_per_fb)
    return k, a, b


@pytest.mark.slow
def test_store_limits_agree_with_a_direct_chi2_solution(belle2, besiii):
    # The scanner's reach (log interpolation on the d grid) against brentq on chi^2(d) written out here
    # from eqs. (3)-(7) with the store's cut efficiency, and B from the background integral and the
    # table's luminosities. The 0.05-decade grid: interpolation within 1%.
    low = MonophotonSearch("low-mass", Belle2Cut("low-mass"), BELLE2, 3.0, 0.95)
    for m in (0.1, 1.0):
        pt = belle2.sel(search="low-mass", m_N=m)
        direct = _direct_limit([_data_set(low, pt, BELLE2.sqrt_s, 5e4, m, gap_per_fb=15.0)])
        assert float(lower(belle2, "low-mass").sel(m_N=m)) == pytest.approx(direct, rel=0.01)
    adv = MonophotonSearch("advanced", AdvancedCut(), BESIII, 0.8, 1.0)
    m = 1.0
    sets = [_data_set(adv, besiii.sel(search="advanced", m_N=m, sqrt_s=e), float(e), float(lum), m)
            for e, lum in zip(besiii_data.ENERGIES, besiii_data.LUMINOSITIES)]
    assert float(lower(besiii, "advanced").sel(m_N=m)) == pytest.approx(_direct_limit(sets), rel=0.01)
