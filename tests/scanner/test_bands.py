"""Bands: the Monte-Carlo error propagated to the boundaries, and the envelope of several stores.

References: closed forms on toy Datasets (power laws, where reach's log-log interpolation is exact),
scipy's Poisson distribution solved here, and an independent numpy propagation on a stored scan.
"""

import json

import numpy as np
import pytest
from scipy import optimize, stats

from llpscan import scanner
from llpscan.errors import ConfigError
from llpscan.scanner.bands import envelope, mc_band, signal_error
from llpscan.scanner.boundaries import reach
from tests.scanner.toys import grid_x, grid_y, toy

X = np.array([1.0, 2.0, 3.0])
Y = np.geomspace(1e-6, 1.0, 61)


def test_mc_band_of_a_power_law_is_its_closed_form():
    # n = F c(x) y with a relative MC error f(x): n +- sigma = (1 +- f) n, so the lower boundary of
    # "n >= 3" is y = 3 / ((1 +- f) F c); a power law in y, which reach's log-log interpolation is exact on
    c, f, big = np.array([1e3, 1e4, 1e5]), np.array([0.05, 0.2, 0.5]), 2.0
    acc = c[:, None] * Y
    ds = toy(acc, grid_x(X), grid_y(Y), err=f[:, None] * acc, factor=big)
    b = mc_band(ds, "m", "u", search="s").compute()
    np.testing.assert_allclose(b["lower"], 3 / (big * c), rtol=1e-12)
    np.testing.assert_allclose(b["lower_band_lo"], 3 / ((1 + f) * big * c), rtol=1e-12)
    np.testing.assert_allclose(b["lower_band_hi"], 3 / ((1 - f) * big * c), rtol=1e-12)
    assert (b["upper"] == 1.0).all() and (b["upper_band_lo"] == 1.0).all()  # open to the end of the grid


def test_signal_error_is_the_factors_times_the_acceptance_error_and_zero_where_masked():
    acc = np.full((3, 61), 0.5)
    ds = toy(acc, grid_x(X), grid_y(Y), err=0.01, factor=7.0, allowed=[1, 0, 1])
    err = signal_error(ds).sel(search="s")
    np.testing.assert_allclose(err.sel(m=1.0), 0.07)
    assert (err.sel(m=2.0) == 0).all()


def test_mc_band_with_a_poisson_statistic_and_background():
    # poisson-90 with B = 4 expected: excluded where S >= S_up, P(n <= 4 | S_up + 4) = 0.1, solved
    # here with scipy; S = F c y (1 +- f) is a power law again
    c, f, bkg = np.array([1e3, 1e4, 1e5]), 0.1, 4.0
    acc = c[:, None] * Y
    ds = toy(acc, grid_x(X), grid_y(Y), err=f * acc, statistic="poisson-90", background=bkg)
    s_up = optimize.brentq(lambda s: stats.poisson.cdf(4, s + bkg) - 0.1, 0.0, 50.0, xtol=1e-13)
    b = mc_band(ds, "m", "u", search="s").compute()
    np.testing.assert_allclose(b["lower"], s_up / c, rtol=1e-8)
    np.testing.assert_allclose(b["lower_band_lo"], s_up / ((1 + f) * c), rtol=1e-8)
    np.testing.assert_allclose(b["lower_band_hi"], s_up / ((1 - f) * c), rtol=1e-8)


def _first_crossing(y, n, level):
    """Lower boundary by hand: the first grid point with n >= level, interpolated in log-log."""
    i = int(np.argmax(n >= level))
    if not (n >= level).any():
        return np.nan
    if i == 0:
        return y[0]
    y0, y1, n0, n1 = y[i - 1], y[i], n[i - 1], n[i]
    t = (np.log(level) - np.log(n0)) / (np.log(n1) - np.log(n0)) if n0 > 0 else (level - n0) / (n1 - n0)
    return float(np.exp(np.log(y0) + t * (np.log(y1) - np.log(y0))))


