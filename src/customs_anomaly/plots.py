"""Korean-labelled figures for the chapters. Every function returns a matplotlib Figure whose
title and axis labels are Korean, with units in parentheses."""

from __future__ import annotations

import koreanize_matplotlib  # noqa: F401  (registers NanumGothic and sets it as the font)
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator, PercentFormatter

from customs_anomaly import config, items

FIGSIZE = (9.0, 4.6)
KOREAN_FONT = "NanumGothic"


def set_style() -> None:
    """Seaborn style with the Korean font kept (seaborn resets the font family otherwise)."""
    sns.set_theme(style="whitegrid", context="notebook", font=KOREAN_FONT)
    plt.rcParams.update(
        {
            "figure.figsize": FIGSIZE,
            "figure.dpi": 100,
            "savefig.dpi": 120,
            "axes.unicode_minus": False,
            "font.family": KOREAN_FONT,
        }
    )


def legend_outside(ax, **kwargs) -> None:
    """The legend right of the axes, never over the data (tight_layout makes room for it)."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize="small", **kwargs)


def legend_below(fig: Figure, rows_reserved: float = 0.1) -> None:
    """One legend for a figure of several panels (every label once), centred below them, never
    over the data."""
    entries = {}
    for ax in fig.axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            entries.setdefault(label, handle)
    fig.legend(
        list(entries.values()),
        list(entries),
        loc="lower center",
        ncols=min(len(entries), 4),
        fontsize="small",
        frameon=False,
    )
    fig.tight_layout(rect=(0, rows_reserved, 1, 1))


def plain_number(value: float) -> str:
    """A tick label without scientific notation: 1,000,000 and 0.002, never 1e+06."""
    if value >= 1 and float(value).is_integer():
        return f"{value:,.0f}"
    return np.format_float_positional(value, precision=4, trim="-")


def plain_log_ticks(axis) -> None:
    """Log-axis ticks labelled as plain numbers (the default mathtext labels need a minus glyph
    that the Korean font lacks): 1-2-5 steps, powers of ten only over more than three decades; on
    an axis narrower than a decade 3 is labelled too, and every integer step below half a decade,
    so that a narrow axis still reads."""

    def span() -> float:
        low, high = sorted(axis.get_view_interval())
        return np.log10(high / low) if low > 0 else np.inf

    def major(value, _):
        leading = round(value / 10 ** np.floor(np.log10(value)), 6) if value > 0 else 0
        return plain_number(value) if span() <= 3 or leading == 1 else ""

    def minor(value, _):
        if span() >= 1:
            return ""
        leading = round(value / 10 ** np.floor(np.log10(value)), 6)
        return plain_number(value) if span() < 0.5 or leading == 3 else ""

    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(major))
    axis.set_minor_locator(LogLocator(base=10, subs=(3.0, 4.0, 6.0, 7.0, 8.0, 9.0)))
    axis.set_minor_formatter(FuncFormatter(minor))


def panel_rows_by_region(panel: pd.DataFrame) -> Figure:
    """Panel rows per month stacked by freight region."""
    counts = panel.groupby(["month", "region"]).size().unstack("region").reindex(columns=list(config.REGIONS))
    fig, ax = plt.subplots(figsize=FIGSIZE)
    ax.stackplot(counts.index, [counts[r].fillna(0) for r in counts.columns], labels=counts.columns, alpha=0.85)
    ax.set_title("월별 패널 행 수 (운임 지역별)")
    ax.set_xlabel("기준년월")
    ax.set_ylabel("행 수 (건)")
    legend_outside(ax, title="운임 지역")
    fig.tight_layout()
    return fig


def freight_routes(freight: pd.DataFrame) -> Figure:
    """Freight per container by route, with the US mean used by the panel dashed."""
    wide = freight.pivot_table(index="month", columns="route", values="freight_kkrw_per_2teu", aggfunc="first")
    fig, ax = plt.subplots(figsize=FIGSIZE)
    for route in config.FREIGHT_ROUTES:
        ax.plot(wide.index, wide[route], label=route, linewidth=1.6)
    us_mean = wide[["미국서부", "미국동부"]].mean(axis=1, skipna=False)
    ax.plot(wide.index, us_mean, linestyle="--", color="black", linewidth=1.2, label="미국 (서부·동부 평균)")
    ax.axvspan(config.STUDY_START, config.STUDY_END, color="grey", alpha=0.08, label="분석 기간")
    ax.set_title("지역별 해상 수입 운임")
    ax.set_xlabel("기준년월")
    ax.set_ylabel("운임 (천원/2TEU)")
    legend_outside(ax)
    fig.tight_layout()
    return fig


def price_change_by_flow_size(panel: pd.DataFrame) -> Figure:
    """Month-to-month |change of log unit price| by weight quartile (imports in consecutive months)."""
    frame = panel[panel["weight_kg"] > 0].sort_values(["hsk_code", "country_code", "month"])
    keys = [frame["hsk_code"], frame["country_code"]]
    log_price = np.log(frame["unit_price_usd_per_kg"])
    consecutive = frame.groupby(keys)["month"].diff().dt.days.between(28, 31)
    change = (log_price - log_price.groupby(keys).shift()).abs()
    data = pd.DataFrame({"change": change, "weight": frame["weight_kg"]})[consecutive]
    data["quartile"] = pd.qcut(data["weight"], 4, labels=["하위 25%", "25~50%", "50~75%", "상위 25%"])
    fig, ax = plt.subplots(figsize=FIGSIZE)
    sns.boxplot(data=data, x="quartile", y="change", ax=ax, showfliers=False, color="#8fb3d9")
    ax.set_title("거래 규모별 전월 대비 단가 변화")
    ax.set_xlabel("당월 수입 중량 사분위")
    ax.set_ylabel("|Δ log 단가| (로그 차이)")
    fig.tight_layout()
    return fig


def injection_before_after(
    clean: pd.DataFrame, injected: pd.DataFrame, log: pd.DataFrame, per_group: int = 2
) -> Figure:
    """A few injected series: unit price (or per-kg freight) before and after injection, with the
    injected month marked."""
    examples = pd.concat(
        [log[log["group"] == group].nlargest(per_group, "misdeclared_usd") for group in ("단가", "운임")]
    )
    columns = 2
    n_rows = -(-len(examples) // columns)
    fig, grid = plt.subplots(n_rows, columns, figsize=(FIGSIZE[0] + 1.5, 3.6 * n_rows), squeeze=False)
    axes = grid.flatten()
    for ax in axes[len(examples) :]:
        ax.set_visible(False)
    for ax, (_, row) in zip(axes, examples.iterrows()):
        column, label = (
            ("unit_price_usd_per_kg", "단가 (USD/kg)")
            if row["group"] == "단가"
            else ("freight_krw_per_kg", "운임 (원/kg)")
        )
        key = (clean["hsk_code"] == row["hsk_code"]) & (clean["country_code"] == row["country_code"])
        before = clean[key].set_index("month")[column]
        after = injected[key].set_index("month")[column]
        ax.plot(after.index, after, color="#d62728", linewidth=1.2, label="주입 후")
        ax.plot(before.index, before, color="#1f77b4", linewidth=1.2, label="원래 값")
        ax.axvline(row["month"], color="grey", linestyle=":", linewidth=1)
        ax.set_yscale("log")
        plain_log_ticks(ax.yaxis)
        name = items.short_names(pd.Series([row["hsk_code"]]), pd.Series([row["item_name"]])).iloc[0]
        ax.set_title(f"({row['anomaly_type']}) {name}·{row['country_code']}")
        ax.set_xlabel("기준년월")
        ax.set_ylabel(label + ", 로그 척도")
        ax.tick_params(axis="x", labelrotation=30)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="upper right", ncols=2)
    fig.suptitle("주입 전후 시계열 예시 (점선: 주입한 달)", x=0.02, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    return fig


def scheme_examples(
    clean: pd.DataFrame, result, kinds: tuple = ("g", "i", "j", "k"), context_months: int = 24
) -> Figure:
    """One scheme of each of `kinds` (the largest by misdeclared value), from `context_months`
    before its start: the series' legitimate unit price (blue) and the declared one in the
    scheme's months (red), the scheme's months shaded. A new partner (k) has no legitimate price
    of its own: its peers' lowest price that month is drawn instead (grey)."""
    schemes = result.schemes
    chosen = [schemes[schemes["anomaly_type"] == kind].nlargest(1, "misdeclared_usd") for kind in kinds]
    chosen = pd.concat([frame for frame in chosen if len(frame)])
    fig, axes = plt.subplots(1, len(chosen), figsize=(3.2 * len(chosen), 3.4), squeeze=False)
    injected = result.panel
    for ax, (_, scheme) in zip(axes[0], chosen.iterrows()):
        shown = clean["month"] >= scheme["start"] - pd.DateOffset(months=context_months)
        key = (injected["hsk_code"] == scheme["hsk_code"]) & (injected["country_code"] == scheme["country_code"])
        rows = injected[key & (injected["scheme_id"] == scheme["scheme_id"])].set_index("month")
        ax.axvspan(scheme["start"], scheme["end"] + pd.offsets.MonthEnd(0), color="#f3c9c9", alpha=0.6, lw=0)
        if scheme["anomaly_type"] == "k":
            peers = clean[(clean["hsk_code"] == scheme["hsk_code"]) & (clean["weight_kg"] > 0) & shown]
            lowest = peers.groupby("month")["unit_price_usd_per_kg"].min()
            ax.plot(lowest.index, lowest, color="grey", linewidth=1.2, label="기존 상대국 최저 단가")
        else:
            clean_key = (clean["hsk_code"] == scheme["hsk_code"]) & (clean["country_code"] == scheme["country_code"])
            before = clean[clean_key & (clean["weight_kg"] > 0) & shown].set_index("month")["unit_price_usd_per_kg"]
            ax.plot(before.index, before, color="#1f77b4", linewidth=1.2, marker=".", label="정상 단가")
        ax.plot(
            rows.index,
            rows["unit_price_usd_per_kg"],
            color="#d62728",
            linewidth=1.4,
            marker="o",
            ms=3,
            label="신고 단가",
        )
        ax.set_yscale("log")
        plain_log_ticks(ax.yaxis)
        names = injected.loc[key, "item_name"].iloc[:1].reset_index(drop=True)
        name = items.short_names(pd.Series([scheme["hsk_code"]]), names).iloc[0]
        ax.set_title(f"({scheme['anomaly_type']}) {name}·{scheme['country_code']}", fontsize="small")
        ax.set_xlabel("기준년월")
        ax.set_ylabel("단가 (USD/kg, 로그 척도)")
        ax.tick_params(axis="x", labelrotation=45, labelsize="x-small")
    fig.suptitle("여러 달 이어지는 수법의 예 (분홍: 수법이 이어진 달)")
    legend_below(fig, rows_reserved=0.12)
    return fig


