"""Toy Datasets shaped like an opened store, with numbers a test chooses (no Monte Carlo)."""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from llpscan.scanner.stats import derive


def toy(acceptance, x, y, *, err=None, factor=1.0, searches=("s",), statistic="events-3", allowed=None,
        background=None, primary="", options=None, option_defaults=None, others=None, attrs=None,
        coords=None, variables=None) -> xr.Dataset:
    """A store-like Dataset: ``acceptance`` (search, *others, x, y) or (x, y) broadcast over searches,
    n_signal = factor x acceptance (x allowed), the statistic's quantities derived as on open.

    ``x``, ``y``: (name, values, attrs) of the two axes; ``others``: more axes as {name: values}
    placed between search and x.
    """
    (xn, xv, xa), (yn, yv, ya) = x, y
    others = others or {}
    dims = ("search", *others, xn, yn)
    shape = (len(searches), *(len(v) for v in others.values()), len(xv), len(yv))
    acc = np.broadcast_to(np.asarray(acceptance, dtype=float), shape).copy()
    err_ = np.zeros(shape) if err is None else np.broadcast_to(np.asarray(err, dtype=float), shape).copy()
    c = {"search": ("search", list(searches)), xn: (xn, np.asarray(xv, float), xa), yn: (yn, np.asarray(yv, float), ya)}
    for name, values in others.items():
        c[name] = (name, np.asarray(values, float), {"units": "GeV", "latex": name.replace("_", "_{") + "}" if "_" in name else name})
    ds = xr.Dataset(coords={k: xr.Variable(*v) for k, v in c.items()})
    for k, v in (coords or {}).items():
        ds = ds.assign_coords({k: v})
    ds["acceptance"] = (dims, acc, {"units": "1"})
    ds["acceptance_err"] = (dims, err_, {"units": "1"})
    ds["k"] = xr.DataArray(factor, attrs={"units": "1"})
    factors = ["k"]
    if background is not None:
        ds["n_background"] = xr.DataArray(background, attrs={"units": "events"})
    n = ds["acceptance"] * ds["k"]
    if allowed is not None:
        ds["allowed"] = allowed if isinstance(allowed, xr.DataArray) else xr.DataArray(
            np.asarray(allowed, dtype=np.uint8), dims=(xn,), coords={xn: ds[xn]})
        n = n.where(ds["allowed"] != 0, 0.0)
    for k, v in (variables or {}).items():
        ds[k] = v
    ds["n_signal"] = n.assign_attrs(units="events")
    ds.attrs.update({"scenario": "toy", "description": "a toy scan", "statistic": statistic,
                     "signal_factors": json.dumps(factors),
                     "background": "n_background" if background is not None else "",
                     "combine": "[]", "limit_on": "", "limit_name": "", "limit_long_name": "",
                     "options": json.dumps(options or {}), "option_defaults": json.dumps(option_defaults or {}),
                     "primary_search": primary, "switches": "[]", "derived_parameters": "{}", "references": "[]",
                     "versions": json.dumps({"llpscan": "test"}), "config": "{}", **(attrs or {})})
    return derive(ds)


def grid_x(values, name="m", units="GeV", latex="m"):
    return (name, values, {"units": units, "latex": latex, "kind": "mass"})


def grid_y(values, name="u", units="1", latex="u"):
    return (name, values, {"units": units, "latex": latex, "kind": "lifetime"})
