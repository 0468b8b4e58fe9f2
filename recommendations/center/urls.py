"""Center recommendation routes (seed 004 §3). Names match accounts/policy.py."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "customers/<id:customer_id>/recommendations",
        views.CustomerRecommendationsView.as_view(),
        name="customer-recommendations",
    ),
    path(
        "customers/<id:customer_id>/recommendations/<str:recommendation_id>/feedback",
        views.RecommendationFeedbackView.as_view(),
        name="customer-recommendation-feedback",
    ),
]
