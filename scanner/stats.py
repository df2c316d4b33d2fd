"""Exclusion statistics: when is a point excluded, given its signal S and expected background B.

A statistic is named in a scenario or a store by a short string, parsed by :func:`parse_statistic`
into an object of the :class:`Statistic` protocol, so any level works without code:

- ``events-N`` (N > 0): zero background, S >= N (3: 95% CL, 2.3: 90% CL, 1: single-event
  sensitivity);
- ``poisson-CL`` (0 < CL < 100, in percent): S >= S_up(B), the Poisson upper limit on the signal
  mean with an expected background B, from the cumulative condition P(n <= round(B) | S + B) =
  1 - CL (scipy); S_up(0) = -ln(1 - CL): 2.303 at 90%, 2.996 at 95%;
- ``chi2-LEVEL`` (LEVEL > 0): chi^2 = S^2/(S + B) >= LEVEL, summed over data sets first where a scan
  combines them (2.71 is the one-sided 95% CL of the monophoton papers, e.g. Zhang, Song, Ding &
  Chen, arXiv:2204.07802, section III: "chi^2(d) - chi^2(0) = 2.71"; at B = 0 it is S >= LEVEL).

:func:`derive` adds the statistic's quantities to an opened store (lazily) and :func:`exclusion`
returns the one quantity that reach and plots compare with a level.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["Statistic", "EventCount", "PoissonLimit", "Chi2", "parse_statistic", "STATISTICS",
           "poisson_upper_limit", "chi2", "chi2_signal_needed", "threshold", "derive", "derived_metadata", "exclusion"]

#: the statistics the built-in scenarios use, with what they mean (any other level parses too)
STATISTICS = {
    "events-1": "1 signal event (single-event sensitivity, no background)",
    "events-2.3": "2.3 signal events (90% CL, no background)",
    "events-3": "3 signal events (95% CL, no background)",
    "poisson-90": "Poisson 90% CL upper limit with the expected background",
    "poisson-95": "Poisson 95% CL upper limit with the expected background",
    "chi2-2.71": "chi^2 = S^2/(S+B) >= 2.71 (one-sided 95% CL, the monophoton papers' convention)",
}


def poisson_upper_limit(background, cl: float = 0.9):
    """Signal mean S with P(n <= round(B) | S + B) = 1 - cl, vectorised over ``background``.

    >>> round(float(poisson_upper_limit(0.0, 0.9)), 3)   # -ln(0.1)
    2.303
    """
    from scipy import optimize, stats  # scipy.stats costs ~0.5 s to import: only where a limit is computed

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


def chi2_signal_needed(background, level: float = 2.71):
    """The S with S^2/(S + B) = level: S = (level + sqrt(level^2 + 4 level B)) / 2.

    >>> float(chi2_signal_needed(0.0))
    2.71
    """
    b = np.asarray(background, dtype=float)
    return 0.5 * (level + np.sqrt(level * level + 4 * level * b))


@runtime_checkable
class Statistic(Protocol):
    """What decides exclusion at a point: the signal events needed over an expected background.

    ``name`` is the string stores and scenarios record (``parse_statistic(s.name) == s``);
    ``uses_background`` says whether :meth:`signal_needed` depends on the background;
    ``summed`` whether the quantity adds over combined data sets (chi^2 does; counts do not).

    >>> s = parse_statistic("poisson-95")
    >>> isinstance(s, Statistic), s.name, round(float(s.signal_needed(0.0)), 3)
    (True, 'poisson-95', 2.996)
    """

    name: str
    description: str
    uses_background: bool
    summed: bool

    def signal_needed(self, background) -> np.ndarray:
        """Signal events (same shape as ``background``) that exclude a point with that background."""


@dataclass(frozen=True)
class EventCount:
    """Zero background: excluded where S >= ``level`` events."""

    level: float
    uses_background = False
    summed = False

    @property
    def name(self) -> str:
        return f"events-{self.level:g}"

    @property
    def description(self) -> str:
        return f"{self.level:g} signal events (no background)"

    def signal_needed(self, background=0.0):
        return np.broadcast_to(np.float64(self.level), np.shape(background))


@dataclass(frozen=True)
class PoissonLimit:
    """Excluded where S >= the Poisson upper limit at confidence level ``cl`` (a fraction) over B."""

    cl: float
    uses_background = True
    summed = False

    @property
    def name(self) -> str:
        return f"poisson-{100 * self.cl:g}"

    @property
    def description(self) -> str:
        return f"Poisson {100 * self.cl:g}% CL upper limit with the expected background"

    def signal_needed(self, background=0.0):
        return poisson_upper_limit(background, self.cl)


@dataclass(frozen=True)
class Chi2:
    """Excluded where chi^2 = S^2/(S + B), summed over combined data sets, reaches ``level``."""

    level: float
    uses_background = True
    summed = True

    @property
    def name(self) -> str:
        return f"chi2-{self.level:g}"

    @property
    def description(self) -> str:
        return f"chi^2 = S^2/(S+B) >= {self.level:g}"

    def signal_needed(self, background=0.0):
        return chi2_signal_needed(background, self.level)


_FORMS = "events-N (N > 0 events), poisson-CL (0 < CL < 100 percent) or chi2-LEVEL (LEVEL > 0)"
_NUM = r"(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)"


def parse_statistic(name: str) -> Statistic:
    """The statistic named ``name``: ``events-N``, ``poisson-CL`` or ``chi2-LEVEL``.

    ValueError (saying what is allowed) for anything else, including levels out of range.

    >>> parse_statistic("events-5"), parse_statistic("chi2-3.84").level, parse_statistic("poisson-99").cl
    (EventCount(level=5.0), 3.84, 0.99)
    """
    m = re.fullmatch(rf"(events|poisson|chi2)-{_NUM}", str(name).strip())
    if m is None:
        raise ValueError(f"statistic {name!r}: expected {_FORMS}")
    kind, value = m.group(1), float(m.group(2))
    if kind == "poisson":
        if not 0 < value < 100:
            raise ValueError(f"statistic {name!r}: the confidence level must lie in (0, 100) percent")
        return PoissonLimit(value / 100)
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"statistic {name!r}: the level must be a positive number")
    return EventCount(value) if kind == "events" else Chi2(value)


def threshold(statistic: str, background=0.0):
    """Signal events that ``statistic`` (a name) needs for exclusion, per data set, over ``background``."""
    return parse_statistic(statistic).signal_needed(background)


def _attr_list(ds: xr.Dataset, name: str) -> list[str]:
    value = ds.attrs.get(name, "[]")
    return json.loads(value) if isinstance(value, str) else list(value)


def _background(ds: xr.Dataset) -> xr.DataArray:
    import xarray as xr

    name = ds.attrs.get("background") or ""
    if not name:
        return xr.DataArray(0.0, attrs={"units": "events"})
    return ds[name]


def _needed_long_name(statistic: str) -> str:
    return f"signal events needed for exclusion at the expected background ({statistic})"


def _chi2_long_name(combine: list[str]) -> str:
    return "chi^2 = S^2/(S+B)" + (f" summed over {', '.join(combine)}" if combine else "")


def _limit_names(attrs, statistic: str) -> tuple[str, str]:
    limit_on = attrs.get("limit_on") or ""
    return (attrs.get("limit_name") or f"{limit_on}_limit",
            attrs.get("limit_long_name") or f"upper limit on {limit_on} ({statistic})")


def _broadcast(*dims) -> list[str]:
    """xarray's order of the dims of an operation on arrays with these dims: the first one's, then
    each new one in order of appearance."""
    out: list[str] = []
    for ds in dims:
        out += [d for d in ds if d not in out]
    return out


def signal_product(ds: xr.Dataset, name: str) -> xr.DataArray:
    """``ds[name]`` (the acceptance, or its error) times every signal factor of the store, in the
    order stored, and 0 where the scenario's ``allowed`` mask is 0: n_signal and its MC error."""
    out = ds[name]
    for factor in json.loads(ds.attrs.get("signal_factors", "[]")):
        out = out * ds[factor]
    if "allowed" in ds:
        out = out.where(ds["allowed"] != 0, 0.0)
    return out


