"""Reading a stored scan: point queries, reach tables and the run summary (what the CLI prints)."""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING

import numpy as np

from llpscan.errors import ConfigError
from llpscan.scanner.boundaries import reach
from llpscan.scanner.stats import exclusion
from llpscan.scanner.wording import flag

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["select", "query_point", "reach_table", "default_search", "summary_rows", "store_level", "store_exclusion",
           "check_axes", "check_searches", "check_not_selected"]


def _nearest(ds: xr.Dataset, name: str, value):
    """The grid value of axis ``name`` nearest to ``value`` (None for a scalar coordinate it matches).

    Refused: names that are not coordinates, values that are not finite numbers, and values
    outside the axis by more than half the spacing at that end (a point beyond the grid is not
    "the nearest grid point" of anything a user meant).
    """
    given = flag("sel", f"{name}={value}")
    if name not in ds.coords:
        names = [str(c) for c in ds.coords if not str(c).endswith("_block") and c != "block"]
        raise ConfigError(f"{given}: {name!r} is not a coordinate of this store ({', '.join(names)})")
    coord = ds[name]
    if coord.dtype.kind not in "fiu":  # labels (zarr 3 returns them as numpy StringDType)
        labels = [str(v) for v in np.atleast_1d(coord.values)]
        if str(value) not in labels:
            raise ConfigError(f"{given}: allowed values: {', '.join(labels)}")
        return None if coord.ndim == 0 else str(value)
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{given}: not a number") from None
    if not math.isfinite(v):
        raise ConfigError(f"{given}: must be a finite number")
    if coord.ndim == 0:
        if not np.isclose(v, float(coord), rtol=1e-9, atol=0.0):
            raise ConfigError(f"{given}: {name} is fixed at {float(coord):g} in this store")
        return None
    values = coord.values
    lo, hi = float(values.min()), float(values.max())
    if values.size > 1:
        ordered = np.sort(values)
        lo, hi = lo - (ordered[1] - ordered[0]) / 2, hi + (ordered[-1] - ordered[-2]) / 2
    elif not np.isclose(v, lo, rtol=1e-6, atol=0.0):
        raise ConfigError(f"{given}: {name} has the single value {lo:g} in this store")
    if not lo <= v <= hi:
        raise ConfigError(f"{given}: outside the axis {name} ({float(values.min()):g} .. {float(values.max()):g})")
    return values[int(np.argmin(np.abs(values - v)))]


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
    if level is not None:
        try:
            ok = math.isfinite(float(level)) and float(level) > 0 and not isinstance(level, bool)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ConfigError(f"{flag('level', level)}: must be a positive number of events")
        level = float(level)
    return exclusion(ds, level)


def store_level(ds: xr.Dataset, level: float | None) -> float:
    """The level that :func:`store_exclusion`'s quantity is compared with."""
    return store_exclusion(ds, level)[1]


def check_axes(ds: xr.Dataset, *names: str) -> None:
    """ConfigError unless every name is a numeric axis of ``ds``, each named once."""
    axes = [str(d) for d in ds["n_signal"].dims if d != "search"]
    for name in names:
        if not isinstance(name, str) or name not in axes:
            raise ConfigError(f"{name!r} is not an axis of this store; axes: {', '.join(axes)}")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(f"x and y are both {twice[0]!r}; the reach is a boundary in one axis per value of another")


def check_not_selected(sel, *axes: str) -> None:
    """ConfigError if ``sel`` picks a value of an axis that the table or figure runs along."""
    for name in sel or {}:
        if name in axes:
            raise ConfigError(f"{flag('sel', f'{name}={sel[name]}')}: {name} is an axis of the result "
                              f"({', '.join(axes)}); select only the other axes")


def check_searches(ds: xr.Dataset, searches) -> list[str]:
    """The store's search labels, after checking that every one of ``searches`` is among them."""
    labels = [str(s) for s in ds["search"].values]
    for s in searches:
        if not isinstance(s, str) or s not in labels:
            raise ConfigError(f"unknown search {s!r}; searches in this store: {', '.join(labels)}")
    return labels


def default_search(ds: xr.Dataset, *, quiet: bool = False) -> str:
    """The search a table or export shows when none is asked for: the scenario's primary (combined)
    search recorded in the store, else the first one, with a note on stderr (unless ``quiet``)."""
    labels = [str(s) for s in ds["search"].values]
    primary = ds.attrs.get("primary_search") or ""
    if primary in labels:
        return primary
    if len(labels) > 1 and not quiet:
        print(f"llpscan: note: the store names no primary search; using the first, {labels[0]!r} "
              f"(of {', '.join(labels)}; choose one with --search)", file=sys.stderr)
    return labels[0]


def reach_table(ds: xr.Dataset, x: str, y: str, sel: dict[str, str], search: str | None, level: float | None,
                band=None) -> dict:
    """The reach JSON object: for every x the lower and upper boundary in y (None where none).

    ``band``: ``"mc"`` adds the +-1 sigma Monte-Carlo band of each boundary, a list of other
    Datasets the envelope of all of them (:mod:`llpscan.scanner.bands`), as the columns
    ``lower_band_lo``, ``lower_band_hi``, ``upper_band_lo``, ``upper_band_hi``.
    """
    check_axes(ds, x, y)
    check_not_selected(sel, x, y)
    check_searches(ds, [search] if search is not None else [])
    asked, search = search, search if search is not None else default_search(ds, quiet=True)
    q, lvl, text = store_exclusion(ds, level)
    sub = select(ds.assign(_exclusion=q), sel).sel(search=search)
    n = sub["_exclusion"]
    extra = [d for d in n.dims if d not in (x, y)]
    extra = [d for d in extra if n.sizes[d] > 1]
    if extra:
        raise ConfigError("select a value of " + ", ".join(
            f"{d} ({', '.join(f'{v:g}' for v in n[d].values)})" for d in extra) + f" with {flag('sel', 'NAME=VALUE')}")
    # drop the size-1 dims left by the selection, never x or y (an axis of one value stays an axis)
    n = n.squeeze([d for d in n.dims if d not in (x, y)], drop=True)
    r = reach(n.transpose(x, y), y, lvl).compute()
    rows = [{x: float(xv), "lower": _clean(lo), "upper": _clean(up)}
            for xv, lo, up in zip(r[x].values, r["lower"].values, r["upper"].values)]
    out = {"x": x, "y": y, "level": lvl, "exclusion": text, "search": search,
           "sel": {k: _clean(np.asarray(sub[k].values)[()]) for k in sel if k in sub.coords}, "rows": rows}
    if band is not None:
        from llpscan.scanner.bands import BAND_VARIABLES, band_of

        others = band if isinstance(band, str) else [select(o, sel) for o in band]
        b = band_of(select(ds, sel), others, x, y, level=level, search=search)
        b = b.squeeze(drop=True) if b["lower"].ndim > 1 else b
        b = b.transpose(x, ...).compute()
        for row, *edges in zip(rows, *(b[v].values for v in BAND_VARIABLES)):
            row.update({v: _clean(e) for v, e in zip(BAND_VARIABLES, edges)})
        out["band"] = b.attrs.get("band_description", "")
    if asked is None:
        default_search(ds)  # the note on stderr, once the table is known to be good
    return out


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
