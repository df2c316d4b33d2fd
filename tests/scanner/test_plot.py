"""Figures: what is drawn is what ``reach`` computes, labelled as the scenario writes its parameters.

The references are ``reach`` (tested on its own in test_boundaries.py) and numbers the tests set
(toy Datasets with a chosen acceptance), never the plotting code itself.
"""

import json
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")  # the tests write files; the library itself chooses no backend (tested below)

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.patches import PathPatch  # noqa: E402

from llpscan import scanner  # noqa: E402
from llpscan.scanner.boundaries import reach  # noqa: E402
from llpscan.scanner.plot import contour_lines, excluded_regions, log_scale, plot_reach, units_tex  # noqa: E402
from llpscan.scanner.reading import reach_table  # noqa: E402
from tests.conftest import ROOT  # noqa: E402
from tests.scanner.toys import grid_x, grid_y, toy  # noqa: E402

X = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
Y = np.geomspace(1e-6, 1e-1, 11)
LEVEL = 3.0


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def island():
    """q = A(x) (y/1e-4) exp(-y/1e-3): a band in y whose depth follows A. No exclusion at x = 0.1 and
    0.3 (A = 0: two separate pieces), a hole inside the band at x = 0.4, an exact zero next to a
    passing point (x = 0.4, upper side), an unfinished (NaN) point next to one (x = 0.5, lower
    side), and x = 0.6 kinematically closed although A is large there."""
    a = np.array([0.0, 50.0, 0.0, 80.0, 30.0, 1e3])
    acc = a[:, None] * (Y / 1e-4) * np.exp(-Y / 1e-3)
    acc[3, 5] = 0.0  # hole between two passing points
    acc[3, 7] = 0.0  # a zero just above the band's last passing point
    acc[4, 2] = np.nan  # unfinished, just below the first passing point
    return toy(acc, grid_x(X), grid_y(Y), allowed=[1, 1, 1, 1, 1, 0])


def _q(ds):
    return ds["n_signal"].sel(search="s").where(ds["allowed"] != 0, 0.0)


def shown(ax) -> str:
    """Every text drawn on the axes, the legend's title (the fixed values) included."""
    texts = [t.get_text() for t in ax.texts]
    if ax.get_legend() is not None:
        texts.append(ax.get_legend().get_title().get_text())
    return "\n".join(texts)


def _vertices(region):
    return np.vstack([v for v, _ in region.polygons]) if region.polygons else np.empty((0, 2))


def test_log_scale_only_for_positive_axes_spanning_decades():
    assert log_scale([1e-5, 1e3])
    assert not log_scale([0.1, 2.3])  # a mass range: linear
    assert not log_scale([0.0, 1e3])  # not positive
    assert not log_scale([5.0])


@pytest.mark.parametrize("log_x", [False, True])
def test_contour_of_a_power_law_follows_it(log_x):
    # n = x * y crosses 1 on y = 1/x: a straight line in log-log, so interpolating in log x and log y
    # is exact at any grid spacing; in linear x only at the grid points themselves
    x = np.geomspace(1e-2, 1e2, 9) if log_x else np.linspace(1.0, 5.0, 9)
    y = np.geomspace(1e-3, 1e3, 31)
    n = xr.DataArray(x[:, None] * y[None, :], coords={"x": x, "y": y}, dims=("x", "y"))
    (line,) = contour_lines(n, "x", "y", 1.0, log_x=log_x)
    at_nodes = np.isin(np.round(line[:, 0], 12), np.round(x, 12))
    pts = line if log_x else line[at_nodes]
    np.testing.assert_allclose(pts[:, 1], 1.0 / pts[:, 0], rtol=1e-9)


def test_region_edges_on_every_grid_line_are_reachs_boundaries():
    ds = island()
    q = _q(ds)
    r = reach(q.transpose("m", "u"), "u", LEVEL).compute()
    region = excluded_regions(q, "m", "u", LEVEL, ds["allowed"] == 0)
    verts = _vertices(region)
    for xv, lo, up in zip(X, r["lower"].values, r["upper"].values):
        on = verts[np.isclose(verts[:, 0], xv, rtol=0, atol=1e-12)]
        if np.isnan(lo):  # reach finds nothing here: the region does not touch this grid line
            assert on.size == 0, xv
            continue
        # exact: the contour interpolates like reach, also next to the zero (x = 0.4) and the NaN (x = 0.5)
        np.testing.assert_allclose([on[:, 1].min(), on[:, 1].max()], [lo, up], rtol=1e-12)


