"""Reading stores without xarray, dask or zarr (``llpscan info``, ``query``): the same answers as the
xarray path on stores of every statistic, and commands that import only what they use."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
import zarr

from llpscan import scanner
from llpscan.scanner import api
from llpscan.scanner.reading import query_point
from llpscan.scanner.store import array_metadata, locate, open_scan, read_array
from tests.conftest import subprocess_env


def _small(preset, axes, events=400, **extra):
    data = scanner.api.config_of(preset).model_dump()
    data["axes"] = axes
    data["events"] = events
    data.update(extra)
    return scanner.api.config_of(data)


@pytest.fixture(scope="module")
def stores(tmp_path_factory, small_store):
    """Small stores of each statistic: events-3 (belle2-alp-hnl), poisson with background (invisible), chi2
    combined over energies (BESIII), a limit variable (model-independent Br), a partial one."""
    root = tmp_path_factory.mktemp("fast")
    cfgs = {
        "invisible": _small("belle2-alp-invisible", {"m_a": [0.1, 1.0, 2.0], "c_ff": "log:1e-5:1e-2:7",
                                                      "lumi": [500.0, 5e4]}),
        "besiii": _small("besiii-dipole-monophoton", {"m_N": [0.1, 1.0], "d": "log:1e-6:1e-3:5",
                                                       "sqrt_s": [3.097, 4.18, 4.6]}),
        "br": _small("belle2-invisible-br", {"m_X": [0.3, 2.0], "ctau_X": "log:1e-2:1e2:5", "br": [1e-7, 1e-5],
                                              "lumi": [500.0, 5e4]}),
    }
    out = {"hnl": small_store}
    for name, cfg in cfgs.items():
        out[name] = root / f"{name}.zarr"
        scanner.run(cfg, out[name], progress=False)
    return out


def _same(a, b, path=""):
    """Equal JSON-like structures; floats to 2 ulp (numpy sums a combined chi^2 in another order
    when the other axes are selected first)."""
    if isinstance(a, dict):
        assert set(a) == set(b), (path, sorted(set(a) ^ set(b)))
        for k in a:
            _same(a[k], b[k], f"{path}/{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for x, y in zip(a, b):
            _same(x, y, path)
    elif isinstance(a, float) and isinstance(b, float):
        assert a == b or math.isclose(a, b, rel_tol=4.5e-16), (path, a, b)
    else:
        assert a == b, (path, a, b)


def test_arrays_read_without_zarr_equal_zarrs(stores):
    for path in stores.values():
        loc = locate(path)
        group = zarr.open_group(str(path), mode="r")
        for name, meta in array_metadata(loc).items():
            np.testing.assert_array_equal(read_array(loc, name, meta), group[name][...], err_msg=name)


def test_describe_from_metadata_equals_the_opened_store(stores):
    for path in stores.values():
        loc = locate(path)
        fast, opened = api._describe_from_metadata(loc), api._describe_opened(loc)
        _same(fast, opened)
        assert list(fast["variables"])[:3] == ["acceptance", "acceptance_err", "n_signal"]


@pytest.mark.parametrize(("name", "sel"), [
    ("hnl", {"m_a": "4.7", "m_N": "2.0", "V2": "1e-8"}),
    ("hnl", {"m_N": "1.0"}),
    ("hnl", {}),
    ("invisible", {"m_a": "1", "c_ff": "1e-3", "lumi": "500"}),
    ("invisible", {"m_a": "0.1"}),
    ("besiii", {"m_N": "1", "d": "1e-4"}),
    ("besiii", {"m_N": "1", "d": "1e-4", "sqrt_s": "4.18"}),
    ("br", {"m_X": "0.3", "ctau_X": "1", "br": "1e-5", "lumi": "5e4"}),
    ("br", {"ctau_X": "1", "search": "invisible"}),
])
def test_query_from_arrays_equals_the_xarray_query(stores, name, sel):
    loc = locate(stores[name])
    _same(api._query_from_arrays(loc, sel), query_point(open_scan(loc, in_memory=True), sel))


def test_open_in_memory_and_on_dask_agree(stores):
    loc = locate(stores["invisible"])
    mem, lazy = open_scan(loc, in_memory=True), open_scan(loc)
    assert lazy["n_signal"].chunks is not None and mem["n_signal"].chunks is None
    assert max(len(c) for c in lazy["acceptance"].chunks) == 1  # a small store: one chunk per array
    for name in mem.data_vars:
        np.testing.assert_array_equal(mem[name].values, lazy[name].values, err_msg=name)


_PROBE = """
import sys
from llpscan.scanner.cli import main
main(sys.argv[1:])
heavy = [m for m in ("numba", "dask", "scipy", "xarray", "zarr", "pandas", "matplotlib", "distributed") if m in sys.modules]
print(" ".join(heavy) or "-", file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--help"], ["presets"], ["info", "{hnl}"],
                                  ["query", "{hnl}", "--sel", "m_a=4.7", "--sel", "m_N=2.0", "--sel", "V2=1e-8"],
                                  ["query", "{besiii}", "--sel", "m_N=1"]])
def test_reading_commands_import_no_heavy_library(stores, args):
    # --help, presets, info and query start in a fraction of a second because they import none of
    # numba (and compile nothing), dask, scipy, xarray, zarr, pandas or matplotlib
    args = [a.format(**{k: str(v) for k, v in stores.items()}) for a in args]
    res = subprocess.run([sys.executable, "-c", _PROBE, *args], env=subprocess_env(), capture_output=True, text=True)
    assert res.returncode in (0, None), res.stderr
    assert res.stderr.strip().splitlines()[-1] == "-", res.stderr
    if args[0] == "query":
        assert json.loads(res.stdout)["values"]["n_signal"] is not None
