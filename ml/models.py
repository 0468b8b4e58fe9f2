"""Trained model artifacts, stored in the database so every worker on every machine loads the
same bytes (no shared file system is assumed)."""

from __future__ import annotations

from django.db import models


class ModelArtifact(models.Model):
    """One trained, versioned model. The newest ``is_active`` row of a ``name`` is served."""

    name = models.CharField("모델 이름", max_length=64, db_index=True)
    version = models.CharField("버전", max_length=64)
    trained_as_of = models.DateField("학습 기준일", null=True, blank=True)
    metrics = models.JSONField("평가 지표", default=dict, blank=True)
    params = models.JSONField("설정", default=dict, blank=True)
    blob = models.BinaryField("모델 바이트")
    sha256 = models.CharField("SHA-256", max_length=64)
    is_active = models.BooleanField("사용 중", default=True)
    created_at = models.DateTimeField("생성 일시", auto_now_add=True)

    class Meta:
        verbose_name = "모델 아티팩트"
        verbose_name_plural = "모델 아티팩트"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["name", "version"], name="artifact_name_version_unique")]
        # The served-version lookup (every scoring request) reads only this index: on SQLite the
        # columns after the blob would otherwise walk its overflow pages (~90 ms for 20 MB).
        indexes = [models.Index(fields=["name", "is_active", "-created_at", "-id"], name="artifact_latest")]

    def __str__(self) -> str:
        return f"{self.name}@{self.version}"
