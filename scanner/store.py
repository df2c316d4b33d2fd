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
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from llpscan.errors import StoreError, StoreIncomplete, StoreLocked

if TYPE_CHECKING:  # writing a store needs the scan machinery; reading one (info, query) does not
    import xarray as xr

    from llpscan.scanner.config import Scan

__all__ = ["Location", "locate", "create_store", "read_attrs", "read_done", "stamp_run", "lease", "open_scan",
           "completeness", "array_bytes", "array_metadata", "read_array", "SMALL_STORE_BYTES"]

FORMAT = "llpscan-store-1"
_LIBS = ("numpy", "scipy", "dask", "distributed", "xarray", "zarr", "numba", "particle")


@dataclass(frozen=True)
class Location:
    """Where a store lives: a local directory (``path``) or any other fsspec URL (``url``).

    Local paths (and ``file://`` URLs, normalised to paths) open as zarr's LocalStore, which writes
    every chunk atomically (temp file + rename). Other URLs open through fsspec; how atomic a chunk
    write is there is the backend's: object stores (s3, gcs, az) and ``memory://`` replace whole
    objects, so a chunk is never torn.
    """

    url: str
    path: Path | None = None

    @property
    def is_local(self) -> bool:
        return self.path is not None

    def _fs(self):
        import fsspec

        return fsspec.core.url_to_fs(self.url)

    def exists(self) -> bool:
        if self.is_local:
            return self.path.exists()
        fs, p = self._fs()
        return fs.exists(p)

    def remove(self) -> None:
        if self.is_local:
            shutil.rmtree(self.path)
        else:
            fs, p = self._fs()
            fs.rm(p, recursive=True)

    def check_parent(self) -> None:
        if self.is_local and not self.path.parent.is_dir():
            raise StoreError(f"{self}: the directory {self.path.parent} does not exist")

    def __str__(self) -> str:
        return self.url


def locate(store) -> Location:
    """The :class:`Location` of ``store``: local paths made absolute (so tasks on other processes
    resolve them alike), other URLs kept as they are."""
    if isinstance(store, Location):
        return store
    text = os.fspath(store)
    if not text.strip():
        raise StoreError("the store path is empty")
    if text.startswith("file://"):
        text = text[len("file://"):]
    elif "://" in text:
        return Location(url=text.rstrip("/"))
    path = Path(text).expanduser().resolve()
    return Location(url=str(path), path=path)


def _versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for lib in ("llpscan", *_LIBS):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[lib] = metadata.version(lib)
    return out


def read_attrs(loc: Location) -> dict:
    """The group attrs of an llpscan store; StoreError if ``loc`` is not one."""
    if not loc.exists():
        raise StoreError(f"{loc}: no such store")
    if loc.is_local:
        meta = loc.path / "zarr.json"
        if not meta.is_file():
            raise StoreError(f"{loc}: not an llpscan store (no zarr.json)")
        try:
            attrs = json.loads(meta.read_text()).get("attributes", {})
        except (OSError, ValueError):
            raise StoreError(f"{loc}: not an llpscan store (unreadable zarr.json)") from None
    else:
        import zarr

        try:
            attrs = dict(zarr.open_group(loc.url, mode="r").attrs)
        except Exception:  # noqa: BLE001 - zarr raises several kinds for "not a group"
            raise StoreError(f"{loc}: not an llpscan store (no zarr group)") from None
    if attrs.get("llpscan_format") != FORMAT:
        raise StoreError(f"{loc}: not an llpscan store (zarr group without llpscan provenance)")
    return attrs


def _template(scan: Scan) -> xr.Dataset:
    import dask.array as da
    import xarray as xr

    from llpscan.detectors.registry import scenario_origin
    from llpscan.scanner.dataset import cheap_variables, coordinates, done_dims, statistic_attrs
    from llpscan.scanner.grid import acceptance_dims, block_chunks, block_grid

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
        scenario_origin=json.dumps(scenario_origin(scan.scenario.name), sort_keys=True),
        config=json.dumps(cfg, sort_keys=True),
        config_hash=scan.hash(),
        seed=scan.config.seed,
        events_per_mass_point=scan.config.events,
        **statistic_attrs(scan),
        block_chunks=json.dumps(chunks),
        mass_axes=json.dumps(list(scan.mass_axes)),
        versions=json.dumps(_versions()),
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    return ds


