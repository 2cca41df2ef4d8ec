"""The original's final models: LSTM autoencoders over 12-month windows of one series each.

Model A: MinMaxScaler, LSTM(64, relu) -> RepeatVector -> LSTM(64, relu) -> TimeDistributed(Dense),
threshold at the 90th percentile of the window errors (the report's "top 10%"; the original code
used the 85th percentile: `threshold_percentile`).
Model B: RobustScaler, the HSK code ordinal-encoded into a 16-dim embedding concatenated with the
numeric inputs, LSTM(128, tanh) -> LSTM(64) -> RepeatVector -> LSTM(64) -> LSTM(128) ->
TimeDistributed(Dense), IQR threshold (Q3 + 1.5 IQR).

Both reconstruct their scaled inputs (the targets are the scaled windows). The original took its
threshold from the errors of the data it trained on, which was all of its data; here that is the
training windows, so the threshold flags 10% (A) of the training months' windows and whatever share
of a later month's windows its errors put above it. A month's exchange rate, crude price, CPI, PPI
and regional freight are shared by every row of the month, so when they leave the training
months' range every window of the month errs more and A flags whole months (chapter 05). Model
B's loss hardly falls: RobustScaler divides by the IQR and leaves the heavy tails of kg, USD and
KRW amounts tens of thousands of IQRs out, so a few windows of huge flows make nearly all of the
mean squared error. Both are the original's choices, reproduced as they were.

A window's error is mapped to its last month, as in the original (`error_mapping =
'window-last-month'`); the variant 'per-month' gives each row the mean reconstruction error of its
own month over all windows that contain it. Rows that no complete window reaches (series with
fewer than 12 consecutive months, or the first 11 months of a series) get a NaN score.

Every network of the package trains by one rule (`train_network`): the samples of the last
`VALIDATION_MONTHS` training months are held out, training stops once `PATIENCE` epochs in a row
have not lowered their loss, the weights of the best epoch are kept, and `epochs` is only the cap
(the original's 50 by default; the book's build profile sets a lower one, see profiles.py).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.preprocessing import MinMaxScaler, RobustScaler

from customs_anomaly.detectors.base import Detector, feature_reasons, top_feature
from customs_anomaly.features import ORIGINAL_FEATURES, Windows, build_windows, month_index, numeric_matrix
from customs_anomaly.original import ORIGINAL_EPOCHS
from customs_anomaly.thresholds import iqr_threshold, percentile_threshold

REASON_WHAT = "재구성 오차"
# The windows have a fixed length of a few months, so the recurrent loops can be unrolled into
# plain operations: the same architecture, slower to build (graph tracing), and not bit-identical
# (another order of floating-point operations). benchmarks/bench_unroll.py measures what it buys:
# on 2 cores, 10 epochs, 1.18x for lstm-a and nothing for lstm-plus, whose time goes elsewhere.
UNROLL_MIN_EPOCHS = 5
PREDICT_BATCH = 1024  # rows per inference batch of models A and B (as the original's predict)


def unrolled(epochs: int) -> bool:
    return epochs >= UNROLL_MIN_EPOCHS


RECON_COLUMNS = {
    "unit_price_usd_per_kg": "recon_unit_price_usd_per_kg",
    "freight_krw_per_kg": "recon_freight_krw_per_kg",
}


def _keras():
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # quieter, and the same arithmetic on every CPU
    import keras
    import tensorflow as tf

    return keras, tf


# One compiled inference function per network, made on its first prediction (see predict_in_batches).
_INFERENCE = weakref.WeakKeyDictionary()


def predict_in_batches(model, inputs, batch_size: int) -> np.ndarray:
    """What `model.predict(inputs, batch_size=batch_size)` returns, bit for bit, at a fraction of
    its cost on the small inputs the package scores again and again (one month, one series):
    Keras builds a data pipeline on every `predict` call and traces its step once per new batch
    shape, while this traces one function per network whose batch dimension is left open and
    calls it on the same batches. `inputs` is one array or a list (one per model input)."""
    _, tf = _keras()
    arrays = inputs if isinstance(inputs, list) else [inputs]
    specs = [tf.TensorSpec((None, *tensor.shape[1:]), tensor.dtype) for tensor in model.inputs]
    arrays = [np.asarray(array, dtype=spec.dtype.as_numpy_dtype) for array, spec in zip(arrays, specs)]
    infer = _INFERENCE.get(model)
    if infer is None:
        network = weakref.ref(model)  # a strong reference here would keep every scored network alive

        def call(*xs):
            return network()(list(xs) if len(xs) > 1 else xs[0], training=False)

        infer = _INFERENCE[model] = tf.function(call, input_signature=specs)
    rows = len(arrays[0])
    if rows == 0:
        return np.zeros((0, *model.outputs[0].shape[1:]), dtype=model.outputs[0].dtype)
    batches = [infer(*(array[start : start + batch_size] for array in arrays)) for start in range(0, rows, batch_size)]
    return np.concatenate([batch.numpy() for batch in batches])


# The training rule of every network (models A and B, lstm-plus and its variants), in the CLI and
# the book alike; `epochs` is the cap.
VALIDATION_MONTHS = 6  # the last training months whose samples are held out to decide when to stop
PATIENCE = 3  # epochs in a row without a lower held-out loss before training stops
TRAINING_RULE = {"validation_months": VALIDATION_MONTHS, "patience": PATIENCE}


@dataclass
class Training:
    """What `train_network` did: the loss of every epoch run on the trained samples and on the
    held-out ones (empty when none were held out), and the epoch whose weights were kept (1-based)."""

    loss: list[float]
    val_loss: list[float]
    best_epoch: int

    @property
    def epochs_run(self) -> int:
        return len(self.loss)


def _take(inputs, mask: np.ndarray):
    return [x[mask] for x in inputs] if isinstance(inputs, list) else inputs[mask]


def train_network(
    model,
    inputs,
    targets: np.ndarray,
    months: np.ndarray,
    epochs: int,
    batch_size: int,
    validation_months: int = VALIDATION_MONTHS,
    patience: int = PATIENCE,
    verbose: int = 0,
) -> Training:
    """Fit a compiled Keras model by the package's one rule. `months` is each sample's month as
    an integer (consecutive months differ by 1; the month whose value the sample reconstructs or
    predicts). The samples of the last `validation_months` months are held out: after every
    epoch their loss is measured, training stops once `patience` epochs in a row have not lowered
    it, and the weights of the epoch with the lowest held-out loss are restored. `epochs` is the
    cap, never exceeded. Without samples on both sides of that cut (a short panel) every sample
    trains for `epochs` epochs. Deterministic under a fixed seed (shuffling draws from it)."""
    keras, _ = _keras()
    # Slot variables made before the first step: otherwise TensorFlow traces the training step
    # twice (once to create them, once again without), seconds per network for no change in any value.
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    months = np.asarray(months)
    held = months > months.max() - validation_months if len(months) else np.zeros(0, dtype=bool)
    if held.all() or not held.any():
        history = model.fit(inputs, targets, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=verbose)
        loss = [float(v) for v in history.history["loss"]]
        return Training(loss=loss, val_loss=[], best_epoch=len(loss))
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    history = model.fit(
        _take(inputs, ~held),
        targets[~held],
        validation_data=(_take(inputs, held), targets[held]),
        epochs=epochs,
        batch_size=batch_size,
        shuffle=True,
        callbacks=[stop],
        verbose=verbose,
    )
    val_loss = [float(v) for v in history.history["val_loss"]]
    return Training(
        loss=[float(v) for v in history.history["loss"]],
        val_loss=val_loss,
        best_epoch=int(np.argmin(val_loss)) + 1,
    )


class LSTMAutoencoderDetector(Detector):
    """The original's final model A (``lstm-a``): an LSTM autoencoder that reconstructs 12-month
    windows of one series' numeric features, scaled to [0, 1].

    Architecture: LSTM(64, relu) -> RepeatVector -> LSTM(64, relu) -> TimeDistributed(Dense). A
    window's score is its mean squared reconstruction error, given to its last month (the
    original's mapping); the operating threshold is the 90th percentile of the training windows'
    errors. The reason names the feature with the largest share of the error.

    Parameters
    ----------
    epochs : int, default 50
        Cap on the training epochs (the original's 50); training stops earlier by the package's
        one rule (see `validation_months` and `patience`).
    validation_months : int, default 6
        The last training months whose windows are held out to decide when to stop.
    patience : int, default 3
        Epochs in a row without a lower held-out loss before training stops (the weights of the
        best epoch are kept).
    batch_size : int, default 64
        Training batch size.
    window : int, default 12
        Months per window; rows that no complete window reaches are not scored (NaN).
    seed : int, default 0
        Seed of the network's initial weights and of the shuffling (training is deterministic).
    threshold : {"percentile", "iqr"}, default "percentile"
        How the threshold is set from the training windows' errors: at `threshold_percentile`,
        or at Q3 + 1.5 IQR.
    threshold_percentile : float, default 90.0
        Percentile (0-100) of the training windows' errors for ``threshold="percentile"`` (the
        report's "top 10%"; the original's code used 85).
    error_mapping : {"window-last-month", "per-month"}, default "window-last-month"
        A window's error given to its last month, or each row scored by the mean error of its
        own month over every window that contains it (then not causal).
    verbose : int, default 2
        Keras' training log (0: silent); never changes the fit.

    Attributes
    ----------
    threshold_ : float
        The threshold learned from the training windows' errors (see `threshold`).
    model_ : keras.Model
        The trained autoencoder.
    scaler_ : sklearn.preprocessing.MinMaxScaler
        The features' scaling, fitted on the training rows.
    codes_ : dict
        HSK code -> ordinal (1, 2, ...; 0 for a code the training months never saw).
    loss_history_, val_loss_history_ : list of float
        Training and held-out loss of every epoch run.
    best_epoch_ : int
        The epoch whose weights were kept (1-based).
    train_windows_, skipped_gaps_ : int
        Training windows, and gaps in series that windows skipped.
    decision_scores_, labels_, train_until_
        As for every detector (see `Detector`).

    Examples
    --------
    >>> from customs_anomaly.detectors import LSTMAutoencoderDetector
    >>> from customs_anomaly.examples import tiny_panel
    >>> panel = tiny_panel()
    >>> detector = LSTMAutoencoderDetector(epochs=1, verbose=0).fit(panel, train_until="2024-04")
    >>> len(detector.loss_history_), detector.best_epoch_
    (1, 1)
    >>> flags = detector.predict(panel)
    >>> bool((flags == (detector.decision_function(panel) > detector.threshold_)).all())
    True
    >>> detector.explain(panel, flags == 1)[0]
    '단가 재구성 오차 최대 (기여 37%)'
    """

    name = "lstm-a"
    defaults = {
        "epochs": ORIGINAL_EPOCHS,  # the cap of `train_network`
        **TRAINING_RULE,
        "batch_size": 64,
        "window": 12,
        "seed": 0,
        "threshold": "percentile",
        "threshold_percentile": 90.0,
        "error_mapping": "window-last-month",
        "verbose": 2,
    }
    scaler_class = MinMaxScaler

    @property
    def causal(self) -> bool:
        """A window's error given to its last month reads only that month and the ones before."""
        return self.params["error_mapping"] == "window-last-month"

    # model -------------------------------------------------------------------------------
    def _build(self, n_features: int, n_codes: int):
        keras, _ = _keras()
        layers, window = keras.layers, self.params["window"]
        unroll = unrolled(self.params["epochs"])
        inputs = keras.Input((window, n_features))
        x = layers.LSTM(64, activation="relu", unroll=unroll)(inputs)
        x = layers.RepeatVector(window)(x)
        x = layers.LSTM(64, activation="relu", return_sequences=True, unroll=unroll)(x)
        outputs = layers.TimeDistributed(layers.Dense(n_features))(x)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="mse")
        return model

    def _inputs(self, windows, codes):
        return windows.values

    # fitting -----------------------------------------------------------------------------
    def _fit(self, train: pd.DataFrame) -> None:
        keras, tf = _keras()
        keras.utils.set_random_seed(self.params["seed"])
        tf.config.experimental.enable_op_determinism()
        raw = numeric_matrix(train)
        self.scaler_ = self.scaler_class().fit(raw)
        self.codes_ = {code: i + 1 for i, code in enumerate(sorted(train["hsk_code"].unique()))}  # 0 = unknown
        windows = build_windows(train, self.scaler_.transform(raw), self.params["window"])
        if len(windows.values) == 0:
            raise ValueError("no complete training window: every series is shorter than the window")
        self.train_windows_ = len(windows.values)
        self.skipped_gaps_ = int(windows.skipped_gaps)
        codes = self._codes(train, windows)
        self.model_ = self._build(raw.shape[1], len(self.codes_) + 1)
        training = train_network(
            self.model_,
            self._inputs(windows, codes),
            windows.values,  # the targets are the scaled inputs themselves
            month_index(train["month"].iloc[windows.last_rows]),
            epochs=self.params["epochs"],
            batch_size=self.params["batch_size"],
            validation_months=self.params["validation_months"],
            patience=self.params["patience"],
            verbose=self.params["verbose"],
        )
        self.loss_history_, self.val_loss_history_ = training.loss, training.val_loss
        self.best_epoch_ = training.best_epoch
        errors = self._window_errors(windows, codes)
        self.threshold_ = self._error_threshold(errors)

    def _codes(self, panel: pd.DataFrame, windows) -> np.ndarray:
        row_codes = panel["hsk_code"].map(self.codes_).fillna(0).to_numpy(dtype=int)
        return row_codes[windows.last_rows] if len(windows.rows) else np.empty(0, dtype=int)

    def _error_threshold(self, errors: np.ndarray) -> float:
        if self.params["threshold"] == "iqr":
            return iqr_threshold(errors)
        return percentile_threshold(errors, self.params["threshold_percentile"])

    def _reconstruct(self, windows, codes) -> np.ndarray:
        return predict_in_batches(self.model_, self._inputs(windows, codes), PREDICT_BATCH)

    def _window_errors(self, windows, codes) -> np.ndarray:
        return ((self._reconstruct(windows, codes) - windows.values) ** 2).mean(axis=(1, 2))

    # scoring -----------------------------------------------------------------------------
    def _analyse(self, panel: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
        """Only the windows that reach a row asked for are reconstructed: with the original's
        mapping the windows ending on such a row, per month every window containing one."""
        scaled = self.scaler_.transform(numeric_matrix(panel))
        windows = build_windows(panel, scaled, self.params["window"])
        per_month = self.params["error_mapping"] == "per-month"
        needed = rows[windows.rows].any(axis=1) if per_month else rows[windows.last_rows]
        windows = Windows(windows.values[needed], windows.rows[needed], windows.series[needed], windows.skipped_gaps)
        n, n_features = len(panel), scaled.shape[1]
        score = np.full(n, np.nan)
        contributions = np.zeros((n, n_features))
        recon_scaled = np.full((n, n_features), np.nan)
        if len(windows.values):
            codes = self._codes(panel, windows)
            recon = self._reconstruct(windows, codes)
            squared = (recon - windows.values) ** 2
            last = windows.last_rows
            recon_scaled[last] = recon[:, -1, :]
            if per_month:
                sums = np.zeros((n, n_features))
                counts = np.zeros(n)
                np.add.at(sums, windows.rows.ravel(), squared.reshape(-1, n_features))
                np.add.at(counts, windows.rows.ravel(), 1)
                covered = counts > 0
                contributions[covered] = sums[covered] / counts[covered, None]
                score[covered] = contributions[covered].mean(axis=1)
            else:
                score[last] = squared.mean(axis=(1, 2))
                contributions[last] = squared.mean(axis=1)
        out = top_feature(contributions, ORIGINAL_FEATURES)
        out["score"] = score
        recon_units = self.scaler_.inverse_transform(np.nan_to_num(recon_scaled))
        for position, column in enumerate(ORIGINAL_FEATURES):
            if column in RECON_COLUMNS:
                values = recon_units[:, position]
                values[np.isnan(recon_scaled[:, position])] = np.nan
                out[RECON_COLUMNS[column]] = values
        return out

    def _reasons(self, analysis: pd.DataFrame) -> list[str]:
        return feature_reasons(analysis, ORIGINAL_FEATURES, REASON_WHAT)

    # persistence -------------------------------------------------------------------------
    def _save_state(self, model_dir: Path) -> None:
        import joblib

        self.model_.save(model_dir / "model.keras")
        joblib.dump(
            {
                "scaler": self.scaler_,
                "codes": self.codes_,
                "threshold": self.threshold_,
                "train_until": self.train_until_,
                "loss_history": self.loss_history_,
                "val_loss_history": self.val_loss_history_,
                "best_epoch": self.best_epoch_,
                "train_windows": self.train_windows_,
                "skipped_gaps": self.skipped_gaps_,
            },
            model_dir / "state.joblib",
        )

    def _load_state(self, model_dir: Path) -> None:
        import joblib

        keras, _ = _keras()
        state = joblib.load(model_dir / "state.joblib")
        self.model_ = keras.models.load_model(model_dir / "model.keras")
        self.scaler_, self.codes_, self.threshold_ = state["scaler"], state["codes"], state["threshold"]
        self.train_until_, self.loss_history_ = state["train_until"], state["loss_history"]
        self.train_windows_, self.skipped_gaps_ = state["train_windows"], state["skipped_gaps"]
        self.val_loss_history_ = state.get("val_loss_history", [])  # folders saved before the training rule
        self.best_epoch_ = state.get("best_epoch", len(self.loss_history_))


class LSTMEmbeddingDetector(LSTMAutoencoderDetector):
    """The original's final model B (``lstm-b``): model A's windows scaled by a RobustScaler,
    with the HSK code as a learned embedding beside the numeric inputs, a deeper autoencoder and
    the IQR threshold.

    Architecture: [numeric window, Embedding(code)] -> LSTM(128, tanh) -> LSTM(64) ->
    RepeatVector -> LSTM(64) -> LSTM(128) -> TimeDistributed(Dense). Scoring, mapping and reasons
    as model A's (`LSTMAutoencoderDetector`).

    Parameters
    ----------
    epochs : int, default 50
        Cap on the training epochs (the original's 50); training stops earlier by the package's
        one rule (see `validation_months` and `patience`).
    validation_months : int, default 6
        The last training months whose windows are held out to decide when to stop.
    patience : int, default 3
        Epochs in a row without a lower held-out loss before training stops (the weights of the
        best epoch are kept).
    batch_size : int, default 64
        Training batch size.
    window : int, default 12
        Months per window; rows that no complete window reaches are not scored (NaN).
    seed : int, default 0
        Seed of the network's initial weights and of the shuffling (training is deterministic).
    threshold : {"iqr", "percentile"}, default "iqr"
        How the threshold is set from the training windows' errors: at Q3 + 1.5 IQR, or at
        `threshold_percentile`.
    threshold_percentile : float, default 90.0
        Percentile (0-100) for ``threshold="percentile"``.
    error_mapping : {"window-last-month", "per-month"}, default "window-last-month"
        As for model A.
    verbose : int, default 2
        Keras' training log (0: silent); never changes the fit.
    embedding_dim : int, default 16
        Size of the HSK code's embedding.

    Attributes
    ----------
    threshold_ : float
        The threshold learned from the training windows' errors (see `threshold`).
    model_ : keras.Model
        The trained autoencoder.
    scaler_ : sklearn.preprocessing.RobustScaler
        The features' scaling, fitted on the training rows.
    codes_, loss_history_, val_loss_history_, best_epoch_, train_windows_, skipped_gaps_
        As for model A (`LSTMAutoencoderDetector`).
    decision_scores_, labels_, train_until_
        As for every detector (see `Detector`).

    Examples
    --------
    >>> from customs_anomaly.detectors import LSTMEmbeddingDetector
    >>> from customs_anomaly.examples import tiny_panel
    >>> panel = tiny_panel()
    >>> detector = LSTMEmbeddingDetector(epochs=1, verbose=0, embedding_dim=4).fit(panel, train_until="2024-04")
    >>> detector.get_params()["threshold"], len(detector.codes_)
    ('iqr', 7)
    >>> flags = detector.predict(panel)
    >>> detector.explain(panel, flags == 1)[0]
    '금액 재구성 오차 최대 (기여 63%)'
    """

    name = "lstm-b"
    defaults = {**LSTMAutoencoderDetector.defaults, "threshold": "iqr", "embedding_dim": 16}
    scaler_class = RobustScaler

    def _build(self, n_features: int, n_codes: int):
        keras, _ = _keras()
        layers, window = keras.layers, self.params["window"]
        unroll = unrolled(self.params["epochs"])
        numeric = keras.Input((window, n_features))
        code = keras.Input((1,), dtype="int32")
        embedded = layers.Flatten()(layers.Embedding(n_codes, self.params["embedding_dim"])(code))
        repeated = layers.RepeatVector(window)(embedded)
        x = layers.Concatenate()([numeric, repeated])
        x = layers.LSTM(128, activation="tanh", return_sequences=True, unroll=unroll)(x)
        x = layers.LSTM(64, unroll=unroll)(x)
        x = layers.RepeatVector(window)(x)
        x = layers.LSTM(64, return_sequences=True, unroll=unroll)(x)
        x = layers.LSTM(128, return_sequences=True, unroll=unroll)(x)
        outputs = layers.TimeDistributed(layers.Dense(n_features))(x)
        model = keras.Model([numeric, code], outputs)
        model.compile(optimizer="adam", loss="mse")
        return model

    def _inputs(self, windows, codes):
        return [windows.values, codes.reshape(-1, 1)]