def freight_by_region(freight: pd.DataFrame) -> Figure:
    """Region x month freight per container (the panel's five regions), one line per region."""
    fig, ax = plt.subplots(figsize=FIGSIZE)
    for region in [region for region in config.REGIONS if region in freight.columns]:
        ax.plot(freight.index, freight[region], label=region, linewidth=1.8)
    ax.set_title("운임 지역별 해상 수입 운임 추이")
    ax.set_xlabel("기준년월")
    ax.set_ylabel("운임 (천원/2TEU)")
    legend_outside(ax, title="운임 지역")
    fig.tight_layout()
    return fig


def top_items_by_region(table: pd.DataFrame) -> Figure:
    """Top items by import value in each region (one panel per region, two panels a row)."""
    regions = [r for r in config.REGIONS if r in set(table["region"])]
    columns = 2
    n_rows = -(-len(regions) // columns)
    fig, grid = plt.subplots(n_rows, columns, figsize=(FIGSIZE[0], 2.0 * n_rows), squeeze=False)
    axes = grid.flatten()
    for ax in axes[len(regions) :]:
        ax.set_visible(False)
    for ax, region in zip(axes, regions):
        rows = table[table["region"] == region].sort_values("value_usd")
        ax.barh(items.short_names(rows["hsk_code"], rows["item_name"]), rows["value_usd"] / 1e6, color="#4c72b0")
        ax.set_title(region)
        ax.set_xlabel("수입액 (백만 USD)")
        ax.tick_params(axis="y", labelsize="small")
    for ax in grid[:, 0]:
        ax.set_ylabel("품목")
    fig.suptitle("운임 지역별 수입액 상위 품목 (분석 기간 합계)")
    fig.tight_layout()
    return fig


def monthly_weight_lines(weights: pd.DataFrame) -> Figure:
    """One panel per item with its own weight axis, so a small item's season is as visible as the
    largest item's; the shaded band marks July to September of every year."""
    columns = 2
    n_rows = -(-len(weights.columns) // columns)
    fig, grid = plt.subplots(n_rows, columns, figsize=(FIGSIZE[0] + 1.5, 2.3 * n_rows), sharex=True, squeeze=False)
    axes = grid.flatten()
    for ax in axes[len(weights.columns) :]:
        ax.set_visible(False)
    for ax, column in zip(axes, weights.columns):
        ax.plot(weights.index, weights[column], color="#4c72b0", linewidth=1.4)
        for year in sorted({month.year for month in weights.index if month.month in (7, 8, 9)}):
            ax.axvspan(pd.Timestamp(year, 7, 1), pd.Timestamp(year, 9, 30), color="#dd8452", alpha=0.12, linewidth=0)
        ax.set_title(column, fontsize="medium")
        ax.set_ylim(bottom=0)
        ax.set_ylabel("톤")
    for ax in axes[len(weights.columns) - columns : len(weights.columns)]:
        ax.set_xlabel("기준년월")
        ax.tick_params(axis="x", labelbottom=True)
    fig.suptitle("중량 상위 5개 품목의 월별 수입 중량 (톤, 품목마다 세로축이 다름; 주황 띠: 7~9월)", x=0.02, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.96))
    return fig


def top_items_bar(table: pd.DataFrame) -> Figure:
    rows = table.sort_values("value_usd")
    fig, ax = plt.subplots(figsize=FIGSIZE)
    ax.barh(items.short_names(rows["hsk_code"], rows["item_name"]), rows["value_usd"] / 1e6, color="#55a868")
    ax.set_title("수입액 상위 10개 품목 (분석 기간 합계)")
    ax.set_xlabel("수입액 (백만 USD)")
    ax.set_ylabel("품목")
    fig.tight_layout()
    return fig


def seasonality_bars(table: pd.DataFrame) -> Figure:
    fig, ax = plt.subplots(figsize=FIGSIZE)
    ax.bar(table.index, table["weight_t"], color="#8172b2")
    ax.set_xticks(range(1, 13))
    ax.set_title("달별 평균 수입 중량 (계절성)")
    ax.set_xlabel("달 (월)")
    ax.set_ylabel("평균 수입 중량 (톤)")
    fig.tight_layout()
    return fig


def unit_price_by_group(prices: pd.DataFrame) -> Figure:
    order = prices.groupby("item_group")["unit_price"].median().sort_values().index
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], 5.2))
    sns.boxplot(
        data=prices, y="item_group", x="unit_price", order=order, ax=ax, color="#dd8452", fliersize=1, log_scale=True
    )
    plain_log_ticks(ax.xaxis)
    ax.set_title("품목군별 수입 단가 분포")
    ax.set_xlabel("단가 (USD/kg, 로그 척도)")
    ax.set_ylabel("품목군")
    fig.tight_layout()
    return fig


