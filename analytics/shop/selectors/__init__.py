"""Reads of the shop analytics (seed 000 §2): dashboard, user behaviour, sales forecast."""
