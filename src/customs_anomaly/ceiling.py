"""The noise ceiling: how well could any detector rank the injected anomalies of the replica?

The replica's generator knows, for every traded series-month, the unit price it expected (every
persistent component: level, trends, seasons, level shifts, drift), the spread of that month's
own noise (which shrinks with the number of shipments) and whether the month was a tiny odd
shipment (`synth.latent_price_model`). An oracle that knows all of this and the injection
protocol's magnitudes, but neither the month's noise draw nor which rows were injected, ranks
the rows by the likelihood ratio of "misdeclared" against "legitimate". By the Neyman-Pearson
lemma no ranking built on the same price information does better on average, and a detector
that sees only the published data must first estimate what the oracle is told. (The oracle uses
one distribution of substitution factors, type f, for every row, where the protocol's factor
depends on the row's own price: strictly, an approximate bound.) So the oracle's
metrics bound what the targets can ask for on this replica. Freight anomalies are certain for
the oracle, as for the detectors that compare a row's freight with its region-month level.

It exists only for the synthetic replica: real data have no generator to ask.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from scipy.special import logsumexp
from scipy.stats import norm

from customs_anomaly import config, synth
from customs_anomaly.detectors.series import freight_log_ratio
from customs_anomaly.evaluate import evaluate_scores
from customs_anomaly.experiments import DetectorRun, misdeclared_by_row
from customs_anomaly.inject import PRICE_TYPES, InjectionSpec, cheap_donor_prices, eligible_rows

KEY = list(config.PANEL_KEY)
FREIGHT_CERTAIN = 1e6  # added to the score of a row whose freight departs from its region-month level


def price_factor_prior(
    clean_panel: pd.DataFrame, spec: InjectionSpec = InjectionSpec(), points: int = 200
) -> pd.DataFrame:
    """The protocol's unit-price factors as a weighted sample of log factors (weights sum to 1):
    `points` quantiles of each uniform range (types d, e) and of the substitution factors the
    clean panel's eligible rows would get (type f), weighted by the types' counts."""
    quantiles = (np.arange(points) + 0.5) / points
    parts = []
    for kind in PRICE_TYPES:
        count = spec.counts.get(kind, 0)
        if count == 0:
            continue
        if kind == "f":
            donor = cheap_donor_prices(clean_panel)
            price = clean_panel["unit_price_usd_per_kg"]
            eligible = eligible_rows(clean_panel, spec) & (price >= spec.f_min_price_ratio * donor)
            if not eligible.any():
                continue
            factors = np.quantile((donor / price)[eligible].to_numpy(float), quantiles)
        else:
            low, high = spec.ranges[kind]
            factors = low + (high - low) * quantiles
        parts.append(pd.DataFrame({"log_factor": np.log(factors), "weight": count / points, "type": kind}))
    if not parts:
        raise ValueError("the injection spec has no unit-price anomalies to build a prior from")
    prior = pd.concat(parts, ignore_index=True)
    prior["weight"] /= prior["weight"].sum()
    return prior


def legitimate_log_density(residual: np.ndarray, noise_sd: np.ndarray, odd: np.ndarray) -> np.ndarray:
    """log density of a legitimate month's log price minus its expected log price: normal with
    the month's noise, plus the odd-shipment shift (normal, the generator's odd_price_shift_mean
    and odd_price_shift_sd) when odd."""
    params = synth.TRADE_PARAMETERS
    mean = np.where(odd, params.odd_price_shift_mean, 0.0)
    sd = np.where(odd, np.sqrt(noise_sd**2 + params.odd_price_shift_sd**2), noise_sd)
    return norm.logpdf(residual, mean, sd)


def log_likelihood_ratio(
    residual: np.ndarray, noise_sd: np.ndarray, odd: np.ndarray, prior: pd.DataFrame
) -> np.ndarray:
    """log p(residual | price misdeclared by a factor from `prior`) - log p(residual | legitimate).
    A deviation that is significant but small for the month's noise (z = 4 at 5% noise) scores
    below one that is less significant but as large as a misdeclaration (z = 2.6 at 34% noise)."""
    residual, noise_sd, odd = (np.asarray(a) for a in (residual, noise_sd, odd))
    legitimate = legitimate_log_density(residual, noise_sd, odd)
    shifted = residual[..., None] - prior["log_factor"].to_numpy()
    misdeclared = logsumexp(
        legitimate_log_density(shifted, noise_sd[..., None], odd[..., None]) + np.log(prior["weight"].to_numpy()),
        axis=-1,
    )
    return misdeclared - legitimate


def attach_latent(panel: pd.DataFrame, latent: pd.DataFrame) -> pd.DataFrame:
    """The panel's key, weight and unit price with the latent price model of its import rows.
    Raises ValueError naming the first traded row the latent model does not know."""
    imports = latent[latent["trade_flow"] == "I"].drop(columns="trade_flow")
    merged = panel[[*KEY, "weight_kg", "unit_price_usd_per_kg"]].merge(imports, on=KEY, how="left")
    unknown = (merged["weight_kg"] > 0) & merged["expected_log_price"].isna()
    if unknown.any():
        first = merged.loc[unknown].iloc[0]
        raise ValueError(
            f"the latent price model has no entry for {int(unknown.sum())} traded panel rows (first: "
            f"month {first['month']:%Y-%m}, hsk_code {first['hsk_code']}, country {first['country_code']}): "
            "is the panel built from the replica of that seed?"
        )
    merged.index = panel.index
    return merged


def oracle_scores(
    panel: pd.DataFrame,
    latent: pd.DataFrame,
    prior: pd.DataFrame,
    expected_log_price: np.ndarray | None = None,
    odd: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per panel row: `score` = log likelihood ratio of a price misdeclared by a factor from
    `prior` against a legitimate price (NaN for rows without imports), plus FREIGHT_CERTAIN when
    the row's freight departs from its region-month level; `flag` = the score is above 0.
    Taking knowledge away (`knowledge_gaps`): `expected_log_price` (one per panel row) replaces the
    generator's expected price, e.g. by a detector's estimate; `odd` (one bool per panel row)
    replaces the generator's tiny-odd-shipment months."""
    rows = attach_latent(panel, latent)
    traded = rows["weight_kg"] > 0
    expected = (
        rows["expected_log_price"].to_numpy() if expected_log_price is None else np.asarray(expected_log_price, float)
    )
    residual = np.log(rows["unit_price_usd_per_kg"].where(traded)).to_numpy() - expected
    noise_sd = rows["price_noise_sd"].to_numpy(float)
    odd = rows["odd_shipment"].fillna(False).to_numpy(bool) if odd is None else np.asarray(odd, bool)
    score = np.where(traded, log_likelihood_ratio(residual, noise_sd, odd, prior), np.nan)
    freight_departs = np.abs(np.nan_to_num(freight_log_ratio(panel).to_numpy())) > 1e-9
    score = score + np.where(freight_departs, FREIGHT_CERTAIN, 0.0)
    return pd.DataFrame({"score": score, "flag": np.nan_to_num(score, nan=-np.inf) > 0.0}, index=panel.index)


