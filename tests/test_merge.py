"""Merge on a hand-built set of sources whose right answer is known row by row."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from customs_anomaly import config
from customs_anomaly.countries import EU_MEMBERS, region_of
from customs_anomaly.errors import InputError
from customs_anomaly.merge import ORIGINAL_EU_NAMES, build_panel, pad_hsk_code, region_mapping_table
from customs_anomaly.sources import RawSources

M = pd.Timestamp


def trade_row(month, flow, hsk, code, name, weight, value, source="t_202005.csv"):
    return {
        "month": M(month),
        "hsk_code": hsk,
        "trade_flow": flow,
        "trade_flow_name": "수입" if flow == "I" else "수출",
        "country_code": code,
        "country_name": name,
        "economic_bloc": "",
        "item_name": "품목",
        "weight_kg": float(weight),
        "value_usd": float(value),
        "ytd_weight_kg": float(weight) + 10.0,
        "ytd_value_usd": float(value) + 10.0,
        "reference_date": M(month) + pd.offsets.MonthEnd(0),
        "source_file": source,
    }


def make_sources(trade_rows: list[dict]) -> RawSources:
    trade = pd.DataFrame(trade_rows)
    trade.attrs["variant"] = "country"
    months = [M("2020-05-01"), M("2020-06-01"), M("2020-07-01")]
    routes = {"미국서부": 2000.0, "미국동부": 1000.0, "유럽연합": 1400.0, "중국": 700.0, "일본": 800.0, "베트남": 400.0}
    freight = pd.DataFrame(
        [{"month": m, "route": r, "freight_kkrw_per_2teu": v} for m in months for r, v in routes.items()]
    )
    freight.loc[(freight["month"] == M("2020-06-01")) & (freight["route"] == "일본"), "freight_kkrw_per_2teu"] = (
        math.nan
    )
    macro_months = months[:2]  # no macro values for 2020-07
    return RawSources(
        trade=trade,
        freight=freight,
        exchange_rate=pd.DataFrame({"month": macro_months, "usd_krw": [1228.67, 1210.01]}),
        oil=pd.DataFrame(
            {
                "month": macro_months,
                "dubai_usd": [30.47, 40.80],
                "brent_usd": [32.41, 40.77],
                "wti_usd": [28.53, 38.31],
                "oman_usd": [30.75, 40.85],
            }
        ),
        cpi=pd.DataFrame({"month": macro_months, "cpi": [99.44, 99.71]}),
        ppi=pd.DataFrame({"month": macro_months, "ppi": [98.96, 99.47]}),
    )


ROWS = [
    trade_row("2020-05-01", "I", "302110000", "US", "미국", 1000, 5000),  # kept, padded code
    trade_row("2020-05-01", "E", "302110000", "US", "미국", 50, 500),  # export
    trade_row("2020-04-01", "I", "302110000", "US", "미국", 10, 50),  # before the study period
    trade_row("2020-05-01", "I", "303890000", "RU", "러시아", 100, 300),  # outside the freight regions
    trade_row("2020-05-01", "I", "1604200000", "CY", "키프로스", 20, 100),  # EU by ISO code
    trade_row("2020-05-01", "I", "1604200000", "LU", "룩셈부르크", 20, 100),  # EU by ISO code
    trade_row("2020-05-01", "I", "306170000", "", "베트남", 300, 3000),  # blank code, known name
    trade_row("2020-05-01", "I", "302890000", "JP", "일본", 0, 0),  # zero weight: unit price NaN
    trade_row("2020-06-01", "I", "302890000", "JP", "일본", 5, 50),  # no freight for 일본 in 2020-06
    trade_row("2020-07-01", "I", "307220000", "CN", "중국", 5, 50),  # no macro values for 2020-07
    trade_row("2020-05-01", "I", "302110000", "US", "미국", 1000, 5000, "combined.csv"),  # exact duplicate
    trade_row("2020-05-01", "I", "302110000", "", "어딘가", 1, 1),  # blank code, unknown name
]


def test_panel_has_the_contract_columns_and_known_rows():
    result = build_panel(make_sources(ROWS))
    panel = result.panel
    assert list(panel.columns) == list(config.PANEL_COLUMNS)
    assert len(panel) == 5
    assert set(panel["region"]) == {"미국", "유럽연합", "베트남", "일본"}
    assert panel["hsk_code"].str.fullmatch(r"\d{10}").all()
    us = panel[panel["country_code"] == "US"].iloc[0]
    assert us["hsk_code"] == "0302110000"
    assert us["unit_price_usd_per_kg"] == pytest.approx(5.0)
    assert us["freight_krw_per_2teu"] == pytest.approx(1_500_000.0)  # mean of both coasts, in KRW
    assert us["freight_krw_per_kg"] == pytest.approx(1_500_000.0 / 40_000.0)
    assert us["total_freight_krw"] == pytest.approx(37.5 * 1000)
    assert us["usd_krw"] == pytest.approx(1228.67) and us["dubai_usd"] == pytest.approx(30.47)
    assert us["cpi"] == pytest.approx(99.44) and us["ppi"] == pytest.approx(98.96)
    japan = panel[panel["country_code"] == "JP"].iloc[0]
    assert math.isnan(japan["unit_price_usd_per_kg"])
    assert japan["total_freight_krw"] == 0.0
    assert set(panel.loc[panel["region"] == "유럽연합", "country_code"]) == {"CY", "LU"}
    assert result.recovered_country_codes == 1
    assert "VN" in set(panel["country_code"])


def test_row_accounting_adds_up_by_reason():
    accounting = build_panel(make_sources(ROWS)).accounting.set_index("reason")["rows"]
    assert accounting["input"] == 12
    assert accounting["export"] == 1
    assert accounting["outside_period"] == 1
    assert accounting["duplicate"] == 1
    assert accounting["outside_regions"] == 2
    assert accounting["no_freight"] == 1
    assert accounting["no_macro"] == 1
    assert accounting["kept"] == 5
    dropped = accounting.drop(["input", "kept"]).sum()
    assert accounting["input"] == accounting["kept"] + dropped


def test_payload_is_a_parameter():
    panel = build_panel(make_sources(ROWS[:1]), payload_kg=20_000).panel
    assert panel["freight_krw_per_kg"].iloc[0] == pytest.approx(75.0)
    with pytest.raises(ValueError, match="payload"):
        build_panel(make_sources(ROWS[:1]), payload_kg=0)


def test_conflicting_duplicates_name_both_rows_and_the_differing_column():
    rows = [ROWS[0], ROWS[3], {**ROWS[0], "weight_kg": 999.0, "source_file": "other.csv"}]
    pattern = r"other\.csv, row 1, column '당월수출입중량\(킬로그램\)': conflicts with row 1 of t_202005\.csv"
    with pytest.raises(InputError, match=pattern):
        build_panel(make_sources(rows))
    rows = [ROWS[0], ROWS[3], {**ROWS[0], "value_usd": 1.0}]  # the same file: rows 1 and 3
    with pytest.raises(InputError, match=r"t_202005\.csv, row 3, column '당월수출입미화금액\(달러\)'.*row 1 of"):
        build_panel(make_sources(rows))


def test_by_item_release_cannot_be_merged():
    sources = make_sources(ROWS)
    item_variant = sources.trade.drop(columns=["country_code", "country_name", "economic_bloc"])
    item_variant.attrs["variant"] = "item"
    sources = RawSources(item_variant, sources.freight, sources.exchange_rate, sources.oil, sources.cpi, sources.ppi)
    with pytest.raises(InputError, match="국가코드"):
        build_panel(sources)


def test_hsk_codes_are_padded_to_ten_digits():
    codes = pad_hsk_code(pd.Series(["302110000", "1604200000", " 106199000 "]))
    assert codes.tolist() == ["0302110000", "1604200000", "0106199000"]


def test_all_27_eu_members_map_to_the_eu_region_by_iso_code():
    assert len(EU_MEMBERS) == 27
    assert all(region_of(code) == "유럽연합" for code in EU_MEMBERS)
    assert region_of("us") == "미국" and region_of("GB") is None and region_of("") is None


def test_region_table_shows_what_the_original_name_mapping_missed():
    table = region_mapping_table(make_sources(ROWS).trade)
    missed = table[(table["region"] == "유럽연합") & ~table["eu_by_original_names"]]
    assert set(missed["country_code"]) == {"CY", "LU"}
    assert "포르투갈" not in ORIGINAL_EU_NAMES
