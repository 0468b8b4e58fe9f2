"""The PDF: a Django template rendered by WeasyPrint, with the Korean font embedded (subset)
from the installed Nanum fonts, charts as inline SVG, and on every page the page number, the
generation time and the data cut-off (CSS margin boxes, real text)."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from . import charts

# WeasyPrint logs every layout step at INFO; keep the job log to what matters
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/nanum/NanumGothic.ttf", "/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf"),
    (
        "/usr/share/fonts/truetype/nanum/NanumBarunGothic.ttf",
        "/usr/share/fonts/truetype/nanum/NanumBarunGothicBold.ttf",
    ),
)


class ReportRenderError(Exception):
    """A report file could not be made; the message (Korean) is shown on the failed report."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


def korean_fonts() -> tuple[Path, Path]:
    """Regular and bold Korean font files (``REPORTS_FONT_FILES`` or the Nanum fonts)."""
    configured = getattr(settings, "REPORTS_FONT_FILES", None)
    for regular, bold in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if Path(regular).is_file():
            return Path(regular), Path(bold) if Path(bold).is_file() else Path(regular)
    raise ReportRenderError("한글 글꼴(NanumGothic)을 찾을 수 없어 PDF를 만들 수 없습니다 (fonts-nanum 설치 필요)")


def warm_up() -> None:
    """Import the renderers' heavy libraries (WeasyPrint, pyplot with the Korean font)."""
    import weasyprint  # noqa: F401

    charts._plt()


def _local(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def pdf_context(content: dict[str, Any], *, include_charts: bool, report_id: str) -> dict[str, Any]:
    regular, bold = korean_fonts()
    shop = content["shop"]
    dash = shop["dashboard"]
    center = content["center"]
    chart_svgs: dict[str, str] = {}
    if include_charts:
        chart_svgs = {
            "daily": charts.daily_revenue(dash["daily_trend"], content["currency"]),
            "categories": charts.horizontal_bars(
                [c["category_name"] for c in dash["top_categories"]],
                [c["revenue"] for c in dash["top_categories"]],
                f"카테고리별 매출 ({content['currency']})",
            ),
            "products": charts.horizontal_bars(
                [p["product_name"] for p in shop["top_products"]],
                [p["revenue"] for p in shop["top_products"]],
                f"상품별 매출 상위 ({content['currency']})",
                color=charts.ORANGE,
            ),
            "sessions": charts.sessions_by_service(center["sessions"]["services"]),
            "liability": charts.liability_expiring(center["liability"]["expiring"], center["liability"]["value"]),
        }
    daily = dash["daily_trend"]
    half = (len(daily) + 1) // 2
    daily_pairs = [(daily[i], daily[i + half] if i + half < len(daily) else None) for i in range(half)]
    return {
        "c": content,
        "daily_pairs": daily_pairs,
        "shop": shop,
        "dash": dash,
        "center": center,
        "cur": content["currency"],
        "charts": chart_svgs,
        "report_id": report_id,
        "generated_at": _local(content["generated_at"]),
        "data_cutoff": _local(content["data_cutoff"]),
        "font_regular": regular.as_uri(),
        "font_bold": bold.as_uri(),
    }


def render_pdf(content: dict[str, Any], *, include_charts: bool, report_id: str, target: Path) -> int:
    """Write the PDF to ``target``; returns the number of pages."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(
        "reports/sales_monthly.html", pdf_context(content, include_charts=include_charts, report_id=report_id)
    )
    fonts = FontConfiguration()
    try:
        document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(font_config=fonts)
        document.write_pdf(target)
    except ReportRenderError:
        raise
    except Exception as exc:  # WeasyPrint/Pango failures: a Korean message on the report
        raise ReportRenderError(f"PDF를 만드는 중 오류가 발생했습니다: {exc}") from exc
    return len(document.pages)
