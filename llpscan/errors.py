"""The errors a user can act on, one class per kind of failure.

Every layer raises these (``llpscan.errors`` depends on nothing), and the command line prints each
as one line, ``llpscan: error: ...``, with exit status 2. Anything else that escapes is a bug in
llpscan (or in a plugin): the command line reports it as ``llpscan: internal error: ...`` with exit
status 3 and keeps the traceback (:data:`EXIT_INTERNAL`).

=====================  ==========================================================================
class                  failure
=====================  ==========================================================================
ConfigError            a config, preset, axis, option, selection or argument is not valid
ScenarioError          a scenario or preset cannot be found or loaded (unknown name, broken plugin)
ArgumentTypeError      a Python API argument has the wrong type (also a ``TypeError``)
ResourceLimit          the scan is larger than the limits (work, memory, grid); a flag lifts them
ClusterError           the dask scheduler or a worker cannot be reached or died
StoreError             a store is missing, is not an llpscan store, or does not match the config
StoreLocked            another run is writing the store
StoreIncomplete        the store has blocks that were never computed
StoreDamaged           stored data fails its checksum or is missing (``llpscan verify``)
StoreReplaced          the store was replaced (``--overwrite``) while it was being read
EnvironmentMismatch    resuming in an environment whose libraries differ from the store's
StorageError           the file system refused a read or write (disk full, permissions, no path)
=====================  ==========================================================================
"""

__all__ = ["LLPScanError", "ConfigError", "ScenarioError", "ArgumentTypeError", "ResourceLimit", "ClusterError",
           "StoreError", "StoreLocked", "StoreIncomplete", "StoreDamaged", "StoreReplaced", "EnvironmentMismatch",
           "StorageError", "EXIT_USER", "EXIT_INTERNAL", "EXIT_INTERRUPTED"]

#: exit status of the command line for an error the user can act on
EXIT_USER = 2
#: exit status for a bug (an exception that is not an :class:`LLPScanError`)
EXIT_INTERNAL = 3
#: exit status after Ctrl-C
EXIT_INTERRUPTED = 130


class LLPScanError(Exception):
    """Base of every error caused by the user's input, config, plugin, store or environment."""


class ConfigError(LLPScanError):
    """A scan config, preset, axis, option or selection is not valid."""


class ScenarioError(ConfigError):
    """A scenario or preset cannot be found, registered or loaded (unknown name, broken plugin)."""


class ArgumentTypeError(ConfigError, TypeError):
    """A Python API argument has the wrong type (``overwrite="no"``); also a ``TypeError``."""


class ResourceLimit(ConfigError):
    """The scan needs more work, memory or grid points than the limits allow (``allow_large`` lifts them)."""


class ClusterError(LLPScanError):
    """The dask scheduler cannot be reached, or its workers died running a block."""


class StoreError(LLPScanError):
    """A store is missing, is not an llpscan store, or does not match the config."""


class StoreLocked(StoreError):
    """Another run is writing the store."""


class StoreIncomplete(StoreError):
    """The store has blocks that were never computed."""


class StoreDamaged(StoreError):
    """Stored data fails its checksum, or a chunk of a finished block is missing."""


class StoreReplaced(StoreError):
    """The store was replaced by another (an ``--overwrite``) while it was being read."""


class EnvironmentMismatch(StoreError):
    """Resuming a store in an environment with other versions of the libraries that make its numbers."""


class StorageError(LLPScanError):
    """The file system refused a read or a write (disk full, permission denied, unreachable path)."""
