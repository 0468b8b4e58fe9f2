"""Test-only routes: one view per least role, one that fails, one that echoes its body.

Used with the ``test_routes`` fixture (accounts/testing/fixtures.py), which also adds their rules to POLICY.
"""

from __future__ import annotations

from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.policy import ANONYMOUS, Rule
from accounts.principal import principal_of
from accounts.roles import Role
from config.urls import urlpatterns as project_urlpatterns


class WhoAmIView(APIView):
    def get(self, request: Request) -> Response:
        principal = principal_of(request)
        return Response({"name": principal.name, "role": principal.role, "kind": principal.kind})

    def post(self, request: Request) -> Response:
        return Response({"received": request.data})


class BoomView(APIView):
    def get(self, request: Request) -> Response:
        raise RuntimeError("secret internal detail: password=hunter2")


TEST_POLICY: dict[str, dict[str, Rule]] = {
    "test-anonymous": {"GET": Rule(ANONYMOUS, "general"), "POST": Rule(ANONYMOUS, "general")},
    "test-staff": {"GET": Rule(Role.STAFF, "general"), "POST": Rule(Role.STAFF, "general")},
    "test-manager": {"GET": Rule(Role.MANAGER, "analytics")},
    "test-admin": {"GET": Rule(Role.ADMIN, "general")},
    "test-boom": {"GET": Rule(ANONYMOUS, None)},
    # deliberately absent from TEST_POLICY: "test-unlisted" (deny by default)
}

test_patterns = [
    path("anonymous", WhoAmIView.as_view(), name="test-anonymous"),
    path("staff", WhoAmIView.as_view(), name="test-staff"),
    path("manager", WhoAmIView.as_view(), name="test-manager"),
    path("admin", WhoAmIView.as_view(), name="test-admin"),
    path("unlisted", WhoAmIView.as_view(), name="test-unlisted"),
    path("boom", BoomView.as_view(), name="test-boom"),
]

urlpatterns = [path("api/v1/_test/", include(test_patterns)), *project_urlpatterns]
