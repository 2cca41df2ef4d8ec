"""The book's sources follow the project's rules, and a quick build of the whole book succeeds
and shows a reader only what a reader needs."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import jupytext
import pytest

from customs_anomaly import config
from customs_anomaly.model_store import STORE_FOLDER
from customs_anomaly.pipeline import CHAPTER_SUFFIX, FIT_STAGE, FITS_FILE, build_plan, chapter_names

ROOT = config.PROJECT_ROOT
SOURCES = sorted((ROOT / "notebooks").glob(f"*{CHAPTER_SUFFIX}"))
HIDDEN = {"remove-cell", "remove-input"}
PLUMBING = re.compile(r"\bglue(_figure|_many)?\(|write_table\(|Paths\(|chapter\.(start|publish)\(|data_dir|models_dir")


def code_cells(source: Path):
    return [cell for cell in jupytext.read(source).cells if cell.cell_type == "code"]


def test_every_toc_chapter_has_a_text_source_and_every_source_is_in_the_toc():
    names = chapter_names(ROOT / "_toc.yml")
    assert names, "the toc lists no chapter"
    assert sorted(names) == sorted(source.stem for source in SOURCES)
    assert not list((ROOT / "notebooks").glob("*.ipynb")), "chapter sources are MyST markdown only"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_parameters_cell_holds_literals_only_and_is_hidden(source: Path):
    tagged = [cell for cell in code_cells(source) if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    assert "remove-cell" in tagged[0].metadata["tags"]
    for statement in ast.parse(tagged[0].source).body:
        assert isinstance(statement, ast.Assign), ast.dump(statement)
        ast.literal_eval(statement.value)  # raises on anything but a literal


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_plumbing_is_hidden_from_the_reader(source: Path):
    for cell in code_cells(source):
        if PLUMBING.search(cell.source):
            assert set(cell.metadata.get("tags", [])) & (HIDDEN | {"parameters"}), cell.source


def _pages(book: Path):
    for name in chapter_names(ROOT / "_toc.yml"):
        yield name, (book / "_build" / "html" / "book" / "chapters" / f"{name}.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_quick_book_builds_with_korean_figures(quick_book: Path):
    assert (quick_book / "_build" / "html" / "index.html").is_file()
    html = (quick_book / "_build" / "html" / "book" / "intro.html").read_text(encoding="utf-8")
    assert "합성 데이터" in html and "seed 0" in html  # the provenance banner is glued from the run
    for name, text in _pages(quick_book):
        if name.startswith("appendix"):
            continue
        assert "<img" in text or "<iframe" in text, f"{name} shows no figure"
        assert "Traceback" not in text


@pytest.mark.slow
def test_no_page_shows_plumbing_paths_or_progress(quick_book: Path):
    build_paths = {str(quick_book), str(ROOT)}
    for name, text in _pages(quick_book):
        for forbidden in ("injected-parameters", "glue(", "chapter.publish", "it/s]", "%|"):
            assert forbidden not in text, f"{name} shows {forbidden!r}"
        for path in build_paths:
            assert path not in text, f"{name} shows the build path {path}"


@pytest.mark.slow
def test_executed_chapters_have_no_missing_glyph_or_error_output(quick_book: Path):
    for name in chapter_names(ROOT / "_toc.yml"):
        cells = json.loads((quick_book / "book" / "chapters" / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            for output in cell.get("outputs", []):
                assert output.get("output_type") != "error", name
                assert output.get("name") != "stderr", f"{name} kept stderr output on the page"
                text = "".join(output.get("text", ""))
                assert "does not have a glyph" not in text, f"{name}: a figure lost Korean or minus glyphs"


def test_the_build_records_every_chapter_and_stage_time(quick_book: Path):
    import pandas as pd

    processed = quick_book / "data" / "processed"
    chapters = pd.read_csv(processed / "chapter_times.csv")
    plan = build_plan(chapter_names(ROOT / "_toc.yml"))
    assert chapters["chapter"].tolist() == [name for batch in plan for name in batch]  # as they ran
    assert chapters["batch"].tolist() == [number for number, batch in enumerate(plan, start=1) for _ in batch]
    stages = pd.read_csv(processed / "build_times.csv").set_index("stage")["seconds"]
    assert stages.index.tolist() == ["raw data", "chapters", "compile", "total"]
    assert (stages > 0).all()
    assert set(chapters["batch"]) == set(range(1, chapters["batch"].max() + 1))
    assert stages["chapters"] >= chapters.groupby("batch")["seconds"].max().sum() - 0.5
    assert stages["total"] == pytest.approx(stages.drop("total").sum(), abs=0.2)


def test_the_chapters_load_the_fits_the_build_made_before_them(quick_book: Path):
    """Every network a chapter uses was trained by the fit stage: each fit in the model store
    either is one of the stage's or derives from one (the same detector, training parameters
    and training rows, other scoring parameters), so no chapter trained anything itself."""
    import pandas as pd

    from customs_anomaly.studies.fits import book_fits

    stage = pd.read_csv(quick_book / "data" / "processed" / FITS_FILE)
    assert len(stage) == len(book_fits())
    assert (stage.loc[stage["detector"].str.startswith("lstm"), "fit_seconds"] > 0).all()  # trained there

    def trained_part(folder: str) -> tuple[str, str, str]:
        name, training_params, _, training_rows = folder.rsplit("-", 3)
        return name, training_params, training_rows

    stored = [p.name for p in (quick_book / "models" / STORE_FOLDER).iterdir() if p.is_dir()]
    assert set(stage["folder"]) <= set(stored)
    made_by_stage = {trained_part(folder) for folder in stage["folder"]}
    assert {folder for folder in stored if trained_part(folder) not in made_by_stage} == set()
    assert len(stored) > len(stage)  # the scoring-only ablation variants were derived by chapter 06


def test_the_build_plan_fits_after_the_panel_beside_the_chapters_that_need_no_fit():
    from customs_anomaly.pipeline import build_plan

    names = chapter_names(ROOT / "_toc.yml")
    plan = build_plan(names)
    fits = [FIT_STAGE, "03_eda", "04_mock"]
    assert plan == [
        ["02_merge"],
        fits,
        ["05_modeling", "06c_learning"],
        ["06_evaluation", "06b_operations"],
        ["07_demo", "08_differentiation"],
        ["appendix_rerun"],  # last: it shows the times of every chapter before it
    ]
    ran = [name for batch in plan for name in batch if name != FIT_STAGE]
    assert sorted(ran) == sorted(names)  # each chapter once
    guest = "06c_learning"  # beside 05 (RUN_BESIDE), still before 08, which reads it
    assert [name for name in ran if name != guest] == [name for name in names if name != guest]
    assert ran.index(guest) < ran.index("08_differentiation")
    assert build_plan(["03_eda", "05_modeling"]) == [["03_eda"], ["05_modeling"]]  # no panel, no fit stage


def test_the_api_reference_lists_every_detector_with_each_of_its_parameters(quick_book: Path):
    import html as html_module

    from customs_anomaly.detectors import DETECTORS

    page = (quick_book / "_build" / "html" / "book" / "api.html").read_text(encoding="utf-8")
    sections = {}
    for part in page.split('<dl class="py class">')[1:]:
        anchor = re.search(r'id="(customs_anomaly\.[\w.]+)"', part)
        sections[anchor.group(1)] = html_module.unescape(re.sub(r"<[^>]+>", "", part))
    for detector in DETECTORS.values():
        text = sections[f"{detector.__module__}.{detector.__qualname__}"]
        # each parameter in the signature and described under Parameters
        missing = [name for name in detector.defaults if len(re.findall(rf"\b{name}\b", text)) < 2]
        assert not missing, (detector.__name__, missing)
    for public in ("make_detector", "load_detector", "read_panel", "inject_anomalies", "evaluate_scores"):
        assert re.search(rf'id="customs_anomaly\.[\w.]*\b{public}"', page), public


def test_every_main_chapter_shows_at_least_three_executed_code_cells_that_teach(quick_book: Path):
    """Code a student reads on the page: visible cells that ran and printed something, none of
    them plumbing (test_plumbing_is_hidden_from_the_reader)."""
    import nbformat

    for name in chapter_names(ROOT / "_toc.yml"):
        if name.startswith("appendix"):
            continue
        notebook = nbformat.read(quick_book / "book" / "chapters" / f"{name}.ipynb", as_version=4)
        shown = [
            cell
            for cell in notebook.cells
            if cell.cell_type == "code" and not set(cell.metadata.get("tags", [])) & HIDDEN and cell.outputs
        ]
        assert len(shown) >= 3, f"{name}: {len(shown)} visible executed code cells"
        errors = [o for cell in shown for o in cell.outputs if o.get("output_type") == "error"]
        assert not errors, name


# sphinx-exercise: an `exercise` directive with a label, and a solution between `solution-start
# LABEL` and `solution-end`, whose code cells the build executes (chapter sources in MyST markdown).
EXERCISE_LABEL = re.compile(r"[`:]{3,}\{exercise\}[^\n]*\n(?::[a-z]+:[^\n]*\n)*?:label: (\S+)")
SOLUTION_MARK = re.compile(r"[`:]{3,}\{(solution-start|solution-end)\}[ \t]*(\S*)")
MIN_EXERCISES = 2


def solution_cells(notebook) -> dict[str, list]:
    """The code cells of every solution of a notebook, by the label of the exercise it solves:
    the cells after a markdown cell's `solution-start` up to the next `solution-end` (one markdown
    cell may close a solution and open the next)."""
    solutions: dict[str, list] = {}
    current = None
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for mark, label in SOLUTION_MARK.findall(cell.source):
                current = label if mark == "solution-start" else None
                if current is not None:
                    solutions.setdefault(current, [])
        elif current is not None:
            solutions[current].append(cell)
    return solutions


def test_solution_cells_are_found_between_the_marks():
    import nbformat

    markdown, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    notebook = nbformat.v4.new_notebook(
        cells=[
            markdown(
                "```{exercise} 제목\n:label: ex-a\n\n문제\n```\n\n```{solution-start} ex-a\n:class: dropdown\n```"
            ),
            code("1"),
            markdown("풀이\n\n```{solution-end}\n```\n\n```{solution-start} ex-b\n```"),
            code("2"),
            code("3"),
            markdown("```{solution-end}\n```"),
            code("4"),
        ]
    )
    found = solution_cells(notebook)
    assert {label: [cell.source for cell in cells] for label, cells in found.items()} == {
        "ex-a": ["1"],
        "ex-b": ["2", "3"],
    }
    assert EXERCISE_LABEL.findall(notebook.cells[0].source) == ["ex-a"]


def test_every_main_chapter_ends_with_exercises_whose_solutions_ran(quick_book: Path):
    """At least MIN_EXERCISES exercises per main chapter, each with a solution whose code cells are
    shown (in a dropdown), ran in the build, printed something and raised nothing; the page shows
    every exercise and every solution as a dropdown."""
    import nbformat

    for name in chapter_names(ROOT / "_toc.yml"):
        if name.startswith("appendix"):
            continue
        notebook = nbformat.read(quick_book / "book" / "chapters" / f"{name}.ipynb", as_version=4)
        markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
        labels = EXERCISE_LABEL.findall(markdown)
        assert len(labels) >= MIN_EXERCISES, f"{name}: {len(labels)} exercises"
        solutions = solution_cells(notebook)
        assert sorted(solutions) == sorted(labels), f"{name}: exercises {labels}, solutions {sorted(solutions)}"
        for label, cells in solutions.items():
            assert cells, f"{name}: the solution of {label} has no code cell"
            for cell in cells:
                assert not set(cell.metadata.get("tags", [])) & HIDDEN, f"{name}: {label} hides its code"
                assert cell.outputs, f"{name}: a code cell of the solution of {label} shows no output"
                errors = [o for o in cell.outputs if o.get("output_type") == "error" or o.get("name") == "stderr"]
                assert not errors, f"{name}: the solution of {label} failed or wrote to stderr"
        page = (quick_book / "_build" / "html" / "book" / "chapters" / f"{name}.html").read_text(encoding="utf-8")
        assert len(re.findall(r'class="exercise admonition"', page)) == len(labels), name
        assert len(re.findall(r'class="solution dropdown admonition"', page)) == len(labels), name
        assert all(f'id="{label}"' in page for label in labels), name


def test_chapter_batches_keep_the_toc_order_and_pair_only_06_with_06_2():
    from customs_anomaly.pipeline import chapter_batches

    names = chapter_names(ROOT / "_toc.yml")
    batches = chapter_batches(names)
    assert [name for batch in batches for name in batch] == names
    assert [batch for batch in batches if len(batch) > 1] == [["06_evaluation", "06b_operations"]]
    assert chapter_batches(["a", "06_evaluation", "b", "06b_operations"]) == [
        ["a"],
        ["06_evaluation"],
        ["b"],
        ["06b_operations"],
    ]


GLUE_CITATION = re.compile(
    r"\{glue(?::text|:md|:figure|:any)?\}`([A-Za-z0-9_]+)(?::[^`]*)?`"  # inline roles
    r"|[`:]{3}\{glue(?::md|:figure|:any)?\}\s+([A-Za-z0-9_]+)"  # directives
)
# A key of another page: {glue:text}`chapters/02_merge.ipynb::key:format`
CROSS_PAGE_CITATION = re.compile(r"\{glue(?::text|:md|:any)?\}`chapters/([A-Za-z0-9_]+)\.ipynb::([A-Za-z0-9_]+)")
BOOK_PAGES = sorted((ROOT / "book").glob("*.md"))


def cited_keys(source: Path) -> set[str]:
    """The keys a chapter cites of its own study, and those other pages cite of it."""
    own = {left or right for left, right in GLUE_CITATION.findall(source.read_text(encoding="utf-8"))}
    pages = [*SOURCES, *BOOK_PAGES]
    borrowed = {
        key
        for page in pages
        for chapter, key in CROSS_PAGE_CITATION.findall(page.read_text(encoding="utf-8"))
        if chapter == source.stem
    }
    return own | borrowed


def glued_texts(notebook: Path) -> dict[str, str]:
    """Every glued value of an executed chapter as its plain-text form."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return {
        output["metadata"]["scrapbook"]["name"]: "".join(
            output["data"].get(output["metadata"]["scrapbook"]["mime_prefix"] + "text/plain", "")
        )
        for cell in cells
        for output in cell.get("outputs", [])
        if "scrapbook" in output.get("metadata", {})
    }


