"""ml routes (seed 000 §4); names match accounts/policy.py."""

from django.urls import path

from .pricing_views import PriceOptimizeView
from .views import SentimentAnalyzeView

urlpatterns = [
    path("ml/pricing/optimize", PriceOptimizeView.as_view(), name="ml-pricing-optimize"),
    path("ml/sentiment/analyze", SentimentAnalyzeView.as_view(), name="ml-sentiment-analyze"),
]
