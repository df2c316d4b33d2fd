import numpy as np
import pytest
import xarray as xr

from llpscan.scanner.plot import contour_lines, log_scale


def test_log_scale_only_for_positive_axes_spanning_decades():
    assert log_scale([1e-5, 1e3])
    assert not log_scale([0.1, 2.3])  # a mass range: linear
    assert not log_scale([0.0, 1e3])  # not positive
    assert not log_scale([5.0])


@pytest.mark.parametrize("log_x", [False, True])
def test_contour_of_a_power_law_follows_it(log_x):
    # n = x * y crosses 1 on y = 1/x: a straight line in log-log, so interpolating in log x and log y
    # is exact at any grid spacing; in linear x only at the grid points themselves
    x = np.geomspace(1e-2, 1e2, 9) if log_x else np.linspace(1.0, 5.0, 9)
    y = np.geomspace(1e-3, 1e3, 31)
    n = xr.DataArray(x[:, None] * y[None, :], coords={"x": x, "y": y}, dims=("x", "y"))
    (line,) = contour_lines(n, "x", "y", 1.0, log_x=log_x)
    at_nodes = np.isin(np.round(line[:, 0], 12), np.round(x, 12))
    pts = line if log_x else line[at_nodes]
    np.testing.assert_allclose(pts[:, 1], 1.0 / pts[:, 0], rtol=1e-9)