def test_filled_region_holds_exactly_the_points_reach_calls_excluded():
    ds = island()
    q = _q(ds).transpose("u", "m").values
    region = excluded_regions(_q(ds), "m", "u", LEVEL, ds["allowed"] == 0)
    mx, my = np.meshgrid(X, Y)
    # points on the grid's border are nudged inwards so that "inside" is not decided on an edge
    px = np.clip(mx, X[0] + 1e-9, X[-1] - 1e-9)
    py = np.clip(my, Y[0] * (1 + 1e-9), Y[-1] * (1 - 1e-9))
    px = np.where(mx == X[4], X[4] - 1e-9, px)  # the closing edge at the mask runs through x = 0.5
    inside = region.contains(np.column_stack([px.ravel(), py.ravel()])).reshape(q.shape)
    excluded = np.nan_to_num(q, nan=0.0) >= LEVEL
    assert excluded.sum() > 10
    np.testing.assert_array_equal(inside, excluded)


def test_separate_pieces_are_not_joined_across_a_gap():
    # defect (a): a band filled straight across x values where reach finds no exclusion
    ds = island()
    region = excluded_regions(_q(ds), "m", "u", LEVEL, ds["allowed"] == 0)
    middle = np.column_stack([np.full(40, 0.3), np.geomspace(Y[0], Y[-1], 40)])
    assert not region.contains(middle).any()
    assert region.contains([[0.2, 1e-3], [0.4, 1e-3]]).all()


def test_region_ends_closed_where_the_allowed_mask_ends():
    # defect (c): no leak into the kinematically closed x = 0.6, and a closing edge at x = 0.5
    ds = island()
    q = _q(ds)
    region = excluded_regions(q, "m", "u", LEVEL, ds["allowed"] == 0)
    assert _vertices(region)[:, 0].max() == pytest.approx(0.5, abs=1e-12)
    r = reach(q.transpose("m", "u"), "u", LEVEL).compute().sel(m=0.5)
    closing = [line for line in region.outline if np.isclose(line[:, 0], 0.5, atol=1e-12).sum() >= 2]
    assert closing, "the outline does not close at the last open grid line"
    ys = np.concatenate([line[np.isclose(line[:, 0], 0.5, atol=1e-12), 1] for line in closing])
    np.testing.assert_allclose([ys.min(), ys.max()], [float(r["lower"]), float(r["upper"])], rtol=1e-12)


def test_the_figure_draws_the_region_and_its_outline():
    ds = island()
    ax = plot_reach(ds, "m", "u")
    region = excluded_regions(_q(ds), "m", "u", LEVEL, ds["allowed"] == 0)
    patches = [p for p in ax.patches if isinstance(p, PathPatch)]
    assert len(patches) == len(region.polygons) >= 2
    for p, (verts, _) in zip(patches, region.polygons):
        np.testing.assert_allclose(p.get_path().vertices, verts)
    drawn = [np.column_stack(line.get_data()) for line in ax.lines if line.get_linestyle() != "None"
             and line.get_color() != "0.45"]
    assert len(drawn) == len(region.outline)
    for a, b in zip(drawn, region.outline):
        np.testing.assert_allclose(a, b)


def test_drawn_curve_on_a_stored_scan_matches_the_reach_table(small_store):
    ds = scanner.open(small_store)
    ax = plot_reach(ds, "m_N", "V2", sel={"m_a": 4.7}, searches=["1DV"])
    table = reach_table(ds, "m_N", "V2", {"m_a": "4.7"}, "1DV", None)
    verts = np.vstack([p.get_path().vertices for p in ax.patches if isinstance(p, PathPatch)])
    for row in table["rows"]:
        on = verts[np.isclose(verts[:, 0], row["m_N"], rtol=0, atol=1e-12)]
        if row["lower"] is None:
            assert on.size == 0
        else:
            np.testing.assert_allclose([on[:, 1].min(), on[:, 1].max()], [row["lower"], row["upper"]], rtol=1e-12)


