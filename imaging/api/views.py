"""Seed 000 §5 endpoints. Thin: validate the request, call a selector. Access and rate scope
come from accounts/policy.py (``images-validate``, ``images-ocr``: STAFF, general)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.schema import ok_response
from imaging.api import schema_examples as examples
from imaging.quality.checks import ALL_CHECKS
from imaging.selectors import image_validate, label_read

from .serializers import OcrRequestSerializer, ValidateRequestSerializer


def _source(data: dict) -> dict:
    return {"image_url": data.get("image_url") or None, "upload": data.get("image")}


class ImageValidateView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        summary="상품 이미지 품질 검증",
        request={"application/json": ValidateRequestSerializer, "multipart/form-data": ValidateRequestSerializer},
        responses={200: ok_response(examples.VALIDATE)},
        examples=[
            OpenApiExample(
                "URL",
                value={"image_url": "https://cdn.example.com/p.jpg", "checks": list(ALL_CHECKS)},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = ValidateRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        checks = tuple(dict.fromkeys(data.get("checks") or ALL_CHECKS))
        return Response(image_validate(**_source(data), checks=checks))


class ImageOcrView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        summary="영양성분표 OCR",
        request={"application/json": OcrRequestSerializer, "multipart/form-data": OcrRequestSerializer},
        responses={200: ok_response(examples.OCR)},
    )
    def post(self, request: Request) -> Response:
        serializer = OcrRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(label_read(**_source(serializer.validated_data)))
