"""Random streams and the small random-path helpers every part of the replica uses."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Independent random streams, so that changing one source never reshuffles another.
STREAMS = {"trade": 1, "freight": 2, "macro": 3}


def source_rng(seed: int, source: str) -> np.random.Generator:
    """The random stream ``write_replica`` uses for one source ("trade", "freight" or "macro"):
    ``trade_records(source_rng(seed, "trade"))`` gives the records behind the written files."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), STREAMS[source]]))


def month_number(months: pd.DatetimeIndex | list[str]) -> np.ndarray:
    """Months as consecutive integers (year * 12 + month), for interpolation."""
    stamps = pd.DatetimeIndex(pd.to_datetime(list(months)))
    return (stamps.year * 12 + stamps.month).to_numpy()


def smooth_log_path(anchors: dict[str, float], months: pd.DatetimeIndex) -> np.ndarray:
    """Linear interpolation between anchor months (values in log space), flat beyond the ends."""
    return np.interp(month_number(months), month_number(list(anchors)), np.array(list(anchors.values()), float))


def ar1(rng: np.random.Generator, n: int, t: int, phi: float, sd: float) -> np.ndarray:
    """n independent stationary AR(1) paths of length t with innovation sd ``sd``."""
    out = np.empty((n, t))
    out[:, 0] = rng.normal(0.0, sd / np.sqrt(1.0 - phi**2), n)
    shocks = rng.normal(0.0, sd, (n, t))
    for j in range(1, t):
        out[:, j] = phi * out[:, j - 1] + shocks[:, j]
    return out


def tied_noise(rng: np.random.Generator, t: int, ties: list[int], sd: float, phi: float) -> np.ndarray:
    """Smooth AR(1) noise (innovation sd ``sd``) pulled to zero at the ``ties`` indices (months
    with a published value), by subtracting the line through its values there."""
    noise = ar1(rng, 1, t, phi=phi, sd=sd)[0]
    if not ties:
        return noise
    ties = sorted(set(ties))
    return noise - np.interp(np.arange(t), ties, noise[ties])
