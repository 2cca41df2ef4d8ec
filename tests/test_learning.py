"""The simulated operation in which reviewers' verdicts teach the ranker (`customs_anomaly.learning`).

Small panels and cheap detectors only (price-band reads the month and its training range; robust
reads neighbouring months): no network is trained here. Hand-built month rows give cases whose
answer is known: the detector's queue, random queues, a ranker that learns a perfectly separable
kind from verdicts once they return, and every summary against a hand computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customs_anomaly import config, learning, ranker
from customs_anomaly.detectors import make_detector
from customs_anomaly.examples import FREIGHT, panel_from_rows
from customs_anomaly.inject import InjectionSpec, inject_anomalies
from customs_anomaly.learning import POLICIES, SimulationSpec

MONTHS = pd.date_range("2022-01-01", "2023-12-01", freq="MS")
SPEC = SimulationSpec(months=8, rate=0.1, new_after=4, new_share=0.5, end=MONTHS[-1])
REGIONS = list(FREIGHT)
BY_NAME = {policy.name: policy for policy in POLICIES}


def series_panel(n_series: int = 40, seed: int = 0) -> pd.DataFrame:
    """n_series series over MONTHS (eight HS codes x five countries of the five regions), about one
    month in ten without imports, unit prices around each series' level."""
    rng = np.random.default_rng(seed)
    countries = [("CN", "중국", "중국"), ("VN", "베트남", "베트남"), ("US", "미국", "미국"), ("JP", "일본", "일본")]
    countries.append(("ES", "스페인", "유럽연합"))
    rows = []
    for i in range(n_series):
        code = f"03{3 + i % 3:02d}{i // 5:02d}0000"
        country, name, region = countries[i % len(countries)]
        level = 1.6 ** (i % 7)  # 1 to 17 USD/kg: dear rows can pass as a cheap item (type f)
        for month in MONTHS:
            weight = 0.0 if rng.random() < 0.1 else float(rng.lognormal(9, 0.8))
            price = level * float(np.exp(rng.normal(0, 0.1)))
            rows.append(
                {
                    "month": month,
                    "hsk_code": code,
                    "item_name": "냉동 어류",
                    "country_code": country,
                    "country_name": name,
                    "region": region,
                    "weight_kg": round(weight),
                    "value_usd": round(weight * price),
                    # calm freight (every month within 1% of the one before), so that type c has candidates
                    "freight_kkrw_per_2teu": FREIGHT[region] * (1 + 0.001 * month.month),
                    "usd_krw": 1300.0,
                    "dubai_usd": 80.0,
                    "cpi": 110.0,
                    "ppi": 115.0,
                }
            )
    panel = panel_from_rows(rows)
    return panel[list(config.PANEL_COLUMNS)].sort_values(list(config.PANEL_KEY), ignore_index=True)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return series_panel()


@pytest.fixture(scope="module")
def planted(panel):
    return learning.plant(panel, seed=3, spec=SPEC)


# planting -----------------------------------------------------------------------------------------------
def test_planting_follows_the_rate_and_holds_the_new_type_back(panel, planted):
    counts = learning.planting_counts(panel, 3, SPEC)
    assert list(counts) == list(SPEC.period)
    out = planted.panel
    labelled = out[out["is_anomaly"]]
    assert labelled["month"].isin(SPEC.period).all() and (labelled["weight_kg"] > 0).all()
    for month in SPEC.period:
        with_imports = int(((panel["month"] == month) & (panel["weight_kg"] > 0)).sum())
        expected = round(SPEC.rate * with_imports)
        kinds = labelled.loc[labelled["month"] == month, "anomaly_type"].value_counts().to_dict()
        assert kinds == counts[month] and sum(kinds.values()) == expected > 0
        new = kinds.get(SPEC.new_type, 0)
        if month < SPEC.arrival:
            assert new == 0
        else:
            assert new == max(1, round(SPEC.new_share * expected))
    assert labelled.loc[labelled["anomaly_type"] == SPEC.new_type, "month"].min() == SPEC.arrival
    assert set(labelled["anomaly_type"]) - {SPEC.new_type}  # the other types are planted too
    # year-to-date and derived columns stay consistent, the log holds one row per planted row
    keys = [out["hsk_code"], out["country_code"], out["month"].dt.year]
    np.testing.assert_allclose(out["ytd_value_usd"], out.groupby(keys)["value_usd"].cumsum())
    assert len(planted.log) == len(labelled)
    # the same seed plants the same rows, another seed others
    pd.testing.assert_frame_equal(out, learning.plant(panel, seed=3, spec=SPEC).panel)
    assert not out["is_anomaly"].equals(learning.plant(panel, seed=4, spec=SPEC).panel["is_anomaly"])


