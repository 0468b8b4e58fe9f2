"""What every back-office ModelAdmin with customer data shares: masking, health redaction and
the audit rows of API.md, applied the same way on every page.

- List columns and read-only detail fields show PII masked unless the user may see it
  unmasked (``accounts.visibility``): a PII field named in ``list_display``/``fields`` is
  swapped for its ``masked_<field>`` read-only twin, so the raw value never reaches the HTML,
  not even in a form's ``value=`` attribute.
- Health fields are left out of lists, forms and inlines without ``view_health_info``.
- The changelist writes a ``list`` row (the ids shown), a change page a ``view`` row, a save an
  ``update``/``create`` row with the changed field names, an export an ``export`` row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from import_export.formats import base_formats

from accounts.audit import audit_log
from accounts.masking import PII_FIELDS, mask_value
from accounts.models import AuditLog
from accounts.principal import Principal, principal_of
from accounts.roles import Role
from core.cache import invalidate
from core.errors import ApiError
from core.money import format_money
from customers.search_terms import audited_search_term, customers_matching, normalise_term, search_watch

# What a refused service call raises; shown to the user as an admin error message.
SERVICE_ERRORS = (ApiError, ValidationError)

# The model fields that hold health information (API.md: view_health_info), by model field name.
HEALTH_MODEL_FIELDS = ("health_goals", "session_notes", "health_interests", "value", "note")


def money(value: Any, currency: str = "KRW") -> str:
    """``1305000`` → ``₩1,305,000``, ``25610`` in GBP → ``£25,610.00`` (``core.money``)."""
    if value is None:
        return "-"
    return format_money(value, currency)


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


def changelist_conditions(request: HttpRequest) -> dict[str, Any]:
    """Filters and (masked) search text of a changelist request, for the audit row."""
    conditions: dict[str, Any] = {}
    for key, value in request.GET.items():
        if key == "q":
            conditions.update(audited_search_term(value))
        elif key not in {"o", "p", "_changelist_filters"}:
            conditions[key] = value[:100]
    return conditions


def masked_field_display(field: str, label: str) -> Any:
    """A read-only display function showing ``field`` masked (used for list columns and detail)."""

    @admin.display(description=label, ordering=field)
    def display(self: Any, obj: Model) -> str:
        return mask_value(field, getattr(obj, field, "") or "") or "-"

    display.__name__ = f"masked_{field}"
    return display


class _IndexedDatesMixin:
    """``dates()``/``datetimes()`` by year or month from MIN/MAX (two index lookups) instead of
    ``SELECT DISTINCT date_trunc(...)`` over the whole table, which takes about half a second
    per 100k rows. The admin's date hierarchy asks for exactly these; a year or month without
    rows may then be listed (clicking it shows an empty list), which is the price of speed."""

    def _bounds(self, field_name: str) -> tuple[Any, Any]:
        from django.db.models import F, Max, Min
        from django.db.models.functions import Coalesce

        if self.query.where:  # type: ignore[attr-defined]
            # Filtered (a search, a filter): PostgreSQL would walk the date index in order
            # and test every row against the filter (a second per 100k rows when the match
            # is rare). On an expression it uses the filter's own index instead.
            value = Coalesce(F(field_name), F(field_name))
            bounds = super().aggregate(lo=Min(value), hi=Max(value))  # type: ignore[misc]
        else:
            bounds = super().aggregate(lo=Min(field_name), hi=Max(field_name))  # type: ignore[misc]
        return bounds["lo"], bounds["hi"]

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        # The date hierarchy asks for first/last to decide whether to skip a level.
        from django.db.models import Max, Min

        if not args and set(kwargs) == {"first", "last"}:
            first, last = kwargs["first"], kwargs["last"]
            if isinstance(first, Min) and isinstance(last, Max) and first.source_expressions == last.source_expressions:
                name = getattr(first.source_expressions[0], "name", None)
                if name:
                    lo, hi = self._bounds(name)
                    return {"first": lo, "last": hi}
        return super().aggregate(*args, **kwargs)  # type: ignore[misc]

    def _range_points(self, field_name: str, kind: str, *, as_datetime: bool, tzinfo: Any = None) -> list[Any]:
        from django.utils import timezone as tz

        lo, hi = self._bounds(field_name)
        if lo is None or hi is None:
            return []
        if as_datetime:
            zone = tzinfo or tz.get_current_timezone()
            lo, hi = tz.localtime(lo, zone), tz.localtime(hi, zone)
        points = []
        year, month = lo.year, (lo.month if kind == "month" else 1)
        while (year, month) <= (hi.year, hi.month if kind == "month" else 1):
            point = dt.date(year, month, 1)
            if as_datetime:
                point = dt.datetime(year, month, 1, tzinfo=tzinfo or tz.get_current_timezone())
            points.append(point)
            if kind == "month":
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            else:
                year += 1
        return points

    def dates(self, field_name: str, kind: str, order: str = "ASC") -> Any:
        if kind not in ("year", "month"):
            return super().dates(field_name, kind, order)  # type: ignore[misc]
        points = self._range_points(field_name, kind, as_datetime=False)
        return points if order == "ASC" else points[::-1]

    def datetimes(self, field_name: str, kind: str, order: str = "ASC", tzinfo: Any = None) -> Any:
        if kind not in ("year", "month"):
            return super().datetimes(field_name, kind, order, tzinfo)  # type: ignore[misc]
        points = self._range_points(field_name, kind, as_datetime=True, tzinfo=tzinfo)
        return points if order == "ASC" else points[::-1]


def with_indexed_dates(queryset: QuerySet) -> QuerySet:
    """The same queryset, answering year/month ``dates()`` from MIN/MAX (see above)."""
    cls = queryset.__class__
    if not issubclass(cls, _IndexedDatesMixin):
        queryset = queryset._chain()
        queryset.__class__ = type(f"IndexedDates{cls.__name__}", (_IndexedDatesMixin, cls), {})
    return queryset


class FastDateHierarchyMixin:
    """ModelAdmin mixin: the date hierarchy's year/month links without a full-table scan."""

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type:
        base = super().get_changelist(request, **kwargs)  # type: ignore[misc]

        class IndexedDatesChangeList(base):  # type: ignore[misc, valid-type]
            def get_queryset(self, request: HttpRequest, exclude_parameters: Any = None) -> QuerySet:
                return with_indexed_dates(super().get_queryset(request, exclude_parameters))

        return IndexedDatesChangeList


