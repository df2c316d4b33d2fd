"""The errors a user can act on. The CLI prints each as one line and exits with status 2."""

__all__ = ["LLPScanError", "ConfigError", "StoreError", "StoreLocked", "StoreIncomplete"]


class LLPScanError(Exception):
    """Base of every error caused by the user's input, config or store."""


class ConfigError(LLPScanError):
    """A scan config, preset, axis or selection is not valid."""


class StoreError(LLPScanError):
    """A store is missing, is not an llpscan store, or does not match the config."""


class StoreLocked(StoreError):
    """Another run is writing the store."""


class StoreIncomplete(StoreError):
    """The store has blocks that were never computed."""
