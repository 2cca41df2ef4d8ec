"""Display-ready tables as the Markdown a chapter places in a numbered `{table}` (표).

A study returns its tables as DataFrames with Korean headers; `markdown_table` turns one into a
Markdown table a reader can trust: no index column (a named index becomes the first column), no
scientific notation, numbers right-aligned with thousands separators, booleans as 예/아니오, a
missing value as a dash (the caption says what a dash means), and long text cut with its full
text on hover; dates read YYYY-MM (or YYYY-MM-DD when not first days).
"""

from __future__ import annotations

import html
import math
import re
from numbers import Number

import numpy as np
import pandas as pd

DASH = "—"
LONG_TEXT = 42  # characters of a cell shown before it is cut (full text on hover)
MAX_DECIMALS = 6
# A cell that reads as a number (right-aligned): digits with separators, signs, ±, %, ×, a dash.
NUMBER_LIKE = re.compile(r"^(?=.*[0-9—])[\s0-9+\-−–—×±%.,()]+$")
# Korean headers of the panel's key columns, for tables that show rows of the panel.
KEY_COLUMN_LABELS = {
    "month": "달",
    "hsk_code": "HSK 코드",
    "country_code": "국가",
    "item_name": "품목명",
    "region": "운임 지역",
}
ROW_LABEL_HEADER = "구분"  # the header Korean tables give a column of row labels
FORMATS_ATTR = "formats"  # DataFrame.attrs key: {column: format spec} overriding the default


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def _decimals(column: pd.Series) -> int:
    """Decimals of a float column: none for whole numbers and large values, three below 1."""
    finite = column[np.isfinite(column)]
    if finite.empty or (finite == finite.round()).all():
        return 0
    largest = finite.abs().max()
    if largest >= 1000:
        return 0
    if largest >= 10:
        return 1
    if largest >= 1:
        return 2
    return 3


def _float(value: float, decimals: int) -> str:
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    while value != 0 and decimals < MAX_DECIMALS and abs(value) < 0.5 * 10 ** (-decimals):
        decimals += 1  # a small non-zero value never reads as 0
    return f"{value:,.{decimals}f}"


def _text(value) -> str:
    text = " ".join(str(value).split()).replace("|", "\\|")
    if len(text) <= LONG_TEXT:
        return text
    shown = html.escape(text[: LONG_TEXT - 1].rstrip().replace("\\|", "|"))
    return f'<span title="{html.escape(text.replace(chr(92) + "|", "|"), quote=True)}">{shown}…</span>'


def _cells(column: pd.Series, spec: str | None) -> list[str]:
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    decimals = _decimals(column.astype(float)) if numeric and pd.api.types.is_float_dtype(column) else 0
    out = []
    for value in column:
        if _missing(value):
            out.append(DASH)
        elif spec is not None and isinstance(value, Number):
            out.append(format(value, spec))
        elif isinstance(value, (bool, np.bool_)):
            out.append("예" if value else "아니오")
        elif isinstance(value, (int, np.integer)):
            out.append(f"{int(value):,d}")
        elif isinstance(value, (float, np.floating)):
            out.append(_float(float(value), decimals if numeric else _decimals(pd.Series([float(value)]))))
        else:
            out.append(_text(value))
    return out


def _readable_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as a reader writes them: YYYY-MM for months (first days), YYYY-MM-DD otherwise."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            dates = out[column]
            monthly = (dates.dropna().dt.day == 1).all()
            out[column] = dates.dt.strftime("%Y-%m" if monthly else "%Y-%m-%d")
    return out


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Index and multi-level headers as plain columns: a named index becomes the first column, an
    unnamed index of labels a first column headed 구분, an integer index disappears."""
    out = frame.copy()
    if isinstance(out.columns, pd.MultiIndex):
        out.columns = [" ".join(str(part) for part in parts if str(part)) for parts in out.columns]
    if any(name is not None for name in out.index.names):
        out = out.reset_index()
    elif not pd.api.types.is_integer_dtype(out.index):
        out = out.rename_axis(ROW_LABEL_HEADER).reset_index()
    return out.reset_index(drop=True)


def markdown_table(table: pd.DataFrame) -> str:
    """The table as Markdown: headers, alignment (numbers right), formatted cells."""
    frame = _readable_dates(_flat(table))
    formats = table.attrs.get(FORMATS_ATTR, {})
    headers = [_text(column) for column in frame.columns]
    columns = [_cells(frame[column], formats.get(column)) for column in frame.columns]
    right = [all(cell == DASH or NUMBER_LIKE.match(cell) for cell in cells) for cells in columns]
    lines = [
        "| " + " | ".join(headers) + " |",
        "| " + " | ".join("---:" if r else "---" for r in right) + " |",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in zip(*columns)]
    return "\n".join(lines) + "\n"


def with_formats(table: pd.DataFrame, formats: dict[str, str]) -> pd.DataFrame:
    """The table with format specs for some of its columns (`with_formats(t, {"비율": ".1%"})`)."""
    out = table.copy()
    out.attrs[FORMATS_ATTR] = {**table.attrs.get(FORMATS_ATTR, {}), **formats}
    return out
