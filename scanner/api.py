"""The Python API behind the CLI: run, open, describe, query, reach, plot, verify."""

from __future__ import annotations

import json
import os

import xarray as xr

from llpscan.scanner import accessor as _accessor  # noqa: F401  (registers ds.llp)
from llpscan.scanner.dataset import lazy_dataset
from llpscan.scanner.config import Scan, ScanConfig, load_config, resolve, validate
from llpscan.errors import ArgumentTypeError, ConfigError
from llpscan.scanner.budget import check_limits
from llpscan.scanner.reading import query_point, reach_table, store_exclusion, store_level, summary_rows
from llpscan.scanner.runner import RunReport, run_scan
from llpscan.scanner.store import (INTEGRITY, VerifyReport, locate, open_scan, presence, read_attrs, read_done,
                                   verify as _verify)

__all__ = ["reach", "default_plot_path", "config_of", "build", "run", "open", "describe", "query", "reach_table", "summary_rows",
           "plot_reach", "plot_compare", "export", "default_xy", "default_sel", "scan_xy", "store_level",
           "store_exclusion", "verify", "RunReport", "VerifyReport"]


def config_of(config) -> ScanConfig:
    """A ScanConfig from a preset name, a TOML path, a dict or a ScanConfig."""
    if isinstance(config, ScanConfig):
        return config
    if isinstance(config, dict):
        return validate(config)
    if isinstance(config, (str, os.PathLike)):
        return load_config(os.fspath(config))
    raise ConfigError(f"not a scan config: {config!r}")


def build(config, *, allow_large: bool = False) -> xr.Dataset:
    """The lazy Dataset of a scan (dask acceptance; compute it, or persist it with :func:`run`).

    The cheap variables are computed on the whole grid here, so the size limits apply
    (``allow_large=True`` lifts them).
    """
    if not isinstance(allow_large, bool):
        raise ArgumentTypeError(f"allow_large must be True or False, got {allow_large!r}")
    scan = resolve(config_of(config))
    check_limits(scan, allow_large=allow_large)
    return lazy_dataset(scan)


def run(config, store=None, *, resume=False, overwrite=False, workers=None, scheduler=None,
        progress=True, allow_large=False, allow_version_change=False) -> RunReport:
    """Run a scan into a zarr store; returns a report (``.store``, timing, evaluation rate).

    ``resume``: compute only what the store lacks (and finish an interrupted overwrite);
    ``overwrite``: recompute into ``STORE.new`` and swap it in when complete; ``allow_large``: lift
    the size limits; ``allow_version_change``: resume although numpy/scipy/numba/particle differ
    from the store's versions (recorded in the store).
    """
    return run_scan(config_of(config), store, resume=resume, overwrite=overwrite, workers=workers,
                    scheduler=scheduler, progress=progress, allow_large=allow_large,
                    allow_version_change=allow_version_change)


def open(store, *, allow_partial: bool = False) -> xr.Dataset:  # noqa: A001 - mirrors xarray.open_*
    """A stored scan as an xarray Dataset of dask arrays, with ``n_signal`` derived lazily."""
    return open_scan(store, allow_partial=allow_partial)


def verify(store, *, mark: bool = True) -> VerifyReport:
    """Read every chunk of a store and find damaged or missing ones; with ``mark``, mark their
    blocks not done so that ``run(..., resume=True)`` recomputes exactly them."""
    if not isinstance(mark, bool):
        raise ArgumentTypeError(f"mark must be True or False, got {mark!r}")
    return _verify(store, mark=mark)


def _choose_xy(axes: list[str], kinds: dict[str, str], preset: dict, scenario: dict) -> tuple[str, str]:
    x = next((c for c in (preset.get("x"), scenario.get("x")) if c in axes), None)
    y = next((c for c in (preset.get("y"), scenario.get("y")) if c in axes), None)
    x = x or next((a for a in reversed(axes) if kinds.get(a) == "mass" and a != y), axes[0])
    y = y or next((a for a in axes if kinds.get(a) == "lifetime" and a != x), axes[-1])
    return x, y


def default_xy(ds: xr.Dataset) -> tuple[str, str]:
    """The figure axes: the preset's ``[plot]``, else the scenario's ``plot``, else the last mass
    axis against the first lifetime axis (names that are not axes of this scan are skipped)."""
    axes = [str(d) for d in ds["n_signal"].dims if d != "search"]  # every axis, rate axes included
    kinds = {a: ds[a].attrs.get("kind", "") for a in axes}
    return _choose_xy(axes, kinds, json.loads(ds.attrs["config"]).get("plot") or {}, json.loads(ds.attrs.get("plot", "{}")))


