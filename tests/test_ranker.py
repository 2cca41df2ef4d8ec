"""The ranker that learns from reviewers' verdicts (`customs_anomaly.ranker`) and `monthly --verdicts`.

A small raw folder whose answer is known: 40 series (four HS headings x ten), half of each month's
rows heavy. Reviewers confirmed every heavy row of heading 0306 as an anomaly and cleared the rest.
`price-band`, the cheap detector used throughout, reads the unit price only and cannot see weight,
so a ranker that learned from the verdicts must raise the heavy 0306 rows of the next month above
where the detector put them. Every refusal of `monthly --verdicts` is one line, exit status 2 and
nothing written."""

from __future__ import annotations

import copy
import doctest
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from raw_builders import TRADE_HEADER, RawFile, RawFolder, assert_refused, run

from customs_anomaly import config, ranker
from customs_anomaly.detectors import load_detector
from customs_anomaly.merge import build_panel
from customs_anomaly.ranker import (
    EXPLORATION_REASONS,
    FEATURES,
    LABEL,
    LEARNED_REASON,
    MIN_PER_CLASS,
    MIN_VERDICTS,
    RANDOM,
    SELECTION_LABELS,
    UNCERTAIN,
    HybridRanker,
    added_reasons,
    budget_size,
    labels_of,
    prospective_features,
    ranked_monthly_scores,
    select_rows,
    training_frame,
)
from customs_anomaly.sources import load_raw
from customs_anomaly.thresholds import budget_flags
from customs_anomaly.verdicts import STATUSES, VERDICT_COLUMNS, verdicts_file_name

TO_CHECK, CONFIRMED, NORMAL = STATUSES
MONTHS = pd.date_range("2020-05-01", "2021-12-01", freq="MS")  # the oil file counts from 2020-05
TRAIN_UNTIL = "2021-04"
REVIEWED = pd.date_range("2021-05-01", "2021-09-01", freq="MS")
SCORED = pd.Timestamp("2021-10-01")
HEADINGS = {"0303": "냉동 고등어", "0306": "냉동 새우", "0307": "냉동 오징어", "0304": "냉동 명태 필레"}
CONFIRMED_HEADING = "0306"  # reviewers confirm its heavy rows
COUNTRIES = [("CN", "중국"), ("VN", "베트남"), ("US", "미국"), ("JP", "일본"), ("ES", "스페인")]
HEAVY_KG = 20_000  # every row is either well below or well above it
UNREVIEWED_PER_MONTH = 2  # rows of each reviewed month still 확인 필요
QUEUE_ROWS = 8  # a fifth of the month's 40 rows


def import_rows(seed: int = 0) -> list[dict]:
    """Month x series rows: half of them heavy (about 36 t against 3 t), unit prices around each
    series' own level."""
    rng = np.random.default_rng(seed)
    rows = []
    for month in MONTHS:
        for heading, item in HEADINGS.items():
            for i in range(10):
                code, name = COUNTRIES[i % len(COUNTRIES)]
                heavy = rng.random() < 0.5
                weight = round(float(rng.lognormal(10.5 if heavy else 8.0, 0.2)))
                price = (2.0 + i) * float(np.exp(rng.normal(0, 0.15)))
                rows.append(
                    {
                        "month": month,
                        "hsk_code": f"{heading}{i:02d}9000",
                        "item_name": item,
                        "country_code": code,
                        "country_name": name,
                        "weight_kg": weight,
                        "value_usd": round(weight * price),
                    }
                )
    return rows