def create_store(scan: Scan, loc: Location) -> None:
    """Write the store's layout (metadata, coordinates, cheap variables, empty done mask).

    Locally it is written to a temporary directory and renamed into place; elsewhere the attribute
    that makes it an llpscan store is written last. Either way a store exists whole or not at all.
    """
    from llpscan.scanner.grid import block_chunks

    ds = _template(scan)
    chunks = block_chunks(scan)
    encoding = {"done": {"chunks": (1,) * ds["done"].ndim}}
    for name in ("acceptance", "acceptance_err"):
        encoding[name] = {"chunks": tuple(chunks.get(d, ds.sizes[d]) for d in ds[name].dims), "_FillValue": np.nan}
    write = dict(compute=False, consolidated=False, encoding=encoding, zarr_format=3)
    if not loc.is_local:
        import zarr

        ds.attrs.pop("llpscan_format")
        ds.to_zarr(loc.url, mode="w-", **write)
        zarr.open_group(loc.url, mode="r+").attrs["llpscan_format"] = FORMAT
        return
    path = loc.path
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    try:
        ds.to_zarr(tmp, mode="w-", **write)
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_done(loc: Location) -> np.ndarray:
    """The done mask (one uint8 flag per block)."""
    return read_array(loc, "done")


def array_metadata(loc: Location) -> dict[str, dict]:
    """name -> zarr metadata (``shape``, ``data_type``, ``attributes``, ``dimension_names``, ...) of
    every array of the store, read from the metadata documents alone."""
    if loc.is_local:
        out = {}
        for meta in sorted(loc.path.glob("*/zarr.json")):
            m = json.loads(meta.read_text())
            if m.get("node_type") == "array":
                out[meta.parent.name] = m
        return out
    import zarr

    return {name: a.metadata.to_dict() for name, a in zarr.open_group(loc.url, mode="r").arrays()}


# numpy dtypes of the zarr v3 data types llpscan writes; "string" is numpy object (str) here
_DTYPES = {"bool": "?", "float64": "f8", "float32": "f4", "int64": "i8", "int32": "i4", "int16": "i2",
           "int8": "i1", "uint8": "u1", "uint16": "u2", "uint32": "u4", "uint64": "u8", "string": "O"}
_FAST_CODECS = (["bytes"], ["bytes", "zstd"], ["vlen-utf8"], ["vlen-utf8", "zstd"])


