"""Masses and lifetimes of known particles, from the ``particle`` package (PDG data).

Every mass of a Standard-Model particle used by the physics code goes through :func:`mass`,
so the numbers follow the PDG edition that ``particle`` ships, not hand-typed tables.
"""

from __future__ import annotations

from functools import lru_cache

from particle import Particle

from llpscan.physics.constants import HBAR

__all__ = ["mass", "lifetime", "width"]

_MEV = 1e-3  # particle stores masses and widths in MeV
_NS = 1e-9  # and lifetimes in ns


@lru_cache(maxsize=1)
def _by_name() -> dict[str, Particle]:
    # one pass over the table: Particle.from_name scans it on every call (0.2 s each)
    return {p.name: p for p in Particle.all()}


def _particle(name: str) -> Particle:
    try:
        return _by_name()[name]
    except KeyError:
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

