"""Damage, repair and replacement: checksums, verify, resume, overwrite, locks, library versions.

Every repaired store is compared bit for bit with an uninterrupted run (the session's small store):
the repair is only right if it is exact.
"""

import errno
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import zarr

from llpscan import scanner
from llpscan.errors import (EnvironmentMismatch, StorageError, StoreDamaged, StoreError, StoreIncomplete,
                            StoreReplaced)
from tests.conftest import small_config

# block (m_a=4.7, m_N=1.5..2.0) of the small store: chunks m_a=1, m_N=2
CHUNK = ("acceptance", "c/0/1/1/0")
POINT = {"m_a": 4.7, "m_N": 1.5, "V2": 1e-7}


def copy(small_store, tmp_path, name="s.zarr") -> Path:
    path = tmp_path / name
    shutil.copytree(small_store, path)
    return path


def corrupt(path: Path, n: int = 16) -> None:
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid:mid + n] = bytes(b ^ 0xFF for b in data[mid:mid + n])
    path.write_bytes(bytes(data))


def arrays(path) -> dict:
    g = zarr.open_group(path, mode="r")
    return {name: arr[...] for name, arr in g.arrays()}


def assert_same_store(a, b) -> None:
    """Every array bit-identical (NaN where NaN), the done mask complete."""
    x, y = arrays(a), arrays(b)
    assert set(x) == set(y)
    for name in x:
        if x[name].dtype.kind == "f":
            assert x[name].tobytes() == y[name].tobytes(), name
        else:
            np.testing.assert_array_equal(x[name], y[name], err_msg=name)
    assert (y["done"] == 1).all()


def test_every_chunk_carries_a_checksum_and_exists(small_store):
    g = zarr.open_group(small_store, mode="r")
    assert g.attrs["integrity"] == "crc32c"
    for name, arr in g.arrays():
        assert type(arr.metadata.codecs[-1]).__name__ == "Crc32cCodec", name
    # the block of m_a = 4.2, m_N = 2.3 is kinematically closed (all NaN): its chunk is written all the same
    assert np.isnan(g["acceptance"][:, 0, 4, :]).all()
    assert (small_store / "acceptance" / "c" / "0" / "0" / "2" / "0").is_file()


def test_sixteen_corrupted_bytes_are_refused_then_found_and_repaired(small_store, tmp_path):
    path = copy(small_store, tmp_path)
    corrupt(path / CHUNK[0] / CHUNK[1])
    # a read that meets the block: one StoreDamaged naming it, not numbers
    with pytest.raises(StoreDamaged, match=r"block m_a=4\.7, m_N=1\.5\.\.2 of acceptance is damaged \(checksum mismatch\)"):
        scanner.query(path, POINT)
    # reads elsewhere still work: damage is per block
    other = scanner.query(path, {"m_a": 4.2, "m_N": 1.0, "V2": 1e-7})
    assert other["values"]["n_signal"][0] is not None
    report = scanner.verify(path)
    assert not report.ok and report.marked == [(1, 1)]
    assert "checksum mismatch" in report.lines()[0]
    with pytest.raises(StoreIncomplete):
        scanner.open(path)
    rerun = scanner.run(small_config(), path, resume=True, progress=False)
    assert rerun.blocks_run == 1
    assert_same_store(small_store, path)
    assert scanner.verify(path).ok


def test_a_deleted_chunk_of_a_done_block_is_found_and_recomputed(small_store, tmp_path):
    path = copy(small_store, tmp_path)
    (path / "acceptance_err" / CHUNK[1]).unlink()
    info = scanner.describe(path)
    assert not info["complete"] and "acceptance_err chunk is missing" in info["integrity"]["problems"][0]
    with pytest.raises(StoreDamaged, match="is marked done but its acceptance_err chunk is missing"):
        scanner.open(path)
    # resume finds it by itself (one listing of the store), without verify
    assert scanner.run(small_config(), path, resume=True, progress=False).blocks_run == 1
    assert_same_store(small_store, path)


def test_damage_in_coordinates_variables_and_flags_is_repaired(small_store, tmp_path):
    path = copy(small_store, tmp_path)
    corrupt(path / "m_N" / "c" / "0", 4)
    corrupt(path / "ctau_N" / "c" / "0" / "0")
    corrupt(path / "done" / "c" / "1" / "0", 2)
    (path / "acceptance" / "c" / "0" / "0" / "0" / "0").unlink()  # and a block the intact flags call done
    with pytest.raises(StoreDamaged):
        scanner.open(path)
    report = scanner.verify(path)
    assert set(report.problems.arrays) == {"m_N", "ctau_N"} and report.problems.done_chunks == [(1, 0)]
    assert list(report.problems.blocks) == [(0, 0)] and report.marked == [(0, 0)]
    assert json.loads(zarr.open_group(path).attrs["damaged_arrays"]) == ["ctau_N", "m_N"]
    with pytest.raises(StoreDamaged, match="ctau_N, m_N damaged"):
        scanner.open(path)
    run = scanner.run(small_config(), path, resume=True, progress=False)
    assert run.blocks_run == 2  # the block whose flag was damaged, the one whose chunk was missing
    assert_same_store(small_store, path)
    assert "damaged_arrays" not in zarr.open_group(path).attrs


