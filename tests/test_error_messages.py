"""Every user error: one line on stderr, exit status 2, no traceback, nothing written or changed.

The table-driven part runs the cases of the bad-input battery (tests/battery.py) marked ``subset``,
in process: for each, the exit status, the one error line with its expected fragment, and a
snapshot (every file's size, mtime and SHA-256) of the case's directory before and after. The whole
battery runs as subprocesses with ``python benchmarks/bad_input_battery.py``.
"""

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from tests import battery
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


def test_figure_and_export_errors_are_one_line_and_write_nothing(small_store, tmp_path, capsys, monkeypatch):
    import shutil

    from llpscan.scanner.cli import main

    # in process (the subprocess tests above cover the entry point): main() is what `llpscan` runs
    monkeypatch.chdir(tmp_path)
    store = tmp_path / "s.zarr"
    shutil.copytree(small_store, store)
    before = tree_digest(store)
    other = tmp_path / "o.csv"
    other.write_text("x,y\n1,2\n2,3\n")
    for args, fragment in (
            (["export", "s.zarr", "--sel", "m_a=4.7", "--format", "hepdata"], "writes a directory: give it with --out"),
            (["export", "s.zarr", "--sel", "m_a=4.7", "--what", "contour", "--band", "mc"], "--band applies to reach"),
            (["reach", "s.zarr", "--sel", "m_a=4.7", "--band", "mc", "--band", "s.zarr"], "either mc or other stores"),
            (["reach", "s.zarr", "--sel", "m_a=4.7", "--band", "nowhere.zarr"], "no such store"),
            (["compare", "s.zarr", "s.zarr", "--label", "one"], "--label: give one per store (2)"),
            (["compare"], "Missing argument"),
            (["plot", "s.zarr", "--limits", "missing.csv"], "limits file missing.csv does not exist"),
            (["plot", "s.zarr", "--limits", "o.csv"], "the units must be stated (x_units: ...)"),
            (["plot", "s.zarr", "--with", "s.zarr", "--band", "mc"], "its only band is --band envelope"),
            (["plot", "s.zarr", "--sel", "m_N=1.0"], "m_N is an axis of the result"),
            (["cite", "nowhere.zarr"], "no such store")):
        code = main(args)
        out, err = capsys.readouterr()
        assert code == 2 and out == "", (args, out)
        assert err.count("\n") == 1 and err.startswith("llpscan: error: ") and fragment in err, (args, err)
    assert tree_digest(store) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.csv", "s.zarr"]
# -- the battery's representative subset, in process -----------------------------------------------

SUBSET = [c for c in battery.cases() if c.subset]


@pytest.fixture(scope="module")
def battery_fixtures(tmp_path_factory):
    cache = tmp_path_factory.mktemp("battery") / "fixtures"
    battery.build_fixtures(cache, battery.inprocess_runner())
    return cache


def test_the_subset_covers_every_kind_of_bad_input():
    groups = {c.group for c in battery.cases()} - {"internal", "full-disk"}  # those: tests below, and root
    assert {c.group for c in SUBSET} == groups
    assert len(battery.cases()) >= 150 and len(SUBSET) >= 30


@pytest.mark.parametrize("case", SUBSET, ids=[c.id for c in SUBSET])
def test_bad_input_table(case, battery_fixtures, tmp_path):
    clean, why, _ = battery.run_case(case, tmp_path, battery_fixtures, battery.inprocess_runner(), sys.executable,
                                     strict_fragment=True)
    assert clean, why


def test_a_bug_exits_3_with_the_traceback_kept(tmp_path):
    case = next(c for c in battery.cases() if c.id == "internal-bug-in-block")
    res = subprocess.run([sys.executable, "-c", case.code], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120, env=subprocess_env(TMPDIR=str(tmp_path)))
    assert res.returncode == 3, res.stderr
    (line,) = res.stderr.strip().splitlines()
    assert line.startswith("llpscan: internal error: ZeroDivisionError: division by zero (please report it; traceback in ")
    log = Path(line.rsplit("traceback in ", 1)[1].rstrip(")"))
    text = log.read_text()
    assert "Traceback" in text and "ZeroDivisionError" in text and "broken" in text
    assert oct(log.stat().st_mode & 0o777) == "0o600"  # mkstemp: private to the user
    # --debug prints it instead
    again = tmp_path / "again"
    again.mkdir()
    res = subprocess.run([sys.executable, "-c", case.code.replace("main([", "main(['--debug', ")], cwd=again,
                         capture_output=True, text=True, timeout=120, env=subprocess_env(TMPDIR=str(again)))
    assert res.returncode == 3 and "Traceback (most recent call last)" in res.stderr
    assert res.stderr.strip().splitlines()[-1].startswith("llpscan: internal error: ZeroDivisionError")


def test_python_api_errors_speak_python(small_store, tmp_path):
    """The same checks, called from Python, name arguments, not command-line flags."""
    import llpscan
    from llpscan.errors import ArgumentTypeError, ConfigError, StoreError

    with pytest.raises(ArgumentTypeError, match="overwrite must be True or False, got 'no'") as e:
        llpscan.run("belle2-alp-hnl", tmp_path / "x.zarr", overwrite="no")
    assert isinstance(e.value, TypeError)
    with pytest.raises(StoreError) as e:
        llpscan.run(battery.SMALL_CONFIG and __import__("json").loads(battery.SMALL_CONFIG), small_store, progress=False)
    assert "overwrite=True" in str(e.value) and "--" not in str(e.value)
    with pytest.raises(ConfigError) as e:
        llpscan.query(small_store, {"m_N": "inf"})
    assert str(e.value).startswith("sel m_N=inf: must be a finite number")
    assert not list(tmp_path.iterdir())
