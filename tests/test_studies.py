"""The studies' structure: one function per chapter section, merged in the chapter's order, none
of them long (issue 23, part 6)."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd

from customs_anomaly import studies
from customs_anomaly.studies.common import StudyResult, merged
from customs_anomaly.studies.evaluation import NOT_COMPUTED, TARGET_METRICS, fresh_seeds_section

STUDIES = Path(studies.__file__).parent
MAX_FUNCTION_LINES = 80


def functions():
    for path in sorted(STUDIES.glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef):
                yield path.name, node


def test_no_study_function_is_long_and_every_section_says_what_it_fills():
    lengths = {f"{name}:{f.name}": f.end_lineno - f.lineno + 1 for name, f in functions()}
    long = {function: n for function, n in lengths.items() if n > MAX_FUNCTION_LINES}
    assert not long, f"functions over {MAX_FUNCTION_LINES} lines: {long}"
    sections = [(name, f) for name, f in functions() if f.name.endswith("_section")]
    assert len(sections) >= 20
    assert all(ast.get_docstring(f) for _, f in sections), [f.name for _, f in sections if not ast.get_docstring(f)]


def test_sections_merge_in_order_and_a_later_section_wins_a_shared_key():
    first = StudyResult({"a": 1, "shared": "first"}, {"table_a": pd.DataFrame({"x": [1]})})
    second = StudyResult({"shared": "second", "b": 2}, figures={"fig_b": "figure"}, html={"page": "html"})
    result = merged(first, second)
    assert list(result.numbers) == ["a", "shared", "b"]
    assert result.numbers["shared"] == "second"
    assert list(result.tables) == ["table_a"] and list(result.figures) == ["fig_b"] and list(result.html) == ["page"]
    assert merged() == StudyResult()


def test_fresh_seeds_without_an_oracle_glue_not_computed():
    plus = pd.Series(0.5, index=TARGET_METRICS)
    fresh = pd.Series(0.4, index=TARGET_METRICS)
    result = fresh_seeds_section(plus, fresh, None, 3)
    assert result.numbers["n_fresh_seeds"] == 3
    assert result.numbers["fresh_oracle_ap"] == NOT_COMPUTED
    assert result.numbers["fresh_share_of_oracle"] == NOT_COMPUTED
    assert list(result.tables["table_fresh"].columns) == ["개발에 쓴 시드", "새 시드"]
    assert len(result.tables["table_fresh"]) == len(TARGET_METRICS)
