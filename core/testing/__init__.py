"""Test support for the platform: fixtures (``fixtures.py``, a ``pytest_plugins`` entry of the
root ``conftest.py``)."""
