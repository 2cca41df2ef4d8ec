"""The improved deep detector (`lstm-plus`): a masked LSTM autoencoder over each series' months
that predicts each month's unit price, and a likelihood-ratio score that knows small flows are
noisy.

What it changes against the original's model A, and why:
- Inputs are log-scaled and relative: the month's unit price against the series' own level,
  against the same HSK code's other countries that month, and the shipment weight against the
  series' usual weight. Raw kg, USD and KRW (the original's inputs) differ by orders of magnitude
  between series and drown the one number that matters.
- One series per window, built on a series x month grid: a month without imports is an input
  step marked absent, never a reason to mix series or skip a window.
- The month under test is hidden from the encoder (masked). An autoencoder that sees a spike
  learns to reproduce it; one that must fill the month in from its neighbours cannot.
- The expected unit price of a month blends the network's prediction with the median of the
  series' neighbouring months (`neighbour_weight`; `k` months on each side, or before only in
  the prospective form).
- Legitimate prices stray from that expectation by amounts that depend on the flow's size: a
  month of one parcel may be x3 off, a month of a hundred containers rarely 10%. The noise
  model (`detectors.noise`) learns, from the training months, the distribution of the residual
  by the month's size and the series' size, and a row's price score is the log likelihood ratio
  of "misdeclared by x2-x5 either way" (`misdeclaration_factors`) against "legitimate" under it.
  A x3 in a calm large flow scores far above a x3 in a small one.
- Training uses the training months only.
- Per-kg freight is not learned: the public freight is one figure per region and month, so a
  legitimate row equals its region-month level exactly and any departure is scored directly
  (`freight_tolerance`). The row's score is the larger of the price and the freight score.
- The operating threshold is a review budget: the score above which `budget_share` of the
  training rows lie.

`scoring='z'` keeps the earlier score (the network's error in units of its own Laplace scale,
combined with a robust neighbour-month z by geometric mean), for comparison. Ablation switches:
`macro` (add the exchange rate, Dubai crude, CPI and PPI monthly log changes as inputs), `window`
(6 or 12 months), `scaling` ('robust' or 'minmax'), `noise_bins` ((1, 1): one noise model for
every size), and for z scoring `error_mapping` ('per-month' or 'window': the original's one
error per window, given to the window's last month) and `series_norm`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.preprocessing import MinMaxScaler, RobustScaler

from customs_anomaly.detectors.base import FREIGHT_GROUP, Detector
from customs_anomaly.detectors.lstm_autoencoder import _keras, unrolled
from customs_anomaly.detectors.noise import NoiseModel
from customs_anomaly.detectors.series import (
    SERIES_KEY,
    SeriesGrid,
    freight_log_ratio,
    freight_reason,
    log_unit_price,
    neighbour_median,
    neighbour_price_z,
    peer_median_log_price,
    price_reason,
)

MACRO_COLUMNS = ["usd_krw", "dubai_usd", "cpi", "ppi"]
PRICE, PEER, WEIGHT, PRESENT, TARGET = 0, 1, 2, 3, 4  # input channels; macro channels follow
CONTINUOUS = [PRICE, PEER, WEIGHT]
LN2 = float(np.log(2.0))
PREDICT_BATCH = 4096
BAND_SCALES = 2.0  # half-width of the expected-price band (z scoring), in the model's Laplace scales
# The two parts of the expected price (likelihood scoring) and the analysis columns that score
# each alone: the network's prediction and the neighbour months' median.
PARTS = {"network": "lstm_price_score", "neighbours": "statistical_price_score"}
BAND_COVERAGE = 0.95  # the expected-price band (likelihood scoring) holds this share of legitimate months
FREIGHT_PRIORITY = 1e3  # likelihood scoring: added to a departing freight score, above any price score


def _series_median(grid: np.ndarray, columns: slice) -> np.ndarray:
    """Per series: median over the given months, or over all months if it has none there."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        inside = np.nanmedian(grid[:, columns], axis=1)
        overall = np.nanmedian(grid, axis=1)
    return np.where(np.isfinite(inside), inside, overall)


@dataclass(frozen=True)
class Cells:
    """The panel on its series x month grid, as the network and the reasons read it."""

    grid: SeriesGrid
    continuous: np.ndarray  # (series, month, 3) unscaled continuous inputs
    log_price: np.ndarray  # (series, month) log unit price
    log_weight: np.ndarray  # (series, month) log weight (NaN without imports)
    peer_median: np.ndarray  # per panel row: the other countries' median log price that month


