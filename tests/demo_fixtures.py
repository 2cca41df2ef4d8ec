"""Scores in the contract's shape for a small panel, with known flagged rows and reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
from panel_builders import SERIES, tiny_panel

from customs_anomaly import config

# The expected-price band of `with_expected_prices`, as factors of the expected price.
BAND_FACTORS = (0.8, 1.25)


def panel_and_scores(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    panel = tiny_panel(seed=seed)
    scores = panel[list(config.PANEL_KEY)].copy()
    scores["score"] = np.linspace(0, 1, len(panel))
    in_test = panel["month"].between(config.TEST_START, config.STUDY_END) & (panel["weight_kg"] > 0)
    flagged_index = panel.index[in_test][::7][:12]
    scores["flag"] = scores.index.isin(flagged_index)
    scores.loc[flagged_index, "score"] = 10.0 + np.arange(len(flagged_index))
    reasons = np.where(
        np.arange(len(flagged_index)) % 3 == 0,
        "운임/kg가 지역·월 수준의 3.10배",
        "단가가 동일 품목 국가 간 중앙값의 0.31배",
    )
    scores["reason"] = ""
    scores.loc[flagged_index, "reason"] = reasons
    scores["reason_group"] = ""
    scores.loc[flagged_index, "reason_group"] = np.where(np.arange(len(flagged_index)) % 3 == 0, "운임", "단가")
    return panel, scores


def with_expected_prices(panel: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """The scores with an expected unit price per priced row, as `lstm-plus` writes it: the series'
    base price of `panel_builders.SERIES`, and a band of BAND_FACTORS around it."""
    base = {(code, country): price for code, _, country, _, _, price in SERIES}
    expected = pd.Series(
        [base[key] for key in zip(panel["hsk_code"], panel["country_code"])], index=panel.index, dtype=float
    ).where(panel["weight_kg"] > 0)
    low, high = BAND_FACTORS
    return scores.assign(
        expected_unit_price_usd_per_kg=expected,
        expected_low_unit_price_usd_per_kg=expected * low,
        expected_high_unit_price_usd_per_kg=expected * high,
    )