def test_monthly_counts_must_lie_in_the_injection_window(panel):
    spec = InjectionSpec(test_start=MONTHS[-2], test_end=MONTHS[-1], monthly_counts={MONTHS[0]: {"d": 1}})
    with pytest.raises(ValueError, match="2022-01 is outside the injection window"):
        inject_anomalies(panel, 0, spec)


# scoring -------------------------------------------------------------------------------------------------
def test_month_rows_are_each_months_prospective_features_and_read_no_label(panel, planted):
    months = SPEC.period
    for name in ("price-band", "robust"):  # causal: one analysis; not causal: one analysis per month
        detector = make_detector(name).fit(panel, train_until=SPEC.fit_until)
        rows = learning.month_rows(detector, planted.panel, months)
        assert rows["position"].tolist() == sorted(rows["position"]) and rows["position"].nunique() == len(months)
        assert not set(config.ALL_LABEL_COLUMNS) & set(rows.columns)
        for position in (2, len(months) - 1):
            expected = ranker.prospective_features(detector, planted.panel, months[position])
            got = rows[rows["position"] == position].drop(columns="position").reset_index(drop=True)
            pd.testing.assert_frame_equal(got, expected)
    truth = learning.with_truth(rows, planted)
    assert int(truth["is_anomaly"].sum()) == int(planted.panel["is_anomaly"].sum())
    assert (truth.loc[truth["is_anomaly"], "misdeclared_usd"] > 0).all()
    assert (truth.loc[~truth["is_anomaly"], "misdeclared_usd"] == 0).all()


def test_run_refuses_a_detector_that_trained_on_a_simulated_month(panel):
    detector = make_detector("price-band").fit(panel, train_until=SPEC.period[0])
    with pytest.raises(ValueError, match="would be in its training"):
        learning.run(detector, panel, [0], spec=SPEC)


# reviewing --------------------------------------------------------------------------------------------------
def test_verdict_positions_follow_the_lag_and_the_window():
    assert list(learning.verdict_positions(0)) == [] and list(learning.verdict_positions(1)) == [0]
    assert list(learning.verdict_positions(20, lag=1, window=12)) == list(range(8, 20))
    assert list(learning.verdict_positions(4, lag=3, window=12)) == [0, 1]
    for position in range(30):
        for lag in (1, 2, 3):
            for window in (1, 6, 12):
                months = list(learning.verdict_positions(position, lag, window))
                assert all(position - lag - window < m <= position - lag and m >= 0 for m in months)
                assert len(months) == max(0, min(window, position - lag + 1))