def raw_folder(rows: list[dict]) -> RawFolder:
    """The rows as the six public sources write them (trade releases per month, freight, macro)."""
    frame = pd.DataFrame(rows)
    year = frame["month"].dt.year
    frame["ytd_weight"] = frame.groupby(["hsk_code", "country_code", year])["weight_kg"].cumsum()
    frame["ytd_value"] = frame.groupby(["hsk_code", "country_code", year])["value_usd"].cumsum()
    files = {}
    for month, part in frame.groupby("month"):
        day = (month + pd.offsets.MonthEnd(0)).strftime("%Y-%m-%d")
        trade = [
            [f"{month:%Y-%m}", r.country_code, r.hsk_code, "I", "수입", r.country_name, "", r.item_name]
            + [str(value) for value in (r.weight_kg, r.value_usd, r.ytd_weight, r.ytd_value, day)]
            for r in part.itertuples()
        ]
        name = f"해양수산부_수산물품목별수출입현황_{month:%Y%m}.csv"
        files[f"trade_{month:%Y%m}"] = RawFile("trade", name, "cp949", TRADE_HEADER, trade)
    freight = [[f"{m:%Y-%m}", "2000", "2400", "1500", "700", "800", "400"] for m in MONTHS]
    files["freight"] = RawFile(
        "freight", "관세청_해상수출입(수입)운송비용.csv", "cp949", ["기간", *config.FREIGHT_ROUTES], freight
    )
    files["exchange_rate"] = RawFile(
        "exchange_rate",
        "원달러환율_월평균.csv",
        "utf-8-sig",
        ["날짜", "환율"],
        [[f"{m:%b-%y}", "1,200.5"] for m in MONTHS],
    )
    oil = [[f"{m:%m}월", "", "60.1", "62.0", "58.3", "60.5"] for m in MONTHS]
    files["oil"] = RawFile("oil", "국제유가_월별.csv", "cp949", ["월", "유종", "Dubai", "Brent", "WTI", "Oman"], oil)
    files["cpi"] = RawFile(
        "cpi", "소비자물가지수.csv", "cp949", ["시점", "전국"], [[f"{m:%Y.%m}", "101.5"] for m in MONTHS]
    )
    files["ppi"] = RawFile(
        "ppi", "생산자물가지수.csv", "cp949", ["시점", "총지수"], [[f"{m:%Y.%m}", "104.2"] for m in MONTHS]
    )
    return RawFolder(files)


def the_kind(frame: pd.DataFrame) -> pd.Series:
    """The rows reviewers confirm: heavy rows of CONFIRMED_HEADING."""
    return frame["hsk_code"].str.startswith(CONFIRMED_HEADING) & (frame["weight_kg"] > HEAVY_KG)


def verdict_frame(panel: pd.DataFrame, months, confirmed_limit: int | None = None) -> pd.DataFrame:
    """Verdicts on every row of the months: the kind confirmed (at most `confirmed_limit` of them
    in all; the others cleared), the rest normal, the first rows of each month left to check."""
    rows = panel[panel["month"].isin(months)].sort_values(list(config.PANEL_KEY)).reset_index(drop=True)
    kind = the_kind(rows).to_numpy().copy()
    if confirmed_limit is not None:
        kind &= np.cumsum(kind) <= confirmed_limit
    status = np.where(kind, CONFIRMED, NORMAL).astype(object)
    status[rows.groupby("month").cumcount().to_numpy() < UNREVIEWED_PER_MONTH] = TO_CHECK
    return rows[list(config.PANEL_KEY)].assign(status=status, note="", time="")


def write_verdicts(folder: Path, verdicts: pd.DataFrame, name: str | None = None) -> list[Path]:
    """One file per month as the page exports them (UTF-8 with BOM), or all rows in the file `name`."""
    folder.mkdir(parents=True, exist_ok=True)
    text = verdicts.assign(month=verdicts["month"].dt.strftime("%Y-%m"))[list(VERDICT_COLUMNS)]
    if name is not None:
        text.to_csv(folder / name, index=False, encoding="utf-8-sig")
        return [folder / name]
    paths = []
    for month, part in text.groupby("month"):
        paths.append(folder / verdicts_file_name(month))
        part.to_csv(paths[-1], index=False, encoding="utf-8-sig")
    return paths


@pytest.fixture(scope="module")
def case(tmp_path_factory) -> dict:
    """The raw folder, its panel (file too), the fitted price-band model and the verdicts."""
    root = tmp_path_factory.mktemp("ranker")
    raw = raw_folder(import_rows()).write(root / "raw")
    panel = build_panel(load_raw(raw)).panel
    panel_path = root / "panel.parquet"
    panel.to_parquet(panel_path, index=False)
    model_dir = root / "model"
    fit = ["fit", "--panel", str(panel_path), "--detector", "price-band", "--train-until", TRAIN_UNTIL]
    assert run([*fit, "--out", str(model_dir)]) == 0
    verdicts = verdict_frame(panel, REVIEWED)
    folder = root / "verdicts"
    write_verdicts(folder, verdicts)
    return {"root": root, "raw": raw, "panel": panel, "model_dir": model_dir, "verdicts": verdicts, "folder": folder}