def test_a_store_without_checksums_still_opens_and_says_so(small_store, tmp_path, monkeypatch, capsys):
    # what llpscan wrote before checksums: no crc32c codec, no integrity attr, all-NaN chunks skipped
    from llpscan.scanner import store as store_module
    from llpscan.scanner.cli import main

    monkeypatch.setattr(store_module, "_codecs", lambda: {})
    path = tmp_path / "old.zarr"
    scanner.run(small_config(), path, progress=False)
    g = zarr.open_group(path, mode="r+")
    del g.attrs["integrity"]
    (path / "acceptance" / "c" / "0" / "0" / "2" / "0").unlink()  # an all-NaN block, as old versions left it
    monkeypatch.undo()
    assert main(["info", str(path)]) == 0
    assert "checksums  none: written before llpscan kept checksums" in capsys.readouterr().out
    assert scanner.verify(path).ok  # nothing it can judge is wrong
    np.testing.assert_array_equal(scanner.open(path)["acceptance"].values, scanner.open(small_store)["acceptance"].values)


def test_overwrite_builds_aside_and_a_failure_leaves_the_old_store(small_store, tmp_path, monkeypatch):
    """A full disk in the middle of an overwrite: the old store is untouched, the new one waits in
    STORE.new for --resume, which finishes it and swaps it in."""
    from zarr.storage import LocalStore

    path = copy(small_store, tmp_path)
    before = {p: p.read_bytes() for p in path.rglob("*") if p.is_file()}
    other = small_config(events=2000)
    original = LocalStore.set
    writes = {"data": 0, "flags": 0}

    async def full_disk(self, key, value):
        # the disk fills once one block of the new store is complete (its done flag written after its
        # data): independent of the order in which the threads run the blocks
        if "acceptance" in key and "/c/" in key:
            if writes["flags"]:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), key)
            writes["data"] += 1
        elif key.startswith("done/c/") and writes["data"]:
            writes["flags"] += 1
        return await original(self, key, value)

    monkeypatch.setattr(LocalStore, "set", full_disk)
    with pytest.raises(StorageError, match=r"No space left on device.*the old store .* is untouched; the new one is .*s\.zarr\.new"):
        scanner.run(other, path, overwrite=True, progress=False)
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in path.rglob("*") if p.is_file()} == before
    assert scanner.open(path).attrs["events_per_mass_point"] == 3000
    aside = tmp_path / "s.zarr.new"
    assert aside.is_dir() and scanner.describe(path)["integrity"]["unfinished_overwrite"] == str(aside)
    with pytest.raises(StoreError, match="holds an unfinished overwrite=True"):
        scanner.run(other, path, progress=False)
    report = scanner.run(other, path, resume=True, progress=False)
    assert 0 < report.blocks_run < report.blocks_total
    assert not aside.exists() and scanner.open(path).attrs["events_per_mass_point"] == 2000
    fresh = tmp_path / "fresh.zarr"
    scanner.run(other, fresh, progress=False)
    np.testing.assert_array_equal(scanner.open(path)["acceptance"].values, scanner.open(fresh)["acceptance"].values)


def test_a_reader_never_sees_a_half_replaced_store(small_store, tmp_path):
    path = copy(small_store, tmp_path)
    ds = scanner.open(path)  # opened before the overwrite, computed after it
    scanner.run(small_config(events=2000), path, overwrite=True, progress=False)
    with pytest.raises(StoreReplaced, match="was replaced while it was being read"):
        ds["n_signal"].values  # noqa: B018
    assert scanner.open(path).attrs["events_per_mass_point"] == 2000
    assert not [p.name for p in tmp_path.iterdir() if p.name != "s.zarr"]  # no .new, .old or temp left


def test_resume_refuses_other_library_versions_unless_told(small_store, tmp_path):
    path = copy(small_store, tmp_path)
    g = zarr.open_group(path, mode="r+")
    g["done"][0, 1] = 0
    versions = json.loads(g.attrs["versions"])
    g.attrs["versions"] = json.dumps({**versions, "particle": "0.24.0", "numpy": "1.26.0"})
    with pytest.raises(EnvironmentMismatch) as e:
        scanner.run(small_config(), path, resume=True, progress=False)
    assert "numpy 1.26.0, particle 0.24.0; this environment has numpy " in str(e.value)
    assert "allow_version_change=True" in str(e.value) and "--" not in str(e.value)
    assert int(zarr.open_group(path)["done"][0, 1]) == 0  # refused before anything was written
    scanner.run(small_config(), path, resume=True, allow_version_change=True, progress=False)
    (change,) = json.loads(zarr.open_group(path).attrs["version_changes"])
    assert change["changed"]["particle"] == {"store": "0.24.0", "now": versions["particle"]}
    assert change["blocks_done_before"] == 5
    assert "version_changes" in scanner.describe(path)["provenance"]


