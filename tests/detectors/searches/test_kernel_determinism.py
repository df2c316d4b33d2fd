"""Exact determinism of the vectorised acceptance kernels: a point's mean and error have the same bits
whether it is computed with all points, alone, in either half, in another order, with the events fed in
batches of any size, or in concurrent threads. (Stores built from them are compared for --chunks and
for threads against a LocalCluster in tests/scanner.)"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from llpscan.detectors.searches.cascade import CascadeSearch, KaonDecayEvents
from llpscan.detectors.searches.displaced import DisplacedAccumulator, DisplacedVertexSearch
from llpscan.detectors.searches.invisible import InvisibleSearch
from llpscan.detectors.searches.monophoton import Collider, MonophotonSearch
from llpscan.physics.kinematics import EventSample

# 37 points: four vectors of 8 lanes (AVX-512) and a remainder of 5 in the scalar loop; 3001 events
M, N = 37, 3001


def _momenta(rng, n, m):
    p3 = rng.normal(0, 1.5, (n, 3))
    return np.column_stack([np.sqrt(m * m + np.sum(p3 * p3, axis=1)), p3])


def _dv_events(rng, n=N, k=2):
    names = ("L1", "L2")[:k]
    return EventSample({nm: _momenta(rng, n, 1.2) for nm in names}, names,
                       llp_masses=dict.fromkeys(names, 1.2), weights=rng.uniform(0.2, 1.0, n))


def _slice(ev, lo, hi):
    """Events lo:hi of a sample (every per-event array sliced)."""
    kw = {"momenta": {k: v[lo:hi] for k, v in ev.momenta.items()}, "llps": ev.llps, "masses": ev.masses,
          "llp_masses": ev.llp_masses, "weights": None if ev.weights is None else ev.weights[lo:hi]}
    if isinstance(ev, KaonDecayEvents):
        return KaonDecayEvents(**kw, z_kaon=ev.z_kaon[lo:hi], uniforms=ev.uniforms[lo:hi])
    return EventSample(**kw)


def _run(search, events, ctau, batch=None):
    acc = search.accumulator(ctau)
    n = events.n_events
    step = batch or n
    for lo in range(0, n, step):
        acc.add(_slice(events, lo, min(n, lo + step)))
    return acc.result()


def _check_splits(search, events, ctau):
    """Every way of splitting the points (and the events) gives the bits of all points at once."""
    mean, err = _run(search, events, ctau)
    assert np.all(np.isfinite(mean)) and np.all(np.isfinite(err)) and np.any(mean > 0)
    same = lambda got, idx: (np.testing.assert_array_equal(got[0], mean[idx]),  # noqa: E731
                             np.testing.assert_array_equal(got[1], err[idx]))
    for j in range(M):  # one at a time (the scalar loop)
        same(_run(search, events, ctau[:, j:j + 1]), [j])
    half = M // 2
    same(_run(search, events, ctau[:, :half]), slice(None, half))
    same(_run(search, events, ctau[:, half:]), slice(half, None))  # every point in another lane
    perm = np.random.default_rng(0).permutation(M)
    same(_run(search, events, ctau[:, perm]), perm)
    twice = np.concatenate([ctau, ctau], axis=1)
    same(_run(search, events, twice), np.concatenate([np.arange(M), np.arange(M)]))
    for batch in (1, 7, 1000, 2048):  # event batches in order
        same(_run(search, events, ctau, batch), slice(None))
    with ThreadPoolExecutor(2) as pool:  # concurrent calls release the GIL and share nothing
        for got in pool.map(lambda c: _run(search, events, c), [ctau] * 4):
            same(got, slice(None))


def _ctau(k, scale=1.0):
    c = np.geomspace(1e-4, 1e9, M) * scale
    return np.vstack([c, c[::-1]])[:k]  # different rows for the two LLPs


@pytest.mark.parametrize("mode", ["single", "exactly_one", "both", "at_least_one"])
def test_displaced_vertex_kernel(mode):
    k = 1 if mode == "single" else 2
    search = DisplacedVertexSearch("x", mode, r_min=0.01, r_max=0.8, z_min=-0.4, z_max=1.2, efficiency_r0=0.8)
    _check_splits(search, _dv_events(np.random.default_rng(1), k=k), _ctau(k))


def test_displaced_vertex_inputs_match_the_numpy_geometry():
    # the kernel's inputs come straight from the four-momenta in one numba pass: the same bits as
    # radial_interval + p_T/m + kernel_inputs in numpy (edge cases p_T = 0, p_z = 0, both 0 included)
    from llpscan.detectors.searches.displaced import kernel_inputs

    ev = _dv_events(np.random.default_rng(2))
    for name in ev.llps:
        ev.momenta[name][:3, 1:3] = 0.0  # p_T = 0
        ev.momenta[name][3:6, 3] = 0.0  # p_z = 0
        ev.momenta[name][6, 1:] = 0.0  # at rest
    search = DisplacedVertexSearch("x", "exactly_one", r_min=0.1, r_max=0.8, z_min=-0.4, z_max=1.2,
                                   efficiency_r0=0.8)
    ctau = _ctau(2)
    fused = DisplacedAccumulator(ctau, "exactly_one", 0.8)
    fused.add(ev, search.volume, search.r_min)
    numpy_path = DisplacedAccumulator(ctau, "exactly_one", 0.8)
    numpy_path.add_inputs(*kernel_inputs(*search.intervals(ev), 0.8), ev.weights)
    for a, b in zip(fused.result(), numpy_path.result()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("method", ["integrated", "sampled"])
def test_cascade_kernel(method):
    rng = np.random.default_rng(3)
    mom = {"nu_h": _momenta(rng, N, 0.3), "Zp": _momenta(rng, N, 0.1)}
    for p in mom.values():
        p[:, 3] = np.abs(p[:, 3]) * 50  # forward, as at NA62
    ev = KaonDecayEvents(momenta=mom, llps=("nu_h", "Zp"), llp_masses={"nu_h": 0.3, "Zp": 0.1},
                         z_kaon=rng.uniform(105, 180, N), uniforms=rng.uniform(size=(N, 2)))
    search = CascadeSearch("ee", "ee", n_k_fid=1.0, a_beta=1.0, z_max=180.0, method=method)
    _check_splits(search, ev, _ctau(2, 1e-2))


def test_invisible_kernel():
    search = InvisibleSearch("invisible", r_max=1.55, z_min=-1.31, z_max=2.27, theta_min=17.0, theta_max=150.0)
    _check_splits(search, _dv_events(np.random.default_rng(4), k=1), _ctau(1, 1e-3))


def test_monophoton_kernel_and_its_factorised_form():
    rng = np.random.default_rng(5)
    ev = EventSample({"N": _momenta(rng, N, 0.5), "gamma": _momenta(rng, N, 0.0)}, ("N",),
                     masses={"sqrt_s": 10.58}, llp_masses={"N": 0.5})
    cut = _EnergyCut(0.5)
    for momentum in ("lab", "cm"):  # per-event lengths (kernel) and the factorised mean
        search = MonophotonSearch("x", cut, Collider("toy"), l_decay=1.5, efficiency=0.9, decay_momentum=momentum)
        _check_splits(search, ev, _ctau(1, 1e-3))


class _EnergyCut:
    """A hashable cut for the toy events: photon lab energy above ``e_min`` (GeV)."""

    def __init__(self, e_min):
        self.e_min = e_min

    def __call__(self, kin, collider):
        return kin.e_lab > self.e_min
