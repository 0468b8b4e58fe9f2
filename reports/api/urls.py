"""Seed 000 §6 routes; names match accounts/policy.py."""

from django.urls import path

from .views import ReportDetailView, ReportDownloadView, SalesMonthlyReportView

urlpatterns = [
    path("reports/sales/monthly", SalesMonthlyReportView.as_view(), name="reports-sales-monthly"),
    path("reports/<str:report_id>", ReportDetailView.as_view(), name="reports-detail"),
    path("reports/<str:report_id>/download", ReportDownloadView.as_view(), name="reports-download"),
]
