"""Build the book: make sure the raw data exists, execute every chapter with papermill, compile.

The table of contents (`_toc.yml`) is the single list of chapters: every entry
`book/chapters/NAME` is executed from the MyST markdown notebook `notebooks/NAME.md` (converted
with jupytext), in toc order, with the parameters that notebook declares (papermill's
`parameters` cell). The executed notebooks go to `book/chapters/`, where jupyter-book reads them.

What a reader never sees: the parameters cell and papermill's injected copy are tagged
`remove-cell`; the executed notebook a page offers for download (its .ipynb button) names no place
on the build machine: the chapter runs with the real data, raw and models paths, then papermill's
injected cell and its metadata are rewritten to keep only the other parameters (seed, profile), so
the parameters cell's empty paths, the project's defaults, apply when a reader reruns it; the
kernel's own stderr (progress bars, library start-up messages) goes to the build log, not into a
page; each chapter's execution time goes to the build log and to `processed/chapter_times.csv`,
which the appendix shows. Right after the chapter that writes the panel, the build fits every
detector the later chapters load, two at a time, into the model store (`fit_stage`), and the
chapters load those fits. The stages of the whole build (replica, chapters, compilation) go to
`processed/build_times.csv`, which `benchmarks/report_performance.py` quotes in the README.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

import pandas as pd
import yaml

from customs_anomaly import config

CHAPTER_PREFIX = "book/chapters/"
BOOK_SOURCE_FILES = ("_config.yml", "_toc.yml")
BOOK_STATIC = "_static"  # the book's own CSS
BOOK_TEMPLATES = "_templates"  # the book's own theme templates (the footer's author line)
CHAPTER_SUFFIX = ".md"
HIDDEN_TAG = "remove-cell"
INJECTED_TAG = "injected-parameters"  # papermill's tag on the cell it writes
PARAMETER_TAGS = ("parameters", INJECTED_TAG)
# Parameters that name folders of the build machine (BuildOptions.parameters); any other parameter
# whose value is an absolute path is treated the same way.
PATH_PARAMETERS = frozenset({"data_dir", "models_dir", "raw_dir"})
CHAPTER_TIMES_FILE = "chapter_times.csv"
# Chapters that neither read what the other writes (both read the stored fits and the panel):
# run side by side, they share the two cores of a small machine where one alone leaves one idle.
SIDE_BY_SIDE = frozenset({"06_evaluation", "06b_operations"})
# A chapter that runs beside an earlier one of the toc (guest: host): it reads only what the
# chapters before its host's batch wrote, its host reads nothing it writes, and no chapter
# between them reads what it writes. 06-3 (the panel and the fits) fills the core that chapter 05
# leaves idle; 08 (the summaries of 06, 06-2 and 06-3) runs beside 07 (06's scores).
RUN_BESIDE = {"06c_learning": "05_modeling", "08_differentiation": "07_demo"}
# Right after the chapter that writes the panel, the build fits every detector the later chapters
# load (studies.fits.book_fits) into the model store, FIT_WORKERS side by side: one network's
# training keeps about one core busy. The chapters then load the fits; a chapter run alone fits
# what the store lacks. The stage's time is a row of chapter_times.csv, its fits FITS_FILE.
FITS_AFTER = "02_merge"
# Chapters that read neither the fits nor each other's results: they run in the fit stage's pool.
BESIDE_FITS = frozenset({"03_eda", "04_mock"})
FIT_STAGE = "fits"
FIT_WORKERS = 2
# Each fit worker and each chapter's kernel keeps TensorFlow to one thread for its operations and
# one between them: two of them run side by side, and with TensorFlow's default of one thread per
# core they would oversubscribe the cores (threads waiting on each other burn CPU time).
SINGLE_THREADED = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
FITS_FILE = "book_fits.csv"
BUILD_TIMES_FILE = "build_times.csv"
# The kernel writes what it prints to its own stderr (progress, TensorFlow's start-up lines) to
# the build log instead of copying it into the executed page.
KERNEL_ARGUMENTS = ["--IPKernelApp.capture_fd_output=False"]


@dataclass(frozen=True)
class BuildOptions:
    root: Path = config.PROJECT_ROOT  # where _config.yml, book/ and _build/ live
    data_dir: Path | None = None  # defaults to root/data
    models_dir: Path | None = None  # defaults to root/models
    raw_dir: Path | None = None  # defaults to data_dir/raw (the synthetic replica)
    seed: int = config.DEFAULT_SEED
    profile: str = "full"  # or "quick" (customs_anomaly.profiles)
    data_kind: str = "synthetic"  # or "real": then raw_dir must already hold the files
    extra_parameters: dict = field(default_factory=dict)

    @property
    def data(self) -> Path:
        return Path(self.data_dir or self.root / "data")

    @property
    def models(self) -> Path:
        return Path(self.models_dir or self.root / "models")

    @property
    def raw(self) -> Path:
        return Path(self.raw_dir or self.data / "raw")

    def parameters(self) -> dict:
        """Literal values handed to every chapter; never secrets (papermill writes them into the output)."""
        return {
            "data_dir": str(self.data),
            "models_dir": str(self.models),
            "raw_dir": str(self.raw),
            "seed": self.seed,
            "profile": self.profile,
            **self.extra_parameters,
        }


def chapter_names(toc_path: Path) -> list[str]:
    """Chapter notebook names in table-of-contents order."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    names: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            entry = node.get("file")
            if isinstance(entry, str) and entry.startswith(CHAPTER_PREFIX):
                names.append(Path(entry).stem)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return names


