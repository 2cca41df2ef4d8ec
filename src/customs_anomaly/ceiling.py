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
from customs_anomaly.anomaly_types import PRICE_TYPES
from customs_anomaly.detectors.series import freight_log_ratio
from customs_anomaly.evaluate import evaluate_scores
from customs_anomaly.experiments import DetectorRun, in_test_year, misdeclared_by_row
from customs_anomaly.inject import InjectionSpec, cheap_donor_prices, eligible_rows

KEY = list(config.PANEL_KEY)
# Quantiles per anomaly type in the oracle's prior of misdeclaration factors: 64 give the same AP
# as 200 to the sixth decimal on the default build, at a third of the time.
PRIOR_POINTS = 64
FREIGHT_CERTAIN = 1e6  # added to the score of a row whose freight departs from its region-month level


def price_factor_prior(
    clean_panel: pd.DataFrame, spec: InjectionSpec = InjectionSpec(), points: int = PRIOR_POINTS
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
    replaces the generator's tiny-odd-shipment months. Only the test year is scored (every metric
    reads only it); other rows are NaN."""
    rows = attach_latent(panel, latent)
    scored = (rows["weight_kg"] > 0).to_numpy() & in_test_year(panel)
    expected = (
        rows["expected_log_price"].to_numpy() if expected_log_price is None else np.asarray(expected_log_price, float)
    )
    residual = np.log(rows["unit_price_usd_per_kg"].to_numpy(float)[scored]) - expected[scored]
    noise_sd = rows["price_noise_sd"].to_numpy(float)[scored]
    odd = rows["odd_shipment"].fillna(False).to_numpy(bool) if odd is None else np.asarray(odd, bool)
    score = np.full(len(panel), np.nan)
    score[scored] = log_likelihood_ratio(residual, noise_sd, odd[scored], prior)
    freight_departs = np.abs(np.nan_to_num(freight_log_ratio(panel).to_numpy())) > 1e-9
    score = score + np.where(freight_departs & in_test_year(panel), FREIGHT_CERTAIN, 0.0)
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
        expected = np.log(detector.analyses[seed]["expected_unit_price_usd_per_kg"].to_numpy(float))
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