def glued_keys(notebook: Path) -> set[str]:
    return set(glued_texts(notebook))


def test_glue_citations_are_found_in_every_form():
    text = "a {glue:text}`n_rows:,d` b {glue:text}`label` c\n:::{glue:figure} fig_x\n```{glue:md} table_y\n"
    source = ROOT / "notebooks" / "02_merge.md"
    assert {left or right for left, right in GLUE_CITATION.findall(text)} == {"n_rows", "label", "fig_x", "table_y"}
    assert "data_label" in cited_keys(source)
    assert "import_musd_low" in cited_keys(source)  # cited by the introduction only


def test_the_glue_contract_holds_both_ways(quick_book: Path):
    """Every key a chapter cites is glued by its study, and every glued key is cited: a number
    computed for a sentence that no longer exists is a dead key."""
    for source in SOURCES:
        glued = glued_keys(quick_book / "book" / "chapters" / f"{source.stem}.ipynb")
        cited = cited_keys(source)
        assert not cited - glued, f"{source.name} cites keys its study does not glue: {sorted(cited - glued)}"
        assert not glued - cited, f"{source.name}: glued but never cited (dead keys): {sorted(glued - cited)}"


# A Korean sentence of the book ends in a polite verb ending (-니다); a glued value that holds one is
# a verb computed in Python and spliced into the prose, which the sentence beside a figure must never
# be (a short verdict label in a table cell, such as 08's 맞음, is not a sentence).
SENTENCE_ENDING = re.compile(r"니다")


