"""Chapter 07: the review queue a customs analyst would work from, inside the book and as one file."""

from __future__ import annotations

from IPython.display import HTML

from customs_anomaly import config
from customs_anomaly.demo import review_queue_iframe, write_review_queue
from customs_anomaly.provenance import describe_raw_data
from customs_anomaly.storage import read_panel, read_table
from customs_anomaly.studies.common import Context, StudyResult
from customs_anomaly.studies.modeling import scores_path

FRAME_HEIGHT_PX = 820


def review_queue_path(context: Context):
    return context.paths.processed / "review_queue.html"


def demo_study(context: Context) -> StudyResult:
    """The queue of the detector with the best AP in chapter 06, on chapter 04's injected panel."""
    summary = read_table(context.paths.processed / "evaluation_summary.csv")
    best = summary[summary["metric"] == "ap"].set_index("detector")["mean"].idxmax()
    scores = read_table(scores_path(context, best))
    panel = read_panel(context.paths.injected_panel)
    label = f"{describe_raw_data(context.raw).detail} · 탐지기 {best} · 모의 이상치 시드 {context.seed}"
    standalone = write_review_queue(scores, panel, review_queue_path(context), data_label=label)
    page = standalone.read_text(encoding="utf-8")
    in_test = scores["month"].between(config.TEST_START, config.STUDY_END)
    numbers = {
        "demo_detector": best,
        "demo_rows": int((scores["flag"] & in_test).sum()),
        "demo_file_kb": standalone.stat().st_size / 1024,
    }
    # review-queue-wide (_static/custom.css) gives the queue the page's width, margin included
    iframe = review_queue_iframe(page, height_px=FRAME_HEIGHT_PX)
    frame = HTML(f'<div class="review-queue review-queue-wide">{iframe}</div>')
    return StudyResult(numbers=numbers, html={"review_queue_frame": frame})