def series_length_histogram(lengths: pd.DataFrame, window: int = 12) -> Figure:
    fig, ax = plt.subplots(figsize=FIGSIZE)
    ax.hist(lengths["longest_run_present"], bins=range(0, 62, 2), color="#64b5cd", label="연속 등장 개월")
    ax.axvline(window, color="black", linestyle="--", label=f"LSTM 창 길이 {window}개월")
    ax.set_title("품목 × 국가 시계열의 최장 연속 등장 기간")
    ax.set_xlabel("최장 연속 개월 수 (개월)")
    ax.set_ylabel("시계열 수 (개)")
    legend_outside(ax)
    fig.tight_layout()
    return fig


def macro_panels(macro: pd.DataFrame) -> Figure:
    labels = {
        "usd_krw": "원/달러 환율 (원)",
        "dubai_usd": "두바이유 (USD/배럴)",
        "cpi": "소비자물가지수 (2020=100)",
        "ppi": "생산자물가지수 (2020=100)",
    }
    fig, axes = plt.subplots(2, 2, figsize=(FIGSIZE[0], 5.4), sharex=True)
    for ax, (column, label) in zip(axes.flat, labels.items()):
        ax.plot(macro.index, macro[column], color="#c44e52")
        ax.set_ylabel(label, fontsize="small")
        ax.set_xlabel("기준년월")
    fig.suptitle("거시 지표 추이")
    fig.tight_layout()
    return fig


