"""Test support for the shop: factories (``factories.py``)."""
