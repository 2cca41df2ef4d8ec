"""The injection protocol on a small panel whose structure is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from panel_builders import tiny_panel

from customs_anomaly import config
from customs_anomaly.inject import ANOMALY_TYPES, InjectionSpec, inject_anomalies, inject_fixed, separability_check

SMALL = InjectionSpec(counts={"a": 3, "b": 2, "c": 2, "d": 6, "e": 3, "f": 2})


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return tiny_panel(seed=0)


def test_same_seed_same_panel_other_seed_other_rows(panel):
    first, again = inject_anomalies(panel, 1, SMALL), inject_anomalies(panel, 1, SMALL)
    pd.testing.assert_frame_equal(first.panel, again.panel)
    other = inject_anomalies(panel, 2, SMALL)
    assert not first.panel["is_anomaly"].equals(other.panel["is_anomaly"])


def test_counts_window_weight_and_labels(panel):
    result = inject_anomalies(panel, 0, SMALL)
    out = result.panel
    assert out.loc[out["is_anomaly"], "anomaly_type"].value_counts().to_dict() == SMALL.counts
    injected = out[out["is_anomaly"]]
    assert injected["month"].between(config.TEST_START, config.STUDY_END).all()
    assert (injected["weight_kg"] > 0).all()
    assert set(out.columns) - set(panel.columns) == {"is_anomaly", "anomaly_type"}
    assert (out.loc[~out["is_anomaly"], "anomaly_type"] == "").all()
    assert (
        len(result.log) == sum(SMALL.counts.values()) and result.log.set_index(list(config.PANEL_KEY)).index.is_unique
    )


def test_derived_columns_and_ytd_stay_consistent(panel):
    out = inject_anomalies(panel, 0, SMALL).panel
    priced = out["weight_kg"] > 0
    np.testing.assert_allclose(
        out.loc[priced, "unit_price_usd_per_kg"], out.loc[priced, "value_usd"] / out.loc[priced, "weight_kg"]
    )
    np.testing.assert_allclose(out["total_freight_krw"], out["freight_krw_per_kg"] * out["weight_kg"])
    np.testing.assert_allclose(out["freight_krw_per_2teu"], out["freight_krw_per_kg"] * config.CONTAINER_PAYLOAD_KG)
    keys = [out["hsk_code"], out["country_code"], out["month"].dt.year]
    np.testing.assert_allclose(out["ytd_value_usd"], out.groupby(keys)["value_usd"].cumsum())
    np.testing.assert_allclose(out["ytd_weight_kg"], out.groupby(keys)["weight_kg"].cumsum())


def test_magnitudes_follow_the_protocol(panel):
    result = inject_anomalies(panel, 0, SMALL)
    log = result.log.set_index("anomaly_type")
    for kind, (low, high) in SMALL.ranges.items():
        factors = log.loc[[kind], "factor"]
        assert factors.between(low, high).all(), kind
    value_ratio = log.loc[["d", "e"], "injected_value_usd"] / log.loc[["d", "e"], "original_value_usd"]
    np.testing.assert_allclose(value_ratio, log.loc[["d", "e"], "factor"])
    f_rows = log.loc[["f"]]
    assert (f_rows["factor"] <= 1 / SMALL.f_min_price_ratio + 1e-12).all()
    assert (log["misdeclared_usd"] > 0).all()
    assert set(ANOMALY_TYPES["type"]) == set("abcdef")


def test_fixed_variant_hits_the_exact_factor(panel):
    result = inject_fixed(panel, 0, "d", 0.7, n=10)
    injected = result.log
    np.testing.assert_allclose(injected["injected_value_usd"] / injected["original_value_usd"], 0.7)
    freight = inject_fixed(panel, 0, "a", 2.0, n=5).log
    np.testing.assert_allclose(freight["injected_freight_krw_per_kg"] / freight["original_freight_krw_per_kg"], 2.0)
    with pytest.raises(ValueError, match="factor must be positive"):
        inject_fixed(panel, 0, "d", 0.0, n=5)


def test_too_few_eligible_rows_is_a_clear_error(panel):
    with pytest.raises(ValueError, match=r"type d: needs 5000 eligible rows but only \d+ are available"):
        inject_anomalies(panel, 0, InjectionSpec(counts={"d": 5000}))


def test_separability_table_compares_weight_month_and_region(panel):
    table = separability_check(inject_anomalies(panel, 0, SMALL))
    assert {"중량 (kg, 중앙값)", "시험 연도의 몇째 달 (중앙값)"} <= set(table["비교 항목"])
    assert table["p값"].dropna().between(0, 1).all()


# --- the scheme protocol -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def replica_panel(replica_panel_path) -> pd.DataFrame:
    from customs_anomaly.storage import read_panel

    return read_panel(replica_panel_path)


@pytest.fixture(scope="module")
def schemes(replica_panel):
    from customs_anomaly.inject import inject_schemes

    return inject_schemes(replica_panel, seed=3)


def test_scheme_labels_cover_exactly_the_changed_and_added_rows(replica_panel, schemes):
    from customs_anomaly.inject import SchemeSpec

    out = schemes.panel
    key = list(config.PANEL_KEY)
    both = out.merge(replica_panel[[*key, "weight_kg", "value_usd"]], on=key, how="left", suffixes=("", "_clean"))
    added = both["weight_kg_clean"].isna().to_numpy()
    changed = added | (both["value_usd"] != both["value_usd_clean"]).to_numpy()
    changed |= (both["weight_kg"] != both["weight_kg_clean"]).to_numpy() & ~added
    labelled = out["is_anomaly"].to_numpy()
    assert np.array_equal(changed, labelled)
    assert ((out[config.SCHEME_COLUMN] != "") == out["is_anomaly"]).all()
    assert out.loc[added, "anomaly_type"].eq("k").all() and added.sum() > 0
    assert out.loc[labelled, "month"].between(config.TEST_START, config.STUDY_END).all()
    counts = schemes.schemes["anomaly_type"].value_counts().to_dict()
    assert counts == SchemeSpec().counts
    # the log and the scheme table describe exactly the labelled rows
    assert len(schemes.log) == labelled.sum()
    months = out[labelled].groupby(config.SCHEME_COLUMN)["month"].agg(["min", "max", "size"])
    table = schemes.schemes.set_index("scheme_id")
    assert (months["min"] == table["start"]).all() and (months["size"] == table["months"]).all()
    # a series holds at most one scheme, and every persistent scheme runs on to the test year's end
    # (or to the series' last month with imports)
    assert table.groupby(["hsk_code", "country_code"]).size().max() == 1
    from customs_anomaly.storage import check_panel

    check_panel(out, "schemes.parquet")  # the labels pass the panel contract


def test_scheme_injection_keeps_year_to_date_columns_consistent(replica_panel, schemes):
    out = schemes.panel
    key = list(config.PANEL_KEY)
    both = out.merge(
        replica_panel[[*key, "weight_kg", "value_usd", "ytd_weight_kg", "ytd_value_usd"]],
        on=key,
        how="left",
        suffixes=("", "_clean"),
    )
    for column in ("weight_kg", "value_usd"):
        both[f"{column}_clean"] = both[f"{column}_clean"].fillna(0.0)
    both["d_weight"] = both["weight_kg"] - both["weight_kg_clean"]
    both["d_value"] = both["value_usd"] - both["value_usd_clean"]
    both = both.sort_values(key)
    groups = [both["hsk_code"], both["country_code"], both["month"].dt.year]
    for column, delta in (("ytd_weight_kg", "d_weight"), ("ytd_value_usd", "d_value")):
        expected = both[f"{column}_clean"].fillna(0.0) + both.groupby(groups)[delta].cumsum()
        np.testing.assert_allclose(both[column], expected, rtol=1e-9, atol=1e-6)
    priced = out["weight_kg"] > 0
    np.testing.assert_allclose(
        out.loc[priced, "unit_price_usd_per_kg"], out.loc[priced, "value_usd"] / out.loc[priced, "weight_kg"]
    )
    np.testing.assert_allclose(out["total_freight_krw"], out["freight_krw_per_kg"] * out["weight_kg"])


def test_schemes_change_prices_as_the_protocol_says(schemes):
    from customs_anomaly.inject import SchemeSpec

    spec, log = SchemeSpec(), schemes.log
    persistent = log[log["anomaly_type"] == "g"]
    assert persistent["factor"].between(*spec.persistent["g"]).all()
    assert (persistent.groupby("scheme_id")["factor"].nunique() == 1).all()  # one factor a scheme
    slide = log[log["anomaly_type"] == "i"].sort_values(["scheme_id", "month"])
    assert (slide.groupby("scheme_id")["factor"].apply(lambda f: f.is_monotonic_decreasing)).all()
    surge = log[log["anomaly_type"] == "j"]
    ratio = surge["weight_kg"] / surge["original_weight_kg"]
    assert ratio.between(spec.surge_weight[0] * 0.99, spec.surge_weight[1] * 1.01).all()
    newcomer = log[log["anomaly_type"] == "k"]
    assert (newcomer["original_value_usd"] == 0).all() and (newcomer["misdeclared_usd"] > 0).all()