def correlation_heatmap(corr: pd.DataFrame) -> Figure:
    fig, ax = plt.subplots(figsize=(7.2, 5.6))
    sns.heatmap(
        corr, annot=True, fmt=".2f", cmap="RdBu_r", vmin=-1, vmax=1, ax=ax, cbar_kws={"label": "상관계수 (-1~1)"}
    )
    ax.set_title("월별 단가·운임과 거시 지표의 상관계수")
    ax.set_xlabel("변수")
    ax.set_ylabel("변수")
    fig.tight_layout()
    return fig


def loss_curves(histories: dict[str, list[float]]) -> Figure:
    """Training loss per epoch of the neural detectors."""
    fig, ax = plt.subplots(figsize=FIGSIZE)
    for name, losses in histories.items():
        ax.plot(range(1, len(losses) + 1), losses, marker="o", markersize=3, label=name)
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis)
    ax.set_title("LSTM 오토인코더 학습 손실")
    ax.set_xlabel("에폭 (회)")
    longest = max((len(losses) for losses in histories.values()), default=1)
    ax.set_xlim(0.5, longest + 0.5)  # whole epochs only, even after a single one
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("평균제곱오차 (스케일된 단위, 로그 척도)")
    legend_outside(ax)
    fig.tight_layout()
    return fig


def metric_bars(summary: pd.DataFrame, metrics: dict[str, str]) -> Figure:
    """Mean (bar) and standard deviation (error bar) over injection seeds, per detector and metric.
    `summary` has a MultiIndex (detector, metric) and columns mean, std."""
    detectors = list(dict.fromkeys(summary.index.get_level_values(0)))
    bars = {
        label: (
            [summary.loc[(d, metric), "mean"] for d in detectors],
            [summary.loc[(d, metric), "std"] for d in detectors],
        )
        for metric, label in metrics.items()
    }
    return _grouped_bars(detectors, bars, "탐지기별 심사 예산 지표 (시드 평균 ± 표준편차)", "탐지기", rotation=30)


