"""The Python API behind the CLI: run, open, describe, query, reach, plot, export, verify.

Reading a store (open, describe, query, reach) imports neither dask (for stores small enough to read
into memory), the scan machinery nor numba; running one imports them when it starts.
"""

from __future__ import annotations

import functools
import json
import os
from typing import TYPE_CHECKING

import numpy as np

from llpscan.errors import ArgumentTypeError, ConfigError
from llpscan.scanner.store import INTEGRITY, locate, open_scan, presence, read_attrs, read_done

if TYPE_CHECKING:
    import xarray as xr

    from llpscan.scanner.config import Scan, ScanConfig
    from llpscan.scanner.runner import RunReport
    from llpscan.scanner.store import VerifyReport

__all__ = ["reach", "default_plot_path", "config_of", "build", "run", "open", "describe", "query", "reach_table", "summary_rows",
           "plot_reach", "plot_compare", "export", "default_xy", "default_sel", "scan_xy", "store_level",
           "store_exclusion", "verify", "RunReport", "VerifyReport"]


_FROM_QUERY = ("query_point", "reach_table", "summary_rows", "store_exclusion", "store_level")


def __getattr__(name):
    # names imported on first use: reading a store's description needs neither xarray nor the runner
    if name == "RunReport":
        from llpscan.scanner.runner import RunReport

        return RunReport
    if name == "VerifyReport":
        from llpscan.scanner.store import VerifyReport

        return VerifyReport
    if name in _FROM_QUERY:
        from llpscan.scanner import reading

        return getattr(reading, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def config_of(config) -> ScanConfig:
    """A ScanConfig from a preset name, a TOML path, a dict or a ScanConfig."""
    from llpscan.scanner.config import ScanConfig, load_config, validate

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
    from llpscan.scanner import accessor  # noqa: F401  (registers ds.llp)
    from llpscan.scanner.budget import check_limits
    from llpscan.scanner.config import resolve
    from llpscan.scanner.dataset import lazy_dataset

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
    from llpscan.scanner.runner import run_scan

    return run_scan(config_of(config), store, resume=resume, overwrite=overwrite, workers=workers,
                    scheduler=scheduler, progress=progress, allow_large=allow_large,
                    allow_version_change=allow_version_change)


def open(store, *, allow_partial: bool = False, in_memory: bool | None = False) -> xr.Dataset:  # noqa: A001
    """A stored scan as an xarray Dataset of dask arrays, with ``n_signal`` derived lazily.

    ``in_memory=True`` loads numpy arrays instead; ``None`` does so for stores below
    :data:`~llpscan.scanner.store.SMALL_STORE_BYTES` (what the command line uses).
    """
    return open_scan(store, allow_partial=allow_partial, in_memory=in_memory)


def verify(store, *, mark: bool = True) -> VerifyReport:
    """Read every chunk of a store and find damaged or missing ones; with ``mark``, mark their
    blocks not done so that ``run(..., resume=True)`` recomputes exactly them."""
    from llpscan.scanner.store import verify as _verify

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
    if hasattr(ds_or_scan, "scenario"):  # a resolved Scan
        return [n for n in names if len(ds_or_scan.axes.get(n, ())) < 2]
    return [n for n in names if ds_or_scan.sizes.get(n, 1) < 2]


def default_plot_path(store) -> str:
    """Where the reach figure goes by default: beside a local store, else in the working directory."""
    loc = locate(store)
    name = loc.url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".zarr") + ".png"
    return str(loc.path.with_name(name)) if loc.is_local else name


def describe(store) -> dict:
    """What ``llpscan info`` prints, as a dict (``integrity`` says what is known to be wrong).

    A local store is described from its metadata, its coordinates and its done mask alone (no
    xarray, dask or zarr import: ``llpscan info`` in a fraction of a second); other URLs open it.
    """
    path = locate(store)
    if path.is_local:
        return _describe_from_metadata(path)
    return _describe_opened(path)


def _provenance(attrs: dict) -> dict:
    prov = {k: attrs[k] for k in ("created", "config_hash", "seed", "events_per_mass_point", "citation")}
    if "references" in attrs:
        prov["references"] = ", ".join(json.loads(attrs["references"])) + "  (llpscan cite STORE)"
    prov.update({f"scenario_{k}": v for k, v in json.loads(attrs.get("scenario_origin", "{}")).items()})
    prov.update(json.loads(attrs["versions"]))
    if attrs.get("version_changes"):
        prov["version_changes"] = attrs["version_changes"]
    return prov


