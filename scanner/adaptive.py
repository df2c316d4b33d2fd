"""Adaptive reach: Monte-Carlo events and lifetime points spent where the reach boundary is.

A grid scan evaluates every lifetime point of every mass point with the same number of events, although
the reach only needs the few points around its boundaries. :func:`adaptive_reach` finds, for every value
of a mass axis ``x``, the lower and upper boundary in a lifetime axis ``y`` of the region that the scan's
statistic excludes, to a stated Monte-Carlo precision, in three steps per mass point:

1. **bracket**: the exclusion quantity q = n_signal / n_needed on the config's own ``y`` grid with few
   events (``events / 64``): each sign change of q - 1 between neighbouring points brackets a boundary
   (a band narrower than the grid spacing is missed exactly as the grid scan misses it);
2. **root**: inside each bracket, regula falsi (Illinois variant) on ln q in ln y with the same events
   (common random numbers make q smooth in y), one new point per bracket per step, until the root is
   known to a tenth of the target (bracket width, or the residual |ln q| over the local slope);
3. **precision**: the boundary's Monte-Carlo uncertainty in ln y is the relative error of q at the boundary
   over the local slope |d ln q / d ln y| (the log-interpolation of :func:`llpscan.scanner.boundaries.reach`
   propagated the same way). Boundaries above the ``target`` get a new, larger event sample (the number of
   events scales as (sigma/target)^2), a bracket of +-4 sigma around their previous position, and step 2
   again; the others keep their value.

Every event sample is the scan's own for that mass point and size (``event_rng(seed, masses)``), so the
result is reproducible; samples of different sizes are different samples (no events are reused across
steps 1 and 3), and every evaluation is counted: ``evaluations`` (per-LLP decay probabilities, as
:class:`~llpscan.scanner.runner.RunReport` counts them) against those of the grid scan of the same config.

Statistics whose threshold depends only on the point (``events-N``, ``poisson-CL``) are supported;
``chi2`` summed over data sets is not (its boundary couples several energies). Every axis other than x and
y must be fixed by ``sel`` (nearest grid value) or have one value.

The result is a small Dataset (dims ``search``, x): ``lower``, ``upper`` (units of y), their 1-sigma
Monte-Carlo uncertainties ``lower_err``, ``upper_err`` in ln y (0.01 = 1%), the events used for each and
the evaluations; :func:`write_reach` stores it as a zarr group, :func:`open_reach` reads it back.
"""

from __future__ import annotations

import json
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from llpscan.errors import ConfigError
from llpscan.physics.kinematics import event_rng

__all__ = ["adaptive_reach", "write_reach", "open_reach", "REACH_FORMAT"]

REACH_FORMAT = "llpscan-reach-1"
#: the bracketing step uses this fraction of the config's events per mass point
BRACKET_FRACTION = 1 / 64
#: at most this many times the config's events per mass point for one boundary
MAX_EVENTS_FACTOR = 16
#: regula falsi stops when the root is known to target x this in ln y (bracket width or residual over
#: slope), or after this many steps
_ROOT_TOL = 0.1
_ROOT_STEPS = 12


@dataclass
class _Edge:
    """One boundary of one search at one mass point, being refined."""

    search: str
    kind: str  # "lower" or "upper"
    lo: float  # bracket in ln y: q - 1 changes sign between lo and hi
    hi: float
    value: float = math.nan  # ln y of the boundary
    sigma: float = math.inf  # its MC uncertainty in ln y
    events: int = 0
    done: bool = False
    slope: float = math.nan  # d ln q / d ln y at the boundary
    events_wanted: int = 0


@dataclass
class _Slice:
    """What the adaptive search needs of a resolved scan: the x values, the y range and grid, the fixed
    parameters, the searches (and which of them share one evaluation), the statistic."""

    scan: object
    x: str
    y: str
    fixed: dict
    searches: tuple[str, ...]
    keys: dict = field(default_factory=dict)


