"""Reach figures as a paper shows them: the excluded region of each curve, labelled in LaTeX.

What is drawn is what :func:`llpscan.scanner.boundaries.reach` computes. The excluded region of a
curve is the filled contour ``quantity >= level`` of the store's exclusion quantity on the (x, log y)
grid (contourpy), interpolated in log like ``reach``: on every grid line x = x_i its edges lie
exactly at reach's boundaries, separate pieces stay separate (nothing is filled across a gap where
reach finds no exclusion), and it ends at the last grid point the scenario's ``allowed`` mask leaves
open (a closed outline there, never a leak into kinematically forbidden space). Its outline, less
the parts that are only the edge of the scanned grid, is the curve.

Styles are paired and stable across figures: a colour per search (its index in the store; the
Okabe & Ito colour-blind-safe palette), a line style per value of the remaining axes (their index
in the coordinate), a light fill on the excluded side. Labels come from the coordinates' ``latex``
and ``units`` attrs (the scenario's parameters); the title is the store's own description and says
which options differ from the scenario's defaults; fixed values are the ones actually used (a value
an option derives is printed as derived); switches of the theory description that the scenario
declares (kinks) get a thin marker and a footnote.

No backend is chosen here: in a notebook figures show inline, and the command line selects Agg
itself before it imports this module.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import contourpy
import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from llpscan.errors import ConfigError, StorageError
from llpscan.scanner.reading import (check_axes, check_not_selected, check_searches, default_search, select,
                                     store_exclusion)
from llpscan.scanner.wording import flag

__all__ = ["COLOURS", "LINESTYLES", "HATCHES", "Region", "log_scale", "contour_lines", "excluded_regions",
           "units_tex", "value_tex", "axis_label", "variant_label", "plot_reach", "plot_compare",
           "check_figure_path", "FIGURE_FORMATS"]

#: Okabe & Ito, "Color Universal Design" (2008): distinguishable with every common colour-vision
#: deficiency (the yellow is left out: too light on white)
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (8, 2)), (0, (1, 1))]
#: per store in a comparison (the first store is filled, the others hatched so overlaps stay readable)
HATCHES = [None, "////", "\\\\\\\\", "xxx", "...", "---"]
FILL_ALPHA = 0.12
BAND_ALPHA = 0.30


def _formats() -> set[str]:
    import shutil

    from matplotlib.backend_bases import FigureCanvasBase

    formats = set(FigureCanvasBase.get_supported_filetypes())
    if not any(shutil.which(tex) for tex in ("xelatex", "lualatex", "pdflatex")):
        formats.discard("pgf")  # matplotlib writes .pgf through a LaTeX installation
    return formats


#: file suffixes matplotlib can write (png, pdf, svg, ...)
FIGURE_FORMATS = _formats()


def check_figure_path(out, option: str = "out") -> Path:
    """The figure path, checked before any work: a file name with a known format, in a directory
    that exists and can be written, and not an existing directory."""
    text = str(out) if out is not None else ""
    if not text.strip():
        raise ConfigError(f"{flag(option, repr(text))}: empty figure path")
    path = Path(text).expanduser()
    given = flag(option, text)
    if path.is_dir():
        raise ConfigError(f"{given}: is a directory; give a file name such as reach.png")
    if not path.parent.is_dir():
        raise ConfigError(f"{given}: the directory {path.parent} does not exist")
    suffix = path.suffix.lstrip(".").lower()
    if suffix not in FIGURE_FORMATS:
        raise ConfigError(f"{given}: unknown figure format {path.suffix or '(no suffix)'!r}; use one of "
                          f"{', '.join('.' + f for f in sorted(FIGURE_FORMATS))}")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise StorageError(f"{given}: the directory {path.parent} is not writable")
    return path


# --- geometry -------------------------------------------------------------------------------------

def log_scale(values) -> bool:
    """Whether an axis reads better in log: positive values spanning more than two decades."""
    v = np.asarray(values, dtype=float)
    return bool(v.size > 1 and np.all(v > 0) and v.max() / v.min() > 100)


def contour_lines(n: xr.DataArray, x: str, y: str, level: float, mask: xr.DataArray | None = None,
                  log_x: bool = False) -> list[np.ndarray]:
    """Polylines (k, 2) in (x, y) where ``n`` (dims x, y) crosses ``level`` (> 0), interpolated in
    log like ``reach``; points where ``mask`` is true are left out (the lines end there, open: the
    figures draw :func:`excluded_regions`, whose outline is closed at the mask)."""
    z = _field(n.transpose(y, x).values, level)
    if mask is not None:
        z = np.ma.masked_array(z, mask=_expand(mask, x, y, z.shape))
    xs = np.log10(n[x].values) if log_x else n[x].values
    gen = contourpy.contour_generator(x=xs, y=np.log10(n[y].values), z=z, line_type="Separate", corner_mask=False)
    return [np.column_stack([10 ** seg[:, 0] if log_x else seg[:, 0], 10 ** seg[:, 1]])
            for seg in gen.lines(np.log10(level))]


def _field(values, level: float) -> np.ndarray:
    """log10 of ``values`` (ny, nx) for contouring, with reach's interpolation at points without a
    positive value.

    ``reach`` interpolates a crossing in (log y, log n) between positive values, but linearly in n
    next to a zero (and halfway in log y next to a NaN, an unfinished point). A contour interpolates
    one field, so a zero or NaN point gets the virtual log value that puts the crossing on its y
    edge to a passing neighbour exactly where reach puts it: z0 = (log L - r log v1)/(1 - r) with
    r = L/v1 (next to a zero), z0 = 2 log L - log v1 (next to a NaN). A point between two passing
    neighbours (a gap of one point) takes the larger of the two, exact on one of its edges.
    """
    v = np.asarray(values, dtype=float)
    ll = math.log10(level)
    floor = ll - 30.0
    pos = v > 0
    z = np.full(v.shape, floor)
    z[pos] = np.log10(v[pos])
    bad = ~pos
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for here, there in ((np.s_[:-1], np.s_[1:]), (np.s_[1:], np.s_[:-1])):
            v0, v1 = v[here], v[there]
            cross = bad[here] & (v1 >= level)
            r = level / v1
            lv1 = np.log10(v1)
            z0 = np.where(np.isnan(v0), 2 * ll - lv1, (ll - r * lv1) / (1 - r))
            z0 = np.where(v1 == level, floor, z0)  # crossing on the passing point itself
            zh = z[here]
            zh[cross] = np.maximum(np.where(bad[here] & ~np.isfinite(zh), floor, zh)[cross], z0[cross])
    return z


def _expand(mask: xr.DataArray, x: str, y: str, shape) -> np.ndarray:
    """``mask`` with dims among (x, y) as a (ny, nx) boolean array."""
    m = mask
    for d in (y, x):
        if d not in m.dims:
            m = m.expand_dims(d)
    return np.array(np.broadcast_to(m.transpose(y, x).values, shape), dtype=bool)


@dataclass
class Region:
    """The excluded region of one curve in data coordinates.

    ``polygons``: (points (k, 2), matplotlib path codes (k,)) per outer boundary with its holes;
    ``outline``: polylines (k, 2), the region's edges inside the grid (level crossings and the
    closing edges where the ``allowed`` mask ends), without the parts on the grid's own border.
    """

    polygons: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    outline: list[np.ndarray] = field(default_factory=list)

    def contains(self, points) -> np.ndarray:
        """Which of ``points`` (k, 2) lie inside the region (even-odd over all rings)."""
        pts = np.asarray(points, dtype=float)
        inside = np.zeros(len(pts), dtype=bool)
        for verts, codes in self.polygons:
            inside |= MplPath(verts, codes).contains_points(pts)
        return inside


def excluded_regions(q: xr.DataArray, x: str, y: str, level: float, mask: xr.DataArray | None = None,
                     log_x: bool = False) -> Region:
    """The region where ``q`` (dims x, y) >= ``level``, as filled polygons and their inner outline.

    Contoured in (x or log10 x, log10 y) with log-interpolated values (:func:`_field`); grid cells
    with a corner where ``mask`` is true are left out whole, so the region ends on the last open
    grid line and its outline closes there.
    """
    z = _field(q.transpose(y, x).values, level)
    if mask is not None:
        z = np.ma.masked_array(z, mask=_expand(mask, x, y, z.shape))
    xs = np.log10(q[x].values.astype(float)) if log_x else q[x].values.astype(float)
    ys = np.log10(q[y].values.astype(float))
    top = max(float(np.ma.max(z)) if np.ma.count(z) else 0.0, math.log10(level)) + 1.0
    gen = contourpy.contour_generator(x=xs, y=ys, z=z, fill_type="OuterCode", corner_mask=False)
    points, codes = gen.filled(math.log10(level), top)
    region = Region()
    span_x, span_y = np.ptp(xs) or 1.0, np.ptp(ys) or 1.0
    for pts, cds in zip(points, codes):
        region.outline += _inner_edges(pts, cds, (xs[0], xs[-1]), (ys[0], ys[-1]), 1e-9 * span_x, 1e-9 * span_y)
        region.polygons.append((_to_data(pts, log_x), cds))
    region.outline = [_to_data(line, log_x) for line in region.outline]
    return region


def _to_data(pts: np.ndarray, log_x: bool) -> np.ndarray:
    return np.column_stack([10 ** pts[:, 0] if log_x else pts[:, 0], 10 ** pts[:, 1]])


def _inner_edges(pts, codes, xr_, yr_, tx, ty) -> list[np.ndarray]:
    """The polylines of a polygon's rings that are not on the grid's border (contour coordinates)."""
    def border(a, b):
        return any(abs(a[0] - e) < tx and abs(b[0] - e) < tx for e in xr_) or \
            any(abs(a[1] - e) < ty and abs(b[1] - e) < ty for e in yr_)

    lines = []
    starts = np.flatnonzero(codes == MplPath.MOVETO)
    for s, e in zip(starts, list(starts[1:]) + [len(codes)]):
        ring = pts[s:e]
        if codes[e - 1] == MplPath.CLOSEPOLY:
            ring = np.vstack([ring[:-1], ring[:1]])
        keep = [not border(ring[i], ring[i + 1]) for i in range(len(ring) - 1)]
        if all(keep):
            lines.append(ring)
            continue
        # start after a border edge so that each run of inner edges is one polyline
        k0 = keep.index(False)
        order = [(k0 + 1 + i) % len(keep) for i in range(len(keep))]
        run: list[np.ndarray] = []
        for i in order:
            if keep[i]:
                run = run or [ring[i]]
                run.append(ring[i + 1])
            elif run:
                lines.append(np.array(run))
                run = []
        if run:
            lines.append(np.array(run))
    return lines


# --- labels ---------------------------------------------------------------------------------------

def units_tex(units: str) -> str:
    """A unit as figures print it: ``GeV^-1`` -> ``GeV$^{-1}$``; "" for dimensionless ("1").

    >>> units_tex("fb^-1"), units_tex("1"), units_tex("m")
    ('fb$^{-1}$', '', 'm')
    """
    if not units or units == "1":
        return ""
    return re.sub(r"\^\(?(-?\d+)\)?", r"$^{\1}$", units)


def value_tex(v: float) -> str:
    """A number for a label: powers of ten as ``$10^{n}$``, small and large ones as a x 10^n.

    >>> value_tex(1e-4), value_tex(0.375), value_tex(2.5e-7), value_tex(50000.0)
    ('$10^{-4}$', '0.375', '$2.5 \\\\times 10^{-7}$', '$5 \\\\times 10^{4}$')
    """
    v = float(v)
    if v == 0 or not math.isfinite(v):
        return f"{v:g}"
    e = math.floor(math.log10(abs(v)))
    mant = v / 10 ** e
    if abs(mant - round(mant)) < 1e-9 and round(mant) in (1, -1) and not 0 <= e <= 1:
        return f"${'-' if v < 0 else ''}10^{{{e}}}$"
    if abs(v) < 1e-3 or abs(v) >= 1e4:
        return f"${mant:.3g} \\times 10^{{{e}}}$"
    return f"{v:.4g}"


def _symbol(ds: xr.Dataset, name: str) -> str:
    attrs = ds[name].attrs if name in ds.variables else {}
    return f"${attrs['latex']}$" if attrs.get("latex") else name


def axis_label(ds: xr.Dataset, name: str) -> str:
    """Axis label from the coordinate's attrs: its LaTeX symbol and unit (``$m_N$ [GeV]``)."""
    attrs = ds[name].attrs if name in ds.variables else {}
    unit = units_tex(attrs.get("units", ""))
    return f"{_symbol(ds, name)} [{unit}]" if unit else _symbol(ds, name)


