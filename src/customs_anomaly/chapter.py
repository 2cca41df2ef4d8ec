"""The preamble every chapter runs in its hidden first cell: plot style with the Korean font,
seeds, warnings to the build log, the build's context, and `publish`, which glues
everything a study returns so the chapter's markdown can cite it."""

from __future__ import annotations

import logging
import random
import sys
from numbers import Number

import numpy as np
import pandas as pd

from customs_anomaly.profiles import get_profile
from customs_anomaly.studies.common import Context, StudyResult
from customs_anomaly.tables import markdown_table


def setup(seed: int = 0) -> None:
    """Style, Korean font and seeds for a chapter notebook (tables reach a page as Markdown from
    `tables.markdown_table`, never as a displayed frame); library warnings go to the build log."""
    from customs_anomaly import plots

    plots.set_style()
    random.seed(seed)
    np.random.seed(seed)
    logging.captureWarnings(True)
    warnings_logger = logging.getLogger("py.warnings")
    warnings_logger.handlers[:] = [logging.StreamHandler(sys.__stderr__)]
    warnings_logger.propagate = False


def start(
    data_dir: str = "",
    raw_dir: str = "",
    models_dir: str = "",
    seed: int = 0,
    profile: str = "full",
    **overrides,
) -> Context:
    """Set the chapter up and return its build context; `overrides` replace profile fields
    (None keeps the profile's value)."""
    setup(seed)
    return Context.of(data_dir, raw_dir, models_dir, seed, get_profile(profile, **overrides))


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


def show_source(obj) -> None:
    """Show the source of one of the package's functions or classes on the page, as the package
    holds it (never a copy that could drift from the code that ran)."""
    import inspect
    import textwrap

    from IPython.display import Markdown, display

    display(Markdown(f"```python\n{textwrap.dedent(inspect.getsource(obj)).rstrip()}\n```"))


def publish(result: StudyResult) -> None:
    """Glue every number, label, table and figure of a study result (nothing is displayed here:
    the markdown places them). A table is glued as Markdown (`markdown_table`), which the chapter
    places with `{glue:md}` inside a numbered `{table}`."""
    import matplotlib.pyplot as plt
    from IPython.display import Markdown
    from myst_nb import glue

    for key, value in result.numbers.items():
        glue(key, plain(value), display=False)
    for key, table in result.tables.items():
        glue(key, Markdown(markdown_table(table)), display=False)
    for key, page in result.html.items():
        glue(key, page, display=False)
    for key, figure in result.figures.items():
        glue(key, figure, display=False)
        plt.close(figure)
