"""Stores: layout, provenance, determinism, resume, partial stores, the lazy graph."""

import json

import numpy as np
import pytest
import xarray as xr
import zarr

from llpscan import scanner
from llpscan.errors import StoreIncomplete
from tests.conftest import small_config


def test_layout_units_and_provenance(small_store):
    ds = scanner.open(small_store)
    for name in ("m_a", "m_N", "V2", "g_N", "g_bs", "lumi"):
        assert "units" in ds[name].attrs, name
    assert ds["lumi"].attrs["units"] == "fb^-1" and ds["ctau_N"].attrs["units"] == "m"
    for name in ("br_production", "ctau_N", "acceptance", "acceptance_err", "br_signal", "n_signal"):
        assert "units" in ds[name].attrs, name
    assert list(ds["search"].values) == ["1DV", "2DV"]
    assert ds["acceptance"].dims == ("search", "m_a", "m_N", "V2")
    assert ds["br_production"].dims == ("m_a",)  # g_bs fixed: a scalar coordinate, not a dim
    cfg = json.loads(ds.attrs["config"])
    assert cfg["scenario"] == "belle2-alp-hnl" and ds.attrs["seed"] == cfg["seed"]
    assert "zarr" in json.loads(ds.attrs["versions"]) and ds.attrs["config_hash"]
    assert ds.attrs["blocks_done"] == ds.attrs["blocks_total"]
    # derived lazily, not stored
    assert "n_signal" not in zarr.open_group(small_store, mode="r")
    assert ds["n_signal"].chunks is not None


def test_forbidden_points_are_masked_with_zero_signal(small_store, tmp_path):
    ds = scanner.open(small_store)
    closed = ds.sel(m_a=4.2, m_N=2.3)  # 2 m_N > m_a
    assert int(closed["allowed"]) == 0
    assert np.isnan(closed["acceptance"].values).all()
    assert (closed["n_signal"].values == 0).all()
    # m_a above m_B - m_K = 4.786 GeV (B+ -> K+ a closed) is masked too, not an error
    scanner.run(small_config(axes={"m_a": [4.7, 4.9], "m_N": [1.0, 2.0], "V2": [1e-8, 1e-6]}, chunks={}),
                tmp_path / "m.zarr", progress=False)
    m = scanner.open(tmp_path / "m.zarr")
    assert int(m["allowed"].sel(m_a=4.9, m_N=1.0)) == 0 and (m["n_signal"].sel(m_a=4.9).values == 0).all()
    assert (m["n_signal"].sel(m_a=4.7, m_N=2.0, V2=1e-6).values > 0).all()


def test_n_signal_is_the_product_of_the_factors(small_store):
    ds = scanner.open(small_store)
    p = ds.sel(m_a=4.7, m_N=1.5, V2=1e-6, search="1DV")
    expected = 2 * 2.827e10 * float(p.br_production) * 0.1 * float(p.br_signal) * float(p.acceptance)
    assert float(p.n_signal) == pytest.approx(expected, rel=1e-12)


def test_results_do_not_depend_on_chunking(small_store, tmp_path):
    other = tmp_path / "chunked.zarr"
    scanner.run(small_config(chunks={"m_N": 5, "m_a": 2}), other, progress=False)
    a = xr.open_zarr(small_store, consolidated=False)
    b = xr.open_zarr(other, consolidated=False)
    assert a["acceptance"].encoding["chunks"] != b["acceptance"].encoding["chunks"]
    np.testing.assert_array_equal(a["acceptance"].values, b["acceptance"].values)
    np.testing.assert_array_equal(a["acceptance_err"].values, b["acceptance_err"].values)


def test_lazy_dataset_matches_the_store(small_store):
    lazy = scanner.build(small_config())
    assert lazy["acceptance"].chunks is not None
    stored = xr.open_zarr(small_store, consolidated=False)
    np.testing.assert_array_equal(lazy["acceptance"].sel(m_a=4.7).values, stored["acceptance"].sel(m_a=4.7).values)


