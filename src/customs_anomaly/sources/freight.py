"""관세청 sea-freight import cost per 40 ft container (천원 per 2 TEU) by route."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from customs_anomaly import config
from customs_anomaly.sources._csv import parse_months, parse_numbers, read_monthly, read_text_table, year_month


def _read_file(path: Path) -> pd.DataFrame:
    """One row per data row: month and the six routes (NaN for blank cells)."""
    frame = read_text_table(path, ("기간", *config.FREIGHT_ROUTES))
    wide = pd.DataFrame({"month": parse_months(frame, path, "기간", year_month)})
    for route in config.FREIGHT_ROUTES:
        wide[route] = parse_numbers(frame, path, route, allow_blank=True)
    return wide


def read_freight(path: str | Path) -> pd.DataFrame:
    """Long frame: month, route (Korean label), freight_kkrw_per_2teu (NaN for blank cells); a
    month listed twice with different values is refused."""
    wide = read_monthly(path, _read_file, "기간")
    long = wide.melt(id_vars="month", var_name="route", value_name="freight_kkrw_per_2teu")
    return long.sort_values(["month", "route"], ignore_index=True)
