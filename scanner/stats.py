"""Exclusion statistics: when is a point excluded, given its signal S and expected background B.

- ``events-N`` (N = 1, 2.3, 3): zero background, S >= N (3: 95% CL, 2.3: 90% CL, 1: single-event
  sensitivity);
- ``poisson-90`` / ``poisson-95``: S >= S_up(B), the Poisson upper limit on the signal mean with an
  expected background B, from the cumulative condition P(n <= round(B) | S + B) = 1 - CL (scipy);
  S_up(0) = 2.303 (90%) and 2.996 (95%);
- ``chi2-2.71``: chi^2 = S^2/(S + B) >= 2.71, summed over data sets first where a scan combines
  them (Zhang, Song, Ding & Chen, arXiv:2204.07802, section III: "chi^2(d) - chi^2(0) = 2.71", one-sided 95%; at B = 0 it is S >= 2.71).

:func:`derive` adds the statistic's quantities to an opened store (lazily) and :func:`exclusion`
returns the one quantity that reach and plots compare with a level.
"""

from __future__ import annotations

import json
import math

import numpy as np
import xarray as xr
from scipy import optimize, stats

__all__ = ["STATISTICS", "poisson_upper_limit", "chi2", "chi2_signal_needed", "threshold", "derive",
           "exclusion"]

STATISTICS = {
    "events-1": "1 signal event (single-event sensitivity, no background)",
    "events-2.3": "2.3 signal events (90% CL, no background)",
    "events-3": "3 signal events (95% CL, no background)",
    "poisson-90": "Poisson 90% CL upper limit with the expected background",
    "poisson-95": "Poisson 95% CL upper limit with the expected background",
    "chi2-2.71": "chi^2 = S^2/(S+B) >= 2.71 (one-sided 95% CL, the monophoton papers' convention)",
}
CHI2_LEVEL = 2.71


def poisson_upper_limit(background, cl: float = 0.9):
    """Signal mean S with P(n <= round(B) | S + B) = 1 - cl, vectorised over ``background``.

    >>> round(float(poisson_upper_limit(0.0, 0.9)), 3)   # -ln(0.1)
    2.303
    """
    b = np.asarray(background, dtype=float)
    values, inverse = np.unique(b.ravel(), return_inverse=True)
    out = np.empty_like(values)
    for i, bi in enumerate(values):
        n_obs = round(bi)

        def f(s):
            return stats.poisson.cdf(n_obs, s + bi) - (1 - cl)

        hi = 10.0 + 10 * math.sqrt(bi + 1)
        while f(hi) > 0:
            hi *= 2
        out[i] = optimize.brentq(f, 0.0, hi, xtol=1e-10, rtol=1e-12) if f(0.0) > 0 else 0.0
    return out[inverse].reshape(b.shape)


def chi2(signal, background):
    """chi^2 = S^2/(S + B); 0 where S = 0.

    >>> float(chi2(3.0, 6.0))
    1.0
    """
    s, b = np.asarray(signal, dtype=float), np.asarray(background, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s == 0, 0.0, s * s / (s + b))


def chi2_signal_needed(background, level: float = CHI2_LEVEL):
    """The S with S^2/(S + B) = level: S = (level + sqrt(level^2 + 4 level B)) / 2.

    >>> float(chi2_signal_needed(0.0))
    2.71
    """
    b = np.asarray(background, dtype=float)
    return 0.5 * (level + np.sqrt(level * level + 4 * level * b))


def _events_level(statistic: str) -> float | None:
    if statistic.startswith("events-"):
        return float(statistic.removeprefix("events-"))
    return None


def threshold(statistic: str, background=0.0):
    """Signal events that the statistic needs for exclusion, per data set, over ``background``."""
    if statistic not in STATISTICS:
        raise ValueError(f"unknown statistic {statistic!r}; known: {', '.join(STATISTICS)}")
    level = _events_level(statistic)
    if level is not None:
        return np.broadcast_to(level, np.shape(background))
    if statistic.startswith("poisson-"):
        return poisson_upper_limit(background, 0.9 if statistic.endswith("90") else 0.95)
    return chi2_signal_needed(background)