def _slice(scan, x: str, y: str, sel: dict[str, str]) -> _Slice:
    from llpscan.scanner.stats import parse_statistic

    sc = scan.scenario
    if x not in scan.mass_axes:
        raise ConfigError(f"--x {x}: must be a mass axis of the scan ({', '.join(scan.mass_axes) or 'none'})")
    if y not in scan.lifetime_axes:
        raise ConfigError(f"--y {y}: must be a lifetime axis of the scan ({', '.join(scan.lifetime_axes) or 'none'})")
    stat = parse_statistic(sc.statistic)
    if stat.summed and [d for d in sc.combine if d in scan.axes]:
        raise ConfigError(f"statistic {stat.name} combined over {', '.join(sc.combine)}: not supported adaptively "
                          "(run the grid scan)")
    fixed = dict(scan.fixed)
    for name, values in scan.axes.items():
        if name in (x, y):
            continue
        if name in sel:
            v = float(sel[name])
            fixed[name] = float(values[int(np.argmin(np.abs(values - v)))])
        elif len(values) == 1:
            fixed[name] = float(values[0])
        else:
            raise ConfigError(f"select a value of {name} ({', '.join(f'{v:g}' for v in values)}) with --sel NAME=VALUE")
    unknown = [k for k in sel if k not in scan.axes]
    if unknown:
        raise ConfigError(f"--sel {unknown[0]}: not an axis of the scan ({', '.join(scan.axes)})")
    sl = _Slice(scan, x, y, fixed, scan.searches)
    for label in scan.searches:
        sl.keys.setdefault(sc.acceptance_key(sc.search(label)), []).append(label)
    return sl


def _quantity(sl: _Slice, x_val: float, ys: np.ndarray, acc: dict[str, tuple[np.ndarray, np.ndarray]],
              cache: dict | None = None):
    """q = n_signal / n_needed and its relative MC error at (x_val, ys) for every search, from the
    acceptances ``acc`` (search -> (mean, err) over ys). Variables that do not depend on y are kept in
    ``cache`` (one mass point's)."""
    from llpscan.scanner.stats import parse_statistic

    sc = sl.scan.scenario
    stat = parse_statistic(sc.statistic)
    args_of = {**sl.fixed, sl.x: np.float64(x_val), sl.y: ys}
    variables = {v.name: v for v in sc.variables}

    def value(name, search):
        v = variables[name]
        fixed = sl.y not in v.params
        if fixed and cache is not None and (name, search) in cache:
            return np.broadcast_to(cache[(name, search)], ys.shape)
        args = {p: args_of[p] for p in v.params}
        out = np.asarray(v.fn(sc.search(search), **args) if v.per_search else v.fn(**args), dtype=float)
        if fixed and cache is not None:
            cache[(name, search)] = out
        return np.broadcast_to(out, ys.shape)

    out = {}
    for label in sl.searches:
        mean, err = acc[label]
        n = mean.copy()
        for f in sc.signal_factors:
            n = n * value(f, label)
        if "allowed" in variables:
            n = np.where(value("allowed", label) != 0, n, 0.0)
        b = value(sc.background, label) if sc.background else np.zeros_like(ys)
        needed = stat.signal_needed(b) if stat.uses_background else np.full_like(ys, stat.signal_needed())
        with np.errstate(divide="ignore", invalid="ignore"):
            out[label] = (n / needed, np.where(mean > 0, err / mean, np.inf))
    return out