def test_mc_band_on_a_stored_scan_matches_an_independent_propagation(small_store):
    ds = scanner.open(small_store)
    sub = ds.sel(m_a=4.7, search="1DV").compute()
    acc = sub["acceptance"].transpose("m_N", "V2")
    factors = 1.0
    for name in json.loads(ds.attrs["signal_factors"]):
        factors = factors * sub[name]
    factors = factors.broadcast_like(acc).transpose("m_N", "V2").values
    allowed = sub["allowed"].broadcast_like(acc).transpose("m_N", "V2").values != 0
    a, e = acc.values, sub["acceptance_err"].transpose("m_N", "V2").values
    n_up = np.where(allowed, factors * (a + e), 0.0)
    n_dn = np.where(allowed, factors * np.maximum(a - e, 0), 0.0)
    y = sub["V2"].values
    b = mc_band(ds.sel(m_a=4.7), "m_N", "V2", search="1DV").compute()
    checked = 0
    for i, m in enumerate(sub["m_N"].values):
        lo_up, lo_dn = _first_crossing(y, n_up[i], 3.0), _first_crossing(y, n_dn[i], 3.0)
        got = b.sel(m_N=m)
        if np.isnan(lo_up):
            assert np.isnan(float(got["lower_band_lo"]))
            continue
        np.testing.assert_allclose(float(got["lower_band_lo"]), min(lo_up, lo_dn), rtol=1e-12)
        np.testing.assert_allclose(float(got["lower_band_hi"]), max(lo_up, lo_dn), rtol=1e-12)
        assert got["lower_band_lo"] <= got["lower"] <= got["lower_band_hi"]
        checked += 1
    assert checked >= 3


def test_envelope_is_the_min_and_max_over_the_stores():
    c = np.array([1e3, 1e4, 1e5])
    variants = [toy(k * c[:, None] * Y, grid_x(X), grid_y(Y)) for k in (1.0, 0.5, 2.0)]
    b = envelope(variants, "m", "u", search="s").compute()
    np.testing.assert_allclose(b["lower"], 3 / c, rtol=1e-12)  # the first store is the nominal curve
    np.testing.assert_allclose(b["lower_band_lo"], 3 / (2.0 * c), rtol=1e-12)
    np.testing.assert_allclose(b["lower_band_hi"], 3 / (0.5 * c), rtol=1e-12)


def test_envelope_ignores_stores_without_a_boundary_at_an_x():
    c = np.array([1e3, 1e4, 1e5])
    weak = np.array([0.0, 1e4, 1e5])  # no exclusion at x = 1 in the second variant
    b = envelope([toy(c[:, None] * Y, grid_x(X), grid_y(Y)), toy(weak[:, None] * 2 * Y, grid_x(X), grid_y(Y))],
                 "m", "u", search="s").compute()
    assert float(b["lower_band_lo"].sel(m=1.0)) == pytest.approx(3 / 1e3, rel=1e-12)
    assert float(b["lower_band_hi"].sel(m=1.0)) == pytest.approx(3 / 1e3, rel=1e-12)


def test_envelope_needs_the_same_grid():
    a = toy(np.ones((3, 61)), grid_x(X), grid_y(Y))
    b = toy(np.ones((3, 31)), grid_x(X), grid_y(np.geomspace(1e-6, 1.0, 31)))
    with pytest.raises(ConfigError, match="share the u grid"):
        envelope([a, b], "m", "u")
    with pytest.raises(ConfigError, match="at least two"):
        envelope([a], "m", "u")


def test_reach_table_band_columns_are_the_band(small_store):
    from llpscan.scanner.reading import reach_table

    ds = scanner.open(small_store)
    t = reach_table(ds, "m_N", "V2", {"m_a": "4.7"}, "1DV", None, band="mc")
    b = mc_band(ds.sel(m_a=4.7), "m_N", "V2", search="1DV").compute()
    for row in t["rows"]:
        for col in ("lower_band_lo", "lower_band_hi", "upper_band_lo", "upper_band_hi"):
            want = float(b[col].sel(m_N=row["m_N"]))
            assert (row[col] is None and np.isnan(want)) or row[col] == want
    nominal = reach(ds["n_signal"].sel(m_a=4.7, search="1DV").transpose("m_N", "V2"), "V2", 3.0).compute()
    assert [r["lower"] for r in t["rows"]][1:] == list(nominal["lower"].values[1:])
