"""Chapter 05: the original's detectors rebuilt faithfully but correctly, the practitioners'
baselines, and the improved detector, fitted on the training months."""

from __future__ import annotations

import numpy as np
import pandas as pd

from customs_anomaly import config, items, plots
from customs_anomaly.detectors.lstm_autoencoder import TRAINING_RULE
from customs_anomaly.detectors.lstm_plus import BAND_COVERAGE, BAND_SCALES, CASE_FACTOR
from customs_anomaly.features import (
    ORIGINAL_FEATURES,
    build_windows,
    month_index,
    numeric_matrix,
    original_buggy_windows,
)
from customs_anomaly.inject import ANOMALY_TYPES
from customs_anomaly.original import CAPPED_TRAINING, ORIGINAL_EPOCHS
from customs_anomaly.storage import read_panel, write_table
from customs_anomaly.studies.common import Context, StudyResult, merged
from customs_anomaly.studies.fits import IMPROVED, build_detectors
from customs_anomaly.studies.periods import period_numbers
from customs_anomaly.tables import KEY_COLUMN_LABELS
from customs_anomaly.thresholds import percentile_threshold

WINDOW_MONTHS = 12
CODE_PERCENTILE = 85.0  # the original's report said the top 10% of window errors, its code the 85th percentile
TOP_WINDOWS = 0.01  # model B's largest windows whose share of the squared scaled targets the chapter cites
# Section 4 walks one series through lstm-plus: the planted undervaluation (저가 신고, the commonest
# planted price type and the tariff evasion the book is about) that lstm-plus ranks highest.
WALK_TYPE = "d"


def scores_path(context: Context, name: str):
    """Where chapter 05 writes a detector's scores of the injected panel (chapter 07 reads them)."""
    return context.paths.processed / f"scores_{name}.parquet"


def modeling_study(context: Context) -> StudyResult:
    """Chapter 05, section by section. What several sections share is computed once here: the
    panel, the injected panel, every detector's fit and its scores of the injected panel (written
    for chapter 07) and the test year's rows."""
    panel = read_panel(context.paths.panel)
    injected = read_panel(context.paths.injected_panel)
    detectors = build_detectors(context, panel)
    scores = {name: detector.score(injected) for name, detector in detectors.items()}
    for name, frame in scores.items():
        write_table(frame, scores_path(context, name))
    test = injected["month"].between(config.TEST_START, config.STUDY_END).to_numpy()
    return merged(
        detector_settings_section(detectors),
        windows_section(panel),
        training_section(context, panel, detectors),
        thresholds_section(panel, injected, detectors, scores, test),
        improved_detector_section(detectors[IMPROVED], scores[IMPROVED], test),
        series_walk_section(panel, injected, detectors[IMPROVED], scores[IMPROVED], test),
    )


def detector_settings_section(detectors: dict) -> StudyResult:
    """The chapter's opening: the training cut-off and the settings of the rules and baselines."""
    numbers = {
        **period_numbers("train_until"),
        "rules_deviation_limit": detectors["rules"].params["deviation_limit"],
        "rules_oil_percentile": detectors["rules"].params["oil_ratio_percentile"],
        "b_embedding_dim": detectors["lstm-b"].params["embedding_dim"],
        "n_original_features": len(ORIGINAL_FEATURES),
        "fair_months": detectors["fair-price"].params["months"],
        "fair_low": detectors["fair-price"].params["low"],
        "fair_high": detectors["fair-price"].params["high"],
        "robust_k": detectors["robust"].params["k"],
    }
    return StudyResult(numbers)


