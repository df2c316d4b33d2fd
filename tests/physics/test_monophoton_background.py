"""Irreducible e+e- -> nu nubar gamma: independently evaluated check values and the cut integrator."""

import math

import numpy as np
import pytest
from scipy import integrate

from llpscan.physics.monophoton_background import d2sigma_dx_dcos, sigma_born, sigma_with_cuts

# An independent evaluation of the radiator formula (module docstring): Born sum 41.2 fb (4.18 GeV) and 264 fb
# (10.58 GeV); 2.95 fb (E > 0.5 GeV, |cos| < 0.8, 10.58 GeV); 0.457 fb (E > 0.2 GeV, |cos| < 0.8,
# 4.18 GeV). The issue asks for 1%; the quoted values have three significant figures (<= 0.2%).


@pytest.mark.parametrize(("sqrt_s", "expected"), [(4.18, 41.2), (10.58, 264.0)])
def test_born_check_values(sqrt_s, expected):
    assert float(sigma_born(sqrt_s**2)) == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize(("sqrt_s", "e_min", "expected"), [(10.58, 0.5, 2.95), (4.18, 0.2, 0.457)])
def test_cut_check_values(sqrt_s, e_min, expected):
    x_min = 2 * e_min / sqrt_s
    sigma = sigma_with_cuts(sqrt_s, lambda x, c: (x > x_min) & (np.abs(c) < 0.8))
    assert sigma == pytest.approx(expected, rel=0.01)


def test_curved_cut_against_scipy_dblquad():
    # a cut with a curved boundary, eq. (14)-like E > sqrt(s)/(1 + sin/sin_b) for |cos| < 0.8, against
    # scipy's adaptive dblquad with the boundary written as the x integration limit (an independent
    # integration). The grid's cell-edge error is O(1/n) along the boundary: 0.3% allows it.
    sqrt_s, sin_b = 4.0, math.sqrt(1 - 0.95**2)
    x_b = lambda c: 2.0 / (1 + math.sqrt(1 - c * c) / sin_b)  # noqa: E731
    s = sqrt_s**2
    ref, _ = integrate.dblquad(lambda x, c: float(d2sigma_dx_dcos(x, c, s)), -0.8, 0.8, x_b, lambda c: 1.0,
                               epsrel=1e-8)
    grid = sigma_with_cuts(sqrt_s, lambda x, c: (np.abs(c) < 0.8) & (x > 2 / (1 + np.sqrt(1 - c * c) / sin_b)))
    assert grid == pytest.approx(ref, rel=3e-3)


def test_cuts_without_an_energy_cut_are_refused():
    with pytest.raises(ValueError, match="diverges"):
        sigma_with_cuts(4.0, lambda x, c: np.abs(c) < 0.8)
    with pytest.raises(ValueError, match="diverges"):
        sigma_with_cuts(4.0, lambda x, c: x > 0.1)
    assert sigma_with_cuts(4.0, lambda x, c: np.zeros_like(x, dtype=bool)) == 0.0