def _value_label(ds: xr.Dataset, name: str, v: float) -> str:
    unit = units_tex(ds[name].attrs.get("units", "")) if name in ds.variables else ""
    return f"{_symbol(ds, name)} = {value_tex(v)}" + (f" {unit}" if unit else "")


def _meta(ds: xr.Dataset, name: str, default):
    """A JSON attr the store records about its scenario; stores written before it existed ask the
    installed scenario (built with the store's options)."""
    if name in ds.attrs:
        value = ds.attrs[name]
        return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value
    try:
        from llpscan.detectors.registry import get_scenario

        sc = get_scenario(ds.attrs.get("scenario", ""), json.loads(ds.attrs.get("options", "{}")))
    except Exception:  # noqa: BLE001 - an unknown or changed scenario: nothing to add
        return default
    if name == "switches":
        return [{"parameter": w.parameter, "value": w.value, "note": w.note} for w in sc.switches]
    if name == "derived_parameters":
        return {k: {"variable": v, "note": n} for k, (v, n) in sc.derived_parameters.items()}
    if name == "option_defaults":
        return {k: v[0] for k, v in sc.options.items()}
    return default


def _changed_options(ds: xr.Dataset) -> dict[str, str]:
    options = json.loads(ds.attrs.get("options", "{}"))
    defaults = _meta(ds, "option_defaults", {})
    return {k: v for k, v in options.items() if defaults.get(k) != v}


