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
    assert {"log 중량", "월 순번"} <= set(table["비교 항목"])
    assert table["p값"].dropna().between(0, 1).all()
