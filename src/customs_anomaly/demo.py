"""The review-queue web page: one self-contained HTML file (data, JavaScript and CSS inline, no
network request) listing the flagged imports of the test year with a detail view per flag."""

from __future__ import annotations

import html
import json
import math
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from customs_anomaly import config
from customs_anomaly.errors import InputError
from customs_anomaly.items import item_group
from customs_anomaly.storage import SCORE_COLUMNS, write_files, write_text
from customs_anomaly.verdicts import STATUSES, verdicts_file_name

KEY = list(config.PANEL_KEY)
TEMPLATE = "review_queue.html"
DEFAULT_TITLE = "관세청 밀수입 의심 거래 심사 목록"
TEST_YEAR = (config.TEST_START, config.STUDY_END)
# The queue's columns as the page's CSV button and the monthly run's file write them: (key in the
# page's rows, Korean header).
QUEUE_COLUMNS = (
    ("rank", "점수 순위"),
    ("stake_rank", "금액 순위"),
    ("month", "기준년월"),
    ("country_name", "국가명"),
    ("country_code", "국가코드"),
    ("region", "지역"),
    ("hsk_code", "HS코드"),
    ("item_name", "품목명"),
    ("item_group", "품목군"),
    ("weight_kg", "중량(kg)"),
    ("value_usd", "신고 금액(USD)"),
    ("unit_price", "단가(USD/kg)"),
    ("expected_price", "예상 단가(USD/kg)"),
    ("expected_low", "예상 범위 하한(USD/kg)"),
    ("expected_high", "예상 범위 상한(USD/kg)"),
    ("peer_low", "국가 간 단가 하한(USD/kg)"),
    ("peer_high", "국가 간 단가 상한(USD/kg)"),
    ("misdeclared_usd", "추정 오신고액(USD)"),
    ("score", "위험 점수"),
    ("month_rank", "그달 점수 순위"),
    ("month_scored", "그달 점수를 매긴 행 수"),
    ("reason_group", "위험 유형"),
    ("reason", "위험 현상"),
    ("case", "사건(시작~최근, 지적된 달 수)"),
    ("case_value", "사건 누적 의심 금액(USD)"),
)
# The columns a queue ranked with reviewers' verdicts adds (`ranker.ranked_monthly_scores`), present
# only when the scores carry them: (score column = key in the page's rows, Korean header, decimals;
# None for text).
RANKER_COLUMNS = (
    ("learned_probability", "학습 모형 이상 확률", 3),
    ("hybrid_score", "혼합 점수", 4),
    ("selected_by", "선정 이유", None),
)
# Per-row case columns a score file may carry (`lstm-plus`'s memory): the first month of the run
# of months straying from the series' lagged level, and the USD at stake over it so far.
CASE_COLUMNS = ("case_start", "case_value_usd", "value_at_stake_usd")
# Where each detector's scores carry the unit price it expected, in order of preference: the page's
# name of the source, and the score columns it needs. `expected_prices` derives the price from them.
EXPECTED_SOURCES = {
    "expected": ("expected_unit_price_usd_per_kg",),  # lstm-plus: expected price and its band
    "reconstruction": ("recon_unit_price_usd_per_kg",),  # the original's LSTM autoencoder
    "fair-price": ("fair_ratio",),  # price / the HSK code's fair price
    "neighbours": ("deviation",),  # log price minus the series' neighbour-month median (robust)
    "band": ("q1", "q3"),  # price-band: a band of peers' prices, no expected price
}
BAND_COLUMNS = ("expected_low_unit_price_usd_per_kg", "expected_high_unit_price_usd_per_kg")
RECON_FREIGHT = "recon_freight_krw_per_kg"  # the autoencoder's freight, drawn in the freight chart
# The scores' columns the queue reads besides the contract's (each once).
DETAIL_COLUMNS = tuple(
    dict.fromkeys([*(c for columns in EXPECTED_SOURCES.values() for c in columns), *BAND_COLUMNS, RECON_FREIGHT])
)
# The numbers of a listed row as the page receives them: (row key, column, decimals).
ROW_NUMBERS = (
    ("weight_kg", "weight_kg", 1),
    ("value_usd", "value_usd", 0),
    ("unit_price", "unit_price", 4),
    ("expected_price", "expected_price", 4),
    ("expected_low", "expected_low", 4),
    ("expected_high", "expected_high", 4),
    ("peer_low", "price_band_low", 4),
    ("peer_high", "price_band_high", 4),
    ("misdeclared_usd", "misdeclared_usd", 0),
    ("freight_per_kg", "freight_krw_per_kg", 2),
    ("freight_level", "freight_level", 2),
)


