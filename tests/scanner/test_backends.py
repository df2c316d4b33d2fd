"""Backends and resilience with real processes: threads, LocalCluster, an external `dask scheduler`
with `dask worker`s; a worker SIGKILLed mid-scan; the client SIGKILLed mid-scan, then --resume."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import xarray as xr
import zarr

from llpscan import scanner
from tests.cluster import Cluster
from tests.conftest import small_config, subprocess_env

pytestmark = pytest.mark.slow


def slow_config():
    """About 0.2 s per block, 24 blocks: long enough to interrupt, short enough for CI."""
    return small_config(axes={"m_a": [4.7], "m_N": list(np.linspace(0.3, 2.3, 24)),
                              "V2": list(np.geomspace(1e-9, 1e-3, 61))},
                        events=30_000, chunks={"m_a": 1, "m_N": 1})


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted threaded run every other backend must reproduce bit for bit."""
    path = tmp_path_factory.mktemp("ref") / "ref.zarr"
    scanner.run(slow_config(), path, progress=False)
    return xr.open_zarr(path, consolidated=False)


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path, n_workers=2)
    try:
        yield c
    finally:
        c.stop()


def assert_same(reference, path):
    got = xr.open_zarr(path, consolidated=False)
    np.testing.assert_array_equal(got["acceptance"].values, reference["acceptance"].values)
    np.testing.assert_array_equal(got["acceptance_err"].values, reference["acceptance_err"].values)
    assert int(got["done"].sum()) == got["done"].size


def config_file(tmp_path):
    """The slow config as a TOML file, for `llpscan run` in a subprocess."""
    cfg = slow_config().model_dump()
    lines = [f'scenario = "{cfg["scenario"]}"', f'events = {cfg["events"]}', f'seed = {cfg["seed"]}', "[axes]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in cfg["axes"].items()]
    lines += ["[params]"] + [f"{k} = {v!r}" for k, v in cfg["params"].items()]
    lines += ["[chunks]"] + [f"{k} = {v}" for k, v in cfg["chunks"].items()]
    path = tmp_path / "slow.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def wait_for_blocks(store, at_least, timeout=60):
    t0 = time.time()
    while time.time() - t0 < timeout:
        try:
            done = zarr.open_array(store / "done", mode="r")[...]
            if done.sum() >= at_least:
                return int(done.sum()), done.size
        except Exception:  # noqa: BLE001 - the store may not exist yet
            pass
        time.sleep(0.02)
    raise TimeoutError("no block finished")


def test_bit_identical_on_local_cluster_and_external_scheduler(reference, cluster, tmp_path):
    scanner.run(slow_config(), tmp_path / "local.zarr", workers=2, progress=False)
    assert_same(reference, tmp_path / "local.zarr")
    scanner.run(slow_config(), tmp_path / "ext.zarr", scheduler=str(cluster.scheduler_file), progress=False)
    assert_same(reference, tmp_path / "ext.zarr")
    scanner.run(slow_config(), tmp_path / "addr.zarr", scheduler=cluster.address, progress=False)
    assert_same(reference, tmp_path / "addr.zarr")


def test_a_users_own_client_is_honoured(reference, cluster, tmp_path):
    from distributed import Client

    with Client(cluster.address) as client:
        before = sum(client.run(lambda dask_worker: len(dask_worker.data) + dask_worker.state.executed_count).values())
        scanner.run(slow_config(), tmp_path / "c.zarr", progress=False)
        after = sum(client.run(lambda dask_worker: len(dask_worker.data) + dask_worker.state.executed_count).values())
        assert after - before >= 24  # the blocks ran on the user's cluster, not on local threads
        assert client.status == "running"  # and the client was left open
    assert_same(reference, tmp_path / "c.zarr")


def test_worker_killed_mid_scan_costs_only_its_task(reference, cluster, tmp_path):
    store = tmp_path / "w.zarr"
    run = subprocess.Popen([sys.executable, "-m", "llpscan", "run", str(config_file(tmp_path)), "--out", str(store),
                            "--scheduler", str(cluster.scheduler_file), "--quiet"], cwd=tmp_path,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env())
    try:
        done, total = wait_for_blocks(store, 2)
        assert done < total, "the scan finished before the worker could be killed"
        victim = cluster.workers[0]
        t0 = time.time()
        while not cluster.busy(victim):  # kill it in the middle of a block
            assert time.time() - t0 < 30, "the worker never got a task"
            time.sleep(0.01)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=10)
        out, err = run.communicate(timeout=180)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, err
    assert cluster.n_workers() == 1
    assert_same(reference, store)


