"""ml endpoints. Access, rate scope: accounts/policy.py (``ml-sentiment-analyze``: MANAGER, analytics)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.schema import ok_response
from ml.api import schema_examples as examples
from ml.sentiment.selectors import sentiment_analyze

from .serializers import MAX_BATCH, SentimentAnalyzeRequest


class SentimentAnalyzeView(APIView):
    @extend_schema(
        summary="리뷰 감정 분석",
        description=(
            '한 건: `{review_id?, text?, language: "ko"}` (text 가 있으면 text 를 분석하고 review_id 는 그대로 '
            f"돌려줍니다). 여러 건: `{{reviews: [{{review_id?, text?}}, …]}}` (최대 {MAX_BATCH}건) → "
            '`{results: [...], count}`. 예: `{"review_id": 1, "text": "정말 맛있어요! 배송도 빠르고 '
            '친절하네요.", "language": "ko"}`. 없는 review_id → 404 `REVIEW_NOT_FOUND`, 학습된 모델 '
            "없음 → 503 `MODEL_NOT_TRAINED`."
        ),
        request=SentimentAnalyzeRequest,
        responses={200: ok_response(examples.SENTIMENT, description="한 건의 분석 (여러 건이면 {results, count})")},
    )
    def post(self, request: Request) -> Response:
        body = SentimentAnalyzeRequest(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if "reviews" in data:
            results = sentiment_analyze(items=list(data["reviews"]), request=request)
            return Response({"results": results, "count": len(results)})
        (result,) = sentiment_analyze(
            items=[{"review_id": data.get("review_id"), "text": data.get("text")}], request=request
        )
        return Response(result)