def peer_bands(panel: pd.DataFrame) -> pd.DataFrame:
    """Per row: interquartile band of the unit price across countries for the same HSK code and
    month, of per-kg freight across the rows of the same region and month, and the region-month
    freight level (the median a freight reason compares with, as `series.freight_log_ratio`)."""
    priced = panel["unit_price_usd_per_kg"].where(panel["weight_kg"] > 0)
    by_item = priced.groupby([panel["hsk_code"], panel["month"]])
    by_region = panel["freight_krw_per_kg"].groupby([panel["region"], panel["month"]])
    return pd.DataFrame(
        {
            "price_band_low": by_item.transform("quantile", q=0.25),
            "price_band_high": by_item.transform("quantile", q=0.75),
            "freight_band_low": by_region.transform("quantile", q=0.25),
            "freight_band_high": by_region.transform("quantile", q=0.75),
            "freight_level": by_region.transform("median"),
        },
        index=panel.index,
    )


def expected_source(columns) -> str:
    """The first source of `EXPECTED_SOURCES` whose columns are all present ('' if none)."""
    return next((name for name, needed in EXPECTED_SOURCES.items() if set(needed) <= set(columns)), "")


def expected_prices(joined: pd.DataFrame) -> pd.DataFrame:
    """Per row: the unit price the detector expected and its band (USD/kg), taken from the score
    columns where the detector wrote them, derived from its analysis columns where it wrote the
    ratio to its reference instead (the reference is what the ratio divides by), NaN where the
    scores hold neither (a band-only detector has a band and no expected price)."""
    source = expected_source(joined.columns)
    price = joined["unit_price_usd_per_kg"].where(joined["weight_kg"] > 0).astype(float)
    nan = pd.Series(np.nan, index=joined.index)

    def column(name: str) -> pd.Series:
        return joined[name].astype(float) if name in joined else nan

    expected = {
        "expected": lambda: column("expected_unit_price_usd_per_kg"),
        "reconstruction": lambda: column("recon_unit_price_usd_per_kg"),
        "fair-price": lambda: price / column("fair_ratio"),
        "neighbours": lambda: price / np.exp(column("deviation")),
    }.get(source, lambda: nan)()
    low, high = (column("q1"), column("q3")) if source == "band" else (column(c) for c in BAND_COLUMNS)
    return pd.DataFrame({"expected_price": expected, "expected_low": low, "expected_high": high}, index=joined.index)


def misdeclared_value(joined: pd.DataFrame) -> pd.Series:
    """USD the declared value falls short of the value at the expected price: weight x expected
    price - declared value (positive: declared below the expected price; negative: above)."""
    return joined["weight_kg"] * joined["expected_price"] - joined["value_usd"]


def month_ranks(joined: pd.DataFrame) -> pd.DataFrame:
    """Per row: its score's rank among the scored rows of its month (1 = highest) and how many
    rows of the month have a score."""
    score = joined["score"].astype(float).where(np.isfinite(joined["score"].astype(float)))
    by_month = score.groupby(joined["month"])
    return pd.DataFrame(
        {"month_rank": by_month.rank(ascending=False, method="min"), "month_scored": by_month.transform("count")},
        index=joined.index,
    )


def stake_ranks(misdeclared: pd.Series) -> pd.Series:
    """Rank by the size of the estimated misdeclared value (1 = most USD at stake, either way);
    ties keep the given order (the score's); NaN where there is no estimate."""
    return misdeclared.abs().rank(ascending=False, method="first", na_option="keep")


def _check_scores(scores: pd.DataFrame) -> None:
    missing = [c for c in SCORE_COLUMNS if c not in scores.columns]
    if missing:
        raise InputError("scores", "missing score column", column=missing[0])


