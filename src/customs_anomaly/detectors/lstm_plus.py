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

from customs_anomaly.detectors.base import FREIGHT_GROUP, Detector, strip_labels
from customs_anomaly.detectors.lstm_autoencoder import (
    TRAINING_RULE,
    _keras,
    predict_in_batches,
    train_network,
    unrolled,
)
from customs_anomaly.detectors.noise import NoiseModel
from customs_anomaly.detectors.series import (
    SERIES_KEY,
    SeriesGrid,
    freight_log_ratio,
    freight_reason,
    lagged_median,
    log_unit_price,
    neighbour_median,
    neighbour_price_z,
    outside_range,
    peer_median_log_price,
    peer_range_log_price,
    price_reason,
)
from customs_anomaly.original import ORIGINAL_EPOCHS

MACRO_COLUMNS = ["usd_krw", "dubai_usd", "cpi", "ppi"]
PRICE, PEER, WEIGHT, PRESENT, TARGET = 0, 1, 2, 3, 4  # input channels; macro channels follow
# The input channels by name (`NetworkView.inputs`), in the order of the network's input.
CHANNELS = ("price_vs_level", "price_vs_peers", "weight_vs_usual", "present", "masked", *MACRO_COLUMNS)
CONTINUOUS = [PRICE, PEER, WEIGHT]
LN2 = float(np.log(2.0))
PREDICT_BATCH = 4096
BAND_SCALES = 2.0  # half-width of the expected-price band (z scoring), in the model's Laplace scales
# The two parts of the expected price (likelihood scoring) and the analysis columns that score
# each alone: the network's prediction and the neighbour months' median.
PARTS = {"network": "lstm_price_score", "neighbours": "statistical_price_score"}
MEMORY_MIN_MONTHS = 3  # months with imports a lagged level needs
NOISE_MIN_ROWS = 50  # training residuals a part needs for its noise model
CASE_FACTOR = 1.5  # a case: consecutive months whose price strays beyond x1.5 from the lagged level the same way
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
    peer_range: np.ndarray  # per panel row: the other countries' lowest and highest log price that month
    peer_median: np.ndarray  # per panel row: the other countries' median log price that month


@dataclass(frozen=True)
class NetworkView:
    """What the network of `lstm-plus` reads and predicts for one month of one series
    (`LSTMPlusDetector.network_view`): the window it reads, the month under test, the unit price it
    predicts with the band of its own uncertainty, and the month's error in units of that
    uncertainty."""

    inputs: pd.DataFrame  # index: the window's months; columns: CHANNELS (scaled, as the network reads them)
    target: pd.Timestamp  # the month under test (its inputs hidden: present 0, masked 1)
    expected_unit_price: float  # USD/kg, the network's prediction
    low_unit_price: float  # USD/kg, the prediction BAND_SCALES Laplace scales below
    high_unit_price: float  # USD/kg, and above
    scale: float  # the predicted Laplace scale, in scaled units of the price channel
    z: float  # the month's error (actual - predicted) in units of `scale`


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
    return Cells(
        grid, np.stack([own, peer, weight], axis=-1), log_price, log_weight, peer_range_log_price(panel), peer_median
    )