def test_no_glued_value_is_a_sentence_made_in_python(quick_book: Path):
    for source in SOURCES:
        texts = glued_texts(quick_book / "book" / "chapters" / f"{source.stem}.ipynb")
        cited_in_prose = {left or right for left, right in GLUE_CITATION.findall(source.read_text(encoding="utf-8"))}
        spliced = {key: text for key, text in texts.items() if key in cited_in_prose and SENTENCE_ENDING.search(text)}
        assert not spliced, f"{source.name} splices sentences computed in Python into its prose: {spliced}"


def _rendered_tables(html: str) -> list[str]:
    return re.findall(r"<table.*?</table>", html, flags=re.S)


def test_rendered_tables_are_numbered_tables_without_index_nan_or_scientific_notation(quick_book: Path):
    for name, page in _pages(quick_book):
        assert "dataframe" not in page, f"{name} shows a pandas frame instead of a table"
        for table in _rendered_tables(page):
            caption = re.search(r"<caption>(.*?)</caption>", table, flags=re.S)
            text = re.sub(r"<[^>]+>", " ", table)
            assert caption and "표" in caption.group(1), f"{name}: a table without a numbered 표 caption"
            assert not re.search(r"\bnan\b|\bNaN\b|<NA>|\bNaT\b|None", text), f"{name}: a missing value shows"
            assert not re.search(r"\d\.?\d*e[+-]\d", text), f"{name}: scientific notation in a table"
            if "—" in text:
                assert "—" in caption.group(1), f"{name}: a table shows dashes its caption does not explain"


def test_every_profile_field_is_a_parameter_of_each_chapter_that_reads_it():
    from dataclasses import fields

    from customs_anomaly.profiles import Profile
    from customs_anomaly.studies.appendix import PROFILE_CHAPTERS, PROFILE_LABELS

    assert set(PROFILE_CHAPTERS) == set(PROFILE_LABELS) == {f.name for f in fields(Profile)} - {"name"}
    for field, chapters in PROFILE_CHAPTERS.items():
        for stem in chapters:
            (cell,) = [
                c for c in code_cells(ROOT / "notebooks" / f"{stem}.md") if "parameters" in c.metadata.get("tags", [])
            ]
            assert f"\n{field} = None" in f"\n{cell.source}", f"{stem} does not take {field} as a parameter"


def test_a_list_given_by_papermill_becomes_the_profiles_tuple():
    from customs_anomaly.profiles import get_profile

    assert get_profile("quick", value_factors=[0.5, 3.0]).value_factors == (0.5, 3.0)
