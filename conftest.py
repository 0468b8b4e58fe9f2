"""Shared fixtures come from each app's test support, as pytest plugins (no test imports another
app's test modules). See docs/architecture.md, "Tests".

- ``core.testing.fixtures``: a clean cache and outage switches around every test, ``redis_only``;
- ``accounts.testing.fixtures``: ``make_user``, ``users``, ``api_client``, ``api_client_for(role)``,
  ``internal_client_for(role)``, ``backoffice_client_for(role)`` (a logged-in admin client),
  ``test_routes``;
- ``customers.testing.fixtures``: ``service_catalog``, ``center`` (a small center around one customer).

Factories are imported from ``<app>.testing.factories``; the endpoint contract every
customer-data endpoint's tests inherit from ``accounts.testing.contract``.
"""

pytest_plugins = [
    "core.testing.fixtures",
    "accounts.testing.fixtures",
    "customers.testing.fixtures",
]