def test_a_symlink_at_the_lock_is_refused_and_its_target_untouched(small_store, tmp_path):
    path = copy(small_store, tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    lock = tmp_path / "s.zarr.lock"
    for target in (victim, tmp_path / "created.txt"):
        lock.symlink_to(target)
        with pytest.raises(StoreError, match="s.zarr.lock is a symbolic link; refusing to follow it"):
            scanner.run(small_config(), path, resume=True, progress=False)
        lock.unlink()
    assert victim.read_text() == "precious\n" and not (tmp_path / "created.txt").exists()


def test_a_planted_temporary_layout_is_never_followed(tmp_path):
    # the old name .STORE.tmp-PID was predictable: a symlink there redirected the whole layout
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for pid in range(os.getpid() - 2, os.getpid() + 3):
        (tmp_path / f".s.zarr.tmp-{pid}").symlink_to(elsewhere)
    scanner.run(small_config(axes={"m_a": [4.7], "m_N": [1.0, 2.0], "V2": [1e-8, 1e-6]}), tmp_path / "s.zarr",
                progress=False)
    assert not list(elsewhere.iterdir())
    assert (tmp_path / "s.zarr" / "zarr.json").is_file() and not (tmp_path / "s.zarr").is_symlink()
    assert all((tmp_path / f".s.zarr.tmp-{pid}").is_symlink() for pid in range(os.getpid() - 2, os.getpid() + 3))


# -- blocks split along a lifetime axis, and every read path naming the block it refuses --------------

@pytest.fixture(scope="module")
def split_store(tmp_path_factory):
    """One m_a, 3 m_N values x 7 V2 values in pieces of 3: blocks (m_a, m_N, V2 piece), 1 x 3 x 3."""
    path = tmp_path_factory.mktemp("split") / "split.zarr"
    cfg = small_config(axes={"m_a": [4.7], "m_N": [1.0, 1.5, 2.0], "V2": "log:1e-9:1e-3:7"},
                       chunks={"m_N": 1, "V2": 3})
    scanner.run(cfg, path, progress=False)
    return path, cfg


def test_a_damaged_lifetime_piece_is_named_found_and_repaired_alone(split_store, tmp_path):
    ref, cfg = split_store
    path = copy(ref, tmp_path)
    corrupt(path / "acceptance" / "c" / "0" / "0" / "2" / "1")  # m_N = 2, V2 = 1e-6..1e-4
    where = r"block m_a=4\.7, m_N=2, V2=1e-06\.\.0\.0001 of acceptance is damaged \(checksum mismatch\)"
    with pytest.raises(StoreDamaged, match=where):  # the fast query path
        scanner.query(path, {"m_N": 2.0, "V2": 1e-5})
    assert scanner.query(path, {"m_N": 2.0, "V2": 1e-9})["values"]["acceptance"][0] is not None
    with pytest.raises(StoreDamaged, match=where):  # dask, one chunk per array for a small store
        scanner.open(path)["acceptance"].values
    with pytest.raises(StoreDamaged, match=where):  # numpy, what the command line reads
        scanner.open(path, in_memory=True)
    report = scanner.verify(path)
    assert report.marked == [(0, 2, 1)]
    assert scanner.run(cfg, path, resume=True, progress=False).blocks_run == 1
    assert_same_store(ref, path)


def test_a_coordinate_without_metadata_is_refused_by_every_read(split_store, tmp_path, capsys):
    from llpscan.scanner.cli import main

    ref, _ = split_store
    for name in ("V2", "search", "acceptance"):
        path = copy(ref, tmp_path, f"{name}.zarr")
        (path / name / "zarr.json").unlink()
        for args in (["info", str(path)], ["verify", str(path)], ["reach", str(path)],
                     ["query", str(path), "--sel", "m_N=1", "--sel", "V2=1e-6"]):
            assert main(args) == 2, (name, args)
            err = capsys.readouterr().err
            assert err.count("\n") == 1 and f"the array {name} is missing" in err, (name, args, err)


def test_info_describes_a_store_whose_coordinate_verify_found_damaged(split_store, tmp_path, capsys):
    from llpscan.scanner.cli import main

    ref, _ = split_store
    path = copy(ref, tmp_path)
    corrupt(path / "V2" / "c" / "0", 4)
    assert main(["info", "--verify", "--format", "json", str(path)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert not doc["complete"] and any(p.startswith("V2") for p in doc["integrity"]["problems"])
    assert main(["info", "--format", "json", str(path)]) == 0  # described, damage listed, not refused
    assert "V2 damaged (found by verify)" in json.loads(capsys.readouterr().out)["integrity"]["problems"]
