"""Labelled mock anomalies injected into the test year (the 04 chapter's protocol).

Six types stand for six misdeclaration schemes (ANOMALY_TYPES). Only rows with weight > 0 in the
test window are eligible, at most one anomaly per row, and every derived column is recomputed
(unit price, total freight, per-container freight of that row, and the year-to-date value of the
series for the rest of that calendar year) so that no arithmetic inconsistency betrays an
injection. Labels live only in `is_anomaly` and `anomaly_type`; the log of what was changed is a
separate frame that detectors never see.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from customs_anomaly import config
from customs_anomaly.anomaly_types import FREIGHT_GROUP, GROUP_OF_TYPE, PRICE_GROUP

# type, name, what is changed (the magnitude comes from InjectionSpec), the scheme it stands for
ANOMALY_TYPES = pd.DataFrame(
    [
        ("a", "운임 과다 신고", "kg당 운임 × {a}", "운임을 부풀려 과세가격(CIF)을 조작하거나 대금을 해외로 빼돌림"),
        ("b", "운임 과소 신고", "kg당 운임 × {b}", "운임을 줄여 과세가격을 낮춤(관세 포탈)"),
        (
            "c",
            "지역과 무관한 운임 급등",
            "지역 운임 변동이 ±{calm:.0%} 이내인 달에 한 시계열만 kg당 운임 × {c}",
            "특정 거래선만의 비정상 운임: 특수관계 거래·이면 계약 의심",
        ),
        ("d", "저가 신고", "같은 중량에 금액 × {d}", "과세가격을 낮춰 관세를 포탈"),
        ("e", "고가 신고", "같은 중량에 금액 × {e}", "대금을 부풀려 자금 세탁·재산 국외 도피"),
        (
            "f",
            "품목 위장(세번 변경)",
            "단가가 같은 류 저가 품목의 {f_ratio:g}배 이상인 행을 그 품목의 단가로",
            "고세율·고가 품목을 저가 품목으로 위장",
        ),
    ],
    columns=["type", "name", "change", "scheme"],
)
KEY = list(config.PANEL_KEY)


@dataclass(frozen=True)
class InjectionSpec:
    test_start: pd.Timestamp = config.TEST_START
    test_end: pd.Timestamp = config.STUDY_END
    counts: dict = field(default_factory=lambda: {"a": 10, "b": 5, "c": 5, "d": 50, "e": 20, "f": 10})
    ranges: dict = field(
        default_factory=lambda: {"a": (3.0, 5.0), "b": (0.05, 0.3), "c": (2.0, 3.0), "d": (0.2, 0.5), "e": (2.0, 5.0)}
    )
    calm_region_change: float = 0.05  # type c: region-month freight within ±5% of the previous month
    f_min_price_ratio: float = 3.0  # type f: the row's unit price at least 3x the donor's
    # {month: {type: count}}: plant that many rows of each type in each month (each month's rows
    # drawn among that month's candidates) instead of `counts` over the whole window; every month
    # must lie in the window (chapter 06-3 plants a share of every month's rows this way).
    monthly_counts: dict | None = None


@dataclass
class InjectionResult:
    panel: pd.DataFrame
    log: pd.DataFrame
    schemes: pd.DataFrame | None = None  # the scheme protocol: one row per scheme


def eligible_rows(panel: pd.DataFrame, spec: InjectionSpec) -> pd.Series:
    """Rows with weight > 0 inside the test window."""
    return panel["month"].between(spec.test_start, spec.test_end) & (panel["weight_kg"] > 0)


def calm_region_months(panel: pd.DataFrame, tolerance: float) -> pd.Series:
    """Rows whose region-month freight moved by at most `tolerance` from the previous month."""
    level = panel.groupby(["region", "month"])["freight_krw_per_kg"].median().rename("level").reset_index()
    level = level.sort_values(["region", "month"])
    level["change"] = level.groupby("region")["level"].pct_change().abs()
    merged = panel[["region", "month"]].merge(level, on=["region", "month"], how="left")
    return pd.Series((merged["change"] <= tolerance).to_numpy(), index=panel.index)


def cheap_donor_prices(panel: pd.DataFrame) -> pd.Series:
    """Per row: the unit price of the cheapest-by-median HSK code of the same HS chapter that
    month (a cheap item the row could be passed off as)."""
    priced = panel[panel["weight_kg"] > 0].assign(chapter=lambda df: df["hsk_code"].str[:2])
    per_code = priced.groupby(["chapter", "month", "hsk_code"])["unit_price_usd_per_kg"].median().reset_index()
    cheapest = per_code.groupby(["chapter", "month"])["unit_price_usd_per_kg"].quantile(0.1).rename("donor_price")
    frame = panel.assign(chapter=panel["hsk_code"].str[:2])[["chapter", "month"]]
    merged = frame.merge(cheapest.reset_index(), on=["chapter", "month"], how="left")
    return pd.Series(merged["donor_price"].to_numpy(), index=panel.index)


def _apply_value_factor(panel: pd.DataFrame, rows: pd.Index, factors: np.ndarray) -> pd.DataFrame:
    """Scale the declared value of rows, recompute unit price and the series' year-to-date value."""
    out = panel
    delta = panel.loc[rows, "value_usd"].to_numpy() * (factors - 1.0)
    out.loc[rows, "value_usd"] = panel.loc[rows, "value_usd"].to_numpy() + delta
    out.loc[rows, "unit_price_usd_per_kg"] = out.loc[rows, "value_usd"] / out.loc[rows, "weight_kg"]
    series = ["hsk_code", "country_code"]
    changes = out.loc[rows, [*series, "month"]].assign(change=delta)
    later = out[[*series, "month"]].reset_index(names="target").merge(changes, on=series, suffixes=("", "_changed"))
    later = later[
        (later["month"] >= later["month_changed"]) & (later["month"].dt.year == later["month_changed"].dt.year)
    ]
    totals = later.groupby("target")["change"].sum()
    out.loc[totals.index, "ytd_value_usd"] = out.loc[totals.index, "ytd_value_usd"] + totals.to_numpy()
    return out


