"""Query-string fields shared by the API apps."""

from __future__ import annotations

from rest_framework import serializers


class CommaListField(serializers.Field):
    """``brain,pulse`` (or repeated parameters) → a list of allowed values."""

    def __init__(self, *, choices: list[str], **kwargs: object) -> None:
        self.allowed = choices
        super().__init__(**kwargs)

    def to_internal_value(self, data: object) -> list[str]:
        items = data if isinstance(data, list) else [data]
        values: list[str] = []
        for item in items:
            values.extend(part.strip() for part in str(item).split(",") if part.strip())
        bad = [v for v in values if v not in self.allowed]
        if bad:
            raise serializers.ValidationError(f"허용되지 않는 값: {', '.join(bad)} (허용: {', '.join(self.allowed)})")
        return list(dict.fromkeys(values))

    def to_representation(self, value: list[str]) -> list[str]:
        return value
