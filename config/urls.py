"""URL map. API routes live in each app's ``api/urls.py``; access rules in accounts/policy.py."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from core.api.views import DocsView, SchemaView

admin.site.site_header = "웰니스 센터 · K-푸드 백오피스"
admin.site.site_title = "백오피스"
admin.site.index_title = "업무 메뉴"
# there is no public site behind the back office: no "사이트 보기" link leading to a 404
admin.site.site_url = None

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("core.api.urls")),
    path("", include("customers.api.urls")),
    path("", include("commerce.api.urls")),
    path("", include("analytics.api.urls")),
    path("", include("recommendations.api.urls")),
    path("", include("ml.api.urls")),
    path("", include("imaging.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("etl.api.urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="docs"),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
