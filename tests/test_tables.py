"""Tables a reader can trust: the Markdown a chapter places in a numbered 표."""

from __future__ import annotations

import numpy as np
import pandas as pd

from customs_anomaly.tables import DASH, LONG_TEXT, ROW_LABEL_HEADER, markdown_table, with_formats


def rows(markdown: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in markdown.strip().splitlines()]


def test_numbers_have_separators_no_scientific_notation_and_align_right():
    table = pd.DataFrame(
        {"탐지기": ["a", "b"], "금액(USD)": [1_196_000.0, 2.5e7], "행": [12345, 7], "AP": [0.5183, 0.0004]}
    )
    lines = rows(markdown_table(table))
    assert lines[0] == ["탐지기", "금액(USD)", "행", "AP"]
    assert lines[1] == ["---", "---:", "---:", "---:"]
    assert lines[2] == ["a", "1,196,000", "12,345", "0.518"]
    assert lines[3] == ["b", "25,000,000", "7", "0.0004"]
    assert "e+" not in markdown_table(table) and "e-" not in markdown_table(table)


def test_missing_values_are_a_dash_and_booleans_korean():
    table = pd.DataFrame({"지표": ["x", "y"], "값": [np.nan, 0.25], "범위 안": [True, False], "메모": [None, "z"]})
    lines = rows(markdown_table(table))
    assert lines[2] == ["x", DASH, "예", DASH]
    assert lines[3] == ["y", "0.250", "아니오", "z"]
    assert "nan" not in markdown_table(table).lower()


def test_a_named_index_becomes_the_first_column_and_a_range_index_disappears():
    named = pd.DataFrame({"AP": [0.5, 0.25]}, index=pd.Index(["lstm-plus", "robust"], name="탐지기"))
    assert rows(markdown_table(named))[0] == ["탐지기", "AP"]
    filtered = pd.DataFrame({"AP": [0.1, 0.2, 0.3]}).iloc[[0, 2]]  # an integer index left by a filter
    assert rows(markdown_table(filtered))[0] == ["AP"]


def test_an_unnamed_label_index_becomes_a_column_headed_gubun():
    lines = rows(markdown_table(pd.DataFrame({"AP": [0.5]}, index=["lstm-plus"])))
    assert lines[0] == [ROW_LABEL_HEADER, "AP"] and lines[2] == ["lstm-plus", "0.500"]


def test_long_text_is_cut_with_the_whole_text_on_hover_and_pipes_escaped():
    reason = "단가가 모형의 예상 단가보다 4.2배 높음; 같은 달 다른 국가 중앙값의 3.9배; 운임은 지역·월 수준과 같음"
    cell = rows(markdown_table(pd.DataFrame({"이유": [reason], "코드": ["a|b"]})))[2]
    assert cell[0].startswith('<span title="' + reason + '">') and cell[0].endswith("…</span>")
    assert len(cell[0].split(">")[1].split("<")[0]) <= LONG_TEXT
    assert cell[1] == "a\\|b"


def test_whole_float_columns_show_no_decimals_and_formats_override():
    table = pd.DataFrame({"월 평균 행": [15.0, 16.0], "비율": [0.0213, 0.5]})
    assert rows(markdown_table(table))[2] == ["15", "0.021"]
    assert rows(markdown_table(with_formats(table, {"비율": ".1%"})))[2] == ["15", "2.1%"]


def test_text_columns_of_numbers_with_spread_align_right_and_multiindex_headers_flatten():
    table = pd.DataFrame({("AP", "평균"): ["0.518 ± 0.025"], ("AP", "시드"): [5]})
    lines = rows(markdown_table(table))
    assert lines[0] == ["AP 평균", "AP 시드"]
    assert lines[1] == ["---:", "---:"]


def test_dates_read_as_months_and_an_index_of_months_becomes_a_column():
    months = pd.DataFrame({"행": [3, 4]}, index=pd.Index(pd.to_datetime(["2024-05-01", "2024-06-01"]), name="달"))
    assert [row[0] for row in rows(markdown_table(months))[2:]] == ["2024-05", "2024-06"]
    days = pd.DataFrame({"날": pd.to_datetime(["2024-05-03"])})
    assert rows(markdown_table(days))[2] == ["2024-05-03"]
