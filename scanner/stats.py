"""Exclusion statistics: the threshold a signal must reach, given the expected background.

- ``events-3`` / ``events-2.3``: zero background, 3 events (95% CL) or 2.3 events (90% CL);
- ``poisson-90`` / ``poisson-95``: the Poisson upper limit on the signal mean with an expected
  background B, from the cumulative condition P(n <= round(B) | S + B) = 1 - CL (scipy);
  it reduces to 2.303 (90%) and 2.996 (95%) at B = 0.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats

__all__ = ["STATISTICS", "poisson_upper_limit", "threshold"]

STATISTICS = {
    "events-3": "3 signal events (95% CL, no background)",
    "events-2.3": "2.3 signal events (90% CL, no background)",
    "poisson-90": "Poisson 90% CL upper limit with the expected background",
    "poisson-95": "Poisson 95% CL upper limit with the expected background",
}


def poisson_upper_limit(background, cl: float = 0.9):
    """Signal mean S with P(n <= round(B) | S + B) = 1 - cl, vectorised over ``background``.

    >>> round(float(poisson_upper_limit(0.0, 0.9)), 3)   # -ln(0.1)
    2.303
    """
    b = np.asarray(background, dtype=float)
    flat = b.ravel()
    out = np.empty_like(flat)
    for i, bi in enumerate(flat):
        n_obs = round(bi)

        def f(s):
            return stats.poisson.cdf(n_obs, s + bi) - (1 - cl)

        hi = 10.0 + 10 * math.sqrt(bi + 1)
        while f(hi) > 0:
            hi *= 2
        out[i] = optimize.brentq(f, 0.0, hi, xtol=1e-10, rtol=1e-12) if f(0.0) > 0 else 0.0
    return out.reshape(b.shape)


def threshold(statistic: str, background=0.0):
    """Number of signal events that the statistic excludes (array over ``background``)."""
    if statistic == "events-3":
        return np.broadcast_to(3.0, np.shape(background))
    if statistic == "events-2.3":
        return np.broadcast_to(2.3, np.shape(background))
    if statistic in ("poisson-90", "poisson-95"):
        return poisson_upper_limit(background, 0.9 if statistic.endswith("90") else 0.95)
    raise ValueError(f"unknown statistic {statistic!r}; known: {', '.join(STATISTICS)}")

