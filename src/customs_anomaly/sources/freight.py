"""관세청 sea-freight import cost per 40 ft container (천원 per 2 TEU) by route."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from customs_anomaly import config
from customs_anomaly.sources._csv import parse_months, parse_numbers, read_each, read_text_table, year_month


def _read_file(path: Path) -> pd.DataFrame:
    frame = read_text_table(path, ("기간", *config.FREIGHT_ROUTES))
    months = parse_months(frame, path, "기간", year_month)
    long = [
        pd.DataFrame(
            {
                "month": months,
                "route": route,
                "freight_kkrw_per_2teu": parse_numbers(frame, path, route, allow_blank=True),
            }
        )
        for route in config.FREIGHT_ROUTES
    ]
    return pd.concat(long, ignore_index=True)


def read_freight(path: str | Path) -> pd.DataFrame:
    """Long frame: month, route (Korean label), freight_kkrw_per_2teu (NaN for blank cells)."""
    return read_each(path, _read_file).sort_values(["month", "route"], ignore_index=True)
