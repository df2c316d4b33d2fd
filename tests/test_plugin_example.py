"""The plugin proof: examples/llpscan-dark-higgs, installed as its own package, runs everywhere.

The example is written only against llpscan's public API and registers its scenario and preset
through entry points. It is installed (without dependencies) into a fresh virtual environment that
sees this test environment's packages, and its scan runs with threads, with ``--workers 2`` and on
an external cluster of ``dask scheduler``/``dask worker`` processes started from that environment:
the three stores must be bit-identical. A scenario registered at run time in a script, that no worker
can import, must run on that cluster too (the scan travels with its tasks).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from tests.cluster import Cluster

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "llpscan-dark-higgs"
# a reduced grid: 4 masses across both lepton channels and the 2 GeV switch, 31 mixings, few events
GRID = ["--axis", "m_S=0.1,0.5,1.5,3.0", "--axis", "sin2_theta=log:1e-12:1e-4:31", "--events", "4000",
        "--chunks", "m_S=1", "--quiet"]


@pytest.fixture(scope="module")
def plugin_env(tmp_path_factory):
    """(python, env) of a virtual environment with the example installed from a copy of its directory
    (pip builds in the source tree: build/ and an .egg-info there would make the example's entry
    points visible to later test runs of this checkout)."""
    base = tmp_path_factory.mktemp("plugin")
    source = base / "llpscan-dark-higgs"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    install = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--no-deps", str(source)],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-2000:]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return str(py), env


def _llpscan(plugin_env, *args, cwd):
    py, env = plugin_env
    return subprocess.run([py, "-m", "llpscan", *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=900)


@pytest.mark.slow
def test_the_installed_plugin_is_listed_and_runs_with_threads_workers_and_an_external_cluster(plugin_env, tmp_path):
    listed = _llpscan(plugin_env, "presets", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "belle2-dark-higgs" in listed.stdout and "options: boost=head-on|crossing" in listed.stdout

    threads = _llpscan(plugin_env, "run", "belle2-dark-higgs", *GRID, "--out", "threads.zarr", cwd=tmp_path)
    assert threads.returncode == 0, threads.stderr
    assert "search=displaced " in threads.stdout.replace("search=displaced\t", "search=displaced ")

    workers = _llpscan(plugin_env, "run", "belle2-dark-higgs", *GRID, "--workers", "2", "--out", "workers.zarr",
                       cwd=tmp_path)
    assert workers.returncode == 0, workers.stderr

    py, env = plugin_env
    cluster = Cluster(tmp_path, n_workers=2, python=py, env=env)
    try:
        external = _llpscan(plugin_env, "run", "belle2-dark-higgs", *GRID, "--scheduler", str(cluster.scheduler_file),
                            "--out", "cluster.zarr", cwd=tmp_path)
        assert external.returncode == 0, external.stderr
        assert cluster.n_workers() == 2
    finally:
        cluster.stop()

    ref = xr.open_zarr(tmp_path / "threads.zarr", consolidated=False)
    for name in ("workers.zarr", "cluster.zarr"):
        other = xr.open_zarr(tmp_path / name, consolidated=False)
        for var in ("acceptance", "acceptance_err", "br_production", "ctau_S"):
            np.testing.assert_array_equal(ref[var].values, other[var].values, err_msg=f"{name}: {var}")
    # the reach is where the physics puts it: the long-lived lower edge in sin^2 theta at m_S = 1.5 GeV
    # lies between 1e-9 and 1e-8 (the example's own estimate, README-physics.md: ~3e-9 near 1 GeV)
    table = _llpscan(plugin_env, "reach", str(tmp_path / "threads.zarr"), "--search", "displaced", "--format", "csv",
                     cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    lines = [line for line in table.stdout.splitlines() if line and not line.startswith("#")]  # provenance
    rows = dict((line.split(",")[0], line.split(",")[1]) for line in lines[1:])
    assert 1e-9 < float(rows["1.5"]) < 1e-8, table.stdout


SCRIPT = textwrap.dedent('''
    """A scenario defined and registered in this script only: no worker can import it."""
    import sys

    import numpy as np

    import llpscan
    from llpscan.detectors.registry import register_scenario
    from llpscan_dark_higgs.scenario import Belle2DarkHiggs


    @register_scenario
    class HeavierThreshold(Belle2DarkHiggs):
        name = "dark-higgs-defined-at-run-time"
        statistic = "events-5"   # any level parses, no code needed

        def allowed(self, m_S):  # a variable redefined here, in __main__
            return np.asarray(m_S) > 0.3


    config = {"scenario": HeavierThreshold.name, "events": 2000, "axes": {"m_S": [0.2, 1.0],
              "sin2_theta": "log:1e-10:1e-6:9"}}
    report = llpscan.run(config, sys.argv[1], scheduler=sys.argv[2], progress=False)
    ds = llpscan.open(report.store)
    print(int(ds["allowed"].sel(m_S=0.2)), int(ds["allowed"].sel(m_S=1.0)), ds.attrs["statistic"])
''')


@pytest.mark.slow
def test_a_scenario_registered_at_run_time_runs_on_an_external_cluster(plugin_env, tmp_path):
    py, env = plugin_env
    (tmp_path / "define_and_run.py").write_text(SCRIPT)
    cluster = Cluster(tmp_path, n_workers=1, python=py, env=env)
    try:
        out = subprocess.run([py, "define_and_run.py", str(tmp_path / "rt.zarr"), str(cluster.scheduler_file)],
                             capture_output=True, text=True, cwd=tmp_path, env=env, timeout=600)
    finally:
        cluster.stop()
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split() == ["0", "1", "events-5"]