def hand_rows(months: int, per_month: int, anomalies, scores, weights=None) -> pd.DataFrame:
    """Month rows as `learning.month_rows` gives them, with truth: `anomalies(position)` a mask of
    the planted rows of a month, `scores(position)` the detector's scores, `weights` the
    log_weight feature (0 unless given)."""
    frames = []
    for position in range(months):
        planted = np.asarray(anomalies(position), dtype=bool)
        frame = pd.DataFrame(
            {
                "position": position,
                "month": SPEC.period[position],
                "hsk_code": [f"03{i:08d}" for i in range(per_month)],
                "country_code": "CN",
                "score": np.asarray(scores(position), dtype=float),
                "log_weight": 0.0 if weights is None else weights(position),
                "log_value": 0.0,
                "log_unit_price": 0.0,
                "log_price_to_peers": 0.0,
                "item_group": 0.0,
                "region": 0.0,
                "is_anomaly": planted,
                "anomaly_type": np.where(planted, "d", ""),
                "misdeclared_usd": np.where(planted, 100.0 * (1 + np.arange(per_month)), 0.0),
            }
        )
        frame["score_rank"] = ranker.percentile_ranks(frame["score"])
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def test_the_detectors_queue_and_random_queues_on_a_hand_built_case():
    # ten rows a month, one without a score: the budget is floor(0.2 x 9) = 1 row; rows 0, 1 and 5
    # planted (misdeclared 100, 200 and 600 USD); the detector's queue is row 5, its highest score
    scores = [5.0, 1.0, 0.5, 5.0, 0.1, 9.0, 0.2, 0.3, np.nan, 0.4]
    rows = hand_rows(3, 10, lambda p: np.isin(np.arange(10), [0, 1, 5]), lambda p: scores)
    spec = SimulationSpec(months=3, end=SPEC.period[2])
    per_month = learning.simulate(rows, 0.2, [BY_NAME["unsupervised"], BY_NAME["random"]], spec, seed=7)
    detector = per_month[per_month["policy"] == "unsupervised"]
    assert detector["budget"].tolist() == [1, 1, 1]  # floor(9 scored rows x 0.2): the NaN row is not scored
    assert detector["found"].tolist() == [1, 1, 1] and detector["found_value"].tolist() == [600.0] * 3
    assert detector["anomalies"].tolist() == [3] * 3 and detector["value"].tolist() == [900.0] * 3
    assert not detector["learned"].any()
    # the planted rows among the top 1, 3 and 5 rows by score (ties in row order): row 5; rows 5 and
    # 0 of 5, 0, 3; rows 5, 0 and 1 of 5, 0, 3, 1, 2; the same for every policy
    reach = per_month[list(learning.REACH_COUNTS)].drop_duplicates()
    assert reach.values.tolist() == [[1, 2, 3]] and learning.REACH_MULTIPLES == (1, 3, 5)
    assert (detector["reach_1x"] == detector["found"]).all()  # the detector's queue is its top budget
    randomly = per_month[per_month["policy"] == "random"].reset_index(drop=True)
    scored = ~np.isnan(np.array(scores))
    for position in range(3):
        drawn = learning.random_queue(scored, 1, 7, position)
        assert len(drawn) == 1 and scored[drawn].all()
        assert randomly.loc[position, "found"] == int(np.isin(drawn, [0, 1, 5]).sum())
    assert learning.random_queue(scored, 9, 7, 0).tolist() == np.flatnonzero(scored).tolist()


@pytest.mark.parametrize("lag", [1, 2])
def test_a_ranker_without_the_detector_learns_a_separable_kind_once_its_verdicts_return(lag):
    # 60 rows a month, 30 planted: exactly those with log_weight 3 (the rest 0); the detector's
    # score is noise. Random queues of 20 rows find about half; once a month's verdicts return, the
    # learned probability alone fills the queue with planted rows only.
    rng = np.random.default_rng(1)
    planted = np.zeros(60, dtype=bool)
    planted[::2] = True
    spec = SimulationSpec(months=6, lag=lag, end=SPEC.period[5])
    rows = hand_rows(6, 60, lambda p: planted, lambda p: rng.random(60), lambda p: np.where(planted, 3.0, 0.0))
    supervised = learning.simulate(rows, 20 / 60, [BY_NAME["supervised"]], spec, seed=0)
    assert supervised["budget"].tolist() == [20] * 6
    before, after = supervised[supervised["position"] < lag], supervised[supervised["position"] >= lag]
    assert not before["learned"].any() and (before["found"] < 20).all()  # random draws
    assert before["verdicts"].tolist() == [0] * lag
    assert after["learned"].all() and (after["found"] == 20).all()
    # the random policy draws the same rows as the cold start did
    randomly = learning.simulate(rows, 20 / 60, [BY_NAME["random"]], spec, seed=0)
    assert randomly.loc[randomly["position"] < lag, "found"].tolist() == before["found"].tolist()


