"""Seed 000 §5 routes; names match accounts/policy.py."""

from django.urls import path

from .views import ImageOcrView, ImageValidateView

urlpatterns = [
    path("images/validate", ImageValidateView.as_view(), name="images-validate"),
    path("images/ocr", ImageOcrView.as_view(), name="images-ocr"),
]
