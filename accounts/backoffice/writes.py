"""How the back office writes: through the services, which may refuse (the admin shows why and
keeps what was typed), or not at all (rows that other code writes are only shown)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.text import capfirst

from accounts.principal import Principal, principal_from_user
from core.errors import ApiError

# What a refused service call raises; shown to the user as an admin error message.
SERVICE_ERRORS = (ApiError, ValidationError)


def service_error_message(exc: Exception) -> str:
    """The Korean message of a refused service call (ApiError or a Django ValidationError)."""
    if isinstance(exc, ApiError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def rerender_as_get(view: Any, request: HttpRequest, *args: Any) -> HttpResponse:
    """Show an add/change form again after a service refused the save, with the values the
    user posted as initial data (the admin view's transaction has rolled back: nothing saved)."""
    request.GET = request.POST.copy()
    for key in ("csrfmiddlewaretoken", "_save", "_continue", "_addanother"):
        request.GET.pop(key, None)
    request.method = "GET"
    return view(request, *args)


class ServiceSaveAdminMixin:
    """ModelAdmin mixin for add/change forms whose save calls a service: a refusal
    (:data:`SERVICE_ERRORS`) shows the form again with the values the user posted and
    ``<service_error_prefix>: <why>`` as an error message. Nothing is saved: the admin view's
    transaction has rolled back. Put it first in the bases."""

    service_error_prefix = "저장하지 못했습니다"

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        except SERVICE_ERRORS as exc:
            message = f"{self.service_error_prefix}: {service_error_message(exc)}"
            self.message_user(request, message, messages.ERROR)  # type: ignore[attr-defined]
            return rerender_as_get(super().changeform_view, request, object_id, form_url, extra_context)  # type: ignore[misc]


class ServiceDeleteAdminMixin:
    """ModelAdmin mixin: the delete page and the "delete selected" action call
    :meth:`delete_by_service` once per object (the service writes its own audit row and keeps
    what depends on the row consistent), never a bare ``QuerySet.delete()``."""

    # True when the service decides what happens to the rows that depend on the object (it may
    # keep them and anonymise the object): Django's "cannot delete" list of protected rows and
    # its permission checks on them do not apply, the confirmation shows ``deletion_line``s
    service_decides_dependents = False

    def delete_by_service(self, request: HttpRequest, obj: Model, *, actor: Principal) -> None:
        raise NotImplementedError

    def deletion_line(self, obj: Model) -> str:
        """One line of the confirmation page: what the service will do to ``obj``."""
        return f"{capfirst(obj._meta.verbose_name)}: {obj}"

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[list, dict, set, list]:
        if not self.service_decides_dependents:
            return super().get_deleted_objects(objs, request)  # type: ignore[misc]
        objs = list(objs)
        label = str(objs[0]._meta.verbose_name_plural) if objs else ""
        return [self.deletion_line(obj) for obj in objs], {label: len(objs)}, set(), []

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        self.delete_by_service(request, obj, actor=principal_from_user(request.user))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        actor = principal_from_user(request.user)
        with transaction.atomic():  # all of the selection or none (the changelist is not atomic)
            for obj in queryset:
                self.delete_by_service(request, obj, actor=actor)


class ReadOnlyAdminMixin:
    """Rows that other code writes (a service, the shop, a job): shown, never added, changed or
    deleted from the admin. For ModelAdmins and inlines alike."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyAdminMixin):
    """An inline that shows rows without editing them (writes go through services/actions)."""

    extra = 0
    can_delete = False
    show_change_link = True