@pytest.mark.parametrize("m_a", [4.2, 4.7])
def test_region_of_a_stored_scan_holds_exactly_its_excluded_grid_points(small_store, m_a):
    ds = scanner.open(small_store)
    sub = ds.sel(m_a=m_a, search="2DV")
    q = sub["n_signal"].compute()
    region = excluded_regions(q, "m_N", "V2", 3.0, (sub["allowed"] == 0).compute())
    x, y = q["m_N"].values, q["V2"].values
    mx, my = np.meshgrid(x, y, indexing="ij")
    # nudged towards the middle of the grid: "inside" is not decided on an edge of the region
    px = mx + 1e-9 * np.sign(x.mean() - mx)
    py = my * (1 + 1e-9 * np.sign(np.log(y).mean() - np.log(my)))
    inside = region.contains(np.column_stack([px.ravel(), py.ravel()])).reshape(mx.shape)
    excluded = q.transpose("m_N", "V2").values >= 3.0
    assert excluded.any() and (~excluded).any()
    np.testing.assert_array_equal(inside, excluded)


def test_labels_title_and_fixed_values_come_from_the_scenario(small_store):
    ds = scanner.open(small_store)
    ax = plot_reach(ds, "m_N", "V2")
    assert ax.get_xlabel() == "$m_N$ [GeV]" and ax.get_ylabel() == "$|V_{eN}|^2$"
    assert ax.get_title().startswith(ds.attrs["description"][:40])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "1DV, $m_a$ = 4.2 GeV" in legend and "2DV, $m_a$ = 4.7 GeV" in legend
    text = shown(ax)
    assert "$g_N/\\Lambda$ = $10^{-3}$ GeV$^{-1}$" in text


def test_colours_and_line_styles_are_paired_and_stable(small_store):
    ds = scanner.open(small_store)
    full = plot_reach(ds, "m_N", "V2")
    style = {ln.get_label(): (ln.get_color(), ln.get_linestyle()) for ln in full.lines if not ln.get_label().startswith("_")}
    # one colour per search, one line style per m_a, whatever else is drawn
    assert style["1DV, $m_a$ = 4.2 GeV"][0] == style["1DV, $m_a$ = 4.7 GeV"][0] != style["2DV, $m_a$ = 4.2 GeV"][0]
    assert style["1DV, $m_a$ = 4.2 GeV"][1] == style["2DV, $m_a$ = 4.2 GeV"][1] != style["2DV, $m_a$ = 4.7 GeV"][1]
    only = plot_reach(ds, "m_N", "V2", searches=["2DV"])
    again = {ln.get_label(): ln.get_color() for ln in only.lines if not ln.get_label().startswith("_")}
    assert again["2DV, $m_a$ = 4.7 GeV"] == style["2DV, $m_a$ = 4.7 GeV"][0]


def test_declared_switches_get_a_marker_and_a_footnote(small_store):
    # defect (d): the HNL hadronic switch at m_N = 2 GeV (physics/models/hnl.py) is marked
    ds = scanner.open(small_store)
    ax = plot_reach(ds, "m_N", "V2")
    markers = [ln for ln in ax.lines if ln.get_color() == "0.45"]
    assert [ln.get_xdata()[0] for ln in markers] == [2.0]
    notes = [t.get_text() for t in ax.figure.texts]  # the footnote, once per figure (its bottom label)
    assert notes[0].startswith("a: $m_N$ = 2 GeV: ") and "hadronic" in notes[0]


def test_options_that_differ_from_the_defaults_are_in_the_title():
    acc = np.ones((len(X), len(Y))) * 10
    ds = toy(acc, grid_x(X), grid_y(Y), options={"photon": "exact", "gaps": "kept"},
             option_defaults={"photon": "isotropic", "gaps": "kept"})
    title = plot_reach(ds, "m", "u").get_title()
    assert "photon=exact" in title and "gaps" not in title


