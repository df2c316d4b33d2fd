import math

import numpy as np
import pytest

from scanner.stats import poisson_upper_limit, threshold


def test_zero_background_limits_are_minus_log_one_minus_cl():
    # P(0 | S) = e^{-S} = 1 - CL  =>  S = -ln(1 - CL): 2.303 (90%), 2.996 (95%)
    assert poisson_upper_limit(0.0, 0.9) == pytest.approx(-math.log(0.1), rel=1e-9)
    assert poisson_upper_limit(0.0, 0.95) == pytest.approx(-math.log(0.05), rel=1e-9)


@pytest.mark.parametrize(("background", "s90"), [(176_700, 539.9), (1_767, 55.1)])
def test_cumulative_poisson_limit_with_large_background(background, s90):
    # physics-notes.md 001: the cumulative condition P(n <= round(B) | S + B) = 0.1 gives S_90 = 539.9 at
    # 50 ab^-1 (B = 176,700) and 55.1 at 0.5 ab^-1 (B = 1,767); quoted to 4 and 3 digits.
    assert poisson_upper_limit(background, 0.9) == pytest.approx(s90, abs=0.06)


def test_threshold_dispatch():
    assert float(threshold("events-3")) == 3.0
    assert float(threshold("events-2.3")) == 2.3
    np.testing.assert_allclose(threshold("poisson-90", np.array([0.0, 1767.0])), [2.3026, 55.1], atol=0.06)
    with pytest.raises(ValueError, match="unknown statistic"):
        threshold("chi2-banana")
