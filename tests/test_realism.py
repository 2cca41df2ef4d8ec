"""The replica against the real releases: structure, freight, and the aggregates stored in the
package. Tests that read ../shared/reference skip cleanly without it (a user's clone has none);
the others hold the replica against the package's stored aggregates."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from customs_anomaly import config, plots, realism, synth
from customs_anomaly.sources.freight import read_freight
from customs_anomaly.sources.trade import read_trade
from customs_anomaly.synth import build_catalogue, reference_figures
from customs_anomaly.synth.build_catalogue import round_significant

REPLICA_MONTH = "2024-07-01"
REAL_MONTH = reference_figures.TRADE_RELEASE_MONTH
TRADE_FILE = "country_trade_2025-07.csv"
FREIGHT_FILE = "sea_freight_import_2019-01_2024-06.csv"


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return synth.trade_records(synth.source_rng(config.DEFAULT_SEED, "trade"))


@pytest.fixture(scope="module")
def freight() -> pd.DataFrame:
    return synth.freight_series(synth.source_rng(config.DEFAULT_SEED, "freight"))


@pytest.fixture(scope="module")
def real_trade(reference_dir) -> pd.DataFrame:
    return read_trade(reference_dir / TRADE_FILE)


@pytest.fixture(scope="module")
def real_freight(reference_dir) -> pd.DataFrame:
    return read_freight(reference_dir / FREIGHT_FILE)


def print_table(table: pd.DataFrame) -> None:
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print("\n" + table.to_string())


# --- against the real files (skip without ../shared/reference) ------------------------------------


def test_replica_structure_is_within_tolerance_of_the_real_release(records, real_trade):
    real_figures = realism.structure_figures(real_trade, REAL_MONTH)
    real_prices = realism.unit_price_by_code(real_trade, REAL_MONTH)
    table = realism.structure_table(records, REPLICA_MONTH, real_figures=real_figures, real_prices=real_prices)
    print_table(table[["figure", "real", "replica", "tolerance", "within"]])
    assert table["within"].all(), table.loc[~table["within"], "figure"].tolist()
    assert real_figures["import_rows"] == 1146 and real_figures["hsk_codes"] == 400  # the release's README


def test_replica_freight_follows_the_real_series(freight, real_freight):
    checks = realism.freight_checks(freight, real_freight=real_freight)
    print_table(checks)
    assert checks["within"].all(), checks.loc[~checks["within"], "route"].tolist()
    assert (checks["correlation"] >= realism.FREIGHT_MIN_CORRELATION).all()


def test_stored_aggregates_equal_what_the_functions_compute_from_the_real_files(real_trade, real_freight):
    figures = realism.structure_figures(real_trade, REAL_MONTH)
    assert figures.keys() == reference_figures.STRUCTURE.keys()
    for name, value in figures.items():
        assert reference_figures.STRUCTURE[name] == pytest.approx(value, abs=5e-5), name
    per_code = realism.countries_per_code(real_trade, REAL_MONTH)
    assert dict(zip(per_code["countries"], per_code["codes"])) == reference_figures.COUNTRIES_PER_CODE
    mix = realism.region_mix(real_trade, REAL_MONTH)
    assert dict(zip(mix["region"], mix["rows"])) == reference_figures.REGION_ROWS
    prices = round_significant(realism.unit_price_by_code(real_trade, REAL_MONTH))
    assert prices.to_dict() == reference_figures.UNIT_PRICE_BY_CODE

    wide = real_freight.pivot_table(index="month", columns="route", values="freight_kkrw_per_2teu", aggfunc="first")
    stored = reference_figures.freight_path()
    pd.testing.assert_frame_equal(
        wide[list(config.FREIGHT_ROUTES)], stored, check_names=False, check_freq=False, check_index_type=False
    )
    for route, (month, level) in reference_figures.FREIGHT_PEAKS.items():
        assert (f"{wide[route].idxmax():%Y-%m}", int(wide[route].max())) == (month, level)


def test_catalogue_data_is_what_the_builder_makes_of_the_real_release(reference_dir, tmp_path, capsys):
    assert build_catalogue.main([str(reference_dir / TRADE_FILE), "--out", str(tmp_path)]) == 0
    assert "items.csv" in capsys.readouterr().out
    for name in (build_catalogue.ITEMS_FILE, build_catalogue.PARTNERS_FILE):
        assert (tmp_path / name).read_bytes() == (build_catalogue.DATA_DIR / name).read_bytes(), name


def test_every_partner_country_of_the_release_is_known_by_its_printed_name_and_bloc(real_trade):
    from customs_anomaly.countries import COUNTRY_NAMES, code_from_name, economic_bloc

    countries = real_trade.groupby("country_code")[["country_name", "economic_bloc"]].first()
    for code, row in countries.iterrows():
        assert COUNTRY_NAMES[code] == row["country_name"], code
        assert economic_bloc(code) == row["economic_bloc"], code
        assert code_from_name(row["country_name"]) == code


# --- against the package's stored aggregates (always run) ----------------------------------------


def test_replica_structure_is_within_tolerance_of_the_stored_real_figures(records):
    table = realism.structure_table(records, REPLICA_MONTH)
    print_table(table[["figure", "real", "replica", "tolerance", "within"]])
    assert table["within"].all(), table.loc[~table["within"], "figure"].tolist()


def test_replica_freight_passes_the_checks_against_the_stored_real_path(freight):
    checks = realism.freight_checks(freight)
    assert checks["within"].all(), checks.loc[~checks["within"], "route"].tolist()
    assert set(checks["route"]) == set(config.FREIGHT_ROUTES)


def test_freight_checks_fail_a_path_that_peaks_elsewhere_or_too_high(freight):
    shifted = freight.assign(**{route: freight[route].shift(12).bfill() for route in config.FREIGHT_ROUTES})
    assert not realism.freight_checks(shifted)["peak_month_within"].any()
    doubled = freight.assign(**{route: 2.0 * freight[route] for route in config.FREIGHT_ROUTES})
    checks = realism.freight_checks(doubled)
    assert not checks["peak_within"].any() and checks["correlation_within"].all()


def test_structure_figures_on_a_hand_built_release():
    def row(code, country, weight, value, name=""):
        return {
            "month": pd.Timestamp("2024-07-01"),
            "trade_flow": "I",
            "hsk_code": code,
            "country_code": country,
            "country_name": name,
            "weight_kg": weight,
            "value_usd": value,
        }

    trade = pd.DataFrame(
        [
            row("302110000", "JP", 10, 100),  # nine digits: padded
            row("0302110000", "CN", 10, 400),
            row("0302110000", "", 0, 0, name="프랑스"),  # blank code recovered from the name
            row("0303000000", "US", 5, 50),
            row("0303000000", "NO", 100, 1000),  # outside the five regions
            {**row("0303000000", "VN", 1, 1), "trade_flow": "E"},  # export
        ]
    )
    figures = realism.structure_figures(trade, "2024-07")
    assert figures["import_rows"] == 4 and figures["hsk_codes"] == 2 and figures["countries"] == 4
    assert figures["zero_weight_share"] == pytest.approx(0.25)
    assert figures["countries_per_code_median"] == pytest.approx(1.5)
    assert figures["region_share_유럽연합"] == pytest.approx(0.25)
    assert figures["value_share_five_regions"] == pytest.approx(550 / 1550)
    assert figures["all_import_rows"] == 5 and figures["all_countries"] == 5
    # unit prices of code 0302110000: 10 and 40 USD/kg, code price 500 / 20 = 25
    assert figures["price_spread"] == pytest.approx(abs(np.log(10 / 25)) / 2 + abs(np.log(40 / 25)) / 2)
    per_code = realism.countries_per_code(trade, "2024-07")
    assert per_code["countries"].tolist() == [1, 2] and per_code["codes"].tolist() == [1, 1]


def test_comparison_tables_and_figures_have_both_sides(records, freight):
    per_code = realism.countries_per_code_table(records, REPLICA_MONTH)
    mix = realism.region_mix_table(records, REPLICA_MONTH)
    assert set(per_code["source"]) == set(mix["source"]) == {realism.REAL_LABEL, "복제 (2024-07)"}
    assert np.allclose(mix.groupby("source")["share"].sum(), 1.0)
    prices = realism.unit_price_comparison(records, REPLICA_MONTH)
    paths = realism.freight_paths(freight)
    assert set(paths["source"]) == {realism.FREIGHT_REAL_LABEL, realism.FREIGHT_REPLICA_LABEL}
    plots.set_style()
    figures = [
        plots.countries_per_code_bars(per_code),
        plots.region_mix_bars(mix),
        plots.unit_price_real_vs_replica(prices, realism.UNIT_PRICE_FACTOR),
        plots.freight_real_vs_replica(paths),
    ]
    for figure in figures:
        axes = [ax for ax in figure.axes if ax.has_data()]
        assert axes and all(ax.get_ylabel() and ax.get_title() for ax in axes)
        assert any(ax.get_xlabel() for ax in axes)
    assert len(figures[3].axes) == len(config.FREIGHT_ROUTES)
    plt.close("all")
