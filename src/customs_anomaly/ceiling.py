"""The noise ceiling: how well could any detector rank the injected anomalies of the replica?

The replica's generator knows, for every traded series-month, its price process: the unit price
it expected from every smooth component (the series' level, the price path, the item's trend and
season, the drift), the sd of that month's grade noise (which shrinks with the number of
shipments), how likely and how wide a product-mix month is, how often and how far the series'
level shifts, and whether the month was a tiny odd shipment (`synth.latent_price_model`). An
oracle told all of this and the injection protocol's magnitudes, but neither which months had a
level shift or a product-mix month, nor the months' noise draws, nor which rows were injected,
ranks the rows by the likelihood ratio of "misdeclared" against "legitimate". A legitimate
level shift or product-mix month is noise to it, not knowledge: it weighs the series' other
months for where the level stands (a forward-backward pass over a grid of levels), as a detector
must. By the Neyman-Pearson lemma no ranking built on the same price information does better on
average, and a detector that sees only the published data must first estimate what the oracle
is told. Approximations: the level lives on a grid of LEVEL_STEP, the protocol's factors on the
same grid, and type f's factors are drawn from one distribution for every row where the protocol's
depend on the row's own price; the bound is approximate to that extent. Freight anomalies are
certain for the oracle, as for the detectors that compare a row's freight with its region-month
level.

It exists only for the synthetic replica: real data have no generator to ask.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from scipy.signal import fftconvolve
from scipy.special import logsumexp

from customs_anomaly import config, synth
from customs_anomaly.anomaly_types import PRICE_TYPES
from customs_anomaly.detectors.series import freight_log_ratio
from customs_anomaly.evaluate import evaluate_scores
from customs_anomaly.experiments import DetectorRun, in_test_year, misdeclared_by_row
from customs_anomaly.features import strip_labels
from customs_anomaly.inject import InjectionSpec, cheap_donor_prices, eligible_rows

KEY = list(config.PANEL_KEY)
SERIES = ["hsk_code", "country_code"]
# Quantiles per anomaly type in the oracle's prior of misdeclaration factors.
PRIOR_POINTS = 64
FREIGHT_CERTAIN = 1e6  # added to the score of a row whose freight departs from its region-month level
# The grid of a series' cumulative level shift: LEVEL_STEP apart within +-LEVEL_HALF_WIDTH (the
# replica's shifts stay within +-1 on every seed tried; the grid leaves room).
LEVEL_STEP = 0.02
LEVEL_HALF_WIDTH = 2.0
LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)


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


def _normal_logpdf(x, mean, sd):
    return -0.5 * ((x - mean) / sd) ** 2 - np.log(sd) - LOG_SQRT_2PI


def legitimate_log_density(residual, noise_sd, odd, mix_probability=0.0, mix_sd=0.0, extra_variance=0.0) -> np.ndarray:
    """log density of a legitimate month's log price minus its expected level: grade noise (normal,
    sd `noise_sd`), with probability `mix_probability` a product-mix shift (normal, sd `mix_sd`)
    on top, and the odd-shipment shift (normal, the generator's odd_price_shift_mean and
    odd_price_shift_sd) when odd. `extra_variance` widens every component (the level grid's own
    width). Arrays broadcast."""
    params = synth.TRADE_PARAMETERS
    odd = np.asarray(odd, bool)
    mean = np.where(odd, params.odd_price_shift_mean, 0.0)
    calm = np.asarray(noise_sd, float) ** 2 + np.where(odd, params.odd_price_shift_sd**2, 0.0) + extra_variance
    mix_probability = np.asarray(mix_probability, float)
    calm_part = _normal_logpdf(residual, mean, np.sqrt(calm))
    if not np.any(mix_probability > 0):
        return calm_part
    mixed = np.sqrt(calm + np.asarray(mix_sd, float) ** 2)
    with np.errstate(divide="ignore"):
        return np.logaddexp(
            np.log1p(-mix_probability) + calm_part, np.log(mix_probability) + _normal_logpdf(residual, mean, mixed)
        )


def log_likelihood_ratio(
    residual: np.ndarray, noise_sd: np.ndarray, odd: np.ndarray, prior: pd.DataFrame, mix_probability=0.0, mix_sd=0.0
) -> np.ndarray:
    """log p(residual | price misdeclared by a factor from `prior`) - log p(residual | legitimate),
    for a residual from a known level. A deviation that is significant but small for the month's
    noise (z = 4 at 5% noise) scores below one that is less significant but as large as a
    misdeclaration (z = 2.6 at 34% noise)."""
    residual, noise_sd, odd = (np.asarray(a) for a in (residual, noise_sd, odd))
    mix_probability, mix_sd = np.asarray(mix_probability, float), np.asarray(mix_sd, float)
    legitimate = legitimate_log_density(residual, noise_sd, odd, mix_probability, mix_sd)
    shifted = residual[..., None] - prior["log_factor"].to_numpy()
    misdeclared = logsumexp(
        legitimate_log_density(
            shifted, noise_sd[..., None], odd[..., None], mix_probability[..., None], mix_sd[..., None]
        )
        + np.log(prior["weight"].to_numpy()),
        axis=-1,
    )
    return misdeclared - legitimate


def level_grid(step: float = LEVEL_STEP, half_width: float = LEVEL_HALF_WIDTH) -> np.ndarray:
    return np.arange(-half_width, half_width + step / 2, step)


def shift_kernel(grid: np.ndarray, sd: float) -> np.ndarray:
    """(grid, grid) transition of a level that shifts by a normal step of sd `sd`: row g is the
    distribution of the new level given level g (the step's mass at each grid point, each row
    renormalised so that the level stays on the grid)."""
    offsets = grid[None, :] - grid[:, None]
    kernel = np.exp(-0.5 * (offsets / sd) ** 2)
    return kernel / kernel.sum(axis=1, keepdims=True)


def prior_on_grid(prior: pd.DataFrame, step: float = LEVEL_STEP) -> tuple[np.ndarray, int]:
    """The prior's log factors binned to multiples of `step`: weights from the lowest bin up, and
    the lowest bin's index (log factor = (index + position) * step)."""
    bins = np.rint(prior["log_factor"].to_numpy() / step).astype(int)
    low = int(bins.min())
    weights = np.bincount(bins - low, weights=prior["weight"].to_numpy())
    return weights / weights.sum(), low


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


