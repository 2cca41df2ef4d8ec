"""EDA tables on panels whose answers are known."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from panel_builders import tiny_panel

from customs_anomaly import explore, plots


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return tiny_panel(seed=0)


def test_item_groups_from_hs_headings():
    codes = pd.Series(["0301992000", "303550000", "0306171090", "1604200000", "1212211000", "2501001020", "0511919000"])
    assert explore.item_group(codes).tolist() == [
        "활어",
        "냉동 어류",
        "갑각류",
        "어류 조제품",
        "해조류",
        "소금",
        "기타",
    ]


def test_series_lengths_count_consecutive_runs():
    months = pd.to_datetime(["2020-05-01", "2020-06-01", "2020-07-01", "2020-09-01", "2020-10-01"])
    panel = pd.DataFrame(
        {"hsk_code": "0303550000", "country_code": "CN", "month": months, "weight_kg": [1.0, 0.0, 1.0, 1.0, 1.0]}
    )
    row = explore.series_lengths(panel).iloc[0]
    assert row["months_present"] == 5 and row["months_positive"] == 4
    assert row["longest_run_present"] == 3  # May-July, then a gap in August
    assert row["longest_run_positive"] == 2  # September-October


def test_quality_audit_counts_planted_problems(panel):
    broken = pd.concat([panel, panel.iloc[[0]]], ignore_index=True)
    broken.loc[5, "value_usd"] = -1.0
    audit = explore.quality_audit(broken).set_index("점검 항목")["행 수"]
    assert audit["중복 키"] == 1
    assert audit["음수 값"] >= 1
    assert audit["단가 결측(중량 > 0)"] == 0


def test_top_items_by_region_and_shares(panel):
    table = explore.top_items(panel, n=1, by=["region"])
    assert set(table["region"]) == set(panel["region"])
    vietnam = table[table["region"] == "베트남"].iloc[0]
    assert vietnam["item_name"] == "냉동 새우살"  # 9 USD/kg against 1.8 USD/kg mackerel
    overall = explore.top_items(panel, n=3)
    assert overall["value_usd"].is_monotonic_decreasing and overall["share"].sum() <= 1


def test_zero_weight_share_and_seasonality_shapes(panel):
    zero = explore.zero_weight_by_calendar_month(panel)
    assert list(zero.index) == list(range(1, 13)) and zero.between(0, 1).all()
    assert list(explore.seasonality(panel).index) == list(range(1, 13))


def test_figures_have_korean_labels_with_units(panel):
    plots.set_style()
    assert plt.rcParams["font.family"] == ["NanumGothic"]
    figures = [
        plots.freight_by_region(explore.freight_by_region(panel)),
        plots.unit_price_by_group(explore.unit_prices_by_group(panel)),
        plots.series_length_histogram(explore.series_lengths(panel)),
        plots.seasonality_bars(explore.seasonality(panel)),
    ]
    for figure in figures:
        ax = figure.axes[0]
        assert any("\uac00" <= ch <= "\ud7a3" for ch in ax.get_title() + figure.get_suptitle())
        assert "(" in ax.get_xlabel() + ax.get_ylabel()
        plt.close(figure)


def test_short_item_names_drop_brackets_cut_long_names_and_stay_unique_per_code():
    from customs_anomaly.items import SHORT_NAME_LENGTH, short_names

    names = pd.Series(
        [
            "갑오징어[세피아 오피시날리스(Sepia officinalis)종]와 오징어[옴마스트레페스(Ommastrephes)종]",
            "갑오징어[세피아 오피시날리스(Sepia officinalis)종]와 오징어[옴마스트레페스(Ommastrephes)종]",
            "냉동 명태",
            "기타 냉동 어류로서 필레와 그 밖의 어육을 제외한 것 중 따로 분류되지 않은 것",
        ]
    )
    codes = pd.Series(["0307430000", "0307490000", "0303670000", "0303890000"])
    labels = short_names(codes, names).tolist()
    assert labels[:3] == ["갑오징어와 오징어 (430000)", "갑오징어와 오징어 (490000)", "냉동 명태"]
    assert len(labels[3]) == SHORT_NAME_LENGTH and labels[3].endswith("…")