def _apply_freight_factor(panel: pd.DataFrame, rows: pd.Index, factors: np.ndarray) -> pd.DataFrame:
    out = panel
    out.loc[rows, "freight_krw_per_kg"] = panel.loc[rows, "freight_krw_per_kg"].to_numpy() * factors
    out.loc[rows, "freight_krw_per_2teu"] = out.loc[rows, "freight_krw_per_kg"] * config.CONTAINER_PAYLOAD_KG
    out.loc[rows, "total_freight_krw"] = out.loc[rows, "freight_krw_per_kg"] * out.loc[rows, "weight_kg"]
    return out


def _apply_anomaly(panel: pd.DataFrame, rows: pd.Index, kind: str, factors: np.ndarray) -> pd.DataFrame:
    """Change the rows by their group's rule and label them."""
    apply = _apply_freight_factor if GROUP_OF_TYPE[kind] == FREIGHT_GROUP else _apply_value_factor
    out = apply(panel, rows, factors)
    out.loc[rows, "is_anomaly"] = True
    out.loc[rows, "anomaly_type"] = kind
    return out


def _log_rows(before: pd.DataFrame, after: pd.DataFrame, rows: pd.Index, kind: str, factors) -> pd.DataFrame:
    log = before.loc[rows, [*KEY, "region", "item_name", "weight_kg", "usd_krw"]].copy()
    log["anomaly_type"] = kind
    log["group"] = GROUP_OF_TYPE[kind]
    log["factor"] = factors
    log["original_value_usd"] = before.loc[rows, "value_usd"]
    log["injected_value_usd"] = after.loc[rows, "value_usd"]
    log["original_freight_krw_per_kg"] = before.loc[rows, "freight_krw_per_kg"]
    log["injected_freight_krw_per_kg"] = after.loc[rows, "freight_krw_per_kg"]
    value_change = (log["injected_value_usd"] - log["original_value_usd"]).abs()
    freight_change_usd = (
        after.loc[rows, "total_freight_krw"] - before.loc[rows, "total_freight_krw"]
    ).abs() / before.loc[rows, "usd_krw"]
    log["misdeclared_usd"] = value_change if GROUP_OF_TYPE[kind] == PRICE_GROUP else freight_change_usd
    return log


