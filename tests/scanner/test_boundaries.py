import numpy as np
import xarray as xr
import pytest

from llpscan.scanner.boundaries import bounds_along, reach


def test_bounds_of_a_band_are_found_by_log_interpolation():
    # n = A y exp(-y/y0): rises like y (long-lifetime edge), falls exponentially (short edge).
    # Boundaries solved independently with a root finder on the analytic function.
    from scipy.optimize import brentq

    A, y0, level = 1e9, 1e-3, 3.0
    y = np.geomspace(1e-10, 1e-1, 400)
    n = A * y * np.exp(-y / y0)
    lo, hi = bounds_along(n, y, level)
    f = lambda t: np.log(A * np.exp(t) * np.exp(-np.exp(t) / y0) / level)  # noqa: E731
    lo_ref = np.exp(brentq(f, np.log(1e-10), np.log(y0)))
    hi_ref = np.exp(brentq(f, np.log(y0), np.log(1e-1)))
    # log-log interpolation is exact for the power law; the exponential side has curvature
    assert lo == pytest.approx(lo_ref, rel=1e-9)
    assert hi == pytest.approx(hi_ref, rel=1e-3)


def test_no_reach_edges_and_nan():
    y = np.array([1.0, 10.0, 100.0])
    assert np.isnan(bounds_along(np.array([0.0, 1.0, 2.0]), y, 3.0)).all()
    np.testing.assert_allclose(bounds_along(np.array([5.0, 5.0, 5.0]), y, 3.0), [1.0, 100.0])
    # unfinished values (NaN) never count as reached
    assert np.isnan(bounds_along(np.array([np.nan, np.nan, np.nan]), y, 3.0)).all()


def test_reach_is_lazy_on_dask_and_keeps_other_dims():
    y = np.geomspace(1e-8, 1e-2, 50)
    x = np.linspace(0.5, 2.0, 4)
    n = xr.DataArray(1e6 * y[None, :] * x[:, None], dims=("m_N", "V2"), coords={"m_N": x, "V2": y}).chunk({"m_N": 2})
    n["V2"].attrs["units"] = "1"
    r = reach(n, "V2", 3.0)
    assert r["lower"].chunks is not None  # still lazy
    np.testing.assert_allclose(r["lower"].values, 3.0 / (1e6 * x), rtol=1e-9)