def _integrity(path, attrs: dict, flags, extra=()) -> dict:
    """What is known to be wrong with the store: missing chunks of finished blocks, arrays that
    verify found damaged, an overwrite left unfinished."""
    problems = presence(path, attrs, flags)
    damaged = json.loads(attrs.get("damaged_arrays", "[]"))
    return {"checksums": attrs.get("integrity") == INTEGRITY,
            "problems": [f"block {b} {t}" for b, t in problems.blocks.items()]
                        + [f"{n} {t}" for n, t in problems.arrays.items()]
                        + [f"{n} damaged (found by verify)" for n in damaged] + list(extra),
            "unfinished_overwrite": str(path.aside()) if path.aside().exists() else None}


def _summary(path, attrs: dict, flags, axes, searches, fixed, variables, damaged=()) -> dict:
    done, total = int(flags.sum()), int(flags.size)
    integrity = _integrity(path, attrs, flags, damaged)
    return {"store": str(path), "scenario": attrs["scenario"], "description": attrs["description"],
            "statistic": attrs["statistic"], "options": json.loads(attrs.get("options", "{}")),
            "primary_search": attrs.get("primary_search") or None,
            "blocks_done": done, "blocks_total": total,
            "complete": done == total and not integrity["problems"], "axes": axes, "searches": searches,
            "integrity": integrity, "fixed": fixed, "variables": variables, "provenance": _provenance(attrs),
            "config": json.loads(attrs["config"])}


def _coordinate_names(meta: dict, dims: dict) -> set[str]:
    """The dimension coordinates, and the scalar coordinates the CF ``coordinates`` attribute names."""
    names = {n for n, d in dims.items() if d == [n]}
    for m in meta.values():
        names.update(m.get("attributes", {}).get("coordinates", "").split())
    return names


def _describe_from_metadata(path) -> dict:
    from llpscan.scanner.stats import derived_metadata
    from llpscan.scanner.store import array_metadata, check_arrays, chunk_where, read_array

    attrs = read_attrs(path)
    check_arrays(path, attrs)  # an array whose metadata is gone: one line, nothing to describe
    meta = array_metadata(path)
    done_flags = read_done(path, strict=False)
    damaged = []  # coordinates that fail their checksum: described as far as they read, and reported

    def coordinate(name):
        found = []
        values = read_array(path, name, meta[name], damaged="fill", found=found)
        size = meta[name]["chunk_grid"]["configuration"]["chunk_shape"]
        damaged.extend(f"{chunk_where(path, name, dims[name], c, size)} chunk {c} is damaged ({why})" for c, why in found)
        return values

    dims = {n: list(m.get("dimension_names") or []) for n, m in meta.items()}
    coords = _coordinate_names(meta, dims)
    info = {n: {"dims": d, "units": meta[n].get("attributes", {}).get("units", ""),
                "long_name": meta[n].get("attributes", {}).get("long_name", "")} for n, d in dims.items()}
    derived = derived_metadata(attrs, info)
    order = [d for d in derived["n_signal"]["dims"] if d != "search"]
    axes = {}
    for a in order:
        values = coordinate(a)
        axes[a] = {"size": int(values.size), "min": float(np.min(values)), "max": float(np.max(values)),
                   "units": info[a]["units"]}
    fixed = {c: {"value": float(coordinate(c)), "units": info[c]["units"]}
             for c in sorted(coords) if c in meta and not dims[c]}
    stored = [n for n in meta if n not in coords]
    names = ["acceptance", "acceptance_err", "n_signal"] + [n for n in stored + list(derived)
                                                           if n not in ("acceptance", "acceptance_err", "n_signal")]
    variables = {n: dict(derived.get(n) or info[n]) for n in names}
    variables = {n: {"dims": list(v["dims"]), "units": v["units"], "long_name": v["long_name"]}
                 for n, v in variables.items()}
    variables["n_signal"]["long_name"] += " = " + " x ".join(json.loads(attrs["signal_factors"])) + " x acceptance (derived on open)"
    searches = [str(s) for s in coordinate("search")]
    return _summary(path, attrs, done_flags, axes, searches, fixed, variables, damaged)


