"""The noise ceiling: the replica's hidden price model is the one its records were drawn from, and
the oracle ranks rows as the likelihood ratio says, on a hand-made panel whose latent prices are
known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_price_detectors import FREIGHT_ROW, PRICE_ROW, PRICES, _row, known_panel

from customs_anomaly import ceiling, config, synth
from customs_anomaly.experiments import DetectorRun
from customs_anomaly.inject import InjectionSpec


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return known_panel()


def hand_latent(panel: pd.DataFrame, shift_rate: float = 0.0) -> pd.DataFrame:
    """The known panel's generator: each code's price exactly, 8% noise, no product-mix months,
    no odd shipments, and (by default) no level shifts."""
    latent = panel[list(config.PANEL_KEY)].copy()
    latent["trade_flow"] = "I"
    latent["expected_log_price"] = np.log(panel["hsk_code"].map(PRICES))
    latent["price_noise_sd"] = 0.08
    latent["mix_probability"] = 0.0
    latent["product_mix_sd"] = 0.0
    latent["level_shift_rate"] = shift_rate
    latent["odd_shipment"] = False
    latent["level_shift"] = 0.0
    latent["product_mix"] = False
    return latent


@pytest.fixture(scope="module")
def prior(panel) -> pd.DataFrame:
    return ceiling.price_factor_prior(panel)


def test_prior_covers_the_protocol_price_types_with_weights_summing_to_one(panel, prior):
    assert prior["weight"].sum() == pytest.approx(1.0)
    assert set(prior["type"]) <= {"d", "e", "f"} and {"d", "e"} <= set(prior["type"])
    spec = InjectionSpec()
    low = prior.loc[prior["type"] == "d", "log_factor"]
    assert low.between(np.log(spec.ranges["d"][0]), np.log(spec.ranges["d"][1])).all()
    shares = prior.groupby("type")["weight"].sum()
    assert shares["d"] / shares["e"] == pytest.approx(spec.counts["d"] / spec.counts["e"])


def test_prior_without_price_types_is_an_error(panel):
    with pytest.raises(ValueError, match="no unit-price anomalies"):
        ceiling.price_factor_prior(panel, InjectionSpec(counts={"a": 10}))


def test_likelihood_ratio_prefers_a_large_deviation_over_a_merely_significant_one(prior):
    small_but_significant = ceiling.log_likelihood_ratio(np.array(0.2), np.array(0.05), np.array(False), prior)
    large_in_noisy_month = ceiling.log_likelihood_ratio(np.array(0.9), np.array(0.34), np.array(False), prior)
    assert 0.2 / 0.05 > 0.9 / 0.34  # a z-score ranks them the other way round
    assert large_in_noisy_month > 0 > small_but_significant


def test_an_odd_shipment_month_is_less_suspicious_at_the_same_deviation(prior):
    usual, odd = (
        ceiling.log_likelihood_ratio(np.array(1.0), np.array(0.2), np.array(flag), prior) for flag in (False, True)
    )
    assert odd < usual


def test_oracle_puts_the_freight_row_first_then_the_quarter_price(panel, prior):
    scores = ceiling.oracle_scores(panel, hand_latent(panel), prior)
    order = scores["score"].sort_values(ascending=False).index
    assert order[0] == _row(panel, FREIGHT_ROW) and order[1] == _row(panel, PRICE_ROW)
    assert scores.at[_row(panel, FREIGHT_ROW), "score"] > ceiling.FREIGHT_CERTAIN / 2
    assert scores.at[_row(panel, PRICE_ROW), "flag"]
    assert scores["flag"].sum() == 2  # 8% noise leaves no legitimate month near a factor of 2


def test_oracle_gives_no_score_to_rows_without_imports(panel, prior):
    empty = panel.copy()
    empty.loc[0, ["weight_kg", "value_usd"]] = 0.0
    empty.loc[0, "unit_price_usd_per_kg"] = np.nan
    scores = ceiling.oracle_scores(empty, hand_latent(panel), prior)
    assert np.isnan(scores.at[0, "score"]) and not scores.at[0, "flag"]


def test_a_traded_row_missing_from_the_latent_model_is_named(panel, prior):
    latent = hand_latent(panel)
    missing = latent[(latent["hsk_code"] == PRICE_ROW[0]) & (latent["month"] == PRICE_ROW[1])].index
    with pytest.raises(ValueError, match=f"1 traded panel rows .*month 2024-09, hsk_code {PRICE_ROW[0]}, country CN"):
        ceiling.oracle_scores(panel, latent.drop(index=missing), prior)


def test_ceiling_table_puts_the_detector_beside_the_oracle_with_its_standard_error():
    summary = pd.DataFrame(
        {"mean": [0.8, 0.9, 0.7], "std": 0.0},
        index=pd.MultiIndex.from_tuples(
            [("x", "ap"), ("x", "r_at_5pct"), ("x", "p_at_100")], names=["detector", "metric"]
        ),
    )
    paired = DetectorRun("oracle", 0.0, 0.0, [{"seed": 0, "ap": 0.9, "r_at_5pct": 0.94, "p_at_100": 0.8}], {})
    wide = DetectorRun(
        "oracle",
        0.0,
        0.0,
        [
            {"seed": s, "ap": a, "r_at_5pct": r, "p_at_100": p}
            for s, (a, r, p) in enumerate([(0.88, 0.93, 0.80), (0.92, 0.95, 0.82)])
        ],
        {},
    )
    table = ceiling.ceiling_table(summary, paired, "x", ["ap", "r_at_5pct", "p_at_100"], wide=wide)
    assert table["metric"].tolist() == ["ap", "r_at_5pct", "p_at_100"]
    assert table.loc[0, "share_of_oracle"] == pytest.approx(0.8 / 0.9)
    # standard errors: 0.02 for ap, 0.01 for r_at_5pct and p_at_100
    assert table.loc[0, "oracle_wide_se"] == pytest.approx(0.02)
    assert table.loc[1, "oracle_wide"] == pytest.approx(0.94) and table.loc[1, "oracle_wide_se"] == pytest.approx(0.01)
    assert (table["wide_seeds"] == 2).all()
    alone = ceiling.ceiling_table(summary, paired, "x", ["ap"])
    assert alone.loc[0, "oracle_wide"] == 0.9 and alone.loc[0, "oracle_wide_se"] == 0.0


def test_latent_model_is_the_one_the_replica_records_were_drawn_from():
    records = synth.trade_records(synth.source_rng(0, "trade"))
    latent = synth.latent_price_model(0)
    traded = records[records["weight_kg"] > 0]
    assert len(traded) == len(latent)
    key = ["month", "hsk_code", "trade_flow", "country_name"]
    latent = latent.assign(country_name=latent["country_code"].map(synth.COUNTRY_NAMES)).drop(columns="country_code")
    both = traded.merge(latent, on=key, how="inner", validate="one_to_one")
    assert len(both) == len(traded)
    residual = np.log(both["value_usd"] / both["weight_kg"]) - both["expected_log_price"] - both["level_shift"]
    # whole-dollar rounding is negligible where the expected value is large; selecting on the
    # expected (not the realised) value keeps the month's noise draw out of the selection
    expected_value = both["weight_kg"] * np.exp(both["expected_log_price"])
    large = ~both["odd_shipment"] & (expected_value >= 1000)
    usual, mix = large & ~both["product_mix"], large & both["product_mix"]
    z = residual[usual] / both.loc[usual, "price_noise_sd"]
    assert z.std() == pytest.approx(1.0, abs=0.03) and abs(z.mean()) < 0.03 and z.abs().max() < 6.5
    wide = residual[mix] / np.hypot(both.loc[mix, "price_noise_sd"], both.loc[mix, "product_mix_sd"])
    assert mix.sum() > 1000 and wide.std() == pytest.approx(1.0, abs=0.05)
    assert both.loc[large, "product_mix"].mean() == pytest.approx(both.loc[large, "mix_probability"].mean(), abs=0.01)
    odd = residual[both["odd_shipment"]]
    assert len(odd) > 50 and abs(odd.mean() - synth.ODD_PRICE_SHIFT[0]) < 0.2
    # a level shift happens in a month with the series' rate and then stays
    series = latent.sort_values("month").groupby(["hsk_code", "trade_flow", "country_name"])
    moved = series["level_shift"].diff().abs() > 0
    assert 0.005 < moved.mean() < 0.05


def test_tiny_months_are_those_under_a_tenth_of_the_series_median_weight(panel):
    light = panel.copy()
    row = _row(panel, PRICE_ROW)
    series = (light["hsk_code"] == PRICE_ROW[0]) & (light["country_code"] == "CN")
    light.loc[row, "weight_kg"] = 0.05 * light.loc[series, "weight_kg"].median()
    empty = _row(panel, FREIGHT_ROW)
    light.loc[empty, ["weight_kg", "value_usd"]] = 0.0
    tiny = ceiling.tiny_months(light)
    assert np.flatnonzero(tiny).tolist() == [row]  # a month without imports is not a tiny shipment


def test_oracle_with_the_detector_s_expected_price_or_odd_months_changes_only_those_rows(panel, prior):
    latent = hand_latent(panel)
    full = ceiling.oracle_scores(panel, latent, prior, expected_log_price=latent["expected_log_price"].to_numpy())
    same = ceiling.oracle_scores(
        panel, latent, prior, expected_log_price=latent["expected_log_price"].to_numpy(), odd=np.zeros(len(panel), bool)
    )
    pd.testing.assert_frame_equal(full, same)
    filtered = ceiling.oracle_scores(panel, latent, prior)  # no shifts: the filter agrees up to its grid
    assert np.allclose(filtered["score"], full["score"], atol=0.05, rtol=0.1, equal_nan=True)
    row = _row(panel, PRICE_ROW)
    expected = latent["expected_log_price"].to_numpy().copy()
    expected[row] += np.log(0.25)  # an estimate that already expects the quarter price
    fooled = ceiling.oracle_scores(panel, latent, prior, expected_log_price=expected)
    expected = latent["expected_log_price"].to_numpy()
    assert not fooled.at[row, "flag"] and fooled.drop(index=row).equals(full.drop(index=row))
    odd = np.zeros(len(panel), bool)
    odd[row] = True  # an odd shipment may sit far from its price: less suspicious
    excused = ceiling.oracle_scores(panel, latent, prior, expected_log_price=expected, odd=odd)
    assert excused.at[row, "score"] < full.at[row, "score"] and excused.drop(index=row).equals(full.drop(index=row))


def test_knowledge_gaps_compare_the_oracle_without_each_piece_with_the_detector(panel):
    from customs_anomaly.inject import inject_anomalies

    spec = InjectionSpec(counts={"d": 5, "e": 3})
    injections = {seed: inject_anomalies(panel, seed=seed, spec=spec) for seed in (0, 1)}
    latent = hand_latent(panel)
    # a "detector" whose expected price is the generator's: it must tie the oracle on that variant
    scores = {
        seed: pd.DataFrame(
            {"expected_unit_price_usd_per_kg": np.exp(latent["expected_log_price"].to_numpy())}, index=panel.index
        )
        for seed in injections
    }
    per_seed = [
        {"seed": seed, "ap": 0.5, "p_at_100": 0.1, "r_at_5pct": 0.6, "value_capture_1pct": 0.7} for seed in injections
    ]
    table = ceiling.knowledge_gaps(panel, injections, latent, DetectorRun("toy", 0.0, 0.0, per_seed, scores), spec=spec)
    labels = ceiling.KNOWLEDGE_VARIANTS
    assert table.index.tolist() == [*labels.values(), "toy"]
    # no level shifts: the filter's level stays at 0, as the known-level variants assume (up to the
    # level grid's width)
    assert table.loc[labels["detector_expected"], "ap"] == pytest.approx(table.loc[labels["all"], "ap"], abs=0.02)
    assert table.loc[labels["known_levels"], "ap"] == pytest.approx(table.loc[labels["all"], "ap"], abs=0.02)
    assert table.loc["toy", "ap"] == 0.5
    # 8 labelled of 72 test rows (random AP 0.11); the panel's own quarter-price and freight rows
    # are unlabelled here and rightly rank first, so the oracle's AP stays below 1
    assert table.loc[labels["all"], "ap"] > 0.7


def shifted_panel() -> pd.DataFrame:
    """Two series at 10 USD/kg, 5% noise: 0302110000 moves to 20 USD/kg for good from 2024-09 (a
    legitimate level shift), 0303000000 is at 20 USD/kg in 2024-09 only (a misdeclared month)."""
    rng = np.random.default_rng(7)
    rows = []
    for code in ("0302110000", "0303000000"):
        for month in config.month_range():
            price = 10.0 * np.exp(rng.normal(0.0, 0.05))
            shifted = (
                month >= pd.Timestamp("2024-09-01") if code == "0302110000" else month == pd.Timestamp("2024-09-01")
            )
            rows.append({"month": month, "hsk_code": code, "price": price * (2.0 if shifted else 1.0)})
    frame = pd.DataFrame(rows)
    return (
        known_panel()
        .iloc[: len(frame)]
        .assign(
            month=frame["month"].astype("datetime64[ns]"),
            hsk_code=frame["hsk_code"],
            unit_price_usd_per_kg=frame["price"],
            weight_kg=1000.0,
            value_usd=1000.0 * frame["price"],
            freight_krw_per_kg=20.0,  # one freight level: no freight anomaly
            total_freight_krw=20_000.0,
        )
    )


def test_a_level_shift_that_persists_is_legitimate_and_a_one_month_jump_is_not():
    panel = shifted_panel()
    latent = panel[list(config.PANEL_KEY)].assign(
        trade_flow="I",
        expected_log_price=np.log(10.0),
        price_noise_sd=0.05,
        mix_probability=0.0,
        product_mix_sd=0.0,
        level_shift_rate=0.02,
        odd_shipment=False,
        level_shift=0.0,
        product_mix=False,
    )
    prior = ceiling.price_factor_prior(known_panel())
    scores = ceiling.oracle_scores(panel, latent, prior)["score"]
    at = {
        (code, month): scores[(panel["hsk_code"] == code) & (panel["month"] == month)].iloc[0]
        for code in ("0302110000", "0303000000")
        for month in ("2024-09-01", "2024-10-01")
    }
    assert at[("0303000000", "2024-09-01")] > 5.0  # a one-month x2: misdeclared
    assert at[("0302110000", "2024-09-01")] < 0.0  # the same x2, but every later month follows it
    assert at[("0302110000", "2024-10-01")] < 0.0
    # told that the level never shifts, the oracle calls every month of the new level misdeclared
    rigid = ceiling.oracle_scores(panel, latent.assign(level_shift_rate=0.0), prior)["score"]
    assert rigid[(panel["hsk_code"] == "0302110000") & (panel["month"] >= "2024-09-01")].min() > 5.0


def test_scoring_only_the_changed_series_equals_scoring_the_whole_injected_panel(panel, prior):
    from customs_anomaly.inject import inject_anomalies

    latent = hand_latent(panel, shift_rate=0.02)
    clean_scores = ceiling.oracle_scores(panel, latent, prior)
    result = inject_anomalies(panel, seed=1, spec=InjectionSpec(counts={"d": 3, "a": 2}))
    injected = result.panel.drop(columns=list(config.LABEL_COLUMNS))
    patched = ceiling.injected_oracle_scores(panel, clean_scores, injected, latent, prior)
    pd.testing.assert_frame_equal(patched, ceiling.oracle_scores(injected, latent, prior))
    assert ceiling.price_changed(panel, injected).sum() == 3


def test_filtered_ratio_without_shifts_is_the_closed_form_ratio_up_to_the_grid(prior):
    residual = np.array([0.0, 0.1, -0.7, 1.2, -1.5])
    noise = {"noise_sd": np.full(5, 0.1), "odd": np.zeros(5, bool), "mix_probability": np.full(5, 0.1)}
    noise["mix_sd"] = np.full(5, 0.5)
    filtered = ceiling.filtered_log_ratio(
        np.arange(5), np.full(5, 3), residual, noise, np.zeros(5), np.ones(5, bool), prior, n_months=6
    )
    closed = ceiling.log_likelihood_ratio(residual, noise["noise_sd"], noise["odd"], prior, 0.1, 0.5)
    assert np.allclose(filtered, closed, atol=0.05)
    assert filtered[3] > 0 > filtered[1]