def _grouped_bars(groups: list[str], bars: dict[str, tuple], title: str, xlabel: str, rotation: int) -> Figure:
    """One group of bars per entry of `groups`; `bars` maps a legend label to (values, error bars
    or None), values in 0..1."""
    fig, ax = plt.subplots(figsize=FIGSIZE)
    width = 0.8 / len(bars)
    x = np.arange(len(groups))
    for i, (label, (values, errors)) in enumerate(bars.items()):
        ax.bar(x + i * width, values, width, yerr=errors, capsize=3 if errors is not None else 0, label=label)
    ax.set_xticks(x + width * (len(bars) - 1) / 2, groups, rotation=rotation, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("지표 값 (0~1)")
    legend_outside(ax)
    fig.tight_layout()
    return fig


def type_recall_heatmap(table: pd.DataFrame) -> Figure:
    """Recall within the 5% budget per detector (rows) and anomaly type (columns)."""
    fig, ax = plt.subplots(figsize=(7.6, 0.5 * len(table) + 1.8))
    sns.heatmap(table, annot=True, fmt=".2f", cmap="Greens", vmin=0, vmax=1, ax=ax, cbar_kws={"label": "재현율 (0~1)"})
    ax.set_title("유형별 재현율 (상위 5% 심사 예산)")
    ax.set_xlabel("이상치 유형")
    ax.set_ylabel("탐지기")
    fig.tight_layout()
    return fig


def magnitude_curves(curves: pd.DataFrame, highlight: str) -> Figure:
    """AP against the injected factor, one line per detector, unit-price and freight panels.
    `curves` has columns detector, group, factor, seed, ap (averaged over seeds here)."""
    mean = curves.groupby(["group", "detector", "factor"])["ap"].mean()
    fig, axes = plt.subplots(1, 2, figsize=(11.0, 4.8), gridspec_kw={"width_ratios": [2, 1]})
    for ax, group in zip(axes, ("단가", "운임")):
        if group not in mean.index.get_level_values(0):
            ax.set_visible(False)
            continue
        for detector, line in mean.loc[group].groupby(level=0):
            factors = line.index.get_level_values(1)
            bold = detector == highlight
            ax.plot(
                factors,
                line.to_numpy(),
                marker="o",
                linewidth=2.6 if bold else 1.2,
                color="black" if bold else None,
                label=detector,
                zorder=3 if bold else 2,
            )
        ax.set_xscale("log")
        factors = sorted(set(mean.loc[group].index.get_level_values(1)))
        ax.set_xticks(factors, [f"×{f:g}" for f in factors])
        ax.minorticks_off()
        ax.axvline(1.0, color="grey", linewidth=0.8, linestyle=":")
        ax.set_ylim(0, 1.02)
        ax.set_title(f"{group} 이상치: 주입 배율별 AP")
        ax.set_xlabel("주입 배율 (로그 척도, 1 = 변화 없음)")
        ax.set_ylabel("AP (시드 평균)")
    legend_below(fig)
    return fig


def alert_volume_bars(volume: pd.DataFrame, budget_share: float) -> Figure:
    """Flagged share of each test month on the clean panel, against the review budget."""
    fig, ax = plt.subplots(figsize=FIGSIZE)
    labels = [f"{m:%Y-%m}" for m in volume.index]
    ax.bar(labels, volume["share"] * 100, color="#4C72B0")
    for i, count in enumerate(volume["flagged"]):
        ax.text(i, volume["share"].iloc[i] * 100, f"{count}", ha="center", va="bottom", fontsize="small")
    ax.axhline(budget_share * 100, color="#C44E52", linestyle="--", label=f"심사 예산 {budget_share:.0%}")
    ax.set_title("주입 없는 시험 연도의 월별 경보 비율 (막대 위 숫자는 경보 행 수)")
    ax.set_xlabel("기준년월")
    ax.set_ylabel("경보 비율 (%, 그 달 패널 행 대비)")
    ax.tick_params(axis="x", rotation=45)
    legend_outside(ax)
    fig.tight_layout()
    return fig


def ablation_bars(table: pd.DataFrame, metrics: dict[str, str]) -> Figure:
    """One group of bars per ablation (rows of `table`), one bar per metric (mean over seeds)."""
    bars = {label: (table[metric].to_numpy(), None) for metric, label in metrics.items()}
    return _grouped_bars(
        list(table.index), bars, "개선 탐지기의 절제 실험 (한 가지씩 바꾼 변형, 시드 평균)", "변형", rotation=20
    )


def review_effort_bars(rows_needed: pd.Series, total_rows: int) -> Figure:
    """Rows to review, in score order, to find 75% of the planted anomalies, per detector."""
    fig, ax = plt.subplots(figsize=FIGSIZE)
    colours = ["black" if name == "lstm-plus" else "#4C72B0" for name in rows_needed.index]
    ax.barh(list(rows_needed.index), rows_needed.to_numpy(), color=colours)
    ax.axvline(total_rows, color="grey", linestyle=":", label=f"시험 연도 전체 {total_rows:,}행")
    ax.set_xscale("log")
    ax.invert_yaxis()
    ax.set_title("이상치의 75%를 찾는 데 필요한 심사 행 수 (시드 평균)")
    ax.set_xlabel("심사 행 수 (점수 상위부터, 로그 척도)")
    ax.set_ylabel("탐지기")
    legend_outside(ax)
    fig.tight_layout()
    return fig


def _side_by_side_shares(table: pd.DataFrame, category: str, labels: list, title: str, xlabel: str) -> Figure:
    """Bars of `share` (in %) per category, one bar per `source` side by side."""
    sources = list(dict.fromkeys(table["source"]))
    fig, ax = plt.subplots(figsize=FIGSIZE)
    width = 0.8 / len(sources)
    x = np.arange(len(labels))
    for i, source in enumerate(sources):
        shares = table[table["source"] == source].set_index(category)["share"].reindex(labels, fill_value=0.0)
        ax.bar(x + i * width, 100.0 * shares.to_numpy(), width, label=source)
    ax.set_xticks(x + width * (len(sources) - 1) / 2, [str(label) for label in labels])
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("비율 (%)")
    legend_outside(ax)
    fig.tight_layout()
    return fig


def countries_per_code_bars(table: pd.DataFrame) -> Figure:
    """Share of HSK codes by their number of partner countries (five regions, kg > 0), real and
    replica side by side. `table`: countries, source, share (``realism.countries_per_code_table``)."""
    labels = list(range(1, int(table["countries"].max()) + 1))
    return _side_by_side_shares(
        table, "countries", labels, "품목당 상대국 수 분포: 실제와 복제", "품목당 상대국 수 (개국, 당월 중량>0)"
    )


def region_mix_bars(table: pd.DataFrame) -> Figure:
    """Share of the import rows by freight region, real and replica side by side. `table`:
    region, source, share (``realism.region_mix_table``)."""
    return _side_by_side_shares(table, "region", list(config.REGIONS), "지역별 수입 행 비율: 실제와 복제", "운임 지역")


def unit_price_real_vs_replica(comparison: pd.DataFrame, factor: float) -> Figure:
    """Per HSK code: the replica's unit price against the real one (log-log), with the diagonal
    and the band within `factor`. `comparison`: real, replica, within (``realism.unit_price_comparison``)."""
    fig, ax = plt.subplots(figsize=(6.4, 6.0))
    for within, color, label in (
        (True, "#4c72b0", f"{factor:g}배 범위 안"),
        (False, "#c44e52", f"{factor:g}배 범위 밖"),
    ):
        rows = comparison[comparison["within"] == within]
        ax.scatter(
            rows["real"], rows["replica"], s=12, color=color, alpha=0.7, label=f"{label} ({len(rows):,d}개 품목)"
        )
    low = 0.5 * min(comparison["real"].min(), comparison["replica"].min())
    high = 2.0 * max(comparison["real"].max(), comparison["replica"].max())
    line = np.array([low, high])
    ax.plot(line, line, color="black", linewidth=1, label="같은 단가")
    ax.plot(line, line * factor, color="grey", linestyle="--", linewidth=1, label=f"{factor:g}배 범위")
    ax.plot(line, line / factor, color="grey", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    plain_log_ticks(ax.xaxis)
    plain_log_ticks(ax.yaxis)
    ax.set_title("품목별 수입 단가: 실제와 복제 (5개 지역)")
    ax.set_xlabel("실제 단가 (USD/kg, 로그 척도)")
    ax.set_ylabel("복제 단가 (USD/kg, 로그 척도)")
    legend_outside(ax)
    fig.tight_layout()
    return fig


def freight_real_vs_replica(paths: pd.DataFrame) -> Figure:
    """Freight per container by route, the real series and the replica, one panel per route.
    `paths`: month, route, source, freight (``realism.freight_paths``)."""
    sources = list(dict.fromkeys(paths["source"]))
    styles = dict(zip(sources, ({"color": "black", "linewidth": 1.6}, {"color": "#dd8452", "linewidth": 1.2})))
    fig, axes = plt.subplots(2, 3, figsize=(FIGSIZE[0] * 1.3, 6.0), sharex=True)
    for ax, route in zip(axes.flat, config.FREIGHT_ROUTES):
        for source in sources:
            rows = paths[(paths["route"] == route) & (paths["source"] == source)].sort_values("month")
            ax.plot(rows["month"], rows["freight"], label=source, **styles[source])
        ax.set_title(route)
        ax.set_ylabel("운임 (천원/2TEU)", fontsize="small")
        ax.tick_params(axis="x", labelrotation=45, labelsize="x-small")
    for ax in axes[-1]:
        ax.set_xlabel("기준년월")
    fig.suptitle("항로별 해상 수입 운임: 실제와 복제")
    legend_below(fig)
    return fig


def monthly_loop_diagram() -> Figure:
    """The monthly operation as a loop: data arrive, are merged up to the month, the month alone is
    scored, its top share goes to review, and the detector is refitted every few months."""
    from matplotlib.patches import FancyBboxPatch

    steps = [
        (0.10, 0.70, "새 달의 공개 자료\n(무역 통계·운임·거시)"),
        (0.37, 0.70, "그달까지의 자료만\n병합 (이후 달 없음)"),
        (0.64, 0.70, "학습된 탐지기로\n그달의 행만 채점"),
        (0.90, 0.70, "상위 일정 비율을\n심사 목록으로(이유 포함)"),
        (0.64, 0.18, "k개월마다 그 전까지의\n모든 달로 재학습(선택)"),
        (0.90, 0.18, "심사관 검토\n(다음 달을 기다림)"),
    ]
    fig, ax = plt.subplots(figsize=(FIGSIZE[0] * 1.15, 3.8))
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(0, 1)
    ax.axis("off")
    for x, y, text in steps:
        ax.add_patch(
            FancyBboxPatch(
                (x - 0.115, y - 0.13), 0.23, 0.26, boxstyle="round,pad=0.01", facecolor="#eef3f9", edgecolor="#4c72b0"
            )
        )
        ax.text(x, y, text, ha="center", va="center", fontsize="small")
    arrows = [
        ((0.215, 0.70), (0.255, 0.70)),
        ((0.485, 0.70), (0.525, 0.70)),
        ((0.755, 0.70), (0.785, 0.70)),
        ((0.90, 0.57), (0.90, 0.31)),
        ((0.785, 0.18), (0.755, 0.18)),
        ((0.64, 0.31), (0.64, 0.57)),
    ]
    for start, end in arrows:
        ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "->", "color": "#34495e"})
    ax.annotate(
        "",
        xy=(0.10, 0.57),
        xytext=(0.785, 0.12),
        arrowprops={"arrowstyle": "->", "color": "#7f8c8d", "linestyle": "--", "connectionstyle": "arc3,rad=-0.25"},
    )
    ax.text(0.30, 0.12, "다음 달", color="#7f8c8d", fontsize="small")
    ax.set_title("매달 반복되는 사전 식별 운영 (한 달씩, 그 뒤의 달은 모른 채)")
    fig.tight_layout()
    return fig