def windows_section(panel: pd.DataFrame) -> StudyResult:
    """Section 1 (the original code's two errors and the correct window): the windows the
    original's code builds against the windows of one item and country each."""
    matrix = numeric_matrix(panel)
    correct = build_windows(panel, matrix, WINDOW_MONTHS)
    buggy = original_buggy_windows(panel, matrix, WINDOW_MONTHS)
    numbers = {
        "window_months": WINDOW_MONTHS,
        "windows_correct": len(correct.values),
        "windows_skipped": correct.skipped_gaps,
        "buggy_full": buggy["full_length"],
        "buggy_short": buggy["shorter"],
        "buggy_empty": buggy["empty"],
        "buggy_mixed": buggy["mixing_countries"],
    }
    table = pd.DataFrame(
        {
            "방식": ["원 코드(HSK 코드별, data[i:time_steps])", "이 책(품목 × 국가별, data[i:i+12], 공백 건너뜀)"],
            "12개월 창": [buggy["full_length"], len(correct.values)],
            "짧은 창": [buggy["shorter"], 0],
            "빈 창": [buggy["empty"], 0],
            "여러 나라가 섞인 창": [buggy["mixing_countries"], 0],
        }
    )
    return StudyResult(numbers, {"table_windows": table})


def training_section(context: Context, panel: pd.DataFrame, detectors: dict) -> StudyResult:
    """Section 2 (training): the epochs, the training rule, each fit's time, the networks' loss
    curves and why model B's loss hardly moves."""
    numbers = {
        "n_epochs": context.profile.original_epochs,
        "original_epochs": ORIGINAL_EPOCHS,
        "n_plus_epochs": context.profile.plus_epochs,
        "train_windows_a": detectors["lstm-a"].train_windows_,
        **model_b_targets(detectors["lstm-b"], panel),
        **training_numbers(detectors),
    }
    fit_times = pd.DataFrame(
        {"탐지기": list(detectors), "학습 시간(초)": [round(d.fit_seconds_ or 0.0, 1) for d in detectors.values()]}
    )
    histories = {name: detectors[name].loss_history_ for name in ("lstm-a", "lstm-b")}
    return StudyResult(numbers, {"table_fit_times": fit_times}, {"fig_loss": plots.loss_curves(histories)})


def thresholds_section(panel: pd.DataFrame, injected: pd.DataFrame, detectors: dict, scores: dict, test) -> StudyResult:
    """Section 3 (scores and thresholds): what every detector flags in the test year, and why
    model A's 'top 10%' threshold flags most of it."""
    overview = pd.DataFrame(
        {
            name: {
                "지적한 시험 연도 행": int(frame.loc[test, "flag"].sum()),
                "지적 비율": float(frame.loc[test, "flag"].mean()),
                "점수 없는 시험 연도 행": int(frame.loc[test, "score"].isna().sum()),
            }
            for name, frame in scores.items()
        }
    ).T
    model_a = detectors["lstm-a"]
    train_errors = model_a.decision_function(panel, rows=(panel["month"] <= config.TRAIN_UNTIL).to_numpy())
    a_test_scores = scores["lstm-a"].loc[test, "score"]
    reported_percentile = model_a.params["threshold_percentile"]
    thresholds = {q: percentile_threshold(train_errors, q) for q in (reported_percentile, CODE_PERCENTILE)}
    numbers = {
        "a_unscored_share": float(a_test_scores.isna().mean()),
        "rules_flag_share": float(overview.loc["rules", "지적 비율"]),
        "a_flags_top10": int((a_test_scores > thresholds[reported_percentile]).sum()),
        "a_flags_p85": int((a_test_scores > thresholds[CODE_PERCENTILE]).sum()),
        "a_top_share": 1 - reported_percentile / 100,
        "code_top_share": 1 - CODE_PERCENTILE / 100,
        "code_percentile": CODE_PERCENTILE,
        **model_a_thresholds(
            train_errors,
            thresholds[reported_percentile],
            thresholds[CODE_PERCENTILE],
            scores["lstm-a"],
            injected["month"],
        ),
    }
    return StudyResult(numbers, {"table_overview": overview})


