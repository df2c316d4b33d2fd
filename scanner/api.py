"""The Python API behind the CLI: run, open, describe, query, reach, plot."""

from __future__ import annotations

import json
import os

import xarray as xr

from llpscan.scanner import accessor as _accessor  # noqa: F401  (registers ds.llp)
from llpscan.scanner.dataset import lazy_dataset
from llpscan.scanner.config import ScanConfig, load_config, resolve, validate
from llpscan.errors import ConfigError
from llpscan.scanner.query import query_point, reach_table, store_exclusion, store_level, summary_rows
from llpscan.scanner.runner import RunReport, run_scan
from llpscan.scanner.store import completeness, locate, open_scan, read_attrs

__all__ = ["reach", "default_plot_path", "config_of", "build", "run", "open", "describe", "query", "reach_table", "summary_rows",
           "plot_reach", "plot_compare", "export", "default_xy", "default_sel", "store_level", "store_exclusion", "RunReport"]


def config_of(config) -> ScanConfig:
    """A ScanConfig from a preset name, a TOML path, a dict or a ScanConfig."""
    if isinstance(config, ScanConfig):
        return config
    if isinstance(config, dict):
        return validate(config)
    if isinstance(config, (str, os.PathLike)):
        return load_config(os.fspath(config))
    raise ConfigError(f"not a scan config: {config!r}")


def build(config) -> xr.Dataset:
    """The lazy Dataset of a scan (dask acceptance; compute it, or persist it with :func:`run`)."""
    return lazy_dataset(resolve(config_of(config)))


def run(config, store=None, *, resume=False, overwrite=False, workers=None, scheduler=None,
        progress=True) -> RunReport:
    """Run a scan into a zarr store; returns a report (``.store``, timing, evaluation rate)."""
    return run_scan(config_of(config), store, resume=resume, overwrite=overwrite, workers=workers,
                    scheduler=scheduler, progress=progress)


def open(store, *, allow_partial: bool = False) -> xr.Dataset:  # noqa: A001 - mirrors xarray.open_*
    """A stored scan as an xarray Dataset of dask arrays, with ``n_signal`` derived lazily."""
    return open_scan(store, allow_partial=allow_partial)


def default_xy(ds: xr.Dataset) -> tuple[str, str]:
    """The figure axes: the preset's ``[plot]``, else the scenario's ``plot``, else the last mass
    axis against the first lifetime axis (names that are not axes of this scan are skipped)."""
    axes = [str(d) for d in ds["n_signal"].dims if d != "search"]  # every axis, rate axes included
    preset = json.loads(ds.attrs["config"]).get("plot") or {}
    scenario = json.loads(ds.attrs.get("plot", "{}"))
    x = next((c for c in (preset.get("x"), scenario.get("x")) if c in axes), None)
    y = next((c for c in (preset.get("y"), scenario.get("y")) if c in axes), None)
    x = x or next((a for a in reversed(axes) if ds[a].attrs.get("kind") == "mass" and a != y), axes[0])
    y = y or next((a for a in axes if ds[a].attrs.get("kind") == "lifetime" and a != x), axes[-1])
    return x, y


def default_sel(ds: xr.Dataset) -> dict[str, str]:
    """The preset's plot selection (``[plot] sel``), as ``--sel`` strings."""
    plot = json.loads(ds.attrs["config"]).get("plot") or {}
    return {k: repr(float(v)) for k, v in (plot.get("sel") or {}).items()}


def default_plot_path(store) -> str:
    """Where the reach figure goes by default: beside a local store, else in the working directory."""
    loc = locate(store)
    name = loc.url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".zarr") + ".png"
    return str(loc.path.with_name(name)) if loc.is_local else name


