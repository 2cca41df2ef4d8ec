"""Korean-labelled figures of chapter 06-3 (learning from the reviewers' verdicts). Every function
returns a matplotlib Figure whose title and axis labels are Korean, with units in parentheses; each
policy keeps its colour in every figure (`PALETTE`, in the order of the `labels` given)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from customs_anomaly.plots import FIGSIZE, legend_below

PALETTE = ("#34495e", "#2e86c1", "#e67e22", "#27ae60", "#8e44ad", "#95a5a6", "#c0392b", "#16a085")
DASHED = {"random", "supervised"}  # the policies that do without the detector


def _style(policy: str, order: int) -> dict:
    """The colour and dash of the `order`-th policy; lines drawn earlier are wider, so that a later
    line lying on the same values leaves them visible around it."""
    return {
        "color": PALETTE[order % len(PALETTE)],
        "linestyle": "--" if policy in DASHED else "-",
        "lw": max(4.5 - 0.8 * order, 1.2),
    }


def _seed_means(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame.groupby(["policy", "position"], sort=False)[columns].mean().reset_index()


def learning_curve(cumulative: pd.DataFrame, labels: dict, new_after: int) -> Figure:
    """Anomalies found against reviews spent, from the first simulated month (the active-learning
    curve): one line per policy (seed mean) with the seeds' range as a band, every planted anomaly
    so far as a grey reference, and the month the new scheme arrives. `cumulative`:
    `learning.cumulative`'s frame."""
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], 4.8))
    grouped = cumulative.groupby(["policy", "position"], sort=False)
    means = grouped[["budget", "found", "anomalies"]].mean().reset_index()
    ranges = grouped["found"].agg(["min", "max"]).reset_index()
    for order, policy in enumerate(labels):
        line, band = means[means["policy"] == policy], ranges[ranges["policy"] == policy]
        ax.plot(line["budget"], line["found"], label=labels[policy], **_style(policy, order))
        ax.fill_between(
            line["budget"], band["min"], band["max"], color=_style(policy, order)["color"], alpha=0.12, lw=0
        )
    first = means[means["policy"] == next(iter(labels))]
    ax.plot(first["budget"], first["anomalies"], color="#bdc3c7", lw=3, label="심은 이상치 (누적)", zorder=0)
    arrival = first.loc[first["position"] == new_after - 1, "budget"]
    if len(arrival):
        ax.axvline(float(arrival.iloc[0]), color="#7f8c8d", linestyle=":", lw=1)
        ax.text(float(arrival.iloc[0]), ax.get_ylim()[1] * 0.97, " 새 수법 등장", va="top", fontsize="small")
    ax.set_xlabel("심사한 행 (누적, 건)")
    ax.set_ylabel("찾은 이상치 (누적, 건)")
    ax.set_title("같은 심사 예산으로 찾은 이상치 (시드 평균, 띠는 시드 범위)")
    legend_below(fig, rows_reserved=0.16)
    return fig


def monthly_lines(per_month: pd.DataFrame, cumulative: pd.DataFrame, labels: dict) -> Figure:
    """Per simulated month, one line per policy (seed means): the queue's precision, its recall,
    and the value capture so far (misdeclared value found / planted, from the first month).
    `per_month`: `learning.simulate`'s frame (with `rates`); `cumulative`: `learning.cumulative`'s."""
    from customs_anomaly.learning import rates

    monthly = _seed_means(rates(per_month), ["precision", "recall"])
    so_far = _seed_means(cumulative, ["value_capture"])
    months = per_month.drop_duplicates("position").set_index("position")["month"]
    fig, axes = plt.subplots(1, 3, figsize=(FIGSIZE[0] * 1.3, 3.9), sharex=True)
    panels = (
        (monthly, "precision", "정밀도 (0~1)"),
        (monthly, "recall", "재현율 (0~1)"),
        (so_far, "value_capture", "누적 금액 포착률 (0~1)"),
    )
    for ax, (frame, column, label) in zip(axes, panels):
        for order, policy in enumerate(labels):
            line = frame[frame["policy"] == policy]
            style = {**_style(policy, order), "lw": max(3.0 - 0.5 * order, 0.8)}
            ax.plot(months[line["position"]].to_numpy(), line[column], label=labels[policy], **style)
        ax.set_ylabel(label)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("기준년월")
        ax.tick_params(axis="x", labelrotation=45, labelsize="x-small")
    fig.suptitle("달마다의 심사 목록: 정밀도, 재현율, 그달까지의 금액 포착률 (시드 평균)")
    legend_below(fig, rows_reserved=0.2)
    return fig


def new_scheme_lines(per_month: pd.DataFrame, labels: dict, new_after: int, new_type: str) -> Figure:
    """From the new scheme's arrival on: the share of its planted rows so far that a policy's queues
    held, month by month (seed means of the counts). `per_month`: `learning.simulate`'s frame."""
    after = per_month[per_month["position"] >= new_after]
    sums = after.groupby(["policy", "position"], sort=False)[["found_new", "new"]].sum().reset_index()
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], 4.4))
    for order, policy in enumerate(labels):
        line = sums[sums["policy"] == policy]
        found, planted = line["found_new"].cumsum().to_numpy(), line["new"].cumsum().to_numpy()
        share = np.divide(found, planted, out=np.full(len(found), np.nan), where=planted > 0)
        ax.plot(line["position"] - new_after, share, label=labels[policy], **_style(policy, order))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("새 수법이 나타난 뒤 지난 달 (개월, 0 = 나타난 달)")
    ax.set_ylabel("목록에 든 비율 (누적, %)")
    ax.set_title(f"새 수법({new_type}) 행 가운데 그달까지 심사 목록에 든 비율 (시드 합)")
    legend_below(fig, rows_reserved=0.16)
    return fig
