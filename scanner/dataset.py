"""The lazy xarray Dataset of a scan: coordinates with units, cheap variables, dask acceptance."""

from __future__ import annotations

import json

import dask
import dask.array as da
import numpy as np
import xarray as xr

from llpscan.scanner.config import Scan
from llpscan.scanner.grid import (acceptance_dims, block_axes, block_chunks, block_grid, block_slices, compute_block,
                                  variable_values)

__all__ = ["coordinates", "cheap_variables", "lazy_dataset", "done_dims", "statistic_attrs"]


def coordinates(scan: Scan) -> dict[str, xr.DataArray]:
    """Axes as 1-D coordinates and fixed parameters as scalar coordinates, all with ``units``."""
    coords = {}
    for p in scan.scenario.parameters:
        attrs = {"units": p.units, "long_name": p.description, "kind": p.kind, "latex": p.latex or p.name}
        if p.name in scan.axes:
            coords[p.name] = xr.DataArray(scan.axes[p.name], dims=(p.name,), attrs=attrs)
        else:
            coords[p.name] = xr.DataArray(scan.fixed[p.name], attrs=attrs)
    coords["search"] = xr.DataArray(np.array(scan.searches, dtype=object), dims=("search",),
                                    attrs={"units": "1", "long_name": "search label"})
    return coords


def cheap_variables(scan: Scan) -> dict[str, xr.DataArray]:
    out = {}
    for v in scan.scenario.variables:
        dims, values = variable_values(scan, v)
        out[v.name] = xr.DataArray(values, dims=dims, attrs={"units": v.units, "long_name": v.description})
    return out


def done_dims(scan: Scan) -> tuple[str, ...]:
    return tuple(f"{a}_block" for a in block_axes(scan)) or ("block",)


def _acceptance_arrays(scan: Scan):
    """Two dask arrays (acceptance, error) whose blocks each call :func:`compute_block` once."""
    dims = acceptance_dims(scan)[1:]
    axes = block_axes(scan)
    grid = dict(zip(axes, block_grid(scan)))
    # one block along search and along the unsplit dims, so the nesting of da.block matches every dim
    nest = (1, *(grid.get(d, 1) for d in dims))
    means = np.empty(nest, dtype=object)
    errs = np.empty(nest, dtype=object)
    for index in np.ndindex(*block_grid(scan)):
        shape = (len(scan.searches), *(s.stop - s.start for s in block_slices(scan, index)))
        pair = dask.delayed(compute_block, pure=True, nout=2)(scan, index)
        at = dict(zip(axes, index))
        pos = (0, *(at.get(d, 0) for d in dims))
        means[pos] = da.from_delayed(pair[0], shape, dtype=float)
        errs[pos] = da.from_delayed(pair[1], shape, dtype=float)
    return da.block(means.tolist()), da.block(errs.tolist())


def lazy_dataset(scan: Scan) -> xr.Dataset:
    """The whole scan as an xarray Dataset; ``acceptance`` and ``acceptance_err`` are dask arrays
    (nothing runs until they are computed), everything else is cheap and eager."""
    mean, err = _acceptance_arrays(scan)
    dims = acceptance_dims(scan)
    ds = xr.Dataset(coords=coordinates(scan))
    ds["acceptance"] = xr.DataArray(mean, dims=dims, attrs={"units": "1", "long_name": "detector acceptance (MC mean)"})
    ds["acceptance_err"] = xr.DataArray(err, dims=dims, attrs={"units": "1", "long_name": "Monte-Carlo standard error of acceptance"})
    for name, var in cheap_variables(scan).items():
        ds[name] = var
    ds.attrs.update(scenario=scan.scenario.name, **statistic_attrs(scan), chunks=json.dumps(block_chunks(scan)))
    return ds


def statistic_attrs(scan: Scan) -> dict[str, str]:
    """What turns the stored arrays into n_signal and an exclusion (attrs of lazy and stored scans)."""
    sc = scan.scenario
    return {
        "statistic": sc.statistic,
        "signal_factors": json.dumps(list(sc.signal_factors)),
        "background": sc.background or "",
        "combine": json.dumps([d for d in sc.combine if d in scan.axes]),
        "limit_on": sc.limit_on or "",
        "limit_name": sc.limit_name or "",
        "limit_long_name": sc.limit_long_name or "",
        "options": json.dumps(sc.option_values, sort_keys=True),
        "option_defaults": json.dumps({k: v[0] for k, v in sc.options.items()}, sort_keys=True),
        "plot": json.dumps(dict(sc.plot), sort_keys=True),
        # what figures, exports and citations read (scanner/plot.py, export.py, llpscan/cite.py)
        "primary_search": _primary(sc, scan.searches),
        "references": json.dumps(list(sc.references)),
        "switches": json.dumps([{"parameter": w.parameter, "value": float(w.value), "note": w.note}
                                for w in sc.switches]),
        "derived_parameters": json.dumps({k: {"variable": v, "note": n}
                                          for k, (v, n) in sc.derived_parameters.items()}, sort_keys=True),
    }


def _primary(sc, searches) -> str:
    """The scenario's primary search if this scan has it; a scenario with one search needs no
    declaration (that search is its primary one); else "" (reach and exports then take the first)."""
    primary = sc.primary_search or (sc.searches[0].label if len(sc.searches) == 1 else "")
    return primary if primary in searches else ""