class _Evaluator:
    """Acceptances at one mass point from event samples of a given size (kept while it is in use)."""

    def __init__(self, sl: _Slice, masses: dict):
        self.sl, self.masses = sl, masses
        self.n = 0
        self.batches = []
        self.prepared = {}  # key -> per batch, what an accumulator with prepare() computes before its kernel
        self.variables = {}  # the scan's variables that do not depend on y, at this mass point
        self.evaluations = 0

    def sample(self, n: int):
        from llpscan.scanner.grid import EVENT_BATCH

        if n != self.n:
            sc, cfg = self.sl.scan.scenario, self.sl.scan.config
            self.batches = list(sc.event_batches(self.masses, n, event_rng(cfg.seed, self.masses), EVENT_BATCH))
            self.prepared = {}
            self.n = n

    def at(self, ys: np.ndarray, searches) -> dict:
        """search -> (mean, err) at ys for the current sample; only the searches asked for."""
        sc = self.sl.scan.scenario
        params = {**{k: v for k, v in self.sl.fixed.items() if k in sc.names("lifetime")}, **self.masses,
                  self.sl.y: ys}
        out = {}
        for key, labels in self.sl.keys.items():
            if not set(labels) & set(searches):
                continue
            acc = sc.accumulator(sc.search(labels[0]), params)
            if hasattr(acc, "prepare"):  # per-event inputs that do not depend on the point: once per sample
                prepared = self.prepared.setdefault(key, [None] * len(self.batches))
                for i, b in enumerate(self.batches):
                    if prepared[i] is None:
                        prepared[i] = acc.prepare(b)
                    acc.add_prepared(prepared[i])
            else:
                for b in self.batches:
                    acc.add(b)
            res = acc.result()
            for label in labels:
                out[label] = res
            self.evaluations += self.n * ys.size * (len(sc.llp_species) or 1)
        return out


def _crossings(lny, q):
    """Brackets [lny_i, lny_i+1] where q >= 1 changes, with which edge each is (first: lower)."""
    ok = q >= 1
    idx = np.flatnonzero(ok[1:] != ok[:-1])
    return [(lny[i], lny[i + 1], "lower" if ok[i + 1] else "upper") for i in idx]


def _boundary_of(points):
    """ln y of q = 1, its MC uncertainty and the slope d ln q / d ln y, from the two points nearest to it
    (ln y, ln q, rel err)."""
    (a, fa, ea), (b, fb, eb) = points
    if not (math.isfinite(fa) and math.isfinite(fb)) or fa == fb:
        t = 0.5
        slope = math.inf if fa == fb else 0.0
    else:
        t = min(max(-fa / (fb - fa), 0.0), 1.0)
        slope = (fb - fa) / (b - a) if b != a else math.inf
    value = a + t * (b - a)
    rel = (1 - t) * ea + t * eb
    sigma = rel / abs(slope) if slope else math.inf
    return value, sigma, slope


def _refine(ev: _Evaluator, sl: _Slice, x_val: float, edges: list[_Edge], tol: float):
    """Regula falsi (Illinois) on ln q in ln y inside each edge's bracket; the edges of one search are
    evaluated together (one kernel pass over the events for all their new points)."""
    by_search: dict[str, list[_Edge]] = {}
    for e in edges:
        by_search.setdefault(e.search, []).append(e)

    def at(label, points):
        lnq, rel = _evaluate(ev, sl, x_val, np.array(points), {label})[label]
        return list(zip(points, lnq, rel))

    state = {}
    for label, es in by_search.items():
        pts = at(label, [v for e in es for v in (e.lo, e.hi)])
        for i, e in enumerate(es):
            state[id(e)] = [pts[2 * i], pts[2 * i + 1], 0]  # (ln y, ln q, rel err) at both ends, side
    for _ in range(_ROOT_STEPS):
        for label, es in by_search.items():
            live = [e for e in es if not _converged(state[id(e)], tol)]
            if not live:
                continue
            new = []
            for e in live:
                (a, fa, _), (b, fb, _), side = state[id(e)]
                if math.isfinite(fa) and math.isfinite(fb) and fa != fb:
                    # Illinois: halve the function value of an end kept twice in a row
                    fa2 = fa / 2 if side <= -2 else fa
                    fb2 = fb / 2 if side >= 2 else fb
                    c = (a * fb2 - b * fa2) / (fb2 - fa2)
                    c = min(max(c, a + 0.01 * (b - a)), b - 0.01 * (b - a))
                else:
                    c = 0.5 * (a + b)
                new.append(c)
            for e, p in zip(live, at(label, new)):
                lo, hi, side = state[id(e)]
                if np.sign(p[1]) == np.sign(lo[1]):
                    state[id(e)] = [p, hi, min(side, 0) - 1]
                else:
                    state[id(e)] = [lo, p, max(side, 0) + 1]
    for e in edges:
        lo, hi, _ = state[id(e)]
        e.value, e.sigma, e.slope = _boundary_of([lo, hi])
        e.events = ev.n