@dataclass(frozen=True)
class HistoryGrids:
    """(series, month) grids of what a month looks like against the series' own past and its
    peers: the residual against the median of the series' months `near` to `far` months before
    (NaN with fewer than MEMORY_MIN_MONTHS of them), the residual against the same code's other
    countries that month, the sizes of both, the series' size, the months with imports before the
    month, and whether the series is a newcomer (fewer than `newcomer_months` such months).
    Against its peers a month is measured by how far its price lies outside the range of the
    same code's other countries that month (0 inside it): a price no existing partner has."""

    traded: np.ndarray
    memory_residual: np.ndarray
    persistent_residual: np.ndarray
    run_start: np.ndarray
    memory_size: np.ndarray
    peer_residual: np.ndarray
    peer_size: np.ndarray
    series_size: np.ndarray  # (series,)
    history_months: np.ndarray
    newcomer: np.ndarray

    @classmethod
    def of(cls, cells: Cells, near: int, far: int, series_size: np.ndarray, newcomer_months: int) -> HistoryGrids:
        traded = np.isfinite(cells.log_price)
        baseline = lagged_median(cells.log_price, near, far, MEMORY_MIN_MONTHS)
        low, high = (cells.grid.to_grid(cells.peer_range[:, side]) for side in (0, 1))
        history = np.cumsum(traded, axis=1) - traded
        residual = cells.log_price - baseline
        return cls(
            traded=traded,
            memory_residual=residual,
            persistent_residual=persistent(residual, traded),
            run_start=run_starts(residual, traded, np.log(CASE_FACTOR)),
            memory_size=cells.log_weight + baseline,
            peer_residual=outside_range(cells.log_price, low, high),
            peer_size=cells.log_weight + np.clip(cells.log_price, low, high),
            series_size=np.asarray(series_size, float),
            history_months=history,
            newcomer=traded & (history < newcomer_months),
        )

    def memory_sample(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Persistent residuals, month sizes and series sizes of every month that has them."""
        usable = self.traded & np.isfinite(self.persistent_residual)
        sizes = np.broadcast_to(self.series_size[:, None], self.traded.shape)
        return self.persistent_residual[usable], self.memory_size[usable], sizes[usable]

    def peer_sample(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The same for newcomers' months against their peers."""
        usable = self.newcomer & np.isfinite(self.peer_residual)
        sizes = np.broadcast_to(self.series_size[:, None], self.traded.shape)
        return self.peer_residual[usable], self.peer_size[usable], sizes[usable]


def fitted_or_none(sample: tuple, options: dict) -> NoiseModel | None:
    """A noise model of a part's training residuals, or None when there are too few to fit one."""
    residual = sample[0]
    if np.isfinite(residual).sum() < NOISE_MIN_ROWS:
        return None
    return NoiseModel.fit(*sample, **options)


def previous_traded(values: np.ndarray, traded: np.ndarray) -> np.ndarray:
    """(series, month): the value of the series' last month with imports before each month."""
    out = np.full(values.shape, np.nan)
    last = np.full(values.shape[0], np.nan)
    for t in range(values.shape[1]):
        out[:, t] = last
        last = np.where(traded[:, t], values[:, t], last)
    return out


def persistent(residual: np.ndarray, traded: np.ndarray) -> np.ndarray:
    """How far a month and the series' month with imports before it both stray the same way:
    the smaller of the two residuals in size, with their common sign (0 when they stray opposite
    ways, NaN without a previous residual). A one-off month scores 0; two months x0.5 score
    log 0.5."""
    previous = previous_traded(residual, traded)
    same = np.sign(residual) == np.sign(previous)
    smaller = np.sign(residual) * np.minimum(np.abs(residual), np.abs(previous))
    return np.where(np.isfinite(residual) & np.isfinite(previous), np.where(same, smaller, 0.0), np.nan)


def run_starts(residual: np.ndarray, traded: np.ndarray, limit: float) -> np.ndarray:
    """(series, month): the first month of the run of months with imports, ending at each month,
    whose residuals stray beyond `limit` the same way (-1 when the month itself does not)."""
    out = np.full(residual.shape, -1)
    start = np.full(residual.shape[0], -1)
    direction = np.zeros(residual.shape[0])
    for t in range(residual.shape[1]):
        r = residual[:, t]
        strays = traded[:, t] & (np.abs(np.nan_to_num(r)) > limit)
        sign = np.sign(np.nan_to_num(r))
        continues = strays & (start >= 0) & (sign == direction)
        start = np.where(traded[:, t], np.where(continues, start, np.where(strays, t, -1)), start)
        direction = np.where(traded[:, t], np.where(strays, sign, 0.0), direction)
        out[:, t] = np.where(traded[:, t], start, -1)
    return out


def history_details(history: HistoryGrids, scores: dict, grid: SeriesGrid, cells: Cells) -> dict:
    """Per panel row: the memory score, the month's price against the lagged level, the case the
    month belongs to (the run of months straying the same way from the lagged level: its first
    month, its months with imports, and the USD its declared values depart from the value at the
    lagged level over those months so far), the peer score of a newcomer, and the months with
    imports before the month."""
    start = grid.to_rows(scores["start"])
    series, month = grid.row_series, grid.row_month
    first = np.maximum(start, 0)
    runs = np.cumsum(history.traded, axis=1)
    counted = np.where(start >= 0, runs[series, month] - runs[series, first] + 1, 0)
    start_month = np.where(start >= 0, grid.months[first].to_numpy(), np.datetime64("NaT"))
    # USD at stake a month: its weight times the gap between its price and the lagged level's
    stake = np.exp(cells.log_weight) * np.abs(
        np.exp(cells.log_price) - np.exp(cells.log_price - history.memory_residual)
    )
    stakes = np.cumsum(np.nan_to_num(stake), axis=1)
    before_start = np.where(first > 0, stakes[series, np.maximum(first - 1, 0)], 0.0)
    case_value = np.where(start >= 0, stakes[series, month] - before_start, 0.0)
    return {
        "memory_score": grid.to_rows(scores["memory"]),
        "memory_ratio": np.exp(grid.to_rows(history.memory_residual)),
        "case_start": pd.to_datetime(start_month),
        "case_months": counted.astype(int),
        "case_value_usd": case_value,
        "peer_score": grid.to_rows(scores["peer"]),
        "history_months": grid.to_rows(history.history_months.astype(float)),
    }


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


def tuple_of(kind: type, values) -> tuple:
    """`values` as a tuple of `kind`: the object itself when it is one already (`clone` checks)."""
    if isinstance(values, tuple) and all(type(v) is kind for v in values):
        return values
    return tuple(kind(v) for v in values)


def laplace_nll(y_true, y_pred):
    """Weighted Laplace negative log-likelihood; y_true = (value, weight), y_pred = (mu, log b)."""
    import keras.ops as ops

    value, weight = y_true[..., 0], y_true[..., 1]
    mu, log_b = y_pred[..., 0], ops.clip(y_pred[..., 1], -6.0, 4.0)
    nll = ops.abs(value - mu) * ops.exp(-log_b) + log_b
    return ops.sum(nll * weight) / ops.maximum(ops.sum(weight), 1.0)


class LSTMPlusDetector(Detector):
    """The improved deep detector (``lstm-plus``): a masked LSTM autoencoder that predicts each
    month's unit price from the series' other months, an expected price that blends it with the
    neighbour months' median, and a likelihood-ratio score under a noise model that knows small
    flows are noisy (the module's docstring explains each choice).

    A row's score is the larger of its price score (the log likelihood ratio of "misdeclared" to
    "legitimate"; with `memory`, also the evidence of a deviation that lasts or of a newcomer
    priced unlike its peers) and its freight score; a freight departure beyond
    `freight_tolerance` ranks first. The operating threshold is a review budget.

    Parameters
    ----------
    epochs : int, default 50
        Cap on the training epochs; training stops earlier by the package's one rule (see
        `validation_months` and `patience`).
    validation_months : int, default 6
        The last training months whose samples are held out to decide when to stop.
    patience : int, default 3
        Epochs in a row without a lower held-out loss before training stops (the weights of the
        best epoch are kept).
    batch_size : int, default 256
        Training batch size.
    window : int, default 12
        Months per window, 3 to 24.
    units : int, default 32
        Units of the encoder's (bidirectional) and the decoder's LSTM layers.
    seed : int, default 0
        Seed of the network's initial weights and of the shuffling (training is deterministic).
    macro : bool, default False
        Add the monthly log changes of the exchange rate, Dubai crude, CPI and PPI as inputs.
    scaling : {"robust", "minmax"}, default "robust"
        Scaler of the relative inputs.
    error_mapping : {"per-month", "window"}, default "per-month"
        The month under test masked and predicted from its window, or (the original's way) one
        unmasked window's error given to the window's last month.
    series_norm : bool, default False
        With ``scoring="z"``: divide each series' z by its typical size on the training months.
    context_weight : float, default 0.1
        Weight in the training loss of a window's seen months, against 1 for the masked month.
    statistical : {"geometric", "none"}, default "geometric"
        With ``scoring="z"``: combine the network's z with the neighbour months' robust z by
        geometric mean, or use the network's alone.
    k : int, default 6
        Neighbour months on each side of a month (before it only, with ``alignment="trailing"``)
        whose median unit price is the statistical part of the expected price.
    scoring : {"likelihood", "z"}, default "likelihood"
        The likelihood ratio under the noise model, or the earlier z score (for comparison).
    neighbour_weight : float, default 0.5
        Weight of the neighbour months' median in the expected log price, 0 to 1 (the network's
        prediction has the rest).
    misdeclaration_factors : tuple of float, default (2.0, 5.0)
        (low, high): the alternative of the likelihood ratio, a price declared between low and
        high times too high or too low.
    noise_bins : tuple of int, default (8, 3)
        Cells of the noise model: bins of the month's size x bins of the series' size.
    noise_components : int, default 3
        Normals in each cell's zero-mean mixture.
    memory : bool, default True
        Also score a month against the series' lagged level (a deviation that lasts) and a
        newcomer's month against its peers.
    memory_lag : tuple of int, default (4, 15)
        (near, far): the lagged level is the median of the series' months from far to near
        months before, 1 <= near <= far <= 36.
    memory_penalty : float, default 2.0
        Log likelihood ratio by which a lasting deviation's evidence must exceed the month's own
        score to replace it.
    newcomer_months : int, default 3
        A series with fewer earlier months with imports is a newcomer, scored against its peers.
    alignment : {"centred", "trailing"}, default "centred"
        The month under test in the middle of its window (a retrospective audit) or at its end
        (prospective: nothing after the month is read).
    budget_share : float, default 0.02
        The operating threshold: the score above which this share of the training rows lie,
        in (0, 1).
    freight_tolerance : float, default 0.05
        Per-kg freight's departure from its region-month level (log ratio) that scores 1.
    verbose : int, default 2
        Keras' training log (0: silent); never changes the fit.

    Attributes
    ----------
    threshold_ : float
        The score above which `budget_share` of the training rows lie.
    model_ : keras.Model
        The trained network.
    scaler_ : sklearn.preprocessing.RobustScaler or MinMaxScaler
        The relative inputs' scaling, fitted on the training months.
    macro_scaler_ : sklearn.preprocessing.RobustScaler or MinMaxScaler or None
        The macro inputs' scaling (None without `macro`).
    noise_ : NoiseModel or None
        The noise model of the residuals against the expected price (None with z scoring).
    part_noise_ : dict
        The noise model of each part of the expected price alone (``"network"``,
        ``"neighbours"``).
    memory_noise_, peer_noise_ : NoiseModel or None
        The noise models of lasting deviations and of newcomers against their peers (None without
        `memory`, or without enough training examples).
    series_size_ : pandas.Series
        Per series (HSK code, country): the median log value (USD) of its training months.
    series_scale_ : dict
        Per series: its typical z on the training months (``series_norm``).
    loss_history_, val_loss_history_ : list of float
        Training and held-out loss of every epoch run.
    best_epoch_ : int
        The epoch whose weights were kept (1-based).
    train_samples_ : int
        Training samples (months with imports).
    decision_scores_, labels_, train_until_
        As for every detector (see `Detector`).

    Examples
    --------
    >>> from customs_anomaly.detectors import LSTMPlusDetector
    >>> from customs_anomaly.examples import tiny_panel
    >>> panel = tiny_panel()
    >>> detector = LSTMPlusDetector(epochs=1, verbose=0, budget_share=0.05).fit(panel, train_until="2024-04")
    >>> detector.train_samples_, int(detector.labels_.sum())  # 5% of the training months with imports
    (312, 16)
    >>> flags = detector.predict(panel)
    >>> detector.explain(panel, flags == 1)[0]
    '단가가 모형이 예상한 단가의 0.73배 (이 규모 거래가 정상 변동으로 이만큼 벗어날 확률 5.0%)'

    Scoring parameters change without training again (the network is shared):

    >>> wider = detector.derive(panel, budget_share=0.1)
    >>> wider.model_ is detector.model_, wider.threshold_ < detector.threshold_
    (True, True)
    """

    name = "lstm-plus"
    # The statistical part scales a month by its series' typical deviation over every month read,
    # so even the prospective form needs the panel cut after the month it scores.
    causal = False
    defaults = {
        "epochs": ORIGINAL_EPOCHS,  # the cap of `train_network`, the rule every network trains by
        **TRAINING_RULE,
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
        "memory": True,
        "memory_lag": (4, 15),
        "memory_penalty": 2.0,
        "newcomer_months": 3,
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
            "memory",
            "memory_lag",
            "memory_penalty",
            "newcomer_months",
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

    def _checked_params(self, params: dict) -> dict:
        for key, allowed in self.CHOICES.items():
            if params[key] not in allowed:
                raise ValueError(f"lstm-plus: {key} must be one of {', '.join(allowed)}, got {params[key]!r}")
        if not 3 <= int(params["window"]) <= 24:
            raise ValueError(f"lstm-plus: window must be 3 to 24 months, got {params['window']}")
        if not 0 < params["budget_share"] < 1:
            raise ValueError(f"lstm-plus: budget_share must be in (0, 1), got {params['budget_share']}")
        if not 0.0 <= float(params["neighbour_weight"]) <= 1.0:
            raise ValueError(f"lstm-plus: neighbour_weight must be in [0, 1], got {params['neighbour_weight']}")
        # JSON (a saved model's detector.json) turns tuples into lists
        params = {
            **params,
            "misdeclaration_factors": tuple_of(float, params["misdeclaration_factors"]),
            "noise_bins": tuple_of(int, params["noise_bins"]),
            "memory_lag": tuple_of(int, params["memory_lag"]),
        }
        near, far = params["memory_lag"]
        if not 1 <= near <= far <= 36:
            raise ValueError(
                f"lstm-plus: memory_lag must be (near, far) months with 1 <= near <= far <= 36, got {near}, {far}"
            )
        low, high = params["misdeclaration_factors"]
        if not 1.0 < low < high:
            raise ValueError(
                f"lstm-plus: misdeclaration_factors must be (low, high) with 1 < low < high, got {low}, {high}"
            )
        if len(params["noise_bins"]) != 2 or min(params["noise_bins"]) < 1:
            raise ValueError(f"lstm-plus: noise_bins must be two positive counts, got {params['noise_bins']}")
        return params

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
        training = train_network(
            self.model_,
            inputs,
            targets,
            month,
            epochs=self.params["epochs"],
            batch_size=self.params["batch_size"],
            validation_months=self.params["validation_months"],
            patience=self.params["patience"],
            verbose=self.params["verbose"],
        )
        self.loss_history_, self.val_loss_history_ = training.loss, training.val_loss
        self.best_epoch_ = training.best_epoch
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
            if self.params["memory"]:
                history = self._history_grids(train, cells)
                # a part the training months give no example of (no series with a lagged level, no
                # code with two partners) stays silent
                self.memory_noise_ = fitted_or_none(history.memory_sample(), options)
                self.peer_noise_ = fitted_or_none(history.peer_sample(), options)
                price_score = np.fmax(price_score, self._history_scores(history)["score"][series, month])
            else:
                self.memory_noise_ = self.peer_noise_ = None
            self.series_scale_ = {}
        else:
            z = self._price_z(tensor, series, month)[0]
            self.series_scale_ = self._series_scales(grid, series, z)
            statistical = self.statistical_z(train, grid, series, month)
            price_score = self._with_statistical(np.abs(z) / self._norm(grid, series), statistical)
            self.noise_, self.part_noise_, self.series_size_ = None, {}, None
            self.memory_noise_ = self.peer_noise_ = None
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

    # memory: what a scheme that lasts cannot contaminate -----------------------------------
    def _history_grids(self, panel: pd.DataFrame, cells: Cells) -> HistoryGrids:
        near, far = self.params["memory_lag"]
        series_size = self._series_size(panel, cells.grid, np.arange(cells.grid.shape[0]))
        return HistoryGrids.of(cells, near, far, series_size, self.params["newcomer_months"])

    def _history_scores(self, history: HistoryGrids, wanted: np.ndarray | None = None) -> dict:
        """(series, month) grids: the memory score (the evidence, under the memory noise model, of
        a month that stays as far from the series' lagged level as the month before it did), the
        first month of the run of months that stray the same way, the peer score of a newcomer's
        month, and the price score these give. The scores are computed only in the `wanted` cells
        (default: all; NaN elsewhere): each cell's score reads its own cell of the grids."""
        shape = history.traded.shape
        wanted = np.ones(shape, dtype=bool) if wanted is None else wanted
        series_size = np.broadcast_to(history.series_size[:, None], shape)
        memory, peer = np.full(shape, np.nan), np.full(shape, np.nan)
        if self.memory_noise_ is not None:
            at = history.traded & wanted
            memory_cells = self.memory_noise_.cells(history.memory_size[at], series_size[at])
            memory[at] = self.memory_noise_.log_ratio(history.persistent_residual[at], memory_cells)
        if self.peer_noise_ is not None:
            at = history.newcomer & wanted
            peer_cells = self.peer_noise_.cells(history.peer_size[at], series_size[at])
            peer[at] = self.peer_noise_.log_ratio(history.peer_residual[at], peer_cells)
        # a persistent deviation overrides the month's own score only when its evidence is
        # `memory_penalty` (log likelihood ratio) stronger: it keeps the one-month ranking
        score = np.fmax(memory - self.params["memory_penalty"], peer)
        return {"memory": memory, "start": history.run_start, "peer": peer, "score": score}

    @property
    def centred(self) -> bool:
        """Whether a target month sits in the middle of its window (retrospective audit) or at its
        end (prospective: nothing after the month is read)."""
        return self.params["alignment"] == "centred"

    def _target_windows(self, tensor: np.ndarray, series: np.ndarray, month: np.ndarray):
        """The window the network reads for each target cell: the month masked and centred
        (per-month mapping; at the window's end in the prospective form), or the original's
        unmasked window ending at the month."""
        per_month = self.params["error_mapping"] == "per-month"
        return self._windows(tensor, series, month, masked=per_month, centred=per_month and self.centred)

    def _price_z(self, tensor: np.ndarray, series: np.ndarray, month: np.ndarray):
        """Signed error of each target month in units of the model's own uncertainty, the expected
        value and that uncertainty (the Laplace scale), both in scaled units."""
        per_month = self.params["error_mapping"] == "per-month"
        inputs, steps, position = self._target_windows(tensor, series, month)
        predicted = predict_in_batches(self.model_, inputs, PREDICT_BATCH)
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
            memory_details = {"month_score": on_rows(price_score)}
            if self.params["memory"]:
                history = self._history_grids(panel, cells)
                scores = self._history_scores(history, wanted)
                price_score = np.fmax(price_score, scores["score"][series, month])
                memory_details.update(history_details(history, scores, grid, cells))
            details = {
                **memory_details,
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
            low, expected, high = (level + on_rows(band) for band in self._network_band(expected_scaled, spread_scaled))
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
        return [self._reason(row) for row in analysis.to_dict("records")]

    def _reason(self, row: dict) -> str:
        """The reason of one flagged row, from the part that gave its score."""
        if row["reason_group"] == FREIGHT_GROUP:
            return freight_reason(row["freight_ratio"])
        if not self.likelihood:
            detail = _price_detail(row["price_score"], row["peer_price_ratio"])
            return price_reason(row["price_ratio"], "모형이 예상한 단가", detail)
        month_score = np.nan_to_num(row["month_score"], nan=-np.inf)
        memory = np.nan_to_num(row.get("memory_score", np.nan), nan=-np.inf) - self.params["memory_penalty"]
        if memory > month_score and row["case_months"] > 0:
            near, far = self.params["memory_lag"]
            return price_reason(
                row["memory_ratio"],
                f"이 시계열의 {near}~{far}개월 전 수준",
                f"{row['case_start']:%Y-%m}부터 {row['case_months']}개월째 이어짐",
            )
        if np.nan_to_num(row.get("peer_score", np.nan), nan=-np.inf) > month_score:
            history = int(row["history_months"])
            return price_reason(
                row["peer_price_ratio"], "같은 달 다른 국가 중앙값", f"새 상대국: 앞서 수입한 달 {history}개월"
            )
        detail = _likelihood_detail(row["tail_probability"], row["peer_price_ratio"])
        return price_reason(row["price_ratio"], "모형이 예상한 단가", detail)

    def _network_band(self, expected_scaled: np.ndarray, spread_scaled: np.ndarray) -> tuple:
        """The network's prediction and its band of BAND_SCALES Laplace scales on either side, as
        log prices against the series' level: (low, expected, high)."""
        return tuple(
            self._unscale_price(expected_scaled + sign * BAND_SCALES * spread_scaled) for sign in (-1.0, 0.0, 1.0)
        )

    def network_view(self, panel: pd.DataFrame, row: int) -> NetworkView:
        """What the network reads and predicts for the panel row at position `row` (a month with
        imports), the whole panel being the context of its window as in `analyse`: the window of
        scaled inputs (the month under test masked), the unit price it predicts with the band of
        BAND_SCALES of its Laplace scales on either side, and the month's error in units of that
        scale (with ``error_mapping="window"``: the window's mean absolute error in such units)."""
        self._check_fitted()
        panel = strip_labels(panel).reset_index(drop=True)
        cells = relative_inputs(panel, self.train_until_)
        grid = cells.grid
        series, month = grid.row_series[[row]], grid.row_month[[row]]
        if not np.isfinite(cells.continuous[series[0], month[0], PRICE]):
            raise ValueError(f"panel row {row} has no imports that month: the network predicts no price for it")
        tensor = self._tensor(cells.continuous, panel, grid.months)
        inputs, steps, _ = self._target_windows(tensor, series, month)
        z, expected_scaled, spread_scaled = self._price_z(tensor, series, month)
        level = cells.log_price[series, month] - cells.continuous[series, month, PRICE]
        low, expected, high = (
            float(np.exp(level + band)[0]) for band in self._network_band(expected_scaled, spread_scaled)
        )
        return NetworkView(
            inputs=pd.DataFrame(inputs[0], index=grid.months[steps[0]], columns=list(CHANNELS[: inputs.shape[-1]])),
            target=grid.months[month[0]],
            expected_unit_price=expected,
            low_unit_price=low,
            high_unit_price=high,
            scale=float(spread_scaled[0]),
            z=float(z[0]),
        )

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
        "memory_noise_",
        "peer_noise_",
        "part_noise_",
        "series_size_",
        "scaler_",
        "macro_scaler_",
        "series_scale_",
        "threshold_",
        "train_until_",
        "loss_history_",
        "val_loss_history_",
        "best_epoch_",
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