def _pick(rng: np.random.Generator, candidates: pd.Index, taken: set, n: int, kind: str) -> pd.Index:
    free = candidates[~candidates.isin(list(taken))]
    if len(free) < n:
        raise ValueError(f"type {kind}: needs {n} eligible rows but only {len(free)} are available")
    chosen = rng.choice(np.asarray(free), size=n, replace=False)
    return pd.Index(np.sort(chosen))


def _prepare(panel: pd.DataFrame) -> pd.DataFrame:
    out = panel.drop(columns=[c for c in config.ALL_LABEL_COLUMNS if c in panel.columns]).copy()
    changed = [
        "weight_kg",
        "value_usd",
        "ytd_weight_kg",
        "ytd_value_usd",
        "unit_price_usd_per_kg",
        "freight_krw_per_2teu",
        "freight_krw_per_kg",
        "total_freight_krw",
    ]
    out[changed] = out[changed].astype(float)
    out["is_anomaly"] = False
    out["anomaly_type"] = ""
    return out


def candidate_rows(clean: pd.DataFrame, spec: InjectionSpec = InjectionSpec()) -> tuple[dict, pd.Series]:
    """The rows each type may change, by type (eligible rows; c: only in calm region-months; f:
    only rows priced at least `spec.f_min_price_ratio` times their donor's price), and each row's
    donor price (`cheap_donor_prices`)."""
    eligible = eligible_rows(clean, spec)
    candidates = {
        "a": clean.index[eligible],
        "b": clean.index[eligible],
        "c": clean.index[eligible & calm_region_months(clean, spec.calm_region_change)],
        "d": clean.index[eligible],
        "e": clean.index[eligible],
    }
    donor = cheap_donor_prices(clean)
    f_ok = eligible & (clean["unit_price_usd_per_kg"] >= spec.f_min_price_ratio * donor)
    candidates["f"] = clean.index[f_ok]
    return candidates, donor


def _pick_monthly(
    rng: np.random.Generator, clean: pd.DataFrame, candidates: pd.Index, taken: set, spec: InjectionSpec, kind: str
) -> pd.Index:
    """`spec.monthly_counts`'s rows of one type: each month's count drawn among its own candidates."""
    picked = []
    for month in sorted(spec.monthly_counts):
        n = spec.monthly_counts[month].get(kind, 0)
        if n:
            in_month = candidates[clean.loc[candidates, "month"].to_numpy() == pd.Timestamp(month)]
            picked.append(_pick(rng, in_month, taken, n, f"{kind} ({pd.Timestamp(month):%Y-%m})"))
    return pd.Index(np.sort(np.concatenate(picked))) if picked else pd.Index([], dtype=int)


def inject_anomalies(panel: pd.DataFrame, seed: int, spec: InjectionSpec = InjectionSpec()) -> InjectionResult:
    """Inject the protocol's anomalies (counts and ranges from `spec`), deterministic per seed.

    With `spec.monthly_counts` the counts are per month of the window (the same types, ranges and
    candidates; a month's rows are drawn among its own candidates)."""
    if spec.monthly_counts is not None:
        outside = [m for m in spec.monthly_counts if not spec.test_start <= pd.Timestamp(m) <= spec.test_end]
        if outside:
            raise ValueError(f"monthly_counts: {pd.Timestamp(outside[0]):%Y-%m} is outside the injection window")
    rng = np.random.default_rng(seed)
    clean = _prepare(panel)
    out = clean.copy()
    candidates, donor = candidate_rows(clean, spec)
    taken: set = set()
    logs = []
    # the most constrained types first, so that they are not starved by the others
    for kind in ("f", "c", "a", "b", "d", "e"):
        if spec.monthly_counts is None:
            n = spec.counts.get(kind, 0)
            if n == 0:
                continue
            rows = _pick(rng, candidates[kind], taken, n, kind)
        else:
            rows = _pick_monthly(rng, clean, candidates[kind], taken, spec, kind)
            n = len(rows)
            if n == 0:
                continue
        taken.update(rows)
        if kind == "f":
            factors = donor.loc[rows].to_numpy() / clean.loc[rows, "unit_price_usd_per_kg"].to_numpy()
        else:
            low, high = spec.ranges[kind]
            factors = rng.uniform(low, high, size=n)
        out = _apply_anomaly(out, rows, kind, factors)
        logs.append((rows, kind, factors))
    log = pd.concat([_log_rows(clean, out, rows, kind, factors) for rows, kind, factors in logs])
    return InjectionResult(panel=out, log=log.sort_values(KEY).reset_index(drop=True))