def variant_label(ds: xr.Dataset) -> str:
    """The scenario and the options that differ from its defaults: ``belle2-alp-invisible
    (background=zero)``."""
    changed = _changed_options(ds)
    name = ds.attrs.get("scenario", "?")
    return name + (" (" + ", ".join(f"{k}={v}" for k, v in changed.items()) + ")" if changed else "")


def _title(ds: xr.Dataset, text: str) -> str:
    head = ds.attrs.get("description") or ds.attrs.get("scenario", "")
    changed = _changed_options(ds)
    tail = text + ("; options: " + ", ".join(f"{k}={v}" for k, v in changed.items()) if changed else "")
    return "\n".join(textwrap.wrap(head, 88) + [tail])


def _fixed_lines(ds: xr.Dataset, sub: xr.Dataset, x: str, y: str) -> list[str]:
    """The values the figure holds fixed, as used: derived ones (an option overrides the stored
    value) as their derived value, or the rule that derives them where it varies across the figure."""
    derived = _meta(ds, "derived_parameters", {})
    lines = []
    for c in sub.coords:
        da = sub[c]
        if da.ndim != 0 or c in (x, y, "search") or da.dtype.kind != "f" or "latex" not in da.attrs:
            continue
        if c in derived:
            var, note = derived[c].get("variable", ""), derived[c].get("note", "")
            used = sub[var] if var in sub else None
            if used is not None and "search" in used.dims:
                used = used.isel(search=0, drop=True)
            if used is not None and (used.ndim == 0 or np.ptp(used.values) == 0):
                lines.append(f"{_symbol(ds, c)} = {float(np.asarray(used.values).ravel()[0]):.4g} ({note})")
            else:
                lines.append(f"{_symbol(ds, c)}: {note}")
            continue
        lines.append(_value_label(ds, c, float(da)))
    return lines