def derived_metadata(attrs: dict, variables: dict[str, dict]) -> dict[str, dict]:
    """What :func:`llpscan.scanner.store.open_scan` and :func:`derive` add to a store, without reading it:
    name -> {"dims", "units", "long_name"} of ``n_signal`` and the statistic's variables, from the
    store's attrs and its arrays' ``variables`` (name -> {"dims", "units"}). ``llpscan info`` lists them
    from this; tests check it against the opened Dataset.
    """
    stat = parse_statistic(attrs.get("statistic", "events-3"))
    out = {}
    n = list(variables["acceptance"]["dims"])
    for name in json.loads(attrs["signal_factors"]):
        n = _broadcast(n, variables[name]["dims"])
    if "allowed" in variables:
        n = _broadcast(n, variables["allowed"]["dims"])
    out["n_signal"] = {"dims": n, "units": "events", "long_name": "expected number of signal events"}
    bname = attrs.get("background") or ""
    b = list(variables[bname]["dims"]) if bname else []
    needed = b if stat.uses_background else []
    if stat.uses_background:
        out["n_needed"] = {"dims": needed, "units": "events", "long_name": _needed_long_name(stat.name)}
    combine = json.loads(attrs.get("combine") or "[]")
    if stat.summed:
        out["chi2"] = {"dims": [d for d in _broadcast(n, b) if d not in combine], "units": "1",
                       "long_name": _chi2_long_name(combine)}
    limit_on = attrs.get("limit_on") or ""
    if limit_on and not combine:
        name, long_name = _limit_names(attrs, stat.name)
        p = variables[limit_on]
        out[name] = {"dims": _broadcast(p["dims"], needed, n), "units": p.get("units", "1"), "long_name": long_name}
    return out


