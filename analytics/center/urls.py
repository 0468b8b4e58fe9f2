"""Center customer analytics routes (seed 004 §2). Names match accounts/policy.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("customers/<id:customer_id>/analytics", views.CustomerAnalyticsView.as_view(), name="customer-analytics"),
    path("customers/segments/<id:customer_id>", views.CustomerSegmentView.as_view(), name="customer-segment"),
]
