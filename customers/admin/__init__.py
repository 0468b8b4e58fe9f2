"""The center's back office: customers, the catalogue, packages, sessions and health metrics.

One module per sub-domain (``customers``, ``catalogue``, ``purchases``, ``sessions``,
``health``), the front desk's pages in ``desk``; the plumbing every app's admin shares
(masking, health fields, audit rows, exports, writes through services) is
``accounts.backoffice``. Writes that the business rules guard go through ``customers.services``
(recording a session redeems a balance atomically; selling and extending a package), never
through a raw model save.

Every ModelAdmin is registered here, in one list, in the order the back office has always had.
"""

from __future__ import annotations

from django.contrib import admin

from customers.admin.catalogue import PackageAdmin, PackageItemAdmin, ServiceAdmin
from customers.admin.customers import CustomerAdmin
from customers.admin.health import CustomerPreferenceAdmin, HealthMetricAdmin, RecommendationFeedbackAdmin
from customers.admin.purchases import PackageBalanceAdmin, PackagePurchaseAdmin
from customers.admin.sessions import ServiceSessionAdmin, VoidedSessionAdmin
from customers.models import (
    Customer,
    CustomerPreference,
    HealthMetric,
    Package,
    PackageBalance,
    PackageItem,
    PackagePurchase,
    RecommendationFeedback,
    Service,
    ServiceSession,
    VoidedSession,
)

admin.site.register(Customer, CustomerAdmin)
admin.site.register(Service, ServiceAdmin)
admin.site.register(Package, PackageAdmin)
admin.site.register(PackageItem, PackageItemAdmin)
admin.site.register(PackagePurchase, PackagePurchaseAdmin)
admin.site.register(PackageBalance, PackageBalanceAdmin)
admin.site.register(ServiceSession, ServiceSessionAdmin)
admin.site.register(HealthMetric, HealthMetricAdmin)
admin.site.register(CustomerPreference, CustomerPreferenceAdmin)
admin.site.register(RecommendationFeedback, RecommendationFeedbackAdmin)
admin.site.register(VoidedSession, VoidedSessionAdmin)