# --- drawing --------------------------------------------------------------------------------------

@dataclass
class _Style:
    colour: str
    linestyle: object = "-"
    linewidth: float = 1.5
    hatch: str | None = None


def _new_axes(ax):
    if ax is not None:
        return ax, False
    _fig, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
    return ax, True


def _others(q: xr.DataArray, x: str, y: str) -> list[str]:
    return [d for d in q.dims if d not in (x, y, "search") and q.sizes[d] > 1]


def _prepare(ds: xr.Dataset, x: str, y: str, sel: dict | None, level: float | None):
    check_axes(ds, x, y)
    check_not_selected(sel or {}, x, y)
    q, lvl, text = store_exclusion(ds, level)
    sub = select(ds.assign(_exclusion=q), {k: str(v) for k, v in (sel or {}).items()})
    for name in (x, y):
        if name not in sub["_exclusion"].dims or sub.sizes[name] < 2:
            raise ConfigError(f"{name}: a figure needs at least 2 values of each axis (this store has "
                              f"{sub[name].size if name in sub.coords else 0} after --sel)")
    return sub, lvl, text


def _closed(ds: xr.Dataset, sub: xr.Dataset, point: dict) -> xr.DataArray | None:
    """Where the ``allowed`` mask is 0 at ``point`` (a data set combined in a sum counts as open
    where any of them is)."""
    if "allowed" not in sub:
        return None
    combine = [d for d in json.loads(ds.attrs.get("combine", "[]")) if d not in sub["_exclusion"].dims]
    allowed = sub["allowed"]
    allowed = allowed.max([d for d in combine if d in allowed.dims])
    allowed = allowed.sel({d: v for d, v in point.items() if d in allowed.dims})
    return (allowed == 0).squeeze(drop=True).compute()


