"""Straight flight lines from the interaction point through a detector that is a cylinder about the beam.

The detector parts here are cylinders r < r_max, z_min < z < z_max about the z (solenoid, e- beam) axis
with the interaction point at the origin, and polar-angle ranges in the lab. Every search asks one of
three questions of a particle's lab four-momentum p4 = (E, px, py, pz) (GeV, arrays (..., 4)): its polar
angle (degrees) and whether it lies in a range, the interval of transverse radius r (m) where its
flight line is inside a cylinder, and the path length (m) after which it leaves a cylinder.
"""

from __future__ import annotations

import numpy as np

__all__ = ["polar_angle", "in_polar_range", "radial_interval", "exit_distance"]


def polar_angle(p4):
    """Lab polar angle (degrees, 0-180) of four-momenta p4 (..., 4) to the +z axis; 0 where p = 0.

    >>> polar_angle(np.array([[1.0, 1.0, 0.0, 1.0], [1.0, 0.0, 0.0, -1.0]])).tolist()
    [45.0, 180.0]
    """
    p4 = np.asarray(p4, dtype=float)
    return np.degrees(np.arctan2(np.hypot(p4[..., 1], p4[..., 2]), p4[..., 3]))


def in_polar_range(theta_deg, polar_range):
    """True where lo < theta < hi for ``polar_range`` = (lo, hi) in degrees (open at both ends).

    >>> in_polar_range(np.array([12.4, 30.0, 160.0]), (12.4, 155.1)).tolist()
    [False, True, False]
    """
    lo, hi = polar_range
    theta = np.asarray(theta_deg, dtype=float)
    return (theta > lo) & (theta < hi)


def radial_interval(p4, r_min, r_max, z_min, z_max):
    """Interval [a, b] of transverse radius (m) where the flight line of p4 (n, 4) is in the cylinder.

    The line from the origin is z = r p_z/p_T, so the cylinder r_min < r < r_max, z_min < z < z_max
    is the interval a = max(r_min, z_lo), b = min(r_max, z_hi) in r. Where it is empty, b = a (a
    decay probability of 0).

    >>> a, b = radial_interval(np.array([[1.0, 1.0, 0.0, 1.0]]), 0.1, 0.8, -0.4, 0.5)   # 45 deg: z = r
    >>> a.tolist(), b.tolist()
    ([0.1], [0.5])
    """
    pt = np.hypot(p4[..., 1], p4[..., 2])
    pz = p4[..., 3]
    with np.errstate(divide="ignore", invalid="ignore"):
        cot = pz / pt
        z_lo = np.where(cot > 0, z_min / cot, np.where(cot < 0, z_max / cot, -np.inf))
        z_hi = np.where(cot > 0, z_max / cot, np.where(cot < 0, z_min / cot, np.inf))
    inside_at_zero_cot = (z_min < 0) & (z_max > 0)
    z_lo = np.where((cot == 0) & ~inside_at_zero_cot, np.inf, z_lo)
    z_lo = np.where(np.isnan(cot), np.inf, z_lo)  # p_T = p_z = 0
    a = np.maximum(r_min, z_lo)
    b = np.minimum(r_max, z_hi)
    b = np.where(b > a, b, a)
    return a, b


def exit_distance(p4, r_max, z_min, z_max):
    """Path length (m) from the origin to the surface of the cylinder r < r_max, z_min < z < z_max
    along the momentum of p4 (n, 4): the nearer of the barrel, r_max |p|/p_T, and the end cap,
    z |p|/p_z (z_max forward, z_min backward). inf for p = 0.

    >>> exit_distance(np.array([[1.0, 1.0, 0, 0], [1.0, 0, 0, 1.0], [1.0, 0, 0, -1.0]]), 1.25, -1.02, 1.96).tolist()
    [1.25, 1.96, 1.02]
    """
    p = np.atleast_2d(p4)[:, 1:]
    pt = np.hypot(p[:, 0], p[:, 1])
    pz = p[:, 2]
    norm = np.linalg.norm(p, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):  # p = 0: inf (or 0/0, replaced by inf)
        to_barrel = np.where(pt > 0, r_max * norm / pt, np.inf)
        to_endcap = np.where(pz > 0, z_max * norm / pz, np.where(pz < 0, z_min * norm / pz, np.inf))
    return np.minimum(to_barrel, to_endcap)
