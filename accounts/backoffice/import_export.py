"""django-import-export in the back office: who may import and export, and the audit rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from import_export.formats import base_formats
from import_export.forms import SelectableFieldsExportForm

from accounts.audit import audit_log
from accounts.backoffice.customer_data import changelist_conditions
from accounts.models import AuditLog
from accounts.principal import principal_of
from accounts.roles import Role
from core.cache import invalidate

# Exports above this many rows record the conditions and the count instead of every id.
EXPORT_AUDIT_MAX_IDS = 10_000


class KoreanExportForm(SelectableFieldsExportForm):
    """The export page: each column's checkbox reads as the file's header (``이름``), not
    import-export's English title of the field name (``Name (이름)``)."""

    def _get_field_label(self, resource: Any, field_name: str) -> str:
        field = resource().fields.get(field_name)
        return str(field.column_name) if field is not None else field_name


class AuditedImportExportMixin:
    """import-export for the back office: MANAGER and above, resources built for the caller
    (masking), and one audit row per export and per confirmed import.

    Put it before ``ImportExportMixin``/``ExportActionMixin`` in the bases. ``customer_ids_of``
    comes from :class:`CustomerDataAdminMixin` when the model holds customer data.
    """

    export_least_role = Role.MANAGER
    export_form_class = KoreanExportForm
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

    def add_data_read_fail_error_to_form(self, form: Any, exc: Exception) -> None:
        # import-export names the exception (BadZipFile, UnicodeDecodeError): say it in Korean
        form.add_error(
            "import_file",
            "파일을 읽지 못했습니다. 고른 형식(CSV·XLSX)이 파일과 맞는지, 엑셀 파일이 손상되지 않았는지 확인하세요.",
        )

    def get_import_data_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        # Confirming writes all rows or none: a row that became invalid since the preview
        # (a product removed meanwhile, …) rolls the whole file back.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}  # type: ignore[misc]

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
        from django.contrib import messages
        from django.shortcuts import redirect
        from import_export.results import RowResult

        if result.has_errors() or result.has_validation_errors():
            # rolled back (get_import_data_kwargs): nothing was written, and nothing is audited
            bad = sorted({row.number for row in result.invalid_rows})
            messages.error(
                request,
                f"가져오지 않았습니다: 미리 보기 뒤에 바뀐 행이 있습니다 ({', '.join(map(str, bad[:20]))}행). "
                "파일을 다시 올려 확인하세요.",
            )
            opts = self.model._meta  # type: ignore[attr-defined]
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_import")

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