def monthly_queue_lines(per_month: pd.DataFrame) -> Figure:
    """Per test month: the review queue's precision, its recall and the rows reviewed, one line
    per scoring mode. `per_month`: month, mode (label), precision, recall, reviewed (seed means)."""
    fig, axes = plt.subplots(1, 3, figsize=(FIGSIZE[0] * 1.3, 3.8), sharex=True)
    panels = (("precision", "정밀도 (0~1)"), ("recall", "재현율 (0~1)"), ("reviewed", "심사 행 수 (건)"))
    for ax, (column, label) in zip(axes, panels):
        for mode, lines in per_month.groupby("mode", sort=False):
            ax.plot(lines["month"], lines[column], marker="o", markersize=3, label=mode)
        ax.set_ylabel(label)
        ax.set_xlabel("기준년월")
        ax.tick_params(axis="x", labelrotation=45, labelsize="x-small")
    axes[0].set_ylim(0, 1.02)
    axes[1].set_ylim(0, 1.02)
    fig.suptitle("달마다의 심사 목록: 정밀도, 재현율, 심사 물량 (주입 시드 평균)")
    legend_below(fig)
    return fig


def prospective_cost_bars(table: pd.DataFrame) -> Figure:
    """AP of every detector in the audit (both sides of each month read) and prospectively (only
    the past), side by side. `table`: index detector labels, columns retrospective, prospective."""
    bars = {
        "사후 감사 (앞뒤 달)": (table["retrospective"].to_numpy(), None),
        "사전 식별 (그달까지만)": (table["prospective"].to_numpy(), None),
    }
    return _grouped_bars(list(table.index), bars, "미래를 보지 않을 때의 비용: 탐지기별 AP", "탐지기", rotation=30)


