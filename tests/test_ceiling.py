"""The noise ceiling: the replica's hidden price model is the one its records were drawn from, and
the oracle ranks rows as the likelihood ratio says, on a hand-made panel whose latent prices are
known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customs_anomaly import ceiling, config, synth
from customs_anomaly.experiments import DetectorRun
from customs_anomaly.inject import InjectionSpec
from test_price_detectors import FREIGHT_ROW, PRICE_ROW, PRICES, _row, known_panel


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return known_panel()


def hand_latent(panel: pd.DataFrame) -> pd.DataFrame:
    """The known panel's generator: each code's price exactly, 8% noise, no odd shipments."""
    latent = panel[list(config.PANEL_KEY)].copy()
    latent["trade_flow"] = "I"
    latent["expected_log_price"] = np.log(panel["hsk_code"].map(PRICES))
    latent["price_noise_sd"] = 0.08
    latent["odd_shipment"] = False
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
    usual, odd = (ceiling.log_likelihood_ratio(np.array(1.0), np.array(0.2), np.array(flag), prior) for flag in (False, True))
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


def test_ceiling_table_says_which_targets_lie_above_the_oracle():
    summary = pd.DataFrame({"mean": [0.8, 0.9], "std": [0.0, 0.0]},
                           index=pd.MultiIndex.from_tuples([("x", "ap"), ("x", "r_at_5pct")], names=["detector", "metric"]))
    oracle = DetectorRun("oracle", 0.0, 0.0, [{"seed": 0, "ap": 0.9, "r_at_5pct": 0.94}], {})
    table = ceiling.ceiling_table(summary, oracle, "x", {"ap": 0.85, "r_at_5pct": 0.95})
    assert table["above_oracle"].tolist() == [False, True]
    assert table.loc[0, "share_of_oracle"] == pytest.approx(0.8 / 0.9)


def test_latent_model_is_the_one_the_replica_records_were_drawn_from():
    records = synth.trade_records(synth.source_rng(0, "trade"))
    latent = synth.latent_price_model(0)
    traded = records[records["weight_kg"] > 0]
    assert len(traded) == len(latent)
    key = ["month", "hsk_code", "trade_flow", "country_name"]
    latent = latent.assign(country_name=latent["country_code"].map(synth.COUNTRY_NAMES)).drop(columns="country_code")
    both = traded.merge(latent, on=key, how="inner", validate="one_to_one")
    assert len(both) == len(traded)
    residual = np.log(both["value_usd"] / both["weight_kg"]) - both["expected_log_price"]
    usual = ~both["odd_shipment"] & (both["value_usd"] >= 1000)  # whole-dollar rounding is negligible there
    z = residual[usual] / both.loc[usual, "price_noise_sd"]
    assert z.std() == pytest.approx(1.0, abs=0.03) and abs(z.mean()) < 0.03 and z.abs().max() < 6.5
    odd = residual[both["odd_shipment"]]
    assert len(odd) > 50 and abs(odd.mean() - synth.ODD_PRICE_SHIFT[0]) < 0.2


def test_ceiling_prose_names_the_unreachable_target_and_the_share(tmp_path):
    table = pd.DataFrame({"metric": ["ap", "r_at_5pct"], "target": [0.85, 0.95], "oracle": [0.9, 0.94],
                          "oracle_std": [0.02, 0.03], "measured": [0.81, 0.9], "share_of_oracle": [0.9, 0.9 / 0.94],
                          "above_oracle": [False, True]})
    labels = {"ap": "AP", "r_at_5pct": "R@5%"}
    text = ceiling.describe_ceiling(table, "lstm-plus", labels)
    assert "AP 0.900, R@5% 0.940" in text and "R@5%(0.95)는 오라클의 시드 평균(R@5% 0.940 ± 0.030)보다도 높습니다" in text and "AP 90%" in text
    table.to_csv(tmp_path / "ceiling.csv", index=False)  # as chapter 08 reads it back
    brief = ceiling.ceiling_brief(pd.read_csv(tmp_path / "ceiling.csv"), labels)
    assert "AP는 0.900" in brief and "그 90%" in brief and "R@5% 목표 0.95는 오라클(0.940)도 도달하지 못합니다" in brief
    assert "도달하지 못합니다" not in ceiling.ceiling_brief(table.assign(above_oracle=False), labels)
    assert "계산하지 않았습니다" in ceiling.ceiling_brief(None, labels)
