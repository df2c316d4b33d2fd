import math

import numpy as np
import pytest

from llpscan.scanner.stats import poisson_upper_limit, threshold


def test_zero_background_limits_are_minus_log_one_minus_cl():
    # P(0 | S) = e^{-S} = 1 - CL  =>  S = -ln(1 - CL): 2.303 (90%), 2.996 (95%)
    assert poisson_upper_limit(0.0, 0.9) == pytest.approx(-math.log(0.1), rel=1e-9)
    assert poisson_upper_limit(0.0, 0.95) == pytest.approx(-math.log(0.05), rel=1e-9)


@pytest.mark.parametrize(("background", "s90"), [(176_700, 539.9), (1_767, 55.1)])
def test_cumulative_poisson_limit_with_large_background(background, s90):
    # Ferber et al. (arXiv:2201.06580) sec. 4.3, evaluated independently: the cumulative condition P(n <= round(B)
    # | S + B) = 0.1 gives S_90 = 539.9 at
    # 50 ab^-1 (B = 176,700) and 55.1 at 0.5 ab^-1 (B = 1,767); quoted to 4 and 3 digits.
    assert poisson_upper_limit(background, 0.9) == pytest.approx(s90, abs=0.06)


def test_threshold_dispatch():
    assert float(threshold("events-3")) == 3.0
    assert float(threshold("events-2.3")) == 2.3
    np.testing.assert_allclose(threshold("poisson-90", np.array([0.0, 1767.0])), [2.3026, 55.1], atol=0.06)
    with pytest.raises(ValueError, match="expected events-N"):
        threshold("chi2-banana")


@pytest.mark.parametrize(("name", "background", "expected"), [
    # zero background: S = -ln(1 - CL), written out here, not taken from the code
    ("poisson-99", 0.0, -math.log(0.01)),
    ("poisson-68", 0.0, -math.log(0.32)),
    ("poisson-90", 0.0, -math.log(0.1)),
    ("events-5", 12.0, 5.0),  # a count ignores the background
    ("events-2.3", 0.0, 2.3),
    ("chi2-3.84", 0.0, 3.84),  # S^2/S = S at B = 0
])
def test_statistics_are_parsed_from_their_names(name, background, expected):
    assert float(threshold(name, background)) == pytest.approx(expected, rel=1e-9)


def test_chi2_at_any_level_solves_its_own_condition():
    # chi2-3.84 (two-sided 95% for one parameter) with B = 100: the S it returns must satisfy
    # S^2/(S+B) = 3.84, checked by substitution; the old code silently used 2.71 for any chi2 name
    s = float(threshold("chi2-3.84", 100.0))
    assert s * s / (s + 100.0) == pytest.approx(3.84, rel=1e-12)


def test_poisson_at_another_cl_is_not_silently_95():
    # before the parser, any poisson-X that did not end in 90 computed the 95% limit
    from scipy import stats

    s99 = float(threshold("poisson-99", 50.0))
    # the defining condition, evaluated directly: P(n <= 50 | s + 50) = 0.01
    assert stats.poisson.cdf(50, s99 + 50.0) == pytest.approx(0.01, rel=1e-6)
    assert s99 > float(threshold("poisson-95", 50.0))


@pytest.mark.parametrize("bad", ["poisson-100", "poisson-0", "chi2-0", "events-0", "events--1", "events-inf",
                                 "poisson-nan", "gauss-3", "events", "3", "events-3 sigma", ""])
def test_bad_statistic_names_say_what_is_allowed(bad):
    from llpscan.scanner.stats import parse_statistic

    with pytest.raises(ValueError, match="statistic"):
        parse_statistic(bad)


def test_statistic_names_round_trip():
    from llpscan.scanner.stats import Statistic, parse_statistic

    for name in ("events-1", "events-2.3", "events-3", "poisson-90", "poisson-95", "poisson-99.7", "chi2-2.71",
                 "chi2-3.84"):
        s = parse_statistic(name)
        assert isinstance(s, Statistic) and s.name == name and parse_statistic(s.name) == s


def test_chi2_signal_needed_solves_the_chi2_condition():
    # S^2/(S+B) = 2.71 has the positive root S = (2.71 + sqrt(2.71^2 + 4*2.71*B))/2; check it by
    # substitution, and the large-B limit S -> sqrt(2.71 B) (the familiar S/sqrt(B) = 1.646)
    from llpscan.scanner.stats import chi2, chi2_signal_needed

    b = np.array([0.0, 1.0, 300.0, 1e6])
    s = chi2_signal_needed(b)
    np.testing.assert_allclose(chi2(s, b), 2.71, rtol=1e-12)
    assert s[0] == pytest.approx(2.71)
    assert s[-1] == pytest.approx(math.sqrt(2.71e6), rel=1e-3)


def _toy(statistic, n, b, **attrs):
    import xarray as xr

    ds = xr.Dataset(
        {"n_signal": (("search", "x", "y"), n), "n_background": (("search",), b)},
        coords={"search": ["a"], "x": [1.0, 2.0], "y": [1.0, 10.0, 100.0], "br": 1.0},
        attrs={"statistic": statistic, "background": "n_background", **attrs},
    )
    return ds


def test_poisson_exclusion_uses_each_points_background():
    from llpscan.scanner.stats import derive, exclusion

    n = np.array([[[1.0, 100.0, 1000.0], [1.0, 2.0, 3.0]]])
    ds = derive(_toy("poisson-90", n, np.array([1767.0]), limit_on="br"))
    q, level, _ = exclusion(ds)
    assert level == 1.0
    # 55.1 events are needed on 1767 background (Ferber et al. sec. 4.3): only 100 and 1000 pass
    np.testing.assert_array_equal((q >= level).values[0], [[False, True, True], [False, False, False]])
    # the branching-ratio limit is br x needed / n_signal: 55.1/1000 at the last point
    assert float(ds["br_limit"][0, 0, 2]) == pytest.approx(55.1 / 1000, abs=1e-4)


def test_chi2_exclusion_sums_over_combined_data_sets():
    import xarray as xr

    from llpscan.scanner.stats import derive, exclusion

    # two data sets along "e" with S = 2 each and B = 0, 2: chi2 = 2 + 4/4 = 3 >= 2.71, excluded only
    # when combined (each alone is 2 and 1)
    ds = xr.Dataset(
        {"n_signal": (("search", "e"), [[2.0, 2.0]]), "n_background": (("e",), [0.0, 2.0])},
        coords={"search": ["a"], "e": [1.0, 2.0]},
        attrs={"statistic": "chi2-2.71", "background": "n_background", "combine": '["e"]'},
    )
    q, level, _ = exclusion(derive(ds))
    assert level == 2.71 and q.dims == ("search",)
    assert float(q[0]) == pytest.approx(3.0)
    single = derive(ds.assign_attrs(combine="[]"))
    np.testing.assert_allclose(exclusion(single)[0].values, [[2.0, 1.0]])


def test_explicit_level_counts_signal_events_only():
    from llpscan.scanner.stats import derive, exclusion

    ds = derive(_toy("poisson-90", np.ones((1, 2, 3)), np.array([1767.0])))
    q, level, text = exclusion(ds, 0.5)
    assert level == 0.5 and q.name == "n_signal" and "0.5" in text
