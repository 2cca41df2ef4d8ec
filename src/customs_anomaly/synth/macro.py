"""Monthly macro series of the replica: KRW/USD, crude oil, CPI and PPI.

Published monthly values at named months are pinned exactly; between them the series follow
rounded guide values with smooth noise that vanishes at the published months.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from customs_anomaly import config
from customs_anomaly.synth.randomness import ar1, smooth_log_path, tied_noise

# Public monthly values at named months (from the issue), and rounded guide values between them.
FX_FACTS = {
    "2020-05": 1228.67,
    "2020-06": 1210.01,
    "2020-07": 1198.90,
    "2020-08": 1186.85,
    "2020-09": 1178.80,
    "2024-07": 1383.38,
    "2024-12": 1434.42,
    "2025-02": 1445.56,
    "2025-04": 1444.31,
}
_FX_GUIDE = {
    "2020-12": 1097,
    "2021-03": 1131,
    "2021-06": 1121,
    "2021-09": 1170,
    "2021-12": 1183,
    "2022-03": 1220,
    "2022-06": 1280,
    "2022-10": 1427,
    "2022-12": 1296,
    "2023-03": 1305,
    "2023-06": 1296,
    "2023-10": 1350,
    "2023-12": 1305,
    "2024-04": 1368,
    "2024-09": 1335,
    "2025-01": 1455,
}
OIL_FACTS = {
    "dubai": {
        "2020-05": 30.47,
        "2020-06": 40.80,
        "2020-07": 43.30,
        "2020-08": 44.00,
        "2020-09": 41.51,
        "2024-07": 83.83,
        "2024-12": 73.23,
        "2025-02": 77.92,
        "2025-04": 67.74,
    },
    "brent": {"2020-05": 32.41, "2020-06": 40.77, "2020-07": 43.22, "2020-08": 45.02, "2020-09": 41.87},
    "wti": {"2020-05": 28.53, "2020-06": 38.31, "2020-07": 40.77, "2020-08": 42.39, "2020-09": 39.63},
    "oman": {"2020-05": 30.75, "2020-06": 40.85, "2020-07": 43.41, "2020-08": 44.22, "2020-09": 41.58},
}
_DUBAI_GUIDE = {
    "2020-12": 49.8,
    "2021-03": 62.4,
    "2021-06": 71.6,
    "2021-10": 81.6,
    "2021-12": 73.2,
    "2022-03": 110.9,
    "2022-06": 113.3,
    "2022-09": 90.6,
    "2022-12": 77.2,
    "2023-03": 78.5,
    "2023-06": 74.8,
    "2023-09": 93.3,
    "2023-12": 77.3,
    "2024-04": 89.2,
    "2024-09": 73.5,
    "2025-01": 80.0,
}
# Typical spread of each benchmark over Dubai (log ratio) once the 2020 facts end.
_OIL_SPREAD = {"brent": 0.025, "wti": -0.02, "oman": 0.004}
CPI_FACTS = {
    "2020-05": 99.44,
    "2020-06": 99.71,
    "2020-07": 99.63,
    "2020-08": 100.19,
    "2020-09": 100.74,
    "2024-07": 114.13,
    "2024-12": 114.91,
    "2025-02": 116.08,
    "2025-04": 116.38,
}
_CPI_GUIDE = {
    "2020-12": 100.4,
    "2021-06": 102.1,
    "2021-12": 104.0,
    "2022-06": 108.2,
    "2022-12": 109.3,
    "2023-06": 111.0,
    "2023-12": 112.7,
    "2024-03": 113.9,
}
PPI_FACTS = {
    "2020-05": 98.96,
    "2020-06": 99.47,
    "2020-07": 99.69,
    "2020-08": 100.18,
    "2020-09": 100.38,
    "2024-07": 119.56,
    "2024-12": 119.52,
    "2025-02": 120.33,
    "2025-04": 120.14,
}
_PPI_GUIDE = {
    "2020-12": 101.0,
    "2021-06": 107.6,
    "2021-12": 112.0,
    "2022-06": 120.6,
    "2022-12": 118.9,
    "2023-06": 119.3,
    "2023-12": 119.9,
    "2024-04": 120.4,
}


# Smooth noise between the published months: AR(1) coefficient and innovation sd of the log of
# each series; the benchmarks' spread over Dubai moves by a scaled AR(1) once the 2020 facts end.
NOISE_PHI = 0.7
NOISE_SD = {"usd_krw": 0.008, "dubai_usd": 0.03, "cpi": 0.001, "ppi": 0.002}
SPREAD_NOISE = {"scale": 0.25, "phi": 0.6, "sd": 0.02}
SPREAD_GUIDE_MONTHS = ("2021-03", "2025-04")
SPREAD_NOISE_FROM = "2020-10"


def _anchored_path(
    facts: dict[str, float], guide: dict[str, float], months: pd.DatetimeIndex, rng: np.random.Generator, sd: float
) -> np.ndarray:
    """Log-linear interpolation through the facts and guide values, smooth noise that vanishes at
    the facts (the guide values get noise too), then the facts re-pinned exactly."""
    anchors = dict(sorted({**guide, **facts}.items()))
    log_path = smooth_log_path({m: np.log(v) for m, v in anchors.items()}, months)
    ties = [months.get_loc(pd.Timestamp(m)) for m in facts]
    values = np.exp(log_path + tied_noise(rng, len(months), ties, sd=sd, phi=NOISE_PHI))
    for month, value in facts.items():
        values[months.get_loc(pd.Timestamp(month))] = value
    return values


def macro_series(rng: np.random.Generator) -> pd.DataFrame:
    """Monthly KRW/USD, crude oil (Dubai, Brent, WTI, Oman; USD/bbl), CPI and PPI (2020=100),
    2020-05..2025-04, rounded to 2 decimals as published."""
    months = config.month_range()
    out = pd.DataFrame({"month": months})
    out["usd_krw"] = _anchored_path(FX_FACTS, _FX_GUIDE, months, rng, sd=NOISE_SD["usd_krw"])
    dubai = _anchored_path(OIL_FACTS["dubai"], _DUBAI_GUIDE, months, rng, sd=NOISE_SD["dubai_usd"])
    out["dubai_usd"] = dubai
    for name in ("brent", "wti", "oman"):
        facts = OIL_FACTS[name]
        spread_facts = {m: np.log(v / OIL_FACTS["dubai"][m]) for m, v in facts.items()}
        guide = dict.fromkeys(SPREAD_GUIDE_MONTHS, _OIL_SPREAD[name])
        anchors = dict(sorted({**guide, **spread_facts}.items()))
        wobble = SPREAD_NOISE["scale"] * ar1(rng, 1, len(months), SPREAD_NOISE["phi"], SPREAD_NOISE["sd"])[0]
        spread = smooth_log_path(anchors, months) + wobble * (months >= pd.Timestamp(SPREAD_NOISE_FROM))
        values = dubai * np.exp(spread)
        for month, value in facts.items():
            values[months.get_loc(pd.Timestamp(month))] = value
        out[f"{name}_usd"] = values
    out["cpi"] = _anchored_path(CPI_FACTS, _CPI_GUIDE, months, rng, sd=NOISE_SD["cpi"])
    out["ppi"] = _anchored_path(PPI_FACTS, _PPI_GUIDE, months, rng, sd=NOISE_SD["ppi"])
    value_columns = [c for c in out.columns if c != "month"]
    out[value_columns] = out[value_columns].round(2)
    return out