def in_window(months: pd.Series, window: tuple[pd.Timestamp, pd.Timestamp]) -> pd.Series:
    return pd.to_datetime(months).between(*window)


def flagged_in_window(scores: pd.DataFrame, panel: pd.DataFrame, window=TEST_YEAR) -> int:
    """Rows the queue would list: flagged score rows of the window that match a panel row."""
    flagged = scores.loc[scores["flag"].astype(bool), KEY]
    flagged = flagged[in_window(flagged["month"], window)]
    return len(flagged.merge(panel[KEY], on=KEY, how="inner"))


def check_queue_not_empty(scores: pd.DataFrame, panel: pd.DataFrame, scores_file: str | Path, window=TEST_YEAR) -> int:
    """The number of rows the queue lists; an empty queue is refused, never written silently."""
    rows = flagged_in_window(scores, panel, window)
    if rows == 0:
        raise InputError(
            scores_file,
            f"no flagged row of {window[0]:%Y-%m}..{window[1]:%Y-%m} matches the panel: the review queue "
            "would be empty",
            column="flag",
        )
    return rows


def _clean(values) -> list:
    return [None if (v is None or (isinstance(v, float) and not math.isfinite(v))) else v for v in values]


def _number(value, digits: int):
    """A finite number rounded for the page, None otherwise."""
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


def _series_payload(history: pd.DataFrame) -> dict:
    """One flagged series' monthly history as the detail view draws it."""
    priced = history["weight_kg"] > 0
    columns = {
        "freight_per_kg": ("freight_krw_per_kg", 2),
        "weight_t": ("weight_t", 3),
        "value_usd": ("value_usd", 0),
        "expected": ("expected_price", 4),
        "model_low": ("expected_low", 4),
        "model_high": ("expected_high", 4),
        "freight_level": ("freight_level", 2),
        **{band: (band, 4) for band in ("price_band_low", "price_band_high", "freight_band_low", "freight_band_high")},
    }
    history = history.assign(weight_t=history["weight_kg"] / 1000)
    payload = {
        "months": history["month"].dt.strftime("%Y-%m").tolist(),
        "unit_price": _clean(history["unit_price_usd_per_kg"].where(priced).round(4).tolist()),
        **{
            key: _clean(history[column].astype(float).round(digits).tolist())
            for key, (column, digits) in columns.items()
        },
    }
    if RECON_FREIGHT in history:
        payload["recon_freight"] = _clean(history[RECON_FREIGHT].astype(float).round(4).tolist())
    return payload


