"""Shop routes. Names match accounts/policy.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("customers/<id:customer_id>/orders", views.CustomerOrdersView.as_view(), name="customer-orders"),
]
