"""The zarr store of a scan: layout, provenance, integrity, the done mask, the writer's lease, opening.

Layout (one zarr v3 group): coordinates with ``units``; ``acceptance`` and ``acceptance_err`` on
``(search, *mass axes, *lifetime axes)``, one zarr chunk per block, NaN until written; the cheap
variables of the scenario; ``done`` (uint8, one chunk per block) set by the same task after it
wrote the block's data. Attrs hold the provenance (``llpscan`` version, the config JSON and its
hash, seed, events per mass point, library versions, creation time, statistic, signal factors).
Derived quantities (``n_signal``) are not stored: :func:`open_scan` computes them lazily.

Integrity (stores with ``integrity = "crc32c"``): every chunk of every array ends in a CRC32C
checksum (zarr's ``crc32c`` codec), and every chunk is written, even one that holds only fill
values, so a chunk that is missing where its block is done is damage, not "all NaN". A read that
meets a bad checksum raises :class:`StoreDamaged` naming the block; :func:`open_scan` refuses a
store with missing chunks; :func:`verify` reads every chunk and marks the blocks it finds damaged
or missing as not done, so that a resumed run recomputes exactly them. Stores written before
(no ``integrity`` attr) open as before; ``llpscan info`` says that they carry no checksums.

Replacing a store (``--overwrite``) never exposes a half state: the new store is written beside
the old one (:meth:`Location.aside`, ``STORE.new``) and swapped in only when complete, with one
atomic ``renameat2(RENAME_EXCHANGE)`` where the kernel offers it (two renames otherwise); readers
check the store's identity after every chunk they read and raise :class:`StoreReplaced` if it
changed under them.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import math
import os
import shutil
import socket
import stat
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from llpscan.errors import (ArgumentTypeError, EnvironmentMismatch, LLPScanError, StorageError, StoreDamaged,
                            StoreError, StoreIncomplete, StoreLocked, StoreReplaced)
from llpscan.scanner.wording import flag, resume_hint, verify_hint

if TYPE_CHECKING:  # writing a store needs the scan machinery; reading one (info, query) does not
    import xarray as xr

    from llpscan.scanner.config import Scan

__all__ = ["Location", "locate", "create_store", "read_attrs", "read_done", "stamp_run", "lease", "open_scan",
           "verify", "VerifyReport", "presence", "repair_for_resume", "check_versions",
           "record_version_change", "replace_store", "remove_leftovers", "array_bytes", "array_metadata",
           "read_array", "done_index", "check_readable", "check_arrays", "chunk_where", "first_damage", "INTEGRITY", "NUMERIC_LIBS", "BLOCK_ARRAYS", "SMALL_STORE_BYTES"]

FORMAT = "llpscan-store-1"
#: value of the ``integrity`` attr of stores whose chunks all carry a CRC32C and all exist
INTEGRITY = "crc32c"
_LIBS = ("numpy", "scipy", "dask", "distributed", "xarray", "zarr", "numba", "particle")
#: libraries whose version can change the stored numbers (particle: the PDG edition moves
#: results by ~3e-4; numpy, scipy and numba: the last bits of transcendental functions)
NUMERIC_LIBS = ("numpy", "scipy", "numba", "particle")
#: arrays written block by block by the tasks (one chunk per block along the mass axes)
BLOCK_ARRAYS = ("acceptance", "acceptance_err")
_WRITE_ALL = {"write_empty_chunks": True}


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

    @property
    def name(self) -> str:
        return self.url.rstrip("/").rsplit("/", 1)[-1]

    def _fs(self):
        import fsspec

        return fsspec.core.url_to_fs(self.url)

    def exists(self) -> bool:
        if self.is_local:
            return os.path.lexists(self.path)
        fs, p = self._fs()
        return fs.exists(p)

    def remove(self) -> None:
        if self.is_local:
            if self.path.is_symlink() or not self.path.is_dir():
                self.path.unlink()
            else:
                shutil.rmtree(self.path)
        else:
            fs, p = self._fs()
            fs.rm(p, recursive=True)

    def sibling(self, suffix: str) -> Location:
        """``STORE<suffix>`` beside the store (``STORE.new``, ``STORE.lock``)."""
        if self.is_local:
            p = self.path.with_name(self.path.name + suffix)
            return Location(url=str(p), path=p)
        return Location(url=self.url + suffix)

    def aside(self) -> Location:
        """Where ``--overwrite`` builds the replacement until it is complete: ``STORE.new``."""
        return self.sibling(".new")

    def check_parent(self) -> None:
        """The directory that will hold the store exists and can be written (local stores)."""
        if not self.is_local:
            return
        parent = self.path.parent
        if not parent.is_dir():
            raise StoreError(f"{self}: the directory {parent} does not exist")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise StorageError(f"{self}: the directory {parent} is not writable")

    def identity(self):
        """What changes when the store is replaced: the directory's inode, or the ``store_id`` attr."""
        if self.is_local:
            try:
                st = os.stat(self.path)
            except OSError:
                return None
            return (st.st_dev, st.st_ino)
        fs, p = self._fs()
        try:
            return json.loads(fs.cat_file(p + "/zarr.json")).get("attributes", {}).get("store_id")
        except (OSError, ValueError):
            return None

    def __str__(self) -> str:
        return self.url


