"""Shared fixtures: a small, fast version of the Wang, Zhang & Liu (arXiv:2410.00491) scan."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from llpscan import scanner
from llpscan.scanner.config import load_config


ROOT = Path(__file__).resolve().parent.parent


def subprocess_env(**extra) -> dict:
    """Environment for child processes that run *this* tree's code, whatever is installed."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, **extra}


def small_config(**over):
    """Wang, Zhang & Liu (arXiv:2410.00491) preset on a coarse grid with few events: seconds, not minutes."""
    data = load_config("belle2-alp-hnl").model_dump()
    data["axes"] = {"m_a": [4.2, 4.7], "m_N": [0.5, 1.0, 1.5, 2.0, 2.3], "V2": [1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3]}
    data["events"] = 3000
    data["chunks"] = {"m_a": 1, "m_N": 2}  # 6 blocks, so resume and chunking have something to do
    data.update(over)
    return scanner.api.config_of(data)


@pytest.fixture(scope="session")
def small_store(tmp_path_factory):
    """A complete small store, written once per test session."""
    path = tmp_path_factory.mktemp("store") / "small.zarr"
    scanner.run(small_config(), path, progress=False)
    return path
