"""Charts of the PDF as SVG (matplotlib, Agg), drawn by WeasyPrint as vectors. Text stays text
(``svg.fonttype: none``), rendered with the installed Korean font."""

from __future__ import annotations

import base64
import io
from datetime import date
from typing import Any

from reports.overview import _plt

from .formatting import decimals_of

BLUE, GREEN, ORANGE, GREY = "#4c6ef5", "#12b886", "#f76707", "#868e96"


def _svg(fig: Any) -> str:
    """The figure as an ``<img>`` with an SVG data URI: WeasyPrint draws it as vectors with its
    SVG renderer (inline ``<svg>`` would also run every element's style through the HTML CSS
    cascade: thousands of warnings and seconds of work per chart)."""
    plt = _plt()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="" src="data:image/svg+xml;base64,{data}">'


def _short(value: float, _pos: int = 0) -> str:
    if abs(value) >= 100_000_000:
        return f"{value / 100_000_000:,.1f}억"
    if abs(value) >= 10_000:
        return f"{value / 10_000:,.0f}만"
    return f"{value:,.0f}"


def daily_revenue(daily: list[dict[str, Any]], currency: str) -> str:
    """Daily revenue (bars) and orders (line) of the month."""
    plt = _plt()
    from matplotlib.ticker import FuncFormatter

    fig, ax = plt.subplots(figsize=(7.2, 2.8))
    days = [date.fromisoformat(d["date"]).day for d in daily]
    ax.bar(days, [d["revenue"] for d in daily], color=BLUE, label=f"매출 ({currency})")
    ax.yaxis.set_major_formatter(FuncFormatter(_short if decimals_of(currency) == 0 else lambda v, _p: f"{v:,.0f}"))
    ax.set_xlabel("일")
    ax.set_xticks(days[::2] if len(days) > 16 else days)
    ax2 = ax.twinx()
    ax2.plot(
        days,
        [d["orders"] for d in daily],
        color=ORANGE,
        marker="o",
        markersize=2.5,
        linewidth=1.2,
        label="배송 완료 주문 수",
    )
    ax2.set_ylim(bottom=0)
    ax2.spines["right"].set_visible(True)
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + ax2.get_legend_handles_labels()[1]
    ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0, 1.0), fontsize=7, frameon=False, ncols=2)
    return _svg(fig)


def horizontal_bars(labels: list[str], values: list[float], title: str, color: str = GREEN) -> str:
    plt = _plt()
    from matplotlib.ticker import FuncFormatter

    fig, ax = plt.subplots(figsize=(7.2, 0.32 * max(len(labels), 3) + 0.7))
    ax.barh([label[:20] for label in reversed(labels)], list(reversed(values)), color=color)
    ax.xaxis.set_major_formatter(FuncFormatter(_short))
    ax.set_title(title)
    if not labels:
        ax.text(0.5, 0.5, "해당 기간 자료가 없습니다", transform=ax.transAxes, ha="center", color=GREY)
    return _svg(fig)


def sessions_by_service(services: list[dict[str, Any]]) -> str:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.2, 2.4))
    names = [s["service_name"] for s in services]
    ax.bar(names, [s["sessions"] for s in services], color=BLUE, label="전체 세션")
    ax.bar(names, [s["from_package"] for s in services], color=GREEN, width=0.4, label="패키지 차감")
    ax.set_title("서비스별 이용 세션")
    ax.legend(loc="upper right", fontsize=7, frameon=False)
    return _svg(fig)


def liability_expiring(expiring: list[dict[str, Any]], total_value: int) -> str:
    plt = _plt()
    from matplotlib.ticker import FuncFormatter

    fig, ax = plt.subplots(figsize=(7.2, 2.0))
    labels = [f"{e['within_days']}일 이내" for e in expiring] + ["전체 미사용"]
    values = [e["value"] for e in expiring] + [total_value]
    ax.barh(
        list(reversed(labels)), list(reversed(values)), color=[GREY, ORANGE, ORANGE, ORANGE]
    )  # reversed: the total first
    ax.xaxis.set_major_formatter(FuncFormatter(_short))
    ax.set_title("선수금(미사용 세션 가치) 중 만료 예정 (원)")
    return _svg(fig)
