"""How far a legitimate unit price strays from its expected level, learned from the training
months, and the evidence a deviation gives for a misdeclaration.

Legitimate prices of small flows are wild and those of large flows calm (the real releases show
it: see `realism.ytd_deviation`). A deviation of x3 is ordinary in a month of one parcel and damning
in a month of a hundred containers, so the noise is modelled by size: the training months' log
price residuals (log price minus the detector's expected log price) are split into cells by the
month's size (its weight at the expected price, in USD) and by its series' typical month, and in
each cell a zero-mean mixture of normals is fitted by EM (a calm core and heavy tails).

A row's score is the log likelihood ratio of "misdeclared by a factor between x1/F and x1/f or
between xf and xF" (`factors` = (f, F), spread evenly in log) against "legitimate", both under its
cell's noise: a deviation as large as a misdeclaration in a calm cell scores high, the same
deviation in a wild cell scores low, and a significant but small deviation in a calm cell scores
below zero (it is not the size of a misdeclaration).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp, ndtr

LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)
EM_ITERATIONS = 150
EM_MAX_ROWS = 4000  # rows per group EM reads (evenly spaced): more change the fit by little, cost much
MIN_SD = 1e-3
FACTOR_POINTS = 32  # points of each side of the misdeclaration alternative


def fit_scale_mixture(values: np.ndarray, components: int, iterations: int = EM_ITERATIONS, tolerance: float = 1e-6):
    """Weights and sds (ascending) of a zero-mean mixture of `components` normals fitted to
    `values` by EM (`fit_scale_mixtures` with one group)."""
    weights, sds = fit_scale_mixtures(values, np.zeros(len(values), int), 1, components, iterations, tolerance)
    return weights[0], sds[0]


def fit_scale_mixtures(
    values: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    components: int,
    iterations: int = EM_ITERATIONS,
    tolerance: float = 1e-6,
):
    """One zero-mean mixture of `components` normals per group (0..n_groups-1) of `values`,
    fitted by EM for every group at once, until no group's mean log-likelihood gains more than
    `tolerance`: (n_groups, components) weights and sds, the sds ascending. Deterministic: a
    group's sds start at quantiles of its |values| from the median to the 99th percentile. A
    group without values gets NaN."""
    values, groups = np.asarray(values, float), np.asarray(groups, int)
    values, groups = _thinned(values, groups, n_groups)
    squares = values[:, None] ** 2
    counts = np.bincount(groups, minlength=n_groups).astype(float)
    sd = np.full((n_groups, components), np.nan)
    levels = np.linspace(0.5, 0.99, components)
    for group in np.flatnonzero(counts > 0):
        sd[group] = np.quantile(np.abs(values[groups == group]), levels) / 0.6745
    sd = np.maximum(np.nan_to_num(sd, nan=1.0), MIN_SD) * (1.0 + np.arange(components) * 1e-6)  # distinct starts
    weight = np.full((n_groups, components), 1.0 / components)
    previous = np.full(n_groups, -np.inf)
    safe_counts = np.maximum(counts, 1.0)
    for _ in range(iterations):
        log_joint = np.log(weight[groups]) - 0.5 * squares / sd[groups] ** 2 - np.log(sd[groups])
        top = log_joint.max(axis=1, keepdims=True)
        joint = np.exp(log_joint - top)
        density = joint.sum(axis=1, keepdims=True)
        responsibility = joint / density
        log_likelihood = np.bincount(groups, weights=np.log(density[:, 0]) + top[:, 0], minlength=n_groups)
        log_likelihood = log_likelihood.astype(float) / safe_counts
        mass = np.stack([np.bincount(groups, responsibility[:, k], n_groups) for k in range(components)], axis=1)
        spread = np.stack(
            [np.bincount(groups, responsibility[:, k] * squares[:, 0], n_groups) for k in range(components)], axis=1
        )
        weight = np.maximum(mass / safe_counts[:, None], 1e-9)
        weight /= weight.sum(axis=1, keepdims=True)
        sd = np.maximum(np.sqrt(spread / np.maximum(mass, 1e-12)), MIN_SD)
        if np.all(log_likelihood - previous < tolerance):
            break
        previous = log_likelihood
    order = np.argsort(sd, axis=1)
    weight, sd = np.take_along_axis(weight, order, axis=1), np.take_along_axis(sd, order, axis=1)
    empty = counts == 0
    weight[empty], sd[empty] = np.nan, np.nan
    return weight, sd


def _thinned(values: np.ndarray, groups: np.ndarray, n_groups: int, most: int = EM_MAX_ROWS):
    """At most `most` values per group, evenly spaced in their order (deterministic)."""
    counts = np.bincount(groups, minlength=n_groups)
    if counts.max(initial=0) <= most:
        return values, groups
    order = np.argsort(groups, kind="stable")
    rank = np.arange(len(order)) - np.repeat(np.cumsum(counts) - counts, counts)
    size = np.repeat(counts, counts)
    step = np.maximum(size / most, 1.0)
    keep = (rank % step) < 1.0  # about `most` evenly spaced picks per group
    chosen = order[keep]
    return values[chosen], groups[chosen]


def _log_normal(x, sd):
    return -0.5 * (x / sd) ** 2 - np.log(sd) - LOG_SQRT_2PI


def _bin(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Bin index of each value by interior edges (values beyond the ends go to the end bins)."""
    return np.searchsorted(edges, values, side="right")


