"""Reading a stored scan: point queries, reach tables and the run summary (what the CLI prints)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from llpscan.errors import ConfigError
from llpscan.scanner.boundaries import reach
from llpscan.scanner.stats import exclusion

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["select", "query_point", "reach_table", "summary_rows", "store_level", "store_exclusion", "check_axes", "check_searches"]


def _nearest(ds: xr.Dataset, name: str, value: str):
    if name not in ds.coords:
        names = [str(c) for c in ds.coords if not str(c).endswith("_block") and c != "block"]
        raise ConfigError(f"--sel {name}={value}: {name!r} is not a coordinate of this store ({', '.join(names)})")
    coord = ds[name]
    if coord.dtype.kind not in "fiu":  # labels (zarr 3 returns them as numpy StringDType)
        labels = [str(v) for v in np.atleast_1d(coord.values)]
        if value not in labels:
            raise ConfigError(f"--sel {name}={value}: allowed values: {', '.join(labels)}")
        return None if coord.ndim == 0 else value
    try:
        v = float(value)
    except ValueError:
        raise ConfigError(f"--sel {name}={value}: not a number") from None
    if coord.ndim == 0:
        if not np.isclose(v, float(coord), rtol=1e-9, atol=0.0):
            raise ConfigError(f"--sel {name}={value}: {name} is fixed at {float(coord):g} in this store")
        return None
    return coord.values[int(np.argmin(np.abs(coord.values - v)))]


def select(ds: xr.Dataset, sel: dict[str, str]) -> xr.Dataset:
    """``ds`` at the grid points nearest to ``sel`` (strings from the command line)."""
    picks = {}
    for name, value in sel.items():
        v = _nearest(ds, name, value)
        if v is not None:
            picks[name] = v
    return ds.sel(picks)


def _clean(v):
    if isinstance(v, np.ndarray):
        return [_clean(x) for x in v]
    if isinstance(v, (np.floating, float)):
        return None if not math.isfinite(v) else float(v)  # JSON has no NaN or Infinity
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.str_, str)):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    return v


def query_point(ds: xr.Dataset, sel: dict[str, str]) -> dict:
    """{"coords": {...}, "values": {variable: number or nested list}} at the nearest grid point."""
    point = select(ds, sel)
    coords = {str(k): _clean(np.asarray(c.values)[()]) if c.ndim == 0 else _clean(c.values) for k, c in point.coords.items()}
    values = {}
    for name, var in point.data_vars.items():
        if name == "done":
            continue
        values[str(name)] = _clean(np.asarray(var.values)[()] if var.ndim == 0 else var.values)
    return {"coords": coords, "values": values}


def store_exclusion(ds: xr.Dataset, level: float | None) -> tuple[xr.DataArray, float, str]:
    """(quantity, level, description) that decide exclusion: the store's statistic (with its
    background), or ``n_signal >= level`` when a ``level`` in signal events is given."""
    if level is not None and not (math.isfinite(level) and level > 0):
        raise ConfigError(f"--level {level}: must be a positive number of events")
    return exclusion(ds, level)


def store_level(ds: xr.Dataset, level: float | None) -> float:
    """The level that :func:`store_exclusion`'s quantity is compared with."""
    return store_exclusion(ds, level)[1]


def check_axes(ds: xr.Dataset, *names: str) -> None:
    """ConfigError unless every name is a numeric axis of ``ds``."""
    axes = [str(d) for d in ds["n_signal"].dims if d != "search"]
    for name in names:
        if name not in axes:
            raise ConfigError(f"{name!r} is not an axis of this store; axes: {', '.join(axes)}")


def check_searches(ds: xr.Dataset, searches) -> list[str]:
    """The store's search labels, after checking that every one of ``searches`` is among them."""
    labels = [str(s) for s in ds["search"].values]
    for s in searches:
        if s not in labels:
            raise ConfigError(f"unknown search {s!r}; searches in this store: {', '.join(labels)}")
    return labels


def reach_table(ds: xr.Dataset, x: str, y: str, sel: dict[str, str], search: str | None, level: float | None) -> dict:
    """The reach JSON object: for every x the lower and upper boundary in y (None where none)."""
    check_axes(ds, x, y)
    labels = check_searches(ds, [search] if search is not None else [])
    search = search if search is not None else labels[0]
    q, lvl, text = store_exclusion(ds, level)
    sub = select(ds.assign(_exclusion=q), sel).sel(search=search)
    n = sub["_exclusion"]
    extra = [d for d in n.dims if d not in (x, y)]
    extra = [d for d in extra if n.sizes[d] > 1]
    if extra:
        raise ConfigError("select a value of " + ", ".join(
            f"{d} ({', '.join(f'{v:g}' for v in n[d].values)})" for d in extra) + " with --sel NAME=VALUE")
    n = n.squeeze(drop=True) if n.ndim > 2 else n
    r = reach(n.transpose(x, y), y, lvl).compute()
    rows = [{x: float(xv), "lower": _clean(lo), "upper": _clean(up)}
            for xv, lo, up in zip(r[x].values, r["lower"].values, r["upper"].values)]
    used = {k: _clean(np.asarray(sub[k].values)[()]) for k in sel if k in sub.coords}
    return {"x": x, "y": y, "level": lvl, "exclusion": text, "search": search, "sel": used, "rows": rows}


def summary_rows(ds: xr.Dataset, x: str, y: str, level: float | None = None) -> list[dict]:
    """Per combination of the other axes and per search: x range reached and the smallest y."""
    n, lvl, _ = store_exclusion(ds, level)
    r = reach(n.transpose(..., x, y), y, lvl).compute()
    others = [d for d in r["lower"].dims if d != x]
    rows = []
    stacked = r.stack(_point=others) if others else r.expand_dims(_point=[0])
    for i in range(stacked.sizes["_point"]):
        pt = stacked.isel(_point=i)
        lo = pt["lower"].values
        ok = ~np.isnan(lo)
        label = {d: _clean(np.asarray(pt[d].values)[()]) for d in others}
        if ok.any():
            xs = pt[x].values[ok]
            rows.append({**label, f"{x}_min": float(xs.min()), f"{x}_max": float(xs.max()),
                         f"{y}_min": float(np.nanmin(lo)), f"{x}_at_{y}_min": float(pt[x].values[np.nanargmin(lo)])})
        else:
            rows.append({**label, f"{x}_min": None, f"{x}_max": None, f"{y}_min": None, f"{x}_at_{y}_min": None})
    return rows
