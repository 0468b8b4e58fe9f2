"""Paged lists, in one place: the ``page``/``size`` query and the ``pagination`` block of a
response (API.md: ``{"total", "page", "size", "total_pages"}``)."""

from __future__ import annotations

from rest_framework import serializers

MAX_PAGE = 100_000
MAX_SIZE = 100  # a larger ``size`` is clipped, and ``pagination.size`` says which applied


def pagination(*, total: int, page: int, size: int) -> dict:
    """The ``pagination`` block of a paged response."""
    return {"total": total, "page": page, "size": size, "total_pages": (total + size - 1) // size}


class PageQuerySerializer(serializers.Serializer):
    """``?page=&size=``: page from 1, size clipped to ``MAX_SIZE`` (not refused)."""

    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1)
    size = serializers.IntegerField(min_value=1, default=20)

    def validate_size(self, value: int) -> int:
        return min(value, MAX_SIZE)


class PaginationSerializer(serializers.Serializer):
    """Schema of the ``pagination`` block."""

    total = serializers.IntegerField(help_text="전체 건수")
    page = serializers.IntegerField(help_text="쪽 번호 (1부터)")
    size = serializers.IntegerField(help_text="쪽 크기 (적용된 값)")
    total_pages = serializers.IntegerField(help_text="전체 쪽 수")