def locate(store) -> Location:
    """The :class:`Location` of ``store``: local paths made absolute (so tasks on other processes
    resolve them alike), other URLs kept as they are."""
    if isinstance(store, Location):
        return store
    if not isinstance(store, (str, os.PathLike)):
        raise ArgumentTypeError(f"a store is a path or URL, got {type(store).__name__} {store!r}")
    text = os.fspath(store)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if not text.strip():
        raise StoreError("the store path is empty")
    if "\0" in text:
        raise StoreError(f"{text!r}: a path cannot contain a NUL character")
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
        if not loc.path.is_dir() or not meta.is_file():
            raise StoreError(f"{loc}: not an llpscan store (no zarr.json)")
        try:
            attrs = json.loads(meta.read_text()).get("attributes", {})
        except (OSError, ValueError, AttributeError):
            raise StoreError(f"{loc}: not an llpscan store (unreadable zarr.json)") from None
    else:
        import zarr

        try:
            attrs = dict(zarr.open_group(loc.url, mode="r").attrs)
        except Exception:  # noqa: BLE001 - zarr raises several kinds for "not a group"
            raise StoreError(f"{loc}: not an llpscan store (no zarr group)") from None
    if not isinstance(attrs, dict) or attrs.get("llpscan_format") != FORMAT:
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
        integrity=INTEGRITY,
        store_id=uuid.uuid4().hex,
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


def _codecs() -> dict:
    """zstd, then a CRC32C of the compressed bytes: a read checks the bytes it was given."""
    from zarr.codecs import Crc32cCodec, ZstdCodec

    return {"compressors": (ZstdCodec(level=0), Crc32cCodec())}


def create_store(scan: Scan, loc: Location) -> None:
    """Write the store's layout (metadata, coordinates, cheap variables, empty done mask).

    Locally it is written to a fresh private temporary directory (``mkdtemp``: a new name, never
    a path someone prepared, symlink or not) and renamed into place; elsewhere the attribute that
    makes it an llpscan store is written last. Either way a store exists whole or not at all.
    """
    from llpscan.scanner.grid import block_chunks

    ds = _template(scan)
    chunks = block_chunks(scan)
    encoding = {name: _codecs() for name in ds.variables}
    encoding["done"]["chunks"] = (1,) * ds["done"].ndim
    for name in BLOCK_ARRAYS:
        encoding[name].update(chunks=tuple(chunks.get(d, ds.sizes[d]) for d in ds[name].dims), _FillValue=np.nan)
    write = dict(compute=False, consolidated=False, encoding=encoding, zarr_format=3, write_empty_chunks=True)
    if not loc.is_local:
        import zarr

        ds.attrs.pop("llpscan_format")
        ds.to_zarr(loc.url, mode="w-", **write)
        zarr.open_group(loc.url, mode="r+").attrs["llpscan_format"] = FORMAT
        return
    path = loc.path
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; a store is as readable as any directory
        ds.to_zarr(tmp, mode="w-", **write)
        os.rename(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def remove_leftovers(loc: Location) -> list[str]:
    """Remove what killed runs left beside ``loc``: ``.STORE.tmp-*`` layouts and ``STORE.old-*``
    stores of a swap. Only under the lease (no other writer can be making them); real
    directories only, never what a symlink points to. Returns the names removed."""
    if not loc.is_local:
        return []
    removed = []
    parent, name = loc.path.parent, loc.path.name
    for p in parent.glob(f".{name}.tmp-*"):
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p.name)
    for p in parent.glob(f"{name}.old-*"):
        if p.is_dir() and not p.is_symlink() and (p / "zarr.json").is_file():
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p.name)
    return removed


def _is_damage(e: BaseException) -> bool:
    """A zarr read error that means the bytes are bad (checksum, undecodable), not a bug of ours."""
    return isinstance(e, (ValueError, RuntimeError)) and not isinstance(e, NotImplementedError)


def _damage_text(e: BaseException) -> str:
    return "checksum mismatch" if "checksum" in str(e).lower() else f"cannot be decoded: {str(e).splitlines()[0][:120]}"


def _group(loc: Location, mode: str = "r"):
    import zarr

    return zarr.open_group(loc.url, mode=mode)


def _array(loc: Location, name: str, mode: str = "r"):
    import zarr
    from zarr.errors import ArrayNotFoundError

    try:
        arr = zarr.open_array(store=loc.url, path=name, mode=mode)
    except ArrayNotFoundError:
        raise StoreDamaged(f"{loc}: the array {name} is missing (its metadata is gone); recompute the store with "
                           f"{flag('overwrite')}") from None
    except (ValueError, TypeError, KeyError) as e:  # metadata that does not parse
        raise StoreDamaged(f"{loc}: the metadata of {name} is damaged ({type(e).__name__}); recompute the store "
                           f"with {flag('overwrite')}") from None
    return arr.with_config(_WRITE_ALL) if mode != "r" else arr


def read_done(loc: Location, *, strict: bool = True) -> np.ndarray:
    """The done mask (one uint8 flag per block).

    A damaged flag chunk raises :class:`StoreDamaged` (``strict``), or reads as "not done" (the
    fill value), so a resumed run recomputes that block and writes a fresh flag.
    """
    return read_array(loc, "done", damaged="raise" if strict else "fill",
                      what="the done mask")


