"""How a customer is named on a page: masked (``이*우 (#2)``) unless the viewer of the current
admin request may see personal data unmasked (ADMIN, or ``view_unmasked_pii``).

``Customer.__str__`` is what Django's admin shows in foreign-key columns, breadcrumbs, raw-id
widgets and titles of every related page (purchases, sessions, orders, reviews…). It cannot
see the request, so :class:`AdminUnmaskedNamesMiddleware` sets a context variable for the
duration of an ``/admin/`` request of such a viewer (the template renders inside it). Anywhere
else — the API, jobs, logs, another viewer — names stay masked.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

unmasked_names: contextvars.ContextVar[bool] = contextvars.ContextVar("unmasked_names", default=False)


def names_unmasked() -> bool:
    return unmasked_names.get()


class AdminUnmaskedNamesMiddleware:
    """Unmask ``str(customer)`` inside admin requests of a viewer allowed to see names."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._prefix: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._prefix is None:
            self._prefix = reverse("admin:index")
        user = getattr(request, "user", None)
        if not request.path.startswith(self._prefix) or not getattr(user, "is_authenticated", False):
            return self.get_response(request)
        from accounts.principal import principal_from_user

        token = unmasked_names.set(principal_from_user(user).can_view_unmasked)
        try:
            return self.get_response(request)
        finally:
            unmasked_names.reset(token)