def _converged(st, tol: float) -> bool:
    """The bracket no longer brackets, is narrower than ``tol``, or its end nearer to q = 1 is within
    ``tol`` of the root along the local slope (|ln q| / |d ln q / d ln y|): the root-finding error is
    then a tenth of the Monte-Carlo one."""
    (a, fa, _), (b, fb, _), _ = st
    if np.sign(fa) == np.sign(fb) or abs(b - a) <= tol:
        return True
    if not (math.isfinite(fa) and math.isfinite(fb)) or fa == fb:
        return False
    slope = abs((fb - fa) / (b - a))
    return min(abs(fa), abs(fb)) / slope <= tol


def _evaluate(ev: _Evaluator, sl: _Slice, x_val: float, lny: np.ndarray, searches) -> dict:
    """search -> (ln q, relative error of q) at the points ln y = ``lny``."""
    ys = np.exp(lny)
    acc = ev.at(ys, searches)
    zero = (np.zeros_like(ys), np.zeros_like(ys))
    q = _quantity(sl, x_val, ys, {k: acc.get(k, zero) for k in sl.searches}, ev.variables)
    with np.errstate(divide="ignore"):
        return {k: (np.log(v[0]), v[1]) for k, v in q.items()}


def _one_mass(sl: _Slice, x_val: float, target: float, n_start: int, n_max: int):
    """Boundaries at one x value: {(search, kind): _Edge}, the evaluations spent and the reach state
    ("band", "none", "all") per search."""
    sc = sl.scan.scenario
    masses = {k: v for k, v in sl.fixed.items() if k in sc.names("mass")} | {sl.x: float(x_val)}
    if not sc.kinematically_open(**masses):
        return {}, 0, dict.fromkeys(sl.searches, "closed")
    ev = _Evaluator(sl, masses)
    grid = np.log(np.asarray(sl.scan.axes[sl.y], dtype=float))
    n = n_start
    edges: list[_Edge] = []
    state = {}
    while True:  # step 1: brackets on the grid, with more events while a no-reach verdict is uncertain
        ev.sample(n)
        vals = _evaluate(ev, sl, x_val, grid, set(sl.searches))
        unsure = False
        for label in sl.searches:
            if label in state:
                continue
            lnq, rel = vals[label]
            q = np.exp(lnq)
            found = _crossings(grid, q)
            if found:
                # the first and the last crossing, as bounds_along takes them; a region that reaches an
                # end of the grid is bounded by that end (exactly: no Monte-Carlo uncertainty)
                for kind, crossing, end in (("lower", found[0], grid[0]), ("upper", found[-1], grid[-1])):
                    if crossing[2] == kind:
                        edges.append(_Edge(label, kind, crossing[0], crossing[1]))
                    else:
                        edges.append(_Edge(label, kind, end, end, value=end, sigma=0.0, events=n, done=True))
                state[label] = "band"
            elif np.all(q >= 1):
                state[label] = "all"
            elif np.nanmax(q * (1 + 3 * np.where(np.isfinite(rel), rel, 0.0))) < 1 or n >= n_max:
                state[label] = "none"  # below the threshold by more than 3 sigma (or out of events)
            else:
                unsure = True
        if not unsure:
            break
        n = min(4 * n, n_max)
    tol = _ROOT_TOL * target
    todo = [e for e in edges if not e.done]
    if todo:  # step 2 on the bracketing sample: cheap, and it gives each boundary's slope and sigma
        _refine(ev, sl, x_val, todo, tol)
    while True:  # step 3: each boundary gets the events its sigma asks for
        for e in edges:
            if not e.done and (e.sigma <= target or e.events >= n_max or not math.isfinite(e.sigma)):
                e.done = True
        todo = [e for e in edges if not e.done]
        if not todo:
            break
        # events for each boundary from its sigma (sigma ~ 1/sqrt(n)); boundaries wanting within a
        # factor 1.5 of each other share one sample
        want = sorted((min(n_max, max(int(e.events * (e.sigma / target) ** 2 * 1.25), 2 * e.events)), id(e), e)
                      for e in todo)
        groups: list[list] = []
        for n_e, _, e in want:
            if groups and n_e <= 1.5 * groups[-1][0]:
                groups[-1][1].append(e)
                groups[-1][2] = n_e
            else:
                groups.append([n_e, [e], n_e])
        for _, es, n_g in groups:
            ev.sample(n_g)
            _secant(ev, sl, x_val, es, tol)
    return {(e.search, e.kind): e for e in edges}, ev.evaluations, state


