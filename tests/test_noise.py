"""The noise model by flow size: EM recovers a known mixture, cells follow the sizes, and the
likelihood ratio ranks a deviation by how unusual it is for a month of that size."""

from __future__ import annotations

import numpy as np
import pytest

from customs_anomaly.detectors.noise import NoiseModel, fit_scale_mixture


def test_em_recovers_a_calm_core_with_heavy_tails():
    rng = np.random.default_rng(0)
    calm = rng.normal(0.0, 0.05, 8000)
    wild = rng.normal(0.0, 0.8, 2000)
    weights, sds = fit_scale_mixture(np.concatenate([calm, wild]), components=2)
    assert sds == pytest.approx([0.05, 0.8], rel=0.05)
    assert weights == pytest.approx([0.8, 0.2], abs=0.02)
    again = fit_scale_mixture(np.concatenate([calm, wild]), components=2)
    assert np.array_equal(again[0], weights) and np.array_equal(again[1], sds)  # deterministic


def two_sizes(n: int = 4000, seed: int = 1):
    """Small months (size 3) with wild prices, large months (size 9) with calm ones."""
    rng = np.random.default_rng(seed)
    small = rng.normal(0.0, 0.6, n)
    large = rng.normal(0.0, 0.05, n)
    residual = np.concatenate([small, large])
    month_size = np.concatenate([np.full(n, 3.0), np.full(n, 9.0)]) + rng.normal(0, 0.01, 2 * n)
    series_size = month_size.copy()
    return residual, month_size, series_size


def test_a_x3_is_damning_in_a_calm_large_month_and_ordinary_in_a_wild_small_one():
    residual, month_size, series_size = two_sizes()
    model = NoiseModel.fit(residual, month_size, series_size, bins=(2, 1), components=2)
    cells = model.cells(np.array([3.0, 9.0]), np.array([3.0, 9.0]))
    assert cells.tolist() == [0, 1]
    x3 = np.log(3.0)
    small_x3, large_x3 = model.log_ratio(np.array([x3, x3]), cells)
    assert large_x3 > 5.0 and large_x3 > small_x3 + 5.0
    # a significant but small deviation of a calm month is not the size of a misdeclaration
    assert model.log_ratio(np.array([0.25]), cells[1:])[0] < 0.0
    # under-declaration scores as over-declaration of the same factor (the alternative is symmetric)
    assert model.log_ratio(np.array([-x3]), cells[1:])[0] == pytest.approx(large_x3)
    assert np.isnan(model.log_ratio(np.array([np.nan]), cells[1:])[0])


def test_band_holds_its_coverage_and_the_tail_probability_is_two_sided():
    residual, month_size, series_size = two_sizes(n=20000)
    model = NoiseModel.fit(residual, month_size, series_size, bins=(2, 1), components=2)
    cells = model.cells(np.array([3.0, 9.0]), np.array([3.0, 9.0]))
    half = model.band(cells, coverage=0.95)
    assert half == pytest.approx([1.96 * 0.6, 1.96 * 0.05], rel=0.05)
    assert model.tail_probability(half, cells) == pytest.approx([0.05, 0.05], abs=1e-6)
    assert model.tail_probability(np.array([0.0, 0.0]), cells) == pytest.approx([1.0, 1.0])


def test_a_sparse_cell_falls_back_to_the_pooled_fit_and_bad_arguments_are_refused():
    residual, month_size, series_size = two_sizes(n=500)
    model = NoiseModel.fit(residual, month_size, series_size, bins=(2, 2), components=2, min_rows=300)
    # series sizes equal month sizes: the mixed cells (small month, large series) stay empty
    assert (model.cell_rows == 0).sum() == 2
    pooled = fit_scale_mixture(residual, 2)
    empty = int(np.flatnonzero(model.cell_rows == 0)[0])
    assert np.array_equal(model.sds[empty], pooled[1])
    with pytest.raises(ValueError, match="too few training residuals"):
        NoiseModel.fit(residual[:10], month_size[:10], series_size[:10])
    with pytest.raises(ValueError, match="1 < low < high"):
        NoiseModel.fit(residual, month_size, series_size, factors=(5.0, 2.0))
