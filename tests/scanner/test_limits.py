"""Existing limits: files in the documented format, and the HNLimits package's curves.

References: numbers the tests write into files, and the data files HNLimits ships, read here with
numpy (never through the adapter under test).
"""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from llpscan import scanner  # noqa: E402
from llpscan.errors import ConfigError  # noqa: E402
from llpscan.scanner.limits import convert_units, hnlimits_limits, read_limits  # noqa: E402
from llpscan.scanner.plot import plot_reach  # noqa: E402

CSV = """# x_units: MeV
# y_units: 1
# x_name: m_N
# excluded: above
# reference: arXiv:0000.00000
x,y,label
500,1e-5,Old experiment
1500,2e-6,Old experiment
2000,1e-6,Old experiment
800,1e-4,Other one
2200,3e-5,Other one
"""


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_csv_limits_are_read_grouped_by_label_and_converted(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text(CSV)
    limits = read_limits(path)
    assert [lim.label for lim in limits] == ["Old experiment", "Other one"]
    old = limits[0]
    assert old.x_units == "MeV" and old.reference == "arXiv:0000.00000" and old.excluded == "above"
    np.testing.assert_allclose(convert_units(old.x, old.x_units, "GeV", "x"), [0.5, 1.5, 2.0])
    np.testing.assert_allclose(old.y, [1e-5, 2e-6, 1e-6])


def test_json_limits(tmp_path):
    path = tmp_path / "l.json"
    path.write_text(json.dumps({"x_units": "GeV", "y_units": "1", "limits": [
        {"label": "island", "x": [1, 2, 2, 1], "y": [1e-6, 1e-6, 1e-5, 1e-5], "excluded": "inside"}]}))
    (lim,) = read_limits(path)
    assert lim.excluded == "inside" and lim.label == "island"


@pytest.mark.parametrize("text, message", [
    ("x,y\n1,2\n2,3\n", "units must be stated"),
    ("# x_units: GeV\n# y_units: 1\na,b\n1,2\n", "columns x, y"),
    ("# x_units: GeV\n# y_units: 1\n# excluded: left\nx,y\n1,2\n2,3\n", "excluded='left'"),
])
def test_bad_limit_files_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        read_limits(path)


def test_limits_are_drawn_under_the_reach_in_the_figures_units(tmp_path, small_store):
    path = tmp_path / "old.csv"
    path.write_text(CSV)
    ds = scanner.open(small_store)
    ax = plot_reach(ds, "m_N", "V2", sel={"m_a": 4.7}, limits=read_limits(path))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Old experiment [arXiv:0000.00000]" in labels
    (line,) = [ln for ln in ax.lines if ln.get_color() == "0.55"]
    np.testing.assert_allclose(line.get_xdata(), [0.5, 1.5, 2.0])  # MeV -> GeV
    with pytest.raises(ConfigError, match="cannot be converted"):
        bad = read_limits(path)
        bad[0].y_units = "GeV"
        plot_reach(ds, "m_N", "V2", limits=bad)


# --- HNLimits -------------------------------------------------------------------------------------

HNLIMITS = pytest.importorskip("HNLimits")
DATA = Path(HNLIMITS.__file__).parent / "include" / "data"
SHEET = """id,plot_label,reference,year,file_bottom,file_top,CL,hnl_type,type,units,is_invisible
ps191,PS191,Bernardi:1987ek,1988,ue4/PS191_v1.dat,,90,Majorana,PS,GeV,False
charm,CHARM,CHARM:1985nku,1986,ue4/CHARM.dat,,90,Majorana,PS,GeV,False
belle,Belle,Belle:2013ytx,2013,belle_2013/belle_ue42.dat,belle_2013/belle_ue42.dat,90,Majorana,PS,GeV,False
"""


def _sheet(tmp_path) -> Path:
    # a three-row stand-in for HNLimits' on-line table, pointing at data files the package ships
    (tmp_path / "Ue4.csv").write_text(SHEET)
    return tmp_path


def test_hnlimits_curves_are_the_packages_data_files(tmp_path):
    limits = hnlimits_limits("e", "majorana", combined=False, sheet_dir=_sheet(tmp_path))
    assert [(lim.label, lim.reference, lim.excluded) for lim in limits] == [
        ("PS191", "Bernardi:1987ek", "above"), ("CHARM", "CHARM:1985nku", "above"), ("Belle", "Belle:2013ytx", "inside")]
    for lim, name in zip(limits, ("ue4/PS191_v1.dat", "ue4/CHARM.dat", "belle_2013/belle_ue42.dat")):
        m, u = np.loadtxt(DATA / name, unpack=True)  # GeV, 90% CL, Majorana: no rescaling
        np.testing.assert_allclose(lim.x, m, rtol=1e-12)
        np.testing.assert_allclose(lim.y, u, rtol=1e-12)
        assert lim.x_units == "GeV" and lim.x_name == "m_N"


def test_hnlimits_combination_is_the_strongest_curve_at_each_mass(tmp_path):
    (comb,) = hnlimits_limits("e", "majorana", mass_range=(0.1, 5.0), sheet_dir=_sheet(tmp_path))
    assert "Bernardi:1987ek" in comb.reference and "CHARM:1985nku" in comb.reference
    # the closed Belle region is not part of the package's combination (only curves open upwards are)
    inside = (comb.x > 0.2) & (comb.x < 0.4)  # both curves defined, away from their vertical ends
    curves = []
    for name in ("PS191_v1.dat", "CHARM.dat"):
        m, u = np.loadtxt(DATA / "ue4" / name, unpack=True)
        order = np.argsort(m, kind="stable")
        curves.append(10 ** np.interp(np.log10(comb.x[inside]), np.log10(m[order]), np.log10(u[order])))
    np.testing.assert_allclose(comb.y[inside], np.minimum(*curves), rtol=1e-9)


def test_hnlimits_without_its_table_is_a_clear_error(monkeypatch):
    from HNLimits import hnl_tools

    def offline(*_a, **_k):
        raise OSError("no network")

    monkeypatch.setattr(hnl_tools, "load_google_sheet", offline)
    with pytest.raises(ConfigError, match="Google Sheet on line"):
        hnlimits_limits("e")
