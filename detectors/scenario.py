"""A scenario binds a physics model to an experiment: source, searches, normalisation.

The scanner needs nothing else to build a scan. Everything here is plain numpy: the scanner turns
parameter axes into labelled dimensions and calls these functions on broadcastable arrays.

The number of signal events factorises, which is what makes scans cheap:

    n_signal = prod(variables named in ``signal_factors``) x acceptance x allowed

Only the acceptance needs Monte Carlo; it depends on the mass parameters (through the events) and
on the lifetime parameters (through the LLP decay lengths). Every other variable is cheap and is
evaluated in closed form on the grid.

A scenario is declarative: class attributes say what it is, methods marked with :func:`variable`
are its cheap variables (their arguments name the parameters they depend on), and an instance is
built from its options alone. Instances pickle with the standard :mod:`pickle` (no lambdas, no
closures, no open files), so a scan task carries the scenario itself to whatever worker runs it; that
is what lets a scenario defined in a plugin, a script or a notebook run on an external cluster.

>>> import numpy as np
>>> from llpscan.physics.model import Parameter
>>> class Toy(Scenario):
...     name = "toy"
...     extra_parameters = (Parameter("lumi", "fb^-1", "integrated luminosity", 1.0, "rate"),)
...     @variable("1", "events per fb^-1 times the luminosity")
...     def n_produced(self, lumi):
...         return 1e3 * np.asarray(lumi)
>>> [(v.name, v.params) for v in Toy().variables]
[('n_produced', ('lumi',))]
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from typing import Callable

import numpy as np

from llpscan.detectors.searches import Search
from llpscan.physics.kinematics import EventSample, event_batches
from llpscan.physics.model import Model, Parameter
from llpscan.physics.sources import Source

__all__ = ["Variable", "variable", "Switch", "Scenario"]

_MARK = "__llpscan_variable__"


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


@dataclass(frozen=True)
class Switch:
    """A value of a parameter where the scenario's theory description changes on purpose (a
    documented kink in reach curves): figures draw a thin marker there with ``note`` as a footnote.

    >>> Switch("m_N", 2.0, "HNL hadronic width: exclusive mesons below, inclusive quarks above").value
    2.0
    """

    parameter: str
    value: float
    note: str


def variable(units: str, description: str, *, name: str | None = None, per_search: bool = False):
    """Mark a :class:`Scenario` method as a cheap variable stored beside the acceptance.

    The method's arguments are parameter names (model or experiment parameters, or the scenario's
    ``constants``); with ``per_search`` its first argument is the
    :class:`~llpscan.detectors.searches.Search`, and the variable gets a ``search`` dimension.
    ``name`` defaults to the attribute's name. Besides methods, a class attribute holding a
    :func:`functools.partial` of a module-level function can be marked (several similar variables).
    """

    def mark(fn):
        setattr(fn, _MARK, {"units": units, "description": description, "name": name, "per_search": per_search})
        return fn

    return mark


class Scenario:
    """Base class: subclasses set the attributes, mark their variables and implement :meth:`events`.

    Attributes:
        name, description, citation: what it is and where it comes from (authors, title, arXiv).
        model: the physics model (a :class:`~llpscan.physics.model.Model`).
        source: where the LLPs' parents come from (a :class:`~llpscan.physics.sources.Source`), if
            the scenario's events start from one.
        extra_parameters: experiment parameters (e.g. ``lumi``).
        constants: values that variables take by parameter name although they are not parameters of
            the scan (the one CM energy of a collider that runs at one energy).
        searches: the searches, each with a unique ``label``.
        llp_species: maps the LLP names of an :class:`EventSample` to the model's LLP names.
        signal_factors: names of variables whose product, times the acceptance, is n_signal.
        statistic: the exclusion statistic the scenario's paper uses, by name: ``events-N``,
            ``poisson-CL`` or ``chi2-LEVEL`` (:func:`llpscan.scanner.stats.parse_statistic`).
        background: name of the variable holding the expected background events (or None: zero).
        combine: axes over which a ``chi2`` statistic is summed (data sets at several energies).
        limit_on: a parameter whose limit the store derives as ``limit_name`` (default
            ``<name>_limit``) = value x n_needed / n_signal: the limit on a production branching
            ratio in model-independent scans, a single-event sensitivity. Where n_signal is not
            proportional to it, the value depends on the point it is read at; ``limit_long_name``
            says what it means.
        plot: the figure a scan of this scenario draws by default, ``{"x": ..., "y": ...}``
            (parameter names; presets may override it).
        options: non-numeric choices, name -> allowed values (the first is the default); an
            instance is built as ``Cls(**options)`` and reads them with :meth:`option`.
        primary_search: the label of the search whose curve is "the" result (the combined one where
            the scenario has one, e.g. ``displaced`` = ee + mumu); ``reach`` and exports default to it.
        references: BibTeX keys (in ``llpscan/references.bib``): first the paper the scenario
            reproduces, then the inputs it relies on (and PDG); ``llpscan cite STORE`` prints them.
        switches: :class:`Switch` values where the theory description changes (figures mark them);
            a scenario whose options move a switch overrides it with a property.
    """

    name: str = ""
    description: str = ""
    citation: str = ""
    model: Model
    source: Source | None = None
    extra_parameters: tuple[Parameter, ...] = ()
    constants: dict[str, float] = {}
    searches: tuple[Search, ...] = ()
    llp_species: dict[str, str]
    signal_factors: tuple[str, ...] = ()
    statistic: str = "events-3"
    background: str | None = None
    combine: tuple[str, ...] = ()
    limit_on: str | None = None
    limit_name: str | None = None
    limit_long_name: str | None = None
    plot: dict[str, str] = {}
    options: dict[str, tuple[str, ...]] = {}
    primary_search: str | None = None
    references: tuple[str, ...] = ()
    switches: tuple[Switch, ...] = ()

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
    def derived_parameters(self) -> dict[str, tuple[str, str]]:
        """Parameters whose stored value the current options override: name -> (variable holding the
        value actually used, or "", and a short note saying how it is derived). Figures print these
        instead of the ignored fixed value. None by default."""
        return {}

    @property
    def variables(self) -> tuple[Variable, ...]:
        """The cheap variables: the methods marked with :func:`variable`, in definition order.

        A subclass overrides a variable by defining a method of the same name: marked again to
        change its units or description, unmarked to keep them; set the name to ``None`` to drop it.
        """
        marked: dict[str, dict] = {}
        for klass in reversed(type(self).__mro__):
            for attr, value in vars(klass).items():
                spec = getattr(value, _MARK, None)
                if spec is not None:
                    marked[attr] = spec
                elif value is None and attr in marked:
                    del marked[attr]
        out = []
        for attr, spec in marked.items():
            raw = inspect.getattr_static(self, attr)
            # a partial is taken as it is (never bound to the instance), a method is bound
            fn = raw if isinstance(raw, functools.partial) else getattr(self, attr)
            params = tuple(inspect.signature(fn).parameters)
            if spec["per_search"]:
                params = params[1:]
            bound = {p: self.constants[p] for p in params if p in self.constants}
            if bound:
                fn = functools.partial(fn, **bound)
                params = tuple(p for p in params if p not in bound)
            out.append(Variable(spec["name"] or attr, spec["units"], spec["description"], params, fn,
                                spec["per_search"]))
        return tuple(out)

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

    def event_batches(self, masses: dict[str, float], n: int, rng: np.random.Generator, batch: int):
        """The events of ``events(masses, n, rng)`` in consecutive batches of at most ``batch`` events,
        the same bits (:func:`llpscan.physics.kinematics.event_batches`): memory follows the batch."""
        return event_batches(lambda nb, r: self.events(masses, nb, r), n, rng, batch)

    def lifetime_rows(self, llps: tuple[str, ...], params: dict[str, np.ndarray]) -> np.ndarray:
        """Proper decay lengths (k, n_points) of the events' LLPs ``llps`` at the points of ``params``."""
        ctau = self.model.ctau(**params)
        shape = np.broadcast_shapes(*(np.shape(v) for v in params.values()))
        return np.stack([np.broadcast_to(ctau[self.llp_species[name]], shape).ravel() for name in llps])

    def accumulator(self, search: Search, params: dict[str, np.ndarray]):
        """The acceptance of ``search`` at the points of ``params``, fed with event batches in order:
        an object with ``add(events)`` and ``result() -> (mean, err)``, or None if the search has no
        ``accumulator`` (it then sees all events at once, :meth:`acceptance`).

        The LLPs of the events are those of :attr:`llp_species`, in its order.
        """
        make = getattr(search, "accumulator", None)
        return None if make is None else make(self.lifetime_rows(tuple(self.llp_species), params))

    def acceptance(self, search: Search, events: EventSample, params: dict[str, np.ndarray]):
        """(mean, err) for every point of ``params`` (mass scalars and lifetime arrays (n,))."""
        acc = self.accumulator(search, params) if tuple(self.llp_species) == tuple(events.llps) else None
        if acc is None:
            return search.acceptance(events, self.lifetime_rows(events.llps, params))
        acc.add(events)
        return acc.result()

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self._options.items())
        return f"{type(self).__name__}({opts})"
