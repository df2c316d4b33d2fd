"""What a model declares: its parameters (name, unit, meaning, allowed range), its LLPs and lifetimes.

:class:`Model` is the protocol a scan needs of a model; :class:`ModelBase` is an optional base class
for one. A parameter's ``kind`` says how it enters a scan, which is what makes scans cheap:
``mass`` changes the kinematics, so events are generated per value; ``lifetime`` changes a proper
decay length, so the acceptance depends on it (from the same events); ``rate`` only scales the
number of events (broadcast, never looped).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

import numpy as np

__all__ = ["Parameter", "DiscreteParameter", "Model", "ModelBase"]


@dataclass(frozen=True)
class Parameter:
    """One model (or experiment) parameter.

    ``lower``/``upper`` bound the values a user may ask for (inclusive); a value outside is an
    input error. Values inside that are kinematically forbidden for a given point are masked by
    the model instead (``Model.is_open``).
    """

    name: str
    units: str
    description: str
    default: float
    kind: Literal["mass", "lifetime", "rate"]
    lower: float = 0.0
    upper: float = math.inf
    positive: bool = False  # exclude ``lower`` itself
    #: how figures write it, LaTeX math without the unit (e.g. ``r"|V_{eN}|^2"``); "" -> the name
    latex: str = ""

    def check(self, values) -> str | None:
        """Return a one-line complaint about ``values`` or None when all are allowed."""
        v = np.asarray(values, dtype=float)
        if v.size == 0:
            return f"{self.name}: empty list of values"
        if not np.all(np.isfinite(v)):
            return f"{self.name}: values must be finite numbers"
        bad = (v < self.lower) | (v > self.upper) | ((v == self.lower) & self.positive)
        if np.any(bad):
            lo = "(" if self.positive else "["
            hi = "]" if math.isfinite(self.upper) else ")"
            allowed = f"{lo}{self.lower:g}, {self.upper:g}{hi} {self.units}".rstrip()
            return f"{self.name}={v[bad][0]:g} is outside the allowed range {allowed}"
        return None


@dataclass(frozen=True)
class DiscreteParameter(Parameter):
    """A parameter whose values must come from a list (``values``, matched within ``tolerance``).

    >>> p = DiscreteParameter("sqrt_s", "GeV", "CM energy", 4.18, "mass", values=(3.097, 4.18))
    >>> p.check([4.18]) is None, p.check([4.0])
    (True, 'sqrt_s=4 is not one of the allowed values 3.097, 4.18 GeV')
    """

    values: tuple[float, ...] = ()
    tolerance: float = 5e-4

    def check(self, values) -> str | None:
        problem = super().check(values)
        if problem:
            return problem
        v = np.atleast_1d(np.asarray(values, dtype=float))
        bad = [x for x in v if not np.any(np.abs(np.asarray(self.values) - x) < self.tolerance)]
        if bad:
            return (f"{self.name}={bad[0]:g} is not one of the allowed values "
                    f"{', '.join(f'{x:g}' for x in self.values)} {self.units}")
        return None


@runtime_checkable
class Model(Protocol):
    """A physics model: parameters, long-lived particles and their proper decay lengths.

    ``ctau`` and ``is_open`` take parameter values as keyword arrays that broadcast, and ignore the
    parameters they do not need. Any object with these members is a model (no base class needed).

    >>> class Toy:
    ...     name = "toy"
    ...     llps = ("X",)
    ...     parameters = (Parameter("m_X", "GeV", "mass of X", 1.0, "mass", latex="m_X"),
    ...                   Parameter("g", "1", "coupling", 1e-3, "lifetime", latex="g"))
    ...     def ctau(self, *, m_X, g, **_):
    ...         return {"X": 1e-3 / (np.square(g) * np.asarray(m_X))}
    ...     def is_open(self, *, m_X, **_):
    ...         return np.asarray(m_X) > 0
    >>> isinstance(Toy(), Model)
    True
    >>> float(Toy().ctau(m_X=2.0, g=1e-2)["X"])   # c tau ~ 1/(g^2 m): halves when m_X doubles
    5.0
    """

    name: str
    parameters: tuple[Parameter, ...]
    llps: tuple[str, ...]

    def ctau(self, **params) -> dict[str, np.ndarray]:
        """Proper decay length (m) of every LLP, keyed by the names in ``llps``."""
        ...

    def is_open(self, **masses) -> np.ndarray:
        """True where the production and decay chain is kinematically open."""
        ...


class ModelBase:
    """Optional base of the physics models (it satisfies :class:`Model` once filled in).

    Subclasses set ``name``, ``parameters`` and ``llps`` and implement :meth:`ctau` and
    :meth:`is_open`; all methods take parameter values as keyword arrays that broadcast. (Named
    ``ModelBase`` so that ``Model`` is the protocol that scenarios and users type against.)
    """

    name: str = ""
    parameters: tuple[Parameter, ...] = ()
    llps: tuple[str, ...] = ()

    def ctau(self, **params) -> dict[str, np.ndarray]:
        """Proper decay length (m) of every LLP, keyed by the names in ``llps``."""
        raise NotImplementedError

    def is_open(self, **masses) -> np.ndarray:
        """True where the production and decay chain is kinematically open."""
        raise NotImplementedError