def derive(ds: xr.Dataset) -> xr.Dataset:
    """Add the statistic's variables to a Dataset that has ``n_signal`` (lazy where it is).

    - ``n_needed``: signal events needed for exclusion at each point's background (poisson, chi2);
    - ``chi2``: S^2/(S + B), summed over the ``combine`` axes (chi2 statistics);
    - ``<p>_limit`` (or the ``limit_name`` attr): upper limit on the parameter ``p`` named by the
      ``limit_on`` attr, p x n_needed / n_signal, for n_signal proportional to p (statistics linear
      in S, no combined data sets).
    """
    import xarray as xr  # on use: parsing a statistic (configs, presets) does not need xarray

    stat = parse_statistic(ds.attrs.get("statistic", "events-3"))
    statistic = stat.name
    n = ds["n_signal"]
    b = _background(ds)
    if not stat.uses_background:
        needed = xr.DataArray(stat.signal_needed(), attrs={"units": "events"})
    else:
        # the background is small and eager-sized (a cheap variable): compute it once
        bv = b.compute() if hasattr(b.data, "compute") else b
        needed = xr.apply_ufunc(stat.signal_needed, bv)
        ds["n_needed"] = needed.assign_attrs(units="events", long_name=_needed_long_name(statistic))
    combine = _attr_list(ds, "combine")
    if stat.summed:
        c = xr.apply_ufunc(chi2, n, b, dask="allowed")
        if combine:
            c = c.sum(combine, skipna=False)
        ds["chi2"] = c.assign_attrs(units="1", long_name=_chi2_long_name(combine))
    limit_on = ds.attrs.get("limit_on") or ""
    if limit_on and not combine:
        p = ds[limit_on]
        # NaN where there is no signal (masked points): no limit, and no division by zero
        lim = p * needed / n.where(n > 0)
        name, long_name = _limit_names(ds.attrs, statistic)
        ds[name] = lim.assign_attrs(units=p.attrs.get("units", "1"), long_name=long_name)
    return ds


def exclusion(ds: xr.Dataset, level: float | None = None) -> tuple[xr.DataArray, float, str]:
    """(quantity, level, description): a point is excluded where quantity >= level.

    ``level`` given: ``n_signal >= level`` (a number of signal events, background ignored).
    Otherwise the store's statistic: ``n_signal >= N`` (events-N), ``n_signal / n_needed >= 1``
    (poisson: the needed events depend on the background), ``chi2 >= 2.71``.
    """
    stat = parse_statistic(ds.attrs.get("statistic", "events-3"))
    if level is not None:
        return ds["n_signal"], float(level), f"n_signal >= {level:g}"
    if isinstance(stat, EventCount):
        return ds["n_signal"], stat.level, f"n_signal >= {stat.level:g}"
    if isinstance(stat, Chi2):
        return ds["chi2"], stat.level, f"chi2 = S^2/(S+B) >= {stat.level:g}"
    ratio = (ds["n_signal"] / ds["n_needed"]).assign_attrs(units="1")
    return ratio, 1.0, "n_signal >= n_needed(n_background)"
