"""Recommendations issued to staff, persisted so that feedback can refer to a stable id."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class RecommendationType(models.TextChoices):
    SERVICE = "service", "서비스"
    PACKAGE = "package", "패키지"
    SCHEDULE = "schedule", "스케줄"


class IssuedRecommendation(models.Model):
    """A recommendation shown for a customer (seed 004 §3.1).

    The id is derived from (customer, type, item), so the same suggestion keeps the same id
    across requests and model versions; ``last_issued_at`` and ``payload`` hold the latest
    version shown. Feedback (``customers.RecommendationFeedback``) refers to this id.
    """

    id = models.CharField("추천 ID", max_length=32, primary_key=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="issued_recommendations", verbose_name="고객"
    )
    rec_type = models.CharField("추천 유형", max_length=10, choices=RecommendationType.choices)
    item_key = models.CharField("추천 대상", max_length=100)
    model_version = models.CharField("모델 버전", max_length=64)
    confidence_score = models.FloatField("신뢰도")
    payload = models.JSONField("내용", default=dict)
    first_issued_at = models.DateTimeField("최초 제시", default=timezone.now)
    last_issued_at = models.DateTimeField("최근 제시", default=timezone.now)

    class Meta:
        verbose_name = "제시된 추천"
        verbose_name_plural = "제시된 추천"
        ordering = ["-last_issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "rec_type", "item_key"], name="issued_rec_unique_item"),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.rec_type}:{self.item_key}"
