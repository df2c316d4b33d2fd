"""Searches: map an event sample and the LLPs' proper decay lengths to an acceptance and its MC error.

A :class:`Search` has a ``label`` (its name in a store's ``search`` dimension), the ``final_state`` it
accepts and :meth:`~Search.acceptance`. The kinds of search are small frozen dataclasses, validated on
construction, one module each: :mod:`.displaced` (displaced vertices of LLPs from the interaction
point), :mod:`.invisible` (LLPs escaping the detector), :mod:`.monophoton` (N -> nu gamma before a
length, a photon passing cuts), :mod:`.cascade` (a chain of two displaced decays from kaons in flight).
The searches of one paper are instances named in its scenario module. Array axes: events
``(n_events,)``, coupling points ``(n_points,)``; ``ctau`` has one row per LLP of the event,
``(k, n_points)``.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from llpscan.detectors.searches.cascade import CascadeSearch
from llpscan.detectors.searches.displaced import DisplacedVertexSearch
from llpscan.detectors.searches.invisible import InvisibleSearch
from llpscan.detectors.searches.monophoton import MonophotonSearch
from llpscan.physics.kinematics import EventSample

__all__ = ["Search", "DisplacedVertexSearch", "InvisibleSearch", "MonophotonSearch", "CascadeSearch"]


@runtime_checkable
class Search(Protocol):
    """What a scenario needs of a search: a ``label``, the ``final_state`` it accepts and the acceptance.

    ``acceptance(events, ctau)`` takes an :class:`~llpscan.physics.kinematics.EventSample` and the
    proper decay lengths ``ctau`` (k, n_points) in metres of the k LLPs of every event, and returns
    (mean, err), each (n_points,): the detection probability averaged over events and its Monte-Carlo
    standard error.

    >>> from llpscan.detectors.experiments import belle2
    >>> inv = InvisibleSearch("invisible", theta_min=17.0, theta_max=150.0, **belle2.ECL_OUTER_ENVELOPE)
    >>> isinstance(inv, Search)
    True
    >>> p4 = np.array([[5.0, 3.0, 0.0, 0.0]] * 4)   # 4 LLPs of 4 GeV at 90 deg: beta*gamma = 3/4
    >>> ev = EventSample({"X": p4}, ("X",), llp_masses={"X": 4.0})
    >>> mean, err = inv.acceptance(ev, np.array([[1.55 / 0.75]]))   # escape over r = 1.55 m: P = 1/e
    >>> bool(np.isclose(mean[0], np.exp(-1.0))), float(err[0])      # identical events: no spread
    (True, 0.0)
    """

    label: str
    final_state: str

    def acceptance(self, events: EventSample, ctau: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(mean, err) of the detection probability over events, each (n_points,)."""
        ...