class CustomerDataAdminMixin(FastDateHierarchyMixin):
    """Mixin for ModelAdmins whose rows belong to customers (see the module docstring).

    Subclasses set ``pii_fields`` (model fields masked for users without
    ``view_unmasked_pii``; each needs a ``masked_<field>`` attribute, see
    :func:`masked_field_display`) and ``health_fields`` (hidden without ``view_health_info``),
    and override :meth:`customer_ids_of` when the customer is not ``obj.customer_id``.
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
        matching = customers_matching(term, unmasked=self.principal(request).can_view_unmasked).values("pk")
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


class ReadOnlyInline:
    """An inline that shows rows without editing them (writes go through services/actions)."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


# Exports above this many rows record the conditions and the count instead of every id.
EXPORT_AUDIT_MAX_IDS = 10_000


class AuditedImportExportMixin:
    """import-export for the back office: MANAGER and above, resources built for the caller
    (masking), and one audit row per export and per confirmed import.

    Put it before ``ImportExportMixin``/``ExportActionMixin`` in the bases. ``customer_ids_of``
    comes from :class:`CustomerDataAdminMixin` when the model holds customer data.
    """

    export_least_role = Role.MANAGER
    # CSV and XLSX only: what the center's staff open in a spreadsheet
    formats = [base_formats.CSV, base_formats.XLSX]

    def has_export_permission(self, request: HttpRequest) -> bool:
        opts = self.model._meta  # type: ignore[attr-defined]
        return principal_of(request).has_role(self.export_least_role) and request.user.has_perm(
            f"{opts.app_label}.view_{opts.model_name}"
        )

    def has_import_permission(self, request: HttpRequest) -> bool:
        opts = self.model._meta  # type: ignore[attr-defined]
        return (
            principal_of(request).has_role(self.export_least_role)
            and request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}")
            and request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        )

    def get_export_filename(self, request: HttpRequest, queryset: QuerySet, file_format: Any) -> str:
        """``customer-2026-11-30.xlsx``: the date is Korea's (not UTC), the name ASCII (headers)."""
        from django.utils import timezone

        model = self.model._meta.model_name  # type: ignore[attr-defined]
        return f"{model}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def write_to_tmp_storage(self, import_file: Any, input_format: Any) -> Any:
        """CSV uploads in UTF-8, UTF-8 with BOM or CP949/EUC-KR (detected, ``core.textfiles``)
        are stored as UTF-8, so the preview and the confirmed import read the same text."""
        if not input_format.is_binary():
            from django.core.files.uploadedfile import SimpleUploadedFile

            from core.textfiles import to_utf8

            raw = b"".join(import_file.chunks())
            try:
                data, _encoding = to_utf8(raw)
            except (UnicodeDecodeError, LookupError):
                data = raw  # the reader then reports the file as unreadable, in Korean
            name = import_file.name
            import_file = SimpleUploadedFile(name, data, content_type="text/csv")
        return super().write_to_tmp_storage(import_file, input_format)  # type: ignore[misc]

    def get_export_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_export_resource_kwargs(request, **kwargs), "principal": principal_of(request)}  # type: ignore[misc]

    def get_import_resource_kwargs(self, request: HttpRequest, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_import_resource_kwargs(request, **kwargs), "principal": principal_of(request)}  # type: ignore[misc]

    def get_valid_export_item_pks(self, request: HttpRequest) -> list[Any]:
        # The library's default lists every pk of the table (100k customers) as form choices;
        # only the posted selection, within what this admin may show, is needed.
        posted = [pk for pk in request.POST.getlist("export_items") if str(pk).isdigit()]
        return list(self.get_queryset(request).filter(pk__in=posted).values_list("pk", flat=True))  # type: ignore[attr-defined]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)  # type: ignore[misc]
        if "export_admin_action" in actions:
            func, name, _label = actions["export_admin_action"]
            actions["export_admin_action"] = (func, name, "선택 항목 내보내기")
        return actions

    def _customer_ids_for(self, objects: Iterable[Model]) -> set[int]:
        ids: set[int] = set()
        of = getattr(self, "customer_ids_of", None)
        if of is None:
            return ids
        for obj in objects:
            ids.update(of(obj))
        return ids

    def get_export_data(self, file_format: Any, request: HttpRequest, queryset: QuerySet, **kwargs: Any) -> Any:
        data = super().get_export_data(file_format, request, queryset, **kwargs)  # type: ignore[misc]
        principal = principal_of(request)
        count = queryset.count()
        ids: set[int] = set()
        if count <= EXPORT_AUDIT_MAX_IDS:
            ids = self._customer_ids_for(queryset)
        resource = self.get_export_resource_classes(request)[0](principal=principal)  # type: ignore[attr-defined]
        masked_columns = getattr(resource, "masked_columns", [])
        audit_log(
            action=AuditLog.Action.EXPORT,
            request=request,
            customer_ids=ids,
            query={
                "model": self.model._meta.label,  # type: ignore[attr-defined]
                "format": file_format.get_title(),
                "rows": count,
                **({"conditions": changelist_conditions(request)} if count > EXPORT_AUDIT_MAX_IDS else {}),
            },
            fields_unmasked=masked_columns if principal.can_view_unmasked else [],
            status_code=200,
        )
        return data

    def process_result(self, result: Any, request: HttpRequest) -> HttpResponse:
        from import_export.results import RowResult

        by_type: dict[str, list[Model]] = {}
        for row in result:
            if row.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE) and row.instance:
                by_type.setdefault(row.import_type, []).append(row.instance)
        for import_type, action in (
            (RowResult.IMPORT_TYPE_NEW, AuditLog.Action.CREATE),
            (RowResult.IMPORT_TYPE_UPDATE, AuditLog.Action.UPDATE),
        ):
            instances = by_type.get(import_type, [])
            if not instances:
                continue
            ids = self._customer_ids_for(instances)
            audit_log(
                action=action,
                request=request,
                customer_ids=ids,
                query={
                    "model": self.model._meta.label,  # type: ignore[attr-defined]
                    "import": True,
                    "rows": len(instances),
                    "object_ids": [obj.pk for obj in instances][:EXPORT_AUDIT_MAX_IDS],
                },
                status_code=302,
            )
            for customer_id in ids:
                invalidate(f"customer:{customer_id}")
        return super().process_result(result, request)  # type: ignore[misc]