def _draw(ax, ds, sub, x, y, lvl, labels, style_of, name_of, band, log_x, fill=True):
    """Regions and outlines of every (search, other-axes value) curve; the band if asked."""
    q_all = sub["_exclusion"]
    others = _others(q_all, x, y)
    combos = list(itertools.product(*(range(q_all.sizes[d]) for d in others)))
    drawn = []
    for label, combo in itertools.product(labels, combos):
        point = {d: q_all[d].values[i] for d, i in zip(others, combo)}
        q = q_all.sel(search=label, **point).squeeze(drop=True).compute()
        style = style_of(label, dict(zip(others, combo)))
        region = excluded_regions(q, x, y, lvl, _closed(ds, sub, point), log_x=log_x)
        if fill:
            for verts, codes in region.polygons:
                ax.add_patch(PathPatch(MplPath(verts, codes), facecolor=style.colour if not style.hatch else "none",
                                       alpha=FILL_ALPHA if not style.hatch else 0.5, edgecolor=style.colour if style.hatch else "none",
                                       hatch=style.hatch, linewidth=0.0, zorder=1))
        name = name_of(label, point)
        for i, line in enumerate(region.outline):
            ax.plot(line[:, 0], line[:, 1], color=style.colour, ls=style.linestyle, lw=style.linewidth,
                    label=name if i == 0 else None, zorder=3)
        if not region.outline and region.polygons:  # the region fills the grid: a legend entry all the same
            ax.plot([], [], color=style.colour, ls=style.linestyle, lw=style.linewidth, label=name)
        if band is not None:
            b = band.sel(search=label, **point) if "search" in band.dims else band.sel(**point)
            b = b.squeeze(drop=True).compute()
            xs = b[x].values
            for lo, hi in (("lower_band_lo", "lower_band_hi"), ("upper_band_lo", "upper_band_hi")):
                a, c = b[lo].values, b[hi].values
                ok = np.isfinite(a) & np.isfinite(c) & (c > a)
                if ok.any():
                    ax.fill_between(xs, np.where(ok, a, np.nan), np.where(ok, c, np.nan), where=ok, color=style.colour,
                                    alpha=BAND_ALPHA, linewidth=0.0, zorder=2)
        drawn.append((label, point, region))
    return drawn


