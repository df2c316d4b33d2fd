"""The zarr store of a scan: layout, provenance, the done mask, the writer's lease, and opening.

Layout (one zarr v3 group): coordinates with ``units``; ``acceptance`` and ``acceptance_err`` on
``(search, *mass axes, *lifetime axes)``, one zarr chunk per block, NaN until written; the cheap
variables of the scenario; ``done`` (uint8, one chunk per block) set by the same task after it
wrote the block's data. Attrs hold the provenance (``llpscan`` version, the config JSON and its
hash, seed, events per mass point, library versions, creation time, statistic, signal factors).
Derived quantities (``n_signal``) are not stored: :func:`open_scan` computes them lazily.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np
import xarray as xr

from scanner.dataset import cheap_variables, coordinates, done_dims
from scanner.config import Scan
from scanner.errors import StoreError, StoreIncomplete, StoreLocked
from scanner.grid import acceptance_dims, block_chunks, block_grid

__all__ = ["create_store", "read_attrs", "lease", "open_scan", "completeness", "local_path"]

FORMAT = "llpscan-store-1"
_LIBS = ("numpy", "scipy", "dask", "distributed", "xarray", "zarr", "numba", "particle")


def local_path(store: str | os.PathLike) -> Path:
    """A local store as an absolute plain path (zarr's LocalStore writes atomically; ``file://``
    through fsspec does not), so tasks on other processes resolve it the same way."""
    text = os.fspath(store)
    if not text.strip():
        raise StoreError("the store path is empty")
    if text.startswith("file://"):
        text = text[len("file://"):]
    elif "://" in text:
        raise StoreError(f"{text}: only local stores are supported so far (no fsspec URLs)")
    return Path(text).expanduser().resolve()


def _versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for lib in ("llpscan", *_LIBS):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[lib] = metadata.version(lib)
    return out


def read_attrs(path: Path) -> dict:
    """The group attrs of an llpscan store; StoreError if ``path`` is not one."""
    meta = path / "zarr.json"
    if not path.exists():
        raise StoreError(f"{path}: no such store")
    if not meta.is_file():
        raise StoreError(f"{path}: not an llpscan store (no zarr.json)")
    try:
        attrs = json.loads(meta.read_text()).get("attributes", {})
    except (OSError, ValueError):
        raise StoreError(f"{path}: not an llpscan store (unreadable zarr.json)") from None
    if attrs.get("llpscan_format") != FORMAT:
        raise StoreError(f"{path}: not an llpscan store (zarr group without llpscan provenance)")
    return attrs


def _template(scan: Scan) -> xr.Dataset:
    import dask.array as da

    chunks = block_chunks(scan)
    dims = acceptance_dims(scan)
    shape = tuple(len(scan.searches) if d == "search" else len(scan.axes[d]) for d in dims)
    chunk_shape = tuple(chunks.get(d, n) for d, n in zip(dims, shape))
    ds = xr.Dataset(coords=coordinates(scan))
    for name, long in (("acceptance", "detector acceptance (MC mean)"),
                       ("acceptance_err", "Monte-Carlo standard error of acceptance")):
        ds[name] = xr.DataArray(da.full(shape, np.nan, chunks=chunk_shape), dims=dims,
                                attrs={"units": "1", "long_name": long})
    for name, var in cheap_variables(scan).items():
        ds[name] = var.astype(np.uint8) if var.dtype == bool else var
    ds["done"] = xr.DataArray(np.zeros(block_grid(scan) or (1,), dtype=np.uint8), dims=done_dims(scan),
                              attrs={"units": "1", "long_name": "1 where the block's acceptance is written"})
    cfg = scan.config.model_dump(mode="json")
    ds.attrs.update(
        llpscan_format=FORMAT,
        scenario=scan.scenario.name,
        description=scan.config.description or scan.scenario.description,
        citation=scan.scenario.citation,
        config=json.dumps(cfg, sort_keys=True),
        config_hash=scan.hash(),
        seed=scan.config.seed,
        events_per_mass_point=scan.config.events,
        statistic=scan.scenario.statistic,
        signal_factors=json.dumps(list(scan.scenario.signal_factors)),
        block_chunks=json.dumps(chunks),
        mass_axes=json.dumps(list(scan.mass_axes)),
        versions=json.dumps(_versions()),
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    return ds


def create_store(scan: Scan, path: Path) -> None:
    """Write the store's layout (metadata, coordinates, cheap variables, empty done mask).

    Written to a temporary directory and renamed into place, so a store either exists whole or
    not at all.
    """
    ds = _template(scan)
    chunks = block_chunks(scan)
    encoding = {"done": {"chunks": (1,) * ds["done"].ndim}}
    for name in ("acceptance", "acceptance_err"):
        encoding[name] = {"chunks": tuple(chunks.get(d, ds.sizes[d]) for d in ds[name].dims), "_FillValue": np.nan}
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    try:
        ds.to_zarr(tmp, mode="w-", compute=False, consolidated=False, encoding=encoding, zarr_format=3)
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def completeness(path: Path) -> tuple[int, int]:
    """(blocks done, blocks in all)."""
    import zarr

    done = zarr.open_array(path / "done", mode="r")[...]
    return int(done.sum()), int(done.size)


@contextlib.contextmanager
def lease(path: Path):
    """Exclusive right to write ``path``: an flock on ``STORE.lock`` beside it.

    The kernel releases the lock when its holder dies, even by SIGKILL, so a dead run never blocks
    the next one, and two live runs can never both hold it (local file systems; flock is not
    reliable on every network file system).
    """
    lock = path.with_name(path.name + ".lock")
    me = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            try:
                other = json.loads(lock.read_text() or "{}")
            except (OSError, ValueError):
                other = {}
            raise StoreLocked(
                f"{path} is being written by another run (pid {other.get('pid', '?')} on "
                f"{other.get('host', '?')}); wait for it to finish"
            ) from None
        try:
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the previous holder removed the file between our open and flock: retry
    os.ftruncate(fd, 0)
    os.write(fd, json.dumps(me).encode())
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)
        os.close(fd)


def open_scan(store, *, allow_partial: bool = False) -> xr.Dataset:
    """Open a stored scan as a Dataset of dask arrays, with ``n_signal`` derived lazily.

    n_signal = prod(signal factors) x acceptance, and 0 where ``allowed`` is 0 (masked points).
    A store with blocks never computed raises :class:`StoreIncomplete` unless ``allow_partial``;
    with it, the missing values read as NaN (never as 0).
    """
    path = local_path(store)
    attrs = read_attrs(path)
    done, total = completeness(path)
    if done < total and not allow_partial:
        raise StoreIncomplete(f"{path}: only {done} of {total} blocks are computed; finish it with "
                              f"`llpscan run ... --out {path} --resume`")
    ds = xr.open_zarr(path, consolidated=False, chunks={})
    n = ds["acceptance"]
    for name in json.loads(attrs["signal_factors"]):
        n = n * ds[name]
    if "allowed" in ds:
        n = n.where(ds["allowed"] != 0, 0.0)
    ds["n_signal"] = n.assign_attrs(units="events", long_name="expected number of signal events")
    ds.attrs["blocks_done"] = done
    ds.attrs["blocks_total"] = total
    return ds
