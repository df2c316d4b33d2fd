"""Exports: the numbers are the reach numbers, and the provenance says where they come from.

References: ``reach`` on the opened store (the lazy API), the store's own attrs, and the HEPData
validator (hepdata-validator) for the YAML.
"""

import csv
import gc
import io
import json
import warnings

import numpy as np
import pytest
import yaml

from llpscan import scanner
from llpscan.scanner.export import contour_document, export
from llpscan.scanner.plot import excluded_regions
from llpscan.scanner.reading import default_search
from tests.scanner.toys import grid_x, grid_y, toy


def _csv(text):
    comments = [line[2:] for line in text.splitlines() if line.startswith("# ")]
    rows = list(csv.DictReader(io.StringIO("\n".join(line for line in text.splitlines() if not line.startswith("#")))))
    return comments, rows


def test_csv_holds_the_reach_numbers_and_the_provenance(small_store):
    ds = scanner.open(small_store)
    text = export(ds, "m_N", "V2", fmt="csv", sel={"m_a": 4.7}, search="2DV", store=str(small_store))
    comments, rows = _csv(text)
    r = scanner.reach(small_store, "m_N", "V2", search="2DV", sel={"m_a": 4.7}).compute()
    assert [float(row["m_N"]) for row in rows] == list(r["m_N"].values)
    for row, lo, up in zip(rows, r["lower"].values, r["upper"].values):
        assert (row["lower"] == "" and np.isnan(lo)) or float(row["lower"]) == lo
        assert (row["upper"] == "" and np.isnan(up)) or float(row["upper"]) == up
    head = "\n".join(comments)
    versions = json.loads(ds.attrs["versions"])
    for needle in ("search: 2DV", "selection: m_a=4.7", "statistic: events-3 (n_signal >= 3), level: 3",
                   "x: m_N [GeV]; y: V2 [1]", f"seed: {ds.attrs['seed']}",
                   f"events per mass point: {ds.attrs['events_per_mass_point']}", f"llpscan {versions['llpscan']}",
                   f"numpy {versions['numpy']}", "arXiv:2410.00491", "Wang2024", ds.attrs["config_hash"],
                   str(small_store), "options: boost=head-on"):
        assert needle in head, needle


def test_json_carries_units_level_and_provenance(small_store):
    ds = scanner.open(small_store)
    doc = json.loads(export(ds, "m_N", "V2", fmt="json", sel={"m_a": 4.2}, band="mc"))
    assert doc["units"] == {"m_N": "GeV", "V2": "1"} and doc["level"] == 3.0 and doc["search"] == "1DV"
    p = doc["provenance"]
    assert p["scenario"] == "belle2-alp-hnl" and p["seed"] == ds.attrs["seed"] and p["config_hash"] == ds.attrs["config_hash"]
    assert p["references"][0] == "Wang2024" and "numpy" in p["versions"]
    assert {"lower_band_lo", "lower_band_hi", "upper_band_lo", "upper_band_hi"} <= set(doc["rows"][1])
    assert doc["band"].startswith("+-1 sigma")


def test_default_search_is_the_primary_one_else_the_first_with_a_note(capsys):
    acc = np.ones((3, 5))
    ds = toy(acc, grid_x([1.0, 2.0, 3.0]), grid_y(np.geomspace(1e-3, 1, 5)), searches=("x-ee", "x-mumu", "x"),
             primary="x")
    assert default_search(ds) == "x" and capsys.readouterr().err == ""
    ds.attrs["primary_search"] = ""
    assert default_search(ds) == "x-ee"
    err = capsys.readouterr().err
    assert err.startswith("llpscan: note: ") and "'x-ee'" in err and err.count("\n") == 1


def test_the_alp_displaced_store_defaults_to_the_combined_search():
    from llpscan.detectors.registry import get_scenario

    sc = get_scenario("belle2-alp-displaced")
    assert [s.label for s in sc.searches][0] == "displaced-ee" and sc.primary_search == "displaced"


def test_contour_export_is_the_drawn_outline(small_store):
    ds = scanner.open(small_store)
    doc = contour_document(ds, "m_N", "V2", sel={"m_a": 4.7}, search="1DV")
    q = ds["n_signal"].sel(m_a=4.7, search="1DV").compute()
    region = excluded_regions(q, "m_N", "V2", 3.0, (ds["allowed"].sel(m_a=4.7) == 0).compute())
    assert len(doc["lines"]) == len(region.outline)
    for got, want in zip(doc["lines"], region.outline):
        np.testing.assert_allclose(np.array(got), want)
    r = scanner.reach(small_store, "m_N", "V2", search="1DV", sel={"m_a": 4.7}).compute()
    pts = np.array([p for line in doc["lines"] for p in line])
    for m, lo in zip(r["m_N"].values, r["lower"].values):
        on = pts[np.isclose(pts[:, 0], m, rtol=0, atol=1e-12)]
        if np.isfinite(lo) and lo > float(ds["V2"].min()):
            assert on[:, 1].min() == pytest.approx(lo, rel=1e-12)


def test_hepdata_submission_validates_and_holds_the_numbers(small_store, tmp_path):
    from hepdata_validator.full_submission_validator import FullSubmissionValidator

    ds = scanner.open(small_store)
    out = export(ds, "m_N", "V2", fmt="hepdata", sel={"m_a": 4.7}, search="1DV", band="mc", out=tmp_path / "hep")
    assert (out / "submission.yaml").is_file() and (tmp_path / "hep.tar.gz").is_file()
    validator = FullSubmissionValidator()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # hepdata-validator 0.3.6 leaves its files open
        for kind in ({"directory": str(out)}, {"archive": str(tmp_path / "hep.tar.gz")}):
            assert validator.validate(**kind), {k: [m.message for m in v] for k, v in validator.get_messages().items()}
        gc.collect()
    docs = list(yaml.safe_load_all((out / "submission.yaml").read_text()))
    assert "arXiv:2410.00491" in docs[0]["comment"] and ds.attrs["config_hash"] in docs[0]["comment"]
    table = yaml.safe_load((out / docs[1]["data_file"]).read_text())
    xs = [v["value"] for v in table["independent_variables"][0]["values"]]
    lower = table["dependent_variables"][0]
    r = scanner.reach(small_store, "m_N", "V2", search="1DV", sel={"m_a": 4.7}).compute()
    want = r["lower"].sel(m_N=xs).values
    np.testing.assert_allclose([v["value"] for v in lower["values"]], want, rtol=1e-5)  # 6 significant digits
    quals = {q["name"]: q["value"] for q in lower["qualifiers"]}
    assert quals["search"] == "1DV" and quals["m_a"] == 4.7 and "events-3" in quals["statistic"]
    assert all("asymerror" in v["errors"][0] for v in lower["values"])
    assert table["independent_variables"][0]["header"]["units"] == "GeV"
    assert not (tmp_path / "submission.tar.gz").exists() and not (out / "submission.tar.gz").exists()