def _secant(ev: _Evaluator, sl: _Slice, x_val: float, edges: list[_Edge], tol: float):
    """Roots with a new sample, started from each edge's previous root and slope: one point there, then
    secant steps (the new sample moves the root by about the previous sigma, over which ln q is nearly
    linear: usually one or two points), until the step is below ``tol``."""
    by_search: dict[str, list[_Edge]] = {}
    for e in edges:
        by_search.setdefault(e.search, []).append(e)
    for label, es in by_search.items():
        prev = {id(e): None for e in es}
        x = {id(e): e.value for e in es}
        live = list(es)
        for _ in range(_ROOT_STEPS):
            if not live:
                break
            lnq, rel = _evaluate(ev, sl, x_val, np.array([x[id(e)] for e in live]), {label})[label]
            nxt = []
            for e, f, r in zip(live, lnq, rel):
                cur = (x[id(e)], f, r)
                p = prev[id(e)]
                slope = e.slope
                if p is not None and math.isfinite(p[1]) and math.isfinite(f) and p[0] != cur[0] and p[1] != f:
                    slope = (f - p[1]) / (cur[0] - p[0])
                prev[id(e)] = cur
                step = -f / slope if math.isfinite(f) and slope and math.isfinite(slope) else math.nan
                if not math.isfinite(step):
                    e.sigma, e.events, e.done = math.inf, ev.n, True  # lost the boundary (q = 0 here)
                    continue
                e.slope = slope
                if abs(step) <= tol:
                    e.value, e.sigma, e.events = cur[0] + step, r / abs(slope), ev.n
                    continue
                x[id(e)] = cur[0] + max(min(step, 0.5), -0.5)  # at most half a unit of ln y per step
                nxt.append(e)
            live = nxt
        for e in live:  # out of steps: the last point
            e.value, e.sigma, e.events = x[id(e)], prev[id(e)][2] / abs(e.slope), ev.n


