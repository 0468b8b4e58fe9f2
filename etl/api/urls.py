"""Seed 000 §7 routes and the product search; names match accounts/policy.py."""

from django.urls import path

from .views import ProductSearchView, SyncJobView, SyncView

urlpatterns = [
    path("etl/sync", SyncView.as_view(), name="etl-sync"),
    path("etl/jobs/<str:job_id>", SyncJobView.as_view(), name="etl-job-detail"),
    path("products/search", ProductSearchView.as_view(), name="products-search"),
]
