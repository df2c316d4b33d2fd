"""Existing limits to draw under a reach figure: from files, or from the ``hnlimits`` package.

**File format** (CSV or JSON, units stated; ``docs/figures.md`` has examples). CSV: comment lines
``# key: value`` first, then a header with the columns ``x``, ``y`` and optionally ``label`` and
``reference`` (rows with the same label form one curve, in file order)::

    # x_units: GeV            (required: the unit of the x values)
    # y_units: 1              (required; "1" for dimensionless)
    # x_name: m_N             (optional: the figure axis these are values of; checked)
    # y_name: V2              (optional)
    # excluded: above         (above | below | inside: the side of the curve that is excluded;
    #                          inside: the points are a closed polygon; default above)
    # label: Belle (2013)     (the legend text when there is no label column)
    # reference: arXiv:1301.1105
    x,y,label
    0.5,1.2e-4,Belle (2013)

JSON: an object with the same keys and ``limits``, a list of objects each with ``label``, ``x``,
``y`` (lists) and optionally ``reference`` and ``excluded``. Units convert between eV, keV, MeV,
GeV and TeV (and their inverses, e.g. ``GeV^-1``); any other mismatch with the figure's axis is an
error.

**hnlimits** (``pip install llpscan[limits]``): the heavy-neutral-lepton limits collected by
``HNLimits`` (M. Hostert et al.), each with its INSPIRE key as reference. Note: HNLimits 1.2.0 reads
its table of limits (labels, references, confidence levels) from a Google Sheet on line; without a
network give ``sheet_dir``, a folder holding that sheet saved as ``U{flavour}4.csv``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from llpscan.errors import ConfigError

__all__ = ["ExistingLimit", "read_limits", "hnlimits_limits", "draw_limits", "convert_units"]

SIDES = ("above", "below", "inside")
_ENERGY = {"eV": 1e-9, "keV": 1e-6, "MeV": 1e-3, "GeV": 1.0, "TeV": 1e3}
#: grey shades for other people's limits: the reach curves keep the colours
_GREYS = ["0.55", "0.72", "0.40", "0.82", "0.62", "0.30"]


@dataclass
class ExistingLimit:
    """One existing limit: a curve (or closed polygon) in the units of ``x_units``/``y_units``."""

    label: str
    x: np.ndarray
    y: np.ndarray
    x_units: str
    y_units: str
    excluded: str = "above"
    reference: str = ""
    x_name: str = ""
    y_name: str = ""
    note: str = ""
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.x = np.asarray(self.x, dtype=float)
        self.y = np.asarray(self.y, dtype=float)
        if self.x.shape != self.y.shape or self.x.ndim != 1 or self.x.size < 2:
            raise ConfigError(f"limit {self.label!r}: x and y must be lists of the same length (at least 2)")
        if self.excluded not in SIDES:
            raise ConfigError(f"limit {self.label!r}: excluded={self.excluded!r}; allowed {', '.join(SIDES)}")


def convert_units(values, have: str, want: str, what: str):
    """``values`` in ``have`` expressed in ``want`` (energies and inverse energies); ConfigError else.

    >>> float(convert_units(150.0, "MeV", "GeV", "x"))
    0.15
    >>> float(convert_units(1.0, "TeV^-1", "GeV^-1", "y"))
    0.001
    """
    v = np.asarray(values, dtype=float)
    if have == want or (have in ("", "1") and want in ("", "1")):
        return v
    for unit_have, unit_want, power in ((have, want, 1),
                                        (have.removesuffix("^-1"), want.removesuffix("^-1"), -1)):
        if power == -1 and not (have.endswith("^-1") and want.endswith("^-1")):
            continue
        if unit_have in _ENERGY and unit_want in _ENERGY:
            return v * (_ENERGY[unit_have] / _ENERGY[unit_want]) ** power
    raise ConfigError(f"limit {what} units {have!r} cannot be converted to the figure's {want!r}")


def _meta_lines(text: str) -> tuple[dict, str]:
    meta, body = {}, []
    for line in text.splitlines():
        m = re.match(r"\s*#\s*([A-Za-z_]+)\s*:\s*(.*?)\s*$", line)
        if m:
            meta[m.group(1).lower()] = m.group(2)
        elif line.strip() and not line.lstrip().startswith("#"):
            body.append(line)
    return meta, "\n".join(body)


def _require_units(meta: dict, where: str):
    for key in ("x_units", "y_units"):
        if not meta.get(key):
            raise ConfigError(f"{where}: the units must be stated ({key}: ...)")


def read_limits(path) -> list[ExistingLimit]:
    """The limits in a CSV or JSON file (format in the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"limits file {path} does not exist")
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        try:
            doc = json.loads(text)
        except ValueError as e:
            raise ConfigError(f"{path}: not valid JSON: {e}") from None
        _require_units(doc, str(path))
        items = doc.get("limits")
        if not isinstance(items, list) or not items:
            raise ConfigError(f"{path}: 'limits' must be a non-empty list of {{label, x, y}} objects")
        out = []
        for item in items:
            if not {"label", "x", "y"} <= set(item):
                raise ConfigError(f"{path}: every limit needs label, x and y")
            out.append(ExistingLimit(item["label"], item["x"], item["y"], doc["x_units"], doc["y_units"],
                                     item.get("excluded", doc.get("excluded", "above")),
                                     item.get("reference", doc.get("reference", "")),
                                     doc.get("x_name", ""), doc.get("y_name", "")))
        return out
    meta, body = _meta_lines(text)
    _require_units(meta, str(path))
    rows = list(csv.DictReader(io.StringIO(body)))
    if not rows or not {"x", "y"} <= set(rows[0]):
        raise ConfigError(f"{path}: expected a header with the columns x, y (and label)")
    curves: dict[str, dict] = {}
    for i, row in enumerate(rows):
        label = (row.get("label") or meta.get("label") or path.stem).strip()
        try:
            xv, yv = float(row["x"]), float(row["y"])
        except (TypeError, ValueError):
            raise ConfigError(f"{path}: row {i + 1}: x and y must be numbers") from None
        c = curves.setdefault(label, {"x": [], "y": [], "reference": (row.get("reference") or meta.get("reference", "")).strip()})
        c["x"].append(xv)
        c["y"].append(yv)
    return [ExistingLimit(label, c["x"], c["y"], meta["x_units"], meta["y_units"], meta.get("excluded", "above"),
                          c["reference"], meta.get("x_name", ""), meta.get("y_name", ""))
            for label, c in curves.items()]