@pytest.fixture(scope="module")
def detector(case):
    return load_detector(case["model_dir"])


@pytest.fixture(scope="module")
def training(case, detector) -> pd.DataFrame:
    return training_frame(detector, case["panel"], labels_of(case["verdicts"]))


@pytest.fixture(scope="module")
def month_rows(case, detector) -> pd.DataFrame:
    return prospective_features(detector, case["panel"], SCORED)


@pytest.fixture(scope="module")
def fitted(training) -> HybridRanker:
    return HybridRanker().fit(training)


def with_params(fitted: HybridRanker, **params) -> HybridRanker:
    """The fitted ranker with other ranking parameters (they are read when ranking, not fitting)."""
    changed = copy.copy(fitted)
    for name, value in params.items():
        setattr(changed, name, value)
    return changed


def positions_by(values: np.ndarray) -> np.ndarray:
    """Each row's place (0 = first) when sorted by `values`, largest first, ties in row order."""
    order = np.argsort(-values, kind="stable")
    places = np.empty(len(values), dtype=int)
    places[order] = np.arange(len(values))
    return places


# the known answer ---------------------------------------------------------------------------------
def test_the_case_is_what_the_docstring_says(case, training, month_rows):
    panel = case["panel"]
    assert len(panel) == 40 * len(MONTHS) and (panel["month"] == SCORED).sum() == 40
    counts = labels_of(case["verdicts"])[LABEL].value_counts()
    reviewed = 40 * len(REVIEWED) - UNREVIEWED_PER_MONTH * len(REVIEWED)
    assert len(training) == reviewed == counts.sum() and counts[1] >= 20 and counts[0] >= 100
    assert the_kind(month_rows.merge(panel, on=list(config.PANEL_KEY))).sum() >= 4
    assert month_rows["score"].notna().all()


def test_the_detector_cannot_see_the_kind(case, detector, month_rows):
    # price-band reads the unit price only: heavier or lighter imports at the same price score the same
    panel = case["panel"].copy()
    scored = panel["month"] == SCORED
    panel.loc[scored, ["weight_kg", "value_usd"]] *= np.where(the_kind(panel[scored]), 0.1, 10.0)[:, None]
    pd.testing.assert_series_equal(prospective_features(detector, panel, SCORED)["score"], month_rows["score"])


def test_the_learned_ranker_raises_the_confirmed_kind_above_the_detector_alone(case, fitted, training, month_rows):
    learned = with_params(fitted, exploration_share=0.0)
    assert learned.learned and learned.note_ == "" and learned.tally_[1] == int(training[LABEL].sum())
    ranking = learned.rank(month_rows, QUEUE_ROWS)
    kind = the_kind(month_rows.merge(case["panel"], on=list(config.PANEL_KEY))).to_numpy()
    probability = ranking["learned_probability"].to_numpy()
    assert probability[kind].min() > probability[~kind].max()  # the kind is learned exactly
    by_hybrid, by_score = positions_by(ranking["hybrid_score"].to_numpy()), positions_by(month_rows["score"].to_numpy())
    assert (by_hybrid[kind] <= by_score[kind]).all() and by_hybrid[kind].mean() < by_score[kind].mean() - 5
    detector_queue = budget_flags(month_rows["score"], month_rows["month"], QUEUE_ROWS / 40).to_numpy()
    hybrid_queue = ranking["selected"].to_numpy()
    assert hybrid_queue.sum() == detector_queue.sum() == QUEUE_ROWS
    assert (hybrid_queue & kind).sum() > (detector_queue & kind).sum()
    # a row only the learned part put in the queue says so, with the evidence of its neighbours
    raised = ranking["selected_by"].eq("learned").to_numpy()
    assert raised.any() and not (raised & detector_queue).any() and (raised <= kind).all()
    assert (ranking.loc[hybrid_queue & detector_queue, "selected_by"] == "detector").all()
    reasons = added_reasons(ranking)
    for position in np.flatnonzero(raised):
        confirmed = int(ranking["similar_confirmed"].iloc[position])
        # most of its nearest reviewed rows were confirmed (about one reviewed row in seven was)
        assert ranking["similar_reviewed"].iloc[position] == ranker.SIMILAR_ROWS and confirmed > ranker.SIMILAR_ROWS / 2
        assert reasons.iloc[position] == LEARNED_REASON.format(reviewed=ranker.SIMILAR_ROWS, confirmed=confirmed)
        assert reasons.iloc[position].startswith("검토 결과로 학습한 모형이 위험을 높게 봄: 비슷한 행 10건 중")
    assert (reasons[~raised] == "").all()


