"""The preamble every chapter imports: plot style with the Korean font, seeds, display options,
and `glue` helpers that store plain Python values so `{glue:text}` can format them."""

from __future__ import annotations

import random
from numbers import Number

import numpy as np
import pandas as pd


def setup(seed: int = 0) -> None:
    """Style, Korean font, seeds and display options for a chapter notebook."""
    from customs_anomaly import plots

    plots.set_style()
    random.seed(seed)
    np.random.seed(seed)
    pd.set_option("display.max_columns", 30)
    pd.set_option("display.width", 160)
    pd.set_option("display.float_format", lambda x: f"{x:,.4g}")
    try:
        import plotly.io as pio

        # plotly's default under papermill is JSON only, which jupyter-book 1.x skips.
        pio.renderers.default = "notebook"
    except ImportError:
        pass


def plain(value):
    """numpy/pandas scalars as built-in Python values (their repr would break glue formatting)."""
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m")
    if isinstance(value, Number):
        return value
    return value


def glue(key: str, value) -> None:
    """Glue a value for the prose without displaying it here."""
    from myst_nb import glue as myst_glue

    myst_glue(key, plain(value), display=False)


def glue_many(values: dict) -> None:
    for key, value in values.items():
        glue(key, value)


def glue_figure(key: str, figure) -> None:
    """Glue a matplotlib figure (shown where the prose pastes it, with its caption) and close it."""
    import matplotlib.pyplot as plt
    from myst_nb import glue as myst_glue

    myst_glue(key, figure, display=False)
    plt.close(figure)
