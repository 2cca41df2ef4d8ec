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
from customs_anomaly.explore import item_group
from customs_anomaly.storage import SCORE_COLUMNS, write_text

KEY = list(config.PANEL_KEY)
TEMPLATE = "review_queue.html"
DEFAULT_TITLE = "관세청 밀수입 의심 거래 심사 목록"
FREIGHT_WORDS = ("운임",)


def reason_group(reasons: pd.Series) -> pd.Series:
    """'운임' when the reason is about freight, '단가' otherwise ('' for an empty reason)."""
    text = reasons.fillna("").astype(str)
    is_freight = text.str.contains("|".join(FREIGHT_WORDS))
    return pd.Series(np.where(text == "", "", np.where(is_freight, "운임", "단가")), index=reasons.index)


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


def flagged_in_test_year(scores: pd.DataFrame, panel: pd.DataFrame) -> int:
    """Rows the queue would list: flagged score rows of the test year that match a panel row."""
    flagged = scores.loc[scores["flag"].astype(bool), KEY]
    flagged = flagged[pd.to_datetime(flagged["month"]).between(config.TEST_START, config.STUDY_END)]
    return len(flagged.merge(panel[KEY], on=KEY, how="inner"))


def check_queue_not_empty(scores: pd.DataFrame, panel: pd.DataFrame, scores_file: str | Path) -> int:
    """The number of rows the queue lists; an empty queue is refused, never written silently."""
    rows = flagged_in_test_year(scores, panel)
    if rows == 0:
        raise InputError(
            scores_file,
            f"no flagged row of the test year ({config.TEST_START:%Y-%m}..{config.STUDY_END:%Y-%m}) "
            "matches the panel: the review queue would be empty",
            column="flag",
        )
    return rows


def _clean(values) -> list:
    return [None if (v is None or (isinstance(v, float) and not math.isfinite(v))) else v for v in values]


def queue_data(scores: pd.DataFrame, panel: pd.DataFrame) -> dict:
    """The JSON payload of the page: flagged test-year rows sorted by score, and the monthly
    history of every series that has a flag."""
    _check_scores(scores)
    scores = scores.assign(month=pd.to_datetime(scores["month"]).astype("datetime64[ns]"))
    extra = [c for c in ("reason_group", "recon_unit_price_usd_per_kg", "recon_freight_krw_per_kg") if c in scores]
    joined = panel.merge(scores[list(SCORE_COLUMNS) + extra], on=KEY, how="left", validate="one_to_one")
    joined = pd.concat([joined, peer_bands(joined)], axis=1)
    if "reason_group" not in joined:
        joined["reason_group"] = reason_group(joined["reason"])
    in_test = joined["month"].between(config.TEST_START, config.STUDY_END)
    flagged = joined[in_test & joined["flag"].fillna(False).astype(bool)].sort_values("score", ascending=False)
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
            "item_group": item_group(pd.Series([r.hsk_code])).iloc[0],
            "score": round(float(r.score), 4),
            "reason": r.reason or "",
            "reason_group": r.reason_group or "",
        }
        for rank, r in enumerate(flagged.itertuples(index=False), start=1)
    ]
    series = {}
    for (code, country), sid in series_ids.items():
        s = joined[(joined["hsk_code"] == code) & (joined["country_code"] == country)].sort_values("month")
        priced = s["weight_kg"] > 0
        series[sid] = {
            "months": s["month"].dt.strftime("%Y-%m").tolist(),
            "unit_price": _clean(s["unit_price_usd_per_kg"].where(priced).round(4).tolist()),
            "freight_per_kg": _clean(s["freight_krw_per_kg"].round(2).tolist()),
            "weight_t": _clean((s["weight_kg"] / 1000).round(3).tolist()),
            "value_usd": _clean(s["value_usd"].round(0).tolist()),
            "price_band_low": _clean(s["price_band_low"].round(4).tolist()),
            "price_band_high": _clean(s["price_band_high"].round(4).tolist()),
            "freight_band_low": _clean(s["freight_band_low"].round(2).tolist()),
            "freight_band_high": _clean(s["freight_band_high"].round(2).tolist()),
        }
        if "recon_unit_price_usd_per_kg" in s:
            series[sid]["recon_unit_price"] = _clean(s["recon_unit_price_usd_per_kg"].round(4).tolist())
        if "recon_freight_krw_per_kg" in s:
            series[sid]["recon_freight"] = _clean(s["recon_freight_krw_per_kg"].round(2).tolist())
    return {"rows": rows, "series": series, "has_reconstruction": "recon_unit_price_usd_per_kg" in joined}


def review_queue_html(
    scores: pd.DataFrame, panel: pd.DataFrame, *, title: str = DEFAULT_TITLE, data_label: str = ""
) -> str:
    """The whole page as one string."""
    payload = json.dumps(queue_data(scores, panel), ensure_ascii=False, separators=(",", ":"))
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
    scores: pd.DataFrame, panel: pd.DataFrame, out: str | Path, *, title: str = DEFAULT_TITLE, data_label: str = ""
) -> Path:
    """Write the page atomically (a temp file renamed into place; none left on failure)."""
    page = review_queue_html(scores, panel, title=title, data_label=data_label)
    return write_text(page, out)