def _local_metadata(loc: Location, name: str) -> dict:
    try:
        return json.loads((loc.path / name / "zarr.json").read_text())
    except FileNotFoundError:
        raise StoreDamaged(f"{loc}: the array {name} is missing (its metadata is gone); recompute the store with "
                           f"{flag('overwrite')}") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise StoreDamaged(f"{loc}: the metadata of {name} is damaged ({type(e).__name__}); recompute the store "
                           f"with {flag('overwrite')}") from None


def array_metadata(loc: Location) -> dict[str, dict]:
    """name -> zarr metadata (``shape``, ``data_type``, ``attributes``, ``dimension_names``, ...) of
    every array of the store, read from the metadata documents alone."""
    if loc.is_local:
        out = {}
        for meta in sorted(loc.path.glob("*/zarr.json")):
            m = _local_metadata(loc, meta.parent.name)
            if m.get("node_type") == "array":
                out[meta.parent.name] = m
        return out
    import zarr

    return {name: a.metadata.to_dict() for name, a in zarr.open_group(loc.url, mode="r").arrays()}


# numpy dtypes of the zarr v3 data types llpscan writes; "string" is numpy object (str) here
_DTYPES = {"bool": "?", "float64": "f8", "float32": "f4", "int64": "i8", "int32": "i4", "int16": "i2",
           "int8": "i1", "uint8": "u1", "uint16": "u2", "uint32": "u4", "uint64": "u8", "string": "O"}


def _fast_codecs(codecs: list[str]) -> bool:
    """An encoding read here without zarr: bytes or UTF-8 strings, then zstd and/or crc32c."""
    if not codecs or codecs[0] not in ("bytes", "vlen-utf8"):
        return False
    rest = codecs[1:]
    return rest in ([], ["zstd"], ["crc32c"], ["zstd", "crc32c"])


def read_array(loc: Location, name: str, meta: dict | None = None, *, damaged: str = "raise",
               what: str | None = None, found: list | None = None) -> np.ndarray:
    """The whole array ``name`` of the store as numpy.

    Local stores in llpscan's encodings (little-endian bytes or UTF-8 strings, zstd, CRC32C, default
    chunk keys) are read straight from their chunk files, without importing zarr (which costs more
    than ``llpscan info`` itself), checking every chunk's CRC32C as zarr's codec does; any other
    store or encoding goes through zarr. Missing chunks read as the fill value, as zarr reads them.
    A chunk that fails its checksum or does not decode raises :class:`StoreDamaged`
    (``damaged="raise"``) or reads as the fill value (``"fill"``; its index and the reason are
    appended to ``found`` if given, so a caller can refuse only reads that touch it).
    """
    what = what or name
    if meta is None and loc.is_local:
        meta = _local_metadata(loc, name)
    codecs = None if meta is None else [c["name"] for c in meta.get("codecs", [])]
    key = {} if meta is None else meta.get("chunk_key_encoding", {})
    fast = (loc.is_local and _fast_codecs(codecs) and meta.get("data_type") in _DTYPES
            and key.get("name") == "default" and key.get("configuration", {}).get("separator", "/") == "/"
            and all(c.get("configuration", {}).get("endian", "little") == "little" for c in meta["codecs"]))
    if not fast:
        return _read_with_zarr(loc, name, damaged, what, found)
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
        try:
            raw = f.read_bytes()
        except FileNotFoundError:
            continue
        except OSError as e:
            raise StorageError(f"{loc}: cannot read {name}: {e.strerror or e}") from None
        try:
            block = _decode_chunk(raw, codecs, dtype, chunk)
        except ValueError as e:
            if damaged == "fill":
                if found is not None:
                    found.append((idx, _damage_text(e)))
                continue
            raise StoreDamaged(f"{loc}: {what} is damaged ({_damage_text(e)}); run {verify_hint(loc)}") from None
        at = tuple(slice(i * c, min((i + 1) * c, s)) for i, c, s in zip(idx, chunk, shape))
        out[at] = block[tuple(slice(0, a.stop - a.start) for a in at)]
    return out


def _decode_chunk(raw: bytes, codecs: list[str], dtype: np.dtype, chunk: tuple[int, ...]) -> np.ndarray:
    """One chunk's bytes decoded as zarr's codecs do (ValueError if damaged)."""
    if "crc32c" in codecs:
        import google_crc32c  # zarr's own dependency for this codec

        body, stored = raw[:-4], raw[-4:]
        if len(raw) < 4 or np.uint32(google_crc32c.value(body)).tobytes() != stored:
            raise ValueError("stored and computed checksum do not match")
        raw = body
    try:
        if "zstd" in codecs:
            from numcodecs import Zstd

            raw = Zstd().decode(raw)
        if codecs[0] == "vlen-utf8":
            from numcodecs import VLenUTF8

            return np.asarray(VLenUTF8().decode(raw), dtype=object).reshape(chunk)
        return np.frombuffer(raw, dtype=dtype).reshape(chunk)
    except ValueError:
        raise
    except Exception as e:  # noqa: BLE001 - a codec's own error type for bytes it cannot decode
        raise ValueError(f"{type(e).__name__}: {e}") from None


