from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "commerce"
    verbose_name = "쇼핑몰"

    def ready(self) -> None:
        from . import currency  # noqa: F401 - registers the SHOP_CURRENCY system check
