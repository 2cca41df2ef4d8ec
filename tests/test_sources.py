"""Loaders on tiny files in the original layouts, with known answers and every promised error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from customs_anomaly.errors import InputError
from customs_anomaly.sources import (
    load_raw,
    read_cpi,
    read_exchange_rate,
    read_freight,
    read_oil,
    read_ppi,
    read_trade,
)

TRADE_HEADER = (
    "기준년월,국가코드,HSK품목코드,수출입구분코드,수출입구분명,국가명,경제권명,수산물수출입품목명,"
    "당월수출입중량(킬로그램),당월수출입미화금액(달러),당해누계수출입중량(킬로그램),당해누계수출입미화금액(달러),데이터기준일자"
)
TRADE_ROWS = [
    '2020-10,US,304941000,I,수입,미국,북미,냉동 명태 연육,"1,200",3600,5000,15000,2020-10-31',
    "2020-10,,1604200000,I,수입,베트남,,어류 조제품,0,0,80,400,2020-10-31",
    "2020-10,JP,301992000,E,수출,일본,일본,활 방어,10,90,10,90,2020-10-31",
]


def write(path: Path, lines: list[str], encoding: str = "cp949") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def test_trade_reads_cp949_keeps_9_digit_codes_and_parses_numbers(tmp_path):
    frame = read_trade(write(tmp_path / "t.csv", [TRADE_HEADER, *TRADE_ROWS]))
    assert frame.attrs["variant"] == "country"
    assert frame["hsk_code"].tolist() == ["304941000", "1604200000", "301992000"]
    assert frame["month"].iloc[0] == pd.Timestamp("2020-10-01")  # not January
    assert frame["weight_kg"].iloc[0] == 1200.0 and frame["ytd_value_usd"].iloc[1] == 400.0
    assert frame["country_code"].iloc[1] == "" and frame["economic_bloc"].iloc[1] == ""
    assert frame["reference_date"].iloc[0] == pd.Timestamp("2020-10-31")
    assert frame["source_file"].iloc[0] == "t.csv"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_every_supported_encoding_reads_the_same(tmp_path, encoding):
    frame = read_trade(write(tmp_path / "t.csv", [TRADE_HEADER, *TRADE_ROWS], encoding))
    assert frame["item_name"].tolist() == ["냉동 명태 연육", "어류 조제품", "활 방어"]


def test_folder_of_monthly_files_equals_one_combined_file(tmp_path):
    later = [r.replace("2020-10", "2020-11").replace("2020-11-31", "2020-11-30") for r in TRADE_ROWS]
    write(tmp_path / "monthly" / "a_202010.csv", [TRADE_HEADER, *TRADE_ROWS])
    write(tmp_path / "monthly" / "a_202011.csv", [TRADE_HEADER, *later])
    combined = write(tmp_path / "combined.csv", [TRADE_HEADER, *TRADE_ROWS, *later])
    from_folder = read_trade(tmp_path / "monthly").drop(columns="source_file")
    from_file = read_trade(combined).drop(columns="source_file")
    pd.testing.assert_frame_equal(from_folder, from_file)


@pytest.mark.parametrize(
    "lines, pattern",
    [
        (
            [TRADE_HEADER.replace("수출입구분코드,", ""), TRADE_ROWS[0]],
            r"column '수출입구분코드': required column missing",
        ),
        (
            [TRADE_HEADER, TRADE_ROWS[0], TRADE_ROWS[1].replace(",0,0,", ",0,1O,")],
            r"row 2, column '당월수출입미화금액\(달러\)': not a number: '1O'",
        ),
        ([TRADE_HEADER, TRADE_ROWS[0].replace("2020-10,US", "2020-13,US")], r"row 1, column '기준년월': not a month"),
        ([TRADE_HEADER, TRADE_ROWS[0].replace(",I,수입", ",X,수입")], r"row 1, column '수출입구분코드'"),
        ([TRADE_HEADER, TRADE_ROWS[0].replace("304941000", "30494A000")], r"row 1, column 'HSK품목코드'"),
        (
            [TRADE_HEADER, TRADE_ROWS[0].replace(",5000,", ",,")],
            r"row 1, column '당해누계수출입중량\(킬로그램\)': blank",
        ),
        ([TRADE_HEADER], r"header only"),
    ],
)
def test_trade_errors_name_file_row_and_column(tmp_path, lines, pattern):
    path = write(tmp_path / "bad.csv", lines)
    with pytest.raises(InputError, match=pattern) as info:
        read_trade(path)
    assert "bad.csv" in str(info.value) and "\n" not in str(info.value)


def test_empty_file_missing_file_and_empty_folder(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.csv: empty file"):
        read_trade(tmp_path / "empty.csv")
    with pytest.raises(InputError, match="file not found"):
        read_trade(tmp_path / "nope.csv")
    (tmp_path / "folder").mkdir()
    with pytest.raises(InputError, match=r"no \.csv file"):
        read_trade(tmp_path / "folder")


def test_undecodable_file_names_the_row(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes((TRADE_HEADER + "\r\n").encode("utf-8") + b"2020-10,US,\xff\xfe\xff,I\r\n")
    with pytest.raises(InputError, match=r"latin.csv, row 1: cannot decode"):
        read_trade(path)


def test_freight_long_format_with_blank_cells(tmp_path):
    path = write(
        tmp_path / "f.csv",
        [
            "기간,미국서부,미국동부,유럽연합,중국,일본,베트남",
            "2019-01,2065,1830,1136,712,769,423",
            "2019-04,1700,1500,1150,690,880,",
        ],
    )
    frame = read_freight(path)
    assert len(frame) == 12
    wide = frame.pivot(index="month", columns="route", values="freight_kkrw_per_2teu")
    assert wide.loc["2019-01-01", "미국서부"] == 2065 and wide.loc["2019-01-01", "베트남"] == 423
    assert pd.isna(wide.loc["2019-04-01", "베트남"])
    write(
        tmp_path / "g.csv", ["기간,미국서부,미국동부,유럽연합,중국,일본,베트남", "2019-01,20x5,1830,1136,712,769,423"]
    )
    with pytest.raises(InputError, match=r"g.csv, row 1, column '미국서부': not a number: '20x5'"):
        read_freight(tmp_path / "g.csv")


def test_exchange_rate_months_and_thousands_separators(tmp_path):
    path = write(tmp_path / "fx.csv", ["날짜,환율", 'May-20,"1,228.67"', 'Oct-20,"1,153.00"'], "utf-8-sig")
    frame = read_exchange_rate(path)
    assert frame["month"].tolist() == [pd.Timestamp("2020-05-01"), pd.Timestamp("2020-10-01")]
    assert frame["usd_krw"].tolist() == [1228.67, 1153.0]
    write(tmp_path / "bad.csv", ["날짜,환율", 'Mai-20,"1,228.67"'], "utf-8-sig")
    with pytest.raises(InputError, match=r"row 1, column '날짜': not a month: 'Mai-20'"):
        read_exchange_rate(tmp_path / "bad.csv")


def test_oil_year_follows_from_row_order_and_gaps_fail(tmp_path):
    header = "월,유종,Dubai,Brent,WTI,Oman"
    rows = ["11월,,41.0,42.0,40.0,41.5", "12월,,49.8,50.2,47.1,49.9", "01월,,54.8,55.3,52.1,55.0"]
    frame = read_oil(write(tmp_path / "oil.csv", [header, *rows]), first_month=pd.Timestamp("2020-11-01"))
    assert frame["month"].dt.strftime("%Y-%m").tolist() == ["2020-11", "2020-12", "2021-01"]
    assert frame["dubai_usd"].tolist() == [41.0, 49.8, 54.8]
    write(tmp_path / "gap.csv", [header, rows[0], rows[2]])
    with pytest.raises(InputError, match=r"gap.csv, row 2, column '월': expected 12월"):
        read_oil(tmp_path / "gap.csv", first_month=pd.Timestamp("2020-11-01"))
    with pytest.raises(InputError, match=r"row 1, column '월': expected 05월"):
        read_oil(tmp_path / "oil.csv")  # default first month 2020-05 does not match


def test_price_index_2020_10_is_october_not_january(tmp_path):
    path = write(tmp_path / "cpi.csv", ["시점,전국", "2020.09,100.74", "2020.10,100.58", "2020.11,100.39"])
    frame = read_cpi(path)
    assert frame["month"].dt.strftime("%Y-%m").tolist() == ["2020-09", "2020-10", "2020-11"]
    assert frame["cpi"].tolist() == [100.74, 100.58, 100.39]


def test_one_digit_month_is_resolved_by_sequence_or_refused(tmp_path):
    path = write(tmp_path / "ppi.csv", ["시점,총지수", "2020.09,100.38", "2020.1,100.4", "2020.11,100.5"])
    assert read_ppi(path)["month"].dt.strftime("%Y-%m").tolist() == ["2020-09", "2020-10", "2020-11"]
    path = write(tmp_path / "jan.csv", ["시점,총지수", "2020.12,100.1", "2021.1,100.2"])
    assert read_ppi(path)["month"].dt.strftime("%Y-%m").tolist() == ["2020-12", "2021-01"]
    path = write(tmp_path / "amb.csv", ["시점,총지수", "2020.05,99.0", "2020.1,100.2"])
    with pytest.raises(InputError, match=r"amb.csv, row 2, column '시점': ambiguous period '2020.1'"):
        read_ppi(path)


def test_load_raw_names_a_missing_source_folder(tmp_path):
    with pytest.raises(InputError, match="missing folder for the trade source"):
        load_raw(tmp_path)


def test_real_reference_file_reads_as_the_by_item_variant(reference_dir):
    frame = read_trade(reference_dir / "hsk_trade_2025-10.csv")
    assert frame.attrs["variant"] == "item"
    assert len(frame) == 932
    imports = frame[frame["trade_flow"] == "I"]
    assert len(imports) == 472
    assert "0106199000" in set(frame["hsk_code"])  # leading zero kept as text
    assert frame["month"].unique().tolist() == [pd.Timestamp("2025-10-01")]
    zero_share = (imports["weight_kg"] == 0).mean()
    assert 0.2 < zero_share < 0.35
    national = imports["value_usd"].sum() / 1e6
    print(f"reference: zero-weight share {zero_share:.3f}, imports {national:.0f} million USD")
    assert 400 < national < 600