def relative_inputs(panel: pd.DataFrame, train_until: pd.Timestamp) -> Cells:
    """Grid and (series, month, 3) unscaled continuous inputs: log price against the series level,
    log price against other countries (relative to the series' usual gap), log weight against the
    series' usual weight. Levels come from months up to `train_until`."""
    grid = SeriesGrid.of(panel)
    train_months = slice(0, int((grid.months <= train_until).sum()))
    log_price = grid.to_grid(log_unit_price(panel))
    own = log_price - _series_median(log_price, train_months)[:, None]
    peer_median = peer_median_log_price(panel).to_numpy()
    gap = log_price - grid.to_grid(peer_median)
    peer = gap - _series_median(gap, train_months)[:, None]
    log_weight = grid.to_grid(np.log(panel["weight_kg"].where(panel["weight_kg"] > 0)))
    weight = log_weight - _series_median(log_weight, train_months)[:, None]
    peer = np.where(np.isfinite(log_price) & ~np.isfinite(peer), 0.0, peer)  # no peers that month
    return Cells(grid, np.stack([own, peer, weight], axis=-1), log_price, log_weight, peer_median)


def series_sizes(panel: pd.DataFrame, until: pd.Timestamp | None) -> pd.Series:
    """Per series (hsk_code, country_code): the median log value (USD) of its months with imports,
    up to `until` when given."""
    traded = panel[(panel["weight_kg"] > 0) & (panel["value_usd"] > 0)]
    if until is not None:
        traded = traded[traded["month"] <= until]
    return np.log(traded["value_usd"].astype(float)).groupby([traded[k] for k in SERIES_KEY]).median()


def macro_changes(panel: pd.DataFrame, months: pd.DatetimeIndex) -> np.ndarray:
    """(month, 4) monthly log changes of the macro variables (0 for the first month)."""
    monthly = panel.groupby("month")[MACRO_COLUMNS].first().reindex(months).ffill().bfill()
    return np.log(monthly).diff().fillna(0.0).to_numpy()


def window_starts(month_positions: np.ndarray, window: int, n_months: int, centred: bool = True) -> np.ndarray:
    """Start of the window for each target month: centred where possible, clipped to the grid;
    `centred=False` gives windows that end at the target (the original's mapping)."""
    offset = window // 2 if centred else window - 1
    return np.clip(month_positions - offset, 0, max(n_months - window, 0))


def laplace_nll(y_true, y_pred):
    """Weighted Laplace negative log-likelihood; y_true = (value, weight), y_pred = (mu, log b)."""
    import keras.ops as ops

    value, weight = y_true[..., 0], y_true[..., 1]
    mu, log_b = y_pred[..., 0], ops.clip(y_pred[..., 1], -6.0, 4.0)
    nll = ops.abs(value - mu) * ops.exp(-log_b) + log_b
    return ops.sum(nll * weight) / ops.maximum(ops.sum(weight), 1.0)


