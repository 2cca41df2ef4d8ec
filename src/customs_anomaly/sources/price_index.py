"""CPI (`시점`, `전국`) and PPI (`시점`, `총지수`), 2020 = 100.

`시점` is read as text: "2020.10" read as a number is 2020.1, i.e. January. A one-digit month
("2020.1", as a spreadsheet rewrites it) is resolved from the previous row: after 2020.09 it is
October; anything that cannot be resolved is an error.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from customs_anomaly.errors import InputError
from customs_anomaly.sources._csv import parse_numbers, read_monthly, read_text_table
from customs_anomaly.validation import POSITIVE

_PERIOD = re.compile(r"^(\d{4})\.(\d{1,2})$")


def parse_periods(values: pd.Series, path: Path, column: str = "시점") -> pd.Series:
    months: list[pd.Timestamp] = []
    for position, text in enumerate(values):
        match = _PERIOD.match(text)
        if not match:
            raise InputError(path, f"not a period like '2020.05': {text!r}", row=position + 1, column=column)
        year, digits = int(match.group(1)), match.group(2)
        if len(digits) == 2:
            month = int(digits)
            if not 1 <= month <= 12:
                raise InputError(path, f"not a month: {text!r}", row=position + 1, column=column)
        else:
            month = _resolve_one_digit(year, int(digits), months, values, position, path, column)
        months.append(pd.Timestamp(year=year, month=month, day=1))
    return pd.Series(months, index=values.index, name="month").astype("datetime64[ns]")


def _resolve_one_digit(year, digit, months, values, position, path, column) -> int:
    """'2020.1' is October after 2020.09, January after the December before; else ambiguous."""
    previous = months[-1] if months else None
    if previous is not None:
        following = previous + pd.offsets.MonthBegin(1)
        if following.year == year and following.month in (digit, digit * 10):
            return following.month
    elif digit == 1 and position + 1 < len(values):
        # first row: January if the next row is February of the same year
        if values.iloc[position + 1] in (f"{year}.02", f"{year}.2"):
            return 1
        if values.iloc[position + 1] in (f"{year}.11",):
            return 10
    raise InputError(
        path,
        f"ambiguous period {values.iloc[position]!r}: one-digit month that the previous row cannot resolve "
        "(write months with two digits, e.g. 2020.10)",
        row=position + 1,
        column=column,
    )


def _reader(value_column: str, out_name: str):
    def read_file(path: Path) -> pd.DataFrame:
        frame = read_text_table(path, ("시점", value_column))
        return pd.DataFrame(
            {
                "month": parse_periods(frame["시점"], path),
                out_name: parse_numbers(frame, path, value_column, sign=POSITIVE),
            }
        )

    return read_file


def read_cpi(path: str | Path) -> pd.DataFrame:
    """month, cpi (consumer price index, 2020 = 100); one row per month."""
    return read_monthly(path, _reader("전국", "cpi"), "시점").sort_values("month", ignore_index=True)


def read_ppi(path: str | Path) -> pd.DataFrame:
    """month, ppi (producer price index, 2020 = 100); one row per month."""
    return read_monthly(path, _reader("총지수", "ppi"), "시점").sort_values("month", ignore_index=True)
