"""A tiny panel that follows the panel contract (`config.PANEL_COLUMNS`), for examples and tests.

Eight series (HSK code x country) over the study months with noisy unit prices, some months
without imports and consistent year-to-date columns: small enough to fit every detector in
seconds (the docstring examples and the tests use it), with no anomaly injected.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from customs_anomaly import config
from customs_anomaly.merge import derive_columns

SERIES = [
    ("0303550000", "냉동 고등어", "CN", "중국", "중국", 2.0),
    ("0303550000", "냉동 고등어", "VN", "베트남", "베트남", 1.8),
    ("0304941000", "냉동 명태 연육", "US", "미국", "미국", 3.0),
    ("0307229000", "냉동 가리비", "CN", "중국", "중국", 6.0),
    ("0301992000", "활 방어", "JP", "일본", "일본", 12.0),
    ("0304871000", "냉동 참다랑어 필레", "ES", "스페인", "유럽연합", 25.0),
    ("0306171090", "냉동 새우살", "VN", "베트남", "베트남", 9.0),
    ("1604200000", "어류 조제품", "TH", "태국", "유럽연합", 5.0),  # region by construction only
]
FREIGHT = {"유럽연합": 2000.0, "미국": 3000.0, "중국": 800.0, "일본": 900.0, "베트남": 500.0}


def tiny_panel(seed: int = 0, months: pd.DatetimeIndex | None = None, zero_share: float = 0.2) -> pd.DataFrame:
    """8 series x 60 months (the study period, unless `months` is given) with noisy unit prices,
    a `zero_share` of months without imports and consistent year-to-date columns.

    Examples
    --------
    >>> from customs_anomaly.examples import tiny_panel
    >>> panel = tiny_panel()
    >>> len(panel), panel["month"].min().date(), panel["month"].max().date()
    (480, datetime.date(2020, 5, 1), datetime.date(2025, 4, 1))
    """
    rng = np.random.default_rng(seed)
    months = config.month_range() if months is None else months
    rows = []
    for code, item, country, name, region, price in SERIES:
        for month in months:
            weight = 0.0 if rng.random() < zero_share else float(rng.lognormal(8, 1))
            unit = price * float(np.exp(rng.normal(0, 0.15)))
            rows.append(
                {
                    "month": month,
                    "hsk_code": code,
                    "item_name": item,
                    "country_code": country,
                    "country_name": name,
                    "region": region,
                    "weight_kg": round(weight),
                    "value_usd": round(weight * unit),
                    "freight_kkrw_per_2teu": FREIGHT[region] * (1 + 0.01 * month.month),
                    "usd_krw": 1300.0 + month.month,
                    "dubai_usd": 80.0,
                    "cpi": 110.0,
                    "ppi": 115.0,
                }
            )
    panel = panel_from_rows(rows)
    return panel[list(config.PANEL_COLUMNS)].sort_values(list(config.PANEL_KEY), ignore_index=True)


def panel_from_rows(rows: list[dict]) -> pd.DataFrame:
    """Release-like rows (month, key, names, weight, value, freight per container, macro
    variables) as a panel: year-to-date weight and value summed per series and year, unit price
    and freight per kg derived as the merge derives them."""
    panel = pd.DataFrame(rows)
    panel["month"] = panel["month"].astype("datetime64[ns]")
    keys = [panel["hsk_code"], panel["country_code"], panel["month"].dt.year]
    panel["ytd_weight_kg"] = panel.groupby(keys)["weight_kg"].cumsum()
    panel["ytd_value_usd"] = panel.groupby(keys)["value_usd"].cumsum()
    return derive_columns(panel)