def improved_detector_section(plus, plus_scores: pd.DataFrame, test) -> StudyResult:
    """Section 4 (the improved detector lstm-plus): its settings, its noise model, its training and
    the test-year rows of the injected panel it flags first."""
    params = plus.params
    plus_flagged = plus_scores[plus_scores["flag"] & test]
    numbers = {
        "plus_budget_share": params["budget_share"],
        "plus_k": params["k"],
        "plus_neighbour_weight": params["neighbour_weight"],
        "plus_factor_low": params["misdeclaration_factors"][0],
        "plus_factor_high": params["misdeclaration_factors"][1],
        "plus_freight_tolerance": params["freight_tolerance"],
        "plus_memory_near": params["memory_lag"][0],
        "plus_memory_far": params["memory_lag"][1],
        "plus_memory_penalty": params["memory_penalty"],
        "plus_newcomer_months": params["newcomer_months"],
        "plus_case_factor": CASE_FACTOR,
        **noise_examples(plus),
        "plus_samples": plus.train_samples_,
        "plus_last_loss": plus.loss_history_[-1],
        "plus_flagged_test": len(plus_flagged),
    }
    table = (
        plus_flagged.sort_values("score", ascending=False)
        .head(8)[["month", "hsk_code", "country_code", "score", "reason"]]
        .assign(month=lambda df: df["month"].dt.strftime("%Y-%m"))
        .rename(columns={**KEY_COLUMN_LABELS, "score": "점수", "reason": "이유"})
    )
    return StudyResult(numbers, {"table_plus_flagged": table})


def series_walk_section(
    panel: pd.DataFrame, injected: pd.DataFrame, plus, plus_scores: pd.DataFrame, test
) -> StudyResult:
    """Section 4 (one series through lstm-plus): the planted undervaluation (WALK_TYPE) of the
    test year that lstm-plus ranks highest, read from the fitted detector (`network_view`: the
    window its network reads, its prediction, band and error in units of its predicted scale) and
    from its analysis of the injected panel (the statistical part, the parts of the score, the
    final score); the series' prices of the injected and of the clean panel."""
    planted = (injected["anomaly_type"] == WALK_TYPE).to_numpy() & test
    row = int(np.nanargmax(np.where(planted, plus_scores["score"].to_numpy(dtype=float), np.nan)))
    view = plus.network_view(injected, row)
    found, key = plus_scores.iloc[row], injected.iloc[row]
    series = injected[(injected["hsk_code"] == key["hsk_code"]) & (injected["country_code"] == key["country_code"])]
    clean = panel.set_index(list(config.PANEL_KEY)).loc[tuple(key[list(config.PANEL_KEY)]), "unit_price_usd_per_kg"]
    walk = {
        "declared_price": float(key["unit_price_usd_per_kg"]),
        "clean_price": float(clean),
        "neighbour_price": float(found["neighbour_median_unit_price_usd_per_kg"]),
        "expected_price": float(found["expected_unit_price_usd_per_kg"]),
        "expected_low": float(found["expected_low_unit_price_usd_per_kg"]),
        "expected_high": float(found["expected_high_unit_price_usd_per_kg"]),
        "expected_coverage": BAND_COVERAGE,
        "band_scales": BAND_SCALES,
        "lstm_score": float(found["lstm_price_score"]),
        "statistical_score": float(found["statistical_price_score"]),
        "month_score": float(found["month_score"]),
        "memory_score": float(found["memory_score"]),
        "memory_penalty": plus.params["memory_penalty"],
        "peer_score": float(found["peer_score"]),
        "score": float(found["score"]),
        "threshold": plus.threshold_,
    }
    item = items.short_names(pd.Series([key["hsk_code"]]), pd.Series([key["item_name"]])).iloc[0]
    title = f"한 시계열이 lstm-plus를 지나는 길: {item} · {key['country_name']}, {key['month']:%Y-%m}"
    prices = series.set_index("month")["unit_price_usd_per_kg"]
    scores = plus_scores["score"].to_numpy(dtype=float)[test]
    numbers = {
        "walk_type_name": ANOMALY_TYPES.set_index("type").at[WALK_TYPE, "name"],
        "walk_planted": int(planted.sum()),
        "walk_rank": int((scores > walk["score"]).sum()) + 1,
        "walk_test_scored": int(np.isfinite(scores).sum()),
        "walk_item": item,
        "walk_hsk": key["hsk_code"],
        "walk_country": key["country_name"],
        "walk_month": f"{key['month']:%Y-%m}",
        "walk_weight_t": float(key["weight_kg"]) / 1000,
        "walk_injected_ratio": walk["declared_price"] / walk["clean_price"],
        **walk_numbers(view, walk, found),
    }
    return StudyResult(numbers, figures={"fig_series_walk": plots.series_walk(view, walk, prices, title)})