@dataclass(frozen=True)
class NoiseModel:
    """A zero-mean normal mixture of legitimate log price residuals per (month size, series size)
    cell, and the misdeclaration alternative. Build it with `NoiseModel.fit`."""

    month_edges: np.ndarray  # interior edges of the month-size bins (log USD)
    series_edges: np.ndarray  # interior edges of the series-size bins (log USD)
    weights: np.ndarray  # (cells, components)
    sds: np.ndarray  # (cells, components)
    log_factors: np.ndarray  # the alternative's log factors (both sides)
    cell_rows: np.ndarray  # training residuals per cell (0 where the pooled fit stands in)

    @classmethod
    def fit(
        cls,
        residual,
        month_size,
        series_size,
        bins: tuple[int, int] = (8, 3),
        components: int = 3,
        factors: tuple[float, float] = (2.0, 5.0),
        min_rows: int = 50,
    ) -> NoiseModel:
        """Fit on training residuals (finite ones only) with each row's month size and series size
        (log USD). Bins are quantiles of the sizes; a cell with fewer than `min_rows` residuals uses
        the fit of all residuals."""
        residual, month_size, series_size = (np.asarray(a, float) for a in (residual, month_size, series_size))
        usable = np.isfinite(residual) & np.isfinite(month_size) & np.isfinite(series_size)
        if usable.sum() < max(min_rows, components):
            raise ValueError(f"too few training residuals to fit the noise model: {int(usable.sum())}")
        low, high = factors
        if not 1.0 < low < high:
            raise ValueError(f"misdeclaration factors must satisfy 1 < low < high, got {factors}")
        residual, month_size, series_size = residual[usable], month_size[usable], series_size[usable]
        month_edges = np.quantile(month_size, np.linspace(0, 1, bins[0] + 1)[1:-1])
        series_edges = np.quantile(series_size, np.linspace(0, 1, bins[1] + 1)[1:-1])
        cells = _bin(month_size, month_edges) * bins[1] + _bin(series_size, series_edges)
        counts = np.bincount(cells, minlength=bins[0] * bins[1])
        weights = np.empty((bins[0] * bins[1], components))
        sds = np.empty((bins[0] * bins[1], components))
        dense = counts >= min_rows
        if not dense.all():  # the fit of all residuals stands in for the sparse cells
            weights[~dense], sds[~dense] = fit_scale_mixture(residual, components)
        if dense.any():
            in_dense = dense[cells]
            fitted = fit_scale_mixtures(residual[in_dense], cells[in_dense], len(counts), components)
            weights[dense], sds[dense] = fitted[0][dense], fitted[1][dense]
        side = np.linspace(np.log(low), np.log(high), FACTOR_POINTS)
        return cls(
            month_edges=month_edges,
            series_edges=series_edges,
            weights=weights,
            sds=sds,
            log_factors=np.concatenate([-side[::-1], side]),
            cell_rows=np.where(counts >= min_rows, counts, 0),
        )

    def cells(self, month_size, series_size) -> np.ndarray:
        """Cell of each row (NaN sizes fall into the smallest bins)."""
        month_size = np.nan_to_num(np.asarray(month_size, float), nan=-np.inf)
        series_size = np.nan_to_num(np.asarray(series_size, float), nan=-np.inf)
        return _bin(month_size, self.month_edges) * (len(self.series_edges) + 1) + _bin(series_size, self.series_edges)

    def log_density(self, residual, cells) -> np.ndarray:
        """log density of legitimate residuals in their cells."""
        residual = np.asarray(residual, float)
        return logsumexp(np.log(self.weights[cells]) + _log_normal(residual[..., None], self.sds[cells]), axis=-1)

    def log_ratio(self, residual, cells, side: str = "both") -> np.ndarray:
        """log p(residual | misdeclared) - log p(residual | legitimate); NaN where the residual is.
        `side` 'down' or 'up' keeps only under- or over-declaration in the alternative."""
        residual = np.asarray(residual, float)
        out = np.full(residual.shape, np.nan)
        finite = np.isfinite(residual)
        r, c = residual[finite], np.asarray(cells)[finite]
        factors = {"both": self.log_factors, "down": self.log_factors[self.log_factors < 0]}
        factors["up"] = self.log_factors[self.log_factors > 0]
        log_factors = factors[side]
        log_weight = np.log(self.weights[c]) - np.log(self.sds[c])  # (n, K)
        precision = 0.5 / self.sds[c] ** 2
        squared = (r[:, None] - log_factors[None, :]) ** 2  # (n, F)
        # the largest term of each row comes from the factor nearest the residual: found on (n, K)
        top = (log_weight - squared.min(axis=1)[:, None] * precision).max(axis=1)
        terms = squared[..., None] * -precision[:, None, :]  # (n, F, K), filled in place below
        terms += (log_weight - top[:, None])[:, None, :]
        np.exp(terms, out=terms)
        misdeclared = top + np.log(terms.sum(axis=(1, 2)) / len(log_factors))
        own = log_weight - r[:, None] ** 2 * precision
        own_top = own.max(axis=1)
        legitimate = own_top + np.log(np.exp(own - own_top[:, None]).sum(axis=1))
        out[finite] = misdeclared - legitimate
        return out

    def tail_probability(self, residual, cells) -> np.ndarray:
        """P(|legitimate residual| >= |residual|) in each row's cell."""
        z = np.abs(np.asarray(residual, float))[..., None] / self.sds[cells]
        return (self.weights[cells] * 2.0 * ndtr(-z)).sum(axis=-1)

    def band(self, cells, coverage: float = 0.95) -> np.ndarray:
        """Half-width (log) of the central range holding `coverage` of legitimate residuals."""
        unique, position = np.unique(np.asarray(cells), return_inverse=True)
        low = np.zeros(len(unique))
        high = np.full(len(unique), 10.0 * float(self.sds.max()))
        for _ in range(60):  # bisection on the mixture's two-sided tail, once per cell
            middle = 0.5 * (low + high)
            outside = self.tail_probability(middle, unique) > 1.0 - coverage
            low, high = np.where(outside, middle, low), np.where(outside, high, middle)
        return (0.5 * (low + high))[position].reshape(np.shape(cells))

    def state(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}