class LSTMPlusDetector(Detector):
    name = "lstm-plus"
    # The statistical part scales a month by its series' typical deviation over every month read,
    # so even the prospective form needs the panel cut after the month it scores.
    causal = False
    defaults = {
        "epochs": 30,
        "batch_size": 256,
        "window": 12,
        "units": 32,
        "seed": 0,
        "macro": False,
        "scaling": "robust",
        "error_mapping": "per-month",
        "series_norm": False,
        "context_weight": 0.1,
        "statistical": "geometric",
        "k": 6,
        "scoring": "likelihood",
        "neighbour_weight": 0.5,
        "misdeclaration_factors": (2.0, 5.0),
        "noise_bins": (8, 3),
        "noise_components": 3,
        "alignment": "centred",
        "budget_share": 0.02,
        "freight_tolerance": 0.05,
        "verbose": 2,
    }

    # Parameters that only change what follows the network: a fit that differs in these alone
    # reuses the trained network and recomputes the rest (`Detector.derive`).
    SCORING_PARAMS = frozenset(
        {
            "error_mapping",
            "series_norm",
            "statistical",
            "k",
            "scoring",
            "neighbour_weight",
            "misdeclaration_factors",
            "noise_bins",
            "noise_components",
            "budget_share",
            "freight_tolerance",
        }
    )
    CHOICES = {
        "scoring": ("likelihood", "z"),
        "alignment": ("centred", "trailing"),
        "scaling": ("robust", "minmax"),
        "error_mapping": ("per-month", "window"),
        "statistical": ("geometric", "none"),
    }

    def __init__(self, **params) -> None:
        super().__init__(**params)
        for key, allowed in self.CHOICES.items():
            if self.params[key] not in allowed:
                raise ValueError(f"lstm-plus: {key} must be one of {', '.join(allowed)}, got {self.params[key]!r}")
        if not 3 <= int(self.params["window"]) <= 24:
            raise ValueError(f"lstm-plus: window must be 3 to 24 months, got {self.params['window']}")
        if not 0 < self.params["budget_share"] < 1:
            raise ValueError(f"lstm-plus: budget_share must be in (0, 1), got {self.params['budget_share']}")
        if not 0.0 <= float(self.params["neighbour_weight"]) <= 1.0:
            raise ValueError(f"lstm-plus: neighbour_weight must be in [0, 1], got {self.params['neighbour_weight']}")
        # JSON (a saved model's detector.json) turns tuples into lists
        self.params["misdeclaration_factors"] = tuple(float(f) for f in self.params["misdeclaration_factors"])
        self.params["noise_bins"] = tuple(int(b) for b in self.params["noise_bins"])
        low, high = self.params["misdeclaration_factors"]
        if not 1.0 < low < high:
            raise ValueError(
                f"lstm-plus: misdeclaration_factors must be (low, high) with 1 < low < high, got {low}, {high}"
            )
        if len(self.params["noise_bins"]) != 2 or min(self.params["noise_bins"]) < 1:
            raise ValueError(f"lstm-plus: noise_bins must be two positive counts, got {self.params['noise_bins']}")

    # inputs ------------------------------------------------------------------------------
    def _tensor(self, continuous: np.ndarray, panel: pd.DataFrame, months: pd.DatetimeIndex) -> np.ndarray:
        """(series, month, channels) scaled inputs; absent cells are 0 with PRESENT = 0."""
        present = np.isfinite(continuous[..., 0])
        flat = continuous.reshape(-1, continuous.shape[-1])
        scaled = self.scaler_.transform(np.nan_to_num(flat)).reshape(continuous.shape)
        scaled = np.where(present[..., None], scaled, 0.0)
        channels = [scaled, present[..., None].astype(float), np.zeros((*present.shape, 1))]
        if self.params["macro"]:
            macro = self.macro_scaler_.transform(macro_changes(panel, months))
            channels.append(np.broadcast_to(macro[None], (*present.shape, macro.shape[1])))
        return np.concatenate(channels, axis=-1)

    def _windows(self, tensor: np.ndarray, series: np.ndarray, month: np.ndarray, masked: bool, centred: bool):
        """One window per (series, month) target; the target step hidden when `masked`."""
        window = self.params["window"]
        starts = window_starts(month, window, tensor.shape[1], centred)
        steps = starts[:, None] + np.arange(window)[None, :]
        inputs = tensor[series[:, None], steps].copy()
        position = month - starts
        rows = np.arange(len(series))
        if masked:
            inputs[rows, position, :PRESENT] = 0.0
            inputs[rows, position, PRESENT] = 0.0
            inputs[rows, position, TARGET] = 1.0
        return inputs, steps, position

    # model -------------------------------------------------------------------------------
    def _build(self, n_channels: int):
        keras, _ = _keras()
        layers, window, units = keras.layers, self.params["window"], self.params["units"]
        unroll = unrolled(self.params["epochs"])
        inputs = keras.Input((window, n_channels))
        code = layers.Bidirectional(layers.LSTM(units, unroll=unroll))(inputs)
        code = layers.Dense(units, activation="tanh")(code)
        x = layers.RepeatVector(window)(code)
        x = layers.Concatenate()([x, inputs])  # the decoder knows which steps were seen
        x = layers.LSTM(units, return_sequences=True, unroll=unroll)(x)
        outputs = layers.TimeDistributed(layers.Dense(2))(x)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer=keras.optimizers.Adam(2e-3), loss=laplace_nll)
        return model

    def _targets(self, tensor: np.ndarray, steps: np.ndarray, series: np.ndarray, position: np.ndarray) -> np.ndarray:
        values = tensor[series[:, None], steps, PRICE]
        weights = tensor[series[:, None], steps, PRESENT] * self.params["context_weight"]
        weights[np.arange(len(series)), position] = 1.0
        return np.stack([values, weights], axis=-1)

    # fitting -----------------------------------------------------------------------------
    def _fit(self, train: pd.DataFrame) -> None:
        keras, tf = _keras()
        keras.utils.set_random_seed(self.params["seed"])
        tf.config.experimental.enable_op_determinism()
        cells = relative_inputs(train, self.train_until_)
        grid, continuous = cells.grid, cells.continuous
        present = np.isfinite(continuous[..., 0])
        scaler_class = RobustScaler if self.params["scaling"] == "robust" else MinMaxScaler
        self.scaler_ = scaler_class().fit(np.nan_to_num(continuous[present]))
        self.macro_scaler_ = scaler_class().fit(macro_changes(train, grid.months)) if self.params["macro"] else None
        tensor = self._tensor(continuous, train, grid.months)
        series, month = np.nonzero(present)
        if len(series) == 0:
            raise ValueError("no month with imports in the training months")
        inputs, steps, position = self._windows(tensor, series, month, masked=True, centred=self.centred)
        targets = self._targets(tensor, steps, series, position)
        self.model_ = self._build(tensor.shape[-1])
        history = self.model_.fit(
            inputs,
            targets,
            epochs=self.params["epochs"],
            batch_size=self.params["batch_size"],
            shuffle=True,
            verbose=self.params["verbose"],
        )
        self.loss_history_ = [float(v) for v in history.history["loss"]]
        self.train_samples_ = len(series)
        self._calibrate(train, cells, tensor, series, month)

    def _calibrate(self, train: pd.DataFrame, cells: Cells, tensor: np.ndarray, series, month) -> None:
        """What follows the network on the training months: the noise model (likelihood scoring)
        or the series' typical errors (z scoring), and the operating threshold (the score above
        which `budget_share` of the training rows lie)."""
        grid = cells.grid
        if self.likelihood:
            self.series_size_ = series_sizes(train, self.train_until_)
            parts = self._price_parts(train, cells, tensor, series, month)
            options = {
                "bins": self.params["noise_bins"],
                "components": self.params["noise_components"],
                "factors": self.params["misdeclaration_factors"],
            }
            self.noise_ = NoiseModel.fit(parts["residual"], parts["month_size"], parts["series_size"], **options)
            # each part alone, with its own noise model: what chapter 06 compares
            self.part_noise_ = {
                part: NoiseModel.fit(
                    parts["log_price"] - parts[part], parts["log_weight"] + parts[part], parts["series_size"], **options
                )
                for part in PARTS
            }
            price_score = self.noise_.log_ratio(parts["residual"], self._noise_cells(parts))
            self.series_scale_ = {}
        else:
            z = self._price_z(tensor, series, month)[0]
            self.series_scale_ = self._series_scales(grid, series, z)
            statistical = self.statistical_z(train, grid, series, month)
            price_score = self._with_statistical(np.abs(z) / self._norm(grid, series), statistical)
            self.noise_, self.part_noise_, self.series_size_ = None, {}, None
        train_scores = self._combine(train, grid, price_score, series, month)[0]
        self.threshold_ = float(np.nanquantile(train_scores, 1.0 - self.params["budget_share"]))

    def _recalibrate(self, train: pd.DataFrame) -> None:
        cells = relative_inputs(train, self.train_until_)
        tensor = self._tensor(cells.continuous, train, cells.grid.months)
        series, month = np.nonzero(np.isfinite(cells.continuous[..., 0]))
        self._calibrate(train, cells, tensor, series, month)

    @property
    def likelihood(self) -> bool:
        """Whether rows are scored by the likelihood ratio under the noise model (else by z)."""
        return self.params["scoring"] == "likelihood"

    def _price_parts(self, panel: pd.DataFrame, cells: Cells, tensor: np.ndarray, series, month) -> dict:
        """Per cell (series, month): the network's expected log price, the neighbour months'
        median, the expected log price that blends them (`neighbour_weight`), the residual (log
        price minus expected), the month's size (log of its weight at the expected price, USD) and
        its series' size (log of the series' median month value), and the network's z and scale."""
        z, expected_scaled, spread_scaled = self._price_z(tensor, series, month)
        log_price = cells.log_price[series, month]
        level = log_price - cells.continuous[series, month, PRICE]  # the series' level in log USD/kg
        network = level + self._unscale_price(expected_scaled)
        side = "both" if self.centred else "past"
        neighbours = neighbour_median(cells.log_price, self.params["k"], side)[series, month]
        weight = float(self.params["neighbour_weight"])
        expected = np.where(np.isfinite(neighbours), (1.0 - weight) * network + weight * neighbours, network)
        log_weight = cells.log_weight[series, month]
        return {
            "log_price": log_price,
            "log_weight": log_weight,
            "z": z,
            "expected_scaled": expected_scaled,
            "spread_scaled": spread_scaled,
            "network": network,
            "neighbours": neighbours,
            "expected": expected,
            "residual": log_price - expected,
            "month_size": log_weight + expected,
            "series_size": self._series_size(panel, cells.grid, series),
        }

    def _series_size(self, panel: pd.DataFrame, grid: SeriesGrid, series: np.ndarray) -> np.ndarray:
        """Per cell: its series' size from the training months (or, for a series the training
        months never saw, from the months of the panel given)."""
        known = self.series_size_
        fallback = series_sizes(panel, None)
        keys = pd.MultiIndex.from_frame(grid.keys)
        sizes = known.reindex(keys).to_numpy(float)
        sizes = np.where(np.isfinite(sizes), sizes, fallback.reindex(keys).to_numpy(float))
        return sizes[series]

    def _noise_cells(self, parts: dict) -> np.ndarray:
        return self.noise_.cells(parts["month_size"], parts["series_size"])

    @property
    def centred(self) -> bool:
        """Whether a target month sits in the middle of its window (retrospective audit) or at its
        end (prospective: nothing after the month is read)."""
        return self.params["alignment"] == "centred"

    def _price_z(self, tensor: np.ndarray, series: np.ndarray, month: np.ndarray):
        """Signed error of each target month in units of the model's own uncertainty, the expected
        value and that uncertainty (the Laplace scale), both in scaled units."""
        per_month = self.params["error_mapping"] == "per-month"
        centred = per_month and self.centred
        inputs, steps, position = self._windows(tensor, series, month, masked=per_month, centred=centred)
        predicted = self.model_.predict(inputs, batch_size=PREDICT_BATCH, verbose=0)
        mu, log_b = predicted[..., 0], np.clip(predicted[..., 1], -6.0, 4.0)
        actual = tensor[series[:, None], steps, PRICE]
        rows = np.arange(len(series))
        if per_month:
            z = (actual[rows, position] - mu[rows, position]) / np.exp(log_b[rows, position])
            return z, mu[rows, position], np.exp(log_b[rows, position])
        seen = tensor[series[:, None], steps, PRESENT] > 0
        window_error = np.where(seen, np.abs(actual - mu) / np.exp(log_b), 0.0).sum(axis=1) / np.maximum(
            seen.sum(axis=1), 1
        )
        return window_error, mu[rows, position], np.exp(log_b[rows, position])

    def _series_scales(self, grid: SeriesGrid, series: np.ndarray, z: np.ndarray) -> dict:
        """Per series: median |z| on the training months over ln 2 (1 when the model's uncertainty
        is calibrated), bounded to [0.5, 3] so that one odd series cannot silence or flood itself."""
        frame = pd.DataFrame({"series": series, "abs_z": np.abs(z)})
        typical = frame.groupby("series")["abs_z"].median() / LN2
        keys = grid.keys.iloc[typical.index]
        return {
            tuple(key): float(np.clip(value, 0.5, 3.0)) for key, value in zip(keys.itertuples(index=False), typical)
        }

    def _norm(self, grid: SeriesGrid, series: np.ndarray) -> np.ndarray:
        if not self.params["series_norm"]:
            return np.ones(len(series))
        keys = grid.keys.iloc[series]
        return np.array([self.series_scale_.get(tuple(key), 1.0) for key in keys.itertuples(index=False)])

    # scoring -----------------------------------------------------------------------------
    def statistical_z(self, panel: pd.DataFrame, grid: SeriesGrid, series: np.ndarray, month: np.ndarray) -> np.ndarray:
        """The statistical companion per cell: the neighbour-month price deviation in units of the
        series' typical deviation, widened for light months."""
        side = "both" if self.centred else "past"
        z_rows = neighbour_price_z(panel, self.params["k"], floor=0.02, weight_aware=True, side=side)[1]
        return grid.to_grid(z_rows)[series, month]

    def _with_statistical(self, lstm_score: np.ndarray, statistical: np.ndarray) -> np.ndarray:
        """Geometric mean of the LSTM and the statistical score (either alone where the other is
        missing), or the LSTM score alone when `statistical` is 'none'."""
        if self.params["statistical"] == "none":
            return lstm_score
        both = np.sqrt(lstm_score * statistical)
        return np.where(np.isfinite(both), both, np.fmax(lstm_score, statistical))

    def _combine(self, panel: pd.DataFrame, grid: SeriesGrid, price_score: np.ndarray, series, month):
        """Per panel row: the score and its two parts, the price score and the freight score (the
        freight's departure from its region-month level in units of `freight_tolerance`). With z
        scoring the score is the larger part; with likelihood scoring a freight departure beyond the
        tolerance ranks first (FREIGHT_PRIORITY on top of the freight score: in the public data a
        legitimate row has its region-month freight exactly), and the price score ranks the rest."""
        price_grid = np.full(grid.shape, np.nan)
        price_grid[series, month] = price_score
        price_rows = grid.to_rows(price_grid)
        freight_rows = np.abs(freight_log_ratio(panel).to_numpy()) / self.params["freight_tolerance"]
        return self.combine_parts(price_rows, freight_rows), price_rows, freight_rows

    def combine_parts(self, price_score: np.ndarray, freight_score: np.ndarray) -> np.ndarray:
        """A row's score from its price and freight scores (see `_combine`)."""
        if self.likelihood:
            departs = np.nan_to_num(freight_score) > 1.0
            return np.where(departs, FREIGHT_PRIORITY + np.nan_to_num(freight_score), price_score)
        return np.fmax(price_score, freight_score)

    def _analyse(self, panel: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
        """Only the cells of the rows asked for go through the network (in large batches); the
        whole panel is the context of their windows and of the neighbour months."""
        cells = relative_inputs(panel, self.train_until_)
        grid = cells.grid
        tensor = self._tensor(cells.continuous, panel, grid.months)
        wanted = np.zeros(grid.shape, dtype=bool)
        wanted[grid.row_series[rows], grid.row_month[rows]] = True
        series, month = np.nonzero(np.isfinite(cells.continuous[..., 0]) & wanted)

        def on_rows(values: np.ndarray) -> np.ndarray:
            cell_grid = np.full(grid.shape, np.nan)
            cell_grid[series, month] = values
            return grid.to_rows(cell_grid)

        log_price = grid.to_rows(cells.log_price)
        if self.likelihood:
            parts = self._price_parts(panel, cells, tensor, series, month)
            noise_cells = self._noise_cells(parts)
            price_score = self.noise_.log_ratio(parts["residual"], noise_cells)
            expected = on_rows(parts["expected"])
            half_width = self.noise_.band(noise_cells, BAND_COVERAGE)
            low, high = on_rows(parts["expected"] - half_width), on_rows(parts["expected"] + half_width)
            part_scores = {
                column: self.part_noise_[part].log_ratio(
                    parts["log_price"] - parts[part],
                    self.part_noise_[part].cells(parts["log_weight"] + parts[part], parts["series_size"]),
                )
                for part, column in PARTS.items()
            }
            details = {
                **{column: on_rows(values) for column, values in part_scores.items()},
                "tail_probability": on_rows(self.noise_.tail_probability(parts["residual"], noise_cells)),
                "network_expected_unit_price_usd_per_kg": np.exp(on_rows(parts["network"])),
                "neighbour_median_unit_price_usd_per_kg": np.exp(on_rows(parts["neighbours"])),
            }
        else:
            z, expected_scaled, spread_scaled = self._price_z(tensor, series, month)
            lstm_score = np.abs(z) / self._norm(grid, series)
            statistical = self.statistical_z(panel, grid, series, month)
            price_score = self._with_statistical(lstm_score, statistical)
            own = grid.to_rows(cells.continuous[..., PRICE])
            level = log_price - own  # the series' level in log USD/kg
            expected = level + on_rows(self._unscale_price(expected_scaled))
            # the model's expected unit price and its band of BAND_SCALES Laplace scales on either side
            low, high = (
                level + on_rows(self._unscale_price(expected_scaled + sign * BAND_SCALES * spread_scaled))
                for sign in (-1.0, 1.0)
            )
            details = {"lstm_price_score": on_rows(lstm_score), "statistical_price_score": on_rows(statistical)}
        score, price_rows, freight_rows = self._combine(panel, grid, price_score, series, month)
        if self.likelihood:
            is_freight = np.nan_to_num(freight_rows) > 1.0
        else:
            is_freight = np.nan_to_num(freight_rows) >= np.nan_to_num(price_rows)
        weight = panel["weight_kg"].to_numpy(float)
        return pd.DataFrame(
            {
                "score": score,
                "flag": np.nan_to_num(score, nan=-np.inf) > self.threshold_,
                "freight_reason": is_freight,
                "price_score": price_rows,
                "freight_score": freight_rows,
                **details,
                "expected_unit_price_usd_per_kg": np.exp(expected),
                "expected_low_unit_price_usd_per_kg": np.exp(low),
                "expected_high_unit_price_usd_per_kg": np.exp(high),
                "price_ratio": np.exp(log_price - expected),
                "peer_price_ratio": np.exp(log_price - cells.peer_median),
                "freight_ratio": np.exp(freight_log_ratio(panel).to_numpy()),
                # what the declared value departs from the value at the expected price (USD)
                "value_at_stake_usd": np.abs(panel["value_usd"].to_numpy(float) - weight * np.exp(expected)),
            }
        )

    def _reasons(self, analysis: pd.DataFrame) -> list[str]:
        if self.likelihood:
            details = [
                _likelihood_detail(tail, peer)
                for tail, peer in zip(analysis["tail_probability"], analysis["peer_price_ratio"])
            ]
        else:
            details = [_price_detail(s, peer) for s, peer in zip(analysis["price_score"], analysis["peer_price_ratio"])]
        return [
            freight_reason(freight_ratio)
            if group == FREIGHT_GROUP
            else price_reason(price_ratio, "모형이 예상한 단가", detail)
            for group, freight_ratio, price_ratio, detail in zip(
                analysis["reason_group"], analysis["freight_ratio"], analysis["price_ratio"], details
            )
        ]

    def _unscale_price(self, scaled_price: np.ndarray) -> np.ndarray:
        """Scaled PRICE channel values back to log price against the series level."""
        matrix = np.zeros((len(scaled_price), len(CONTINUOUS)))
        matrix[:, PRICE] = scaled_price
        return self.scaler_.inverse_transform(matrix)[:, PRICE]

    # persistence -------------------------------------------------------------------------
    def _save_state(self, model_dir: Path) -> None:
        import joblib

        self.model_.save(model_dir / "model.keras")
        joblib.dump({key: getattr(self, key) for key in self._STATE}, model_dir / "state.joblib")

    def _load_state(self, model_dir: Path) -> None:
        import joblib

        keras, _ = _keras()
        self.model_ = keras.models.load_model(model_dir / "model.keras", custom_objects={"laplace_nll": laplace_nll})
        for key, value in joblib.load(model_dir / "state.joblib").items():
            setattr(self, key, value)

    _STATE = (
        "noise_",
        "part_noise_",
        "series_size_",
        "scaler_",
        "macro_scaler_",
        "series_scale_",
        "threshold_",
        "train_until_",
        "loss_history_",
        "train_samples_",
    )


def _likelihood_detail(tail: float, peer_ratio: float) -> str:
    """'이 규모 거래의 정상 변동으로 이만큼 벗어날 확률 0.4%' and the peers' clause."""
    chance = "0.1% 미만" if tail < 0.001 else f"{tail:.1%}"
    detail = f"이 규모 거래가 정상 변동으로 이만큼 벗어날 확률 {chance}"
    if np.isfinite(peer_ratio):
        detail += f"; 같은 달 다른 국가 중앙값의 {peer_ratio:.2f}배"
    return detail


def _price_detail(score: float, peer_ratio: float) -> str:
    detail = f"예상 변동폭의 {score:.1f}배"
    if np.isfinite(peer_ratio):
        detail += f"; 같은 달 다른 국가 중앙값의 {peer_ratio:.2f}배"
    return detail