def inject_fixed(
    panel: pd.DataFrame,
    seed: int,
    anomaly_type: str,
    factor: float,
    n: int = 100,
    spec: InjectionSpec = InjectionSpec(),
) -> InjectionResult:
    """Magnitude-controlled variant: n anomalies of one group at one fixed factor.

    For price types (d, e) the factor multiplies the declared value; for freight types (a, b, c)
    it multiplies the per-kg freight. Used for detection-versus-magnitude curves.
    """
    if anomaly_type not in GROUP_OF_TYPE or anomaly_type == "f":
        raise ValueError(f"anomaly_type must be one of a-e for a fixed factor, got {anomaly_type!r}")
    if factor <= 0:
        raise ValueError(f"factor must be positive, got {factor}")
    rng = np.random.default_rng(seed)
    clean = _prepare(panel)
    rows = _pick(rng, clean.index[eligible_rows(clean, spec)], set(), n, anomaly_type)
    factors = np.full(n, float(factor))
    out = _apply_anomaly(clean.copy(), rows, anomaly_type, factors)
    log = _log_rows(clean, out, rows, anomaly_type, factors)
    return InjectionResult(panel=out, log=log.reset_index(drop=True))


def separability_check(result: InjectionResult, spec: InjectionSpec = InjectionSpec()) -> pd.DataFrame:
    """Injected rows against the clean test rows on what should NOT tell them apart:
    weight, month and region. Kolmogorov-Smirnov statistics and p-values, and region shares."""
    from scipy.stats import ks_2samp

    panel = result.panel
    test = eligible_rows(panel, spec)
    injected, clean = panel[test & panel["is_anomaly"]], panel[test & ~panel["is_anomaly"]]
    rows = []
    month_number = panel["month"].dt.year * 12 + panel["month"].dt.month
    first_month = month_number[test].min()
    for label, column in (
        ("중량 (kg, 중앙값)", panel["weight_kg"].where(panel["weight_kg"] > 0)),
        ("시험 연도의 몇째 달 (중앙값)", month_number - first_month + 1),
    ):
        stat = ks_2samp(column[injected.index], column[clean.index])
        rows.append(
            {
                "비교 항목": label,
                "주입 행": float(column[injected.index].median()),
                "정상 행": float(column[clean.index].median()),
                "KS 통계량": float(stat.statistic),
                "p값": float(stat.pvalue),
            }
        )
    for region in config.REGIONS:
        rows.append(
            {
                "비교 항목": f"지역 비율: {region}",
                "주입 행": float((injected["region"] == region).mean()),
                "정상 행": float((clean["region"] == region).mean()),
                "KS 통계량": np.nan,
                "p값": np.nan,
            }
        )
    return pd.DataFrame(rows)


def region_level_freight_share(panel: pd.DataFrame, spec: InjectionSpec = InjectionSpec()) -> float:
    """Share of clean test rows whose per-kg freight equals their region-month median: in the
    public aggregates freight is a region-month figure, so this is 1 and any row-level freight
    change is visible by construction."""
    test = panel[eligible_rows(panel, spec)]
    median = test.groupby(["region", "month"])["freight_krw_per_kg"].transform("median")
    return float(np.isclose(test["freight_krw_per_kg"], median).mean())


def protocol_table(spec: InjectionSpec = InjectionSpec()) -> pd.DataFrame:
    """The protocol as the chapter shows it: type, group, name, count, magnitude and scheme."""
    ranges = {kind: f"{low:g}~{high:g}" for kind, (low, high) in spec.ranges.items()}
    values = {**ranges, "calm": spec.calm_region_change, "f_ratio": spec.f_min_price_ratio}
    return pd.DataFrame(
        {
            "유형": ANOMALY_TYPES["type"],
            "구분": ANOMALY_TYPES["type"].map(GROUP_OF_TYPE),
            "이름": ANOMALY_TYPES["name"],
            "건수": ANOMALY_TYPES["type"].map(spec.counts).fillna(0).astype(int),
            "크기": [change.format(**values) for change in ANOMALY_TYPES["change"]],
            "의심 수법": ANOMALY_TYPES["scheme"],
        }
    )


