from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data generation (``seed_demo``): above every layer, so it may import any app."""

    name = "demo"
    verbose_name = "데모 데이터"
