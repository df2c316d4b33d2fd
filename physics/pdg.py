"""Masses and lifetimes of known particles, from the ``particle`` package (PDG data).

Every mass of a Standard-Model particle used by the physics code goes through :func:`mass`,
so the numbers follow the PDG edition that ``particle`` ships, not hand-typed tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from llpscan.physics.constants import HBAR

if TYPE_CHECKING:
    from particle import Particle

__all__ = ["mass", "lifetime", "width", "Masses"]

_MEV = 1e-3  # particle stores masses and widths in MeV
_NS = 1e-9  # and lifetimes in ns


@lru_cache(maxsize=1)
def _by_name() -> dict[str, Particle]:
    # one pass over the table: Particle.from_name scans it on every call (0.2 s each); the particle
    # package is imported here, on first use, not when the physics is imported
    from particle import Particle

    return {p.name: p for p in Particle.all()}


def _particle(name: str) -> Particle:
    try:
        return _by_name()[name]
    except KeyError:
        from particle import Particle

        return Particle.from_name(name)  # raises particle's own error for unknown names


def mass(name: str) -> float:
    """PDG mass of particle ``name`` (a ``particle`` name such as ``"B+"``, ``"D(s)+"``) in GeV."""
    return _particle(name).mass * _MEV


def lifetime(name: str) -> float:
    """PDG mean lifetime of ``name`` in seconds."""
    return _particle(name).lifetime * _NS


def width(name: str) -> float:
    """PDG total width of ``name`` in GeV (from the lifetime when PDG quotes a lifetime)."""
    p = _particle(name)
    if p.lifetime is not None and p.lifetime > 0 and p.width is not None and p.width < 1e-6:
        return HBAR / lifetime(name)
    if p.width is None:
        raise ValueError(f"the PDG data of {name} quote no width (it is not a mass eigenstate or not measured)")
    return p.width * _MEV


class Masses(Mapping):
    """Read-only mapping key -> PDG mass (GeV) of the particle named for the key, looked up when read:
    a module-level table of masses then costs nothing at import (loading the PDG table takes ~0.5 s).

    >>> m = Masses({"mu": "mu-"})
    >>> round(m["mu"], 6), list(m)
    (0.105658, ['mu'])
    """

    def __init__(self, names: dict[str, str]):
        self._names = dict(names)

    def __getitem__(self, key: str) -> float:
        return mass(self._names[key])

    def __iter__(self):
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)
