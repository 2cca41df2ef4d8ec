"""Build profiles: the one place that holds how much work a build of the book does.

`full` is what `make book` runs and what the book's numbers describe; `quick` executes every
chapter end to end with the smallest settings that still exercise every step (`make test`).
A chapter re-run with papermill can override any field (`-p injection_seeds 3`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

# Every unit-price factor of the magnitude curves (below 1 under-declaration, above 1
# over-declaration) and every per-kg freight factor.
VALUE_FACTORS = (0.3, 0.5, 0.7, 0.85, 1.2, 1.5, 2.0, 3.0)
FREIGHT_FACTORS = (0.3, 2.0, 3.0)


@dataclass(frozen=True)
class Profile:
    name: str
    injection_seeds: int  # repetitions of the default injection protocol (chapter 06)
    fresh_seeds: int  # never-used injection seeds to re-measure the improved detector
    # Caps on the training epochs; every network stops earlier when the loss of its held-out
    # last training months stops falling (detectors.lstm_autoencoder.train_network).
    original_epochs: int  # of the original's models A and B (chapter 05; the original trained 50)
    plus_epochs: int  # of lstm-plus and of its ablation variants
    magnitude_seeds: int  # seeds of each fixed-magnitude injection
    value_factors: tuple[float, ...]
    freight_factors: tuple[float, ...]
    ceiling_seeds: int  # injection seeds over which the oracle's ceiling is measured
    refit_every: int = 6  # months between refits of the improved detector in the monthly replay (06-2)
    item_share: float = 1.0  # share of HSK codes kept in the panel (a smoke build uses fewer)
    budget_share: float = 0.02  # the monthly review budget the chapters discuss
    learning_seeds: int = 2  # planting seeds of the simulated operation with reviewers' verdicts (06-3)

    def with_overrides(self, **overrides) -> Profile:
        """A copy with the given fields replaced; None means "keep the profile's value"."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown profile field(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        kept = {k: tuple(v) if isinstance(v, list) else v for k, v in overrides.items() if v is not None}
        return replace(self, **kept)


FULL = Profile(
    name="full",
    injection_seeds=5,
    fresh_seeds=5,
    original_epochs=3,
    plus_epochs=10,
    magnitude_seeds=2,
    value_factors=VALUE_FACTORS,
    freight_factors=FREIGHT_FACTORS,
    ceiling_seeds=20,
)
QUICK = Profile(
    name="quick",
    injection_seeds=2,
    fresh_seeds=1,
    original_epochs=1,
    plus_epochs=1,
    magnitude_seeds=1,
    value_factors=(0.5, 2.0),
    freight_factors=(3.0,),
    ceiling_seeds=3,
    item_share=0.10,
    learning_seeds=1,
)
PROFILES = {profile.name: profile for profile in (FULL, QUICK)}

# Wall-clock seconds of whole builds of this project, measured once and quoted by the appendix
# beside the build's own times: `full` is `make book` on a fresh clone
# (benchmarks/bench_fresh_clone.py, `make venv` excluded), `quick` the quick build `make test`
# makes (its data/processed/build_times.csv), both on the machine named here.
MEASURED_BUILDS = {
    "machine": "2코어 CPU, 24 GiB 메모리, GPU 없음",
    "commit": "ce1c957",
    "full_seconds": 329.0,
    "quick_seconds": 159.6,
}


def get_profile(name: str, **overrides) -> Profile:
    if name not in PROFILES:
        raise ValueError(f"unknown build profile {name!r}; choose one of {', '.join(PROFILES)}")
    return PROFILES[name].with_overrides(**overrides)
