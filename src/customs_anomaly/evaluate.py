"""Metrics of a ranking against injected labels, as a customs service would read them: how many
true cases are in a review queue it can afford, and how much misdeclared value they carry."""

from __future__ import annotations

import numpy as np
import pandas as pd

from customs_anomaly import config
from customs_anomaly.anomaly_types import ALL_TYPES, FREIGHT_GROUP, TYPES_OF_GROUP


def _order(scores) -> np.ndarray:
    """Indices from most to least suspicious; NaN scores last; ties keep input order."""
    values = np.asarray(scores, dtype=float)
    keyed = np.where(np.isnan(values), -np.inf, values)
    return np.argsort(-keyed, kind="stable")


def precision_at_k(scores, labels, k: int) -> float:
    """Share of anomalies among the `k` rows with the highest scores (a review queue of k rows)."""
    labels = np.asarray(labels, dtype=bool)
    return float(labels[_order(scores)[:k]].mean()) if k > 0 else float("nan")


def recall_at_share(scores, labels, share: float) -> float:
    """Recall within a review budget of the top `share` of rows."""
    labels = np.asarray(labels, dtype=bool)
    k = int(np.floor(share * len(labels)))
    return float(labels[_order(scores)[:k]].sum() / labels.sum()) if labels.any() else float("nan")


def average_precision(scores, labels) -> float:
    """Mean of precision at the rank of every positive (sklearn's definition when no ties/NaN)."""
    labels = np.asarray(labels, dtype=bool)
    if not labels.any():
        return float("nan")
    ranked = labels[_order(scores)]
    hits = np.cumsum(ranked)
    return float((hits[ranked] / (np.flatnonzero(ranked) + 1)).mean())


EFFORT_RECALL = 0.75  # review effort: rows read, in score order, until this share of anomalies is found


def rows_for_recall(scores, labels, recall: float) -> float:
    """How many top-ranked rows must be reviewed to find `recall` of the positives (NaN scores
    last); NaN without positives."""
    labels = np.asarray(labels, dtype=bool)
    if not labels.any():
        return float("nan")
    needed = int(np.ceil(recall * labels.sum()))
    found = np.cumsum(labels[_order(scores)])
    return float(np.searchsorted(found, needed) + 1)


def value_capture(scores, misdeclared_usd, share: float) -> float:
    """Share of the total misdeclared USD found in the top `share` of rows."""
    values = np.asarray(misdeclared_usd, dtype=float)
    k = int(np.floor(share * len(values)))
    total = values.sum()
    return float(values[_order(scores)[:k]].sum() / total) if total > 0 else float("nan")


def flag_metrics(flags, labels) -> dict:
    flags, labels = np.asarray(flags, dtype=bool), np.asarray(labels, dtype=bool)
    tp = int((flags & labels).sum())
    precision = tp / flags.sum() if flags.any() else 0.0
    recall = tp / labels.sum() if labels.any() else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1), "flagged": int(flags.sum())}


