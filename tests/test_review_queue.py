"""The numbers behind each row of the review queue (`demo.queue_data`): the expected price and its
band from whichever columns the detector's scores carry, the estimated misdeclared value, the
ranking by value at stake and the rank of a score in its month; hand-built frames with known
answers, and the small panel of the browser tests."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from demo_fixtures import BAND_FACTORS, panel_and_scores, with_expected_prices
from panel_builders import SERIES

from customs_anomaly.demo import (
    QUEUE_COLUMNS,
    expected_prices,
    expected_source,
    month_ranks,
    queue_data,
    stake_ranks,
)


def rows_of(**columns) -> pd.DataFrame:
    """Two priced rows (10 kg at 2 USD/kg, 100 kg at 4 USD/kg) and one of 0 kg, with extra columns."""
    base = pd.DataFrame({"weight_kg": [10.0, 100.0, 0.0], "unit_price_usd_per_kg": [2.0, 4.0, np.nan]})
    return base.assign(**columns)


@pytest.mark.parametrize(
    "columns, source, expected, low, high",
    [
        (  # lstm-plus writes the expected price and its band
            {
                "expected_unit_price_usd_per_kg": [1.0, 5.0, np.nan],
                "expected_low_unit_price_usd_per_kg": [0.5, 4.0, np.nan],
                "expected_high_unit_price_usd_per_kg": [2.0, 6.0, np.nan],
            },
            "expected",
            [1.0, 5.0],
            [0.5, 4.0],
            [2.0, 6.0],
        ),
        ({"recon_unit_price_usd_per_kg": [1.5, 3.0, 1.0]}, "reconstruction", [1.5, 3.0], [None] * 2, [None] * 2),
        ({"fair_ratio": [0.5, 2.0, np.nan]}, "fair-price", [4.0, 2.0], [None] * 2, [None] * 2),  # price / ratio
        ({"deviation": [math.log(2.0), 0.0, np.nan]}, "neighbours", [1.0, 4.0], [None] * 2, [None] * 2),
        ({"q1": [1.0, 3.0, 1.0], "q3": [3.0, 5.0, 3.0]}, "band", [None] * 2, [1.0, 3.0], [3.0, 5.0]),
        ({}, "", [None] * 2, [None] * 2, [None] * 2),
    ],
    ids=["expected", "reconstruction", "fair-price", "neighbours", "band", "none"],
)
def test_the_expected_price_comes_from_the_columns_the_scores_carry(columns, source, expected, low, high):
    frame = rows_of(**columns)
    assert expected_source(frame.columns) == source
    prices = expected_prices(frame).head(2)

    def same(series: pd.Series, values: list) -> bool:
        wanted = np.array([np.nan if v is None else v for v in values], dtype=float)
        return np.allclose(series.to_numpy(float), wanted, equal_nan=True)

    assert same(prices["expected_price"], expected)
    assert same(prices["expected_low"], low) and same(prices["expected_high"], high)


def test_month_ranks_count_only_scored_rows_of_the_same_month():
    months = pd.to_datetime(["2024-07-01"] * 4 + ["2024-08-01"] * 2)
    ranks = month_ranks(pd.DataFrame({"month": months, "score": [3.0, 9.0, np.nan, 3.0, 1.0, 2.0]}))
    assert ranks["month_rank"].tolist()[:2] == [2.0, 1.0] and math.isnan(ranks["month_rank"].iloc[2])
    assert ranks["month_rank"].iloc[3] == 2.0  # a tie shares the better rank
    assert ranks["month_rank"].tolist()[4:] == [2.0, 1.0]
    assert ranks["month_scored"].tolist() == [3, 3, 3, 3, 2, 2]


def test_the_value_at_stake_ranks_by_size_either_way_and_leaves_unknowns_unranked():
    ranks = stake_ranks(pd.Series([-500.0, 20.0, np.nan, 500.0, 3000.0]))
    assert ranks.tolist()[:2] == [2.0, 4.0] and math.isnan(ranks.iloc[2])
    assert ranks.tolist()[3:] == [3.0, 1.0]  # a tie keeps the given (score) order


@pytest.fixture(scope="module")
def queue():
    panel, scores = panel_and_scores()
    return panel, queue_data(with_expected_prices(panel, scores), panel)


def test_every_row_carries_its_numbers_from_the_panel_and_the_scores(queue):
    panel, data = queue
    base = {(code, country): price for code, _, country, _, _, price in SERIES}
    indexed = panel.assign(month=panel["month"].dt.strftime("%Y-%m")).set_index(["month", "hsk_code", "country_code"])
    low, high = BAND_FACTORS
    for row in data["rows"]:
        source = indexed.loc[(row["month"], row["hsk_code"], row["country_code"])]
        expected = base[(row["hsk_code"], row["country_code"])]
        assert row["weight_kg"] == pytest.approx(source["weight_kg"])
        assert row["value_usd"] == pytest.approx(source["value_usd"])
        assert row["unit_price"] == pytest.approx(source["unit_price_usd_per_kg"], abs=1e-4)
        assert (row["expected_price"], row["expected_low"], row["expected_high"]) == pytest.approx(
            (expected, expected * low, expected * high), abs=1e-4
        )
        assert row["misdeclared_usd"] == pytest.approx(source["weight_kg"] * expected - source["value_usd"], abs=0.5)
        # the public data hold one freight figure per region and month: the level is the row's own
        assert row["freight_level"] == pytest.approx(source["freight_krw_per_kg"], abs=0.01)
    stakes = sorted(data["rows"], key=lambda r: -abs(r["misdeclared_usd"]))
    assert [r["stake_rank"] for r in stakes] == list(range(1, len(stakes) + 1))
    assert data["model_kind"] == "expected" and data["queue"] == {"window": ["2024-05", "2025-04"], "month": "2025-04"}
    assert data["verdicts_file"] == "verdicts_2025-04.csv"
    assert [key for key, _ in QUEUE_COLUMNS] == [c[0] for c in data["columns"]]
