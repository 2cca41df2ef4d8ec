"""The study period as glued labels, so no chapter types a month by hand."""

from __future__ import annotations

from customs_anomaly import config


def period_numbers(*keys: str) -> dict:
    """The named period labels a chapter cites (study start and end, the training cut-off, the
    test year as YYYY-MM labels, month counts); a chapter glues only what it cites."""
    labels = {
        "study_start": f"{config.STUDY_START:%Y-%m}",
        "study_end": f"{config.STUDY_END:%Y-%m}",
        "n_study_months": len(config.month_range()),
        "train_until": f"{config.TRAIN_UNTIL:%Y-%m}",
        "test_start": f"{config.TEST_START:%Y-%m}",
        "test_end": f"{config.STUDY_END:%Y-%m}",
        "n_test_months": len(config.month_range(config.TEST_START, config.STUDY_END)),
    }
    return {key: labels[key] for key in keys}
