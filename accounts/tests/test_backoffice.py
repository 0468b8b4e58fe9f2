"""Every registered ModelAdmin uses ``accounts.backoffice`` consistently: an admin whose search
box finds customers is given the customers app's matching rules, and the mixins that replace a
method sit before the classes whose method they replace."""

from __future__ import annotations

from django.contrib import admin

from accounts.backoffice.customer_data import CustomerDataAdminMixin
from accounts.backoffice.writes import ReadOnlyAdminMixin, ServiceDeleteAdminMixin, ServiceSaveAdminMixin


def test_every_customer_search_box_has_the_matching_rules() -> None:
    searching = {
        model._meta.label: model_admin
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, CustomerDataAdminMixin) and model_admin.customer_search_path is not None
    }
    assert sorted(searching) == [
        "commerce.Order",
        "customers.Customer",
        "customers.CustomerPreference",
        "customers.HealthMetric",
        "customers.PackageBalance",
        "customers.PackagePurchase",
        "customers.ServiceSession",
    ]
    for label, model_admin in searching.items():
        assert callable(model_admin.customers_matching), label


def test_the_write_mixins_win_over_the_model_admin_methods() -> None:
    checked = 0
    for model_admin in admin.site._registry.values():
        cls = type(model_admin)
        for mixin, names in (
            (ServiceSaveAdminMixin, ("changeform_view",)),
            (ServiceDeleteAdminMixin, ("delete_model", "delete_queryset")),
            (ReadOnlyAdminMixin, ("has_add_permission", "has_change_permission", "has_delete_permission")),
        ):
            if not issubclass(cls, mixin):
                continue
            checked += 1
            for name in names:
                owner = next(klass for klass in cls.__mro__ if name in vars(klass))
                assert owner in (cls, mixin), f"{cls.__name__}.{name} comes from {owner.__name__}"
    assert checked == 11  # save: 4 admins, delete: 3, read-only: 4
