"""Monthly crude oil prices (USD/bbl). The `월` column ("05월") carries no year: rows are
consecutive months from a known first month, and every label is checked against it."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from customs_anomaly import config
from customs_anomaly.errors import InputError
from customs_anomaly.sources._csv import csv_files, parse_numbers, read_text_table
from customs_anomaly.validation import POSITIVE

PRICE_COLUMNS = {"Dubai": "dubai_usd", "Brent": "brent_usd", "WTI": "wti_usd", "Oman": "oman_usd"}
_MONTH_LABEL = re.compile(r"^(\d{1,2})\s*월$")


def _read_file(path: Path, first_month: pd.Timestamp) -> pd.DataFrame:
    frame = read_text_table(path, ("월", *PRICE_COLUMNS))
    expected = pd.date_range(first_month, periods=len(frame), freq="MS")
    for position, (label, month) in enumerate(zip(frame["월"], expected)):
        match = _MONTH_LABEL.match(label)
        if not match:
            raise InputError(path, f"not a month label like '05월': {label!r}", row=position + 1, column="월")
        if int(match.group(1)) != month.month:
            raise InputError(
                path,
                f"expected {month.month:02d}월 ({month:%Y-%m}, counting from {first_month:%Y-%m}) "
                f"but found {label!r}: a gap, a duplicate or a wrong first month",
                row=position + 1,
                column="월",
            )
    out = pd.DataFrame({"month": expected.astype("datetime64[ns]")})
    for korean, english in PRICE_COLUMNS.items():
        # only Dubai feeds the panel; a benchmark the source does not publish (ECOS has no Oman) may be blank
        out[english] = parse_numbers(frame, path, korean, allow_blank=korean != "Dubai", sign=POSITIVE).to_numpy()
    return out


def read_oil(path: str | Path, first_month: pd.Timestamp = config.STUDY_START) -> pd.DataFrame:
    """month, dubai_usd, brent_usd, wti_usd, oman_usd; a folder's files continue one another."""
    frames = []
    start = pd.Timestamp(first_month)
    for file in csv_files(path):
        frame = _read_file(file, start)
        frames.append(frame)
        start = frame["month"].iloc[-1] + pd.offsets.MonthBegin(1)
    return pd.concat(frames, ignore_index=True)