def _describe_opened(path) -> dict:
    attrs = read_attrs(path)
    flags = read_done(path, strict=False)
    ds = open_scan(path, allow_partial=True, check_presence=False)  # lazy: only coordinates are read
    order = [d for d in ds["n_signal"].dims if d != "search"]
    axes = {a: {"size": int(ds.sizes[a]), "min": float(np.min(ds[a].values)), "max": float(np.max(ds[a].values)),
                "units": ds[a].attrs.get("units", "")} for a in order}
    fixed = {str(c): {"value": float(ds[c]), "units": ds[c].attrs.get("units", "")}
             for c in ds.coords if ds[c].ndim == 0}
    names = ["acceptance", "acceptance_err", "n_signal"] + [n for n in ds.data_vars if n not in
                                                           ("acceptance", "acceptance_err", "n_signal")]
    variables = {str(n): {"dims": [str(d) for d in ds[n].dims], "units": ds[n].attrs.get("units", ""),
                          "long_name": ds[n].attrs.get("long_name", "")} for n in names}
    variables["n_signal"]["long_name"] += " = " + " x ".join(json.loads(attrs["signal_factors"])) + " x acceptance (derived on open)"
    return _summary(path, attrs, flags, axes, [str(s) for s in ds["search"].values], fixed, variables)


def plot_reach(ds: xr.Dataset, x: str | None = None, y: str | None = None, out=None, **kwargs):
    """Draw the reach figure and return its Axes (see :func:`llpscan.scanner.plot.plot_reach`); writes
    it to ``out`` if given. Imports matplotlib on use (and chooses no backend)."""
    from llpscan.scanner.plot import plot_reach as _plot

    return _plot(ds, x, y, out=out, **kwargs)


def plot_compare(datasets, x: str | None = None, y: str | None = None, out=None, **kwargs):
    """Overlay the reach of several stores (paths or opened Datasets); see
    :func:`llpscan.scanner.plot.plot_compare`."""
    import xarray as xr

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
    import xarray as xr

    from llpscan.scanner.reading import check_axes, check_not_selected, check_searches, select, store_exclusion

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
    """Every variable at the grid point nearest to ``sel``.

    A local store is read array by array at that point, with n_signal and the statistic's variables
    computed there as :func:`~llpscan.scanner.store.open_scan` derives them (no xarray, dask or zarr
    import: ``llpscan query`` in a fraction of a second); other URLs open it with xarray.
    """
    from llpscan.scanner.reading import query_point

    sel = _sel_dict(sel)
    loc = locate(store)
    if loc.is_local:
        return _query_from_arrays(loc, sel)
    return query_point(open_scan(loc, in_memory=None), sel)


def export(store_or_ds, x: str | None = None, y: str | None = None, *, fmt: str = "csv", what: str = "reach",
           out=None, sel: dict | None = None, search: str | None = None, level: float | None = None, band=None):
    """A reach curve (``what="reach"``) or the outline of the excluded region (``"contour"``) as CSV
    or JSON text, or a HEPData directory (``fmt="hepdata"``, ``out``), with units and provenance;
    see :mod:`llpscan.scanner.export`. ``band``: ``"mc"`` or other stores (an envelope)."""
    import xarray as xr

    from llpscan.scanner.export import export as _export

    is_ds = isinstance(store_or_ds, xr.Dataset)
    ds = store_or_ds if is_ds else open_scan(store_or_ds)
    dx, dy = default_xy(ds)
    if band is not None and not isinstance(band, str):
        band = [b if isinstance(b, xr.Dataset) else open_scan(b) for b in band]
    return _export(ds, x or dx, y or dy, fmt=fmt, what=what, out=out, sel=sel, search=search, level=level,
                   band=band, store=None if is_ds else locate(store_or_ds).url)


class _Coord:
    """A coordinate as :func:`llpscan.scanner.reading.select` reads it (values, dtype, ndim, float)."""

    def __init__(self, values):
        self.values = values
        self.dtype = values.dtype
        self.ndim = values.ndim

    def __float__(self):
        return float(self.values)


class _Coords:
    """The coordinates of a store, shaped like the Dataset that reading.select reads (``coords``, [])."""

    def __init__(self, coords: dict):
        self.coords = coords

    def __getitem__(self, name):
        return self.coords[name]


class _Labeled:
    """(dims, values): the few xarray operations :func:`~llpscan.scanner.store.open_scan` and
    :func:`~llpscan.scanner.stats.derive` apply, with xarray's broadcasting (the left operand's dims,
    then the new dims of the right one, in order), so the same elementwise operations give the same bits."""

    def __init__(self, dims, values):
        self.dims = list(dims)
        self.values = np.asarray(values)

    def on(self, dims):
        """The values transposed and expanded to ``dims`` (a superset of self.dims)."""
        own = [d for d in dims if d in self.dims]
        v = np.transpose(self.values, [self.dims.index(d) for d in own]) if self.values.ndim else self.values
        shape = [v.shape[own.index(d)] if d in self.dims else 1 for d in dims]
        return v.reshape(shape)

    def op(self, other, fn):
        other = other if isinstance(other, _Labeled) else _Labeled([], other)
        dims = self.dims + [d for d in other.dims if d not in self.dims]
        return _Labeled(dims, fn(self.on(dims), other.on(dims)))


