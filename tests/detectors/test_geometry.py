"""Cylinder geometry: polar angles, radial intervals and exit distances against independent constructions."""

import math

import numpy as np
import pytest

from llpscan.detectors.geometry import exit_distance, in_polar_range, polar_angle, radial_interval


def test_radial_interval_geometry():
    # theta = 90 deg: the whole radial range; forward: cut by z_max at r = z_max tan(theta)
    p = np.array([[5.0, 1.0, 0.0, 0.0], [5.0, 1.0, 0.0, 2.0], [5.0, 1.0, 0.0, -1.0], [5.0, 0.0, 0.0, 1.0]])
    a, b = radial_interval(p, 0.1, 0.8, -0.4, 1.2)
    np.testing.assert_allclose(a, [0.1, 0.1, 0.1, 0.1])
    np.testing.assert_allclose(b, [0.8, 0.6, 0.4, 0.1])  # the last flies along the axis: empty


def _random_p4(n, seed):
    rng = np.random.default_rng(seed)
    p3 = rng.normal(0.0, 1.0, (n, 3))
    return np.column_stack([np.sqrt(0.3 + np.sum(p3 * p3, axis=1)), p3])


def test_polar_angle_is_the_arccos_of_the_direction_cosine():
    # theta = arccos(p_z/|p|), a different formula: the two agree to 1e-12 deg away from the poles, and
    # the range test gives the same answer for every one of 1e5 random directions
    p4 = _random_p4(100_000, 1)
    theta = polar_angle(p4)
    other = np.degrees(np.arccos(p4[:, 3] / np.linalg.norm(p4[:, 1:], axis=1)))
    np.testing.assert_allclose(theta, other, atol=1e-9)
    for edges in ((17.0, 150.0), (12.4, 155.1), (31.4, 32.2)):
        np.testing.assert_array_equal(in_polar_range(theta, edges), (other > edges[0]) & (other < edges[1]))
    assert polar_angle(np.array([0.0, 0.0, 0.0, 0.0])) == 0.0  # p = 0: along +z by convention


def test_exit_distance_is_where_the_flight_line_meets_the_surface():
    # the point at the exit distance along the direction lies on the cylinder's surface (on the barrel
    # or on an end cap), and every point before it is inside: checked against the point's coordinates
    r_max, z_min, z_max = 1.55, -1.31, 2.27
    p4 = _random_p4(20_000, 2)
    d = exit_distance(p4, r_max, z_min, z_max)
    u = p4[:, 1:] / np.linalg.norm(p4[:, 1:], axis=1, keepdims=True)
    x = u * d[:, None]
    r, z = np.hypot(x[:, 0], x[:, 1]), x[:, 2]
    on_barrel = np.isclose(r, r_max, rtol=1e-12) & (z >= z_min - 1e-12) & (z <= z_max + 1e-12)
    on_cap = (np.isclose(z, z_max, rtol=1e-12) | np.isclose(z, z_min, rtol=1e-12)) & (r <= r_max * (1 + 1e-12))
    assert np.all(on_barrel | on_cap)
    inside = u * (0.999 * d)[:, None]
    assert np.all((np.hypot(inside[:, 0], inside[:, 1]) < r_max) & (inside[:, 2] > z_min) & (inside[:, 2] < z_max))
    # along the axes: the faces themselves; p = 0: never leaves
    axes = np.array([[1.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, -1.0], [1.0, 0.0, 0.0, 0.0]])
    assert exit_distance(axes, r_max, z_min, z_max).tolist() == [r_max, z_max, -z_min, math.inf]


def test_radial_interval_against_points_on_the_flight_line():
    # a radius r lies in [a, b] exactly when the point of the flight line at that radius is inside
    # the cylinder r_min < r < r_max, z_min < z < z_max
    p4 = _random_p4(2000, 3)
    a, b = radial_interval(p4, 0.1, 0.8, -0.4, 1.2)
    pt = np.hypot(p4[:, 1], p4[:, 2])
    for r in np.linspace(0.0, 1.0, 41):
        z = r * p4[:, 3] / pt
        inside = (r > 0.1) & (r < 0.8) & (z > -0.4) & (z < 1.2)
        within = (a < r) & (r < b)
        edge = np.isclose(r, a) | np.isclose(r, b)
        np.testing.assert_array_equal(within[~edge], inside[~edge])


@pytest.mark.parametrize("theta", [0.0, 90.0, 180.0])
def test_in_polar_range_is_open(theta):
    assert not in_polar_range(theta, (theta, 180.0)) and not in_polar_range(theta, (0.0, theta))
