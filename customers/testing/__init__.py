"""Test support for the center: factories (``factories.py``) and the back-office client fixture
(``fixtures.py``, a ``pytest_plugins`` entry of the root ``conftest.py``)."""
