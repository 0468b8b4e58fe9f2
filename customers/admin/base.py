"""What every ModelAdmin of the center's customer data starts from."""

from __future__ import annotations

from accounts.backoffice.customer_data import CustomerDataAdminMixin
from customers.search_terms import customers_matching


class CenterDataAdminMixin(CustomerDataAdminMixin):
    """``accounts.backoffice.customer_data.CustomerDataAdminMixin`` (masking, health fields,
    audit rows) with the search box's customer rules of ``customers.search_terms``."""

    customers_matching = staticmethod(customers_matching)
