"""Size guards: the estimate of work and memory, the refusals above the limits, and the flag that lifts them."""

import tracemalloc

import pytest

from llpscan import scanner
from llpscan.errors import ConfigError, ResourceLimit
from llpscan.scanner.config import load_config, parse_values, preset_names, resolve
from llpscan.scanner.grid import block_chunks, block_grid
from llpscan.scanner.budget import (BYTES_PER_EVENT, BYTES_PER_EVENT_AND_LIFETIME, EVALUATIONS_PER_CORE_SECOND,
                                    check_limits, duration, estimate)
from tests.conftest import small_config


def test_estimate_counts_the_grid():
    # 3000 events x (2 m_a x 5 m_N) mass points x 7 V2 points x 2 searches x 2 LLPs (N N), by hand
    est = estimate(resolve(small_config()))
    assert (est.events, est.mass_points, est.lifetime_points, est.searches, est.llps) == (3000, 10, 7, 2, 2)
    assert est.evaluations == 3000 * 10 * 7 * 2 * 2
    assert est.core_seconds == est.evaluations / EVALUATIONS_PER_CORE_SECOND
    assert est.blocks == 6 and est.mass_points_per_block == 2
    assert est.block_bytes == 3000 * (BYTES_PER_EVENT + BYTES_PER_EVENT_AND_LIFETIME * 7) + 16 * 2 * 2 * 7


def test_every_preset_runs_without_the_flag():
    for name in preset_names():
        assert check_limits(resolve(load_config(name))).core_seconds < 600, name


def test_the_11600_squared_grid_is_refused_with_what_it_would_cost(tmp_path):
    cfg = small_config(axes={"m_a": [4.7], "m_N": "lin:0.1:2.3:11600", "V2": "log:1e-10:1e-2:11600"}, chunks={},
                       events=30_000)
    with pytest.raises(ResourceLimit) as e:
        scanner.run(cfg, tmp_path / "big.zarr", progress=False)
    text = str(e.value)
    # 30000 x 11600 x 11600 x 2 x 2 = 1.61e13 evaluations = 1.61e5 core-seconds at 1e8/s: 44.9 h
    assert "1.61e+13 decay-probability evaluations" in text and "44.9 h of one core" in text
    assert "above the limit of 8 core-hours" in text and "allow_large=True" in text
    assert not list(tmp_path.iterdir())


def test_memory_grid_and_block_guards(tmp_path):
    with pytest.raises(ResourceLimit, match="memory per block"):
        check_limits(resolve(small_config(events=100_000, axes={"m_a": [4.7], "m_N": [1.0], "V2": "log:1e-9:1e-3:400000"},
                                          chunks={"V2": 400_000})))
    # the same lifetime axis in pieces of 2000 points per block: a batch of events x 2000 points
    est = check_limits(resolve(small_config(events=100_000, axes={"m_a": [4.7], "m_N": [1.0],
                                                                  "V2": "log:1e-9:1e-3:400000"}, chunks={"V2": 2000})))
    assert est.lifetime_points_per_block == 2000 and est.block_bytes < 1e9
    # events come in batches: 1e8 of them need no more memory than 1e4 (only time)
    assert check_limits(resolve(small_config(events=100_000_000, axes={"m_a": [4.7], "m_N": [1.0], "V2": [1e-7]}))
                        ).block_bytes < 1e9
    with pytest.raises(ResourceLimit, match="the grid has 6e\\+07 points"):
        check_limits(resolve(small_config(events=2, axes={"m_a": [4.7], "m_N": [1.0], "V2": "log:1e-9:1e-3:1000",
                                                          "lumi": "lin:1:1e5:30000"},
                                                          params={"g_N": 1e-3, "g_bs": 1e-9})))
    with pytest.raises(ResourceLimit, match="200,000 blocks"):
        check_limits(resolve(small_config(events=2, axes={"m_a": "lin:0.5:4.7:200", "m_N": "lin:0.1:0.2:1000",
                                                          "V2": [1e-7]}, chunks={"m_a": 1, "m_N": 1})))


def test_allow_large_lifts_the_limits():
    scan = resolve(small_config(axes={"m_a": [4.7], "m_N": "lin:0.1:2.3:11600", "V2": "log:1e-10:1e-2:11600"}))
    assert check_limits(scan, allow_large=True).evaluations > 1e12


def test_an_axis_count_is_capped_before_anything_is_allocated():
    tracemalloc.start()
    with pytest.raises(ConfigError, match="at most 1,000,000 values"):
        parse_values("lin:0.5:2:100000000", "--axis m_N")
    with pytest.raises(ConfigError, match="at most 1,000,000 values"):
        parse_values("lin:0.5:2:1e8", "--axis m_N")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1e6  # 1e8 doubles would be 800 MB
    assert parse_values("lin:1:3:3e0") == [1.0, 2.0, 3.0]
    with pytest.raises(ConfigError, match="whole number"):
        parse_values("lin:1:3:2.5")


def test_huge_chunks_are_clipped_to_the_axis_and_the_store_completes(tmp_path):
    cfg = small_config(chunks={"m_N": 10**20, "m_a": 1})
    scan = resolve(cfg)
    assert block_chunks(scan) == {"m_a": 1, "m_N": 5, "V2": 7} and block_grid(scan) == (2, 1)
    report = scanner.run(cfg, tmp_path / "c.zarr", progress=False)
    assert report.blocks_run == report.blocks_total == 2
    assert scanner.describe(tmp_path / "c.zarr")["complete"]
    # resuming with the same (clipped) request is accepted
    assert scanner.run(cfg, tmp_path / "c.zarr", resume=True, progress=False).blocks_run == 0


def test_durations_read_well():
    assert [duration(s) for s in (40, 720, 4.04e4, 86400 * 41, 3.2e9)] == ["40 s", "12 min", "11.2 h", "41 days",
                                                                          "101 years"]