def _attr_list(ds: xr.Dataset, name: str) -> list[str]:
    value = ds.attrs.get(name, "[]")
    return json.loads(value) if isinstance(value, str) else list(value)


def _background(ds: xr.Dataset) -> xr.DataArray:
    name = ds.attrs.get("background") or ""
    if not name:
        return xr.DataArray(0.0, attrs={"units": "events"})
    return ds[name]


def derive(ds: xr.Dataset) -> xr.Dataset:
    """Add the statistic's variables to a Dataset that has ``n_signal`` (lazy where it is).

    - ``n_needed``: signal events needed for exclusion at each point's background (poisson, chi2);
    - ``chi2``: S^2/(S + B), summed over the ``combine`` axes (chi2 statistics);
    - ``<p>_limit`` (or the ``limit_name`` attr): upper limit on the parameter ``p`` named by the
      ``limit_on`` attr, p x n_needed / n_signal, for n_signal proportional to p (statistics linear
      in S, no combined data sets).
    """
    statistic = ds.attrs.get("statistic", "events-3")
    n = ds["n_signal"]
    b = _background(ds)
    if statistic.startswith("events-"):
        needed = xr.DataArray(threshold(statistic), attrs={"units": "events"})
    else:
        # the background is small and eager-sized (a cheap variable): compute it once
        bv = b.compute() if hasattr(b.data, "compute") else b
        needed = xr.apply_ufunc(lambda x: threshold(statistic, x), bv)
        ds["n_needed"] = needed.assign_attrs(
            units="events", long_name=f"signal events needed for exclusion at the expected background ({statistic})")
    combine = _attr_list(ds, "combine")
    if statistic.startswith("chi2"):
        c = xr.apply_ufunc(chi2, n, b, dask="allowed")
        if combine:
            c = c.sum(combine, skipna=False)
        ds["chi2"] = c.assign_attrs(units="1", long_name="chi^2 = S^2/(S+B)" + (
            f" summed over {', '.join(combine)}" if combine else ""))
    limit_on = ds.attrs.get("limit_on") or ""
    if limit_on and not combine:
        p = ds[limit_on]
        # NaN where there is no signal (masked points): no limit, and no division by zero
        lim = p * needed / n.where(n > 0)
        name = ds.attrs.get("limit_name") or f"{limit_on}_limit"
        long_name = ds.attrs.get("limit_long_name") or f"upper limit on {limit_on} ({statistic})"
        ds[name] = lim.assign_attrs(units=p.attrs.get("units", "1"), long_name=long_name)
    return ds


def exclusion(ds: xr.Dataset, level: float | None = None) -> tuple[xr.DataArray, float, str]:
    """(quantity, level, description): a point is excluded where quantity >= level.

    ``level`` given: ``n_signal >= level`` (a number of signal events, background ignored).
    Otherwise the store's statistic: ``n_signal >= N`` (events-N), ``n_signal / n_needed >= 1``
    (poisson: the needed events depend on the background), ``chi2 >= 2.71``.
    """
    statistic = ds.attrs.get("statistic", "events-3")
    if level is not None:
        return ds["n_signal"], float(level), f"n_signal >= {level:g}"
    fixed = _events_level(statistic)
    if fixed is not None:
        return ds["n_signal"], fixed, f"n_signal >= {fixed:g}"
    if statistic.startswith("poisson-"):
        ratio = (ds["n_signal"] / ds["n_needed"]).assign_attrs(units="1")
        return ratio, 1.0, "n_signal >= n_needed(n_background)"
    return ds["chi2"], CHI2_LEVEL, "chi2 = S^2/(S+B) >= 2.71"