def noise_ceiling(
    clean_panel: pd.DataFrame, injections: dict, latent: pd.DataFrame, spec: InjectionSpec = InjectionSpec()
) -> DetectorRun:
    """The oracle's metrics on every injection seed, as a DetectorRun named 'oracle'."""
    prior = price_factor_prior(clean_panel, spec)
    per_seed, scores_by_seed, seconds = [], {}, 0.0
    for seed, result in injections.items():
        started = time.perf_counter()
        scores = oracle_scores(result.panel.drop(columns=list(config.LABEL_COLUMNS)), latent, prior)
        seconds += time.perf_counter() - started
        metrics = evaluate_scores(scores, result.panel, misdeclared_usd=misdeclared_by_row(result.panel, result.log))
        per_seed.append({"seed": seed, **metrics})
        scores_by_seed[seed] = scores
    return DetectorRun("oracle", 0.0, seconds / max(len(injections), 1), per_seed, scores_by_seed)


# What the oracle is told, taken away one piece at a time (`knowledge_gaps`).
KNOWLEDGE_VARIANTS = {
    "all": "오라클(생성기를 모두 앎)",
    "detector_expected": "기대 단가 대신 탐지기의 예상 단가",
    "no_odd": "소량 이례 선적 여부를 모름",
    "odd_from_weight": "소량 이례 선적을 중량으로 추정",
}
TINY_MONTH_SHARE = 0.1  # a month under 10% of its series' median weight: a sample or parcel, not a regular flow


