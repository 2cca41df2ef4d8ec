"""The practitioners' baselines and the improved detector on a hand-made panel where the right
answer is known: one month of one series declared at a quarter of its price, one row of another
series with four times its region's freight. Also the evaluation helpers of the improved
detector's chapter."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from customs_anomaly import config
from customs_anomaly.detectors import DEFAULT_DETECTOR, make_detector
from customs_anomaly.detectors.baselines import band_distance, weighted_median
from customs_anomaly.detectors.series import neighbour_median, peer_median_log_price
from customs_anomaly.examples import panel_from_rows
from customs_anomaly.experiments import alert_volume, reason_agreement, targets_table, wins_at_every_factor

PRICES = {
    "0303550000": 2.0,
    "0303540000": 1.5,
    "0307229000": 6.0,
    "0304941000": 3.0,
    "0306171090": 9.0,
    "0302130000": 12.0,
}
PRICE_ROW = ("0307229000", pd.Timestamp("2024-09-01"))  # declared at 0.25 x
FREIGHT_ROW = ("0306171090", pd.Timestamp("2025-01-01"))  # freight 4 x the region's level


def known_panel(seed: int = 3) -> pd.DataFrame:
    """Six Chinese series (one freight region), 60 months, steady weights, 8% price noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for code, price in PRICES.items():
        for month in config.month_range():
            weight = float(round(rng.lognormal(10, 0.2)))
            unit = price * float(np.exp(rng.normal(0, 0.08)))
            if (code, month) == PRICE_ROW:
                unit *= 0.25
            rows.append(
                {
                    "month": month,
                    "hsk_code": code,
                    "item_name": f"품목{code[-4:]}",
                    "country_code": "CN",
                    "country_name": "중국",
                    "region": "중국",
                    "weight_kg": weight,
                    "value_usd": float(round(weight * unit)),
                    "freight_kkrw_per_2teu": 800.0 + month.month,
                    "usd_krw": 1300.0 + month.month,
                    "dubai_usd": 80.0,
                    "cpi": 110.0,
                    "ppi": 115.0,
                }
            )
    panel = panel_from_rows(rows)
    freight = (panel["hsk_code"] == FREIGHT_ROW[0]) & (panel["month"] == FREIGHT_ROW[1])
    panel.loc[freight, "freight_krw_per_kg"] *= 4.0
    panel.loc[freight, "total_freight_krw"] *= 4.0
    return panel[list(config.PANEL_COLUMNS)].sort_values(list(config.PANEL_KEY), ignore_index=True)


def _row(panel: pd.DataFrame, key) -> int:
    return int(np.flatnonzero((panel["hsk_code"] == key[0]) & (panel["month"] == key[1]))[0])


def _ratio(reason: str) -> float:
    return float(re.search(r"의 ([0-9.]+)배", reason).group(1))


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return known_panel()


@pytest.fixture(scope="module")
def plus(panel):
    return make_detector("lstm-plus", epochs=4, verbose=0).fit(panel, train_until=config.TRAIN_UNTIL)


@pytest.mark.parametrize("name", ["robust", "fair-price", "price-band"])
def test_price_baselines_flag_the_quarter_price_with_a_price_reason(name, panel):
    scores = make_detector(name).fit(panel, train_until=config.TRAIN_UNTIL).score(panel)
    row = _row(panel, PRICE_ROW)
    test = panel["month"] >= config.TEST_START
    assert scores.loc[test, "score"].idxmax() == row
    assert scores.at[row, "flag"] and scores.at[row, "reason_group"] == "단가"
    assert 0.15 < _ratio(scores.at[row, "reason"]) < 0.4
    assert not scores.loc[_row(panel, FREIGHT_ROW), "flag"] or name == "price-band"  # freight is invisible to them