def scheme_bars(table: pd.DataFrame) -> Figure:
    """Per detector: the share of the schemes caught and the share of their misdeclared value
    recoverable from the first flag on. `table`: index detector labels, columns caught_share,
    recovered_share."""
    bars = {
        "잡은 수법 비율": (table["caught_share"].to_numpy(), None),
        "첫 지적 이후 회수 가능 금액 비율": (table["recovered_share"].to_numpy(), None),
    }
    return _grouped_bars(
        list(table.index), bars, "여러 달 이어지는 수법: 탐지기별 결과 (사전 식별, 월 심사 예산)", "탐지기", rotation=30
    )


def ytd_deviation_survival(table: pd.DataFrame, size_labels: dict[str, str]) -> Figure:
    """Share of rows whose unit price strays beyond each factor from the series' earlier level in
    the year, real and this build, one panel per flow size. `table`: source, size, factor, share
    (``realism.survival_table``); `size_labels`: size -> panel title, in panel order."""
    sources = list(dict.fromkeys(table["source"]))
    styles = dict(zip(sources, ({"color": "black", "linewidth": 1.8}, {"color": "#dd8452", "linewidth": 1.4})))
    fig, axes = plt.subplots(1, len(size_labels), figsize=(FIGSIZE[0] * 1.3, 3.9), sharey=True)
    for ax, (size, title) in zip(np.atleast_1d(axes), size_labels.items()):
        for source in sources:
            rows = table[(table["source"] == source) & (table["size"] == size)].sort_values("factor")
            ax.plot(rows["factor"], rows["share"], marker="o", markersize=3.5, label=source, **styles[source])
        ax.set_xscale("log")
        ax.set_xticks([1.5, 2, 3, 5, 10])
        ax.set_xticklabels(["×1.5", "×2", "×3", "×5", "×10"], fontsize="small")
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_title(title, fontsize="medium")
        ax.set_xlabel("연초 이후 단가에서 벗어난 배수")
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.grid(alpha=0.3)
    first = np.atleast_1d(axes)[0]
    first.set_ylabel("그 배수를 넘게 벗어난 행의 비율")
    fig.suptitle("정상 거래의 단가가 같은 해 앞선 달들의 평균에서 벗어나는 정도: 실제와 이 빌드")
    legend_below(fig)
    return fig


# The input channels of lstm-plus (`detectors.lstm_plus.CHANNELS`) as the walk-through labels them.
CHANNEL_LABELS = {
    "price_vs_level": "단가 ÷ 자기 수준",
    "price_vs_peers": "단가 ÷ 다른 국가",
    "weight_vs_usual": "중량 ÷ 평소 중량",
    "present": "수입 있음 (1/0)",
    "masked": "가린 달 (1/0)",
    "usd_krw": "환율 변화",
    "dubai_usd": "두바이유 변화",
    "cpi": "CPI 변화",
    "ppi": "PPI 변화",
}


def series_walk(view, walk: dict, prices: pd.Series, title: str) -> Figure:
    """One series through lstm-plus, in four panels: (가) the window of scaled inputs the network
    reads (colour), the masked month outlined; (나) the series' unit prices over the window with, at the
    masked month, the declared and the pre-injection price, the network's prediction and band, the
    neighbour months' median and the blended expected price with its noise band; (다) the month's
    error in units of the network's predicted Laplace scale against the standard Laplace density;
    (라) the parts of the score, the final score and the operating threshold.

    `view` is an `LSTMPlusDetector.network_view`, `prices` the series' unit prices by month (NaN
    without imports), `walk` the row's numbers (keys as `studies.modeling.series_walk_section`
    writes them)."""
    fig, axes = plt.subplots(2, 2, figsize=(10.5, 10.0), gridspec_kw={"width_ratios": [1.15, 1.0]})
    _walk_inputs(axes[0, 0], fig, view)
    _walk_prices(axes[0, 1], view, walk, prices)
    _walk_error(axes[1, 0], view.z, walk["band_scales"])
    _walk_scores(axes[1, 1], walk)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _walk_inputs(ax, fig: Figure, view) -> None:
    grid = view.inputs.T
    limit = max(float(np.abs(grid.to_numpy()).max()), 1.0)
    image = ax.imshow(grid.to_numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    target = list(view.inputs.index).index(view.target)
    ax.add_patch(plt.Rectangle((target - 0.5, -0.5), 1, len(grid), fill=False, edgecolor="black", linewidth=2.2))
    ax.set_yticks(range(len(grid)), [CHANNEL_LABELS.get(c, c) for c in grid.index], fontsize="small")
    ax.set_xticks(range(grid.shape[1]), [f"{m:%y-%m}" for m in grid.columns], rotation=60, fontsize="x-small")
    ax.grid(False)
    ax.set_title("(가) 신경망이 읽는 창 (굵은 테두리: 가린 달)", fontsize="medium")
    ax.set_xlabel("기준년월 (연-월)")
    fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02).set_label("척도화한 값 (로그 비, 단위 없음)")