def describe(store) -> dict:
    """What ``llpscan info`` prints, as a dict."""
    path = locate(store)
    attrs = read_attrs(path)
    done, total = completeness(path)
    ds = open_scan(path, allow_partial=True)
    cfg = json.loads(attrs["config"])
    order = [d for d in ds["n_signal"].dims if d != "search"]
    axes = {a: {"size": int(ds.sizes[a]), "min": float(ds[a].min()), "max": float(ds[a].max()),
                "units": ds[a].attrs.get("units", "")} for a in order}
    fixed = {str(c): {"value": float(ds[c]), "units": ds[c].attrs.get("units", "")}
             for c in ds.coords if ds[c].ndim == 0}
    names = ["acceptance", "acceptance_err", "n_signal"] + [n for n in ds.data_vars if n not in
                                                           ("acceptance", "acceptance_err", "n_signal")]
    variables = {str(n): {"dims": [str(d) for d in ds[n].dims], "units": ds[n].attrs.get("units", ""),
                          "long_name": ds[n].attrs.get("long_name", "")} for n in names}
    variables["n_signal"]["long_name"] += " = " + " x ".join(json.loads(attrs["signal_factors"])) + " x acceptance (derived on open)"
    prov = {k: attrs[k] for k in ("created", "config_hash", "seed", "events_per_mass_point", "citation")}
    if "references" in attrs:
        prov["references"] = ", ".join(json.loads(attrs["references"])) + "  (llpscan cite STORE)"
    prov.update({f"scenario_{k}": v for k, v in json.loads(attrs.get("scenario_origin", "{}")).items()})
    prov.update(json.loads(attrs["versions"]))
    return {"store": str(path), "scenario": attrs["scenario"], "description": attrs["description"],
            "statistic": attrs["statistic"], "options": json.loads(attrs.get("options", "{}")),
            "primary_search": attrs.get("primary_search") or None,
            "blocks_done": done, "blocks_total": total,
            "complete": done == total, "axes": axes, "searches": [str(s) for s in ds["search"].values],
            "fixed": fixed, "variables": variables, "provenance": prov, "config": cfg}


def plot_reach(ds: xr.Dataset, x: str | None = None, y: str | None = None, out=None, **kwargs):
    """Draw the reach figure and return its Axes (see :func:`llpscan.scanner.plot.plot_reach`); writes
    it to ``out`` if given. Imports matplotlib on use (and chooses no backend)."""
    from llpscan.scanner.plot import plot_reach as _plot

    return _plot(ds, x, y, out=out, **kwargs)


def plot_compare(datasets, x: str | None = None, y: str | None = None, out=None, **kwargs):
    """Overlay the reach of several stores (paths or opened Datasets); see
    :func:`llpscan.scanner.plot.plot_compare`."""
    from llpscan.scanner.plot import plot_compare as _compare

    datasets = [d if isinstance(d, xr.Dataset) else open_scan(d) for d in datasets]
    return _compare(datasets, x, y, out=out, **kwargs)


def reach(store_or_ds, x: str | None = None, y: str | None = None, *, search: str | None = None,
          level: float | None = None, sel: dict | None = None) -> xr.Dataset:
    """Lower/upper boundaries in ``y`` of the region the store's statistic excludes, for every
    ``x`` and every other axis left in ``sel``. Takes a store path/URL or an opened Dataset; lazy.

    ``x`` and ``y`` default to the scan's own figure axes (:func:`default_xy`). ``level`` (signal
    events) replaces the statistic by ``n_signal >= level``.
    """
    from llpscan.scanner.query import check_axes, check_searches, select

    ds = store_or_ds if isinstance(store_or_ds, xr.Dataset) else open_scan(store_or_ds)
    dx, dy = default_xy(ds)
    x, y = x or dx, y or dy
    check_axes(ds, x, y)
    if search is not None:
        check_searches(ds, [search])
    ds = select(ds, {k: str(v) for k, v in (sel or {}).items()})
    return ds.llp.reach(x=x, y=y, search=search, level=level)


def query(store, sel: dict[str, str]) -> dict:
    """Every variable at the grid point nearest to ``sel``."""
    return query_point(open_scan(store), sel)


def export(store_or_ds, x: str | None = None, y: str | None = None, *, fmt: str = "csv", what: str = "reach",
           out=None, sel: dict | None = None, search: str | None = None, level: float | None = None, band=None):
    """A reach curve (``what="reach"``) or the outline of the excluded region (``"contour"``) as CSV
    or JSON text, or a HEPData directory (``fmt="hepdata"``, ``out``), with units and provenance;
    see :mod:`llpscan.scanner.export`. ``band``: ``"mc"`` or other stores (an envelope)."""
    from llpscan.scanner.export import export as _export

    is_ds = isinstance(store_or_ds, xr.Dataset)
    ds = store_or_ds if is_ds else open_scan(store_or_ds)
    dx, dy = default_xy(ds)
    if band is not None and not isinstance(band, str):
        band = [b if isinstance(b, xr.Dataset) else open_scan(b) for b in band]
    return _export(ds, x or dx, y or dy, fmt=fmt, what=what, out=out, sel=sel, search=search, level=level,
                   band=band, store=None if is_ds else locate(store_or_ds).url)