def stage_book_sources(source_root: Path, target_root: Path) -> None:
    """Copy the book's configuration and prose pages to another root (for an isolated build)."""
    target_root.mkdir(parents=True, exist_ok=True)
    for name in BOOK_SOURCE_FILES:
        shutil.copy2(source_root / name, target_root / name)
    for folder in (BOOK_STATIC, BOOK_TEMPLATES):
        shutil.copytree(source_root / folder, target_root / folder, dirs_exist_ok=True)
    shutil.copytree(
        source_root / "book",
        target_root / "book",
        ignore=shutil.ignore_patterns("chapters", "_build"),
        dirs_exist_ok=True,
    )


def ensure_raw_data(options: BuildOptions) -> None:
    """Generate the synthetic replica unless it is there with the same seed; real data must exist."""
    from customs_anomaly import synth
    from customs_anomaly.provenance import describe_raw_data

    raw = options.raw
    if options.data_kind == "real":
        if not any(raw.glob("*/*.csv")):
            raise FileNotFoundError(
                f"{raw}: no real data files; put the six public sources there in their folders (see data/README.md)"
            )
        return
    if (raw / config.SYNTHETIC_MARKER).is_file() and describe_raw_data(raw).seed == options.seed:
        return
    synth.write_replica(raw, seed=options.seed)


def chapter_notebook(source: Path):
    """The chapter's MyST markdown source as a notebook, with its parameters cell hidden."""
    import jupytext

    notebook = jupytext.read(source)
    hide_parameter_cells(notebook)
    return notebook


def hide_parameter_cells(notebook) -> None:
    """Tag the parameters cell and papermill's injected copy `remove-cell`."""
    for cell in notebook.cells:
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if any(tag in tags for tag in PARAMETER_TAGS) and HIDDEN_TAG not in tags:
            tags.append(HIDDEN_TAG)


def is_build_path(name: str, value) -> bool:
    """Whether a parameter names a place on the build machine (never shipped in a served notebook)."""
    if name in PATH_PARAMETERS:
        return True
    if not isinstance(value, (str, PurePath)):
        return False
    text = str(value)
    return PurePosixPath(text).is_absolute() or PureWindowsPath(text).is_absolute()


def publishable_parameters(parameters: dict) -> dict:
    """The parameters without the build machine's paths."""
    return {name: value for name, value in parameters.items() if not is_build_path(name, value)}