def _walk_prices(ax, view, walk: dict, prices: pd.Series) -> None:
    months = view.inputs.index
    shown = prices.reindex(months).where(months != view.target)  # the masked month is drawn apart
    ax.plot(months, shown, color="grey", marker=".", linewidth=1.0, label="신고 단가 (다른 달)")
    step = pd.Timedelta(days=9)  # the markers of the masked month side by side
    target = view.target
    ax.scatter(
        [target], [walk["declared_price"]], color="#d62728", marker="X", s=70, zorder=5, label="신고 단가 (가린 달)"
    )
    ax.scatter(
        [target], [walk["clean_price"]], facecolors="none", edgecolors="#d62728", s=50, zorder=5, label="주입 전 단가"
    )

    def band(x, middle, low, high, color, label):
        ax.errorbar([x], [middle], yerr=[[middle - low], [high - middle]], fmt="o", color=color, capsize=4, label=label)

    band(
        target - step,
        view.expected_unit_price,
        view.low_unit_price,
        view.high_unit_price,
        "#1f77b4",
        f"LSTM 예측 ±{walk['band_scales']:g} 척도",
    )
    ax.scatter(
        [target + step], [walk["neighbour_price"]], color="#2ca02c", marker="s", s=30, zorder=4, label="이웃 달 중앙값"
    )
    band(
        target + 2 * step,
        walk["expected_price"],
        walk["expected_low"],
        walk["expected_high"],
        "black",
        f"기대 단가와 {walk['expected_coverage']:.0%} 범위",
    )
    ax.set_yscale("log")
    plain_log_ticks(ax.yaxis)
    ax.set_title("(나) 가린 달의 단가: 예측, 불확실성, 기대 단가", fontsize="medium")
    ax.set_xlabel("기준년월")
    ax.set_ylabel("단가 (USD/kg, 로그 척도)")
    ax.tick_params(axis="x", labelrotation=30, labelsize="x-small")
    # below the axes: the masked month sits mid-window, where any legend inside would cover it
    ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, frameon=False)


def _walk_error(ax, z: float, band_scales: float) -> None:
    reach = max(4.0, abs(z) + 1.0)
    grid = np.linspace(-reach, reach, 801)
    ax.plot(grid, 0.5 * np.exp(-np.abs(grid)), color="#1f77b4", label="신경망이 가정하는 오차 분포 (라플라스)")
    inside = np.abs(grid) <= band_scales
    ax.fill_between(
        grid[inside], 0, 0.5 * np.exp(-np.abs(grid[inside])), color="#1f77b4", alpha=0.2, label=f"±{band_scales:g} 척도"
    )
    ax.axvline(z, color="#d62728", linewidth=2, label=f"이 달의 오차 z = {z:.1f}")
    ax.set_yscale("log")
    ax.set_ylim(top=20.0)  # room for the legend above the density's peak
    plain_log_ticks(ax.yaxis)
    ax.set_title("(다) 예측 오차 ÷ 예측한 불확실성", fontsize="medium")
    ax.set_xlabel("(신고 - 예측) ÷ 예측 척도 (z, 척도 단위)")
    ax.set_ylabel("확률 밀도 (로그 척도)")
    ax.legend(fontsize="small", loc="upper right")


def _walk_scores(ax, walk: dict) -> None:
    parts = {
        "LSTM 예측만": walk["lstm_score"],
        "이웃 달 중앙값만 (통계)": walk["statistical_score"],
        "둘의 평균 (한 달 점수)": walk["month_score"],
        f"기억 부분 - {walk['memory_penalty']:g}": walk["memory_score"] - walk["memory_penalty"],
        "동료 부분 (새 상대국)": walk["peer_score"],
        "최종 점수": walk["score"],
    }
    labels, values = list(parts), np.array(list(parts.values()), dtype=float)
    colours = ["#9ecae1"] * (len(parts) - 1) + ["black"]
    positions = np.arange(len(parts))[::-1]
    ax.barh(positions, np.nan_to_num(values), color=colours)
    for position, value in zip(positions, values):
        text = "해당 없음" if not np.isfinite(value) else f"{value:.1f}"
        ax.text(np.nan_to_num(value), position, f" {text} ", va="center", ha="left" if value >= 0 else "right")
    ax.axvline(walk["threshold"], color="#d62728", linestyle="--", label=f"운영 임계값 {walk['threshold']:.1f}")
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks(positions, labels, fontsize="small")
    ax.set_title("(라) 점수의 부분과 최종 점수", fontsize="medium")
    ax.set_xlabel("점수 (가능도비의 로그)")
    ax.margins(x=0.15)
    ax.legend(fontsize="small", loc="upper left")
