"""Analytics routes: the center's customer analytics (seed 004 §2) and the shop's (seed 000 §2)."""

from django.urls import include, path

urlpatterns = [
    path("", include("analytics.center.urls")),
    path("", include("analytics.shop.urls")),
]
