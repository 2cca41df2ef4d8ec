"""KRW/USD monthly average: `날짜` like "May-20", `환율` like "1,228.67"."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from customs_anomaly.sources._csv import parse_months, parse_numbers, read_monthly, read_text_table, year_month
from customs_anomaly.validation import POSITIVE


def _parse_date(text: str) -> pd.Timestamp | None:
    parsed = pd.to_datetime(text, format="%b-%y", errors="coerce")
    if pd.isna(parsed):
        return year_month(text)
    return pd.Timestamp(parsed)


def _read_file(path: Path) -> pd.DataFrame:
    frame = read_text_table(path, ("날짜", "환율"))
    return pd.DataFrame(
        {
            "month": parse_months(frame, path, "날짜", _parse_date),
            "usd_krw": parse_numbers(frame, path, "환율", sign=POSITIVE),
        }
    )


def read_exchange_rate(path: str | Path) -> pd.DataFrame:
    """month, usd_krw (KRW per USD, monthly average); one row per month."""
    return read_monthly(path, _read_file, "날짜").sort_values("month", ignore_index=True)