# ---------------------------------------------------------------------------------------------
# Schemes that last: the scheme protocol
# ---------------------------------------------------------------------------------------------

# type, name, what is changed (the magnitudes come from SchemeSpec), the scheme it stands for
SCHEME_TYPES_TABLE = pd.DataFrame(
    [
        (
            "g",
            "지속 저가 신고",
            "시작 달부터 시험 연도 끝까지 수입한 모든 달의 금액 × {g}",
            "적발될 때까지 모든 선적을 낮춰 신고(관세 포탈)",
        ),
        (
            "h",
            "지속 고가 신고",
            "시작 달부터 시험 연도 끝까지 수입한 모든 달의 금액 × {h}",
            "대금을 부풀려 자금을 계속 해외로 옮김",
        ),
        (
            "i",
            "점진적 저가",
            "시작 달부터 달마다 단가를 앞 달의 {i}배로(바닥 ×{i_floor})",
            "고정된 가격 기준 아래로 조금씩 내려가며 심사를 피함",
        ),
        (
            "j",
            "물량 급증과 저가",
            "{j_months}개월 동안 중량 × {j_weight}, 단가 × {j}",
            "덤핑, 할당 회피, 원산지 세탁",
        ),
        (
            "k",
            "새 상대국의 이례적 저가",
            "그 품목을 수입한 적 없는 나라에서 {k_months}개월 동안, 기존 상대국 최저 단가의 {k}배로",
            "세율이 낮은 나라를 거친 원산지 세탁",
        ),
    ],
    columns=["type", "name", "change", "scheme"],
)
SERIES = ["hsk_code", "country_code"]


@dataclass(frozen=True)
class SchemeSpec:
    """The scheme protocol: how many schemes of each type, and how large."""

    test_start: pd.Timestamp = config.TEST_START
    test_end: pd.Timestamp = config.STUDY_END
    counts: dict = field(default_factory=lambda: {"g": 8, "h": 4, "i": 6, "j": 6, "k": 6})
    persistent: dict = field(default_factory=lambda: {"g": (0.3, 0.6), "h": (1.8, 3.0)})  # price factor
    slide_step: tuple = (0.8, 0.9)  # i: a month's price is this factor of the month before's
    slide_floor: float = 0.25
    surge_weight: tuple = (3.0, 8.0)  # j: weight factor
    surge_price: tuple = (0.3, 0.6)  # j: unit-price factor
    surge_months: tuple = (2, 4)  # j: consecutive months, inclusive
    newcomer_price: tuple = (0.2, 0.4)  # k: of the lowest unit price of the code's other partners that month
    newcomer_months: tuple = (3, 6)  # k: the last months of the test year, inclusive
    min_months: int = 3  # g, h, i: months with imports from the start to the end of the test year

    def ranges_text(self) -> dict:
        return {
            "g": "~".join(f"{v:g}" for v in self.persistent["g"]),
            "h": "~".join(f"{v:g}" for v in self.persistent["h"]),
            "i": "~".join(f"{v:g}" for v in self.slide_step),
            "i_floor": f"{self.slide_floor:g}",
            "j": "~".join(f"{v:g}" for v in self.surge_price),
            "j_weight": "~".join(f"{v:g}" for v in self.surge_weight),
            "j_months": "~".join(f"{v:d}" for v in self.surge_months),
            "k": "~".join(f"{v:g}" for v in self.newcomer_price),
            "k_months": "~".join(f"{v:d}" for v in self.newcomer_months),
        }


