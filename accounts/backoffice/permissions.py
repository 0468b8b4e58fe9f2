"""Which admin model permissions each role's group holds (groups "직원", "매니저", "관리자",
created and synced from the user's role by ``accounts``). Codenames are ``app_label.codename``.

Masking and health information are not model permissions: they follow ``view_unmasked_pii``
and ``view_health_info`` (ADMIN only, by default). Exports and imports additionally need the
MANAGER role (``accounts.backoffice.import_export.AuditedImportExportMixin``). See
docs/backoffice.md. The table names the apps above ``accounts`` by their labels only (strings):
``accounts.services.role_permissions`` resolves them against the permissions in the database.
"""

from __future__ import annotations

_STAFF = [
    # customers: the front desk registers customers, records sessions, sells packages
    "customers.view_customer",
    "customers.add_customer",
    "customers.change_customer",
    "customers.view_customerpreference",
    "customers.add_customerpreference",
    "customers.change_customerpreference",
    "customers.view_service",
    "customers.view_package",
    "customers.view_packageitem",
    "customers.view_packagepurchase",
    "customers.add_packagepurchase",
    "customers.view_packagebalance",
    "customers.view_servicesession",
    "customers.add_servicesession",
    "customers.view_voidedsession",
    "customers.view_recommendationfeedback",
    # shop: look up products and orders for a customer's questions
    "commerce.view_category",
    "commerce.view_product",
    "commerce.view_order",
    "commerce.view_orderitem",
    "commerce.view_review",
]

_MANAGER = [
    *_STAFF,
    # packages: extend expiry, change status; catalog upkeep
    "customers.change_packagepurchase",
    # sessions: correct or void a mistaken record (customers.services.sessions, with a reason)
    "customers.change_servicesession",
    "customers.add_service",
    "customers.change_service",
    "customers.add_package",
    "customers.change_package",
    "customers.add_packageitem",
    "customers.change_packageitem",
    "customers.delete_packageitem",
    "customers.add_recommendationfeedback",
    "customers.change_recommendationfeedback",
    # health metrics pages also need view_health_info (not granted to MANAGER by default)
    "customers.view_healthmetric",
    # shop operations: products, imports, order status
    "commerce.add_category",
    "commerce.change_category",
    "commerce.add_product",
    "commerce.change_product",
    "commerce.add_order",
    "commerce.change_order",
    "commerce.add_orderitem",
    "commerce.change_review",
    "commerce.delete_review",
    "commerce.view_wishlistitem",
    "commerce.view_cartevent",
    "commerce.view_pageview",
    "commerce.view_searchquery",
    # models: see what is trained and switch a bad version off
    "ml.view_modelartifact",
    "ml.change_modelartifact",
]

# "__all__": every permission of every app (ADMIN is also unmasked and sees health data).
BACKOFFICE_PERMISSIONS: dict[str, list[str] | str] = {
    "STAFF": _STAFF,
    "MANAGER": _MANAGER,
    "ADMIN": "__all__",
}