def tiny_months(panel: pd.DataFrame, share: float = TINY_MONTH_SHARE) -> np.ndarray:
    """Per panel row: traded, with a weight under `share` of its series' median traded weight.
    Public data only: what a detector could use in place of the generator's odd-shipment flag."""
    traded = panel["weight_kg"].where(panel["weight_kg"] > 0)
    usual = traded.groupby([panel["hsk_code"], panel["country_code"]]).transform("median")
    return (traded < share * usual).to_numpy()


def knowledge_gaps(
    clean_panel: pd.DataFrame,
    injections: dict,
    latent: pd.DataFrame,
    detector: DetectorRun,
    spec: InjectionSpec = InjectionSpec(),
    metrics: tuple = ("ap", "p_at_100", "r_at_5pct", "value_capture_1pct"),
) -> pd.DataFrame:
    """Where the detector loses against the oracle: the oracle's metrics (mean over the seeds of
    `injections`) with all its knowledge, with the generator's expected price replaced by the
    detector's own expected price (its scores' `expected_unit_price_usd_per_kg`), and without
    knowing which months were tiny odd shipments, or guessing them from the weight alone
    (`tiny_months`); then the detector itself. Rows are labelled by
    KNOWLEDGE_VARIANTS plus the detector's name; columns are `metrics`."""
    prior = price_factor_prior(clean_panel, spec)
    rows = []
    for seed, result in injections.items():
        panel = result.panel.drop(columns=list(config.LABEL_COLUMNS))
        expected = np.log(detector.scores[seed]["expected_unit_price_usd_per_kg"].to_numpy(float))
        variants = {
            "all": oracle_scores(panel, latent, prior),
            "detector_expected": oracle_scores(panel, latent, prior, expected_log_price=expected),
            "no_odd": oracle_scores(panel, latent, prior, odd=np.zeros(len(panel), bool)),
            "odd_from_weight": oracle_scores(panel, latent, prior, odd=tiny_months(panel)),
        }
        misdeclared = misdeclared_by_row(result.panel, result.log)
        for key, scores in variants.items():
            measured = evaluate_scores(scores, result.panel, misdeclared_usd=misdeclared)
            rows.append({"variant": KNOWLEDGE_VARIANTS[key], "seed": seed, **{m: measured[m] for m in metrics}})
    per_seed = pd.DataFrame(rows)
    table = per_seed.drop(columns="seed").groupby("variant", sort=False).mean()
    own = pd.DataFrame(detector.per_seed).set_index("seed").loc[list(injections), list(metrics)].mean()
    table.loc[detector.name] = own
    return table


def describe_gaps(table: pd.DataFrame, name: str, metric: str = "ap", label: str = "AP") -> str:
    """A Korean paragraph from `knowledge_gaps`: how much of the oracle-detector gap in `metric`
    the expected price explains, and whether the odd-shipment months can be told from the weight."""
    value = table[metric].rename(index={v: k for k, v in KNOWLEDGE_VARIANTS.items()})
    full, own, expected = value["all"], value[name], value["detector_expected"]
    gap = full - own
    text = (
        f"오라클의 {label}는 {full:.3f}, {name}는 {own:.3f}입니다. 오라클에게서 생성기의 기대 단가만 빼앗고 "
        f"{name}의 예상 단가를 주면 {label}가 {expected:.3f}로 떨어집니다"
    )
    if gap > 0:
        share = min((full - expected) / gap, 1.0)
        text += f": 두 순위의 차이 {gap:.3f} 중 {share:.0%}가 기대 단가를 추정하는 오차 몫입니다"
    text += (
        f". 소량 이례 선적(견본·소포) 여부를 모르게 하면 {value['no_odd']:.3f}이지만, 그 달을 공개 자료의 중량만으로 "
        f"(시계열 중앙값의 {TINY_MONTH_SHARE:.0%} 미만) 짐작하게 하면 {value['odd_from_weight']:.3f}입니다. "
    )
    if full - value["odd_from_weight"] < full - expected:
        text += (
            "이례 선적은 중량으로 거의 알아볼 수 있으므로, 남은 차이의 주된 원인은 정상 단가를 예측하는 오차입니다: "
            "목표에 더 다가가려면 무엇보다 정상 단가를 더 정확히 예측해야 합니다."
        )
    else:
        text += "중량만으로는 이례 선적을 충분히 알아보지 못하므로, 그 달을 알아보는 것도 기대 단가만큼 중요합니다."
    return text


