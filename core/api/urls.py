from django.urls import path

from . import views

urlpatterns = [
    path("health", views.HealthView.as_view(), name="health"),
    path("health/ready", views.HealthView.as_view(), name="health-ready"),
    path("health/live", views.LivenessView.as_view(), name="health-live"),
]
