"""factory_boy factories for accounts (Faker ``ko_KR``)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory


class UserFactory(DjangoModelFactory):
    """A staff user (role STAFF, ``is_staff``); pass ``role="MANAGER"`` for others."""

    class Meta:
        model = "accounts.User"
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n:04d}")
    display_name = factory.Faker("name", locale="ko_KR")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.kr")
    role = "STAFF"
    is_staff = True
    password = factory.django.Password("pw-Test-1234!")