def test_too_few_verdicts_give_exactly_the_detectors_ranking_and_say_why(case, detector, month_rows):
    few = labels_of(verdict_frame(case["panel"], REVIEWED, confirmed_limit=MIN_PER_CLASS - 1))
    assert len(few) >= MIN_VERDICTS and few[LABEL].sum() == MIN_PER_CLASS - 1
    for labels in (few, few.head(MIN_VERDICTS - 1).assign(**{LABEL: [1, 0] * 9 + [1]})):
        training = training_frame(detector, case["panel"], labels)
        for budget in (1, QUEUE_ROWS, 40):
            ranking, note = select_rows(month_rows, training, budget, exploration_share=0.5, exploration=RANDOM)
            expected = budget_flags(month_rows["score"], month_rows["month"], budget / 40).to_numpy()
            assert ranking["selected"].tolist() == expected.tolist()
            assert set(ranking.loc[expected, "selected_by"]) == {"detector"}
            assert ranking["learned_probability"].isna().all() and ranking["hybrid_score"].isna().all()
        total, confirmed = len(labels), int(labels[LABEL].sum())
        assert f"{total:,} reviewed verdicts ({CONFIRMED} {confirmed}, {NORMAL} {total - confirmed})" in note
        assert f"at least {MIN_VERDICTS}, with at least {MIN_PER_CLASS} of each" in note


@pytest.mark.parametrize("share, budget", [(0.1, 8), (0.25, 8), (0.3, 20), (0.5, 5)])
def test_exploration_picks_exactly_its_share_and_is_seeded(fitted, month_rows, share, budget):
    rankings = {}
    for rule in (UNCERTAIN, RANDOM):
        for seed in (0, 1):
            ranker = with_params(fitted, exploration_share=share, exploration=rule, seed=seed)
            ranking = ranker.rank(month_rows, budget)
            explored = ranking["selected_by"] == rule
            assert explored.sum() == round(share * budget) and ranking["selected"].sum() == budget
            assert set(ranking.loc[ranking["selected"] & ~explored, "selected_by"]) <= {"detector", "learned"}
            assert (added_reasons(ranking)[explored] == EXPLORATION_REASONS[rule]).all()
            assert ranking.equals(ranker.rank(month_rows, budget))
            rankings[rule, seed] = ranking
    # the exploitation part is the hybrid's top, whatever the exploration rule
    exploited = rankings[UNCERTAIN, 0]["selected_by"].isin(["detector", "learned"])
    assert exploited.equals(rankings[RANDOM, 0]["selected_by"].isin(["detector", "learned"]))
    # uncertain: the learned probability closest to 0.5 among the rows left; the seed does not matter
    doubt = (rankings[UNCERTAIN, 0]["learned_probability"] - 0.5).abs()
    picked = rankings[UNCERTAIN, 0]["selected_by"] == UNCERTAIN
    assert doubt[picked].max() <= doubt[~rankings[UNCERTAIN, 0]["selected"]].min()
    assert rankings[UNCERTAIN, 0].equals(rankings[UNCERTAIN, 1])
    # random: another seed draws other rows
    draws = {seed: set(np.flatnonzero(rankings[RANDOM, seed]["selected_by"] == RANDOM)) for seed in (0, 1)}
    assert draws[0] != draws[1]


def test_select_rows_is_deterministic_from_features_computed_once(training, month_rows):
    first, note = select_rows(month_rows, training, 20, 0.3, seed=5, exploration=RANDOM)
    assert note == "" and (first["selected_by"] == RANDOM).sum() == 6 and first["selected"].sum() == 20
    pd.testing.assert_frame_equal(first, select_rows(month_rows, training, 20, 0.3, seed=5, exploration=RANDOM)[0])
    shuffled = training.sample(frac=1.0, random_state=3).reset_index(drop=True)  # the order of the verdicts
    assert first["selected"].equals(
        select_rows(month_rows, shuffled, 20, 0.3, seed=5, exploration=RANDOM)[0]["selected"]
    )


