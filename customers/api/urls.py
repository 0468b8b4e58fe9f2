"""Customer routes (seed 004 §1, §4 and the plain operations). Names match accounts/policy.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("customers", views.CustomerListView.as_view(), name="customer-list"),
    path("customers/search", views.CustomerSearchView.as_view(), name="customer-search"),
    path("customers/<id:customer_id>", views.CustomerDeleteView.as_view(), name="customer-delete"),
    path("customers/<id:customer_id>/detail", views.CustomerDetailView.as_view(), name="customer-detail"),
    path("customers/<id:customer_id>/sessions", views.CustomerSessionsView.as_view(), name="customer-sessions"),
]
