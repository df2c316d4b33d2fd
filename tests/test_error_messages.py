"""Every user error: one line on stderr, exit status 2, no traceback, nothing written or changed."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import subprocess_env


def llpscan(*args, cwd):
    return subprocess.run([sys.executable, "-m", "llpscan", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120, env=subprocess_env())


def tree_digest(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        h.update(str(p.relative_to(path)).encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


def assert_one_line_error(res, *fragments):
    assert res.returncode == 2, (res.returncode, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("llpscan: error: ")
    assert "Traceback" not in res.stderr
    for f in fragments:
        assert f in lines[0], lines[0]


RUN = ["run", "belle2-alp-hnl", "--events", "200", "--quiet"]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["run", "no-such-preset"], ["unknown preset 'no-such-preset'", "belle2-alp-hnl"]),
        ([*RUN, "--axis", "m_x=1,2"], ["unknown axis 'm_x'", "m_a, m_N, V2"]),
        ([*RUN, "--axis", "V2=log:1e-10:abc:5"], ["malformed VALUES", "lin:START:STOP:NUM"]),
        ([*RUN, "--axis", "g_bs=-1e-9"], ["g_bs=-1e-09 is outside the allowed range"]),
        ([*RUN, "--axis", "m_N="], ["--axis", "NAME=VALUE"]),
        ([*RUN, "--axis", "m_N=lin:0.1:1:0"], ["NUM must be at least 1"]),
        ([*RUN, "--axis", "m_a=7"], ["m_a=7 is outside the allowed range"]),
        ([*RUN, "--events", "0"], ["events=0"]),
        ([*RUN, "--bogus"], ["No such option"]),
        ([*RUN, "--out", "no/such/dir/x.zarr"], ["the directory", "does not exist"]),
        ([*RUN, "--out", ""], ["empty store path"]),
        ([*RUN, "--chunks", "lumi=2"], ["only mass and lifetime axes are split", "m_a, m_N, V2"]),
        ([*RUN, "--scheduler", "tcp://127.0.0.1:9"], ["cannot reach the dask scheduler"]),
        (["run", "missing.toml"], ["config file 'missing.toml' does not exist"]),
        (["info", "nowhere.zarr"], ["nowhere.zarr: no such store"]),
        (["query", "nowhere.zarr", "--sel", "m_N=1"], ["no such store"]),
        (["reach", "nowhere.zarr", "--x", "m_N", "--y", "V2"], ["no such store"]),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(args, fragments, tmp_path):
    res = llpscan(*args, cwd=tmp_path)
    assert_one_line_error(res, *fragments)
    assert list(tmp_path.iterdir()) == []


def test_bad_toml_config(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text('scenario = "belle2-alp-hnl"\n[axes]\nV2 = "log:1e-3:1:4"\nm_q = [1]\n')
    res = llpscan("run", str(cfg), cwd=tmp_path)
    assert_one_line_error(res, "unknown axis 'm_q'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_not_an_llpscan_store_is_refused_and_untouched(tmp_path):
    other = tmp_path / "other.zarr"
    other.mkdir()
    (other / "zarr.json").write_text('{"zarr_format": 3, "node_type": "group", "attributes": {}}')
    before = tree_digest(tmp_path)
    for args in (["info", "other.zarr"], ["query", "other.zarr"], [*RUN, "--out", "other.zarr", "--overwrite"]):
        res = llpscan(*args, cwd=tmp_path)
        assert_one_line_error(res, "not an llpscan store")
    assert tree_digest(tmp_path) == before


def test_existing_store_is_not_overwritten_or_mixed(small_store, tmp_path):
    import shutil

    store = tmp_path / "s.zarr"
    shutil.copytree(small_store, store)
    before = tree_digest(store)
    res = llpscan(*RUN, "--out", "s.zarr", cwd=tmp_path)  # another config into the same store
    assert_one_line_error(res, "different config", "--overwrite")
    res = llpscan("query", "s.zarr", "--sel", "m_q=1", cwd=tmp_path)
    assert_one_line_error(res, "'m_q' is not a coordinate")
    res = llpscan("reach", "s.zarr", "--x", "m_N", "--y", "V2", "--search", "3DV", cwd=tmp_path)
    assert_one_line_error(res, "unknown search '3DV'", "1DV, 2DV")
    res = llpscan("reach", "s.zarr", "--x", "m_N", "--y", "V2", cwd=tmp_path)  # m_a has two values
    assert_one_line_error(res, "select a value of m_a (4.2, 4.7)")
    res = llpscan("reach", "s.zarr", "--x", "m_N", "--y", "V2", "--sel", "m_a=4.7", "--level", "nan", cwd=tmp_path)
    assert_one_line_error(res, "--level nan: must be a positive number")
    res = llpscan("query", "s.zarr", "--sel", "g_bs=5e-9", cwd=tmp_path)
    assert_one_line_error(res, "g_bs is fixed at 1e-09 in this store")
    for args, fragment in ((["--x", "m_q"], "'m_q' is not an axis"), (["--search", "3DV"], "unknown search '3DV'"),
                           (["--out", "no/dir/p.png"], "does not exist")):
        res = llpscan("plot", "s.zarr", *args, cwd=tmp_path)
        assert_one_line_error(res, fragment)
    assert tree_digest(store) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.zarr"]


def test_a_store_locked_by_a_live_writer_is_refused(small_store, tmp_path):
    import shutil

    store = tmp_path / "s.zarr"
    shutil.copytree(small_store, store)
    # a real second writer: another process holding the store's lock
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from scanner.store import lease, locate\n"
         "with lease(locate(sys.argv[1])):\n    print('held', flush=True); sys.stdin.read()", "s.zarr"],
        cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=subprocess_env())
    try:
        assert holder.stdout.readline().strip() == "held"
        before = tree_digest(store)
        res = llpscan(*RUN, "--out", "s.zarr", "--resume", cwd=tmp_path)
        assert_one_line_error(res, "is being written by another run (pid")
        assert tree_digest(store) == before
    finally:
        holder.communicate("", timeout=30)
    assert not (tmp_path / "s.zarr.lock").exists()