def _apply_quantities(panel: pd.DataFrame, rows: pd.Index, weight: np.ndarray, value: np.ndarray) -> None:
    """Set the weight and declared value of rows (in place) and keep everything derived
    consistent: unit price, total freight, and the series' year-to-date weight and value of that
    month and the later months of the same year."""
    deltas = pd.DataFrame(
        {
            "weight": np.asarray(weight, float) - panel.loc[rows, "weight_kg"].to_numpy(float),
            "value": np.asarray(value, float) - panel.loc[rows, "value_usd"].to_numpy(float),
        },
        index=rows,
    )
    panel.loc[rows, "weight_kg"] = weight
    panel.loc[rows, "value_usd"] = value
    panel.loc[rows, "unit_price_usd_per_kg"] = panel.loc[rows, "value_usd"] / panel.loc[rows, "weight_kg"]
    panel.loc[rows, "total_freight_krw"] = panel.loc[rows, "freight_krw_per_kg"] * panel.loc[rows, "weight_kg"]
    changes = panel.loc[rows, [*SERIES, "month"]].assign(**deltas)
    later = panel[[*SERIES, "month"]].reset_index(names="target").merge(changes, on=SERIES, suffixes=("", "_changed"))
    later = later[
        (later["month"] >= later["month_changed"]) & (later["month"].dt.year == later["month_changed"].dt.year)
    ]
    totals = later.groupby("target")[["weight", "value"]].sum()
    panel.loc[totals.index, "ytd_weight_kg"] += totals["weight"].to_numpy()
    panel.loc[totals.index, "ytd_value_usd"] += totals["value"].to_numpy()


def _test_months(spec: SchemeSpec) -> pd.DatetimeIndex:
    return pd.date_range(spec.test_start, spec.test_end, freq="MS")


def _traded_test_rows(panel: pd.DataFrame, spec: SchemeSpec) -> pd.DataFrame:
    """Rows with imports in the test window: index, series key and month position."""
    rows = panel[panel["month"].between(spec.test_start, spec.test_end) & (panel["weight_kg"] > 0)]
    months = _test_months(spec)
    return pd.DataFrame(
        {
            "row": rows.index,
            "hsk_code": rows["hsk_code"].to_numpy(),
            "country_code": rows["country_code"].to_numpy(),
            "position": months.get_indexer(rows["month"]),
        }
    )


def _series_runs(traded: pd.DataFrame):
    """Each series' rows in month order: (key, positions, row ids), one series after another."""
    ordered = traded.sort_values([*SERIES, "position"])
    codes = [ordered[column].to_numpy() for column in SERIES]
    positions, ids = ordered["position"].to_numpy(), ordered["row"].to_numpy()
    same_series = np.zeros(len(ordered), dtype=bool)  # as the row before it
    same_series[1:] = True
    for column in codes:
        same_series[1:] &= column[1:] == column[:-1]
    starts = np.flatnonzero(~same_series)
    for start, end in zip(starts, [*starts[1:], len(ordered)]):
        yield tuple(column[start] for column in codes), positions[start:end], ids[start:end]


def _persistent_candidates(traded: pd.DataFrame, min_months: int) -> dict:
    """Series with imports in at least `min_months` test months: key -> sorted (position, row)."""
    return {
        key: np.column_stack([positions, ids])
        for key, positions, ids in _series_runs(traded)
        if len(positions) >= min_months
    }


def _run_candidates(traded: pd.DataFrame, length: int) -> dict:
    """Series with `length` consecutive test months of imports: key -> list of runs of rows."""
    out = {}
    for key, positions, ids in _series_runs(traded):
        runs = [
            ids[i : i + length]
            for i in range(len(positions) - length + 1)
            if positions[i + length - 1] - positions[i] == length - 1
        ]
        if runs:
            out[key] = runs
    return out


def _choose_key(rng: np.random.Generator, keys: list, taken: set, kind: str):
    free = [key for key in keys if key not in taken]
    if not free:
        raise ValueError(f"scheme type {kind}: no eligible series left")
    return free[int(rng.integers(len(free)))]