def walk_numbers(view, walk: dict, found: pd.Series) -> dict:
    """The numbers section 4's walk-through cites: the window, the network's prediction, band and
    error, the statistical part, the expected price, the parts of the score and the final score."""
    month_score, memory = walk["month_score"], walk["memory_score"] - walk["memory_penalty"]
    parts = {"한 달 점수": month_score, "기억 부분": memory, "동료 부분": walk["peer_score"]}
    return {
        "walk_window_start": f"{view.inputs.index[0]:%Y-%m}",
        "walk_window_end": f"{view.inputs.index[-1]:%Y-%m}",
        "walk_window_months": len(view.inputs),
        "walk_channels": view.inputs.shape[1],
        "walk_declared_price": walk["declared_price"],
        "walk_clean_price": walk["clean_price"],
        "walk_network_price": view.expected_unit_price,
        "walk_network_low": view.low_unit_price,
        "walk_network_high": view.high_unit_price,
        "walk_band_scales": BAND_SCALES,
        "walk_band_coverage": 1 - np.exp(-BAND_SCALES),  # a Laplace variable within that many scales
        "walk_z": view.z,
        "walk_neighbour_price": walk["neighbour_price"],
        "walk_expected_price": walk["expected_price"],
        "walk_expected_low": walk["expected_low"],
        "walk_expected_high": walk["expected_high"],
        "walk_expected_coverage": BAND_COVERAGE,
        "walk_price_ratio": float(found["price_ratio"]),
        "walk_lstm_score": walk["lstm_score"],
        "walk_statistical_score": walk["statistical_score"],
        "walk_month_score": month_score,
        "walk_memory_score": walk["memory_score"],
        "walk_history_months": int(found["history_months"]),
        "walk_deciding_part": max(parts, key=lambda name: np.nan_to_num(parts[name], nan=-np.inf)),
        "walk_freight_score": float(found["freight_score"]),
        "walk_score": walk["score"],
        "walk_threshold": walk["threshold"],
        "walk_reason": found["reason"] or "(지적되지 않음)",
    }


def noise_examples(plus) -> dict:
    """What the improved detector's noise model makes of a x3 in its smallest and its largest
    cell (month and series size both at the ends), and its 95% band there (as a factor)."""
    noise = plus.noise_
    n_month, n_series = len(noise.month_edges) + 1, len(noise.series_edges) + 1
    cells = np.array([0, n_month * n_series - 1])  # the smallest and the largest sizes
    llr = noise.log_ratio(np.full(2, np.log(3.0)), cells)
    band = np.exp(noise.band(cells))
    return {
        "plus_noise_cells": n_month * n_series,
        "plus_noise_components": noise.weights.shape[1],
        "plus_llr_small_x3": float(llr[0]),
        "plus_llr_large_x3": float(llr[1]),
        "plus_band_small": float(band[0]),
        "plus_band_large": float(band[1]),
    }


