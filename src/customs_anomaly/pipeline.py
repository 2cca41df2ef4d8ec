"""Build the book: make sure the raw data exists, execute every chapter with papermill, compile.

The table of contents (`_toc.yml`) is the single list of chapters: every entry
`book/chapters/NAME` is executed from `notebooks/NAME.ipynb`, in toc order, with the parameters
that notebook declares (papermill's `parameters` cell).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from customs_anomaly import config

CHAPTER_PREFIX = "book/chapters/"
BOOK_SOURCE_FILES = ("_config.yml", "_toc.yml")


@dataclass(frozen=True)
class BuildOptions:
    root: Path = config.PROJECT_ROOT  # where _config.yml, book/ and _build/ live
    data_dir: Path | None = None  # defaults to root/data
    models_dir: Path | None = None  # defaults to root/models
    raw_dir: Path | None = None  # defaults to data_dir/raw (the synthetic replica)
    seed: int = config.DEFAULT_SEED
    quick: bool = False
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
            "quick": self.quick,
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


def execute_chapters(options: BuildOptions, notebooks_dir: Path = config.PROJECT_ROOT / "notebooks") -> list[Path]:
    """Execute every chapter notebook with papermill into root/book/chapters."""
    import papermill

    out_dir = options.root / "book" / "chapters"
    out_dir.mkdir(parents=True, exist_ok=True)
    executed = []
    for name in chapter_names(options.root / "_toc.yml"):
        source = notebooks_dir / f"{name}.ipynb"
        declared = papermill.inspect_notebook(str(source))
        parameters = {k: v for k, v in options.parameters().items() if k in declared}
        target = out_dir / f"{name}.ipynb"
        print(f"[book] executing {source.name}", flush=True)
        papermill.execute_notebook(
            str(source),
            str(target),
            parameters=parameters,
            cwd=str(out_dir),
            kernel_name="python3",
            progress_bar=True,
        )
        executed.append(target)
    return executed


def compile_book(root: Path) -> None:
    """jupyter-book build with warnings as errors; raises if the build fails."""
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    command = [str(jupyter_book), "build", str(root), "-W", "-n", "--keep-going"]
    print(f"[book] {' '.join(command)}", flush=True)
    subprocess.run(command, check=True)


def build_book(options: BuildOptions) -> Path:
    """Raw data, executed chapters and the HTML book; returns the path of index.html."""
    ensure_raw_data(options)
    execute_chapters(options)
    compile_book(options.root)
    index = options.root / "_build" / "html" / "index.html"
    if not index.is_file():
        raise RuntimeError(f"the build did not produce {index}")
    return index