def _newcomer_rows(
    panel: pd.DataFrame, rng: np.random.Generator, spec: SchemeSpec, taken_codes: set
) -> tuple[pd.DataFrame, np.ndarray, str]:
    """New rows of a partner that never traded a code before, for the last months of the test
    year: a country of the five regions absent from the code's rows, the weight of a typical
    partner month, the unit price a factor of the lowest partner price that month. Returns the
    rows (with their legitimate market price in `market_price`), the price factor and the code."""
    months = _test_months(spec)
    length = int(rng.integers(spec.newcomer_months[0], spec.newcomer_months[1] + 1))
    window = months[-length:]
    traded = panel[(panel["weight_kg"] > 0) & panel["month"].isin(window)]
    partners_per_month = traded.groupby("hsk_code")["month"].nunique()
    codes = sorted(set(partners_per_month.index[partners_per_month == length]) - taken_codes)
    if not codes:
        raise ValueError("scheme type k: no HSK code with partners in every month of the window")
    code = codes[int(rng.integers(len(codes)))]
    present = set(panel.loc[panel["hsk_code"] == code, "country_code"])
    countries = panel[["country_code", "country_name", "region"]].drop_duplicates("country_code")
    countries = countries[(countries["country_code"] != "") & ~countries["country_code"].isin(present)]
    country = countries.sort_values("country_code").iloc[int(rng.integers(len(countries)))]
    factor = float(rng.uniform(*spec.newcomer_price))
    peers = traded[traded["hsk_code"] == code]
    lowest = peers.groupby("month")["unit_price_usd_per_kg"].min()
    market = peers.groupby("month")["unit_price_usd_per_kg"].median()
    usual_weight = peers.groupby("month")["weight_kg"].median()
    rows = []
    for month in window:
        template = panel[(panel["month"] == month) & (panel["region"] == country["region"])].iloc[0]
        weight = float(np.rint(usual_weight[month] * rng.uniform(0.5, 1.5))) or 1.0
        price = lowest[month] * factor
        rows.append(
            {
                **template.to_dict(),
                "hsk_code": code,
                "item_name": peers["item_name"].iloc[0],
                "country_code": country["country_code"],
                "country_name": country["country_name"],
                "region": country["region"],
                "weight_kg": weight,
                "value_usd": float(np.rint(weight * price)),
                "market_price": float(market[month]),
            }
        )
    frame = pd.DataFrame(rows)
    frame["unit_price_usd_per_kg"] = frame["value_usd"] / frame["weight_kg"]
    frame["total_freight_krw"] = frame["freight_krw_per_kg"] * frame["weight_kg"]
    year = frame["month"].dt.year
    frame["ytd_weight_kg"] = frame.groupby(year)["weight_kg"].cumsum()
    frame["ytd_value_usd"] = frame.groupby(year)["value_usd"].cumsum()
    return frame, np.full(len(frame), factor), code