def joined_scores(scores: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame:
    """The panel with the scores of its rows and every number the queue shows: peers' bands, the
    region-month freight level, the expected price and band, the misdeclared value and the rank of
    each score in its month."""
    _check_scores(scores)
    scores = scores.assign(month=pd.to_datetime(scores["month"]).astype("datetime64[ns]"))
    ranker = [key for key, _, _ in RANKER_COLUMNS]
    extra = [c for c in ("reason_group", *DETAIL_COLUMNS, *CASE_COLUMNS, *ranker) if c in scores]
    joined = panel.merge(scores[list(SCORE_COLUMNS) + extra], on=KEY, how="left", validate="one_to_one")
    joined = pd.concat([joined, peer_bands(joined), expected_prices(joined), month_ranks(joined)], axis=1)
    joined["unit_price"] = joined["unit_price_usd_per_kg"].where(joined["weight_kg"] > 0)
    joined["misdeclared_usd"] = misdeclared_value(joined)
    if "reason_group" not in joined:
        joined["reason_group"] = ""
    return joined


def _row_payload(r, rank: int, stake_rank: float, group: str, series_id: str) -> dict:
    """One listed row as the page receives it."""
    month = r.month.strftime("%Y-%m")
    return {
        "id": f"r{rank}",
        "key": f"{month}|{r.hsk_code}|{r.country_code}",
        "rank": rank,
        "stake_rank": None if not math.isfinite(stake_rank) else int(stake_rank),
        "series": series_id,
        "month": month,
        "country_name": r.country_name,
        "country_code": r.country_code,
        "region": r.region,
        "hsk_code": r.hsk_code,
        "item_name": r.item_name,
        "item_group": group,
        **{key: _number(getattr(r, column), digits) for key, column, digits in ROW_NUMBERS},
        "score": round(float(r.score), 4),
        "month_score": _number(r.month_score, 4),
        "month_rank": int(r.month_rank) if math.isfinite(r.month_rank) else None,
        "month_scored": int(r.month_scored),
        "reason": r.reason or "",
        "reason_group": r.reason_group or "",
        "case": r.case_text,
        "case_value": _number(r.case_value, 0),
        "case_months": r.case_months,
        **ranker_payload(r),
    }


def ranker_payload(r) -> dict:
    """The ranker's columns of a listed row, those the scores carry (none without verdicts)."""
    payload = {}
    for key, _, digits in RANKER_COLUMNS:
        if hasattr(r, key):
            value = getattr(r, key)
            payload[key] = (value if isinstance(value, str) else "") if digits is None else _number(value, digits)
    return payload


def ranked(joined: pd.DataFrame) -> bool:
    """Whether the scores come from the ranker (`ranker.ranked_monthly_scores`): the queue follows
    its hybrid score rather than the detector's score."""
    return "hybrid_score" in joined


def queue_data(scores: pd.DataFrame, panel: pd.DataFrame, window=TEST_YEAR) -> dict:
    """The JSON payload of the page: the flagged rows of the window sorted by score (by the hybrid
    score when the ranker chose them, `ranked`), with the numbers behind each flag, and the monthly
    history of every series that has a flag."""
    joined = joined_scores(scores, panel)
    flagged = joined[in_window(joined["month"], window) & joined["flag"].fillna(False).astype(bool)]
    order = ["hybrid_score", "score"] if ranked(joined) else ["score"]
    flagged = cases_of(flagged.assign(month_score=flagged["score"])).sort_values(order, ascending=False)
    series_ids = {
        key: f"s{i}" for i, key in enumerate(dict.fromkeys(zip(flagged["hsk_code"], flagged["country_code"])))
    }
    stakes = stake_ranks(flagged["misdeclared_usd"]).tolist() if len(flagged) else []
    groups = item_group(flagged["hsk_code"]).tolist() if len(flagged) else []
    rows = [
        _row_payload(r, rank, stake, group, series_ids[(r.hsk_code, r.country_code)])
        for rank, (r, stake, group) in enumerate(zip(flagged.itertuples(index=False), stakes, groups), 1)
    ]
    keys = pd.MultiIndex.from_frame(joined[["hsk_code", "country_code"]])
    histories = joined[keys.isin(list(series_ids))].sort_values("month")
    series = {
        series_ids[key]: _series_payload(history)
        for key, history in histories.groupby(["hsk_code", "country_code"], sort=False)
    }
    return {
        "rows": rows,
        "series": series,
        "model_kind": expected_source(joined.columns),
        "columns": [list(pair) for pair in QUEUE_COLUMNS]
        + [[key, header] for key, header, _ in RANKER_COLUMNS if key in joined],
        "queue": {"window": [f"{window[0]:%Y-%m}", f"{window[1]:%Y-%m}"], "month": f"{window[1]:%Y-%m}"},
        "statuses": list(STATUSES),
        "verdicts_file": verdicts_file_name(f"{window[1]:%Y-%m}"),
    }


def _month_number(months: pd.Series) -> pd.Series:
    months = pd.to_datetime(months)
    return months.dt.year * 12 + months.dt.month


def cases_of(flagged: pd.DataFrame) -> pd.DataFrame:
    """Flagged rows grouped into cases: a series' flags in consecutive months are one case, listed
    once by its latest month (its highest score), from the earlier of its first flagged month and
    the first month of the detector's own case (`case_start`, where the scores carry it). Adds
    case_text ('2024-09~2024-12, 지적 3개월'), case_months (the months from the start to the
    latest) and case_value (the detector's USD at stake over the case, else the sum of its flagged
    months' value at stake, else NaN)."""
    if flagged.empty:
        return flagged.assign(case_text="", case_months=[], case_value=float("nan"))
    ordered = flagged.sort_values(["hsk_code", "country_code", "month"])
    number = _month_number(ordered["month"])
    series = ordered["hsk_code"] + "|" + ordered["country_code"]
    new_case = (series != series.shift()) | (number - number.shift() != 1)
    case_id = new_case.cumsum()
    rows = []
    for _, case in ordered.groupby(case_id, sort=False):
        latest = case.iloc[-1].copy()
        start = case["month"].min()
        if "case_start" in case and pd.notna(latest.get("case_start")):
            start = min(start, pd.Timestamp(latest["case_start"]))
        months = pd.date_range(start, latest["month"], freq="MS")
        if "case_value_usd" in case and latest.get("case_value_usd", 0) > 0:
            value = float(latest["case_value_usd"])
        elif "value_at_stake_usd" in case:
            value = float(case["value_at_stake_usd"].sum())
        else:
            value = float("nan")
        latest["score"] = case["score"].max()
        latest["case_text"] = f"{start:%Y-%m}~{latest['month']:%Y-%m}, 지적 {len(case)}개월"
        latest["case_months"] = [f"{m:%Y-%m}" for m in months]
        latest["case_value"] = value
        rows.append(latest)
    return pd.DataFrame(rows)


def _table_of(data: dict) -> pd.DataFrame:
    """The queue as the CSV holds it: the page's rows and columns, Korean headers."""
    rows = pd.DataFrame(data["rows"], columns=[key for key, _ in data["columns"]])
    return rows.rename(columns=dict(data["columns"]))


def review_queue_html(
    scores: pd.DataFrame, panel: pd.DataFrame, *, title: str = DEFAULT_TITLE, data_label: str = "", window=TEST_YEAR
) -> str:
    """The whole page as one string."""
    return _page_of(queue_data(scores, panel, window), title, data_label)


def _page_of(data: dict, title: str, data_label: str) -> str:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    payload = payload.replace("</", "<\\/")  # never close the script element early
    template = resources.files("customs_anomaly").joinpath("demo_assets", TEMPLATE).read_text(encoding="utf-8")
    return (
        template.replace("__TITLE__", html.escape(title))
        .replace("__DATA_LABEL__", html.escape(data_label))
        .replace("__DATA__", payload)
    )


def review_queue_iframe(page: str, height_px: int = 900) -> str:
    """The page inside an iframe (srcdoc) for a Jupyter Book chapter: its CSS and script stay isolated.
    `height_px` holds until the page's script sets the frame to the page's own height, so that the
    chapter is the one scroll area (and stays if a browser keeps the script from the frame)."""
    return (
        f'<iframe title="{DEFAULT_TITLE}" srcdoc="{html.escape(page, quote=True)}" '
        f'style="width:100%;height:{height_px}px;border:1px solid #d6dde6;border-radius:6px" '
        'data-testid="review-queue-frame"></iframe>'
    )


def write_review_queue(
    scores: pd.DataFrame,
    panel: pd.DataFrame,
    out: str | Path,
    *,
    title: str = DEFAULT_TITLE,
    data_label: str = "",
    window=TEST_YEAR,
) -> Path:
    """Write the page atomically (a temp file renamed into place; none left on failure)."""
    page = review_queue_html(scores, panel, title=title, data_label=data_label, window=window)
    return write_text(page, out)


def write_review_queue_files(
    scores: pd.DataFrame, panel: pd.DataFrame, out_dir: Path, stem: str, *, data_label: str, window, marker: str
) -> tuple[list[Path], int]:
    """The queue of a window as CSV (UTF-8 with BOM, for spreadsheets) and as the page, written
    together with a marker naming what was written; all or nothing. Returns the two files and the
    number of rows in the queue."""
    data = queue_data(scores, panel, window)
    table, page = _table_of(data), _page_of(data, DEFAULT_TITLE, data_label)
    csv_path, page_path = out_dir / f"{stem}.csv", out_dir / f"{stem}.html"
    record = {
        "window": [f"{window[0]:%Y-%m}", f"{window[1]:%Y-%m}"],
        "rows": len(table),
        "files": [csv_path.name, page_path.name],
    }
    write_files(
        [
            (csv_path, lambda target: table.to_csv(target, index=False, encoding="utf-8-sig")),
            (page_path, lambda target: target.write_text(page, encoding="utf-8")),
            (out_dir / marker, lambda target: target.write_text(json.dumps(record, ensure_ascii=False) + "\n")),
        ]
    )
    return [csv_path, page_path], len(table)
