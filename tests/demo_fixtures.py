"""Scores in the contract's shape for a small panel, with known flagged rows and reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
from panel_builders import tiny_panel

from customs_anomaly import config


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
