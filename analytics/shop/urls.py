"""Seed 000 §2 routes; names match accounts/policy.py."""

from django.urls import path

from .views import DashboardView, SalesForecastView, UserBehaviorView

urlpatterns = [
    path("analytics/dashboard", DashboardView.as_view(), name="analytics-dashboard"),
    path("analytics/users/<id:user_id>/behavior", UserBehaviorView.as_view(), name="analytics-user-behavior"),
    path("analytics/sales/forecast", SalesForecastView.as_view(), name="analytics-sales-forecast"),
]