def hnlimits_limits(flavour: str = "e", nature: str = "majorana", *, combined: bool = True,
                    mass_range: tuple[float, float] = (0.1, 5.0), sheet_dir=None) -> list[ExistingLimit]:
    """Existing limits on ``|U_flavour N|^2`` against m_N (GeV) from the ``HNLimits`` package.

    ``combined``: one region, the strongest limit at each mass over the package's curves (its
    ``get_combined_limit_func``, 90% CL after its own rescaling), on ``mass_range``; otherwise one
    limit per experiment. ``nature``: ``majorana`` (Wang, Zhang & Liu's N) or ``dirac`` (the
    package rescales limits quoted for the other). The package's INSPIRE keys become references.
    """
    try:
        from HNLimits import hnl_tools
    except ImportError:
        raise ConfigError("hnlimits is not installed: pip install 'llpscan[limits]'") from None
    try:
        limits = _hnlimits_table(hnl_tools, flavour, nature, sheet_dir)
    except Exception as e:  # noqa: BLE001 - the package fails in many ways off line
        raise ConfigError(f"hnlimits could not load its table of limits ({type(e).__name__}: {str(e)[:120]}); "
                          f"HNLimits reads it from a Google Sheet on line: without a network pass a folder "
                          f"holding U{flavour}4.csv (the sheet saved as CSV)") from None
    table = limits.limits
    refs = [str(r).strip() for r in table["reference"].dropna()] if "reference" in table else []
    if combined:
        m = np.geomspace(*mass_range, 400)
        with contextlib.redirect_stdout(io.StringIO()):
            func = limits.get_combined_limit_func(xrange=list(mass_range), npoints=400)
        if func is None:
            raise ConfigError(f"hnlimits has no limit on |U_{flavour}N|^2 in {mass_range} GeV")
        u = np.minimum(func(m), 1.0)
        return [ExistingLimit(f"existing limits on $|U_{{{flavour}N}}|^2$ (HNLimits)", m, u, "GeV", "1", "above",
                              ", ".join(dict.fromkeys(refs)), "m_N", "", note="90% CL, HNLimits combination")]
    out = []
    for lid, row in table.iterrows():
        if row.get("m4") is None or np.size(row["m4"]) < 2:
            continue
        label = str(row.get("plot_label") or lid)
        ref = str(row.get("reference") or "").strip()
        if row.get("m4_top") is not None and np.size(row["m4_top"]) > 1 and row.get("file_top") != row.get("file_bottom"):
            x = np.concatenate([row["m4"], np.asarray(row["m4_top"])[::-1]])
            y = np.concatenate([row["ualpha4"], np.asarray(row["ualpha4_top"])[::-1]])
            out.append(ExistingLimit(label, x, y, "GeV", "1", "inside", ref, "m_N", "", note="90% CL"))
        elif row.get("file_top") is not None and row.get("file_top") == row.get("file_bottom"):
            out.append(ExistingLimit(label, row["m4"], row["ualpha4"], "GeV", "1", "inside", ref, "m_N", "", note="90% CL"))
        else:
            out.append(ExistingLimit(label, row["m4"], row["ualpha4"], "GeV", "1", "above", ref, "m_N", "", note="90% CL"))
    return out