def test_the_improved_detector_ranks_both_planted_rows_first_with_the_right_reasons(panel, plus):
    scores = plus.score(panel)
    price_row, freight_row = _row(panel, PRICE_ROW), _row(panel, FREIGHT_ROW)
    top_two = set(scores["score"].nlargest(2).index)
    assert top_two == {price_row, freight_row}
    assert scores.at[price_row, "flag"] and scores.at[freight_row, "flag"]
    assert scores.at[price_row, "reason_group"] == "단가"
    assert scores.at[price_row, "reason"].startswith("단가가 모형이 예상한 단가의")
    assert 0.15 < _ratio(scores.at[price_row, "reason"]) < 0.4
    assert scores.at[freight_row, "reason_group"] == "운임"
    assert scores.at[freight_row, "reason"] == "kg당 운임이 같은 지역·월 수준의 4.00배"
    assert scores.loc[scores["flag"], "reason"].str.len().gt(0).all()


def test_the_network_view_is_the_window_and_prediction_behind_the_analysis(panel, plus):
    """What `network_view` shows of the quarter-price month: the window the network reads (the
    month masked, centred), the prediction `analyse` reports, and the month far below the band
    of its predicted uncertainty, i.e. a large negative error in units of that uncertainty."""
    from customs_anomaly.detectors.lstm_plus import CHANNELS

    row = _row(panel, PRICE_ROW)
    view = plus.network_view(panel, row)
    analysis = plus.analyse(panel)
    assert list(view.inputs.columns) == list(CHANNELS[:5]) and len(view.inputs) == plus.params["window"]
    assert view.target == PRICE_ROW[1] and view.inputs.index[plus.params["window"] // 2] == view.target
    assert view.inputs.loc[view.target].tolist() == [0.0, 0.0, 0.0, 0.0, 1.0]  # hidden, marked masked
    assert (view.inputs.drop(index=view.target)[["present", "masked"]].to_numpy() == [1.0, 0.0]).all()
    assert view.expected_unit_price == pytest.approx(analysis.at[row, "network_expected_unit_price_usd_per_kg"])
    assert view.low_unit_price < view.expected_unit_price < view.high_unit_price
    assert panel.at[row, "unit_price_usd_per_kg"] < view.low_unit_price and view.z < -2 and view.scale > 0
    empty = panel.copy()
    empty.loc[row, ["weight_kg", "value_usd", "unit_price_usd_per_kg"]] = [0.0, 0.0, np.nan]
    with pytest.raises(ValueError, match="no imports that month"):
        plus.network_view(empty, row)


def test_the_budget_threshold_flags_about_the_budget_on_training_months(panel, plus):
    scores = plus.score(panel)
    train = (panel["month"] <= config.TRAIN_UNTIL).to_numpy()
    assert scores.loc[train, "flag"].mean() <= plus.params["budget_share"] + 2 / train.sum()
    assert scores.loc[train, "flag"].sum() >= 1


def test_the_improved_detector_is_the_default_and_checks_its_switches():
    assert DEFAULT_DETECTOR == "lstm-plus"
    with pytest.raises(ValueError, match="scaling must be one of robust, minmax"):
        make_detector("lstm-plus", scaling="zscore")
    with pytest.raises(ValueError, match="error_mapping must be one of"):
        make_detector("lstm-plus", error_mapping="window-last")
    with pytest.raises(ValueError, match="window must be 3 to 24"):
        make_detector("lstm-plus", window=1)
    with pytest.raises(ValueError, match=r"budget_share must be in \(0, 1\)"):
        make_detector("lstm-plus", budget_share=0)


def test_ablation_switches_that_shape_training_run(panel):
    scores = make_detector("lstm-plus", epochs=1, verbose=0, macro=True, window=6, scaling="minmax").fit(
        panel, train_until=config.TRAIN_UNTIL
    )
    assert np.isfinite(scores.score(panel).loc[panel["weight_kg"] > 0, "score"]).all()


def test_scoring_switches_reuse_the_trained_network_and_equal_a_fresh_fit(panel, plus):
    derived = plus.derive(panel, error_mapping="window", series_norm=True)
    assert derived.model_ is plus.model_ and plus.params["error_mapping"] == "per-month"
    fresh = make_detector("lstm-plus", epochs=4, verbose=0, error_mapping="window", series_norm=True).fit(
        panel, train_until=config.TRAIN_UNTIL
    )
    pd.testing.assert_frame_equal(derived.score(panel), fresh.score(panel))
    assert derived.threshold_ == fresh.threshold_ != plus.threshold_
    with pytest.raises(ValueError, match="must be refitted to change window"):
        plus.derive(panel, window=6)


def test_neighbour_median_excludes_the_cell_and_skips_gaps():
    grid = np.array([[1.0, 2.0, 100.0, 4.0, np.nan, 6.0]])
    assert neighbour_median(grid, 1)[0].tolist()[1:4] == [50.5, 3.0, 100.0]  # the gap just drops out
    assert neighbour_median(grid, 2)[0, 2] == 2.0  # median of 1, 2, 4


def test_peer_median_leaves_the_row_out():
    frame = pd.DataFrame(
        {
            "hsk_code": ["A"] * 3 + ["B"],
            "month": pd.to_datetime(["2024-01-01"] * 4),
            "weight_kg": [1.0, 1.0, 1.0, 1.0],
            "unit_price_usd_per_kg": [1.0, np.e, np.e**3, 5.0],
        }
    )
    peer = peer_median_log_price(frame)
    assert np.allclose(peer[:3], [2.0, 1.5, 0.5]) and np.isnan(peer[3])


def test_band_distance_and_weighted_median():
    assert band_distance(np.array([1.0, 2.5, 7.0]), np.array([2.0] * 3), np.array([4.0] * 3)).tolist() == [
        0.5,
        0.0,
        1.5,
    ]
    assert weighted_median(np.array([1.0, 2.0, 10.0]), np.array([1.0, 1.0, 5.0])) == 10.0


def test_reason_agreement_and_alert_volume():
    injected = pd.DataFrame({"is_anomaly": [True, True, True, False], "anomaly_type": ["a", "d", "e", ""]})
    scores = pd.DataFrame(
        {
            "month": pd.to_datetime(["2024-05-01", "2024-05-01", "2024-06-01", "2024-06-01"]),
            "flag": [True, True, False, True],
            "reason_group": ["운임", "운임", "", "단가"],
        }
    )
    assert reason_agreement(scores, injected) == {"detected": 2, "matching": 1, "share": 0.5}
    volume = alert_volume(scores.assign(score=[1.0, 2.0, 0.5, 3.0]), scores["month"])
    assert volume["flagged"].tolist() == [2, 1] and volume["share"].tolist() == [1.0, 0.5]
    unscored = alert_volume(scores.assign(score=[1.0, np.nan, 0.5, 3.0]), scores["month"])
    assert unscored["rows"].tolist() == [1, 2]  # a row without a score is not in the month's volume


def test_targets_table_and_wins():
    metrics = ["ap", "p_at_100", "r_at_5pct", "value_capture_1pct"]
    summary = pd.DataFrame(
        {"mean": [0.5, 0.4, 0.8, 0.95, 0.45, 0.5, 0.7, 0.97], "std": [0.01] * 8},
        index=pd.MultiIndex.from_product([["x", "y"], metrics], names=["detector", "metric"]),
    )
    table = targets_table(summary, "x", oracle=pd.Series({"ap": 0.54})).set_index("target")
    assert table.loc["ap_share_of_oracle", "measured"] == pytest.approx(0.5 / 0.54)
    assert table["met"].tolist() == [True, True, True, False]  # 93% of the oracle; 0.95; +0.05 AP; -0.02 capture
    assert table.loc["lead_value_capture_1pct", "rival"] == "y"
    assert table.loc["lead_value_capture_1pct", "measured"] == pytest.approx(-0.02)
    fresh = targets_table(
        summary, "x", pd.Series({"ap": 0.54}), fresh=(pd.Series({"ap": 0.45}), pd.Series({"ap": 0.6}))
    )
    assert not fresh.set_index("target").loc["ap_share_of_oracle_fresh", "met"]  # 75% of the oracle
    without = targets_table(summary, "x").set_index("target")  # real data: no oracle
    assert np.isnan(without.loc["ap_share_of_oracle", "measured"]) and pd.isna(without.loc["ap_share_of_oracle", "met"])
    curves = pd.DataFrame(
        {
            "detector": ["x", "y", "x", "y"],
            "group": "단가",
            "factor": [0.5, 0.5, 2.0, 2.0],
            "seed": 0,
            "ap": [0.6, 0.5, 0.4, 0.45],
        }
    )
    wins = wins_at_every_factor(curves, "x", ["y"], "단가", (0.5, 2.0))
    assert wins["wins"].tolist() == [True, False]


def test_magnitude_injections_apply_one_factor_per_group():
    from customs_anomaly.experiments import magnitude_injections

    panel = known_panel(seed=4)
    injections = magnitude_injections(panel, seeds=[0], value_factors=(0.5, 2.0), freight_factors=(3.0,), n=10)
    assert set(injections) == {("단가", 0.5, 0), ("단가", 2.0, 0), ("운임", 3.0, 0)}
    for (group, factor, _), result in injections.items():
        rows = result.panel["is_anomaly"].to_numpy()
        assert rows.sum() == 10
        column = "value_usd" if group == "단가" else "freight_krw_per_kg"
        assert np.allclose(result.panel.loc[rows, column].to_numpy() / panel.loc[rows, column].to_numpy(), factor)


def _assert_budget(scores: pd.DataFrame, share: float) -> None:
    """Exactly the top `share` of each month's scored rows (at least one, none in a month without
    scores) are flagged, each with a reason."""
    for _, month in scores.groupby("month"):
        scored = month["score"].notna()
        allowed = max(1, int(np.floor(share * scored.sum()))) if scored.any() else 0
        assert month["flag"].sum() == allowed
        top = month.loc[scored, "score"].sort_values(ascending=False, kind="stable").index[:allowed]
        assert month.loc[top, "flag"].all()
    flagged = scores[scores["flag"]]
    assert flagged["reason"].str.len().gt(0).all() and flagged["reason_group"].isin(["운임", "단가"]).all()
    assert (scores.loc[~scores["flag"], "reason"] == "").all()


@pytest.mark.parametrize("name", ["robust", "fair-price", "price-band", "price-band-xc", "rules"])
def test_a_monthly_review_budget_flags_the_top_rows_of_every_month_with_reasons(name, panel):
    detector = make_detector(name).fit(panel, train_until=config.TRAIN_UNTIL)
    scores = detector.score(panel, budget_share=0.34)  # 2 of the 6 rows a month
    _assert_budget(scores, 0.34)


def test_the_improved_detector_under_a_monthly_budget_names_price_and_freight(plus, panel):
    scores = plus.score(panel, budget_share=0.34)
    _assert_budget(scores, 0.34)
    assert scores.at[_row(panel, PRICE_ROW), "flag"] and scores.at[_row(panel, PRICE_ROW), "reason_group"] == "단가"
    assert scores.at[_row(panel, FREIGHT_ROW), "flag"] and scores.at[_row(panel, FREIGHT_ROW), "reason_group"] == "운임"
    assert 0.15 < _ratio(scores.at[_row(panel, PRICE_ROW), "reason"]) < 0.4
    with pytest.raises(ValueError, match="share must be in"):
        plus.score(panel, budget_share=0.0)


def test_budget_queue_counts_the_monthly_review_volume_and_what_it_holds(panel):
    from customs_anomaly.experiments import DetectorRun, budget_queue
    from customs_anomaly.inject import InjectionResult

    injected = panel.assign(is_anomaly=False, anomaly_type="")
    injected.loc[_row(panel, PRICE_ROW), ["is_anomaly", "anomaly_type"]] = [True, "d"]
    injected.loc[_row(panel, FREIGHT_ROW), ["is_anomaly", "anomaly_type"]] = [True, "a"]
    scores = make_detector("robust").fit(panel, train_until=config.TRAIN_UNTIL).score(panel)
    run = DetectorRun("robust", 0.0, 0.0, [], {0: scores})
    queue = budget_queue(run, {0: InjectionResult(injected, pd.DataFrame())}, share=0.34).iloc[0]
    assert queue["reviewed"] == 12 * 2  # 2 of the 6 rows in each of the 12 test months
    assert queue["found"] == 1 and queue["recall"] == 0.5  # the price row; freight is invisible to robust
    assert queue["precision"] == pytest.approx(1 / 24)


def test_narrow_leads_are_the_wins_by_less_than_five_percent_of_the_best_rival():
    from customs_anomaly.experiments import narrow_leads

    wins = pd.DataFrame({"x": [0.44, 0.0353, 0.02], "best_rival": [0.33, 0.0348, 0.03]}, index=[0.5, 1.2, 0.85])
    wins["wins"] = wins["x"] > wins["best_rival"]
    narrow = narrow_leads(wins, "x")
    assert narrow.index.tolist() == [1.2] and narrow.loc[1.2, "lead"] == pytest.approx(0.0005)
    assert narrow_leads(wins.drop(index=1.2), "x").empty


def test_a_persistent_half_price_is_flagged_by_its_second_month_and_reported_as_one_case():
    from customs_anomaly.demo import cases_of
    from customs_anomaly.operations import score_month

    panel = known_panel(seed=5)
    code = "0303540000"  # a series without the panel's planted rows
    months = pd.date_range(config.TEST_START, config.STUDY_END, freq="MS")
    start = months[6]  # the scheme's first month: the test year's seventh
    scheme = (panel["hsk_code"] == code) & (panel["month"] >= start)
    panel.loc[scheme, "value_usd"] *= 0.5
    panel.loc[scheme, "unit_price_usd_per_kg"] *= 0.5
    detector = make_detector("lstm-plus", epochs=1, verbose=0, alignment="trailing").fit(
        panel, train_until=config.TRAIN_UNTIL
    )
    # each month scored from the months up to it, flagged at the detector's operating threshold
    queue = pd.concat([score_month(detector, panel, month) for month in months[6:10]], ignore_index=True)
    own = queue[queue["hsk_code"] == code].set_index("month")
    assert own.loc[start, "flag"] or own.loc[months[7], "flag"]  # by its second month at the latest
    assert own.loc[months[8:10], "flag"].all()
    others = queue[queue["hsk_code"] != code]
    assert set(others.loc[others["flag"], "reason_group"]) <= {"운임"}  # the panel's planted freight row only
    cases = cases_of(queue[queue["flag"] & (queue["hsk_code"] == code)])
    assert len(cases) == 1 and cases["case_months"].iloc[0][-1] == f"{months[9]:%Y-%m}"
    assert cases["case_months"].iloc[0][0] == f"{start:%Y-%m}"  # the detector's case starts with the scheme
    latest = own.loc[months[9]]
    assert latest["case_start"] == start and latest["case_months"] == 4


def test_robust_reason_names_the_months_its_median_read():
    from customs_anomaly.detectors.baselines import neighbour_reference
    from customs_anomaly.examples import tiny_panel
    from customs_anomaly.operations import score_month

    panel = tiny_panel()
    detector = make_detector("robust", z_limit=0.5).fit(panel, train_until=config.TRAIN_UNTIL)
    prospective = score_month(detector, panel, "2024-09")
    assert prospective["flag"].any()
    assert all("직전 6개월 중앙값" in reason for reason in prospective.loc[prospective["flag"], "reason"])
    reasons = pd.Series(detector.explain(panel), index=panel["month"].dt.strftime("%Y-%m"))
    flagged = reasons[reasons != ""]
    assert flagged.loc[flagged.index == "2024-09"].str.contains("앞뒤 6개월 중앙값").all()
    assert flagged.loc[flagged.index == "2025-03"].str.contains("앞 6개월·뒤 1개월 중앙값").all()
    assert (flagged.index == "2025-03").any() and (flagged.index == "2024-09").any()
    assert neighbour_reference(0, 3) == "이 시계열 직후 3개월 중앙값"