def test_client_killed_mid_scan_leaves_a_partial_store_that_resumes(reference, tmp_path):
    store = tmp_path / "k.zarr"
    cfg = config_file(tmp_path)
    cli = [sys.executable, "-m", "llpscan"]
    run = subprocess.Popen([*cli, "run", str(cfg), "--out", str(store), "--quiet"], cwd=tmp_path,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=subprocess_env())
    try:
        done, total = wait_for_blocks(store, 1)
    finally:
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=10)
    done = int(zarr.open_array(store / "done", mode="r")[...].sum())
    assert 0 < done < total, "kill came too late or too early"

    info = subprocess.run([*cli, "info", str(store)], capture_output=True, text=True, cwd=tmp_path, env=subprocess_env())
    assert info.returncode == 0 and "PARTIAL" in info.stdout and f"{done}/{total} blocks" in info.stdout
    for args in (["query", str(store), "--sel", "m_N=1"], ["reach", str(store), "--x", "m_N", "--y", "V2"]):
        res = subprocess.run([*cli, *args], capture_output=True, text=True, cwd=tmp_path, env=subprocess_env())
        assert res.returncode == 2 and res.stderr.count("\n") == 1
        assert f"only {done} of {total} blocks are computed" in res.stderr and "--resume" in res.stderr

    res = subprocess.run([*cli, "run", str(cfg), "--out", str(store), "--resume", "--quiet"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=300, env=subprocess_env())
    assert res.returncode == 0, res.stderr
    assert f"({total - done} of {total} blocks computed" in res.stdout  # only the missing ones
    assert_same(reference, store)


def test_two_runs_of_one_config_on_one_cluster_do_not_share_tasks(reference, cluster, tmp_path):
    # the same config into two stores at once: each run computes and writes its own blocks
    cli = [sys.executable, "-m", "llpscan", "run", str(config_file(tmp_path)), "--quiet",
           "--scheduler", str(cluster.scheduler_file)]
    runs = [subprocess.Popen([*cli, "--out", name], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=subprocess_env()) for name in ("a.zarr", "b.zarr")]
    for r in runs:
        out, err = r.communicate(timeout=300)
        assert r.returncode == 0, err
    for name in ("a.zarr", "b.zarr"):
        assert_same(reference, tmp_path / name)


def test_tasks_of_a_superseded_run_do_not_write(small_store, tmp_path):
    import shutil

    from llpscan.scanner.config import resolve
    from llpscan.scanner.store import locate, stamp_run
    from llpscan.scanner.tasks import compute_and_store

    path = tmp_path / "s.zarr"
    shutil.copytree(small_store, path)
    g = zarr.open_group(path, mode="r+")
    g["acceptance"][:, 0, 0:2, :] = np.nan
    g["done"][0, 0] = 0
    stamp_run(locate(path), "new-run")
    scan = resolve(small_config())
    res = compute_and_store(scan, str(path), (0, 0), "old-run")
    assert res["skipped"] and np.isnan(g["acceptance"][:, 0, 0:2, :]).all() and g["done"][0, 0] == 0
    res = compute_and_store(scan, str(path), (0, 0), "new-run")
    assert not res.get("skipped") and g["done"][0, 0] == 1


def test_a_failing_block_is_one_line_and_keeps_the_store(tmp_path, monkeypatch, capsys):
    """A block that fails for a reason the user can fix (here a full disk) is one error line, exit 2;
    one that fails with a bug is one "internal error" line, exit 3, with its traceback kept. Either
    way the store keeps its finished blocks and --resume completes it."""
    import errno
    import tempfile

    import llpscan.scanner.grid
    from llpscan.scanner.cli import main

    failure = {}

    def broken(scan, index):
        if index == (0, 1):
            raise failure["exc"]
        return real(scan, index)

    real = scanner.grid.compute_block
    monkeypatch.setattr("llpscan.scanner.tasks.compute_block", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the traceback goes
    args = ["run", "belle2-alp-hnl", "--out", str(tmp_path / "f.zarr"), "--events", "300", "--quiet", "--no-plot",
            "--axis", "m_a=4.7", "--axis", "m_N=1,1.5,2", "--axis", "V2=log:1e-8:1e-4:5", "--chunks", "m_N=1"]
    failure["exc"] = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "f.zarr" / "acceptance"))
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("llpscan: error: ") and "No space left on device" in err and "rerun with --resume" in err
    failure["exc"] = FloatingPointError("synthetic failure in block (0, 1)")
    code = main([*args, "--resume"])
    err = capsys.readouterr().err
    assert code == 3 and err.count("\n") == 1
    assert err.startswith("llpscan: internal error: FloatingPointError: synthetic failure in block (0, 1) (please report")
    log = err.split("traceback in ")[1].split(")")[0]
    from pathlib import Path

    assert "raise failure" in Path(log).read_text()
    done = zarr.open_array(tmp_path / "f.zarr" / "done", mode="r")[...]
    assert done[0, 1] == 0  # never marked done (the others: as far as they got)
    assert not (tmp_path / "f.zarr.lock").exists()
    monkeypatch.setattr("llpscan.scanner.tasks.compute_block", real)  # the cause is gone: --resume finishes it
    code = main([*args, "--resume"])
    assert code == 0, capsys.readouterr().err
    assert zarr.open_array(tmp_path / "f.zarr" / "done", mode="r")[...].all()