def test_a_policy_never_trains_on_a_verdict_before_it_returns(monkeypatch):
    seen = []
    choose = learning.choose

    def recording(policy, rows, training, budget, seed, position, cache=None):
        seen.append((policy.name, position, sorted(set(training["position"].astype(int)))))
        return choose(policy, rows, training, budget, seed, position, cache)

    monkeypatch.setattr(learning, "choose", recording)
    rng = np.random.default_rng(0)
    rows = hand_rows(8, 30, lambda p: rng.random(30) < 0.3, lambda p: rng.random(30))
    spec = SimulationSpec(months=8, lag=2, window=3, end=SPEC.period[7])
    learning.simulate(rows, 0.3, POLICIES, spec, seed=0)
    assert len(seen) == len(POLICIES) * 8
    for _, position, months in seen:
        assert months == list(learning.verdict_positions(position, lag=2, window=3))


# measuring ---------------------------------------------------------------------------------------------------
def test_summaries_equal_a_hand_computation():
    spec = SimulationSpec(months=4, new_after=2, end=SPEC.period[3])
    per_month = pd.DataFrame(
        {
            "policy": ["p"] * 4 + ["q"] * 4,
            "seed": 0,
            "position": [0, 1, 2, 3] * 2,
            "month": list(spec.period) * 2,
            "budget": [2, 2, 2, 2, 2, 2, 2, 2],
            "found": [1, 0, 2, 1, 0, 0, 1, 2],
            "anomalies": [2, 1, 2, 3, 2, 1, 2, 3],
            "found_value": [10.0, 0.0, 30.0, 5.0, 0.0, 0.0, 20.0, 40.0],
            "value": [20.0, 10.0, 40.0, 50.0, 20.0, 10.0, 40.0, 50.0],
            "found_new": [0, 0, 0, 1, 0, 0, 1, 1],
            "new": [0, 0, 1, 2, 0, 0, 1, 2],
            **{count: [1, 0, 2, 1] * 2 for count in learning.REACH_COUNTS},
        }
    )
    totals = learning.totals(per_month).set_index("policy")
    assert totals.loc["p", "found"] == 4 and totals.loc["p", "precision"] == 0.5
    assert totals.loc["p", "recall"] == pytest.approx(4 / 8) and totals.loc["p", "value_capture"] == 45 / 120
    assert totals.loc["q", "recall"] == pytest.approx(3 / 8)
    second = learning.totals(per_month, positions=[2, 3]).set_index("policy")
    assert second.loc["p", "found"] == 3 and second.loc["p", "anomalies"] == 5
    cumulative = learning.cumulative(per_month)
    p = cumulative[cumulative["policy"] == "p"]
    assert p["found"].tolist() == [1, 1, 3, 4] and p["budget"].tolist() == [2, 4, 6, 8]
    assert p["recall"].tolist() == pytest.approx([0.5, 1 / 3, 0.6, 0.5])
    assert learning.quarter_labels(spec.period) == ["2023-05~2023-07"] * 3 + ["2023-08~2023-08"]
    quarters = learning.quarterly(per_month, spec)
    assert quarters.loc[quarters["policy"] == "p", "found"].tolist() == [3, 1]
    delays = learning.new_type_delays(per_month, spec).set_index("policy")
    assert delays.loc["p", "delay"] == 1.0 and delays.loc["p", "new_recall"] == pytest.approx(1 / 3)
    assert delays.loc["q", "delay"] == 0.0 and delays.loc["q", "new_recall"] == pytest.approx(2 / 3)
    never = per_month.assign(found_new=0)
    assert learning.new_type_delays(never, spec)["delay"].isna().all()


def test_a_reused_fit_ranks_as_a_fresh_one():
    rng = np.random.default_rng(2)
    rows = hand_rows(1, 80, lambda p: rng.random(80) < 0.3, lambda p: rng.random(80), lambda p: rng.normal(size=80))
    training = rows.assign(label=rows["is_anomaly"].astype(int))
    cache: dict = {}
    first = learning.fitted_ranker(training, cache, exploration_share=0.0, seed=0)
    second = learning.fitted_ranker(training, cache, exploration_share=0.3, seed=1)
    assert len(cache) == 1 and first.learned and second.exploration_share == 0.3 and first.exploration_share == 0.0
    fresh = ranker.HybridRanker(exploration_share=0.3, seed=1).fit(training)
    pd.testing.assert_frame_equal(second.rank(rows, 20), fresh.rank(rows, 20))
    learning.fitted_ranker(training.iloc[1:], cache)
    assert len(cache) == 2
