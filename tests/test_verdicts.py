"""The reviewer's verdicts file (`verdicts_YYYY-MM.csv`, as the review-queue page exports it) read
back by the package: hand-built tiny files with known right answers, every refusal one line naming
the file, the row and the column, and `customs-anomaly verdicts check` exiting 2 on each of them
with nothing written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from panel_builders import tiny_panel
from raw_builders import assert_refused, run

from customs_anomaly.errors import InputError
from customs_anomaly.verdicts import STATUSES, VERDICT_COLUMNS, read_verdicts

HEADER = ",".join(VERDICT_COLUMNS)
# Three rows of the tiny panel (panel_builders.SERIES), as the page writes them.
GOOD_ROWS = [
    '2024-07,0303550000,CN,이상 확인,"단가 재확인, ""원산지"" 서류 요청",2025-05-03T05:22:05Z',
    '2024-07,0304941000,US,정상,"두 줄\n메모",2025-05-03T14:30:00+09:00',
    "2024-08,0307229000,CN,확인 필요,0012,",
]


def write_csv(folder: Path, lines: list[str], name: str = "verdicts_2024-08.csv", bom: bool = True) -> Path:
    path = folder / name
    text = "\r\n".join(lines) + "\r\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return tiny_panel(seed=0)


@pytest.fixture(scope="module")
def panel_path(panel, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("panel") / "panel.parquet"
    panel.to_parquet(path, index=False)
    return path


def test_a_good_file_reads_back_exactly(tmp_path, panel):
    verdicts = read_verdicts(write_csv(tmp_path, [HEADER, *GOOD_ROWS]), panel)
    assert list(verdicts.columns) == list(VERDICT_COLUMNS)
    assert list(verdicts["month"]) == [pd.Timestamp("2024-07-01")] * 2 + [pd.Timestamp("2024-08-01")]
    assert list(verdicts["hsk_code"]) == ["0303550000", "0304941000", "0307229000"]  # leading zeros kept
    assert list(verdicts["country_code"]) == ["CN", "US", "CN"]
    assert list(verdicts["status"]) == ["이상 확인", "정상", "확인 필요"]
    # commas, quotes and line breaks survive; a note of digits stays text
    assert list(verdicts["note"]) == ['단가 재확인, "원산지" 서류 요청', "두 줄\n메모", "0012"]
    # times are UTC; the second was written in Korean time (05:30 UTC); an untouched row has none
    assert verdicts["time"].iloc[0] == pd.Timestamp("2025-05-03T05:22:05Z")
    assert verdicts["time"].iloc[1] == pd.Timestamp("2025-05-03T05:30:00Z")
    assert pd.isna(verdicts["time"].iloc[2])


def test_a_note_guarded_against_spreadsheet_formulas_reads_back_as_typed(tmp_path, panel):
    rows = [
        "2024-07,0303550000,CN,이상 확인,'=HYPERLINK(1),",
        "2024-07,0304941000,US,정상,'-3% 차이,",
        "2024-08,0307229000,CN,확인 필요,'인용 부호로 시작,",
    ]
    verdicts = read_verdicts(write_csv(tmp_path, [HEADER, *rows]), panel)
    # the page's apostrophe before =, +, - or @ goes; any other leading apostrophe was typed
    assert list(verdicts["note"]) == ["=HYPERLINK(1)", "-3% 차이", "'인용 부호로 시작"]


def test_without_a_panel_only_the_format_is_checked_and_a_bom_is_optional(tmp_path):
    unknown = "2019-01,0303550000,KR,정상,,"  # no such row in any panel here: not checked
    verdicts = read_verdicts(write_csv(tmp_path, [HEADER, unknown], bom=False))
    assert verdicts["status"].tolist() == ["정상"] and verdicts["country_code"].tolist() == ["KR"]


def test_the_statuses_are_the_three_of_the_page():
    assert STATUSES == ("확인 필요", "이상 확인", "정상")


def simple_cells(line: str) -> list[str]:
    """The cells of a line without quoted cells (PLAIN_ROWS)."""
    return line.split(",")


def replace_cell(row: int, column: str, value: str):
    """An edit of the lines: one cell of a data row (1-based, header excluded) replaced."""

    def edit(lines: list[str]) -> list[str]:
        cells = simple_cells(lines[row])
        cells[VERDICT_COLUMNS.index(column)] = value
        return [*lines[:row], ",".join(cells), *lines[row + 1 :]]

    return edit


PLAIN_ROWS = [  # rows without quoted cells, easy to edit cell by cell
    "2024-07,0303550000,CN,이상 확인,확인함,2025-05-03T05:22:05Z",
    "2024-07,0304941000,US,정상,,2025-05-03T05:23:00Z",
    "2024-08,0307229000,CN,확인 필요,,",
]

DEFECTS = [
    (
        "missing column",
        lambda lines: (
            [",".join(c for c in VERDICT_COLUMNS if c != "note")]
            + [",".join(cells[:4] + cells[5:]) for cells in map(simple_cells, lines[1:])]
        ),
        ("column 'note'", "missing verdicts column"),
    ),
    ("no rows", lambda lines: lines[:1], ("the verdicts file has no rows",)),
    ("unknown status", replace_cell(2, "status", "의심"), ("row 2", "column 'status'", "not a status", "'의심'")),
    ("month not a month", replace_cell(1, "month", "2024-13"), ("row 1", "column 'month'", "not a month")),
    ("month not a first day", replace_cell(3, "month", "2024-08-15"), ("row 3", "column 'month'", "first day")),
    (
        "HSK code without its leading zero (a spreadsheet's doing)",
        replace_cell(2, "hsk_code", "304941000"),
        ("row 2", "column 'hsk_code'", "not a 10-digit HSK code"),
    ),
    ("bad country code", replace_cell(3, "country_code", "China"), ("row 3", "column 'country_code'")),
    ("bad time", replace_cell(1, "time", "yesterday"), ("row 1", "column 'time'", "not a time")),
    (
        "repeated key",
        lambda lines: [*lines, lines[1].replace("이상 확인", "정상")],
        ("row 4", "duplicate verdict key", "the same as row 1"),
    ),
    (
        "key not in the panel",
        replace_cell(2, "month", "2019-01"),
        ("row 2", "column 'month'", "no row of the panel has this key", "month 2019-01", "'0304941000'"),
    ),
]


@pytest.mark.parametrize("name, edit, expected", DEFECTS, ids=[d[0] for d in DEFECTS])
def test_a_bad_file_is_one_error_naming_file_row_and_column(name, edit, expected, tmp_path, panel):
    path = write_csv(tmp_path, edit([HEADER, *PLAIN_ROWS]))
    with pytest.raises(InputError) as error:
        read_verdicts(path, panel)
    message = str(error.value)
    assert "\n" not in message and message.startswith(str(path))
    for text in expected:
        assert text in message, message


def test_a_file_that_is_not_a_csv_or_absent_is_refused(tmp_path, panel):
    with pytest.raises(InputError, match=r"unsupported file type '\.xlsx'"):
        read_verdicts(tmp_path / "verdicts_2024-08.xlsx", panel)
    with pytest.raises(InputError, match="file not found"):
        read_verdicts(tmp_path / "verdicts_2024-08.csv", panel)
    bad_bytes = tmp_path / "latin.csv"
    bad_bytes.write_bytes(HEADER.encode() + b"\r\n2024-07,0303550000,CN,\xc1\xa4\xbb\xf3,,\r\n")  # cp949, not UTF-8
    with pytest.raises(InputError, match="cannot read the verdicts file"):
        read_verdicts(bad_bytes, panel)


# the command line --------------------------------------------------------------------------------------
def test_verdicts_check_prints_the_tally(tmp_path, panel_path, capsys):
    path = write_csv(tmp_path, [HEADER, *GOOD_ROWS])
    assert run(["verdicts", "check", str(path), "--panel", str(panel_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{path}: 3 verdicts (확인 필요 1, 이상 확인 1, 정상 1)") and str(panel_path) in out


@pytest.mark.parametrize("name, edit, expected", DEFECTS, ids=[d[0] for d in DEFECTS])
def test_verdicts_check_refuses_each_defect_with_exit_2_and_writes_nothing(
    name, edit, expected, tmp_path, panel_path, capsys
):
    path = write_csv(tmp_path, edit([HEADER, *PLAIN_ROWS]))
    argv = ["verdicts", "check", str(path), "--panel", str(panel_path)]
    assert_refused(argv, tmp_path, capsys, (path.name, *expected))


def test_verdicts_check_refuses_bad_arguments_and_a_bad_panel(tmp_path, panel, capsys):
    path = write_csv(tmp_path, [HEADER, *PLAIN_ROWS])
    assert_refused(["verdicts", "check", str(path)], tmp_path, capsys, ("--panel",))
    assert_refused(["verdicts"], tmp_path, capsys, ("action",))
    broken = tmp_path / "panel.csv"
    panel.drop(columns="region").to_csv(broken, index=False)
    argv = ["verdicts", "check", str(path), "--panel", str(broken)]
    assert_refused(argv, tmp_path, capsys, ("panel.csv", "column 'region'", "missing panel column"))
