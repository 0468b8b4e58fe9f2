from django.urls import include, path

urlpatterns = [
    path("", include("recommendations.center.urls")),
    path("", include("recommendations.shop.urls")),
]
