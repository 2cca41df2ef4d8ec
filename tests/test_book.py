"""The book's sources follow the project's rules, and a quick build of the whole book succeeds."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from customs_anomaly import config
from customs_anomaly.pipeline import chapter_names

ROOT = config.PROJECT_ROOT
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_every_toc_chapter_has_a_notebook_and_every_notebook_is_in_the_toc():
    names = chapter_names(ROOT / "_toc.yml")
    assert names, "the toc lists no chapter"
    assert sorted(names) == sorted(nb.stem for nb in NOTEBOOKS)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_sources_have_no_outputs(notebook: Path):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_holds_literals_only(notebook: Path):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    tree = ast.parse("".join(tagged[0]["source"]))
    for statement in tree.body:
        assert isinstance(statement, ast.Assign), ast.dump(statement)
        ast.literal_eval(statement.value)  # raises on anything but a literal


@pytest.mark.slow
def test_quick_book_builds_with_korean_figures(quick_book: Path):
    assert (quick_book / "_build" / "html" / "index.html").is_file()
    html = (quick_book / "_build" / "html" / "book" / "intro.html").read_text(encoding="utf-8")
    assert "합성 데이터" in html and "seed 0" in html  # the provenance banner is glued from the run
    for name in chapter_names(ROOT / "_toc.yml"):
        page = quick_book / "_build" / "html" / "book" / "chapters" / f"{name}.html"
        text = page.read_text(encoding="utf-8")
        assert "<img" in text or "<iframe" in text, f"{name} shows no figure"
        assert "Traceback" not in text


@pytest.mark.slow
def test_executed_chapters_have_no_missing_glyph_or_error_output(quick_book: Path):
    for name in chapter_names(ROOT / "_toc.yml"):
        cells = json.loads((quick_book / "book" / "chapters" / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            for output in cell.get("outputs", []):
                assert output.get("output_type") != "error", name
                text = "".join(output.get("text", ""))
                assert "does not have a glyph" not in text, f"{name}: a figure lost Korean or minus glyphs"