def _none_for_missing(df):
    """Empty cells as None, which HNLimits tests for: its ``df.where(df.notnull(), None)`` leaves NaN
    in pandas >= 3 string columns (an empty ``file_top`` then reads as a path)."""
    return df.astype(object).where(df.notna(), None)


def _hnlimits_table(hnl_tools, flavour, nature, sheet_dir):
    """HNLimits' ``Limits`` table, with two shims for HNLimits 1.2.0: empty cells made None (pandas
    3), and its off-line path given the folder of the saved sheet (it calls ``load_local_sheet``
    without one). The package's functions are restored afterwards."""
    saved = hnl_tools.work_environment, hnl_tools.load_local_sheet, hnl_tools.load_google_sheet
    env, load_local, load_google = saved
    if sheet_dir is not None:
        folder = str(Path(sheet_dir))
        hnl_tools.work_environment = "offline"
        hnl_tools.load_local_sheet = lambda sheet_name, **kw: _none_for_missing(load_local(folder, sheet_name=sheet_name, **kw))
    hnl_tools.load_google_sheet = lambda *a, **kw: _none_for_missing(load_google(*a, **kw))
    try:
        # its constructor prints a note when its own combination (pandas 3 again) finds nothing
        with contextlib.redirect_stdout(io.StringIO()):
            table = hnl_tools.Limits(flavor=flavour, invisible=False, nature=nature)
        table.limits = _none_for_missing(table.limits)  # DataFrame.apply turned the None back into NaN
        return table
    finally:
        hnl_tools.work_environment, hnl_tools.load_local_sheet, hnl_tools.load_google_sheet = saved


def _for_axes(limit: ExistingLimit, ds, x: str, y: str) -> tuple[np.ndarray, np.ndarray]:
    for have, want in ((limit.x_name, x), (limit.y_name, y)):
        if have and have != want:
            raise ConfigError(f"limit {limit.label!r} is drawn in {limit.x_name or '?'}/{limit.y_name or '?'}, "
                              f"the figure in {x}/{y}")
    xs = convert_units(limit.x, limit.x_units, ds[x].attrs.get("units", ""), "x")
    ys = convert_units(limit.y, limit.y_units, ds[y].attrs.get("units", ""), "y")
    return xs, ys


def draw_limits(ax, limits, ds, x: str, y: str) -> None:
    """Grey regions (the excluded side) and outlines of ``limits`` under the figure's curves."""
    y_lo, y_hi = float(ds[y].min()), float(ds[y].max())
    for k, limit in enumerate(limits):
        xs, ys = _for_axes(limit, ds, x, y)
        grey = _GREYS[k % len(_GREYS)]
        text = limit.label + (f" [{limit.reference}]" if limit.reference and len(limit.reference) < 40 else "")
        if limit.excluded == "inside":
            ax.fill(xs, ys, facecolor=grey, alpha=0.35, edgecolor=grey, lw=0.8, zorder=0.5, label=text)
            continue
        order = np.argsort(xs, kind="stable")
        xs, ys = xs[order], ys[order]
        edge = y_hi * 10 if limit.excluded == "above" else y_lo / 10
        ax.fill_between(xs, ys, edge, facecolor=grey, alpha=0.35, linewidth=0.0, zorder=0.5, label=text)
        ax.plot(xs, ys, color=grey, lw=0.8, zorder=0.6)