def ceiling_table(
    summary: pd.DataFrame, paired: DetectorRun, name: str, targets: dict, wide: DetectorRun | None = None
) -> pd.DataFrame:
    """Per target metric: the target, the detector's mean, the oracle's mean on the same seeds
    (`paired`) and the detector's share of it; the oracle's mean and standard error over `wide`
    (more seeds; `paired` when None), and where the target lies against that ceiling:
    'above' (more than 2 standard errors over it), 'at' (within 2) or 'below'."""
    wide = wide or paired
    paired_mean = paired.summary()["mean"]
    wide_frame = pd.DataFrame(wide.per_seed)
    rows = []
    for metric, target in targets.items():
        measured = float(summary.loc[(name, metric), "mean"])
        oracle = float(paired_mean[metric])
        values = wide_frame[metric].astype(float)
        error = float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0
        gap = target - float(values.mean())
        position = "above" if gap > 2 * error else ("at" if gap >= -2 * error else "below")
        rows.append(
            {
                "metric": metric,
                "target": target,
                "measured": measured,
                "oracle": oracle,
                "share_of_oracle": measured / oracle if oracle > 0 else np.nan,
                "oracle_wide": float(values.mean()),
                "oracle_wide_se": error,
                "wide_seeds": len(values),
                "target_vs_ceiling": position,
            }
        )
    return pd.DataFrame(rows)


def describe_ceiling(table: pd.DataFrame, name: str, labels: dict) -> str:
    """A Korean paragraph from `ceiling_table`: what the oracle reaches, where each target lies
    against it, and how close the detector comes."""
    reached = ", ".join(f"{labels[m]} {v:.3f}" for m, v in zip(table["metric"], table["oracle"]))
    shares = ", ".join(f"{labels[m]} {s:.0%}" for m, s in zip(table["metric"], table["share_of_oracle"]))
    n_wide = int(table["wide_seeds"].iloc[0])
    sentences = [f"같은 시드에서 오라클은 {reached}에 이르고, {name}는 그 {shares}에 이릅니다."]
    groups = {
        "above": "오라클보다도 높아, 이 복제본에서는 어떤 탐지기에도 기대할 수 없습니다",
        "at": "오라클의 수준과 통계적으로 구별되지 않아, 생성기를 아는 순위만큼 좋아야 닿을 수 있습니다",
        "below": "오라클보다 낮아, 원리상 도달할 수 있습니다",
    }
    for position, verdict in groups.items():
        part = table[table["target_vs_ceiling"] == position]
        if part.empty:
            continue
        listed = ", ".join(
            f"{labels[m]} 목표 {t:g}(오라클 {o:.3f} ± {se:.3f})"
            for m, t, o, se in zip(part["metric"], part["target"], part["oracle_wide"], part["oracle_wide_se"])
        )
        sentences.append(f"주입 시드 {n_wide}개로 잰 오라클의 평균(± 표준오차)과 비교하면, {listed}는 {verdict}.")
    sentences.append(
        f"오라클과 {name}의 차이는 탐지기를 더 개선할 여지이고, 목표가 오라클보다 높은 만큼은 어떤 "
        "개선으로도 메울 수 없습니다."
    )
    return " ".join(sentences)


def ceiling_brief(table: pd.DataFrame | None, labels: dict) -> str:
    """One Korean sentence for later chapters; `table` is None when no ceiling was computed."""
    if table is None or table.empty:
        return "실제 자료로 만든 빌드라 잡음 한계(오라클)는 계산하지 않았습니다."
    ap = table.set_index("metric").loc["ap"]
    hard = table[table["target_vs_ceiling"].isin(["above", "at"])]
    words = {"above": "오라클보다도 높습니다", "at": "오라클의 수준입니다"}
    limits = "; ".join(
        f"{labels[m]} 목표 {t:g}는 {words[p]}(오라클 {o:.3f})"
        for m, t, o, p in zip(hard["metric"], hard["target"], hard["oracle_wide"], hard["target_vs_ceiling"])
    )
    return (
        f"복제본의 답을 아는 오라클의 AP는 {ap['oracle']:.3f}이고 개선 탐지기는 그 {ap['share_of_oracle']:.0%}에 "
        f"이릅니다{'; ' + limits if limits else ''}."
    )
