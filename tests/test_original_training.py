"""The one training rule of every network (early stopping on the last training months, capped), and
the oddities of the original's models A and B explained on data whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from panel_builders import tiny_panel

from customs_anomaly import config
from customs_anomaly.detectors import make_detector
from customs_anomaly.detectors.lstm_autoencoder import (
    PATIENCE,
    TRAINING_RULE,
    VALIDATION_MONTHS,
    _keras,
    predict_in_batches,
    train_network,
)
from customs_anomaly.features import build_windows, numeric_matrix
from customs_anomaly.original import ORIGINAL_EPOCHS
from customs_anomaly.profiles import PROFILES
from customs_anomaly.studies.fits import IMPROVED, ORIGINAL_NEURAL

NETWORKS = (*ORIGINAL_NEURAL, IMPROVED)
MONTHS = np.repeat(np.arange(24), 20)  # 20 samples in each of 24 months


def dense_model(seed: int, trainable: bool = True, learning_rate: float = 0.05):
    keras, tf = _keras()
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    inputs = keras.Input((3,))
    layer = keras.layers.Dense(1)
    layer.trainable = trainable
    model = keras.Model(inputs, layer(inputs))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return model


@pytest.mark.filterwarnings("ignore:The model does not have any trainable weights")
def test_a_flat_loss_stops_after_patience_epochs_and_keeps_the_first_weights():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(len(MONTHS), 3)), rng.normal(size=(len(MONTHS), 1))
    model = dense_model(0, trainable=False)  # nothing to learn: every epoch has the same loss
    training = train_network(model, x, y, MONTHS, epochs=50, batch_size=32)
    assert training.epochs_run == 1 + PATIENCE and training.best_epoch == 1
    assert len(set(training.val_loss)) == 1


def test_a_plateau_stops_early_and_the_best_epoch_is_restored():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(len(MONTHS), 3)), rng.normal(size=(len(MONTHS), 1))  # y is noise
    model = dense_model(1)
    training = train_network(model, x, y, MONTHS, epochs=50, batch_size=32)
    assert training.epochs_run < 50
    assert training.best_epoch == training.epochs_run - PATIENCE  # stopped PATIENCE epochs after its best
    months = MONTHS
    held = months > months.max() - VALIDATION_MONTHS
    restored = float(model.evaluate(x[held], y[held], batch_size=32, verbose=0))
    assert restored == pytest.approx(min(training.val_loss), rel=1e-5)


def test_a_model_that_keeps_improving_runs_to_the_cap_and_never_beyond():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(len(MONTHS), 3))
    y = x @ np.array([[3.0], [-2.0], [1.0]])  # exactly learnable, slowly at this learning rate
    training = train_network(dense_model(2, learning_rate=0.01), x, y, MONTHS, epochs=5, batch_size=32)
    assert training.epochs_run == 5 == training.best_epoch
    assert training.val_loss == sorted(training.val_loss, reverse=True)


def test_without_months_to_hold_out_every_sample_trains_for_the_cap():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))
    training = train_network(dense_model(3), x, y, np.zeros(40, dtype=int), epochs=5, batch_size=8)
    assert training.epochs_run == 5 and training.val_loss == []


def test_the_rule_is_deterministic():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(len(MONTHS), 3)), rng.normal(size=(len(MONTHS), 1))
    first = train_network(dense_model(4), x, y, MONTHS, epochs=8, batch_size=32)
    second = train_network(dense_model(4), x, y, MONTHS, epochs=8, batch_size=32)
    assert first == second


def test_every_network_trains_by_the_same_rule_capped_at_the_original_epochs():
    for name in NETWORKS:
        params = make_detector(name).params
        assert {key: params[key] for key in TRAINING_RULE} == TRAINING_RULE
    assert {make_detector(name).params["epochs"] for name in NETWORKS} == {ORIGINAL_EPOCHS}  # the CLI's cap
    for profile in PROFILES.values():
        assert 1 <= profile.original_epochs <= ORIGINAL_EPOCHS and 1 <= profile.plus_epochs <= ORIGINAL_EPOCHS


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return tiny_panel(seed=3)


def test_model_b_reconstructs_its_scaled_inputs_so_its_loss_is_their_spread(panel):
    """Model B's targets are the RobustScaler-scaled windows (what the original did), not the raw
    amounts: its first loss is of the order of their mean square, under a millionth of the raw
    windows' one. Its loss stays high on the replica because scaling by the IQR leaves the heavy
    tails of kg, USD and KRW amounts far out (chapter 05), not because of units."""
    detector = make_detector("lstm-b", epochs=1, verbose=0).fit(panel, train_until=config.TRAIN_UNTIL)
    train = panel[panel["month"] <= config.TRAIN_UNTIL].reset_index(drop=True)
    raw = numeric_matrix(train)
    scaled_square = float((build_windows(train, detector.scaler_.transform(raw)).values ** 2).mean())
    raw_square = float((build_windows(train, raw).values ** 2).mean())
    assert 0.2 * scaled_square < detector.loss_history_[0] < 2 * scaled_square
    assert detector.loss_history_[0] < 1e-6 * raw_square


def test_model_a_flags_the_top_tenth_of_its_training_windows_and_every_window_of_shifted_months(panel):
    """The threshold is the 90th percentile of the training windows' errors: 10% of the scored
    training rows. Months whose shared inputs (oil, exchange rate, CPI) leave the training range
    push every window's error above it: the threshold then flags whole months."""
    detector = make_detector("lstm-a", epochs=1, verbose=0).fit(panel, train_until=config.TRAIN_UNTIL)
    train = (panel["month"] <= config.TRAIN_UNTIL).to_numpy()
    analysis = detector.analyse(panel, rows=train)
    scored = analysis["score"].notna().to_numpy()
    assert analysis.loc[scored, "flag"].mean() == pytest.approx(0.10, abs=0.01)
    shifted = panel.copy()
    test = ~train
    shifted.loc[test, ["dubai_usd", "cpi", "ppi"]] *= 3.0
    late = test & (panel["month"] >= config.TEST_START + pd.DateOffset(months=11)).to_numpy()  # windows all shifted
    flags = detector.analyse(shifted, rows=late)
    assert flags.loc[late, "flag"].all()