def _mark_switches(ax, ds, x, y):
    """Thin markers at the scenario's declared switches on the x (or y) axis, with footnotes.

    A switch gets one letter per figure (panels and stores that share it share the letter and the
    footnote); each axes draws its marker once.
    """
    lo_x, hi_x = float(ds[x].min()), float(ds[x].max())
    lo_y, hi_y = float(ds[y].min()), float(ds[y].max())
    fig = ax.figure
    letters = getattr(fig, "_llpscan_letters", {})
    fig._llpscan_letters = letters
    notes = getattr(fig, "_llpscan_notes", [])
    fig._llpscan_notes = notes
    marked = getattr(ax, "_llpscan_marks", set())
    ax._llpscan_marks = marked
    new = []
    for w in _meta(ds, "switches", []):
        key = (w["parameter"], float(w["value"]))
        on_x = w["parameter"] == x and lo_x < w["value"] < hi_x
        on_y = w["parameter"] == y and lo_y < w["value"] < hi_y
        if not (on_x or on_y) or key in marked:
            continue
        if key not in letters:
            letters[key] = "abcdefghijklmnop"[len(letters) % 16]
            notes.append(f"{letters[key]}: {_value_label(ds, w['parameter'], w['value'])}: {w['note']}")
        mark = letters[key]
        marked.add(key)
        new.append(mark)
        if on_x:
            ax.axvline(w["value"], color="0.45", lw=0.7, ls=(0, (2, 2)), zorder=2)
            ax.annotate(mark, (w["value"], 1.0), xycoords=("data", "axes fraction"), xytext=(2, -9),
                        textcoords="offset points", fontsize=7, color="0.3", style="italic",
                        annotation_clip=True, in_layout=False)  # hidden, not laid out, if the x range moves
        else:
            ax.axhline(w["value"], color="0.45", lw=0.7, ls=(0, (2, 2)), zorder=2)
            ax.annotate(mark, (1.0, w["value"]), xycoords=("axes fraction", "data"), xytext=(-8, 2),
                        textcoords="offset points", fontsize=7, color="0.3", style="italic",
                        annotation_clip=True, in_layout=False)
    if notes:
        # footnotes once per figure, as the figure's bottom label, which constrained layout and
        # bbox_inches="tight" both keep in view
        width = max(30, int(15 * fig.get_figwidth()))  # about 15 characters of 6.5 pt text per inch
        text = "\n".join(textwrap.fill(n, width, subsequent_indent="    ") for n in notes)
        fig.supxlabel(text, fontsize=6.5, color="0.3", multialignment="left")
    return new


def _finish(ax, ds, x, y, title, fixed, created, out, reached=True):
    ax.set_yscale("log")
    if log_scale(ds[x].values):
        ax.set_xscale("log")
    ax.set_xlabel(axis_label(ds, x))
    ax.set_ylabel(axis_label(ds, y))
    ax.set_xlim(float(ds[x].min()), float(ds[x].max()))
    ax.set_ylim(float(ds[y].min()), float(ds[y].max()))
    ax.set_title(title, fontsize=8.5)
    handles = ax.get_legend_handles_labels()[0]
    # the values held fixed head the legend (one box, placed where it covers least), else stand alone
    head = {"title": "\n".join(fixed), "title_fontsize": 7, "alignment": "left"} if fixed else {}
    if len(handles) > 4 and created:  # many curves: the legend goes beside the axes, not over them
        ax.figure.set_size_inches(10.0, 4.8)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, **head)
    elif handles:
        ax.legend(fontsize=7 if len(handles) > 4 else 8, loc="best", framealpha=0.85, **head)
    elif fixed:
        ax.text(0.02, 0.02, "\n".join(fixed), transform=ax.transAxes, fontsize=7, va="bottom",
                bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 1.5}, zorder=5)
    if not reached:
        ax.text(0.5, 0.5, "no reach at this level", transform=ax.transAxes, ha="center")
    if out is not None:
        _save(ax.figure, out)
        if created and "inline" not in plt.get_backend():
            plt.close(ax.figure)  # written and not shown: do not keep it open
    return ax