def evaluate_scores(
    scores: pd.DataFrame,
    injected_panel: pd.DataFrame,
    misdeclared_usd: pd.Series | None = None,
    test_start: pd.Timestamp = config.TEST_START,
    test_end: pd.Timestamp = config.STUDY_END,
) -> dict:
    """All metrics over the test window. Every test row is a candidate (zero-weight rows too: a
    detector that ranks them high pays for it); scores must be aligned row by row with the panel."""
    if len(scores) != len(injected_panel):
        raise ValueError("scores and panel must have the same rows in the same order")
    in_test = injected_panel["month"].between(test_start, test_end).to_numpy()
    labels = injected_panel["is_anomaly"].to_numpy(dtype=bool)[in_test]
    kinds = injected_panel["anomaly_type"].to_numpy()[in_test]
    score = scores["score"].to_numpy(dtype=float)[in_test]
    flags = scores["flag"].to_numpy(dtype=bool)[in_test]
    n_positive = int(labels.sum())
    result = {
        "test_rows": int(in_test.sum()),
        "anomalies": n_positive,
        "p_at_100": precision_at_k(score, labels, 100),
        "r_at_5pct": recall_at_share(score, labels, 0.05),
        "r_at_1pct": recall_at_share(score, labels, 0.01),
        "ap": average_precision(score, labels),
        "rows_for_75pct": rows_for_recall(score, labels, EFFORT_RECALL),
        **{f"all_{k}": v for k, v in flag_metrics(flags, labels).items()},
    }
    for group, types in TYPES_OF_GROUP.items():
        members = np.isin(kinds, types)
        # precision for a group: flagged rows that are anomalies of that group, among flagged rows
        group_metrics = flag_metrics(flags, members)
        key = "freight" if group == FREIGHT_GROUP else "price"
        result.update({f"{key}_{k}": v for k, v in group_metrics.items() if k != "flagged"})
    ranked = np.zeros(len(score), dtype=bool)
    ranked[_order(score)[: int(np.floor(0.05 * len(score)))]] = True
    for kind in ALL_TYPES:
        members = kinds == kind
        result[f"recall_flag_{kind}"] = float(flags[members].mean()) if members.any() else float("nan")
        result[f"recall_5pct_{kind}"] = float(ranked[members].mean()) if members.any() else float("nan")
    if misdeclared_usd is not None:
        values = np.asarray(misdeclared_usd, dtype=float)[in_test]
        result["value_capture_1pct"] = value_capture(score, values, 0.01)
        result["value_capture_5pct"] = value_capture(score, values, 0.05)
    return result


def summarise_over_seeds(results: list[dict]) -> pd.DataFrame:
    """Mean and standard deviation of every numeric metric over injection seeds."""
    frame = pd.DataFrame(results).drop(columns=["seed"], errors="ignore").select_dtypes("number")
    return pd.DataFrame({"mean": frame.mean(), "std": frame.std(ddof=1) if len(frame) > 1 else 0.0})


def case_outcomes(panel: pd.DataFrame, flags, misdeclared_usd) -> pd.DataFrame:
    """What a review queue made of each multi-month scheme of an injected panel (`scheme_id`):
    caught when any of its rows is flagged; the first flagged month; the delay in months from the
    scheme's first month to it; the misdeclared USD of the scheme and the part of it from the first
    flagged month on (what acting on the first flag recovers). `flags` and `misdeclared_usd` are
    aligned with the panel's rows. Columns: scheme_id, anomaly_type, start, months, caught,
    first_flag, delay_months, value_usd, recovered_usd."""
    flags = np.asarray(flags, dtype=bool)
    value = np.asarray(misdeclared_usd, dtype=float)
    ids = panel[config.SCHEME_COLUMN].to_numpy()
    rows = []
    for scheme in sorted(set(ids) - {""}):
        member = ids == scheme
        months = panel["month"].to_numpy()[member]
        flagged = flags[member]
        start = pd.Timestamp(months.min())
        first = pd.Timestamp(months[flagged].min()) if flagged.any() else pd.NaT
        delay = (first.year - start.year) * 12 + first.month - start.month if flagged.any() else np.nan
        recovered = value[member][months >= np.datetime64(first)].sum() if flagged.any() else 0.0
        rows.append(
            {
                "scheme_id": scheme,
                "anomaly_type": panel["anomaly_type"].to_numpy()[member][0],
                "start": start,
                "months": int(member.sum()),
                "caught": bool(flagged.any()),
                "first_flag": first,
                "delay_months": delay,
                "value_usd": float(value[member].sum()),
                "recovered_usd": float(recovered),
            }
        )
    return pd.DataFrame(rows)


def case_summary(outcomes: pd.DataFrame) -> dict:
    """The scheme protocol's case metrics: schemes, the share caught, the median delay of the
    caught ones (months), the share of the misdeclared value recovered from the first flag on,
    and the share caught per scheme type (`caught_<type>`)."""
    caught = outcomes["caught"]
    total = outcomes["value_usd"].sum()
    return {
        "schemes": len(outcomes),
        "caught_share": float(caught.mean()) if len(outcomes) else float("nan"),
        "median_delay": float(outcomes.loc[caught, "delay_months"].median()) if caught.any() else float("nan"),
        "recovered_share": float(outcomes["recovered_usd"].sum() / total) if total > 0 else float("nan"),
        **{f"caught_{kind}": float(group.mean()) for kind, group in caught.groupby(outcomes["anomaly_type"])},
    }
