"""Seed 000 §4 routes; names match accounts/policy.py."""

from django.urls import path

from .pricing_views import PriceOptimizeView

urlpatterns = [
    path("ml/pricing/optimize", PriceOptimizeView.as_view(), name="ml-pricing-optimize"),
]
