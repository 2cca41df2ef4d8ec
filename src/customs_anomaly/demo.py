"""The review-queue web page: one self-contained HTML file (data, JavaScript and CSS inline, no
network request) listing the flagged imports of the test year with a detail view per flag."""

from __future__ import annotations

import html
import json
import math
from importlib import resources
from pathlib import Path

import pandas as pd

from customs_anomaly import config
from customs_anomaly.errors import InputError
from customs_anomaly.items import item_group
from customs_anomaly.storage import SCORE_COLUMNS, write_files, write_text

KEY = list(config.PANEL_KEY)
TEMPLATE = "review_queue.html"
DEFAULT_TITLE = "관세청 밀수입 의심 거래 심사 목록"
TEST_YEAR = (config.TEST_START, config.STUDY_END)
# The queue's columns as the page lists them and as its CSV (the page's button and the monthly
# run's file) writes them: (key in the page's rows, Korean header).
QUEUE_COLUMNS = (
    ("rank", "순위"),
    ("month", "기준년월"),
    ("country_name", "국가명"),
    ("country_code", "국가코드"),
    ("region", "지역"),
    ("hsk_code", "HS코드"),
    ("item_name", "품목명"),
    ("item_group", "품목군"),
    ("score", "위험 점수"),
    ("reason_group", "위험 유형"),
    ("reason", "위험 현상"),
    ("case", "사건(시작~최근, 지적된 달 수)"),
    ("case_value", "사건 누적 의심 금액(USD)"),
)
# Per-row case columns a score file may carry (`lstm-plus`'s memory): the first month of the run
# of months straying from the series' lagged level, and the USD at stake over it so far.
CASE_COLUMNS = ("case_start", "case_value_usd", "value_at_stake_usd")
# Per-month model columns a score file may carry, drawn in the detail view: (score column, page key).
MODEL_LINES = {
    "recon_unit_price_usd_per_kg": "recon_unit_price",
    "recon_freight_krw_per_kg": "recon_freight",
    "expected_unit_price_usd_per_kg": "recon_unit_price",
    "expected_low_unit_price_usd_per_kg": "model_low",
    "expected_high_unit_price_usd_per_kg": "model_high",
}


def peer_bands(panel: pd.DataFrame) -> pd.DataFrame:
    """Per row: interquartile band of the unit price across countries for the same HSK code and
    month, and of per-kg freight across the rows of the same region and month."""
    priced = panel["unit_price_usd_per_kg"].where(panel["weight_kg"] > 0)
    by_item = priced.groupby([panel["hsk_code"], panel["month"]])
    by_region = panel["freight_krw_per_kg"].groupby([panel["region"], panel["month"]])
    return pd.DataFrame(
        {
            "price_band_low": by_item.transform("quantile", q=0.25),
            "price_band_high": by_item.transform("quantile", q=0.75),
            "freight_band_low": by_region.transform("quantile", q=0.25),
            "freight_band_high": by_region.transform("quantile", q=0.75),
        },
        index=panel.index,
    )


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


def _series_payload(history: pd.DataFrame, model_columns: list[str]) -> dict:
    """One flagged series' monthly history as the detail view draws it."""
    priced = history["weight_kg"] > 0
    payload = {
        "months": history["month"].dt.strftime("%Y-%m").tolist(),
        "unit_price": _clean(history["unit_price_usd_per_kg"].where(priced).round(4).tolist()),
        "freight_per_kg": _clean(history["freight_krw_per_kg"].round(2).tolist()),
        "weight_t": _clean((history["weight_kg"] / 1000).round(3).tolist()),
        "value_usd": _clean(history["value_usd"].round(0).tolist()),
        **{
            band: _clean(history[band].round(4).tolist())
            for band in ("price_band_low", "price_band_high", "freight_band_low", "freight_band_high")
        },
    }
    for column in model_columns:
        payload[MODEL_LINES[column]] = _clean(history[column].astype(float).round(4).tolist())
    return payload


def queue_data(scores: pd.DataFrame, panel: pd.DataFrame, window=TEST_YEAR) -> dict:
    """The JSON payload of the page: the flagged rows of the window sorted by score, and the
    monthly history of every series that has a flag (with the detector's expected values where
    the scores carry them)."""
    _check_scores(scores)
    scores = scores.assign(month=pd.to_datetime(scores["month"]).astype("datetime64[ns]"))
    model_columns = [c for c in MODEL_LINES if c in scores]
    extra = [c for c in ("reason_group", *model_columns, *CASE_COLUMNS) if c in scores]
    joined = panel.merge(scores[list(SCORE_COLUMNS) + extra], on=KEY, how="left", validate="one_to_one")
    joined = pd.concat([joined, peer_bands(joined)], axis=1)
    if "reason_group" not in joined:
        joined["reason_group"] = ""
    flagged = joined[in_window(joined["month"], window) & joined["flag"].fillna(False).astype(bool)]
    flagged = cases_of(flagged).sort_values("score", ascending=False)
    series_ids = {
        key: f"s{i}" for i, key in enumerate(dict.fromkeys(zip(flagged["hsk_code"], flagged["country_code"])))
    }
    rows = [
        {
            "id": f"r{rank}",
            "rank": rank,
            "series": series_ids[(r.hsk_code, r.country_code)],
            "month": r.month.strftime("%Y-%m"),
            "country_name": r.country_name,
            "country_code": r.country_code,
            "region": r.region,
            "hsk_code": r.hsk_code,
            "item_name": r.item_name,
            "item_group": group,
            "score": round(float(r.score), 4),
            "reason": r.reason or "",
            "reason_group": r.reason_group or "",
            "case": r.case_text,
            "case_value": None if not math.isfinite(r.case_value) else round(float(r.case_value), 0),
            "case_months": r.case_months,
        }
        for rank, (r, group) in enumerate(zip(flagged.itertuples(index=False), item_group(flagged["hsk_code"])), 1)
    ]
    keys = pd.MultiIndex.from_frame(joined[["hsk_code", "country_code"]])
    histories = joined[keys.isin(list(series_ids))].sort_values("month")
    series = {
        series_ids[key]: _series_payload(history, model_columns)
        for key, history in histories.groupby(["hsk_code", "country_code"], sort=False)
    }
    kind = (
        "expected" if "expected_unit_price_usd_per_kg" in model_columns else ("reconstruction" if model_columns else "")
    )
    return {"rows": rows, "series": series, "model_kind": kind, "columns": [list(pair) for pair in QUEUE_COLUMNS]}


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
    rows = pd.DataFrame(data["rows"], columns=[key for key, _ in QUEUE_COLUMNS])
    return rows.rename(columns=dict(QUEUE_COLUMNS))


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
    """The page inside an iframe (srcdoc) for a Jupyter Book chapter: its CSS and script stay isolated."""
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
