"""Read-pipeline pieces shared by the read endpoints with a customer in the path (customers,
analytics, recommendations)."""

from __future__ import annotations

from accounts.api.read import Read
from customers.selectors.detail import customer_get


class CustomerInPath:
    """For a read endpoint whose ``compute`` finds the customer (and answers 404 when it cannot):
    an unknown customer is 404 also when the query is invalid, and the lookup is made only then
    (mix in before the view base: ``class V(CustomerInPath, ReadView)``)."""

    customer_kwarg = "customer_id"

    def check_invalid(self, read: Read) -> None:
        customer_get(customer_id=read.args[self.customer_kwarg])