def chunk_where(loc: Location, name: str, dims, chunk: tuple[int, ...], chunk_shape) -> str:
    """``block m_a=4.7, m_N=2, V2=1e-09..1e-07 of acceptance`` for a chunk of a block array (its
    range along every axis that indexes blocks), the array's name for any other."""
    if name not in BLOCK_ARRAYS:
        return name
    try:
        axes = _block_axes(loc)
    except LLPScanError:
        return name
    parts = []
    for axis in axes:
        if axis not in dims:
            continue
        k = list(dims).index(axis)
        try:
            values = read_array(loc, axis, damaged="fill")
        except LLPScanError:
            parts.append(f"{axis} chunk {chunk[k]}")
            continue
        piece = values[chunk[k] * chunk_shape[k]:(chunk[k] + 1) * chunk_shape[k]]
        parts.append(f"{axis}={piece[0]:g}" + (f"..{piece[-1]:g}" if len(piece) > 1 else ""))
    return f"block {', '.join(parts) or '0'} of {name}"


def first_damage(loc: Location, names, region: dict | None = None) -> str | None:
    """``WHERE is damaged (WHY)`` for the first chunk of the arrays ``names`` that fails its checksum
    or does not decode (only chunks that meet ``region``, name -> tuple of slices), else None.
    For the error path only: it reads the chunks one by one."""
    for name in names:
        try:
            arr = _array(loc, str(name))
        except StoreDamaged as e:
            return str(e)
        sel = (region or {}).get(name)
        for idx in np.ndindex(*arr.cdata_shape):
            if sel is not None and not all(
                    (k.start or 0) < (i + 1) * c and (s if k.stop is None else k.stop) > i * c
                    for k, i, c, s in zip(sel, idx, arr.chunks, arr.shape) if isinstance(k, slice)):
                continue
            try:
                arr.get_block_selection(idx)
            except Exception as e:  # noqa: BLE001 - sorted below
                if not _is_damage(e):
                    raise
                dims = list(arr.metadata.dimension_names or [])
                return f"{chunk_where(loc, str(name), dims, idx, arr.chunks)} is damaged ({_damage_text(e)})"
    return None


def _read_with_zarr(loc: Location, name: str, damaged: str, what: str, found: list | None = None) -> np.ndarray:
    arr = _array(loc, name)
    try:
        return arr[...]
    except OSError as e:
        raise StorageError(f"{loc}: cannot read {name}: {e.strerror or e}") from None
    except Exception as e:  # noqa: BLE001 - sorted below
        if not _is_damage(e):
            raise
        if damaged == "raise":
            raise StoreDamaged(f"{loc}: {what} is damaged ({_damage_text(e)}); run {verify_hint(loc)}") from None
    out = np.full(arr.shape, arr.fill_value, dtype=arr.dtype)
    for idx in np.ndindex(*arr.cdata_shape):  # chunk by chunk, the damaged ones left at the fill value
        sl = tuple(slice(i * c, min((i + 1) * c, s)) for i, c, s in zip(idx, arr.chunks, arr.shape))
        try:
            out[sl] = arr[sl]
        except (ValueError, RuntimeError) as e:
            if found is not None:
                found.append((idx, _damage_text(e)))
    return out


def stamp_run(loc: Location, run_id: str) -> None:
    """Mark the store as written by run ``run_id`` (tasks of any other run then stop writing)."""
    _group(loc, "r+").attrs["run_id"] = run_id


# -- integrity: which chunks should exist, which do, which read back --------------------------------

def _listing(loc: Location) -> set[str]:
    """Every key (relative path) under the store."""
    if loc.is_local:
        root = str(loc.path)
        out = set()
        for dirpath, _, files in os.walk(root):
            rel = os.path.relpath(dirpath, root)
            for f in files:
                out.add(f if rel == "." else f"{rel}/{f}".replace(os.sep, "/"))
        return out
    fs, p = loc._fs()
    p = p.rstrip("/")
    return {k[len(p) + 1:] for k in fs.find(p)}


def _block_axes(loc: Location) -> list[str]:
    """The axes that index blocks (every mass axis, and the lifetime axes split into pieces), from
    the done mask's dimension names (``m_N_block``, ...; ``block`` when nothing is split)."""
    meta = _local_metadata(loc, "done") if loc.is_local else None
    names = (meta or {}).get("dimension_names")
    if names is None:
        names = list(_array(loc, "done").metadata.dimension_names or [])
    return [d.removesuffix("_block") for d in names if d != "block"]


def _block_of(name: str, chunk: tuple[int, ...], dims: list[str], block_axes: list[str]) -> tuple[int, ...] | None:
    """The block a chunk of a block array belongs to (its chunk index along the block axes)."""
    return tuple(chunk[dims.index(a)] for a in block_axes) if name in BLOCK_ARRAYS else None


def done_index(index: tuple[int, ...]) -> tuple[int, ...]:
    """Position of a block's flag in the ``done`` array (which is 1-D with one flag if no axis is split)."""
    return index if index else (0,)


def _done_at(done: np.ndarray, block: tuple[int, ...]) -> bool:
    return bool(done[done_index(block)])


@dataclass
class Problems:
    """What is wrong with a store: damaged or missing chunks, by block and by array."""

    blocks: dict = field(default_factory=dict)   # block index -> text of the first problem found
    arrays: dict = field(default_factory=dict)   # array name -> text (coordinates, cheap variables)
    done_chunks: list = field(default_factory=list)  # damaged flags of the done mask

    def __bool__(self) -> bool:
        return bool(self.blocks or self.arrays or self.done_chunks)

    def first(self) -> str:
        if self.blocks:
            block, text = next(iter(self.blocks.items()))
            return f"block {block} {text}"
        if self.arrays:
            name, text = next(iter(self.arrays.items()))
            return f"{name} {text}"
        return "the done mask is damaged"


