"""Where the blocks run: dask's threaded scheduler, a LocalCluster, or an existing cluster.

``connect(workers, scheduler)`` yields ``None`` for the threaded scheduler or a connected
``distributed.Client``:

- ``workers=N``: a ``LocalCluster`` of N single-threaded worker processes (closed afterwards);
- ``scheduler``: an address (``tcp://host:port``, ``tls://...``) or the path of a scheduler file
  written by ``dask scheduler --scheduler-file``;
- neither, while the user holds an active ``distributed.Client``: that client is used (and left
  open); otherwise the threaded scheduler.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys

from llpscan.errors import ClusterError, ConfigError
from llpscan.scanner.wording import flag

__all__ = ["connect", "active_client"]


def active_client():
    """The user's current distributed Client, if ``distributed`` is loaded and one exists."""
    if "distributed" not in sys.modules:
        return None
    from distributed import default_client

    try:
        return default_client()
    except ValueError:
        return None


def _announce(client, announce) -> None:
    try:
        link = client.dashboard_link
    except Exception:  # noqa: BLE001 - no dashboard (e.g. started with --no-dashboard)
        link = None
    announce(f"dask cluster {client.scheduler.address}" + (f", dashboard {link}" if link else ""))


def _check_scheduler_file(path) -> None:
    """A scheduler file is the JSON that ``dask scheduler --scheduler-file`` writes, with an address."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise ConfigError(f"{flag('scheduler', path)}: not a dask scheduler file ({type(e).__name__}: "
                          f"{str(e).splitlines()[0] if str(e) else ''})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("address"), str):
        raise ConfigError(f"{flag('scheduler', path)}: not a dask scheduler file (no \"address\" in it)")


@contextlib.contextmanager
def connect(workers: int | None = None, scheduler: str | None = None, *, announce=None):
    """Yield the client to run on (None: threads). ``announce(text)`` receives the dashboard link."""
    if workers is not None and scheduler is not None:
        raise ConfigError(f"{flag('workers', workers)} and {flag('scheduler', scheduler)} exclude each other")
    if workers is None and scheduler is None:
        client = active_client()
        if client is not None and announce is not None:
            _announce(client, announce)
        yield client
        return
    from distributed import Client, LocalCluster

    own_cluster = None
    try:
        if scheduler is not None:
            if os.path.isfile(scheduler):
                _check_scheduler_file(scheduler)
                client = Client(scheduler_file=scheduler, timeout="10s")
            elif "://" in scheduler or ":" in scheduler:
                client = Client(scheduler, timeout="10s")
            else:
                raise ConfigError(f"{flag('scheduler', scheduler)}: neither an address (tcp://host:port) nor a scheduler file")
        else:
            if workers < 1:
                raise ConfigError(f"{flag('workers', workers)}: need at least 1")
            # loopback only: workers run pickled code unauthenticated. The scheduler serves HTTP with or
            # without bokeh (None means its default :8787, which another cluster may hold): always port 0
            own_cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address="127.0.0.1:0")
            client = Client(own_cluster)
    except (OSError, TimeoutError) as e:
        if own_cluster is not None:
            own_cluster.close()
        raise ClusterError(f"cannot reach the dask scheduler {scheduler or '(local cluster)'}: {e}") from None
    except TypeError as e:  # distributed's way of saying a tls:// address has no TLS configuration
        raise ClusterError(f"cannot connect to {scheduler}: {e} (see deploy/tls for the client configuration)") from None
    except KeyError as e:  # a JSON scheduler file without the address
        raise ConfigError(f"{flag('scheduler', scheduler)}: not a dask scheduler file (no {e} in it)") from None
    except ValueError as e:  # an address distributed cannot parse, or a scheduler file that is not one
        raise ConfigError(f"{flag('scheduler', scheduler)}: {str(e).splitlines()[0] if str(e) else type(e).__name__}") from None
    if announce is not None:
        _announce(client, announce)
    try:
        yield client
    finally:
        client.close()
        if own_cluster is not None:
            own_cluster.close()
