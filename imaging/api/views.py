"""Seed 000 §5 endpoints. Thin: validate the request, call a selector. Access and rate scope
come from accounts/policy.py (``images-validate``, ``images-ocr``: STAFF, general)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from accounts.api.read import BodyReadView, Read
from core.schema import ok_example
from imaging.api import schema_examples as examples
from imaging.quality.checks import ALL_CHECKS
from imaging.selectors import image_validate, label_read

from .serializers import OcrRequestSerializer, ValidateRequestSerializer


def _source(data: dict) -> dict:
    return {"image_url": data.get("image_url") or None, "upload": data.get("image")}


class ImageValidateOutput(serializers.Serializer):
    is_valid = serializers.BooleanField()
    quality_score = serializers.FloatField(help_text="0–1, 요청한 검사의 가중 평균")
    checks = serializers.DictField(
        child=serializers.DictField(), help_text="검사별 (resolution, brightness, blur, content): passed, score, 측정값"
    )
    recommendations = serializers.ListField(child=serializers.CharField(), help_text="한국어 개선 안내")


class LabelReadOutput(serializers.Serializer):
    text = serializers.CharField(help_text="인식한 전체 텍스트")
    nutrition_facts = serializers.DictField(help_text="영양성분 (calories, sodium, … , serving_size)")
    confidence = serializers.FloatField()
    label_found = serializers.BooleanField()
    label_format = serializers.CharField(allow_null=True)
    basis = serializers.CharField(allow_null=True, help_text="표시 기준 (1회 제공량, 100g 당 …)")
    field_confidence = serializers.DictField(child=serializers.FloatField())
    warnings = serializers.ListField(child=serializers.CharField())
    checks = serializers.DictField(help_text="합계 검산")
    preprocessing = serializers.DictField(help_text="전처리 단계와 측정값")
    elapsed_ms = serializers.IntegerField()


class _ImageRead(BodyReadView):
    """An image sent as a URL (JSON) or a file (multipart); nothing is stored."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]
    customer_kwarg = None


@extend_schema(
    summary="상품 이미지 품질 검증",
    request={"application/json": ValidateRequestSerializer, "multipart/form-data": ValidateRequestSerializer},
    examples=[
        OpenApiExample(
            "URL",
            value={"image_url": "https://cdn.example.com/p.jpg", "checks": list(ALL_CHECKS)},
            request_only=True,
        ),
        ok_example(examples.VALIDATE),
    ],
)
class ImageValidateView(_ImageRead):
    query_serializer = ValidateRequestSerializer
    output_serializer = ImageValidateOutput

    def compute(self, read: Read) -> dict:
        checks = tuple(dict.fromkeys(read.query.get("checks") or ALL_CHECKS))
        return image_validate(**_source(read.query), checks=checks)


@extend_schema(
    summary="영양성분표 OCR",
    request={"application/json": OcrRequestSerializer, "multipart/form-data": OcrRequestSerializer},
    examples=[ok_example(examples.OCR)],
)
class ImageOcrView(_ImageRead):
    query_serializer = OcrRequestSerializer
    output_serializer = LabelReadOutput

    def compute(self, read: Read) -> dict:
        return label_read(**_source(read.query))
