"""Random numbers: each submodel draws from its own stream, a fixed slice of each day's row of
pre-drawn numbers (`State.uniforms`, `State.normals`); a day that needs more draws than its
slice holds falls back to the run's generator."""

from __future__ import annotations

import math

import numpy as np

from libyasim.model.jit import njit
from libyasim.model.state import DAY, State


@njit
def new_day(S: State) -> None:
    """Every stream starts again at the beginning of its slice of today's row."""
    for k in range(S.streams.shape[0]):
        S.cursor[k, 0] = S.streams[k, 0]
        S.cursor[k, 1] = S.streams[k, 2]


@njit
def uniform(S: State, stream: int, rng: np.random.Generator) -> float:
    i = S.cursor[stream, 0]
    if i < S.streams[stream, 1]:
        S.cursor[stream, 0] = i + 1
        return S.uniforms[S.i[DAY], i]
    return rng.random()


@njit
def normal(S: State, stream: int, rng: np.random.Generator, sigma: float) -> float:
    """A standard normal; with `sigma` >= 0, a lognormal multiplier of mean 1 and log-sd
    `sigma` (combat noise, whose pre-drawn normals are already such multipliers)."""
    i = S.cursor[stream, 1]
    if i < S.streams[stream, 3]:
        S.cursor[stream, 1] = i + 1
        return S.normals[S.i[DAY], i]
    z = rng.standard_normal()
    return z if sigma < 0.0 else math.exp(sigma * z - 0.5 * sigma ** 2)


@njit
def poisson(S: State, stream: int, rng: np.random.Generator, mean: float) -> int:
    """A Poisson count by inversion (normal approximation above a mean of 30)."""
    if mean <= 0.0:
        return 0
    if mean > 30.0:
        return max(0, int(np.rint(mean + math.sqrt(mean) * normal(S, stream, rng, -1.0))))
    u, k = uniform(S, stream, rng), 0
    p = c = math.exp(-mean)
    while u > c and k < 200:
        k += 1
        p *= mean / k
        c += p
    return k


@njit
def count(S: State, stream: int, rng: np.random.Generator, expected: float) -> int:
    """A whole number with the given expectation (stochastic rounding)."""
    whole = math.floor(expected)
    return int(whole) + (1 if uniform(S, stream, rng) < expected - whole else 0)
