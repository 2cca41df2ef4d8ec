"""Checks of input the package cannot trust. Each raises an InputError naming the file, the row
(1-based data row, header excluded) and the column of the first bad cell, so that a user can open
the file and find it.

Used by the source loaders (the text cells of the public files), by the panel and score readers
(`storage.read_panel`, `storage.read_scores`) and by the command line. Every function is pure
apart from raising.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from customs_anomaly.errors import InputError

# No quantity of these sources comes near this (world GDP is about 1e14 USD); a larger number is
# a corrupt cell and would overflow the derived columns. It is also below 2**53, so every whole
# number up to it is exact as a float.
LARGEST_PLAUSIBLE = 1e15

# A number as the public files write it: an optional sign, digits either plain or grouped by
# thousands with commas (a comma followed by exactly three digits), an optional decimal point.
_NUMBER = r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)"
COMMA_MESSAGE = (
    "a comma that is not a thousands separator (a decimal comma?): write decimals with a point "
    "and group thousands by three, e.g. 1,228.67"
)
HSK_CODE = r"\d{10}"
COUNTRY_CODE = r"[A-Z]{2}|"
ANOMALY_TYPES = ("", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k")  # one-month a-f, schemes g-k
SCHEME_ID = r"S\d{2,3}|"
# What sign a quantity may have: scores may be negative; weights, values, prices and freight
# cannot; exchange rates and index levels cannot even be zero.
SIGNED, NON_NEGATIVE, POSITIVE = "signed", "non-negative", "positive"


def first_problem(file: str | Path, raw: pd.Series, column: str, checks: list[tuple[pd.Series, str]]) -> None:
    """Raise for the earliest row that fails any check (a boolean mask and its message); the
    message of the first failing check of that row is used, followed by the cell as written."""
    failing = [(np.flatnonzero(np.asarray(mask, dtype=bool)), message) for mask, message in checks]
    failing = [(positions[0], order, message) for order, (positions, message) in enumerate(failing) if len(positions)]
    if not failing:
        return
    position, _, message = min(failing)
    raise InputError(file, f"{message}: {raw.iloc[position]!r}", row=int(position) + 1, column=column)


def range_checks(
    values: pd.Series, sign: str = NON_NEGATIVE, largest: float | None = LARGEST_PLAUSIBLE
) -> list[tuple[pd.Series, str]]:
    """Checks of parsed numbers: finite, not above `largest` in size (None: no bound), and of
    the allowed sign."""
    finite = np.isfinite(values) | values.isna()
    checks = [(~finite, "not a finite number")]
    if largest is not None:
        checks.append((values.abs() > largest, f"implausibly large (over {largest:.0e})"))
    if sign in (NON_NEGATIVE, POSITIVE):
        checks.append((values < 0, "negative, but this quantity cannot be negative"))
    if sign == POSITIVE:
        checks.append((values == 0, "zero, but this quantity must be positive"))
    return checks


def parse_number_text(
    raw: pd.Series, file: str | Path, column: str, *, allow_blank: bool = False, sign: str = NON_NEGATIVE
) -> pd.Series:
    """Numbers written as text, strictly: thousands separators only as valid grouping, no decimal
    comma, no exponent or 'inf'/'nan', not implausibly large and of the allowed sign. Blank cells
    are NaN where allowed."""
    text = raw.fillna("").astype(str).str.strip()
    blank = text == ""
    valid = text.str.fullmatch(_NUMBER)
    digits = text.where(valid, None).str.replace(",", "", regex=False)
    values = pd.Series(np.asarray(digits.astype("float64"), dtype=float), index=raw.index)
    checks = [
        (~valid & ~blank & text.str.contains(",", regex=False), COMMA_MESSAGE),
        (~valid & ~blank, "not a number"),
    ]
    if not allow_blank:
        checks.append((blank, "blank value"))
    first_problem(file, raw, column, checks + range_checks(values, sign))
    return values


def check_number_column(
    frame: pd.DataFrame,
    file: str | Path,
    column: str,
    *,
    blank_allowed: pd.Series | None = None,
    sign: str = NON_NEGATIVE,
    largest: float | None = LARGEST_PLAUSIBLE,
) -> pd.Series:
    """A numeric column of a table the package wrote (panel, scores): numbers only, finite, not
    above `largest` in size, of the allowed sign; blank only where `blank_allowed` is True."""
    raw = frame[column]
    if pd.api.types.is_bool_dtype(raw):
        raise InputError(file, f"true/false values where numbers are expected: {raw.iloc[0]!r}", row=1, column=column)
    values = pd.Series(np.asarray(pd.to_numeric(raw, errors="coerce"), dtype=float), index=frame.index)
    blank = raw.isna()
    allowed = pd.Series(False, index=frame.index) if blank_allowed is None else blank_allowed
    checks = [
        (values.isna() & ~blank, "not a number"),
        (values.isna() & ~allowed, "blank value"),
    ]
    first_problem(file, raw, column, checks + range_checks(values, sign, largest))
    return values


def check_columns(frame: pd.DataFrame, file: str | Path, required: tuple[str, ...] | list[str], what: str) -> None:
    """Every required column is present."""
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(file, f"missing {what} column", column=missing[0])


def check_months(frame: pd.DataFrame, file: str | Path, column: str = "month") -> pd.Series:
    """First days of months ('2024-05', '2024-05-01' or datetimes); numbers, other days and text
    that is not a date are refused."""
    raw = frame[column]
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        parsed = raw.dt.tz_localize(None)  # a month is a calendar month, whatever the zone
    elif pd.api.types.is_datetime64_any_dtype(raw):
        parsed = pd.Series(raw, index=frame.index)
    elif pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
        parsed = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    else:
        parsed = pd.Series(pd.to_datetime(raw, errors="coerce", format="mixed"), index=frame.index)
    not_first_day = parsed.notna() & (parsed != parsed.dt.to_period("M").dt.start_time)
    first_problem(file, raw, column, [(parsed.isna(), "not a month"), (not_first_day, "not the first day of a month")])
    return parsed.astype("datetime64[ns]")


def check_pattern(frame: pd.DataFrame, file: str | Path, column: str, pattern: str, message: str) -> pd.Series:
    """Text cells that must match a pattern in full (blank cells count as empty text)."""
    raw = frame[column]
    text = raw.fillna("").astype(str)
    first_problem(file, raw, column, [(~text.str.fullmatch(pattern), message)])
    return text


def check_choice(frame: pd.DataFrame, file: str | Path, column: str, allowed: tuple, message: str) -> None:
    """Cells that must be one of a few values."""
    raw = frame[column]
    first_problem(file, raw, column, [(~raw.isin(allowed), message)])


def check_booleans(frame: pd.DataFrame, file: str | Path, column: str) -> pd.Series:
    """True/False cells (bool, or the text 'True'/'False' as a CSV holds them)."""
    raw = frame[column]
    if pd.api.types.is_bool_dtype(raw):
        return raw.astype(bool)
    text = raw.astype(str)
    first_problem(file, raw, column, [(~text.isin(("True", "False")) | raw.isna(), "not True or False")])
    return text == "True"


def check_unique_key(frame: pd.DataFrame, file: str | Path, key: list[str] | tuple[str, ...], what: str) -> None:
    """No two rows share the key; the error names both rows."""
    key = list(key)
    repeated = frame.duplicated(key, keep=False)
    if not repeated.any():
        return
    positions = np.flatnonzero(repeated.to_numpy())
    later = positions[frame.iloc[positions].duplicated(key, keep="first").to_numpy()][0]
    values = tuple(frame.iloc[later][key])
    earlier = next(p for p in positions if p < later and tuple(frame.iloc[p][key]) == values)
    shown = ", ".join(f"{c} {_show(v)}" for c, v in zip(key, values))
    raise InputError(
        file, f"duplicate {what} ({shown}): the same as row {earlier + 1}", row=int(later) + 1, column=key[0]
    )


def _show(value) -> str:
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m}"
    return repr(value)


def check_months_in_data(months: pd.Series, file: str | Path, month: pd.Timestamp, option: str) -> None:
    """A month given on the command line lies inside the months of the data, so rows at or before
    it exist (`fit --train-until`)."""
    first, last = months.min(), months.max()
    if month < first:
        raise InputError(
            file, f"{option} {month:%Y-%m} is before the first month {first:%Y-%m} of the data: no rows up to it"
        )
    if month > last:
        raise InputError(file, f"{option} {month:%Y-%m} is after the last month {last:%Y-%m} of the data")


# The share of score rows that may lack a panel row before a command refuses the pair of files.
MAX_UNMATCHED_SHARE = 0.01


def check_scores_match(
    scores: pd.DataFrame, panel: pd.DataFrame, scores_file: str | Path, panel_file: str | Path, key: list[str]
) -> int:
    """Score rows whose key has no panel row: their number, refused above MAX_UNMATCHED_SHARE of
    the score rows (scores of another panel). The error names the count and the first such row."""
    known = pd.MultiIndex.from_frame(panel[key])
    unmatched = ~pd.MultiIndex.from_frame(scores[key]).isin(known)
    count = int(unmatched.sum())
    if count > MAX_UNMATCHED_SHARE * len(scores):
        first = int(np.flatnonzero(unmatched)[0])
        raise InputError(
            scores_file,
            f"{count:,} of {len(scores):,} score rows match no row of the panel {panel_file} (more than "
            f"{MAX_UNMATCHED_SHARE:.0%}; the first is this row): scores of another panel?",
            row=first + 1,
            column=key[0],
        )
    return count
