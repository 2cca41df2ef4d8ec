"""Every detector follows the score contract on a small panel, is deterministic, saves and loads,
and never reads the label columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from doc_examples import by_detector, example_fit
from panel_builders import tiny_panel
from sklearn.base import clone

from customs_anomaly import config
from customs_anomaly.detectors import DETECTOR_NAMES, load_detector, make_detector
from customs_anomaly.experiments import affected_rows, in_test_year
from customs_anomaly.inject import InjectionSpec, inject_anomalies, inject_fixed
from customs_anomaly.operations import score_month

FAST = {
    "lstm-a": {"epochs": 1, "verbose": 0},
    "lstm-b": {"epochs": 1, "verbose": 0},
    "lstm-plus": {"epochs": 1, "verbose": 0},
}
SPEC = InjectionSpec(counts={"a": 2, "b": 1, "c": 1, "d": 4, "e": 2, "f": 1})


@pytest.fixture(scope="module")
def injected() -> pd.DataFrame:
    return inject_anomalies(tiny_panel(seed=1), seed=0, spec=SPEC).panel


def first_fit(name: str):
    """The detector as its docstring example fits it on the tiny panel (shared with test_api)."""
    return example_fit(name)[0]


def fresh_fit(name: str):
    """The same fit made again: same parameters, same panel, same training months."""
    detector, panel = example_fit(name)
    return clone(detector).fit(panel, train_until=detector.train_until_)


@pytest.mark.parametrize("name", by_detector(DETECTOR_NAMES))
def test_score_contract_save_load_and_labels_ignored(name, injected, tmp_path):
    detector = first_fit(name)
    if name in FAST:  # a network: trained by the one rule, within its cap, its held-out loss kept
        assert 1 <= len(detector.loss_history_) == len(detector.val_loss_history_) <= detector.params["epochs"]
        assert detector.best_epoch_ == int(np.argmin(detector.val_loss_history_)) + 1
    scores = detector.score(injected)
    assert len(scores) == len(injected)
    assert (
        scores[list(config.PANEL_KEY)]
        .reset_index(drop=True)
        .equals(injected[list(config.PANEL_KEY)].reset_index(drop=True))
    )
    assert scores["score"].dtype == float and scores["flag"].dtype == bool
    assert ((scores["reason"] != "") == scores["flag"]).all()
    assert set(scores.loc[scores["flag"], "reason_group"]) <= {"운임", "단가"}
    unlabeled = detector.score(injected.drop(columns=list(config.LABEL_COLUMNS)))
    pd.testing.assert_frame_equal(scores, unlabeled)
    detector.save(tmp_path / name)
    reloaded = load_detector(tmp_path / name).score(injected)
    pd.testing.assert_frame_equal(scores, reloaded)
    assert_rescoring_affected_rows_is_exact(detector, injected)
    assert_later_months_cannot_change_a_prospective_month(detector, injected)
    assert_a_causal_detector_scores_every_month_prospectively(detector, injected)


def assert_a_causal_detector_scores_every_month_prospectively(detector, injected):
    """A detector that declares itself causal gives each test month, scored with the whole panel,
    exactly its prospective score (the backtest relies on it); one that does not, must not."""
    months = pd.date_range(config.TEST_START, config.STUDY_END, freq="MS")[::3]
    whole = detector.decision_function(injected, rows=in_test_year(injected))
    same = [
        np.allclose(
            score_month(detector, injected, month)["score"].to_numpy(float),
            whole[(injected["month"] == month).to_numpy()],
            equal_nan=True,
        )
        for month in months
    ]
    if detector.causal:
        assert all(same)
    else:
        assert not all(same)


def test_the_prospective_form_of_lstm_plus_never_reads_a_later_month(injected):
    detector = make_detector("lstm-plus", alignment="trailing", **FAST["lstm-plus"]).fit(
        injected, train_until=config.TRAIN_UNTIL
    )
    assert_later_months_cannot_change_a_prospective_month(detector, injected)


def assert_later_months_cannot_change_a_prospective_month(detector, injected):
    """score_month cuts the panel after the month: every month after it may change (values,
    weights, freight, even rows removed) and that month's scores stay identical."""
    month = pd.Timestamp("2024-09-01")
    later = injected["month"] > month
    perturbed = injected.copy()
    for column in ("value_usd", "unit_price_usd_per_kg", "freight_krw_per_kg", "total_freight_krw", "usd_krw"):
        perturbed.loc[later, column] = perturbed.loc[later, column] * 7.0
    perturbed = perturbed[~(later & (perturbed["country_code"] == "CN"))]
    first = score_month(detector, injected, month, budget_share=0.25)
    second = score_month(detector, perturbed, month, budget_share=0.25)
    assert (first["month"] == month).all() and len(first) == int((injected["month"] == month).sum())
    pd.testing.assert_frame_equal(first, second)


def assert_rescoring_affected_rows_is_exact(detector, injected):
    """The magnitude curves score an injected copy of a panel again only where `affected_rows`
    says a score can change: that must give every detector's scores of the whole test year."""
    clean = injected.drop(columns=list(config.LABEL_COLUMNS))
    for kind, factor in (("d", 0.5), ("a", 3.0)):
        changed = inject_fixed(clean, seed=2, anomaly_type=kind, factor=factor, n=4).panel
        changed = changed.drop(columns=list(config.LABEL_COLUMNS))
        test = in_test_year(clean)
        again = affected_rows(clean, changed) & test
        assert again.any() and not again[test].all()
        incremental = detector.decision_function(clean, rows=test)
        incremental[again] = detector.decision_function(changed, rows=again)[again]
        full = detector.decision_function(changed, rows=test)
        np.testing.assert_allclose(incremental[test], full[test], rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("name", by_detector(["lstm-a", "lstm-plus", "iforest"]))
def test_same_seed_same_scores(name, injected):
    pd.testing.assert_frame_equal(first_fit(name).score(injected), fresh_fit(name).score(injected))


def test_rules_fire_on_an_overstated_freight(injected):
    scores = make_detector("rules").fit(injected, train_until=config.TRAIN_UNTIL).score(injected)
    overstated = injected["anomaly_type"] == "a"
    assert scores.loc[overstated, "flag"].all()
    assert scores.loc[overstated, "reason"].str.contains("운임").all()


def test_unknown_detector_or_parameter_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown detector 'nope'"):
        make_detector("nope")
    with pytest.raises(ValueError, match="has no parameter"):
        make_detector("rules", depth=3)
