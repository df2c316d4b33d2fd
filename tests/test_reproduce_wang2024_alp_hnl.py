"""(Wang, Zhang & Liu 2024) reproduced end to end through a stored scan.

The scan: m_a = 4.7 GeV (and 4.2), m_N near m_a/2 and below, V2 on 0.1-decade steps, 20k events per
mass point (MC errors on the acceptance below 1% where the reach is decided).
"""

import numpy as np
import pytest

from llpscan import scanner
@pytest.fixture(scope="module")
def store(tmp_path_factory):
    cfg = scanner.api.config_of("belle2-alp-hnl").model_dump()
    cfg["axes"] = {"m_a": [4.2, 4.7], "m_N": [1.0, 1.5, 2.0, 2.09, 2.2, 2.3, 2.34],
                   "V2": list(np.geomspace(1e-13, 1e-2, 111)), "g_bs": [1e-9, 1e-8, 1e-7]}
    cfg["params"].pop("g_bs")
    cfg["events"] = 20_000
    path = tmp_path_factory.mktemp("store") / "s.zarr"
    scanner.run(cfg, path, progress=False)
    return scanner.open(path)


def lower(ds, search, m_a, g_bs):
    r = ds.sel(m_a=m_a, g_bs=g_bs).llp.reach(x="m_N", y="V2", search=search).compute()
    return r["lower"]


@pytest.mark.slow
def test_1dv_reaches_just_below_1e7_near_half_the_alp_mass(store):
    # section V: "Belle II can be sensitive to |V_eN|^2 as low as just below
    # 1e-7 for m_N close
    # to m_a/2" (m_a = 4.7 GeV, 1DV, 50 ab^-1). Read off a log axis, "just below" is 5e-8 .. 1e-7.
    lo = lower(store, "1DV", 4.7, 1e-9)
    best = float(lo.min())
    assert 5e-8 < best < 1e-7
    assert float(lo.idxmin()) >= 2.2  # the strongest point is near m_a/2 = 2.35 GeV


@pytest.mark.slow
@pytest.mark.parametrize("m_a", [4.2, 4.7])
def test_1dv_always_reaches_lower_than_2dv(store, m_a):
    # section V: "The 1DV search can always exclude lower values of |V_eN|^2
    # than the 2DV search"
    one, two = lower(store, "1DV", m_a, 1e-9), lower(store, "2DV", m_a, 1e-9)
    both = ~np.isnan(one.values) & ~np.isnan(two.values)
    assert both.sum() >= 3
    assert (one.values[both] < two.values[both]).all()


@pytest.mark.slow
def test_long_lifetime_scaling_with_g_bs(store):
    # section V: in the long-decay-length limit N_S ~ g_bs^2 |V|^2 (1DV) or
    # g_bs^2 |V|^4 (2DV), so
    # g_bs x 10 moves the lower reach by 1/100 (1DV) or 1/10 (2DV). At the paper's g_bs = 1e-9 the 1DV edge
    # at m_N = 2.3 GeV has a transverse decay length of only ~20 m, and the O(r/lambda) ~ 4% correction
    # shows (measured ratio 0.0096 for 1e-9 -> 1e-8). One decade deeper (1e-8 -> 1e-7) lambda is ~2 km
    # (1DV) and ~200 m (2DV): the corrections fall to 0.04% and 0.4%, so 1% and 2% hold with margin
    # for the log-log interpolation between grid points.
    for search, expected, tol in (("1DV", 1e-2, 0.01), ("2DV", 1e-1, 0.02)):
        ratio = lower(store, search, 4.7, 1e-7).sel(m_N=2.3) / lower(store, search, 4.7, 1e-8).sel(m_N=2.3)
        assert float(ratio) == pytest.approx(expected, rel=tol), search
    # at the paper's benchmark the statement is approximate: within 10%
    shallow = lower(store, "1DV", 4.7, 1e-8).sel(m_N=2.3) / lower(store, "1DV", 4.7, 1e-9).sel(m_N=2.3)
    assert float(shallow) == pytest.approx(1e-2, rel=0.1)


@pytest.mark.slow
def test_signal_scales_with_mixing_powers_deep_in_the_long_lifetime_regime(store):
    # N_S ~ |V|^2 (1DV) and |V|^4 (2DV) once c*tau >> detector: at V2 = 1e-11 .. 1e-10, c*tau ~ 1e5 m,
    # corrections O(r/lambda) ~ 1e-5.
    p = store.sel(m_a=4.7, m_N=2.3, g_bs=1e-9)
    n = p["n_signal"].sel(V2=[1e-11, 1e-10], method="nearest")
    v = n["V2"].values
    r1 = float(n.sel(search="1DV")[1] / n.sel(search="1DV")[0])
    r2 = float(n.sel(search="2DV")[1] / n.sel(search="2DV")[0])
    assert r1 == pytest.approx(v[1] / v[0], rel=1e-3)
    assert r2 == pytest.approx((v[1] / v[0]) ** 2, rel=2e-3)
