"""Blocks along the lifetime axes: a scan with few mass points is split so that several cores share it,
the store's chunks and done mask follow the blocks, and no value depends on the split."""

import json

import numpy as np
import zarr

from llpscan import scanner
from llpscan.scanner import grid
from llpscan.scanner.config import resolve
from tests.conftest import small_config


def test_few_mass_points_split_the_lifetime_axis():
    # one mass point, 200 lifetime points, 1e5 events: 8e7 evaluations, more than MIN_BLOCKS blocks of
    # MIN_EVALUATIONS_PER_BLOCK, so it is split into pieces of >= MIN_LIFETIME_CHUNK lifetime points
    cfg = small_config(axes={"m_a": [4.7], "m_N": [2.0], "V2": "log:1e-9:1e-3:200"}, events=100_000, chunks={})
    scan = resolve(cfg)
    chunks = grid.block_chunks(scan)
    assert chunks["m_N"] == 1 and grid.MIN_LIFETIME_CHUNK <= chunks["V2"] < 200
    assert grid.block_axes(scan) == ("m_a", "m_N", "V2")
    slices = [grid.block_slices(scan, i)[-1] for i in grid.block_indices(scan)]
    covered = np.concatenate([np.arange(200)[s] for s in slices])
    np.testing.assert_array_equal(covered, np.arange(200))  # every point once, in order


def test_lifetime_blocks_give_the_same_store_and_resume(tmp_path):
    # the same scan in mass blocks only, and in blocks of 3 lifetime points (a remainder of 1): every
    # value bit-identical; the done mask gets a V2_block dimension, and a resumed store is identical
    whole = tmp_path / "whole.zarr"
    split = tmp_path / "split.zarr"
    scanner.run(small_config(), whole, progress=False)
    cfg = small_config(chunks={"m_a": 1, "m_N": 2, "V2": 3})
    scanner.run(cfg, split, progress=False)
    a, b = zarr.open_group(str(whole), mode="r"), zarr.open_group(str(split), mode="r")
    for name in ("acceptance", "acceptance_err"):
        np.testing.assert_array_equal(a[name][...], b[name][...])
    assert b["done"].metadata.dimension_names == ("m_a_block", "m_N_block", "V2_block")
    assert b["done"].shape == (2, 3, 3) and b["acceptance"].chunks == (2, 1, 2, 3)
    assert json.loads(b.attrs["block_chunks"]) == {"m_a": 1, "m_N": 2, "V2": 3}
    # knock out two blocks and resume
    g = zarr.open_group(str(split), mode="r+")
    g["done"][1, 2, 0] = 0
    g["done"][0, 0, 2] = 0
    g["acceptance"][:, 1, 4:, 0:3] = np.nan
    rep = scanner.run(cfg, split, resume=True, progress=False)
    assert rep.blocks_run == 2
    np.testing.assert_array_equal(zarr.open_group(str(split), mode="r")["acceptance"][...], a["acceptance"][...])
