"""Uncertainty bands on reach boundaries: the Monte-Carlo error of a store, or the envelope of stores.

**Monte-Carlo band** (``mc``). A store keeps the acceptance and its Monte-Carlo standard error.
n_signal = F x acceptance (F the product of the scenario's ``signal_factors``, 0 where the point is
masked), so its error is sigma_n = F x acceptance_err. The exclusion quantity of the store's
statistic is recomputed with n_signal + sigma_n and with max(n_signal - sigma_n, 0), and each gives
its own boundaries; the band of the lower boundary runs from the lower boundary of n + sigma to that
of n - sigma, the band of the upper boundary from the upper boundary of n - sigma to that of n +
sigma. Where data sets are combined (chi^2 summed over ``combine`` axes) every data set is shifted
by its own sigma in the same direction: a coherent +-1 sigma, wider than the independent errors
would give, on purpose (the band should not understate the Monte-Carlo error).

**Envelope** (theory band). Stores of the same grid that differ in a scenario option (a width
switch, extra vector-meson states, running or fixed couplings, ...) each give boundaries; the band
is their envelope, min and max over the stores at every x, whatever the options are.

Both return the nominal ``lower``/``upper`` with four more variables: ``lower_band_lo``,
``lower_band_hi``, ``upper_band_lo``, ``upper_band_hi`` (units of y; NaN where none of the variations
excludes anything).
"""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from llpscan.errors import ConfigError
from llpscan.scanner.boundaries import reach
from llpscan.scanner.stats import derive, exclusion

__all__ = ["BAND_VARIABLES", "signal_error", "shifted", "mc_band", "envelope", "band_of"]

BAND_VARIABLES = ("lower_band_lo", "lower_band_hi", "upper_band_lo", "upper_band_hi")


def signal_error(ds: xr.Dataset) -> xr.DataArray:
    """Monte-Carlo standard error of ``n_signal``: the signal factors times ``acceptance_err``
    (0 where ``allowed`` is 0), lazy like the store."""
    from llpscan.scanner.stats import signal_product

    return signal_product(ds, "acceptance_err").assign_attrs(units="events", long_name="Monte-Carlo standard error of n_signal")


def shifted(ds: xr.Dataset, k: float) -> xr.Dataset:
    """``ds`` with n_signal moved by ``k`` standard errors (floored at 0) and the statistic's
    quantities (n_needed, chi2, limits) derived again from it."""
    out = ds.copy()
    for name in ("n_needed", "chi2"):
        if name in out:
            out = out.drop_vars(name)
    out["n_signal"] = np.maximum(ds["n_signal"] + k * signal_error(ds), 0.0).assign_attrs(ds["n_signal"].attrs)
    return derive(out)


def _boundaries(ds: xr.Dataset, x: str, y: str, level: float | None, search: str | None) -> xr.Dataset:
    q, lvl, _ = exclusion(ds, level)
    if search is not None:
        q = q.sel(search=search)
    return reach(q.transpose(..., x, y), y, lvl)


def _band(nominal: xr.Dataset, variations: list[xr.Dataset]) -> xr.Dataset:
    """Nominal boundaries plus the min/max of the variations' boundaries (NaN where none has one)."""
    lows = xr.concat([v["lower"] for v in variations], dim="_variation")
    ups = xr.concat([v["upper"] for v in variations], dim="_variation")
    out = nominal.copy()
    units = nominal["lower"].attrs.get("units", "")
    for name, da, how in (("lower_band_lo", lows, "min"), ("lower_band_hi", lows, "max"),
                          ("upper_band_lo", ups, "min"), ("upper_band_hi", ups, "max")):
        out[name] = getattr(da, how)("_variation", skipna=True).assign_attrs(units=units)
    return out


def mc_band(ds: xr.Dataset, x: str, y: str, *, level: float | None = None, search: str | None = None) -> xr.Dataset:
    """Nominal boundaries in ``y`` per ``x`` (and every other dim) with the +-1 sigma Monte-Carlo band."""
    nominal = _boundaries(ds, x, y, level, search)
    out = _band(nominal, [_boundaries(shifted(ds, k), x, y, level, search) for k in (+1.0, -1.0)])
    out.attrs.update(nominal.attrs, band="mc", band_description="+-1 sigma Monte-Carlo error of the acceptance")
    return out


def _same_grid(ref: xr.Dataset, other: xr.Dataset, x: str, y: str) -> None:
    for name in (x, y):
        if name not in other.coords or other[name].shape != ref[name].shape or not np.allclose(
                other[name].values, ref[name].values, rtol=1e-9, atol=0.0):
            raise ConfigError(f"the stores of a band must share the {name} grid "
                              f"({ref.attrs.get('description', '?')} vs {other.attrs.get('description', '?')})")


def envelope(datasets, x: str, y: str, *, level: float | None = None, search: str | None = None) -> xr.Dataset:
    """Boundaries of the first Dataset with the envelope (min/max) of all of them as the band.

    The Datasets must share the x and y grids (same scenario, different options); ``search`` must be
    a search of each. Other dims are aligned by xarray (values present in every store).
    """
    datasets = list(datasets)
    if len(datasets) < 2:
        raise ConfigError("an envelope needs at least two stores")
    for other in datasets[1:]:
        _same_grid(datasets[0], other, x, y)
        if search is not None and search not in [str(s) for s in other["search"].values]:
            raise ConfigError(f"search {search!r} is not in every store of the band")
    bounds = [_boundaries(d, x, y, level, search) for d in datasets]
    bounds = list(xr.align(*bounds, join="inner"))
    out = _band(bounds[0], bounds)
    out.attrs.update(bounds[0].attrs, band="envelope",
                     band_description="envelope of " + "; ".join(_variant(d) for d in datasets))
    return out


def _variant(ds: xr.Dataset) -> str:
    opts = json.loads(ds.attrs.get("options", "{}"))
    return ds.attrs.get("scenario", "?") + (" (" + ", ".join(f"{k}={v}" for k, v in opts.items()) + ")" if opts else "")


def band_of(ds: xr.Dataset, band, x: str, y: str, *, level: float | None = None,
            search: str | None = None) -> xr.Dataset | None:
    """The band a caller asked for: None, ``"mc"``, or a sequence of other Datasets (envelope of
    ``ds`` and them)."""
    if band is None:
        return None
    if isinstance(band, str):
        if band != "mc":
            raise ConfigError(f"band {band!r}: 'mc' (Monte-Carlo error) or other stores for an envelope")
        return mc_band(ds, x, y, level=level, search=search)
    return envelope([ds, *band], x, y, level=level, search=search)
