"""Product read models: the rating average is derived from reviews, never stored."""

from __future__ import annotations

from django.db.models import Avg, Count, QuerySet

from commerce.models import Product


def products_with_ratings(*, queryset: QuerySet[Product] | None = None) -> QuerySet[Product]:
    """Products annotated with ``rating_average`` (None without reviews) and ``review_count``."""
    qs = queryset if queryset is not None else Product.objects.all()
    return qs.annotate(rating_average=Avg("reviews__rating"), review_count=Count("reviews"))