def test_a_derived_value_is_shown_as_used_not_as_stored():
    # defect (b): with coupling=fixed-v_phi the stored g_D = 0.375 is ignored; g' = m_Z'/v_phi is used
    m_zp = np.array([0.1, 0.15])
    acc = np.ones((2, len(X), len(Y))) * 10
    g_eff = xr.DataArray(m_zp / (0.1 / 0.375), dims=("m_Zp",), coords={"m_Zp": m_zp})
    ds = toy(acc, grid_x(X), grid_y(Y), others={"m_Zp": m_zp}, coords={"g_D": xr.DataArray(0.375, attrs={"latex": "g'", "units": "1"})},
             variables={"g_eff": g_eff},
             attrs={"derived_parameters": json.dumps({"g_D": {"variable": "g_eff", "note": "from v_phi"}})})
    text = shown(plot_reach(ds, "m", "u", sel={"m_Zp": 0.15}))
    # reference: eqs. (22)-(23) of Ballett, Hostert & Pascoli: g' = 0.375 at m_Z' = 100 MeV, g' ~ m_Z'
    assert "$g'$ = 0.5625 (from v_phi)" in text and "0.375" not in text
    text = shown(plot_reach(ds, "m", "u"))  # m_Z' free: g' varies
    assert "$g'$: from v_phi" in text and "0.375" not in text


def test_axes_in_axes_out_and_a_file_only_when_asked(tmp_path, monkeypatch, small_store):
    monkeypatch.chdir(tmp_path)
    ds = scanner.open(small_store)
    fig, (a1, a2) = plt.subplots(1, 2)
    assert plot_reach(ds, "m_N", "V2", ax=a2, sel={"m_a": 4.7}) is a2
    assert a2.lines and not a1.lines
    assert not list(tmp_path.iterdir())
    out = tmp_path / "f.pdf"
    ax = plot_reach(ds, "m_N", "V2", out=out)
    assert out.read_bytes()[:4] == b"%PDF" and ax.get_xlabel()


def test_importing_the_plot_module_keeps_the_users_backend():
    code = ("import matplotlib; matplotlib.use('svg'); import llpscan.scanner.plot, llpscan.scanner.api; "
            "print(matplotlib.get_backend())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "svg"


def test_units_in_latex():
    assert units_tex("GeV^-1") == "GeV$^{-1}$" and units_tex("TeV^-1") == "TeV$^{-1}$" and units_tex("1") == ""


def test_na62_figure_prints_the_g_prime_the_fixed_v_phi_option_used(tmp_path):
    # defect (b) on the real scenario: the preset stores g_D = 0.375 but coupling=fixed-v_phi uses
    # g' = m_Z'/v_phi; the paper's reference point (eqs. (22)-(23): g' = 0.375 at m_Z' = 100 MeV) and
    # g' ~ m_Z' give 0.5625 at 150 MeV
    cfg = scanner.api.config_of("na62-dark-neutrino").model_dump()
    cfg["axes"] = {"m_h": [0.2, 0.3], "m_Zp": [0.1, 0.15], "U2_mu": "log:1e-12:1e-6:7"}
    cfg["events"] = 200
    scanner.run(cfg, tmp_path / "na62.zarr", progress=False)
    ds = scanner.open(tmp_path / "na62.zarr")
    assert float(ds["g_D"]) == 0.375
    text = shown(plot_reach(ds, "m_h", "U2_mu", sel={"m_Zp": 0.15}))
    assert "$g'$ = 0.5625 (from v_phi" in text and "0.375" not in text


def test_compare_draws_each_store_and_the_envelope_band_even_with_a_one_value_axis():
    from llpscan.scanner.plot import plot_compare

    c = np.array([1e3, 1e4, 1e5, 1e4, 1e3, 1e2])
    stores = [toy(k * c[None, :, None] * Y, grid_x(X), grid_y(Y), others={"m_a": [4.7]},
                  options={"hadrons": v}, option_defaults={"hadrons": "a"}) for k, v in ((1.0, "a"), (2.0, "b"))]
    ax = plot_compare(stores, "m", "u", band="envelope")
    names = [t.get_text() for t in ax.get_legend().get_texts()]
    assert names == ["toy [s]", "toy (hadrons=b) [s]", "envelope of the stores"]
    # the band: the lower boundaries of the two stores, 3/c and 3/(2c), at every grid x (power laws in y)
    verts = np.vstack([p.vertices for coll in ax.collections if coll.get_zorder() == 2 for p in coll.get_paths()])
    for xv, cv in zip(X, c):
        on = verts[np.isclose(verts[:, 0], xv, rtol=0, atol=1e-12), 1]
        np.testing.assert_allclose([on.min(), on.max()], [3 / (2 * cv), 3 / cv], rtol=1e-9)
