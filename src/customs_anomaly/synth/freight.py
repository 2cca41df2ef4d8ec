"""Sea-freight import cost by route: the real KCS series' path with the replica's own noise.

Calibration target: the monthly level of each route in the real file named in
``reference_figures.FREIGHT_RELEASE`` (2019-01..2024-06). The replica multiplies it by smooth
noise of a few percent, pinned to zero where the public record is quoted (the three months of
2019 the competition deck prints, 유럽연합 in 2020-05, each route's peak month), so those cells
equal the real file; and each route's published peak stays its peak (the real paths have
plateaus and a second peak a few percent lower, which noise would otherwise lift above it, so
another month is held just below the peak). After the last real month (to 2025-04) no real value is known: each route
continues from the mean of its last real months along one plausible common path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from customs_anomaly import config
from customs_anomaly.synth import reference_figures
from customs_anomaly.synth.randomness import ar1, smooth_log_path

FREIGHT_START = pd.Timestamp(reference_figures.FREIGHT_START)
DECK_MONTHS = ("2019-01", "2019-02", "2019-03")  # the competition deck's table; all routes
FREIGHT_EU_MONTH = "2020-05"  # 유럽연합's published value that month
NOISE_SD = 0.025  # innovation sd of the log noise (stationary sd about 0.03)
NOISE_PHI = 0.5
PIN_RAMP_MONTHS = 2  # the noise fades in linearly over this many months from a pinned month
# After the real file ends: log level relative to the mean of the route's last real months
# (an assumed mild rise in late 2024 and an easing into 2025, not data).
PEAK_MARGIN = 1.0  # 천원: every other month stays at least this far below the route's peak
CONTINUATION_BASE_MONTHS = 3
CONTINUATION_PATH = {"2024-06": 0.0, "2024-09": 0.10, "2025-01": 0.0, "2025-04": -0.05}


def real_freight() -> pd.DataFrame:
    """The real monthly path stored in the package (index month, one column per route)."""
    return reference_figures.freight_path()


def _fact_months() -> dict[str, list[str]]:
    """Months per route whose replica value equals the real file's (published cells, peaks)."""
    facts = {route: list(DECK_MONTHS) for route in config.FREIGHT_ROUTES}
    facts["유럽연합"].append(FREIGHT_EU_MONTH)
    for route, (month, _) in reference_figures.FREIGHT_PEAKS.items():
        facts[route].append(month)
    return facts


_REAL = real_freight()
# The published cells the replica reproduces exactly (they agree with the real file).
FREIGHT_FACTS = {
    month: tuple(int(_REAL.loc[pd.Timestamp(month), route]) for route in config.FREIGHT_ROUTES) for month in DECK_MONTHS
}
FREIGHT_EU_2020_05 = int(_REAL.loc[pd.Timestamp(FREIGHT_EU_MONTH), "유럽연합"])


def target_path(months: pd.DatetimeIndex) -> pd.DataFrame:
    """Log level each route follows: the real path, then the continuation after its last month."""
    real = np.log(real_freight())
    last = real.index[-1]
    base = real.iloc[-CONTINUATION_BASE_MONTHS:].mean()
    continuation = smooth_log_path(CONTINUATION_PATH, months)
    out = pd.DataFrame(index=months)
    for route in config.FREIGHT_ROUTES:
        after = pd.Series(base[route] + continuation, index=months)
        out[route] = real[route].reindex(months).where(months <= last, after)
    return out


def pinned_noise(rng: np.random.Generator, t: int, pins: list[int]) -> np.ndarray:
    """AR(1) log noise of length t, zero at the ``pins`` indices and faded in linearly over
    PIN_RAMP_MONTHS around them (so a pinned month leaves no lasting offset)."""
    distance = np.min(np.abs(np.arange(t)[:, None] - np.array(pins)[None, :]), axis=1)
    return ar1(rng, 1, t, phi=NOISE_PHI, sd=NOISE_SD)[0] * np.minimum(distance / PIN_RAMP_MONTHS, 1.0)


def freight_series(rng: np.random.Generator) -> pd.DataFrame:
    """Sea-freight import cost by route, 2019-01..2025-04, in 천원 per 2 TEU (float; NaN where
    a value were missing). Columns: month and the six routes of ``config.FREIGHT_ROUTES``."""
    months = config.month_range(FREIGHT_START, config.STUDY_END)
    target = target_path(months)
    facts = _fact_months()
    out = pd.DataFrame({"month": months})
    for route in config.FREIGHT_ROUTES:
        pins = [months.get_loc(pd.Timestamp(m)) for m in facts[route]]
        noise = pinned_noise(rng, len(months), pins)
        peak_month, peak = reference_figures.FREIGHT_PEAKS[route]
        values = np.rint(np.exp(target[route].to_numpy() + noise))
        out[route] = np.where(months == pd.Timestamp(peak_month), values, np.minimum(values, peak - PEAK_MARGIN))
    return out
