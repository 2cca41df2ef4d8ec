"""Book pipeline pieces: chapter order from the toc, staging, provenance of the raw data."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from customs_anomaly import config
from customs_anomaly.pipeline import (
    SINGLE_THREADED,
    BuildOptions,
    chapter_names,
    ensure_raw_data,
    execute_chapter,
    publishable_parameters,
    stage_book_sources,
)
from customs_anomaly.provenance import describe_raw_data


def test_chapter_names_follow_toc_order(tmp_path: Path):
    toc = tmp_path / "_toc.yml"
    toc.write_text(
        "format: jb-book\nroot: book/intro\nparts:\n"
        "  - caption: a\n    chapters:\n      - file: book/chapters/03_eda\n      - file: book/chapters/02_merge\n"
        "  - caption: b\n    chapters:\n      - file: book/appendix_rerun\n",
        encoding="utf-8",
    )
    assert chapter_names(toc) == ["03_eda", "02_merge"]


def test_staging_copies_book_sources_but_not_generated_chapters(tmp_path: Path):
    stage_book_sources(config.PROJECT_ROOT, tmp_path)
    assert (tmp_path / "_config.yml").is_file() and (tmp_path / "_toc.yml").is_file()
    assert (tmp_path / "book" / "intro.md").is_file()
    assert (tmp_path / "_static" / "custom.css").is_file() and (tmp_path / "_templates" / "author.html").is_file()
    assert not (tmp_path / "book" / "chapters").exists()


def test_provenance_of_the_synthetic_replica_and_of_real_files(tmp_path: Path):
    (tmp_path / config.SYNTHETIC_MARKER).write_text(json.dumps({"kind": "synthetic", "seed": 7}), encoding="utf-8")
    synthetic = describe_raw_data(tmp_path)
    assert synthetic.is_synthetic and synthetic.seed == 7 and "seed 7" in synthetic.detail
    assert "실제 무역 통계 아님" in synthetic.detail
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    assert not describe_raw_data(real_dir).is_synthetic


def test_real_build_without_files_says_how_to_get_them(tmp_path: Path):
    options = BuildOptions(root=tmp_path, raw_dir=tmp_path / "none", data_kind="real")
    with pytest.raises(FileNotFoundError, match=r"see data/README\.md"):
        ensure_raw_data(options)


def test_synthetic_raw_data_is_regenerated_only_for_another_seed(tmp_path: Path, monkeypatch):
    """The decision alone: the replica's writer (test_synth checks what it writes) is replaced by one
    that records its calls and leaves only the marker a replica of that seed carries."""
    from customs_anomaly import synth

    written = []

    def write_marker_only(raw: Path, seed: int) -> None:
        written.append(seed)
        raw.mkdir(parents=True, exist_ok=True)
        (raw / config.SYNTHETIC_MARKER).write_text(json.dumps({"kind": "synthetic", "seed": seed}), encoding="utf-8")

    monkeypatch.setattr(synth, "write_replica", write_marker_only)
    options = BuildOptions(root=tmp_path, seed=0)
    ensure_raw_data(options)
    ensure_raw_data(options)
    assert written == [0]
    ensure_raw_data(BuildOptions(root=tmp_path, seed=1))
    assert written == [0, 1] and describe_raw_data(options.raw).seed == 1


TINY_CHAPTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Tiny chapter

```{code-cell} ipython3
:tags: [parameters]
data_dir = ""
models_dir = ""
seed = 0
profile = "full"
```

```{code-cell} ipython3
import os
from pathlib import Path

Path(data_dir, "ran.txt").write_text(f"{seed} {profile}", encoding="utf-8")
threads = [os.environ.get(name, "unset") for name in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")]
Path(data_dir, "threads.txt").write_text(" ".join(threads), encoding="utf-8")
print("executed")
```
"""


def test_publishable_parameters_drop_every_build_path():
    parameters = {
        "data_dir": "relative/data",
        "raw_dir": "/srv/build/data/raw",
        "other_folder": "C:\\build\\x",
        "cache": "/tmp/cache",
        "seed": 3,
        "profile": "quick",
        "label": "합성",
    }
    assert publishable_parameters(parameters) == {"seed": 3, "profile": "quick", "label": "합성"}


def test_executed_chapter_runs_with_real_paths_but_serves_none(tmp_path: Path, monkeypatch):
    """The chapter executes with the build's absolute paths, its kernel with TensorFlow kept to one
    thread; the notebook the book serves for download keeps only the other parameters, and its
    parameters cell's empty paths (defaults)."""
    import nbformat

    for name in SINGLE_THREADED:
        monkeypatch.delenv(name, raising=False)

    source = tmp_path / "notebooks" / "tiny.md"
    source.parent.mkdir()
    source.write_text(TINY_CHAPTER, encoding="utf-8")
    data = tmp_path / "build" / "data"
    data.mkdir(parents=True)
    target = tmp_path / "book" / "chapters" / "tiny.ipynb"
    target.parent.mkdir(parents=True)
    options = BuildOptions(root=tmp_path / "build", seed=3, profile="quick")
    execute_chapter(source, target, options.parameters())

    assert (data / "ran.txt").read_text(encoding="utf-8") == "3 quick"  # ran with the real data_dir
    assert (data / "threads.txt").read_text(encoding="utf-8") == "1 1"
    assert not set(SINGLE_THREADED) & set(os.environ)  # the build's own environment as it was
    text = target.read_text(encoding="utf-8")
    assert str(tmp_path) not in text and "/build/" not in text
    notebook = nbformat.read(target, as_version=4)
    injected = [c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "remove-cell" in injected[0].metadata.tags
    namespace: dict = {}
    for cell in notebook.cells:
        if {"parameters", "injected-parameters"} & set(cell.metadata.get("tags", [])):
            exec(cell.source, namespace)
    assert (namespace["data_dir"], namespace["models_dir"]) == ("", "")  # the project's defaults
    assert (namespace["seed"], namespace["profile"]) == (3, "quick")
    recorded = notebook.metadata.papermill
    assert recorded.parameters == {"seed": 3, "profile": "quick"}
    assert (recorded.input_path, recorded.output_path) == ("tiny.md", "tiny.ipynb")
    assert any("executed" in "".join(o.get("text", "")) for c in notebook.cells for o in c.get("outputs", []))


def test_the_fit_stage_fits_every_detector_and_each_variant_that_trains_its_own_network():
    from customs_anomaly.detectors import DETECTOR_NAMES, DETECTORS
    from customs_anomaly.experiments import ABLATIONS
    from customs_anomaly.studies.fits import IMPROVED, LEARNING_FORM, PROSPECTIVE_FORM, book_fits

    fits = book_fits()
    assert fits[0] == ("lstm-b", {})  # the longest training starts first
    assert sorted(name for name, changes in fits if not changes) == sorted(DETECTOR_NAMES)
    variants = [changes for name, changes in fits if changes]
    assert PROSPECTIVE_FORM in variants and {"macro": True} in variants and {"window": 6} in variants
    assert LEARNING_FORM in variants  # chapter 06-3: trained before its simulated months
    # scoring only: chapter 06 derives them from the stored fit in seconds
    assert {"scoring": "z"} not in variants and {"memory": False} not in variants
    assert all(name == IMPROVED for name, changes in fits if changes)
    scoring = DETECTORS[IMPROVED].SCORING_PARAMS
    assert len(variants) == 2 + sum(1 for change in ABLATIONS.values() if set(change) - scoring)