def _query_from_arrays(loc, sel: dict[str, str]) -> dict:
    from llpscan.scanner.reading import _clean, _nearest
    from llpscan.scanner.stats import _limit_names, chi2, parse_statistic
    from llpscan.scanner.store import array_metadata, read_array

    from llpscan.errors import StoreDamaged
    from llpscan.scanner.store import check_readable, chunk_where
    from llpscan.scanner.wording import verify_hint

    attrs = read_attrs(loc)
    check_readable(loc, attrs)
    meta = array_metadata(loc)
    dims = {n: list(m.get("dimension_names") or []) for n, m in meta.items()}
    names = _coordinate_names(meta, dims)
    coords = {n: _Coord(read_array(loc, n, meta[n])) for n in sorted(names) if n in meta}
    index = {}
    for name, value in sel.items():  # the nearest grid values, with reading.select's messages
        v = _nearest(_Coords(coords), name, value)
        if v is not None:
            index[name] = int(np.flatnonzero(coords[name].values == v)[0])

    @functools.lru_cache(maxsize=None)
    def read(name):
        """Array ``name`` whole, read once, with the chunks that failed their checksum."""
        damaged = []
        return read_array(loc, name, meta[name], damaged="fill", found=damaged), damaged

    def at(name, skip=()):
        """Variable ``name`` at the chosen point, the dims in ``skip`` left whole; StoreDamaged if
        that point lies in a chunk that fails its checksum (damage elsewhere does not matter)."""
        d = dims[name]
        v, damaged = read(name)
        take = tuple(index[x] if x in index and x not in skip else slice(None) for x in d)
        size = meta[name]["chunk_grid"]["configuration"]["chunk_shape"]
        for chunk, why in damaged:
            if all(isinstance(t, slice) or c * n <= t < (c + 1) * n for t, c, n in zip(take, chunk, size)):
                where = chunk_where(loc, name, d, chunk, size)
                raise StoreDamaged(f"{loc}: {where} is damaged ({why}); run {verify_hint(loc)}")
        return _Labeled([x for x in d if x not in index or x in skip], v[take] if d else v)

    stored = [n for n in meta if n not in names and n != "done"]
    values = {n: at(n) for n in stored}
    stat = parse_statistic(attrs.get("statistic", "events-3"))
    factors = json.loads(attrs["signal_factors"])
    bname = attrs.get("background") or ""

    def n_signal(skip=()):
        n = at("acceptance", skip)
        for f in factors:
            n = n.op(at(f, skip), np.multiply)
        if "allowed" in meta:
            n = n.op(at("allowed", skip), lambda a, ok: np.where(ok != 0, a, 0.0))
        return n

    n = n_signal()
    values["n_signal"] = n
    b = at(bname) if bname else _Labeled([], 0.0)
    needed = _Labeled(b.dims, stat.signal_needed(b.values)) if stat.uses_background else _Labeled([], stat.signal_needed())
    if stat.uses_background:
        values["n_needed"] = needed
    combine = json.loads(attrs.get("combine") or "[]")
    if stat.summed:  # summed over the combined data sets before any selection
        c = n_signal(combine).op(at(bname, combine) if bname else _Labeled([], 0.0), chi2)
        axes = tuple(c.dims.index(d) for d in combine if d in c.dims)
        values["chi2"] = _Labeled([d for d in c.dims if d not in combine], np.sum(c.values, axis=axes) if axes else c.values)
    limit_on = attrs.get("limit_on") or ""
    if limit_on and not combine:
        p = _Labeled([d for d in dims[limit_on] if d not in index], coords[limit_on].values[
            tuple(index.get(x, slice(None)) for x in dims[limit_on])])
        with np.errstate(divide="ignore", invalid="ignore"):
            lim = p.op(needed, np.multiply).op(n.op(n, lambda a, _: np.where(a > 0, a, np.nan)), np.divide)
        values[_limit_names(attrs, stat.name)[0]] = lim
    out_coords = {}
    for name, c in coords.items():
        d = dims.get(name, [])
        v = c.values[tuple(index.get(x, slice(None)) for x in d)] if d else c.values
        out_coords[name] = _clean(np.asarray(v)[()]) if np.ndim(v) == 0 else _clean(v)
    return {"coords": out_coords,
            "values": {k: _clean(np.asarray(v.values)[()] if v.values.ndim == 0 else v.values) for k, v in values.items()}}