def withhold_build_paths(notebook, parameters: dict, source_name: str, target_name: str) -> None:
    """Rewrite what papermill recorded of the build into an executed notebook, in place: its
    injected-parameters cell keeps only the publishable parameters (the path parameters then keep
    the parameters cell's values: empty, the project's defaults), and `metadata.papermill` keeps
    those parameters and the notebook's bare file names instead of the build's absolute paths."""
    from papermill.translators import papermill_translators

    kept = publishable_parameters(parameters)
    withheld = sorted(set(parameters) - set(kept))
    kernelspec = notebook.metadata.get("kernelspec", {})
    kernel = kernelspec.get("name", "python3")
    language = notebook.metadata.get("language_info", {}).get("name") or kernelspec.get("language", "python")
    translator = papermill_translators.find_translator(kernel, language)
    source = translator.codify(kept, "Parameters")
    if withheld:
        note = f"{', '.join(withheld)}: the build's paths are withheld; the parameters cell's defaults apply"
        source += f"{translator.comment(note)}\n"
    for cell in notebook.cells:
        if INJECTED_TAG in cell.get("metadata", {}).get("tags", []):
            cell["source"] = source
    recorded = notebook.metadata.get("papermill")
    if recorded is not None:
        recorded["parameters"] = publishable_parameters(dict(recorded.get("parameters") or {}))
        recorded["input_path"] = source_name
        recorded["output_path"] = target_name


@contextmanager
def environment(variables: dict[str, str]):
    """These environment variables set inside the block, the previous values restored after it."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def execute_chapter(source: Path, target: Path, parameters: dict) -> float:
    """Execute one chapter source into `target` (an .ipynb); returns the seconds it took."""
    import nbformat
    import papermill

    staged = target.with_name(f".{target.stem}.source.ipynb")
    nbformat.write(chapter_notebook(source), staged)
    try:
        declared = papermill.inspect_notebook(str(staged))
        given = {k: v for k, v in parameters.items() if k in declared}
        started = time.perf_counter()
        with environment(SINGLE_THREADED):  # the kernel inherits it
            papermill.execute_notebook(
                str(staged),
                str(target),
                parameters=given,
                cwd=str(target.parent),
                kernel_name="python3",
                progress_bar=False,
                extra_arguments=KERNEL_ARGUMENTS,
            )
        seconds = time.perf_counter() - started
    finally:
        staged.unlink(missing_ok=True)
    executed = nbformat.read(target, as_version=4)
    hide_parameter_cells(executed)
    withhold_build_paths(executed, given, source.name, target.name)
    nbformat.write(executed, target)
    return seconds


def chapter_batches(names: list[str]) -> list[list[str]]:
    """The chapters in toc order, grouped into batches that run side by side: consecutive
    chapters of SIDE_BY_SIDE form one batch, every other chapter is a batch of its own."""
    batches: list[list[str]] = []
    for name in names:
        if batches and name in SIDE_BY_SIDE and batches[-1][-1] in SIDE_BY_SIDE:
            batches[-1].append(name)
        else:
            batches.append([name])
    return batches


def build_plan(names: list[str]) -> list[list[str]]:
    """The batches of a build in toc order: `chapter_batches`, each guest of RUN_BESIDE in its
    host's batch, plus, right after the batch of
    FITS_AFTER, the fit stage (FIT_STAGE) with the chapters of BESIDE_FITS, which run in the
    same pool as the fits. Without FITS_AFTER there is no fit stage (each chapter fits what it
    needs)."""
    guests = {guest: host for guest, host in RUN_BESIDE.items() if guest in names and host in names}
    batches = chapter_batches([name for name in names if name not in guests])
    for guest, host in guests.items():
        next(batch for batch in batches if host in batch).append(guest)
    if FITS_AFTER not in names:
        return batches
    batches = [kept for batch in batches if (kept := [name for name in batch if name not in BESIDE_FITS])]
    after = next(i for i, batch in enumerate(batches) if FITS_AFTER in batch) + 1
    batches.insert(after, [FIT_STAGE, *(name for name in names if name in BESIDE_FITS)])
    return batches


def execute_chapters(options: BuildOptions, notebooks_dir: Path = config.PROJECT_ROOT / "notebooks") -> list[Path]:
    """Execute every chapter with papermill into root/book/chapters, recording each one's time
    and the batch it ran in (the chapters of one batch run side by side, each in its own process)."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    out_dir = options.root / "book" / "chapters"
    out_dir.mkdir(parents=True, exist_ok=True)
    times_path = options.data / "processed" / CHAPTER_TIMES_FILE
    times_path.unlink(missing_ok=True)  # the appendix must never show another build's times
    executed, times = [], []
    for batch_number, batch in enumerate(build_plan(chapter_names(options.root / "_toc.yml")), start=1):
        chapters = [name for name in batch if name != FIT_STAGE]
        jobs = [(notebooks_dir / f"{name}{CHAPTER_SUFFIX}", out_dir / f"{name}.ipynb") for name in chapters]
        print(f"[book] executing {', '.join(batch)}", flush=True)
        if FIT_STAGE in batch:
            seconds = fit_stage(options, jobs)
        elif len(jobs) == 1:
            seconds = {chapters[0]: execute_chapter(*jobs[0], options.parameters())}
        else:
            with ProcessPoolExecutor(max_workers=len(jobs), mp_context=get_context("spawn")) as pool:
                futures = [pool.submit(execute_chapter, *job, options.parameters()) for job in jobs]
                seconds = {name: future.result() for name, future in zip(chapters, futures)}
        for name in batch:
            print(f"[book] {name}: {seconds[name]:.1f} s", flush=True)
            times.append({"chapter": name, "seconds": round(seconds[name], 1), "batch": batch_number})
        executed += [target for _, target in jobs]
        write_times(times_path, times)
    return executed


