"""What every back-office ModelAdmin with customer data shares: masking, health redaction and
the audit rows of API.md, applied the same way on every page.

- List columns and read-only detail fields show PII masked unless the user may see it
  unmasked (``accounts.visibility``): a PII field named in ``list_display``/``fields`` is
  swapped for its ``masked_<field>`` read-only twin, so the raw value never reaches the HTML,
  not even in a form's ``value=`` attribute.
- Health fields are left out of lists, forms and inlines without ``view_health_info``.
- The changelist writes a ``list`` row (the ids shown), a change page a ``view`` row, a save an
  ``update``/``create`` row with the changed field names, an export an ``export`` row
  (``accounts.backoffice.import_export``).
- The search box finds customers by name, phone and e-mail under the rules of the API search.
  Those rules need the Customer model, which this layer does not import: the app that registers
  the admin passes them in (``customers_matching``, see :class:`CustomerDataAdminMixin`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from accounts.audit import audit_log
from accounts.backoffice.dates import FastDateHierarchyMixin
from accounts.masking import PII_FIELDS
from accounts.models import AuditLog
from accounts.principal import Principal, principal_of
from accounts.search_terms import audited_search_term, normalise_term, search_watch
from core.cache import invalidate

# The model fields that hold health information (API.md: view_health_info), by model field name.
HEALTH_MODEL_FIELDS = ("health_goals", "session_notes", "health_interests", "value", "note")


def changelist_conditions(request: HttpRequest) -> dict[str, Any]:
    """Filters and (masked) search text of a changelist request, for the audit row."""
    conditions: dict[str, Any] = {}
    for key, value in request.GET.items():
        if key == "q":
            conditions.update(audited_search_term(value))
        elif key not in {"o", "p", "_changelist_filters"}:
            conditions[key] = value[:100]
    return conditions


class CustomerDataAdminMixin(FastDateHierarchyMixin):
    """Mixin for ModelAdmins whose rows belong to customers (see the module docstring).

    Subclasses set ``pii_fields`` (model fields masked for users without
    ``view_unmasked_pii``; each needs a ``masked_<field>`` attribute, see
    :func:`accounts.backoffice.display.masked_field_display`) and ``health_fields`` (hidden
    without ``view_health_info``), and override :meth:`customer_ids_of` when the customer is not
    ``obj.customer_id``. A ModelAdmin whose search box finds customers sets
    ``customer_search_path`` and ``customers_matching``.
    """

    pii_fields: Sequence[str] = ()
    health_fields: Sequence[str] = ()
    # a changelist of this model shows health information (e.g. health metrics)
    health_model: bool = False
    audit_views: bool = True

    # --- who is looking ----------------------------------------------------------------
    def principal(self, request: HttpRequest) -> Principal:
        return principal_of(request)

    def customer_ids_of(self, obj: Model) -> list[int]:
        customer_id = getattr(obj, "customer_id", None)
        return [customer_id] if customer_id else []

    def _swap_pii(self, request: HttpRequest, names: Iterable[Any]) -> list[Any]:
        principal = self.principal(request)
        out: list[Any] = []
        for name in names:
            if isinstance(name, str) and name in self.health_fields and not principal.can_view_health:
                continue
            if isinstance(name, str) and name in self.pii_fields and not principal.can_view_unmasked:
                out.append(f"masked_{name}")
            else:
                out.append(name)
        return out

    # --- lists -------------------------------------------------------------------------
    def get_list_display(self, request: HttpRequest) -> list[Any]:
        return self._swap_pii(request, super().get_list_display(request))  # type: ignore[misc]

    def get_list_display_links(self, request: HttpRequest, list_display: Sequence[Any]) -> Any:
        links = super().get_list_display_links(request, list_display)  # type: ignore[misc]
        if links is None:
            return links
        return [link for link in self._swap_pii(request, links) if link in list_display] or list(list_display)[:1]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        context = getattr(response, "context_data", None) or {}
        changelist = context.get("cl")
        if self.audit_views and changelist is not None and request.method == "GET":
            # list() fills the page queryset's cache, so the template reuses these rows.
            rows = list(changelist.result_list)
            ids: set[int] = set()
            for row in rows:
                ids.update(self.customer_ids_of(row))
            principal = self.principal(request)
            if request.GET.get("q"):
                search_watch(principal=principal, term=request.GET["q"], request=request)
            unmasked = [f for f in self.pii_fields if principal.can_view_unmasked]
            if principal.can_view_unmasked and "name" not in unmasked:
                unmasked.append("name")  # str(customer) is unmasked for this viewer (customers.display)
            health = list(self.health_fields) if principal.can_view_health else []
            if self.health_model and not principal.can_view_health:
                health = []
            audit_log(
                action=AuditLog.Action.LIST,
                request=request,
                customer_ids=ids,
                query={"model": self.model._meta.label, **changelist_conditions(request)},  # type: ignore[attr-defined]
                fields_unmasked=unmasked if ids else [],
                fields_health=(health or (["healthMetrics"] if self.health_model else [])) if ids else [],
                status_code=response.status_code,
            )
        return response

    # --- detail ------------------------------------------------------------------------
    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> list[Any]:
        fields = super().get_fields(request, obj)  # type: ignore[misc]
        return self._detail_fields(request, obj, fields)

    def _detail_fields(self, request: HttpRequest, obj: Model | None, fields: Iterable[Any]) -> list[Any]:
        if obj is None:
            # A new record: staff type the personal data themselves; only health stays hidden.
            principal = self.principal(request)
            return [f for f in fields if principal.can_view_health or f not in self.health_fields]
        return self._swap_pii(request, fields)

    def get_fieldsets(self, request: HttpRequest, obj: Model | None = None) -> list[tuple[Any, dict]]:
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        out = []
        for title, options in fieldsets:
            fields = self._detail_fields(request, obj, options.get("fields", ()))
            if fields:
                out.append((title, {**options, "fields": fields}))
        return out

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        principal = self.principal(request)
        if obj is not None and not principal.can_view_unmasked:
            readonly += [f"masked_{f}" for f in self.pii_fields]
        return readonly

    # --- search ------------------------------------------------------------------------
    # The relation from this model to Customer ("" for Customer itself). When set, the search
    # box matches the customer's name, phone and e-mail under the rules of
    # customers/search_terms.py (the same as the API search: whole values or the last four
    # digits for users who see masked values), and those columns are left out of the plain
    # ``search_fields`` substring search, which keeps only the other fields.
    customer_search_path: str | None = None
    # ``customers.search_terms.customers_matching`` (set as a staticmethod by the customers and
    # commerce admins): the customers matching a term, under the masked or the unmasked rules.
    customers_matching: Callable[..., QuerySet] | None = None

    def _is_customer_pii_lookup(self, lookup: str) -> bool:
        prefix = f"{self.customer_search_path}__" if self.customer_search_path else ""
        name = lookup.lstrip("^=@")
        return name.startswith(prefix) and name[len(prefix) :] in PII_FIELDS

    def get_search_fields(self, request: HttpRequest) -> Sequence[str]:
        fields = super().get_search_fields(request)  # type: ignore[misc]
        if self.customer_search_path is None:
            return fields
        return [f for f in fields if not self._is_customer_pii_lookup(f)]

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        term = normalise_term(search_term)
        if self.customer_search_path is None or not term:
            return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]
        others, may_have_duplicates = super().get_search_results(request, queryset, term)  # type: ignore[misc]
        if self.customers_matching is None:
            raise TypeError(f"{type(self).__name__} sets customer_search_path without customers_matching")
        matching = self.customers_matching(term, unmasked=self.principal(request).can_view_unmasked).values("pk")
        path = f"{self.customer_search_path}__in" if self.customer_search_path else "pk__in"
        by_customer = queryset.filter(**{path: matching})
        if not self.get_search_fields(request):
            return by_customer, may_have_duplicates
        return others | by_customer, may_have_duplicates

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        if self.audit_views and request.method == "GET" and response.status_code == 200:
            obj = (getattr(response, "context_data", None) or {}).get("original")
            if obj is not None:
                self.audit_detail_view(request, obj, response.status_code)
        return response

    def audit_detail_view(self, request: HttpRequest, obj: Model, status_code: int) -> None:
        principal = self.principal(request)
        unmasked = [f for f in self.pii_fields if principal.can_view_unmasked and getattr(obj, f, None)]
        health: list[str] = []
        if principal.can_view_health:
            health = list(self.shown_health_fields(obj))
        audit_log(
            action=AuditLog.Action.VIEW,
            request=request,
            customer_ids=self.customer_ids_of(obj),
            query={"model": obj._meta.label, "object_id": obj.pk},
            fields_unmasked=unmasked,
            fields_health=health,
            status_code=status_code,
        )

    def shown_health_fields(self, obj: Model) -> Iterable[str]:
        """The health fields a change page of ``obj`` shows to a permitted user."""
        return [f for f in self.health_fields if getattr(obj, f, None) not in (None, "", [], {})]

    # --- writes ------------------------------------------------------------------------
    def audit_write(self, request: HttpRequest, obj: Model, *, change: bool, changed: Iterable[str]) -> None:
        changed = sorted(set(changed))
        # Changed field names only; values may be personal data.
        audit_log(
            action=AuditLog.Action.UPDATE if change else AuditLog.Action.CREATE,
            request=request,
            customer_ids=self.customer_ids_of(obj),
            query={"model": obj._meta.label, "object_id": obj.pk, "changed_fields": changed},
            fields_unmasked=[f for f in changed if f in PII_FIELDS],
            fields_health=[f for f in changed if f in HEALTH_MODEL_FIELDS],
            status_code=302,
        )
        for customer_id in self.customer_ids_of(obj):
            invalidate(f"customer:{customer_id}")

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        self.audit_write(request, obj, change=change, changed=form.changed_data)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        ids = self.customer_ids_of(obj)
        label, pk = obj._meta.label, obj.pk
        super().delete_model(request, obj)  # type: ignore[misc]
        audit_log(
            action=AuditLog.Action.DELETE, request=request, customer_ids=ids, query={"model": label, "object_id": pk}
        )
        for customer_id in ids:
            invalidate(f"customer:{customer_id}")

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        ids: set[int] = set()
        pks = []
        for obj in queryset:
            ids.update(self.customer_ids_of(obj))
            pks.append(obj.pk)
        super().delete_queryset(request, queryset)  # type: ignore[misc]
        audit_log(
            action=AuditLog.Action.DELETE,
            request=request,
            customer_ids=ids,
            query={"model": self.model._meta.label, "object_ids": pks},
        )  # type: ignore[attr-defined]
        for customer_id in ids:
            invalidate(f"customer:{customer_id}")
