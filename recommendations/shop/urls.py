"""Seed 000 §3 routes; names match accounts/policy.py."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "recommendations/users/<int:user_id>/products",
        views.UserProductRecommendationsView.as_view(),
        name="recommendations-user-products",
    ),
    path(
        "recommendations/products/<int:product_id>/related",
        views.RelatedProductsView.as_view(),
        name="recommendations-product-related",
    ),
]