def test_resume_computes_only_missing_blocks_and_is_identical(small_store, tmp_path):
    import shutil

    path = tmp_path / "partial.zarr"
    shutil.copytree(small_store, path)
    g = zarr.open_group(path, mode="r+")
    done = g["done"][...]
    assert done.size > 1
    # emulate a run killed after some blocks: the others were never written
    g["done"][...] = 0
    g["done"][0, 0] = 1
    g["acceptance"][:, 1:, ...] = np.nan
    g["acceptance_err"][:, 1:, ...] = np.nan
    with pytest.raises(StoreIncomplete, match="blocks are computed"):
        scanner.open(path)
    partial = scanner.open(path, allow_partial=True)
    assert np.isnan(partial["n_signal"].sel(m_a=4.7).values).any()  # unfinished reads NaN, never 0
    report = scanner.run(small_config(), path, resume=True, progress=False)
    assert report.blocks_run == done.size - 1
    a = xr.open_zarr(small_store, consolidated=False)
    b = xr.open_zarr(path, consolidated=False)
    np.testing.assert_array_equal(a["acceptance"].values, b["acceptance"].values)
    np.testing.assert_array_equal(b["done"].values, np.ones_like(done))


def test_a_lock_left_by_a_dead_writer_is_taken_over(small_store, tmp_path):
    import shutil
    import socket
    import subprocess
    import sys

    path = tmp_path / "s.zarr"
    shutil.copytree(small_store, path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock = tmp_path / "s.zarr.lock"
    lock.write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname()}))  # a SIGKILLed run
    report = scanner.run(small_config(), path, resume=True, progress=False)
    assert report.blocks_run == 0  # the store was complete: nothing to do, and no refusal
    assert not lock.exists()


def test_resume_keeps_the_stores_blocks(small_store, tmp_path):
    # the done mask and zarr chunks follow the blocks the store was written with
    import shutil

    from llpscan.errors import ConfigError

    path = tmp_path / "p.zarr"
    shutil.copytree(small_store, path)
    g = zarr.open_group(path, mode="r+")
    g["done"][0, 1] = 0
    g["acceptance"][:, 0, 2:4, :] = np.nan
    with pytest.raises(ConfigError, match="resume it with the same chunks"):
        scanner.run(small_config(chunks={"m_a": 1, "m_N": 5}), path, resume=True, progress=False)
    cfg = small_config().model_dump()
    cfg["chunks"] = {}  # defaults would put everything in one block: the store's blocks win
    report = scanner.run(cfg, path, resume=True, progress=False)
    assert report.blocks_run == 1
    a = xr.open_zarr(small_store, consolidated=False)
    b = xr.open_zarr(path, consolidated=False)
    np.testing.assert_array_equal(a["acceptance"].values, b["acceptance"].values)


def test_a_store_on_an_fsspec_url(small_store, tmp_path):
    # memory:// goes through fsspec like s3:// or gcs:// would (one process: threaded scheduler)
    import fsspec

    from llpscan.errors import StoreLocked
    from llpscan.scanner.store import lease, locate

    url = "memory://llpscan-tests/url.zarr"
    fs = fsspec.filesystem("memory")
    if fs.exists("/llpscan-tests"):
        fs.rm("/llpscan-tests", recursive=True)
    report = scanner.run(small_config(), url, progress=False)
    assert report.blocks_run == report.blocks_total and not report.store.is_local
    ds = scanner.open(url)
    np.testing.assert_array_equal(ds["acceptance"].values, xr.open_zarr(small_store, consolidated=False)["acceptance"].values)
    assert scanner.describe(url)["complete"]
    # a second writer is refused while the lock object exists, and it is removed afterwards
    assert not fs.exists("/llpscan-tests/url.zarr.lock")
    with lease(locate(url)), pytest.raises(StoreLocked, match="being written by another run"):
        scanner.run(small_config(), url, resume=True, progress=False)
    # partial + resume, as on a local path
    g = zarr.open_group(url, mode="r+")
    g["done"][0, 0] = 0
    g["acceptance"][:, 0, 0:2, :] = np.nan
    with pytest.raises(StoreIncomplete):
        scanner.open(url)
    assert scanner.run(small_config(), url, resume=True, progress=False).blocks_run == 1
    np.testing.assert_array_equal(scanner.open(url)["acceptance"].values, ds["acceptance"].values)
    fs.rm("/llpscan-tests", recursive=True)


def test_python_reach_matches_the_cli_table(small_store):
    from llpscan.scanner.reading import reach_table

    r = scanner.reach(small_store, "m_N", "V2", search="1DV", sel={"m_a": 4.7}).compute()
    table = reach_table(scanner.open(small_store), "m_N", "V2", {"m_a": "4.7"}, "1DV", None)
    lower = [row["lower"] for row in table["rows"]]
    np.testing.assert_array_equal(np.nan_to_num(r["lower"].values, nan=-1), [-1 if v is None else v for v in lower])
    assert r["lower"].attrs["units"] == "1"