def _members(loc: Location):
    import warnings

    with warnings.catch_warnings():  # a directory without metadata is reported by check_arrays, not warned about
        warnings.simplefilter("ignore")
        return list(_group(loc).arrays())


@dataclass
class _Layout:
    """What presence() needs of an array: its chunk grid, dimension names and chunk keys."""
    cdata_shape: tuple[int, ...]
    dims: list[str]
    separator: str = "/"

    def key(self, chunk: tuple[int, ...]) -> str:
        return self.separator.join(("c", *map(str, chunk)))


def _layouts(loc: Location) -> dict[str, _Layout]:
    """name -> layout of every array, from the metadata documents of a local store (no zarr
    import), through zarr elsewhere or for encodings other than the default one."""
    if loc.is_local:
        out = {}
        for name, m in array_metadata(loc).items():
            enc = m.get("chunk_key_encoding", {})
            if enc.get("name") != "default":
                break
            chunk = m["chunk_grid"]["configuration"]["chunk_shape"]
            out[name] = _Layout(tuple(-(-s // c) for s, c in zip(m["shape"], chunk)),
                                list(m.get("dimension_names") or []),
                                enc.get("configuration", {}).get("separator", "/"))
        else:
            return out
    return {name: _ArrayLayout(arr) for name, arr in _members(loc)}


class _ArrayLayout(_Layout):
    def __init__(self, arr):
        self.arr = arr
        self.cdata_shape = arr.cdata_shape
        self.dims = list(arr.metadata.dimension_names or [])

    def key(self, chunk):
        return self.arr.metadata.encode_chunk_key(chunk)


def presence(loc: Location, attrs: dict | None = None, done: np.ndarray | None = None) -> Problems:
    """Chunks that must exist and do not: of blocks marked done, and of every other array (except
    the done mask, whose missing flags read as "not done"). One listing of the store, no reads;
    only for stores with ``integrity`` (older ones skipped chunks that held only fill values)."""
    attrs = attrs if attrs is not None else read_attrs(loc)
    out = Problems()
    if attrs.get("integrity") != INTEGRITY:
        return out
    done = done if done is not None else read_done(loc, strict=False)
    baxes = _block_axes(loc)
    keys = _listing(loc)
    for name, arr in _layouts(loc).items():
        if name == "done":
            continue
        for chunk in np.ndindex(*arr.cdata_shape):
            key = f"{name}/{arr.key(chunk)}"
            if key in keys:
                continue
            block = _block_of(name, chunk, arr.dims, baxes)
            if block is None:
                out.arrays.setdefault(name, "is missing a chunk")
            elif _done_at(done, block):
                out.blocks.setdefault(block, f"is marked done but its {name} chunk is missing")
    return out


@dataclass
class VerifyReport:
    store: str
    checksums: bool
    chunks_read: int
    blocks_total: int
    blocks_done_before: int
    problems: Problems
    marked: list

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = []
        for block, text in self.problems.blocks.items():
            out.append(f"block {block}: {text}")
        for name, text in self.problems.arrays.items():
            out.append(f"{name}: {text}")
        for chunk in self.problems.done_chunks:
            out.append(f"done flag {chunk}: damaged")
        return out


def verify(store, *, mark: bool = True) -> VerifyReport:
    """Read every chunk of a store; find damaged (checksum) and missing chunks.

    With ``mark`` (under the store's lease), the blocks found damaged or missing are marked not
    done and damaged coordinates or variables are recorded (attr ``damaged_arrays``), so that
    ``run(..., resume=True)`` recomputes exactly them and rewrites those arrays.
    """
    loc = locate(store)
    attrs = read_attrs(loc)
    check_arrays(loc, attrs)  # lost metadata: nothing to mark, the store must be recomputed
    checksums = attrs.get("integrity") == INTEGRITY
    done = read_done(loc, strict=False)
    problems = presence(loc, attrs, done)
    arr_done = _array(loc, "done")
    for idx in np.ndindex(*arr_done.cdata_shape):
        try:
            arr_done.get_block_selection(idx)
        except Exception as e:  # noqa: BLE001
            if not _is_damage(e):
                raise
            problems.done_chunks.append(idx)
    baxes = _block_axes(loc)
    keys = _listing(loc)
    reads = 0
    for name, arr in _members(loc):
        if name == "done":
            continue
        for chunk in np.ndindex(*arr.cdata_shape):
            if f"{name}/{arr.metadata.encode_chunk_key(chunk)}" not in keys:
                continue  # missing: presence() above judged it
            reads += 1
            try:
                arr.get_block_selection(chunk)
            except Exception as e:  # noqa: BLE001
                if not _is_damage(e):
                    raise
                block = _block_of(name, chunk, list(arr.metadata.dimension_names or []), baxes)
                text = f"{name} chunk {chunk} is damaged ({_damage_text(e)})"
                if block is None:
                    problems.arrays.setdefault(name, text)
                else:
                    problems.blocks.setdefault(block, text)
    marked = []
    if mark and problems:
        with lease(loc):
            g = _group(loc, "r+")
            flags = _array(loc, "done", "r+")
            for block in problems.blocks:
                flags[done_index(block)] = 0
                marked.append(block)
            for chunk in problems.done_chunks:
                flags[chunk] = 0  # a fresh chunk in place of the damaged one: "not done"
            if problems.arrays:
                names = set(json.loads(attrs.get("damaged_arrays", "[]"))) | set(problems.arrays)
                g.attrs["damaged_arrays"] = json.dumps(sorted(names))
            g.attrs["verified"] = json.dumps({"at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                              "marked_not_done": [list(b) for b in marked],
                                              "damaged_arrays": sorted(problems.arrays)})
    return VerifyReport(str(loc), checksums, reads, int(done.size), int(done.sum()), problems, marked)


def repair_for_resume(scan: Scan, loc: Location, attrs: dict, problems: Problems | None = None) -> int:
    """Before a resume: blocks marked done whose chunks are missing become not done, and the
    coordinates and variables that verify found damaged (or that are missing) are rewritten from
    the scan (cheap, and bit-identical: the config and library versions are those of the store).
    Returns the number of blocks marked not done. ``problems``: :func:`presence` of the store, if
    the caller has it."""
    problems = problems if problems is not None else presence(loc, attrs)
    names = set(json.loads(attrs.get("damaged_arrays", "[]"))) | set(problems.arrays)
    if problems.blocks:
        flags = _array(loc, "done", "r+")
        for block in problems.blocks:
            flags[done_index(block)] = 0
    if names:
        template = _template(scan)
        for name in sorted(names):
            if name in template.variables and name not in BLOCK_ARRAYS:
                _array(loc, name, "r+")[...] = np.asarray(template[name].values)
        g = _group(loc, "r+")
        g.attrs.pop("damaged_arrays", None)
    return len(problems.blocks)


# -- versions --------------------------------------------------------------------------------------

def check_versions(loc: Location, attrs: dict, *, allow_change: bool) -> dict:
    """{library: (stored, here)} for the libraries in :data:`NUMERIC_LIBS` that differ.

    :class:`EnvironmentMismatch` unless ``allow_change``: resuming would mix blocks computed
    with other physics inputs or arithmetic in one store.
    """
    try:
        stored = json.loads(attrs.get("versions", "{}"))
    except ValueError:
        stored = {}
    here = _versions()
    diff = {lib: (stored[lib], here.get(lib, "absent")) for lib in NUMERIC_LIBS
            if lib in stored and stored[lib] != here.get(lib, "absent")}
    if diff and not allow_change:
        then = ", ".join(f"{lib} {a}" for lib, (a, _) in diff.items())
        now = ", ".join(f"{lib} {b}" for lib, (_, b) in diff.items())
        raise EnvironmentMismatch(
            f"{loc} was computed with {then}; this environment has {now}: resuming would mix blocks computed two "
            f"ways (a PDG edition moves results by ~3e-4); install the store's versions, recompute with "
            f"{flag('overwrite')}, or pass {flag('allow_version_change')} to proceed (recorded in the store)")
    return diff


def record_version_change(loc: Location, diff: dict, done_before: int) -> None:
    """Append what changed (and from which block on) to the store's ``version_changes`` attr."""
    g = _group(loc, "r+")
    history = json.loads(g.attrs.get("version_changes", "[]"))
    history.append({"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "blocks_done_before": done_before,
                    "changed": {lib: {"store": a, "now": b} for lib, (a, b) in diff.items()}})
    g.attrs["version_changes"] = json.dumps(history)


# -- replacing a store -----------------------------------------------------------------------------

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unavailable."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EPERM, errno.ENOTSUP):
        return False  # this file system cannot exchange: two renames instead
    raise OSError(err, os.strerror(err), str(a))


def replace_store(loc: Location, new: Location) -> None:
    """Put the complete store ``new`` in place of ``loc`` and delete the old one.

    Locally one atomic exchange (readers see the old store or the new one, never neither), else
    ``loc`` -> ``loc.old-<id>``, ``new`` -> ``loc`` (between them ``loc`` is briefly absent).
    Elsewhere (fsspec) there is no rename: the old store is deleted, the new one copied in with
    its ``zarr.json`` last, then deleted; readers of the old one see its identity change.
    """
    if loc.is_local:
        if not loc.exists():
            os.rename(new.path, loc.path)
            return
        if _exchange(new.path, loc.path):
            shutil.rmtree(new.path)  # now the old store
            return
        old = loc.path.with_name(f"{loc.path.name}.old-{uuid.uuid4().hex[:8]}")
        os.rename(loc.path, old)
        os.rename(new.path, loc.path)
        shutil.rmtree(old)
        return
    fs, p = loc._fs()
    _, q = new._fs()
    if fs.exists(p):
        fs.rm(p, recursive=True)
    files = sorted(fs.find(q), key=lambda k: k.endswith("/zarr.json") and k.count("/") == q.count("/") + 1)
    for f in files:  # the group's zarr.json last: until it exists, nothing is an llpscan store here
        fs.copy(f, p + f[len(q):])
    fs.rm(q, recursive=True)


# -- the writer's lease ----------------------------------------------------------------------------

@contextlib.contextmanager
def lease(loc: Location):
    """Exclusive right to write the store: ``STORE.lock`` beside it.

    Locally an flock: the kernel releases it when its holder dies, even by SIGKILL, so a dead run
    never blocks the next one, and two live runs can never both hold it (flock is not reliable on
    every network file system). The lock file is opened with ``O_NOFOLLOW`` and must be a regular
    file: a symlink planted at ``STORE.lock`` is refused, its target never opened or truncated.
    On other fsspec URLs a lock object created with mode ``"xb"`` and removed at the end. That is
    exclusive only where the backend enforces create-if-absent: ``memory://`` (tested) and local
    files do; fsspec does not promise it for remote file systems (s3fs only recently), so there two
    runs started at the same moment may both proceed. A run killed on a URL store leaves the lock
    object behind; the refusal message names it.
    """
    me = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
    if not loc.is_local:
        with _url_lease(loc, me):
            yield
        return
    path = loc.path
    lock = path.with_name(path.name + ".lock")
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    while True:
        try:
            fd = os.open(lock, flags, 0o644)
        except OSError as e:
            if e.errno == errno.ELOOP:
                raise StoreError(f"{lock} is a symbolic link; refusing to follow it (remove it: a lock file is "
                                 "created by llpscan itself)") from None
            if e.errno == errno.EISDIR:
                raise StoreError(f"{lock} is a directory, not llpscan's lock file; remove it") from None
            raise StorageError(f"{lock}: cannot create the lock file: {e.strerror}") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise StoreError(f"{lock} is not a regular file (not llpscan's lock file); remove it")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                other = json.loads(os.pread(fd, 4096, 0) or b"{}")
            except (OSError, ValueError):
                other = {}
            os.close(fd)
            other = other if isinstance(other, dict) else {}
            raise StoreLocked(
                f"{path} is being written by another run (pid {other.get('pid', '?')} on "
                f"{other.get('host', '?')}); wait for it to finish"
            ) from None
        try:
            same = os.stat(lock, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # the previous holder removed the file between our open and flock: retry
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(me).encode(), 0)  # who holds it, for the refusal message of others
    except OSError:
        pass  # a full disk: the lock holds all the same (the kernel's flock), only its note is missing
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            if os.stat(lock, follow_symlinks=False).st_ino == os.fstat(fd).st_ino:
                lock.unlink()
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


# -- reading ---------------------------------------------------------------------------------------

class _StoredArray:
    """One array of a store as dask reads it, chunk by chunk: a bad checksum becomes
    :class:`StoreDamaged` naming the block, a read error :class:`~llpscan.errors.StorageError`,
    and a store replaced meanwhile :class:`StoreReplaced`. Picklable (the zarr array reopens)."""

    def __init__(self, loc: Location, name: str, shape, dtype, chunks, identity):
        self.loc, self.name, self.shape, self.dtype = loc, name, tuple(shape), np.dtype(dtype)
        self.ndim = len(self.shape)
        self.chunks = chunks
        self.identity = identity
        self._arr = None

    def __getstate__(self):
        return {**self.__dict__, "_arr": None}

    def _where(self, key, e: BaseException) -> str:
        """Which chunk of the region read is damaged (found by reading them one by one)."""
        region = {self.name: key if isinstance(key, tuple) else (key,)}
        return first_damage(self.loc, [self.name], region) or f"{self.name} is damaged ({_damage_text(e)})"

    def __getitem__(self, key):
        import zarr

        if self._arr is None:
            self._arr = zarr.open_array(store=self.loc.url, path=self.name, mode="r")
        try:
            out = self._arr[key]
        except OSError as e:
            raise StorageError(f"{self.loc}: cannot read {self.name}: {e.strerror or e}") from None
        except Exception as e:  # noqa: BLE001 - sorted below
            if not _is_damage(e):
                raise
            raise StoreDamaged(f"{self.loc}: {self._where(key, e)}; run {verify_hint(self.loc)}") from None
        if self.identity is not None and self.loc.identity() != self.identity:
            raise StoreReplaced(f"{self.loc} was replaced while it was being read (an overwrite); open it again")
        return out


def _checked(ds: xr.Dataset, loc: Location, identity) -> xr.Dataset:
    """``ds`` with every lazily read variable behind :class:`_StoredArray`."""
    import dask.array as da

    replace = {}
    for name, var in ds.variables.items():
        if name in ds.indexes or not hasattr(var.data, "dask"):
            continue
        chunks = var.encoding.get("chunks") or var.shape
        source = _StoredArray(loc, str(name), var.shape, var.dtype, tuple(chunks), identity)
        data = da.from_array(source, chunks=var.data.chunks, name=f"llpscan-{loc.url}-{name}-{identity}",
                             meta=np.empty((0,) * var.ndim, dtype=var.dtype), asarray=False, fancy=False)
        replace[name] = var.copy(data=data)
    return ds.assign({k: v for k, v in replace.items() if k in ds.data_vars}).assign_coords(
        {k: v for k, v in replace.items() if k in ds.coords})


def check_arrays(loc: Location, attrs: dict) -> None:
    """StoreDamaged if an array the store must hold has lost its metadata (no --resume can fix that)."""
    try:
        layouts = _layouts(loc)
        present = set(layouts)
    except StoreDamaged:
        raise
    except Exception as e:  # noqa: BLE001 - unreadable array metadata
        if isinstance(e, OSError):
            raise StorageError(f"{loc}: cannot read the store: {e.strerror or e}") from None
        raise StoreDamaged(f"{loc}: the metadata of an array is damaged ({type(e).__name__}); recompute the store "
                           f"with {flag('overwrite')}") from None
    needed = {"acceptance", "acceptance_err", "done", *json.loads(attrs.get("signal_factors", "[]")),
              *json.loads(attrs.get("mass_axes", "[]"))}
    # and the coordinate of every dimension an array runs along (the done mask's block indices have none)
    needed |= {d for layout in layouts.values() for d in layout.dims if d != "block" and not d.endswith("_block")}
    lost = sorted(needed - present)
    if lost:
        raise StoreDamaged(f"{loc}: the array {', '.join(lost)} is missing (its metadata is gone); recompute the "
                           f"store with {flag('overwrite')}")


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


def check_readable(loc: Location, attrs: dict, *, allow_partial: bool = False,
                   check_presence: bool = True) -> np.ndarray:
    """The done mask, after the checks every read makes: the arrays exist, verify found nothing
    damaged, no finished block lacks a chunk (``check_presence``), every block is computed (unless
    ``allow_partial``). Raises :class:`StoreDamaged` or :class:`StoreIncomplete`."""
    done = read_done(loc, strict=check_presence)
    check_arrays(loc, attrs)
    damaged = json.loads(attrs.get("damaged_arrays", "[]"))
    if damaged and check_presence:
        raise StoreDamaged(f"{loc}: {', '.join(damaged)} damaged (found by verify); rewrite with "
                           f"{resume_hint(loc)}")
    if check_presence:
        problems = presence(loc, attrs, done)
        if problems:
            raise StoreDamaged(f"{loc}: {problems.first()}; run {verify_hint(loc)}")
    n_done, total = int(done.sum()), int(done.size)
    if n_done < total and not allow_partial:
        raise StoreIncomplete(f"{loc}: only {n_done} of {total} blocks are computed; finish it with "
                              f"{resume_hint(loc)}")
    return done


def open_scan(store, *, allow_partial: bool = False, check_presence: bool = True,
              in_memory: bool | None = False) -> xr.Dataset:
    """Open a stored scan as a Dataset, with ``n_signal`` derived (lazily on dask arrays).

    n_signal = prod(signal factors) x acceptance, and 0 where ``allowed`` is 0 (masked points).
    A store with blocks never computed raises :class:`StoreIncomplete` unless ``allow_partial``;
    with it, the missing values read as NaN (never as 0). Missing chunks of finished blocks and
    arrays that :func:`verify` found damaged raise :class:`StoreDamaged`; a chunk that fails its
    checksum raises it when it is read.

    ``in_memory``: False (default) gives dask arrays, one chunk per array for stores below
    :data:`SMALL_STORE_BYTES` and the store's own chunks above; True loads numpy arrays; None
    chooses numpy below :data:`SMALL_STORE_BYTES` and dask above (the command line's reads: no dask
    import and no per-chunk overhead for the usual store).
    """
    import xarray as xr

    from llpscan.scanner import accessor  # noqa: F401  (registers ds.llp on the Dataset)
    from llpscan.scanner.stats import derive, signal_product

    if not isinstance(allow_partial, bool):
        raise ArgumentTypeError(f"allow_partial must be True or False, got {allow_partial!r}")
    loc = locate(store)
    for attempt in range(3):
        identity = loc.identity()
        attrs = read_attrs(loc)
        done = check_readable(loc, attrs, allow_partial=allow_partial, check_presence=check_presence)
        n_done, total = int(done.sum()), int(done.size)
        small = array_bytes(loc) <= SMALL_STORE_BYTES
        try:
            ds = xr.open_zarr(loc.url, consolidated=False, chunks=None if small else {})
        except OSError as e:
            raise StorageError(f"{loc}: cannot read the store: {e.strerror or e}") from None
        except Exception as e:  # noqa: BLE001 - a coordinate that fails its checksum
            if not _is_damage(e):
                raise
            raise StoreDamaged(f"{loc}: a coordinate is damaged ({_damage_text(e)}); run {verify_hint(loc)}") from None
        if loc.identity() == identity:
            break
        time.sleep(0.05 * (attempt + 1))  # replaced while we read its metadata: read the new one
    else:
        raise StoreReplaced(f"{loc} keeps being replaced while it is opened; try again")
    if in_memory or (in_memory is None and small):  # numpy: one read per array, no dask
        try:
            ds = ds.load()
        except OSError as e:
            raise StorageError(f"{loc}: cannot read the store: {e.strerror or e}") from None
        except Exception as e:  # noqa: BLE001 - a chunk that fails its checksum
            if not _is_damage(e):
                raise
            where = first_damage(loc, [*ds.data_vars, *ds.coords]) or f"a chunk is damaged ({_damage_text(e)})"
            raise StoreDamaged(f"{loc}: {where}; run {verify_hint(loc)}") from None
        if loc.identity() != identity:
            raise StoreReplaced(f"{loc} was replaced while it was being read (an overwrite); open it again")
    else:
        if small:  # one dask chunk per array (one zarr read each), not one task per stored block
            ds = ds.chunk({d: -1 for d in ds.dims})
        ds = _checked(ds, loc, identity)
    ds["n_signal"] = signal_product(ds, "acceptance").assign_attrs(units="events", long_name="expected number of signal events")
    derive(ds)
    ds.attrs["blocks_done"] = n_done
    ds.attrs["blocks_total"] = total
    ds.attrs["store"] = loc.url
    return ds


def free_bytes(loc: Location) -> float:
    """Free space where a local store goes (inf elsewhere)."""
    if not loc.is_local:
        return math.inf
    p = loc.path
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        return float(shutil.disk_usage(p).free)
    except OSError:
        return math.inf
