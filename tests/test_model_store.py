"""Train once, score many: the model store loads a fit it holds, refits when the parameters or the
training rows change, and derives a scoring variant from a stored network without training."""

from __future__ import annotations

import numpy as np
import pytest
from panel_builders import tiny_panel

from customs_anomaly import config
from customs_anomaly.model_store import STORE_FOLDER, fitted_detector, training_fingerprint


@pytest.fixture(scope="module")
def panel():
    return tiny_panel(seed=1)


def stored(models) -> list[str]:
    return sorted(p.name for p in (models / STORE_FOLDER).iterdir() if not p.name.startswith("."))


def test_a_stored_fit_is_loaded_and_a_changed_parameter_or_row_refits(panel, tmp_path):
    first = fitted_detector("price-band", panel, tmp_path, {"min_peers": 4})
    again = fitted_detector("price-band", panel, tmp_path, {"min_peers": 4})
    assert stored(tmp_path) == stored(tmp_path)[:1] and again.fit_seconds_ == first.fit_seconds_
    assert again.bands_.equals(first.bands_)
    fitted_detector("price-band", panel, tmp_path, {"min_peers": 3})
    assert len(stored(tmp_path)) == 2
    changed = panel.copy()
    changed.loc[changed.index[0], "value_usd"] += 1.0  # a training row
    assert training_fingerprint(changed) != training_fingerprint(panel)
    fitted_detector("price-band", changed, tmp_path, {"min_peers": 4})
    assert len(stored(tmp_path)) == 3


def test_labels_and_the_test_year_do_not_change_the_training_key(panel):
    labelled = panel.assign(is_anomaly=False, anomaly_type="")
    later = panel.copy()
    later.loc[later["month"] > config.TRAIN_UNTIL, "value_usd"] *= 2.0
    assert training_fingerprint(labelled) == training_fingerprint(panel) == training_fingerprint(later)


def test_a_scoring_variant_reuses_the_stored_network(panel, tmp_path):
    base = fitted_detector("lstm-plus", panel, tmp_path, {"epochs": 1, "verbose": 0})
    variant = fitted_detector("lstm-plus", panel, tmp_path, {"epochs": 1, "verbose": 2, "series_norm": True})
    assert len(stored(tmp_path)) == 2 and variant.params["series_norm"] and not base.params["series_norm"]
    for ours, theirs in zip(variant.model_.get_weights(), base.model_.get_weights()):
        np.testing.assert_array_equal(ours, theirs)
    assert variant.fit_seconds_ >= base.fit_seconds_
