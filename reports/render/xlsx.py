"""The Excel workbook (XlsxWriter): real numbers with currency and percent formats, one sheet per
table (요약, 일별, 카테고리, 상품, 고객, 센터), frozen header rows, native Excel charts when
``include_charts``. Percentages are stored as fractions (``0.6`` shown as ``60.0%``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from .formatting import excel_money_format
from .pdf import ReportRenderError

COMPARED_LABELS = {
    "revenue": "매출",
    "orders": "주문 수",
    "completed_orders": "완료 주문",
    "average_order_value": "평균 주문 금액",
    "conversion_rate": "주문 완료율",
    "active_buyers": "구매 고객",
    "new_buyers": "신규 구매 고객",
    "units_sold": "판매 수량",
}
MONEY_KEYS = {"revenue", "average_order_value"}


def _frac(value: float | None) -> float | None:
    return None if value is None else value / 100


class _Book:
    def __init__(self, target: Path, content: dict[str, Any]) -> None:
        import xlsxwriter

        self.wb = xlsxwriter.Workbook(str(target), {"remove_timezone": True})
        self.wb.set_properties({"title": f"{content['year']}년 {content['month']}월 매출 리포트", "author": "백오피스"})
        cur = content["currency"]
        add = self.wb.add_format
        base = {"font_name": "맑은 고딕", "font_size": 10}
        self.title = add({**base, "bold": True, "font_size": 14})
        self.note = add({**base, "italic": True, "font_color": "#555555"})
        self.head = add({**base, "bold": True, "bg_color": "#E9ECEF", "border": 1, "text_wrap": True, "valign": "top"})
        self.text = add(base)
        self.int = add({**base, "num_format": "#,##0"})
        self.money = add({**base, "num_format": excel_money_format(cur)})
        self.krw = add({**base, "num_format": excel_money_format("KRW")})
        self.pct = add({**base, "num_format": "0.0%"})
        self.pp = add({**base, "num_format": '+0.0"%p";-0.0"%p";0.0"%p"'})
        self.rating = add({**base, "num_format": "0.00"})
        self.date = add({**base, "num_format": "yyyy-mm-dd"})

    def sheet(self, name: str, title: str, footer: str) -> Any:
        ws = self.wb.add_worksheet(name)
        ws.write(0, 0, title, self.title)
        ws.write(1, 0, footer, self.note)
        return ws

    def table(self, ws: Any, row: int, headers: list[str], rows: list[list[tuple[Any, Any]]], widths: list[int]) -> int:
        """Headers at ``row``, then the rows (value, format) pairs; returns the next free row."""
        for col, (header, width) in enumerate(zip(headers, widths, strict=False)):
            ws.write(row, col, header, self.head)
            ws.set_column(col, col, width)
        for i, cells in enumerate(rows, start=1):
            for col, (value, fmt) in enumerate(cells):
                if value is None:
                    ws.write_blank(row + i, col, None, fmt)
                else:
                    ws.write(row + i, col, value, fmt)
        return row + len(rows) + 1


def render_xlsx(content: dict[str, Any], *, include_charts: bool, report_id: str, target: Path) -> int:
    """Write the workbook to ``target``; returns the number of sheets."""
    try:
        return _render(content, include_charts=include_charts, report_id=report_id, target=target)
    except ReportRenderError:
        raise
    except Exception as exc:
        raise ReportRenderError(f"엑셀 파일을 만드는 중 오류가 발생했습니다: {exc}") from exc


def _render(content: dict[str, Any], *, include_charts: bool, report_id: str, target: Path) -> int:
    b = _Book(target, content)
    cur = content["currency"]
    shop, center = content["shop"], content["center"]
    dash = shop["dashboard"]
    period = f"{content['period']['start']} ~ {content['period']['end']}"
    footer = (
        f"{report_id} · 생성 {content['generated_at'][:16].replace('T', ' ')} KST · "
        f"데이터 기준 {content['data_cutoff'][:16].replace('T', ' ')} KST · 집계 기간 {period} · 쇼핑몰 통화 {cur}"
    )
    name = f"{content['year']}년 {content['month']}월"

    # 요약 -------------------------------------------------------------------------------
    ws = b.sheet("요약", f"{name} 매출 리포트 요약", footer)
    m = lambda v: (v, b.money)  # noqa: E731
    i = lambda v: (v, b.int)  # noqa: E731
    summary_rows = [
        [("매출 (배송 완료)", b.text), m(dash["revenue"]["total"])],
        [("일 평균 매출", b.text), m(dash["revenue"]["daily_average"])],
        [("주문 수", b.text), i(dash["orders"]["total"])],
        [("완료 주문", b.text), i(dash["orders"]["completed"])],
        [("취소 주문", b.text), i(dash["orders"]["cancelled"])],
        [("진행 중 주문", b.text), i(dash["orders"]["pending"])],
        [("주문 완료율", b.text), (_frac(dash["orders"]["conversion_rate"]), b.pct)],
        [("평균 주문 금액", b.text), m(dash["orders"]["average_order_value"])],
        [("구매 고객", b.text), i(dash["users"]["total_active"])],
        [("신규 구매 고객", b.text), i(dash["users"]["new_users"])],
        [("재구매 고객", b.text), i(dash["users"]["returning_users"])],
        [("고객 유지율", b.text), (_frac(dash["users"]["retention_rate"]), b.pct)],
        [("판매 수량", b.text), i(dash["products"]["total_sold"])],
        [("판매 상품 수", b.text), i(dash["products"]["unique_products"])],
        [("평균 평점 (이 달 리뷰)", b.text), (dash["products"]["average_rating"], b.rating)],
        [("리뷰 수", b.text), i(shop["reviews"]["count"])],
    ]
    row = b.table(ws, 3, ["지표", f"값 ({cur})"], summary_rows, [28, 20])
    row += 1
    comparison_rows = []
    for r in shop["comparison"]:
        fmt = b.money if r["key"] in MONEY_KEYS else b.pct if r["key"] == "conversion_rate" else b.int
        conv = _frac if r["key"] == "conversion_rate" else (lambda v: v)
        comparison_rows.append(
            [
                (COMPARED_LABELS[r["key"]], b.text),
                (conv(r["current"]), fmt),
                (conv(r["previous_month"]), fmt),
                (r["previous_month_change"], b.pp)
                if r["change_unit"] == "pp"
                else (_frac(r["previous_month_change"]), b.pct),
                (conv(r["year_ago"]), fmt),
                (r["year_ago_change"], b.pp) if r["change_unit"] == "pp" else (_frac(r["year_ago_change"]), b.pct),
            ]
        )
    pm, ya = shop["previous_month"], shop["year_ago"]
    row = b.table(
        ws,
        row,
        [
            "비교",
            name,
            f"전월 ({pm['year']}년 {pm['month']}월)",
            "전월 대비",
            f"전년 동월 ({ya['year']}년 {ya['month']}월)",
            "전년 대비",
        ],
        comparison_rows,
        [28, 20, 20, 12, 20, 12],
    )
    row += 1
    ws.write(row, 0, "리뷰 평점 분포 (이 달)", b.head)
    for k, d in enumerate(shop["reviews"]["distribution"]):
        ws.write(row + 1 + k, 0, f"★{d['rating']}", b.text)
        ws.write(row + 1 + k, 1, d["count"], b.int)
        ws.write(row + 1 + k, 2, _frac(d["share"]), b.pct)
    row += 7
    sentiment = shop["sentiment"]
    if sentiment:
        ws.write(row, 0, "리뷰 감정 (이 달)", b.head)
        ws.write(row + 1, 0, "긍정 비율", b.text)
        ws.write(row + 1, 1, _frac(sentiment["positive_share"]), b.pct)
        ws.write(row + 2, 0, "부정 비율", b.text)
        ws.write(row + 2, 1, _frac(sentiment["negative_share"]), b.pct)
        ws.write(row + 3, 0, "칭찬이 많은 측면", b.text)
        ws.write(row + 3, 1, ", ".join(sentiment["praised"]), b.text)
        ws.write(row + 4, 0, "불만이 많은 측면", b.text)
        ws.write(row + 4, 1, ", ".join(sentiment["criticised"]), b.text)
    else:
        ws.write(row, 0, shop["sentiment_note"], b.note)
    ws.freeze_panes(4, 0)

    # 일별 -------------------------------------------------------------------------------
    ws = b.sheet("일별", f"{name} 일별 매출", footer)
    daily = dash["daily_trend"]
    last = b.table(
        ws,
        3,
        ["일자", f"매출 ({cur})", "완료 주문", "구매 고객"],
        [[(date.fromisoformat(d["date"]), b.date), m(d["revenue"]), i(d["orders"]), i(d["users"])] for d in daily],
        [12, 18, 12, 12],
    )
    ws.write(last, 0, "합계", b.head)
    ws.write_formula(last, 1, f"=SUM(B5:B{last})", b.money, dash["revenue"]["total"])
    ws.write_formula(last, 2, f"=SUM(C5:C{last})", b.int, dash["orders"]["completed"])
    ws.freeze_panes(4, 1)
    if include_charts and daily:
        chart = b.wb.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": f"매출 ({cur})",
                "categories": ["일별", 4, 0, 3 + len(daily), 0],
                "values": ["일별", 4, 1, 3 + len(daily), 1],
            }
        )
        line = b.wb.add_chart({"type": "line"})
        line.add_series(
            {
                "name": "완료 주문",
                "categories": ["일별", 4, 0, 3 + len(daily), 0],
                "values": ["일별", 4, 2, 3 + len(daily), 2],
                "y2_axis": True,
            }
        )
        chart.combine(line)
        chart.set_title({"name": "일별 매출과 주문"})
        chart.set_x_axis({"date_axis": True, "num_format": "dd"})
        chart.set_size({"width": 760, "height": 340})
        ws.insert_chart(3, 5, chart)

    # 카테고리 ---------------------------------------------------------------------------
    ws = b.sheet("카테고리", f"{name} 카테고리별 매출 (상위 {len(dash['top_categories'])})", footer)
    cats = dash["top_categories"]
    b.table(
        ws,
        3,
        ["순위", "카테고리", "판매 건수(주문 항목)", f"매출 ({cur})"],
        [
            [(k, b.int), (c["category_name"], b.text), i(c["sales_count"]), m(c["revenue"])]
            for k, c in enumerate(cats, 1)
        ],
        [6, 20, 18, 18],
    )
    ws.freeze_panes(4, 0)
    if include_charts and cats:
        chart = b.wb.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": f"매출 ({cur})",
                "categories": ["카테고리", 4, 1, 3 + len(cats), 1],
                "values": ["카테고리", 4, 3, 3 + len(cats), 3],
            }
        )
        chart.set_title({"name": "카테고리별 매출"})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"none": True})
        ws.insert_chart(3, 5, chart)

    # 상품 -------------------------------------------------------------------------------
    ws = b.sheet("상품", f"{name} 상품 매출 상위 {len(shop['top_products'])}", footer)
    products = shop["top_products"]
    b.table(
        ws,
        3,
        ["순위", "상품", "카테고리", "판매 수량", "주문 항목 수", f"매출 ({cur})", "평점(누적)", "리뷰 수"],
        [
            [
                (k, b.int),
                (p["product_name"], b.text),
                (p["category_name"], b.text),
                i(p["units"]),
                i(p["lines"]),
                m(p["revenue"]),
                (p["average_rating"], b.rating),
                i(p["reviews"]),
            ]
            for k, p in enumerate(products, 1)
        ],
        [6, 30, 14, 10, 10, 18, 10, 8],
    )
    ws.freeze_panes(4, 2)
    if include_charts and products:
        chart = b.wb.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": f"매출 ({cur})",
                "categories": ["상품", 4, 1, 3 + len(products), 1],
                "values": ["상품", 4, 5, 3 + len(products), 5],
            }
        )
        chart.set_title({"name": "상품별 매출"})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"none": True})
        ws.insert_chart(3 + len(products) + 2, 1, chart)

    # 고객 -------------------------------------------------------------------------------
    ws = b.sheet("고객", f"{name} 구매 금액 상위 고객" + (" (이름 마스킹)" if content["masked"] else ""), footer)
    b.table(
        ws,
        3,
        ["순위", "고객 ID", "고객", "멤버십", "완료 주문", f"매출 ({cur})"],
        [
            [
                (k, b.int),
                i(r["customer_id"]),
                (r["name"], b.text),
                (r["membership_level"], b.text),
                i(r["orders"]),
                m(r["revenue"]),
            ]
            for k, r in enumerate(shop["top_buyers"], 1)
        ],
        [6, 10, 14, 10, 10, 18],
    )
    ws.freeze_panes(4, 0)

    # 센터 -------------------------------------------------------------------------------
    ws = b.sheet("센터", f"{name} 웰니스 센터 (금액: 원)", footer)
    liab = center["liability"]
    k = lambda v: (v, b.krw)  # noqa: E731
    row = b.table(
        ws,
        3,
        ["지표", "값"],
        [
            [("패키지 판매 건수", b.text), i(center["packages"]["count"])],
            [("패키지 매출 (원)", b.text), k(center["packages"]["revenue"])],
            [("환불된 구매", b.text), i(center["packages"]["refunded"])],
            [("취소된 구매", b.text), i(center["packages"]["cancelled"])],
            [("이용 세션", b.text), i(center["sessions"]["sessions"])],
            [("패키지 차감 세션", b.text), i(center["sessions"]["from_package"])],
            [("이용 고객", b.text), i(center["sessions"]["customers"])],
            [("평균 만족도", b.text), (center["satisfaction"]["average"], b.rating)],
            [(f"선수금 미사용 세션 ({liab['as_of']} 마감)", b.text), i(liab["sessions"])],
            [(f"선수금 잔액 ({liab['as_of']} 마감, 원)", b.text), k(liab["value"])],
        ],
        [34, 18, 14, 14, 16],
    )
    ws.freeze_panes(4, 0)
    row += 1
    row = b.table(
        ws,
        row,
        ["패키지", "판매 건수", "매출 (원)"],
        [[(p["package_name"], b.text), i(p["count"]), k(p["revenue"])] for p in center["packages"]["packages"]],
        [34, 18, 14],
    )
    row += 1
    services = center["sessions"]["services"]
    services_top = row
    row = b.table(
        ws,
        row,
        ["서비스", "세션", "패키지 차감", "고객 수", "만족도"],
        [
            [
                (s["service_name"], b.text),
                i(s["sessions"]),
                i(s["from_package"]),
                i(s["customers"]),
                (s["satisfaction"], b.rating),
            ]
            for s in services
        ],
        [34, 18, 14, 14, 16],
    )
    row += 1
    row = b.table(
        ws,
        row,
        ["만족도", "세션 수", "비율"],
        [
            [(f"{d['rating']}점", b.text), i(d["count"]), (_frac(d["share"]), b.pct)]
            for d in center["satisfaction"]["distribution"]
        ],
        [34, 18, 14],
    )
    row += 1
    row = b.table(
        ws,
        row,
        ["선수금: 서비스", "미사용 세션", "가치 (원)"],
        [[(s["service_name"], b.text), i(s["sessions"]), k(s["value"])] for s in liab["by_service"]],
        [34, 18, 14],
    )
    row += 1
    row = b.table(
        ws,
        row,
        ["만료 예정 (누적)", "미사용 세션", "가치 (원)"],
        [[(f"{e['within_days']}일 이내", b.text), i(e["sessions"]), k(e["value"])] for e in liab["expiring"]],
        [34, 18, 14],
    )
    ws.write(
        row + 1,
        0,
        "선수금 가치 = 결제 금액을 서비스 정가 비율로 세션에 배분한 값(상대적 개별 판매가격). 환불·취소 구매 제외.",
        b.note,
    )
    if include_charts and services:
        chart = b.wb.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": "세션",
                "categories": ["센터", services_top + 1, 0, services_top + len(services), 0],
                "values": ["센터", services_top + 1, 1, services_top + len(services), 1],
            }
        )
        chart.add_series(
            {
                "name": "패키지 차감",
                "categories": ["센터", services_top + 1, 0, services_top + len(services), 0],
                "values": ["센터", services_top + 1, 2, services_top + len(services), 2],
            }
        )
        chart.set_title({"name": "서비스별 이용 세션"})
        ws.insert_chart(3, 6, chart)

    sheets = len(b.wb.worksheets())
    b.wb.close()
    return sheets
