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


@dataclass
class InjectionResult:
    panel: pd.DataFrame
    log: pd.DataFrame


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
    out = panel.drop(columns=[c for c in config.LABEL_COLUMNS if c in panel.columns]).copy()
    changed = [
        "weight_kg",
        "value_usd",
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


def inject_anomalies(panel: pd.DataFrame, seed: int, spec: InjectionSpec = InjectionSpec()) -> InjectionResult:
    """Inject the protocol's anomalies (counts and ranges from `spec`), deterministic per seed."""
    rng = np.random.default_rng(seed)
    clean = _prepare(panel)
    out = clean.copy()
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
    taken: set = set()
    logs = []
    # the most constrained types first, so that they are not starved by the others
    for kind in ("f", "c", "a", "b", "d", "e"):
        n = spec.counts.get(kind, 0)
        if n == 0:
            continue
        rows = _pick(rng, candidates[kind], taken, n, kind)
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
    for label, column in (
        ("log 중량", np.log10(panel["weight_kg"].where(panel["weight_kg"] > 0))),
        ("월 순번", panel["month"].dt.year * 12 + panel["month"].dt.month),
    ):
        stat = ks_2samp(column[injected.index], column[clean.index])
        rows.append(
            {
                "비교 항목": label,
                "주입 행 중앙값": float(column[injected.index].median()),
                "정상 행 중앙값": float(column[clean.index].median()),
                "KS 통계량": float(stat.statistic),
                "p값": float(stat.pvalue),
            }
        )
    for region in config.REGIONS:
        rows.append(
            {
                "비교 항목": f"지역 비율: {region}",
                "주입 행 중앙값": float((injected["region"] == region).mean()),
                "정상 행 중앙값": float((clean["region"] == region).mean()),
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