def scan_xy(scan: Scan) -> tuple[str, str]:
    """:func:`default_xy` of the store ``scan`` will write, known before it is computed.

    The axes come in the order of the stored ``n_signal``: the acceptance's (mass, lifetime),
    then those of each signal factor, then those of ``allowed``.
    """
    sc = scan.scenario
    order = [*scan.mass_axes, *scan.lifetime_axes]
    variables = {v.name: v for v in sc.variables}
    for name in (*sc.signal_factors, "allowed"):
        if name in variables:
            order += [p for p in scan.axes if p in variables[name].params and p not in order]
    order += [p for p in scan.axes if p not in order]
    kinds = {p.name: p.kind for p in sc.parameters}
    return _choose_xy(order, kinds, scan.config.plot.model_dump(), dict(sc.plot))


def default_sel(ds: xr.Dataset) -> dict[str, str]:
    """The preset's plot selection (``[plot] sel``), as ``--sel`` strings, keeping only values that
    are values of this store's axes (an axis given anew with ``--axis`` drops the preset's slice)."""
    from llpscan.scanner.reading import _nearest

    plot = json.loads(ds.attrs["config"]).get("plot") or {}
    out = {}
    for k, v in (plot.get("sel") or {}).items():
        try:
            _nearest(ds, k, repr(float(v)))
        except ConfigError:
            continue
        out[k] = repr(float(v))
    return out


def short_axes(ds_or_scan, *names: str) -> list[str]:
    """The ones of ``names`` with fewer than two values (no contour can be drawn along them)."""
    if isinstance(ds_or_scan, Scan):
        return [n for n in names if len(ds_or_scan.axes.get(n, ())) < 2]
    return [n for n in names if ds_or_scan.sizes.get(n, 1) < 2]


def default_plot_path(store) -> str:
    """Where the reach figure goes by default: beside a local store, else in the working directory."""
    loc = locate(store)
    name = loc.url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".zarr") + ".png"
    return str(loc.path.with_name(name)) if loc.is_local else name


def describe(store) -> dict:
    """What ``llpscan info`` prints, as a dict (``integrity`` says what is known to be wrong)."""
    path = locate(store)
    attrs = read_attrs(path)
    flags = read_done(path, strict=False)
    done, total = int(flags.sum()), int(flags.size)
    problems = presence(path, attrs, flags)
    ds = open_scan(path, allow_partial=True, check_presence=False)
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
    if attrs.get("version_changes"):
        prov["version_changes"] = attrs["version_changes"]
    damaged = json.loads(attrs.get("damaged_arrays", "[]"))
    integrity = {"checksums": attrs.get("integrity") == INTEGRITY,
                 "problems": [f"block {b} {t}" for b, t in problems.blocks.items()]
                             + [f"{n} {t}" for n, t in problems.arrays.items()]
                             + [f"{n} damaged (found by verify)" for n in damaged],
                 "unfinished_overwrite": str(path.aside()) if path.aside().exists() else None}
    return {"store": str(path), "scenario": attrs["scenario"], "description": attrs["description"],
            "statistic": attrs["statistic"], "options": json.loads(attrs.get("options", "{}")),
            "primary_search": attrs.get("primary_search") or None,
            "blocks_done": done, "blocks_total": total,
            "complete": done == total and not integrity["problems"], "axes": axes,
            "searches": [str(s) for s in ds["search"].values], "integrity": integrity,
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


def _sel_dict(sel) -> dict:
    if sel is None:
        return {}
    if not isinstance(sel, dict):
        raise ArgumentTypeError(f"sel must be a dict of axis name -> value, got {sel!r}")
    return {str(k): v if isinstance(v, str) else str(v) for k, v in sel.items()}


def reach(store_or_ds, x: str | None = None, y: str | None = None, *, search: str | None = None,
          level: float | None = None, sel: dict | None = None) -> xr.Dataset:
    """Lower/upper boundaries in ``y`` of the region the store's statistic excludes, for every
    ``x`` and every other axis left in ``sel``. Takes a store path/URL or an opened Dataset; lazy.

    ``x`` and ``y`` default to the scan's own figure axes (:func:`default_xy`). ``level`` (signal
    events) replaces the statistic by ``n_signal >= level``.
    """
    from llpscan.scanner.reading import check_axes, check_not_selected, check_searches, select

    ds = store_or_ds if isinstance(store_or_ds, xr.Dataset) else open_scan(store_or_ds)
    dx, dy = default_xy(ds)
    x, y = x or dx, y or dy
    check_axes(ds, x, y)
    if search is not None:
        check_searches(ds, [search])
    chosen = _sel_dict(sel)
    check_not_selected(chosen, x, y)
    store_exclusion(ds, level)  # checks level
    ds = select(ds, chosen)
    return ds.llp.reach(x=x, y=y, search=search, level=level)


def query(store, sel: dict[str, str] | None = None) -> dict:
    """Every variable at the grid point nearest to ``sel``."""
    return query_point(open_scan(store), _sel_dict(sel))


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
