"""A scenario binds a physics model to an experiment: source, searches, normalisation.

The scanner needs nothing else to build a scan. Everything here is plain numpy: the scanner turns
parameter axes into labelled dimensions and calls these functions on broadcastable arrays.

The number of signal events factorises (design.md, "The factorisation that makes scans cheap"):

    n_signal = prod(variables named in ``signal_factors``) x acceptance x allowed

Only the acceptance needs Monte Carlo; it depends on the mass parameters (through the events) and
on the lifetime parameters (through the LLP decay lengths). Every other variable is cheap and is
evaluated in closed form on the grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from llpscan.detectors.searches import Search
from llpscan.physics.kinematics import EventSample
from llpscan.physics.model import Model, Parameter

__all__ = ["Variable", "Scenario"]


@dataclass(frozen=True)
class Variable:
    """A cheap variable: ``fn(**{p: array for p in params})`` (or ``fn(search, **...)`` when
    ``per_search``), broadcasting over its parameters. ``units`` as written in the store."""

    name: str
    units: str
    description: str
    params: tuple[str, ...]
    fn: Callable[..., np.ndarray]
    per_search: bool = False


class Scenario:
    """Base class: subclasses set the attributes and implement :meth:`events`.

    Attributes:
        name, description, citation: what it is and where it comes from.
        model: the physics model.  extra_parameters: experiment parameters (e.g. ``lumi``).
        searches: the searches, each with a unique ``label``.
        llp_species: maps the LLP names of an :class:`EventSample` to the model's LLP names.
        variables: cheap variables stored beside the acceptance.
        signal_factors: names of variables whose product, times the acceptance, is n_signal.
        statistic: the exclusion statistic the scenario's paper uses (``events-3``, ``poisson-90``,
            ``chi2-2.71`` ...; the list is ``scanner.stats.STATISTICS``).
        background: name of the variable holding the expected background events (or None: zero).
        combine: axes over which a ``chi2`` statistic is summed (data sets at several energies).
        limit_on: a parameter whose limit the store derives as ``limit_name`` (default
            ``<name>_limit``) = value x n_needed / n_signal: the limit on a production branching
            ratio in model-independent scans, a single-event sensitivity. Where n_signal is not
            proportional to it, the value depends on the point it is read at; ``limit_long_name``
            says what it means.
        options: non-numeric choices, name -> allowed values (the first is the default); an
            instance is built as ``Cls(**options)`` and reads them with :meth:`option`.
    """

    name: str = ""
    description: str = ""
    citation: str = ""
    model: Model
    extra_parameters: tuple[Parameter, ...] = ()
    searches: tuple[Search, ...] = ()
    llp_species: dict[str, str]
    variables: tuple[Variable, ...] = ()
    signal_factors: tuple[str, ...] = ()
    statistic: str = "events-3"
    background: str | None = None
    combine: tuple[str, ...] = ()
    limit_on: str | None = None
    limit_name: str | None = None
    limit_long_name: str | None = None
    options: dict[str, tuple[str, ...]] = {}

    def __init__(self, **options: str):
        self._options = self.check_options(options)

    @classmethod
    def check_options(cls, options: dict[str, str]) -> dict[str, str]:
        """Every option with its value (defaults filled in); ValueError names a bad one."""
        for name, value in options.items():
            if name not in cls.options:
                known = ", ".join(cls.options) or "none"
                raise ValueError(f"unknown option {name!r} for {cls.name}; options: {known}")
            if value not in cls.options[name]:
                raise ValueError(f"option {name}={value!r}: allowed {', '.join(cls.options[name])}")
        return {name: options.get(name, allowed[0]) for name, allowed in cls.options.items()}

    def option(self, name: str) -> str:
        """The value of option ``name`` for this instance."""
        return self._options[name]

    @property
    def option_values(self) -> dict[str, str]:
        return dict(self._options)

    @property
    def parameters(self) -> tuple[Parameter, ...]:
        return tuple(self.model.parameters) + tuple(self.extra_parameters)

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    def names(self, kind: str) -> tuple[str, ...]:
        """Names of the parameters of one kind (``mass``, ``lifetime``, ``rate``)."""
        return tuple(p.name for p in self.parameters if p.kind == kind)

    def search(self, label: str) -> Search:
        for s in self.searches:
            if s.label == label:
                return s
        raise KeyError(label)

    def kinematically_open(self, **masses) -> bool:
        """True where events can be generated for these mass values."""
        raise NotImplementedError

    def events(self, masses: dict[str, float], n: int, rng: np.random.Generator) -> EventSample:
        """``n`` lab-frame events for one mass point."""
        raise NotImplementedError

    def acceptance_key(self, search: Search):
        """Searches with equal keys have equal acceptances, so a block computes it once for them.

        By default the search itself (equal field values); a scenario whose searches differ only in
        what multiplies the acceptance (a channel's branching ratio) drops those fields.
        """
        return search

    def acceptance(self, search: Search, events: EventSample, params: dict[str, np.ndarray]):
        """(mean, err) for every point of ``params`` (mass scalars and lifetime arrays (n,))."""
        ctau = self.model.ctau(**params)
        shape = np.broadcast_shapes(*(np.shape(v) for v in params.values()))
        rows = np.stack([np.broadcast_to(ctau[self.llp_species[name]], shape).ravel() for name in events.llps])
        return search.acceptance(events, rows)
