"""Test support for every app: users per role, API clients per role, the endpoint contract.

Not tests themselves: fixtures reach tests through ``pytest_plugins`` in the root
``conftest.py``; factories and the contract are imported (``from accounts.testing.factories
import UserFactory``). Like production code, these modules keep to the layers.
"""