def _month_positions(months: pd.Series) -> np.ndarray:
    """Months as positions on the generator's month axis (0 = its first month)."""
    first = synth.trade_months()[0]
    months = pd.to_datetime(months)
    return ((months.dt.year - first.year) * 12 + months.dt.month - first.month).to_numpy()


def filtered_log_ratio(
    series: np.ndarray,
    month: np.ndarray,
    residual: np.ndarray,
    noise: dict[str, np.ndarray],
    rate: np.ndarray,
    scored: np.ndarray,
    prior: pd.DataFrame,
    n_months: int,
    shift_sd: float | None = None,
) -> np.ndarray:
    """The oracle's log likelihood ratio for the `scored` cells, with each series' level shifts
    unknown. Cells are traded series-months: `series` (0..S-1) and `month` (0..n_months-1) place
    them, `residual` is the log price minus the expected log price, `noise` holds the cells'
    noise_sd, odd, mix_probability and mix_sd, `rate` the cells' level-shift rate (one per series).

    A forward and a backward pass over a grid of levels (the level starts at 0 in month 0 and may
    shift in every later month) give, for each scored cell, the distribution of the series' level
    that month from all the series' other months; the likelihoods of the cell under "legitimate"
    and under "misdeclared by a factor from the prior" are averaged over it."""
    shift_sd = synth.TRADE_PARAMETERS.level_shift_sd if shift_sd is None else shift_sd
    grid = level_grid()
    kernel = shift_kernel(grid, shift_sd)
    grid_variance = LEVEL_STEP**2 / 12.0  # a level anywhere inside its grid cell
    n_series = int(series.max()) + 1 if len(series) else 0
    series_rate = np.zeros(n_series)
    series_rate[series] = rate
    cell_of = np.full((n_series, n_months), -1)
    cell_of[series, month] = np.arange(len(series))
    wanted_months = np.unique(month[scored])

    def emission(t: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows observed in month t and their likelihood over the grid (scaled to max 1)."""
        cells = cell_of[:, t]
        rows = np.flatnonzero(cells >= 0)
        c = cells[rows]
        log_density = legitimate_log_density(
            residual[c, None] - grid[None, :],
            noise["noise_sd"][c, None],
            noise["odd"][c, None],
            noise["mix_probability"][c, None],
            noise["mix_sd"][c, None],
            grid_variance,
        )
        return rows, np.exp(log_density - log_density.max(axis=1, keepdims=True))

    def move(belief: np.ndarray, matrix: np.ndarray) -> np.ndarray:
        return (1.0 - series_rate)[:, None] * belief + series_rate[:, None] * (belief @ matrix)

    emissions = {t: emission(t) for t in range(n_months)}
    start = np.zeros((n_series, len(grid)))
    start[:, np.argmin(np.abs(grid))] = 1.0
    predicted, belief = {}, start
    for t in range(n_months):
        if t > 0:
            belief = move(belief, kernel)
        if t in wanted_months:
            predicted[t] = belief.copy()
        rows, likelihood = emissions[t]
        if len(rows):
            updated = belief[rows] * likelihood
            belief[rows] = updated / updated.sum(axis=1, keepdims=True)
    following, message = {}, np.full((n_series, len(grid)), 1.0 / len(grid))
    # the backward messages flow towards earlier months: none before the first scored month is read
    first_wanted = int(wanted_months.min()) if len(wanted_months) else n_months
    for t in range(n_months - 1, first_wanted - 1, -1):
        if t in wanted_months:
            following[t] = message.copy()
        rows, likelihood = emissions[t]
        weighted = message.copy()
        if len(rows):
            weighted[rows] = weighted[rows] * likelihood
        if t > first_wanted:
            message = move(weighted, kernel.T)
            message /= message.sum(axis=1, keepdims=True)

    prior_weights, low_bin = prior_on_grid(prior)
    out = np.full(len(series), np.nan)
    for t in wanted_months:
        cells = np.flatnonzero(scored & (month == t))
        s = series[cells]
        level = predicted[t][s] * following[t][s]
        level /= level.sum(axis=1, keepdims=True)
        args = (noise["noise_sd"][cells, None], noise["odd"][cells, None])
        mix = (noise["mix_probability"][cells, None], noise["mix_sd"][cells, None], grid_variance)
        r = residual[cells, None]
        with np.errstate(divide="ignore"):
            legitimate = logsumexp(np.log(level) + legitimate_log_density(r - grid[None, :], *args, *mix), axis=1)
            shifted = np.clip(fftconvolve(level, prior_weights[None, :], axes=1), 0.0, None)
            support = grid[0] + (np.arange(shifted.shape[1]) + low_bin) * LEVEL_STEP
            misdeclared = logsumexp(np.log(shifted) + legitimate_log_density(r - support[None, :], *args, *mix), axis=1)
        out[cells] = misdeclared - legitimate
    return out


def oracle_scores(
    panel: pd.DataFrame,
    latent: pd.DataFrame,
    prior: pd.DataFrame,
    expected_log_price: np.ndarray | None = None,
    odd: np.ndarray | None = None,
    known_levels: bool = False,
    series_of: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per panel row: `score` = log likelihood ratio of a price misdeclared by a factor from
    `prior` against a legitimate price (NaN for rows without imports), plus FREIGHT_CERTAIN when
    the row's freight departs from its region-month level; `flag` = the score is above 0.
    Only the test year is scored (every metric reads only it); other rows are NaN.

    Knowledge changed (`knowledge_gaps`): `expected_log_price` (one per panel row, e.g. a
    detector's expected price, which already holds its own view of the level) replaces the
    generator's expected price and its level, which the oracle then takes as known;
    `known_levels` tells the oracle every series' true level shifts (omniscience, not a
    ceiling); `odd` (one bool per panel row) replaces the generator's tiny-odd-shipment months.
    `series_of` (a bool per panel row) limits the price scores to the series of those rows (the
    others are NaN): a series' score depends on its own rows only."""
    rows = attach_latent(panel, latent)
    traded = (rows["weight_kg"] > 0).to_numpy()
    scored = traded & in_test_year(panel)
    odd = rows["odd_shipment"].fillna(False).to_numpy(bool) if odd is None else np.asarray(odd, bool)
    noise = {
        "noise_sd": rows["price_noise_sd"].to_numpy(float),
        "odd": odd,
        "mix_probability": rows["mix_probability"].to_numpy(float),
        "mix_sd": rows["product_mix_sd"].to_numpy(float),
    }
    log_price = np.log(rows["unit_price_usd_per_kg"].to_numpy(float))
    score = np.full(len(panel), np.nan)
    if expected_log_price is not None or known_levels:
        if expected_log_price is None:
            level = rows["expected_log_price"].to_numpy() + rows["level_shift"].to_numpy()
        else:
            level = np.asarray(expected_log_price, float)
        score[scored] = log_likelihood_ratio(
            log_price[scored] - level[scored],
            noise["noise_sd"][scored],
            noise["odd"][scored],
            prior,
            noise["mix_probability"][scored],
            noise["mix_sd"][scored],
        )
    else:
        ids = pd.factorize(pd.MultiIndex.from_frame(rows[SERIES]))[0]
        wanted = np.isin(ids, ids[scored & (np.ones(len(panel), bool) if series_of is None else series_of)])
        cells = np.flatnonzero(traded & wanted)
        series = pd.factorize(ids[cells])[0]
        score[cells] = filtered_log_ratio(
            series,
            _month_positions(rows["month"].iloc[cells]),
            log_price[cells] - rows["expected_log_price"].to_numpy()[cells],
            {name: values[cells] for name, values in noise.items()},
            rows["level_shift_rate"].to_numpy(float)[cells],
            scored[cells],
            prior,
            len(synth.trade_months()),
        )
    score = score + _freight_bonus(panel)
    return pd.DataFrame({"score": score, "flag": np.nan_to_num(score, nan=-np.inf) > 0.0}, index=panel.index)


def price_changed(clean: pd.DataFrame, other: pd.DataFrame) -> np.ndarray:
    """Rows (aligned panels) whose unit price or weight differs."""
    a, b = (frame["unit_price_usd_per_kg"].to_numpy(float) for frame in (clean, other))
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    return ~same | (clean["weight_kg"].to_numpy(float) != other["weight_kg"].to_numpy(float))


def injected_oracle_scores(
    clean_panel: pd.DataFrame, clean_scores: pd.DataFrame, injected_panel: pd.DataFrame, latent, prior, odd=None
) -> pd.DataFrame:
    """`oracle_scores` of an injected copy of the clean panel (same rows, same order), recomputing
    only the series whose prices changed (equal to scoring the whole panel; tested). `odd` as in
    `oracle_scores`, the same for the clean panel that gave `clean_scores`."""
    changed = price_changed(clean_panel, injected_panel)
    series = pd.MultiIndex.from_frame(injected_panel[SERIES])
    touched = series.isin(series[changed])
    fresh = oracle_scores(injected_panel, latent, prior, odd=odd, series_of=touched)
    score = np.where(touched, _price_part(fresh, injected_panel), _price_part(clean_scores, clean_panel))
    score = score + _freight_bonus(injected_panel)
    return pd.DataFrame({"score": score, "flag": np.nan_to_num(score, nan=-np.inf) > 0.0}, index=injected_panel.index)


def _freight_bonus(panel: pd.DataFrame) -> np.ndarray:
    """FREIGHT_CERTAIN on test-year rows whose freight departs from its region-month level."""
    freight_departs = np.abs(np.nan_to_num(freight_log_ratio(panel).to_numpy())) > 1e-9
    return np.where(freight_departs & in_test_year(panel), FREIGHT_CERTAIN, 0.0)


def _price_part(scores: pd.DataFrame, panel: pd.DataFrame) -> np.ndarray:
    """The price part of oracle scores (the freight bonus taken off)."""
    return scores["score"].to_numpy() - _freight_bonus(panel)


def noise_ceiling(
    clean_panel: pd.DataFrame,
    injections: dict,
    latent: pd.DataFrame,
    spec: InjectionSpec = InjectionSpec(),
    clean_scores: pd.DataFrame | None = None,
) -> DetectorRun:
    """The oracle's metrics on every injection seed, as a DetectorRun named 'oracle'. The clean
    panel is scored once (or `clean_scores`, its `oracle_scores`, are given); each seed is
    rescored only where its injections changed a series."""
    prior = price_factor_prior(clean_panel, spec)
    started = time.perf_counter()
    if clean_scores is None:
        clean_scores = oracle_scores(clean_panel, latent, prior)
    seconds = time.perf_counter() - started
    per_seed, scores_by_seed = [], {}
    for seed, result in injections.items():
        started = time.perf_counter()
        panel = strip_labels(result.panel)
        scores = injected_oracle_scores(clean_panel, clean_scores, panel, latent, prior)
        seconds += time.perf_counter() - started
        metrics = evaluate_scores(scores, result.panel, misdeclared_usd=misdeclared_by_row(result.panel, result.log))
        per_seed.append({"seed": seed, **metrics})
        scores_by_seed[seed] = scores
    return DetectorRun("oracle", 0.0, seconds / max(len(injections), 1), per_seed, scores_by_seed)


# What the oracle is told, taken away one piece at a time (`knowledge_gaps`).
KNOWLEDGE_VARIANTS = {
    "all": "오라클(생성기를 모두 앎)",
    "known_levels": "수준 이동까지 앎(상한 아님)",
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
    `injections`) with all its knowledge, told each series' level shifts too (omniscience: what
    not knowing them costs), with the generator's expected price and level replaced by the
    detector's own expected price (its scores' `expected_unit_price_usd_per_kg`), and without
    knowing which months were tiny odd shipments, or guessing them from the weight alone
    (`tiny_months`); then the detector itself. Rows are labelled by
    KNOWLEDGE_VARIANTS plus the detector's name; columns are `metrics`."""
    prior = price_factor_prior(clean_panel, spec)
    # the filtered variants: the clean panel scored once each, every seed only where it changed
    # (price injections change no weight, so the tiny months are the clean panel's)
    odd_of = {"all": None, "no_odd": np.zeros(len(clean_panel), bool), "odd_from_weight": tiny_months(clean_panel)}
    clean = {key: oracle_scores(clean_panel, latent, prior, odd=odd) for key, odd in odd_of.items()}
    rows = []
    for seed, result in injections.items():
        panel = strip_labels(result.panel)
        expected = np.log(detector.analyses[seed]["expected_unit_price_usd_per_kg"].to_numpy(float))
        variants = {
            key: injected_oracle_scores(clean_panel, clean[key], panel, latent, prior, odd=odd)
            for key, odd in odd_of.items()
        }
        variants["known_levels"] = oracle_scores(panel, latent, prior, known_levels=True)
        variants["detector_expected"] = oracle_scores(panel, latent, prior, expected_log_price=expected)
        misdeclared = misdeclared_by_row(result.panel, result.log)
        for key in KNOWLEDGE_VARIANTS:
            measured = evaluate_scores(variants[key], result.panel, misdeclared_usd=misdeclared)
            rows.append({"variant": KNOWLEDGE_VARIANTS[key], "seed": seed, **{m: measured[m] for m in metrics}})
    per_seed = pd.DataFrame(rows)
    table = per_seed.drop(columns="seed").groupby("variant", sort=False).mean()
    own = pd.DataFrame(detector.per_seed).set_index("seed").loc[list(injections), list(metrics)].mean()
    table.loc[detector.name] = own
    return table


def ceiling_table(
    summary: pd.DataFrame, paired: DetectorRun, name: str, metrics, wide: DetectorRun | None = None
) -> pd.DataFrame:
    """Per metric: the detector's mean, the oracle's mean on the same seeds (`paired`) and the
    detector's share of it; the oracle's mean and standard error over `wide` (more seeds; `paired`
    when None), which says how well the ceiling itself is known."""
    wide = wide or paired
    paired_mean = paired.summary()["mean"]
    wide_frame = pd.DataFrame(wide.per_seed)
    rows = []
    for metric in metrics:
        measured = float(summary.loc[(name, metric), "mean"])
        oracle = float(paired_mean[metric])
        values = wide_frame[metric].astype(float)
        error = float(values.std(ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0
        rows.append(
            {
                "metric": metric,
                "measured": measured,
                "oracle": oracle,
                "share_of_oracle": measured / oracle if oracle > 0 else np.nan,
                "oracle_wide": float(values.mean()),
                "oracle_wide_se": error,
                "wide_seeds": len(values),
            }
        )
    return pd.DataFrame(rows)
