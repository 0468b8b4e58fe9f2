"""Back office of the reports app: the overview above the admin's app list
(``templates/admin/index.html``) and the 리포트 page (monthly sales reports).

The figures come from ``reports.overview`` (computed ahead and stored); here they are shaped for one viewer:
customer names masked unless the viewer may see them, money only for MANAGER and above, and
the customers listed on the page written to the audit log.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts.audit import audit_log
from accounts.masking import mask_name, mask_phone
from accounts.models import AuditLog
from accounts.principal import principal_of
from accounts.roles import Role
from core.errors import ApiError
from core.timeutils import local_today
from reports.models import Report, ReportFormat
from reports.overview import expiring_contacts, overview_get
from reports.selectors.reports import report_status, reports_visible_to
from reports.services.reports import ReportRequest, report_open_for_download, report_request

MONEY_LEAST_ROLE = Role.MANAGER


def overview_context(request: HttpRequest) -> dict[str, Any]:
    """The template context of the overview for ``request.user``."""
    principal = principal_of(request)
    overview, freshness = overview_get()
    hit = freshness["stored"]
    unmasked = principal.can_view_unmasked
    # names and phones as they are now (the stored copy holds ids only): a customer deleted or
    # anonymised since the copy was made is never shown under the old name
    contacts = expiring_contacts(overview["expiring"]["rows"])
    expiring = [
        {
            **row,
            "customer_name": name if unmasked else mask_name(name),
            "customer_phone": phone if unmasked else mask_phone(phone),
        }
        for row in overview["expiring"]["rows"]
        if row["customer_id"] in contacts
        for name, phone in [contacts[row["customer_id"]]]
    ]
    if expiring:
        audit_log(
            action=AuditLog.Action.LIST,
            request=request,
            customer_ids=[row["customer_id"] for row in expiring],
            query={"view": "admin-overview", "list": "expiring_packages"},
            fields_unmasked=["name", "phone"] if unmasked else [],
            status_code=200,
            cache_hit=hit,
        )
    show_money = principal.has_role(MONEY_LEAST_ROLE)
    return {
        "overview": overview,
        "figures": overview["figures"],
        "expiring": expiring,
        "expiring_count": overview["expiring"]["count"],
        "show_money": show_money,
        "charts": overview["charts"],
        "top_products": overview["top_products"],
        "cache_hit": hit,
        "freshness": freshness,
        "computed_ago": computed_ago(freshness["computed_at"]),
    }


def computed_ago(computed_at: _dt.datetime, *, now: _dt.datetime | None = None) -> str:
    """ "방금 전" / "n분 전" / "n시간 전" / "n일 전": how old the stored overview is."""
    seconds = max(0, int(((now or timezone.now()) - computed_at).total_seconds()))
    if seconds < 60:
        return "방금 전"
    if seconds < 3600:
        return f"{seconds // 60}분 전"
    if seconds < 86400:
        return f"{seconds // 3600}시간 전"
    return f"{seconds // 86400}일 전"


# --- 리포트: monthly sales reports (seed 000 §6) ---------------------------------------------


REPORTS_LEAST_ROLE = Role.MANAGER
STATUS_LABELS = {"queued": "대기", "running": "생성 중", "completed": "완료", "failed": "실패", "expired": "만료"}


class ReportRequestForm(forms.Form):
    year = forms.IntegerField(label="연도", min_value=2000, max_value=2100)
    month = forms.IntegerField(label="월", min_value=1, max_value=12)
    format = forms.ChoiceField(label="형식", choices=ReportFormat.choices, initial=ReportFormat.PDF)
    include_charts = forms.BooleanField(label="차트 포함", required=False, initial=True)
    force = forms.BooleanField(label="같은 리포트가 진행 중이어도 새로 만들기", required=False)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """리포트: MANAGER 이상. 자기가 요청한 리포트만 보이고 ADMIN은 모두 봅니다. 요청은 API와 같은
    서비스(``report_request``)를, 내려받기는 같은 감사 기록(``download``)을 거칩니다."""

    change_list_template = "admin/reports/report/change_list.html"
    list_display = (
        "report_id",
        "period",
        "format",
        "status_label",
        "progress",
        "requested_by_name",
        "created_at",
        "download",
    )
    list_filter = ("format", "job__status", "year")
    search_fields = ("report_id", "requested_by_name")
    ordering = ("-created_at",)
    list_select_related = ("job",)

    def _allowed(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff) and principal_of(request).has_role(
            REPORTS_LEAST_ROLE
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Report | None = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Report | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Report | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest):
        return reports_visible_to(principal_of(request))

    @admin.display(description="기간")
    def period(self, obj: Report) -> str:
        return f"{obj.year}년 {obj.month}월"

    @admin.display(description="상태")
    def status_label(self, obj: Report) -> str:
        status = report_status(obj)
        label = STATUS_LABELS.get(status, status)
        if status == "failed" and obj.job and obj.job.error:
            return format_html('<span title="{}" style="color:#c92a2a">{}</span>', obj.job.error, label)
        return label

    @admin.display(description="진행률")
    def progress(self, obj: Report) -> str:
        return f"{obj.job.progress:.0f}%" if obj.job else "—"

    @admin.display(description="내려받기")
    def download(self, obj: Report) -> str:
        if report_status(obj) != "completed" or not obj.file:
            return "—"
        url = reverse("admin:reports_report_download", args=[obj.report_id])
        return format_html('<a href="{}">{}</a>', url, obj.download_filename)

    def get_urls(self) -> list:
        return [
            path("request/", self.admin_site.admin_view(self.request_view), name="reports_report_request"),
            path(
                "<str:report_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="reports_report_download",
            ),
            *super().get_urls(),
        ]

    def request_view(self, request: HttpRequest):
        if not self._allowed(request):
            raise Http404
        last = local_today().replace(day=1) - _dt.timedelta(days=1)
        form = ReportRequestForm(request.POST or None, initial={"year": last.year, "month": last.month})
        if request.method == "POST" and form.is_valid():
            try:
                report, created = report_request(
                    actor=principal_of(request), req=ReportRequest(**form.cleaned_data), request=request
                )
            except ApiError as exc:
                fields = (exc.details or {}).get("fields", {})
                for field, errors in fields.items():
                    form.add_error(field if field in form.fields else None, errors)
                if not fields:
                    form.add_error(None, exc.message)
            else:
                verb = "요청했습니다" if created else "같은 리포트가 이미 진행 중입니다"
                self.message_user(
                    request,
                    f"{report.report_id}: {verb} (상태: {STATUS_LABELS.get(report_status(report), '')})",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:reports_report_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "월간 매출 리포트 요청",
        }
        return TemplateResponse(request, "admin/reports/report/request.html", context)

    def download_view(self, request: HttpRequest, report_id: str):
        principal = principal_of(request)
        report = self.get_queryset(request).filter(report_id=report_id).first() if self._allowed(request) else None
        if report is None:
            raise Http404
        try:
            handle = report_open_for_download(principal=principal, report=report, request=request)
        except ApiError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:reports_report_changelist"))
        return FileResponse(
            handle, as_attachment=True, filename=report.download_filename, content_type=report.content_type
        )