def inject_schemes(panel: pd.DataFrame, seed: int, spec: SchemeSpec = SchemeSpec()) -> InjectionResult:
    """The scheme protocol: `spec.counts` schemes of types g-k in the test year, deterministic per
    seed, at most one per series. Every changed (or added) row is labelled with its type and its
    scheme's id (`scheme_id`, e.g. 'S07'); year-to-date columns stay consistent. The log has one row
    per changed row (misdeclared_usd: the declared value's departure from the value at the
    legitimate price); `schemes` one row per scheme: scheme_id, anomaly_type, hsk_code,
    country_code, start, end, months (with imports), misdeclared_usd."""
    rng = np.random.default_rng(seed)
    clean = _prepare(panel)
    clean[config.SCHEME_COLUMN] = ""
    out = clean.copy()
    traded = _traded_test_rows(clean, spec)
    taken: set = set()
    changes = []  # (scheme id, kind, rows, new weight, new value, price factor, misdeclared)
    number = 0

    def next_id() -> str:
        nonlocal number
        number += 1
        return f"S{number:02d}"

    # new partners first: they add rows, and their codes keep their own partners
    new_rows, taken_codes = [], set()
    for _ in range(spec.counts.get("k", 0)):
        rows, factors, code = _newcomer_rows(clean, rng, spec, taken_codes)
        taken_codes.add(code)
        scheme = next_id()
        rows = rows.assign(is_anomaly=True, anomaly_type="k", **{config.SCHEME_COLUMN: scheme})
        new_rows.append((scheme, rows, factors))
        taken.add((code, rows["country_code"].iloc[0]))
    surges = {}
    for _ in range(spec.counts.get("j", 0)):
        length = int(rng.integers(spec.surge_months[0], spec.surge_months[1] + 1))
        if length not in surges:
            surges[length] = _run_candidates(traded, length)
        key = _choose_key(rng, sorted(surges[length]), taken, "j")
        taken.add(key)
        runs = surges[length][key]
        rows = pd.Index(runs[int(rng.integers(len(runs)))])
        weight_factor, price_factor = rng.uniform(*spec.surge_weight), rng.uniform(*spec.surge_price)
        weight = np.maximum(np.rint(clean.loc[rows, "weight_kg"].to_numpy() * weight_factor), 1.0)
        legitimate = weight * clean.loc[rows, "unit_price_usd_per_kg"].to_numpy()
        changes.append((next_id(), "j", rows, weight, legitimate * price_factor, price_factor, legitimate))
    persistent = _persistent_candidates(traded, spec.min_months)
    for kind in ("i", "g", "h"):
        for _ in range(spec.counts.get(kind, 0)):
            key = _choose_key(rng, sorted(persistent), taken, kind)
            taken.add(key)
            months_rows = persistent[key]
            start = int(rng.integers(0, len(months_rows) - spec.min_months + 1))
            chosen = months_rows[start:]
            rows = pd.Index(chosen[:, 1])
            if kind == "i":
                step = rng.uniform(*spec.slide_step)
                since = chosen[:, 0] - chosen[0, 0]
                factors = np.maximum(step ** (since + 1.0), spec.slide_floor)
            else:
                factors = np.full(len(rows), rng.uniform(*spec.persistent[kind]))
            weight = clean.loc[rows, "weight_kg"].to_numpy()
            legitimate = clean.loc[rows, "value_usd"].to_numpy()
            changes.append((next_id(), kind, rows, weight, legitimate * factors, factors, legitimate))

    logs, schemes = [], []
    for scheme, kind, rows, weight, value, factors, legitimate in changes:
        before = out.loc[rows].copy()
        _apply_quantities(out, rows, weight, value)
        out.loc[rows, "is_anomaly"] = True
        out.loc[rows, "anomaly_type"] = kind
        out.loc[rows, config.SCHEME_COLUMN] = scheme
        log = before[[*KEY, "region", "item_name", "usd_krw"]].assign(
            scheme_id=scheme,
            anomaly_type=kind,
            group=PRICE_GROUP,
            factor=factors,
            original_weight_kg=before["weight_kg"].to_numpy(),
            weight_kg=np.asarray(weight, float),
            original_value_usd=before["value_usd"].to_numpy(),
            injected_value_usd=np.asarray(value, float),
            misdeclared_usd=np.abs(np.asarray(legitimate, float) - np.asarray(value, float)),
        )
        logs.append(log)
    added = []
    for scheme, rows, factors in new_rows:
        market = rows.pop("market_price").to_numpy()
        added.append(rows)
        logs.append(
            rows[[*KEY, "region", "item_name", "usd_krw"]].assign(
                scheme_id=scheme,
                anomaly_type="k",
                group=PRICE_GROUP,
                factor=factors,
                original_weight_kg=0.0,
                weight_kg=rows["weight_kg"].to_numpy(),
                original_value_usd=0.0,
                injected_value_usd=rows["value_usd"].to_numpy(),
                misdeclared_usd=np.abs(rows["weight_kg"].to_numpy() * market - rows["value_usd"].to_numpy()),
            )
        )
    if added:
        out = pd.concat([out, *added], ignore_index=True)
    out = out.sort_values(KEY, ignore_index=True)
    log = pd.concat(logs, ignore_index=True).sort_values(["scheme_id", "month"], ignore_index=True)
    for scheme, rows in log.groupby("scheme_id", sort=True):
        schemes.append(
            {
                "scheme_id": scheme,
                "anomaly_type": rows["anomaly_type"].iloc[0],
                "hsk_code": rows["hsk_code"].iloc[0],
                "country_code": rows["country_code"].iloc[0],
                "start": rows["month"].min(),
                "end": rows["month"].max(),
                "months": len(rows),
                "misdeclared_usd": float(rows["misdeclared_usd"].sum()),
            }
        )
    return InjectionResult(panel=out, log=log, schemes=pd.DataFrame(schemes))


def scheme_protocol_table(spec: SchemeSpec = SchemeSpec()) -> pd.DataFrame:
    """The scheme protocol as chapter 04 shows it: type, name, count, size and the scheme."""
    values = spec.ranges_text()
    return pd.DataFrame(
        {
            "유형": SCHEME_TYPES_TABLE["type"],
            "이름": SCHEME_TYPES_TABLE["name"],
            "건수": SCHEME_TYPES_TABLE["type"].map(spec.counts).fillna(0).astype(int),
            "크기": [change.format(**values) for change in SCHEME_TYPES_TABLE["change"]],
            "의심 수법": SCHEME_TYPES_TABLE["scheme"],
        }
    )
