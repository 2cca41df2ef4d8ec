"""The tiny panel of the tests: `customs_anomaly.examples`, where the docstring examples read it too."""

from __future__ import annotations

from customs_anomaly.examples import FREIGHT, SERIES, tiny_panel

__all__ = ["FREIGHT", "SERIES", "tiny_panel"]
