"""Center customers versus shop-only buyers.

A **shop-only buyer** came in through the shop (an order-line import or the shop: it has an
``external_id``) and has never bought a package nor attended a session. Everyone else is a
**center customer**. The center's counts (the overview's active customers) and the desk's
customer list count center customers; the shop's analytics count buyers of any kind.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from customers.models import PackagePurchase, ServiceSession


def shop_only_q() -> Q:
    """``Customer.objects.filter(shop_only_q())`` → the shop-only buyers."""
    return (
        Q(external_id__isnull=False)
        & ~Q(external_id="")
        & ~Exists(PackagePurchase.objects.filter(customer_id=OuterRef("pk")))
        & ~Exists(ServiceSession.objects.filter(customer_id=OuterRef("pk")))
    )


def center_customer_q() -> Q:
    """``Customer.objects.filter(center_customer_q())`` → the center's customers."""
    return ~shop_only_q()


__all__ = ["center_customer_q", "shop_only_q"]
