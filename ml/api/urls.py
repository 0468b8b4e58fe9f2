"""ml routes; names match accounts/policy.py."""

from django.urls import path

from .views import SentimentAnalyzeView

urlpatterns = [
    path("ml/sentiment/analyze", SentimentAnalyzeView.as_view(), name="ml-sentiment-analyze"),
]
