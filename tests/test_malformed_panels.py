"""Malformed panels, scores, model folders, arguments and output paths for `inject`, `fit`, `score`
and `demo`: each is refused with exit status 2, one line on stderr naming the file, the row and the
column where they apply, and nothing written (the folder listing, hidden files included, is the
same before and after).

Every panel defect is tried on every command that reads a panel. Models are fitted once per module
with the cheap `robust` and `price-band` detectors; a neural model folder is faked."""

from __future__ import annotations

import io
import json
import shutil
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from demo_fixtures import panel_and_scores
from raw_builders import assert_refused, run, snapshot

from customs_anomaly import config

KEY = list(config.PANEL_KEY)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> dict[str, Path]:
    """A valid panel, scores that match it, and fitted `robust` and `price-band` model folders."""
    root = tmp_path_factory.mktemp("fitted")
    panel, scores = panel_and_scores(seed=0)
    panel.to_parquet(root / "panel.parquet", index=False)
    scores.to_csv(root / "scores.csv", index=False)
    paths = {"root": root, "panel": root / "panel.parquet", "scores": root / "scores.csv"}
    for name in ("robust", "price-band"):
        argv = ["fit", "--panel", str(paths["panel"]), "--out", str(root / name), "--detector", name]
        assert run(argv) == 0
        paths[name] = root / name
    return paths


# --- panel defects, each on every command that reads a panel ----------------------------------------
def first_row(frame: pd.DataFrame, mask: pd.Series) -> int:
    return int(np.flatnonzero(mask.to_numpy())[0])


