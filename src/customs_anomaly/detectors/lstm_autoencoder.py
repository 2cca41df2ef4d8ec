"""The original's final models: LSTM autoencoders over 12-month windows of one series each.

Model A: MinMaxScaler, LSTM(64, relu) -> RepeatVector -> LSTM(64, relu) -> TimeDistributed(Dense),
top-10% window-error threshold (the original code used the 85th percentile: `threshold_percentile`).
Model B: RobustScaler, the HSK code ordinal-encoded into a 16-dim embedding concatenated with the
numeric inputs, LSTM(128, tanh) -> LSTM(64) -> RepeatVector -> LSTM(64) -> LSTM(128) ->
TimeDistributed(Dense), IQR threshold (Q3 + 1.5 IQR).

A window's error is mapped to its last month, as in the original (`error_mapping =
'window-last-month'`); the variant 'per-month' gives each row the mean reconstruction error of its
own month over all windows that contain it. Rows that no complete window reaches (series with
fewer than 12 consecutive months, or the first 11 months of a series) get a NaN score.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.preprocessing import MinMaxScaler, RobustScaler

from customs_anomaly.detectors.base import Detector, feature_reasons, top_feature
from customs_anomaly.features import ORIGINAL_FEATURES, Windows, build_windows, numeric_matrix
from customs_anomaly.thresholds import iqr_threshold, percentile_threshold

REASON_WHAT = "재구성 오차"
# The windows have a fixed length of a few months, so the recurrent loops can be unrolled into
# plain operations: the same architecture, slower to build (graph tracing), and not bit-identical
# (another order of floating-point operations). benchmarks/bench_unroll.py measures what it buys:
# on 2 cores, 10 epochs, 1.18x for lstm-a and nothing for lstm-plus, whose time goes elsewhere.
UNROLL_MIN_EPOCHS = 5


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


class LSTMAutoencoderDetector(Detector):
    name = "lstm-a"
    defaults = {
        "epochs": 50,
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
        history = self.model_.fit(
            self._inputs(windows, codes),
            windows.values,
            epochs=self.params["epochs"],
            batch_size=self.params["batch_size"],
            shuffle=True,
            verbose=self.params["verbose"],
        )
        self.loss_history_ = [float(v) for v in history.history["loss"]]
        errors = self._window_errors(windows, codes)
        self.threshold_ = self._threshold(errors)

    def _codes(self, panel: pd.DataFrame, windows) -> np.ndarray:
        row_codes = panel["hsk_code"].map(self.codes_).fillna(0).to_numpy(dtype=int)
        return row_codes[windows.last_rows] if len(windows.rows) else np.empty(0, dtype=int)

    def _threshold(self, errors: np.ndarray) -> float:
        if self.params["threshold"] == "iqr":
            return iqr_threshold(errors)
        return percentile_threshold(errors, self.params["threshold_percentile"])

    def _reconstruct(self, windows, codes) -> np.ndarray:
        return self.model_.predict(self._inputs(windows, codes), batch_size=1024, verbose=0)

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
        out["flag"] = np.nan_to_num(score, nan=-np.inf) > self.threshold_
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


class LSTMEmbeddingDetector(LSTMAutoencoderDetector):
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
