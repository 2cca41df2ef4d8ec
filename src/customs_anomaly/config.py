"""Paths, study period and fixed parameters: the single place the rest of the package reads them from."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = Path(os.environ.get("CUSTOMS_ANOMALY_ROOT", PACKAGE_DIR.parents[1])).resolve()

STUDY_START = pd.Timestamp("2020-05-01")
STUDY_END = pd.Timestamp("2025-04-01")
TEST_START = pd.Timestamp("2024-05-01")  # the test year is TEST_START..STUDY_END
TRAIN_UNTIL = pd.Timestamp("2024-04-01")  # last training month

# The original converts the per-container freight cost to a per-kg cost with this payload.
CONTAINER_PAYLOAD_KG = 40_000.0

# Freight regions of the panel (the panel contract); 미국 is the mean of 미국서부 and 미국동부.
REGIONS = ("유럽연합", "미국", "중국", "일본", "베트남")
FREIGHT_ROUTES = ("미국서부", "미국동부", "유럽연합", "중국", "일본", "베트남")

DEFAULT_SEED = 0
# The monthly review budget: the share of a month's rows an analyst reviews (the top of the queue).
REVIEW_BUDGET_SHARE = 0.02

# One sub-folder of the raw data directory per source; each holds one or more CSV files.
RAW_SOURCE_DIRS = {
    "trade": "trade",
    "freight": "freight",
    "exchange_rate": "exchange_rate",
    "oil": "oil",
    "cpi": "cpi",
    "ppi": "ppi",
}
SYNTHETIC_MARKER = "SYNTHETIC.json"  # written by `synth` into the raw directory

PANEL_COLUMNS = (
    "month",
    "hsk_code",
    "item_name",
    "country_code",
    "country_name",
    "region",
    "weight_kg",
    "value_usd",
    "ytd_weight_kg",
    "ytd_value_usd",
    "unit_price_usd_per_kg",
    "freight_krw_per_2teu",
    "freight_krw_per_kg",
    "total_freight_krw",
    "usd_krw",
    "dubai_usd",
    "cpi",
    "ppi",
)
PANEL_KEY = ("month", "hsk_code", "country_code")
LABEL_COLUMNS = ("is_anomaly", "anomaly_type")
# The scheme protocol's label: the id of the multi-month scheme a row belongs to ('' otherwise).
SCHEME_COLUMN = "scheme_id"
ALL_LABEL_COLUMNS = (*LABEL_COLUMNS, SCHEME_COLUMN)  # what no detector may read


@dataclass(frozen=True)
class Paths:
    """Every file location of one build, derived from a data root and a models root."""

    data: Path
    models: Path

    @classmethod
    def from_root(cls, root: str | Path = PROJECT_ROOT) -> Paths:
        root = Path(root)
        return cls(data=root / "data", models=root / "models")

    @property
    def raw(self) -> Path:
        return self.data / "raw"

    @property
    def interim(self) -> Path:
        return self.data / "interim"

    @property
    def processed(self) -> Path:
        return self.data / "processed"

    @property
    def panel(self) -> Path:
        return self.processed / "panel.parquet"

    @property
    def row_accounting(self) -> Path:
        return self.processed / "panel_row_accounting.csv"

    @property
    def injected_panel(self) -> Path:
        return self.processed / "panel_injected.parquet"

    @property
    def scores(self) -> Path:
        return self.processed / "scores.parquet"


def month_range(start: pd.Timestamp = STUDY_START, end: pd.Timestamp = STUDY_END) -> pd.DatetimeIndex:
    """First days of every month from start to end inclusive."""
    return pd.date_range(start, end, freq="MS")