def set_cell(column: str, position: int, value) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def edit(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.copy()
        if isinstance(value, str):
            frame[column] = frame[column].astype(object)
        elif isinstance(value, float):
            frame[column] = frame[column].astype(float)
        frame.loc[position, column] = value
        return frame

    return edit


def with_labels(edit: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda frame: edit(frame.assign(is_anomaly=False, anomaly_type=""))


def with_scheme_labels(edit: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[pd.DataFrame], pd.DataFrame]:
    return lambda frame: edit(frame.assign(is_anomaly=False, anomaly_type="", scheme_id=""))


def repeat_key(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[1, KEY] = frame.loc[0, KEY].to_numpy()
    return frame


def price_blank_where_weighed(frame: pd.DataFrame) -> pd.DataFrame:
    return set_cell("unit_price_usd_per_kg", first_row(frame, frame["weight_kg"] > 0), np.nan)(frame)


def price_where_no_weight(frame: pd.DataFrame) -> pd.DataFrame:
    return set_cell("unit_price_usd_per_kg", first_row(frame, frame["weight_kg"] == 0), 2.5)(frame)


def row_of(mask: Callable[[pd.DataFrame], pd.Series]) -> Callable[[pd.DataFrame], str]:
    return lambda frame: f"row {first_row(frame, mask(frame)) + 1}"


@dataclass(frozen=True)
class PanelDefect:
    id: str
    suffix: str
    edit: Callable[[pd.DataFrame], pd.DataFrame] | None
    expected: tuple
    raw_bytes: bytes | None = None  # written instead of the frame


PANEL_DEFECTS = [
    PanelDefect(
        "negative weight", ".csv", set_cell("weight_kg", 4, -10.0), ("row 5", "column 'weight_kg'", "negative")
    ),
    PanelDefect(
        "inf value", ".parquet", set_cell("value_usd", 6, np.inf), ("row 7", "column 'value_usd'", "not a finite")
    ),
    PanelDefect(
        "1e308 value", ".csv", set_cell("value_usd", 8, 1e308), ("row 9", "column 'value_usd'", "implausibly large")
    ),
    PanelDefect("negative CPI", ".parquet", set_cell("cpi", 2, -110.0), ("row 3", "column 'cpi'", "negative")),
    PanelDefect(
        "zero exchange rate", ".csv", set_cell("usd_krw", 3, 0.0), ("row 4", "column 'usd_krw'", "must be positive")
    ),
    PanelDefect(
        "blank weight", ".parquet", set_cell("weight_kg", 5, np.nan), ("row 6", "column 'weight_kg'", "blank value")
    ),
    PanelDefect(
        "no unit price where weighed",
        ".csv",
        price_blank_where_weighed,
        (row_of(lambda f: f["weight_kg"] > 0), "column 'unit_price_usd_per_kg'", "blank value"),
    ),
    PanelDefect(
        "unit price without weight",
        ".parquet",
        price_where_no_weight,
        (row_of(lambda f: f["weight_kg"] == 0), "column 'unit_price_usd_per_kg'", "must be blank there"),
    ),
    PanelDefect("text in freight", ".csv", set_cell("freight_krw_per_kg", 1, "abc"), ("row 2", "not a number: 'abc'")),
    PanelDefect("repeated key", ".csv", repeat_key, ("row 2", "column 'month'", "duplicate panel key", "row 1")),
    PanelDefect("month 13", ".csv", set_cell("month", 2, "2024-13-01"), ("row 3", "column 'month'", "not a month")),
    PanelDefect(
        "mid-month date", ".csv", set_cell("month", 2, "2024-05-15"), ("row 3", "not the first day of a month")
    ),
    PanelDefect(
        "9-digit HSK code", ".csv", set_cell("hsk_code", 7, "302110000"), ("row 8", "column 'hsk_code'", "10-digit")
    ),
    PanelDefect(
        "HSK codes as integers",
        ".parquet",
        lambda f: f.assign(hsk_code=f["hsk_code"].astype("int64")),
        ("row 1", "10-digit"),
    ),
    PanelDefect(
        "country code usa", ".csv", set_cell("country_code", 7, "usa"), ("row 8", "column 'country_code'", "two-letter")
    ),
    PanelDefect(
        "unknown region",
        ".parquet",
        set_cell("region", 9, "한국"),
        ("row 10", "column 'region'", "five freight regions"),
    ),
    PanelDefect(
        "months as numbers",
        ".parquet",
        lambda f: f.assign(month=np.arange(len(f))),
        ("row 1", "column 'month'", "not a month"),
    ),
    PanelDefect(
        "missing column", ".parquet", lambda f: f.drop(columns="ppi"), ("column 'ppi'", "missing panel column")
    ),
    PanelDefect("no rows", ".parquet", lambda f: f.iloc[:0], ("the panel has no rows",)),
    PanelDefect(
        "label not boolean", ".csv", with_labels(set_cell("is_anomaly", 3, "maybe")), ("row 4", "not True or False")
    ),
    PanelDefect(
        "unknown anomaly type",
        ".csv",
        with_labels(set_cell("anomaly_type", 1, "z")),
        ("row 2", "column 'anomaly_type'"),
    ),
    PanelDefect(
        "one label column", ".parquet", lambda f: f.assign(is_anomaly=False), ("column 'anomaly_type'", "missing label")
    ),
    PanelDefect(
        "type without anomaly flag",
        ".csv",
        with_labels(set_cell("anomaly_type", 2, "d")),
        ("row 3", "column 'anomaly_type'", "disagrees with is_anomaly"),
    ),
    PanelDefect(
        "scheme type without scheme column",
        ".parquet",
        with_labels(lambda f: set_cell("anomaly_type", 1, "g")(set_cell("is_anomaly", 1, True)(f))),
        ("row 2", "column 'anomaly_type'", "no scheme_id column"),
    ),
    PanelDefect(
        "scheme type without scheme id",
        ".csv",
        with_scheme_labels(lambda f: set_cell("anomaly_type", 4, "h")(set_cell("is_anomaly", 4, True)(f))),
        ("row 5", "column 'scheme_id'", "without a scheme id"),
    ),
    PanelDefect(
        "scheme id on a one-month anomaly",
        ".csv",
        with_scheme_labels(
            lambda f: set_cell("scheme_id", 2, "S01")(
                set_cell("anomaly_type", 2, "d")(set_cell("is_anomaly", 2, True)(f))
            )
        ),
        ("row 3", "column 'scheme_id'", "not part of a scheme"),
    ),
    PanelDefect(
        "malformed scheme id",
        ".csv",
        with_scheme_labels(set_cell("scheme_id", 0, "scheme-1")),
        ("row 1", "column 'scheme_id'", "not a scheme id"),
    ),
    PanelDefect("not parquet", ".parquet", None, ("cannot read table",), raw_bytes=b"PAR1 this is not a parquet file"),
    PanelDefect("not UTF-8", ".csv", None, ("cannot read table",), raw_bytes="month,가\n".encode("cp949")),
    PanelDefect("unsupported suffix", ".txt", lambda f: f, ("unsupported file type '.txt'",)),
]


def write_panel(defect: PanelDefect, base: pd.DataFrame, folder: Path) -> tuple[Path, tuple[str, ...]]:
    path = folder / f"panel{defect.suffix}"
    if defect.raw_bytes is not None:
        path.write_bytes(defect.raw_bytes)
        return path, (path.name, *defect.expected)
    frame = defect.edit(base.copy())
    if defect.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
    expected = tuple(e(frame) if callable(e) else e for e in defect.expected)
    return path, (path.name, *expected)


COMMANDS = {
    "inject": lambda p, t, f: ["inject", "--panel", p, "--out", str(t / "out.parquet")],
    "fit": lambda p, t, f: ["fit", "--panel", p, "--out", str(t / "model"), "--detector", "robust"],
    "score": lambda p, t, f: ["score", "--panel", p, "--model-dir", str(f["robust"]), "--out", str(t / "s.csv")],
    "demo": lambda p, t, f: ["demo", "--scores", str(f["scores"]), "--panel", p, "--out", str(t / "q.html")],
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("defect", PANEL_DEFECTS, ids=[d.id for d in PANEL_DEFECTS])
def test_every_command_refuses_a_malformed_panel(defect, command, fitted, tmp_path: Path, capsys):
    base = pd.read_parquet(fitted["panel"])
    path, expected = write_panel(defect, base, tmp_path)
    assert_refused(COMMANDS[command](str(path), tmp_path, fitted), tmp_path, capsys, expected)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_refuses_a_missing_panel_or_a_folder(command, fitted, tmp_path: Path, capsys):
    missing = tmp_path / "nowhere.parquet"
    assert_refused(
        COMMANDS[command](str(missing), tmp_path, fitted), tmp_path, capsys, ("nowhere.parquet", "not found")
    )
    (tmp_path / "dir.csv").mkdir()
    folder = str(tmp_path / "dir.csv")
    assert_refused(
        COMMANDS[command](folder, tmp_path, fitted), tmp_path, capsys, ("dir.csv", "is a folder, not a file")
    )


# --- arguments and output paths, per command ----------------------------------------------------------
def _folder(t: Path, name: str) -> Path:
    (t / name).mkdir()
    return t / name


def _under_file(t: Path, name: str) -> Path:
    (t / "plain").write_text("x", encoding="utf-8")
    return t / "plain" / name


def _crowded(t: Path) -> Path:
    (t / "notes").mkdir()
    (t / "notes" / "todo.txt").write_text("keep me", encoding="utf-8")
    return t / "notes"


def _log_taken(t: Path) -> Path:
    """An output whose companion log path (inject writes NAME_log.csv beside NAME.csv) is a folder."""
    _folder(t, "o_log.csv")
    return t / "o.csv"


def _file(t: Path, name: str) -> Path:
    (t / name).write_text("x", encoding="utf-8")
    return t / name


ARGUMENT_CASES = {
    "inject": [
        ("negative seed", lambda t: ["--seed", "-1"], ("--seed", "0 or more")),
        ("seed text", lambda t: ["--seed", "x"], ("--seed", "not a whole number")),
        ("too few eligible rows", lambda t: [], ("panel.parquet", "cannot inject", "eligible rows")),
        ("unsupported output", lambda t: ["--out", str(t / "out.json")], ("out.json", "unsupported file type")),
        ("output is a folder", lambda t: ["--out", str(_folder(t, "x.parquet"))], ("x.parquet", "is a folder")),
        ("output under a file", lambda t: ["--out", str(_under_file(t, "x.csv"))], ("lies under",)),
        ("output is the panel", lambda t: ["--out", str(t / "panel.parquet")], ("would overwrite the input",)),
        ("log path is a folder", lambda t: ["--out", str(_log_taken(t))], ("o_log.csv", "is a folder")),
    ],
    "fit": [
        ("unknown detector", lambda t: ["--detector", "nope"], ("--detector", "invalid choice: 'nope'", "robust")),
        ("negative epochs", lambda t: ["--epochs", "-3"], ("--epochs", "1 or more")),
        ("zero epochs", lambda t: ["--epochs", "0"], ("--epochs", "1 or more")),
        ("epochs text", lambda t: ["--epochs", "two"], ("--epochs", "not a whole number")),
        (
            "train-until before the data",
            lambda t: ["--train-until", "2019-01"],
            ("--train-until 2019-01", "before the first month 2020-05"),
        ),
        ("train-until after the data", lambda t: ["--train-until", "2031-01"], ("after the last month 2025-04",)),
        ("train-until not a month", lambda t: ["--train-until", "2024-13"], ("--train-until", "not a month")),
        ("output is a file", lambda t: ["--out", str(_file(t, "model"))], ("is a file, not a folder",)),
        ("output under a file", lambda t: ["--out", str(_under_file(t, "model"))], ("lies under",)),
        ("output folder of other files", lambda t: ["--out", str(_crowded(t))], ("notes", "holds other files")),
    ],
    "score": [
        ("budget zero", lambda t: ["--budget", "0"], ("--budget", "between 0 and 1")),
        ("unsupported output", lambda t: ["--out", str(t / "s.xlsx")], ("s.xlsx", "unsupported file type")),
        ("output is a folder", lambda t: ["--out", str(_folder(t, "s.csv"))], ("s.csv", "is a folder")),
        ("output under a file", lambda t: ["--out", str(_under_file(t, "s.csv"))], ("lies under",)),
        ("output is the panel", lambda t: ["--out", str(t / "panel.parquet")], ("would overwrite the input",)),
        ("model folder missing", lambda t: ["--model-dir", str(t / "none")], ("none", "model folder not found")),
        ("model folder is a file", lambda t: ["--model-dir", str(_file(t, "m"))], ("is a file",)),
    ],
    "demo": [
        ("unsupported output", lambda t: ["--out", str(t / "q.txt")], ("q.txt", "use .html or .htm")),
        ("output is a folder", lambda t: ["--out", str(_folder(t, "q.html"))], ("q.html", "is a folder")),
        ("output under a file", lambda t: ["--out", str(_under_file(t, "q.html"))], ("lies under",)),
        ("scores missing", lambda t: ["--scores", str(t / "s.csv")], ("s.csv", "file not found")),
        ("scores unsupported", lambda t: ["--scores", str(_file(t, "s.json"))], ("s.json", "unsupported file type")),
    ],
}
ARGUMENT_PARAMS = [(command, *case) for command, cases in ARGUMENT_CASES.items() for case in cases]


@pytest.mark.parametrize(
    "command, name, options, expected", ARGUMENT_PARAMS, ids=[f"{p[0]}: {p[1]}" for p in ARGUMENT_PARAMS]
)
def test_arguments_and_outputs_are_checked_before_any_work(command, name, options, expected, fitted, tmp_path, capsys):
    panel = tmp_path / "panel.parquet"
    shutil.copy(fitted["panel"], panel)
    argv = COMMANDS[command](str(panel), tmp_path, fitted) + options(tmp_path)
    assert_refused(argv, tmp_path, capsys, expected)


def test_an_output_that_cannot_be_written_is_one_line(fitted, tmp_path, capsys):
    proc = Path("/proc")
    if not proc.is_dir():
        pytest.skip("no /proc on this system")
    out = proc / "customs_anomaly_queue.html"
    argv = ["demo", "--scores", str(fitted["scores"]), "--panel", str(fitted["panel"]), "--out", str(out)]
    assert_refused(argv, tmp_path, capsys, ("customs_anomaly_queue.html",))
    assert not out.exists()


# --- model folders ------------------------------------------------------------------------------------
def copy_model(fitted, tmp_path: Path, name: str = "robust") -> Path:
    return Path(shutil.copytree(fitted[name], tmp_path / "model"))


def meta(folder: Path, content: str) -> None:
    (folder / "detector.json").write_text(content, encoding="utf-8")


def unrecorded(folder: Path) -> Path:
    """The folder as a detector saved outside `fit` leaves it: no checksum record."""
    (folder / "checksums.json").unlink()
    return folder


def fake_neural(folder: Path, network: bytes | None) -> None:
    unrecorded(folder)
    meta(folder, json.dumps({"name": "lstm-plus", "params": {}, "train_until": "2024-04"}))
    if network is not None:
        (folder / "model.keras").write_bytes(network)


def zip_bytes() -> bytes:
    """A zip archive that is not a Keras model."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return buffer.getvalue()


MODEL_CASES = [
    ("no detector.json", lambda f, o: (f / "detector.json").unlink(), ("model", "no detector.json")),
    ("detector.json not JSON", lambda f, o: meta(unrecorded(f), "{name: robust"), ("not a detector record",)),
    (
        "detector.json without params",
        lambda f, o: meta(unrecorded(f), '{"name": "robust"}'),
        ("not a detector record",),
    ),
    (
        "unknown detector",
        lambda f, o: meta(unrecorded(f), '{"name": "nope", "params": {}}'),
        ("unknown detector 'nope'",),
    ),
    (
        "unknown parameter",
        lambda f, o: meta(unrecorded(f), '{"name": "robust", "params": {"depth": 3}}'),
        ("has no parameter",),
    ),
    ("state missing", lambda f, o: (f / "state.joblib").unlink(), ("state.joblib is missing",)),
    ("state corrupt", lambda f, o: (f / "state.joblib").write_bytes(b"\x00garbage"), ("state.joblib has changed",)),
    (
        "state of another detector",
        lambda f, o: shutil.copy(o["price-band"] / "state.joblib", f),
        ("state.joblib has changed",),
    ),
    (
        "checksum record corrupt",
        lambda f, o: (f / "checksums.json").write_text("[]", encoding="utf-8"),
        ("not a checksum record",),
    ),
    (
        "unrecorded corrupt state",
        lambda f, o: (unrecorded(f) / "state.joblib").write_bytes(b"\x00garbage"),
        ("state.joblib cannot be read (corrupt",),
    ),
    (
        "unrecorded state of another detector",
        lambda f, o: meta(unrecorded(f), '{"name": "price-band", "params": {}}'),
        ("state.joblib lacks 'bands'", "another detector"),
    ),
    (
        "unrecorded state not fitted",
        lambda f, o: joblib.dump({"train_until": "2024-04"}, unrecorded(f) / "state.joblib"),
        ("not the state of a fitted 'robust' detector",),
    ),
    ("neural network missing", lambda f, o: fake_neural(f, None), ("model.keras is missing",)),
    (
        "neural network corrupt",
        lambda f, o: fake_neural(f, b"not a zip archive"),
        ("model.keras is not a saved Keras model",),
    ),
    (
        "neural network another archive",
        lambda f, o: fake_neural(f, zip_bytes()),
        ("model.keras is not a saved Keras model",),
    ),
]


@pytest.mark.parametrize("name, damage, expected", MODEL_CASES, ids=[c[0] for c in MODEL_CASES])
def test_score_refuses_a_model_folder_it_cannot_trust(name, damage, expected, fitted, tmp_path, capsys):
    folder = copy_model(fitted, tmp_path)
    damage(folder, fitted)
    argv = ["score", "--panel", str(fitted["panel"]), "--model-dir", str(folder), "--out", str(tmp_path / "s.csv")]
    assert_refused(argv, tmp_path, capsys, (str(folder), *expected))


# --- scores for the review queue ----------------------------------------------------------------------
def flagged_position(scores: pd.DataFrame) -> int:
    return first_row(scores, scores["flag"])


SCORE_CASES = [
    ("score as text", set_cell("score", 2, "high"), ("row 3", "column 'score'", "not a number: 'high'")),
    ("score column missing", lambda s: s.drop(columns="score"), ("column 'score'", "missing score column")),
    ("flag not boolean", set_cell("flag", 4, "yes"), ("row 5", "column 'flag'", "not True or False")),
    (
        "flagged row without a score",
        lambda s: set_cell("score", flagged_position(s), np.nan)(s),
        ("column 'score'", "blank value"),
    ),
    ("infinite score", set_cell("score", 0, np.inf), ("row 1", "column 'score'", "not a finite number")),
    ("repeated score key", repeat_key, ("row 2", "duplicate score key", "row 1")),
    ("month not a month", set_cell("month", 6, "last May"), ("row 7", "column 'month'", "not a month")),
    (
        "scores of another panel",
        lambda s: s.assign(hsk_code=s["hsk_code"].str[:-1] + "9"),
        ("480 of 480 score rows match no row of the panel", "row 1"),
    ),
    ("no flag in the test year", lambda s: s.assign(flag=False), ("review queue would be empty", "column 'flag'")),
    ("no rows", lambda s: s.iloc[:0], ("the scores have no rows",)),
]


@pytest.mark.parametrize("name, edit, expected", SCORE_CASES, ids=[c[0] for c in SCORE_CASES])
def test_demo_refuses_scores_it_cannot_trust(name, edit, expected, fitted, tmp_path, capsys):
    scores = edit(pd.read_csv(fitted["scores"], dtype={"hsk_code": str, "country_code": str}, keep_default_na=False))
    scores = scores.assign(reason=scores["reason"].fillna("")) if "reason" in scores else scores
    path = tmp_path / "scores.csv"
    scores.to_csv(path, index=False)
    argv = ["demo", "--scores", str(path), "--panel", str(fitted["panel"]), "--out", str(tmp_path / "q.html")]
    assert_refused(argv, tmp_path, capsys, ("scores.csv", *expected))


def test_scores_of_any_finite_size_and_sign_are_accepted(fitted, tmp_path):
    scores = pd.read_csv(fitted["scores"], dtype={"hsk_code": str, "country_code": str}, keep_default_na=False)
    flagged = flagged_position(scores)
    scores.loc[flagged, "score"], scores.loc[0, "score"] = 1e20, -3.5
    path = tmp_path / "scores.parquet"
    scores.to_parquet(path, index=False)
    out = tmp_path / "q.html"
    assert run(["demo", "--scores", str(path), "--panel", str(fitted["panel"]), "--out", str(out)]) == 0
    assert out.is_file()


def test_a_few_unmatched_score_rows_are_counted_and_left_out(fitted, tmp_path, capsys):
    scores = pd.read_csv(fitted["scores"], dtype={"hsk_code": str, "country_code": str}, keep_default_na=False)
    scores.loc[0, "hsk_code"] = "0999999999"  # 1 of 480 rows: below the refusal share
    path = tmp_path / "scores.csv"
    scores.to_csv(path, index=False)
    out = tmp_path / "q.html"
    assert run(["demo", "--scores", str(path), "--panel", str(fitted["panel"]), "--out", str(out)]) == 0
    assert "1 score rows match no panel row" in capsys.readouterr().out and out.is_file()


# --- warnings, and the all-or-nothing writers ------------------------------------------------------
def test_library_warnings_never_reach_the_error_line(fitted, tmp_path, capsys, monkeypatch):
    from customs_anomaly import storage

    original = storage.read_table

    def noisy_read(path):
        warnings.warn("Columns (3) have mixed types", pd.errors.DtypeWarning, stacklevel=1)
        return original(path)

    monkeypatch.setattr(storage, "read_table", noisy_read)
    bad = tmp_path / "panel.parquet"
    pd.read_parquet(fitted["panel"]).assign(cpi=-1.0).to_parquet(bad, index=False)
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        assert_refused(
            ["inject", "--panel", str(bad), "--out", str(tmp_path / "o.parquet")], tmp_path, capsys, ("cpi",)
        )
    assert [w for w in shown if "mixed types" in str(w.message)] == []  # dropped: the error is the only line
    good = ["fit", "--panel", str(fitted["panel"]), "--out", str(tmp_path / "m"), "--detector", "robust"]
    with pytest.warns(pd.errors.DtypeWarning, match="mixed types"):  # shown when the command succeeds
        assert run(good) == 0


def test_a_failing_writer_leaves_no_temporary_file_and_no_new_folder(tmp_path):
    from customs_anomaly.errors import InputError
    from customs_anomaly.storage import write_files

    def fails(target: Path) -> None:
        target.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    before = snapshot(tmp_path)
    first, second = tmp_path / "a.csv", tmp_path / "new" / "b.csv"
    with pytest.raises(InputError, match=r"b\.csv: cannot write: No space left on device"):
        write_files([(first, lambda target: target.write_bytes(b"ok")), (second, fails)])
    assert snapshot(tmp_path) == before


def test_a_failing_folder_write_keeps_the_previous_folder(fitted, tmp_path):
    from customs_anomaly.storage import write_folder

    folder = copy_model(fitted, tmp_path)
    before = snapshot(tmp_path)

    def fails(staging: Path) -> None:
        (staging / "state.joblib").write_bytes(b"half")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_folder(folder, fails)
    assert snapshot(tmp_path) == before
    written = write_folder(folder, lambda staging: (staging / "detector.json").write_text("{}", encoding="utf-8"))
    assert sorted(p.name for p in written.iterdir()) == ["checksums.json", "detector.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no staging or previous folder left


def test_fit_replaces_its_own_model_folder(fitted, tmp_path):
    folder = copy_model(fitted, tmp_path)
    argv = ["fit", "--panel", str(fitted["panel"]), "--out", str(folder), "--detector", "price-band"]
    assert run(argv) == 0
    assert json.loads((folder / "detector.json").read_text(encoding="utf-8"))["name"] == "price-band"
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
