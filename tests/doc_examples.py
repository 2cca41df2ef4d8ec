"""Running docstring examples as tests, and the detectors their class examples fit.

A detector class's docstring example fits it on the tiny panel (networks for one epoch); the
example runs once per test process (`example_fit`) and the API and contract tests reuse the
detector it leaves, so that each network is fitted once for them all. Their tests form one
pytest-xdist group (EXAMPLE_FITS), so that they run in one worker."""

from __future__ import annotations

import doctest
import functools
import importlib

import pytest

from customs_anomaly.detectors import DETECTORS

EXAMPLE_FITS = "example-fits"


def by_detector(names) -> list:
    """Parameters of tests that use `example_fit`: all in the group of one worker."""
    return [pytest.param(name, marks=pytest.mark.xdist_group(EXAMPLE_FITS)) for name in names]


def run_examples(module, obj=None) -> list[doctest.DocTest]:
    """Run the docstring examples of the module (or of `obj`, one of its classes), assert that
    each gives its output, and return them with the names they left (`globs`)."""
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [test for test in finder.find(obj or module, module=module) if test.examples]
    for test in tests:
        report = []
        result = runner.run(test, out=report.append, clear_globs=False)
        assert result.failed == 0, "".join(report)
    return tests


@functools.cache
def example_fit(name: str):
    """(detector, panel) as the class's docstring example leaves them: the example runs (its
    outputs checked) and fits the detector on the tiny panel. Read only: tests that change a
    detector clone it first."""
    cls = DETECTORS[name]
    example = run_examples(importlib.import_module(cls.__module__), cls)[0]
    return example.globs["detector"], example.globs["panel"]
