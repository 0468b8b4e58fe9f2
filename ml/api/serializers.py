"""Request bodies of the ml endpoints."""

from __future__ import annotations

from rest_framework import serializers

from ml.sentiment.text import has_hangul

MAX_TEXT_CHARS = 2000  # one review; longer bodies are not reviews
MAX_BATCH = 100  # reviews per batch request


class _SentimentItem(serializers.Serializer):
    review_id = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    text = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        trim_whitespace=False,
        error_messages={"invalid": "리뷰 내용은 문자열이어야 합니다"},
    )

    def validate_text(self, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip():
            raise serializers.ValidationError("리뷰 내용이 비어 있습니다")
        if len(value) > MAX_TEXT_CHARS:
            raise serializers.ValidationError(f"리뷰 내용은 최대 {MAX_TEXT_CHARS}자입니다")
        if not has_hangul(value):
            raise serializers.ValidationError("한국어 리뷰만 분석할 수 있습니다")
        return value

    def validate(self, attrs: dict) -> dict:
        if attrs.get("text") is None and attrs.get("review_id") is None:
            raise serializers.ValidationError({"text": ["text 또는 review_id 중 하나는 필요합니다"]})
        return attrs


class SentimentAnalyzeRequest(_SentimentItem):
    """``{review_id?, text?, language?}`` for one review, or ``{reviews: [...], language?}``."""

    language = serializers.CharField(required=False, default="ko")
    reviews = _SentimentItem(many=True, required=False)

    def validate_language(self, value: str) -> str:
        if value.strip().lower() != "ko":
            raise serializers.ValidationError("한국어(ko)만 지원합니다")
        return "ko"

    def validate_reviews(self, value: list) -> list:
        if not value:
            raise serializers.ValidationError("reviews 가 비어 있습니다")
        if len(value) > MAX_BATCH:
            raise serializers.ValidationError(f"한 번에 최대 {MAX_BATCH}건까지 분석할 수 있습니다")
        return value

    def validate(self, attrs: dict) -> dict:
        if "reviews" in attrs:
            if attrs.get("text") is not None or attrs.get("review_id") is not None:
                raise serializers.ValidationError({"reviews": ["reviews 와 text/review_id 를 함께 보낼 수 없습니다"]})
            return attrs
        return super().validate(attrs)
