"""The errors a user can act on, one class per kind of failure.

Every layer raises these (``llpscan.errors`` depends on nothing), and the command line prints each
as one line, ``llpscan: error: ...``, with exit status 2.
"""

__all__ = ["LLPScanError", "ConfigError", "ScenarioError", "StoreError", "StoreLocked", "StoreIncomplete"]


class LLPScanError(Exception):
    """Base of every error caused by the user's input, config, plugin or store."""


class ConfigError(LLPScanError):
    """A scan config, preset, axis or selection is not valid."""


class ScenarioError(ConfigError):
    """A scenario or preset cannot be found, registered or loaded (unknown name, broken plugin)."""


class StoreError(LLPScanError):
    """A store is missing, is not an llpscan store, or does not match the config."""


class StoreLocked(StoreError):
    """Another run is writing the store."""


class StoreIncomplete(StoreError):
    """The store has blocks that were never computed."""