def recurrent_models():
    """A one-input and a two-input recurrent network (a window, and a window with a code), random weights."""
    keras, _ = _keras()
    keras.utils.set_random_seed(3)
    window = keras.Input((5, 2))
    single = keras.Model(window, keras.layers.LSTM(4, return_sequences=True)(window))
    numeric, code = keras.Input((5, 2)), keras.Input((1,), dtype="int32")
    embedded = keras.layers.RepeatVector(5)(keras.layers.Flatten()(keras.layers.Embedding(3, 2)(code)))
    joined = keras.layers.Concatenate()([numeric, embedded])
    double = keras.Model([numeric, code], keras.layers.LSTM(4, return_sequences=True)(joined))
    return single, double


def test_batched_inference_equals_keras_predict_bit_for_bit():
    single, double = recurrent_models()
    rng = np.random.default_rng(0)
    for rows in (1, 3, 7):  # one partial batch, one full batch, two full and a partial one
        windows = rng.normal(size=(rows, 5, 2))  # float64, as the package's windows
        codes = rng.integers(0, 3, size=(rows, 1))
        for model, inputs in ((single, windows), (double, [windows, codes])):
            expected = model.predict(inputs, batch_size=3, verbose=0)
            got = predict_in_batches(model, inputs, batch_size=3)
            assert got.dtype == expected.dtype and np.array_equal(got, expected)


def test_batched_inference_of_no_rows_is_an_empty_array_of_the_output_shape():
    single, _ = recurrent_models()
    assert predict_in_batches(single, np.zeros((0, 5, 2)), batch_size=3).shape == (0, 5, 4)


def test_batched_inference_keeps_no_network_alive():
    """The traced function of a network goes when the network does (scoring many fits in one
    process, as the book's chapters and the monthly run do, must not keep them all)."""
    import gc
    import weakref

    single, _ = recurrent_models()
    predict_in_batches(single, np.zeros((2, 5, 2)), batch_size=3)
    gone = weakref.ref(single)
    del single
    gc.collect()
    assert gone() is None
