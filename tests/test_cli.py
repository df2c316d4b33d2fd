"""The command line: JSON shapes that other tools script against, and the figure."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from llpscan.scanner.cli import main


def cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_presets_lists_one_line_each(capsys):
    code, out, _ = cli(capsys, "presets")
    assert code == 0
    from llpscan.scanner.config import preset_names

    starts = [line.split()[0] for line in out.splitlines() if not line.startswith(" ")]
    assert starts == preset_names() and "belle2-alp-hnl" in starts


def test_query_json_shape(capsys, small_store):
    code, out, _ = cli(capsys, "query", str(small_store), "--sel", "m_a=4.7", "--sel", "m_N=1.02", "--sel", "V2=1.1e-8")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"coords", "values"}
    assert doc["coords"]["m_N"] == 1.0 and doc["coords"]["V2"] == pytest.approx(1e-8)  # nearest grid point
    assert doc["coords"]["search"] == ["1DV", "2DV"]
    for name in ("br_production", "ctau_N", "acceptance", "acceptance_err", "br_signal", "n_signal"):
        assert name in doc["values"], name
    assert len(doc["values"]["n_signal"]) == 2  # per search
    assert isinstance(doc["values"]["ctau_N"], float)


def test_reach_json_and_csv(capsys, small_store):
    code, out, _ = cli(capsys, "reach", str(small_store), "--x", "m_N", "--y", "V2", "--sel", "m_a=4.7",
                       "--search", "1DV", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert {k: doc[k] for k in ("x", "y", "level", "search")} == {"x": "m_N", "y": "V2", "level": 3.0, "search": "1DV"}
    assert doc["sel"] == {"m_a": 4.7}
    assert [r["m_N"] for r in doc["rows"]] == [0.5, 1.0, 1.5, 2.0, 2.3]
    assert set(doc["rows"][0]) == {"m_N", "lower", "upper"}
    assert doc["rows"][0]["lower"] is None  # no 1DV reach at 0.5 GeV (Br(signal) ~ 0)
    reached = [r for r in doc["rows"] if r["lower"] is not None]
    assert reached and all(r["lower"] < r["upper"] for r in reached)
    code, out, _ = cli(capsys, "reach", str(small_store), "--x", "m_N", "--y", "V2", "--sel", "m_a=4.7", "--format", "csv")
    lines = [line for line in out.strip().splitlines() if not line.startswith("#")]
    assert lines[0] == "m_N,lower,upper" and len(lines) == 6
    head = [line for line in out.splitlines() if line.startswith("# ")]
    assert "# search: 1DV" in head and "# statistic: events-3 (n_signal >= 3), level: 3" in head


def test_info_and_plot(capsys, small_store, tmp_path):
    code, out, _ = cli(capsys, "info", str(small_store))
    assert code == 0
    assert "complete   " in out and "V2" in out and "fb^-1" in out and "config_hash" in out
    png = tmp_path / "reach.png"
    code, out, _ = cli(capsys, "plot", str(small_store), "--x", "m_N", "--y", "V2", "--out", str(png))
    assert code == 0 and png.stat().st_size > 10_000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_run_prints_summary_and_writes_plot(capsys, tmp_path):
    out_store = tmp_path / "cli.zarr"
    code, out, err = cli(capsys, "run", "belle2-alp-hnl", "--out", str(out_store), "--events", "500", "--quiet",
                         "--axis", "m_a=4.7", "--axis", "m_N=1.5,2.3", "--axis", "V2=log:1e-9:1e-3:7",
                         "--axis", "lumi=1000,50000")
    assert code == 0, err
    assert "search=1DV" in out and "lumi=50000 " in out
    assert (tmp_path / "cli.png").exists()
    code, out, _ = cli(capsys, "query", str(out_store), "--sel", "m_a=4.7", "--sel", "m_N=2.3", "--sel", "V2=1e-7")
    doc = json.loads(out)
    n = doc["values"]["n_signal"]  # (search, lumi) -- rate-only axis broadcast, not recomputed
    assert doc["coords"]["lumi"] == [1000.0, 50000.0]
    assert n[0][1] / n[0][0] == pytest.approx(50.0, rel=1e-12)


def test_installed_console_script_runs():
    import shutil

    exe = shutil.which("llpscan") or str(Path(sys.executable).with_name("llpscan"))
    res = subprocess.run([exe, "presets"], capture_output=True, text=True)
    assert res.returncode == 0 and "\nbelle2-alp-hnl " in "\n" + res.stdout
    res = subprocess.run([exe, "run", "nope"], capture_output=True, text=True)
    assert res.returncode == 2 and res.stderr.startswith("llpscan: error: unknown preset")


@pytest.fixture(scope="module")
def crossing_store(tmp_path_factory):
    """The small scan with the other Belle II boost (an option): a second store on the same grid."""
    from llpscan import scanner
    from tests.conftest import small_config

    path = tmp_path_factory.mktemp("crossing") / "crossing.zarr"
    scanner.run(small_config(options={"boost": "crossing"}), path, progress=False)
    return path


def test_compare_overlays_stores_named_by_scenario_and_options(capsys, small_store, crossing_store, tmp_path):
    png = tmp_path / "cmp.png"
    code, out, err = cli(capsys, "compare", str(small_store), str(crossing_store), "--sel", "m_a=4.7",
                         "--band", "envelope", "--out", str(png))
    assert code == 0, err
    assert out.strip() == f"plot: {png}" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from llpscan import scanner

    ax = scanner.plot_compare([small_store, crossing_store], "m_N", "V2", sel={"m_a": 4.7})
    names = [t.get_text() for t in ax.get_legend().get_texts()]
    assert names[:2] == ["belle2-alp-hnl [1DV]", "belle2-alp-hnl (boost=crossing) [1DV]"]


def test_plot_with_bands_limits_and_another_store(capsys, small_store, crossing_store, tmp_path):
    limits = tmp_path / "old.csv"
    limits.write_text("# x_units: GeV\n# y_units: 1\nx,y,label\n0.5,1e-5,old\n2.3,1e-6,old\n")
    for extra in (["--band", "mc"], ["--band", str(crossing_store)], ["--limits", str(limits)],
                  ["--with", str(crossing_store)]):
        png = tmp_path / "p.png"
        code, out, err = cli(capsys, "plot", str(small_store), "--sel", "m_a=4.2", *extra, "--out", str(png))
        assert code == 0, (extra, err)
        assert png.stat().st_size > 10_000


def test_reach_envelope_and_hepdata_export(capsys, small_store, crossing_store, tmp_path):
    code, out, err = cli(capsys, "reach", str(small_store), "--sel", "m_a=4.7", "--band", str(crossing_store))
    assert code == 0, err
    doc = json.loads(out)
    assert "boost=crossing" in doc["band"] and "lower_band_lo" in doc["rows"][-1]
    code, out, err = cli(capsys, "export", str(small_store), "--sel", "m_a=4.7", "--format", "hepdata",
                         "--out", str(tmp_path / "hep"))
    assert code == 0, err
    assert (tmp_path / "hep" / "submission.yaml").is_file() and (tmp_path / "hep.tar.gz").is_file()
    code, out, err = cli(capsys, "export", str(small_store), "--sel", "m_a=4.7", "--what", "contour")
    assert code == 0 and out.splitlines()[0] == "# llpscan contour export" and "piece,m_N,V2" in out
def test_one_value_axes_run_and_skip_the_figure_with_a_note(capsys, tmp_path):
    # the common first try (and the Docker image's warm-up): a reach table, no contour, exit 0
    code, out, err = cli(capsys, "run", "belle2-alp-hnl", "--out", str(tmp_path / "one.zarr"), "--events", "300",
                         "--quiet", "--axis", "m_a=4.7", "--axis", "m_N=1.3", "--axis", "V2=log:1e-9:1e-3:7")
    assert code == 0, err
    assert "plot: skipped (a reach contour needs at least 2 values on each plotted axis; m_N has one)" in out
    assert "search=1DV  m_a=4.7  m_N_min=1.3" in out and not list(tmp_path.glob("*.png"))
    code, out, _ = cli(capsys, "reach", str(tmp_path / "one.zarr"))
    rows = json.loads(out)["rows"]
    assert code == 0 and [r["m_N"] for r in rows] == [1.3] and rows[0]["lower"] < rows[0]["upper"]
    code, out, _ = cli(capsys, "reach", str(tmp_path / "one.zarr"), "--x", "V2", "--y", "m_N")
    assert code == 0 and len(json.loads(out)["rows"]) == 7


def test_verify_exit_status_and_json(capsys, small_store, tmp_path):
    import shutil

    path = tmp_path / "s.zarr"
    shutil.copytree(small_store, path)
    code, out, _ = cli(capsys, "verify", str(path))
    assert code == 0 and "none damaged or missing" in out
    (path / "acceptance" / "c" / "0" / "0" / "1" / "0").unlink()
    code, out, _ = cli(capsys, "info", "--verify", "--format", "json", str(path))
    doc = json.loads(out)
    assert code == 1 and doc["verify"]["marked_not_done"] == [[0, 1]] and doc["blocks_done"] == 5
    assert not doc["complete"]


def test_no_plot_and_the_figure_path_are_checked_first(capsys, tmp_path):
    args = ["run", "belle2-alp-hnl", "--out", str(tmp_path / "s.zarr"), "--events", "200", "--quiet",
            "--axis", "m_a=4.7", "--axis", "m_N=1.0,2.0", "--axis", "V2=log:1e-8:1e-4:3"]
    code, _, err = cli(capsys, *args, "--plot", str(tmp_path / "figure.xyz"))
    assert code == 2 and "unknown figure format '.xyz'" in err and not list(tmp_path.iterdir())
    code, out, _ = cli(capsys, *args, "--no-plot")
    assert code == 0 and "plot: skipped (--no-plot)" in out and not list(tmp_path.glob("*.png"))


def test_scanner_query_stays_the_function():
    import inspect

    import llpscan.scanner.plot  # noqa: F401 - every submodule imported, as after any command
    import llpscan.scanner.reading  # noqa: F401
    from llpscan import scanner
    from llpscan.scanner import api

    assert scanner.query is api.query and not inspect.ismodule(scanner.query)
    assert scanner.verify is api.verify
