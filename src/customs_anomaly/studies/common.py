"""What every study shares: where a build keeps its files, which profile it runs, and the result
object a chapter shows (numbers and short labels to glue, display-ready tables, figures)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
from pathlib import Path

from customs_anomaly import config
from customs_anomaly.profiles import FULL, Profile, get_profile


@dataclass(frozen=True)
class Context:
    """One build: its files, the seed of the replica and of the injections, and its profile."""

    paths: config.Paths
    raw: Path
    seed: int = config.DEFAULT_SEED
    profile: Profile = FULL

    @classmethod
    def of(
        cls,
        data_dir: str | Path = "",
        raw_dir: str | Path = "",
        models_dir: str | Path = "",
        seed: int = config.DEFAULT_SEED,
        profile: Profile = FULL,
    ) -> Context:
        """Empty folders mean the project's own (`data/`, `data/raw/`, `models/`)."""
        root = config.Paths.from_root()
        paths = config.Paths(
            data=Path(data_dir) if data_dir else root.data, models=Path(models_dir) if models_dir else root.models
        )
        return cls(paths=paths, raw=Path(raw_dir) if raw_dir else paths.raw, seed=seed, profile=profile)

    @classmethod
    def from_parameters(cls, parameters: dict) -> Context:
        """The context a chapter given these papermill parameters runs in (profile fields among
        them override the profile's values)."""
        names = {f.name for f in fields(Profile)} - {"name"}
        overrides = {k: v for k, v in parameters.items() if k in names}
        profile = get_profile(parameters.get("profile", FULL.name), **overrides)
        return cls.of(
            parameters.get("data_dir", ""),
            parameters.get("raw_dir", ""),
            parameters.get("models_dir", ""),
            parameters.get("seed", config.DEFAULT_SEED),
            profile,
        )


@dataclass
class StudyResult:
    """What a chapter glues: `numbers` (numbers and short labels for `{glue:text}`), `tables`
    (display-ready frames with Korean headers), `figures` (matplotlib figures) and `html`
    (objects with an HTML representation, such as an embedded page)."""

    numbers: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    html: dict = field(default_factory=dict)

    def merge(self, other: StudyResult) -> StudyResult:
        """This result with another's entries added (the other's win on a shared key)."""
        for name in ("numbers", "tables", "figures", "html"):
            getattr(self, name).update(getattr(other, name))
        return self


def merged(*sections: StudyResult) -> StudyResult:
    """One chapter's result: its sections' results merged in the order given (the chapter's)."""
    result = StudyResult()
    for section in sections:
        result.merge(section)
    return result


def progress(iterable, description: str, total: int | None = None):
    """Progress of a long loop on the process's own stderr: the build log, never a page."""
    from tqdm import tqdm

    return tqdm(iterable, desc=description, total=total, file=sys.__stderr__, mininterval=5.0, ascii=True)