def adaptive_reach(config, x: str, y: str, *, sel: dict[str, str] | None = None, target: float = 0.01,
                   workers: int | None = None):
    """Reach boundaries in ``y`` for every value of ``x`` with Monte-Carlo uncertainty below ``target``
    (in ln y: 0.01 = 1%) where the events allow (at most :data:`MAX_EVENTS_FACTOR` x the config's events).
    Returns an xarray Dataset (module docstring); ``workers`` threads share the mass points (default:
    every core).
    """
    import xarray as xr

    from llpscan.scanner.api import config_of
    from llpscan.scanner.config import resolve

    if not (0 < target < 1):
        raise ConfigError(f"--target {target}: the relative precision must lie in (0, 1)")
    cfg = config_of(config)
    scan = resolve(cfg)
    sl = _slice(scan, x, y, sel or {})
    xs = np.asarray(scan.axes[x], dtype=float)
    n_full = cfg.events
    n_start = max(500, int(n_full * BRACKET_FRACTION))
    n_max = n_full * MAX_EVENTS_FACTOR
    with ThreadPoolExecutor(workers or os.cpu_count() or 1) as pool:
        results = list(pool.map(lambda v: _one_mass(sl, v, target, n_start, n_max), xs))
    shape = (len(sl.searches), xs.size)
    data = {k: np.full(shape, np.nan) for k in ("lower", "upper", "lower_err", "upper_err")}
    events = {k: np.zeros(shape, dtype=np.int64) for k in ("lower_events", "upper_events")}
    evaluations = np.array([r[1] for r in results], dtype=np.int64)
    for j, (edges, _, state) in enumerate(results):
        for i, label in enumerate(sl.searches):
            if state.get(label) == "all":
                data["lower"][i, j], data["upper"][i, j] = float(scan.axes[y][0]), float(scan.axes[y][-1])
                data["lower_err"][i, j] = data["upper_err"][i, j] = 0.0
            for kind in ("lower", "upper"):
                e = edges.get((label, kind))
                if e is not None:
                    data[kind][i, j] = math.exp(e.value)
                    data[f"{kind}_err"][i, j] = e.sigma
                    events[f"{kind}_events"][i, j] = e.events
    sc = scan.scenario
    y_units = sc.parameter(y).units
    n_llp = len(sc.llp_species) or 1
    n_open = sum(1 for r in results if any(s != "closed" for s in r[2].values()))
    grid_evals = n_full * len(scan.axes[y]) * len(sl.keys) * n_llp * n_open
    ds = xr.Dataset(
        {**{k: (("search", x), v, {"units": y_units if not k.endswith("err") else "1",
                                    "long_name": _LONG[k].format(y=y)}) for k, v in data.items()},
         **{k: (("search", x), v, {"units": "1", "long_name": f"events of the sample that fixed the {k[:5]} boundary"})
            for k, v in events.items()},
         "evaluations": ((x,), evaluations, {"units": "1", "long_name": "per-LLP decay-probability evaluations"})},
        coords={"search": np.array(sl.searches, dtype=object), x: (x, xs, {"units": sc.parameter(x).units})},
        attrs={"llpscan_format": REACH_FORMAT, "scenario": sc.name, "x": x, "y": y, "target": target,
               "statistic": sc.statistic, "fixed": json.dumps(sl.fixed, sort_keys=True),
               "config": json.dumps(cfg.model_dump(mode="json"), sort_keys=True), "seed": cfg.seed,
               "events_per_mass_point": n_full, "evaluations": int(evaluations.sum()),
               "grid_evaluations": int(grid_evals),
               "saving": float(grid_evals / max(int(evaluations.sum()), 1))})
    return ds


_LONG = {"lower": "lower boundary in {y} of the excluded region", "upper": "upper boundary in {y} of the excluded region",
         "lower_err": "Monte-Carlo uncertainty of the lower boundary, in ln {y}",
         "upper_err": "Monte-Carlo uncertainty of the upper boundary, in ln {y}"}


def write_reach(ds, path) -> None:
    """Store an adaptive reach table as a small zarr group (one chunk per array)."""
    ds.to_zarr(os.fspath(path), mode="w", consolidated=False, zarr_format=3)


def open_reach(path):
    """An adaptive reach table written by :func:`write_reach`, as an xarray Dataset (in memory)."""
    import xarray as xr

    ds = xr.open_zarr(os.fspath(path), consolidated=False, chunks=None).load()
    if ds.attrs.get("llpscan_format") != REACH_FORMAT:
        raise ConfigError(f"{path}: not an adaptive reach table")
    return ds
