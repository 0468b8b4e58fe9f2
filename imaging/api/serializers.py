"""Requests of seed 000 §5: an ``image_url`` (JSON or form) or an uploaded ``image`` (multipart)."""

from __future__ import annotations

from rest_framework import serializers

from imaging.quality.checks import ALL_CHECKS


class ChecksField(serializers.ListField):
    """A list of check names; in a form the field may repeat or be comma-separated."""

    child = serializers.ChoiceField(choices=list(ALL_CHECKS))

    def to_internal_value(self, data: object) -> list[str]:
        if isinstance(data, str):
            data = [data]
        if isinstance(data, list | tuple):
            data = [part.strip() for item in data for part in str(item).split(",") if part.strip()]
        return super().to_internal_value(data)


class ImageSourceSerializer(serializers.Serializer):
    image_url = serializers.CharField(
        required=False, max_length=2048, trim_whitespace=True, help_text="http(s) 이미지 주소"
    )
    image = serializers.FileField(required=False, help_text="JPEG, PNG 또는 WebP 파일 (multipart/form-data)")

    def validate(self, attrs: dict) -> dict:
        has_url, has_file = bool(attrs.get("image_url")), attrs.get("image") is not None
        if has_url == has_file:
            raise serializers.ValidationError({"image_url": ["image_url 또는 image 중 하나만 보내주세요"]})
        return attrs


class ValidateRequestSerializer(ImageSourceSerializer):
    checks = ChecksField(required=False, allow_empty=False)


class OcrRequestSerializer(ImageSourceSerializer):
    extract_type = serializers.ChoiceField(choices=["nutrition_facts"], default="nutrition_facts")
