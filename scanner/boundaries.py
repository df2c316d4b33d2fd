"""Reach curves: for every x, the y-interval where a statistic passes its threshold.

The boundaries are found between grid points by interpolating linearly in (log y, log n) — the
natural scale, since n is a power of y at the long-lifetime edge and falls exponentially at the
short one. Lazy: on dask-backed input the result is a dask-backed DataArray chunked like it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["bounds_along", "reach"]


def _interp(y0, y1, v0, v1, level):
    """log y where the segment (y0, v0) -> (y1, v1) crosses ``level`` (log-log where possible)."""
    ly0, ly1 = np.log(y0), np.log(y1)
    with np.errstate(divide="ignore", invalid="ignore"):
        loglog = (v0 > 0) & (v1 > 0)
        t_log = (np.log(level) - np.log(v0)) / (np.log(v1) - np.log(v0))
        t_lin = (level - v0) / (v1 - v0)
        t = np.where(loglog, t_log, t_lin)
    t = np.clip(np.nan_to_num(t, nan=0.5), 0.0, 1.0)
    return np.exp(ly0 + t * (ly1 - ly0))


def bounds_along(values, y, level):
    """Lower and upper boundary in y of the region values >= level, along the last axis.

    ``values`` (..., ny), ``y`` (ny,) increasing and positive. Returns (..., 2); NaN where no point
    passes. A region reaching the end of the grid is bounded by the grid's end value.
    """
    v = np.asarray(values, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = v >= level  # NaN compares False
    any_ok = ok.any(axis=-1)
    first = np.argmax(ok, axis=-1)
    last = v.shape[-1] - 1 - np.argmax(ok[..., ::-1], axis=-1)
    take = lambda idx: np.take_along_axis(v, idx[..., None], axis=-1)[..., 0]  # noqa: E731
    lo_prev = np.maximum(first - 1, 0)
    lower = np.where(first == 0, y[0], _interp(y[lo_prev], y[first], take(lo_prev), take(first), level))
    hi_next = np.minimum(last + 1, v.shape[-1] - 1)
    upper = np.where(last == v.shape[-1] - 1, y[-1], _interp(y[last], y[hi_next], take(last), take(hi_next), level))
    out = np.stack([lower, upper], axis=-1)
    return np.where(any_ok[..., None], out, np.nan)


def reach(da: xr.DataArray, y: str, level) -> xr.Dataset:
    """Dataset with ``lower`` and ``upper`` (same units as ``y``) on every dim of ``da`` but ``y``."""
    import xarray as xr

    res = xr.apply_ufunc(
        bounds_along,
        da,
        kwargs={"y": da[y].values, "level": float(level)},
        input_core_dims=[[y]],
        output_core_dims=[["bound"]],
        dask="parallelized",
        dask_gufunc_kwargs={"output_sizes": {"bound": 2}},
        output_dtypes=[float],
    )
    units = da[y].attrs.get("units", "")
    out = xr.Dataset({
        "lower": res.isel(bound=0, drop=True).assign_attrs(units=units, long_name=f"lower boundary in {y}"),
        "upper": res.isel(bound=1, drop=True).assign_attrs(units=units, long_name=f"upper boundary in {y}"),
    })
    out.attrs.update(y=y, level=float(level))
    return out