def test_features_are_prospective_and_never_read_labels(case, detector, month_rows):
    panel = case["panel"]
    later = panel["month"] > SCORED
    changed = panel.copy()
    changed.loc[later, ["value_usd", "unit_price_usd_per_kg", "weight_kg"]] *= 7.0
    labelled = changed.assign(is_anomaly=True, anomaly_type="a", scheme_id="S01")
    pd.testing.assert_frame_equal(month_rows, prospective_features(detector, labelled, SCORED))
    assert list(month_rows.columns) == [*config.PANEL_KEY, "score", *FEATURES]
    assert month_rows["score_rank"].max() == 1.0 and month_rows["score_rank"].min() > 0


def test_the_monthly_scores_keep_the_detectors_reasons_and_add_the_rankers(case, detector, fitted):
    scores, ranking = ranked_monthly_scores(detector, case["panel"], SCORED, QUEUE_ROWS / 40, fitted)
    in_month = (scores["month"] == SCORED).to_numpy()
    month = scores[in_month].reset_index(drop=True)
    assert month["flag"].tolist() == ranking["selected"].tolist() and budget_size(month["score"], 0.2) == QUEUE_ROWS
    assert not scores.loc[~in_month, "flag"].any() and scores.loc[~in_month, "hybrid_score"].isna().all()
    known = case["panel"][case["panel"]["month"] <= SCORED].reset_index(drop=True)
    analysis = detector.analyse(known)[in_month].reset_index(drop=True)
    own = detector.explain_analysis(analysis[month["flag"]])
    flagged = month[month["flag"]]
    for reason, detector_reason, why in zip(flagged["reason"], own, ranking.loc[month["flag"], "selected_by"]):
        assert reason.startswith(detector_reason)  # the detector's reason stays first
        assert (reason == detector_reason) == (why == "detector")
    assert set(flagged["selected_by"]) <= set(SELECTION_LABELS.values()) and flagged["selected_by"].str.len().min() > 0
    assert month["learned_probability"].notna().all() and (month.loc[~month["flag"], "selected_by"] == "").all()


def test_the_docstring_examples_run():
    finder, runner = (
        doctest.DocTestFinder(exclude_empty=True),
        doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE),
    )
    tests = [test for test in finder.find(ranker) if test.examples]
    assert tests
    for test in tests:
        report = []
        assert runner.run(test, out=report.append).failed == 0, "".join(report)


# the command line -------------------------------------------------------------------------------------
def monthly(case, out: Path, *extra: str) -> list[str]:
    base = ["monthly", "--raw", str(case["raw"]), "--month", f"{SCORED:%Y-%m}", "--model-dir", str(case["model_dir"])]
    return [*base, "--out-dir", str(out), "--budget", "0.2", *extra]


