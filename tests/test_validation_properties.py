"""Properties of the strict number parser and of the loaders that use it (hypothesis): what the
public files and the replica write always parses back exactly; a decimal comma, a bad grouping,
a negative or non-finite number never gets through; a loader never returns a negative or
infinite value."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customs_anomaly.errors import InputError
from customs_anomaly.sources import read_cpi, read_exchange_rate, read_freight
from customs_anomaly.validation import COMMA_MESSAGE, LARGEST_PLAUSIBLE, NON_NEGATIVE, POSITIVE, parse_number_text

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FILES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WHOLE = st.integers(min_value=0, max_value=int(LARGEST_PLAUSIBLE))


def parse(texts: list[str], **options) -> pd.Series:
    return parse_number_text(pd.Series(texts, dtype=object), "f.csv", "c", **options)


@FAST
@given(WHOLE)
def test_any_whole_number_with_valid_grouping_parses_back_exactly(number):
    assert parse([f"{number:,}", str(number)]).tolist() == [number, number]


@FAST
@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=99))
def test_a_grouped_amount_with_a_decimal_point_parses_like_the_replica_writes_it(whole, cents):
    text = f"{whole:,}.{cents:02d}"  # the replica's exchange rate: "1,228.67"
    assert parse([text])[0] == float(f"{whole}.{cents:02d}")


@FAST
@given(
    st.integers(min_value=0, max_value=10**9),
    st.text(alphabet="0123456789", min_size=1, max_size=6).filter(lambda d: len(d) != 3),
)
def test_a_comma_not_followed_by_exactly_three_digits_is_refused(whole, decimals):
    with pytest.raises(InputError, match="decimal comma"):
        parse([f"{whole},{decimals}"])  # "99,71", "592,5", "1,2345"


@FAST
@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=999), st.integers(0, 99))
def test_a_european_number_is_refused_not_misread(thousands, units, cents):
    text = f"{thousands}.{units:03d},{cents:02d}"  # "1.228,67" must never become 1.22867
    with pytest.raises(InputError) as info:
        parse(["1", text])
    assert COMMA_MESSAGE in str(info.value) and "row 2" in str(info.value)


@FAST
@given(st.floats(min_value=1e-6, max_value=1e12, allow_nan=False))
def test_a_negative_number_is_refused_where_the_quantity_cannot_be_negative(value):
    with pytest.raises(InputError, match="negative"):
        parse([f"-{value:.6f}"])


@FAST
@given(st.sampled_from(["inf", "-inf", "Infinity", "nan", "NaN", "1e308", "1E5", "0x10", "1_000", "--1", "1..2"]))
def test_words_exponents_and_other_spellings_are_not_numbers(text):
    with pytest.raises(InputError, match="not a number"):
        parse([text])


@FAST
@given(st.lists(st.text(alphabet="0123456789,.-+ einfa", max_size=12), min_size=1, max_size=8))
def test_whatever_the_text_the_parser_returns_only_finite_non_negative_plausible_values(texts):
    try:
        values = parse(texts, allow_blank=True)
    except InputError as error:
        assert "\n" not in str(error) and "column 'c'" in str(error)
        return
    finite = values.dropna()
    assert np.isfinite(finite).all() and (finite >= 0).all() and (finite <= LARGEST_PLAUSIBLE).all()


@FAST
@given(st.sampled_from(["0", "0.00", "0,000"]), st.sampled_from([NON_NEGATIVE, POSITIVE]))
def test_zero_is_refused_only_where_the_quantity_must_be_positive(text, sign):
    if sign == POSITIVE:
        with pytest.raises(InputError, match="must be positive"):
            parse([text], sign=sign)
    else:
        assert parse([text], sign=sign)[0] == 0


# --- the loaders ------------------------------------------------------------------------------------
MONTHS = pd.date_range("2020-05-01", periods=24, freq="MS")
CELL = st.one_of(
    st.floats(min_value=0.01, max_value=1e6, allow_nan=False).map(lambda v: f"{v:,.2f}"),
    st.text(alphabet="0123456789,.-", min_size=1, max_size=9),
)


def write(folder: Path, name: str, lines: list[str], encoding: str) -> Path:
    path = folder / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@FILES
@given(st.lists(st.floats(min_value=0.01, max_value=9_999.99, allow_nan=False), min_size=1, max_size=24))
def test_the_exchange_rate_loader_reads_what_the_replica_writes(rates):
    lines = ["날짜,환율"] + [f'{m:%b-%y},"{r:,.2f}"' for m, r in zip(MONTHS, rates)]
    with tempfile.TemporaryDirectory() as folder:
        frame = read_exchange_rate(write(Path(folder), "fx.csv", lines, "utf-8-sig"))
    assert frame["usd_krw"].tolist() == [round(r, 2) for r in rates]
    assert frame["month"].tolist() == list(MONTHS[: len(rates)])


@FILES
@given(st.lists(CELL, min_size=1, max_size=12))
def test_the_exchange_rate_loader_never_returns_a_negative_zero_or_infinite_rate(cells):
    lines = ["날짜,환율"] + [f'{m:%b-%y},"{c}"' for m, c in zip(MONTHS, cells)]
    with tempfile.TemporaryDirectory() as folder:
        try:
            frame = read_exchange_rate(write(Path(folder), "fx.csv", lines, "utf-8-sig"))
        except InputError as error:
            assert "fx.csv, row " in str(error) and "column '환율'" in str(error)
            return
    assert np.isfinite(frame["usd_krw"]).all() and (frame["usd_krw"] > 0).all()


@FILES
@given(st.lists(st.one_of(st.just(""), CELL), min_size=6, max_size=6), st.integers(min_value=0, max_value=23))
def test_the_freight_loader_keeps_blanks_and_never_returns_a_negative_cost(cells, position):
    header = "기간,미국서부,미국동부,유럽연합,중국,일본,베트남"
    lines = [header, f"{MONTHS[position]:%Y-%m}," + ",".join(f'"{c}"' for c in cells)]
    with tempfile.TemporaryDirectory() as folder:
        try:
            frame = read_freight(write(Path(folder), "freight.csv", lines, "cp949"))
        except InputError as error:
            assert "freight.csv, row 1, column '" in str(error)
            return
    costs = frame["freight_kkrw_per_2teu"]
    assert costs.isna().sum() == sum(c == "" for c in cells)
    assert (costs.dropna() >= 0).all() and np.isfinite(costs.dropna()).all()


@FILES
@given(
    st.lists(st.floats(min_value=50, max_value=200, allow_nan=False), min_size=2, max_size=12),
    st.integers(min_value=0, max_value=11),
    st.booleans(),
)
def test_a_repeated_cpi_month_is_kept_once_when_identical_and_refused_when_not(levels, repeat, identical):
    repeat = min(repeat, len(levels) - 1)
    rows = [f"{m:%Y.%m},{v:.2f}" for m, v in zip(MONTHS, levels)]
    value = levels[repeat] if identical else levels[repeat] + 1
    lines = ["시점,전국", *rows, f"{MONTHS[repeat]:%Y.%m},{value:.2f}"]
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), "cpi.csv", lines, "cp949")
        if identical:
            frame = read_cpi(path)
            assert len(frame) == len(levels) and frame["month"].is_unique
        else:
            with pytest.raises(InputError, match=rf"row {len(levels) + 1}, column '시점'.*also in row {repeat + 1}\)"):
                read_cpi(path)


def test_the_bound_is_exact_for_whole_numbers():
    assert LARGEST_PLAUSIBLE < 2**53 and math.isclose(parse([f"{int(LARGEST_PLAUSIBLE):,}"])[0], LARGEST_PLAUSIBLE)
