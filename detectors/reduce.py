"""The Monte-Carlo reducer: the mean over events of a per-event probability and its standard error.

Every search ends the same way: a value p_i per event (a detection probability times event weights) at
every coupling point, reduced to the mean over the n events and its standard error, with sums shifted by
the first event and accumulated in event order (the shifted-data algorithm of Chan, Golub & LeVeque,
"Algorithms for computing the sample variance", Am. Stat. 37 (1983) 242): the result depends neither on
threads nor on chunking, and the variance does not cancel where p_i -> 1. :func:`event_mean_and_error` is
the numpy form; :func:`shifted_add` and :func:`shifted_mean_error` are the same arithmetic for numba
kernels (inlined, so a kernel built from them gives the numpy form's bits on the same p_i).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["ShiftedSums", "event_mean_and_error", "shifted_add", "shifted_mean_error"]

class ShiftedSums:
    """The running state of the reducer at m points: ``shift`` (event 0's values), ``s1``, ``s2`` (m,)
    and the number of events ``n``; events enter in order, in blocks of any size.

    A numba kernel updates the arrays in place with :func:`shifted_add` (setting ``shift`` from the
    first event when ``n == 0``) and the caller adds its event count to ``n``; :meth:`add` does the
    same for a numpy block (n_block, m). Splitting the events into blocks anywhere gives the same bits.

    >>> sums = ShiftedSums(2)
    >>> sums.add(np.array([[1.0, 0.0], [1.0, 1.0]])); sums.add(np.array([[1.0, 0.0], [1.0, 1.0]]))
    >>> [v.tolist() for v in sums.result()]
    [[1.0, 0.5], [0.0, 0.28867513459481287]]
    """

    __slots__ = ("shift", "s1", "s2", "n")

    def __init__(self, m: int):
        self.shift = np.zeros(m)
        self.s1 = np.zeros(m)
        self.s2 = np.zeros(m)
        self.n = 0

    def add(self, block) -> None:
        """Events (n_block, m) in order after those already added."""
        block = np.asarray(block, dtype=float).reshape(len(block), -1)
        if not len(block):
            return
        if self.n == 0:
            self.shift[...] = block[0]
        d = block - self.shift
        sq = d * d
        # running sums in event order: the previous total enters before this block's first event
        d[0] += self.s1
        sq[0] += self.s2
        self.s1[...] = np.cumsum(d, axis=0)[-1]
        self.s2[...] = np.cumsum(sq, axis=0)[-1]
        self.n += len(block)

    def result(self):
        """(mean, standard error of the mean), each (m,): the formulas of :func:`event_mean_and_error`."""
        if self.n == 0:
            raise ValueError("no events to average")
        n = self.n
        mean = self.shift + self.s1 / n
        var = (self.s2 - self.s1 * self.s1 / n) / (n - 1) if n > 1 else np.zeros_like(self.s1)
        return mean, np.sqrt(np.maximum(var, 0.0) / n)


def event_mean_and_error(values):
    """Mean over events and its standard error, for every point.

    With d_i = p_i - p_1: s1 = sum d_i, s2 = sum d_i^2 (in event order), mean = p_1 + s1/n,
    var = (s2 - s1^2/n)/(n - 1), err = sqrt(max(var, 0)/n).

    Args:
        values: per-event values, shape (n_events, ...) with the event axis first; or an iterator
            over blocks of consecutive events (each (n_block, ...)), in event order, so that the
            caller never holds all events at once.
    Returns:
        (mean, err), each of the shape of one event's values.

    With the same values a numba kernel built from :func:`shifted_add` and :func:`shifted_mean_error`
    gives the same bits.

    >>> p = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 0.0], [1.0, 1.0]])   # (events, points)
    >>> mean, err = event_mean_and_error(p)
    >>> mean.tolist(), err.tolist()      # a constant has no error; 0/1 with p = 1/2: sqrt(1/3)/2
    ([1.0, 0.5], [0.0, 0.28867513459481287])
    """
    blocks = values if isinstance(values, Iterator) else iter((np.asarray(values, dtype=float),))
    sums = None
    for block in blocks:
        block = np.asarray(block, dtype=float)
        if not len(block):
            continue
        if sums is None:
            sums = ShiftedSums(block[0].size)
            shape = block.shape[1:]
        sums.add(block.reshape(len(block), -1))
    if sums is None:
        raise ValueError("no events to average")
    mean, err = sums.result()
    return mean.reshape(shape), err.reshape(shape)


def __getattr__(name):
    # numba helpers, defined with the compiled kernels (detectors.kernels) and imported on use
    if name in ("shifted_add", "shifted_mean_error"):
        from llpscan.detectors import kernels

        return getattr(kernels, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