def read_queue(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / f"queue_{SCORED:%Y-%m}.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)


def test_monthly_with_verdicts_ranks_the_confirmed_kind_into_the_queue(case, tmp_path, capsys):
    out = tmp_path / "queue"
    assert run(monthly(case, out, "--verdicts", str(case["folder"]))) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    reviewed = labels_of(case["verdicts"])
    assert captured.err == "" and len(lines) == 2
    assert lines[0].startswith(
        f"read {len(case['verdicts']):,} verdicts of {len(REVIEWED)} month(s) ({len(reviewed):,} reviewed, "
        f"{int(reviewed[LABEL].sum())} confirmed anomalies); the hybrid"
    )
    assert "1 exploration pick(s) (uncertain)" in lines[0] and lines[1].startswith(f"{SCORED:%Y-%m}: scored 40 rows")
    table = read_queue(out)
    assert len(table) == QUEUE_ROWS and set(table["기준년월"]) == {f"{SCORED:%Y-%m}"}
    assert list(table.columns[-3:]) == ["학습 모형 이상 확률", "혼합 점수", "선정 이유"]
    assert table["혼합 점수"].astype(float).is_monotonic_decreasing  # the queue follows the hybrid score
    assert set(table["선정 이유"]) <= set(SELECTION_LABELS.values())
    assert (table["선정 이유"] == SELECTION_LABELS[UNCERTAIN]).sum() == 1
    learned = table[table["선정 이유"] == SELECTION_LABELS["learned"]]
    assert len(learned) and learned["위험 현상"].str.contains("비슷한 행 10건 중").all()
    assert learned["HS코드"].str.startswith(CONFIRMED_HEADING).all()
    page = (out / f"queue_{SCORED:%Y-%m}.html").read_text(encoding="utf-8")
    assert '"hybrid_score"' in page and "검토 결과로 학습한 모형" in page
    assert sorted(p.name for p in out.iterdir()) == ["monthly_queue.json", "queue_2021-10.csv", "queue_2021-10.html"]


def test_monthly_with_too_few_verdicts_notes_it_and_writes_the_detectors_queue(case, tmp_path, capsys):
    plain, few = tmp_path / "plain", tmp_path / "few"
    assert run(monthly(case, plain)) == 0
    capsys.readouterr()
    folder = tmp_path / "verdicts"
    write_verdicts(folder, verdict_frame(case["panel"], REVIEWED, confirmed_limit=2))
    assert run(monthly(case, few, "--verdicts", str(folder))) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("note: read ") and "(이상 확인 2," in out[0]
    assert "the ranker needs at least 20, with at least 5 of each; the queue is the detector's ranking alone" in out[0]
    assert read_queue(few).equals(read_queue(plain)) and "학습 모형 이상 확률" not in read_queue(few)
    for name in (f"queue_{SCORED:%Y-%m}.html", "monthly_queue.json"):
        assert (few / name).read_text(encoding="utf-8") == (plain / name).read_text(encoding="utf-8")


def refusal_cases(case, root: Path) -> list[tuple[str, Path, tuple[str, ...]]]:
    """(name, verdicts folder, expected texts) of every refused folder, written under root."""
    verdicts = case["verdicts"]
    cases = []

    def folder(name: str, frame: pd.DataFrame, file: str | None = None) -> Path:
        path = root / name
        write_verdicts(path, frame, file)
        return path

    bad = verdicts.copy()
    bad.loc[bad.index[3], "status"] = "의심"
    cases.append(("bad status", folder("status", bad), ("verdicts_2021-05.csv", "row 4", "column 'status'")))
    may = verdicts[verdicts["month"] == REVIEWED[0]]
    unknown = may.copy()
    unknown.loc[unknown.index[2], "hsk_code"] = "0399999999"
    cases.append(("unknown key", folder("key", unknown), ("row 3", "no row of the panel has this key", "0399999999")))
    mixed = verdicts[verdicts["month"].isin(REVIEWED[:2])]
    cases.append(
        (
            "keys from another month",
            folder("mixed", mixed, verdicts_file_name(f"{REVIEWED[1]:%Y-%m}")),
            ("verdicts_2021-06.csv", "row 1", "column 'month'", "keys from another month (2021-05)", "2021-06"),
        )
    )
    for month in (SCORED, SCORED + pd.DateOffset(months=1)):
        rows = case["panel"].loc[case["panel"]["month"] == month, list(config.PANEL_KEY)].head(3)
        future = pd.concat([may, rows.assign(status=NORMAL, note="", time="")], ignore_index=True)
        name = f"verdicts_{month:%Y-%m}.csv"
        cases.append((f"future {month:%Y-%m}", folder(f"future{month:%m}", future), (name, "would read the future")))
    second = folder("copy", may, "verdicts_2021-05 (1).csv")
    cases.append(("browser copy", second, ("verdicts_2021-05 (1).csv", "not a verdicts file name")))
    empty = root / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("판정 메모", encoding="utf-8")
    cases.append(("no verdicts file", empty, ("empty", "no verdicts file (verdicts_YYYY-MM.csv) in the folder")))
    cases.append(("missing folder", root / "absent", ("absent", "verdicts folder not found")))
    return cases


def test_every_refusal_of_monthly_verdicts_is_one_line_exit_2_and_writes_nothing(case, tmp_path, capsys):
    out = tmp_path / "queue"
    for name, folder, expected in refusal_cases(case, tmp_path / "inputs"):
        err = assert_refused(monthly(case, out, "--verdicts", str(folder)), tmp_path, capsys, expected)
        assert not out.exists(), name
        assert err.startswith("error: "), (name, err)


def test_monthly_verdicts_must_not_be_the_output_folder(case, tmp_path, capsys):
    folder = tmp_path / "verdicts"
    shutil.copytree(case["folder"], folder)
    assert_refused(monthly(case, folder, "--verdicts", str(folder)), tmp_path, capsys, ("would overwrite the input",))
