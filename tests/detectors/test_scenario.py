"""Every registered scenario, with every value of every option, survives the standard pickle: the copy
generates the same events and computes the same acceptance block (what a scan task ships to a worker)."""

import pickle

import numpy as np
import pytest

from llpscan.detectors.registry import get_scenario, scenario_class, scenario_names
from llpscan.detectors.scenario import Scenario, variable
from llpscan.physics.kinematics import event_rng


def _cases():
    for name in scenario_names():
        options = scenario_class(name).options
        yield name, {}
        for option, values in options.items():
            for value in values[1:]:
                yield name, {option: value}


def _block(sc, n=400):
    """Acceptance (mean, err) of every search at the parameter defaults, and at 1/10 and 10x every
    lifetime parameter, from events of the default mass point."""
    masses = {p.name: p.default for p in sc.parameters if p.kind == "mass"}
    assert sc.kinematically_open(**masses)
    events = sc.events(masses, n, event_rng(11, masses))
    params = {**masses, **{p.name: p.default * np.array([0.1, 1.0, 10.0]) for p in sc.parameters
                           if p.kind == "lifetime"}}
    return [sc.acceptance(s, events, params) for s in sc.searches]


@pytest.mark.parametrize(("name", "options"), list(_cases()), ids=lambda v: v if isinstance(v, str) else
                         ",".join(f"{k}={x}" for k, x in v.items()) or "defaults")
def test_scenario_pickle_round_trip_computes_the_same_block(name, options):
    sc = get_scenario(name, options)
    copy = pickle.loads(pickle.dumps(sc))
    assert type(copy) is type(sc) and copy.option_values == sc.option_values
    assert [s.label for s in copy.searches] == [s.label for s in sc.searches]
    assert [(v.name, v.units, v.params) for v in copy.variables] == [(v.name, v.units, v.params) for v in sc.variables]
    for (m1, e1), (m2, e2) in zip(_block(sc), _block(copy)):
        np.testing.assert_array_equal(m1, m2)
        np.testing.assert_array_equal(e1, e2)
        assert np.all(np.isfinite(m1)) and np.all(m1 >= 0)


class _Constants(Scenario):
    name = "constants-doctest"
    constants = {"sqrt_s": 10.0}

    @variable("GeV", "half the CM energy")
    def e_beam(self, sqrt_s):
        return np.asarray(sqrt_s) / 2


def test_constants_are_bound_and_are_not_parameters():
    (v,) = _Constants().variables
    assert v.params == () and float(v.fn()) == 5.0
    assert pickle.loads(pickle.dumps(_Constants())).variables[0].fn() == 5.0


@pytest.mark.parametrize("name", scenario_names())
def test_scenarios_meet_the_protocols_and_label_every_parameter(name):
    from llpscan.detectors.searches import Search
    from llpscan.physics.model import Model
    from llpscan.physics.sources import Source

    sc = get_scenario(name)
    assert isinstance(sc.model, Model)
    assert all(isinstance(s, Search) for s in sc.searches)
    assert sc.source is None or isinstance(sc.source, Source)
    for p in sc.parameters:  # how the papers' figures write it: LaTeX math, no unit
        assert p.latex and "$" not in p.latex, p


@pytest.mark.parametrize("name", scenario_names())
def test_what_figures_and_exports_read_from_a_scenario_is_consistent(name):
    cls = scenario_class(name)
    for options in [{}] + [{k: v} for k, values in cls.options.items() for v in values[1:]]:
        sc = get_scenario(name, options)
        labels = [s.label for s in sc.searches]
        # declared, or the one search of a single-search scenario (scanner/dataset.py records that)
        assert sc.primary_search in labels or (sc.primary_search is None and len(labels) == 1), (name, options)
        params = {p.name for p in sc.parameters}
        for w in sc.switches:  # a switch sits on a parameter axis, inside its allowed range
            p = sc.parameter(w.parameter)
            assert w.parameter in params and p.lower < w.value <= p.upper and w.note, w
        variables = {v.name for v in sc.variables}
        for param, (var, note) in sc.derived_parameters.items():
            assert param in params and (var == "" or var in variables) and note


def test_variables_are_inherited_overridden_and_dropped_by_name():
    import numpy as np

    from llpscan.detectors.scenario import Scenario, variable

    class Base(Scenario):
        name = "base-doc"

        @variable("1", "doubled")
        def twice(self, x):
            return 2 * np.asarray(x)

        @variable("m", "a length")
        def length(self, x):
            return np.asarray(x)

    class Child(Base):
        def twice(self, x):  # unmarked override: still a variable, with the new behaviour
            return 3 * np.asarray(x)

        @variable("cm", "a length in cm")  # marked again: new units
        def length(self, x):
            return 100 * np.asarray(x)

    class Dropped(Base):
        twice = None  # no longer a variable

    child = {v.name: v for v in Child().variables}
    assert float(child["twice"].fn(x=1.0)) == 3.0 and child["twice"].units == "1"
    assert child["length"].units == "cm" and float(child["length"].fn(x=1.0)) == 100.0
    assert [v.name for v in Dropped().variables] == ["length"]