def _save(fig, out: Path) -> None:
    """Write beside and rename: a full disk never leaves half a figure (nor replaces a good one)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=out.suffix, dir=out.parent)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=150, bbox_inches="tight", format=out.suffix.lstrip(".").lower())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, out)
    except OSError as e:
        raise StorageError(f"cannot write the figure {out}: {e.strerror or e}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _check_out(out):
    return None if out is None else check_figure_path(out)


def _xy(ds, x, y):
    if x is None or y is None:
        from llpscan.scanner.api import default_xy

        dx, dy = default_xy(ds)
        x, y = x or dx, y or dy
    return x, y


def plot_reach(ds: xr.Dataset, x: str | None = None, y: str | None = None, *, ax=None, out=None,
               sel: dict | None = None, searches: list[str] | None = None, level: float | None = None,
               title: str | None = None, band=None, limits=(), switches: bool = True, fill: bool = True):
    """Draw the reach of ``ds`` (an opened store) in (x, y) and return the matplotlib Axes.

    Args:
        ds: a stored scan (:func:`llpscan.open`).
        x, y: axes (default: the scan's figure axes).
        ax: draw into these Axes (default: a new figure).
        out: also write the figure to this path (PNG, PDF, SVG, ...).
        sel: values of other axes (nearest grid point), e.g. ``{"m_a": 4.7}``; axes left free
            give one curve per value (line styles).
        searches: searches to draw (default: all, a colour each).
        level: n_signal threshold in events instead of the store's statistic.
        title: replaces the default (the store's description, statistic and changed options).
        band: ``"mc"`` (+-1 sigma Monte-Carlo band of every boundary) or a list of other opened
            stores of the same grid (their envelope with ``ds``: a theory band).
        limits: existing limits to draw underneath (:class:`llpscan.scanner.limits.ExistingLimit`).
        switches: mark the theory switches the scenario declares.
        fill: shade the excluded side of every curve.
    """
    x, y = _xy(ds, x, y)
    if searches is not None and (isinstance(searches, str) or not all(isinstance(s, str) for s in searches)):
        raise ConfigError(f"searches must be a list of search labels, got {searches!r}")
    labels = list(searches) if searches else check_searches(ds, [])
    check_searches(ds, labels)
    out = _check_out(out)
    sub, lvl, text = _prepare(ds, x, y, sel, level)
    ax, created = _new_axes(ax)
    log_x = log_scale(ds[x].values)
    _draw_limits(ax, limits, ds, x, y)
    store_labels = [str(s) for s in ds["search"].values]
    primary = ds.attrs.get("primary_search") or ""
    # the store's searches, not the ones drawn, decide the scheme: the same curve keeps its style
    several = len(store_labels) > 1

    def style_of(label, index):
        k = store_labels.index(label)
        j = _flat(index, sub["_exclusion"])
        if several:
            return _Style(COLOURS[k % len(COLOURS)], LINESTYLES[j % len(LINESTYLES)], 2.0 if label == primary else 1.4)
        # a store with one search: a colour and a line style per value of the other axes
        return _Style(COLOURS[j % len(COLOURS)], LINESTYLES[j % len(LINESTYLES)] if index else "-", 1.6)

    def name_of(label, point):
        parts = [label] if several or not point else []
        parts += [_value_label(ds, d, float(v)) for d, v in point.items()]
        return ", ".join(parts) or label

    b = _band(ds, sub, band, x, y, level, sel)
    drawn = _draw(ax, ds, sub, x, y, lvl, labels, style_of, name_of, b, log_x, fill=fill)
    if b is not None:
        ax.fill_between([], [], [], color="0.5", alpha=BAND_ALPHA, linewidth=0.0, label=_band_label(b))
    if switches:
        _mark_switches(ax, ds, x, y)
    return _finish(ax, ds, x, y, title or _title(ds, text), _fixed_lines(ds, sub, x, y), created, out,
                   any(r.polygons for *_, r in drawn))


def _flat(index: dict, q: xr.DataArray) -> int:
    """One index for a combination of other-axis indices (row-major over their sizes)."""
    j = 0
    for d, i in index.items():
        j = j * q.sizes[d] + i
    return j


def _band(ds, sub, band, x, y, level, sel):
    if band is None:
        return None
    from llpscan.scanner.bands import band_of

    picks = {k: str(v) for k, v in (sel or {}).items()}
    others = band if isinstance(band, str) else [select(o, picks) for o in band]
    return band_of(select(ds, picks), others, x, y, level=level)


def _band_label(b: xr.Dataset) -> str:
    return "MC error, $\\pm 1\\sigma$" if b.attrs.get("band") == "mc" else "envelope of the variants"


def _draw_limits(ax, limits, ds, x, y) -> bool:
    if not limits:
        return False
    from llpscan.scanner.limits import draw_limits

    draw_limits(ax, limits, ds, x, y)
    return True


def plot_compare(datasets, x: str | None = None, y: str | None = None, *, ax=None, out=None,
                 sel: dict | None = None, search: str | None = None, level: float | None = None,
                 labels=None, title: str | None = None, band: str | None = None, limits=(),
                 switches: bool = True):
    """Overlay the reach of several stores (same axes) in one figure and return the Axes.

    Each store gets a colour (and, after the first, a hatched fill), each value of the other free
    axes a line style; a store draws ``search`` if it has it, else its primary search. The legend
    names each store by its scenario and the options that differ from the defaults (``labels``
    replaces them). ``band="envelope"`` adds the envelope of all stores as a band.
    """
    datasets = list(datasets)
    if not datasets:
        raise ConfigError("compare: no store given")
    x, y = _xy(datasets[0], x, y)
    out = _check_out(out)
    ax, created = _new_axes(ax)
    names = list(labels) if labels else [variant_label(d) for d in datasets]
    if len(set(names)) < len(names):  # same scenario and options: tell them apart by description
        names = [f"{n}: {d.attrs.get('description', '')[:40]}" for n, d in zip(names, datasets)]
    _draw_limits(ax, limits, datasets[0], x, y)
    texts, drawn = [], []
    for k, (ds, name) in enumerate(zip(datasets, names)):
        own = [str(s) for s in ds["search"].values]
        label = search if search in own else default_search(ds, quiet=True)
        if search is not None and search not in own:
            raise ConfigError(f"unknown search {search!r} in {name}; searches there: {', '.join(own)}")
        sub, lvl, text = _prepare(ds, x, y, sel, level)
        texts.append(text)
        colour, hatch = COLOURS[k % len(COLOURS)], HATCHES[k % len(HATCHES)]

        def style_of(_label, index, colour=colour, hatch=hatch, sub=sub):
            j = _flat(index, sub["_exclusion"])
            return _Style(colour, LINESTYLES[j % len(LINESTYLES)], 1.6, hatch)

        def name_of(_label, point, name=name, label=label, ds=ds):
            return ", ".join([f"{name} [{label}]"] + [_value_label(ds, d, float(v)) for d, v in point.items()])

        drawn += _draw(ax, ds, sub, x, y, lvl, [label], style_of, name_of, None, log_scale(ds[x].values))
    if band == "envelope" and len(datasets) > 1:
        from llpscan.scanner.bands import envelope

        picks = {k: str(v) for k, v in (sel or {}).items()}
        first = datasets[0]
        label = search if search is not None else default_search(first, quiet=True)
        b = envelope([select(d, picks) for d in datasets], x, y, level=level, search=label)
        others = [d for d in b["lower"].dims if d != x and b.sizes[d] > 1]
        for combo in itertools.product(*(b[d].values for d in others)):
            bb = b.sel(dict(zip(others, combo))).squeeze(drop=True).transpose(x, ...).compute()
            for lo, hi in (("lower_band_lo", "lower_band_hi"), ("upper_band_lo", "upper_band_hi")):
                a, c = bb[lo].values, bb[hi].values
                ok = np.isfinite(a) & np.isfinite(c) & (c > a)
                ax.fill_between(bb[x].values, np.where(ok, a, np.nan), np.where(ok, c, np.nan), where=ok,
                                color="0.35", alpha=0.25, linewidth=0.0, zorder=2)
        ax.fill_between([], [], [], color="0.35", alpha=0.25, linewidth=0.0, label="envelope of the stores")
    elif band not in (None, "envelope"):
        raise ConfigError(f"compare --band {band!r}: only 'envelope'")
    if switches:
        for ds in datasets:  # each store's own switches (an option may move them)
            _mark_switches(ax, ds, x, y)
    first = datasets[0]
    head = title or "\n".join(textwrap.wrap(first.attrs.get("description", ""), 88)
                              + [f"{len(datasets)} stores: " + "; ".join(dict.fromkeys(texts))])
    sub0 = _prepare(first, x, y, sel, level)[0]
    return _finish(ax, first, x, y, head, _fixed_lines(first, sub0, x, y), created, out,
                   any(r.polygons for *_, r in drawn))