def model_a_thresholds(
    train_errors: np.ndarray, top10: float, p85: float, analysis: pd.DataFrame, months: pd.Series
) -> dict:
    """Why model A's 'top 10%' flags most of the test year: the share of the scored training rows
    each threshold flags (10% and 15% by construction), the share of the scored test-year rows
    the detector's own threshold flags, the test months in which it flags every scored row, and
    the median error of the last test month in multiples of that threshold."""
    train_errors = train_errors[np.isfinite(train_errors)]
    test = months.between(config.TEST_START, config.STUDY_END).to_numpy()
    score, flag = analysis["score"].to_numpy(dtype=float), analysis["flag"].to_numpy(dtype=bool)
    scored = test & np.isfinite(score)
    by_month = pd.DataFrame({"flag": flag[scored], "score": score[scored]}).groupby(months.to_numpy()[scored])
    return {
        "a_train_share_top10": float((train_errors > top10).mean()),
        "a_train_share_p85": float((train_errors > p85).mean()),
        "a_scored_test": int(scored.sum()),
        "a_test_share": float(flag[scored].mean()),
        "a_test_months": by_month.ngroups,
        "a_months_all_flagged": int(by_month["flag"].all().sum()),
        "a_last_month_error_ratio": float(by_month["score"].median().iloc[-1] / top10),
    }


def model_b_targets(model_b, panel: pd.DataFrame) -> dict:
    """Why model B's loss hardly moves: its targets are its RobustScaler-scaled training windows
    (those it trained on: the held-out last months left out, as `train_network` does),
    whose mean square (the loss of reconstructing every value by its median) is made by a few
    windows of huge flows. The first and last epoch's loss, that mean square, the median window's
    mean square, the share of the sum of squares in the top TOP_WINDOWS of the windows, the largest
    scaled value (in IQRs from the median)."""
    train = panel[panel["month"] <= config.TRAIN_UNTIL].reset_index(drop=True)
    windows = build_windows(train, model_b.scaler_.transform(numeric_matrix(train)), model_b.params["window"])
    months = month_index(train["month"].iloc[windows.last_rows])
    trained = windows.values[months <= months.max() - model_b.params["validation_months"]]  # as train_network
    square = (trained**2).mean(axis=(1, 2))
    top = np.sort(square)[::-1][: max(1, int(len(square) * TOP_WINDOWS))]
    return {
        "b_loss_first": model_b.loss_history_[0],
        "b_loss_last": model_b.loss_history_[-1],
        "b_target_mean_square": float(square.mean()),
        "b_median_window_square": float(np.median(square)),
        "b_top_windows": TOP_WINDOWS,
        "b_top_windows_share": float(top.sum() / square.sum()),
        "b_max_scaled": float(np.abs(trained).max()),
    }


def training_numbers(detectors: dict) -> dict:
    """The one training rule of every network, the epochs each network of this build ran, and what
    the full profile's cap on models A and B was measured to change (`original.CAPPED_TRAINING`)."""
    capped = CAPPED_TRAINING
    return {
        "validation_months": TRAINING_RULE["validation_months"],
        "patience": TRAINING_RULE["patience"],
        "a_epochs_run": len(detectors["lstm-a"].loss_history_),
        "b_epochs_run": len(detectors["lstm-b"].loss_history_),
        "plus_epochs_run": len(detectors[IMPROVED].loss_history_),
        "capped_cap": capped["cap"],
        "capped_seeds": len(capped["injection_seeds"]),
        "a_ap_capped": capped["lstm-a"]["ap_capped"],
        "a_ap_uncapped": capped["lstm-a"]["ap_uncapped"],
        "a_epochs_uncapped": capped["lstm-a"]["epochs_run"],
        "a_best_uncapped": capped["lstm-a"]["best_epoch"],
        "b_ap_capped": capped["lstm-b"]["ap_capped"],
        "b_ap_uncapped": capped["lstm-b"]["ap_uncapped"],
        "b_epochs_uncapped": capped["lstm-b"]["epochs_run"],
        "b_epoch_seconds": capped["lstm-b"]["epoch_seconds"],
    }