def single_threaded() -> None:
    """A fit worker's set-up, before it imports TensorFlow."""
    os.environ.update(SINGLE_THREADED)


def fit_stage(options: BuildOptions, chapter_jobs: list[tuple[Path, Path]] = ()) -> dict[str, float]:
    """Fit every detector the chapters load, FIT_WORKERS at a time, each worker its own process,
    and execute `chapter_jobs` (source, target) in the same workers after the fits have started.
    Writes one row per fit to processed/FITS_FILE; returns the seconds of each chapter and, under
    FIT_STAGE, those from the start until the last fit was done."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from customs_anomaly.studies.fits import book_fits, fit_for_book

    started = time.perf_counter()
    jobs = book_fits()
    print(f"[book] fitting {len(jobs)} detectors, {FIT_WORKERS} at a time", flush=True)
    parameters = options.parameters()
    done: list[float] = []
    context = get_context("spawn")
    with ProcessPoolExecutor(max_workers=FIT_WORKERS, mp_context=context, initializer=single_threaded) as pool:
        fits = [pool.submit(fit_for_book, parameters, name, changes) for name, changes in jobs]
        for future in fits:
            future.add_done_callback(lambda _: done.append(time.perf_counter()))
        chapters = {job[1].stem: pool.submit(execute_chapter, *job, parameters) for job in chapter_jobs}
        records = [future.result() for future in fits]
        seconds = {name: future.result() for name, future in chapters.items()}
    write_times(options.data / "processed" / FITS_FILE, records)
    return {FIT_STAGE: max(done) - started, **seconds}


def write_times(path: Path, times: list[dict]) -> None:
    """One small CSV of measured seconds (chapters or build stages)."""
    from customs_anomaly.storage import write_table

    write_table(pd.DataFrame(times), path)


def compile_book(root: Path) -> None:
    """jupyter-book build with warnings as errors; raises if the build fails."""
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    command = [str(jupyter_book), "build", str(root), "-W", "-n", "--keep-going"]
    print(f"[book] {' '.join(command)}", flush=True)
    started = time.perf_counter()
    subprocess.run(command, check=True)
    print(f"[book] compiled in {time.perf_counter() - started:.1f} s", flush=True)


def build_book(options: BuildOptions) -> Path:
    """Raw data, executed chapters and the HTML book; returns the path of index.html."""
    times_path = options.data / "processed" / BUILD_TIMES_FILE
    times_path.unlink(missing_ok=True)
    stages = {}
    for stage, run in (
        ("raw data", lambda: ensure_raw_data(options)),
        ("chapters", lambda: execute_chapters(options)),
        ("compile", lambda: compile_book(options.root)),
    ):
        started = time.perf_counter()
        run()
        stages[stage] = time.perf_counter() - started
    index = options.root / "_build" / "html" / "index.html"
    if not index.is_file():
        raise RuntimeError(f"the build did not produce {index}")
    stages["total"] = sum(stages.values())
    times = [{"stage": stage, "seconds": round(seconds, 1)} for stage, seconds in stages.items()]
    write_times(times_path, times)
    print(f"[book] built in {stages['total']:.1f} s", flush=True)
    return index