def read_array(loc: Location, name: str, meta: dict | None = None) -> np.ndarray:
    """The whole array ``name`` of the store as numpy.

    Local stores in llpscan's encodings (little-endian bytes or UTF-8 strings, zstd or none, default
    chunk keys) are read straight from their chunk files, without importing zarr (which costs more
    than ``llpscan info`` itself); any other store or encoding goes through zarr. Missing chunks read
    as the fill value, as zarr reads them.
    """
    if meta is None and loc.is_local:
        meta = json.loads((loc.path / name / "zarr.json").read_text())
    codecs = None if meta is None else [c["name"] for c in meta.get("codecs", [])]
    key = {} if meta is None else meta.get("chunk_key_encoding", {})
    fast = (loc.is_local and codecs in _FAST_CODECS and meta.get("data_type") in _DTYPES
            and key.get("name") == "default" and key.get("configuration", {}).get("separator", "/") == "/"
            and all(c.get("configuration", {}).get("endian", "little") == "little" for c in meta["codecs"]))
    if not fast:
        import zarr

        return zarr.open_group(loc.url, mode="r")[name][...]
    from numcodecs import VLenUTF8, Zstd

    dtype = np.dtype(_DTYPES[meta["data_type"]])
    shape = tuple(meta["shape"])
    chunk = tuple(meta["chunk_grid"]["configuration"]["chunk_shape"])
    fill = meta.get("fill_value")
    if dtype.kind == "f":
        fill = float(fill) if fill is not None else np.nan  # "NaN", "Infinity" parse as floats
    out = np.full(shape, fill if fill is not None else 0, dtype=dtype)
    grid = tuple(-(-s // c) for s, c in zip(shape, chunk))
    for idx in np.ndindex(*grid):
        f = loc.path / name / "/".join(("c", *map(str, idx)))
        if not f.is_file():
            continue
        raw = f.read_bytes()
        if "zstd" in codecs:
            raw = Zstd().decode(raw)
        if codecs[0] == "vlen-utf8":
            block = np.asarray(VLenUTF8().decode(raw), dtype=object).reshape(chunk)
        else:
            block = np.frombuffer(raw, dtype=dtype).reshape(chunk)
        at = tuple(slice(i * c, min((i + 1) * c, s)) for i, c, s in zip(idx, chunk, shape))
        out[at] = block[tuple(slice(0, a.stop - a.start) for a in at)]
    return out


def stamp_run(loc: Location, run_id: str) -> None:
    """Mark the store as written by run ``run_id`` (tasks of any other run then stop writing)."""
    import zarr

    zarr.open_group(loc.url, mode="r+").attrs["run_id"] = run_id


def completeness(loc: Location) -> tuple[int, int]:
    """(blocks done, blocks in all)."""
    done = read_done(loc)
    return int(done.sum()), int(done.size)


@contextlib.contextmanager
def lease(loc: Location):
    """Exclusive right to write the store: ``STORE.lock`` beside it.

    Locally an flock: the kernel releases it when its holder dies, even by SIGKILL, so a dead run
    never blocks the next one, and two live runs can never both hold it (flock is not reliable on
    every network file system). On other fsspec URLs a lock object created with mode ``"xb"`` and
    removed at the end. That is exclusive only where the backend enforces create-if-absent:
    ``memory://`` (tested) and local files do; fsspec does not promise it for remote file systems
    (s3fs only recently), so there two runs started at the same moment may both proceed. A run
    killed on a URL store leaves the lock object behind; the refusal message names it.
    """
    me = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
    if not loc.is_local:
        with _url_lease(loc, me):
            yield
        return
    path = loc.path
    lock = path.with_name(path.name + ".lock")
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


@contextlib.contextmanager
def _url_lease(loc: Location, me: dict):
    fs, p = loc._fs()
    lock = p + ".lock"
    try:
        with fs.open(lock, "xb") as f:
            f.write(json.dumps(me).encode())
    except FileExistsError:
        try:
            other = json.loads(fs.cat_file(lock) or b"{}")
        except (OSError, ValueError):
            other = {}
        since = datetime.fromtimestamp(other.get("since", 0), timezone.utc).isoformat(timespec="seconds")
        raise StoreLocked(f"{loc} is being written by another run (pid {other.get('pid', '?')} on "
                          f"{other.get('host', '?')} since {since}); if that run is gone, delete {loc}.lock") from None
    except (NotImplementedError, ValueError) as e:
        raise StoreError(f"{loc}: this file system cannot create a lock exclusively ({e})") from None
    try:
        yield
    finally:
        fs.rm(lock)


#: below this many bytes of arrays (uncompressed), reads open a store in memory: one read per array
#: instead of one dask task per zarr chunk (a 512 x 400 scan in 128 blocks: reach in 0.1 s, not 2 s)
SMALL_STORE_BYTES = 64 * 2**20


def array_bytes(loc: Location) -> int:
    """Uncompressed size of every array of the store, from its metadata (no data read)."""
    if not loc.is_local:
        import zarr

        return sum(int(a.nbytes) for _, a in zarr.open_group(loc.url, mode="r").arrays())
    return sum(int(np.prod(m["shape"], dtype=np.int64)) * np.dtype(_DTYPES.get(m["data_type"], "f8")).itemsize
               for m in array_metadata(loc).values())


def open_scan(store, *, allow_partial: bool = False, in_memory: bool | None = False) -> xr.Dataset:
    """Open a stored scan as a Dataset, with ``n_signal`` derived (lazily on dask arrays).

    n_signal = prod(signal factors) x acceptance, and 0 where ``allowed`` is 0 (masked points).
    A store with blocks never computed raises :class:`StoreIncomplete` unless ``allow_partial``;
    with it, the missing values read as NaN (never as 0).

    ``in_memory``: False (default) gives dask arrays, one chunk per array for stores below
    :data:`SMALL_STORE_BYTES` and the store's own chunks above; True loads numpy arrays; None
    chooses numpy below :data:`SMALL_STORE_BYTES` and dask above (the command line's reads: no dask
    import and no per-chunk overhead for the usual store).
    """
    import xarray as xr

    from llpscan.scanner import accessor  # noqa: F401  (registers ds.llp on the Dataset)
    from llpscan.scanner.stats import derive

    loc = locate(store)
    attrs = read_attrs(loc)
    done, total = completeness(loc)
    if done < total and not allow_partial:
        raise StoreIncomplete(f"{loc}: only {done} of {total} blocks are computed; finish it with "
                              f"`llpscan run ... --out {loc} --resume`")
    small = array_bytes(loc) <= SMALL_STORE_BYTES
    if in_memory or (in_memory is None and small):
        ds = xr.open_zarr(loc.url, consolidated=False, chunks=None).load()
    elif small:  # one dask chunk per array (one zarr read each), not one task per stored block
        ds = xr.open_zarr(loc.url, consolidated=False, chunks=None)
        ds = ds.chunk({d: -1 for d in ds.dims})
    else:
        ds = xr.open_zarr(loc.url, consolidated=False, chunks={})
    n = ds["acceptance"]
    for name in json.loads(attrs["signal_factors"]):
        n = n * ds[name]
    if "allowed" in ds:
        n = n.where(ds["allowed"] != 0, 0.0)
    ds["n_signal"] = n.assign_attrs(units="events", long_name="expected number of signal events")
    derive(ds)
    ds.attrs["blocks_done"] = done
    ds.attrs["blocks_total"] = total
    return ds
