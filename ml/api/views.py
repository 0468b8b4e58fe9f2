"""ml endpoints. Access, rate scope: accounts/policy.py (``ml-sentiment-analyze``: MANAGER, analytics)."""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers

from accounts.api.read import BodyReadView, Read
from core.schema import ok_example
from ml.api import schema_examples as examples
from ml.sentiment.model import LABELS
from ml.sentiment.selectors import sentiment_analyze

from .serializers import MAX_BATCH, SentimentAnalyzeRequest

SENTIMENTS = list(LABELS)


class KeywordOutput(serializers.Serializer):
    word = serializers.CharField(help_text="형태소 원형")
    importance = serializers.FloatField()


class SentimentResultOutput(serializers.Serializer):
    review_id = serializers.IntegerField(allow_null=True)
    sentiment = serializers.ChoiceField(choices=SENTIMENTS)
    confidence = serializers.FloatField()
    scores = serializers.DictField(child=serializers.FloatField(), help_text="positive, neutral, negative")
    keywords = KeywordOutput(many=True)
    aspects = serializers.DictField(child=serializers.DictField(), help_text="측면(맛, 배송, …)별 sentiment, score")


class SentimentBatchOutput(serializers.Serializer):
    results = SentimentResultOutput(many=True)
    count = serializers.IntegerField()


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
    examples=[ok_example(examples.SENTIMENT)],
)
class SentimentAnalyzeView(BodyReadView):
    query_serializer = SentimentAnalyzeRequest
    output_serializer = PolymorphicProxySerializer(
        component_name="SentimentAnalyzeOutput",
        serializers=[SentimentResultOutput, SentimentBatchOutput],
        resource_type_field_name=None,
    )
    customer_kwarg = None
    # reading a stored review is audited by ``sentiment_analyze`` itself, for the review's author

    def compute(self, read: Read) -> dict:
        data = read.query
        if "reviews" in data:
            results = sentiment_analyze(items=list(data["reviews"]), request=read.request)
            return {"results": results, "count": len(results)}
        (result,) = sentiment_analyze(
            items=[{"review_id": data.get("review_id"), "text": data.get("text")}], request=read.request
        )
        return result
