"""Evaluation runs that combine stages: fit each detector once on the training months, then score
panels with anomalies injected by several seeds, and summarise the metrics over seeds.

Training months are identical in the clean and the injected panels (injections are confined to
the test year), so one fit per detector serves every injection seed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from customs_anomaly import config
from customs_anomaly.detectors import load_detector, make_detector
from customs_anomaly.evaluate import evaluate_scores, summarise_over_seeds
from customs_anomaly.inject import InjectionSpec, inject_anomalies

KEY = list(config.PANEL_KEY)


@dataclass
class DetectorRun:
    name: str
    fit_seconds: float
    score_seconds: float
    per_seed: list[dict]
    scores: dict[int, pd.DataFrame]

    def summary(self) -> pd.DataFrame:
        return summarise_over_seeds(self.per_seed)


def misdeclared_by_row(panel: pd.DataFrame, log: pd.DataFrame) -> pd.Series:
    """Misdeclared USD per panel row (0 where nothing was injected), aligned to the panel's index."""
    merged = panel[KEY].merge(log[KEY + ["misdeclared_usd"]], on=KEY, how="left")
    return pd.Series(merged["misdeclared_usd"].fillna(0.0).to_numpy(), index=panel.index)


def injected_panels(panel: pd.DataFrame, seeds: list[int], spec: InjectionSpec = InjectionSpec()) -> dict:
    """Injection results by seed."""
    return {seed: inject_anomalies(panel, seed=seed, spec=spec) for seed in seeds}


def fit_or_load(name: str, panel: pd.DataFrame, model_dir: Path, params: dict, refit: bool = False):
    """Fit a detector on the training months and save it, or load it when already saved."""
    if (model_dir / "detector.json").is_file() and not refit:
        return load_detector(model_dir), 0.0
    started = time.perf_counter()
    detector = make_detector(name, **params).fit(panel, train_until=config.TRAIN_UNTIL)
    seconds = time.perf_counter() - started
    detector.save(model_dir)
    return detector, seconds


def fit_all(names: list[str], panel: pd.DataFrame, models_dir: Path, params: dict[str, dict]) -> pd.DataFrame:
    """Fit every detector on the training months and save it under models_dir/NAME; returns the
    fit time per detector (seconds on this machine)."""
    rows = []
    for name in tqdm(names, desc="탐지기 학습"):
        _, seconds = fit_or_load(name, panel, models_dir / name, params.get(name, {}), refit=True)
        rows.append({"detector": name, "fit_seconds": seconds})
    return pd.DataFrame(rows)


def evaluate_saved(names: list[str], clean_panel: pd.DataFrame, injections: dict, models_dir: Path) -> dict[str, DetectorRun]:
    """Score every injection seed with every saved detector and compute the metrics."""
    return {name: run_detector(name, clean_panel, injections, models_dir, refit=False) for name in names}


def summary_table(runs: dict[str, DetectorRun]) -> pd.DataFrame:
    """(detector, metric) x (mean, std)."""
    return pd.concat({name: run.summary() for name, run in runs.items()}, names=["detector", "metric"])


def run_detector(
    name: str,
    clean_panel: pd.DataFrame,
    injections: dict,
    models_dir: Path,
    params: dict | None = None,
    refit: bool = True,
) -> DetectorRun:
    detector, fit_seconds = fit_or_load(name, clean_panel, models_dir / name, params or {}, refit=refit)
    per_seed, scores_by_seed, score_seconds = [], {}, 0.0
    for seed, result in tqdm(injections.items(), desc=f"{name}: 시드별 채점", leave=False):
        started = time.perf_counter()
        scores = detector.score(result.panel.drop(columns=list(config.LABEL_COLUMNS)))
        score_seconds += time.perf_counter() - started
        metrics = evaluate_scores(scores, result.panel, misdeclared_usd=misdeclared_by_row(result.panel, result.log))
        per_seed.append({"seed": seed, **metrics})
        scores_by_seed[seed] = scores
    return DetectorRun(name, fit_seconds, score_seconds / max(len(injections), 1), per_seed, scores_by_seed)
